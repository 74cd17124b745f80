//! `localStorage` as the browser shell uses it, with the ways a save can stop.

use super::*;

impl Disk {
    /// The chunks that grew since the last save (`save_state`'s first half).
    pub(crate) fn write_chunks(&mut self, state: &State) -> Result<(), StateError> {
        for index in dirty_chunks(self.saved_len, state.ledger().len()) {
            let text = state.chunk_json(index)?;
            match self.chunks.get_mut(index) {
                Some(chunk) => *chunk = text,
                None => self.chunks.push(text),
            }
        }
        Ok(())
    }

    /// `save_state`: refused if another tab wrote since (never here: one
    /// tab), else the new chunks, then the main record as the next revision.
    pub(crate) fn save(&mut self, state: &mut State) -> Result<(), StateError> {
        let stored = self
            .main
            .as_deref()
            .map_or(0, |main| State::stored_revision(main).unwrap_or(0));
        if stored != state.revision() {
            return Err(StateError::Conflict);
        }
        self.write_chunks(state)?;
        state.set_revision(state.revision() + 1);
        self.main = Some(state.main_json()?);
        self.saved_len = state.ledger().len();
        Ok(())
    }

    pub(crate) fn load(&self) -> Result<State, StateError> {
        match &self.main {
            Some(main) => State::from_parts(main, &self.chunks),
            None => Ok(State::default()),
        }
    }
}

// ---------------------------------------------------------------------------
// The invariants
// ---------------------------------------------------------------------------
