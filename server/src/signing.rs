//! `WECHATPAY2-SHA256-RSA2048`, WeChat Pay API v3's signatures: SHA256 with
//! RSA (PKCS #1 v1.5) over a message of lines, Base64 on the wire.
//!
//! - A request's message: `METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n`,
//!   signed with the merchant's private key, sent as `Authorization:
//!   WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`.
//! - A response's (and a notification's): `timestamp\nnonce\nbody\n`,
//!   signed with the platform's key, sent as `Wechatpay-Timestamp`,
//!   `-Nonce`, `-Signature`, `-Serial` and `-Signature-Type`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};

pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";
/// How far a request's timestamp may be from the server's clock.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

/// The fields of an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub mchid: String,
    pub nonce_str: String,
    pub signature: String,
    pub timestamp: String,
    pub serial_no: String,
}

/// Reads `WECHATPAY2-SHA256-RSA2048 k="v",…`; `None` unless each of the
/// five fields is there once, quoted, and nothing else is.
pub fn parse_authorization(header: &str) -> Option<Authorization> {
    let rest = header.strip_prefix(SCHEME)?.strip_prefix(' ')?;
    let mut fields: [Option<String>; 5] = Default::default();
    for pair in rest.split(',') {
        let (name, value) = pair.trim().split_once('=')?;
        let value = value.strip_prefix('"')?.strip_suffix('"')?;
        if value.contains('"') {
            return None;
        }
        let slot = match name {
            "mchid" => 0,
            "nonce_str" => 1,
            "signature" => 2,
            "timestamp" => 3,
            "serial_no" => 4,
            _ => return None,
        };
        if fields[slot].replace(value.to_owned()).is_some() {
            return None;
        }
    }
    let [mchid, nonce_str, signature, timestamp, serial_no] = fields;
    Some(Authorization {
        mchid: mchid?,
        nonce_str: nonce_str?,
        signature: signature?,
        timestamp: timestamp?,
        serial_no: serial_no?,
    })
}

/// What a request's signature covers.
pub fn request_message(
    method: &str,
    path_and_query: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut message = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// What a response's (or notification's) signature covers.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// SHA256-with-RSA of `message`, in Base64.
pub fn sign(key: &RsaPrivateKey, message: &[u8]) -> String {
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(message);
    STANDARD.encode(signature.to_bytes())
}

/// Whether `signature` (Base64) is `key`'s signature of `message`.
pub fn verify(key: &RsaPublicKey, message: &[u8], signature: &str) -> bool {
    let Ok(bytes) = STANDARD.decode(signature) else {
        return false;
    };
    let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(message, &signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_header_has_five_quoted_fields_once() {
        let good = r#"WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="abc",signature="c2ln",timestamp="1554208460",serial_no="1DDE""#;
        let parsed = parse_authorization(good).unwrap();
        assert_eq!(parsed.mchid, "1900000001");
        assert_eq!(parsed.serial_no, "1DDE");
        for bad in [
            "",
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="a",signature="s",timestamp="1""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="a",signature="s",timestamp="1",serial_no="x""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="a",signature="s",timestamp="1",serial_no="x""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="a",signature="s",timestamp="1",serial_no="x",extra="y""#,
            r#"Bearer mchid="1",nonce_str="a",signature="s",timestamp="1",serial_no="x""#,
        ] {
            assert_eq!(parse_authorization(bad), None, "{bad}");
        }
    }
}
