//! The add-card form: card number parsing (spaces, dashes, full-width
//! digits), Luhn, the BIN table, the holder, a credit card's expiry and CVV,
//! at any clock reading. Never a panic; an accepted card keeps exactly the
//! last four digits of a Luhn-valid number of a known bank.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use qianbao_core::card::{check, identify, luhn_valid, NewCard};
use qianbao_core::identity::RealName;
use qianbao_core::Timestamp;

#[derive(Debug, Arbitrary)]
struct Form<'a> {
    number: &'a str,
    holder: &'a str,
    expiry: &'a str,
    cvv: &'a str,
    now_ms: i64,
    /// Mostly a plausible clock reading, sometimes any instant at all.
    any_instant: bool,
}

fuzz_target!(|form: Form<'_>| {
    let _ = identify(form.number);
    let _ = luhn_valid(form.number);
    let Ok(real_name) = RealName::parse("张小明") else {
        return;
    };
    let now = if form.any_instant {
        Timestamp::from_millis(form.now_ms)
    } else {
        Timestamp::from_millis(1_795_000_000_000 + form.now_ms.rem_euclid(40 * 365 * 86_400_000))
    };
    let typed = NewCard {
        number: form.number,
        holder: form.holder,
        expiry: form.expiry,
        cvv: form.cvv,
    };
    if let Ok(card) = check(typed, &real_name, now) {
        let digits: String = qianbao_core::identity::to_half_width(form.number)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        assert!(luhn_valid(&digits), "{form:?}");
        assert!(digits.ends_with(&card.last4), "{form:?}");
        assert_eq!(card.last4.len(), 4);
        assert_eq!(identify(form.number), Some((card.bank, card.kind)));
    }
    // The holder as anyone's real name, too.
    if let Ok(name) = RealName::parse(form.holder) {
        let _ = check(typed, &name, now);
    }
});
