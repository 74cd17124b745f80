//! WeChat's and WeChat Pay's labels (`pages/wechat`), in zh-CN and English.

use super::*;

labels! {
    /// WeChat's and WeChat Pay's screens.
    pub struct WeChatText, ZH_CN, EN {
        cashier_title = "微信支付", "WeChat Pay";
        cashier_reading = "正在读取订单…", "Reading the order…";
        bridge_cancel = "取消支付", "Cancel payment";
        bridge_done = "完成", "Done";
        h5_back = "返回商家", "Back to the merchant";
        pay_with = "支付方式", "Pay with";
        wallet_method: fn(&str) -> String =
            |balance| format!("数字钱包（余额 {balance}）"),
            |balance| format!("Digital Wallet (balance {balance})");
        change_method: fn(&str) -> String =
            |balance| format!("零钱（余额 {balance}）"),
            |balance| format!("Change (balance {balance})");
        no_methods =
            "没有可用的支付方式：请先在数字钱包中「绑定微信」。",
            "No payment method available: bind WeChat in the digital wallet first.";
        confirm_pay = "确认支付", "Confirm payment";
        extra_confirmation_title = "数字钱包：请再次确认支付信息", "Digital Wallet: confirm the payment again";
        extra_confirmation_intro =
            "该商家要求在付款前由数字钱包再次确认。请核对商家和金额，并输入数字钱包的登录密码。",
            "This merchant asks the wallet to confirm before paying. Check the merchant and amount, and enter your wallet password.";
        wallet_password = "数字钱包密码", "Wallet password";
        pay_success = "支付成功", "Payment successful";
        scan_intro =
            "模拟扫码：粘贴商家二维码里的内容（或支付链接），即可继续付款。",
            "Simulated scanning: paste what the merchant's QR code holds (or the pay link) to continue paying.";
        scan_input = "二维码内容或链接", "QR code content or link";
        scan_read = "识别", "Read";
        wechat_title = "微信（模拟）", "WeChat (simulated)";
        wechat_login_title = "登录微信", "Log in to WeChat";
        wechat_who = "微信号或手机号", "WeChat ID or mobile number";
        wechat_register_title = "注册微信（模拟）", "Register for WeChat (simulated)";
        mobile = "手机号", "Mobile number";
        wxid_hint = "6–20 位字母、数字、下划线或减号，以字母开头", "6–20 letters, digits, _ or -, starting with a letter";
        pay_password_hint = "6 位数字，不能全部相同或连续", "6 digits, not all the same and not in a row";
        wechat_registered = "微信账号已注册，请登录。", "WeChat account registered. Please log in.";
        wechat_settings = "设置", "Settings";
        allow_third_party = "允许第三方应用授权", "Allow third-party app authorization";
        /// A setting on its way to being saved.
        saving = "正在保存…", "Saving…";
        allow_third_party_hint =
            "关闭后，数字钱包等第三方应用将无法通过微信授权登录或绑定。",
            "When off, third-party apps such as the wallet cannot log in or bind with WeChat.";
        authorization_management = "授权管理", "Authorization management";
        no_authorized_apps = "没有已授权的应用。", "No authorized apps.";
        authorized_at = "授权时间", "Authorized";
        revoke_confirm: fn(&str) -> String =
            |app| format!("取消对「{app}」的授权？该应用将不能再使用你的微信信息。"),
            |app| format!("Revoke “{app}”? It will no longer be able to use your WeChat information.");
        consent_title = "微信授权", "WeChat authorization";
        consent_app: fn(&str) -> String =
            |app| format!("「{app}」申请使用你的微信账号"),
            |app| format!("“{app}” asks to use your WeChat account");
        consent_shares = "获得你的公开信息（昵称、头像）", "To get your public profile (nickname, avatar)";
        allow = "允许", "Allow";
        deny = "拒绝", "Deny";
        second_factor_title = "二次验证", "Second verification";
        second_factor_intro: fn(&str) -> String =
            |phone| {
                format!("首次绑定需要验证身份：验证码将发送至 {phone}，请在「手机」中查看。")
            },
            |phone| format!("The first binding needs a second check: a code goes to {phone}; read it on the Phone.");
        open_wechat_settings = "打开微信设置", "Open WeChat settings";
        back_to_authorize = "返回授权页重试", "Back to the authorization page";
        redirecting = "正在返回数字钱包…", "Returning to the wallet…";
    }
}

/// This table in `locale` (reached from the world's own code, so that it
/// arrives with the world).
pub fn text(locale: Locale) -> &'static WeChatText {
    locale.pick(&ZH_CN, &EN)
}

// ── worded errors and names ──────────────────────────────────────────────

pub fn bind_error(
    locale: Locale,
    error: &BindError,
    clock: impl Fn(qianbao_core::Timestamp) -> String,
) -> ErrorText {
    let message = match error {
        BindError::WeChat(e) => return wechat_error(locale, e, clock),
        BindError::Account(e) => return account_error(locale, e, clock),
        BindError::AlreadyBound => locale.pick("钱包已绑定微信。", "The wallet is already bound to WeChat.").to_owned(),
        BindError::NotBound => locale.pick("钱包尚未绑定微信。", "The wallet is not bound to WeChat.").to_owned(),
        BindError::NotAuthorizing => locale.pick("没有正在进行的绑定。", "No binding is in progress.").to_owned(),
        BindError::ForgedState => locale.pick("绑定请求校验失败（state 不一致），可能是伪造的请求，已拒绝。",
            "The binding callback failed its check (state mismatch) and may be forged; it was refused.").to_owned(),
        BindError::Denied => locale.pick("你在微信中拒绝了授权，绑定已取消。", "You declined in WeChat; the binding was cancelled.").to_owned(),
        BindError::Changed => locale.pick("钱包已改绑另一个微信账号，未解除任何绑定：请刷新后再看。",
            "The wallet is now bound to another WeChat account; no binding was ended: look again after a refresh.").to_owned(),
        BindError::Mismatch => locale.pick("信息不匹配：微信账号的实名信息与数字钱包账户不一致。",
            "Information mismatch: the WeChat account's real name does not match the wallet account's.").to_owned(),
    };
    ErrorText::new(locale, error, message)
}

pub fn wechat_error(
    locale: Locale,
    error: &WeChatError,
    clock: impl Fn(qianbao_core::Timestamp) -> String,
) -> ErrorText {
    let message = match error {
        WeChatError::Identity(e) => return identity_error(locale, e),
        WeChatError::Password(e) => return password_error(locale, e),
        WeChatError::Code(e) => return verify_error(locale, e),
        WeChatError::InvalidAppId => locale.pick("无效的 appid：该应用未在微信注册。",
            "Invalid appid: the app is not registered with WeChat.").to_owned(),
        WeChatError::RedirectDomain => locale.pick("redirect_uri 域名与后台配置不一致。",
            "The redirect_uri domain does not match the app's registered domain.").to_owned(),
        WeChatError::Scope => locale.pick("授权参数错误（response_type 或 scope）。",
            "Wrong authorization parameters (response_type or scope).").to_owned(),
        WeChatError::InvalidCode => locale.pick("授权码无效或已过期（有效期 5 分钟）。",
            "The authorization code is invalid or expired (codes last 5 minutes).").to_owned(),
        WeChatError::CodeUsed => locale.pick("授权码已被使用过。",
            "The authorization code was already used.").to_owned(),
        WeChatError::InvalidToken => locale.pick("access_token 无效。",
            "The access_token is invalid.").to_owned(),
        WeChatError::InvalidOpenid => locale.pick("openid 与 access_token 不符。",
            "The openid is not the one this access_token was issued for.").to_owned(),
        WeChatError::TokenExpired => locale.pick("access_token 已过期。",
            "The access_token has expired.").to_owned(),
        WeChatError::InvalidRefresh => locale.pick("refresh_token 无效。",
            "The refresh_token is invalid.").to_owned(),
        WeChatError::RefreshExpired => locale.pick("授权已过期（refresh_token 30 天）。",
            "The authorization has expired (refresh_token, 30 days).").to_owned(),
        WeChatError::Unauthorized => locale.pick("用户已在微信中取消授权。",
            "The user revoked the authorization in WeChat.").to_owned(),
        WeChatError::SystemBusy => locale.pick("微信系统繁忙，请稍后再试。",
            "WeChat is busy; try again later.").to_owned(),
        WeChatError::Network => locale.pick("网络连接失败，无法连接微信。",
            "The network request to WeChat failed.").to_owned(),
        WeChatError::ThirdPartyOff => locale.pick("微信设置中未允许第三方应用授权。",
            "Third-party app authorization is not allowed in WeChat's settings.").to_owned(),
        WeChatError::NotLoggedIn => locale.pick("请先登录微信。", "Log in to WeChat first.").to_owned(),
        WeChatError::IdEmpty => locale.pick("请输入微信号或手机号。",
            "Enter your WeChat ID or mobile number.").to_owned(),
        WeChatError::PasswordEmpty => locale.pick("请输入微信密码。", "Enter your WeChat password.").to_owned(),
        WeChatError::NoSuchAccount => locale.pick("该微信号或手机号未注册微信。",
            "No WeChat account uses this ID or number.").to_owned(),
        WeChatError::WrongPassword { remaining } => match locale {
            Locale::ZhCn => format!("微信密码错误，还可以尝试 {remaining} 次，之后账号将锁定 15 分钟。"),
            Locale::En => format!("Wrong WeChat password. {remaining} more attempts before the account locks for 15 minutes."),
        },
        WeChatError::LoginLocked { until } => match locale {
            Locale::ZhCn => format!("微信密码连续输错 5 次，账号已锁定至 {}。", clock(*until)),
            Locale::En => format!("5 wrong WeChat passwords in a row: the account is locked until {}.", clock(*until)),
        },
        WeChatError::WxIdInvalid => locale.pick("微信号格式不正确。",
            "That is not a valid WeChat ID.").to_owned(),
        WeChatError::Taken => locale.pick("该微信号或手机号已被注册。",
            "This WeChat ID or number is taken.").to_owned(),
        WeChatError::NicknameInvalid => locale.pick("昵称为 1–16 个字符。",
            "A nickname has 1–16 characters.").to_owned(),
        WeChatError::PayPasswordInvalid => locale.pick("支付密码须为 6 位数字，不能全部相同或连续。",
            "A payment password has 6 digits, not all the same and not in a row.").to_owned(),
    };
    ErrorText::new(locale, error, message)
}

/// What an error code in the request log means, in words.
pub fn code_meaning(locale: Locale, code: &str) -> Option<String> {
    let error = WeChatError::from_api_code(code)?;
    // None of these carries a time.
    Some(wechat_error(locale, &error, |_| String::new()).message)
}

pub fn pay_error(
    locale: Locale,
    error: &PayError,
    clock: impl Fn(qianbao_core::Timestamp) -> String,
) -> ErrorText {
    let message = match error {
        PayError::WeChat(e) => return wechat_error(locale, e, clock),
        PayError::Account(e) => return account_error(locale, e, clock),
        PayError::Money(e) => return money_error(locale, e),
        PayError::Ledger(e) => return ledger_error(locale, e),
        PayError::Cart => locale
            .pick(
                "购物车为空或含有未知商品。",
                "The cart is empty or holds an unknown product.",
            )
            .to_owned(),
        PayError::NoSuchOrder => locale.pick("订单不存在。", "No such order.").to_owned(),
        PayError::OrderPaid => locale
            .pick(
                "该订单已支付，请勿重复付款。",
                "This order is already paid; nothing was charged again.",
            )
            .to_owned(),
        PayError::OrderClosed => locale
            .pick(
                "订单已关闭或已超过支付时限。",
                "The order is closed or its time to pay has passed.",
            )
            .to_owned(),
        PayError::NotEnough { balance } => match locale {
            Locale::ZhCn => format!("数字钱包余额不足（余额 {balance}）。"),
            Locale::En => format!("Not enough in the digital wallet (balance {balance})."),
        },
        PayError::ChangeNotEnough { balance } => match locale {
            Locale::ZhCn => format!("微信零钱余额不足（零钱 {balance}）。"),
            Locale::En => format!("Not enough WeChat Change (balance {balance})."),
        },
        PayError::PayPasswordEmpty => locale
            .pick(
                "请输入 6 位支付密码。",
                "Enter your 6-digit payment password.",
            )
            .to_owned(),
        PayError::PayPassword { remaining } => match locale {
            Locale::ZhCn => format!("支付密码错误，还可以尝试 {remaining} 次。"),
            Locale::En => format!("Wrong payment password; {remaining} attempts left."),
        },
        PayError::PayPasswordLocked { until } => match locale {
            Locale::ZhCn => format!("支付密码错误次数过多，已锁定至 {}。", clock(*until)),
            Locale::En => format!(
                "Too many wrong payment passwords: locked until {}.",
                clock(*until)
            ),
        },
        PayError::MethodUnavailable => locale
            .pick(
                "该支付方式不可用（钱包未绑定或已解除绑定）。",
                "This payment method is not available (the wallet is not bound).",
            )
            .to_owned(),
        PayError::RedirectDomain => locale
            .pick(
                "商家参数格式有误，请联系商家解决：返回页面（redirect_url）不在商户登记的域名下。",
                "The merchant's parameters are wrong; contact the merchant: the page to return to (redirect_url) is not on its registered domain.",
            )
            .to_owned(),
        PayError::OtherPayer => locale
            .pick(
                "这笔订单须由下单时指定的微信用户支付，请登录那个微信账号后再付款。",
                "This order is for another WeChat user to pay: log in to that WeChat account, then pay.",
            )
            .to_owned(),
        PayError::NeedsConfirmation => locale
            .pick(
                "该商家要求数字钱包再次确认支付信息。",
                "This merchant asks the wallet to confirm the payment again.",
            )
            .to_owned(),
        PayError::NotPaid => locale
            .pick(
                "订单未支付，无法退款。",
                "The order is not paid, so nothing can be refunded.",
            )
            .to_owned(),
        PayError::RefundTooMuch { left } => match locale {
            Locale::ZhCn => format!("退款金额超过可退金额（可退 {left}）。"),
            Locale::En => format!("More than what is left to refund ({left})."),
        },
        PayError::TooManyRefunds => locale
            .pick(
                "每笔订单最多退款 50 次。",
                "An order can be refunded at most 50 times.",
            )
            .to_owned(),
        PayError::RefundNoReused => locale
            .pick(
                "退款单号已用于另一笔金额。",
                "This refund number was already used for another amount.",
            )
            .to_owned(),
        PayError::NoSuchRefund => locale
            .pick(
                "找不到这笔退款（退款单号不属于该商户）。",
                "No refund of this merchant has this number.",
            )
            .to_owned(),
        PayError::RefundEnded => locale
            .pick(
                "这笔退款已结束（退款成功或已关闭），结果不能再改。",
                "This refund has already ended (succeeded or closed); its outcome cannot change.",
            )
            .to_owned(),
        PayError::NotAPayCode => locale
            .pick(
                "这不是本站的微信支付订单二维码。",
                "That is not a WeChat Pay order code of this site.",
            )
            .to_owned(),
        PayError::BadNumber => locale
            .pick(
                "单号格式不正确（6–32 位字母、数字或 _-|*）。",
                "A number has 6–32 letters, digits or _-|*.",
            )
            .to_owned(),
        PayError::Limit { max } => match locale {
            Locale::ZhCn => format!("超过单笔支付限额 {max}。"),
            Locale::En => format!("Above the single payment limit of {max}."),
        },
        PayError::DailyLimit { max, left } => match locale {
            Locale::ZhCn => format!("超过每日支付限额 {max}，今日还可支付 {left}。"),
            Locale::En => format!("Above the daily payment limit of {max}; {left} left today."),
        },
    };
    ErrorText::new(locale, error, message)
}
