//! Every string a user can see, in zh-CN (the default) and English.
//!
//! Labels live in one [`Text`] table per locale: a field missing from either
//! table is a compile error, so the two locales cannot drift apart. Errors
//! are worded here too, by matching on `core`'s error enums exhaustively —
//! a new error variant does not compile until both languages say it.

pub mod coach;
pub mod finance;
pub mod help;
pub mod providers;

use crate::store::Problem;
use qianbao_core::account::AccountError;
use qianbao_core::binding::BindError;
use qianbao_core::card::{Bank, CardError, CardKind};
use qianbao_core::envelope::ImportError;
use qianbao_core::error::{Guidance, UserError};
use qianbao_core::identity::IdentityError;
use qianbao_core::ledger::{Biller, LedgerError};
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
        match self {
            Locale::ZhCn => &ZH_CN,
            Locale::En => &EN,
        }
    }

    /// The value of `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// How the switch names this locale, in its own language.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::ZhCn => "中文",
            Locale::En => "English",
        }
    }
}

/// The labels of every screen.
#[derive(Debug)]
pub struct Text {
    pub app_name: &'static str,
    pub simulation_notice: &'static str,
    pub nav_wallet: &'static str,
    pub nav_phone: &'static str,
    pub worlds: &'static str,
    pub language: &'static str,
    pub skip_to_content: &'static str,

    // F1 form labels (required wording, SPEC F1).
    pub login_id: &'static str,
    pub real_name: &'static str,
    pub password: &'static str,
    pub get_code: &'static str,
    pub code: &'static str,
    pub register: &'static str,
    pub log_in: &'static str,
    pub log_out: &'static str,
    pub create_demo: &'static str,

    pub login_id_hint: &'static str,
    pub real_name_hint: &'static str,
    pub password_hint: &'static str,
    pub code_hint: &'static str,
    pub resend_in: fn(u64) -> String,
    pub code_sent_to: fn(&str) -> String,
    pub working: &'static str,

    pub register_title: &'static str,
    pub register_intro: &'static str,
    pub have_account: &'static str,
    pub registered_please_log_in: &'static str,
    pub login_title: &'static str,
    pub no_account: &'static str,
    pub accounts_here: &'static str,
    pub use_this_account: &'static str,

    pub welcome_title: &'static str,
    pub welcome_intro: &'static str,
    pub demo_created: &'static str,
    pub demo_intro: &'static str,
    pub log_in_as_demo: &'static str,
    pub hello: fn(&str) -> String,
    pub home_intro: &'static str,
    pub signed_in_as: &'static str,
    pub registered_at: &'static str,

    pub settings: &'static str,
    pub account_management: &'static str,
    pub security: &'static str,
    pub auto_lock: &'static str,
    pub auto_lock_hint: &'static str,
    pub lock_now: &'static str,
    pub vault_intro: &'static str,
    pub vault_forgot: &'static str,
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub new_password_again: &'static str,
    pub password_changed: &'static str,
    pub help_centre: &'static str,
    pub help_intro: &'static str,
    pub codes_explained: &'static str,
    pub help_for_code: fn(&str) -> String,
    pub all_help: &'static str,
    pub nav_help: &'static str,
    pub choose_wallet: &'static str,
    pub choose_intro: &'static str,
    pub compare_title: &'static str,
    pub criterion: &'static str,
    pub your_needs: &'static str,
    pub your_bank: &'static str,
    pub your_device: &'static str,
    pub no_preference: &'static str,
    pub needed_features: &'static str,
    pub matters_most: &'static str,
    pub ranking_title: &'static str,
    pub suits_you: &'static str,
    pub does_not_suit: &'static str,
    pub score_of: fn(u32) -> String,
    pub register_with: fn(&str) -> String,
    pub provider_label: &'static str,
    pub provider_help: &'static str,
    pub transfer_limits: &'static str,
    pub extra_confirmation_row: &'static str,
    pub applies: &'static str,
    pub does_not_apply: &'static str,
    pub licence_label: &'static str,
    pub reviews_count: fn(u32) -> String,
    pub two_factor: &'static str,
    pub two_factor_intro: &'static str,
    pub two_factor_turn_on: &'static str,
    pub two_factor_scan: &'static str,
    pub two_factor_secret: &'static str,
    pub two_factor_qr: &'static str,
    pub two_factor_open_app: &'static str,
    pub two_factor_code: &'static str,
    pub two_factor_confirm: &'static str,
    pub two_factor_on: fn(&str, usize) -> String,
    pub two_factor_off: &'static str,
    pub two_factor_recovery_title: &'static str,
    pub two_factor_recovery_hint: &'static str,
    pub two_factor_recovery_done: &'static str,
    pub two_factor_turn_off: &'static str,
    pub two_factor_off_password: &'static str,
    pub login_code_title: &'static str,
    pub login_code_hint: fn(&str) -> String,
    pub login_code_label: &'static str,
    pub login_code_submit: &'static str,
    pub recovery_code_used: fn(usize) -> String,
    pub saved: &'static str,
    pub sign_in_first: &'static str,

    pub locked_title: &'static str,
    pub locked_intro: fn(&str) -> String,
    pub unlock: &'static str,
    pub switch_account: &'static str,

    pub phone_title: &'static str,
    pub phone_intro: &'static str,
    pub phone_open: &'static str,
    pub phone_close: &'static str,
    pub phone_empty: &'static str,
    pub phone_to: fn(&str) -> String,
    pub phone_clear: &'static str,
    pub phone_full_page: &'static str,
    pub unread: fn(usize) -> String,

    pub error_code: &'static str,
    pub what_to_do: &'static str,

    // F2 labels (required wording, SPEC F2).
    pub balance: &'static str,
    pub add_card: &'static str,
    pub card_number: &'static str,
    pub top_up: &'static str,
    pub withdraw: &'static str,
    pub transfer: &'static str,
    pub pay_bills: &'static str,
    pub amount: &'static str,
    pub confirm: &'static str,
    pub history: &'static str,

    pub wallet_balance_note: &'static str,
    pub change_balance: &'static str,
    pub to_wechat_hint: &'static str,
    pub recent: &'static str,
    pub see_all: &'static str,
    pub cards: &'static str,
    pub cards_empty: &'static str,
    pub card_holder: &'static str,
    pub card_expiry: &'static str,
    pub card_cvv: &'static str,
    pub card_privacy: &'static str,
    pub card_funds_debit: &'static str,
    pub card_funds_credit: &'static str,
    pub default_card: &'static str,
    pub set_default: &'static str,
    pub remove_card: &'static str,
    pub remove_card_confirm: fn(&str) -> String,
    pub cancel: &'static str,
    pub card_added: &'static str,
    pub test_cards: &'static str,
    pub need_card: &'static str,
    pub from_card: &'static str,
    pub to_card: &'static str,
    pub payee: &'static str,
    pub payee_hint: &'static str,
    pub payee_label: &'static str,
    pub note: &'static str,
    pub biller: &'static str,
    pub bill_account: &'static str,
    pub bill_account_hint: fn(Biller) -> &'static str,
    pub limits: fn(&str, &str) -> String,
    pub next: &'static str,
    pub another: &'static str,
    pub review_title: &'static str,
    pub back_to_edit: &'static str,
    pub done_title: &'static str,
    pub balance_now: &'static str,
    pub filter_kind: &'static str,
    pub filter_month: &'static str,
    pub all: &'static str,
    pub no_history: &'static str,
    pub load_more: &'static str,
    pub detail_title: &'static str,
    pub entry_no: &'static str,
    pub time: &'static str,
    pub counterpart: &'static str,
    pub status: &'static str,
    pub status_success: &'static str,
    pub month_label: fn(i64, u32) -> String,

    // F3/F5 binding and the WeChat world (required wording, SPEC F1, F3, F5).
    pub nav_wechat: &'static str,
    pub wechat_pay: &'static str,
    pub nav_shop: &'static str,
    pub shops_title: &'static str,
    pub shops_intro: &'static str,
    pub extra_confirmation_note: fn(&str) -> String,
    pub add_to_cart: &'static str,
    pub cart: &'static str,
    pub cart_empty: &'static str,
    pub checkout: &'static str,
    pub order_no: &'static str,
    pub order_total: &'static str,
    pub order_state: &'static str,
    pub merchant_orders: &'static str,
    pub no_orders: &'static str,
    pub cashier_title: &'static str,
    pub pay_with: &'static str,
    pub wallet_method: fn(&str) -> String,
    pub change_method: fn(&str) -> String,
    pub no_methods: &'static str,
    pub confirm_pay: &'static str,
    pub extra_confirmation_title: &'static str,
    pub extra_confirmation_intro: &'static str,
    pub wallet_password: &'static str,
    pub pay_success: &'static str,
    pub back_to_merchant: &'static str,
    pub order_state_name: fn(&str) -> &'static str,
    pub refund: &'static str,
    pub scan: &'static str,
    pub scan_intro: &'static str,
    pub scan_input: &'static str,
    pub scan_read: &'static str,
    pub qr_caption: &'static str,
    pub refund_amount: &'static str,
    pub refundable: fn(&str) -> String,
    pub refund_done: fn(&str) -> String,
    pub nav_dev: &'static str,
    pub bind_wechat: &'static str,
    pub bind_success: &'static str,
    pub to_wechat_change: &'static str,
    pub binding_management: &'static str,
    pub third_party_management: &'static str,
    pub payment_methods: &'static str,
    pub unbind: &'static str,
    pub revoke: &'static str,
    pub unbind_confirm: &'static str,
    pub unbound_done: &'static str,
    pub bind_intro: &'static str,
    pub bound_to: &'static str,
    pub wechat_nickname: &'static str,
    pub wechat_id: &'static str,
    pub bound_at: &'static str,
    pub not_bound: &'static str,
    pub binding_in_progress: &'static str,
    pub binding_ended_unbound: &'static str,
    pub binding_ended_revoked: &'static str,
    pub binding_now: &'static str,
    pub retry: &'static str,
    pub bind_again: &'static str,
    pub wechat_title: &'static str,
    pub wechat_login_title: &'static str,
    pub wechat_who: &'static str,
    pub wechat_register_title: &'static str,
    pub wxid: &'static str,
    pub mobile: &'static str,
    pub nickname: &'static str,
    pub pay_password: &'static str,
    pub wxid_hint: &'static str,
    pub pay_password_hint: &'static str,
    pub wechat_registered: &'static str,
    pub wechat_settings: &'static str,
    pub allow_third_party: &'static str,
    pub allow_third_party_hint: &'static str,
    pub authorization_management: &'static str,
    pub no_authorized_apps: &'static str,
    pub authorized_at: &'static str,
    pub revoke_confirm: fn(&str) -> String,
    pub consent_title: &'static str,
    pub consent_app: fn(&str) -> String,
    pub consent_shares: &'static str,
    pub allow: &'static str,
    pub deny: &'static str,
    pub second_factor_title: &'static str,
    pub second_factor_intro: fn(&str) -> String,
    pub open_wechat_settings: &'static str,
    pub back_to_authorize: &'static str,
    pub redirecting: &'static str,
    pub demo_wechat: &'static str,
    pub demo_wechat_mismatch: &'static str,
    pub dev_title: &'static str,
    pub dev_intro: &'static str,
    pub dev_log: &'static str,
    pub dev_log_empty: &'static str,
    pub dev_request: &'static str,
    pub dev_response: &'static str,
    pub dev_faults: &'static str,
    pub dev_network_next: &'static str,
    pub dev_busy_next: &'static str,
    pub dev_apply: &'static str,
    pub dev_latency: &'static str,
    pub dev_faults_now: fn(u32, u32, u32) -> String,
    pub dev_clock: &'static str,
    pub dev_clock_now: fn(&str, u64) -> String,
    pub dev_advance: fn(&str) -> String,
    pub dev_clock_reset: &'static str,
    pub dev_data: &'static str,
    pub dev_export: &'static str,
    pub dev_import: &'static str,
    pub dev_imported: &'static str,
    pub dev_reset: &'static str,
    pub dev_reset_confirm: &'static str,
    pub dev_clear_log: &'static str,
    pub dev_resend_notify: &'static str,
    pub notified: fn(u32) -> String,

    pub storage_title: &'static str,
    pub storage_intro: &'static str,
    pub storage_export: &'static str,
    pub storage_start_over: &'static str,
    pub storage_import: &'static str,
    pub offline_notice: &'static str,
    pub update_ready: &'static str,
    pub update_refresh: &'static str,
    pub storage_kept_as: fn(&str) -> String,
    pub storage_unavailable: &'static str,
    pub storage_save_failed: &'static str,

    pub not_found_title: &'static str,
    pub not_found_intro: &'static str,
    pub back_home: &'static str,
}

pub static ZH_CN: Text = Text {
    app_name: "数字钱包",
    simulation_notice: "模拟环境：不涉及真实资金，与腾讯及任何钱包公司无关。",
    nav_wallet: "钱包",
    nav_phone: "手机",
    worlds: "模拟世界",
    language: "语言",
    skip_to_content: "跳到正文",

    login_id: "手机号或邮箱",
    real_name: "真实姓名",
    password: "密码",
    get_code: "获取验证码",
    code: "验证码",
    register: "注册",
    log_in: "登录",
    log_out: "退出登录",
    create_demo: "一键创建演示账户",

    login_id_hint: "中国大陆手机号（可带 +86）或邮箱地址",
    real_name_hint: "与身份证一致，用于绑卡和绑定微信时核对",
    password_hint: "至少 8 位，须同时包含字母和数字；不能是常见密码，不能包含手机号",
    code_hint: "6 位数字，发送到「手机」收件箱，5 分钟内有效",
    resend_in: |s| format!("{s} 秒后重发"),
    code_sent_to: |to| format!("验证码已发送至 {to}，请在「手机」中查看"),
    working: "请稍候…",

    register_title: "注册数字钱包",
    register_intro: "用手机号或邮箱注册，验证码会出现在本页右下角的「手机」里。",
    have_account: "已有账户？去登录",
    registered_please_log_in: "注册成功，请登录。",
    login_title: "登录数字钱包",
    no_account: "还没有账户？去注册",
    accounts_here: "本机上的账户",
    use_this_account: "使用此账户",

    welcome_title: "欢迎使用数字钱包",
    welcome_intro: "在这里练习注册、登录、绑定微信和支付，全程使用模拟资金，放心操作。",
    demo_created: "演示账户已创建",
    demo_intro: "请记下以下信息，也可以直接登录：",
    log_in_as_demo: "用演示账户登录",
    hello: |name| format!("你好，{name}"),
    home_intro: "你已登录数字钱包。",
    signed_in_as: "登录账号",
    registered_at: "注册时间",

    settings: "设置",
    account_management: "账户管理",
    security: "安全",
    auto_lock: "闲置自动锁定",
    auto_lock_hint: "一段时间没有操作后锁定钱包，需输入密码解锁",
    lock_now: "立即锁定",
    vault_intro: "本浏览器中的钱包数据已加密保存，只有输入登录密码才能读取。输入本浏览器中任一钱包账户的密码解锁。",
    vault_forgot: "忘记了所有密码？可以保留加密的副本并重新开始（副本无法再读取，除非想起密码）。",
    change_password: "修改密码",
    current_password: "原密码",
    new_password: "新密码",
    new_password_again: "再次输入新密码",
    password_changed: "密码已修改，下次登录请使用新密码。",
    help_centre: "帮助中心",
    help_intro: "文章「数字钱包如何绑定微信」第三部分的常见问题，以及每个错误码的说明。",
    codes_explained: "本条目解释的错误码",
    help_for_code: |title| format!("帮助：{title}"),
    all_help: "全部帮助",
    nav_help: "帮助",
    choose_wallet: "选择钱包",
    choose_intro: "按「如何选择合适的数字钱包」的四个标准——功能多样性、用户评价、安全性、兼容性——比较三家（虚构的）钱包服务商。说说你的情况，看看哪家最适合你，以及为什么。",
    compare_title: "并排比较",
    criterion: "标准",
    your_needs: "你的情况",
    your_bank: "你的银行卡",
    your_device: "你的手机或设备",
    no_preference: "不限",
    needed_features: "需要的功能",
    matters_most: "最看重",
    ranking_title: "推荐结果",
    suits_you: "符合你的要求",
    does_not_suit: "不完全符合你的要求",
    score_of: |n| format!("综合得分 {n}"),
    register_with: |name| format!("选择{name}并注册"),
    provider_label: "钱包服务商",
    provider_help: "不知道选哪个？去「选择钱包」比较",
    transfer_limits: "转账限额（单笔 / 每日）",
    extra_confirmation_row: "商户额外确认",
    applies: "适用",
    does_not_apply: "不适用",
    licence_label: "支付业务许可证（虚构）",
    reviews_count: |n| format!("{n} 条评价"),
    two_factor: "两步验证",
    two_factor_intro: "登录时除了密码，还需输入身份验证器 App（如腾讯身份验证器、Google Authenticator、Microsoft Authenticator）显示的 6 位动态码。",
    two_factor_turn_on: "开启两步验证",
    two_factor_scan: "用身份验证器 App 扫描二维码；无法扫描时，手动输入下面的密钥（基于时间，30 秒）。",
    two_factor_secret: "密钥",
    two_factor_qr: "两步验证设置二维码",
    two_factor_open_app: "在本机的身份验证器 App 中打开",
    two_factor_code: "动态码（6 位数字）",
    two_factor_confirm: "确认开启",
    two_factor_on: |since, left| format!("已开启（{since}）。剩余恢复码 {left} 个。"),
    two_factor_off: "未开启",
    two_factor_recovery_title: "恢复码（只显示这一次）",
    two_factor_recovery_hint: "请抄写或打印并妥善保管。手机丢失时，每个恢复码可代替动态码登录一次。",
    two_factor_recovery_done: "我已保存恢复码",
    two_factor_turn_off: "关闭两步验证",
    two_factor_off_password: "关闭两步验证需要输入登录密码。",
    login_code_title: "两步验证",
    login_code_hint: |who| format!("{who} 已开启两步验证：请输入身份验证器 App 显示的 6 位动态码，或一个恢复码。"),
    login_code_label: "动态码或恢复码",
    login_code_submit: "验证",
    recovery_code_used: |left| format!("已使用一个恢复码登录，还剩 {left} 个。用完前请在「设置」中关闭再重新开启两步验证以获得新的恢复码。"),
    saved: "已保存",
    sign_in_first: "请先登录。",

    locked_title: "钱包已锁定",
    locked_intro: |who| format!("{who} 的钱包因长时间未操作已锁定，请输入密码解锁。"),
    unlock: "解锁",
    switch_account: "切换账户",

    phone_title: "手机",
    phone_intro: "模拟手机的短信和邮件收件箱：验证码会发到这里。",
    phone_open: "打开手机",
    phone_close: "关闭",
    phone_empty: "还没有消息。",
    phone_to: |to| format!("发送至 {to}"),
    phone_clear: "清空",
    phone_full_page: "全屏查看",
    unread: |n| format!("{n} 条未读"),

    error_code: "错误码",
    what_to_do: "建议",

    balance: "余额",
    add_card: "添加银行卡",
    card_number: "卡号",
    top_up: "充值",
    withdraw: "提现",
    transfer: "转账",
    pay_bills: "缴费",
    amount: "金额",
    confirm: "确认",
    history: "交易记录",

    wallet_balance_note: "模拟资金，仅供练习",
    change_balance: "零钱",
    to_wechat_hint: "从钱包余额转入已绑定微信账号的零钱",
    recent: "最近交易",
    see_all: "查看全部",
    cards: "银行卡",
    cards_empty: "还没有银行卡。添加一张后就可以充值和提现。",
    card_holder: "持卡人",
    card_expiry: "有效期（月/年，如 12/30）",
    card_cvv: "安全码（卡背面 3 位数字）",
    card_privacy: "只保存卡号后四位；有效期和安全码仅用于校验，不会保存。持卡人须与实名一致。",
    card_funds_debit: "模拟银行卡余额",
    card_funds_credit: "可用额度",
    default_card: "默认",
    set_default: "设为默认",
    remove_card: "删除",
    remove_card_confirm: |card| format!("确定删除银行卡 {card} 吗？交易记录会保留。"),
    cancel: "取消",
    card_added: "银行卡已添加。",
    test_cards: "练习用的测试卡号（可直接复制）：",
    need_card: "请先添加一张银行卡。",
    from_card: "付款银行卡",
    to_card: "到账银行卡（借记卡）",
    payee: "收款人手机号或邮箱",
    payee_hint: "收款人须是本模拟环境中的数字钱包用户",
    payee_label: "收款人",
    note: "备注（选填）",
    biller: "缴费项目",
    bill_account: "户号",
    bill_account_hint: |biller| match biller {
        Biller::Electricity => "电费户号为 10 位数字，见电费单",
        Biller::Water => "水费户号为 8–10 位数字，见水费单",
        Biller::Mobile => "要充值的中国大陆手机号",
    },
    limits: |single, daily| format!("单笔限额 {single}，每日限额 {daily}"),
    next: "下一步",
    another: "再来一笔",
    review_title: "请确认",
    back_to_edit: "返回修改",
    done_title: "操作成功",
    balance_now: "当前余额",
    filter_kind: "类型",
    filter_month: "月份",
    all: "全部",
    no_history: "暂无交易记录。",
    load_more: "加载更多",
    detail_title: "交易详情",
    entry_no: "交易单号",
    time: "时间",
    counterpart: "对方",
    status: "状态",
    status_success: "成功",
    month_label: |y, m| format!("{y}年{m}月"),

    nav_wechat: "微信",
    wechat_pay: "微信支付",
    nav_shop: "商家",
    shops_title: "商家（模拟）",
    shops_intro: "在这些模拟商家练习用「微信支付」和已绑定的数字钱包付款。",
    extra_confirmation_note: |from| format!("满 {from} 时，数字钱包会要求再次确认支付信息"),
    add_to_cart: "加入购物车",
    cart: "购物车",
    cart_empty: "购物车是空的。",
    checkout: "去结算",
    order_no: "订单号",
    order_total: "订单金额",
    order_state: "订单状态",
    merchant_orders: "商家订单",
    no_orders: "还没有订单。",
    cashier_title: "微信支付",
    pay_with: "支付方式",
    wallet_method: |balance| format!("数字钱包（余额 {balance}）"),
    change_method: |balance| format!("零钱（余额 {balance}）"),
    no_methods: "没有可用的支付方式：请先在数字钱包中「绑定微信」。",
    confirm_pay: "确认支付",
    extra_confirmation_title: "数字钱包：请再次确认支付信息",
    extra_confirmation_intro:
        "该商家要求在付款前由数字钱包再次确认。请核对商家和金额，并输入数字钱包的登录密码。",
    wallet_password: "数字钱包密码",
    pay_success: "支付成功",
    back_to_merchant: "返回商家",
    refund: "退款",
    scan: "扫一扫",
    scan_intro: "模拟扫码：粘贴商家二维码里的内容（或支付链接），即可继续付款。",
    scan_input: "二维码内容或链接",
    scan_read: "识别",
    qr_caption: "也可以用微信「扫一扫」扫码支付（二维码内容如下）：",
    refund_amount: "退款金额",
    refundable: |left| format!("可退 {left}"),
    refund_done: |amount| format!("已退款 {amount}，原路退回数字钱包。"),
    order_state_name: |s| match s {
        "NOTPAY" => "未支付",
        "USERPAYING" => "用户支付中",
        "SUCCESS" => "支付成功",
        "PAYERROR" => "支付失败",
        "CLOSED" => "已关闭",
        _ => "已退款",
    },
    nav_dev: "开发者",
    bind_wechat: "绑定微信",
    bind_success: "绑定成功",
    to_wechat_change: "转入微信零钱",
    binding_management: "绑定管理",
    third_party_management: "第三方应用管理",
    payment_methods: "支付方式管理",
    unbind: "解除绑定",
    revoke: "取消授权",
    unbind_confirm:
        "解除绑定后，将不能再通过微信使用数字钱包支付。钱包的其他功能不受影响。确定解除吗？",
    unbound_done: "已解除绑定。",
    bind_intro: "点击后将跳转到微信，按提示登录并授权即可完成绑定。",
    bound_to: "已绑定微信",
    wechat_nickname: "微信昵称",
    wechat_id: "微信号",
    bound_at: "绑定时间",
    not_bound: "尚未绑定微信。",
    binding_in_progress: "正在绑定：请在微信中完成授权。",
    binding_ended_unbound: "已解除与微信的绑定。",
    binding_ended_revoked: "绑定已结束：已在微信中取消授权。",
    binding_now: "正在完成绑定…",
    retry: "重试",
    bind_again: "重新绑定",
    wechat_title: "微信（模拟）",
    wechat_login_title: "登录微信",
    wechat_who: "微信号或手机号",
    wechat_register_title: "注册微信（模拟）",
    wxid: "微信号",
    mobile: "手机号",
    nickname: "昵称",
    pay_password: "支付密码",
    wxid_hint: "6–20 位字母、数字、下划线或减号，以字母开头",
    pay_password_hint: "6 位数字，不能全部相同或连续",
    wechat_registered: "微信账号已注册，请登录。",
    wechat_settings: "设置",
    allow_third_party: "允许第三方应用授权",
    allow_third_party_hint: "关闭后，数字钱包等第三方应用将无法通过微信授权登录或绑定。",
    authorization_management: "授权管理",
    no_authorized_apps: "没有已授权的应用。",
    authorized_at: "授权时间",
    revoke_confirm: |app| format!("取消对「{app}」的授权？该应用将不能再使用你的微信信息。"),
    consent_title: "微信授权",
    consent_app: |app| format!("「{app}」申请使用你的微信账号"),
    consent_shares: "获得你的公开信息（昵称、头像）",
    allow: "允许",
    deny: "拒绝",
    second_factor_title: "二次验证",
    second_factor_intro: |phone| {
        format!("首次绑定需要验证身份：验证码将发送至 {phone}，请在「手机」中查看。")
    },
    open_wechat_settings: "打开微信设置",
    back_to_authorize: "返回授权页重试",
    redirecting: "正在返回数字钱包…",
    demo_wechat: "微信账号（实名一致，可绑定）",
    demo_wechat_mismatch: "微信账号（实名不一致，用于练习“信息不匹配”）",
    dev_title: "开发者控制台",
    dev_intro: "查看模拟请求与响应，注入故障，快进时钟，导出或导入数据。",
    dev_log: "请求日志",
    dev_log_empty: "还没有请求。",
    dev_request: "请求",
    dev_response: "响应",
    dev_faults: "故障注入",
    dev_network_next: "接下来 N 次请求网络失败",
    dev_busy_next: "接下来 N 次请求返回系统繁忙（-1）",
    dev_apply: "应用",
    dev_latency: "每次请求的延迟（毫秒）",
    dev_faults_now: |n, b, l| format!("当前：网络失败 {n} 次，系统繁忙 {b} 次，延迟 {l} 毫秒"),
    dev_clock: "模拟时钟",
    dev_clock_now: |t, mins| format!("模拟时间 {t}（快进了 {mins} 分钟）"),
    dev_advance: |by| format!("快进 {by}"),
    dev_clock_reset: "恢复真实时间",
    dev_data: "数据",
    dev_export: "导出 JSON",
    dev_import: "导入 JSON",
    dev_imported: "导入成功。",
    dev_reset: "重置全部数据",
    dev_reset_confirm: "确定清空本浏览器中的全部模拟数据吗？此操作不可撤销（可先导出）。",
    dev_clear_log: "清空日志",
    dev_resend_notify: "重发通知",
    notified: |n| format!("收到支付通知 {n} 次，已处理一次"),

    storage_title: "本地数据无法读取",
    storage_intro:
        "浏览器中保存的钱包数据无法读取。数据没有被删除：你可以先导出一份，再决定如何处理。",
    storage_export: "导出损坏的数据",
    storage_start_over: "保留副本并重新开始",
    storage_import: "导入备份",
    offline_notice: "浏览器当前离线：模拟环境照常可用，但钱包、微信和商家之间的请求会因网络问题失败（见帮助「三.1 网络连接问题」）。恢复联网后点「重试」即可。",
    update_ready: "新版本可用，",
    update_refresh: "刷新",
    storage_kept_as: |key| format!("损坏的数据已另存为 {key}"),
    storage_unavailable: "浏览器存储不可用（可能处于无痕模式或已被禁用），本次操作不会被保存。",
    storage_save_failed: "保存失败：浏览器存储空间已满或不可用，刚才的操作未能保存。",

    not_found_title: "页面不存在",
    not_found_intro: "你访问的地址不存在。",
    back_home: "返回首页",
};

pub static EN: Text = Text {
    app_name: "Digital Wallet",
    simulation_notice: "Simulation: no real money; not affiliated with Tencent or any wallet company.",
    nav_wallet: "Wallet",
    nav_phone: "Phone",
    worlds: "Simulated worlds",
    language: "Language",
    skip_to_content: "Skip to content",

    login_id: "Mobile number or email",
    real_name: "Real name",
    password: "Password",
    get_code: "Get code",
    code: "Verification code",
    register: "Register",
    log_in: "Log in",
    log_out: "Log out",
    create_demo: "Create demo accounts in one click",

    login_id_hint: "A mainland China mobile number (+86 optional) or an email address",
    real_name_hint: "As on your ID card; checked when you add cards or bind WeChat",
    password_hint: "At least 8 characters with letters and digits; not a common password; not containing your phone number",
    code_hint: "6 digits, sent to the Phone inbox, valid for 5 minutes",
    resend_in: |s| format!("Resend in {s} s"),
    code_sent_to: |to| format!("Code sent to {to}. Open the Phone to read it"),
    working: "Please wait…",

    register_title: "Register a digital wallet",
    register_intro: "Register with a mobile number or email; the code arrives in the Phone at the bottom right.",
    have_account: "Have an account? Log in",
    registered_please_log_in: "Registered. Please log in.",
    login_title: "Log in to your wallet",
    no_account: "No account yet? Register",
    accounts_here: "Accounts in this browser",
    use_this_account: "Use this account",

    welcome_title: "Welcome to Digital Wallet",
    welcome_intro: "Practise registering, logging in, binding WeChat and paying here, with simulated money only.",
    demo_created: "Demo account created",
    demo_intro: "Note these details, or log in straight away:",
    log_in_as_demo: "Log in with the demo account",
    hello: |name| format!("Hello, {name}"),
    home_intro: "You are logged in to your wallet.",
    signed_in_as: "Signed in as",
    registered_at: "Registered",

    settings: "Settings",
    account_management: "Account management",
    security: "Security",
    auto_lock: "Lock when idle",
    auto_lock_hint: "Lock the wallet after a while without activity; the password unlocks it",
    lock_now: "Lock now",
    vault_intro: "The wallet data in this browser is stored encrypted and can only be read with a login password. Type the password of any wallet account in this browser to unlock.",
    vault_forgot: "Forgot every password? Keep the encrypted copy aside and start again (it stays unreadable unless you remember a password).",
    change_password: "Change password",
    current_password: "Current password",
    new_password: "New password",
    new_password_again: "New password again",
    password_changed: "Password changed: use the new one next time you log in.",
    help_centre: "Help centre",
    help_intro: "The FAQ of section 3 of “How to bind a digital wallet to WeChat”, and what every error code means.",
    codes_explained: "Error codes explained here",
    help_for_code: |title| format!("Help: {title}"),
    all_help: "All help",
    nav_help: "Help",
    choose_wallet: "Choose a wallet",
    choose_intro: "Compare three (fictional) wallet providers on the four criteria of “choosing the right digital wallet” — range of features, user reviews, security, compatibility. Say what you need and see which suits you best, and why.",
    compare_title: "Side by side",
    criterion: "Criterion",
    your_needs: "What you need",
    your_bank: "Your bank card",
    your_device: "Your phone or device",
    no_preference: "Any",
    needed_features: "Features you need",
    matters_most: "What matters most",
    ranking_title: "Recommendation",
    suits_you: "Meets your needs",
    does_not_suit: "Does not meet all your needs",
    score_of: |n| format!("Score {n}"),
    register_with: |name| format!("Register with {name}"),
    provider_label: "Wallet provider",
    provider_help: "Not sure? Compare them in “Choose a wallet”",
    transfer_limits: "Transfer limits (single / daily)",
    extra_confirmation_row: "Merchant extra confirmation",
    applies: "Applies",
    does_not_apply: "Does not apply",
    licence_label: "Payment licence (fictional)",
    reviews_count: |n| format!("{n} reviews"),
    two_factor: "Two-step verification",
    two_factor_intro: "Besides your password, signing in asks for the 6-digit code an authenticator app (Google Authenticator, Microsoft Authenticator, …) shows.",
    two_factor_turn_on: "Turn on two-step verification",
    two_factor_scan: "Scan the QR code with your authenticator app; if it cannot scan, type the key below (time-based, 30 seconds).",
    two_factor_secret: "Key",
    two_factor_qr: "QR code for setting up two-step verification",
    two_factor_open_app: "Open in an authenticator app on this device",
    two_factor_code: "Code (6 digits)",
    two_factor_confirm: "Confirm and turn on",
    two_factor_on: |since, left| format!("On since {since}. {left} recovery codes left."),
    two_factor_off: "Off",
    two_factor_recovery_title: "Recovery codes (shown only this once)",
    two_factor_recovery_hint: "Write them down or print them and keep them safe. If you lose your phone, each one signs you in once instead of a code.",
    two_factor_recovery_done: "I have saved the codes",
    two_factor_turn_off: "Turn off two-step verification",
    two_factor_off_password: "Turning it off needs your login password.",
    login_code_title: "Two-step verification",
    login_code_hint: |who| format!("{who} has two-step verification on: type the 6-digit code your authenticator app shows, or a recovery code."),
    login_code_label: "Code or recovery code",
    login_code_submit: "Verify",
    recovery_code_used: |left| format!("Signed in with a recovery code; {left} left. Before they run out, turn two-step verification off and on again in Settings for new ones."),
    saved: "Saved",
    sign_in_first: "Please log in first.",

    locked_title: "Wallet locked",
    locked_intro: |who| format!("The wallet of {who} locked after a period of inactivity. Enter the password to unlock it."),
    unlock: "Unlock",
    switch_account: "Switch account",

    phone_title: "Phone",
    phone_intro: "The simulated phone's SMS and email inbox: verification codes arrive here.",
    phone_open: "Open phone",
    phone_close: "Close",
    phone_empty: "No messages yet.",
    phone_to: |to| format!("To {to}"),
    phone_clear: "Clear",
    phone_full_page: "Full screen",
    unread: |n| format!("{n} unread"),

    error_code: "Error code",
    what_to_do: "What to do",

    balance: "Balance",
    add_card: "Add bank card",
    card_number: "Card number",
    top_up: "Top up",
    withdraw: "Withdraw",
    transfer: "Transfer",
    pay_bills: "Pay bills",
    amount: "Amount",
    confirm: "Confirm",
    history: "Transactions",

    wallet_balance_note: "Simulated money, for practice only",
    change_balance: "Change (零钱)",
    to_wechat_hint: "From the wallet balance to the bound WeChat account's Change",
    recent: "Recent transactions",
    see_all: "See all",
    cards: "Bank cards",
    cards_empty: "No bank cards yet. Add one to top up and withdraw.",
    card_holder: "Card holder",
    card_expiry: "Expiry (MM/YY, e.g. 12/30)",
    card_cvv: "Security code (3 digits on the back)",
    card_privacy: "Only the last four digits are kept; expiry and security code are checked, never stored. The holder must be your real name.",
    card_funds_debit: "Simulated card balance",
    card_funds_credit: "Available credit",
    default_card: "Default",
    set_default: "Make default",
    remove_card: "Remove",
    remove_card_confirm: |card| format!("Remove the card {card}? Its transactions stay in the history."),
    cancel: "Cancel",
    card_added: "Card added.",
    test_cards: "Test card numbers for practice (copy one):",
    need_card: "Add a bank card first.",
    from_card: "Pay from card",
    to_card: "To card (debit)",
    payee: "Payee's mobile number or email",
    payee_hint: "The payee must be a digital wallet user in this sandbox",
    payee_label: "Payee",
    note: "Note (optional)",
    biller: "Bill",
    bill_account: "Account number",
    bill_account_hint: |biller| match biller {
        Biller::Electricity => "10 digits, printed on the electricity bill",
        Biller::Water => "8–10 digits, printed on the water bill",
        Biller::Mobile => "The mainland China mobile number to top up",
    },
    limits: |single, daily| format!("Up to {single} at once, {daily} a day"),
    next: "Next",
    another: "Another one",
    review_title: "Please confirm",
    back_to_edit: "Back to edit",
    done_title: "Done",
    balance_now: "Balance now",
    filter_kind: "Type",
    filter_month: "Month",
    all: "All",
    no_history: "No transactions yet.",
    load_more: "Load more",
    detail_title: "Transaction details",
    entry_no: "Transaction no.",
    time: "Time",
    counterpart: "Counterpart",
    status: "Status",
    status_success: "Succeeded",
    month_label: |y, m| format!("{y}-{m:02}"),

    nav_wechat: "WeChat",
    wechat_pay: "WeChat Pay",
    nav_shop: "Shops",
    shops_title: "Shops (simulated)",
    shops_intro: "Practise paying with “WeChat Pay” and the bound digital wallet at these simulated shops.",
    extra_confirmation_note: |from| format!("From {from} the wallet asks you to confirm the payment again"),
    add_to_cart: "Add to cart",
    cart: "Cart",
    cart_empty: "The cart is empty.",
    checkout: "Check out",
    order_no: "Order no.",
    order_total: "Order total",
    order_state: "Order state",
    merchant_orders: "Merchant orders",
    no_orders: "No orders yet.",
    cashier_title: "WeChat Pay",
    pay_with: "Pay with",
    wallet_method: |balance| format!("Digital Wallet (balance {balance})"),
    change_method: |balance| format!("Change (balance {balance})"),
    no_methods: "No payment method available: bind WeChat in the digital wallet first.",
    confirm_pay: "Confirm payment",
    extra_confirmation_title: "Digital Wallet: confirm the payment again",
    extra_confirmation_intro: "This merchant asks the wallet to confirm before paying. Check the merchant and amount, and enter your wallet password.",
    wallet_password: "Wallet password",
    pay_success: "Payment successful",
    back_to_merchant: "Back to the merchant",
    refund: "Refund",
    scan: "Scan",
    scan_intro: "Simulated scanning: paste what the merchant's QR code holds (or the pay link) to continue paying.",
    scan_input: "QR code content or link",
    scan_read: "Read",
    qr_caption: "Or pay with WeChat “Scan” (the QR code holds this):",
    refund_amount: "Refund amount",
    refundable: |left| format!("{left} refundable"),
    refund_done: |amount| format!("Refunded {amount} to the digital wallet that paid."),
    order_state_name: |s| match s {
        "NOTPAY" => "Not paid",
        "USERPAYING" => "Paying",
        "SUCCESS" => "Paid",
        "PAYERROR" => "Payment failed",
        "CLOSED" => "Closed",
        _ => "Refunded",
    },
    nav_dev: "Developer",
    bind_wechat: "Bind WeChat",
    bind_success: "Bound successfully",
    to_wechat_change: "Move to WeChat Change",
    binding_management: "Binding management",
    third_party_management: "Third-party app management",
    payment_methods: "Payment methods",
    unbind: "Unbind",
    revoke: "Revoke authorization",
    unbind_confirm: "After unbinding you can no longer pay with the wallet through WeChat. Everything else in the wallet keeps working. Unbind?",
    unbound_done: "Unbound.",
    bind_intro: "You will go to WeChat: log in and authorize to finish binding.",
    bound_to: "Bound to WeChat",
    wechat_nickname: "WeChat nickname",
    wechat_id: "WeChat ID",
    bound_at: "Bound at",
    not_bound: "Not bound to WeChat yet.",
    binding_in_progress: "Binding in progress: finish the authorization in WeChat.",
    binding_ended_unbound: "The WeChat binding was removed.",
    binding_ended_revoked: "The binding ended: the authorization was revoked in WeChat.",
    binding_now: "Finishing the binding…",
    retry: "Retry",
    bind_again: "Bind again",
    wechat_title: "WeChat (simulated)",
    wechat_login_title: "Log in to WeChat",
    wechat_who: "WeChat ID or mobile number",
    wechat_register_title: "Register for WeChat (simulated)",
    wxid: "WeChat ID",
    mobile: "Mobile number",
    nickname: "Nickname",
    pay_password: "Payment password",
    wxid_hint: "6–20 letters, digits, _ or -, starting with a letter",
    pay_password_hint: "6 digits, not all the same and not in a row",
    wechat_registered: "WeChat account registered. Please log in.",
    wechat_settings: "Settings",
    allow_third_party: "Allow third-party app authorization",
    allow_third_party_hint: "When off, third-party apps such as the wallet cannot log in or bind with WeChat.",
    authorization_management: "Authorization management",
    no_authorized_apps: "No authorized apps.",
    authorized_at: "Authorized",
    revoke_confirm: |app| format!("Revoke “{app}”? It will no longer be able to use your WeChat information."),
    consent_title: "WeChat authorization",
    consent_app: |app| format!("“{app}” asks to use your WeChat account"),
    consent_shares: "To get your public profile (nickname, avatar)",
    allow: "Allow",
    deny: "Deny",
    second_factor_title: "Second verification",
    second_factor_intro: |phone| format!("The first binding needs a second check: a code goes to {phone}; read it on the Phone."),
    open_wechat_settings: "Open WeChat settings",
    back_to_authorize: "Back to the authorization page",
    redirecting: "Returning to the wallet…",
    demo_wechat: "WeChat account (same real name: binds)",
    demo_wechat_mismatch: "WeChat account (different real name: practise “information mismatch”)",
    dev_title: "Developer console",
    dev_intro: "See simulated requests and responses, inject faults, move the clock, export or import data.",
    dev_log: "Request log",
    dev_log_empty: "No requests yet.",
    dev_request: "Request",
    dev_response: "Response",
    dev_faults: "Fault injection",
    dev_network_next: "Network failure on the next N requests",
    dev_busy_next: "System busy (-1) on the next N requests",
    dev_apply: "Apply",
    dev_latency: "Latency of every request (ms)",
    dev_faults_now: |n, b, l| format!("Now: {n} network failures, {b} system busy, {l} ms latency"),
    dev_clock: "Simulated clock",
    dev_clock_now: |t, mins| format!("Simulated time {t} ({mins} minutes ahead)"),
    dev_advance: |by| format!("Advance {by}"),
    dev_clock_reset: "Back to real time",
    dev_data: "Data",
    dev_export: "Export JSON",
    dev_import: "Import JSON",
    dev_imported: "Imported.",
    dev_reset: "Reset all data",
    dev_reset_confirm: "Erase all simulated data in this browser? This cannot be undone (export first).",
    dev_clear_log: "Clear log",
    dev_resend_notify: "Send the notification again",
    notified: |n| format!("Payment notification received {n} times, processed once"),

    storage_title: "Saved data cannot be read",
    storage_intro: "The wallet data saved in this browser cannot be read. Nothing has been deleted: export a copy first, then decide what to do.",
    storage_export: "Export the damaged data",
    storage_start_over: "Keep a copy and start over",
    storage_import: "Import a backup",
    offline_notice: "The browser is offline: the sandbox still works, but requests between the wallet, WeChat and merchants fail as network trouble does (see help “3.1 Network connection”). Once back online, press “Retry”.",
    update_ready: "A new version is available:",
    update_refresh: "Refresh",
    storage_kept_as: |key| format!("The damaged data was kept as {key}"),
    storage_unavailable: "Browser storage is unavailable (private mode, or disabled); nothing you do now will be saved.",
    storage_save_failed: "Saving failed: browser storage is full or unavailable, so the last change was not saved.",

    not_found_title: "Page not found",
    not_found_intro: "There is nothing at this address.",
    back_home: "Back to the start page",
};

/// An error as the user sees it: code, message, guidance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorText {
    pub code: &'static str,
    pub message: String,
    pub guidance: &'static str,
    /// What to do if the guidance does not help (see `UserError::last_resort`).
    pub last_resort: Option<&'static str>,
}

impl ErrorText {
    pub(crate) fn new(locale: Locale, error: &dyn UserError, message: String) -> Self {
        Self {
            code: error.code(),
            message,
            guidance: guidance(locale, error.guidance()),
            last_resort: error.last_resort().map(|g| guidance(locale, g)),
        }
    }
}

pub(crate) fn pick(locale: Locale, zh: &str, en: &str) -> String {
    match locale {
        Locale::ZhCn => zh.to_owned(),
        Locale::En => en.to_owned(),
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
        Guidance::CheckNetwork => (
            "请确保设备连接正常的网络，建议使用 Wi-Fi 连接后重试。若仍无效，请重启软件或设备，或联系客服并提供错误码。",
            "Make sure the device has a working network connection (Wi-Fi is suggested), then retry. If that fails, restart the app or device, or contact customer service quoting the error code.",
        ),
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
    match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
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
    }
}

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
        MoveError::NotBound => pick(
            locale,
            "钱包尚未绑定微信，请先绑定。",
            "The wallet is not bound to WeChat: bind it first.",
        ),
        MoveError::NotDebit => pick(
            locale,
            "提现只能到借记卡。",
            "Withdrawals can only go to a debit card.",
        ),
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
                movement_name(locale, *kind).to_lowercase()
            ),
        },
        MoveError::DailyLimit { kind, max, left } => match locale {
            Locale::ZhCn => format!(
                "超过{}每日限额 {max}，今日还可 {left}。",
                movement_name(locale, *kind)
            ),
            Locale::En => format!(
                "Above the daily {} limit of {max}; {left} left today.",
                movement_name(locale, *kind).to_lowercase()
            ),
        },
        MoveError::PayeeNotFound => pick(
            locale,
            "找不到该收款人：此手机号或邮箱未注册数字钱包。",
            "No wallet user has this mobile number or email.",
        ),
        MoveError::PayeeIsSelf => pick(
            locale,
            "不能转账给自己。",
            "You cannot transfer to yourself.",
        ),
        MoveError::BillAccount { biller } => match locale {
            Locale::ZhCn => format!("{}户号格式不正确。", biller_name(locale, *biller)),
            Locale::En => format!(
                "That is not a valid {} account number.",
                biller_name(locale, *biller).to_lowercase()
            ),
        },
        MoveError::NoteTooLong => pick(
            locale,
            "备注最多 30 个字。",
            "A note has at most 30 characters.",
        ),
        MoveError::KeyReused => pick(
            locale,
            "此次提交已用于另一笔交易，未重复执行。",
            "This submission was already used for another transaction; nothing was done.",
        ),
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

pub fn bind_error(
    locale: Locale,
    error: &BindError,
    clock: impl Fn(qianbao_core::Timestamp) -> String,
) -> ErrorText {
    let message = match error {
        BindError::WeChat(e) => return wechat_error(locale, e, clock),
        BindError::Account(e) => return account_error(locale, e, clock),
        BindError::AlreadyBound => pick(locale, "钱包已绑定微信。", "The wallet is already bound to WeChat."),
        BindError::NotBound => pick(locale, "钱包尚未绑定微信。", "The wallet is not bound to WeChat."),
        BindError::NotAuthorizing => pick(locale, "没有正在进行的绑定。", "No binding is in progress."),
        BindError::ForgedState => pick(
            locale,
            "绑定请求校验失败（state 不一致），可能是伪造的请求，已拒绝。",
            "The binding callback failed its check (state mismatch) and may be forged; it was refused.",
        ),
        BindError::Denied => pick(locale, "你在微信中拒绝了授权，绑定已取消。", "You declined in WeChat; the binding was cancelled."),
        BindError::Mismatch => pick(
            locale,
            "信息不匹配：微信账号的实名信息与数字钱包账户不一致。",
            "Information mismatch: the WeChat account's real name does not match the wallet account's.",
        ),
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
        WeChatError::InvalidAppId => pick(
            locale,
            "无效的 appid：该应用未在微信注册。",
            "Invalid appid: the app is not registered with WeChat.",
        ),
        WeChatError::RedirectDomain => pick(
            locale,
            "redirect_uri 域名与后台配置不一致。",
            "The redirect_uri domain does not match the app's registered domain.",
        ),
        WeChatError::Scope => pick(
            locale,
            "授权参数错误（response_type 或 scope）。",
            "Wrong authorization parameters (response_type or scope).",
        ),
        WeChatError::InvalidCode => pick(
            locale,
            "授权码无效或已过期（有效期 5 分钟）。",
            "The authorization code is invalid or expired (codes last 5 minutes).",
        ),
        WeChatError::CodeUsed => pick(
            locale,
            "授权码已被使用过。",
            "The authorization code was already used.",
        ),
        WeChatError::InvalidToken => pick(
            locale,
            "access_token 无效。",
            "The access_token is invalid.",
        ),
        WeChatError::TokenExpired => pick(
            locale,
            "access_token 已过期。",
            "The access_token has expired.",
        ),
        WeChatError::InvalidRefresh => pick(
            locale,
            "refresh_token 无效。",
            "The refresh_token is invalid.",
        ),
        WeChatError::RefreshExpired => pick(
            locale,
            "授权已过期（refresh_token 30 天）。",
            "The authorization has expired (refresh_token, 30 days).",
        ),
        WeChatError::Unauthorized => pick(
            locale,
            "用户已在微信中取消授权。",
            "The user revoked the authorization in WeChat.",
        ),
        WeChatError::SystemBusy => pick(
            locale,
            "微信系统繁忙，请稍后再试。",
            "WeChat is busy; try again later.",
        ),
        WeChatError::Network => pick(
            locale,
            "网络连接失败，无法连接微信。",
            "The network request to WeChat failed.",
        ),
        WeChatError::ThirdPartyOff => pick(
            locale,
            "微信设置中未允许第三方应用授权。",
            "Third-party app authorization is not allowed in WeChat's settings.",
        ),
        WeChatError::NotLoggedIn => pick(locale, "请先登录微信。", "Log in to WeChat first."),
        WeChatError::IdEmpty => pick(
            locale,
            "请输入微信号或手机号。",
            "Enter your WeChat ID or mobile number.",
        ),
        WeChatError::PasswordEmpty => pick(locale, "请输入微信密码。", "Enter your WeChat password."),
        WeChatError::NoSuchAccount => pick(
            locale,
            "该微信号或手机号未注册微信。",
            "No WeChat account uses this ID or number.",
        ),
        WeChatError::WrongPassword { remaining } => match locale {
            Locale::ZhCn => format!("微信密码错误，还可以尝试 {remaining} 次，之后账号将锁定 15 分钟。"),
            Locale::En => format!("Wrong WeChat password. {remaining} more attempts before the account locks for 15 minutes."),
        },
        WeChatError::LoginLocked { until } => match locale {
            Locale::ZhCn => format!("微信密码连续输错 5 次，账号已锁定至 {}。", clock(*until)),
            Locale::En => format!("5 wrong WeChat passwords in a row: the account is locked until {}.", clock(*until)),
        },
        WeChatError::WxIdInvalid => pick(
            locale,
            "微信号格式不正确。",
            "That is not a valid WeChat ID.",
        ),
        WeChatError::Taken => pick(
            locale,
            "该微信号或手机号已被注册。",
            "This WeChat ID or number is taken.",
        ),
        WeChatError::NicknameInvalid => pick(
            locale,
            "昵称为 1–16 个字符。",
            "A nickname has 1–16 characters.",
        ),
        WeChatError::PayPasswordInvalid => pick(
            locale,
            "支付密码须为 6 位数字，不能全部相同或连续。",
            "A payment password has 6 digits, not all the same and not in a row.",
        ),
    };
    ErrorText::new(locale, error, message)
}

/// What an error code in the request log means, in words.
pub fn code_meaning(locale: Locale, code: &str) -> Option<String> {
    let error = WeChatError::from_api_code(code)?;
    // None of these carries a time.
    Some(wechat_error(locale, &error, |_| String::new()).message)
}

/// How the developer console names an endpoint.
pub fn endpoint(endpoint: Endpoint) -> String {
    format!("GET {}", endpoint.path())
}

/// A fault plan the console refused: the field, as labelled, and its range.
pub fn faults_error(locale: Locale, error: &FaultsError) -> ErrorText {
    let FaultsError::OutOfRange { field } = error;
    let t = locale.text();
    let label = match field {
        FaultField::Network => t.dev_network_next,
        FaultField::Busy => t.dev_busy_next,
        FaultField::Latency => t.dev_latency,
    };
    let max = grouped(field.max());
    let message = match locale {
        Locale::ZhCn => format!("「{label}」须为 0 到 {max} 的整数，未做任何更改。"),
        Locale::En => {
            format!("“{label}” takes a whole number from 0 to {max}; nothing was changed.")
        }
    };
    ErrorText::new(locale, error, message)
}

/// `10000` as `10,000`.
fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        PayError::Cart => pick(
            locale,
            "购物车为空或含有未知商品。",
            "The cart is empty or holds an unknown product.",
        ),
        PayError::NoSuchOrder => pick(locale, "订单不存在。", "No such order."),
        PayError::OrderPaid => pick(
            locale,
            "该订单已支付，请勿重复付款。",
            "This order is already paid; nothing was charged again.",
        ),
        PayError::OrderClosed => pick(
            locale,
            "订单已关闭或已超过支付时限。",
            "The order is closed or its time to pay has passed.",
        ),
        PayError::NotEnough { balance } => match locale {
            Locale::ZhCn => format!("数字钱包余额不足（余额 {balance}）。"),
            Locale::En => format!("Not enough in the digital wallet (balance {balance})."),
        },
        PayError::ChangeNotEnough { balance } => match locale {
            Locale::ZhCn => format!("微信零钱余额不足（零钱 {balance}）。"),
            Locale::En => format!("Not enough WeChat Change (balance {balance})."),
        },
        PayError::PayPasswordEmpty => pick(
            locale,
            "请输入 6 位支付密码。",
            "Enter your 6-digit payment password.",
        ),
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
        PayError::MethodUnavailable => pick(
            locale,
            "该支付方式不可用（钱包未绑定或已解除绑定）。",
            "This payment method is not available (the wallet is not bound).",
        ),
        PayError::NeedsConfirmation => pick(
            locale,
            "该商家要求数字钱包再次确认支付信息。",
            "This merchant asks the wallet to confirm the payment again.",
        ),
        PayError::NotPaid => pick(
            locale,
            "订单未支付，无法退款。",
            "The order is not paid, so nothing can be refunded.",
        ),
        PayError::RefundTooMuch { left } => match locale {
            Locale::ZhCn => format!("退款金额超过可退金额（可退 {left}）。"),
            Locale::En => format!("More than what is left to refund ({left})."),
        },
        PayError::TooManyRefunds => pick(
            locale,
            "每笔订单最多退款 50 次。",
            "An order can be refunded at most 50 times.",
        ),
        PayError::RefundNoReused => pick(
            locale,
            "退款单号已用于另一笔金额。",
            "This refund number was already used for another amount.",
        ),
        PayError::NotAPayCode => pick(
            locale,
            "这不是本站的微信支付订单二维码。",
            "That is not a WeChat Pay order code of this site.",
        ),
        PayError::BadNumber => pick(
            locale,
            "单号格式不正确（6–32 位字母、数字或 _-|*）。",
            "A number has 6–32 letters, digits or _-|*.",
        ),
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

pub fn money_error(locale: Locale, error: &MoneyError) -> ErrorText {
    let message = match error {
        MoneyError::Empty => pick(locale, "请输入金额。", "Please enter an amount."),
        MoneyError::Negative => pick(locale, "金额不能为负数。", "An amount cannot be negative."),
        MoneyError::TooManyDecimals => pick(
            locale,
            "金额最多两位小数（精确到分）。",
            "At most two decimal places (fen).",
        ),
        MoneyError::Exponent => pick(
            locale,
            "请直接输入金额，不要使用科学计数法。",
            "Type the amount itself, not exponent notation.",
        ),
        MoneyError::Invalid => pick(locale, "金额格式不正确。", "That is not an amount."),
        MoneyError::TooLarge => pick(locale, "金额过大。", "That amount is too large."),
        MoneyError::NotPositive => pick(
            locale,
            "金额须大于 0。",
            "The amount must be greater than zero.",
        ),
        MoneyError::Overflow => pick(locale, "金额计算溢出。", "The amount is out of range."),
    };
    ErrorText::new(locale, error, message)
}

pub fn card_error(locale: Locale, error: &CardError) -> ErrorText {
    let message = match error {
        CardError::NumberLength => pick(
            locale,
            "卡号应为 16–19 位数字。",
            "A card number has 16–19 digits.",
        ),
        CardError::Luhn => pick(
            locale,
            "卡号有误（校验位不符），请核对。",
            "The card number is mistyped (check digit).",
        ),
        CardError::UnknownBank => pick(
            locale,
            "暂不支持该银行的卡。",
            "Cards of this bank are not supported.",
        ),
        CardError::HolderMismatch => pick(
            locale,
            "持卡人与账户实名不一致。",
            "The card holder does not match the account's real name.",
        ),
        CardError::ExpiryFormat => pick(
            locale,
            "有效期格式应为 月/年，如 12/30。",
            "Expiry must look like MM/YY, e.g. 12/30.",
        ),
        CardError::Expired => pick(locale, "该卡已过期。", "This card has expired."),
        CardError::Cvv => pick(
            locale,
            "安全码应为 3 位数字。",
            "The security code has 3 digits.",
        ),
        CardError::Duplicate => pick(
            locale,
            "这张卡已经添加过了。",
            "This card is already added.",
        ),
        CardError::NotFound => pick(
            locale,
            "找不到这张银行卡。",
            "That card is not in your wallet.",
        ),
    };
    ErrorText::new(locale, error, message)
}

pub fn ledger_error(locale: Locale, error: &LedgerError) -> ErrorText {
    let message = pick(
        locale,
        "账本拒绝了这笔交易，未做任何更改。",
        "The ledger refused this transaction; nothing changed.",
    );
    ErrorText::new(locale, error, message)
}

pub fn movement_name(locale: Locale, kind: MovementKind) -> &'static str {
    let t = locale.text();
    match kind {
        MovementKind::TopUp => t.top_up,
        MovementKind::Withdraw => t.withdraw,
        MovementKind::Transfer => t.transfer,
        MovementKind::Bill => t.pay_bills,
        MovementKind::ToWeChat => t.to_wechat_change,
        MovementKind::Payment => t.wechat_pay,
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
        } => {
            let shop = merchant.merchant();
            let name = match locale {
                Locale::ZhCn => shop.name_zh,
                Locale::En => shop.name_en,
            };
            format!(
                "{name} · {} · {out_trade_no}",
                category_name(locale, shop.category)
            )
        }
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
        AccountError::AlreadyRegistered => pick(locale, "该手机号或邮箱已注册。", "This number or address is already registered."),
        AccountError::NotRegistered => pick(locale, "该手机号或邮箱尚未注册。", "No wallet account uses this number or address."),
        AccountError::PasswordEmpty => pick(locale, "请输入密码。", "Enter your password."),
        AccountError::WrongPassword { remaining } => match locale {
            Locale::ZhCn => format!("密码错误，还可以尝试 {remaining} 次，之后账户将锁定 15 分钟。"),
            Locale::En => format!("Wrong password. {remaining} more attempts before the account locks for 15 minutes."),
        },
        AccountError::Locked { until } => match locale {
            Locale::ZhCn => format!("密码或动态码连续输错 5 次，账户已锁定至 {}。", clock(*until)),
            Locale::En => format!("5 wrong passwords or codes in a row: the account is locked until {}.", clock(*until)),
        },
        AccountError::NotSignedIn => pick(locale, "当前没有登录的账户。", "Nobody is logged in."),
        AccountError::SecondFactor(e) => match e {
            TotpError::Malformed => pick(
                locale,
                "请输入 6 位数字动态码，或 16 位恢复码（如 ABCD-EFGH-JKLM-NPQR）。",
                "Type the 6-digit code, or a 16-character recovery code (like ABCD-EFGH-JKLM-NPQR).",
            ),
            TotpError::Wrong => pick(locale, "动态码不正确。", "The code is wrong."),
            TotpError::Reused => pick(locale, "该动态码或恢复码已经用过。", "This code or recovery code was already used."),
            TotpError::NotEnabled => pick(locale, "两步验证尚未开启。", "Two-step verification is not on."),
            TotpError::AlreadyEnabled => pick(locale, "两步验证已经开启。", "Two-step verification is already on."),
            TotpError::NoSetup => pick(locale, "请先点击「开启两步验证」。", "Press “Turn on two-step verification” first."),
            TotpError::Expired => pick(locale, "输入动态码超过 5 分钟，请重新登录。", "More than 5 minutes passed before the code: log in again."),
        },
        AccountError::PasswordsDiffer => pick(locale, "两次输入的新密码不一致。", "The two new passwords differ."),
        AccountError::SamePassword => pick(locale, "新密码不能与原密码相同。", "The new password must differ from the current one."),
        AccountError::WrongCode { remaining } => match locale {
            Locale::ZhCn => format!("动态码不正确，还可以尝试 {remaining} 次，之后账户将锁定 15 分钟。"),
            Locale::En => format!("Wrong code. {remaining} more attempts before the account locks for 15 minutes."),
        },
    };
    ErrorText::new(locale, error, message)
}

pub fn identity_error(locale: Locale, error: &IdentityError) -> ErrorText {
    let message = match error {
        IdentityError::Empty => pick(locale, "请填写此项。", "Please fill this in."),
        IdentityError::NameEmpty => {
            pick(locale, "请填写真实姓名。", "Please enter your real name.")
        }
        IdentityError::PhoneInvalid => pick(
            locale,
            "手机号格式不正确。",
            "That is not a valid mobile number.",
        ),
        IdentityError::EmailInvalid => pick(
            locale,
            "邮箱地址格式不正确。",
            "That is not a valid email address.",
        ),
        IdentityError::NameInvalid => pick(
            locale,
            "真实姓名应为 2–30 个汉字或英文字母，不含数字和符号。",
            "A real name is 2–30 Chinese characters or Latin letters, without digits or symbols.",
        ),
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
        PasswordError::NeedsLettersAndDigits => pick(
            locale,
            "密码须同时包含字母和数字。",
            "A password needs both letters and digits.",
        ),
        PasswordError::ControlCharacter => pick(
            locale,
            "密码不能包含控制字符。",
            "A password may not contain control characters.",
        ),
        PasswordError::Common => pick(
            locale,
            "这是常见的泄露密码，很容易被猜到。",
            "This is a commonly leaked password and easy to guess.",
        ),
        PasswordError::ContainsPhone => pick(
            locale,
            "密码不能包含手机号。",
            "A password may not contain the phone number.",
        ),
        PasswordError::ContainsEmail => pick(
            locale,
            "密码不能包含邮箱用户名。",
            "A password may not contain the email name.",
        ),
    };
    ErrorText::new(locale, error, message)
}

pub fn verify_error(locale: Locale, error: &VerifyError) -> ErrorText {
    let message = match error {
        VerifyError::Format => pick(
            locale,
            "验证码为 6 位数字。",
            "A verification code has 6 digits.",
        ),
        VerifyError::NotRequested => pick(locale, "请先获取验证码。", "Request a code first."),
        VerifyError::Expired => pick(
            locale,
            "验证码已过期（有效期 5 分钟）。",
            "The code has expired (codes last 5 minutes).",
        ),
        VerifyError::Wrong { remaining } => match locale {
            Locale::ZhCn => format!("验证码错误，还可以尝试 {remaining} 次。"),
            Locale::En => format!("Wrong code. {remaining} attempts left."),
        },
        VerifyError::Exhausted => pick(
            locale,
            "验证码错误次数过多，该验证码已失效。",
            "Too many wrong codes: this code no longer works.",
        ),
        VerifyError::ResendTooSoon { seconds } => match locale {
            Locale::ZhCn => format!("发送太频繁，请 {seconds} 秒后再获取。"),
            Locale::En => format!("Too soon: you can ask for a new code in {seconds} s."),
        },
    };
    ErrorText::new(locale, error, message)
}

pub fn import_error(locale: Locale, error: &ImportError) -> ErrorText {
    let message = match error {
        ImportError::Empty => pick(locale, "所选文件是空的，没有导入任何内容。", "The chosen file is empty: nothing was imported."),
        ImportError::NotAnExport => pick(
            locale,
            "所选文件不是本沙盒导出的数据（不是完整的导出文件），没有导入任何内容。",
            "The chosen file is not a (whole) export of this sandbox: nothing was imported.",
        ),
        ImportError::Damaged(_) => pick(
            locale,
            "所选的导出文件已损坏或被改动，没有导入任何内容。",
            "The chosen export is damaged or was altered: nothing was imported.",
        ),
        ImportError::OtherKey => pick(
            locale,
            "所选的导出文件属于另一个钱包（用另一把密钥加密），没有导入任何内容。",
            "The chosen export belongs to another wallet (encrypted with another key): nothing was imported.",
        ),
    };
    ErrorText::new(locale, error, message)
}

pub fn state_error(locale: Locale, error: &StateError) -> ErrorText {
    let message = match error {
        StateError::Corrupt { .. } => pick(locale, "保存的数据已损坏或被改动。", "The saved data is damaged or was altered."),
        StateError::TooNew { found } => match locale {
            Locale::ZhCn => format!("保存的数据来自更新版本的应用（数据版本 {found}），当前版本无法读取。"),
            Locale::En => format!("The saved data comes from a newer version of the app (data version {found}) and cannot be read by this one."),
        },
        StateError::Unwritable { .. } => pick(locale, "数据无法保存。", "The data could not be saved."),
        StateError::Full => pick(
            locale,
            "浏览器存储空间已满，这次操作没有执行，已保存的数据没有丢失。",
            "Browser storage is full: this was not done, and nothing saved before was lost.",
        ),
        StateError::Conflict => pick(
            locale,
            "另一个标签页正在同时修改钱包数据，这次操作没有执行。",
            "Another tab kept changing the wallet's data at the same moment: this was not done.",
        ),
        StateError::Stale { .. } => pick(
            locale,
            "保存的数据前后不一致：有一部分来自较旧的副本，会让较新的记录丢失。",
            "The saved data does not fit together: part of it comes from an older copy, which would lose newer records.",
        ),
        StateError::Missing { .. } => pick(
            locale,
            "保存的数据缺了一部分（主记录或某段交易记录已被删除）。",
            "Part of the saved data is missing (the main record or part of the history was deleted).",
        ),
        StateError::Foreign { .. } => pick(
            locale,
            "保存的数据里混入了不属于这个钱包（或不在原位置）的部分。",
            "The saved data contains a part that belongs to another wallet (or to another place).",
        ),
        StateError::NoRandomness => pick(
            locale,
            "此浏览器不支持安全随机数（Web Crypto），无法进行此操作。",
            "This browser has no secure randomness (Web Crypto), so this cannot be done.",
        ),
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

/// A message in the phone inbox, worded as the phone shows it.
pub fn message_text(locale: Locale, message: &Message) -> String {
    let sender = match (locale, message.from) {
        (Locale::ZhCn, Sender::Wallet) => "【数字钱包】",
        (Locale::En, Sender::Wallet) => "[Digital Wallet] ",
        (Locale::ZhCn, Sender::WeChat) => "【微信】",
        (Locale::En, Sender::WeChat) => "[WeChat] ",
    };
    match &message.body {
        Body::VerificationCode { code, purpose } => {
            let what = match (locale, purpose) {
                (Locale::ZhCn, Purpose::Register) => "注册",
                (Locale::En, Purpose::Register) => "registration",
                (Locale::ZhCn, Purpose::WeChatBind) => "授权绑定",
                (Locale::En, Purpose::WeChatBind) => "authorization",
            };
            match locale {
                Locale::ZhCn => format!("{sender}您的{what}验证码是 {code}，5 分钟内有效。请勿将验证码告诉他人。"),
                Locale::En => format!("{sender}Your {what} code is {code}, valid for 5 minutes. Never share it with anyone."),
            }
        }
    }
}

pub fn channel(locale: Locale, channel: Channel) -> &'static str {
    match (locale, channel) {
        (Locale::ZhCn, Channel::Sms) => "短信",
        (Locale::ZhCn, Channel::Email) => "邮件",
        (Locale::En, Channel::Sms) => "SMS",
        (Locale::En, Channel::Email) => "Email",
    }
}
