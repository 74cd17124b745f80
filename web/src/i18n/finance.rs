//! 记账 and 理财 in zh-CN and English.

use super::{ErrorText, Locale};
use qianbao_core::finance::{FinanceError, Spend, MAX_CASH_ENTRIES, MAX_CASH_NOTE_CHARS};
use qianbao_core::provider::Feature;

fn pick(locale: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
}

pub fn spend_name(locale: Locale, spend: Spend) -> &'static str {
    match spend {
        Spend::Food => pick(locale, "餐饮", "Food & drink"),
        Spend::Books => pick(locale, "图书", "Books"),
        Spend::Electronics => pick(locale, "数码", "Electronics"),
        Spend::Utilities => pick(locale, "生活缴费", "Utilities"),
        Spend::Telecom => pick(locale, "通讯", "Phone"),
        Spend::Transfers => pick(locale, "转账", "Transfers"),
        Spend::Transport => pick(locale, "交通", "Transport"),
        Spend::Shopping => pick(locale, "购物", "Shopping"),
        Spend::Other => pick(locale, "其他", "Other"),
    }
}

/// The labels of the two screens.
#[derive(Debug)]
pub struct FinanceText {
    pub books: &'static str,
    pub books_intro: &'static str,
    pub month: &'static str,
    pub by_category: &'static str,
    pub chart_label: fn(&str) -> String,
    pub wallet_spent: &'static str,
    pub cash_spent: &'static str,
    pub total_spent: &'static str,
    pub nothing_spent: &'static str,
    pub wallet_entries: &'static str,
    pub category: &'static str,
    pub cash_book: &'static str,
    pub cash_intro: &'static str,
    pub note: &'static str,
    pub add_cash: &'static str,
    pub remove: &'static str,
    pub savings: &'static str,
    pub savings_intro: fn(&str) -> String,
    pub savings_balance: &'static str,
    pub earned: &'static str,
    pub last_day: &'static str,
    pub rate: &'static str,
    pub rule: &'static str,
    pub amount: &'static str,
    pub move_in: &'static str,
    pub move_out: &'static str,
    pub not_offered: &'static str,
}

pub fn text(locale: Locale) -> &'static FinanceText {
    match locale {
        Locale::ZhCn => &ZH,
        Locale::En => &EN,
    }
}

static ZH: FinanceText = FinanceText {
    books: "记账",
    books_intro:
        "每笔支出都有分类：消费按商家、缴费按项目自动分类，也可以手动修改；现金支出可以记一笔。",
    month: "月份",
    by_category: "按分类",
    chart_label: |month| format!("{month} 各分类支出"),
    wallet_spent: "钱包支出",
    cash_spent: "现金支出",
    total_spent: "合计",
    nothing_spent: "这个月还没有支出。",
    wallet_entries: "钱包支出明细",
    category: "分类",
    cash_book: "现金记一笔",
    cash_intro: "在钱包之外用现金花的钱，记下来一起统计。",
    note: "备注（选填）",
    add_cash: "记一笔",
    remove: "删除",
    savings: "理财",
    savings_intro: |rate| {
        format!("年化利率 {rate}，按北京时间每日计息：每天 24:00 按当时的理财余额计算当日收益（余额 × 年化利率 ÷ 365，向下取整到分），次日计入理财余额，收益复利滚存。")
    },
    savings_balance: "理财余额",
    earned: "累计收益",
    last_day: "最近一日收益",
    rate: "年化利率",
    rule: "计息规则",
    amount: "金额",
    move_in: "转入理财",
    move_out: "转出理财",
    not_offered: "你的钱包服务商不提供理财。可在「选择钱包」中比较提供理财的服务商。",
};

static EN: FinanceText = FinanceText {
    books: "Bookkeeping",
    books_intro: "Every expense has a category: purchases by merchant, bills by type, and you can change it; cash spending can be written down.",
    month: "Month",
    by_category: "By category",
    chart_label: |month| format!("Spending by category, {month}"),
    wallet_spent: "From the wallet",
    cash_spent: "In cash",
    total_spent: "Total",
    nothing_spent: "No spending this month yet.",
    wallet_entries: "Wallet spending",
    category: "Category",
    cash_book: "Write down cash spending",
    cash_intro: "Money spent in cash, outside the wallet, counted with the rest.",
    note: "Note (optional)",
    add_cash: "Add",
    remove: "Remove",
    savings: "Savings",
    savings_intro: |rate| format!("Annual rate {rate}, interest daily in China Standard Time: at 24:00 each day, the savings balance then × annual rate ÷ 365, rounded down to the fen, is credited the next day and earns interest itself."),
    savings_balance: "Savings balance",
    earned: "Interest earned",
    last_day: "Last day's interest",
    rate: "Annual rate",
    rule: "How interest works",
    amount: "Amount",
    move_in: "Move into savings",
    move_out: "Move out of savings",
    not_offered: "Your wallet provider offers no savings. Compare providers that do in “Choose a wallet”.",
};

/// A rate in basis points as a percentage: 180 → "1.80%".
pub fn percent(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// Why 记账 or 理财 refused, worded.
pub fn finance_error(
    locale: Locale,
    error: &FinanceError,
    clock: impl Fn(qianbao_core::Timestamp) -> String,
) -> ErrorText {
    let message = match error {
        FinanceError::Amount(e) => return super::money_error(locale, e),
        FinanceError::Account(e) => return super::account_error(locale, e, clock),
        FinanceError::Ledger(e) => return super::ledger_error(locale, e),
        FinanceError::NotSpending => super::pick(
            locale,
            "这笔记录不是本钱包的支出，不能修改分类。",
            "This is not spending of this wallet; its category cannot change.",
        ),
        FinanceError::NoteTooLong => match locale {
            Locale::ZhCn => format!("备注最多 {MAX_CASH_NOTE_CHARS} 个字。"),
            Locale::En => format!("A note has at most {MAX_CASH_NOTE_CHARS} characters."),
        },
        FinanceError::BookFull => match locale {
            Locale::ZhCn => {
                format!("现金账本已满（最多 {MAX_CASH_ENTRIES} 笔），请先删除旧的记录。")
            }
            Locale::En => format!(
                "The cash book is full ({MAX_CASH_ENTRIES} entries): remove old ones first."
            ),
        },
        FinanceError::NotOffered => match locale {
            Locale::ZhCn => format!(
                "你的钱包服务商不提供「{}」。",
                super::providers::feature_name(locale, Feature::Wealth)
            ),
            Locale::En => format!(
                "Your wallet provider does not offer {}.",
                super::providers::feature_name(locale, Feature::Wealth)
            ),
        },
        FinanceError::KeyReused => super::pick(
            locale,
            "此次提交已用于另一笔交易，未重复执行。",
            "This submission was already used for another transaction; nothing was done.",
        ),
        FinanceError::WalletLow { balance } => match locale {
            Locale::ZhCn => format!("余额不足（当前余额 {balance}）。"),
            Locale::En => format!("Not enough balance (balance {balance})."),
        },
        FinanceError::SavingsLow { balance } => match locale {
            Locale::ZhCn => format!("理财余额不足（当前 {balance}）。"),
            Locale::En => format!("Not enough in savings ({balance} now)."),
        },
    };
    ErrorText::new(locale, error, message)
}
