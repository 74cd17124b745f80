//! What every error a user can meet has in common.
//!
//! Each domain module has its own `thiserror` enum whose `Display` is the
//! developer-facing message (lowercase, no trailing period). On top of that,
//! every such error implements [`UserError`]: a **stable code** that support
//! can quote and the help centre links to, and the **guidance** the user
//! should follow — the article's troubleshooting steps (三、1) where they apply.
//! The browser shell translates codes and guidance into zh-CN and English;
//! the rules of *which* guidance fits *which* error live here.

/// An error a user can see.
pub trait UserError: std::error::Error {
    /// Stable, never reused, quoted to customer service, e.g. `W-ACC-LOCKED`.
    fn code(&self) -> &'static str;
    /// What the user should do next.
    fn guidance(&self) -> Guidance;
    /// What to do when that does not help either: the article's 「若以上措施
    /// 均无效，建议尝试重启软件或设备，或联系客服查询具体的错误码」 for every
    /// error met while binding (三、1), unless the guidance already says it.
    fn last_resort(&self) -> Option<Guidance> {
        None
    }
}

/// What the shell meets outside the wallet's rules.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize,
)]
pub enum SiteError {
    /// A part of the site (a world's code) could not be downloaded: the
    /// network failed the first time it was opened (afterwards it is kept
    /// for offline use).
    #[error("a part of the site could not be downloaded")]
    Unreachable,
}

impl UserError for SiteError {
    fn code(&self) -> &'static str {
        match self {
            Self::Unreachable => "W-SITE-NETWORK",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Unreachable => Guidance::CheckNetwork,
        }
    }
}

/// The advice attached to an error. The shell words it in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guidance {
    /// Re-enter the information and check it (the article: 请重新输入并核实).
    ReenterAndVerify,
    /// Enter a mainland mobile number or an e-mail address.
    UseMobileOrEmail,
    /// Enter a mainland mobile number (where an e-mail address does not do).
    UseMobile,
    /// Enter the name on the identity card, as the rules say.
    EnterRealName,
    /// Enter the WeChat ID or the phone number the WeChat account uses.
    EnterWeChatId,
    /// Choose a stronger password, following the listed rules.
    ChooseStrongerPassword,
    /// A 支付密码 is 6 digits, not all the same and not in a row.
    ChoosePayPassword,
    /// Open the phone inbox, read the latest code and type it.
    ReadLatestCode,
    /// Ask for a new code.
    RequestNewCode,
    /// Wait the given time, then try again.
    WaitThenRetry,
    /// Log in instead: this address already has an account.
    LogInInstead,
    /// Register first: no account uses this address.
    RegisterFirst,
    /// Wait for the lock to end; the password can be retyped after that.
    WaitForUnlock,
    /// Log in again.
    LogInAgain,
    /// Keep the damaged copy, export it, and start again or import a backup.
    RecoverStorage,
    /// Restart the app or contact customer service quoting the code (article 三、1).
    RestartOrContactSupport,
    /// Open the sandbox in a current browser (one with Web Crypto).
    UseCurrentBrowser,
    /// Type an amount such as 12.34.
    EnterAmount,
    /// Check the card number, expiry and security code.
    CheckCardDetails,
    /// Use a card of one of the supported banks.
    UseSupportedBank,
    /// The card must be in the account holder's own name.
    HolderIsRealName,
    /// Choose another card (or add one).
    ChooseAnotherCard,
    /// Top up the wallet, or move a smaller amount.
    TopUpOrLess,
    /// At the cashier: top up the wallet, or choose another payment method.
    TopUpWalletOrOtherMethod,
    /// At the cashier: top up WeChat 零钱, or choose another payment method.
    TopUpChangeOrOtherMethod,
    /// Type an amount no larger than the one shown as available.
    SmallerAmount,
    /// The order is already paid: check it on the merchant's orders page.
    CheckOrder,
    /// The order is gone or closed: go back to the merchant and order again.
    OrderAgain,
    /// The cash book is full: remove entries no longer needed.
    RemoveOldEntries,
    /// Type a whole number within the range the message names.
    WholeNumberInRange,
    /// Stay within the single and daily limits, or try tomorrow.
    WithinLimits,
    /// Start the form again.
    StartAgain,
    /// Free browser storage (export, then remove old data) and try again.
    FreeStorage,
    /// Check the network — Wi-Fi suggested — and try again (article 三、1).
    CheckNetwork,
    /// Allow third-party apps in WeChat's settings (article 三、1).
    AllowThirdParty,
    /// Start the binding again from 「绑定微信」.
    BindAgain,
    /// Unbind first, then bind again.
    UnbindFirst,
    /// Open the authenticator app and type the code it shows now (or a recovery code).
    ReadAuthenticator,
    /// Wait for the authenticator to show the next code (every 30 seconds).
    WaitForNextCode,
    /// Nothing was done; look at the screen (now up to date) and try again.
    TryAgain,
    /// The wallet's provider does not offer it: see 「选择钱包」 for one that does.
    ChooseProvider,
    /// Part of the stored data was replaced by an older copy: export
    /// everything, then import a whole export or start again.
    RecoverStale,
    /// Part of the stored data is gone: export what is left, then import a
    /// whole export or start again.
    RecoverMissing,
    /// Stored data of another wallet (or another place) got mixed in.
    RecoverForeign,
    /// Choose a file exported from this sandbox; nothing was changed.
    ChooseExportFile,
    /// Type the password (an empty one is not a try).
    EnterPassword,
}
