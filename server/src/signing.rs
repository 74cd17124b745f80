//! `WECHATPAY2-SHA256-RSA2048`, WeChat Pay API v3's signatures: SHA256 with
//! RSA (PKCS #1 v1.5) over a message of lines, Base64 on the wire.
//!
//! - A request's message: `METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n`,
//!   signed with the merchant's private key, sent as `Authorization:
//!   WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`.
//! - A response's (and a notification's): `timestamp\nnonce\nbody\n`,
//!   signed with the platform's key, sent as `Wechatpay-Timestamp`,
//!   `-Nonce`, `-Signature`, `-Serial` and `-Signature-Type`.
//!
//! Signing and verifying are `ring`'s (constant-time; RustCrypto's `rsa`,
//! which only makes and encodes keys here, carries the unfixed timing
//! advisory RUSTSEC-2023-0071 and signs several times slower, measured in
//! the stop note): a key is read once into a [`SigningKey`] or a
//! [`VerifyingKey`] and used from any thread.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self as sig, RsaKeyPair, UnparsedPublicKey};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
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

/// Why a key could not be read.
#[derive(Debug, thiserror::Error)]
#[error("RSA key: {0}")]
pub struct BadKey(String);

/// A private key ready to sign (the platform's; a test's merchant's).
#[derive(Debug)]
pub struct SigningKey {
    pair: RsaKeyPair,
    random: SystemRandom,
}

impl SigningKey {
    /// From PKCS #8 PEM (`-----BEGIN PRIVATE KEY-----`, as `apiclient_key.pem`).
    pub fn from_pem(pem: &str) -> Result<SigningKey, BadKey> {
        let der = RsaPrivateKey::from_pkcs8_pem(pem)
            .and_then(|key| key.to_pkcs8_der())
            .map_err(|e| BadKey(e.to_string()))?;
        let pair = RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| BadKey(e.to_string()))?;
        Ok(SigningKey {
            pair,
            random: SystemRandom::new(),
        })
    }

    /// SHA256-with-RSA (PKCS #1 v1.5) of `message`, in Base64.
    pub fn sign(&self, message: &[u8]) -> String {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        // (Deterministic: PKCS #1 v1.5 takes no randomness; ring asks for it.)
        match self.pair.sign(
            &sig::RSA_PKCS1_SHA256,
            &self.random,
            message,
            &mut signature,
        ) {
            Ok(()) => STANDARD.encode(signature),
            Err(_) => String::new(),
        }
    }
}

/// A public key ready to verify (a merchant's, or the platform's for a
/// test's own check).
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    /// PKCS #1 `RSAPublicKey` DER, the form ring reads.
    der: Vec<u8>,
}

impl VerifyingKey {
    /// From SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(pem: &str) -> Result<VerifyingKey, BadKey> {
        Self::from_key(&RsaPublicKey::from_public_key_pem(pem).map_err(|e| BadKey(e.to_string()))?)
    }

    pub fn from_key(key: &RsaPublicKey) -> Result<VerifyingKey, BadKey> {
        let der = key.to_pkcs1_der().map_err(|e| BadKey(e.to_string()))?;
        Ok(VerifyingKey {
            der: der.as_bytes().to_vec(),
        })
    }

    /// Whether `signature` (Base64) is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = STANDARD.decode(signature) else {
            return false;
        };
        UnparsedPublicKey::new(&sig::RSA_PKCS1_2048_8192_SHA256, &self.der)
            .verify(message, &bytes)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_key_only() {
        let mut rng = rand_core::OsRng;
        let key = crate::keys::generate(&mut rng).unwrap();
        let other = crate::keys::generate(&mut rng).unwrap();
        let signer = SigningKey::from_pem(&crate::keys::private_pem(&key).unwrap()).unwrap();
        let public = crate::keys::public_pem(&key.to_public_key()).unwrap();
        let verifier = VerifyingKey::from_pem(&public).unwrap();
        let stranger = VerifyingKey::from_key(&other.to_public_key()).unwrap();
        let message = response_message("1700000000", "abc", b"{}");
        let signature = signer.sign(&message);
        assert!(verifier.verify(&message, &signature));
        assert!(!verifier.verify(b"another message", &signature));
        assert!(!stranger.verify(&message, &signature));
        assert!(!verifier.verify(&message, "not base64!"));
        // The same bytes RustCrypto's PKCS #1 v1.5 gives (deterministic).
        use rsa::signature::{SignatureEncoding, Signer};
        let theirs = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(key).sign(&message);
        assert_eq!(STANDARD.encode(theirs.to_bytes()), signature);
    }

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
