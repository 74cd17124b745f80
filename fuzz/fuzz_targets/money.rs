//! `Fen::parse` on anything typed into an amount field, and the formatting
//! round trip: every amount a form accepts is shown (`¥1,234.56`,
//! `1234.56`) in a form that parses back to the same amount.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qianbao_core::money::{Fen, MoneyError, MAX_INPUT_FEN};

fuzz_target!(|data: &[u8]| {
    if let Ok(typed) = std::str::from_utf8(data) {
        let parsed = Fen::parse(typed);
        if let Ok(fen) = parsed {
            assert!(
                (0..=MAX_INPUT_FEN).contains(&fen.get()),
                "{typed:?} → {fen:?}"
            );
            assert_eq!(Fen::parse(&fen.to_string()), Ok(fen), "{typed:?}");
            assert_eq!(Fen::parse(&fen.plain()), Ok(fen), "{typed:?}");
        }
        match Fen::parse_positive(typed) {
            Ok(fen) => assert_eq!(parsed, Ok(fen)),
            Err(MoneyError::NotPositive) => assert_eq!(parsed, Ok(Fen::ZERO)),
            Err(e) => assert_eq!(parsed, Err(e)),
        }
    }

    // Any stored amount (storage is untrusted) formats without a panic, and
    // formats back to what a form reads as the same amount or a refusal.
    if let Some(bytes) = data.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
        let fen = Fen::new(i64::from_le_bytes(bytes));
        let shown = fen.to_string();
        let plain = fen.plain();
        let _ = fen.signed();
        let expected = match fen.get() {
            n if n < 0 => Err(MoneyError::Negative),
            n if n > MAX_INPUT_FEN => Err(MoneyError::TooLarge),
            _ => Ok(fen),
        };
        assert_eq!(Fen::parse(&shown), expected, "{shown}");
        assert_eq!(Fen::parse(&plain), expected, "{plain}");
        let other = Fen::new(data.get(8..16).map_or(1, |b| {
            i64::from_le_bytes(<[u8; 8]>::try_from(b).unwrap_or_default())
        }));
        let sum = i128::from(fen.get()) + i128::from(other.get());
        let difference = i128::from(fen.get()) - i128::from(other.get());
        assert_eq!(
            fen.checked_add(other).map(|f| i128::from(f.get())).ok(),
            i64::try_from(sum).ok().map(i128::from)
        );
        assert_eq!(
            fen.checked_sub(other).map(|f| i128::from(f.get())).ok(),
            i64::try_from(difference).ok().map(i128::from)
        );
        let _ = fen.checked_neg();
    }
});
