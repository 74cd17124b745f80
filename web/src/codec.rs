//! The stored form's code — reading, checking and writing the sealed state:
//! `serde_json`, the state's (de)serialisation and migrations, most of what
//! `core::envelope` pulls in — as one module fetched on demand (with the
//! `split` feature), so that a first visit's first screen does not wait for
//! it. It is fetched before the first screen when storage holds a wallet,
//! right after it otherwise, and awaited by every storage operation
//! (`Store::run` and the others) before it takes the storage lock. The
//! commit protocol is here too (finding what a command changed serialises
//! the main record), and the wording of what a command reports.

use crate::app::Unfetched;
use crate::i18n::{ErrorText, Locale};
use crate::store::Problem;
use qianbao_core::command::{Command, Reply, Sent};
use qianbao_core::commit;
use qianbao_core::envelope::{self, ImportError, Keys, Read, Saved, Stored, StoredSave, Write};
use qianbao_core::lockout::Lockout;
use qianbao_core::state::{Delta, HeldOrder, Snapshot, StateError};
use qianbao_core::vault::DataKey;
use qianbao_core::State;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

/// `core::commit::run_dyn`: storage, the state, attempts, the command.
pub type Commit = fn(
    &mut dyn commit::Storage,
    &mut State,
    usize,
    &mut dyn FnMut(&mut State),
) -> commit::Committed<()>;

/// A save's writes and what storage holds once they are applied.
pub type Planned = Result<(Vec<Write>, Saved), StateError>;

/// `core::envelope`'s functions that need the stored form's code.
#[derive(Debug, Clone, Copy)]
pub struct Codec {
    pub read: fn(&Stored, Option<&DataKey>) -> Read,
    pub write: fn(&State, &Saved, Option<&Keys>, Option<&str>, &mut ChaCha20Rng) -> Planned,
    head_save: fn(Option<&str>) -> StoredSave,
    pub with_guard: fn(&str, Lockout) -> Result<String, StateError>,
    pub check_import: fn(&str, Option<&DataKey>) -> Result<Stored, ImportError>,
    /// The one commit protocol (`core::commit`): what a command changed is
    /// found (serialising the main record) and written through the stored
    /// form, so it is here with the rest of that code.
    pub commit: Commit,
    /// Sandbox mode's wire (`sandbox.rs`): a command as sent, the server's
    /// reply, its whole state as rows, one save as the events bring it, and
    /// that save applied to the page's copy.
    pub command_wire: fn(u64, &Command) -> String,
    pub read_reply: fn(&str) -> Option<Reply>,
    pub read_snapshot: fn(&str) -> Result<(State, u64), StateError>,
    pub read_delta: fn(&str) -> Option<Delta>,
    pub apply_delta: fn(&mut State, &Delta) -> Result<(), StateError>,
    /// An order the page asked for (`core::state::HeldOrder`'s JSON), held.
    pub hold_order: fn(&mut State, &str) -> Result<(), StateError>,
    /// Any problem worded (all of `i18n`'s error wording and guidance): a
    /// problem follows a storage operation, which awaited this module; the
    /// network error that may come first is worded without it.
    pub word: fn(Locale, &Problem) -> ErrorText,
}

impl Codec {
    /// Which save storage holds, from its head.
    pub fn stored_save(&self, head: Option<&str>) -> StoredSave {
        match head {
            // No head needs no parser.
            None => StoredSave::Nothing,
            head => (self.head_save)(head),
        }
    }
}

fn write(
    state: &State,
    saved: &Saved,
    keys: Option<&Keys>,
    head: Option<&str>,
    rng: &mut ChaCha20Rng,
) -> Planned {
    envelope::write(state, saved, keys, head, rng)
}

fn command_wire(since: u64, command: &Command) -> String {
    let sent = Sent {
        since,
        command: command.clone(),
    };
    serde_json::to_string(&sent).unwrap_or_default()
}

fn read_reply(text: &str) -> Option<Reply> {
    serde_json::from_str(text).ok()
}

fn read_snapshot(text: &str) -> Result<(State, u64), StateError> {
    let snapshot: Snapshot = serde_json::from_str(text).map_err(|e| StateError::Corrupt {
        detail: e.to_string(),
    })?;
    Ok((State::from_snapshot(&snapshot)?, snapshot.seq))
}

fn read_delta(text: &str) -> Option<Delta> {
    serde_json::from_str(text).ok()
}

fn hold_order(state: &mut State, text: &str) -> Result<(), StateError> {
    let held: HeldOrder = serde_json::from_str(text).map_err(|e| StateError::Corrupt {
        detail: e.to_string(),
    })?;
    state.hold_order(&held)
}

fn word(locale: Locale, problem: &Problem) -> ErrorText {
    crate::i18n::problem(locale, problem, crate::env::clock_time)
}

fn table() -> Codec {
    Codec {
        read: envelope::read,
        write,
        head_save: StoredSave::of,
        with_guard: envelope::with_guard,
        check_import: envelope::check_import,
        commit: commit::run_dyn,
        command_wire,
        read_reply,
        read_snapshot,
        read_delta,
        apply_delta: State::apply_delta,
        hold_order,
        word,
    }
}

/// The split point: the module holding [`table`] and all it reaches.
#[cfg(feature = "split")]
#[wasm_split_helpers::wasm_split(codec, fallible)]
fn fetch() -> Result<Codec, Unfetched> {
    Ok(table())
}

static CODEC: OnceLock<Codec> = OnceLock::new();

/// The codec, if it has arrived (without the `split` feature it is always
/// here).
pub fn get() -> Option<&'static Codec> {
    #[cfg(not(feature = "split"))]
    CODEC.get_or_init(table);
    CODEC.get()
}

/// The codec, fetched if it has not arrived yet; a fetch that fails (the
/// network, the first time) is an error, and the next call tries again.
pub async fn ready() -> Result<&'static Codec, Unfetched> {
    if let Some(codec) = get() {
        return Ok(codec);
    }
    #[cfg(feature = "split")]
    {
        let codec = fetch().await?;
        return Ok(CODEC.get_or_init(|| codec));
    }
    #[allow(unreachable_code)]
    Err(Unfetched)
}
