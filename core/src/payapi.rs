//! WeChat Pay API v3 for merchants registered with the sandbox server
//! (`qianbao-sandbox`): who may call it, and what each call does to the
//! same [`State`] the cashier pays from — as WeChat Pay documents it, with
//! its field names, states and error codes. No HTTP and no cryptography
//! here: the server checks signatures and moves bytes; every answer is
//! decided by the functions below.
//!
//! A registered merchant's orders are ordinary [`Order`]s with an
//! [`ApiOrder`] beside them (its app, notify URL, `attach`), so the cashier,
//! the ledger, refunds and the console treat them like the demo stores'.
//!
//! Errors are [`ApiError`], one variant per WeChat Pay code, with its HTTP status and a
//! `message` in WeChat's words. A refused call changes nothing.

mod bill;
mod bridge;
mod check;
mod error;
mod h5;
mod helpers;
mod refund;

pub use bill::{BillAsk, BillType};
pub use bridge::{BrandPayRequest, BridgeError};
pub use check::{CheckReport, Probe, ProbeResult};
pub use error::{ApiError, Invalid, Resource, SignProblem};
pub use h5::{h5_url, prepay_cashier_url, H5InfoIn, H5OrderCreated, SceneInfoIn, H5_TYPES};
pub use helpers::{HelperPaid, HelperPayRequest, MerchantFaults, PersonRequest, TestPerson};
pub use refund::{
    RefundAmountIn, RefundAmountOut, RefundRequest, RefundResource, RefundResourceAmount,
    RefundView,
};

use crate::merchant::{Mchid, MerchantId};
use crate::money::Fen;
use crate::order::{prepay_id, OrderEvent};
use crate::payment::{valid_out_trade_no, Order, OrderState};
use crate::sim::Endpoint;
use crate::state::State;
use crate::time::{parse_rfc3339, rfc3339_cst, Timestamp};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long a native order waits for payment when the merchant sets no
/// `time_expire` (WeChat's `code_url` lives two hours).
pub const DEFAULT_ORDER_LIFETIME: Duration = Duration::from_secs(2 * 3600);
/// The most one order may ask for: ¥1,000,000.
pub const MAX_TOTAL: i64 = 100_000_000;
/// Merchants one sandbox holds.
pub const MAX_MERCHANTS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 127;
pub const MAX_ATTACH_CHARS: usize = 128;
pub const MAX_URL_CHARS: usize = 255;
pub const MAX_NAME_CHARS: usize = 32;

/// A merchant (and its app) registered with the sandbox: what WeChat Pay
/// knows of it that is not secret. Its keys stay with the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredMerchant {
    pub mchid: Mchid,
    pub appid: String,
    pub name: String,
    /// Where payment notifications go unless an order names another URL.
    pub notify_url: String,
    /// The host (and port) 网页授权 may redirect to.
    pub redirect_domain: String,
    pub registered_at: Timestamp,
    /// Faults its own next calls meet (a test helper sets them), before
    /// the console's, which every merchant's calls meet.
    #[serde(default, skip_serializing_if = "MerchantFaults::is_none")]
    pub faults: MerchantFaults,
}

/// Why a registration was refused (said to the developer who ran
/// `merchant add`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("the name must have 1 to {MAX_NAME_CHARS} characters")]
    Name,
    #[error("the notify URL must be an http:// or https:// URL with a host, at most {MAX_URL_CHARS} characters, without a fragment")]
    NotifyUrl,
    #[error("the redirect domain must be a host name or address, with an optional :port")]
    RedirectDomain,
    #[error("this sandbox already holds {MAX_MERCHANTS} merchants")]
    Full,
}

impl RegisterError {
    /// Which field was refused, as the console's form names it.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::NotifyUrl => "notify_url",
            Self::RedirectDomain => "redirect_domain",
            Self::Full => "full",
        }
    }
}

/// How an order is paid: a QR code (`code_url`), inside WeChat
/// (`prepay_id`), or from a phone's browser (H5: `h5_url`, WeChat's
/// `MWEB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeType {
    Native,
    Jsapi,
    Mweb,
}

/// What a registered merchant's order carries beyond an [`Order`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOrder {
    pub appid: String,
    pub trade_type: TradeType,
    pub notify_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// The `time_expire` the merchant sent, as sent (`None`: the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<String>,
    /// Each payment notification sent, with the merchant's answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<NotifyAttempt>,
    /// When the merchant acknowledged the notification (200 or 204).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<Timestamp>,
    /// JSAPI: the openid (for `appid`) of the one WeChat user who may pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_openid: Option<String>,
}

/// One payment notification sent to the merchant's `notify_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyAttempt {
    pub at: Timestamp,
    /// The HTTP status answered; `None` when nothing answered.
    pub status: Option<u16>,
    /// The start of what the merchant answered (or why nothing did).
    pub answer: String,
}

/// WeChat Pay's notification schedule: after a first attempt that is not
/// acknowledged, it tries again after these waits (15 s, 15 s, 30 s, 3 min,
/// 10 min, 20 min, 30 min ×3, 60 min, 3 h ×3, 6 h ×2), then gives up.
/// The sandbox's time is the console's, so moving its clock on brings the
/// next attempt.
pub const NOTIFY_RETRIES: [Duration; 15] = [
    Duration::from_secs(15),
    Duration::from_secs(15),
    Duration::from_secs(30),
    Duration::from_secs(3 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(20 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(3 * 3600),
    Duration::from_secs(3 * 3600),
    Duration::from_secs(3 * 3600),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(6 * 3600),
];
/// The most of a merchant's answer kept with an attempt.
pub const MAX_ANSWER_CHARS: usize = 200;

/// A notification to send now: a payment's or a refund's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotification {
    pub mchid: Mchid,
    pub out_trade_no: String,
    pub url: String,
    /// The notification's id (`EV-…`): the same for every attempt.
    pub id: String,
    /// Its `create_time`: when the payment succeeded (the refund ended).
    pub create_time: String,
    /// What it tells, before encryption.
    pub event: NoticeEvent,
    /// 1 for the first attempt.
    pub attempt: usize,
}

/// What a notification tells: its `resource`, and the names around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeEvent {
    /// `TRANSACTION.SUCCESS`.
    Transaction(Transaction),
    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`.
    Refund(RefundResource),
}

impl NoticeEvent {
    /// `event_type`, `summary`, and the resource's `original_type` (also
    /// its `associated_data`).
    pub fn names(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            NoticeEvent::Transaction(_) => ("TRANSACTION.SUCCESS", "支付成功", "transaction"),
            NoticeEvent::Refund(r) => {
                let (event, summary) = crate::order::RefundStatus::parse(r.refund_status)
                    .and_then(|s| s.event())
                    .unwrap_or(("REFUND.SUCCESS", "退款成功"));
                (event, summary, "refund")
            }
        }
    }

    /// The refund it tells of, if it is a refund's.
    pub fn out_refund_no(&self) -> Option<&str> {
        match self {
            NoticeEvent::Transaction(_) => None,
            NoticeEvent::Refund(r) => Some(&r.out_refund_no),
        }
    }
}

/// `amount` of a request: fen, and the currency (only `CNY`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AmountIn {
    pub total: Option<i64>,
    pub currency: Option<String>,
}

/// `payer` of a JSAPI order: who must pay it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PayerIn {
    pub openid: Option<String>,
}

/// The body of `POST /v3/pay/transactions/native` (and `/jsapi`, with
/// `payer`; `/h5`, with `scene_info`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NativeOrderRequest {
    pub appid: Option<String>,
    pub mchid: Option<String>,
    pub description: Option<String>,
    pub out_trade_no: Option<String>,
    pub time_expire: Option<String>,
    pub attach: Option<String>,
    pub notify_url: Option<String>,
    pub amount: Option<AmountIn>,
    /// JSAPI only: the WeChat user (openid for `appid`) who pays.
    #[serde(default)]
    pub payer: Option<PayerIn>,
    /// Required for H5: the payer's IP and where the page runs.
    #[serde(default)]
    pub scene_info: Option<SceneInfoIn>,
}

/// `{"prepay_id": …}`: what a JSAPI order is paid with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsapiOrderCreated {
    pub prepay_id: String,
}

/// `{"code_url": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeOrderCreated {
    pub code_url: String,
}

/// `amount` of an order as WeChat Pay reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmountOut {
    pub total: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<i64>,
    pub currency: &'static str,
    pub payer_currency: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payer {
    pub openid: String,
}

/// An order as the query endpoints (and the payment notification) show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    pub appid: String,
    pub mchid: String,
    pub out_trade_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    pub trade_type: TradeType,
    pub trade_state: &'static str,
    pub trade_state_desc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_type: Option<&'static str>,
    pub attach: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
    pub amount: AmountOut,
}

/// Whether `url` is an http(s) URL with a host, short enough, without a
/// fragment or whitespace.
fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?']).next().unwrap_or(""));
    url.chars().count() <= MAX_URL_CHARS
        && !url.contains('#')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && host.is_some_and(valid_domain)
}

/// A host name or IPv4 address, with an optional `:port`.
pub fn valid_domain(text: &str) -> bool {
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (text, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    port_ok && !host.is_empty() && host.len() <= 253 && host.split('.').all(label_ok)
}

/// What a registration form must hold (checked again when registering).
pub fn check_registration(
    name: &str,
    notify_url: &str,
    redirect_domain: &str,
) -> Result<(), RegisterError> {
    let name = name.trim();
    if name.is_empty() || !chars_within(name, MAX_NAME_CHARS) || name.chars().any(char::is_control)
    {
        return Err(RegisterError::Name);
    }
    if !valid_url(notify_url) {
        return Err(RegisterError::NotifyUrl);
    }
    if !valid_domain(redirect_domain) {
        return Err(RegisterError::RedirectDomain);
    }
    Ok(())
}

fn chars_within(text: &str, max: usize) -> bool {
    text.chars().count() <= max
}

/// API v3 takes the characters UTF-8 writes in one to three bytes: none
/// from the supplementary planes (an emoji, say).
fn v3_characters(text: &str) -> bool {
    text.chars().all(|c| c.len_utf8() <= 3)
}

/// `field` holds a character API v3 does not take.
fn not_v3_characters(field: &str) -> ApiError {
    ApiError::param(format!(
        "{field} 含有 API v3 不支持的字符（UTF-8 四字节字符，如 emoji）"
    ))
}

impl State {
    /// The merchants registered with the sandbox server, oldest first.
    pub fn registered_merchants(&self) -> &[RegisteredMerchant] {
        &self.registered
    }

    pub fn registered_merchant(&self, mchid: Mchid) -> Option<&RegisteredMerchant> {
        self.registered.iter().find(|m| m.mchid == mchid)
    }

    /// A merchant's name in zh-CN and English: a demo store's two, a
    /// registered merchant's own (twice).
    pub fn merchant_names(&self, id: MerchantId) -> Option<(String, String)> {
        match id {
            MerchantId::Registered(mchid) => self
                .registered_merchant(mchid)
                .map(|m| (m.name.clone(), m.name.clone())),
            demo => demo
                .demo()
                .map(|m| (m.name_zh.to_owned(), m.name_en.to_owned())),
        }
    }

    /// `qianbao-sandbox merchant add`: a new 商户号 (`19` and eight random
    /// digits) with its app (`wx` and 16 hex digits).
    pub fn register_merchant(
        &mut self,
        name: &str,
        notify_url: &str,
        redirect_domain: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<RegisteredMerchant, RegisterError> {
        check_registration(name, notify_url, redirect_domain)?;
        let name = name.trim();
        if self.registered.len() >= MAX_MERCHANTS {
            return Err(RegisterError::Full);
        }
        // A random serial, moved on past any number already taken.
        let mut serial = rng.next_u32() % 100_000_000;
        let mchid = loop {
            let candidate = Mchid::parse(&format!("19{serial:08}"));
            match candidate {
                Some(m) if self.registered_merchant(m).is_none() => break m,
                _ => serial = (serial + 1) % 100_000_000,
            }
        };
        let mut app = [0u8; 8];
        rng.fill_bytes(&mut app);
        let merchant = RegisteredMerchant {
            mchid,
            appid: format!("wx{}", crate::hex::encode(&app)),
            name: name.to_owned(),
            notify_url: notify_url.to_owned(),
            redirect_domain: redirect_domain.to_ascii_lowercase(),
            registered_at: now,
            faults: MerchantFaults::default(),
        };
        self.wechat.register_app(crate::wechat::App {
            appid: merchant.appid.clone().into(),
            name_zh: merchant.name.clone().into(),
            name_en: merchant.name.clone().into(),
            redirect_domain: Some(merchant.redirect_domain.clone().into()),
        });
        self.registered.push(merchant.clone());
        Ok(merchant)
    }

    /// A call on its way meets the console's fault plan first, as every
    /// request between the worlds does: one that does not get through is
    /// logged and changes nothing else.
    fn api_fault(
        &mut self,
        now: Timestamp,
        endpoint: Endpoint,
        signer: Mchid,
    ) -> Result<(), ApiError> {
        let own = self
            .registered
            .iter_mut()
            .find(|m| m.mchid == signer)
            .and_then(|m| m.faults.take());
        if let Some(error) = own {
            let fields = vec![
                ("mchid".to_owned(), signer.to_string()),
                ("fault".to_owned(), "test-helpers/faults".to_owned()),
            ];
            let answer = vec![("code".to_owned(), error.code().to_owned())];
            self.sim
                .record(now, endpoint, fields, answer, Some(error.code().to_owned()));
            return Err(error);
        }
        let fault = if self.sim.take_network_fault() {
            crate::sim::Fault::Network
        } else if self.sim.take_limited() {
            let fields = vec![("mchid".to_owned(), signer.to_string())];
            let answer = vec![("code".to_owned(), "FREQUENCY_LIMITED".to_owned())];
            let code = Some("FREQUENCY_LIMITED".to_owned());
            self.sim.record(now, endpoint, fields, answer, code);
            return Err(ApiError::FrequencyLimited);
        } else if self.sim.take_busy_fault() {
            crate::sim::Fault::Busy
        } else {
            return Ok(());
        };
        let error = crate::wechat::WeChatError::from(fault);
        let fields = vec![("mchid".to_owned(), signer.to_string())];
        self.sim.record_failure(now, endpoint, fields, &error);
        Err(match error {
            crate::wechat::WeChatError::Network => ApiError::Unreachable,
            _ => ApiError::System,
        })
    }

    /// The registered merchant a call is signed by, checked against the
    /// `mchid` its body or query names.
    fn caller(&self, signer: Mchid, named: Option<&str>) -> Result<&RegisteredMerchant, ApiError> {
        let merchant = self
            .registered_merchant(signer)
            .ok_or(ApiError::MchNotExists)?;
        match named {
            None => Err(ApiError::required("mchid")),
            Some(named) if named == signer.to_string() => Ok(merchant),
            Some(_) => Err(ApiError::param("mchid 与签名的商户号不一致")),
        }
    }

    /// `POST /v3/pay/transactions/native`, signed by `signer`. The same
    /// request again returns the same `code_url`; the same `out_trade_no`
    /// with anything else changed is `OUT_TRADE_NO_USED`.
    pub fn api_native_order(
        &mut self,
        signer: Mchid,
        request: &NativeOrderRequest,
        site: &crate::binding::Site,
        now: Timestamp,
    ) -> Result<NativeOrderCreated, ApiError> {
        self.api_order_create(signer, TradeType::Native, request, now)?;
        let id = MerchantId::Registered(signer);
        let no = request.out_trade_no.as_deref().unwrap_or_default();
        Ok(NativeOrderCreated {
            code_url: crate::payment::pay_link(site, id, no),
        })
    }

    /// `POST /v3/pay/transactions/jsapi`: as native, for the one WeChat user
    /// `payer.openid` names (an openid of this app), paid at the cashier
    /// opened with the `prepay_id`.
    pub fn api_jsapi_order(
        &mut self,
        signer: Mchid,
        request: &NativeOrderRequest,
        now: Timestamp,
    ) -> Result<JsapiOrderCreated, ApiError> {
        self.api_order_create(signer, TradeType::Jsapi, request, now)?;
        let no = request.out_trade_no.as_deref().unwrap_or_default();
        Ok(JsapiOrderCreated {
            prepay_id: prepay_id(signer, no),
        })
    }

    /// The order a JSAPI `prepay_id` stands for.
    pub fn order_by_prepay_id(&self, prepay_id: &str) -> Option<(MerchantId, String)> {
        self.orders
            .by_prepay_id(prepay_id)
            .map(|o| (o.merchant, o.out_trade_no.clone()))
    }

    /// Whether the logged-in WeChat user may pay `order` (a JSAPI order is
    /// its payer's alone).
    pub(crate) fn may_pay(&self, order: &Order, user: crate::wechat::WeChatId) -> bool {
        match order
            .api
            .as_ref()
            .and_then(|a| a.payer_openid.as_ref().map(|p| (a, p)))
        {
            Some((api, payer)) => {
                self.wechat.openid_for_app(&api.appid, user).as_ref() == Some(payer)
            }
            None => true,
        }
    }

    /// Places an order of either kind, or finds the same one placed before.
    fn api_order_create(
        &mut self,
        signer: Mchid,
        trade_type: TradeType,
        request: &NativeOrderRequest,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        let endpoint = match trade_type {
            TradeType::Native => Endpoint::NativeOrder,
            TradeType::Jsapi => Endpoint::UnifiedOrder,
            TradeType::Mweb => Endpoint::H5Order,
        };
        self.api_fault(now, endpoint, signer)?;
        let merchant = self.caller(signer, request.mchid.as_deref())?.clone();
        let appid = request
            .appid
            .as_deref()
            .ok_or_else(|| ApiError::required("appid"))?;
        if appid != merchant.appid {
            return Err(ApiError::AppidMchidNotMatch);
        }
        let description = request
            .description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| ApiError::required("description"))?;
        if !chars_within(description, MAX_DESCRIPTION_CHARS) {
            return Err(ApiError::param("description 超过 127 个字符"));
        }
        if !v3_characters(description) {
            return Err(not_v3_characters("description"));
        }
        let out_trade_no = request
            .out_trade_no
            .as_deref()
            .ok_or_else(|| ApiError::required("out_trade_no"))?;
        if !valid_out_trade_no(out_trade_no) {
            return Err(ApiError::param(
                "out_trade_no 须为 6–32 个数字、大小写字母或 _-|*",
            ));
        }
        let notify_url = request
            .notify_url
            .as_deref()
            .ok_or_else(|| ApiError::required("notify_url"))?;
        if !valid_url(notify_url) {
            return Err(ApiError::param("notify_url 须为 http(s) 地址"));
        }
        if let Some(attach) = &request.attach {
            if !chars_within(attach, MAX_ATTACH_CHARS) {
                return Err(ApiError::param("attach 超过 128 个字符"));
            }
            if !v3_characters(attach) {
                return Err(not_v3_characters("attach"));
            }
        }
        let amount = request
            .amount
            .as_ref()
            .ok_or_else(|| ApiError::required("amount"))?;
        let total = amount
            .total
            .ok_or_else(|| ApiError::required("amount.total"))?;
        if !(1..=MAX_TOTAL).contains(&total) {
            return Err(ApiError::param(
                "amount.total 须为 1 到 100000000 之间的整数（分）",
            ));
        }
        if amount.currency.as_deref().is_some_and(|c| c != "CNY") {
            return Err(ApiError::param("amount.currency 只支持 CNY"));
        }
        let expires_at = match request.time_expire.as_deref() {
            None => now.plus(DEFAULT_ORDER_LIFETIME),
            Some(text) => {
                let at = parse_rfc3339(text)
                    .ok_or_else(|| ApiError::param("time_expire 须为 RFC 3339 格式"))?;
                if at <= now {
                    return Err(ApiError::param("time_expire 须晚于当前时间"));
                }
                at
            }
        };
        if trade_type == TradeType::Mweb {
            h5::check_scene(request.scene_info.as_ref())?;
        }
        let payer_openid = match trade_type {
            TradeType::Native | TradeType::Mweb => None,
            TradeType::Jsapi => {
                let openid = request
                    .payer
                    .as_ref()
                    .and_then(|p| p.openid.as_deref())
                    .ok_or_else(|| ApiError::required("payer.openid"))?;
                let known =
                    self.wechat.accounts().iter().any(|a| {
                        self.wechat.openid_for_app(appid, a.id()).as_deref() == Some(openid)
                    });
                if !known {
                    return Err(ApiError::OpenidMismatch);
                }
                Some(openid.to_owned())
            }
        };
        let id = MerchantId::Registered(signer);
        let api = ApiOrder {
            appid: appid.to_owned(),
            trade_type,
            notify_url: notify_url.to_owned(),
            attach: request.attach.clone(),
            time_expire: request.time_expire.clone(),
            attempts: Vec::new(),
            acknowledged_at: None,
            payer_openid,
        };
        if let Some(order) = self.order(id, out_trade_no) {
            let same = order.api.as_ref().is_some_and(|a| {
                (
                    &a.appid,
                    a.trade_type,
                    &a.notify_url,
                    &a.attach,
                    &a.time_expire,
                    &a.payer_openid,
                ) == (
                    &api.appid,
                    api.trade_type,
                    &api.notify_url,
                    &api.attach,
                    &api.time_expire,
                    &api.payer_openid,
                )
            }) && order.amount.get() == total
                && order.description == description;
            if !same {
                return Err(ApiError::OutTradeNoUsed);
            }
            return match self.refresh_order(id, out_trade_no, now) {
                Ok(OrderState::Notpay | OrderState::Userpaying | OrderState::Payerror) => Ok(()),
                Ok(OrderState::Closed) => Err(ApiError::OrderClosed),
                Ok(OrderState::Success | OrderState::Refund) => Err(ApiError::OrderPaid),
                Err(_) => Err(ApiError::OrderNotExist),
            };
        }
        let fields = vec![
            ("mchid".to_owned(), signer.to_string()),
            ("out_trade_no".to_owned(), out_trade_no.to_owned()),
            ("total".to_owned(), total.to_string()),
            ("time_expire".to_owned(), rfc3339_cst(expires_at)),
        ];
        self.orders
            .push(Order::placed(
                id,
                out_trade_no.to_owned(),
                description.to_owned(),
                Fen::new(total),
                (now, expires_at),
                Some(api),
            ))
            .map_err(|_| ApiError::OutTradeNoUsed)?;
        let answer = match trade_type {
            TradeType::Native => (
                "code_url",
                format!("/wechat/pay?mch={id}&out_trade_no={out_trade_no}"),
            ),
            TradeType::Jsapi => ("prepay_id", prepay_id(signer, out_trade_no)),
            TradeType::Mweb => (
                "h5_url",
                format!("/wechat/pay?prepay_id={}", prepay_id(signer, out_trade_no)),
            ),
        };
        self.sim.record(
            now,
            endpoint,
            fields,
            vec![(answer.0.to_owned(), answer.1)],
            None,
        );
        Ok(())
    }

    /// A registered merchant's order by `out_trade_no`, closed first if its
    /// time ran out (as the cashier would).
    fn api_order(
        &mut self,
        signer: Mchid,
        out_trade_no: &str,
        now: Timestamp,
    ) -> Result<Order, ApiError> {
        let id = MerchantId::Registered(signer);
        self.refresh_order(id, out_trade_no, now)
            .map_err(|_| ApiError::OrderNotExist)?;
        self.order(id, out_trade_no)
            .filter(|o| o.api.is_some())
            .cloned()
            .ok_or(ApiError::OrderNotExist)
    }

    /// Whether a merchant's call now would meet one of the console's faults
    /// (and use it up): only a call that may change the state answers it.
    /// Otherwise a query is a pure read ([`State::api_view_by_out_trade_no`]).
    pub fn api_faults_pending(&self, signer: Mchid) -> bool {
        let faults = self.sim.faults();
        faults.network > 0
            || faults.busy > 0
            || self.sim.limited() > 0
            || self
                .registered_merchant(signer)
                .is_some_and(|m| !m.faults.is_none())
    }

    /// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…`.
    pub fn api_query_by_out_trade_no(
        &mut self,
        signer: Mchid,
        mchid: Option<&str>,
        out_trade_no: &str,
        now: Timestamp,
    ) -> Result<Transaction, ApiError> {
        self.api_fault(now, Endpoint::QueryOrder, signer)?;
        let _ = self.refresh_order(MerchantId::Registered(signer), out_trade_no, now);
        self.api_view_by_out_trade_no(signer, mchid, out_trade_no, now)
    }

    /// [`State::api_query_by_out_trade_no`] when no fault is pending: it
    /// reads and changes nothing (an order whose time ran out shows as
    /// closed, as it would be once looked at).
    pub fn api_view_by_out_trade_no(
        &self,
        signer: Mchid,
        mchid: Option<&str>,
        out_trade_no: &str,
        now: Timestamp,
    ) -> Result<Transaction, ApiError> {
        self.caller(signer, mchid)?;
        let order = self
            .order(MerchantId::Registered(signer), out_trade_no)
            .filter(|o| o.api.is_some())
            .ok_or(ApiError::OrderNotExist)?
            .at(now);
        let api = order.api.as_ref().ok_or(ApiError::OrderNotExist)?;
        Ok(self.transaction(signer, &order, api))
    }

    /// `GET /v3/pay/transactions/id/{transaction_id}?mchid=…`: only a paid
    /// order has one.
    pub fn api_query_by_id(
        &mut self,
        signer: Mchid,
        mchid: Option<&str>,
        transaction_id: &str,
        now: Timestamp,
    ) -> Result<Transaction, ApiError> {
        self.api_fault(now, Endpoint::QueryOrder, signer)?;
        self.api_view_by_id(signer, mchid, transaction_id, now)
    }

    /// [`State::api_query_by_id`] when no fault is pending.
    pub fn api_view_by_id(
        &self,
        signer: Mchid,
        mchid: Option<&str>,
        transaction_id: &str,
        now: Timestamp,
    ) -> Result<Transaction, ApiError> {
        self.caller(signer, mchid)?;
        let order = self
            .orders
            .by_transaction(transaction_id)
            .filter(|o| o.merchant == MerchantId::Registered(signer) && o.api.is_some())
            .ok_or(ApiError::OrderNotExist)?
            .at(now);
        let api = order.api.as_ref().ok_or(ApiError::OrderNotExist)?;
        Ok(self.transaction(signer, &order, api))
    }

    /// `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`
    /// (`{"mchid": …}`): an unpaid order closes; closing a closed one again
    /// is no error; a paid one is `ORDERPAID`.
    pub fn api_close_order(
        &mut self,
        signer: Mchid,
        mchid: Option<&str>,
        out_trade_no: &str,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        self.api_fault(now, Endpoint::CloseOrder, signer)?;
        self.caller(signer, mchid)?;
        let order = self.api_order(signer, out_trade_no, now)?;
        match order.state {
            OrderState::Success | OrderState::Refund => Err(ApiError::OrderPaid),
            OrderState::Closed => Ok(()),
            OrderState::Notpay | OrderState::Userpaying | OrderState::Payerror => {
                let id = MerchantId::Registered(signer);
                self.order_event(id, out_trade_no, OrderEvent::Close)
                    .map_err(|_| ApiError::OrderNotExist)
            }
        }
    }

    /// The notifications due at `now`: payments', oldest payment first,
    /// then refunds' (the
    /// newest first with the console's 「乱序」; each twice with 「重复」).
    pub fn due_notifications(&self, now: Timestamp) -> Vec<DueNotification> {
        let plan = self.sim.notifications();
        let delay = Duration::from_secs(u64::from(plan.delay_secs));
        let mut due: Vec<DueNotification> = self
            .orders
            .notices_due(now, delay)
            .into_iter()
            .filter_map(|position| {
                let order = self.orders.get(position)?;
                let MerchantId::Registered(mchid) = order.merchant else {
                    return None;
                };
                let api = order.api.as_ref()?;
                let paid = order.paid.as_ref()?;
                Some(DueNotification {
                    mchid,
                    out_trade_no: order.out_trade_no.clone(),
                    url: api.notify_url.clone(),
                    id: format!("EV-{}", paid.transaction_id),
                    create_time: rfc3339_cst(paid.at),
                    event: NoticeEvent::Transaction(self.transaction(mchid, order, api)),
                    attempt: api.attempts.len() + 1,
                })
            })
            .collect();
        due.extend(self.due_refund_notices(now));
        if plan.reorder {
            due.reverse();
        }
        if plan.duplicate {
            due = due.into_iter().flat_map(|d| [d.clone(), d]).collect();
        }
        due
    }

    /// When the next notification falls due (`None`: none is owed).
    pub fn next_notification_at(&self) -> Option<Timestamp> {
        let delay = Duration::from_secs(u64::from(self.sim.notifications().delay_secs));
        self.orders.next_notice_at(delay)
    }

    /// What the merchant answered a notification (`status`: `None` when
    /// nothing answered); 200 and 204 acknowledge it. Logged in the console.
    pub fn record_notification(
        &mut self,
        mchid: Mchid,
        out_trade_no: &str,
        at: Timestamp,
        status: Option<u16>,
        answer: &str,
    ) {
        let id = MerchantId::Registered(mchid);
        let answer: String = answer.chars().take(MAX_ANSWER_CHARS).collect();
        let attempt = NotifyAttempt {
            at,
            status,
            answer: answer.clone(),
        };
        if self
            .order_event(id, out_trade_no, OrderEvent::Notified(attempt))
            .is_err()
        {
            return;
        }
        let Some(api) = self.order(id, out_trade_no).and_then(|o| o.api.as_ref()) else {
            return;
        };
        let fields = vec![
            ("mchid".to_owned(), mchid.to_string()),
            ("out_trade_no".to_owned(), out_trade_no.to_owned()),
            ("notify_url".to_owned(), api.notify_url.clone()),
            ("attempt".to_owned(), api.attempts.len().to_string()),
        ];
        let status_text = status.map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        let response = vec![
            ("status".to_owned(), status_text),
            ("merchant".to_owned(), answer),
        ];
        self.sim
            .record(at, Endpoint::Notify, fields, response, None);
    }

    /// An order as WeChat Pay reports it to `signer`.
    pub(crate) fn transaction(&self, signer: Mchid, order: &Order, api: &ApiOrder) -> Transaction {
        let paid = order.paid.as_ref();
        let payer = paid.and_then(|p| {
            self.wechat
                .openid_for_app(&api.appid, p.payer)
                .map(|openid| Payer { openid })
        });
        Transaction {
            appid: api.appid.clone(),
            mchid: signer.to_string(),
            out_trade_no: order.out_trade_no.clone(),
            transaction_id: paid.map(|p| p.transaction_id.clone()),
            trade_type: api.trade_type,
            trade_state: order.state.as_str(),
            trade_state_desc: state_desc(order.state),
            bank_type: paid.map(|_| "OTHERS"),
            attach: api.attach.clone().unwrap_or_default(),
            success_time: paid.map(|p| rfc3339_cst(p.at)),
            payer,
            amount: AmountOut {
                total: order.amount.get(),
                payer_total: paid.map(|_| order.amount.get()),
                currency: "CNY",
                payer_currency: "CNY",
            },
        }
    }
}

/// `trade_state_desc` in WeChat's words.
fn state_desc(state: OrderState) -> &'static str {
    match state {
        OrderState::Notpay => "未支付",
        OrderState::Userpaying => "用户支付中",
        OrderState::Success => "支付成功",
        OrderState::Payerror => "支付失败",
        OrderState::Closed => "已关闭",
        OrderState::Refund => "转入退款",
    }
}
