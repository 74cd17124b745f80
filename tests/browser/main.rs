//! Browser tests: run by wasm-bindgen-test in headless Chromium
//! (`scripts/test.sh`). They exercise what only a browser has: localStorage
//! round trips, damaged and unknown stored values, and mounted components.

use qianbao_core::card::{test_card_number, NewCard};
use qianbao_core::movement::MovementForm;
use qianbao_core::security::Hasher;
use qianbao_core::state::StateError;
use qianbao_core::{State, Timestamp};
use qianbao_web::i18n::Locale;
use qianbao_web::storage::{self, chunk_key, Loaded, DAMAGED_PREFIX, LOCALE_KEY, STATE_KEY};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn local_storage() -> web_sys::Storage {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .unwrap_or_else(|| panic!("the test browser has localStorage"))
}

fn clear() {
    let _ = local_storage().clear();
}

const NOW: i64 = 1_800_000_000_000;

/// A signed-in demo account with a card and `movements` top-ups of ¥0.01.
fn state_with_history(movements: usize) -> State {
    let mut state = State::default();
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let now = Timestamp::from_millis(NOW);
    let demo = state
        .create_demo_wallet(now, &mut rng, &Hasher::standard())
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = state.log_in(demo.login.as_str(), &demo.password, now);
    let number = test_card_number("622202", "0012345678");
    let form = NewCard {
        number: &number,
        holder: demo.real_name.as_str(),
        expiry: "",
        cvv: "",
    };
    let card = state.add_card(form, now).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..movements {
        let prepared = state
            .prepare(
                MovementForm::TopUp {
                    card,
                    amount: "0.01",
                },
                now,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = state.commit(&format!("k{i}"), &prepared, now);
    }
    state
}

#[wasm_bindgen_test]
fn nothing_stored_is_a_fresh_start() {
    clear();
    assert_eq!(storage::load_state(), Loaded::Fresh(State::default()));
}

#[wasm_bindgen_test]
fn state_round_trips_through_local_storage() {
    clear();
    let mut state = state_with_history(250);
    assert_eq!(state.ledger().len(), 251);
    assert_eq!(storage::save_state(&mut state, 0), Ok(251));
    for index in 0..3 {
        assert!(local_storage()
            .get_item(&chunk_key(index))
            .ok()
            .flatten()
            .is_some());
    }
    assert_eq!(storage::load_state(), Loaded::Restored(state));
}

#[wasm_bindgen_test]
fn a_commit_rewrites_only_the_last_chunk() {
    clear();
    let mut state = state_with_history(250);
    let saved = storage::save_state(&mut state, 0).unwrap_or_default();
    // Mark the full chunks: a save that rewrote them would erase the marks.
    let marked: Vec<String> = (0..2)
        .map(|i| {
            local_storage()
                .get_item(&chunk_key(i))
                .ok()
                .flatten()
                .unwrap_or_default()
        })
        .collect();
    for (index, chunk) in marked.iter().enumerate() {
        let _ = local_storage().set_item(&chunk_key(index), &format!("{chunk} "));
    }
    let card = state
        .cards_of(
            state
                .signed_in()
                .map(|a| a.id())
                .unwrap_or_else(|| panic!("signed in")),
        )
        .next()
        .map(|c| c.id());
    let card = card.unwrap_or_else(|| panic!("a card"));
    let prepared = state
        .prepare(
            MovementForm::TopUp { card, amount: "1" },
            Timestamp::from_millis(NOW),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = state.commit("one-more", &prepared, Timestamp::from_millis(NOW));
    assert_eq!(storage::save_state(&mut state, saved), Ok(252));
    for (index, chunk) in marked.iter().enumerate() {
        let stored = local_storage()
            .get_item(&chunk_key(index))
            .ok()
            .flatten()
            .unwrap_or_default();
        assert_eq!(stored, format!("{chunk} "), "chunk {index} was rewritten");
    }
    assert!(
        matches!(storage::load_state(), Loaded::Restored(loaded) if loaded.ledger().len() == 252)
    );
}

#[wasm_bindgen_test]
fn a_full_storage_is_reported_as_full() {
    clear();
    let mut state = state_with_history(1);
    // Fill the quota with junk, in halving blocks, until nothing more fits.
    let mut block = "x".repeat(1 << 20);
    let mut n = 0;
    while block.len() > 16 {
        if local_storage()
            .set_item(&format!("junk.{n}"), &block)
            .is_err()
        {
            block.truncate(block.len() / 2);
        }
        n += 1;
    }
    assert_eq!(storage::save_state(&mut state, 0), Err(StateError::Full));
    // Nothing half-written counts: the main record (the commit point) is absent.
    assert_eq!(local_storage().get_item(STATE_KEY).ok().flatten(), None);
    clear();
}

#[wasm_bindgen_test]
fn a_changed_byte_in_any_stored_value_is_detected() {
    clear();
    let mut state = state_with_history(150);
    let _ = storage::save_state(&mut state, 0);
    for key in [STATE_KEY.to_owned(), chunk_key(0), chunk_key(1)] {
        let original = local_storage()
            .get_item(&key)
            .ok()
            .flatten()
            .unwrap_or_default();
        // Change one digit in the middle: still valid JSON, another value.
        let middle = original.len() / 2;
        let at = original[middle..]
            .find(|c: char| c.is_ascii_digit())
            .map(|i| middle + i)
            .unwrap_or_else(|| panic!("a digit in {key}"));
        let digit = original.as_bytes()[at];
        let other = if digit == b'9' {
            '0'
        } else {
            char::from(digit + 1)
        };
        let mut changed = original.clone();
        changed.replace_range(at..=at, &other.to_string());
        let _ = local_storage().set_item(&key, &changed);
        match storage::load_state() {
            Loaded::Damaged { error, .. } => assert_eq!(
                qianbao_core::error::UserError::code(&error),
                "W-STORE-CORRUPT",
                "{key}"
            ),
            other => panic!("{key} changed at {at} and loaded as {other:?}"),
        }
        let _ = local_storage().set_item(&key, &original);
    }
    assert_eq!(storage::load_state(), Loaded::Restored(state));
}

#[wasm_bindgen_test]
fn a_tab_that_read_an_older_revision_cannot_overwrite_a_newer_one() {
    clear();
    let mut first = state_with_history(1);
    let _ = storage::save_state(&mut first, 0);
    let mut second = match storage::load_state() {
        Loaded::Restored(state) => state,
        other => panic!("{other:?}"),
    };
    // The first tab saves again; the second still holds revision 1.
    let _ = first.log_in("nobody@example.com", "x", Timestamp::from_millis(NOW));
    let stored_before = local_storage().get_item(STATE_KEY).ok().flatten();
    assert_eq!(storage::save_state(&mut first, 2), Ok(2));
    let stored = local_storage().get_item(STATE_KEY).ok().flatten();
    assert_ne!(stored, stored_before);
    second.log_out();
    assert_eq!(
        storage::save_state(&mut second, 2),
        Err(StateError::Conflict)
    );
    assert_eq!(second.revision(), 1, "a refused save does not count");
    assert_eq!(local_storage().get_item(STATE_KEY).ok().flatten(), stored);
}

#[wasm_bindgen_test]
fn damaged_value_is_reported_and_left_in_place() {
    for raw in ["{not json", "[1,2,3]", r#"{"schema":1,"accounts":"x"}"#, ""] {
        clear();
        let _ = local_storage().set_item(STATE_KEY, raw);
        match storage::load_state() {
            Loaded::Damaged { raw: found, error } => {
                // The export bundle holds every stored value exactly.
                let bundle: serde_json::Value = serde_json::from_str(&found).unwrap_or_default();
                assert_eq!(bundle[STATE_KEY].as_str(), Some(raw));
                assert_eq!(
                    qianbao_core::error::UserError::code(&error),
                    "W-STORE-CORRUPT"
                );
            }
            other => panic!("{raw:?} loaded as {other:?}"),
        }
        // Reading reported the damage; it did not wipe or rewrite anything.
        assert_eq!(
            local_storage()
                .get_item(STATE_KEY)
                .ok()
                .flatten()
                .as_deref(),
            Some(raw)
        );
    }
}

#[wasm_bindgen_test]
fn newer_schema_is_refused_not_misread() {
    clear();
    let raw = r#"{"schema":7,"accounts":[]}"#;
    let _ = local_storage().set_item(STATE_KEY, raw);
    match storage::load_state() {
        Loaded::Damaged { error, .. } => {
            assert_eq!(
                qianbao_core::error::UserError::code(&error),
                "W-STORE-TOO-NEW"
            );
        }
        other => panic!("loaded as {other:?}"),
    }
}

#[wasm_bindgen_test]
fn damaged_copy_is_kept_aside_before_a_fresh_start() {
    clear();
    let _ = local_storage().set_item(STATE_KEY, "{broken");
    let key = storage::keep_damaged_copy("{broken", Timestamp::from_millis(42)).unwrap_or_default();
    assert_eq!(key, format!("{DAMAGED_PREFIX}42"));
    assert_eq!(
        local_storage().get_item(&key).ok().flatten().as_deref(),
        Some("{broken")
    );
    assert_eq!(storage::damaged_copies(), vec![key]);
    assert_eq!(storage::load_state(), Loaded::Fresh(State::default()));
}

#[wasm_bindgen_test]
fn locale_round_trips_and_bad_values_fall_back() {
    clear();
    assert_eq!(storage::load_locale(), Locale::ZhCn);
    storage::save_locale(Locale::En);
    assert_eq!(storage::load_locale(), Locale::En);
    let _ = local_storage().set_item(LOCALE_KEY, "\"klingon\"");
    assert_eq!(storage::load_locale(), Locale::ZhCn);
}

fn app_text() -> String {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app-under-test"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|e| e.inner_text())
        .unwrap_or_default()
}

/// A fresh element to mount the app into. The runner's own output lives in
/// the body too, so earlier roots are removed, never the whole body.
fn fresh_root() -> web_sys::HtmlElement {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .unwrap_or_else(|| panic!("the test browser has a document"));
    if let Some(old) = document.get_element_by_id("app-under-test") {
        old.remove();
    }
    let root = document
        .create_element("div")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .unwrap_or_else(|| panic!("a div can be created"));
    root.set_id("app-under-test");
    if let Some(body) = document.body() {
        let _ = body.append_child(&root);
    }
    root
}

#[wasm_bindgen_test]
async fn app_shows_recovery_for_damaged_storage() {
    clear();
    let _ = local_storage().set_item(STATE_KEY, "{broken");
    let handle = leptos::mount::mount_to(fresh_root(), qianbao_web::app::App);
    leptos::task::tick().await;
    let text = app_text();
    assert!(text.contains("本地数据无法读取"), "{text}");
    assert!(text.contains("W-STORE-CORRUPT"), "{text}");
    assert!(text.contains("导出损坏的数据"), "{text}");
    // Showing the screen wrote nothing.
    assert_eq!(
        local_storage()
            .get_item(STATE_KEY)
            .ok()
            .flatten()
            .as_deref(),
        Some("{broken")
    );
    drop(handle);
}

#[wasm_bindgen_test]
async fn app_greets_a_first_visit_with_the_three_ways_in() {
    clear();
    let handle = leptos::mount::mount_to(fresh_root(), qianbao_web::app::App);
    leptos::task::tick().await;
    let text = app_text();
    for label in ["登录", "注册", "一键创建演示账户", "模拟环境"] {
        assert!(text.contains(label), "{label} missing from {text}");
    }
    drop(handle);
}

#[wasm_bindgen_test]
fn paths_map_to_pages() {
    use qianbao_web::app::Page;
    for (path, page) in [
        ("/", Page::Home),
        ("", Page::Home),
        ("/login", Page::Login),
        ("/login/", Page::Login),
        ("/phone", Page::Phone),
        ("/phone/", Page::Phone),
        ("/settings", Page::Settings),
        ("/register", Page::Register),
        ("/no/such", Page::NotFound),
        ("/loginx", Page::NotFound),
        ("/choose", Page::Choose),
        ("/help", Page::Help),
        ("/help/nope", Page::NotFound),
    ] {
        assert_eq!(Page::from_path(path), page, "{path}");
    }
    for topic in qianbao_core::help::Topic::ALL {
        let page = Page::HelpTopic(topic);
        assert_eq!(Page::from_path(&page.href()), page, "{topic:?}");
    }
}

/// RFC 6238 appendix B (SHA-1 rows) in the browser's wasm, where the wallet
/// actually computes codes.
#[wasm_bindgen_test]
fn totp_matches_the_rfc_6238_vectors() {
    use qianbao_core::totp::{hotp, Algorithm};
    let key = b"12345678901234567890";
    for (time, code) in [
        (59u64, 94_287_082u32),
        (1_111_111_109, 7_081_804),
        (1_111_111_111, 14_050_471),
        (1_234_567_890, 89_005_924),
        (2_000_000_000, 69_279_037),
        (20_000_000_000, 65_353_130),
    ] {
        assert_eq!(hotp(Algorithm::Sha1, key, time / 30, 8), code, "T = {time}");
    }
}

/// Encryption at rest in the browser's wasm: a stored state sealed with the
/// data key, the key wrapped under the password (real Argon2id cost), read
/// back from localStorage; a wrong password and a changed character fail.
#[wasm_bindgen_test]
fn vault_round_trip_wrong_password_and_tamper_in_local_storage() {
    use qianbao_core::account::AccountId;
    use qianbao_core::vault::{open, seal, DataKey, KdfParams, KeySlot, Sealed, VaultError};
    clear();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let state = state_with_history(3);
    let plain = state.main_json().unwrap_or_default();
    let key = DataKey::generate(&mut rng);
    let slot = KeySlot::new(
        &key,
        AccountId::new(1),
        "Sandbox2026x",
        KdfParams::STANDARD,
        &mut rng,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let sealed = seal(&key, "main", plain.as_bytes(), &mut rng);
    let stored = serde_json::json!({ "slot": slot, "main": sealed }).to_string();
    let _ = local_storage().set_item("qianbao.vault-test", &stored);
    let read = local_storage()
        .get_item("qianbao.vault-test")
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(!read.contains("17000"), "no phone number in clear: {read}");
    assert!(!read.contains("argon2id"), "no password hash in clear");
    let value: serde_json::Value = serde_json::from_str(&read).unwrap_or_default();
    let slot: KeySlot =
        serde_json::from_value(value["slot"].clone()).unwrap_or_else(|e| panic!("{e}"));
    let sealed: Sealed =
        serde_json::from_value(value["main"].clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(slot.open("Wrong2026x"), Err(VaultError::WrongPassword));
    let key = slot.open("Sandbox2026x").unwrap_or_else(|e| panic!("{e}"));
    let opened = open(&key, "main", &sealed).unwrap_or_default();
    assert_eq!(String::from_utf8(opened).as_deref(), Ok(plain.as_str()));
    // One character of the stored ciphertext changed: refused, never misread.
    let tampered =
        read.replacen("\"c\":\"", "\"c\":\"0", 1)
            .replacen("\"c\":\"00", "\"c\":\"11", 1);
    let value: serde_json::Value = serde_json::from_str(&tampered).unwrap_or_default();
    let changed: Sealed =
        serde_json::from_value(value["main"].clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(changed, sealed);
    assert_eq!(open(&key, "main", &changed), Err(VaultError::Tampered));
    clear();
}

/// The stored copy encrypted through the storage layer: it opens with the
/// key, is locked without it (or with another), and a changed history part
/// is damage, not a different history.
#[wasm_bindgen_test]
fn encrypted_storage_opens_with_its_key_only() {
    use qianbao_core::account::AccountId;
    use qianbao_core::vault::{DataKey, KdfParams, KeySlot};
    use qianbao_web::storage::{load_state_with, save_state_with, Vault};
    clear();
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let mut state = state_with_history(120);
    let key = DataKey::generate(&mut rng);
    let slot = KeySlot::new(
        &key,
        AccountId::new(1),
        "Sandbox2026x",
        KdfParams::STANDARD,
        &mut rng,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut vault = Vault {
        key: key.clone(),
        slots: vec![slot],
        rng: rng.clone(),
    };
    assert_eq!(save_state_with(&mut state, 0, Some(&mut vault)), Ok(121));
    let stored = local_storage()
        .get_item(STATE_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    let chunk = local_storage()
        .get_item(&chunk_key(1))
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        !stored.contains("argon2id") && !stored.contains("\"accounts\""),
        "{stored}"
    );
    assert!(!chunk.contains("\"p\""), "history in clear: {chunk}");
    match load_state_with(Some(key.clone())) {
        Loaded::Unlocked(loaded, _) => assert_eq!(loaded, state),
        other => panic!("{other:?}"),
    }
    assert!(matches!(load_state_with(None), Loaded::Locked(_)));
    let other = DataKey::generate(&mut ChaCha20Rng::seed_from_u64(9));
    assert!(matches!(load_state_with(Some(other)), Loaded::Locked(_)));
    // One character of a history part changed.
    let flipped = {
        let at = chunk.find("\"c\":\"").map(|i| i + 5).unwrap_or(0);
        let c = chunk.as_bytes().get(at).copied().unwrap_or(b'0');
        let mut text = chunk.clone();
        text.replace_range(at..=at, if c == b'0' { "1" } else { "0" });
        text
    };
    let _ = local_storage().set_item(&chunk_key(1), &flipped);
    match load_state_with(Some(key)) {
        Loaded::Damaged { error, .. } => {
            assert_eq!(
                qianbao_core::error::UserError::code(&error),
                "W-STORE-CORRUPT"
            )
        }
        other => panic!("{other:?}"),
    }
    clear();
}
