//! The help centre's index (SPEC F9): which entry explains which error code.
//! Five entries are the article's FAQ (三、1–5); three more cover what the
//! article leaves implicit (accounts, money, stored data). Every code any
//! error can carry is listed under exactly one entry — `core/tests/help.rs`
//! reads the sources and fails when a code is missing or listed twice — so
//! every error box can link to the entry that explains it, and every entry
//! can list the codes it explains.

/// A help entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    /// 三、1 为什么绑定时显示错误提示?
    BindErrors,
    /// 三、2 绑定后如何进行支付?
    Pay,
    /// 三、3 如何解除绑定?
    Unbind,
    /// 三、4 绑定的安全性如何保证?
    Security,
    /// 三、5 如何选择合适的数字钱包?
    Choose,
    /// Registering and logging in.
    Account,
    /// Cards, amounts, limits and the ledger.
    Money,
    /// The data kept in this browser.
    Storage,
    /// What the sandbox server's WeChat Pay API v3 answers a merchant's
    /// backend (the console's log shows the same codes).
    MerchantApi,
}

impl Topic {
    pub const ALL: [Topic; 9] = [
        Self::BindErrors,
        Self::Pay,
        Self::Unbind,
        Self::Security,
        Self::Choose,
        Self::Account,
        Self::Money,
        Self::Storage,
        Self::MerchantApi,
    ];

    /// The entry's path segment: `/help/<slug>`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::BindErrors => "bind-errors",
            Self::Pay => "pay",
            Self::Unbind => "unbind",
            Self::Security => "security",
            Self::Choose => "choose",
            Self::Account => "account",
            Self::Money => "money",
            Self::Storage => "storage",
            Self::MerchantApi => "merchant-api",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.slug() == slug)
    }

    /// The codes this entry explains, in the order listed.
    pub fn codes(self) -> impl Iterator<Item = &'static str> {
        CODES
            .iter()
            .filter(move |(_, topic)| *topic == self)
            .map(|(code, _)| *code)
    }
}

/// The entry that explains `code`, if it is a code this app uses.
pub fn topic_of(code: &str) -> Option<Topic> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

use Topic::{Account, BindErrors, Choose, MerchantApi, Money, Pay, Security, Storage, Unbind};

/// Every error code, with the entry that explains it.
pub const CODES: &[(&str, Topic)] = &[
    // 三、1: the binding and WeChat's answers.
    ("W-BIND-NETWORK", BindErrors),
    ("WX-NETWORK", BindErrors),
    ("W-SITE-NETWORK", BindErrors),
    ("WX-PERMISSION", BindErrors),
    ("-1", BindErrors),
    ("W-BIND-MISMATCH", BindErrors),
    ("W-BIND-PERMISSION", BindErrors),
    ("W-BIND-DENIED", BindErrors),
    ("W-BIND-STATE", BindErrors),
    ("W-BIND-NOT-STARTED", BindErrors),
    ("40013", BindErrors),
    ("10003", BindErrors),
    ("10005", BindErrors),
    ("40029", BindErrors),
    ("40163", BindErrors),
    ("40001", BindErrors),
    ("40003", BindErrors),
    ("42001", BindErrors),
    ("40030", BindErrors),
    ("42002", BindErrors),
    ("48001", BindErrors),
    ("WX-SIGNED-OUT", BindErrors),
    ("WX-ACC-EMPTY", BindErrors),
    ("WX-ACC-PASSWORD-EMPTY", BindErrors),
    ("WX-ACC-UNKNOWN", BindErrors),
    ("WX-ACC-PASSWORD", BindErrors),
    ("WX-ACC-LOCKED", BindErrors),
    ("WX-ID", BindErrors),
    ("WX-TAKEN", BindErrors),
    ("WX-NICKNAME", BindErrors),
    // The console's fault plan, which reproduces the network and -1 above.
    ("W-DEV-COUNT", BindErrors),
    ("W-DEV-LATENCY", BindErrors),
    // 三、2: paying, refunds, scanning.
    ("W-PAY-CART", Pay),
    ("W-PAY-METHOD", Pay),
    ("OPENID_MISMATCH", Pay),
    ("W-H5-REDIRECT", Pay),
    ("W-PAY-CONFIRM", Pay),
    ("WX-PAY-PASSWORD-EMPTY", Pay),
    ("WX-PAY-PASSWORD", Pay),
    ("WX-PAY-LOCKED", Pay),
    ("ORDERNOTEXIST", Pay),
    ("ORDERPAID", Pay),
    ("ORDER_CLOSED", Pay),
    ("ORDERNOTPAID", Pay),
    ("PARAM_ERROR", Pay),
    ("W-REFUND-AMOUNT", Pay),
    ("W-REFUND-COUNT", Pay),
    ("W-REFUND-NO-REUSED", Pay),
    ("W-REFUND-NONE", Pay),
    ("W-REFUND-ENDED", Pay),
    ("W-SCAN-INVALID", Pay),
    // The sandbox server's WeChat Pay API v3, to a merchant's backend (the
    // payment codes above are its too).
    ("SIGN_ERROR", MerchantApi),
    ("MCH_NOT_EXISTS", MerchantApi),
    ("APPID_MCHID_NOT_MATCH", MerchantApi),
    ("OUT_TRADE_NO_USED", MerchantApi),
    ("ORDER_NOT_EXIST", MerchantApi),
    ("RESOURCE_NOT_EXISTS", MerchantApi),
    ("INVALID_REQUEST", MerchantApi),
    ("FREQUENCY_LIMITED", MerchantApi),
    ("NO_STATEMENT_EXIST", MerchantApi),
    ("STATEMENT_CREATING", MerchantApi),
    ("NO_AUTH", MerchantApi),
    ("SYSTEM_ERROR", MerchantApi),
    ("NETWORK", MerchantApi),
    ("NOT_FOUND", MerchantApi),
    ("JSAPI_PARAM", MerchantApi),
    ("JSAPI_SIGN_TYPE", MerchantApi),
    ("JSAPI_PACKAGE", MerchantApi),
    ("JSAPI_APPID", MerchantApi),
    ("JSAPI_ORDER_NOT_EXIST", MerchantApi),
    ("JSAPI_APPID_MISMATCH", MerchantApi),
    ("JSAPI_ORDER_PAID", MerchantApi),
    ("JSAPI_ORDER_CLOSED", MerchantApi),
    ("JSAPI_PAY_SIGN", MerchantApi),
    // 三、3: bound or not.
    ("W-BIND-NONE", Unbind),
    ("W-BIND-CHANGED", Unbind),
    ("W-BIND-ALREADY", Unbind),
    // 三、4: verification, strong passwords, two-step verification, locks.
    ("W-ACC-LOCKED", Security),
    ("W-PW-SHORT", Security),
    ("W-PW-LONG", Security),
    ("W-PW-MIX", Security),
    ("W-PW-CHAR", Security),
    ("W-PW-COMMON", Security),
    ("W-PW-PHONE", Security),
    ("W-PW-EMAIL", Security),
    ("W-PW-CONFIRM", Security),
    ("W-PW-SAME", Security),
    ("WX-PAY-PASSWORD-RULE", Security),
    ("W-2FA-FORMAT", Security),
    ("W-2FA-WRONG", Security),
    ("W-2FA-REUSED", Security),
    ("W-2FA-OFF", Security),
    ("W-2FA-ON", Security),
    ("W-2FA-NO-SETUP", Security),
    ("W-2FA-EXPIRED", Security),
    // 三、5: what the chosen provider offers.
    ("W-PROVIDER-BANK", Choose),
    ("W-PROVIDER-FEATURE", Choose),
    // Registering and logging in.
    ("W-ACC-EXISTS", Account),
    ("W-ACC-UNKNOWN", Account),
    ("W-ACC-PASSWORD", Account),
    ("W-ACC-PASSWORD-EMPTY", Account),
    ("W-ACC-SIGNED-OUT", Account),
    ("W-ID-EMPTY", Account),
    ("W-ID-PHONE", Account),
    ("W-ID-EMAIL", Account),
    ("W-ID-NAME", Account),
    ("W-ID-NAME-EMPTY", Account),
    ("W-CODE-FORMAT", Account),
    ("W-CODE-NONE", Account),
    ("W-CODE-EXPIRED", Account),
    ("W-CODE-WRONG", Account),
    ("W-CODE-EXHAUSTED", Account),
    ("W-CODE-RESEND-WAIT", Account),
    // Cards, amounts, limits, the ledger.
    ("NOTENOUGH", Money),
    ("W-BALANCE-LOW", Money),
    ("W-AMT-EMPTY", Money),
    ("W-AMT-NEGATIVE", Money),
    ("W-AMT-DECIMALS", Money),
    ("W-AMT-EXPONENT", Money),
    ("W-AMT-INVALID", Money),
    ("W-AMT-TOO-LARGE", Money),
    ("W-AMT-ZERO", Money),
    ("W-AMT-OVERFLOW", Money),
    ("W-CARD-LENGTH", Money),
    ("W-CARD-LUHN", Money),
    ("W-CARD-BANK", Money),
    ("W-CARD-HOLDER", Money),
    ("W-CARD-EXPIRY", Money),
    ("W-CARD-EXPIRED", Money),
    ("W-CARD-CVV", Money),
    ("W-CARD-DUPLICATE", Money),
    ("W-CARD-NONE", Money),
    ("W-CARD-NOT-DEBIT", Money),
    ("W-CARD-FUNDS", Money),
    ("W-LIMIT-SINGLE", Money),
    ("W-LIMIT-DAILY", Money),
    ("W-PAYEE-UNKNOWN", Money),
    ("W-PAYEE-SELF", Money),
    ("W-BILL-ACCOUNT", Money),
    ("W-NOTE-LONG", Money),
    ("W-KEY-REUSED", Money),
    ("W-MOVE-CHANGED", Money),
    ("W-BOOK-ENTRY", Money),
    ("W-BOOK-FULL", Money),
    ("W-SAVINGS-LOW", Money),
    ("W-LEDGER-UNBALANCED", Money),
    ("W-LEDGER-NEGATIVE", Money),
    ("W-LEDGER-OVERFLOW", Money),
    ("W-LEDGER-DUPLICATE", Money),
    ("W-LEDGER-CORRUPT", Money),
    // The data kept in this browser.
    ("W-STORE-CORRUPT", Storage),
    ("W-STORE-TOO-NEW", Storage),
    ("W-STORE-WRITE", Storage),
    ("W-STORE-FULL", Storage),
    ("W-STORE-CONFLICT", Storage),
    ("W-STORE-STALE", Storage),
    ("W-STORE-MISSING", Storage),
    ("W-STORE-FOREIGN", Storage),
    ("W-NO-CRYPTO", Storage),
    ("W-IMPORT-EMPTY", Storage),
    ("W-IMPORT-FORMAT", Storage),
    ("W-IMPORT-DAMAGED", Storage),
    ("W-IMPORT-KEY", Storage),
];
