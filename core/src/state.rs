//! The one serialisable state of the whole sandbox, its schema version, and
//! the way a stored copy is read back: parse, migrate, check.
//!
//! Storage is untrusted input. [`State::from_json`] never panics and never
//! guesses: a value that does not parse, has no schema version, carries a
//! version newer than this build knows, or breaks an invariant is refused
//! with a [`StateError`], and the shell keeps the raw copy aside for the user
//! to export. Older versions are brought forward by [`MIGRATIONS`], one step
//! per version, each a plain function on the JSON tree.

use crate::account::Account;
use crate::error::{Guidance, UserError};
use crate::phone::Inbox;
use crate::security::Hasher;
use crate::session::Session;
use crate::verification::Verifications;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version this build writes.
pub const SCHEMA_VERSION: u64 = 1;

/// A migration from version `n` to `n + 1` is `MIGRATIONS[n - 1]`.
type Migration = fn(Value) -> Result<Value, StateError>;
pub const MIGRATIONS: &[Migration] = &[];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    schema: u64,
    pub(crate) accounts: Vec<Account>,
    pub(crate) next_account_id: u32,
    pub(crate) session: Option<Session>,
    pub(crate) verifications: Verifications,
    pub(crate) inbox: Inbox,
}

impl Default for State {
    fn default() -> Self {
        Self {
            schema: SCHEMA_VERSION,
            accounts: Vec::new(),
            next_account_id: 1,
            session: None,
            verifications: Verifications::default(),
            inbox: Inbox::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("stored data is damaged: {detail}")]
    Corrupt { detail: String },
    #[error("stored data has schema version {found}, newer than this app's {SCHEMA_VERSION}")]
    TooNew { found: u64 },
    #[error("stored data could not be written: {detail}")]
    Unwritable { detail: String },
}

impl UserError for StateError {
    fn code(&self) -> &'static str {
        match self {
            Self::Corrupt { .. } => "W-STORE-CORRUPT",
            Self::TooNew { .. } => "W-STORE-TOO-NEW",
            Self::Unwritable { .. } => "W-STORE-WRITE",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Corrupt { .. } | Self::TooNew { .. } => Guidance::RecoverStorage,
            Self::Unwritable { .. } => Guidance::RestartOrContactSupport,
        }
    }
}

fn corrupt(detail: impl Into<String>) -> StateError {
    StateError::Corrupt {
        detail: detail.into(),
    }
}

impl State {
    pub fn schema(&self) -> u64 {
        self.schema
    }

    pub fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    pub fn inbox_mut(&mut self) -> &mut Inbox {
        &mut self.inbox
    }

    pub fn to_json(&self) -> Result<String, StateError> {
        serde_json::to_string(self).map_err(|e| StateError::Unwritable {
            detail: e.to_string(),
        })
    }

    /// Reads a stored copy: parse, migrate to [`SCHEMA_VERSION`], check.
    pub fn from_json(raw: &str) -> Result<Self, StateError> {
        let value: Value = serde_json::from_str(raw).map_err(|e| corrupt(e.to_string()))?;
        let found = value
            .get("schema")
            .and_then(Value::as_u64)
            .ok_or_else(|| corrupt("no schema version"))?;
        let value = migrate(value, found, MIGRATIONS)?;
        let state: State = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
        state.check()?;
        Ok(state)
    }

    /// The invariants a deserialised state must hold before it is used.
    fn check(&self) -> Result<(), StateError> {
        let mut ids: Vec<u32> = self.accounts.iter().map(|a| a.id().get()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(corrupt("two accounts share an id"));
        }
        if ids.last().is_some_and(|max| *max >= self.next_account_id) {
            return Err(corrupt("account id counter is behind"));
        }
        let mut logins: Vec<&str> = self.accounts.iter().map(|a| a.login().as_str()).collect();
        logins.sort_unstable();
        if logins.windows(2).any(|w| w[0] == w[1]) {
            return Err(corrupt("two accounts share an address"));
        }
        if self
            .accounts
            .iter()
            .any(|a| !Hasher::is_well_formed(a.password_hash()))
        {
            return Err(corrupt("a password hash is malformed"));
        }
        if self
            .session
            .as_ref()
            .is_some_and(|s| self.account(s.account()).is_none())
        {
            return Err(corrupt("the session names a missing account"));
        }
        if !self.inbox.is_consistent() {
            return Err(corrupt("the phone inbox is inconsistent"));
        }
        Ok(())
    }
}

/// Brings `value` from version `found` to [`SCHEMA_VERSION`] through `steps`
/// (`steps[n - 1]` goes from `n` to `n + 1`), stamping each new version.
fn migrate(mut value: Value, found: u64, steps: &[Migration]) -> Result<Value, StateError> {
    let current = steps.len() as u64 + 1;
    if found > current {
        return Err(StateError::TooNew { found });
    }
    if found == 0 {
        return Err(corrupt("schema version 0 never existed"));
    }
    for version in found..current {
        let step = usize::try_from(version - 1)
            .ok()
            .and_then(|i| steps.get(i))
            .ok_or_else(|| corrupt("no migration step"))?;
        value = step(value)?;
        match value.as_object_mut() {
            Some(object) => {
                object.insert("schema".to_owned(), Value::from(version + 1));
            }
            None => return Err(corrupt("top level is not an object")),
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn schema_is_stamped() {
        let json = State::default().to_json().unwrap_or_default();
        expect![[r#"{"schema":1,"accounts":[],"next_account_id":1,"session":null,"verifications":{"pending":[]},"inbox":{"messages":[],"next_id":0}}"#]]
            .assert_eq(&json);
    }

    #[rstest]
    #[case("", "W-STORE-CORRUPT")]
    #[case("not json", "W-STORE-CORRUPT")]
    #[case("[]", "W-STORE-CORRUPT")]
    #[case("{}", "W-STORE-CORRUPT")]
    #[case(r#"{"schema":"1"}"#, "W-STORE-CORRUPT")]
    #[case(r#"{"schema":0}"#, "W-STORE-CORRUPT")]
    #[case(r#"{"schema":1}"#, "W-STORE-CORRUPT")]
    #[case(r#"{"schema":99,"anything":true}"#, "W-STORE-TOO-NEW")]
    fn bad_copies_are_refused(#[case] raw: &str, #[case] code: &str) {
        assert_eq!(State::from_json(raw).map_err(|e| e.code()), Err(code));
    }

    #[rstest]
    #[case("\"next_account_id\":2", "\"next_account_id\":1")]
    #[case(
        "\"login\":{\"kind\":\"phone\",\"value\":\"1700000",
        "\"login\":{\"kind\":\"phone\",\"value\":\"2700000"
    )]
    #[case("$argon2id$", "$plain$")]
    #[case(
        "\"session\":null",
        "\"session\":{\"account\":42,\"last_active\":0,\"locked\":false}"
    )]
    fn tampered_copies_are_refused(#[case] from: &str, #[case] to: &str) {
        let json = sample().to_json().unwrap_or_default();
        assert!(json.contains(from), "{json}");
        let tampered = json.replacen(from, to, 1);
        assert!(matches!(
            State::from_json(&tampered),
            Err(StateError::Corrupt { .. })
        ));
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
}
