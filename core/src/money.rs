//! Money: an integer count of fen (分, ¥0.01) in a newtype. Never a float.
//!
//! [`Fen::parse`] reads what people type, strictly: `12`, `12.3`, `12.34`,
//! `¥12.34`, `￥1,234.56`, full-width `１２.３４` (normalised, never misread).
//! It refuses negatives, more than two decimals, exponents, empty input,
//! letters, misplaced separators and amounts too large to hold — each with
//! its own error. Arithmetic is checked: an overflow is an error, not a wrap.

use crate::error::{Guidance, UserError};
use crate::identity::to_half_width;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest amount a form accepts: ¥999,999,999.99. Far above any limit,
/// far below where sums of many such amounts could overflow an `i64`.
pub const MAX_INPUT_FEN: i64 = 99_999_999_999;

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum MoneyError {
    #[error("no amount was entered")]
    Empty,
    #[error("amounts cannot be negative")]
    Negative,
    #[error("at most two decimal places (fen)")]
    TooManyDecimals,
    #[error("exponent notation is not an amount")]
    Exponent,
    #[error("not an amount")]
    Invalid,
    #[error("amount too large")]
    TooLarge,
    #[error("the amount must be greater than zero")]
    NotPositive,
    #[error("arithmetic overflow")]
    Overflow,
}

impl UserError for MoneyError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "W-AMT-EMPTY",
            Self::Negative => "W-AMT-NEGATIVE",
            Self::TooManyDecimals => "W-AMT-DECIMALS",
            Self::Exponent => "W-AMT-EXPONENT",
            Self::Invalid => "W-AMT-INVALID",
            Self::TooLarge => "W-AMT-TOO-LARGE",
            Self::NotPositive => "W-AMT-ZERO",
            Self::Overflow => "W-AMT-OVERFLOW",
        }
    }

    fn guidance(&self) -> Guidance {
        Guidance::EnterAmount
    }
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn new(fen: i64) -> Self {
        Self(fen)
    }

    pub const fn from_yuan(yuan: i64) -> Self {
        Self(yuan * 100)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Fen) -> Result<Fen, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Fen)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Fen) -> Result<Fen, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Fen)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_neg(self) -> Result<Fen, MoneyError> {
        self.0.checked_neg().map(Fen).ok_or(MoneyError::Overflow)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Parses an amount as typed into a form. Zero parses; operations that
    /// need a positive amount check that themselves ([`Fen::positive`]).
    pub fn parse(input: &str) -> Result<Fen, MoneyError> {
        let half = to_half_width(input);
        let trimmed = half.trim();
        let body = trimmed
            .strip_prefix('¥')
            .or_else(|| trimmed.strip_prefix('￥'))
            .unwrap_or(trimmed)
            .trim_start();
        if body.is_empty() {
            return Err(MoneyError::Empty);
        }
        if body.starts_with('-') || body.starts_with('−') {
            return Err(MoneyError::Negative);
        }
        if body.contains(['e', 'E'])
            && body
                .chars()
                .all(|c| c.is_ascii_digit() || "eE.+-".contains(c))
        {
            return Err(MoneyError::Exponent);
        }
        let (whole, decimals) = match body.split_once('.') {
            Some((whole, decimals)) => (whole, Some(decimals)),
            None => (body, None),
        };
        let whole = strip_grouping(whole)?;
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Invalid);
        }
        let fraction = match decimals {
            None => 0,
            Some(d) if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(MoneyError::Invalid)
            }
            Some(d) if d.len() > 2 => return Err(MoneyError::TooManyDecimals),
            Some(d) => {
                let value: i64 = d.parse().map_err(|_| MoneyError::Invalid)?;
                if d.len() == 1 {
                    value * 10
                } else {
                    value
                }
            }
        };
        let digits = whole.trim_start_matches('0');
        if digits.len() > 12 {
            return Err(MoneyError::TooLarge);
        }
        let yuan: i64 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| MoneyError::TooLarge)?
        };
        let fen = yuan
            .checked_mul(100)
            .and_then(|f| f.checked_add(fraction))
            .ok_or(MoneyError::TooLarge)?;
        if fen > MAX_INPUT_FEN {
            return Err(MoneyError::TooLarge);
        }
        Ok(Fen(fen))
    }

    /// Parses an amount that must be greater than zero.
    pub fn parse_positive(input: &str) -> Result<Fen, MoneyError> {
        Self::parse(input).and_then(Fen::positive)
    }

    pub fn positive(self) -> Result<Fen, MoneyError> {
        if self.0 > 0 {
            Ok(self)
        } else {
            Err(MoneyError::NotPositive)
        }
    }

    /// `1234.56`: for inputs and exports.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `+¥12.00` / `-¥12.00`: a movement as a history line shows it.
    pub fn signed(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "+" };
        format!("{sign}{}", Fen(self.0.saturating_abs()))
    }
}

/// `¥1,234.56`.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, digit) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{sign}¥{grouped}.{:02}", abs % 100)
    }
}

/// `1,234,567` → `1234567`; commas must sit between groups of three.
fn strip_grouping(whole: &str) -> Result<String, MoneyError> {
    if !whole.contains(',') {
        return Ok(whole.to_owned());
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
    let rest_ok = groups.iter().skip(1).all(|g| g.len() == 3);
    if first_ok && rest_ok {
        Ok(groups.concat())
    } else {
        Err(MoneyError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("12", 1200)]
    #[case("12.3", 1230)]
    #[case("12.34", 1234)]
    #[case("¥12.34", 1234)]
    #[case("￥ 12.34", 1234)]
    #[case("１２.３４", 1234)]
    #[case("¥1,234.56", 123_456)]
    #[case(" 0.01 ", 1)]
    #[case("0", 0)]
    #[case("007", 700)]
    #[case("999999999.99", MAX_INPUT_FEN)]
    fn parses(#[case] input: &str, #[case] fen: i64) {
        assert_eq!(Fen::parse(input), Ok(Fen(fen)));
    }

    #[rstest]
    #[case("", MoneyError::Empty)]
    #[case("   ", MoneyError::Empty)]
    #[case("¥", MoneyError::Empty)]
    #[case("-5", MoneyError::Negative)]
    #[case("¥-5", MoneyError::Negative)]
    #[case("12.345", MoneyError::TooManyDecimals)]
    #[case("1e3", MoneyError::Exponent)]
    #[case("1.5E2", MoneyError::Exponent)]
    #[case("abc", MoneyError::Invalid)]
    #[case("12a", MoneyError::Invalid)]
    #[case("12.", MoneyError::Invalid)]
    #[case(".5", MoneyError::Invalid)]
    #[case("1.2.3", MoneyError::Invalid)]
    #[case("+5", MoneyError::Invalid)]
    #[case("1,23", MoneyError::Invalid)]
    #[case("12,345,67", MoneyError::Invalid)]
    #[case("NaN", MoneyError::Invalid)]
    #[case("1000000000", MoneyError::TooLarge)]
    #[case("99999999999999999999999", MoneyError::TooLarge)]
    fn rejects(#[case] input: &str, #[case] error: MoneyError) {
        assert_eq!(Fen::parse(input), Err(error));
    }

    #[rstest]
    #[case(0, "¥0.00", "0.00")]
    #[case(5, "¥0.05", "0.05")]
    #[case(123_456, "¥1,234.56", "1234.56")]
    #[case(100_000_000, "¥1,000,000.00", "1000000.00")]
    #[case(-1_250, "-¥12.50", "-12.50")]
    fn formats(#[case] fen: i64, #[case] display: &str, #[case] plain: &str) {
        assert_eq!(Fen(fen).to_string(), display);
        assert_eq!(Fen(fen).plain(), plain);
    }

    #[test]
    fn zero_is_not_positive() {
        assert_eq!(Fen::parse_positive("0.00"), Err(MoneyError::NotPositive));
        assert_eq!(Fen::parse_positive("0.01"), Ok(Fen(1)));
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), Err(MoneyError::Overflow));
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), Err(MoneyError::Overflow));
        assert_eq!(Fen(5).checked_sub(Fen(7)), Ok(Fen(-2)));
    }

    proptest! {
        #[test]
        fn display_and_plain_parse_back(fen in 0i64..=MAX_INPUT_FEN) {
            prop_assert_eq!(Fen::parse(&Fen(fen).to_string()), Ok(Fen(fen)));
            prop_assert_eq!(Fen::parse(&Fen(fen).plain()), Ok(Fen(fen)));
        }

        #[test]
        fn parsing_never_panics(input in "\\PC{0,24}") {
            let _ = Fen::parse(&input);
        }

        #[test]
        fn accepted_input_is_exact(yuan in 0i64..1_000_000, fen in 0i64..100) {
            let typed = format!("{yuan}.{fen:02}");
            prop_assert_eq!(Fen::parse(&typed), Ok(Fen(yuan * 100 + fen)));
        }
    }
}
