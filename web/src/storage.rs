//! The only code that touches `localStorage` (and this tab's
//! `sessionStorage`). It moves strings: what they mean, and whether they
//! form one committed save, is `qianbao_core::envelope`'s business.
//!
//! Keys:
//! - [`HEAD_KEY`] and [`CHUNK_PREFIX`]`<n>`: the sandbox's state, in the
//!   stored form of `qianbao_core::envelope` (the head, then the journal in
//!   chunks of [`CHUNK_ENTRIES`](qianbao_core::ledger::CHUNK_ENTRIES) entries);
//! - [`LOCALE_KEY`]: the chosen language;
//! - [`GUIDE_KEY`]: guided mode — on or off, paused, which tour and since
//!   when (a preference like the language, not sandbox state);
//! - [`ACTIVE_KEY`]: when the person was last seen (a click, a key) in any
//!   tab, in clear, for the idle lock — kept apart from the sealed state so
//!   that noticing activity rewrites nothing;
//! - [`DAMAGED_PREFIX`]`<millis>`: everything that could not be read, kept
//!   aside whole by [`keep_aside`] when the user chooses to start over;
//! - in sessionStorage, [`SESSION_KEY`]: this tab's data key while unlocked.
//!
//! Several tabs share these keys; `store.rs` serialises their writes (see
//! `lock.rs`). Nothing here decides anything: [`read`] returns every stored
//! value of the state, [`apply`] performs a save's writes in order.
//!
//! **Sandbox mode.** A page served by the sandbox server (`server/`, which
//! sets the cookie `qianbao-sandbox=1`; [`on_server`]) keeps no state
//! here: the server alone writes it, and the page follows (`sandbox.rs`).
//! The preferences stay in this browser.

use crate::components::Guide;
use crate::i18n::Locale;
use gloo_storage::{LocalStorage, SessionStorage, Storage};
use qianbao_core::envelope::{self, Stored, Write};
pub use qianbao_core::envelope::{chunk_key, CHUNK_PREFIX, HEAD_KEY};
use qianbao_core::state::StateError;
use qianbao_core::vault::DataKey;
use qianbao_core::Timestamp;
use wasm_bindgen::{JsCast, JsValue};

pub const LOCALE_KEY: &str = "qianbao.locale";
pub const GUIDE_KEY: &str = "qianbao.guide";
pub const ACTIVE_KEY: &str = "qianbao.active";
pub const DAMAGED_PREFIX: &str = "qianbao.damaged.";
/// The key in the session-storage of this tab while the wallet is unlocked.
pub const SESSION_KEY: &str = "qianbao.key";

/// Whether `localStorage` can be used at all. gloo-storage assumes it can
/// (and panics otherwise), so every entry point checks this first.
pub fn available() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some()
}

/// Every key this origin's `localStorage` holds.
fn keys() -> Vec<String> {
    if !available() {
        return Vec::new();
    }
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .collect()
}

fn get(key: &str) -> Option<String> {
    if !available() {
        return None;
    }
    // `getItem`'s answer is left in JavaScript and turned into bytes by the
    // browser's own encoder: a sealed wallet is hundreds of kilobytes, which
    // wasm-bindgen's string passing would copy character by character.
    let storage = LocalStorage::raw();
    let get_item = js_sys::Reflect::get(&storage, &JsValue::from_str("getItem")).ok()?;
    let value = get_item
        .dyn_ref::<js_sys::Function>()?
        .call1(&storage, &JsValue::from_str(key))
        .ok()?;
    let text = value.dyn_ref::<js_sys::JsString>()?;
    let bytes = UTF8.with(|encoder| encoder.encode_string(text)).to_vec();
    String::from_utf8(bytes).ok()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextEncoder)]
    type Utf8Encoder;

    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Utf8Encoder;

    /// `TextEncoder.encode` of a string that stays in JavaScript.
    #[wasm_bindgen(method, js_class = "TextEncoder", js_name = encode)]
    fn encode_string(this: &Utf8Encoder, text: &js_sys::JsString) -> js_sys::Uint8Array;
}

thread_local! {
    static UTF8: Utf8Encoder = Utf8Encoder::new();
}

/// Whether this page came from the sandbox server, which then keeps the
/// state (see the module docs). Read once: the cookie does not change
/// under a running page.
pub fn on_server() -> bool {
    thread_local! {
        static ON_SERVER: bool = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| js_sys::Reflect::get(&d, &JsValue::from_str("cookie")).ok())
            .and_then(|c| c.as_string())
            .is_some_and(|cookies| cookies.split(';').any(|c| c.trim() == "qianbao-sandbox=1"));
    }
    ON_SERVER.with(|on| *on)
}

/// Every stored value of the sandbox's state, whatever its chunk index;
/// `None` when `localStorage` (or the sandbox server) cannot be used.
pub fn read() -> Option<Stored> {
    if !available() {
        return None;
    }
    Some(
        keys()
            .into_iter()
            .filter(|k| envelope::is_state_key(k))
            .filter_map(|k| get(&k).map(|v| (k, v)))
            .collect(),
    )
}

/// Whether any part of the sandbox's state is stored (a wallet, or what is
/// left of one).
pub fn holds_state() -> bool {
    // (In sandbox mode the server holds the state, and this browser none.)
    if on_server() {
        return false;
    }
    // The keys alone: reading the values would copy them all into the app
    // once more before the first screen.
    keys().iter().any(|k| envelope::is_state_key(k))
}

/// The stored head alone (cheap: tells which save storage holds).
pub fn head() -> Option<String> {
    get(HEAD_KEY)
}

/// Performs a save's writes, in order (the head last: the commit point).
pub fn apply(writes: &[Write]) -> Result<(), StateError> {
    for write in writes {
        match write {
            Write::Set(key, value) => set(key, value)?,
            Write::Remove(key) => remove(key),
        }
    }
    Ok(())
}

/// Moves every stored value of the state aside, whole, under a key of its
/// own, then removes them, so that a fresh start cannot overwrite them.
/// Returns the key they are kept under.
pub fn keep_aside(now: Timestamp) -> Result<String, StateError> {
    let stored = read().unwrap_or_default();
    let key = format!("{DAMAGED_PREFIX}{}", now.as_millis());
    set(&key, &envelope::bundle(&stored))?;
    remove_state();
    Ok(key)
}

/// Removes the state (the head first) and its history, whatever their
/// indexes; damaged copies kept aside, the language and guided mode stay.
pub fn remove_state() {
    remove(HEAD_KEY);
    for key in keys().into_iter().filter(|k| envelope::is_state_key(k)) {
        remove(&key);
    }
}

/// Replaces the stored state with `stored` (an import checked by core).
pub fn replace_state(stored: &Stored) -> Result<(), StateError> {
    remove_state();
    // The head last: a write that fails half-way leaves no head, which
    // reads as damage, never as another wallet.
    for (key, value) in stored.iter().filter(|(k, _)| *k != HEAD_KEY) {
        set(key, value)?;
    }
    match stored.get(HEAD_KEY) {
        Some(head) => set(HEAD_KEY, head),
        None => Ok(()),
    }
}

/// Keys of the damaged copies kept so far.
pub fn damaged_copies() -> Vec<String> {
    keys()
        .into_iter()
        .filter(|key| key.starts_with(DAMAGED_PREFIX))
        .collect()
}

/// Bytes (UTF-16 code units, as browsers count them) this app keeps in storage.
pub fn used_units() -> usize {
    keys()
        .into_iter()
        .filter(|key| key.starts_with("qianbao."))
        .map(|key| {
            let value = get(&key).unwrap_or_default();
            key.encode_utf16().count() + value.encode_utf16().count()
        })
        .sum()
}

/// Everything this app keeps (state, history chunks, language), as one JSON
/// object from key to stored text: the developer console's export.
pub fn export_bundle() -> String {
    let mut stored = read().unwrap_or_default();
    if let Some(locale) = get(LOCALE_KEY) {
        stored.insert(LOCALE_KEY.to_owned(), locale);
    }
    envelope::bundle(&stored)
}

/// Every stored value of the state, exactly as stored (an encrypted copy
/// stays encrypted): the recovery screen's export.
pub fn stored_bundle() -> String {
    envelope::bundle(&read().unwrap_or_default())
}

/// When the person was last seen, by any tab (simulated time, ms).
pub fn load_active() -> Option<Timestamp> {
    get(ACTIVE_KEY)
        .and_then(|text| text.parse::<i64>().ok())
        .map(Timestamp::from_millis)
}

pub fn save_active(at: Timestamp) {
    // Losing it only makes the idle lock fall a little early.
    let _ = set(ACTIVE_KEY, &at.as_millis().to_string());
}

/// The language, stored as a JSON string (`"zh-CN"`, `"en"`), read without
/// a JSON parser; anything else is the default.
pub fn load_locale() -> Locale {
    get(LOCALE_KEY)
        .and_then(|text| {
            Locale::ALL
                .into_iter()
                .find(|l| text == format!("\"{}\"", l.tag()))
        })
        .unwrap_or_default()
}

pub fn save_locale(locale: Locale) {
    // A failure to remember the language is not worth an error screen.
    let _ = set(LOCALE_KEY, &format!("\"{}\"", locale.tag()));
}

/// Guided mode as the user left it; `None` when it is off (or what is
/// stored cannot be read: a lost preference only turns the coach off).
pub fn load_guide() -> Option<Guide> {
    get(GUIDE_KEY).and_then(|text| Guide::from_text(&text))
}

/// Remembers guided mode; `None` forgets it (the coach is off).
pub fn save_guide(guide: Option<&Guide>) {
    if !available() {
        return;
    }
    match guide {
        // Like the language, not worth an error screen if it fails.
        Some(guide) => {
            let _ = set(GUIDE_KEY, &guide.to_text());
        }
        None => remove(GUIDE_KEY),
    }
}

/// The data key kept for this tab while unlocked, if any.
pub fn load_session_key() -> Option<DataKey> {
    SessionStorage::raw()
        .get_item(SESSION_KEY)
        .ok()
        .flatten()
        .and_then(|hex| DataKey::from_hex(&hex))
}

pub fn save_session_key(key: &DataKey) {
    // Without it the tab asks for the password again after a reload.
    let _ = SessionStorage::raw().set_item(SESSION_KEY, &key.to_hex());
}

pub fn forget_session_key() {
    let _ = SessionStorage::raw().remove_item(SESSION_KEY);
}

fn remove(key: &str) {
    if available() {
        LocalStorage::delete(key);
    }
}

fn set(key: &str, value: &str) -> Result<(), StateError> {
    if !available() {
        return Err(StateError::Unwritable {
            detail: "localStorage is unavailable".to_owned(),
        });
    }
    LocalStorage::raw().set_item(key, value).map_err(|e| {
        if is_quota_error(&e) {
            StateError::Full
        } else {
            StateError::Unwritable {
                detail: e
                    .as_string()
                    .unwrap_or_else(|| "storage refused the write".to_owned()),
            }
        }
    })
}

fn is_quota_error(error: &JsValue) -> bool {
    js_sys::Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|name| name.as_string())
        .is_some_and(|name| name == "QuotaExceededError")
}
