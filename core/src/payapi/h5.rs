//! `POST /v3/pay/transactions/h5`: an order paid from a phone's browser.
//! Its `scene_info` (the payer's IP, `h5_info.type`) is required and
//! checked; the `h5_url` opens the cashier by the order's `prepay_id`, and
//! returns to the `redirect_url` the merchant may add, on its registered
//! domain; the rest (query, close, refunds) is a native order's.

use super::{chars_within, v3_characters, ApiError, NativeOrderRequest, TradeType};
use crate::merchant::{Mchid, MerchantId};
use crate::order::prepay_id;
use crate::payment::PayError;
use crate::state::State;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// `scene_info.h5_info.type`: where the H5 page runs.
pub const H5_TYPES: [&str; 3] = ["iOS", "Android", "Wap"];

/// `scene_info` of an order (H5's is required).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SceneInfoIn {
    pub payer_client_ip: Option<String>,
    #[serde(default)]
    pub h5_info: Option<H5InfoIn>,
}

/// `scene_info.h5_info`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct H5InfoIn {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub app_name: Option<String>,
    pub app_url: Option<String>,
    pub bundle_id: Option<String>,
    pub package_name: Option<String>,
}

/// `{"h5_url": …}`: the page a phone's browser opens to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct H5OrderCreated {
    pub h5_url: String,
}

/// An H5 order's `scene_info`: the payer's IP address and
/// `h5_info.type` (`iOS`, `Android` or `Wap`).
pub(super) fn check_scene(scene: Option<&SceneInfoIn>) -> Result<(), ApiError> {
    let scene = scene.ok_or_else(|| ApiError::required("scene_info"))?;
    let ip = scene
        .payer_client_ip
        .as_deref()
        .ok_or_else(|| ApiError::required("scene_info.payer_client_ip"))?;
    if ip.parse::<std::net::IpAddr>().is_err() {
        return Err(ApiError::param(
            "scene_info.payer_client_ip 须为 IPv4 或 IPv6 地址",
        ));
    }
    let h5 = scene
        .h5_info
        .as_ref()
        .ok_or_else(|| ApiError::required("scene_info.h5_info"))?;
    let kind = h5
        .kind
        .as_deref()
        .ok_or_else(|| ApiError::required("scene_info.h5_info.type"))?;
    if !H5_TYPES.contains(&kind) {
        return Err(ApiError::param(
            "scene_info.h5_info.type 须为 iOS、Android 或 Wap",
        ));
    }
    for (field, value) in [
        ("app_name", &h5.app_name),
        ("app_url", &h5.app_url),
        ("bundle_id", &h5.bundle_id),
        ("package_name", &h5.package_name),
    ] {
        if let Some(value) = value {
            if !chars_within(value, 128) || !v3_characters(value) {
                return Err(ApiError::param(format!(
                    "scene_info.h5_info.{field} 须为 1–128 个字符"
                )));
            }
        }
    }
    Ok(())
}

/// Where an H5 order is paid: the cashier, opened by its `prepay_id` (as
/// WeChat's `h5_url` carries one).
pub fn h5_url(site: &crate::binding::Site, mchid: Mchid, out_trade_no: &str) -> String {
    prepay_cashier_url(site, &prepay_id(mchid, out_trade_no))
}

/// The cashier of the order `prepay_id` stands for (H5's `h5_url`, the JS
/// bridge's window).
pub fn prepay_cashier_url(site: &crate::binding::Site, prepay_id: &str) -> String {
    format!(
        "{}{}/wechat/pay?prepay_id={prepay_id}",
        site.origin, site.base
    )
}

impl State {
    /// Where the cashier of H5 order `out_trade_no` returns: the
    /// `redirect_url` the merchant added to its `h5_url`, if it is an
    /// http(s) URL on the merchant's registered domain (as WeChat checks
    /// the H5 domain); else WeChat's 「商家参数格式有误」.
    pub fn h5_return(
        &self,
        merchant: MerchantId,
        out_trade_no: &str,
        redirect_url: &str,
    ) -> Result<String, PayError> {
        let order = self
            .order(merchant, out_trade_no)
            .ok_or(PayError::NoSuchOrder)?;
        let h5 = order
            .api
            .as_ref()
            .is_some_and(|a| a.trade_type == TradeType::Mweb);
        let domain = match merchant {
            MerchantId::Registered(mchid) => self
                .registered_merchant(mchid)
                .map(|m| m.redirect_domain.clone()),
            _ => None,
        };
        let web = redirect_url.starts_with("https://") || redirect_url.starts_with("http://");
        match domain {
            Some(domain)
                if h5
                    && web
                    && crate::wechat::redirect_host(redirect_url).as_deref() == Some(&domain) =>
            {
                Ok(redirect_url.to_owned())
            }
            _ => Err(PayError::RedirectDomain),
        }
    }

    /// `POST /v3/pay/transactions/h5`: as native, for a page in a phone's
    /// browser; `scene_info` names the payer's IP and `h5_info.type`. The
    /// `h5_url` opens the cashier (the merchant may add `&redirect_url=…`
    /// on its registered domain, where the cashier returns).
    pub fn api_h5_order(
        &mut self,
        signer: Mchid,
        request: &NativeOrderRequest,
        site: &crate::binding::Site,
        now: Timestamp,
    ) -> Result<H5OrderCreated, ApiError> {
        self.api_order_create(signer, TradeType::Mweb, request, now)?;
        let no = request.out_trade_no.as_deref().unwrap_or_default();
        Ok(H5OrderCreated {
            h5_url: h5_url(site, signer, no),
        })
    }
}
