//! The test helpers for a merchant backend's own CI (`core::payapi`'s
//! helpers do the work), under `/sandbox/v1/test-helpers/`, each a `POST`
//! of JSON:
//!
//! - `people` `{"change": fen}` — a test person, their openid for the
//!   merchant's app;
//! - `pay` `{"out_trade_no", "openid"?, "outcome"?}` — the person pays
//!   (`SUCCESS`), WeChat Pay fails it (`PAYERROR`) or they leave (`CANCEL`);
//!   a short 零钱 is the cashier's `NOTENOUGH`;
//! - `clock` `{"advance_secs"}` — the sandbox's clock moves on (orders
//!   expire, notifications and refunds fall due);
//! - `refund` `{"out_refund_no", "status"}` — a refund under way ends as
//!   `SUCCESS`, `ABNORMAL` or `CLOSED`;
//! - `faults` `{"network", "limited", "busy"}` — the merchant's own next
//!   calls get no answer, `429 FREQUENCY_LIMITED` or `500 SYSTEM_ERROR`
//!   (the console's faults meet every merchant's: on a shared sandbox,
//!   one team's CI needs its own).
//!
//! Only the merchant's own operator may call them: `Authorization: Bearer
//! TOKEN`, the `test_helpers_token` that `merchant add` printed — derived
//! from the merchant's APIv3 key, so nothing more is stored. Each helper
//! acts for that merchant alone and is logged in the console.

use crate::api::plain;
use crate::keys::helper_token;
use crate::sandbox::{Sandbox, SandboxError};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use qianbao_core::error::UserError;
use qianbao_core::merchant::Mchid;
use qianbao_core::order::RefundStatus;
use qianbao_core::payapi::{ApiError, HelperPayRequest, MerchantFaults, PersonRequest};
use qianbao_core::payment::PayError;
use serde::Deserialize;
use std::time::Duration;

const JSON: &str = "application/json; charset=utf-8";

/// The most one `clock` call moves the clock: 30 days, as the console's
/// largest step.
const MAX_ADVANCE_SECS: u64 = 30 * 24 * 3600;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/sandbox/v1/test-helpers/people", post(people))
        .route("/sandbox/v1/test-helpers/pay", post(pay))
        .route("/sandbox/v1/test-helpers/clock", post(clock))
        .route("/sandbox/v1/test-helpers/refund", post(refund))
        .route("/sandbox/v1/test-helpers/faults", post(faults))
}

fn answer(status: StatusCode, body: &serde_json::Value) -> Response {
    plain(status, body.to_string(), JSON)
}

fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    answer(
        status,
        &serde_json::json!({ "code": code, "message": message }),
    )
}

fn api_refused(error: &ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    refused(status, error.code(), &error.message())
}

fn unsaved(error: &SandboxError) -> Response {
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        "SYSTEM_ERROR",
        &error.to_string(),
    )
}

/// Why a helper call was not even tried.
enum Refusal {
    /// No token, or not a merchant's.
    Unauthorized,
    /// The body could not be read.
    Api(ApiError),
}

impl Refusal {
    fn answer(self) -> Response {
        match self {
            Refusal::Unauthorized => refused(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "test helpers need Authorization: Bearer <test_helpers_token> (printed by merchant add)",
            ),
            Refusal::Api(error) => api_refused(&error),
        }
    }
}

/// The merchant whose token the call carries, and the body as `T`.
fn called<T: serde::de::DeserializeOwned>(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<(Mchid, T), Refusal> {
    operator(sandbox, headers).and_then(|mchid| {
        serde_json::from_slice(bytes)
            .map(|body| (mchid, body))
            .map_err(|e| Refusal::Api(ApiError::unreadable(&e.to_string())))
    })
}

/// The merchant whose token the call carries.
fn operator(sandbox: &Sandbox, headers: &HeaderMap) -> Result<Mchid, Refusal> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Refusal::Unauthorized)?;
    let mchid = token
        .split('_')
        .nth(1)
        .and_then(Mchid::parse)
        .ok_or(Refusal::Unauthorized)?;
    let merchant = sandbox.merchant(mchid).ok_or(Refusal::Unauthorized)?;
    let expected = helper_token(mchid, &merchant.apiv3_key);
    if crate::keys::same_secret(&expected, token) {
        Ok(mchid)
    } else {
        Err(Refusal::Unauthorized)
    }
}

async fn people(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Response {
    let (mchid, request) = match called::<PersonRequest>(&sandbox, &headers, &bytes) {
        Ok(called) => called,
        Err(refusal) => return refusal.answer(),
    };
    let made = sandbox
        .write(None, move |state, tx| {
            state.helper_person(mchid, &request, tx.now, &mut tx.rng, tx.hasher)
        })
        .await;
    match made {
        Ok((Ok(person), _)) => answer(StatusCode::OK, &serde_json::json!(person)),
        Ok((Err(error), _)) => api_refused(&error),
        Err(error) => unsaved(&error),
    }
}

async fn pay(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Response {
    let (mchid, request) = match called::<HelperPayRequest>(&sandbox, &headers, &bytes) {
        Ok(called) => called,
        Err(refusal) => return refusal.answer(),
    };
    let paid = sandbox
        .write(None, move |state, tx| {
            state.helper_pay(mchid, &request, tx.now)
        })
        .await;
    match paid {
        Ok((Ok(paid), _)) => answer(StatusCode::OK, &serde_json::json!(paid)),
        Ok((Err(error), _)) => api_refused(&error),
        Err(error) => unsaved(&error),
    }
}

#[derive(Deserialize)]
struct Advance {
    advance_secs: u64,
}

async fn clock(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Response {
    let (mchid, Advance { advance_secs }) = match called::<Advance>(&sandbox, &headers, &bytes) {
        Ok(called) => called,
        Err(refusal) => return refusal.answer(),
    };
    if advance_secs > MAX_ADVANCE_SECS {
        return api_refused(&ApiError::param(
            "advance_secs 须为 0 到 2592000 之间的整数",
        ));
    }
    let moved = sandbox
        .write(None, move |state, tx| {
            state.sim_mut().advance(Duration::from_secs(advance_secs));
            let now = state.sim().now(tx.wall);
            state.log_helper(
                tx.now,
                mchid,
                "clock",
                vec![("advance_secs".to_owned(), advance_secs.to_string())],
                vec![("now".to_owned(), qianbao_core::time::rfc3339_cst(now))],
            );
            qianbao_core::time::rfc3339_cst(now)
        })
        .await;
    match moved {
        Ok((now, _)) => answer(StatusCode::OK, &serde_json::json!({ "now": now })),
        Err(error) => unsaved(&error),
    }
}

#[derive(Deserialize)]
struct Decide {
    out_refund_no: String,
    status: String,
}

async fn refund(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Response {
    let (mchid, decide) = match called::<Decide>(&sandbox, &headers, &bytes) {
        Ok(called) => called,
        Err(refusal) => return refusal.answer(),
    };
    let Some(status) =
        RefundStatus::parse(&decide.status).filter(|s| *s != RefundStatus::Processing)
    else {
        return api_refused(&ApiError::param("status 须为 SUCCESS、ABNORMAL 或 CLOSED"));
    };
    let no = decide.out_refund_no;
    let ended = sandbox
        .write(None, move |state, tx| {
            let ended = state.end_refund(mchid, &no, status, tx.now);
            let said = match &ended {
                Ok(status) => status.as_str().to_owned(),
                Err(error) => error.code().to_owned(),
            };
            state.log_helper(
                tx.now,
                mchid,
                "refund",
                vec![
                    ("out_refund_no".to_owned(), no.clone()),
                    ("status".to_owned(), status.as_str().to_owned()),
                ],
                vec![("result".to_owned(), said)],
            );
            ended.map(|status| (no, status))
        })
        .await;
    match ended {
        Ok((Ok((no, status)), _)) => answer(
            StatusCode::OK,
            &serde_json::json!({ "out_refund_no": no, "status": status.as_str() }),
        ),
        Ok((Err(error), _)) => {
            let status = match error {
                PayError::NoSuchRefund => StatusCode::NOT_FOUND,
                _ => StatusCode::CONFLICT,
            };
            refused(status, error.code(), &error.to_string())
        }
        Err(error) => unsaved(&error),
    }
}

async fn faults(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Response {
    let (mchid, faults) = match called::<MerchantFaults>(&sandbox, &headers, &bytes) {
        Ok(called) => called,
        Err(refusal) => return refusal.answer(),
    };
    let set = sandbox
        .write(None, move |state, tx| {
            state.helper_faults(mchid, faults, tx.now)
        })
        .await;
    match set {
        Ok((Ok(faults), _)) => answer(StatusCode::OK, &serde_json::json!(faults)),
        Ok((Err(error), _)) => api_refused(&error),
        Err(error) => unsaved(&error),
    }
}
