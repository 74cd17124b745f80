//! The state as a sandbox server keeps it — a row per order, journal entry
//! and log line beside the main record — and what its pages read: the
//! first [`Snapshot`], then each save's [`Delta`]. A page holds the whole
//! state but the orders, of which it holds a window (see
//! [`crate::order::Orders::window`]): the orders a person can see or act
//! on, the same few whatever the number a merchant's backend places.

use super::*;
use std::collections::BTreeSet;

/// What one save of a sandbox server changed, as its pages receive it: the
/// rows it wrote (see [`Changes`]), numbered by the save (`seq`). A page
/// holding save `seq - 1` applies it ([`State::apply_delta`]) and holds
/// save `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<(usize, String)>,
    pub journal_from: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journal: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<String>,
    #[serde(default)]
    pub log_first: Option<u64>,
    pub log_last: u64,
    /// How many orders there are after the save.
    #[serde(default)]
    pub orders_len: usize,
    /// The order counts of the merchants whose orders changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<(MerchantId, usize)>,
}

/// A sandbox server's state as a page first reads it: the rows of save
/// `seq` — of the orders, the window's and those the page asked for, by
/// position, with how many there are and each merchant's count — and
/// which client the page is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub seq: u64,
    pub client: ClientId,
    pub main: String,
    pub orders: Vec<(usize, String)>,
    pub orders_len: usize,
    pub counts: Vec<(MerchantId, usize)>,
    pub journal: Vec<String>,
    pub log: Vec<String>,
    pub log_last: u64,
}

/// One order a page asked for (the cashier's), as the server's save `seq`
/// holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldOrder {
    pub seq: u64,
    pub position: usize,
    pub order: String,
}

impl State {
    /// Reads the parts a sandbox server keeps, each a row of its own: the
    /// main record's body (unsealed: the server's file is its own, not a
    /// browser's storage), every order in order of placing, and every
    /// journal entry in order, the console's log entries in order and the id
    /// of the newest one ever ([`Changes::log_last`]) — checked as
    /// [`State::from_parts`] checks a browser's copy.
    pub fn from_rows(
        main: &str,
        orders: &[String],
        journal: &[String],
        log: &[String],
        log_last: u64,
    ) -> Result<Self, StateError> {
        #[derive(Deserialize)]
        struct Header {
            schema: Option<u64>,
        }
        let header: Header = serde_json::from_str(main).map_err(|e| corrupt(e.to_string()))?;
        let found = header.schema.ok_or_else(|| corrupt("no schema version"))?;
        let mut main = parse_main(main, found)?;
        if !main.orders.is_empty() {
            return Err(corrupt("the main record holds orders of its own"));
        }
        main.orders = orders
            .iter()
            .enumerate()
            .map(|(i, text)| {
                serde_json::from_str(text).map_err(|e| corrupt(format!("order {i}: {e}")))
            })
            .collect::<Result<_, _>>()?;
        if journal.len() != main.journal_len {
            return Err(corrupt(format!(
                "history has {} of {} entries",
                journal.len(),
                main.journal_len
            )));
        }
        let entries = journal
            .iter()
            .enumerate()
            .map(|(i, text)| {
                serde_json::from_str(text)
                    .map(|entry| (entry, text.as_str()))
                    .map_err(|e| corrupt(format!("history entry {i}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let log = log
            .iter()
            .enumerate()
            .map(|(i, text)| {
                serde_json::from_str(text).map_err(|e| corrupt(format!("log entry {i}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !main.sim.log().is_empty() {
            return Err(corrupt("the main record holds log entries of its own"));
        }
        if !main.sim.restore_log(log, log_last) {
            return Err(corrupt("the log's entries are out of order or too many"));
        }
        Self::assemble(main, entries, true, 0)
    }

    /// What `changes` wrote as save `seq`: every row, as a server's copy
    /// of the state follows it (a page receives [`State::page_delta`]).
    pub fn delta(&self, changes: &Changes, seq: u64) -> Result<Delta, StateError> {
        let merchants: BTreeSet<MerchantId> = changes
            .orders
            .iter()
            .filter_map(|p| self.orders.get(*p).map(|o| o.merchant))
            .collect();
        Ok(Delta {
            seq,
            main: changes.main.clone(),
            orders: changes
                .orders
                .iter()
                .map(|p| self.order_json(*p).map(|text| (*p, text)))
                .collect::<Result<_, _>>()?,
            journal_from: changes.journal_from,
            journal: (changes.journal_from..changes.journal_len)
                .map(|i| self.entry_json(i))
                .collect::<Result<_, _>>()?,
            log: self
                .log_rows_after(changes.log_after)?
                .into_iter()
                .map(|(_, text)| text)
                .collect(),
            log_first: changes.log_first,
            log_last: changes.log_last,
            orders_len: self.orders.len(),
            counts: merchants
                .into_iter()
                .map(|m| (m, self.orders.count(m)))
                .collect(),
        })
    }

    /// What a page receives of `full` (a save of this state, just made):
    /// the changed orders in the window now, or in `before` (the window
    /// before the save: an order that left it by changing, such as one
    /// closed at the cashier, is sent as it is now).
    pub fn page_delta(&self, full: &Delta, before: &BTreeSet<usize>) -> Delta {
        let sent = self.orders.sent_to_pages(before);
        Delta {
            orders: full
                .orders
                .iter()
                .filter(|(p, _)| sent.contains(p))
                .cloned()
                .collect(),
            ..full.clone()
        }
    }

    /// What a page that is `client` first reads at save `seq` (this state):
    /// the window's orders and those at `hold` (the page asked for them).
    pub fn snapshot(
        &self,
        seq: u64,
        client: &ClientId,
        hold: &[usize],
    ) -> Result<Snapshot, StateError> {
        let mut positions = self.orders.window();
        positions.extend(hold.iter().filter(|p| self.orders.get(**p).is_some()));
        Ok(Snapshot {
            seq,
            client: client.clone(),
            main: self.main_body(false)?,
            orders: positions
                .into_iter()
                .map(|p| self.order_json(p).map(|text| (p, text)))
                .collect::<Result<_, _>>()?,
            orders_len: self.orders.len(),
            counts: self.orders.counts(),
            journal: (0..self.ledger.len())
                .map(|i| self.entry_json(i))
                .collect::<Result<_, _>>()?,
            log: self
                .log_rows_after(0)?
                .into_iter()
                .map(|(_, text)| text)
                .collect(),
            log_last: self.sim.last_log_id(),
        })
    }

    /// The order at `position` for a page that asked for it at save `seq`.
    pub fn held_order(&self, seq: u64, position: usize) -> Result<HeldOrder, StateError> {
        Ok(HeldOrder {
            seq,
            position,
            order: self.order_json(position)?,
        })
    }

    /// A page holds `held` (an order it asked for) from now on.
    pub fn hold_order(&mut self, held: &HeldOrder) -> Result<(), StateError> {
        let order: Order = serde_json::from_str(&held.order)
            .map_err(|e| corrupt(format!("order {}: {e}", held.position)))?;
        self.orders
            .hold(held.position, order, held.seq)
            .map_err(|_| corrupt(format!("order {} is out of place", held.position)))?;
        self.check()
    }

    /// Brings a page's copy from one save of the sandbox server to the next
    /// (`delta`). A delta that does not follow from this copy (a journal
    /// that does not continue it, an order out of place) is refused: the
    /// page reads the whole state again.
    pub fn apply_delta(&mut self, delta: &Delta) -> Result<(), StateError> {
        if delta.journal_from != self.ledger.len() {
            return Err(StateError::Stale {
                detail: format!(
                    "the delta continues the history at {}, this copy has {}",
                    delta.journal_from,
                    self.ledger.len()
                ),
            });
        }
        if let Some(text) = &delta.main {
            #[derive(Deserialize)]
            struct Header {
                schema: Option<u64>,
            }
            let header: Header = serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?;
            let found = header.schema.ok_or_else(|| corrupt("no schema version"))?;
            let main = parse_main(text, found)?;
            let orders = std::mem::take(&mut self.orders);
            let log = self.sim.log().to_vec();
            let last = self.sim.last_log_id();
            self.restore_main(main)?;
            self.orders = orders;
            self.sim.restore_log(log, last);
        }
        for (position, text) in &delta.orders {
            if self.orders.newer_than(*position, delta.seq) {
                continue;
            }
            let order: Order = serde_json::from_str(text)
                .map_err(|e| corrupt(format!("order {position}: {e}")))?;
            self.orders
                .put(*position, order)
                .map_err(|_| corrupt(format!("order {position} is out of place")))?;
        }
        if self.orders.is_window() {
            for (merchant, count) in &delta.counts {
                self.orders.set_count(*merchant, *count);
            }
        }
        self.orders
            .set_len(delta.orders_len)
            .map_err(|_| corrupt(format!("the delta leaves {} orders", delta.orders_len)))?;
        for text in &delta.journal {
            let entry: Entry =
                serde_json::from_str(text).map_err(|e| corrupt(format!("history: {e}")))?;
            self.ledger
                .append_stored(entry, text)
                .map_err(|e| corrupt(format!("history: {e}")))?;
        }
        let mut log = self.sim.log().to_vec();
        for text in &delta.log {
            let entry: crate::sim::LogEntry =
                serde_json::from_str(text).map_err(|e| corrupt(format!("log: {e}")))?;
            if log.last().is_none_or(|last| last.id < entry.id) {
                log.push(entry);
            }
        }
        let first = delta.log_first.unwrap_or(u64::MAX);
        log.retain(|e| e.id >= first);
        let excess = log.len().saturating_sub(crate::sim::LOG_CAPACITY);
        log.drain(..excess);
        if !self.sim.restore_log(log, delta.log_last) {
            return Err(corrupt("the log's entries are out of order"));
        }
        self.orders.trim();
        self.orders.take_changed();
        Ok(())
    }

    /// A page's first copy of a sandbox server's state, holding a window
    /// of its orders.
    pub fn from_snapshot(snapshot: &Snapshot) -> Result<Self, StateError> {
        let mut state = Self::from_rows(
            &snapshot.main,
            &[],
            &snapshot.journal,
            &snapshot.log,
            snapshot.log_last,
        )?;
        let held = snapshot
            .orders
            .iter()
            .map(|(p, text)| {
                serde_json::from_str(text)
                    .map(|order| (*p, order))
                    .map_err(|e| corrupt(format!("order {p}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        state.orders =
            crate::order::Orders::window_from(held, snapshot.orders_len, &snapshot.counts)
                .map_err(|_| corrupt("merchant order numbers are invalid or repeated"))?;
        state.check()?;
        state.set_client(&snapshot.client);
        Ok(state)
    }

    /// Order `position` as a server's row stores it.
    pub fn order_json(&self, position: usize) -> Result<String, StateError> {
        let order = self
            .orders
            .get(position)
            .ok_or_else(|| StateError::Unwritable {
                detail: format!("no order at {position}"),
            })?;
        serde_json::to_string(order).map_err(|e| StateError::Unwritable {
            detail: e.to_string(),
        })
    }

    /// Journal entry `index` (from 0) as a server's row stores it: the text
    /// its checksum chain covers.
    pub fn entry_json(&self, index: usize) -> Result<String, StateError> {
        let entry = self
            .ledger
            .entries()
            .get(index)
            .ok_or_else(|| StateError::Unwritable {
                detail: format!("no journal entry {index}"),
            })?;
        serde_json::to_string(entry).map_err(|e| StateError::Unwritable {
            detail: e.to_string(),
        })
    }
}
