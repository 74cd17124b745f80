//! Browser tests: run by wasm-bindgen-test in headless Chromium
//! (`scripts/test.sh`). They exercise what only a browser has: localStorage
//! round trips, damaged and unknown stored values, and mounted components.

use qianbao_core::card::{test_card_number, NewCard};
use qianbao_core::envelope::{self, Keys, Read, Saved};
use qianbao_core::movement::MovementForm;
use qianbao_core::security::Hasher;
use qianbao_core::state::StateError;
use qianbao_core::vault::DataKey;
use qianbao_core::{State, Timestamp};
use qianbao_web::i18n::Locale;
use qianbao_web::storage::{self, chunk_key, DAMAGED_PREFIX, HEAD_KEY, LOCALE_KEY};
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

/// What storage holds now, read as the app reads it.
fn read(key: Option<&DataKey>) -> Read {
    envelope::read(&storage::read().unwrap_or_default(), key)
}

/// Saves `state` (as the next save after `saved`) through the storage layer.
fn save(state: &mut State, saved: &Saved, keys: Option<&Keys>) -> Result<Saved, StateError> {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let head = storage::head();
    let (writes, after) = envelope::write(state, saved, keys, head.as_deref(), &mut rng)?;
    storage::apply(&writes)?;
    state.set_revision(after.revision());
    Ok(after)
}

fn opened(read: Read) -> (State, Saved) {
    match read {
        Read::Opened { state, saved, .. } => (*state, saved),
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn nothing_stored_is_a_fresh_start() {
    clear();
    assert_eq!(read(None), Read::Fresh);
}

#[wasm_bindgen_test]
fn state_round_trips_through_local_storage_and_a_commit_rewrites_the_last_chunk() {
    clear();
    let mut state = state_with_history(250);
    assert_eq!(state.ledger().len(), 251);
    let saved = save(&mut state, &Saved::default(), None).unwrap_or_else(|e| panic!("{e}"));
    for index in 0..3 {
        assert!(local_storage()
            .get_item(&chunk_key(index))
            .ok()
            .flatten()
            .is_some());
    }
    let (loaded, _) = opened(read(None));
    assert_eq!(loaded, state);
    let full: Vec<Option<String>> = (0..2)
        .map(|i| local_storage().get_item(&chunk_key(i)).ok().flatten())
        .collect();
    let me = state
        .signed_in()
        .map(|a| a.id())
        .unwrap_or_else(|| panic!("signed in"));
    let card = state
        .cards_of(me)
        .next()
        .map(|c| c.id())
        .unwrap_or_else(|| panic!("a card"));
    let prepared = state
        .prepare(
            MovementForm::TopUp { card, amount: "1" },
            Timestamp::from_millis(NOW),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = state.commit("one-more", &prepared, Timestamp::from_millis(NOW));
    let _ = save(&mut state, &saved, None).unwrap_or_else(|e| panic!("{e}"));
    for (index, before) in full.iter().enumerate() {
        let now = local_storage().get_item(&chunk_key(index)).ok().flatten();
        assert_eq!(&now, before, "full chunk {index} was rewritten");
    }
    assert_eq!(opened(read(None)).0.ledger().len(), 252);
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
    assert_eq!(
        save(&mut state, &Saved::default(), None).map(|_| ()),
        Err(StateError::Full)
    );
    // Nothing half-written counts: the head (the commit point) is absent.
    assert_eq!(local_storage().get_item(HEAD_KEY).ok().flatten(), None);
    clear();
}

#[wasm_bindgen_test]
fn damaged_values_are_reported_and_left_in_place() {
    for raw in ["{not json", "[1,2,3]", r#"{"schema":1,"accounts":"x"}"#, ""] {
        clear();
        let _ = local_storage().set_item(HEAD_KEY, raw);
        let _ = local_storage().set_item(&chunk_key(3), "orphan");
        assert!(matches!(read(None), Read::Damaged(_)), "{raw:?}");
        // The export bundle holds every stored value exactly, orphans too.
        let bundle: serde_json::Value =
            serde_json::from_str(&storage::stored_bundle()).unwrap_or_default();
        assert_eq!(bundle[HEAD_KEY].as_str(), Some(raw));
        assert_eq!(bundle[chunk_key(3)].as_str(), Some("orphan"));
        // Reading reported the damage; it did not wipe or rewrite anything.
        assert_eq!(
            local_storage().get_item(HEAD_KEY).ok().flatten().as_deref(),
            Some(raw)
        );
    }
}

#[wasm_bindgen_test]
fn damage_is_kept_aside_whole_before_a_fresh_start() {
    clear();
    let _ = local_storage().set_item(HEAD_KEY, "{broken");
    let _ = local_storage().set_item(&chunk_key(1), "orphan");
    let key = storage::keep_aside(Timestamp::from_millis(42)).unwrap_or_default();
    assert_eq!(key, format!("{DAMAGED_PREFIX}42"));
    let kept: serde_json::Value = serde_json::from_str(
        &local_storage()
            .get_item(&key)
            .ok()
            .flatten()
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(kept[HEAD_KEY].as_str(), Some("{broken"));
    assert_eq!(kept[chunk_key(1)].as_str(), Some("orphan"));
    assert_eq!(storage::damaged_copies(), vec![key]);
    assert_eq!(read(None), Read::Fresh);
}

/// Resolves in a later task of the event loop (`setTimeout(0)`).
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The storage lock: a second holder waits until the first lets go.
#[wasm_bindgen_test]
async fn the_storage_lock_admits_one_holder_at_a_time() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let order = Rc::new(RefCell::new(Vec::new()));
    let first = qianbao_web::lock::acquire().await;
    let second = {
        let order = order.clone();
        async move {
            let held = qianbao_web::lock::acquire().await;
            order.borrow_mut().push("second");
            drop(held);
        }
    };
    wasm_bindgen_futures::spawn_local(second);
    for _ in 0..20 {
        next_task().await;
    }
    assert!(
        order.borrow().is_empty(),
        "the second holder ran while the first held"
    );
    order.borrow_mut().push("first done");
    drop(first);
    // The second holder runs once the first is gone (the browser grants
    // the lock in a task of its own: yield to the event loop until then).
    for _ in 0..500 {
        if order.borrow().len() == 2 {
            break;
        }
        next_task().await;
    }
    assert_eq!(*order.borrow(), vec!["first done", "second"]);
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
    let _ = local_storage().set_item(HEAD_KEY, "{broken");
    let handle = leptos::mount::mount_to(fresh_root(), qianbao_web::app::App);
    leptos::task::tick().await;
    let text = app_text();
    assert!(text.contains("本地数据无法读取"), "{text}");
    assert!(text.contains("W-STORE-CORRUPT"), "{text}");
    assert!(text.contains("导出损坏的数据"), "{text}");
    // Showing the screen wrote nothing.
    assert_eq!(
        local_storage().get_item(HEAD_KEY).ok().flatten().as_deref(),
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
/// is damage found without the key, not a different history.
#[wasm_bindgen_test]
fn encrypted_storage_opens_with_its_key_only() {
    use qianbao_core::account::AccountId;
    use qianbao_core::vault::KdfParams;
    clear();
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let mut state = state_with_history(120);
    let keys = envelope::add_slot(
        None,
        AccountId::new(1),
        "Sandbox2026x",
        KdfParams::STANDARD,
        &mut rng,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let _ = save(&mut state, &Saved::default(), Some(&keys)).unwrap_or_else(|e| panic!("{e}"));
    let stored = local_storage()
        .get_item(HEAD_KEY)
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
    assert_eq!(opened(read(Some(&keys.key))).0, state);
    assert!(matches!(read(None), Read::Locked(_)));
    let other = DataKey::generate(&mut ChaCha20Rng::seed_from_u64(9));
    assert!(matches!(read(Some(&other)), Read::Locked(_)));
    // One character of a history part changed.
    let at = chunk.find("\"c\":\"").map(|i| i + 5).unwrap_or(0);
    let c = chunk.as_bytes().get(at).copied().unwrap_or(b'0');
    let mut flipped = chunk.clone();
    flipped.replace_range(at..=at, if c == b'0' { "1" } else { "0" });
    let _ = local_storage().set_item(&chunk_key(1), &flipped);
    for key in [None, Some(&keys.key)] {
        match read(key) {
            Read::Damaged(error) => assert_eq!(
                qianbao_core::error::UserError::code(&error),
                "W-STORE-CORRUPT"
            ),
            other => panic!("{other:?}"),
        }
    }
    clear();
}
