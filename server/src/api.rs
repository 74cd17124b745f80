//! The HTTP side. [`router`] is the table of contents: WeChat Pay API v3
//! under `/v3/`, WeChat's 网页授权 (`/connect/…`, `/sns/…`, in `oauth.rs`),
//! the pages' and the console's `/sandbox/v1/…` (in `pages.rs`), and the
//! built site for every other path (`site.rs`).
//!
//! Each `/v3/` endpoint is one handler. [`Signed`] is the caller: a body of
//! at most [`MAX_BODY`] bytes and an `Authorization` that names a
//! registered 商户号 and its certificate serial, a timestamp within five
//! minutes, a nonce not used before, and the merchant's RSA signature over
//! the request — or WeChat's `401 SIGN_ERROR`, which changes nothing. A
//! call that changes the state is a job for the writer (`sandbox.rs`), its
//! nonce spent in the save that answers it; a query is read from the saved
//! state, waiting for no one. [`PayFailure`] is WeChat Pay's
//! `{"code", "message"}` with its HTTP status, and [`sign_answers`] — the
//! layer over every `/v3/` route — signs every answer with the platform's
//! key (and applies the console's latency and network failure).

use crate::sandbox::{wall_clock, Nonce, Sandbox, SandboxError};
use crate::signing::{self, Authorization};
use crate::site::{self, Files};
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use qianbao_core::merchant::Mchid;
use qianbao_core::payapi::{ApiError, NativeOrderRequest, RefundRequest, SignProblem};
use qianbao_core::state::State as World;
use qianbao_core::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The largest request body WeChat Pay's API takes here.
pub const MAX_BODY: usize = 64 * 1024;

/// The sandbox's routes; with `files`, the built site answers every path
/// that is not the API (its app routes get `index.html`).
pub fn router(sandbox: Sandbox, files: Option<Files>) -> Router {
    let v3 = Router::new()
        .route("/v3/pay/transactions/native", post(native_order))
        .route("/v3/pay/transactions/jsapi", post(jsapi_order))
        .route("/v3/pay/transactions/h5", post(h5_order))
        .route(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}",
            get(query_by_out_trade_no),
        )
        .route("/v3/pay/transactions/id/{transaction_id}", get(query_by_id))
        .route(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
            post(close_order),
        )
        .route("/v3/refund/domestic/refunds", post(refund))
        .route(
            "/v3/refund/domestic/refunds/{out_refund_no}",
            get(query_refund),
        )
        .route("/v3/certificates", get(certificates))
        .merge(crate::bill::signed_routes())
        .route("/v3/{*rest}", any(unknown))
        .layer(middleware::from_fn_with_state(
            sandbox.clone(),
            sign_answers,
        ));
    let router = Router::new()
        .merge(v3)
        .merge(crate::pages::routes())
        .merge(crate::oauth::routes())
        .merge(crate::bridge::routes())
        .merge(crate::helpers::routes())
        .merge(crate::bill::routes());
    let router = match files {
        Some(files) => router.fallback(move |request: Request| site::serve(files.clone(), request)),
        None => router,
    };
    router
        .with_state(sandbox)
        .layer(middleware::from_fn(site::cookies))
}

/// WeChat Pay's answer to a call it refused, and for whom (its answers
/// name the serial that merchant verifies with).
#[derive(Debug)]
pub struct PayFailure {
    pub error: ApiError,
    pub signer: Option<Mchid>,
}

impl From<ApiError> for PayFailure {
    fn from(error: ApiError) -> Self {
        PayFailure {
            error,
            signer: None,
        }
    }
}

impl PayFailure {
    pub(crate) fn for_signer(signer: Mchid) -> impl Fn(ApiError) -> PayFailure {
        move |error| PayFailure {
            error,
            signer: Some(signer),
        }
    }

    /// A nonce this merchant already used.
    fn replayed(signer: Mchid) -> PayFailure {
        PayFailure::for_signer(signer)(ApiError::Sign(SignProblem::Replayed))
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

/// The merchant an answer is for (see [`sign_answers`]).
#[derive(Debug, Clone, Copy)]
struct Signer(Mchid);

/// The console's network failure: the call got no answer at all.
#[derive(Debug, Clone, Copy)]
struct Unreachable;

impl IntoResponse for PayFailure {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&ErrorBody {
            code: self.error.code(),
            message: &self.error.message(),
        })
        .unwrap_or_default();
        let status =
            StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, body).into_response();
        if status == StatusCode::GATEWAY_TIMEOUT {
            response.extensions_mut().insert(Unreachable);
        }
        if let Some(signer) = self.signer {
            response.extensions_mut().insert(Signer(signer));
        }
        response
    }
}

/// What the sandbox could not do is WeChat's `SYSTEM_ERROR` to the caller
/// (the reason is on the server's log), or a replay's `SIGN_ERROR`.
fn failure(signer: Mchid) -> impl Fn(SandboxError) -> PayFailure {
    move |error| {
        let error = match error {
            SandboxError::Replay => ApiError::Sign(SignProblem::Replayed),
            other => {
                use std::io::Write as _;
                let _ = writeln!(std::io::stderr(), "qianbao-sandbox: {other}");
                ApiError::System
            }
        };
        PayFailure {
            error,
            signer: Some(signer),
        }
    }
}

/// A JSON answer for `signer`.
pub(crate) fn answer<T: Serialize>(signer: Mchid, value: &T) -> Response {
    let mut response = match serde_json::to_vec(value) {
        Ok(body) => (StatusCode::OK, body).into_response(),
        Err(_) => return PayFailure::for_signer(signer)(ApiError::System).into_response(),
    };
    response.extensions_mut().insert(Signer(signer));
    response
}

fn no_content(signer: Mchid) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(Signer(signer));
    response
}

/// The layer over every `/v3/` route: the console's latency, its network
/// failure (a `504` with no body), and the platform's signature on
/// everything else.
async fn sign_answers(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let latency = sandbox.read(|s| s.sim().faults().latency_ms);
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(latency))).await;
    }
    if response.extensions().get::<Unreachable>().is_some() {
        return StatusCode::GATEWAY_TIMEOUT.into_response();
    }
    let signer = response.extensions().get::<Signer>().map(|s| s.0);
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let signed = sandbox.sign_as(&bytes, sandbox.serial_for(signer));
    let headers = &mut parts.headers;
    let mut put = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    if parts.status != StatusCode::NO_CONTENT {
        put("content-type", "application/json; charset=utf-8");
    }
    put("request-id", &format!("08{}", signed.nonce));
    put("wechatpay-timestamp", &signed.timestamp);
    put("wechatpay-nonce", &signed.nonce);
    put("wechatpay-signature", &signed.signature);
    put("wechatpay-serial", &signed.serial);
    put("wechatpay-signature-type", signing::SCHEME);
    Response::from_parts(parts, Body::from(bytes))
}

/// A merchant's signed call: who signed it, its nonce and its body.
#[derive(Debug)]
pub struct Signed {
    pub signer: Mchid,
    pub nonce: Nonce,
    pub body: Bytes,
}

impl FromRequest<Sandbox> for Signed {
    type Rejection = PayFailure;

    async fn from_request(request: Request, sandbox: &Sandbox) -> Result<Self, PayFailure> {
        let (parts, body) = request.into_parts();
        let body = to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| ApiError::param(format!("请求体超过 {} KB", MAX_BODY / 1024)))?;
        let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let (signer, nonce) = authenticate(
            sandbox,
            &parts.method,
            path_and_query,
            &parts.headers,
            &body,
        )?;
        let named = parts
            .headers
            .get("wechatpay-serial")
            .and_then(|v| v.to_str().ok());
        sandbox.note_mode(signer, named);
        // API v3 takes JSON only: a body sent as a form or as text is
        // refused however well it is signed.
        if parts.method == Method::POST && !is_json(&parts.headers) {
            return Err(ApiError::param("Content-Type 须为 application/json").into());
        }
        Ok(Signed {
            signer,
            nonce,
            body,
        })
    }
}

/// Whether the request says its body is JSON (`application/json`, with
/// parameters or not).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Checks who is calling; the merchant and the call's nonce, or WeChat's
/// 401 `SIGN_ERROR`. Nothing here waits for the writer.
fn authenticate(
    sandbox: &Sandbox,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Mchid, Nonce), PayFailure> {
    let refuse = |problem| PayFailure::from(ApiError::Sign(problem));
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refuse(SignProblem::Missing))?;
    let Authorization {
        mchid,
        nonce_str,
        signature,
        timestamp,
        serial_no,
    } = signing::parse_authorization(header).ok_or_else(|| refuse(SignProblem::Malformed))?;
    let signer = Mchid::parse(&mchid).ok_or_else(|| refuse(SignProblem::BadMchid))?;
    let merchant = sandbox
        .merchant(signer)
        .ok_or_else(|| refuse(SignProblem::UnknownMerchant))?;
    if serial_no != merchant.serial_no {
        return Err(refuse(SignProblem::WrongSerial));
    }
    let now = wall_clock().as_millis() / 1000;
    let at: i64 = timestamp
        .parse()
        .ok()
        .filter(|t: &i64| (t - now).abs() <= signing::MAX_SKEW_SECS)
        .ok_or_else(|| refuse(SignProblem::Stale))?;
    if nonce_str.is_empty() || nonce_str.len() > 64 {
        return Err(refuse(SignProblem::BadNonce));
    }
    let message = signing::request_message(
        method.as_str(),
        path_and_query,
        &timestamp,
        &nonce_str,
        body,
    );
    if !merchant.key.verify(&message, &signature) {
        return Err(refuse(SignProblem::Invalid));
    }
    Ok((
        signer,
        Nonce {
            mchid,
            nonce: nonce_str,
            at_secs: at,
        },
    ))
}

/// A body as `T`, or WeChat's `PARAM_ERROR`.
fn parse<T: for<'a> Deserialize<'a>>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::unreadable(&e.to_string()))
}

/// A call that may change the state, as the writer's next job: its nonce
/// is checked here first, and spent in the save that answers it.
async fn change<T: Serialize + Send + 'static>(
    sandbox: &Sandbox,
    signed: Signed,
    call: impl FnOnce(&mut World, Timestamp) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, PayFailure> {
    let signer = signed.signer;
    if sandbox.seen_nonce(&signed.nonce) {
        return Err(PayFailure::replayed(signer));
    }
    let (result, _) = sandbox
        .write(Some(signed.nonce), move |state, tx| call(state, tx.now))
        .await
        .map_err(failure(signer))?;
    result.map_err(PayFailure::for_signer(signer))
}

/// A query: read from the saved state — unless the console has a fault
/// waiting for the next call, which the query then meets (and uses up), as
/// a call that changes the state.
pub(crate) async fn query<T: Serialize + Send + 'static>(
    sandbox: &Sandbox,
    signed: Signed,
    view: impl FnOnce(&World, Timestamp) -> Result<T, ApiError>,
    call: impl FnOnce(&mut World, Timestamp) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, PayFailure> {
    let signer = signed.signer;
    if !sandbox.spend_read_nonce(signed.nonce.clone()) {
        return Err(PayFailure::replayed(signer));
    }
    let read = sandbox.read(|state| {
        (!state.api_faults_pending(signer)).then(|| view(state, state.sim().now(wall_clock())))
    });
    let result = match read {
        Some(result) => result,
        None => {
            let (result, _) = sandbox
                .write(None, move |state, tx| call(state, tx.now))
                .await
                .map_err(failure(signer))?;
            result
        }
    };
    result.map_err(PayFailure::for_signer(signer))
}

/// `POST /v3/pay/transactions/native` → `code_url`.
async fn native_order(
    State(sandbox): State<Sandbox>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let request: NativeOrderRequest =
        parse(&signed.body).map_err(PayFailure::for_signer(signer))?;
    let site = sandbox.site().clone();
    let created = change(&sandbox, signed, move |state, now| {
        state.api_native_order(signer, &request, &site, now)
    })
    .await?;
    Ok(answer(signer, &created))
}

/// `POST /v3/pay/transactions/jsapi` → `prepay_id`.
async fn jsapi_order(
    State(sandbox): State<Sandbox>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let request: NativeOrderRequest =
        parse(&signed.body).map_err(PayFailure::for_signer(signer))?;
    let created = change(&sandbox, signed, move |state, now| {
        state.api_jsapi_order(signer, &request, now)
    })
    .await?;
    Ok(answer(signer, &created))
}

/// `POST /v3/pay/transactions/h5` → `h5_url`.
async fn h5_order(State(sandbox): State<Sandbox>, signed: Signed) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let request: NativeOrderRequest =
        parse(&signed.body).map_err(PayFailure::for_signer(signer))?;
    let site = sandbox.site().clone();
    let created = change(&sandbox, signed, move |state, now| {
        state.api_h5_order(signer, &request, &site, now)
    })
    .await?;
    Ok(answer(signer, &created))
}

#[derive(Debug, Deserialize)]
struct MchidQuery {
    mchid: Option<String>,
}

/// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…`.
async fn query_by_out_trade_no(
    State(sandbox): State<Sandbox>,
    Path(no): Path<String>,
    Query(q): Query<MchidQuery>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let (mchid, again) = (q.mchid.clone(), no.clone());
    let found = query(
        &sandbox,
        signed,
        |state, now| state.api_view_by_out_trade_no(signer, q.mchid.as_deref(), &no, now),
        move |state, now| state.api_query_by_out_trade_no(signer, mchid.as_deref(), &again, now),
    )
    .await?;
    Ok(answer(signer, &found))
}

/// `GET /v3/pay/transactions/id/{transaction_id}?mchid=…`.
async fn query_by_id(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    Query(q): Query<MchidQuery>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let (mchid, again) = (q.mchid.clone(), id.clone());
    let found = query(
        &sandbox,
        signed,
        |state, now| state.api_view_by_id(signer, q.mchid.as_deref(), &id, now),
        move |state, now| state.api_query_by_id(signer, mchid.as_deref(), &again, now),
    )
    .await?;
    Ok(answer(signer, &found))
}

#[derive(Deserialize)]
struct CloseRequest {
    mchid: Option<String>,
}

/// `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close` → 204.
async fn close_order(
    State(sandbox): State<Sandbox>,
    Path(no): Path<String>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let request: CloseRequest = parse(&signed.body).map_err(PayFailure::for_signer(signer))?;
    change(&sandbox, signed, move |state, now| {
        state.api_close_order(signer, request.mchid.as_deref(), &no, now)
    })
    .await?;
    Ok(no_content(signer))
}

/// `POST /v3/refund/domestic/refunds`.
async fn refund(State(sandbox): State<Sandbox>, signed: Signed) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let request: RefundRequest = parse(&signed.body).map_err(PayFailure::for_signer(signer))?;
    let done = change(&sandbox, signed, move |state, now| {
        state.api_refund(signer, &request, now)
    })
    .await?;
    Ok(answer(signer, &done))
}

/// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
async fn query_refund(
    State(sandbox): State<Sandbox>,
    Path(no): Path<String>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let again = no.clone();
    let found = query(
        &sandbox,
        signed,
        |state, _| state.api_view_refund(signer, &no),
        move |state, now| state.api_query_refund(signer, &again, now),
    )
    .await?;
    Ok(answer(signer, &found))
}

/// Any other `/v3/` path: WeChat's `404 NOT_FOUND` (to a signed call).
async fn unknown(signed: Signed) -> PayFailure {
    PayFailure::for_signer(signed.signer)(ApiError::NotFound)
}

/// A plain answer to a page or the console, never cached.
pub fn plain(status: StatusCode, body: impl Into<Body>, kind: &'static str) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    response
}

#[derive(Serialize)]
struct EncryptedCertificate {
    algorithm: &'static str,
    nonce: String,
    associated_data: &'static str,
    ciphertext: String,
}

#[derive(Serialize)]
struct CertificateEntry {
    serial_no: String,
    effective_time: String,
    expire_time: String,
    encrypt_certificate: EncryptedCertificate,
}

#[derive(Serialize)]
struct Certificates {
    data: Vec<CertificateEntry>,
}

/// `GET /v3/certificates`: the platform certificate, encrypted with the
/// caller's APIv3 key (associated data `certificate`).
async fn certificates(
    State(sandbox): State<Sandbox>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    if !sandbox.spend_read_nonce(signed.nonce) {
        return Err(PayFailure::replayed(signer));
    }
    let system = || PayFailure::for_signer(signer)(ApiError::System);
    let merchant = sandbox.merchant(signer).ok_or_else(system)?;
    let time = |ms| qianbao_core::time::rfc3339_cst(Timestamp::from_millis(ms));
    // Every valid certificate: two while the platform key is rotated.
    let data = sandbox
        .certificates()
        .into_iter()
        .map(|cert| {
            let nonce = crate::keys::with_rng(crate::keys::nonce)[..12].to_owned();
            let ciphertext = crate::notify::encrypt(
                &merchant.apiv3_key,
                &nonce,
                "certificate",
                cert.pem.as_bytes(),
            )?;
            Some(CertificateEntry {
                serial_no: cert.serial,
                effective_time: time(cert.not_before),
                expire_time: time(cert.not_after),
                encrypt_certificate: EncryptedCertificate {
                    algorithm: "AEAD_AES_256_GCM",
                    nonce,
                    associated_data: "certificate",
                    ciphertext,
                },
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(system)?;
    Ok(answer(signer, &Certificates { data }))
}
