//! The HTTP side: WeChat Pay API v3 under `/v3/`, and the built site for
//! every other path (so the cashier a `code_url` opens is on the same
//! origin as the API).
//!
//! Each `/v3/` call: the body is read (at most [`MAX_BODY`] bytes), the
//! `Authorization` header checked — a registered 商户号, its certificate
//! serial, a timestamp within five minutes, a nonce not used before, and
//! the merchant's RSA signature over the request — then `core` answers,
//! and the answer is signed with the platform's key. Anything refused is
//! WeChat Pay's `{"code", "message"}` with its HTTP status, and changes
//! nothing.

use crate::sandbox::{BrowserSaveError, Sandbox, SandboxError};
use crate::signing::{self, Authorization};
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use qianbao_core::envelope::{self, Write};
use qianbao_core::merchant::Mchid;
use qianbao_core::payapi::{ApiError, NativeOrderRequest, RefundRequest};
use qianbao_core::sns;
use qianbao_core::wechat::WeChatError;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::Notify;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest request body WeChat Pay's API takes here.
pub const MAX_BODY: usize = 64 * 1024;

/// The largest save a browser may send (a wallet with a long history).
pub const MAX_STATE: usize = 64 * 1024 * 1024;

/// The sandbox, and a bell that wakes the notifier when the state may owe
/// a notification (a browser's save, an API call).
#[derive(Debug, Clone)]
pub struct Shared {
    pub sandbox: Arc<Mutex<Sandbox>>,
    pub wake: Arc<Notify>,
}

impl Shared {
    pub fn new(sandbox: Sandbox) -> Shared {
        Shared {
            sandbox: Arc::new(Mutex::new(sandbox)),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Runs `work` on the sandbox off the async threads.
    pub async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Sandbox) -> T + Send + 'static,
    ) -> Option<T> {
        let sandbox = Arc::clone(&self.sandbox);
        tokio::task::spawn_blocking(move || {
            let mut sandbox = sandbox.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut sandbox)
        })
        .await
        .ok()
    }
}

/// The sandbox's routes; with `dist`, the built site answers every path
/// that is not the API (its app routes get `index.html`).
pub fn router(sandbox: Shared, dist: Option<PathBuf>) -> Router {
    let router = Router::new()
        .route("/v3/{*rest}", any(v3))
        .route(
            "/sandbox/v1/store",
            get(read_store)
                .post(save_store)
                .layer(DefaultBodyLimit::max(MAX_STATE)),
        )
        .route(
            "/sandbox/v1/replace",
            post(replace_store).layer(DefaultBodyLimit::max(MAX_STATE)),
        )
        .route("/sandbox/v1/head", get(read_head))
        .route("/sandbox/v1/merchants", post(register_merchant))
        .route("/connect/oauth2/authorize", get(authorize))
        .route("/sns/oauth2/access_token", get(sns_access_token))
        .route("/sns/oauth2/refresh_token", get(sns_refresh_token))
        .route("/sns/userinfo", get(sns_userinfo))
        .route("/sns/auth", get(sns_auth))
        .with_state(sandbox);
    let router = match dist {
        Some(dist) => {
            let index = dist.join("index.html");
            router.fallback_service(ServeDir::new(dist).fallback(ServeFile::new(index)))
        }
        None => router,
    };
    // Tells the page it came from a sandbox server (`web/src/storage.rs`):
    // read synchronously before the first screen, and absent on any
    // static host, whose site therefore works exactly as without a server.
    router.layer(SetResponseHeaderLayer::if_not_present(
        SET_COOKIE,
        HeaderValue::from_static(SANDBOX_COOKIE),
    ))
}

/// The cookie that puts the site in sandbox mode (a session cookie: it goes
/// with the browser, not with the origin for good).
pub const SANDBOX_COOKIE: &str = "qianbao-sandbox=1; Path=/; SameSite=Strict";

/// An answer to a browser's storage request, never cached.
fn plain(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /sandbox/v1/store`: every stored value, as writes on the wire.
async fn read_store(State(sandbox): State<Shared>) -> Response {
    match sandbox.with(|s| s.stored()).await {
        Some(Ok(stored)) => {
            let writes: Vec<Write> = stored.into_iter().map(|(k, v)| Write::Set(k, v)).collect();
            plain(StatusCode::OK, envelope::to_wire(&writes))
        }
        _ => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the sandbox cannot read its state".to_owned(),
        ),
    }
}

/// `GET /sandbox/v1/head`: the stored head, or 204 when nothing is stored.
async fn read_head(State(sandbox): State<Shared>) -> Response {
    match sandbox.with(|s| s.head()).await {
        Some(Ok(Some(head))) => plain(StatusCode::OK, head),
        Some(Ok(None)) => plain(StatusCode::NO_CONTENT, String::new()),
        _ => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the sandbox cannot read its state".to_owned(),
        ),
    }
}

async fn save_store(State(sandbox): State<Shared>, body: String) -> Response {
    browser_save(sandbox, body, false).await
}

async fn replace_store(State(sandbox): State<Shared>, body: String) -> Response {
    browser_save(sandbox, body, true).await
}

/// `POST /sandbox/v1/store` (a save) and `/sandbox/v1/replace`: 204 when
/// kept, 409 when another save came first, 400 when it is not a save.
async fn browser_save(sandbox: Shared, body: String, replace: bool) -> Response {
    let Some(writes) = envelope::from_wire(&body) else {
        return plain(StatusCode::BAD_REQUEST, "not a list of writes".to_owned());
    };
    match sandbox
        .with(move |s| s.browser_save(&writes, replace))
        .await
    {
        Some(Ok(())) => {
            sandbox.wake.notify_one();
            plain(StatusCode::NO_CONTENT, String::new())
        }
        Some(Err(BrowserSaveError::Conflict)) => {
            plain(StatusCode::CONFLICT, "another save came first".to_owned())
        }
        Some(Err(BrowserSaveError::Invalid(why))) => plain(StatusCode::BAD_REQUEST, why),
        _ => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the sandbox cannot save".to_owned(),
        ),
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

/// A JSON answer from WeChat Pay, to be signed.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
    /// The merchant who asked, once known (its answers name the serial it
    /// verifies with).
    signer: Option<Mchid>,
}

impl Answer {
    fn json(value: &impl Serialize) -> Answer {
        match serde_json::to_vec(value) {
            Ok(body) => Answer {
                status: StatusCode::OK,
                body,
                signer: None,
            },
            Err(_) => Answer::error(&ApiError::system()),
        }
    }

    fn no_content() -> Answer {
        Answer {
            status: StatusCode::NO_CONTENT,
            body: Vec::new(),
            signer: None,
        }
    }

    fn error(error: &ApiError) -> Answer {
        let body = serde_json::to_vec(&ErrorBody {
            code: error.code,
            message: &error.message,
        })
        .unwrap_or_default();
        Answer {
            status: StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body,
            signer: None,
        }
    }
}

fn from_result<T: Serialize>(result: Result<T, ApiError>) -> Answer {
    match result {
        Ok(value) => Answer::json(&value),
        Err(error) => Answer::error(&error),
    }
}

async fn v3(State(sandbox): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, MAX_BODY).await;
    let wake = Arc::clone(&sandbox.wake);
    let answer = sandbox
        .with(move |sandbox| {
            let answer = match body {
                Ok(body) => handle(sandbox, &parts.method, &parts.uri, &parts.headers, &body),
                Err(_) => Answer::error(&ApiError::param(format!(
                    "请求体超过 {} KB",
                    MAX_BODY / 1024
                ))),
            };
            let signed = sandbox.sign_as(&answer.body, sandbox.serial_for(answer.signer));
            let latency = sandbox.state().sim().faults().latency_ms;
            (answer, signed, latency)
        })
        .await;
    wake.notify_one();
    let Some((answer, signed, latency)) = answer else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // The console's latency: every request takes this long.
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(latency))).await;
    }
    // The console's network failure: the call never got an answer.
    if answer.status == StatusCode::GATEWAY_TIMEOUT {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::GATEWAY_TIMEOUT;
        return response;
    }
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    if answer.status != StatusCode::NO_CONTENT {
        put("content-type", "application/json; charset=utf-8");
    }
    put("request-id", &format!("08{}", signed.nonce));
    put("wechatpay-timestamp", &signed.timestamp);
    put("wechatpay-nonce", &signed.nonce);
    put("wechatpay-signature", &signed.signature);
    put("wechatpay-serial", &signed.serial);
    put("wechatpay-signature-type", signing::SCHEME);
    response
}

/// Checks who is calling; the merchant, or WeChat's 401 `SIGN_ERROR`.
fn authenticate(
    sandbox: &mut Sandbox,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Mchid, Answer> {
    let refuse = |message: &str| Answer::error(&ApiError::new(401, "SIGN_ERROR", message));
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refuse("缺少 Authorization 请求头"))?;
    let Authorization {
        mchid,
        nonce_str,
        signature,
        timestamp,
        serial_no,
    } = signing::parse_authorization(header).ok_or_else(|| {
        refuse("Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》")
    })?;
    let signer = Mchid::parse(&mchid).ok_or_else(|| refuse("商户号格式错误"))?;
    let key = sandbox.merchant_key(signer).map_err(|e| server_error(&e))?;
    let Some((serial, public_key)) = key else {
        return Err(refuse("商户号不存在"));
    };
    if serial_no != serial {
        return Err(refuse("商户证书序列号有误"));
    }
    let now = crate::sandbox::wall_clock().as_millis() / 1000;
    let at: i64 = timestamp
        .parse()
        .ok()
        .filter(|t: &i64| (t - now).abs() <= signing::MAX_SKEW_SECS)
        .ok_or_else(|| refuse("请求的时间戳与当前时间相差超过 5 分钟"))?;
    if nonce_str.is_empty() || nonce_str.len() > 64 {
        return Err(refuse("nonce_str 须为 1–64 个字符"));
    }
    let message = signing::request_message(
        method.as_str(),
        path_and_query,
        &timestamp,
        &nonce_str,
        body,
    );
    if !signing::verify(&public_key, &message, &signature) {
        return Err(refuse("签名错误，请检查后再试"));
    }
    // Only a request that is the merchant's own can spend a nonce.
    let first = sandbox
        .first_use_of_nonce(signer, &nonce_str, at)
        .map_err(|e| server_error(&e))?;
    if !first {
        return Err(refuse("重复的请求：该 nonce_str 已使用过"));
    }
    Ok(signer)
}

/// What the sandbox could not do is WeChat's `SYSTEM_ERROR` to the caller,
/// and the reason on the server's own log.
fn server_error(error: &SandboxError) -> Answer {
    let _ = writeln!(std::io::stderr(), "qianbao-sandbox: {error}");
    Answer::error(&ApiError::system())
}

/// A body as `T`, or WeChat's `PARAM_ERROR`.
fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::unreadable(&e.to_string()))
}

/// The value of `name` in a query string (percent-decoded).
fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| decode(value)).flatten()
    })
}

/// A percent-decoded path segment or query value; `None` if not UTF-8.
fn decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[derive(Deserialize)]
struct CloseRequest {
    mchid: Option<String>,
}

fn handle(
    sandbox: &mut Sandbox,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Answer {
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let signer = match authenticate(sandbox, method, path_and_query, headers, body) {
        Ok(signer) => signer,
        Err(answer) => return answer,
    };
    let named = headers
        .get("wechatpay-serial")
        .and_then(|v| v.to_str().ok());
    sandbox.note_mode(signer, named);
    let mut answer = route(sandbox, signer, method, uri, body);
    answer.signer = Some(signer);
    answer
}

/// The `/v3/` call `signer` made, answered by `core`.
fn route(
    sandbox: &mut Sandbox,
    signer: Mchid,
    method: &Method,
    uri: &axum::http::Uri,
    body: &Bytes,
) -> Answer {
    let query = uri.query();
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let site = sandbox.site().clone();
    let run = |sandbox: &mut Sandbox,
               command: &mut dyn FnMut(
        &mut qianbao_core::state::State,
        qianbao_core::time::Timestamp,
    ) -> Answer| {
        sandbox
            .run(|state, now| command(state, now))
            .unwrap_or_else(|e| server_error(&e))
    };
    match (method.clone(), segments.as_slice()) {
        (Method::POST, ["v3", "pay", "transactions", "native"]) => {
            match parse::<NativeOrderRequest>(body) {
                Ok(request) => run(sandbox, &mut |state, now| {
                    from_result(state.api_native_order(signer, &request, &site, now))
                }),
                Err(error) => Answer::error(&error),
            }
        }
        (Method::GET, ["v3", "certificates"]) => certificates(sandbox, signer),
        (Method::POST, ["v3", "pay", "transactions", "jsapi"]) => {
            match parse::<NativeOrderRequest>(body) {
                Ok(request) => run(sandbox, &mut |state, now| {
                    from_result(state.api_jsapi_order(signer, &request, now))
                }),
                Err(error) => Answer::error(&error),
            }
        }
        (Method::GET, ["v3", "pay", "transactions", "out-trade-no", no]) => {
            let (Some(no), mchid) = (decode(no), query_value(query, "mchid")) else {
                return Answer::error(&ApiError::order_not_exist());
            };
            run(sandbox, &mut |state, now| {
                from_result(state.api_query_by_out_trade_no(signer, mchid.as_deref(), &no, now))
            })
        }
        (Method::GET, ["v3", "pay", "transactions", "id", id]) => {
            let (Some(id), mchid) = (decode(id), query_value(query, "mchid")) else {
                return Answer::error(&ApiError::order_not_exist());
            };
            run(sandbox, &mut |state, now| {
                from_result(state.api_query_by_id(signer, mchid.as_deref(), &id, now))
            })
        }
        (Method::POST, ["v3", "pay", "transactions", "out-trade-no", no, "close"]) => {
            let Some(no) = decode(no) else {
                return Answer::error(&ApiError::order_not_exist());
            };
            match parse::<CloseRequest>(body) {
                Ok(request) => run(sandbox, &mut |state, now| match state.api_close_order(
                    signer,
                    request.mchid.as_deref(),
                    &no,
                    now,
                ) {
                    Ok(()) => Answer::no_content(),
                    Err(error) => Answer::error(&error),
                }),
                Err(error) => Answer::error(&error),
            }
        }
        (Method::POST, ["v3", "refund", "domestic", "refunds"]) => {
            match parse::<RefundRequest>(body) {
                Ok(request) => run(sandbox, &mut |state, now| {
                    from_result(state.api_refund(signer, &request, now))
                }),
                Err(error) => Answer::error(&error),
            }
        }
        (Method::GET, ["v3", "refund", "domestic", "refunds", no]) => {
            let Some(no) = decode(no) else {
                return Answer::error(&ApiError::new(404, "RESOURCE_NOT_EXISTS", "退款单不存在"));
            };
            run(sandbox, &mut |state, now| {
                from_result(state.api_query_refund(signer, &no, now))
            })
        }
        _ => Answer::error(&ApiError::new(404, "NOT_FOUND", "请求的资源不存在")),
    }
}

#[derive(Deserialize)]
struct Registration {
    name: String,
    notify_url: String,
    redirect_domain: String,
}

/// `POST /sandbox/v1/merchants` (a form: `name`, `notify_url`,
/// `redirect_domain`): the console's 「注册商户」, as `merchant add`. 200
/// with the credentials' JSON, or 400 with the refused field's name.
async fn register_merchant(
    State(shared): State<Shared>,
    axum::extract::Form(form): axum::extract::Form<Registration>,
) -> Response {
    let registered = shared
        .with(move |s| s.register(&form.name, &form.notify_url, &form.redirect_domain))
        .await;
    match registered {
        Some(Ok(credentials)) => {
            let json = serde_json::to_string_pretty(&credentials).unwrap_or_default();
            let mut response = plain(StatusCode::OK, json);
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            response
        }
        Some(Err(SandboxError::Register(error))) => {
            plain(StatusCode::BAD_REQUEST, error.field().to_owned())
        }
        Some(Err(error)) => {
            let _ = writeln!(std::io::stderr(), "qianbao-sandbox: {error}");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "server".to_owned())
        }
        None => plain(StatusCode::INTERNAL_SERVER_ERROR, "server".to_owned()),
    }
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

/// `GET /v3/certificates`: the platform certificate, encrypted with the
/// caller's APIv3 key (associated data `certificate`).
fn certificates(sandbox: &mut Sandbox, signer: Mchid) -> Answer {
    let Ok(Some(apiv3_key)) = sandbox.apiv3_key(signer) else {
        return Answer::error(&ApiError::system());
    };
    let cert = sandbox.certificate().clone();
    let nonce = crate::keys::nonce(&mut rand_core::OsRng)[..12].to_owned();
    let Some(ciphertext) =
        crate::notify::encrypt(&apiv3_key, &nonce, "certificate", cert.pem.as_bytes())
    else {
        return Answer::error(&ApiError::system());
    };
    let time = |ms| qianbao_core::time::rfc3339_cst(qianbao_core::time::Timestamp::from_millis(ms));
    let entry = CertificateEntry {
        serial_no: cert.serial,
        effective_time: time(cert.not_before),
        expire_time: time(cert.not_after),
        encrypt_certificate: EncryptedCertificate {
            algorithm: "AEAD_AES_256_GCM",
            nonce,
            associated_data: "certificate",
            ciphertext,
        },
    };
    Answer::json(&serde_json::json!({ "data": [entry] }))
}

// ── 网页授权 ──────────────────────────────────────────────────────────────

/// `GET /connect/oauth2/authorize?…`: WeChat's authorize page, which is the
/// site's own (`/wechat/connect/oauth2/authorize`, same query).
async fn authorize(uri: axum::http::Uri) -> Response {
    let target = format!(
        "/wechat/connect/oauth2/authorize{}",
        uri.query().map(|q| format!("?{q}")).unwrap_or_default()
    );
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::FOUND;
    if let Ok(location) = HeaderValue::from_str(&target) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    response
}

type Params = axum::extract::Query<std::collections::HashMap<String, String>>;

/// WeChat's JSON answer to an `/sns/` call; a request the console's network
/// failure stops reaches the backend as a gateway timeout, with no body.
fn sns_answer<T: Serialize>(result: Result<T, WeChatError>) -> Response {
    let (status, body) = match result {
        Ok(value) => (
            StatusCode::OK,
            serde_json::to_vec(&value).unwrap_or_default(),
        ),
        Err(WeChatError::Network) => (StatusCode::GATEWAY_TIMEOUT, Vec::new()),
        Err(error) => {
            let (errcode, errmsg) = sns::errcode(&error);
            let body = serde_json::json!({ "errcode": errcode, "errmsg": errmsg });
            (StatusCode::OK, body.to_string().into_bytes())
        }
    };
    sns_response(status, body)
}

fn sns_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; encoding=utf-8"),
    );
    response
}

fn sns_error(errcode: i64, errmsg: &str) -> Response {
    let body = serde_json::json!({ "errcode": errcode, "errmsg": errmsg });
    sns_response(StatusCode::OK, body.to_string().into_bytes())
}

async fn sns_access_token(State(shared): State<Shared>, params: Params) -> Response {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (appid, secret, code, grant_type) =
        (get("appid"), get("secret"), get("code"), get("grant_type"));
    if grant_type != "authorization_code" {
        return sns_error(40002, "invalid grant_type");
    }
    let answer = shared
        .with(move |s| {
            match s.app_secret(&appid) {
                Ok(Some(known)) if known == secret => {}
                Ok(Some(_)) => return Err(Some((40125, "invalid appsecret"))),
                Ok(None) => return Err(Some((40013, "invalid appid"))),
                Err(_) => return Err(None),
            }
            s.run(|state, now| state.sns_access_token(&appid, &code, now, &mut rand_core::OsRng))
                .map_err(|_| None)
        })
        .await;
    shared.wake.notify_one();
    match answer {
        Some(Ok(result)) => sns_answer(result),
        Some(Err(Some((errcode, errmsg)))) => sns_error(errcode, errmsg),
        _ => sns_error(-1, "system error"),
    }
}

async fn sns_refresh_token(State(shared): State<Shared>, params: Params) -> Response {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (appid, refresh_token) = (get("appid"), get("refresh_token"));
    if get("grant_type") != "refresh_token" {
        return sns_error(40002, "invalid grant_type");
    }
    let answer = shared
        .with(move |s| {
            s.run(|state, now| {
                state.sns_refresh_token(&appid, &refresh_token, now, &mut rand_core::OsRng)
            })
        })
        .await;
    match answer {
        Some(Ok(result)) => sns_answer(result),
        _ => sns_error(-1, "system error"),
    }
}

async fn sns_userinfo(State(shared): State<Shared>, params: Params) -> Response {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (token, openid) = (get("access_token"), get("openid"));
    let answer = shared
        .with(move |s| s.run(|state, now| state.sns_userinfo(&token, &openid, now)))
        .await;
    match answer {
        Some(Ok(result)) => sns_answer(result),
        _ => sns_error(-1, "system error"),
    }
}

async fn sns_auth(State(shared): State<Shared>, params: Params) -> Response {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (token, openid) = (get("access_token"), get("openid"));
    let answer = shared
        .with(move |s| s.run(|state, now| state.sns_auth(&token, &openid, now)))
        .await;
    match answer {
        Some(Ok(result)) => {
            sns_answer(result.map(|()| serde_json::json!({ "errcode": 0, "errmsg": "ok" })))
        }
        _ => sns_error(-1, "system error"),
    }
}
