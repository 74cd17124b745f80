//! # One commit protocol
//!
//! Every writer of the sandbox's state commits a command the same way: the
//! browser's store over `localStorage`, the sandbox server over SQLite, the
//! tabs test over its model of a browser's storage, and the simulation over
//! its disk. [`run`] is that way:
//!
//! 1. the state is brought up to what storage holds (another tab, browser
//!    or process may have saved since) — [`Storage::refresh`];
//! 2. the command runs;
//! 3. if nothing changed ([`State::changes`] is empty: a refusal that
//!    counted nothing), nothing is written;
//! 4. else what changed is written — [`Storage::write`]: the main record
//!    if it changed, the orders that changed, the journal's new entries;
//! 5. if another writer saved first ([`StateError::Conflict`], nothing
//!    written), storage is read again and the command runs again on the
//!    newer state (idempotency keys make that safe), up to `attempts`
//!    times;
//! 6. if the write failed otherwise, storage is read again, so the copy in
//!    memory never holds what storage does not — nothing half-done, nothing
//!    shown that a reload would take away.
//!
//! Nothing here compares or copies the whole state: a command costs what
//! it changed.

use crate::state::{Changes, State, StateError};

/// Where a writer keeps the state.
pub trait Storage {
    /// Brings `state` up to what storage holds, if another writer saved
    /// since this one last read or wrote.
    fn refresh(&mut self, state: &mut State) -> Result<(), StateError>;

    /// Writes `changes` of `state` as the next save, over the save this
    /// writer last read or wrote; [`StateError::Conflict`], having written
    /// nothing, if another writer saved since.
    fn write(&mut self, state: &mut State, changes: &Changes) -> Result<(), StateError>;

    /// Reads what storage holds into `state`, whatever `state` holds now.
    fn reload(&mut self, state: &mut State) -> Result<(), StateError>;
}

/// What [`run`] did.
#[derive(Debug, PartialEq)]
pub enum Committed<T> {
    /// The command ran and what it changed is in storage (or it changed
    /// nothing).
    Saved(T),
    /// The command ran (this is its last result) but what it changed could
    /// not be saved, and is gone from the copy in memory too.
    Unsaved(T, StateError),
    /// Storage could not be read: the command did not run.
    NotRun(StateError),
}

impl<T> Committed<T> {
    /// The command's result when saved, else the storage error.
    pub fn saved(self) -> Result<T, StateError> {
        match self {
            Committed::Saved(value) => Ok(value),
            Committed::Unsaved(_, error) | Committed::NotRun(error) => Err(error),
        }
    }
}

/// Runs `command` on `state` and commits what it changed (see the module
/// docs), trying up to `attempts` times when other writers save first.
pub fn run<S: Storage + ?Sized, T>(
    storage: &mut S,
    state: &mut State,
    attempts: usize,
    mut command: impl FnMut(&mut State) -> T,
) -> Committed<T> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        if let Err(error) = storage.refresh(state) {
            return Committed::NotRun(error);
        }
        let value = command(state);
        let saved = state.changes().and_then(|changes| {
            if changes.is_empty() {
                return Ok(());
            }
            storage.write(state, &changes)?;
            state.mark_saved(changes);
            Ok(())
        });
        match saved {
            Ok(()) => return Committed::Saved(value),
            Err(StateError::Conflict) if attempt < attempts => {
                // Another writer came first: its save is read, and the
                // command runs again on it.
                if let Err(error) = storage.reload(state) {
                    return Committed::Unsaved(value, error);
                }
            }
            Err(error) => {
                // What this copy holds was never stored: read what is.
                let _ = storage.reload(state);
                return Committed::Unsaved(value, error);
            }
        }
    }
}

/// [`run`] without type parameters: one copy of the protocol however many
/// kinds of command and storage use it (the browser reaches it through a
/// table of functions, so that it arrives with the stored form's code).
/// The command's result leaves through what the closure captures.
pub fn run_dyn(
    storage: &mut dyn Storage,
    state: &mut State,
    attempts: usize,
    command: &mut dyn FnMut(&mut State),
) -> Committed<()> {
    run(storage, state, attempts, command)
}
