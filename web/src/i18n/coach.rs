//! Guided mode's words in zh-CN and English: the coach panel's controls,
//! the three tours, and each step's instruction in the article's words.
//! Every function matches `core::guide`'s enums exhaustively, so a new
//! step does not compile until both languages say it.

use super::Locale;
use qianbao_core::guide::{Step, Tour};

/// The coach panel's fixed wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// The panel's name, and the button that switches the coach on.
    Title,
    /// The list of the three tours.
    Progress,
    Pause,
    Resume,
    Exit,
    /// What the paused panel says.
    PausedNote,
    /// Moves the focus to the highlighted control.
    ShowMe,
    /// Starts the binding tour when a tour needs a bound wallet.
    BindFirst,
    /// The last tour is complete.
    AllDone,
}

pub fn label(locale: Locale, label: Label) -> &'static str {
    match label {
        Label::Title => locale.pick("新手引导", "Guided mode"),
        Label::Progress => locale.pick("引导进度", "Guide progress"),
        Label::Pause => locale.pick("暂停", "Pause"),
        Label::Resume => locale.pick("继续", "Resume"),
        Label::Exit => locale.pick("退出引导", "Leave guided mode"),
        Label::PausedNote => locale.pick(
            "新手引导已暂停，进度已保存，随时可以继续。",
            "Guided mode is paused. Your progress is kept; resume at any time.",
        ),
        Label::ShowMe => locale.pick("找到这一步", "Show me where"),
        Label::BindFirst => locale.pick("先绑定微信", "Bind WeChat first"),
        Label::AllDone => locale.pick(
            "三段引导都完成了：绑定、付款、解除绑定。",
            "All three parts are done: binding, paying, unbinding.",
        ),
    }
}

/// A tour's name, with the article's section.
pub fn tour_name(locale: Locale, tour: Tour) -> &'static str {
    match tour {
        Tour::Bind => locale.pick("绑定微信（二）", "Bind to WeChat (§2)"),
        Tour::Pay => locale.pick("用钱包付款（三.2）", "Pay with the wallet (§3.2)"),
        Tour::Unbind => locale.pick("解除绑定（三.3）", "Unbind (§3.3)"),
    }
}

/// The button that moves on to `tour`.
pub fn next_tour(locale: Locale, tour: Tour) -> String {
    match locale {
        Locale::ZhCn => format!("下一段：{}", tour_name(locale, tour)),
        Locale::En => format!("Next: {}", tour_name(locale, tour)),
    }
}

/// What to do now. `Step::Done` is worded for the tour it ends.
pub fn instruction(locale: Locale, tour: Tour, step: &Step) -> String {
    let text = match step {
        Step::SignIn => locale.pick("登录数字钱包帐户：用已注册的手机号码或邮件地址登录。还没有帐户？按指引注册，或在钱包首页点「一键创建演示账户」，再点「用演示账户登录」。",
            "Log in to the wallet with the phone number or e-mail address you registered. No account yet? Register, or on the wallet's start page choose “Create demo accounts in one click”, then “Log in with the demo account”."),
        Step::StartBinding => locale.pick("进入「设置」，在「账户管理」下点「绑定微信」。系统会带你去微信授权。",
            "Open “Settings” and, under account management, choose “Bind WeChat”. You will be taken to WeChat to authorize."),
        Step::WeChatLogIn => locale.pick("授权微信：在微信的授权页先登录你的微信账号（微信号或手机号，以及微信密码）。",
            "Authorize in WeChat: on WeChat's authorization page, first log in to your WeChat account (WeChat ID or phone number, and your WeChat password)."),
        Step::AllowThirdParty => locale.pick("微信设置里没有允许第三方应用的权限。打开微信「设置」，开启「允许第三方应用授权」，再回到授权页。",
            "WeChat does not allow third-party apps yet. Open WeChat's “Settings”, turn on “Allow third-party app authorization”, then return to the authorization page."),
        Step::Approve => locale.pick("确认授予数字钱包访问微信的权限：点「允许」。首次绑定时微信会要求二次验证：点「获取验证码」，从手机里读出验证码，填入后点「确认」。",
            "Grant the wallet access to WeChat: choose “Allow”. The first time, WeChat asks for a second verification: choose “Get code”, read the code on the phone, enter it and confirm."),
        Step::BindFirst => locale.pick("这一段要用到已绑定微信的钱包，请先完成绑定。",
            "This part needs a wallet bound to WeChat. Bind it first."),
        Step::AddCard => locale.pick("钱包里的余额还不够付款。先添加一张银行卡（持卡人须与实名一致），再从卡里充值。",
            "The wallet does not hold enough to pay yet. Add a bank card first (in your real name), then top up from it."),
        Step::TopUp { at_least } => {
            return match locale {
                Locale::ZhCn => format!(
                    "钱包余额不够付款：从银行卡「充值」，至少 {at_least}。填好金额点「下一步」，核对后点「确认」。"
                ),
                Locale::En => format!(
                    "The wallet's balance is too low to pay: top up from your bank card, at least {at_least}. Enter the amount, choose “Next”, check it and confirm."
                ),
            };
        }
        Step::Checkout => locale.pick("选择商家：挑选商品「加入购物车」，点「去结算」，再选择「微信支付」。",
            "Choose a merchant: add something to the cart, choose “Check out”, then “WeChat Pay”."),
        Step::ConfirmPay { .. } => locale.pick("在微信支付界面选择你的「数字钱包」，检查支付金额，输入支付密码后点「确认支付」。有的商家还会要求在数字钱包内再次确认支付信息。",
            "At WeChat Pay, choose your digital wallet, check the amount, enter the payment password and choose “Confirm payment”. Some merchants also ask you to confirm again in the wallet."),
        Step::Unbind => locale.pick("进入钱包「设置」→「绑定管理」，在微信一项下点「解除绑定」，再点「确认」。",
            "Open the wallet's “Settings” → “Binding management”, choose “Unbind” under WeChat, then confirm."),
        Step::Done => match tour {
            Tour::Bind => locale.pick("完成绑定：绑定成功！钱包显示了关联的微信账号信息，付款时可以选择这个钱包了。",
                "Binding complete: the wallet shows the WeChat account it is linked to, and WeChat Pay can now use it."),
            Tour::Pay => locale.pick("支付成功！这笔付款已从钱包扣除，记在钱包的交易记录里。",
                "Payment complete: the money left the wallet and the payment is in its history."),
            Tour::Unbind => locale.pick("已解除绑定。钱包的其他功能照常可用，但不再直接通过微信付款。",
                "Unbound. The wallet's other features still work, but WeChat Pay no longer uses it."),
        },
    };
    text.to_owned()
}

/// The link to where the step happens, when the user is elsewhere.
pub fn go_to(locale: Locale, step: &Step) -> Option<&'static str> {
    Some(match step {
        Step::SignIn => locale.pick("去钱包首页", "Go to the wallet"),
        Step::StartBinding => locale.pick("去设置", "Go to Settings"),
        Step::WeChatLogIn | Step::Approve => {
            locale.pick("回到微信授权页", "Back to WeChat's authorization page")
        }
        Step::AllowThirdParty => locale.pick("去微信设置", "Go to WeChat settings"),
        Step::AddCard => locale.pick("去添加银行卡", "Go to bank cards"),
        Step::TopUp { .. } => locale.pick("去充值", "Go to top-up"),
        Step::Checkout => locale.pick("去商家", "Go to the shops"),
        Step::ConfirmPay { .. } => locale.pick("回到收银台", "Back to the cashier"),
        Step::Unbind => locale.pick("去绑定管理", "Go to binding management"),
        Step::BindFirst | Step::Done => return None,
    })
}
