//! The one reactive store: the sandbox [`State`] in a signal, the user's
//! language, and the way pages run `core` commands.
//!
//! Pages never mutate state themselves. They call [`Store::run`] (or
//! [`Store::dispatch`]) with a closure over a `core` command; the store
//! hands it the clock, randomness and the password hasher, then saves. A
//! command's result stands only if it was saved: when storage refuses
//! (full, unavailable mid-session), the state is put back as it was and the
//! page shows why — nothing half-done, nothing shown that a reload would
//! take away. While a damaged stored copy awaits the user's decision,
//! nothing is written at all.
//!
//! Several tabs: every command runs under the storage lock (`lock.rs`), on
//! what the last writer of any tab committed, so two simultaneous commands
//! are applied one after the other — each with its own transaction number.
//! As a second line of defence a save happens only over the save this tab
//! last read or wrote; if another write got in, the state is reloaded and
//! the command applied again — idempotency keys make that safe — up to
//! [`MAX_ATTEMPTS`] times. The `storage` event brings other tabs' writes in
//! as they happen, so a logout or a lock in one tab shows in all of them.

use crate::codec;
use crate::env;
use crate::i18n::{self, Locale, Text};
use crate::lock;
use crate::storage;
use leptos::prelude::*;
use qianbao_core::account::AccountError;
use qianbao_core::account::AccountId;
use qianbao_core::binding::BindError;
use qianbao_core::command::{
    ChangePassword, Ctx, LockIfIdle, LockNow, Never, Request, ResumeAfterUnlock,
};
use qianbao_core::commit::{self, Committed};
use qianbao_core::demo::DemoError;
use qianbao_core::envelope::{
    self, ImportError, Keys, Locked, Read, Saved, StoredSave, UnlockError, Write,
};
use qianbao_core::error::SiteError;
use qianbao_core::finance::FinanceError;
use qianbao_core::movement::MoveError;
use qianbao_core::payment::PayError;
use qianbao_core::security::Hasher;
use qianbao_core::session::TOUCH_GRANULARITY;
use qianbao_core::state::{Changes, StateError};
use qianbao_core::vault::{DataKey, KdfParams, VaultError};
use qianbao_core::wechat::WeChatError;
use qianbao_core::{State, Timestamp};
use rand_chacha::rand_core::RngCore;
use rand_chacha::ChaCha20Rng;

/// How often a command is applied again after other tabs' writes got in its way.
pub const MAX_ATTEMPTS: usize = 3;

/// Anything a command can fail with, as pages show it.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Account(AccountError),
    Move(MoveError),
    Finance(FinanceError),
    Storage(StateError),
    Bind(BindError),
    WeChat(WeChatError),
    Pay(PayError),
    /// A file offered for import was refused.
    Import(ImportError),
    /// A part of the site could not be downloaded.
    Site(SiteError),
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

impl From<FinanceError> for Problem {
    fn from(e: FinanceError) -> Self {
        Problem::Finance(e)
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

impl From<Never> for Problem {
    fn from(never: Never) -> Self {
        match never {}
    }
}

impl From<StateError> for Problem {
    fn from(e: StateError) -> Self {
        Problem::Storage(e)
    }
}

/// A damaged stored copy, held until the user decides (its values stay in
/// storage, untouched, until then).
#[derive(Debug, Clone, PartialEq)]
pub struct Damaged {
    pub error: StateError,
}

/// A notice carried to the next screen ("registered, please log in").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Registered,
    /// Signed in with a recovery code; this many are left.
    RecoveryCodeUsed(usize),
}

/// What this tab knows of storage: which save it holds, and the keys that
/// open it while unlocked.
#[derive(Debug, Clone, Default)]
struct Disk {
    saved: Saved,
    keys: Option<Keys>,
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
    /// The browser's network state: offline, every simulated request
    /// between worlds fails as a network failure does.
    pub online: RwSignal<bool>,
    /// A new version of the site has installed and waits (「新版本可用」).
    pub update_ready: RwSignal<bool>,
    /// Commands' randomness (codes, keys, tokens).
    rng: StoredValue<Option<ChaCha20Rng>>,
    /// Sealing nonces: a generator of their own, seeded apart.
    nonces: StoredValue<Option<ChaCha20Rng>>,
    disk: StoredValue<Disk>,
    /// Storage operations waiting for the lock or running (see `env::set_saving`).
    busy: StoredValue<usize>,
    /// An encrypted copy this tab cannot read yet: the unlock screen shows.
    pub locked: RwSignal<Option<Locked>>,
    /// A wallet is stored and the code that reads it could not be fetched.
    pub unfetched: RwSignal<bool>,
    /// Sandbox mode: the page has not read the server's state yet.
    pub connecting: RwSignal<bool>,
    /// Sandbox mode: the server could not be reached at the start.
    pub connect_error: RwSignal<Option<Problem>>,
}

/// What a read of storage means for this tab.
enum Found {
    State(Box<State>, Disk),
    Locked(Locked),
    Damaged(StateError),
    Unavailable,
    /// Something is stored, and the code that reads it could not be fetched.
    Unfetched,
}

fn find(key: Option<&DataKey>) -> Found {
    let Some(stored) = storage::read() else {
        return Found::Unavailable;
    };
    if stored.is_empty() {
        // A first visit: nothing to read, no need of the codec.
        return Found::State(Box::default(), Disk::default());
    }
    let Some(codec) = codec::get() else {
        return Found::Unfetched;
    };
    match (codec.read)(&stored, key) {
        Read::Fresh => Found::State(Box::default(), Disk::default()),
        Read::Opened { state, saved, keys } => Found::State(state, Disk { saved, keys }),
        Read::Locked(locked) => Found::Locked(locked),
        Read::Damaged(error) => Found::Damaged(error),
    }
}

/// Which save storage holds, from its head (read with the codec; a head
/// that cannot be read yet counts as no save any tab holds).
fn stored_save(head: Option<&str>) -> StoredSave {
    match (codec::get(), head) {
        (_, None) => StoredSave::Nothing,
        (Some(codec), head) => codec.stored_save(head),
        (None, Some(_)) => StoredSave::Unreadable,
    }
}

/// The codec was awaited before this point; if it is missing anyway, no
/// write happens.
fn codec_missing() -> StateError {
    StateError::Unwritable {
        detail: "the stored form's code is not here".to_owned(),
    }
}

impl Store {
    /// Reads storage and builds the store. Call once, at start-up.
    pub fn load() -> Self {
        // In sandbox mode the state is the server's: read once the page is
        // up (`sandbox::connect`), nothing from this browser's storage.
        let found = if storage::on_server() {
            Found::State(Box::default(), Disk::default())
        } else {
            find(storage::load_session_key().as_ref())
        };
        let store = Self {
            state: RwSignal::new(State::default()),
            locale: RwSignal::new(storage::load_locale()),
            clock: RwSignal::new(env::now()),
            damaged: RwSignal::new(None),
            storage_unavailable: RwSignal::new(false),
            save_error: RwSignal::new(None),
            notice: RwSignal::new(None),
            online: RwSignal::new(crate::offline::online()),
            update_ready: RwSignal::new(false),
            rng: StoredValue::new(env::seeded_rng()),
            nonces: StoredValue::new(env::seeded_rng()),
            disk: StoredValue::new(Disk::default()),
            busy: StoredValue::new(0),
            locked: RwSignal::new(None),
            unfetched: RwSignal::new(false),
            connecting: RwSignal::new(false),
            connect_error: RwSignal::new(None),
        };
        store.take(found);
        store
    }

    /// Makes what was found in storage this tab's. A stored session that
    /// is locked locks this tab's data too.
    fn take(&self, found: Found) {
        self.take_opened(found);
        self.lock_vault_if_locked();
    }

    /// [`Store::take`], leaving a locked session's data open: the unlock
    /// screen has just been given the password that unlocks it.
    fn take_opened(&self, found: Found) {
        match found {
            Found::State(state, disk) => {
                if let Some(keys) = &disk.keys {
                    storage::save_session_key(&keys.key);
                }
                self.disk.set_value(disk);
                self.state.set(*state);
                self.locked.set(None);
            }
            Found::Locked(locked) => {
                self.disk.set_value(Disk::default());
                storage::forget_session_key();
                self.state.set(State::default());
                self.locked.set(Some(locked));
            }
            Found::Damaged(error) => self.damaged.set(Some(Damaged { error })),
            Found::Unavailable => self.storage_unavailable.set(true),
            Found::Unfetched => self.unfetched.set(true),
        }
    }

    /// Provides the store to the component tree and starts its effects:
    /// `<html lang>` and the clock that drives the idle lock.
    pub fn provide(self) {
        provide_context(self);
        PROVIDED.set(Some(self));
        if storage::on_server() {
            crate::sandbox::connect(self);
        }
        Effect::new(move |_| {
            let locale = self.locale.get();
            env::set_document_lang(locale.tag());
            env::set_document_title(locale.text().page_title);
            storage::save_locale(locale);
        });
        let tick = move || {
            let now = self.now();
            self.clock.set(now);
            let seen = self.seen();
            if self.state.with_untracked(|s| s.is_idle_seen(now, seen)) {
                self.update(LockIfIdle { seen });
            }
        };
        crate::offline::follow_network(self.online);
        crate::offline::register(self.update_ready);
        // The handle is dropped on purpose: the clock runs for the page's life.
        let _ = set_interval_with_handle(tick, std::time::Duration::from_secs(1));
        // Another tab wrote (or cleared storage): read what it wrote. The
        // listener lives as long as the page.
        let _ = window_event_listener(leptos::ev::storage, move |event| {
            if event.key().is_none_or(|key| key == storage::HEAD_KEY) {
                self.refresh();
            }
        });
    }

    /// Re-reads storage if it holds another save than this tab last read
    /// or wrote.
    pub fn refresh(&self) {
        // (In sandbox mode the server's events bring every save.)
        if self.writes_paused() || storage::on_server() {
            return;
        }
        let head = storage::head();
        if head.is_some() && codec::get().is_none() {
            // Another tab stored a wallet before this one needed the codec.
            let store = *self;
            leptos::task::spawn_local(async move {
                if codec::ready().await.is_ok() {
                    store.refresh();
                }
            });
            return;
        }
        let stored = stored_save(head.as_deref());
        if !self.disk.with_value(|d| stored.is(&d.saved)) {
            self.reload();
        }
    }

    /// Replaces the state with the stored one (opened with this tab's key).
    fn reload(&self) {
        let key = self.vault_key();
        self.take(find(key.as_ref()));
    }

    fn writes_paused(&self) -> bool {
        self.storage_unavailable.get_untracked()
            || self.damaged.with_untracked(Option::is_some)
            || self.locked.with_untracked(Option::is_some)
    }

    /// Waits for the storage lock and for this tab to see the last save,
    /// then records the save it may make.
    async fn exclusive(&self) -> Result<lock::Held, Problem> {
        self.busy.update_value(|n| *n += 1);
        env::set_saving(true);
        // The stored form's code first: every storage operation needs it.
        if codec::ready().await.is_err() {
            self.not_busy();
            return Err(Problem::Site(SiteError::Unreachable));
        }
        let held = lock::acquire().await;
        let stored = || stored_save(storage::head().as_deref());
        held.settle(stored).await;
        if let Some(rev) = stored().revision() {
            held.begin(rev.saturating_add(1)).await;
        }
        Ok(held)
    }

    fn not_busy(&self) {
        self.busy.update_value(|n| *n = n.saturating_sub(1));
        if self.busy.get_value() == 0 {
            env::set_saving(false);
        }
    }

    /// Releases `held` after recording the save this tab holds now.
    async fn release(&self, held: lock::Held) {
        let stored = stored_save(storage::head().as_deref());
        held.record(stored).await;
        drop(held);
        self.not_busy();
    }

    // ── encryption at rest ────────────────────────────────────────────────

    /// This tab's data key, while unlocked.
    pub fn vault_key(&self) -> Option<DataKey> {
        self.disk
            .with_value(|d| d.keys.as_ref().map(|k| k.key.clone()))
    }

    /// Runs `change` on this tab's keys under the storage lock, then saves
    /// everything with the keys it returns (sealing it all the first time).
    async fn change_keys(
        &self,
        change: impl FnOnce(Option<&Keys>, &mut ChaCha20Rng) -> Result<Option<Keys>, VaultError>,
    ) -> Result<(), Problem> {
        let held = self.exclusive().await?;
        self.refresh();
        let result = if self.writes_paused() {
            Ok(())
        } else {
            match env::seeded_rng() {
                None => Err(Problem::Storage(StateError::NoRandomness)),
                Some(mut rng) => {
                    let keys = self.disk.with_value(|d| d.keys.clone());
                    match change(keys.as_ref(), &mut rng) {
                        Ok(Some(new)) if Some(&new) != keys.as_ref() => {
                            let before = self.disk.get_value();
                            self.disk.update_value(|d| d.keys = Some(new.clone()));
                            let mut saved = Ok(());
                            self.state.update(|state| saved = self.save(state));
                            match saved {
                                Ok(()) => {
                                    storage::save_session_key(&new.key);
                                    Ok(())
                                }
                                Err(e) => {
                                    self.disk.set_value(before);
                                    Err(Problem::Storage(e))
                                }
                            }
                        }
                        Ok(_) => Ok(()),
                        Err(e) => Err(Problem::Storage(StateError::Unwritable {
                            detail: e.to_string(),
                        })),
                    }
                }
            }
        };
        self.release(held).await;
        result
    }

    /// Gives `account` a key slot under `password` (a registration, a demo,
    /// a first login since encryption began). The first one creates the
    /// data key and rewrites everything stored, sealed.
    pub async fn add_key(&self, account: AccountId, password: String) -> Result<(), Problem> {
        // The sandbox server keeps its state unsealed, so that it can
        // answer a merchant's backend (the frame says so).
        if storage::on_server() {
            return Ok(());
        }
        self.change_keys(move |keys, rng| {
            envelope::add_slot(keys, account, &password, KdfParams::STANDARD, rng).map(Some)
        })
        .await
    }

    /// 「修改密码」: the new password's hash and the data key wrapped anew
    /// under it, written by one save (so the key never stays behind under
    /// the old password). A wrong current password changes neither.
    pub async fn change_password(
        &self,
        current: String,
        new: String,
        again: String,
    ) -> Result<(), Problem> {
        let held = self.exclusive().await?;
        self.refresh();
        let me = self.state.with_untracked(|s| s.signed_in().map(|a| a.id()));
        let before = self.disk.with_value(|d| d.keys.clone());
        // Only the right current password opens the slot; a wrong one is
        // left to the command, which counts it.
        let rewrapped = match (me, &before, env::seeded_rng()) {
            (Some(me), Some(keys), Some(mut rng)) => {
                envelope::rewrap(keys, me, &current, &new, &mut rng).ok()
            }
            _ => None,
        };
        let command = ChangePassword {
            current: current.into(),
            new: new.into(),
            again: again.into(),
        };
        let result = self.apply_then(&command, |changed| {
            // The save that follows seals the new hash with the new slot.
            if changed.is_ok() && rewrapped.is_some() {
                self.disk.update_value(|d| d.keys.clone_from(&rewrapped));
            }
        });
        if result.is_err() {
            self.disk.update_value(|d| d.keys = before);
        }
        self.release(held).await;
        result
    }

    /// When the session has locked: forgets the key and every decrypted
    /// value, leaving the unlock screen.
    fn lock_vault_if_locked(&self) {
        let session_locked = self
            .state
            .with_untracked(|s| s.session().is_some_and(|session| session.is_locked()));
        let Some(keys) = self.disk.with_value(|d| d.keys.clone()) else {
            return;
        };
        if !session_locked {
            return;
        }
        let guard = self.disk.with_value(|d| d.saved.guard());
        self.disk.set_value(Disk::default());
        storage::forget_session_key();
        self.state.set(State::default());
        self.locked.set(Some(Locked {
            slots: keys.slots,
            guard,
        }));
    }

    /// 「解锁」 an encrypted copy with any of its accounts' passwords: opens
    /// the data key, reads the state, and signs that account in (or unlocks
    /// its session). Wrong passwords count towards a 15-minute wait, kept
    /// in the stored copy's clear part; an empty one counts nothing.
    pub async fn unlock_vault(&self, password: String) -> Result<(), Problem> {
        let held = self.exclusive().await?;
        let result = self.unlock_held(&password);
        self.release(held).await;
        result
    }

    fn unlock_held(&self, password: &str) -> Result<(), Problem> {
        // What storage holds now, not what this tab saw when it locked.
        let mut locked = match find(None) {
            Found::Locked(locked) => locked,
            other => {
                // Unlocked by now, emptied, or damaged: show what it is.
                self.take(other);
                return Ok(());
            }
        };
        let before = locked.guard;
        let opened = envelope::unlock(&mut locked, password, env::now());
        if locked.guard != before {
            if let Some(head) = storage::head() {
                codec::get()
                    .map_or(Err(codec_missing()), |codec| {
                        (codec.with_guard)(&head, locked.guard)
                    })
                    .and_then(|head| {
                        storage::apply(&[Write::Set(storage::HEAD_KEY.to_owned(), head)])
                    })
                    .map_err(Problem::Storage)?;
            }
        }
        let (account, key) = opened.map_err(|e| match e {
            UnlockError::Account(e) => Problem::Account(e),
            UnlockError::Slot(e) => Problem::Storage(StateError::Corrupt {
                detail: e.to_string(),
            }),
        })?;
        self.take_opened(find(Some(&key)));
        if self.vault_key().is_none() {
            // Damaged behind the lock: the recovery screen shows.
            return Ok(());
        }
        // The same password signs its account in, or unlocks its session.
        self.apply(&ResumeAfterUnlock {
            account,
            password: password.into(),
        })
    }

    /// 「保留副本并重新开始」: every stored value of the state kept aside,
    /// whole, then a fresh start (the page reloads).
    pub async fn keep_aside_and_restart(&self) -> Result<(), Problem> {
        let held = self.exclusive().await?;
        let kept = storage::keep_aside(env::now());
        if kept.is_ok() {
            storage::forget_session_key();
        }
        self.release(held).await;
        kept.map(|_| env::reload()).map_err(Problem::Storage)
    }

    /// The console's import: a file checked exactly as a load would check
    /// it replaces the stored state (the page reloads); a bad one changes
    /// nothing and says why.
    pub async fn import(&self, text: String) -> Result<(), Problem> {
        if storage::on_server() {
            // The sandbox server checks it as a load would, and replaces its
            // state for every page.
            return crate::sandbox_api::import(&text)
                .await
                .map(|()| env::reload());
        }
        let held = self.exclusive().await?;
        let result = codec::get()
            .ok_or(Problem::Storage(codec_missing()))
            .and_then(|codec| {
                (codec.check_import)(&text, self.vault_key().as_ref()).map_err(Problem::Import)
            })
            .and_then(|stored| storage::replace_state(&stored).map_err(Problem::Storage));
        self.release(held).await;
        result.map(|()| env::reload())
    }

    /// The console's reset: the state and its history removed (the page
    /// reloads); damaged copies kept aside and preferences stay.
    pub async fn reset(&self) {
        if storage::on_server() {
            if crate::sandbox_api::reset().await.is_ok() {
                env::reload();
            }
            return;
        }
        let Ok(held) = self.exclusive().await else {
            return;
        };
        storage::remove_state();
        storage::forget_session_key();
        self.release(held).await;
        env::reload();
    }

    /// The simulated "now": the browser's clock plus the console's offset.
    pub fn now(&self) -> Timestamp {
        self.state.with_untracked(|s| s.sim().now(env::now()))
    }

    pub fn text(&self) -> &'static Text {
        self.locale.get().text()
    }

    /// The WeChat world's labels. Each world's table is reached from its
    /// own pages only, so that it arrives with the world's module.
    pub fn wechat_text(&self) -> &'static i18n::wechat::WeChatText {
        i18n::wechat::text(self.locale.get())
    }

    /// The labels of the wallet's screens beyond the door.
    pub fn wallet_world_text(&self) -> &'static i18n::wallet_world::WalletWorldText {
        i18n::wallet_world::text(self.locale.get())
    }

    /// The merchants' labels.
    pub fn shop_text(&self) -> &'static i18n::shop::ShopText {
        i18n::shop::text(self.locale.get())
    }

    /// The developer console's labels.
    pub fn dev_text(&self) -> &'static i18n::dev::DevText {
        i18n::dev::text(self.locale.get())
    }

    /// Runs a command (`core::command`): here, under the storage lock, on
    /// the newest stored state, through the one commit protocol
    /// (`core::commit`) — its result stands only if what it changed was
    /// saved; a command that fails may still have counted the failure (a
    /// wrong password), and that is saved too. In sandbox mode the sandbox
    /// server runs it.
    pub async fn run<C>(&self, command: C) -> Result<C::Output, Problem>
    where
        C: Request,
        C::Error: Into<Problem>,
    {
        let outcome = if storage::on_server() {
            self.busy.update_value(|n| *n += 1);
            env::set_saving(true);
            let outcome = crate::sandbox::send(*self, command).await;
            self.not_busy();
            outcome
        } else {
            let held = self.exclusive().await?;
            let outcome = self.apply(&command);
            self.release(held).await;
            outcome
        };
        settle().await;
        outcome
    }

    /// [`Store::run`] from an event handler: `done` gets the result.
    pub fn dispatch<C>(&self, command: C, done: impl FnOnce(Result<C::Output, Problem>) + 'static)
    where
        C: Request + 'static,
        C::Error: Into<Problem>,
    {
        let store = *self;
        self.spawn(async move { done(store.run(command).await) });
    }

    /// Runs `work` (commands of its own) from an event handler, busy from
    /// now until it ends — not from when the task first runs, and not only
    /// while its commands hold the lock: whoever looks meanwhile (a test,
    /// another command) sees a save on its way.
    pub fn spawn(&self, work: impl std::future::Future<Output = ()> + 'static) {
        let store = *self;
        store.busy.update_value(|n| *n += 1);
        env::set_saving(true);
        leptos::task::spawn_local(async move {
            work.await;
            store.not_busy();
        });
    }

    /// Runs `command` and commits it; the storage lock is held by the caller.
    fn apply<C>(&self, command: &C) -> Result<C::Output, Problem>
    where
        C: Request,
        C::Error: Into<Problem>,
    {
        self.apply_then(command, |_| ())
    }

    /// [`Store::apply`], with `then` seeing the command's result before its
    /// save (the password change swaps its key slot there).
    fn apply_then<C>(
        &self,
        command: &C,
        mut then: impl FnMut(&Result<C::Output, C::Error>),
    ) -> Result<C::Output, Problem>
    where
        C: Request,
        C::Error: Into<Problem>,
    {
        // Awaited by `exclusive`, which every caller went through.
        let Some(codec) = codec::get() else {
            return Err(Problem::Storage(codec_missing()));
        };
        let hasher = Hasher::standard();
        self.refresh();
        let offline = !self.online.get_untracked();
        let mut outcome: Option<Result<C::Output, C::Error>> = None;
        let mut found = None;
        let committed = self
            .rng
            .try_update_value(|rng| {
                let rng = rng.as_mut()?;
                let mut committed = None;
                self.state.update(|state| {
                    let mut storage = BrowserStorage {
                        store: *self,
                        codec,
                        found: &mut found,
                    };
                    let mut run = |s: &mut State| {
                        // The browser's network is the simulation's (never stored).
                        s.sim_mut().set_offline(offline);
                        let mut ctx = Ctx {
                            now: s.sim().now(env::now()),
                            wall: env::now(),
                            rng: &mut *rng,
                            hasher: &hasher,
                        };
                        let result = command.apply(s, &mut ctx);
                        then(&result);
                        outcome = Some(result);
                    };
                    committed = Some((codec.commit)(&mut storage, state, MAX_ATTEMPTS, &mut run));
                });
                committed
            })
            .flatten();
        if let Some(found) = found {
            // Storage held something else than a state to read (locked,
            // damaged): the screens for it show.
            self.take(found);
        }
        self.lock_vault_if_locked();
        match (committed, outcome) {
            (None, _) => Err(Problem::Storage(StateError::NoRandomness)),
            (Some(Committed::NotRun(error)), _) => Err(Problem::Storage(error)),
            (Some(Committed::Saved(())), Some(result)) => result.map_err(Into::into),
            (Some(Committed::Saved(())), None) => Err(Problem::Storage(StateError::Unwritable {
                detail: "the command did not run".to_owned(),
            })),
            (Some(Committed::Unsaved((), error)), Some(Ok(_)) | None) => {
                Err(Problem::Storage(error))
            }
            (Some(Committed::Unsaved((), error)), Some(Err(refused))) => {
                // The refusal stands; what it counted could not be kept.
                self.save_error.set(Some(error));
                Err(refused.into())
            }
        }
    }

    /// Runs a command whose result needs no screen (log out, read messages)
    /// and saves it, as [`Store::run`] does; a failed save shows the
    /// storage banner.
    pub fn update<C>(&self, command: C)
    where
        C: Request + 'static,
        C::Error: Into<Problem>,
    {
        let store = *self;
        self.spawn(async move {
            // (Not `run`: nothing is shown of the answer, so none is read —
            // the door, which sends these, carries no code for reading one.)
            let result = if storage::on_server() {
                crate::sandbox::exchange(store, command.into())
                    .await
                    .map(|_| ())
            } else {
                match store.exclusive().await {
                    Ok(held) => {
                        let outcome = store.apply(&command).map(|_| ());
                        store.release(held).await;
                        outcome
                    }
                    Err(problem) => Err(problem),
                }
            };
            store.save_error.set(result.err().and_then(|e| match e {
                Problem::Storage(e) => Some(e),
                _ => None,
            }));
        });
    }

    /// 「立即锁定」: this tab forgets its key at once (a reload from here on
    /// asks for the password), and the lock is saved for every tab.
    pub fn lock_now(&self) {
        storage::forget_session_key();
        self.update(LockNow {});
    }

    /// Records user activity for the idle lock, apart from the stored state
    /// (see `storage::ACTIVE_KEY`): noticing a click seals and writes
    /// nothing. Activity that finds the session idle does not revive it.
    pub fn touch(&self) {
        let now = self.now();
        let seen = self.seen();
        let open = self
            .state
            .with_untracked(|s| s.signed_in().is_some() && !s.is_idle_seen(now, seen));
        // (A time ahead of now was seen before the console's clock went back.)
        let recent = seen.is_some_and(|seen| seen <= now && now.since(seen) < TOUCH_GRANULARITY);
        if open && !recent {
            storage::save_active(now);
        }
    }

    /// When the person was last seen in any tab.
    fn seen(&self) -> Option<Timestamp> {
        storage::load_active()
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

    /// Writes `state` as the next save, over the save this tab last read
    /// or wrote (else [`StateError::Conflict`], writing nothing).
    fn save(&self, state: &mut State) -> Result<(), StateError> {
        if self.writes_paused() {
            return Ok(());
        }
        let head = storage::head();
        let disk = self.disk.get_value();
        let Some(codec) = codec::get() else {
            return Err(codec_missing());
        };
        if !codec.stored_save(head.as_deref()).is(&disk.saved) {
            return Err(StateError::Conflict);
        }
        let planned = self
            .nonces
            .try_update_value(|nonces| {
                nonces.as_mut().map(|nonces| {
                    (codec.write)(
                        state,
                        &disk.saved,
                        disk.keys.as_ref(),
                        head.as_deref(),
                        nonces,
                    )
                })
            })
            .flatten()
            .unwrap_or_else(|| {
                Err(StateError::Unwritable {
                    detail: "no secure randomness".to_owned(),
                })
            });
        let (writes, saved) = planned?;
        storage::apply(&writes)?;
        state.set_revision(saved.revision());
        self.disk.update_value(|d| d.saved = saved);
        Ok(())
    }
}

/// This tab's storage as the commit protocol sees it (see `core::commit`):
/// `localStorage` (or the sandbox server's copy of it), read and written
/// through the stored form's code.
struct BrowserStorage<'a> {
    store: Store,
    codec: &'static codec::Codec,
    /// What a reload found instead of a state to read (a locked or damaged
    /// copy), for the store to show once the command is done.
    found: &'a mut Option<Found>,
}

impl commit::Storage for BrowserStorage<'_> {
    fn refresh(&mut self, state: &mut State) -> Result<(), StateError> {
        if self.store.writes_paused() {
            return Ok(());
        }
        let stored = self.codec.stored_save(storage::head().as_deref());
        if self.store.disk.with_value(|d| stored.is(&d.saved)) {
            return Ok(());
        }
        self.reload(state)
    }

    fn write(&mut self, state: &mut State, _: &Changes) -> Result<(), StateError> {
        self.store.save(state)
    }

    fn reload(&mut self, state: &mut State) -> Result<(), StateError> {
        match find(self.store.vault_key().as_ref()) {
            Found::State(read, disk) => {
                if let Some(keys) = &disk.keys {
                    storage::save_session_key(&keys.key);
                }
                self.store.disk.set_value(disk);
                *state = *read;
                Ok(())
            }
            other => {
                *self.found = Some(other);
                Err(StateError::Unwritable {
                    detail: "storage holds no state to read".to_owned(),
                })
            }
        }
    }
}

thread_local! {
    /// The app's one store, for [`use_store`] where the tree has let go.
    static PROVIDED: std::cell::Cell<Option<Store>> = const { std::cell::Cell::new(None) };
}

/// The store. It is the app's one (see [`Store::provide`]); like
/// `router::use_nav`, a closure running once more as its screen is taken
/// down gets it without its context.
pub fn use_store() -> Store {
    use_context::<Store>()
        .or_else(|| PROVIDED.get())
        .unwrap_or_else(|| expect_context::<Store>())
}

/// Lets what a state change re-renders run before its caller goes on. A
/// command's result often replaces the screen that sent it (「解锁」 leaves
/// the lock screen, 「登录」 navigates); the caller then tidies that screen
/// (clears the password, ends "working"). Done in the same turn as the
/// change, those writes wake the old screen's effects, which may then run
/// after the re-render disposed their signals: CI once saw three such
/// panics ("a reactive value that has already been disposed", from a
/// `busy` button, its label and a password field) in the sandbox e2e test.
/// After this, the old screen is gone and writing to its signals does
/// nothing.
pub async fn settle() {
    leptos::task::tick().await;
}
