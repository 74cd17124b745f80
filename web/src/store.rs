//! The one reactive store: the sandbox [`State`] in a signal, the user's
//! language, and the way pages run `core` commands.
//!
//! Pages never mutate state themselves. They call [`Store::run`] with a
//! closure over `core`; the store hands it the clock, randomness and the
//! password hasher, and one [`Effect`] writes the result to storage. While a
//! damaged stored copy awaits the user's decision, nothing is written.

use crate::env;
use crate::i18n::{Locale, Text};
use crate::storage::{self, Loaded};
use leptos::prelude::*;
use qianbao_core::security::Hasher;
use qianbao_core::state::StateError;
use qianbao_core::{State, Timestamp};
use rand_chacha::ChaCha20Rng;

/// What `core` commands get from the browser.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub now: Timestamp,
    pub rng: &'a mut ChaCha20Rng,
    pub hasher: &'a Hasher,
}

/// A damaged stored copy, held until the user decides.
#[derive(Debug, Clone, PartialEq)]
pub struct Damaged {
    pub raw: String,
    pub error: StateError,
}

/// A notice carried to the next screen ("registered, please log in").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Registered,
}

#[derive(Debug, Clone, Copy)]
pub struct Store {
    pub state: RwSignal<State>,
    pub locale: RwSignal<Locale>,
    /// A ticking "now", once a second: countdowns and lock checks read it.
    pub clock: RwSignal<Timestamp>,
    pub damaged: RwSignal<Option<Damaged>>,
    pub storage_unavailable: RwSignal<bool>,
    pub save_error: RwSignal<Option<StateError>>,
    pub notice: RwSignal<Option<Notice>>,
    rng: StoredValue<Option<ChaCha20Rng>>,
}

impl Store {
    /// Reads storage and builds the store. Call once, at start-up.
    pub fn load() -> Self {
        let (state, damaged, unavailable) = match storage::load_state() {
            Loaded::Fresh(state) | Loaded::Restored(state) => (state, None, false),
            Loaded::Damaged { raw, error } => {
                (State::default(), Some(Damaged { raw, error }), false)
            }
            Loaded::Unavailable(state) => (state, None, true),
        };
        Self {
            state: RwSignal::new(state),
            locale: RwSignal::new(storage::load_locale()),
            clock: RwSignal::new(env::now()),
            damaged: RwSignal::new(damaged),
            storage_unavailable: RwSignal::new(unavailable),
            save_error: RwSignal::new(None),
            notice: RwSignal::new(None),
            rng: StoredValue::new(env::seeded_rng()),
        }
    }

    /// Provides the store to the component tree and starts its effects:
    /// persistence, `<html lang>`, and the clock that drives the idle lock.
    pub fn provide(self) {
        provide_context(self);
        Effect::new(move |previous: Option<()>| {
            let damaged = self.damaged.with(Option::is_some);
            self.state.with(|state| {
                // The first run only subscribes: what was just loaded is already stored.
                if previous.is_some() && !damaged && !self.storage_unavailable.get_untracked() {
                    self.save_error.set(storage::save_state(state).err());
                }
            });
        });
        Effect::new(move |_| {
            let locale = self.locale.get();
            env::set_document_lang(locale.tag());
            storage::save_locale(locale);
        });
        let tick = move || {
            let now = env::now();
            self.clock.set(now);
            if self.state.with_untracked(|s| s.is_idle(now)) {
                self.state.update(|s| {
                    s.lock_if_idle(now);
                });
            }
        };
        // The handle is dropped on purpose: the clock runs for the page's life.
        let _ = set_interval_with_handle(tick, std::time::Duration::from_secs(1));
    }

    pub fn text(&self) -> &'static Text {
        self.locale.get().text()
    }

    /// Runs a `core` command on the state. Returns `None` when the browser
    /// has no secure randomness, which only commands that need it notice.
    pub fn run<T>(&self, command: impl FnOnce(&mut State, Ctx<'_>) -> T) -> Option<T> {
        let hasher = Hasher::standard();
        let now = env::now();
        let mut result = None;
        self.rng.update_value(|rng| {
            if let Some(rng) = rng.as_mut() {
                self.state.update(|state| {
                    result = Some(command(
                        state,
                        Ctx {
                            now,
                            rng,
                            hasher: &hasher,
                        },
                    ));
                });
            }
        });
        result
    }

    /// Records user activity, touching storage only when `core` says it matters.
    pub fn touch(&self) {
        let now = env::now();
        if self.state.with_untracked(|s| s.needs_touch(now)) {
            self.state.update(|s| s.touch(now));
        }
    }
}

pub fn use_store() -> Store {
    expect_context::<Store>()
}
