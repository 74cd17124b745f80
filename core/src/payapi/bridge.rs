//! The front-end half of a JSAPI payment: what a merchant's page inside
//! WeChat passes to `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` (or
//! the JS-SDK's `wx.chooseWXPay`), checked as WeChat checks it — the app,
//! the `prepay_id` it names, the order's state — before the cashier opens.
//! `paySign` (SHA256-with-RSA by the merchant's key over
//! `appId\ntimeStamp\nnonceStr\npackage\n`) is verified by the server with
//! the merchant's registered key: [`BrandPayRequest::message`] is what it
//! signs.

use crate::merchant::{Mchid, MerchantId};
use crate::payment::OrderState;
use crate::state::State;
use crate::time::Timestamp;
use serde::Deserialize;

/// The parameters of `getBrandWCPayRequest`, in its names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrandPayRequest {
    pub app_id: Option<String>,
    pub time_stamp: Option<String>,
    pub nonce_str: Option<String>,
    pub package: Option<String>,
    pub sign_type: Option<String>,
    pub pay_sign: Option<String>,
}

/// Why the bridge answers `get_brand_wcpay_request:fail` (`err_desc` is
/// [`BridgeError::message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", self.code(), self.message())]
pub enum BridgeError {
    /// A parameter is missing or empty (`timeStamp`, `nonceStr`, …).
    Missing(&'static str),
    /// `timeStamp` is not whole seconds, or `nonceStr` is over 32 characters.
    Malformed,
    /// `signType` is not `RSA` (API v3's JSAPI payments are RSA-signed).
    SignType,
    /// `package` is not `prepay_id=…`.
    Package,
    /// No registered merchant has this `appId`.
    UnknownApp,
    /// No order has this `prepay_id`.
    NoSuchOrder,
    /// The order was placed for another app.
    OtherApp,
    /// The order is paid already.
    Paid,
    /// The order is closed (or its time ran out).
    Closed,
    /// `paySign` does not verify with the merchant's key.
    PaySign,
}

impl BridgeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing(_) | Self::Malformed => "JSAPI_PARAM",
            Self::SignType => "JSAPI_SIGN_TYPE",
            Self::Package => "JSAPI_PACKAGE",
            Self::UnknownApp => "JSAPI_APPID",
            Self::NoSuchOrder => "JSAPI_ORDER_NOT_EXIST",
            Self::OtherApp => "JSAPI_APPID_MISMATCH",
            Self::Paid => "JSAPI_ORDER_PAID",
            Self::Closed => "JSAPI_ORDER_CLOSED",
            Self::PaySign => "JSAPI_PAY_SIGN",
        }
    }

    /// `err_desc`, in WeChat's words.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Missing("appId") => "缺少参数 appId",
            Self::Missing("timeStamp") => "缺少参数 timeStamp",
            Self::Missing("nonceStr") => "缺少参数 nonceStr",
            Self::Missing("package") => "缺少参数 package",
            Self::Missing("signType") => "缺少参数 signType",
            Self::Missing(_) => "缺少参数 paySign",
            Self::Malformed => "timeStamp 须为秒级时间戳，nonceStr 不超过 32 个字符",
            Self::SignType => "signType 须为 RSA",
            Self::Package => "package 须为 prepay_id=…",
            Self::UnknownApp => "appId 不存在",
            Self::NoSuchOrder => "prepay_id 不存在",
            Self::OtherApp => "prepay_id 与 appId 不匹配",
            Self::Paid => "该订单已支付",
            Self::Closed => "订单已关闭",
            Self::PaySign => "支付验证签名失败",
        }
    }

    /// What it means, in English, for the merchant's developer.
    pub fn meaning(&self) -> &'static str {
        match self {
            Self::Missing(_) => "A parameter of getBrandWCPayRequest is missing or empty.",
            Self::Malformed => "timeStamp must be whole seconds and nonceStr at most 32 characters.",
            Self::SignType => "API v3's JSAPI payments are signed with RSA: signType must be RSA.",
            Self::Package => "package must be prepay_id= and the prepay_id the order was given.",
            Self::UnknownApp => "No merchant of this sandbox has this appId.",
            Self::NoSuchOrder => "No order has this prepay_id.",
            Self::OtherApp => "The prepay_id belongs to an order placed for another appId.",
            Self::Paid => "The order is already paid.",
            Self::Closed => "The order is closed, or its time ran out: place a new one.",
            Self::PaySign => {
                "paySign does not verify with the merchant's key: SHA256-with-RSA over appId, timeStamp, nonceStr and package, each followed by a newline, by the merchant's private key."
            }
        }
    }

    /// Every kind of refusal, for the catalogue.
    pub fn every() -> Vec<Self> {
        vec![
            Self::Missing("paySign"),
            Self::Malformed,
            Self::SignType,
            Self::Package,
            Self::UnknownApp,
            Self::NoSuchOrder,
            Self::OtherApp,
            Self::Paid,
            Self::Closed,
            Self::PaySign,
        ]
    }
}

impl BrandPayRequest {
    fn field<'a>(value: &'a Option<String>, name: &'static str) -> Result<&'a str, BridgeError> {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .ok_or(BridgeError::Missing(name))
    }

    /// The text `paySign` signs: `appId\ntimeStamp\nnonceStr\npackage\n`.
    pub fn message(&self) -> Result<String, BridgeError> {
        Ok(format!(
            "{}\n{}\n{}\n{}\n",
            Self::field(&self.app_id, "appId")?,
            Self::field(&self.time_stamp, "timeStamp")?,
            Self::field(&self.nonce_str, "nonceStr")?,
            Self::field(&self.package, "package")?,
        ))
    }

    /// `paySign`, as sent.
    pub fn pay_sign(&self) -> Result<&str, BridgeError> {
        Self::field(&self.pay_sign, "paySign")
    }
}

impl State {
    /// Checks a page's `getBrandWCPayRequest` against the app and the order
    /// it names (everything but `paySign`, which the server verifies with
    /// the key of the merchant returned); the order's `prepay_id`. Nothing
    /// changes.
    pub fn bridge_order(
        &self,
        request: &BrandPayRequest,
        now: Timestamp,
    ) -> Result<(Mchid, String), BridgeError> {
        let app_id = BrandPayRequest::field(&request.app_id, "appId")?;
        let time_stamp = BrandPayRequest::field(&request.time_stamp, "timeStamp")?;
        let nonce = BrandPayRequest::field(&request.nonce_str, "nonceStr")?;
        let package = BrandPayRequest::field(&request.package, "package")?;
        let sign_type = BrandPayRequest::field(&request.sign_type, "signType")?;
        request.pay_sign()?;
        if time_stamp.len() > 12
            || !time_stamp.bytes().all(|b| b.is_ascii_digit())
            || nonce.chars().count() > 32
        {
            return Err(BridgeError::Malformed);
        }
        if sign_type != "RSA" {
            return Err(BridgeError::SignType);
        }
        let prepay = package
            .strip_prefix("prepay_id=")
            .filter(|id| !id.is_empty())
            .ok_or(BridgeError::Package)?;
        let merchant = self
            .registered
            .iter()
            .find(|m| m.appid == app_id)
            .ok_or(BridgeError::UnknownApp)?;
        let order = self
            .orders
            .by_prepay_id(prepay)
            .ok_or(BridgeError::NoSuchOrder)?;
        let api = order
            .api
            .as_ref()
            .filter(|a| a.trade_type == super::TradeType::Jsapi)
            .ok_or(BridgeError::NoSuchOrder)?;
        if order.merchant != MerchantId::Registered(merchant.mchid) || api.appid != app_id {
            return Err(BridgeError::OtherApp);
        }
        match order.state {
            OrderState::Success | OrderState::Refund => Err(BridgeError::Paid),
            OrderState::Closed => Err(BridgeError::Closed),
            _ if now >= order.expires_at => Err(BridgeError::Closed),
            _ => Ok((merchant.mchid, prepay.to_owned())),
        }
    }
}
