//! Who a person is, as typed into a form: mainland mobile numbers, e-mail
//! addresses and real names.
//!
//! People type numbers the way they read them — `+86 138-0013-8000`, with
//! full-width digits from a Chinese input method — so parsing first
//! normalises (full-width ASCII to half-width, `+86`/`0086` prefix, spaces,
//! dashes, brackets) and only then validates. A value that parses is kept in
//! its normal form; a value that does not is rejected with a reason. The
//! newtypes re-validate when deserialised, so a hand-edited stored value can
//! never smuggle in an invalid number.

use crate::error::{Guidance, UserError};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum IdentityError {
    #[error("nothing was entered")]
    Empty,
    #[error("no real name was entered")]
    NameEmpty,
    #[error("not a mainland mobile number: 11 digits starting 13-19")]
    PhoneInvalid,
    #[error("not a valid e-mail address")]
    EmailInvalid,
    #[error("a real name is 2 to 30 chinese characters or latin letters")]
    NameInvalid,
}

impl UserError for IdentityError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "W-ID-EMPTY",
            Self::NameEmpty => "W-ID-NAME-EMPTY",
            Self::PhoneInvalid => "W-ID-PHONE",
            Self::EmailInvalid => "W-ID-EMAIL",
            Self::NameInvalid => "W-ID-NAME",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Empty | Self::PhoneInvalid | Self::EmailInvalid => Guidance::UseMobileOrEmail,
            Self::NameEmpty | Self::NameInvalid => Guidance::EnterRealName,
        }
    }
}

/// Full-width ASCII (what Chinese input methods type) to half-width, and the
/// ideographic space to a space. Nothing else is touched.
pub fn to_half_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// A mainland China mobile number, normalised to its 11 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let half = to_half_width(input);
        let compact: String = half
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '\t'))
            .collect();
        if compact.is_empty() {
            return Err(IdentityError::Empty);
        }
        let national = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .or_else(|| compact.strip_prefix("86").filter(|rest| rest.len() == 11))
            .unwrap_or(&compact);
        let bytes = national.as_bytes();
        let valid = bytes.len() == 11
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1])
            && bytes.iter().all(u8::is_ascii_digit);
        if valid {
            Ok(Self(national.to_owned()))
        } else {
            Err(IdentityError::PhoneInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`: what a screen or a log may show.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl TryFrom<String> for Phone {
    type Error = IdentityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

/// An e-mail address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let normal = to_half_width(input).trim().to_ascii_lowercase();
        if normal.is_empty() {
            return Err(IdentityError::Empty);
        }
        let Some((local, domain)) = normal.split_once('@') else {
            return Err(IdentityError::EmailInvalid);
        };
        let local_ok = (1..=64).contains(&local.len())
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                (1..=63).contains(&label.len())
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if local_ok && domain_ok && normal.len() <= 254 {
            Ok(Self(normal))
        } else {
            Err(IdentityError::EmailInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, which a password must not contain.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }

    /// `z***@example.com`.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

impl TryFrom<String> for Email {
    type Error = IdentityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// What a person signs in with: the phone number or the e-mail address they
/// registered. Input with an `@` is read as e-mail, anything else as a phone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginId {
    Phone(Phone),
    Email(Email),
}

impl LoginId {
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let half = to_half_width(input);
        if half.trim().is_empty() {
            Err(IdentityError::Empty)
        } else if half.contains('@') {
            Email::parse(&half).map(Self::Email)
        } else {
            Phone::parse(&half).map(Self::Phone)
        }
    }

    /// The normal form, unique per person: the key accounts are found by.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Phone(phone) => phone.as_str(),
            Self::Email(email) => email.as_str(),
        }
    }

    pub fn masked(&self) -> String {
        match self {
            Self::Phone(phone) => phone.masked(),
            Self::Email(email) => email.masked(),
        }
    }

    pub fn phone(&self) -> Option<&Phone> {
        match self {
            Self::Phone(phone) => Some(phone),
            Self::Email(_) => None,
        }
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name on the person's identity card: what cards and WeChat bindings
/// are checked against. Chinese names (with `·` between the parts of a
/// transliterated name) or Latin letters with single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RealName(String);

impl RealName {
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let half = to_half_width(input);
        let words: Vec<&str> = half.split_whitespace().collect();
        if words.is_empty() {
            return Err(IdentityError::NameEmpty);
        }
        let name = words.join(" ").replace(['•', '・', '．'], "·");
        let is_han = |c: char| {
            ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
        };
        let allowed = name
            .chars()
            .all(|c| is_han(c) || c.is_ascii_alphabetic() || c == ' ' || c == '·');
        let count = name.chars().count();
        let has_letter = name.chars().any(|c| is_han(c) || c.is_ascii_alphabetic());
        let well_placed = !name.starts_with('·') && !name.ends_with('·') && !name.contains("··");
        if allowed && has_letter && well_placed && (2..=30).contains(&count) {
            Ok(Self(name))
        } else {
            Err(IdentityError::NameInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Every character but the last hidden: 「张小明」 → 「**明」, as wallets show
    /// a payee for confirmation.
    pub fn masked(&self) -> String {
        let count = self.0.chars().count();
        let last = self.0.chars().last().unwrap_or('*');
        format!("{}{last}", "*".repeat(count.saturating_sub(1)))
    }
}

impl TryFrom<String> for RealName {
    type Error = IdentityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RealName> for String {
    fn from(value: RealName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("13800138000", "13800138000")]
    #[case("+86 138 0013 8000", "13800138000")]
    #[case("+86-138-0013-8000", "13800138000")]
    #[case("0086 13800138000", "13800138000")]
    #[case("8613800138000", "13800138000")]
    #[case("(+86) 199 1234 5678", "19912345678")]
    #[case("１３８００１３８０００", "13800138000")]
    #[case(" 138 0013 8000 ", "13800138000")]
    fn phone_normalises(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(Phone::parse(input).map(|p| p.0), Ok(expected.to_owned()));
    }

    #[rstest]
    #[case("", IdentityError::Empty)]
    #[case("  ", IdentityError::Empty)]
    #[case("12800138000", IdentityError::PhoneInvalid)]
    #[case("1380013800", IdentityError::PhoneInvalid)]
    #[case("138001380001", IdentityError::PhoneInvalid)]
    #[case("23800138000", IdentityError::PhoneInvalid)]
    #[case("1380013800a", IdentityError::PhoneInvalid)]
    #[case("+1 13800138000", IdentityError::PhoneInvalid)]
    #[case("86138001380", IdentityError::PhoneInvalid)]
    fn phone_rejects(#[case] input: &str, #[case] error: IdentityError) {
        assert_eq!(Phone::parse(input), Err(error));
    }

    #[rstest]
    #[case("Li.Hua@Example.COM", "li.hua@example.com")]
    #[case(" wang+test@mail.qq.com ", "wang+test@mail.qq.com")]
    #[case("ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ", "li@example.cn")]
    fn email_normalises(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(Email::parse(input).map(|e| e.0), Ok(expected.to_owned()));
    }

    #[rstest]
    #[case("li@")]
    #[case("@example.com")]
    #[case("li@example")]
    #[case("li@@example.com")]
    #[case("li..hua@example.com")]
    #[case(".li@example.com")]
    #[case("li hua@example.com")]
    #[case("li@-example.com")]
    #[case("li@example.c0m")]
    #[case("李@example.com")]
    // Look-alikes that Unicode lowercasing would turn into ASCII (the Kelvin
    // sign into "k", the dotted capital I into "i" and a dot): refused, not
    // quietly made into another address.
    #[case("\u{212A}ai@example.com")]
    #[case("li@\u{212A}ai.com")]
    #[case("\u{130}an@example.com")]
    fn email_rejects(#[case] input: &str) {
        assert_eq!(Email::parse(input), Err(IdentityError::EmailInvalid));
    }

    #[rstest]
    #[case("138 0013 8000", "13800138000")]
    #[case("Me@Example.com", "me@example.com")]
    fn login_id_picks_kind(#[case] input: &str, #[case] key: &str) {
        assert_eq!(
            LoginId::parse(input).map(|id| id.as_str().to_owned()),
            Ok(key.to_owned())
        );
    }

    #[rstest]
    #[case("张小明", "张小明", "**明")]
    #[case(" 李华 ", "李华", "*华")]
    #[case("阿依古丽•买买提", "阿依古丽·买买提", "*******提")]
    #[case("John   Smith", "John Smith", "*********h")]
    fn real_name_accepts(#[case] input: &str, #[case] normal: &str, #[case] masked: &str) {
        let name = RealName::parse(input);
        assert_eq!(name.as_ref().map(|n| n.as_str()), Ok(normal));
        assert_eq!(name.map(|n| n.masked()), Ok(masked.to_owned()));
    }

    #[rstest]
    #[case("张")]
    #[case("张3")]
    #[case("<b>张三</b>")]
    #[case("·张三")]
    #[case("张··三")]
    #[case("abcdefghijklmnopqrstuvwxyzabcde")]
    fn real_name_rejects(#[case] input: &str) {
        assert_eq!(RealName::parse(input), Err(IdentityError::NameInvalid));
    }

    /// An empty name is told to enter the name, not a phone or e-mail.
    #[rstest]
    #[case::empty_name(RealName::parse(""), "W-ID-NAME-EMPTY", Guidance::EnterRealName)]
    #[case::blank_name(
        RealName::parse(" \u{3000} "),
        "W-ID-NAME-EMPTY",
        Guidance::EnterRealName
    )]
    #[case::bad_name(RealName::parse("张3"), "W-ID-NAME", Guidance::EnterRealName)]
    #[case::empty_login(LoginId::parse(""), "W-ID-EMPTY", Guidance::UseMobileOrEmail)]
    fn each_field_gets_its_own_guidance<T: fmt::Debug>(
        #[case] parsed: Result<T, IdentityError>,
        #[case] code: &str,
        #[case] guidance: Guidance,
    ) {
        let error = parsed.err();
        assert_eq!(error.as_ref().map(UserError::code), Some(code));
        assert_eq!(error.map(|e| e.guidance()), Some(guidance));
    }

    #[test]
    fn masks_hide_the_middle() {
        assert_eq!(
            Phone::parse("13800138000").map(|p| p.masked()),
            Ok("138****8000".to_owned())
        );
        assert_eq!(
            Email::parse("zhang@example.com").map(|e| e.masked()),
            Ok("z***@example.com".to_owned())
        );
    }

    #[test]
    fn tampered_stored_phone_is_refused() {
        let parsed: Result<Phone, _> = serde_json::from_str("\"12345\"");
        assert!(parsed.is_err());
    }

    proptest! {
        #[test]
        fn any_valid_number_survives_any_formatting(
            second in 3u8..=9,
            rest in proptest::collection::vec(0u8..=9, 9),
            prefix in prop::sample::select(vec!["", "+86", "0086", "+86 ", "86"]),
            dash in any::<bool>(),
        ) {
            let digits: String = std::iter::once(1).chain(std::iter::once(second)).chain(rest)
                .map(|d| char::from(b'0' + d)).collect();
            let body = if dash {
                format!("{}-{}-{}", &digits[..3], &digits[3..7], &digits[7..])
            } else {
                format!("{} {} {}", &digits[..3], &digits[3..7], &digits[7..])
            };
            let typed = format!("{prefix}{body}");
            prop_assert_eq!(Phone::parse(&typed).map(|p| p.0), Ok(digits));
        }

        #[test]
        fn parsing_never_panics(input in ".{0,40}") {
            let _ = LoginId::parse(&input);
            let _ = RealName::parse(&input);
        }

        /// Every valid identity, however typed (a mobile number with a prefix
        /// and separators, an e-mail address in any case), parses, and its
        /// normal form parses to itself.
        #[test]
        fn normal_form_is_a_fixed_point(
            input in prop_oneof![
                ("1[3-9][0-9]{9}", prop::sample::select(vec!["", "+86", "+86 ", "0086"]))
                    .prop_map(|(digits, prefix)| format!("{prefix}{} {} {}", &digits[..3], &digits[3..7], &digits[7..])),
                "[a-z][a-z0-9_]{0,8}(\\.[a-z0-9]{1,5})?@[a-z]{1,8}\\.(com|cn|net)"
                    .prop_map(|email| email.to_uppercase()),
            ],
        ) {
            let id = LoginId::parse(&input);
            prop_assert!(id.is_ok(), "{input:?} was refused: {id:?}");
            let id = id.unwrap();
            prop_assert_eq!(LoginId::parse(id.as_str()), Ok(id.clone()));
        }
    }
}
