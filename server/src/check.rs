//! 「接入检查」: the probes of `core::payapi::check` made and sent to a
//! merchant's registered notify URL, one after another, each answer judged
//! and logged in the console; the report back. Only ever on request
//! (`POST /sandbox/v1/check`, `/dev`'s button, `qianbao-sandbox check`),
//! and only to the URL the merchant registered.

use crate::keys;
use crate::notify::{self, Prepared};
use crate::sandbox::Sandbox;
use crate::signing::SigningKey;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use qianbao_core::merchant::Mchid;
use qianbao_core::payapi::{CheckReport, Probe, ProbeResult};
use rand_core::RngCore;

/// Why the check could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("no merchant has this number")]
    NoSuchMerchant,
    #[error("the sandbox could not make the probes: {0}")]
    Unmade(String),
}

/// How long a stale probe's timestamp is behind: an hour (a backend must
/// refuse more than five minutes).
const STALE_SECS: i64 = 3600;

/// Runs the check for `mchid` (blocking: it waits for each answer).
pub fn run(sandbox: &Sandbox, mchid: Mchid) -> Result<CheckReport, CheckError> {
    let now = sandbox.read(|state| state.sim().now(crate::sandbox::wall_clock()));
    let due = sandbox
        .read(|state| state.probe_notification(mchid, now))
        .ok_or(CheckError::NoSuchMerchant)?;
    let url = due.url.clone();
    let out_trade_no = due.out_trade_no.clone();
    let valid = notify::prepare(sandbox, due).ok_or(CheckError::NoSuchMerchant)?;
    let stranger = stranger_key()?;
    let mut probes = Vec::new();
    for probe in Probe::ALL {
        let sent = made(sandbox, probe, &valid, &stranger);
        let (status, answer) = notify::send(&sent);
        let result = ProbeResult::new(probe, status, &answer);
        let logged = result.clone();
        let url = url.clone();
        sandbox
            .write_blocking(move |state, tx| {
                state.record_probe(mchid, &url, &logged, tx.now);
            })
            .map_err(|e| CheckError::Unmade(e.to_string()))?;
        probes.push(result);
    }
    Ok(CheckReport {
        mchid: mchid.to_string(),
        url,
        out_trade_no,
        probes,
    })
}

/// A key the platform never had (the unknown-serial probe signs with it).
fn stranger_key() -> Result<SigningKey, CheckError> {
    let unmade = |e: &dyn std::fmt::Display| CheckError::Unmade(e.to_string());
    let key = keys::generate(&mut rand_core::OsRng).map_err(|e| unmade(&e))?;
    let pem = keys::private_pem(&key).map_err(|e| unmade(&e))?;
    SigningKey::from_pem(&pem).map_err(|e| unmade(&e))
}

/// `probe` made from the right notification `valid`.
fn made(sandbox: &Sandbox, probe: Probe, valid: &Prepared, stranger: &SigningKey) -> Prepared {
    let mut sent = valid.clone();
    let random_signature = || {
        let mut bytes = [0u8; 256];
        keys::with_rng(|rng| rng.fill_bytes(&mut bytes));
        STANDARD.encode(bytes)
    };
    let serial = valid.headers.serial.clone();
    match probe {
        Probe::Valid | Probe::Duplicate => {}
        Probe::Signtest => {
            sent.headers.signature = format!("WECHATPAY/SIGNTEST/{}", random_signature());
        }
        Probe::Forged => sent.headers.signature = random_signature(),
        Probe::Stale => {
            let then = crate::sandbox::wall_clock().as_millis() / 1000 - STALE_SECS;
            sent.headers = sandbox.sign_at(&sent.body, serial, then);
        }
        Probe::UnknownSerial => {
            let mut headers = sandbox.sign_as(&sent.body, serial.clone());
            headers.serial = if serial.starts_with(keys::PUBLIC_KEY_ID_PREFIX) {
                keys::with_rng(keys::public_key_id)
            } else {
                keys::with_rng(keys::serial_no)
            };
            let message =
                crate::signing::response_message(&headers.timestamp, &headers.nonce, &sent.body);
            headers.signature = stranger.sign(&message);
            sent.headers = headers;
        }
        Probe::Tampered => {
            sent.body = tampered(&sent.body);
            sent.headers = sandbox.sign_as(&sent.body, serial);
        }
    }
    sent
}

/// The notification with one byte of its ciphertext changed (still
/// Base64, still JSON): rightly signed, it cannot decrypt.
fn tampered(body: &[u8]) -> Vec<u8> {
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return body.to_vec();
    };
    let changed = json["resource"]["ciphertext"]
        .as_str()
        .and_then(|c| STANDARD.decode(c).ok())
        .map(|mut bytes| {
            if let Some(first) = bytes.first_mut() {
                *first ^= 0x01;
            }
            STANDARD.encode(bytes)
        });
    if let Some(ciphertext) = changed {
        json["resource"]["ciphertext"] = serde_json::Value::String(ciphertext);
    }
    serde_json::to_vec(&json).unwrap_or_else(|_| body.to_vec())
}
