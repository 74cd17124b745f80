//! The one commit protocol (`core::commit`) over storage kept as rows, as
//! the sandbox server keeps it: the main record's body, one row per order,
//! one per journal entry. A command writes what it changed and nothing
//! else; a refusal that counted nothing writes nothing; another writer's
//! save is read and the command runs again; a save that fails leaves the
//! copy in memory as storage holds it. Commands go in as `Command`s, as
//! the pages send them.

use qianbao_core::command::{self, Command, Ctx, Request};
use qianbao_core::commit::{self, Committed, Storage};
use qianbao_core::merchant::MerchantId;
use qianbao_core::session::ClientId;
use qianbao_core::state::{Changes, Delta, Snapshot, StateError};
use qianbao_core::testkit::{at, fast_hasher, World};
use qianbao_core::State;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// What a server's file holds.
#[derive(Debug, Default)]
struct Rows {
    main: String,
    orders: BTreeMap<usize, String>,
    journal: Vec<String>,
    log: BTreeMap<u64, String>,
    log_last: u64,
    /// Saves so far: a writer that saw fewer was not the last to save.
    saves: u64,
    /// What each save wrote: (main written, orders written, entries written).
    written: Vec<(bool, Vec<usize>, usize)>,
    /// The next write fails (a full disk).
    fail_next: bool,
    /// What each save sends the pages that follow it.
    deltas: Vec<Delta>,
}

impl Rows {
    fn read(&self) -> Result<State, StateError> {
        let orders: Vec<String> = self.orders.values().cloned().collect();
        let log: Vec<String> = self.log.values().cloned().collect();
        State::from_rows(&self.main, &orders, &self.journal, &log, self.log_last)
    }
}

/// One writer of the shared rows, and the save it last read or wrote.
struct Writer {
    rows: Rc<RefCell<Rows>>,
    seen: u64,
}

impl Storage for Writer {
    fn refresh(&mut self, state: &mut State) -> Result<(), StateError> {
        if self.rows.borrow().saves != self.seen {
            self.reload(state)?;
        }
        Ok(())
    }

    fn write(&mut self, state: &mut State, changes: &Changes) -> Result<(), StateError> {
        let mut rows = self.rows.borrow_mut();
        if rows.saves != self.seen {
            return Err(StateError::Conflict);
        }
        if std::mem::take(&mut rows.fail_next) {
            return Err(StateError::Full);
        }
        if let Some(main) = &changes.main {
            rows.main.clone_from(main);
        }
        for position in &changes.orders {
            rows.orders.insert(*position, state.order_json(*position)?);
        }
        for index in changes.journal_from..changes.journal_len {
            let entry = state.entry_json(index)?;
            rows.journal.push(entry);
        }
        for (id, text) in state.log_rows_after(changes.log_after)? {
            rows.log.insert(id, text);
        }
        let first = changes.log_first.unwrap_or(u64::MAX);
        rows.log.retain(|id, _| *id >= first);
        rows.log_last = changes.log_last;
        rows.saves += 1;
        self.seen = rows.saves;
        let delta = state.delta(changes, rows.saves)?;
        rows.deltas
            .push(state.page_delta(&delta, &std::collections::BTreeSet::new()));
        let written = (
            changes.main.is_some(),
            changes.orders.iter().copied().collect(),
            changes.journal_len - changes.journal_from,
        );
        rows.written.push(written);
        Ok(())
    }

    fn reload(&mut self, state: &mut State) -> Result<(), StateError> {
        let rows = self.rows.borrow();
        let client = state.client().clone();
        *state = rows.read()?;
        state.set_client(&client);
        self.seen = rows.saves;
        Ok(())
    }
}

/// A world signed in, stored as rows; the writer that stored it.
fn stored_world() -> (State, Writer, Rc<RefCell<Rows>>) {
    let mut w = World::new();
    w.top_up("500");
    let rows = Rc::new(RefCell::new(Rows::default()));
    let mut writer = Writer {
        rows: Rc::clone(&rows),
        seen: 0,
    };
    let mut state = State::default();
    // The first save of a world made in memory writes all of it.
    let all = commit::run(&mut writer, &mut state, 1, |s| {
        *s = w.state.clone();
    });
    assert_eq!(all, Committed::Saved(()));
    rows.borrow_mut().written.clear();
    (state, writer, rows)
}

fn send<C: Request>(
    writer: &mut Writer,
    state: &mut State,
    command: C,
    secs: i64,
) -> Committed<String> {
    let command: Command = command.into();
    let mut rng = ChaCha20Rng::seed_from_u64(secs as u64);
    let client = state.client().clone();
    commit::run(writer, state, 3, |s| {
        let mut ctx = Ctx {
            now: at(secs),
            wall: at(secs),
            rng: &mut rng,
            hasher: &fast_hasher(),
        };
        command.apply(s, &client, &mut ctx)
    })
}

#[test]
fn a_refusal_that_counts_nothing_writes_nothing() {
    let (mut state, mut writer, rows) = stored_world();
    let refused = send(
        &mut writer,
        &mut state,
        command::LogIn {
            login: "13900000000".to_owned(),
            password: "Whatever2026".into(),
        },
        100,
    );
    assert!(matches!(refused, Committed::Saved(answer) if answer.contains("Err")));
    assert!(rows.borrow().written.is_empty(), "nothing was written");
}

#[test]
fn a_command_writes_the_orders_and_entries_it_changed_and_nothing_else() {
    let (mut state, mut writer, rows) = stored_world();
    for secs in [100, 101, 102] {
        let placed = send(
            &mut writer,
            &mut state,
            command::CreateOrder {
                merchant: MerchantId::Cafe,
                cart: vec![("latte".to_owned(), 1)],
            },
            secs,
        );
        assert!(matches!(placed, Committed::Saved(answer) if answer.contains("Ok")));
    }
    // Each placed order wrote itself and its line in the console's log —
    // not the main record, and no journal entry.
    let written = rows.borrow().written.clone();
    assert_eq!(
        written,
        vec![
            (false, vec![0], 0),
            (false, vec![1], 0),
            (false, vec![2], 0)
        ]
    );
    assert_eq!(rows.borrow().log.len(), 3);
    // Opening the second one's cashier changes that order alone.
    let second = state
        .order_book()
        .get(1)
        .map(|o| o.out_trade_no.clone())
        .unwrap_or_default();
    let opened = send(
        &mut writer,
        &mut state,
        command::OpenCashier {
            merchant: MerchantId::Cafe,
            out_trade_no: second,
        },
        103,
    );
    assert!(matches!(opened, Committed::Saved(answer) if answer == r#"{"Ok":null}"#));
    assert_eq!(rows.borrow().written.last(), Some(&(false, vec![1], 0)));
    // What storage holds reads back as the copy in memory.
    assert_eq!(rows.borrow().read().as_ref(), Ok(&state));
}

#[test]
fn another_writers_save_is_read_and_the_command_runs_again() {
    let (mut first, mut one, rows) = stored_world();
    let mut two = Writer {
        rows: Rc::clone(&rows),
        seen: one.seen,
    };
    let mut second = first.clone();
    for (writer, state, secs) in [(&mut one, &mut first, 100), (&mut two, &mut second, 101)] {
        let placed = send(
            writer,
            state,
            command::CreateOrder {
                merchant: MerchantId::Books,
                cart: vec![("novel".to_owned(), 1)],
            },
            secs,
        );
        assert!(matches!(placed, Committed::Saved(answer) if answer.contains("Ok")));
    }
    // The second writer's first attempt met the first one's save: it read
    // it and placed its order after it.
    assert_eq!(second.order_book().len(), 2);
    assert_eq!(rows.borrow().read().map(|s| s.order_book().len()), Ok(2));
}

#[test]
fn a_save_that_fails_leaves_the_copy_as_storage_holds_it() {
    let (mut state, mut writer, rows) = stored_world();
    let before = rows.borrow().read();
    rows.borrow_mut().fail_next = true;
    let failed = send(
        &mut writer,
        &mut state,
        command::CreateOrder {
            merchant: MerchantId::Cafe,
            cart: vec![("latte".to_owned(), 2)],
        },
        100,
    );
    assert!(matches!(failed, Committed::Unsaved(_, StateError::Full)));
    assert!(
        state.order_book().is_empty(),
        "the order is gone from memory too"
    );
    assert_eq!(Ok(&state), before.as_ref());
}

#[test]
fn two_clients_have_their_own_sessions_on_one_state() {
    let (mut state, mut writer, _) = stored_world();
    let me = state.signed_in().map(|a| a.id());
    assert!(me.is_some());
    // Another browser: nobody is signed in there.
    let other = ClientId::parse("browser-b").unwrap_or_default();
    state.set_client(&other);
    assert!(state.signed_in().is_none());
    let out = send(&mut writer, &mut state, command::LogOut {}, 100);
    assert!(matches!(out, Committed::Saved(_)));
    // Back in the first browser: still signed in.
    state.set_client(&ClientId::local());
    assert_eq!(state.signed_in().map(|a| a.id()), me);
}

#[test]
fn a_page_that_follows_the_deltas_holds_what_storage_holds() {
    let (mut state, mut writer, rows) = stored_world();
    // The page reads the whole state once…
    let snapshot: Snapshot = {
        let rows = rows.borrow();
        let stored = rows.read().unwrap_or_else(|e| panic!("{e}"));
        let client = ClientId::parse("page").unwrap_or_default();
        stored
            .snapshot(rows.saves, &client, &[])
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let mut page = State::from_snapshot(&snapshot).unwrap_or_else(|e| panic!("{e}"));
    // …then the writer places orders, pays one, refunds it, clears the log.
    for secs in [100, 101] {
        send(
            &mut writer,
            &mut state,
            command::CreateOrder {
                merchant: MerchantId::Cafe,
                cart: vec![("latte".to_owned(), 1)],
            },
            secs,
        );
    }
    // A movement: the journal grows by one entry.
    let me = state
        .signed_in()
        .map(|a| a.id())
        .unwrap_or_else(|| panic!("signed in"));
    let card = state
        .cards_of(me)
        .next()
        .map(|c| c.id())
        .unwrap_or_else(|| panic!("a card"));
    let form = command::Form::TopUp {
        card,
        amount: "12".to_owned(),
    };
    let reviewed = state
        .prepare(form.borrowed(), at(101))
        .unwrap_or_else(|e| panic!("{e}"));
    let topped = send(
        &mut writer,
        &mut state,
        command::Commit {
            key: "k1".to_owned(),
            form,
            reviewed,
        },
        101,
    );
    assert!(matches!(topped, Committed::Saved(answer) if answer.contains("Ok")));
    send(&mut writer, &mut state, command::ClearLog {}, 102);
    send(
        &mut writer,
        &mut state,
        command::CreateOrder {
            merchant: MerchantId::Digital,
            cart: vec![("earbuds".to_owned(), 1)],
        },
        103,
    );
    // (The page has the saves up to its snapshot's already.)
    let deltas: Vec<Delta> = rows
        .borrow()
        .deltas
        .iter()
        .filter(|d| d.seq > snapshot.seq)
        .cloned()
        .collect();
    assert_eq!(deltas.len(), 5);
    assert_eq!(deltas.iter().map(|d| d.journal.len()).sum::<usize>(), 1);
    for delta in &deltas {
        page.apply_delta(delta).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut expected = rows.borrow().read().unwrap_or_default();
    expected.set_client(page.client());
    assert_eq!(page, expected);
    assert_eq!(
        page.sim().log().len(),
        1,
        "the clear and the order after it"
    );
    // A delta that does not follow (one skipped) is refused.
    let mut behind = State::from_snapshot(&snapshot).unwrap_or_default();
    let mut skipped = deltas[1].clone();
    skipped.journal_from += 1;
    assert!(behind.apply_delta(&skipped).is_err());
}
