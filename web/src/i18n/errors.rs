//! An error as a person reads it: message, stable code, guidance (and the
//! last resort), worded from `core`'s error enums exhaustively — a new variant
//! does not compile until both languages say it.

use super::*;

/// An error as the user sees it: code, message, guidance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorText {
    pub code: &'static str,
    pub message: String,
    pub guidance: &'static str,
    /// What to do if the guidance does not help (see `UserError::last_resort`).
    pub last_resort: Option<&'static str>,
    /// The request did not get through (the article's 三.1): the same
    /// request, tried again once the network is back, can succeed.
    pub retry: bool,
}

impl ErrorText {
    /// Generic, not `&dyn UserError`: a trait object would bring every
    /// error's `Debug` and `Display` (English, for developers) into the
    /// first download for nothing.
    pub(crate) fn new<E: UserError + ?Sized>(locale: Locale, error: &E, message: String) -> Self {
        Self {
            code: error.code(),
            message,
            guidance: guidance(locale, error.guidance()),
            last_resort: error.last_resort().map(|g| guidance(locale, g)),
            retry: error.guidance() == Guidance::CheckNetwork,
        }
    }
}

pub fn guidance(locale: Locale, guidance: Guidance) -> &'static str {
    let (zh, en) = match guidance {
        Guidance::ReenterAndVerify => ("请重新输入并核实信息是否准确无误。", "Re-enter the information and check that it is exactly right."),
        Guidance::UseMobileOrEmail => (
            "请输入 11 位中国大陆手机号（如 138 0013 8000，可带 +86），或完整的邮箱地址（如 name@example.com）。",
            "Enter an 11-digit mainland China mobile number (e.g. 138 0013 8000, +86 optional) or a full email address (e.g. name@example.com).",
        ),
        Guidance::ChooseStrongerPassword => (
            "请换一个更安全的密码：至少 8 位，同时包含字母和数字，避免常见密码和手机号。",
            "Choose a stronger password: at least 8 characters, letters and digits, not a common password or your phone number.",
        ),
        Guidance::ChoosePayPassword => (
            "支付密码为 6 位数字，不能全部相同（如 888888），也不能是连续数字（如 123456、654321）。",
            "A payment password is 6 digits, not all the same (like 888888) and not in a row (like 123456 or 654321).",
        ),
        Guidance::UseMobile => (
            "请输入 11 位中国大陆手机号（如 138 0013 8000，可带 +86）。",
            "Enter an 11-digit mainland China mobile number (e.g. 138 0013 8000, +86 optional).",
        ),
        Guidance::EnterRealName => (
            "请填写身份证上的真实姓名：2–30 个汉字或英文字母，不含数字和符号（姓名各部分可用「·」分隔）；它须与银行卡持卡人和微信实名一致。",
            "Enter your real name as on your identity card: 2–30 Chinese characters or Latin letters, no digits or symbols (parts may be separated by “·”); it must match your bank cards' holder and your WeChat real name.",
        ),
        Guidance::EnterWeChatId => (
            "请输入你的微信号，或注册微信时使用的手机号；还没有微信账号时，请先「注册」。",
            "Enter your WeChat ID or the mobile number your WeChat account uses; if you have no WeChat account yet, register first.",
        ),
        Guidance::ReadLatestCode => ("打开「手机」，查看最新一条验证码，输入其中的 6 位数字。", "Open the Phone, read the newest code and type its 6 digits."),
        Guidance::RequestNewCode => ("请点击「获取验证码」重新获取。", "Press “Get code” to receive a new one."),
        Guidance::WaitThenRetry => ("请稍等片刻再试。", "Wait a moment, then try again."),
        Guidance::LogInInstead => ("该账号已注册，请直接登录。", "This address is already registered: log in instead."),
        Guidance::RegisterFirst => ("请检查输入是否正确；如果还没有账户，请先注册。", "Check what you typed; if you have no account yet, register first."),
        Guidance::WaitForUnlock => ("为保护账户安全已临时锁定，请在锁定结束后再试。", "The account is locked for its protection; try again when the lock ends."),
        Guidance::LogInAgain => ("请重新登录。", "Please log in again."),
        Guidance::RecoverStorage => (
            "请先点「导出损坏的数据」保存备用，然后「导入备份」或「保留副本并重新开始」；如需帮助，请联系客服并提供错误码。",
            "Press “Export the damaged data” to keep it, then “Import a backup” or “Keep a copy and start over”; for help, contact customer service quoting the error code.",
        ),
        Guidance::RestartOrContactSupport => (
            "若以上措施均无效，请尝试重启软件或设备，或联系客服并提供错误码。",
            "If nothing else helps, restart the app or the device, or contact customer service quoting the error code.",
        ),
        Guidance::UseCurrentBrowser => (
            "请用最新版的 Chrome、Edge、Firefox 或 Safari 打开本站；若仍不行，请重启设备或联系客服并提供错误码。",
            "Open the sandbox in a current Chrome, Edge, Firefox or Safari; if that does not help, restart the device or contact customer service quoting the error code.",
        ),
        Guidance::EnterAmount => ("请输入金额，如 12 或 12.34（最多两位小数，不能为负数）。", "Enter an amount such as 12 or 12.34 (at most two decimals, never negative)."),
        Guidance::CheckCardDetails => ("请核对卡号、有效期和安全码后重新输入。", "Check the card number, expiry date and security code, then type them again."),
        Guidance::UseSupportedBank => (
            "目前支持工商、农业、中国、建设、交通、招商、邮储银行的卡。",
            "Cards of ICBC, ABC, Bank of China, CCB, BOCOM, CMB and PSBC are supported.",
        ),
        Guidance::HolderIsRealName => ("只能添加本人名下的银行卡：持卡人须与实名一致。", "Only cards in your own name can be added: the holder must match your real name."),
        Guidance::ChooseAnotherCard => ("请选择其他银行卡，或先添加一张。", "Choose another card, or add one first."),
        Guidance::TopUpOrLess => ("请先充值，或减少金额。", "Top up first, or use a smaller amount."),
        Guidance::TopUpWalletOrOtherMethod => (
            "请先给数字钱包充值，或选择其他支付方式（如微信零钱）。",
            "Top up the digital wallet first, or choose another payment method (such as WeChat Change).",
        ),
        Guidance::TopUpChangeOrOtherMethod => (
            "请先给微信零钱充值（可在数字钱包中「转入微信零钱」），或选择其他支付方式（如已绑定的数字钱包）。",
            "Top up WeChat Change first (for example with “Move to WeChat Change” in the digital wallet), or choose another payment method (such as the bound digital wallet).",
        ),
        Guidance::SmallerAmount => ("请输入不超过可用余额的金额。", "Enter an amount no larger than what is available."),
        Guidance::CheckOrder => (
            "请到商家的「商家订单」页查看该订单当前的状态。",
            "Check the order's current status on the merchant's “Merchant orders” page.",
        ),
        Guidance::OrderAgain => ("请返回商家重新下单，再进行支付。", "Go back to the merchant, place the order again, then pay."),
        Guidance::RemoveOldEntries => (
            "请先在「记账」中删除不再需要的现金记录，再添加新的。",
            "Remove cash entries you no longer need in “Bookkeeping”, then add the new one.",
        ),
        Guidance::WholeNumberInRange => (
            "请只用数字输入提示范围内的整数（不带小数点、负号、字母或科学计数法），然后再点击「应用」。",
            "Type a whole number within the range shown, in digits only (no decimal point, minus sign, letters or exponent), then press “Apply” again.",
        ),
        Guidance::WithinLimits => ("请在单笔和每日限额内操作，或明天再试。", "Stay within the single and daily limits, or try again tomorrow."),
        Guidance::StartAgain => ("请重新填写并提交。", "Fill in the form again and submit it."),
        Guidance::CheckNetwork => return check_network(locale),
        Guidance::AllowThirdParty => (
            "请在微信「设置」中开启「允许第三方应用授权」，然后返回重试。",
            "Turn on “Allow third-party app authorization” in WeChat's Settings, then come back and retry.",
        ),
        Guidance::BindAgain => ("请从「绑定微信」重新开始绑定。", "Start again from “Bind WeChat”."),
        Guidance::ChooseProvider => (
            "各钱包服务商支持的银行和功能不同：可在「选择钱包」中比较，找到支持的服务商。",
            "Providers differ in the banks and features they support: compare them in “Choose a wallet”.",
        ),
        Guidance::TryAgain => (
            "页面已更新为最新数据，请核对后再试一次。",
            "The page now shows the latest data: check it and try again.",
        ),
        Guidance::ReadAuthenticator => (
            "打开身份验证器 App，输入「Qianbao」当前显示的 6 位数字（每 30 秒更新，并确认手机时间准确）；手机不在身边时，可输入一个恢复码。",
            "Open your authenticator app and type the 6 digits it shows for “Qianbao” now (they change every 30 seconds; check the phone’s time is right). Without your phone, type a recovery code.",
        ),
        Guidance::WaitForNextCode => (
            "每个动态码只能用一次：请等待身份验证器显示下一个（最多 30 秒）后再输入。",
            "Each code works once: wait for the app to show the next one (at most 30 seconds), then type it.",
        ),
        Guidance::UnbindFirst => ("钱包已绑定微信；如需更换，请先在「绑定管理」中解除绑定。", "The wallet is already bound; to change, unbind first in Binding management."),
        Guidance::FreeStorage => (
            "浏览器存储空间已满：请在开发者控制台导出数据后清理旧数据，再重试。",
            "Browser storage is full: export your data, remove old data, then try again.",
        ),        Guidance::RecoverStale => (
            "部分数据被较旧的副本替换了（例如只恢复了备份中的一部分），钱包不会用它覆盖较新的记录。请先点「导出损坏的数据」留存，然后「导入备份」（一份完整的导出文件），或「保留副本并重新开始」；如需帮助，请联系客服并提供错误码。",
            "Part of the stored data was replaced by an older copy (for example, only part of a backup was restored); the wallet will not write over newer records with it. First press “Export the damaged data” to keep it, then “Import a backup” (a whole export), or “Keep a copy and start over”; for help, contact customer service quoting the error code.",
        ),
        Guidance::RecoverMissing => (
            "部分数据已被删除（例如清理了浏览器的部分网站数据）。请先点「导出损坏的数据」留存剩下的部分，然后「导入备份」（一份完整的导出文件），或「保留副本并重新开始」；如需帮助，请联系客服并提供错误码。",
            "Part of the stored data was deleted (for example, some site data was cleared). First press “Export the damaged data” to keep what is left, then “Import a backup” (a whole export), or “Keep a copy and start over”; for help, contact customer service quoting the error code.",
        ),
        Guidance::RecoverForeign => (
            "混入了另一个钱包（或另一个位置）的数据。请先点「导出损坏的数据」留存，然后「导入备份」（一份完整的导出文件），或「保留副本并重新开始」；如需帮助，请联系客服并提供错误码。",
            "Data of another wallet (or from another place) got mixed in. First press “Export the damaged data” to keep it, then “Import a backup” (a whole export), or “Keep a copy and start over”; for help, contact customer service quoting the error code.",
        ),
        Guidance::ChooseExportFile => (
            "请选择在开发者控制台「导出」得到的 .json 文件。当前的钱包数据没有任何改动。",
            "Choose a .json file made by “Export” in the developer console. Your current wallet data has not been changed.",
        ),
        Guidance::EnterPassword => ("请输入密码后再试；空密码不计入尝试次数。", "Type your password, then try again; an empty one does not count as a try."),
    };
    locale.pick(zh, en)
}

/// Any problem a command reports, worded for the user.
pub fn problem(
    locale: Locale,
    problem: &Problem,
    clock: impl Fn(qianbao_core::Timestamp) -> String,
) -> ErrorText {
    match problem {
        Problem::Account(e) => account_error(locale, e, clock),
        Problem::Move(e) => move_error(locale, e, clock),
        Problem::Finance(e) => finance::finance_error(locale, e, clock),
        Problem::Storage(e) => state_error(locale, e),
        Problem::Bind(e) => ErrorText {
            // Worded as the error inside it, with the binding's own code
            // (W-BIND-NETWORK for WeChat's WX-NETWORK) and last resort.
            code: e.code(),
            last_resort: e.last_resort().map(|g| guidance(locale, g)),
            ..bind_error(locale, e, clock)
        },
        Problem::WeChat(e) => wechat_error(locale, e, clock),
        Problem::Pay(e) => pay_error(locale, e, clock),
        Problem::Import(e) => import_error(locale, e),
        Problem::Site(e) => site_error(locale, e),
    }
}

/// What the shell meets outside the wallet's rules, worded.
/// Worded without [`guidance`]: the door shows it before any module has
/// arrived, and every other wording arrives with one (`codec.rs`).
pub fn site_error(locale: Locale, error: &SiteError) -> ErrorText {
    let (message, guidance) = match error {
        SiteError::Unreachable => (
            locale.pick(
                "这部分页面未能下载：网络连接失败。",
                "This part of the site could not be downloaded: the network failed.",
            ),
            check_network(locale),
        ),
    };
    ErrorText {
        code: error.code(),
        message: message.to_owned(),
        guidance,
        // None has one (the catalogue's snapshot would show it missing).
        last_resort: None,
        retry: true,
    }
}

/// The article's 三.1 network guidance.
fn check_network(locale: Locale) -> &'static str {
    locale.pick(
        "请确保设备连接正常的网络，建议使用 Wi-Fi 连接后重试。若仍无效，请重启软件或设备，或联系客服并提供错误码。",
        "Make sure the device has a working network connection (Wi-Fi is suggested), then retry. If that fails, restart the app or device, or contact customer service quoting the error code.",
    )
}
