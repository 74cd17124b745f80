//! Passwords: the policy a new password must meet, and the slow salted hash
//! that is the only form in which a password is ever kept.
//!
//! # Policy (SPEC F1)
//! At least 8 and at most 64 characters, letters *and* digits, not one of the
//! commonly leaked passwords in `common_passwords.txt` (case-insensitive), and
//! not containing the account's phone number or the name part of its e-mail.
//!
//! # Hash
//! Argon2id, version 0x13, m = 19 MiB, t = 2, p = 1 — the OWASP Password
//! Storage Cheat Sheet's first recommendation — with a 16-byte random salt,
//! stored as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), so a
//! future change of cost still verifies old hashes. A stored hash is a value
//! from storage, hence untrusted: before verifying, its parameters are checked
//! against [`MAX_MEMORY_KIB`] and [`MAX_ITERATIONS`] so that a tampered hash
//! cannot make the app allocate gigabytes or spin for minutes.

use crate::error::{Guidance, UserError};
use crate::identity::{Email, Phone};
use argon2::password_hash::{PasswordHash as Phc, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 64;
/// Largest memory cost a stored hash may ask for (64 MiB).
pub const MAX_MEMORY_KIB: u32 = 64 * 1024;
/// Largest time cost a stored hash may ask for.
pub const MAX_ITERATIONS: u32 = 10;
/// Bytes of salt per hash.
pub const SALT_BYTES: usize = 16;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password may have at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("a password needs both letters and digits")]
    NeedsLettersAndDigits,
    #[error("a password may not contain control characters")]
    ControlCharacter,
    #[error("this password is among the most commonly leaked ones")]
    Common,
    #[error("a password may not contain the phone number")]
    ContainsPhone,
    #[error("a password may not contain the e-mail name")]
    ContainsEmail,
}

impl UserError for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "W-PW-SHORT",
            Self::TooLong => "W-PW-LONG",
            Self::NeedsLettersAndDigits => "W-PW-MIX",
            Self::ControlCharacter => "W-PW-CHAR",
            Self::Common => "W-PW-COMMON",
            Self::ContainsPhone => "W-PW-PHONE",
            Self::ContainsEmail => "W-PW-EMAIL",
        }
    }

    fn guidance(&self) -> Guidance {
        Guidance::ChooseStrongerPassword
    }
}

/// Checks a new password against the policy. `phone` and `email` are the
/// account's own, which the password must not contain.
pub fn check_policy(
    password: &str,
    phone: Option<&Phone>,
    email: Option<&Email>,
) -> Result<(), PasswordError> {
    let count = password.chars().count();
    if count < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if count > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong);
    }
    if password.chars().any(char::is_control) {
        return Err(PasswordError::ControlCharacter);
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err(PasswordError::NeedsLettersAndDigits);
    }
    if is_common(password) {
        return Err(PasswordError::Common);
    }
    if phone.is_some_and(|phone| password.contains(phone.as_str())) {
        return Err(PasswordError::ContainsPhone);
    }
    let lower = password.to_ascii_lowercase();
    if email
        .is_some_and(|email| email.local_part().len() >= 4 && lower.contains(email.local_part()))
    {
        return Err(PasswordError::ContainsEmail);
    }
    Ok(())
}

/// Whether `password` is on the leaked-password list, ignoring case.
pub fn is_common(password: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|line| line == lower)
}

/// A password hash in PHC string form. Never the password itself.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl PasswordHash {
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

/// Hashes and verifies passwords at a fixed cost.
#[derive(Debug, Clone)]
pub struct Hasher {
    params: Params,
}

impl Hasher {
    /// Argon2id, m = 19 MiB, t = 2, p = 1: what the app uses.
    pub fn standard() -> Self {
        Self {
            params: Params::DEFAULT,
        }
    }

    /// A hasher with another cost. Tests use a cheap one so that thousands of
    /// property-test cases stay fast; verification always uses the cost
    /// recorded in the stored hash, whatever hasher made it.
    pub fn with_params(params: Params) -> Self {
        Self { params }
    }

    pub fn hash(&self, password: &str, salt: [u8; SALT_BYTES]) -> PasswordHash {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        // A 16-byte salt always encodes, and `params` were validated when
        // built, so neither step can fail; the fallback keeps that a proof
        // obligation of the library rather than a panic of ours.
        let phc = match SaltString::encode_b64(&salt) {
            Ok(salt) => argon
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        PasswordHash(phc)
    }

    /// Whether `password` matches `stored`. A stored hash that does not
    /// parse, or asks for more than the caps, never matches.
    pub fn verify(stored: &PasswordHash, password: &str) -> bool {
        Self::parse_within_caps(stored).is_some_and(|phc| {
            Argon2::default()
                .verify_password(password.as_bytes(), &phc)
                .is_ok()
        })
    }

    /// Whether a stored hash is a well-formed Argon2id hash within the caps.
    pub fn is_well_formed(stored: &PasswordHash) -> bool {
        Self::parse_within_caps(stored).is_some()
    }

    fn parse_within_caps(stored: &PasswordHash) -> Option<Phc<'_>> {
        let phc = Phc::new(&stored.0).ok()?;
        let params = Params::try_from(&phc).ok()?;
        let argon2id = phc.algorithm == Algorithm::Argon2id.ident();
        let capped = params.m_cost() <= MAX_MEMORY_KIB
            && params.t_cost() <= MAX_ITERATIONS
            && params.p_cost() <= 4;
        (argon2id && capped && phc.hash.is_some()).then_some(phc)
    }
}

/// Argon2id with tiny parameters, for tests only: a test hashes a few
/// passwords and must not wait for the real cost.
#[cfg(any(test, feature = "testkit"))]
pub fn fast_hasher() -> Hasher {
    #[allow(clippy::unwrap_used)]
    Hasher::with_params(Params::new(8, 1, 1, None).unwrap()) // ok: test-only, constant valid parameters
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn phone() -> Phone {
        Phone::parse("13800138000").unwrap_or_else(|_| unreachable!())
    }

    #[rstest]
    #[case("abc123", Err(PasswordError::TooShort))]
    #[case("abcdefgh", Err(PasswordError::NeedsLettersAndDigits))]
    #[case("12345678", Err(PasswordError::NeedsLettersAndDigits))]
    #[case("Password1", Err(PasswordError::Common))]
    #[case("QWERTY123", Err(PasswordError::Common))]
    #[case("woaini1314", Err(PasswordError::Common))]
    #[case("x13800138000", Err(PasswordError::ContainsPhone))]
    #[case("tab\tkey123", Err(PasswordError::ControlCharacter))]
    #[case("Qianbao-sandbox-7", Ok(()))]
    #[case("绿色钱包2026安全", Ok(()))]
    fn policy(#[case] password: &str, #[case] expected: Result<(), PasswordError>) {
        assert_eq!(check_policy(password, Some(&phone()), None), expected);
    }

    #[test]
    fn policy_rejects_the_email_name() {
        let email = Email::parse("zhangwei@example.com").unwrap_or_else(|_| unreachable!());
        assert_eq!(
            check_policy("Zhangwei2026", None, Some(&email)),
            Err(PasswordError::ContainsEmail)
        );
    }

    #[test]
    fn too_long_is_counted_in_characters() {
        let long = "密".repeat(60) + "a1234";
        assert_eq!(check_policy(&long, None, None), Err(PasswordError::TooLong));
    }

    #[test]
    fn the_list_is_loaded() {
        assert!(is_common("1qaz2wsx"));
        assert!(!is_common("# passwords"));
    }

    #[test]
    fn standard_cost_is_owasp() {
        let hash = Hasher::standard().hash("Qianbao-sandbox-7", [7; SALT_BYTES]);
        assert!(
            hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_phc()
        );
        assert!(Hasher::verify(&hash, "Qianbao-sandbox-7"));
        assert!(!Hasher::verify(&hash, "Qianbao-sandbox-8"));
    }

    #[test]
    fn same_password_different_salt_differs() {
        let hasher = fast_hasher();
        assert_ne!(
            hasher.hash("abc12345x", [1; 16]),
            hasher.hash("abc12345x", [2; 16])
        );
    }

    #[rstest]
    #[case("")]
    #[case("plaintext-password1")]
    #[case("$argon2id$v=19$m=4194304,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    #[case("$argon2id$v=19$m=19456,t=100000,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    fn tampered_hash_never_matches(#[case] stored: &str) {
        let stored = PasswordHash(stored.to_owned());
        assert!(!Hasher::verify(&stored, "plaintext-password1"));
        assert!(!Hasher::is_well_formed(&stored) || stored.0.is_empty());
    }

    #[test]
    fn debug_never_prints_the_hash() {
        let hash = fast_hasher().hash("abc12345x", [1; 16]);
        assert_eq!(format!("{hash:?}"), "PasswordHash(..)");
    }

    proptest! {
        #[test]
        fn accepted_passwords_meet_every_rule(password in "[a-zA-Z0-9!-]{0,20}") {
            if check_policy(&password, Some(&phone()), None).is_ok() {
                prop_assert!(password.chars().count() >= MIN_PASSWORD_CHARS);
                prop_assert!(password.chars().any(|c| c.is_ascii_digit()));
                prop_assert!(password.chars().any(|c| c.is_alphabetic()));
                prop_assert!(!password.contains("13800138000"));
                prop_assert!(!is_common(&password));
            }
        }
    }
}
