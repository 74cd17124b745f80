//! The one serialisable state of the whole sandbox, its schema version, and
//! the way a stored copy is read back: parse, migrate, check.
//!
//! # Stored form (version 4)
//! The main record is *sealed*: `{"revision":n,"sha256":"…","main":{…}}`,
//! where `sha256` is taken over the revision and the exact text of `main`,
//! and `main` carries the journal's checksum chain ([`Ledger::digest`]). A
//! flipped byte, a truncated value, a history chunk from another copy or
//! another version, or a record edited by hand is therefore refused at load
//! rather than read as something else. The revision counts saves, so that
//! several tabs can tell whether storage moved on since they last read it.
//! (Checksums find accidents and mix-ups; they do not stop someone who
//! recomputes them — that needs the encryption of the data itself.)
//!
//! Storage is untrusted input. [`State::from_json`] never panics and never
//! guesses: a value that does not parse, has no schema version, carries a
//! version newer than this build knows, or breaks an invariant is refused
//! with a [`StateError`], and the shell keeps the raw copy aside for the user
//! to export. Older versions are brought forward by [`MIGRATIONS`], one step
//! per version, each a plain function on the JSON tree.

use crate::account::{Account, AccountId};
use crate::binding::Binding;
use crate::card::Card;
use crate::error::{Guidance, UserError};
use crate::ledger::{Actor, Entry, Ledger, LedgerAccount};
use crate::merchant::MerchantId;
use crate::payapi::RegisteredMerchant;
use crate::payment::{valid_out_trade_no, Order, PayMethod, PayPasswordGuard};
use crate::phone::Inbox;
use crate::security::Hasher;
use crate::session::{ClientId, Session};
use crate::sim::Sim;
use crate::verification::Verifications;
use crate::wechat::{WeChat, WeChatId};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

mod rows;

pub use rows::{Delta, HeldOrder, Snapshot};

/// The version this build writes.
pub const SCHEMA_VERSION: u64 = 6;

/// The first version stored sealed (see the module docs).
const SEALED_SINCE: u64 = 4;

/// A migration from version `n` to `n + 1` is `MIGRATIONS[n - 1]`.
type Migration = fn(Value) -> Result<Value, StateError>;
pub const MIGRATIONS: &[Migration] = &[v1_to_v2, v2_to_v3, v3_to_v4, v4_to_v5, v5_to_v6];

/// Version 2 added bank cards and the ledger: a version-1 copy has neither,
/// so it gains an empty card list and an empty journal.
fn v1_to_v2(mut value: Value) -> Result<Value, StateError> {
    let object = value
        .as_object_mut()
        .ok_or_else(|| corrupt("top level is not an object"))?;
    object.insert("cards".to_owned(), Value::Array(Vec::new()));
    object.insert("next_card_id".to_owned(), Value::from(1));
    object.insert("journal_len".to_owned(), Value::from(0));
    Ok(value)
}

/// Version 3 added the simulated WeChat, the developer console's state and
/// the wallet's bindings: a version-2 copy has none of them yet.
fn v2_to_v3(mut value: Value) -> Result<Value, StateError> {
    let object = value
        .as_object_mut()
        .ok_or_else(|| corrupt("top level is not an object"))?;
    let defaults = serde_json::to_value((WeChat::default(), Sim::default()))
        .map_err(|e| corrupt(e.to_string()))?;
    let (wechat, sim) = match defaults {
        Value::Array(mut pair) if pair.len() == 2 => {
            let sim = pair.pop().unwrap_or_default();
            (pair.pop().unwrap_or_default(), sim)
        }
        _ => return Err(corrupt("defaults did not serialise")),
    };
    object.insert("wechat".to_owned(), wechat);
    object.insert("sim".to_owned(), sim);
    object.insert("bindings".to_owned(), Value::Array(Vec::new()));
    Ok(value)
}

/// Version 4 changed how the record is stored, not what it holds: it is
/// sealed with a checksum and carries the journal's checksum chain. An
/// unsealed version-3 copy has no chain yet; it is computed from the journal
/// as found, once, and sealed at the next save.
fn v3_to_v4(value: Value) -> Result<Value, StateError> {
    Ok(value)
}

/// Version 5 added 理财 (savings accounts, interest entries) and the books
/// (categories chosen by hand, cash entries): a version-4 copy has neither,
/// and its ledger holds none of the new entry kinds.
fn v4_to_v5(value: Value) -> Result<Value, StateError> {
    Ok(value)
}

/// Version 6 keeps a session per client (each browser its own sign-in, see
/// [`crate::session`]): the one session of a version-5 copy, the wallet's
/// and WeChat's, becomes the static site's own client's.
fn v5_to_v6(mut value: Value) -> Result<Value, StateError> {
    fn per_client(object: &mut serde_json::Map<String, Value>) {
        let mut sessions = serde_json::Map::new();
        match object.remove("session") {
            None | Some(Value::Null) => {}
            Some(session) => {
                sessions.insert(ClientId::local().to_string(), session);
            }
        }
        object.insert("sessions".to_owned(), Value::Object(sessions));
    }
    let object = value
        .as_object_mut()
        .ok_or_else(|| corrupt("top level is not an object"))?;
    per_client(object);
    if let Some(wechat) = object.get_mut("wechat").and_then(Value::as_object_mut) {
        per_client(wechat);
    }
    Ok(value)
}

/// The whole sandbox. Stored as a small main record ([`State::main_json`])
/// plus the ledger journal in chunks ([`State::chunk_json`]), so that a
/// commit rewrites the main record and one chunk, whatever the history length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    schema: u64,
    pub(crate) accounts: Vec<Account>,
    pub(crate) next_account_id: u32,
    /// The client commands act for (never stored: each shell hands in its own).
    pub(crate) client: ClientId,
    /// Each client's wallet session.
    pub(crate) sessions: std::collections::BTreeMap<ClientId, Session>,
    pub(crate) verifications: Verifications,
    pub(crate) inbox: Inbox,
    pub(crate) cards: Vec<Card>,
    pub(crate) next_card_id: u32,
    pub(crate) ledger: Ledger,
    pub(crate) wechat: WeChat,
    pub(crate) sim: Sim,
    pub(crate) bindings: Vec<(AccountId, Binding)>,
    pub(crate) orders: crate::order::Orders,
    pub(crate) pay_guards: Vec<PayPasswordGuard>,
    pub(crate) pay_preferences: Vec<(WeChatId, PayMethod)>,
    pub(crate) books: Vec<crate::finance::Book>,
    /// Savings accounts: the first CST day whose interest is not yet credited.
    pub(crate) savings: Vec<(AccountId, i64)>,
    /// Merchants registered with the sandbox server ([`crate::payapi`]).
    pub(crate) registered: Vec<RegisteredMerchant>,
    /// How many times this copy has been saved (see the module docs).
    revision: u64,
    /// What storage holds of this copy, as far as the next save needs to
    /// know (see [`crate::commit`]); not part of what the state is.
    baseline: Baseline,
}

/// What the last save (or the load) left in storage: the main record's body
/// as a server keeps it (without the orders and the console's log), the
/// journal's length and the log's ends. A command that leaves all of them
/// as they were and changes no order changed nothing.
#[derive(Debug, Clone)]
struct Baseline {
    /// `None`: nothing saved yet — what a fresh state's body would be
    /// (found when first needed, so that making a state writes nothing).
    main: Option<String>,
    journal_len: usize,
    log_last: u64,
    log_first: Option<u64>,
}

impl PartialEq for Baseline {
    /// Two copies of one state are equal whatever each last saved.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Baseline {}

/// What changed since the last save: what the next save writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// The main record's new body as a server keeps it (without the orders
    /// and the log), if it changed.
    pub main: Option<String>,
    /// The positions of the orders that changed (or are new).
    pub orders: std::collections::BTreeSet<usize>,
    /// The journal's new entries are `journal_from..journal_len`.
    pub journal_from: usize,
    pub journal_len: usize,
    /// The console's log entries with an id above this are new.
    pub log_after: u64,
    /// The oldest log entry kept (`None`: the log is empty): older ones
    /// are gone.
    pub log_first: Option<u64>,
    /// The id of the newest log entry ever made (kept beside the rows).
    pub log_last: u64,
    log_unchanged: bool,
}

impl Changes {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.main.is_none()
            && self.orders.is_empty()
            && self.journal_from == self.journal_len
            && self.log_unchanged
    }
}

/// The main record as stored: everything but the journal, which it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Main {
    schema: u64,
    accounts: Vec<Account>,
    next_account_id: u32,
    sessions: std::collections::BTreeMap<ClientId, Session>,
    verifications: Verifications,
    inbox: Inbox,
    cards: Vec<Card>,
    next_card_id: u32,
    wechat: WeChat,
    sim: Sim,
    bindings: Vec<(AccountId, Binding)>,
    #[serde(default)]
    orders: Vec<Order>,
    #[serde(default)]
    pay_guards: Vec<PayPasswordGuard>,
    #[serde(default)]
    pay_preferences: Vec<(WeChatId, PayMethod)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    books: Vec<crate::finance::Book>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    savings: Vec<(AccountId, i64)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    registered: Vec<RegisteredMerchant>,
    /// How many journal entries are committed. Entries in the chunks beyond
    /// this were written by a commit that did not finish and are not part
    /// of the state (the main record is the commit point).
    journal_len: usize,
    /// [`Ledger::digest`] after `journal_len` entries. Absent only in a copy
    /// migrated from version 3 or older.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    journal_digest: Option<String>,
}

/// [`Main`] as written, every field borrowed (a save copies nothing); the
/// orders are left out of the parts a server keeps (they are rows of their
/// own) and written in the browser's one record.
#[derive(Serialize)]
struct MainOut<'a> {
    schema: u64,
    accounts: &'a [Account],
    next_account_id: u32,
    sessions: &'a std::collections::BTreeMap<ClientId, Session>,
    verifications: &'a Verifications,
    inbox: &'a Inbox,
    cards: &'a [Card],
    next_card_id: u32,
    wechat: &'a WeChat,
    sim: crate::sim::SimOut<'a>,
    bindings: &'a [(AccountId, Binding)],
    orders: Vec<&'a Order>,
    pay_guards: &'a [PayPasswordGuard],
    pay_preferences: &'a [(WeChatId, PayMethod)],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    books: &'a [crate::finance::Book],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    savings: &'a [(AccountId, i64)],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    registered: &'a [RegisteredMerchant],
    journal_len: usize,
    journal_digest: String,
}

/// The sealed main record, as read: `main` is the exact stored text.
#[derive(Deserialize)]
struct Sealed<'a> {
    revision: u64,
    sha256: String,
    #[serde(borrow)]
    main: &'a serde_json::value::RawValue,
}

/// The checksum of a sealed record.
fn seal_sum(revision: u64, main: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(format!("qianbao sealed record\n{revision}\n").as_bytes());
    hasher.update(main.as_bytes());
    crate::hex::encode(&hasher.finalize())
}

/// A main record's body, sealed for `revision`.
pub(crate) fn seal_record(revision: u64, body: &str) -> String {
    let sum = seal_sum(revision, body);
    format!(r#"{{"revision":{revision},"sha256":"{sum}","main":{body}}}"#)
}

impl Default for State {
    fn default() -> Self {
        Self {
            schema: SCHEMA_VERSION,
            accounts: Vec::new(),
            next_account_id: 1,
            client: ClientId::local(),
            sessions: std::collections::BTreeMap::new(),
            verifications: Verifications::default(),
            inbox: Inbox::default(),
            cards: Vec::new(),
            next_card_id: 1,
            ledger: Ledger::default(),
            wechat: WeChat::default(),
            sim: Sim::default(),
            bindings: Vec::new(),
            orders: crate::order::Orders::default(),
            pay_guards: Vec::new(),
            pay_preferences: Vec::new(),
            books: Vec::new(),
            savings: Vec::new(),
            registered: Vec::new(),
            revision: 0,
            baseline: Baseline {
                main: None,
                journal_len: 0,
                log_last: 0,
                log_first: None,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum StateError {
    #[error("stored data is damaged: {detail}")]
    Corrupt { detail: String },
    #[error("stored data has schema version {found}, newer than this app's {SCHEMA_VERSION}")]
    TooNew { found: u64 },
    #[error("stored data could not be written: {detail}")]
    Unwritable { detail: String },
    #[error("browser storage is full")]
    Full,
    #[error("another tab kept changing the stored data")]
    Conflict,
    /// Stored parts from different saves: a main record older than its
    /// history, a history part older than its main record, a revision that
    /// disagrees with the sealed one (see `envelope`).
    #[error("stored parts come from different saves: {detail}")]
    Stale { detail: String },
    /// A stored part is gone: history without its main record, or a main
    /// record without a history part it lists.
    #[error("a stored part is missing: {detail}")]
    Missing { detail: String },
    /// A stored part of another wallet, or of another place in this one.
    #[error("a stored part belongs elsewhere: {detail}")]
    Foreign { detail: String },
    /// The browser offers no secure randomness (Web Crypto), without which
    /// no key, code or transaction number can be made.
    #[error("the browser offers no secure randomness (Web Crypto)")]
    NoRandomness,
}

impl UserError for StateError {
    fn code(&self) -> &'static str {
        match self {
            Self::Corrupt { .. } => "W-STORE-CORRUPT",
            Self::TooNew { .. } => "W-STORE-TOO-NEW",
            Self::Unwritable { .. } => "W-STORE-WRITE",
            Self::Full => "W-STORE-FULL",
            Self::Conflict => "W-STORE-CONFLICT",
            Self::Stale { .. } => "W-STORE-STALE",
            Self::Missing { .. } => "W-STORE-MISSING",
            Self::Foreign { .. } => "W-STORE-FOREIGN",
            Self::NoRandomness => "W-NO-CRYPTO",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Corrupt { .. } | Self::TooNew { .. } => Guidance::RecoverStorage,
            Self::Unwritable { .. } => Guidance::RestartOrContactSupport,
            Self::Full => Guidance::FreeStorage,
            Self::Conflict => Guidance::TryAgain,
            Self::Stale { .. } => Guidance::RecoverStale,
            Self::Missing { .. } => Guidance::RecoverMissing,
            Self::Foreign { .. } => Guidance::RecoverForeign,
            Self::NoRandomness => Guidance::UseCurrentBrowser,
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

    /// What this client's phone shows, newest first.
    pub fn phone(&self) -> impl Iterator<Item = &crate::phone::Message> + '_ {
        self.inbox.shown_to(&self.client)
    }

    /// Unread messages on this client's phone.
    pub fn phone_unread(&self) -> usize {
        self.inbox.unread(&self.client)
    }

    pub fn inbox_mut(&mut self) -> &mut Inbox {
        &mut self.inbox
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The main record's body: whole (`whole`: the browser's one record),
    /// or as a server keeps it, without the orders and the console's log
    /// (rows of their own; see [`State::changes`]).
    pub fn main_body(&self, whole: bool) -> Result<String, StateError> {
        let out = MainOut {
            schema: self.schema,
            accounts: &self.accounts,
            next_account_id: self.next_account_id,
            sessions: &self.sessions,
            verifications: &self.verifications,
            inbox: &self.inbox,
            cards: &self.cards,
            next_card_id: self.next_card_id,
            wechat: &self.wechat,
            sim: self.sim.out(whole),
            bindings: &self.bindings,
            orders: if whole {
                self.orders.iter().collect()
            } else {
                Vec::new()
            },
            pay_guards: &self.pay_guards,
            pay_preferences: &self.pay_preferences,
            books: &self.books,
            savings: &self.savings,
            registered: &self.registered,
            journal_len: self.ledger.len(),
            journal_digest: self.ledger.digest(),
        };
        serde_json::to_string(&out).map_err(|e| StateError::Unwritable {
            detail: e.to_string(),
        })
    }

    /// What changed since the last save or load (see [`crate::commit`]).
    pub fn changes(&self) -> Result<Changes, StateError> {
        let main = self.main_body(false)?;
        let log_first = self.sim.log().first().map(|e| e.id);
        let before = match &self.baseline.main {
            Some(before) => *before != main,
            None => State::default().main_body(false)? != main,
        };
        Ok(Changes {
            main: before.then_some(main),
            orders: self.orders.changed().clone(),
            journal_from: self.baseline.journal_len.min(self.ledger.len()),
            journal_len: self.ledger.len(),
            log_after: self.baseline.log_last,
            log_first,
            log_last: self.sim.last_log_id(),
            log_unchanged: self.sim.last_log_id() == self.baseline.log_last
                && log_first == self.baseline.log_first,
        })
    }

    /// Everything, as changes: what a first save (or one replacing whatever
    /// storage held) writes.
    pub fn all_changes(&self) -> Result<Changes, StateError> {
        Ok(Changes {
            main: Some(self.main_body(false)?),
            orders: self.orders.positioned().map(|(p, _)| p).collect(),
            journal_from: 0,
            journal_len: self.ledger.len(),
            log_after: 0,
            log_first: self.sim.log().first().map(|e| e.id),
            log_last: self.sim.last_log_id(),
            log_unchanged: false,
        })
    }

    /// `changes` were saved: they are what storage holds now.
    pub fn mark_saved(&mut self, changes: Changes) {
        if let Some(main) = changes.main {
            self.baseline.main = Some(main);
        }
        self.baseline.journal_len = changes.journal_len;
        self.baseline.log_last = changes.log_last;
        self.baseline.log_first = changes.log_first;
        self.orders.forget_changed(&changes.orders);
    }

    /// This copy is what storage holds (just read back).
    pub(crate) fn mark_loaded(&mut self) -> Result<(), StateError> {
        self.baseline = Baseline {
            main: Some(self.main_body(false)?),
            journal_len: self.ledger.len(),
            log_last: self.sim.last_log_id(),
            log_first: self.sim.log().first().map(|e| e.id),
        };
        self.orders.take_changed();
        Ok(())
    }

    /// The console's log entries with an id above `after` (new since a
    /// save), as a server's rows store them: `(id, text)`.
    pub fn log_rows_after(&self, after: u64) -> Result<Vec<(u64, String)>, StateError> {
        self.sim
            .log()
            .iter()
            .filter(|e| e.id > after)
            .map(|e| {
                serde_json::to_string(e)
                    .map(|text| (e.id, text))
                    .map_err(|e| StateError::Unwritable {
                        detail: e.to_string(),
                    })
            })
            .collect()
    }

    /// How many saves this copy has seen (0 for one never stored).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Sets the revision the next [`State::main_json`] seals (the shell
    /// counts saves; see `storage.rs`).
    pub fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }

    /// The revision of a stored main record without reading the rest: 0 for
    /// an unsealed (version 3 or older) record, `None` if it is unreadable.
    pub fn stored_revision(main: &str) -> Option<u64> {
        match serde_json::from_str::<Sealed<'_>>(main) {
            Ok(sealed) => Some(sealed.revision),
            Err(_) => serde_json::from_str::<Value>(main).ok().map(|_| 0),
        }
    }

    /// The main record, sealed: everything but the journal entries.
    pub fn main_json(&self) -> Result<String, StateError> {
        self.main_json_at(self.revision)
    }

    /// The main record as the save that makes `revision` writes it.
    pub fn main_json_at(&self, revision: u64) -> Result<String, StateError> {
        Ok(seal_record(revision, &self.main_body(true)?))
    }

    /// Journal chunk `index` ([`crate::ledger::CHUNK_ENTRIES`] entries each).
    pub fn chunk_json(&self, index: usize) -> Result<String, StateError> {
        serde_json::to_string(self.ledger.chunk(index)).map_err(|e| StateError::Unwritable {
            detail: e.to_string(),
        })
    }

    /// A state with no journal: the main record alone (tests, first versions).
    pub fn to_json(&self) -> Result<String, StateError> {
        self.main_json()
    }

    pub fn from_json(raw: &str) -> Result<Self, StateError> {
        Self::from_parts(raw, &[])
    }

    /// Reads a stored copy: the main record (parsed, migrated) and the
    /// journal chunks in order; replays the journal and checks every
    /// invariant. Anything wrong is an error, never a guess.
    pub fn from_parts(stored: &str, chunks: &[String]) -> Result<Self, StateError> {
        // Version 4 and later are sealed; only older copies may come bare.
        let (main, revision, sealed) = match serde_json::from_str::<Sealed<'_>>(stored) {
            Ok(sealed) => {
                if seal_sum(sealed.revision, sealed.main.get()) != sealed.sha256 {
                    return Err(corrupt("the record does not match its checksum"));
                }
                (sealed.main.get(), sealed.revision, true)
            }
            Err(_) => (stored, 0, false),
        };
        // A current record is parsed straight into `Main`; an older one goes
        // through a JSON tree for the migration steps and is then parsed the
        // same way, so there is one typed parser (one copy in the wasm).
        #[derive(Deserialize)]
        struct Header {
            schema: Option<u64>,
        }
        let header: Header = serde_json::from_str(main).map_err(|e| corrupt(e.to_string()))?;
        let found = header.schema.ok_or_else(|| corrupt("no schema version"))?;
        if (SEALED_SINCE..=SCHEMA_VERSION).contains(&found) && !sealed {
            return Err(corrupt("the record has no checksum"));
        }
        if found < SEALED_SINCE && sealed {
            return Err(corrupt("a sealed record claims an old version"));
        }
        let main = parse_main(main, found)?;
        // Not `with_capacity(journal_len)`: the count is untrusted, and a
        // huge one would abort the app before the chunks are even read.
        // Each entry with the JSON it is stored as: the chain hashes that.
        let mut entries: Vec<(Entry, &str)> = Vec::new();
        for (index, chunk) in chunks.iter().enumerate() {
            if entries.len() >= main.journal_len {
                break;
            }
            let part = || -> Result<Vec<(Entry, &str)>, serde_json::Error> {
                let raw: Vec<&RawValue> = serde_json::from_str(chunk)?;
                raw.into_iter()
                    .map(|json| Ok((serde_json::from_str(json.get())?, json.get())))
                    .collect()
            };
            let mut part = part().map_err(|e| corrupt(format!("history part {index}: {e}")))?;
            entries.append(&mut part);
        }
        if entries.len() < main.journal_len {
            return Err(corrupt(format!(
                "history has {} of {} entries",
                entries.len(),
                main.journal_len
            )));
        }
        entries.truncate(main.journal_len);
        Self::assemble(main, entries, found >= SEALED_SINCE, revision)
    }

    /// A read record with its journal: replayed, checked, and known as what
    /// storage holds.
    fn assemble(
        main: Main,
        entries: Vec<(Entry, &str)>,
        chained: bool,
        revision: u64,
    ) -> Result<Self, StateError> {
        let ledger =
            Ledger::replay_stored(entries).map_err(|e| corrupt(format!("history: {e}")))?;
        match (&main.journal_digest, chained) {
            (Some(digest), _) if *digest == ledger.digest() => {}
            (None, false) => {} // migrated: the chain starts now
            _ => return Err(corrupt("the history does not match its checksum")),
        }
        let mut state = State::default();
        state.restore_main(main)?;
        state.ledger = ledger;
        state.revision = revision;
        state.check()?;
        state.mark_loaded()?;
        Ok(state)
    }

    fn restore_main(&mut self, main: Main) -> Result<(), StateError> {
        self.orders = crate::order::Orders::from_list(main.orders)
            .map_err(|_| corrupt("merchant order numbers are invalid or repeated"))?;
        self.schema = main.schema;
        self.accounts = main.accounts;
        self.next_account_id = main.next_account_id;
        self.sessions = main.sessions;
        self.verifications = main.verifications;
        self.inbox = main.inbox;
        self.cards = main.cards;
        self.next_card_id = main.next_card_id;
        self.wechat = main.wechat;
        self.wechat.set_client(&self.client);
        self.sim = main.sim;
        self.bindings = main.bindings;
        self.pay_guards = main.pay_guards;
        self.pay_preferences = main.pay_preferences;
        self.books = main.books;
        self.savings = main.savings;
        self.registered = main.registered;
        Ok(())
    }

    /// The invariants a loaded state must hold before it is used.
    fn check(&self) -> Result<(), StateError> {
        let mut ids: Vec<u32> = self.accounts.iter().map(|a| a.id().get()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(corrupt("two accounts share an id"));
        }
        if ids.last().is_some_and(|max| *max >= self.next_account_id) {
            return Err(corrupt("account id counter is behind"));
        }
        // A counter at its end could only hand out an id twice.
        if self.next_account_id == u32::MAX || self.next_card_id == u32::MAX {
            return Err(corrupt("an id counter is at its end"));
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
            .accounts
            .iter()
            .any(|a| a.totp().is_some_and(|t| !t.is_well_formed()))
        {
            return Err(corrupt("a two-factor setting is malformed"));
        }
        if self
            .sessions
            .values()
            .any(|s| self.account(s.account()).is_none())
            || self.sessions.len() > crate::session::MAX_SESSIONS
        {
            return Err(corrupt("a session names a missing account"));
        }
        if !self.inbox.is_consistent() {
            return Err(corrupt("the phone inbox is inconsistent"));
        }
        let mut card_ids: Vec<u32> = self.cards.iter().map(|c| c.id().get()).collect();
        card_ids.sort_unstable();
        if card_ids.windows(2).any(|w| w[0] == w[1])
            || card_ids.last().is_some_and(|m| *m >= self.next_card_id)
        {
            return Err(corrupt("card ids are inconsistent"));
        }
        if self
            .cards
            .iter()
            .any(|c| !c.is_well_formed() || self.account(c.owner()).is_none())
        {
            return Err(corrupt("a card is malformed or has no owner"));
        }
        if self.accounts.iter().any(|a| {
            a.default_card()
                .is_some_and(|id| self.card(id).is_none_or(|c| c.owner() != a.id()))
        }) {
            return Err(corrupt("a default card belongs to someone else"));
        }
        let dangling = self.ledger.entries().iter().any(|e| {
            (match e.by {
                Actor::Wallet(id) => self.account(id).is_none(),
                Actor::WeChat { wechat } => self.wechat.account(wechat).is_none(),
            }) || e.postings.iter().any(|p| match p.0 {
                LedgerAccount::Wallet(id) | LedgerAccount::Savings(id) => {
                    self.account(id).is_none()
                }
                LedgerAccount::Card(id) => self.card(id).is_none(),
                LedgerAccount::WeChatChange(id) => self.wechat.account(id).is_none(),
                LedgerAccount::Merchant(_) => false,
                LedgerAccount::BankReserve
                | LedgerAccount::Biller(_)
                | LedgerAccount::InterestPool
                | LedgerAccount::Refunding => false,
            })
        });
        if dangling {
            return Err(corrupt("the history names a missing account or card"));
        }
        if !self.wechat.is_consistent() {
            return Err(corrupt("the simulated WeChat is inconsistent"));
        }
        if self
            .bindings
            .iter()
            .any(|(id, _)| self.account(*id).is_none())
        {
            return Err(corrupt("a binding names a missing account"));
        }
        let repeated = |mut ids: Vec<u32>| {
            ids.sort_unstable();
            ids.windows(2).any(|w| w[0] == w[1])
        };
        if repeated(self.books.iter().map(|b| b.owner.get()).collect())
            || repeated(self.savings.iter().map(|(id, _)| id.get()).collect())
            || self.books.iter().any(|b| self.account(b.owner).is_none())
            || self
                .savings
                .iter()
                .any(|(id, _)| self.account(*id).is_none())
        {
            return Err(corrupt(
                "the books or savings name a missing or repeated account",
            ));
        }
        // (Repeated numbers were refused when the orders were indexed.)
        if self.orders().any(|o| !valid_out_trade_no(&o.out_trade_no)) {
            return Err(corrupt("merchant order numbers are invalid or repeated"));
        }
        let mut mchids: Vec<_> = self.registered.iter().map(|m| m.mchid).collect();
        mchids.sort_unstable();
        if mchids.windows(2).any(|w| w[0] == w[1])
            || self.orders().any(|o| match o.merchant {
                MerchantId::Registered(m) => {
                    o.api.is_none() || self.registered.iter().all(|r| r.mchid != m)
                }
                _ => o.api.is_some(),
            })
        {
            return Err(corrupt(
                "a registered merchant is repeated, or an order names an unknown one",
            ));
        }
        if self.orders().any(|o| {
            o.paid
                .as_ref()
                .is_some_and(|p| self.ledger.entry(p.entry).is_none())
        }) {
            return Err(corrupt("a paid order names a missing payment"));
        }
        if self.orders().any(|o| {
            let refunded = o.refunds.iter().try_fold(0i64, |sum, r| {
                r.amount
                    .is_positive()
                    .then(|| sum.checked_add(r.amount.get()))
                    .flatten()
            });
            refunded.is_none_or(|refunded| refunded > o.amount.get())
        }) {
            return Err(corrupt("an order's refunds exceed its payment"));
        }
        Ok(())
    }
}

/// A main record's body of version `found`, migrated to this build's and
/// parsed. A current record is parsed straight into `Main`; an older one
/// goes through a JSON tree for the migration steps and is then parsed the
/// same way, so there is one typed parser (one copy in the wasm).
fn parse_main(main: &str, found: u64) -> Result<Main, StateError> {
    let migrated;
    let current = if found == SCHEMA_VERSION {
        main
    } else {
        let value: Value = serde_json::from_str(main).map_err(|e| corrupt(e.to_string()))?;
        migrated = migrate(value, found, MIGRATIONS)?.to_string();
        &migrated
    };
    serde_json::from_str(current).map_err(|e| corrupt(e.to_string()))
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
mod tests;
