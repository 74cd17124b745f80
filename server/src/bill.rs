//! 下载账单 as WeChat Pay runs it, in two signed calls:
//! `GET /v3/bill/tradebill?bill_date=…` answers the file's SHA-1
//! (`hash_value`, of the file before any gzip) and a `download_url`, good
//! for five minutes on the sandbox's clock; `GET /v3/billdownload/file?
//! token=…`, signed by the same merchant, answers the file itself — plain
//! or gzipped (`tar_type=GZIP`), and, as WeChat's, without a platform
//! signature (SDKs skip verifying it). The file is core's
//! ([`qianbao_core::payapi::BillAsk`]); nothing is stored: the token names
//! the bill and is authenticated with the merchant's APIv3 key, so another
//! merchant's call is `NO_AUTH` and an altered or old token is
//! `INVALID_REQUEST`.

use crate::api::{query, PayFailure, Signed};
use crate::sandbox::Sandbox;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use qianbao_core::merchant::Mchid;
use qianbao_core::payapi::{ApiError, BillAsk, BillType, Invalid};
use qianbao_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::time::Duration;

/// How long a `download_url` works.
const VALID: Duration = Duration::from_secs(5 * 60);

/// The signed half: `/v3/bill/tradebill` (under the platform's signature).
pub fn signed_routes() -> Router<Sandbox> {
    Router::new().route("/v3/bill/tradebill", get(trade_bill))
}

/// The download, answered unsigned as WeChat's is.
pub fn routes() -> Router<Sandbox> {
    Router::new().route("/v3/billdownload/file", get(download))
}

#[derive(Debug, Deserialize)]
struct BillQuery {
    bill_date: Option<String>,
    bill_type: Option<String>,
    tar_type: Option<String>,
}

#[derive(Serialize)]
struct BillAnswer {
    hash_type: &'static str,
    hash_value: String,
    download_url: String,
}

async fn trade_bill(
    State(sandbox): State<Sandbox>,
    Query(q): Query<BillQuery>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let ask = BillAsk::parse(
        q.bill_date.as_deref(),
        q.bill_type.as_deref(),
        q.tar_type.as_deref(),
    )
    .map_err(PayFailure::for_signer(signer))?;
    let (file, now) = query(
        &sandbox,
        signed,
        move |state, now| state.api_trade_bill(signer, ask, now).map(|f| (f, now)),
        move |state, now| {
            state
                .api_trade_bill_call(signer, ask, now)
                .map(|f| (f, now))
        },
    )
    .await?;
    let key = apiv3_key(&sandbox, signer)?;
    let token = Token {
        mchid: signer,
        ask,
        expires: now.plus(VALID),
    }
    .seal(&key);
    let answer = BillAnswer {
        hash_type: "SHA1",
        hash_value: sha1_hex(file.as_bytes()),
        download_url: format!(
            "{}/v3/billdownload/file?token={token}",
            sandbox.site().origin
        ),
    };
    Ok(crate::api::answer(signer, &answer))
}

#[derive(Debug, Deserialize)]
struct DownloadQuery {
    token: Option<String>,
}

async fn download(
    State(sandbox): State<Sandbox>,
    Query(q): Query<DownloadQuery>,
    signed: Signed,
) -> Result<Response, PayFailure> {
    let signer = signed.signer;
    let refused = PayFailure::for_signer(signer);
    let bad_url = || refused(ApiError::InvalidRequest(Invalid::BillUrl));
    let token = Token::open(&sandbox, q.token.as_deref().unwrap_or("")).ok_or_else(bad_url)?;
    if token.mchid != signer {
        return Err(refused(ApiError::NoAuth));
    }
    let ask = token.ask;
    let (file, now) = query(
        &sandbox,
        signed,
        move |state, now| state.api_trade_bill(signer, ask, now).map(|f| (f, now)),
        move |state, now| state.api_trade_bill(signer, ask, now).map(|f| (f, now)),
    )
    .await?;
    if now > token.expires {
        return Err(bad_url());
    }
    let (body, kind) = if ask.gzip {
        (
            gzip(file.as_bytes()).ok_or_else(|| refused(ApiError::System))?,
            "application/x-gzip",
        )
    } else {
        (file.into_bytes(), "text/plain; charset=utf-8")
    };
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(kind));
    Ok(response)
}

/// What a `download_url` names, sealed with the merchant's APIv3 key.
struct Token {
    mchid: Mchid,
    ask: BillAsk,
    expires: Timestamp,
}

impl Token {
    fn seal(&self, key: &str) -> String {
        let kind = self.ask.kind.as_str();
        let payload = format!(
            "{}.{}.{kind}.{}.{}",
            self.mchid,
            self.ask.day,
            u8::from(self.ask.gzip),
            self.expires.as_millis()
        );
        let payload = URL_SAFE_NO_PAD.encode(payload);
        format!("{payload}.{}", mac(key, &payload))
    }

    fn open(sandbox: &Sandbox, token: &str) -> Option<Token> {
        let (payload, tag) = token.split_once('.')?;
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let parts: Vec<&str> = text.split('.').collect();
        let [mchid, day, kind, gzip, expires] = parts[..] else {
            return None;
        };
        let mchid = Mchid::parse(mchid)?;
        let key = sandbox.merchant(mchid)?.apiv3_key;
        if !crate::keys::same_secret(&mac(&key, payload), tag) {
            return None;
        }
        Some(Token {
            mchid,
            ask: BillAsk {
                day: day.parse().ok()?,
                kind: BillType::parse(Some(kind)).ok()?,
                gzip: gzip == "1",
            },
            expires: Timestamp::from_millis(expires.parse().ok()?),
        })
    }
}

fn apiv3_key(sandbox: &Sandbox, mchid: Mchid) -> Result<String, PayFailure> {
    sandbox
        .merchant(mchid)
        .map(|m| m.apiv3_key)
        .ok_or_else(|| PayFailure::for_signer(mchid)(ApiError::MchNotExists))
}

/// HMAC-SHA256 of `payload` under a key derived from the APIv3 key, hex.
fn mac(apiv3_key: &str, payload: &str) -> String {
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        format!("qianbao bill download\n{apiv3_key}").as_bytes(),
    );
    let tag = ring::hmac::sign(&key, payload.as_bytes());
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn sha1_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}
