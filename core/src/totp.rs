//! Two-factor login with time-based one-time passwords (RFC 6238), the kind
//! any authenticator app (Google Authenticator, Microsoft Authenticator,
//! 腾讯身份验证器, …) produces.
//!
//! Rules:
//! - the secret is [`SECRET_BYTES`] random bytes, shown as base32 (RFC 4648,
//!   no padding) and inside an `otpauth://totp/…` URI for the QR code; codes
//!   are [`DIGITS`] digits over [`PERIOD_SECS`]-second steps with HMAC-SHA1,
//!   the parameters every authenticator app supports;
//! - setting up is two steps: a pending secret is shown, and two-factor login
//!   is on only once a code from it has been typed back;
//! - a code is accepted for its own step and one step either side
//!   ([`SKEW_STEPS`]), and each step is usable once: a code at or before the
//!   last step accepted is refused even if it is right;
//! - [`RECOVERY_CODES`] recovery codes of 80 random bits each are shown once
//!   when it is turned on; only their salted SHA-256 digests are kept (80
//!   random bits need no slow hash), and each works once;
//! - wrong codes count towards the account's lockout like wrong passwords
//!   (see [`crate::account`]).
//!
//! The time used is the real time of day (an authenticator app knows no
//! other), not the developer console's simulated clock.

use crate::error::{Guidance, UserError};
use crate::time::Timestamp;
use hmac::{Hmac, Mac};
use rand_core::RngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

pub const PERIOD_SECS: u64 = 30;
pub const DIGITS: u32 = 6;
pub const SECRET_BYTES: usize = 20;
pub const SKEW_STEPS: u64 = 1;
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (base32, 5 bits each: 80 bits).
pub const RECOVERY_CODE_CHARS: usize = 16;
pub const ISSUER: &str = "Qianbao";

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum TotpError {
    #[error("a code has 6 digits, a recovery code 16 letters and digits")]
    Malformed,
    #[error("the code is wrong")]
    Wrong,
    #[error("this code was already used")]
    Reused,
    #[error("two-factor login is not on")]
    NotEnabled,
    #[error("two-factor login is already on")]
    AlreadyEnabled,
    #[error("no two-factor setup was started")]
    NoSetup,
    #[error("the sign-in waited too long for its second step")]
    Expired,
}

impl UserError for TotpError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "W-2FA-FORMAT",
            Self::Wrong => "W-2FA-WRONG",
            Self::Reused => "W-2FA-REUSED",
            Self::NotEnabled => "W-2FA-OFF",
            Self::AlreadyEnabled => "W-2FA-ON",
            Self::NoSetup => "W-2FA-NO-SETUP",
            Self::Expired => "W-2FA-EXPIRED",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Malformed | Self::Wrong => Guidance::ReadAuthenticator,
            Self::Reused => Guidance::WaitForNextCode,
            Self::NotEnabled | Self::AlreadyEnabled | Self::NoSetup => Guidance::StartAgain,
            Self::Expired => Guidance::LogInAgain,
        }
    }
}

/// The hash inside the HMAC. Authenticator apps use SHA-1; RFC 6238's test
/// vectors also cover SHA-256 and SHA-512.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

/// HOTP (RFC 4226): HMAC of the big-endian counter, dynamic truncation,
/// `digits` decimal digits.
pub fn hotp(algorithm: Algorithm, key: &[u8], counter: u64, digits: u32) -> u32 {
    fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length, so this cannot fail.
        match <M as hmac::digest::KeyInit>::new_from_slice(key) {
            Ok(mut mac) => {
                mac.update(message);
                mac.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }
    let message = counter.to_be_bytes();
    let digest = match algorithm {
        Algorithm::Sha1 => mac::<Hmac<sha1::Sha1>>(key, &message),
        Algorithm::Sha256 => mac::<Hmac<Sha256>>(key, &message),
        Algorithm::Sha512 => mac::<Hmac<sha2::Sha512>>(key, &message),
    };
    let offset = usize::from(digest.last().copied().unwrap_or(0) & 0x0f);
    let word = digest
        .get(offset..offset + 4)
        .map(|b| u32::from_be_bytes([b[0] & 0x7f, b[1], b[2], b[3]]))
        .unwrap_or(0);
    word % 10u32.pow(digits.min(9))
}

/// The step a moment falls in.
pub fn step_at(now: Timestamp) -> u64 {
    u64::try_from(now.as_millis() / 1000).unwrap_or(0) / PERIOD_SECS
}

/// The code for one step, as the authenticator shows it (leading zeros kept).
pub fn code_for_step(secret: &Secret, step: u64) -> String {
    format!(
        "{:0width$}",
        hotp(Algorithm::Sha1, &secret.0, step, DIGITS),
        width = DIGITS as usize
    )
}

/// A TOTP secret. Its `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn generate(rng: &mut impl RngCore) -> Self {
        let mut bytes = vec![0; SECRET_BYTES];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// The base32 text in groups of four, for typing into an app by hand.
    pub fn grouped(&self) -> String {
        let text = self.to_base32();
        let chars: Vec<char> = text.chars().collect();
        chars
            .chunks(4)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://` URI an authenticator app reads from the QR code
    /// (Google's Key Uri Format): label `Qianbao:<account>`.
    pub fn otpauth_uri(&self, account: &str) -> String {
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECS}",
            issuer = percent_encode(ISSUER),
            account = percent_encode(account),
            secret = self.to_base32(),
        )
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base32())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match base32_decode(&text) {
            Some(bytes) if bytes.len() == SECRET_BYTES => Ok(Self(bytes)),
            _ => Err(serde::de::Error::custom("malformed TOTP secret")),
        }
    }
}

/// RFC 4648 base32 without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Reads base32 (case-insensitive, spaces and `=` ignored); `None` if any
/// other character appears.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !matches!(c, ' ' | '=')) {
        let upper = c.to_ascii_uppercase();
        let value = BASE32.iter().position(|b| char::from(*b) == upper)?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One recovery code, kept only as a salted digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct RecoveryCode {
    digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    used_at: Option<Timestamp>,
}

/// An account's two-factor login, once it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totp {
    secret: Secret,
    enabled_at: Timestamp,
    /// The last step whose code was accepted: no code at or before it works again.
    last_step: u64,
    salt: String,
    recovery: Vec<RecoveryCode>,
}

/// What a successful second step used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SecondFactor {
    Code,
    /// A recovery code; this many remain unused.
    Recovery {
        remaining: usize,
    },
}

impl Totp {
    /// Turns two-factor login on with `secret` if `code` is its current code.
    /// Returns the recovery codes, to be shown once.
    pub fn enable(
        secret: Secret,
        code: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<(Self, Vec<String>), TotpError> {
        let code = digits_of(code).ok_or(TotpError::Malformed)?;
        let step = matching_step(&secret, &code, now).ok_or(TotpError::Wrong)?;
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let salt = crate::hex::encode(&salt);
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| new_recovery_code(rng))
            .collect();
        let recovery = codes
            .iter()
            .map(|code| RecoveryCode {
                digest: recovery_digest(&salt, &normalise_recovery(code).unwrap_or_default()),
                used_at: None,
            })
            .collect();
        let totp = Self {
            secret,
            enabled_at: now,
            last_step: step,
            salt,
            recovery,
        };
        Ok((totp, codes))
    }

    pub fn enabled_at(&self) -> Timestamp {
        self.enabled_at
    }

    pub fn recovery_left(&self) -> usize {
        self.recovery.iter().filter(|r| r.used_at.is_none()).count()
    }

    /// Checks a 6-digit code or a recovery code; a success uses it up.
    pub fn verify(&mut self, input: &str, now: Timestamp) -> Result<SecondFactor, TotpError> {
        if let Some(code) = digits_of(input) {
            let step = matching_step(&self.secret, &code, now).ok_or(TotpError::Wrong)?;
            if step <= self.last_step {
                return Err(TotpError::Reused);
            }
            self.last_step = step;
            return Ok(SecondFactor::Code);
        }
        let recovery = normalise_recovery(input).ok_or(TotpError::Malformed)?;
        let digest = recovery_digest(&self.salt, &recovery);
        let slot = self
            .recovery
            .iter_mut()
            .find(|r| r.digest == digest)
            .ok_or(TotpError::Wrong)?;
        if slot.used_at.is_some() {
            return Err(TotpError::Reused);
        }
        slot.used_at = Some(now);
        Ok(SecondFactor::Recovery {
            remaining: self.recovery_left(),
        })
    }

    /// Whether a stored value is usable (checked at load).
    pub fn is_well_formed(&self) -> bool {
        self.salt.len() == 32
            && self.recovery.len() == RECOVERY_CODES
            && self.recovery.iter().all(|r| r.digest.len() == 64)
    }
}

/// The step within ±[`SKEW_STEPS`] of now whose code is `code`.
fn matching_step(secret: &Secret, code: &str, now: Timestamp) -> Option<u64> {
    let current = step_at(now);
    (current.saturating_sub(SKEW_STEPS)..=current.saturating_add(SKEW_STEPS))
        .find(|step| code_for_step(secret, *step) == code)
}

/// Six digits, allowing the spaces apps put in the middle.
fn digits_of(input: &str) -> Option<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// A recovery code as typed → its 16 base32 characters, or `None`.
fn normalise_recovery(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == RECOVERY_CODE_CHARS && code.bytes().all(|b| BASE32.contains(&b))).then_some(code)
}

fn new_recovery_code(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; 10];
    rng.fill_bytes(&mut bytes);
    let text = base32_encode(&bytes);
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

fn recovery_digest(salt: &str, code: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(code.as_bytes());
    crate::hex::encode(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use rstest::rstest;

    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
    const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    /// RFC 6238 appendix B, every row.
    #[rstest]
    #[case(59, "94287082", "46119246", "90693936")]
    #[case(1_111_111_109, "07081804", "68084774", "25091201")]
    #[case(1_111_111_111, "14050471", "67062674", "99943326")]
    #[case(1_234_567_890, "89005924", "91819424", "93441116")]
    #[case(2_000_000_000, "69279037", "90698825", "38618901")]
    #[case(20_000_000_000, "65353130", "77737706", "47863826")]
    fn rfc_6238_vectors(
        #[case] time: u64,
        #[case] sha1: &str,
        #[case] sha256: &str,
        #[case] sha512: &str,
    ) {
        let code = |algorithm, key| format!("{:08}", hotp(algorithm, key, time / 30, 8));
        assert_eq!(code(Algorithm::Sha1, SEED_SHA1), sha1);
        assert_eq!(code(Algorithm::Sha256, SEED_SHA256), sha256);
        assert_eq!(code(Algorithm::Sha512, SEED_SHA512), sha512);
    }

    /// RFC 4226 appendix D: the HOTP values for counters 0–9.
    #[test]
    fn rfc_4226_vectors() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, value) in expected.iter().enumerate() {
            assert_eq!(hotp(Algorithm::Sha1, SEED_SHA1, counter as u64, 6), *value);
        }
    }

    #[rstest]
    #[case(b"", "")]
    #[case(b"f", "MY")]
    #[case(b"fo", "MZXQ")]
    #[case(b"foo", "MZXW6")]
    #[case(b"foob", "MZXW6YQ")]
    #[case(b"fooba", "MZXW6YTB")]
    #[case(b"foobar", "MZXW6YTBOI")]
    fn base32_rfc_4648_vectors(#[case] bytes: &[u8], #[case] text: &str) {
        assert_eq!(base32_encode(bytes), text);
        assert_eq!(base32_decode(text).as_deref(), Some(bytes));
    }

    proptest! {
        #[test]
        fn base32_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(base32_decode(&base32_encode(&bytes)), Some(bytes));
        }

        #[test]
        fn only_nearby_steps_are_accepted(offset in -5i64..=5) {
            let secret = Secret::from_bytes(SEED_SHA1);
            let now = Timestamp::from_millis(1_700_000_000_000);
            let then = Timestamp::from_millis(now.as_millis() + offset * 30_000);
            let code = code_for_step(&secret, step_at(then));
            let accepted = matching_step(&secret, &code, now).is_some();
            prop_assert_eq!(accepted, offset.abs() <= 1);
        }
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(secs * 1000)
    }

    fn enabled() -> (Totp, Vec<String>, Secret) {
        let secret = Secret::from_bytes(SEED_SHA1);
        let code = code_for_step(&secret, step_at(at(1_000)));
        let (totp, codes) = Totp::enable(
            secret.clone(),
            &code,
            at(1_000),
            &mut ChaCha20Rng::seed_from_u64(1),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        (totp, codes, secret)
    }

    #[test]
    fn enabling_needs_the_current_code() {
        let secret = Secret::from_bytes(SEED_SHA1);
        let wrong = Totp::enable(secret.clone(), "000000", at(1_000), &mut rng());
        let right = code_for_step(&secret, step_at(at(1_000)));
        assert_eq!(wrong.map(|_| ()), Err(TotpError::Wrong));
        assert_eq!(
            Totp::enable(secret, "12345", at(1_000), &mut rng()).map(|_| ()),
            Err(TotpError::Malformed)
        );
        assert!(right.len() == 6);
    }

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(3)
    }

    #[test]
    fn each_code_works_once() {
        let (mut totp, _, secret) = enabled();
        // The code used to enable cannot log in.
        let same = code_for_step(&secret, step_at(at(1_000)));
        assert_eq!(totp.verify(&same, at(1_010)), Err(TotpError::Reused));
        let next = code_for_step(&secret, step_at(at(1_030)));
        assert_eq!(totp.verify(&next, at(1_030)), Ok(SecondFactor::Code));
        assert_eq!(totp.verify(&next, at(1_031)), Err(TotpError::Reused));
        // A code from two steps later is not yet valid.
        let far = code_for_step(&secret, step_at(at(1_120)));
        assert_eq!(totp.verify(&far, at(1_031)), Err(TotpError::Wrong));
    }

    #[test]
    fn recovery_codes_work_once_each_and_in_any_spelling() {
        let (mut totp, codes, _) = enabled();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert!(codes.iter().all(|c| c.len() == 19), "{codes:?}");
        let first = codes[0].to_lowercase().replace('-', " ");
        assert_eq!(
            totp.verify(&first, at(2_000)),
            Ok(SecondFactor::Recovery {
                remaining: RECOVERY_CODES - 1
            })
        );
        assert_eq!(totp.verify(&codes[0], at(2_001)), Err(TotpError::Reused));
        assert_eq!(
            totp.verify("AAAA-AAAA-AAAA-AAAA", at(2_002)),
            Err(TotpError::Wrong)
        );
        assert_eq!(totp.verify("hello", at(2_002)), Err(TotpError::Malformed));
    }

    #[test]
    fn stored_values_round_trip_and_hide_the_codes() {
        let (totp, codes, _) = enabled();
        let json = serde_json::to_string(&totp).unwrap_or_default();
        assert!(!codes
            .iter()
            .any(|c| json.contains(&c.replace('-', "")) || json.contains(c)));
        let back: Totp = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, totp);
        assert!(back.is_well_formed());
        assert!(serde_json::from_str::<Secret>("\"not base32!\"").is_err());
        assert!(serde_json::from_str::<Secret>("\"MZXW6\"").is_err());
    }

    #[test]
    fn the_uri_is_what_authenticator_apps_read() {
        let secret = Secret::from_bytes(SEED_SHA1);
        assert_eq!(
            secret.otpauth_uri("138****8000"),
            "otpauth://totp/Qianbao:138%2A%2A%2A%2A8000?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Qianbao&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(secret.grouped().split(' ').count(), 8);
    }
}
