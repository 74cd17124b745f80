//! `Phone`, `Email`, `LoginId` and `RealName` parsing of what people type:
//! never a panic; a value that parses is in its normal form (parsing it
//! again gives it back), masks without a panic, and survives the stored
//! (serde) form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qianbao_core::identity::{to_half_width, Email, LoginId, Phone, RealName};
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

fn stored_round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap_or_else(|e| panic!("{value:?}: {e}"));
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(&back, value);
}

fuzz_target!(|typed: &str| {
    let _ = to_half_width(typed);
    // A stored identity is untrusted too: it must re-validate, not panic.
    let as_json = serde_json::to_string(typed).unwrap_or_default();

    if let Ok(phone) = Phone::parse(typed) {
        assert_eq!(Phone::parse(phone.as_str()).as_ref(), Ok(&phone));
        assert_eq!(phone.as_str().len(), 11);
        let _ = phone.masked();
        stored_round_trip(&phone);
    }
    let _ = serde_json::from_str::<Phone>(&as_json);

    if let Ok(email) = Email::parse(typed) {
        assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(&email));
        let _ = email.masked();
        let _ = email.local_part();
        stored_round_trip(&email);
    }
    let _ = serde_json::from_str::<Email>(&as_json);

    if let Ok(login) = LoginId::parse(typed) {
        assert_eq!(LoginId::parse(login.as_str()).as_ref(), Ok(&login));
        let _ = login.masked();
        let _ = login.to_string();
        let _ = login.phone();
        stored_round_trip(&login);
    }

    if let Ok(name) = RealName::parse(typed) {
        assert_eq!(RealName::parse(name.as_str()).as_ref(), Ok(&name));
        let _ = name.masked();
        stored_round_trip(&name);
    }
    let _ = serde_json::from_str::<RealName>(&as_json);
});
