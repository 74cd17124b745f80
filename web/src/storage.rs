//! The only code that touches `localStorage`.
//!
//! Keys:
//! - [`STATE_KEY`]: the main record of the sandbox [`State`] — accounts,
//!   cards, sessions, the phone inbox, and how many history entries exist;
//! - [`JOURNAL_PREFIX`]`<n>`: the ledger journal, in chunks of
//!   [`CHUNK_ENTRIES`](qianbao_core::ledger::CHUNK_ENTRIES) entries. Committing an entry rewrites the last chunk
//!   and the main record, never the whole history;
//! - [`LOCALE_KEY`]: the chosen language;
//! - [`GUIDE_KEY`]: guided mode — on or off, paused, which tour and since
//!   when (a preference like the language, not sandbox state);
//! - [`DAMAGED_PREFIX`]`<millis>`: everything that could not be read, kept
//!   aside by [`keep_damaged_copy`] when the user chooses to start over;
//! - in sessionStorage, [`SESSION_KEY`]: this tab's data key while unlocked.
//!
//! # Encryption at rest
//! Once a wallet account exists, the main record is stored as an
//! [`Envelope`]: the key slots, a key check, the unlock guard and the
//! revision in clear, the record itself sealed with the data key (label
//! `main`); each journal chunk is sealed too (label `chunk N`). A tab
//! without the key sees [`Loaded::Locked`]; a key that opens the check but
//! not a value means the value was changed: [`Loaded::Damaged`].
//!
//! Chunks are written before the main record, which is the commit point: if
//! the browser stops between the two, the stored state is the previous one.
//!
//! Several tabs share these keys. The main record carries a revision (see
//! `qianbao_core::state`); [`save_state`] writes only if storage still holds
//! the revision this tab last read or wrote, and otherwise reports
//! [`StateError::Conflict`] so that the store reloads and applies the
//! command again. Other tabs learn of a write from the browser's `storage`
//! event (wired in `store.rs`).
//! A stored state that cannot be read is never overwritten and never
//! discarded silently: [`load_state`] reports it with the raw text, and
//! nothing is written until the user has chosen what to do.

use crate::components::Guide;
use crate::i18n::Locale;
use gloo_storage::{LocalStorage, SessionStorage, Storage};
use qianbao_core::ledger::dirty_chunks;
use qianbao_core::lockout::Lockout;
use qianbao_core::state::StateError;
use qianbao_core::vault::{open, seal, DataKey, KeySlot, Sealed};
use qianbao_core::{State, Timestamp};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

pub const STATE_KEY: &str = "qianbao.state";
pub const JOURNAL_PREFIX: &str = "qianbao.journal.";
pub const LOCALE_KEY: &str = "qianbao.locale";
pub const GUIDE_KEY: &str = "qianbao.guide";
pub const DAMAGED_PREFIX: &str = "qianbao.damaged.";

/// What was found in storage at start-up.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    /// Nothing stored yet: a first visit.
    Fresh(State),
    /// A stored state, read back whole.
    Restored(State),
    /// Stored values that cannot be used; `raw` holds them exactly, as a JSON
    /// object from key to stored text.
    Damaged { raw: String, error: StateError },
    /// `localStorage` itself is missing or refused (private mode, disabled).
    Unavailable(State),
    /// An encrypted copy, opened with this tab's key.
    Unlocked(State, Box<Vault>),
    /// An encrypted copy and no key for it in this tab: a password is needed.
    Locked(LockedVault),
}

/// The key in the session-storage of this tab while the wallet is unlocked.
pub const SESSION_KEY: &str = "qianbao.key";

/// What encrypts the stored state (see `qianbao_core::vault`): the data key,
/// each account's copy of it wrapped under its password, and the source of
/// the fresh nonces every write needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Vault {
    pub key: DataKey,
    pub slots: Vec<KeySlot>,
    pub rng: ChaCha20Rng,
}

/// An encrypted copy as a locked tab sees it: whose keys, and the wrong
/// passwords typed at the unlock screen (counted in the clear part of the
/// stored copy: the rest cannot be read without a password).
#[derive(Debug, Clone, PartialEq)]
pub struct LockedVault {
    pub slots: Vec<KeySlot>,
    pub guard: Lockout,
}

/// The main record when encrypted: a version, the revision (for tabs), the
/// key slots and the unlock guard in clear, the record itself sealed.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    vault: u8,
    revision: u64,
    slots: Vec<KeySlot>,
    #[serde(default)]
    unlock: Lockout,
    /// The data key sealing nothing: tells a stale key (the record does not
    /// open because the key is another) from a changed record.
    check: Sealed,
    main: Sealed,
}

const CHECK_LABEL: &str = "key check";

fn chunk_label(index: usize) -> String {
    format!("chunk {index}")
}

const MAIN_LABEL: &str = "main";

/// Whether `localStorage` can be used at all. gloo-storage assumes it can
/// (and panics otherwise), so every entry point checks this first.
pub fn available() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some()
}

pub fn chunk_key(index: usize) -> String {
    format!("{JOURNAL_PREFIX}{index}")
}

pub fn load_state() -> Loaded {
    load_state_with(None)
}

/// Reads storage, opening an encrypted copy with `key` when there is one.
pub fn load_state_with(key: Option<DataKey>) -> Loaded {
    if !available() {
        return Loaded::Unavailable(State::default());
    }
    let storage = LocalStorage::raw();
    let main = match storage.get_item(STATE_KEY) {
        Ok(None) => return Loaded::Fresh(State::default()),
        Ok(Some(main)) => main,
        Err(_) => return Loaded::Unavailable(State::default()),
    };
    let chunks: Vec<String> = (0..)
        .map_while(|i| storage.get_item(&chunk_key(i)).ok().flatten())
        .collect();
    let damaged = |error| Loaded::Damaged {
        raw: bundle(&main, &chunks),
        error,
    };
    let Ok(envelope) = serde_json::from_str::<Envelope>(&main) else {
        return match State::from_parts(&main, &chunks) {
            Ok(state) => Loaded::Restored(state),
            Err(error) => damaged(error),
        };
    };
    let locked = || {
        Loaded::Locked(LockedVault {
            slots: envelope.slots.clone(),
            guard: envelope.unlock,
        })
    };
    let Some(key) = key else { return locked() };
    // A key that does not open the check is this tab's stale key.
    if open(&key, CHECK_LABEL, &envelope.check).is_err() {
        return locked();
    }
    let Some(plain_main) = open_text(&key, MAIN_LABEL, &envelope.main) else {
        return damaged(StateError::Corrupt {
            detail: "the record does not open".to_owned(),
        });
    };
    let mut plain_chunks = Vec::with_capacity(chunks.len());
    for (index, chunk) in chunks.iter().enumerate() {
        match serde_json::from_str::<Sealed>(chunk)
            .ok()
            .and_then(|sealed| open_text(&key, &chunk_label(index), &sealed))
        {
            Some(text) => plain_chunks.push(text),
            None => {
                return damaged(StateError::Corrupt {
                    detail: format!("history part {index} does not open"),
                })
            }
        }
    }
    match State::from_parts(&plain_main, &plain_chunks) {
        Ok(state) => match crate::env::seeded_rng() {
            Some(rng) => Loaded::Unlocked(
                state,
                Box::new(Vault {
                    key,
                    slots: envelope.slots,
                    rng,
                }),
            ),
            None => locked(),
        },
        Err(error) => damaged(error),
    }
}

fn open_text(key: &DataKey, label: &str, sealed: &Sealed) -> Option<String> {
    open(key, label, sealed)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

fn stored_envelope() -> Option<Envelope> {
    let main = LocalStorage::raw().get_item(STATE_KEY).ok().flatten()?;
    serde_json::from_str(&main).ok()
}

/// Records the unlock screen's guard in the stored copy (its clear part).
pub fn save_unlock_guard(guard: Lockout) -> Result<(), StateError> {
    let Some(mut envelope) = stored_envelope() else {
        return Ok(());
    };
    envelope.unlock = guard;
    let text = serde_json::to_string(&envelope).map_err(|e| StateError::Unwritable {
        detail: e.to_string(),
    })?;
    write(STATE_KEY, &text)
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

/// The revision of the stored main record: `None` when there is none, 0
/// for an unreadable one (so that any tab's revision differs from it).
pub fn stored_revision() -> Option<u64> {
    if !available() {
        return None;
    }
    let main = LocalStorage::raw().get_item(STATE_KEY).ok().flatten()?;
    if let Ok(envelope) = serde_json::from_str::<Envelope>(&main) {
        return Some(envelope.revision);
    }
    Some(State::stored_revision(&main).unwrap_or(0))
}

/// Writes what changed since `saved_len` journal entries were stored: the
/// new chunks, then the main record, as the next revision. Refuses with
/// [`StateError::Conflict`], writing nothing, if another tab wrote since
/// `state` was read. Returns the journal length now stored.
pub fn save_state(state: &mut State, saved_len: usize) -> Result<usize, StateError> {
    save_state_with(state, saved_len, None)
}

/// [`save_state`], encrypted when there is a `vault`: each chunk and the main
/// record sealed with the data key under a fresh nonce (labels `chunk N`
/// and `main`), the key slots beside them in clear.
pub fn save_state_with(
    state: &mut State,
    saved_len: usize,
    mut vault: Option<&mut Vault>,
) -> Result<usize, StateError> {
    if stored_revision().unwrap_or(0) != state.revision() {
        return Err(StateError::Conflict);
    }
    let unwritable = |e: serde_json::Error| StateError::Unwritable {
        detail: e.to_string(),
    };
    let len = state.ledger().len();
    for index in dirty_chunks(saved_len, len) {
        let text = state.chunk_json(index)?;
        let stored = match vault.as_deref_mut() {
            Some(v) => serde_json::to_string(&seal(
                &v.key,
                &chunk_label(index),
                text.as_bytes(),
                &mut v.rng,
            ))
            .map_err(unwritable)?,
            None => text,
        };
        write(&chunk_key(index), &stored)?;
    }
    let revision = state.revision();
    state.set_revision(revision + 1);
    let written = state.main_json().and_then(|main| {
        let stored = match vault {
            Some(v) => {
                let envelope = Envelope {
                    vault: qianbao_core::vault::VAULT_VERSION,
                    revision: revision + 1,
                    slots: v.slots.clone(),
                    unlock: stored_envelope().map(|e| e.unlock).unwrap_or_default(),
                    check: seal(&v.key, CHECK_LABEL, &[], &mut v.rng),
                    main: seal(&v.key, MAIN_LABEL, main.as_bytes(), &mut v.rng),
                };
                serde_json::to_string(&envelope).map_err(unwritable)?
            }
            None => main,
        };
        write(STATE_KEY, &stored)
    });
    if written.is_err() {
        state.set_revision(revision);
    }
    written.map(|()| len)
}

/// Moves unreadable stored values aside under a key of their own, so that a
/// fresh start cannot overwrite them. Returns the key.
pub fn keep_damaged_copy(raw: &str, now: Timestamp) -> Result<String, StateError> {
    let key = format!("{DAMAGED_PREFIX}{}", now.as_millis());
    write(&key, raw)?;
    LocalStorage::delete(STATE_KEY);
    let chunks = (0..)
        .take_while(|i| {
            LocalStorage::raw()
                .get_item(&chunk_key(*i))
                .ok()
                .flatten()
                .is_some()
        })
        .count();
    for index in 0..chunks {
        LocalStorage::delete(chunk_key(index));
    }
    Ok(key)
}

/// Keys of the damaged copies kept so far.
pub fn damaged_copies() -> Vec<String> {
    if !available() {
        return Vec::new();
    }
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(DAMAGED_PREFIX))
        .collect()
}

/// Bytes (UTF-16 code units, as browsers count them) this app keeps in storage.
pub fn used_units() -> usize {
    if !available() {
        return 0;
    }
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with("qianbao."))
        .map(|key| {
            let value = storage.get_item(&key).ok().flatten().unwrap_or_default();
            key.encode_utf16().count() + value.encode_utf16().count()
        })
        .sum()
}

pub fn load_locale() -> Locale {
    if !available() {
        return Locale::default();
    }
    LocalStorage::get(LOCALE_KEY).unwrap_or_default()
}

pub fn save_locale(locale: Locale) {
    if available() {
        // A failure to remember the language is not worth an error screen.
        let _ = LocalStorage::set(LOCALE_KEY, locale);
    }
}

/// Guided mode as the user left it; `None` when it is off (or what is
/// stored cannot be read: a lost preference only turns the coach off).
pub fn load_guide() -> Option<Guide> {
    if !available() {
        return None;
    }
    LocalStorage::get(GUIDE_KEY).ok()
}

/// Remembers guided mode; `None` forgets it (the coach is off).
pub fn save_guide(guide: Option<&Guide>) {
    if !available() {
        return;
    }
    match guide {
        // Like the language, not worth an error screen if it fails.
        Some(guide) => {
            let _ = LocalStorage::set(GUIDE_KEY, guide);
        }
        None => LocalStorage::delete(GUIDE_KEY),
    }
}

/// Everything this app keeps (state, history chunks, language), as one JSON
/// object from key to stored text: the developer console's export.
pub fn export_bundle() -> String {
    if !available() {
        return "{}".to_owned();
    }
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    let mut object = serde_json::Map::new();
    for key in (0..count).filter_map(|i| storage.key(i).ok().flatten()) {
        if key == STATE_KEY || key.starts_with(JOURNAL_PREFIX) || key == LOCALE_KEY {
            let value = storage.get_item(&key).ok().flatten().unwrap_or_default();
            object.insert(key, serde_json::Value::from(value));
        }
    }
    serde_json::Value::Object(object).to_string()
}

/// Replaces the stored state with an exported bundle — only if the bundle
/// reads back as a whole, valid state; otherwise nothing is touched.
/// An encrypted bundle (exported from this sandbox) is checked with this
/// tab's `key`; one that does not open is refused like a damaged one.
pub fn import_bundle(text: &str, key: Option<&DataKey>) -> Result<(), StateError> {
    let bad = |detail: &str| StateError::Corrupt {
        detail: detail.to_owned(),
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let object = value.as_object().ok_or_else(|| bad("not a JSON object"))?;
    let text_of = |key: &str| {
        object
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let main = text_of(STATE_KEY).ok_or_else(|| bad("no qianbao.state"))?;
    let chunks: Vec<String> = (0..).map_while(|i| text_of(&chunk_key(i))).collect();
    // Validate exactly as a load would.
    match serde_json::from_str::<Envelope>(&main) {
        Ok(envelope) => {
            let Some(key) = key else {
                // Without the key only the form can be checked; the password
                // asked for at the next start opens (and checks) the rest.
                if chunks
                    .iter()
                    .any(|c| serde_json::from_str::<Sealed>(c).is_err())
                {
                    return Err(bad("a history part is not sealed"));
                }
                return write_bundle(&main, &chunks, text_of(LOCALE_KEY));
            };
            let plain_main = open_text(key, MAIN_LABEL, &envelope.main)
                .ok_or_else(|| bad("the copy does not open with this wallet's key"))?;
            let plain_chunks = chunks
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    serde_json::from_str::<Sealed>(c)
                        .ok()
                        .and_then(|sealed| open_text(key, &chunk_label(i), &sealed))
                        .ok_or_else(|| bad("a history part does not open"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            State::from_parts(&plain_main, &plain_chunks)?;
        }
        Err(_) => {
            State::from_parts(&main, &chunks)?;
        }
    }
    write_bundle(&main, &chunks, text_of(LOCALE_KEY))
}

fn write_bundle(main: &str, chunks: &[String], locale: Option<String>) -> Result<(), StateError> {
    reset_all();
    for (index, chunk) in chunks.iter().enumerate() {
        write(&chunk_key(index), chunk)?;
    }
    write(STATE_KEY, main)?;
    if let Some(locale) = locale {
        let _ = write(LOCALE_KEY, &locale);
    }
    Ok(())
}

/// Removes the state and its history (the console's reset). Damaged copies
/// kept aside stay.
pub fn reset_all() {
    if !available() {
        return;
    }
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key == STATE_KEY || key.starts_with(JOURNAL_PREFIX))
        .collect();
    for key in keys {
        LocalStorage::delete(key);
    }
}

/// The stored values as one JSON object, for export.
/// Every stored value of the state as one bundle, exactly as stored (an
/// encrypted copy stays encrypted).
pub fn stored_bundle() -> String {
    if !available() {
        return "{}".to_owned();
    }
    let storage = LocalStorage::raw();
    let main = storage
        .get_item(STATE_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    let chunks: Vec<String> = (0..)
        .map_while(|i| storage.get_item(&chunk_key(i)).ok().flatten())
        .collect();
    bundle(&main, &chunks)
}

fn bundle(main: &str, chunks: &[String]) -> String {
    let mut object = serde_json::Map::new();
    object.insert(STATE_KEY.to_owned(), serde_json::Value::from(main));
    for (index, chunk) in chunks.iter().enumerate() {
        object.insert(chunk_key(index), serde_json::Value::from(chunk.as_str()));
    }
    serde_json::Value::Object(object).to_string()
}

fn write(key: &str, value: &str) -> Result<(), StateError> {
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
