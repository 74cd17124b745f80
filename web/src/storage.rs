//! The only code that touches `localStorage`.
//!
//! Keys:
//! - [`STATE_KEY`]: the sandbox [`State`] as `core` serialises it;
//! - [`LOCALE_KEY`]: the chosen language;
//! - [`DAMAGED_PREFIX`]`<millis>`: a copy that could not be read, kept aside
//!   by [`keep_damaged_copy`] when the user chooses to start over.
//!
//! A stored state that cannot be read is never overwritten and never
//! discarded silently: [`load_state`] reports it with the raw text, and
//! nothing is written until the user has chosen what to do.

use crate::i18n::Locale;
use gloo_storage::{LocalStorage, Storage};
use qianbao_core::state::StateError;
use qianbao_core::{State, Timestamp};

pub const STATE_KEY: &str = "qianbao.state";
pub const LOCALE_KEY: &str = "qianbao.locale";
pub const DAMAGED_PREFIX: &str = "qianbao.damaged.";

/// What was found in storage at start-up.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    /// Nothing stored yet: a first visit.
    Fresh(State),
    /// A stored state, read back whole.
    Restored(State),
    /// A stored value that cannot be used; `raw` is exactly what is stored.
    Damaged { raw: String, error: StateError },
    /// `localStorage` itself is missing or refused (private mode, disabled).
    Unavailable(State),
}

/// Whether `localStorage` can be used at all. gloo-storage assumes it can
/// (and panics otherwise), so every entry point checks this first.
pub fn available() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some()
}

pub fn load_state() -> Loaded {
    if !available() {
        return Loaded::Unavailable(State::default());
    }
    match LocalStorage::raw().get_item(STATE_KEY) {
        Ok(None) => Loaded::Fresh(State::default()),
        Ok(Some(raw)) => match State::from_json(&raw) {
            Ok(state) => Loaded::Restored(state),
            Err(error) => Loaded::Damaged { raw, error },
        },
        Err(_) => Loaded::Unavailable(State::default()),
    }
}

pub fn save_state(state: &State) -> Result<(), StateError> {
    let json = state.to_json()?;
    write(STATE_KEY, &json)
}

/// Moves an unreadable stored state aside under a key of its own, so that a
/// fresh start cannot overwrite it. Returns the key.
pub fn keep_damaged_copy(raw: &str, now: Timestamp) -> Result<String, StateError> {
    let key = format!("{DAMAGED_PREFIX}{}", now.as_millis());
    write(&key, raw)?;
    LocalStorage::delete(STATE_KEY);
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

fn write(key: &str, value: &str) -> Result<(), StateError> {
    if !available() {
        return Err(StateError::Unwritable {
            detail: "localStorage is unavailable".to_owned(),
        });
    }
    LocalStorage::raw()
        .set_item(key, value)
        .map_err(|e| StateError::Unwritable {
            detail: e
                .as_string()
                .unwrap_or_else(|| "quota exceeded or storage refused".to_owned()),
        })
}
