//! Bank cards as funding sources (SPEC F2, the article's 一、多种资金来源).
//!
//! Adding a card checks the number with the Luhn algorithm, finds the bank
//! and the card type from the first six digits in a small BIN table of the
//! big Chinese banks, and requires the holder to be the account's real name.
//! Only the last four digits are kept; the full number, a credit card's CVV
//! and its expiry are checked and then forgotten — never stored, never logged.
//!
//! Each card has a simulated bank account behind it (a debit card's balance,
//! a credit card's available credit), opened in the ledger when the card is
//! added, so that "the bank says the balance is too low" can happen here too.

use crate::account::AccountId;
use crate::error::{Guidance, UserError};
use crate::identity::{to_half_width, RealName};
use crate::money::Fen;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The security code on the back of a card.
pub const CVV_DIGITS: usize = 3;
/// What the simulated bank account behind a new debit card holds.
pub const DEBIT_OPENING_BALANCE: Fen = Fen::from_yuan(20_000);
/// The credit line of a new credit card.
pub const CREDIT_LIMIT: Fen = Fen::from_yuan(10_000);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardId(u32);

impl CardId {
    pub const fn new(id: u32) -> Self {
        Self(id)
    }
    pub const fn get(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    Debit,
    Credit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bank {
    Icbc,
    Abc,
    Boc,
    Ccb,
    Bocom,
    Cmb,
    Psbc,
}

impl Bank {
    pub const ALL: [Bank; 7] = [
        Self::Icbc,
        Self::Abc,
        Self::Boc,
        Self::Ccb,
        Self::Bocom,
        Self::Cmb,
        Self::Psbc,
    ];
}

/// The sandbox's BIN table: issuer identification numbers of the big
/// Chinese banks' cards. [`test_card_number`] makes valid numbers from them.
pub const BINS: &[(&str, Bank, CardKind)] = &[
    ("622202", Bank::Icbc, CardKind::Debit),
    ("622208", Bank::Icbc, CardKind::Debit),
    ("625330", Bank::Icbc, CardKind::Credit),
    ("622848", Bank::Abc, CardKind::Debit),
    ("622836", Bank::Abc, CardKind::Credit),
    ("621661", Bank::Boc, CardKind::Debit),
    ("625908", Bank::Boc, CardKind::Credit),
    ("621700", Bank::Ccb, CardKind::Debit),
    ("436742", Bank::Ccb, CardKind::Debit),
    ("436728", Bank::Ccb, CardKind::Credit),
    ("622260", Bank::Bocom, CardKind::Debit),
    ("622258", Bank::Bocom, CardKind::Credit),
    ("622588", Bank::Cmb, CardKind::Debit),
    ("439225", Bank::Cmb, CardKind::Credit),
    ("621799", Bank::Psbc, CardKind::Debit),
    ("625919", Bank::Psbc, CardKind::Credit),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum CardError {
    #[error("a card number has 16 to 19 digits")]
    NumberLength,
    #[error("the card number is mistyped (check digit)")]
    Luhn,
    #[error("cards of this bank are not supported")]
    UnknownBank,
    #[error("the card holder must be the account's real name")]
    HolderMismatch,
    #[error("a credit card needs its expiry date as MM/YY")]
    ExpiryFormat,
    #[error("the card has expired")]
    Expired,
    #[error("the security code (CVV) has 3 digits")]
    Cvv,
    #[error("this card is already added")]
    Duplicate,
    #[error("no such card")]
    NotFound,
}

impl UserError for CardError {
    fn code(&self) -> &'static str {
        match self {
            Self::NumberLength => "W-CARD-LENGTH",
            Self::Luhn => "W-CARD-LUHN",
            Self::UnknownBank => "W-CARD-BANK",
            Self::HolderMismatch => "W-CARD-HOLDER",
            Self::ExpiryFormat => "W-CARD-EXPIRY",
            Self::Expired => "W-CARD-EXPIRED",
            Self::Cvv => "W-CARD-CVV",
            Self::Duplicate => "W-CARD-DUPLICATE",
            Self::NotFound => "W-CARD-NONE",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::UnknownBank => Guidance::UseSupportedBank,
            Self::HolderMismatch => Guidance::HolderIsRealName,
            Self::Duplicate | Self::NotFound => Guidance::ChooseAnotherCard,
            _ => Guidance::CheckCardDetails,
        }
    }
}

/// A card as the wallet keeps it: masked, never the full number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    id: CardId,
    owner: AccountId,
    bank: Bank,
    kind: CardKind,
    last4: String,
    added_at: Timestamp,
    removed: bool,
}

impl Card {
    pub fn id(&self) -> CardId {
        self.id
    }
    pub fn owner(&self) -> AccountId {
        self.owner
    }
    pub fn bank(&self) -> Bank {
        self.bank
    }
    pub fn kind(&self) -> CardKind {
        self.kind
    }
    pub fn last4(&self) -> &str {
        &self.last4
    }
    pub fn added_at(&self) -> Timestamp {
        self.added_at
    }
    pub fn is_removed(&self) -> bool {
        self.removed
    }
    /// `**** 1234`.
    pub fn masked(&self) -> String {
        format!("**** {}", self.last4)
    }
    pub(crate) fn remove(&mut self) {
        self.removed = true;
    }
    pub(crate) fn is_well_formed(&self) -> bool {
        self.last4.len() == 4 && self.last4.bytes().all(|b| b.is_ascii_digit())
    }
}

/// The add-card form, as typed. `expiry` and `cvv` only matter for credit cards.
#[derive(Debug, Clone, Copy)]
pub struct NewCard<'a> {
    pub number: &'a str,
    pub holder: &'a str,
    pub expiry: &'a str,
    pub cvv: &'a str,
}

/// A card number that passed every check, held only while it is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCard {
    pub bank: Bank,
    pub kind: CardKind,
    pub last4: String,
}

/// Digits only: spaces, dashes and full-width digits are what people type.
fn digits_of(input: &str) -> String {
    to_half_width(input)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect()
}

/// Which bank and card type a number belongs to, from its first six digits.
pub fn identify(number: &str) -> Option<(Bank, CardKind)> {
    let digits = digits_of(number);
    BINS.iter()
        .find(|(bin, _, _)| digits.starts_with(bin))
        .map(|(_, bank, kind)| (*bank, *kind))
}

pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let Some(d) = char::from(b).to_digit(10) else {
            return false;
        };
        sum += if i % 2 == 1 {
            if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        } else {
            d
        };
    }
    sum % 10 == 0
}

/// Checks everything about a new card that does not depend on the wallet.
pub fn check(
    form: NewCard<'_>,
    real_name: &RealName,
    now: Timestamp,
) -> Result<CheckedCard, CardError> {
    let digits = digits_of(form.number);
    if !(16..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardError::NumberLength);
    }
    if !luhn_valid(&digits) {
        return Err(CardError::Luhn);
    }
    let (bank, kind) = identify(&digits).ok_or(CardError::UnknownBank)?;
    let holder = RealName::parse(form.holder).map_err(|_| CardError::HolderMismatch)?;
    if &holder != real_name {
        return Err(CardError::HolderMismatch);
    }
    if kind == CardKind::Credit {
        check_expiry(form.expiry, now)?;
        let cvv = to_half_width(form.cvv.trim());
        if cvv.len() != CVV_DIGITS || !cvv.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::Cvv);
        }
    }
    Ok(CheckedCard {
        bank,
        kind,
        last4: digits[digits.len() - 4..].to_owned(),
    })
}

/// `MM/YY`, valid through the end of that month (China Standard Time).
fn check_expiry(expiry: &str, now: Timestamp) -> Result<(), CardError> {
    let text = to_half_width(expiry.trim());
    let (mm, yy) = text.split_once('/').ok_or(CardError::ExpiryFormat)?;
    let month: u32 = mm.trim().parse().map_err(|_| CardError::ExpiryFormat)?;
    let year: i64 = yy.trim().parse().map_err(|_| CardError::ExpiryFormat)?;
    if !(1..=12).contains(&month) || yy.trim().len() != 2 {
        return Err(CardError::ExpiryFormat);
    }
    let (now_year, now_month) = crate::time::year_month_cst(now);
    let expires = (2000 + year) * 12 + i64::from(month);
    if expires < now_year * 12 + i64::from(now_month) {
        return Err(CardError::Expired);
    }
    Ok(())
}

/// A Luhn-valid test number for a BIN: `bin`, then `fill` digits, then the
/// check digit. The help page lists some so people can practise.
pub fn test_card_number(bin: &str, fill: &str) -> String {
    let body = format!("{bin}{fill}");
    let check = (0..10u8)
        .map(|d| format!("{body}{d}"))
        .find(|candidate| luhn_valid(candidate))
        .unwrap_or_default();
    check
}

pub(crate) fn new_card(id: CardId, owner: AccountId, checked: CheckedCard, now: Timestamp) -> Card {
    Card {
        id,
        owner,
        bank: checked.bank,
        kind: checked.kind,
        last4: checked.last4,
        added_at: now,
        removed: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn name() -> RealName {
        RealName::parse("张小明").unwrap_or_else(|e| panic!("{e}"))
    }

    // 2026-11-18 in CST.
    const NOW: Timestamp = Timestamp::from_millis(1_795_000_000_000);

    #[rstest]
    #[case("4539 1488 0343 6467", true)]
    #[case("79927398713", true)]
    #[case("79927398710", false)]
    #[case("12a4", false)]
    fn luhn(#[case] number: &str, #[case] valid: bool) {
        assert_eq!(luhn_valid(&digits_of(number)), valid);
    }

    #[test]
    fn every_bin_makes_valid_test_numbers() {
        for (bin, bank, kind) in BINS {
            let number = test_card_number(bin, "0012345678");
            assert_eq!(number.len(), 17);
            let form = NewCard {
                number: &number,
                holder: "张小明",
                expiry: "12/30",
                cvv: "123",
            };
            let checked = check(form, &name(), NOW);
            assert_eq!(
                checked.map(|c| (c.bank, c.kind)),
                Ok((*bank, *kind)),
                "{number}"
            );
        }
    }

    #[rstest]
    #[case("6222 0200 1234 5678", "张小明", CardError::Luhn)]
    #[case("6222020012345", "张小明", CardError::NumberLength)]
    #[case("6222-02oo-1234-5678", "张小明", CardError::NumberLength)]
    #[case("4539148803436467", "张小明", CardError::UnknownBank)]
    fn rejects_numbers(#[case] number: &str, #[case] holder: &str, #[case] error: CardError) {
        let form = NewCard {
            number,
            holder,
            expiry: "",
            cvv: "",
        };
        assert_eq!(check(form, &name(), NOW), Err(error));
    }

    #[test]
    fn holder_must_be_the_real_name() {
        let number = test_card_number("622202", "0012345678");
        let form = NewCard {
            number: &number,
            holder: "李华",
            expiry: "",
            cvv: "",
        };
        assert_eq!(check(form, &name(), NOW), Err(CardError::HolderMismatch));
        let spaced = NewCard {
            number: &number,
            holder: " 张小明 ",
            expiry: "",
            cvv: "",
        };
        assert!(check(spaced, &name(), NOW).is_ok());
    }

    #[rstest]
    #[case("12/30", "123", Ok(()))]
    #[case("11/26", "123", Ok(()))]
    #[case("10/26", "123", Err(CardError::Expired))]
    #[case("13/30", "123", Err(CardError::ExpiryFormat))]
    #[case("1230", "123", Err(CardError::ExpiryFormat))]
    #[case("12/2030", "123", Err(CardError::ExpiryFormat))]
    #[case("12/30", "12", Err(CardError::Cvv))]
    #[case("12/30", "abc", Err(CardError::Cvv))]
    fn credit_cards_need_expiry_and_cvv(
        #[case] expiry: &str,
        #[case] cvv: &str,
        #[case] expected: Result<(), CardError>,
    ) {
        let number = test_card_number("625330", "0012345678");
        let form = NewCard {
            number: &number,
            holder: "张小明",
            expiry,
            cvv,
        };
        assert_eq!(check(form, &name(), NOW).map(|_| ()), expected);
    }

    #[test]
    fn only_the_last_four_digits_are_kept() {
        let number = test_card_number("622848", "0098765432");
        let form = NewCard {
            number: &number,
            holder: "张小明",
            expiry: "",
            cvv: "",
        };
        let checked = check(form, &name(), NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.last4, number[number.len() - 4..]);
        let card = new_card(CardId(1), AccountId::new(1), checked, NOW);
        let json = serde_json::to_string(&card).unwrap_or_default();
        assert!(!json.contains(&number[..12]), "{json}");
    }
}
