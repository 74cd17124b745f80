use super::*;
use crate::security::fast_hasher;
use crate::Timestamp;
use expect_test::expect;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rstest::rstest;

fn sample() -> State {
    let mut state = State::default();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let now = Timestamp::from_millis(1_700_000_000_000);
    let _ = state.create_demo_wallet(now, &mut rng, &fast_hasher());
    let _ = state.send_register_code("li@example.com", now, &mut rng);
    state
}

#[test]
fn round_trips() {
    let state = sample();
    let json = state.to_json().unwrap_or_default();
    assert_eq!(State::from_json(&json), Ok(state));
}

/// The body of a sealed record, and the record sealed again after
/// `edit` (as someone who recomputes the checksum would).
fn body(sealed: &str) -> String {
    serde_json::from_str::<Sealed<'_>>(sealed)
        .map(|s| s.main.get().to_owned())
        .unwrap_or_default()
}

fn reseal(sealed: &str, edit: impl Fn(&str) -> String) -> String {
    let main = edit(&body(sealed));
    format!(
        r#"{{"revision":0,"sha256":"{}","main":{main}}}"#,
        seal_sum(0, &main)
    )
}

#[test]
fn schema_is_stamped_and_sealed() {
    let json = State::default().to_json().unwrap_or_default();
    assert!(json.starts_with(r#"{"revision":0,"sha256":""#), "{json}");
    expect![[r#"{"schema":6,"accounts":[],"next_account_id":1,"sessions":{},"verifications":{"pending":[]},"inbox":{"messages":[],"next_id":0},"cards":[],"next_card_id":1,"wechat":{"accounts":[],"next_id":0,"sessions":{},"codes":[],"grants":[],"verified":[]},"sim":{"log":[],"next_log_id":0,"faults":{"network":0,"busy":0,"latency_ms":0},"clock_offset_ms":0},"bindings":[],"orders":[],"pay_guards":[],"pay_preferences":[],"journal_len":0,"journal_digest":"0000000000000000000000000000000000000000000000000000000000000000"}"#]]
        .assert_eq(&body(&json));
}

#[test]
fn a_refusal_that_counted_nothing_is_no_change() {
    let mut state = sample();
    let unchanged = |state: &State| state.changes().is_ok_and(|c| c.is_empty());
    assert!(!unchanged(&state), "never saved");
    if let Ok(changes) = state.changes() {
        state.mark_saved(changes);
    }
    assert!(unchanged(&state));
    assert!(state
        .log_in(
            "nobody@example.com",
            "Whatever2026",
            Timestamp::from_millis(1)
        )
        .is_err());
    assert!(unchanged(&state));
    state.log_out();
    state.lock_now();
    assert!(unchanged(&state), "nobody was signed in");
    let _ = state.send_register_code(
        "wang@example.com",
        Timestamp::from_millis(2),
        &mut ChaCha20Rng::seed_from_u64(1),
    );
    assert!(!unchanged(&state));
}

#[test]
fn the_revision_is_sealed_too() {
    let mut state = sample();
    state.set_revision(7);
    let json = state.to_json().unwrap_or_default();
    assert_eq!(State::stored_revision(&json), Some(7));
    assert_eq!(State::from_json(&json).map(|s| s.revision()), Ok(7));
    let bumped = json.replacen(r#""revision":7"#, r#""revision":8"#, 1);
    assert!(matches!(
        State::from_json(&bumped),
        Err(StateError::Corrupt { .. })
    ));
}

#[test]
fn an_unsealed_current_record_is_refused_and_an_old_one_migrates() {
    let json = sample().to_json().unwrap_or_default();
    let bare = body(&json);
    assert!(matches!(
        State::from_json(&bare),
        Err(StateError::Corrupt { .. })
    ));
    let v3 = bare.replacen(r#""schema":6"#, r#""schema":3"#, 1);
    let v3 = match v3.find(r#","journal_digest""#) {
        Some(at) => format!("{}}}", &v3[..at]),
        None => v3,
    };
    assert_eq!(State::from_json(&v3), Ok(sample()));
    // A sealed record never claims an older version.
    let sealed_v3 = reseal(&json, |b| b.replacen(r#""schema":6"#, r#""schema":3"#, 1));
    assert!(matches!(
        State::from_json(&sealed_v3),
        Err(StateError::Corrupt { .. })
    ));
}

#[rstest]
#[case("", "W-STORE-CORRUPT")]
#[case("not json", "W-STORE-CORRUPT")]
#[case("[]", "W-STORE-CORRUPT")]
#[case("{}", "W-STORE-CORRUPT")]
#[case(r#"{"schema":"1"}"#, "W-STORE-CORRUPT")]
#[case(r#"{"schema":0}"#, "W-STORE-CORRUPT")]
#[case(r#"{"schema":1}"#, "W-STORE-CORRUPT")]
#[case(r#"{"schema":2}"#, "W-STORE-CORRUPT")]
#[case(r#"{"schema":99,"anything":true}"#, "W-STORE-TOO-NEW")]
fn bad_copies_are_refused(#[case] raw: &str, #[case] code: &str) {
    assert_eq!(State::from_json(raw).map_err(|e| e.code()), Err(code));
}

#[rstest]
#[case("\"next_account_id\":2", "\"next_account_id\":1")]
#[case("\"next_account_id\":2", "\"next_account_id\":4294967295")]
#[case("\"login\":{\"phone\":\"1700000", "\"login\":{\"phone\":\"2700000")]
#[case("$argon2id$", "$plain$")]
#[case(
    "\"sessions\":{}",
    "\"sessions\":{\"local\":{\"account\":42,\"last_active\":0,\"locked\":false}}"
)]
#[case("\"sessions\":{}", "\"sessions\":{\"no such client!\":{}}")]
// Found by fuzzing (`state_mutate`): a huge count panicked or aborted.
#[case("\"journal_len\":0", "\"journal_len\":18446744073709551615")]
#[case("\"journal_len\":0", "\"journal_len\":100000000000")]
fn tampered_copies_are_refused(#[case] from: &str, #[case] to: &str) {
    let json = sample().to_json().unwrap_or_default();
    assert!(json.contains(from), "{json}");
    // Caught by the checksum…
    let tampered = json.replacen(from, to, 1);
    assert!(matches!(
        State::from_json(&tampered),
        Err(StateError::Corrupt { .. })
    ));
    // …and, with the checksum recomputed, by the invariant checks.
    let resealed = reseal(&json, |b| b.replacen(from, to, 1));
    assert!(matches!(
        State::from_json(&resealed),
        Err(StateError::Corrupt { .. })
    ));
}

/// An order as stored, with refunds of these amounts.
fn order_with_refunds(amounts: &[i64]) -> String {
    let refunds: Vec<String> = amounts
        .iter()
        .enumerate()
        .map(|(i, amount)| {
            format!(r#"{{"out_refund_no":"R000000{i}","amount":{amount},"at":0,"entry":{i}}}"#)
        })
        .collect();
    format!(
        r#""orders":[{{"merchant":"cafe","out_trade_no":"CAFE000001","description":"latte","amount":2800,"created_at":0,"expires_at":0,"state":"REFUND","refunds":[{}]}}]"#,
        refunds.join(",")
    )
}

// Found by fuzzing (`state_json`): refunds summing past i64::MAX made
// `Order::refundable` overflow on the orders screen.
#[rstest]
#[case(&[1_000, 1_800], true)]
#[case(&[1_000, 1_801], false)]
#[case(&[0], false)]
#[case(&[-1_000], false)]
#[case(&[i64::MAX, i64::MAX], false)]
fn refunds_never_exceed_the_payment(#[case] amounts: &[i64], #[case] loads: bool) {
    let json = State::default().to_json().unwrap_or_default();
    let stored = reseal(&json, |b| {
        b.replacen(r#""orders":[]"#, &order_with_refunds(amounts), 1)
    });
    let loaded = State::from_json(&stored);
    assert_eq!(loaded.is_ok(), loads, "{loaded:?}");
    if let Ok(state) = loaded {
        assert_eq!(
            state.orders().next().map(|o| o.refundable()),
            Some(crate::money::Fen::ZERO)
        );
    }
}

#[test]
fn a_version_five_session_becomes_the_local_clients() {
    let json = sample().to_json().unwrap_or_default();
    let mut v5: Value = serde_json::from_str(&body(&json)).unwrap_or_default();
    v5["schema"] = Value::from(5);
    if let Some(main) = v5.as_object_mut() {
        main.remove("sessions");
        main.insert(
            "session".to_owned(),
            serde_json::json!({"account": 1, "last_active": 0, "locked": false}),
        );
    }
    if let Some(wechat) = v5["wechat"].as_object_mut() {
        wechat.remove("sessions");
        wechat.insert("session".to_owned(), Value::Null);
    }
    let sealed = reseal(&json, |_| v5.to_string());
    let state = State::from_json(&sealed).unwrap_or_default();
    assert_eq!(state.session().map(|s| s.account().get()), Some(1));
    assert!(state.signed_in().is_some());
    assert!(state.wechat().signed_in().is_none());
    // Another client of the same copy is nobody.
    let mut other = state.clone();
    other.set_client(&ClientId::parse("browser-2").unwrap_or_default());
    assert!(other.session().is_none());
}

#[test]
fn version_one_copies_migrate_and_get_sealed() {
    let v1 = r#"{"schema":1,"accounts":[],"next_account_id":1,"session":null,"verifications":{"pending":[]},"inbox":{"messages":[],"next_id":0}}"#;
    assert_eq!(State::from_json(v1), Ok(State::default()));
    let resaved = State::default().to_json().unwrap_or_default();
    assert_eq!(State::stored_revision(&resaved), Some(0));
}

fn add_field(mut value: Value) -> Result<Value, StateError> {
    if let Some(object) = value.as_object_mut() {
        object.insert("added".to_owned(), Value::from(true));
    }
    Ok(value)
}

#[test]
fn migrations_run_in_order_and_stamp_the_version() {
    let steps: &[Migration] = &[add_field, add_field];
    let migrated = migrate(serde_json::json!({"schema": 1}), 1, steps);
    assert_eq!(
        migrated,
        Ok(serde_json::json!({"schema": 3, "added": true}))
    );
    let current = migrate(serde_json::json!({"schema": 3}), 3, steps);
    assert_eq!(current, Ok(serde_json::json!({"schema": 3})));
    assert_eq!(
        migrate(serde_json::json!({"schema": 4}), 4, steps),
        Err(StateError::TooNew { found: 4 })
    );
}

#[test]
fn a_failing_step_stops_the_load() {
    fn refuse(_: Value) -> Result<Value, StateError> {
        Err(corrupt("cannot migrate"))
    }
    let steps: &[Migration] = &[refuse];
    assert_eq!(
        migrate(serde_json::json!({"schema": 1}), 1, steps),
        Err(corrupt("cannot migrate"))
    );
}
