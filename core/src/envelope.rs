//! The stored form of the sandbox: what `localStorage` holds, how it is read
//! back and how a save is written — as pure functions over text, so that the
//! browser shell (`web/src/storage.rs`) only moves strings, and every rule
//! about them is tested here.
//!
//! # Format 2
//! Two kinds of stored value, each a small JSON wrapper `{"sum":…,"head"|"chunk":{…}}`
//! whose `sum` is a SHA-256 over the exact text inside it:
//! - the **head** ([`HEAD_KEY`]): the wallet's id (random, made at its first
//!   save), the save that wrote it ([`SaveId`]: revision and random tag), the
//!   save that wrote each journal chunk, the key slots, the unlock screen's
//!   guard, the key check, and the main record — [`State::main_json_at`],
//!   in clear before any wallet account exists, sealed with the data key
//!   after;
//! - each **journal chunk** ([`CHUNK_PREFIX`]`N`): the wallet's id, its index,
//!   the save that wrote it, and its entries (clear or sealed).
//!
//! The sums make every clear field — key slots, salts, KDF settings, the
//! check, the guard, the revision — part of an integrity check that needs no
//! password: a changed character anywhere is damage, found before the unlock
//! screen, and never counted as a wrong password. (A sum can be recomputed
//! by whoever edits by hand; the sealed values' associated data then binds
//! the head's fields — wallet, save, chunk list — and each chunk's header to
//! the data key, so such an edit does not open.)
//!
//! # Saves and what a load accepts
//! A save writes the chunks it changed, each tagged with the new [`SaveId`],
//! and then the head (the commit point), which lists every chunk's writer.
//! Loading proves that the pieces form one committed save: every chunk the
//! head lists is present and written by the save the head names for it.
//! The only other thing accepted is what one interrupted save leaves behind
//! — chunks from the head's *next* revision at the end of the journal —
//! which is rolled back (the entries beyond the head's count are not part of
//! the state) and overwritten by the next save. Anything else is damage
//! ([`StateError`]), reported with what was found and never written over: a
//! head older than its chunks ([`StateError::Stale`]), a chunk older than its
//! head, chunks without a head or a head without its chunks
//! ([`StateError::Missing`]), a chunk of another wallet or another place
//! ([`StateError::Foreign`]), a changed or cut value ([`StateError::Corrupt`]).
//! A whole store rolled back to an older copy is one committed save, and
//! loads.
//!
//! Older stored forms (format 1: the encrypted envelope of issue 6, the
//! checksummed record of version 4, and bare records of versions 1–3) are
//! read by [`legacy`] and rewritten whole, in format 2, at the next save.

use crate::account::{AccountError, AccountId};
use crate::ledger::CHUNK_ENTRIES;
use crate::lockout::{is_blank, Lockout};
use crate::state::{State, StateError};
use crate::time::Timestamp;
use crate::vault::{self, DataKey, KdfParams, KeySlot, Sealed, VaultError};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The head: the main record and everything that says how to read the rest.
pub const HEAD_KEY: &str = "qianbao.state";
/// Journal chunk `N` is stored under this prefix followed by `N`.
pub const CHUNK_PREFIX: &str = "qianbao.journal.";
/// The stored form this build writes.
pub const FORMAT: u64 = 2;

/// Every stored value of the sandbox's state (the head and the journal
/// chunks, whatever their index), by key, exactly as found.
pub type Stored = BTreeMap<String, String>;

/// Whether a storage key holds part of the sandbox's state (as opposed to a
/// preference such as the language, or a damaged copy kept aside).
pub fn is_state_key(key: &str) -> bool {
    key == HEAD_KEY || key.starts_with(CHUNK_PREFIX)
}

pub fn chunk_key(index: usize) -> String {
    format!("{CHUNK_PREFIX}{index}")
}

/// Which save wrote a stored value: the revision it made (saves count up
/// from 1) and a random tag, so that two saves that both made revision `n`
/// — from two lineages that should never have met — are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveId {
    pub rev: u64,
    pub tag: u32,
}

impl fmt::Display for SaveId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:08x}", self.rev, self.tag)
    }
}

/// One change to storage, applied in order by the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    Set(String, String),
    Remove(String),
}

/// The data key and every account's copy of it (see [`crate::vault`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub key: DataKey,
    pub slots: Vec<KeySlot>,
}

/// What the next save needs to know about what is stored now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Saved {
    /// `None` until something is stored in format 2.
    wallet: Option<String>,
    /// `None` while nothing is stored.
    save: Option<SaveId>,
    /// The save that wrote each stored chunk.
    chunks: Vec<SaveId>,
    /// Chunks from here on are rewritten by the next save whatever the
    /// journal says (an interrupted save left them behind).
    rewrite_from: usize,
    /// Keys the next save removes first (chunks an interrupted save left
    /// beyond the end).
    remove: Vec<String>,
    /// Journal entries stored.
    journal_len: usize,
    /// The unlock screen's guard as stored.
    guard: Lockout,
    /// Whether what is stored is sealed with a data key.
    sealed: bool,
}

impl Saved {
    /// The save storage held when this was read or written; compared with
    /// [`stored_save`] before writing over it.
    pub fn save(&self) -> Option<SaveId> {
        self.save
    }

    /// How many saves the stored copy has seen.
    pub fn revision(&self) -> u64 {
        self.save.map_or(0, |s| s.rev)
    }

    /// The unlock screen's guard as stored.
    pub fn guard(&self) -> Lockout {
        self.guard
    }
}

/// An encrypted copy seen without its key: who can open it, and the wrong
/// passwords typed at the unlock screen so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub slots: Vec<KeySlot>,
    pub guard: Lockout,
}

/// What a read of storage found.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// Nothing stored: a first visit.
    Fresh,
    /// A committed save, read back whole (opened with the key if sealed).
    Opened {
        state: Box<State>,
        saved: Saved,
        keys: Option<Keys>,
    },
    /// Sealed, and no key (or a stale one) to open it: a password is needed.
    Locked(Locked),
    /// Pieces that do not form one committed save.
    Damaged(StateError),
}

/// The save that storage holds, as far as its head tells without a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredSave {
    Nothing,
    Save(SaveId),
    /// A head that cannot be read: equal to no save, so a writer stops.
    Unreadable,
}

impl StoredSave {
    pub fn of(head: Option<&str>) -> Self {
        let Some(text) = head else {
            return Self::Nothing;
        };
        if let Some(head) = parse_head(text) {
            return head.map_or(Self::Unreadable, |h| Self::Save(h.save));
        }
        legacy::revision(text).map_or(Self::Unreadable, |rev| Self::Save(SaveId { rev, tag: 0 }))
    }

    /// Whether this is the save `saved` last read or wrote.
    pub fn is(&self, saved: &Saved) -> bool {
        match (self, saved.save) {
            (Self::Nothing, None) => true,
            (Self::Save(found), Some(mine)) => *found == mine,
            _ => false,
        }
    }

    /// The revision, for telling whether a tab is behind (0 for nothing).
    pub fn revision(&self) -> Option<u64> {
        match self {
            Self::Nothing => Some(0),
            Self::Save(save) => Some(save.rev),
            Self::Unreadable => None,
        }
    }
}

// ── the stored pieces ─────────────────────────────────────────────────────

/// A value in clear or sealed with the data key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Body {
    Plain(String),
    Sealed(Sealed),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Head {
    format: u64,
    wallet: String,
    save: SaveId,
    chunks: Vec<SaveId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    slots: Vec<KeySlot>,
    #[serde(default)]
    unlock: Lockout,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    check: Option<Sealed>,
    main: Body,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Chunk {
    wallet: String,
    index: usize,
    save: SaveId,
    entries: Body,
}

/// The wrapper of every stored value: a checksum over the exact inner text.
#[derive(Deserialize)]
struct Summed<'a> {
    sum: String,
    #[serde(borrow, alias = "chunk")]
    head: &'a serde_json::value::RawValue,
}

fn sum(kind: &str, inner: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(format!("qianbao {kind}\n").as_bytes());
    hasher.update(inner.as_bytes());
    crate::hex::encode(&hasher.finalize())
}

fn wrap(kind: &'static str, inner: &impl Serialize) -> Result<String, StateError> {
    let text = serde_json::to_string(inner).map_err(|e| StateError::Unwritable {
        detail: e.to_string(),
    })?;
    let sum = sum(kind, &text);
    Ok(format!(r#"{{"sum":"{sum}","{kind}":{text}}}"#))
}

/// `None` if `text` is not a format-2 wrapper at all (an older form);
/// otherwise the inner value, or why it cannot be used.
fn unwrap<T: for<'de> Deserialize<'de>>(kind: &str, text: &str) -> Option<Result<T, StateError>> {
    let summed: Summed<'_> = serde_json::from_str(text).ok()?;
    let inner = summed.head.get();
    if sum(kind, inner) != summed.sum {
        return Some(Err(corrupt(format!("the {kind} was changed"))));
    }
    Some(serde_json::from_str(inner).map_err(|e| corrupt(format!("the {kind}: {e}"))))
}

fn parse_head(text: &str) -> Option<Result<Head, StateError>> {
    unwrap("head", text)
}

fn corrupt(detail: impl Into<String>) -> StateError {
    StateError::Corrupt {
        detail: detail.into(),
    }
}

fn stale(detail: impl Into<String>) -> StateError {
    StateError::Stale {
        detail: detail.into(),
    }
}

fn missing(detail: impl Into<String>) -> StateError {
    StateError::Missing {
        detail: detail.into(),
    }
}

fn foreign(detail: impl Into<String>) -> StateError {
    StateError::Foreign {
        detail: detail.into(),
    }
}

// What each sealed value is bound to (its associated data).
fn main_label(wallet: &str, save: SaveId, chunks: &[SaveId]) -> String {
    let chunks: Vec<String> = chunks.iter().map(SaveId::to_string).collect();
    format!(
        "qianbao main\nwallet {wallet}\nsave {save}\nchunks {}",
        chunks.join(",")
    )
}

fn chunk_label(wallet: &str, index: usize, save: SaveId) -> String {
    format!("qianbao chunk {index}\nwallet {wallet}\nsave {save}")
}

fn check_label(wallet: &str) -> String {
    format!("qianbao key check\nwallet {wallet}")
}

/// A chunk's index as written by [`chunk_key`]: decimal, no leading zero.
fn chunk_index(key: &str) -> Option<usize> {
    let digits = key.strip_prefix(CHUNK_PREFIX)?;
    canonical_number(digits).and_then(|n| usize::try_from(n).ok())
}

/// A decimal number as this crate writes one: digits, no leading zero.
fn canonical_number(digits: &str) -> Option<u64> {
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    canonical.then(|| digits.parse().ok()).flatten()
}

fn open_text(key: &DataKey, label: &str, sealed: &Sealed) -> Option<String> {
    vault::open(key, label, sealed)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

// ── between a browser and the sandbox server ──────────────────────────────

/// A save's writes (or every stored value, as `set`s) as one text, for the
/// sandbox server that keeps the state instead of localStorage: per write a
/// line `set <key bytes> <value bytes>` or `remove <key bytes> 0`, then the
/// key and the value as they are, then a newline. No escaping, no JSON:
/// any text passes whole, and the browser's door needs no parser.
pub fn to_wire(writes: &[Write]) -> String {
    let mut out = String::new();
    for write in writes {
        let (op, key, value) = match write {
            Write::Set(key, value) => ("set", key, value.as_str()),
            Write::Remove(key) => ("remove", key, ""),
        };
        out.push_str(&format!(
            "{op} {} {}\n{key}{value}\n",
            key.len(),
            value.len()
        ));
    }
    out
}

/// Reads [`to_wire`]'s text back; `None` if it is not exactly that.
pub fn from_wire(text: &str) -> Option<Vec<Write>> {
    let mut writes = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, after) = rest.split_once('\n')?;
        let mut parts = line.split(' ');
        let op = parts.next()?;
        let key_len = canonical_number(parts.next()?)?;
        let value_len = canonical_number(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        let (key_len, value_len) = (
            usize::try_from(key_len).ok()?,
            usize::try_from(value_len).ok()?,
        );
        let key = after.get(..key_len)?;
        let value = after.get(key_len..key_len.checked_add(value_len)?)?;
        rest = after.get(key_len + value_len..)?.strip_prefix('\n')?;
        writes.push(match op {
            "set" => Write::Set(key.to_owned(), value.to_owned()),
            "remove" if value_len == 0 => Write::Remove(key.to_owned()),
            _ => return None,
        });
    }
    Some(writes)
}

// ── reading ───────────────────────────────────────────────────────────────

/// Reads what storage holds, opening a sealed copy with `key` if given.
/// Never panics, never guesses: see the module docs for what is accepted.
pub fn read(stored: &Stored, key: Option<&DataKey>) -> Read {
    read_checked(stored, key).unwrap_or_else(Read::Damaged)
}

fn read_checked(stored: &Stored, key: Option<&DataKey>) -> Result<Read, StateError> {
    let mut chunks: BTreeMap<usize, &str> = BTreeMap::new();
    for (name, value) in stored.iter().filter(|(k, _)| k.starts_with(CHUNK_PREFIX)) {
        let index = chunk_index(name)
            .ok_or_else(|| foreign(format!("{name} is not a history part of this app")))?;
        chunks.insert(index, value);
    }
    let Some(text) = stored.get(HEAD_KEY) else {
        return match chunks.keys().next() {
            None => Ok(Read::Fresh),
            Some(_) => Err(missing("the main record is gone; history parts remain")),
        };
    };
    match parse_head(text) {
        Some(head) => read_head(head?, &chunks, key),
        None => legacy::read(text, &chunks, key),
    }
}

fn read_head(
    head: Head,
    found: &BTreeMap<usize, &str>,
    key: Option<&DataKey>,
) -> Result<Read, StateError> {
    if head.format > FORMAT {
        return Err(StateError::TooNew { found: head.format });
    }
    if head.format != FORMAT || !is_wallet_id(&head.wallet) {
        return Err(corrupt("the main record's header is invalid"));
    }
    if head.chunks.iter().any(|c| c.rev > head.save.rev) {
        return Err(corrupt(
            "the main record lists a history part from a later save",
        ));
    }
    let count = head.chunks.len();
    let mut chunks: Vec<Option<Chunk>> = vec![None; count];
    // The listed chunk an interrupted save rewrote, if any.
    let mut rewritten = None;
    let mut saved = Saved {
        wallet: Some(head.wallet.clone()),
        save: Some(head.save),
        chunks: head.chunks.clone(),
        rewrite_from: count,
        remove: Vec::new(),
        journal_len: 0,
        guard: head.unlock,
        sealed: matches!(head.main, Body::Sealed(_)),
    };
    for (&index, text) in found {
        let chunk: Chunk = unwrap("chunk", text)
            .unwrap_or_else(|| Err(corrupt("")))
            .map_err(|_| corrupt(format!("history part {index} was changed or cut")))?;
        if chunk.wallet != head.wallet {
            return Err(foreign(format!(
                "history part {index} belongs to another wallet"
            )));
        }
        if chunk.index != index {
            return Err(foreign(format!(
                "history part {index} holds part {} (moved or swapped)",
                chunk.index
            )));
        }
        // What an interrupted save leaves: chunks at the end of the journal
        // (the only ones a save writes) from a save no later than the next
        // one. Their entries beyond the head's count are not part of the
        // state, and the ones before it are checked against the head's
        // checksum chain like any others. A chunk from any later save means
        // the head is older than the history.
        let leftover = index + 1 >= count && chunk.save.rev <= head.save.rev.saturating_add(1);
        match head.chunks.get(index) {
            Some(expected) if chunk.save == *expected => chunks[index] = Some(chunk),
            Some(_) if leftover => {
                rewritten = Some(index);
                chunks[index] = Some(chunk);
            }
            None if leftover => saved.remove.push(chunk_key(index)),
            Some(expected) => return Err(mismatch(index, chunk.save, *expected, head.save)),
            None => {
                return Err(stale(format!(
                    "the main record (save {}) is older than history part {index} (save {})",
                    head.save, chunk.save
                )))
            }
        }
    }
    let mut pieces = Vec::with_capacity(count);
    for (index, chunk) in chunks.into_iter().enumerate() {
        pieces.push(chunk.ok_or_else(|| missing(format!("history part {index} is gone")))?);
    }
    let (main, texts, keys) = match (&head.main, &head.check) {
        (Body::Plain(main), None) if head.slots.is_empty() => {
            let texts = pieces
                .iter()
                .map(|c| match &c.entries {
                    Body::Plain(text) => Ok(text.clone()),
                    Body::Sealed(_) => Err(corrupt("a history part is sealed, the record is not")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            (main.clone(), texts, None)
        }
        (Body::Sealed(sealed), Some(check)) if !head.slots.is_empty() => {
            let locked = || {
                Read::Locked(Locked {
                    slots: head.slots.clone(),
                    guard: head.unlock,
                })
            };
            let Some(key) = key else {
                return Ok(locked());
            };
            // A key that does not open the check is a stale one (another
            // wallet's, kept by this tab): the password is needed.
            if vault::open(key, &check_label(&head.wallet), check).is_err() {
                return Ok(locked());
            }
            let main = open_text(
                key,
                &main_label(&head.wallet, head.save, &head.chunks),
                sealed,
            )
            .ok_or_else(|| corrupt("the main record does not open"))?;
            let texts = pieces
                .iter()
                .map(|c| match &c.entries {
                    Body::Sealed(s) => {
                        open_text(key, &chunk_label(&head.wallet, c.index, c.save), s).ok_or_else(
                            || corrupt(format!("history part {} does not open", c.index)),
                        )
                    }
                    Body::Plain(_) => {
                        Err(corrupt("a history part is in clear, the record is sealed"))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            let keys = Keys {
                key: key.clone(),
                slots: head.slots.clone(),
            };
            (main, texts, Some(keys))
        }
        _ => return Err(corrupt("the main record mixes clear and sealed parts")),
    };
    let state = State::from_parts(&main, &texts)?;
    if state.revision() != head.save.rev {
        return Err(stale(format!(
            "the main record says save {}, its sealed copy revision {}",
            head.save,
            state.revision()
        )));
    }
    saved.journal_len = state.ledger().len();
    if let Some(index) = rewritten {
        // The next save writes it again, as the head lists it.
        saved.rewrite_from = index;
    }
    Ok(Read::Opened {
        state: Box::new(state),
        saved,
        keys,
    })
}

/// A chunk written by another save than the head says.
fn mismatch(index: usize, found: SaveId, expected: SaveId, head: SaveId) -> StateError {
    if found.rev > head.rev {
        stale(format!(
            "the main record (save {head}) is older than history part {index} (save {found})"
        ))
    } else if found.rev < expected.rev {
        stale(format!(
            "history part {index} (save {found}) is older than the main record expects (save {expected})"
        ))
    } else {
        stale(format!(
            "history part {index} was written by save {found}, the main record expects save {expected}"
        ))
    }
}

fn is_wallet_id(text: &str) -> bool {
    text.len() == 16
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

// ── writing ───────────────────────────────────────────────────────────────

/// The writes that store `state` as the next save after `saved` —
/// the chunks it changed, then the head — and what storage will hold once
/// they are applied. `keys` seals everything (all of it is rewritten when
/// sealing starts); `stored_head` is the head storage holds now, whose
/// unlock guard is kept. Storage holds [`State::revision`] + 1 afterwards:
/// the caller sets it on `state` once every write succeeded.
pub fn write(
    state: &State,
    saved: &Saved,
    keys: Option<&Keys>,
    stored_head: Option<&str>,
    rng: &mut impl RngCore,
) -> Result<(Vec<Write>, Saved), StateError> {
    let rev = saved
        .revision()
        .checked_add(1)
        .ok_or_else(|| corrupt("the revision is at its end"))?;
    let save = SaveId {
        rev,
        tag: rng.next_u32(),
    };
    let wallet = match &saved.wallet {
        Some(wallet) => wallet.clone(),
        None => {
            let mut bytes = [0u8; 8];
            rng.fill_bytes(&mut bytes);
            crate::hex::encode(&bytes)
        }
    };
    let ledger = state.ledger();
    let count = ledger.chunk_count();
    // A new form (first save in format 2, or sealing starts) rewrites all.
    let whole = saved.wallet.is_none() || saved.sealed != keys.is_some();
    let grown = if ledger.len() > saved.journal_len {
        saved.journal_len / CHUNK_ENTRIES
    } else {
        count
    };
    let from = if whole {
        0
    } else {
        grown.min(saved.rewrite_from)
    };
    let mut writes: Vec<Write> = saved.remove.iter().cloned().map(Write::Remove).collect();
    let mut chunks = saved.chunks.clone();
    chunks.truncate(count);
    for index in 0..count {
        if index < from && index < chunks.len() {
            continue;
        }
        let text = state.chunk_json(index)?;
        let entries = match keys {
            Some(k) => Body::Sealed(vault::seal(
                &k.key,
                &chunk_label(&wallet, index, save),
                text.as_bytes(),
                rng,
            )),
            None => Body::Plain(text),
        };
        let chunk = Chunk {
            wallet: wallet.clone(),
            index,
            save,
            entries,
        };
        writes.push(Write::Set(chunk_key(index), wrap("chunk", &chunk)?));
        match chunks.get_mut(index) {
            Some(slot) => *slot = save,
            None => chunks.push(save),
        }
    }
    let main = state.main_json_at(rev)?;
    let (main, check, slots) = match keys {
        Some(k) => (
            Body::Sealed(vault::seal(
                &k.key,
                &main_label(&wallet, save, &chunks),
                main.as_bytes(),
                rng,
            )),
            Some(vault::seal(&k.key, &check_label(&wallet), &[], rng)),
            k.slots.clone(),
        ),
        None => (Body::Plain(main), None, Vec::new()),
    };
    let guard = stored_head.and_then(guard_of).unwrap_or(saved.guard);
    let head = Head {
        format: FORMAT,
        wallet: wallet.clone(),
        save,
        chunks: chunks.clone(),
        slots,
        unlock: guard,
        check,
        main,
    };
    writes.push(Write::Set(HEAD_KEY.to_owned(), wrap("head", &head)?));
    let after = Saved {
        wallet: Some(wallet),
        save: Some(save),
        chunks,
        rewrite_from: count,
        remove: Vec::new(),
        journal_len: ledger.len(),
        guard,
        sealed: keys.is_some(),
    };
    Ok((writes, after))
}

/// The unlock guard a stored head holds (either form), if it can be read.
fn guard_of(head: &str) -> Option<Lockout> {
    match parse_head(head) {
        Some(head) => head.ok().map(|h| h.unlock),
        None => legacy::guard(head),
    }
}

/// The head rewritten with another unlock guard (a wrong password at the
/// unlock screen, typed in a tab without the key); nothing else changes.
pub fn with_guard(head_text: &str, guard: Lockout) -> Result<String, StateError> {
    match parse_head(head_text) {
        Some(head) => wrap(
            "head",
            &Head {
                unlock: guard,
                ..head?
            },
        ),
        None => legacy::with_guard(head_text, guard),
    }
}

// ── keys ──────────────────────────────────────────────────────────────────

/// Gives `account` a copy of the data key under `password` (a
/// registration, a demo, a first login since encryption began). The first
/// slot makes the data key. An account that has a slot keeps it.
pub fn add_slot(
    keys: Option<&Keys>,
    account: AccountId,
    password: &str,
    kdf: KdfParams,
    rng: &mut impl RngCore,
) -> Result<Keys, VaultError> {
    let mut keys = keys.cloned().unwrap_or_else(|| Keys {
        key: DataKey::generate(rng),
        slots: Vec::new(),
    });
    if !keys.slots.iter().any(|s| s.account == account) {
        let slot = KeySlot::new(&keys.key, account, password, kdf, rng)?;
        keys.slots.push(slot);
    }
    Ok(keys)
}

/// 「修改密码」: `account`'s copy of the key wrapped anew under `new`.
/// An account without a slot gets one.
pub fn rewrap(
    keys: &Keys,
    account: AccountId,
    old: &str,
    new: &str,
    rng: &mut impl RngCore,
) -> Result<Keys, VaultError> {
    let mut keys = keys.clone();
    match keys.slots.iter().position(|s| s.account == account) {
        Some(i) => keys.slots[i] = keys.slots[i].rewrap(old, new, rng)?,
        None => keys.slots.push(KeySlot::new(
            &keys.key,
            account,
            new,
            KdfParams::STANDARD,
            rng,
        )?),
    }
    Ok(keys)
}

/// Why the unlock screen refused a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnlockError {
    /// Empty, wrong, or locked out: as at the wallet's own login.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// A key slot that cannot be used (its sum matched: edited by hand).
    #[error("a key slot cannot be used: {0}")]
    Slot(VaultError),
}

/// 「解锁」: the first account whose password opens its copy of the data
/// key. Wrong passwords count in `locked.guard` (stored in clear by the
/// shell: [`with_guard`]) towards the same lock as every other secret; an
/// empty one counts nothing.
pub fn unlock(
    locked: &mut Locked,
    password: &str,
    now: Timestamp,
) -> Result<(AccountId, DataKey), UnlockError> {
    if is_blank(password) {
        return Err(AccountError::PasswordEmpty.into());
    }
    if let Some(until) = locked.guard.locked_until(now) {
        return Err(AccountError::Locked { until }.into());
    }
    for slot in &locked.slots {
        match slot.open(password) {
            Ok(key) => {
                locked.guard.succeed();
                return Ok((slot.account, key));
            }
            Err(VaultError::WrongPassword) => {}
            // Slots are covered by the head's sum; one that still cannot be
            // used says so, rather than counting a wrong password.
            Err(other) => return Err(UnlockError::Slot(other)),
        }
    }
    Err(AccountError::from(locked.guard.fail(now)).into())
}

// ── import and export ─────────────────────────────────────────────────────

/// Every stored value as one JSON object from key to text: the recovery
/// screen's and the console's export.
pub fn bundle(stored: &Stored) -> String {
    // Written by hand, not with serde_json: the shell keeps damage aside
    // and exports it before anything else of the stored form is needed.
    let mut out = String::from("{");
    for (i, (key, value)) in stored.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, key);
        out.push(':');
        json_string(&mut out, value);
    }
    out.push('}');
    out
}

/// `text` as a JSON string (RFC 8259: quote, backslash and control
/// characters escaped).
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Why a file offered for import was refused (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not an export of this sandbox")]
    NotAnExport,
    #[error("the export is damaged: {0}")]
    Damaged(StateError),
    #[error("the export is encrypted with another wallet's key")]
    OtherKey,
}

/// Checks a file offered for import exactly as a load would, and returns
/// the values to store. `key` opens an encrypted export of this wallet;
/// without it only what can be checked without the key is (the password
/// asked for at the next start opens and checks the rest).
pub fn check_import(text: &str, key: Option<&DataKey>) -> Result<Stored, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| ImportError::NotAnExport)?;
    let object = value.as_object().ok_or(ImportError::NotAnExport)?;
    let mut stored = Stored::new();
    for (k, v) in object {
        if is_state_key(k) {
            let text = v.as_str().ok_or(ImportError::NotAnExport)?;
            stored.insert(k.clone(), text.to_owned());
        }
    }
    if !stored.contains_key(HEAD_KEY) {
        return Err(ImportError::NotAnExport);
    }
    match read(&stored, key) {
        Read::Opened { .. } => Ok(stored),
        Read::Locked(_) if key.is_some() => Err(ImportError::OtherKey),
        Read::Locked(_) => Ok(stored),
        Read::Damaged(error) => Err(ImportError::Damaged(error)),
        Read::Fresh => Err(ImportError::NotAnExport),
    }
}

impl crate::error::UserError for ImportError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "W-IMPORT-EMPTY",
            Self::NotAnExport => "W-IMPORT-FORMAT",
            Self::Damaged(_) => "W-IMPORT-DAMAGED",
            Self::OtherKey => "W-IMPORT-KEY",
        }
    }

    fn guidance(&self) -> crate::error::Guidance {
        crate::error::Guidance::ChooseExportFile
    }
}

impl crate::error::UserError for UnlockError {
    fn code(&self) -> &'static str {
        match self {
            Self::Account(e) => e.code(),
            Self::Slot(_) => "W-STORE-CORRUPT",
        }
    }

    fn guidance(&self) -> crate::error::Guidance {
        match self {
            Self::Account(e) => e.guidance(),
            Self::Slot(_) => crate::error::Guidance::RecoverStorage,
        }
    }
}

pub mod legacy;
