//! The wallet's labels (`pages/wallet`), in zh-CN and English.

use super::*;

use qianbao_core::ledger::Biller;

labels! {
    /// The wallet's screens: the door, money, cards, history, binding, settings.
    pub struct WalletText, ZH_CN, EN {
        // F1 form labels (required wording, SPEC F1).
        login_id = "手机号或邮箱", "Mobile number or email";
        create_demo = "一键创建演示账户", "Create demo accounts in one click";
        login_id_hint =
            "中国大陆手机号（可带 +86）或邮箱地址",
            "A mainland China mobile number (+86 optional) or an email address";
        real_name_hint =
            "与身份证一致，用于绑卡和绑定微信时核对",
            "As on your ID card; checked when you add cards or bind WeChat";
        code_hint =
            "6 位数字，发送到「手机」收件箱，5 分钟内有效",
            "6 digits, sent to the Phone inbox, valid for 5 minutes";
        resend_in: fn(u64) -> String = |s| format!("{s} 秒后重发"), |s| format!("Resend in {s} s");
        working = "请稍候…", "Please wait…";
        register_title = "注册数字钱包", "Register a digital wallet";
        register_intro =
            "用手机号或邮箱注册，验证码会出现在本页右下角的「手机」里。",
            "Register with a mobile number or email; the code arrives in the Phone at the bottom right.";
        have_account = "已有账户？去登录", "Have an account? Log in";
        registered_please_log_in = "注册成功，请登录。", "Registered. Please log in.";
        login_title = "登录数字钱包", "Log in to your wallet";
        no_account = "还没有账户？去注册", "No account yet? Register";
        accounts_here = "本机上的账户", "Accounts in this browser";
        welcome_title = "欢迎使用数字钱包", "Welcome to Digital Wallet";
        welcome_intro =
            "在这里练习注册、登录、绑定微信和支付，全程使用模拟资金，放心操作。",
            "Practise registering, logging in, binding WeChat and paying here, with simulated money only.";
        demo_created = "演示账户已创建", "Demo account created";
        demo_intro = "请记下以下信息，也可以直接登录：", "Note these details, or log in straight away:";
        log_in_as_demo = "用演示账户登录", "Log in with the demo account";
        hello: fn(&str) -> String = |name| format!("你好，{name}"), |name| format!("Hello, {name}");
        settings = "设置", "Settings";
        vault_intro =
            "本浏览器中的钱包数据已加密保存，只有输入登录密码才能读取。输入本浏览器中任一钱包账户的密码解锁。",
            "The wallet data in this browser is stored encrypted and can only be read with a login password. Type the password of any wallet account in this browser to unlock.";
        vault_forgot =
            "忘记了所有密码？可以保留加密的副本并重新开始（副本无法再读取，除非想起密码）。",
            "Forgot every password? Keep the encrypted copy aside and start again (it stays unreadable unless you remember a password).";
        choose_wallet = "选择钱包", "Choose a wallet";
        provider_label = "钱包服务商", "Wallet provider";
        provider_help = "不知道选哪个？去「选择钱包」比较", "Not sure? Compare them in “Choose a wallet”";
        login_code_title = "两步验证", "Two-step verification";
        login_code_hint: fn(&str) -> String =
            |who| format!("{who} 已开启两步验证：请输入身份验证器 App 显示的 6 位动态码，或一个恢复码。"),
            |who| format!("{who} has two-step verification on: type the 6-digit code your authenticator app shows, or a recovery code.");
        login_code_label = "动态码或恢复码", "Code or recovery code";
        login_code_submit = "验证", "Verify";
        recovery_code_used: fn(usize) -> String =
            |left| format!("已使用一个恢复码登录，还剩 {left} 个。用完前请在「设置」中关闭再重新开启两步验证以获得新的恢复码。"),
            |left| format!("Signed in with a recovery code; {left} left. Before they run out, turn two-step verification off and on again in Settings for new ones.");
        locked_title = "钱包已锁定", "Wallet locked";
        locked_intro: fn(&str) -> String =
            |who| format!("{who} 的钱包因长时间未操作已锁定，请输入密码解锁。"),
            |who| format!("The wallet of {who} locked after a period of inactivity. Enter the password to unlock it.");
        unlock = "解锁", "Unlock";
        switch_account = "切换账户", "Switch account";
        // F2 labels (required wording, SPEC F2).
        balance = "余额", "Balance";
        top_up = "充值", "Top up";
        withdraw = "提现", "Withdraw";
        transfer = "转账", "Transfer";
        pay_bills = "缴费", "Pay bills";
        wallet_balance_note = "模拟资金，仅供练习", "Simulated money, for practice only";
        recent = "最近交易", "Recent transactions";
        see_all = "查看全部", "See all";
        cards = "银行卡", "Bank cards";
        no_history = "暂无交易记录。", "No transactions yet.";
        to_wechat_change = "转入微信零钱", "Move to WeChat Change";
        demo_wechat = "微信账号（实名一致，可绑定）", "WeChat account (same real name: binds)";
        demo_wechat_mismatch =
            "微信账号（实名不一致，用于练习“信息不匹配”）",
            "WeChat account (different real name: practise “information mismatch”)";
        storage_title = "本地数据无法读取", "Saved data cannot be read";
        storage_intro =
            "浏览器中保存的钱包数据无法读取。数据没有被删除：你可以先导出一份，再决定如何处理。",
            "The wallet data saved in this browser cannot be read. Nothing has been deleted: export a copy first, then decide what to do.";
        storage_export = "导出损坏的数据", "Export the damaged data";
        storage_start_over = "保留副本并重新开始", "Keep a copy and start over";
        storage_import = "导入备份", "Import a backup";
    }
}

// ── worded errors and names ──────────────────────────────────────────────

pub fn move_error(
    locale: Locale,
    error: &MoveError,
    clock: impl Fn(qianbao_core::Timestamp) -> String,
) -> ErrorText {
    let message = match error {
        MoveError::Amount(e) => return money_error(locale, e),
        MoveError::Card(e) => return card_error(locale, e),
        MoveError::Payee(e) => return identity_error(locale, e),
        MoveError::Account(e) => return account_error(locale, e, clock),
        MoveError::Ledger(e) => return ledger_error(locale, e),
        MoveError::Remote(e) => return wechat_error(locale, e, clock),
        MoveError::NotBound => locale
            .pick(
                "钱包尚未绑定微信，请先绑定。",
                "The wallet is not bound to WeChat: bind it first.",
            )
            .to_owned(),
        MoveError::Rebound => locale
            .pick(
                "钱包已改绑另一个微信账号，这笔转入未执行。",
                "The wallet is now bound to another WeChat account; this transfer was not made.",
            )
            .to_owned(),
        MoveError::Changed => locale
            .pick(
                "这笔交易已不是确认时的那一笔，未执行：请重新填写。",
                "This is no longer the transaction that was confirmed; nothing was moved: fill it in again.",
            )
            .to_owned(),
        MoveError::NotDebit => locale
            .pick(
                "提现只能到借记卡。",
                "Withdrawals can only go to a debit card.",
            )
            .to_owned(),
        MoveError::CardFunds { available } => match locale {
            Locale::ZhCn => format!("银行卡余额不足（可用 {available}）。"),
            Locale::En => {
                format!("The card's bank account has too little money ({available} available).")
            }
        },
        MoveError::NotEnough { balance } => match locale {
            Locale::ZhCn => format!("余额不足（当前余额 {balance}）。"),
            Locale::En => format!("Not enough balance (balance {balance})."),
        },
        MoveError::SingleLimit { kind, max } => match locale {
            Locale::ZhCn => format!("超过{}单笔限额 {max}。", movement_name(locale, *kind)),
            Locale::En => format!(
                "Above the single {} limit of {max}.",
                movement_name(locale, *kind).to_ascii_lowercase()
            ),
        },
        MoveError::DailyLimit { kind, max, left } => match locale {
            Locale::ZhCn => format!(
                "超过{}每日限额 {max}，今日还可 {left}。",
                movement_name(locale, *kind)
            ),
            Locale::En => format!(
                "Above the daily {} limit of {max}; {left} left today.",
                movement_name(locale, *kind).to_ascii_lowercase()
            ),
        },
        MoveError::PayeeNotFound => locale
            .pick(
                "找不到该收款人：此手机号或邮箱未注册数字钱包。",
                "No wallet user has this mobile number or email.",
            )
            .to_owned(),
        MoveError::PayeeIsSelf => locale
            .pick("不能转账给自己。", "You cannot transfer to yourself.")
            .to_owned(),
        MoveError::BillAccount { biller } => match locale {
            Locale::ZhCn => format!("{}户号格式不正确。", biller_name(locale, *biller)),
            Locale::En => format!(
                "That is not a valid {} account number.",
                biller_name(locale, *biller).to_ascii_lowercase()
            ),
        },
        MoveError::NoteTooLong => locale
            .pick("备注最多 30 个字。", "A note has at most 30 characters.")
            .to_owned(),
        MoveError::KeyReused => locale
            .pick(
                "此次提交已用于另一笔交易，未重复执行。",
                "This submission was already used for another transaction; nothing was done.",
            )
            .to_owned(),
        MoveError::ProviderBank { bank } => match locale {
            Locale::ZhCn => format!("你的钱包服务商不支持{}的卡。", bank_name(locale, *bank)),
            Locale::En => format!(
                "Your wallet provider does not take {} cards.",
                bank_name(locale, *bank)
            ),
        },
        MoveError::NotOffered { feature } => match locale {
            Locale::ZhCn => format!(
                "你的钱包服务商不提供「{}」。",
                providers::feature_name(locale, *feature)
            ),
            Locale::En => format!(
                "Your wallet provider does not offer {}.",
                providers::feature_name(locale, *feature)
            ),
        },
    };
    ErrorText::new(locale, error, message)
}

pub fn money_error(locale: Locale, error: &MoneyError) -> ErrorText {
    let message = match error {
        MoneyError::Empty => locale
            .pick("请输入金额。", "Please enter an amount.")
            .to_owned(),
        MoneyError::Negative => locale
            .pick("金额不能为负数。", "An amount cannot be negative.")
            .to_owned(),
        MoneyError::TooManyDecimals => locale
            .pick(
                "金额最多两位小数（精确到分）。",
                "At most two decimal places (fen).",
            )
            .to_owned(),
        MoneyError::Exponent => locale
            .pick(
                "请直接输入金额，不要使用科学计数法。",
                "Type the amount itself, not exponent notation.",
            )
            .to_owned(),
        MoneyError::Invalid => locale
            .pick("金额格式不正确。", "That is not an amount.")
            .to_owned(),
        MoneyError::TooLarge => locale
            .pick("金额过大。", "That amount is too large.")
            .to_owned(),
        MoneyError::NotPositive => locale
            .pick("金额须大于 0。", "The amount must be greater than zero.")
            .to_owned(),
        MoneyError::Overflow => locale
            .pick("金额计算溢出。", "The amount is out of range.")
            .to_owned(),
    };
    ErrorText::new(locale, error, message)
}

pub fn card_error(locale: Locale, error: &CardError) -> ErrorText {
    let message = match error {
        CardError::NumberLength => locale
            .pick("卡号应为 16–19 位数字。", "A card number has 16–19 digits.")
            .to_owned(),
        CardError::Luhn => locale
            .pick(
                "卡号有误（校验位不符），请核对。",
                "The card number is mistyped (check digit).",
            )
            .to_owned(),
        CardError::UnknownBank => locale
            .pick(
                "暂不支持该银行的卡。",
                "Cards of this bank are not supported.",
            )
            .to_owned(),
        CardError::HolderMismatch => locale
            .pick(
                "持卡人与账户实名不一致。",
                "The card holder does not match the account's real name.",
            )
            .to_owned(),
        CardError::ExpiryFormat => locale
            .pick(
                "有效期格式应为 月/年，如 12/30。",
                "Expiry must look like MM/YY, e.g. 12/30.",
            )
            .to_owned(),
        CardError::Expired => locale
            .pick("该卡已过期。", "This card has expired.")
            .to_owned(),
        CardError::Cvv => locale
            .pick("安全码应为 3 位数字。", "The security code has 3 digits.")
            .to_owned(),
        CardError::Duplicate => locale
            .pick("这张卡已经添加过了。", "This card is already added.")
            .to_owned(),
        CardError::NotFound => locale
            .pick("找不到这张银行卡。", "That card is not in your wallet.")
            .to_owned(),
    };
    ErrorText::new(locale, error, message)
}

pub fn ledger_error(locale: Locale, error: &LedgerError) -> ErrorText {
    let message = locale
        .pick(
            "账本拒绝了这笔交易，未做任何更改。",
            "The ledger refused this transaction; nothing changed.",
        )
        .to_owned();
    ErrorText::new(locale, error, message)
}

pub fn movement_name(locale: Locale, kind: MovementKind) -> &'static str {
    let t = locale.text();
    match kind {
        MovementKind::TopUp => t.wallet.top_up,
        MovementKind::Withdraw => t.wallet.withdraw,
        MovementKind::Transfer => t.wallet.transfer,
        MovementKind::Bill => t.wallet.pay_bills,
        MovementKind::ToWeChat => t.wallet.to_wechat_change,
        MovementKind::Payment => super::shop::text(locale).wechat_pay,
    }
}

pub fn history_kind(locale: Locale, kind: HistoryKind) -> &'static str {
    match (locale, kind) {
        (Locale::ZhCn, HistoryKind::TopUp) => "充值",
        (Locale::ZhCn, HistoryKind::Withdraw) => "提现",
        (Locale::ZhCn, HistoryKind::TransferOut) => "转账",
        (Locale::ZhCn, HistoryKind::TransferIn) => "收款",
        (Locale::ZhCn, HistoryKind::Bill) => "缴费",
        (Locale::En, HistoryKind::TopUp) => "Top-up",
        (Locale::En, HistoryKind::Withdraw) => "Withdrawal",
        (Locale::En, HistoryKind::TransferOut) => "Transfer out",
        (Locale::En, HistoryKind::TransferIn) => "Received",
        (Locale::En, HistoryKind::Bill) => "Bill",
        (Locale::ZhCn, HistoryKind::ToWeChat) => "转入微信零钱",
        (Locale::En, HistoryKind::ToWeChat) => "To WeChat Change",
        (Locale::ZhCn, HistoryKind::Payment) => "微信支付消费",
        (Locale::En, HistoryKind::Payment) => "WeChat Pay purchase",
        (Locale::ZhCn, HistoryKind::Refund) => "退款",
        (Locale::En, HistoryKind::Refund) => "Refund",
        (Locale::ZhCn, HistoryKind::SavingsIn) => "转入理财",
        (Locale::En, HistoryKind::SavingsIn) => "Into savings",
        (Locale::ZhCn, HistoryKind::SavingsOut) => "转出理财",
        (Locale::En, HistoryKind::SavingsOut) => "Out of savings",
    }
}

/// A purchase's bookkeeping category.
pub fn category_name(locale: Locale, category: Category) -> &'static str {
    match (locale, category) {
        (Locale::ZhCn, Category::Food) => "餐饮",
        (Locale::ZhCn, Category::Books) => "图书",
        (Locale::ZhCn, Category::Electronics) => "数码",
        (Locale::En, Category::Food) => "Food",
        (Locale::En, Category::Books) => "Books",
        (Locale::En, Category::Electronics) => "Electronics",
    }
}

pub fn biller_name(locale: Locale, biller: Biller) -> &'static str {
    match (locale, biller) {
        (Locale::ZhCn, Biller::Electricity) => "电费",
        (Locale::ZhCn, Biller::Water) => "水费",
        (Locale::ZhCn, Biller::Mobile) => "话费",
        (Locale::En, Biller::Electricity) => "Electricity",
        (Locale::En, Biller::Water) => "Water",
        (Locale::En, Biller::Mobile) => "Mobile",
    }
}

pub fn bank_name(locale: Locale, bank: Bank) -> &'static str {
    match (locale, bank) {
        (Locale::ZhCn, Bank::Icbc) => "工商银行",
        (Locale::ZhCn, Bank::Abc) => "农业银行",
        (Locale::ZhCn, Bank::Boc) => "中国银行",
        (Locale::ZhCn, Bank::Ccb) => "建设银行",
        (Locale::ZhCn, Bank::Bocom) => "交通银行",
        (Locale::ZhCn, Bank::Cmb) => "招商银行",
        (Locale::ZhCn, Bank::Psbc) => "邮储银行",
        (Locale::En, Bank::Icbc) => "ICBC",
        (Locale::En, Bank::Abc) => "Agricultural Bank of China",
        (Locale::En, Bank::Boc) => "Bank of China",
        (Locale::En, Bank::Ccb) => "China Construction Bank",
        (Locale::En, Bank::Bocom) => "Bank of Communications",
        (Locale::En, Bank::Cmb) => "China Merchants Bank",
        (Locale::En, Bank::Psbc) => "Postal Savings Bank",
    }
}

pub fn card_kind(locale: Locale, kind: CardKind) -> &'static str {
    match (locale, kind) {
        (Locale::ZhCn, CardKind::Debit) => "借记卡",
        (Locale::ZhCn, CardKind::Credit) => "信用卡",
        (Locale::En, CardKind::Debit) => "debit card",
        (Locale::En, CardKind::Credit) => "credit card",
    }
}

/// `工商银行 借记卡 (**** 1234)`.
pub fn card_label(locale: Locale, bank: Bank, kind: CardKind, last4: &str) -> String {
    format!(
        "{} {} (**** {last4})",
        bank_name(locale, bank),
        card_kind(locale, kind)
    )
}

/// The other side of a movement, as one line.
pub fn counterpart(locale: Locale, counterpart: &Counterpart) -> String {
    match counterpart {
        Counterpart::Card { bank, kind, last4 } => card_label(locale, *bank, *kind, last4),
        Counterpart::Payee { name, login } => format!("{name}（{login}）"),
        Counterpart::Biller { biller, account } => {
            format!("{} {account}", biller_name(locale, *biller))
        }
        Counterpart::WeChat {
            nickname,
            masked_wxid,
        } => match locale {
            Locale::ZhCn => format!("微信零钱 · {nickname}（{masked_wxid}）"),
            Locale::En => format!("WeChat Change · {nickname} ({masked_wxid})"),
        },
        Counterpart::Merchant {
            merchant,
            out_trade_no,
            name,
        } => match merchant.demo() {
            Some(shop) => {
                let name = locale.pick(shop.name_zh, shop.name_en);
                format!(
                    "{name} · {} · {out_trade_no}",
                    category_name(locale, shop.category)
                )
            }
            None => format!(
                "{} · {out_trade_no}",
                name.clone().unwrap_or_else(|| merchant.to_string())
            ),
        },
    }
}

pub fn account_error(
    locale: Locale,
    error: &AccountError,
    clock: impl Fn(qianbao_core::Timestamp) -> String,
) -> ErrorText {
    let message = match error {
        AccountError::Identity(e) => return identity_error(locale, e),
        AccountError::Password(e) => return password_error(locale, e),
        AccountError::Code(e) => return verify_error(locale, e),
        AccountError::AlreadyRegistered => locale.pick("该手机号或邮箱已注册。", "This number or address is already registered.").to_owned(),
        AccountError::NotRegistered => locale.pick("该手机号或邮箱尚未注册。", "No wallet account uses this number or address.").to_owned(),
        AccountError::PasswordEmpty => locale.pick("请输入密码。", "Enter your password.").to_owned(),
        AccountError::WrongPassword { remaining } => match locale {
            Locale::ZhCn => format!("密码错误，还可以尝试 {remaining} 次，之后账户将锁定 15 分钟。"),
            Locale::En => format!("Wrong password. {remaining} more attempts before the account locks for 15 minutes."),
        },
        AccountError::Locked { until } => match locale {
            Locale::ZhCn => format!("密码或动态码连续输错 5 次，账户已锁定至 {}。", clock(*until)),
            Locale::En => format!("5 wrong passwords or codes in a row: the account is locked until {}.", clock(*until)),
        },
        AccountError::NotSignedIn => locale.pick("当前没有登录的账户。", "Nobody is logged in.").to_owned(),
        AccountError::SecondFactor(e) => match e {
            TotpError::Malformed => locale.pick("请输入 6 位数字动态码，或 16 位恢复码（如 ABCD-EFGH-JKLM-NPQR）。",
                "Type the 6-digit code, or a 16-character recovery code (like ABCD-EFGH-JKLM-NPQR).").to_owned(),
            TotpError::Wrong => locale.pick("动态码不正确。", "The code is wrong.").to_owned(),
            TotpError::Reused => locale.pick("该动态码或恢复码已经用过。", "This code or recovery code was already used.").to_owned(),
            TotpError::NotEnabled => locale.pick("两步验证尚未开启。", "Two-step verification is not on.").to_owned(),
            TotpError::AlreadyEnabled => locale.pick("两步验证已经开启。", "Two-step verification is already on.").to_owned(),
            TotpError::NoSetup => locale.pick("请先点击「开启两步验证」。", "Press “Turn on two-step verification” first.").to_owned(),
            TotpError::Expired => locale.pick("输入动态码超过 5 分钟，请重新登录。", "More than 5 minutes passed before the code: log in again.").to_owned(),
        },
        AccountError::PasswordsDiffer => locale.pick("两次输入的新密码不一致。", "The two new passwords differ.").to_owned(),
        AccountError::SamePassword => locale.pick("新密码不能与原密码相同。", "The new password must differ from the current one.").to_owned(),
        AccountError::WrongCode { remaining } => match locale {
            Locale::ZhCn => format!("动态码不正确，还可以尝试 {remaining} 次，之后账户将锁定 15 分钟。"),
            Locale::En => format!("Wrong code. {remaining} more attempts before the account locks for 15 minutes."),
        },
    };
    ErrorText::new(locale, error, message)
}

pub fn identity_error(locale: Locale, error: &IdentityError) -> ErrorText {
    let message = match error {
        IdentityError::Empty => locale.pick("请填写此项。", "Please fill this in.").to_owned(),
        IdentityError::NameEmpty => {
            locale.pick("请填写真实姓名。", "Please enter your real name.").to_owned()
        }
        IdentityError::PhoneInvalid => locale.pick("手机号格式不正确。",
            "That is not a valid mobile number.").to_owned(),
        IdentityError::EmailInvalid => locale.pick("邮箱地址格式不正确。",
            "That is not a valid email address.").to_owned(),
        IdentityError::NameInvalid => locale.pick("真实姓名应为 2–30 个汉字或英文字母，不含数字和符号。",
            "A real name is 2–30 Chinese characters or Latin letters, without digits or symbols.").to_owned(),
    };
    ErrorText::new(locale, error, message)
}

pub fn password_error(locale: Locale, error: &PasswordError) -> ErrorText {
    let message = match error {
        PasswordError::TooShort => match locale {
            Locale::ZhCn => format!("密码至少需要 {MIN_PASSWORD_CHARS} 位。"),
            Locale::En => format!("A password needs at least {MIN_PASSWORD_CHARS} characters."),
        },
        PasswordError::TooLong => match locale {
            Locale::ZhCn => format!("密码最多 {MAX_PASSWORD_CHARS} 位。"),
            Locale::En => format!("A password may have at most {MAX_PASSWORD_CHARS} characters."),
        },
        PasswordError::NeedsLettersAndDigits => locale
            .pick(
                "密码须同时包含字母和数字。",
                "A password needs both letters and digits.",
            )
            .to_owned(),
        PasswordError::ControlCharacter => locale
            .pick(
                "密码不能包含控制字符。",
                "A password may not contain control characters.",
            )
            .to_owned(),
        PasswordError::Common => locale
            .pick(
                "这是常见的泄露密码，很容易被猜到。",
                "This is a commonly leaked password and easy to guess.",
            )
            .to_owned(),
        PasswordError::ContainsPhone => locale
            .pick(
                "密码不能包含手机号。",
                "A password may not contain the phone number.",
            )
            .to_owned(),
        PasswordError::ContainsEmail => locale
            .pick(
                "密码不能包含邮箱用户名。",
                "A password may not contain the email name.",
            )
            .to_owned(),
    };
    ErrorText::new(locale, error, message)
}

pub fn verify_error(locale: Locale, error: &VerifyError) -> ErrorText {
    let message = match error {
        VerifyError::Format => locale
            .pick("验证码为 6 位数字。", "A verification code has 6 digits.")
            .to_owned(),
        VerifyError::NotRequested => locale
            .pick("请先获取验证码。", "Request a code first.")
            .to_owned(),
        VerifyError::Expired => locale
            .pick(
                "验证码已过期（有效期 5 分钟）。",
                "The code has expired (codes last 5 minutes).",
            )
            .to_owned(),
        VerifyError::Wrong { remaining } => match locale {
            Locale::ZhCn => format!("验证码错误，还可以尝试 {remaining} 次。"),
            Locale::En => format!("Wrong code. {remaining} attempts left."),
        },
        VerifyError::Exhausted => locale
            .pick(
                "验证码错误次数过多，该验证码已失效。",
                "Too many wrong codes: this code no longer works.",
            )
            .to_owned(),
        VerifyError::ResendTooSoon { seconds } => match locale {
            Locale::ZhCn => format!("发送太频繁，请 {seconds} 秒后再获取。"),
            Locale::En => format!("Too soon: you can ask for a new code in {seconds} s."),
        },
    };
    ErrorText::new(locale, error, message)
}

pub fn import_error(locale: Locale, error: &ImportError) -> ErrorText {
    let message = match error {
        ImportError::Empty => locale.pick("所选文件是空的，没有导入任何内容。", "The chosen file is empty: nothing was imported.").to_owned(),
        ImportError::NotAnExport => locale.pick("所选文件不是本沙盒导出的数据（不是完整的导出文件），没有导入任何内容。",
            "The chosen file is not a (whole) export of this sandbox: nothing was imported.").to_owned(),
        ImportError::Damaged(_) => locale.pick("所选的导出文件已损坏或被改动，没有导入任何内容。",
            "The chosen export is damaged or was altered: nothing was imported.").to_owned(),
        ImportError::OtherKey => locale.pick("所选的导出文件属于另一个钱包（用另一把密钥加密），没有导入任何内容。",
            "The chosen export belongs to another wallet (encrypted with another key): nothing was imported.").to_owned(),
    };
    ErrorText::new(locale, error, message)
}

pub fn state_error(locale: Locale, error: &StateError) -> ErrorText {
    let message = match error {
        StateError::Corrupt { .. } => locale.pick("保存的数据已损坏或被改动。", "The saved data is damaged or was altered.").to_owned(),
        StateError::TooNew { found } => match locale {
            Locale::ZhCn => format!("保存的数据来自更新版本的应用（数据版本 {found}），当前版本无法读取。"),
            Locale::En => format!("The saved data comes from a newer version of the app (data version {found}) and cannot be read by this one."),
        },
        StateError::Unwritable { .. } => locale.pick("数据无法保存。", "The data could not be saved.").to_owned(),
        StateError::Full => locale.pick("浏览器存储空间已满，这次操作没有执行，已保存的数据没有丢失。",
            "Browser storage is full: this was not done, and nothing saved before was lost.").to_owned(),
        StateError::Conflict => locale.pick("另一个标签页正在同时修改钱包数据，这次操作没有执行。",
            "Another tab kept changing the wallet's data at the same moment: this was not done.").to_owned(),
        StateError::Stale { .. } => locale.pick("保存的数据前后不一致：有一部分来自较旧的副本，会让较新的记录丢失。",
            "The saved data does not fit together: part of it comes from an older copy, which would lose newer records.").to_owned(),
        StateError::Missing { .. } => locale.pick("保存的数据缺了一部分（主记录或某段交易记录已被删除）。",
            "Part of the saved data is missing (the main record or part of the history was deleted).").to_owned(),
        StateError::Foreign { .. } => locale.pick("保存的数据里混入了不属于这个钱包（或不在原位置）的部分。",
            "The saved data contains a part that belongs to another wallet (or to another place).").to_owned(),
        StateError::NoRandomness => locale.pick("此浏览器不支持安全随机数（Web Crypto），无法进行此操作。",
            "This browser has no secure randomness (Web Crypto), so this cannot be done.").to_owned(),
    };
    ErrorText::new(locale, error, message)
}

pub fn idle_lock(locale: Locale, setting: IdleLock) -> &'static str {
    match (locale, setting) {
        (Locale::ZhCn, IdleLock::OneMinute) => "1 分钟",
        (Locale::ZhCn, IdleLock::FiveMinutes) => "5 分钟",
        (Locale::ZhCn, IdleLock::FifteenMinutes) => "15 分钟",
        (Locale::ZhCn, IdleLock::Never) => "从不",
        (Locale::En, IdleLock::OneMinute) => "1 minute",
        (Locale::En, IdleLock::FiveMinutes) => "5 minutes",
        (Locale::En, IdleLock::FifteenMinutes) => "15 minutes",
        (Locale::En, IdleLock::Never) => "Never",
    }
}
