//! The sandbox's storage as the sandbox server keeps it — the main
//! record's body, a row per order, per journal entry and per log entry, a
//! save written whole or not at all (SQLite's transaction) — under the one
//! commit protocol, with the ways a save can stop. (The browser's own
//! stored form, and a save interrupted between its writes, are the tabs
//! test's and the envelope tests'.)

use super::*;

impl Rows {
    pub(crate) fn load(&self) -> Result<State, StateError> {
        if self.main.is_empty() {
            return Ok(State::default());
        }
        let orders: Vec<String> = self.orders.values().cloned().collect();
        let log: Vec<String> = self.log.values().cloned().collect();
        State::from_rows(&self.main, &orders, &self.journal, &log, self.log_last)
    }

    /// `changes` written into a copy of the rows (the transaction).
    fn with(&self, state: &State, changes: &Changes) -> Result<Rows, StateError> {
        let mut next = self.clone();
        if let Some(main) = &changes.main {
            next.main.clone_from(main);
        }
        for position in &changes.orders {
            next.orders.insert(*position, state.order_json(*position)?);
        }
        next.journal.truncate(changes.journal_from);
        for index in changes.journal_from..changes.journal_len {
            next.journal.push(state.entry_json(index)?);
        }
        for (id, text) in state.log_rows_after(changes.log_after)? {
            next.log.insert(id, text);
        }
        let first = changes.log_first.unwrap_or(u64::MAX);
        next.log.retain(|id, _| *id >= first);
        next.log_last = changes.log_last;
        Ok(next)
    }
}

impl commit::Storage for Disk {
    /// One writer: storage never moves under it.
    fn refresh(&mut self, _: &mut State) -> Result<(), StateError> {
        Ok(())
    }

    /// The transaction: every changed row, or — with the fault the step
    /// asked for — none of them.
    fn write(&mut self, state: &mut State, changes: &Changes) -> Result<(), StateError> {
        let next = self.rows.with(state, changes)?;
        match self.fault {
            Some(DiskFault::Refuse) => Err(StateError::Full),
            Some(DiskFault::StopAfterChunks) => Err(StateError::Unwritable {
                detail: "the process stopped before the transaction committed".to_owned(),
            }),
            None => {
                self.rows = next;
                Ok(())
            }
        }
    }

    fn reload(&mut self, state: &mut State) -> Result<(), StateError> {
        let client = state.client().clone();
        *state = self.rows.load()?;
        state.set_client(&client);
        Ok(())
    }
}
