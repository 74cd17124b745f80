//! 记账 and 理财 in zh-CN and English.

use super::{ErrorText, Locale};
use qianbao_core::finance::{FinanceError, Spend, MAX_CASH_ENTRIES, MAX_CASH_NOTE_CHARS};
use qianbao_core::provider::Feature;

pub fn spend_name(locale: Locale, spend: Spend) -> &'static str {
    match spend {
        Spend::Food => locale.pick("餐饮", "Food & drink"),
        Spend::Books => locale.pick("图书", "Books"),
        Spend::Electronics => locale.pick("数码", "Electronics"),
        Spend::Utilities => locale.pick("生活缴费", "Utilities"),
        Spend::Telecom => locale.pick("通讯", "Phone"),
        Spend::Transfers => locale.pick("转账", "Transfers"),
        Spend::Transport => locale.pick("交通", "Transport"),
        Spend::Shopping => locale.pick("购物", "Shopping"),
        Spend::Other => locale.pick("其他", "Other"),
    }
}

labels! {
    /// The labels of the two screens.
    pub struct FinanceText, ZH_CN, EN {
        books = "记账", "Bookkeeping";
        books_intro =
            "每笔支出都有分类：消费按商家、缴费按项目自动分类，也可以手动修改；现金支出可以记一笔。",
            "Every expense has a category: purchases by merchant, bills by type, and you can change it; cash spending can be written down.";
        month = "月份", "Month";
        by_category = "按分类", "By category";
        chart_label: fn(&str) -> String =
            |month| format!("{month} 各分类支出"),
            |month| format!("Spending by category, {month}");
        wallet_spent = "钱包支出", "From the wallet";
        cash_spent = "现金支出", "In cash";
        total_spent = "合计", "Total";
        nothing_spent = "这个月还没有支出。", "No spending this month yet.";
        wallet_entries = "钱包支出明细", "Wallet spending";
        category = "分类", "Category";
        cash_book = "现金记一笔", "Write down cash spending";
        cash_intro =
            "在钱包之外用现金花的钱，记下来一起统计。",
            "Money spent in cash, outside the wallet, counted with the rest.";
        note = "备注（选填）", "Note (optional)";
        add_cash = "记一笔", "Add";
        remove = "删除", "Remove";
        savings = "理财", "Savings";
        savings_intro: fn(&str) -> String =
            |rate| {
            format!("年化利率 {rate}，按北京时间每日计息：每天 24:00 按当时的理财余额计算当日收益（余额 × 年化利率 ÷ 365，向下取整到分），次日计入理财余额，收益复利滚存。")
        },
            |rate| format!("Annual rate {rate}, interest daily in China Standard Time: at 24:00 each day, the savings balance then × annual rate ÷ 365, rounded down to the fen, is credited the next day and earns interest itself.");
        savings_balance = "理财余额", "Savings balance";
        earned = "累计收益", "Interest earned";
        last_day = "最近一日收益", "Last day's interest";
        rate = "年化利率", "Annual rate";
        rule = "计息规则", "How interest works";
        amount = "金额", "Amount";
        move_in = "转入理财", "Move into savings";
        move_out = "转出理财", "Move out of savings";
        not_offered =
            "你的钱包服务商不提供理财。可在「选择钱包」中比较提供理财的服务商。",
            "Your wallet provider offers no savings. Compare providers that do in “Choose a wallet”.";
    }
}

pub fn text(locale: Locale) -> &'static FinanceText {
    locale.pick(&ZH_CN, &EN)
}

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
        FinanceError::NotSpending => locale
            .pick(
                "这笔记录不是本钱包的支出，不能修改分类。",
                "This is not spending of this wallet; its category cannot change.",
            )
            .to_owned(),
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
        FinanceError::KeyReused => locale
            .pick(
                "此次提交已用于另一笔交易，未重复执行。",
                "This submission was already used for another transaction; nothing was done.",
            )
            .to_owned(),
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
