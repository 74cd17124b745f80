//! Every string a user can see, in zh-CN (the default) and English, by
//! world like `pages/`: the labels every world shares are [`Text`] here;
//! each world's own are `wallet`, `wechat`, `shop` and `dev` (reached as
//! `store.wechat_text().…`), beside `finance`, `coach`, `help`, `providers` and
//! `phone`; worded errors are in `errors` (and each world's file).
//!
//! Two forms only. A table of labels is one `labels!` list — the label, its
//! zh-CN and its English side by side, a label missing from either locale
//! does not compile. A wording of one of `core`'s values (an error, an enum)
//! is a `match` over it with [`Locale::pick`] — exhaustive, so a new error
//! variant does not compile until both languages say it.

/// Declares a table of labels and its two locales from one list, so that a
/// label is one edit in one place: `name = "中文", "English";` for a
/// `&'static str`, `name: type = zh, en;` for anything else (a wording that
/// takes a value). A label missing from either locale does not compile.
macro_rules! labels {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, $zh:ident, $en:ident {
            $( $(#[$doc:meta])* $field:ident $(: $ty:ty)? = $zh_value:expr, $en_value:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name {
            $( $(#[$doc])* pub $field: labels!(@type $($ty)?), )*
        }

        pub static $zh: $name = $name { $( $field: $zh_value, )* };
        pub static $en: $name = $name { $( $field: $en_value, )* };
    };
    (@type) => { &'static str };
    (@type $ty:ty) => { $ty };
}

pub mod coach;
pub mod dev;
pub mod errors;
pub mod finance;
pub mod help;
pub mod phone;
pub mod providers;
pub mod shop;
pub mod wallet;
pub mod wallet_world;
pub mod wechat;

use crate::store::Problem;
use qianbao_core::account::AccountError;
use qianbao_core::binding::BindError;
use qianbao_core::card::{Bank, CardError, CardKind};
use qianbao_core::envelope::ImportError;
use qianbao_core::error::{Guidance, SiteError, UserError};
use qianbao_core::identity::IdentityError;
use qianbao_core::ledger::LedgerError;
use qianbao_core::merchant::Category;
use qianbao_core::money::MoneyError;
use qianbao_core::movement::{Counterpart, HistoryKind, MoveError};
use qianbao_core::payment::PayError;
use qianbao_core::phone::{Body, Channel, Message, Sender};
use qianbao_core::provider::MovementKind;
use qianbao_core::security::{PasswordError, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use qianbao_core::session::IdleLock;
use qianbao_core::sim::{Endpoint, FaultField, FaultsError};
use qianbao_core::state::StateError;
use qianbao_core::totp::TotpError;
use qianbao_core::verification::{Purpose, VerifyError};
use qianbao_core::wechat::WeChatError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    pub fn text(self) -> &'static Text {
        self.pick(&ZH_CN, &EN)
    }

    /// This locale's one of two wordings: `locale.pick("确认", "Confirm")`.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }

    /// The value of `<html lang>`.
    pub fn tag(self) -> &'static str {
        self.pick("zh-CN", "en")
    }

    /// How the switch names this locale, in its own language.
    pub fn native_name(self) -> &'static str {
        self.pick("中文", "English")
    }
}

labels! {
    /// The labels every world shares, and each world's own.
    pub struct Text, ZH_CN, EN {
        /// The wallet's screens (`pages/wallet`).
        wallet: &'static wallet::WalletText = &wallet::ZH_CN, &wallet::EN;
        app_name = "数字钱包", "Digital Wallet";
        /// A part of the site on its way (shown while a module downloads).
        loading = "正在加载…", "Loading…";
        /// The document's title (the tab, the bookmark, the history).
        page_title = "数字钱包 Qianbao · 模拟环境", "Digital Wallet Qianbao · Sandbox";
        simulation_notice =
            "模拟环境：不涉及真实资金，与腾讯及任何钱包公司无关。",
            "Simulation: no real money; not affiliated with Tencent or any wallet company.";
        sandbox_notice =
            "沙盒模式：数据保存在提供本页面的沙盒服务器所在的电脑上，未加密；团队成员各用各的浏览器登录，商户的后台通过它的 API 读写同一份数据，页面会随之自动更新。",
            "Sandbox mode: the state is kept, unencrypted, on the machine running the sandbox server that serves this page; each browser signs in on its own, merchants' backends change the same state through its API, and pages follow by themselves.";
        /// Sandbox mode, before the server's state has arrived.
        sandbox_connecting = "正在连接沙盒服务器…", "Connecting to the sandbox server…";
        nav_wallet = "钱包", "Wallet";
        nav_phone = "手机", "Phone";
        worlds = "模拟世界", "Simulated worlds";
        language = "语言", "Language";
        skip_to_content = "跳到正文", "Skip to content";
        real_name = "真实姓名", "Real name";
        password = "密码", "Password";
        get_code = "获取验证码", "Get code";
        code = "验证码", "Verification code";
        register = "注册", "Register";
        log_in = "登录", "Log in";
        log_out = "退出登录", "Log out";
        password_hint =
            "至少 8 位，须同时包含字母和数字；不能是常见密码，不能包含手机号",
            "At least 8 characters with letters and digits; not a common password; not containing your phone number";
        code_sent_to: fn(&str) -> String =
            |to| format!("验证码已发送至 {to}，请在「手机」中查看"),
            |to| format!("Code sent to {to}. Open the Phone to read it");
        lock_now = "立即锁定", "Lock now";
        change_password = "修改密码", "Change password";
        help_centre = "帮助中心", "Help centre";
        help_intro =
            "文章「数字钱包如何绑定微信」第三部分的常见问题，以及每个错误码的说明。",
            "The FAQ of section 3 of “How to bind a digital wallet to WeChat”, and what every error code means.";
        codes_explained = "本条目解释的错误码", "Error codes explained here";
        help_for_code: fn(&str) -> String =
            |title| format!("帮助：{title}"),
            |title| format!("Help: {title}");
        all_help = "全部帮助", "All help";
        nav_help = "帮助", "Help";
        saved = "已保存", "Saved";
        phone_title = "手机", "Phone";
        phone_intro =
            "模拟手机的短信和邮件收件箱：验证码会发到这里。",
            "The simulated phone's SMS and email inbox: verification codes arrive here.";
        phone_close = "关闭", "Close";
        phone_empty = "还没有消息。", "No messages yet.";
        phone_to: fn(&str) -> String = |to| format!("发送至 {to}"), |to| format!("To {to}");
        phone_clear = "清空", "Clear";
        phone_full_page = "全屏查看", "Full screen";
        unread: fn(usize) -> String = |n| format!("{n} 条未读"), |n| format!("{n} unread");
        error_code = "错误码", "Error code";
        what_to_do = "建议", "What to do";
        amount = "金额", "Amount";
        confirm = "确认", "Confirm";
        history = "交易记录", "Transactions";
        change_balance = "零钱", "Change (零钱)";
        cancel = "取消", "Cancel";
        next = "下一步", "Next";
        all = "全部", "All";
        // F3/F5 binding and the WeChat world (required wording, SPEC F1, F3, F5).
        nav_wechat = "微信", "WeChat";
        nav_shop = "商家", "Shops";
        back_to_merchant = "返回商家", "Back to the merchant";
        scan = "扫一扫", "Scan";
        nav_dev = "开发者", "Developer";
        revoke = "取消授权", "Revoke authorization";
        retry = "重试", "Retry";
        wxid = "微信号", "WeChat ID";
        nickname = "昵称", "Nickname";
        pay_password = "支付密码", "Payment password";
        offline_notice =
            "浏览器当前离线：模拟环境照常可用，但钱包、微信和商家之间的请求会因网络问题失败（见帮助「三.1 网络连接问题」）。恢复联网后点「重试」即可。",
            "The browser is offline: the sandbox still works, but requests between the wallet, WeChat and merchants fail as network trouble does (see help “3.1 Network connection”). Once back online, press “Retry”.";
        update_ready = "新版本可用，", "A new version is available:";
        update_refresh = "刷新", "Refresh";
        storage_unavailable =
            "浏览器存储不可用（可能处于无痕模式或已被禁用），本次操作不会被保存。",
            "Browser storage is unavailable (private mode, or disabled); nothing you do now will be saved.";
        storage_save_failed =
            "保存失败：浏览器存储空间已满或不可用，刚才的操作未能保存。",
            "Saving failed: browser storage is full or unavailable, so the last change was not saved.";
        not_found_title = "页面不存在", "Page not found";
        not_found_intro = "你访问的地址不存在。", "There is nothing at this address.";
        back_home = "返回首页", "Back to the start page";
    }
}

pub use dev::{endpoint, faults_error};
pub use errors::{guidance, problem, site_error, ErrorText};
pub use phone::{channel, message_text};
pub use wallet::{
    account_error, bank_name, biller_name, card_error, card_kind, card_label, category_name,
    counterpart, history_kind, identity_error, idle_lock, import_error, ledger_error, money_error,
    move_error, movement_name, password_error, state_error, verify_error,
};
pub use wechat::{bind_error, code_meaning, pay_error, wechat_error};
