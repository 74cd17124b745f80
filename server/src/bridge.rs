//! The JS bridge for a merchant's own pages (`GET /sandbox/v1/jsbridge.js`,
//! `server/assets/jsbridge.js`): `WeixinJSBridge.invoke('getBrandWCPayRequest')`
//! and `wx.chooseWXPay` send their parameters to `POST /sandbox/v1/bridge/pay`,
//! checked here as WeChat checks them — the app and the order by core
//! (`State::bridge_order`), `paySign` against the merchant's registered key —
//! and answered with the cashier to open (`…&bridge=1`: it reports the
//! result to the page) or WeChat's `get_brand_wcpay_request:fail` with
//! `err_desc`. Both answer any origin: the merchant's page is not the
//! sandbox's.

use crate::api::plain;
use crate::sandbox::{wall_clock, Sandbox};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use qianbao_core::payapi::{prepay_cashier_url, BrandPayRequest, BridgeError};

const SCRIPT: &str = include_str!("../assets/jsbridge.js");

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/sandbox/v1/jsbridge.js", get(script))
        .route("/sandbox/v1/bridge/pay", post(pay))
}

fn any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

async fn script() -> Response {
    any_origin(plain(
        StatusCode::OK,
        SCRIPT,
        "application/javascript; charset=utf-8",
    ))
}

/// `POST /sandbox/v1/bridge/pay`: `{"cashier": url}`, or
/// `{err_msg, err_code, err_desc}`.
async fn pay(State(sandbox): State<Sandbox>, body: String) -> Response {
    let refuse = |e: BridgeError| {
        let body = serde_json::json!({
            "err_msg": "get_brand_wcpay_request:fail",
            "err_code": e.code(),
            "err_desc": e.message(),
        });
        // (200 all the same: the page's console shows no failed request for
        // an answer the bridge expects.)
        any_origin(plain(
            StatusCode::OK,
            body.to_string(),
            "application/json; charset=utf-8",
        ))
    };
    let Ok(request) = serde_json::from_str::<BrandPayRequest>(&body) else {
        return refuse(BridgeError::Missing("appId"));
    };
    let checked = sandbox.read(|state| {
        let now = state.sim().now(wall_clock());
        state.bridge_order(&request, now)
    });
    let (mchid, prepay) = match checked {
        Ok(found) => found,
        Err(e) => return refuse(e),
    };
    let signed = match (request.message(), request.pay_sign()) {
        (Ok(message), Ok(signature)) => sandbox
            .merchant(mchid)
            .is_some_and(|m| m.key.verify(message.as_bytes(), signature)),
        _ => false,
    };
    if !signed {
        return refuse(BridgeError::PaySign);
    }
    let cashier = format!("{}&bridge=1", prepay_cashier_url(sandbox.site(), &prepay));
    any_origin(plain(
        StatusCode::OK,
        serde_json::json!({ "cashier": cashier }).to_string(),
        "application/json; charset=utf-8",
    ))
}
