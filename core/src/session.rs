//! Who is signed in on each browser, and the lock that falls after idle time.
//!
//! Sessions belong to clients: a [`ClientId`] names one browser (the static
//! site has one, [`ClientId::local`], shared by its tabs, so a logout in
//! one tab reaches the others; the sandbox server gives every browser its
//! own). A command acts for the client the shell hands in
//! ([`State::set_client`]); everything below reads and changes that
//! client's session only, so two people in two browsers are signed in,
//! locked and signed out on their own. Lockouts stay with the account.
//!
//! A session belongs to one account. Every user action *touches* it; when it
//! has been idle longer than the account's [`IdleLock`] setting, it locks: the
//! wallet hides everything behind a lock screen until the password is typed
//! again (a wrong password there counts towards the lockout like a wrong
//! login). 「退出登录」 ends the session. Several accounts can live in one
//! browser; one of them is signed in at a time.

use crate::account::{Account, AccountError, AccountId};
use crate::state::State;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Touches closer together than this are not recorded, so that a burst of
/// clicks does not rewrite storage each time. The lock may therefore fall up
/// to this much later than the setting says.
pub const TOUCH_GRANULARITY: Duration = Duration::from_secs(5);

/// How long a session may sit idle before it locks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdleLock {
    OneMinute,
    #[default]
    FiveMinutes,
    FifteenMinutes,
    Never,
}

impl IdleLock {
    pub const ALL: [IdleLock; 4] = [
        Self::OneMinute,
        Self::FiveMinutes,
        Self::FifteenMinutes,
        Self::Never,
    ];

    pub fn after(self) -> Option<Duration> {
        match self {
            Self::OneMinute => Some(Duration::from_secs(60)),
            Self::FiveMinutes => Some(Duration::from_secs(5 * 60)),
            Self::FifteenMinutes => Some(Duration::from_secs(15 * 60)),
            Self::Never => None,
        }
    }
}

/// The most sessions kept at once (per kind: wallet and WeChat); a new one
/// beyond this ends the one idle longest.
pub const MAX_SESSIONS: usize = 1_000;

/// One browser (or other device) acting on the sandbox: 1 to 64 ASCII
/// letters, digits, `-` or `_`, handed in by the shell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    /// The static site's one client: the browser profile, all its tabs.
    pub fn local() -> ClientId {
        ClientId("local".to_owned())
    }

    pub fn parse(text: &str) -> Option<ClientId> {
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| ClientId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ClientId {
    fn default() -> Self {
        ClientId::local()
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ClientId {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        ClientId::parse(&text).ok_or_else(|| format!("not a client id: {text:?}"))
    }
}

impl From<ClientId> for String {
    fn from(id: ClientId) -> String {
        id.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    account: AccountId,
    last_active: Timestamp,
    locked: bool,
    /// The password was right and the account has two-factor login on: the
    /// session is not usable until a code from the authenticator is typed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    awaiting_code: bool,
}

impl Session {
    pub(crate) fn start(account: AccountId, now: Timestamp) -> Self {
        Self {
            account,
            last_active: now,
            locked: false,
            awaiting_code: false,
        }
    }

    /// A session waiting for the second step of a two-factor login.
    pub(crate) fn awaiting_code(account: AccountId, now: Timestamp) -> Self {
        Self {
            awaiting_code: true,
            ..Self::start(account, now)
        }
    }

    pub fn is_awaiting_code(&self) -> bool {
        self.awaiting_code
    }

    /// Open: neither locked nor waiting for a second step.
    fn is_open(&self) -> bool {
        !self.locked && !self.awaiting_code
    }

    pub fn account(&self) -> AccountId {
        self.account
    }

    pub fn is_locked(&self) -> bool {
        self.locked
    }

    pub fn last_active(&self) -> Timestamp {
        self.last_active
    }
}

impl State {
    /// The client commands act for and views show (see the module docs).
    pub fn client(&self) -> &ClientId {
        &self.client
    }

    /// Acts for `client` from now on: its wallet and WeChat sessions.
    pub fn set_client(&mut self, client: &ClientId) {
        if self.client != *client {
            self.client = client.clone();
            self.wechat.set_client(client);
        }
    }

    /// This client's session.
    pub fn session(&self) -> Option<&Session> {
        self.sessions.get(&self.client)
    }

    fn session_mut(&mut self) -> Option<&mut Session> {
        self.sessions.get_mut(&self.client)
    }

    /// Starts (`Some`) or ends (`None`) this client's session; beyond
    /// [`MAX_SESSIONS`], the one idle longest ends.
    pub(crate) fn set_session(&mut self, session: Option<Session>) {
        match session {
            Some(session) => {
                self.sessions.insert(self.client.clone(), session);
                if self.sessions.len() > MAX_SESSIONS {
                    let idlest = self
                        .sessions
                        .iter()
                        .filter(|(client, _)| **client != self.client)
                        .min_by_key(|(_, s)| s.last_active)
                        .map(|(client, _)| client.clone());
                    if let Some(client) = idlest {
                        self.sessions.remove(&client);
                    }
                }
            }
            None => {
                self.sessions.remove(&self.client);
            }
        }
    }

    /// Every client's session (the console, the invariants).
    pub fn sessions(&self) -> &std::collections::BTreeMap<ClientId, Session> {
        &self.sessions
    }

    /// The account whose session is open and unlocked.
    pub fn signed_in(&self) -> Option<&Account> {
        self.session()
            .filter(|s| s.is_open())
            .and_then(|s| self.account(s.account))
    }

    /// The signed-in account's id, or [`AccountError::NotSignedIn`].
    pub(crate) fn signed_in_id(&self) -> Result<AccountId, AccountError> {
        self.signed_in()
            .map(Account::id)
            .ok_or(AccountError::NotSignedIn)
    }

    /// Whether the session would lock at `now`: nothing changes.
    pub fn is_idle(&self, now: Timestamp) -> bool {
        self.is_idle_seen(now, None)
    }

    /// [`State::is_idle`], counting activity the shell keeps apart from the
    /// stored state: `seen`, the last time the person was seen (a click, a
    /// key) in any tab. Noticing activity thus rewrites nothing stored.
    pub fn is_idle_seen(&self, now: Timestamp, seen: Option<Timestamp>) -> bool {
        let Some(session) = self.session().filter(|s| s.is_open()) else {
            return false;
        };
        let limit = self
            .account(session.account)
            .and_then(|a| a.idle_lock().after());
        // A time ahead of `now` was seen before the console's clock went back.
        let seen = seen.filter(|seen| *seen <= now);
        let last = seen.map_or(session.last_active, |seen| seen.max(session.last_active));
        limit.is_some_and(|limit| now.since(last) >= limit)
    }

    /// Whether [`State::touch`] at `now` would change anything. Lets the
    /// shell skip a state update (and a storage write) for most events.
    pub fn needs_touch(&self, now: Timestamp) -> bool {
        self.session().is_some_and(|s| {
            s.is_open() && (self.is_idle(now) || now.since(s.last_active) >= TOUCH_GRANULARITY)
        })
    }

    /// Records user activity at `now`. An idle session locks instead: the
    /// activity that finds it idle does not revive it.
    pub fn touch(&mut self, now: Timestamp) {
        if self.is_idle(now) {
            self.lock_now();
        } else if let Some(session) = self.session_mut().filter(|s| s.is_open()) {
            session.last_active = session.last_active.max(now);
        }
    }

    /// After the unlock screen of the encrypted data opened it with
    /// `account`'s password: that account's open session counts the unlock
    /// as activity (so an idle one does not lock again a second later), a
    /// locked one is unlocked with the same password, and anyone else is
    /// logged in as `account` (with its two-step code if it has one on).
    pub fn resume_after_unlock(
        &mut self,
        account: AccountId,
        password: &str,
        now: Timestamp,
    ) -> Result<(), AccountError> {
        match self.session_mut().filter(|s| s.account == account) {
            Some(session) if session.is_open() => {
                session.last_active = session.last_active.max(now);
                Ok(())
            }
            Some(session) if session.locked => self.unlock(password, now),
            _ => {
                let login = self
                    .account(account)
                    .map(|a| a.login().as_str().to_owned())
                    .ok_or(AccountError::NotRegistered)?;
                self.log_in(&login, password, now).map(|_| ())
            }
        }
    }

    /// Locks the session if it has been idle too long. Returns whether it
    /// locked now.
    pub fn lock_if_idle(&mut self, now: Timestamp) -> bool {
        self.lock_if_idle_seen(now, None)
    }

    /// [`State::lock_if_idle`] counting activity seen apart (see
    /// [`State::is_idle_seen`]).
    pub fn lock_if_idle_seen(&mut self, now: Timestamp, seen: Option<Timestamp>) -> bool {
        let idle = self.is_idle_seen(now, seen);
        if idle {
            self.lock_now();
        }
        idle
    }

    /// Locks at once (the lock button, or idle). A sign-in still waiting
    /// for its second step is simply abandoned.
    pub fn lock_now(&mut self) {
        if self.session().is_some_and(|s| s.awaiting_code) {
            self.set_session(None);
        } else if let Some(session) = self.session_mut() {
            session.locked = true;
        }
    }

    /// Unlocks with the account's password. Wrong passwords count towards
    /// the lockout; when the account locks, the session ends.
    pub fn unlock(&mut self, password: &str, now: Timestamp) -> Result<(), AccountError> {
        let id = self
            .session()
            .filter(|s| s.locked)
            .map(Session::account)
            .ok_or(AccountError::NotSignedIn)?;
        match self.check_password(id, password, now) {
            Ok(()) => {
                self.set_session(Some(Session::start(id, now)));
                Ok(())
            }
            Err(locked @ AccountError::Locked { .. }) => {
                self.set_session(None);
                Err(locked)
            }
            Err(other) => Err(other),
        }
    }

    /// 「退出登录」.
    pub fn log_out(&mut self) {
        self.set_session(None);
    }

    /// Changes the signed-in account's idle-lock setting.
    pub fn set_idle_lock(&mut self, idle_lock: IdleLock) -> Result<(), AccountError> {
        let id = self.signed_in_id()?;
        let account = self.account_mut(id).ok_or(AccountError::NotSignedIn)?;
        account.set_idle_lock(idle_lock);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{LoginId, RealName};
    use crate::security::fast_hasher;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use rstest::rstest;

    const PASSWORD: &str = "Sandbox2026x";

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(secs * 1000)
    }

    fn signed_in(idle: IdleLock) -> State {
        let mut state = State::default();
        let login = LoginId::parse("13800138000").unwrap_or_else(|e| panic!("{e}"));
        let name = RealName::parse("张小明").unwrap_or_else(|e| panic!("{e}"));
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        state.create_account(login, name, PASSWORD, at(0), &mut rng, &fast_hasher());
        let _ = state.log_in("13800138000", PASSWORD, at(0));
        let _ = state.set_idle_lock(idle);
        state
    }

    #[rstest]
    #[case(IdleLock::OneMinute, 59, false)]
    #[case(IdleLock::OneMinute, 60, true)]
    #[case(IdleLock::FiveMinutes, 299, false)]
    #[case(IdleLock::FiveMinutes, 300, true)]
    #[case(IdleLock::FifteenMinutes, 900, true)]
    #[case(IdleLock::Never, 1_000_000, false)]
    fn locks_after_idle(#[case] setting: IdleLock, #[case] idle_secs: i64, #[case] locks: bool) {
        let mut state = signed_in(setting);
        assert_eq!(state.lock_if_idle(at(idle_secs)), locks);
        assert_eq!(state.signed_in().is_none(), locks);
        assert!(state.session().is_some());
    }

    #[test]
    fn activity_keeps_the_session_open() {
        let mut state = signed_in(IdleLock::OneMinute);
        for minute in 1..10 {
            state.touch(at(minute * 50));
        }
        assert!(!state.lock_if_idle(at(9 * 50 + 59)));
    }

    #[test]
    fn the_touch_that_finds_it_idle_locks_it() {
        let mut state = signed_in(IdleLock::OneMinute);
        state.touch(at(61));
        assert!(state.signed_in().is_none());
    }

    #[test]
    fn unlock_with_the_password() {
        let mut state = signed_in(IdleLock::OneMinute);
        state.lock_now();
        assert_eq!(
            state.unlock("Wrong2026x", at(70)),
            Err(AccountError::WrongPassword { remaining: 4 })
        );
        assert!(state.signed_in().is_none());
        assert_eq!(state.unlock(PASSWORD, at(71)), Ok(()));
        assert!(state.signed_in().is_some());
        assert!(!state.lock_if_idle(at(71 + 59)));
    }

    #[test]
    fn lockout_at_the_lock_screen_ends_the_session() {
        let mut state = signed_in(IdleLock::OneMinute);
        state.lock_now();
        for _ in 0..4 {
            let _ = state.unlock("Wrong2026x", at(70));
        }
        assert!(matches!(
            state.unlock("Wrong2026x", at(70)),
            Err(AccountError::Locked { .. })
        ));
        assert!(state.session().is_none());
    }

    #[test]
    fn an_unlock_of_the_data_is_activity_and_does_not_lock_again() {
        let mut state = signed_in(IdleLock::OneMinute);
        let me = state
            .signed_in()
            .map(Account::id)
            .unwrap_or_else(|| panic!("signed in"));
        // Idle for ten minutes in a closed tab; the data is unlocked now.
        assert!(state.is_idle(at(600)));
        assert_eq!(state.resume_after_unlock(me, PASSWORD, at(600)), Ok(()));
        assert!(!state.is_idle(at(601)), "not locked again a second later");
        // A locked session is unlocked; a wrong password counts as usual.
        state.lock_now();
        assert_eq!(
            state.resume_after_unlock(me, "Wrong2026x", at(602)),
            Err(AccountError::WrongPassword { remaining: 4 })
        );
        assert_eq!(state.resume_after_unlock(me, PASSWORD, at(603)), Ok(()));
        assert!(state.signed_in().is_some());
        // Signed out: the account is logged in.
        state.log_out();
        assert_eq!(state.resume_after_unlock(me, PASSWORD, at(604)), Ok(()));
        assert!(state.signed_in().is_some());
    }

    #[test]
    fn activity_seen_apart_keeps_the_session_open_without_a_change() {
        let mut state = signed_in(IdleLock::OneMinute);
        let before = state.clone();
        // Clicks seen by the shell at 50 s: still open at 100 s.
        assert!(state.is_idle(at(100)));
        assert!(!state.is_idle_seen(at(100), Some(at(50))));
        assert!(!state.lock_if_idle_seen(at(100), Some(at(50))));
        assert_eq!(state, before, "nothing stored changed");
        // A minute after the last activity it locks.
        assert!(state.lock_if_idle_seen(at(111), Some(at(50))));
        // Activity older than the session's own counts for nothing more.
        let fresh = signed_in(IdleLock::OneMinute);
        assert!(fresh.is_idle_seen(at(70), Some(at(-100))));
    }

    #[test]
    fn touches_are_coalesced() {
        let state = signed_in(IdleLock::FiveMinutes);
        assert!(!state.needs_touch(at(4)));
        assert!(state.needs_touch(at(5)));
    }

    #[test]
    fn log_out_ends_the_session() {
        let mut state = signed_in(IdleLock::FiveMinutes);
        state.log_out();
        assert!(state.session().is_none());
        assert_eq!(
            state.set_idle_lock(IdleLock::Never),
            Err(AccountError::NotSignedIn)
        );
    }
}
