//! What the sandbox generates for a new merchant and for itself: RSA-2048
//! key pairs (RustCrypto's `rsa`), certificate-style serial numbers, the
//! APIv3 key and the app secret.

use rand_core::{CryptoRng, RngCore};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::{RsaPrivateKey, RsaPublicKey};

pub const RSA_BITS: usize = 2048;

#[derive(Debug, thiserror::Error)]
#[error("RSA key: {0}")]
pub struct KeyError(String);

impl KeyError {
    pub fn new(why: impl Into<String>) -> KeyError {
        KeyError(why.into())
    }
}

/// A new RSA-2048 key pair.
pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Result<RsaPrivateKey, KeyError> {
    RsaPrivateKey::new(rng, RSA_BITS).map_err(|e| KeyError(e.to_string()))
}

/// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as WeChat's `apiclient_key.pem`.
pub fn private_pem(key: &RsaPrivateKey) -> Result<String, KeyError> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| KeyError(e.to_string()))
}

/// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), as WeChat's
/// `pub_key.pem` (微信支付公钥).
pub fn public_pem(key: &RsaPublicKey) -> Result<String, KeyError> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError(e.to_string()))
}

pub fn read_private(pem: &str) -> Result<RsaPrivateKey, KeyError> {
    RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError(e.to_string()))
}

pub fn read_public(pem: &str) -> Result<RsaPublicKey, KeyError> {
    RsaPublicKey::from_public_key_pem(pem).map_err(|e| KeyError(e.to_string()))
}

/// A self-signed X.509 certificate for the platform's key (WeChat Pay's
/// 平台证书, for SDKs that verify with certificates): a random serial,
/// valid from a day before `now` for five years. Returns the serial as
/// upper-case hex, the PEM, and the validity in ms.
pub fn platform_certificate(
    key: &RsaPrivateKey,
    now: qianbao_core::time::Timestamp,
    rng: &mut impl RngCore,
) -> Result<(String, String, i64, i64), KeyError> {
    let fail = |e: rcgen::Error| KeyError(e.to_string());
    let pem = private_pem(key)?;
    let pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256)
        .map_err(fail)?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    let mut serial = [0u8; 20];
    rng.fill_bytes(&mut serial);
    // Positive and without a leading zero byte: the same number however read.
    serial[0] = (serial[0] & 0x7f).max(1);
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let mut name = rcgen::DistinguishedName::new();
    name.push(
        rcgen::DnType::CommonName,
        "Tenpay.com Root CA (Qianbao Sandbox)",
    );
    name.push(rcgen::DnType::OrganizationName, "Qianbao Sandbox");
    params.distinguished_name = name;
    let day = 24 * 3600 * 1000;
    let not_before = now.as_millis() - day;
    let not_after = now.as_millis() + 5 * 365 * day;
    let date = |ms: i64| {
        let (y, m, d) =
            qianbao_core::time::date_cst(qianbao_core::time::Timestamp::from_millis(ms));
        rcgen::date_time_ymd(
            i32::try_from(y).unwrap_or(2026),
            u8::try_from(m).unwrap_or(1),
            u8::try_from(d).unwrap_or(1),
        )
    };
    params.not_before = date(not_before);
    params.not_after = date(not_after);
    let cert = params.self_signed(&pair).map_err(fail)?;
    let hex: String = serial.iter().map(|b| format!("{b:02X}")).collect();
    Ok((hex, cert.pem(), not_before, not_after))
}

/// `len` random characters of `alphabet`.
fn random_text(rng: &mut impl RngCore, alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| {
            let i = rng.next_u32() as usize % alphabet.len();
            char::from(alphabet[i])
        })
        .collect()
}

const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8] = b"0123456789abcdef";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A merchant API certificate's serial number: 40 upper-case hex digits.
pub fn serial_no(rng: &mut impl RngCore) -> String {
    random_text(rng, HEX_UPPER, 40)
}

/// How every 微信支付公钥's id begins.
pub const PUBLIC_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";

/// The id of a 微信支付公钥: `PUB_KEY_ID_` and 32 digits.
pub fn public_key_id(rng: &mut impl RngCore) -> String {
    format!(
        "{PUBLIC_KEY_ID_PREFIX}{}",
        random_text(rng, b"0123456789", 32)
    )
}

/// The APIv3 key: 32 letters and digits (it is the AES-256 key as text).
pub fn apiv3_key(rng: &mut impl RngCore) -> String {
    random_text(rng, ALNUM, 32)
}

/// An AppSecret: 32 lower-case hex digits.
pub fn app_secret(rng: &mut impl RngCore) -> String {
    random_text(rng, HEX_LOWER, 32)
}

/// A nonce for a signed response: 32 letters and digits.
pub fn nonce(rng: &mut impl RngCore) -> String {
    random_text(rng, ALNUM, 32)
}

/// A generator of this thread's, seeded from the system's (a nonce per
/// answer would otherwise cost a system call per character).
pub fn with_rng<T>(f: impl FnOnce(&mut rand_chacha::ChaCha20Rng) -> T) -> T {
    use rand_chacha::rand_core::SeedableRng;
    thread_local! {
        static RNG: std::cell::RefCell<rand_chacha::ChaCha20Rng> =
            std::cell::RefCell::new(rand_chacha::ChaCha20Rng::from_rng(rand_core::OsRng)
                .unwrap_or_else(|_| rand_chacha::ChaCha20Rng::from_entropy()));
    }
    RNG.with(|rng| f(&mut rng.borrow_mut()))
}

/// A merchant's test-helpers token: `qbth_`, its 商户号, `_` and 40 hex
/// digits of SHA-256 over the APIv3 key — only who holds the key's
/// credentials has it, and nothing more is stored.
pub fn helper_token(mchid: qianbao_core::merchant::Mchid, apiv3_key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("qianbao test helpers\n{mchid}\n{apiv3_key}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("qbth_{mchid}_{}", &hex[..40])
}

/// Whether two secrets are equal, in time that does not depend on where
/// they differ (a token, a MAC).
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}
