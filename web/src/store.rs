//! The one reactive store: the sandbox [`State`] in a signal, the user's
//! language, and the way pages run `core` commands.
//!
//! Pages never mutate state themselves. They call [`Store::run`] with a
//! closure over a `core` command; the store hands it the clock, randomness
//! and the password hasher, then saves. A command's result stands only if it
//! was saved: when storage refuses (full, unavailable mid-session), the state
//! is put back as it was and the page shows why — nothing half-done, nothing
//! shown that a reload would take away. While a damaged stored copy awaits
//! the user's decision, nothing is written at all.
//!
//! Several tabs: before a command runs, the store re-reads storage if
//! another tab has written since; if another tab writes while the command
//! runs, the save is refused (a revision check), the state is reloaded and
//! the command applied again — idempotency keys make that safe — up to
//! [`MAX_ATTEMPTS`] times. The `storage` event brings other tabs' writes in
//! as they happen, so a logout or a lock in one tab shows in all of them.

use crate::env;
use crate::i18n::{Locale, Text};
use crate::storage::{self, Loaded};
use leptos::prelude::*;
use qianbao_core::account::AccountError;
use qianbao_core::binding::BindError;
use qianbao_core::demo::DemoError;
use qianbao_core::lockout::Lockout;
use qianbao_core::movement::MoveError;
use qianbao_core::payment::PayError;
use qianbao_core::security::Hasher;
use qianbao_core::state::StateError;
use qianbao_core::vault::{KdfParams, KeySlot};
use qianbao_core::wechat::WeChatError;
use qianbao_core::{State, Timestamp};
use rand_chacha::rand_core::RngCore;
use rand_chacha::ChaCha20Rng;

/// How often a command is applied again after other tabs' writes got in its way.
pub const MAX_ATTEMPTS: usize = 3;

/// What `core` commands get from the browser.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The simulated time (the console can move it forward).
    pub now: Timestamp,
    /// The real time of day, for what must agree with the world outside
    /// the sandbox: an authenticator app's codes.
    pub wall: Timestamp,
    pub rng: &'a mut ChaCha20Rng,
    pub hasher: &'a Hasher,
}

/// Anything a command can fail with, as pages show it.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Account(AccountError),
    Move(MoveError),
    Storage(StateError),
    Bind(BindError),
    WeChat(WeChatError),
    Pay(PayError),
    /// The browser has no Web Crypto, so no secure randomness.
    NoRandomness,
}

impl From<AccountError> for Problem {
    fn from(e: AccountError) -> Self {
        Problem::Account(e)
    }
}

impl From<MoveError> for Problem {
    fn from(e: MoveError) -> Self {
        Problem::Move(e)
    }
}

impl From<BindError> for Problem {
    fn from(e: BindError) -> Self {
        Problem::Bind(e)
    }
}

impl From<PayError> for Problem {
    fn from(e: PayError) -> Self {
        Problem::Pay(e)
    }
}

impl From<WeChatError> for Problem {
    fn from(e: WeChatError) -> Self {
        Problem::WeChat(e)
    }
}

impl From<DemoError> for Problem {
    fn from(e: DemoError) -> Self {
        match e {
            DemoError::Account(e) => Problem::Account(e),
            DemoError::WeChat(e) => Problem::WeChat(e),
        }
    }
}

impl From<StateError> for Problem {
    fn from(e: StateError) -> Self {
        Problem::Storage(e)
    }
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
    /// Signed in with a recovery code; this many are left.
    RecoveryCodeUsed(usize),
}

#[derive(Debug, Clone, Copy)]
pub struct Store {
    pub state: RwSignal<State>,
    pub locale: RwSignal<Locale>,
    /// A ticking "now", once a second: countdowns and lock checks read it.
    pub clock: RwSignal<Timestamp>,
    pub damaged: RwSignal<Option<Damaged>>,
    pub storage_unavailable: RwSignal<bool>,
    /// The last save that failed outside a command (log out, read messages).
    pub save_error: RwSignal<Option<StateError>>,
    pub notice: RwSignal<Option<Notice>>,
    rng: StoredValue<Option<ChaCha20Rng>>,
    /// How many journal entries storage holds.
    saved_len: StoredValue<usize>,
    /// The data key while the stored copy is encrypted and this tab unlocked.
    vault: StoredValue<Option<storage::Vault>>,
    /// An encrypted copy this tab cannot read yet: the unlock screen shows.
    pub locked: RwSignal<Option<storage::LockedVault>>,
}

impl Store {
    /// Reads storage and builds the store. Call once, at start-up.
    pub fn load() -> Self {
        let mut vault = None;
        let mut locked = None;
        let (state, damaged, unavailable) =
            match storage::load_state_with(storage::load_session_key()) {
                Loaded::Fresh(state) | Loaded::Restored(state) => (state, None, false),
                Loaded::Unlocked(state, opened) => {
                    vault = Some(*opened);
                    (state, None, false)
                }
                Loaded::Locked(info) => {
                    storage::forget_session_key();
                    locked = Some(info);
                    (State::default(), None, false)
                }
                Loaded::Damaged { raw, error } => {
                    (State::default(), Some(Damaged { raw, error }), false)
                }
                Loaded::Unavailable(state) => (state, None, true),
            };
        let saved_len = state.ledger().len();
        Self {
            state: RwSignal::new(state),
            locale: RwSignal::new(storage::load_locale()),
            clock: RwSignal::new(env::now()),
            damaged: RwSignal::new(damaged),
            storage_unavailable: RwSignal::new(unavailable),
            save_error: RwSignal::new(None),
            notice: RwSignal::new(None),
            rng: StoredValue::new(env::seeded_rng()),
            saved_len: StoredValue::new(saved_len),
            vault: StoredValue::new(vault),
            locked: RwSignal::new(locked),
        }
    }

    /// Provides the store to the component tree and starts its effects:
    /// `<html lang>` and the clock that drives the idle lock.
    pub fn provide(self) {
        provide_context(self);
        Effect::new(move |_| {
            let locale = self.locale.get();
            env::set_document_lang(locale.tag());
            storage::save_locale(locale);
        });
        let tick = move || {
            let now = self.now();
            self.clock.set(now);
            if self.state.with_untracked(|s| s.is_idle(now)) {
                self.update(|s| {
                    s.lock_if_idle(now);
                });
            }
        };
        // The handle is dropped on purpose: the clock runs for the page's life.
        let _ = set_interval_with_handle(tick, std::time::Duration::from_secs(1));
        // Another tab wrote (or cleared storage): read what it wrote. The
        // listener lives as long as the page.
        let _ = window_event_listener(leptos::ev::storage, move |event| {
            if event.key().is_none_or(|key| key == storage::STATE_KEY) {
                self.refresh();
            }
        });
    }

    /// Re-reads storage if another tab has written since this one last
    /// read or wrote it.
    pub fn refresh(&self) {
        if self.writes_paused() {
            return;
        }
        let ours = self.state.with_untracked(State::revision);
        if storage::stored_revision().unwrap_or(0) != ours {
            self.reload();
        }
    }

    /// Replaces the state with the stored one (opened with this tab's key).
    fn reload(&self) {
        let key = self.vault.with_value(|v| v.as_ref().map(|v| v.key.clone()));
        match storage::load_state_with(key) {
            Loaded::Fresh(state) | Loaded::Restored(state) => {
                self.saved_len.set_value(state.ledger().len());
                self.state.set(state);
            }
            Loaded::Unlocked(state, vault) => {
                self.saved_len.set_value(state.ledger().len());
                self.vault.set_value(Some(*vault));
                self.state.set(state);
                self.lock_vault_if_locked();
            }
            Loaded::Locked(info) => {
                self.vault.set_value(None);
                storage::forget_session_key();
                self.state.set(State::default());
                self.locked.set(Some(info));
            }
            Loaded::Damaged { raw, error } => self.damaged.set(Some(Damaged { raw, error })),
            Loaded::Unavailable(_) => self.storage_unavailable.set(true),
        }
    }

    fn writes_paused(&self) -> bool {
        self.storage_unavailable.get_untracked()
            || self.damaged.with_untracked(Option::is_some)
            || self.locked.with_untracked(Option::is_some)
    }

    // ── encryption at rest ────────────────────────────────────────────────

    /// This tab's data key, while unlocked.
    pub fn vault_key(&self) -> Option<qianbao_core::vault::DataKey> {
        self.vault.with_value(|v| v.as_ref().map(|v| v.key.clone()))
    }

    /// Gives `account` a key slot under `password` (a registration, a demo,
    /// a first login since encryption began). The first one creates the data
    /// key and rewrites everything stored, sealed.
    pub fn add_key(&self, account: qianbao_core::account::AccountId, password: &str) {
        let has_slot = self.vault.with_value(|v| {
            v.as_ref()
                .is_some_and(|v| v.slots.iter().any(|s| s.account == account))
        });
        if has_slot || self.writes_paused() {
            return;
        }
        let (Some(mut rng), Some(nonces)) = (env::seeded_rng(), env::seeded_rng()) else {
            return;
        };
        // The data's nonces come from a generator of their own, seeded apart.
        let mut vault = self
            .vault
            .with_value(Clone::clone)
            .unwrap_or_else(|| storage::Vault {
                key: qianbao_core::vault::DataKey::generate(&mut rng),
                slots: Vec::new(),
                rng: nonces,
            });
        let first = vault.slots.is_empty();
        match KeySlot::new(&vault.key, account, password, KdfParams::STANDARD, &mut rng) {
            Ok(slot) => vault.slots.push(slot),
            Err(_) => return,
        }
        storage::save_session_key(&vault.key);
        self.vault.set_value(Some(vault));
        if first {
            // Everything stored so far was in clear: write it all, sealed.
            self.saved_len.set_value(0);
        }
        self.state.update(|state| {
            self.save_error.set(self.save(state).err());
        });
    }

    /// 「修改密码」: the data key wrapped anew under the new password.
    pub fn rewrap_key(&self, account: qianbao_core::account::AccountId, old: &str, new: &str) {
        let Some(mut rng) = env::seeded_rng() else {
            return;
        };
        let changed = self.vault.try_update_value(|v| {
            let Some(v) = v.as_mut() else { return false };
            let Some(i) = v.slots.iter().position(|s| s.account == account) else {
                return false;
            };
            match v.slots[i].rewrap(old, new, &mut rng) {
                Ok(slot) => {
                    v.slots[i] = slot;
                    true
                }
                Err(_) => false,
            }
        });
        if changed == Some(true) {
            self.state.update(|state| {
                self.save_error.set(self.save(state).err());
            });
        } else {
            self.add_key(account, new);
        }
    }

    /// When the session has locked: forgets the key and every decrypted
    /// value, leaving the unlock screen.
    fn lock_vault_if_locked(&self) {
        let session_locked = self
            .state
            .with_untracked(|s| s.session().is_some_and(|session| session.is_locked()));
        if !session_locked || self.vault.with_value(Option::is_none) {
            return;
        }
        let slots = self
            .vault
            .with_value(|v| v.as_ref().map(|v| v.slots.clone()))
            .unwrap_or_default();
        self.vault.set_value(None);
        storage::forget_session_key();
        self.state.set(State::default());
        self.locked.set(Some(storage::LockedVault {
            slots,
            guard: Lockout::default(),
        }));
    }

    /// 「解锁」 an encrypted copy with any of its accounts' passwords: opens
    /// the data key, reads the state, and signs that account in (or unlocks
    /// its session). Wrong passwords count towards a 15-minute wait, kept
    /// in the stored copy's clear part.
    pub fn unlock_vault(&self, password: &str) -> Result<(), Problem> {
        let Some(info) = self.locked.get_untracked() else {
            return Ok(());
        };
        let now = env::now();
        let mut guard = info.guard;
        if let Some(until) = guard.locked_until(now) {
            return Err(AccountError::Locked { until }.into());
        }
        let opened = info
            .slots
            .iter()
            .find_map(|slot| slot.open(password).ok().map(|key| (slot.account, key)));
        let Some((account, key)) = opened else {
            let error = AccountError::from(guard.fail(now));
            let _ = storage::save_unlock_guard(guard);
            self.locked
                .set(Some(storage::LockedVault { guard, ..info }));
            return Err(error.into());
        };
        let _ = storage::save_unlock_guard(Lockout::default());
        match storage::load_state_with(Some(key.clone())) {
            Loaded::Unlocked(state, vault) => {
                storage::save_session_key(&key);
                self.saved_len.set_value(state.ledger().len());
                self.vault.set_value(Some(*vault));
                self.state.set(state);
                self.locked.set(None);
            }
            Loaded::Damaged { raw, error } => {
                self.locked.set(None);
                self.damaged.set(Some(Damaged { raw, error }));
                return Ok(());
            }
            _ => return Err(AccountError::WrongPassword { remaining: 1 }.into()),
        }
        // The same password signs its account in, or unlocks its session.
        let login = self
            .state
            .with_untracked(|s| s.account(account).map(|a| a.login().as_str().to_owned()));
        let session = self
            .state
            .with_untracked(|s| s.session().map(|s| (s.account(), s.is_locked())));
        match (session, login) {
            (Some((id, true)), _) if id == account => {
                self.run(|s, ctx| s.unlock(password, ctx.now))
            }
            (Some((id, false)), _) if id == account => Ok(()),
            (_, Some(login)) => self
                .run(|s, ctx| s.log_in(&login, password, ctx.now))
                .map(|_| ()),
            _ => Ok(()),
        }
    }

    /// The simulated "now": the browser's clock plus the console's offset.
    pub fn now(&self) -> Timestamp {
        self.state.with_untracked(|s| s.sim().now(env::now()))
    }

    pub fn text(&self) -> &'static Text {
        self.locale.get().text()
    }

    /// Runs a `core` command and saves its result. On success the result
    /// stands; if saving fails, the state is restored and the storage error
    /// returned. A command that fails may still have counted the failure
    /// (a wrong password): that is saved too. If another tab wrote in the
    /// meantime, the command runs again on what it wrote.
    pub fn run<T, E: Into<Problem>>(
        &self,
        mut command: impl FnMut(&mut State, Ctx<'_>) -> Result<T, E>,
    ) -> Result<T, Problem> {
        let hasher = Hasher::standard();
        let mut outcome = Err(Problem::NoRandomness);
        self.refresh();
        self.rng.update_value(|rng| {
            let Some(rng) = rng.as_mut() else {
                return;
            };
            for _ in 0..MAX_ATTEMPTS {
                let now = self.now();
                let mut conflict = false;
                self.state.update(|state| {
                    let checkpoint = state.checkpoint();
                    let ctx = Ctx {
                        now,
                        wall: env::now(),
                        rng: &mut *rng,
                        hasher: &hasher,
                    };
                    let result = command(state, ctx);
                    // A refusal that counted nothing leaves storage alone.
                    let saved = if state.changed_since(&checkpoint) {
                        self.save(state)
                    } else {
                        Ok(())
                    };
                    outcome = match (result, saved) {
                        (Ok(value), Ok(())) => Ok(value),
                        (_, Err(StateError::Conflict)) => {
                            state.restore(checkpoint);
                            conflict = true;
                            Err(Problem::Storage(StateError::Conflict))
                        }
                        (Ok(_), Err(error)) => {
                            state.restore(checkpoint);
                            Err(Problem::Storage(error))
                        }
                        (Err(error), saved) => {
                            self.save_error.set(saved.err());
                            Err(error.into())
                        }
                    };
                });
                if !conflict {
                    break;
                }
                self.reload();
            }
        });
        self.lock_vault_if_locked();
        outcome
    }

    /// Applies a change that cannot fail (log out, mark messages read) and
    /// saves it; a failed save shows the storage banner. Like [`Store::run`],
    /// it applies the change again to another tab's newer write.
    pub fn update(&self, mut change: impl FnMut(&mut State)) {
        self.refresh();
        for _ in 0..MAX_ATTEMPTS {
            let mut conflict = false;
            self.state.update(|state| {
                let checkpoint = state.checkpoint();
                change(state);
                if !state.changed_since(&checkpoint) {
                    return;
                }
                match self.save(state) {
                    Err(StateError::Conflict) => {
                        state.restore(checkpoint);
                        conflict = true;
                    }
                    saved => self.save_error.set(saved.err()),
                }
            });
            if !conflict {
                self.lock_vault_if_locked();
                return;
            }
            self.reload();
        }
        self.save_error.set(Some(StateError::Conflict));
    }

    /// Records user activity, touching storage only when `core` says it matters.
    pub fn touch(&self) {
        let now = self.now();
        if self.state.with_untracked(|s| s.needs_touch(now)) {
            self.update(|s| s.touch(now));
        }
    }

    /// A fresh idempotency key for one submission (128 random bits, hex).
    pub fn new_key(&self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.update_value(|rng| {
            if let Some(rng) = rng.as_mut() {
                rng.fill_bytes(&mut bytes);
            }
        });
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn save(&self, state: &mut State) -> Result<(), StateError> {
        if self.writes_paused() {
            return Ok(());
        }
        let saved_len = self.saved_len.get_value();
        let saved = self
            .vault
            .try_update_value(|v| storage::save_state_with(state, saved_len, v.as_mut()))
            .unwrap_or(Ok(saved_len))?;
        self.saved_len.set_value(saved);
        Ok(())
    }
}

pub fn use_store() -> Store {
    expect_context::<Store>()
}
