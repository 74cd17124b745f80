//! The wallet's money, end to end through `core`'s public API: two users,
//! cards, top-ups, withdrawals, transfers, bills, limits, idempotency, the
//! ledger's invariants under random operation sequences, and the storage
//! round trip of a long history.

use expect_test::expect;
use proptest::prelude::*;
use qianbao_core::card::{test_card_number, CardId, NewCard};
use qianbao_core::ledger::{dirty_chunks, Biller, CHUNK_ENTRIES};
use qianbao_core::money::{Fen, MoneyError};
use qianbao_core::movement::{HistoryFilter, HistoryKind, MoveError, MovementForm};
use qianbao_core::provider::MovementKind;
use qianbao_core::security::Hasher;
use qianbao_core::state::StateError;
use qianbao_core::{State, Timestamp};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rstest::rstest;

/// 2026-11-18 19:06:40 CST.
const T0: i64 = 1_795_000_000_000;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_millis(T0 + secs * 1000)
}

fn hasher() -> Hasher {
    Hasher::with_params(argon2::Params::new(8, 1, 1, None).unwrap_or_else(|e| panic!("{e}")))
}

/// Two wallet users; `a` is signed in and has a debit and a credit card.
struct World {
    state: State,
    a: (String, String, String),
    b: (String, String, String),
    debit: CardId,
    credit: CardId,
}

impl World {
    fn new() -> Self {
        let mut state = State::default();
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let mut person = |state: &mut State| {
            let demo = state
                .create_demo_wallet(at(0), &mut rng, &hasher())
                .unwrap_or_else(|e| panic!("{e}"));
            (
                demo.login.as_str().to_owned(),
                demo.password,
                demo.real_name.as_str().to_owned(),
            )
        };
        let a = person(&mut state);
        let b = person(&mut state);
        let mut world = World {
            state,
            a,
            b,
            debit: CardId::new(0),
            credit: CardId::new(0),
        };
        world.sign_in_a();
        let name = world.a.2.clone();
        world.debit = world.add_card("622202", &name);
        world.credit = world.add_card("625330", &name);
        world
    }

    fn add_card(&mut self, bin: &str, holder: &str) -> CardId {
        let number = test_card_number(bin, "0012345678");
        let form = NewCard {
            number: &number,
            holder,
            expiry: "12/30",
            cvv: "123",
        };
        self.state
            .add_card(form, at(1))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn sign_in_a(&mut self) {
        self.state.log_out();
        self.state
            .log_in(&self.a.0, &self.a.1, at(2))
            .unwrap_or_else(|e| panic!("{e}"));
    }

    fn sign_in_b(&mut self) {
        self.state.log_out();
        self.state
            .log_in(&self.b.0, &self.b.1, at(2))
            .unwrap_or_else(|e| panic!("{e}"));
    }

    fn me(&self) -> qianbao_core::account::AccountId {
        self.state
            .signed_in()
            .map(|a| a.id())
            .unwrap_or_else(|| panic!("signed in"))
    }

    fn run(&mut self, key: &str, form: MovementForm<'_>, secs: i64) -> Result<Fen, MoveError> {
        let prepared = self.state.prepare(form, at(secs))?;
        self.state
            .commit(key, &prepared, at(secs))
            .map(|r| r.balance)
    }

    fn top_up(&mut self, key: &str, amount: &str) -> Result<Fen, MoveError> {
        let card = self.debit;
        self.run(key, MovementForm::TopUp { card, amount }, 10)
    }
}

#[test]
fn a_scripted_day_leaves_this_ledger() {
    let mut w = World::new();
    let b_login = w.b.0.clone();
    let debit = w.debit;
    assert_eq!(w.top_up("k1", "500"), Ok(Fen::from_yuan(500)));
    assert!(w
        .run(
            "k2",
            MovementForm::Transfer {
                payee: &b_login,
                amount: "123.45",
                note: "午饭"
            },
            20
        )
        .is_ok());
    assert!(w
        .run(
            "k3",
            MovementForm::Bill {
                biller: Biller::Electricity,
                account: "1234567890",
                amount: "88.8"
            },
            30
        )
        .is_ok());
    assert!(w
        .run(
            "k4",
            MovementForm::Bill {
                biller: Biller::Mobile,
                account: "+86 139 0000 1111",
                amount: "50"
            },
            40
        )
        .is_ok());
    assert!(w
        .run(
            "k5",
            MovementForm::Withdraw {
                card: debit,
                amount: "100"
            },
            50
        )
        .is_ok());
    let lines: Vec<String> = w
        .state
        .ledger()
        .entries()
        .iter()
        .map(|e| {
            let postings: Vec<String> = e
                .postings
                .iter()
                .map(|p| format!("{} {}", p.0, p.1.plain()))
                .collect();
            format!(
                "#{} by {} {:?}: {}",
                e.id,
                e.by,
                e.kind,
                postings.join(", ")
            )
        })
        .collect();
    expect![[r#"
        #1 by w:1 CardOpening { card: CardId(1) }: bank -20000.00, c:1 20000.00
        #2 by w:1 CardOpening { card: CardId(2) }: bank -10000.00, c:2 10000.00
        #3 by w:1 TopUp { card: CardId(1) }: c:1 -500.00, w:1 500.00
        #4 by w:1 Transfer { note: "午饭" }: w:1 -123.45, w:2 123.45
        #5 by w:1 Bill { biller: Electricity, account: "1234567890" }: w:1 -88.80, biller:electricity 88.80
        #6 by w:1 Bill { biller: Mobile, account: "13900001111" }: w:1 -50.00, biller:mobile 50.00
        #7 by w:1 Withdraw { card: CardId(1) }: w:1 -100.00, c:1 100.00"#]]
    .assert_eq(&lines.join("\n"));
    let me = w.me();
    assert_eq!(
        w.state.balance(me),
        Fen::new(50_000 - 12_345 - 8_880 - 5_000 - 10_000)
    );
    assert_eq!(w.state.ledger().total(), 0);
    // B received it, and sees it as incoming.
    w.sign_in_b();
    let b = w.me();
    assert_eq!(w.state.balance(b), Fen::new(12_345));
    let kinds: Vec<HistoryKind> = w
        .state
        .history(b, HistoryFilter::default())
        .map(|l| l.kind)
        .collect();
    assert_eq!(kinds, vec![HistoryKind::TransferIn]);
}

#[rstest]
#[case("0", MoveError::Amount(MoneyError::NotPositive))]
#[case("-1", MoveError::Amount(MoneyError::Negative))]
#[case("1.001", MoveError::Amount(MoneyError::TooManyDecimals))]
#[case("50000.01", MoveError::SingleLimit { kind: MovementKind::TopUp, max: Fen::from_yuan(50_000) })]
#[case("20000.01", MoveError::CardFunds { available: Fen::from_yuan(20_000) })]
fn top_up_rules(#[case] amount: &str, #[case] error: MoveError) {
    let mut w = World::new();
    let before = w.state.clone();
    assert_eq!(w.top_up("k", amount), Err(error));
    assert_eq!(w.state, before);
}

#[test]
fn withdrawals_go_to_debit_cards_only_and_need_funds() {
    let mut w = World::new();
    w.top_up("k1", "100").unwrap();
    let credit = w.credit;
    let debit = w.debit;
    assert_eq!(
        w.run(
            "k2",
            MovementForm::Withdraw {
                card: credit,
                amount: "1"
            },
            20
        ),
        Err(MoveError::NotDebit)
    );
    assert_eq!(
        w.run(
            "k3",
            MovementForm::Withdraw {
                card: debit,
                amount: "100.01"
            },
            20
        ),
        Err(MoveError::NotEnough {
            balance: Fen::from_yuan(100)
        })
    );
    assert_eq!(
        w.run(
            "k4",
            MovementForm::Withdraw {
                card: debit,
                amount: "100"
            },
            20
        ),
        Ok(Fen::ZERO)
    );
}

#[rstest]
#[case(Biller::Electricity, "123456789", false)]
#[case(Biller::Electricity, "1234567890", true)]
#[case(Biller::Electricity, "12345678ab", false)]
#[case(Biller::Water, "1234567", false)]
#[case(Biller::Water, "12345678", true)]
#[case(Biller::Water, "12 3456 7890", true)]
#[case(Biller::Mobile, "12800138000", false)]
#[case(Biller::Mobile, "138-0013-8000", true)]
fn bill_accounts(#[case] biller: Biller, #[case] account: &str, #[case] ok: bool) {
    let mut w = World::new();
    w.top_up("k1", "100").unwrap();
    let result = w.run(
        "k2",
        MovementForm::Bill {
            biller,
            account,
            amount: "10",
        },
        20,
    );
    if ok {
        assert!(result.is_ok(), "{result:?}");
    } else {
        assert_eq!(result, Err(MoveError::BillAccount { biller }));
    }
}

#[test]
fn transfers_find_the_payee_and_show_the_name_masked() {
    let mut w = World::new();
    let b_login = w.b.0.clone();
    let payee = w
        .state
        .find_payee(&format!("+86 {b_login}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let name = w.b.2.clone();
    let last = name.chars().last().unwrap_or_default();
    assert_eq!(
        payee.masked_name,
        format!("{}{last}", "*".repeat(name.chars().count() - 1))
    );
    assert!(payee.masked_login.contains("****"));
    let a_login = w.a.0.clone();
    assert_eq!(w.state.find_payee(&a_login), Err(MoveError::PayeeIsSelf));
    assert_eq!(
        w.state.find_payee("13912345678"),
        Err(MoveError::PayeeNotFound)
    );
    w.top_up("k1", "10").unwrap();
    assert_eq!(
        w.run(
            "k2",
            MovementForm::Transfer {
                payee: &b_login,
                amount: "1",
                note: &"长".repeat(31)
            },
            20
        ),
        Err(MoveError::NoteTooLong)
    );
}

#[test]
fn daily_limits_count_per_cst_day() {
    let mut w = World::new();
    let b_login = w.b.0.clone();
    // Fund the wallet from both cards' banks over two days.
    let credit = w.credit;
    w.top_up("t1", "20000").unwrap();
    let _ = w.run(
        "t2",
        MovementForm::TopUp {
            card: credit,
            amount: "10000",
        },
        11,
    );
    let transfer = |w: &mut World, key: &str, amount: &str, secs: i64| {
        w.run(
            key,
            MovementForm::Transfer {
                payee: &b_login,
                amount,
                note: "",
            },
            secs,
        )
    };
    assert!(transfer(&mut w, "x1", "20000", 100).is_ok());
    assert_eq!(
        transfer(&mut w, "x2", "20000.01", 101),
        Err(MoveError::SingleLimit {
            kind: MovementKind::Transfer,
            max: Fen::from_yuan(20_000)
        })
    );
    // T0 is 19:06 CST: five hours later is the next day, the limit is fresh.
    assert!(transfer(&mut w, "x3", "9000", 5 * 3600).is_ok());
}

#[test]
fn the_daily_limit_is_reached_across_transfers() {
    let mut w = World::new();
    let b_login = w.b.0.clone();
    let credit = w.credit;
    w.top_up("t1", "20000").unwrap();
    let _ = w.run(
        "t2",
        MovementForm::TopUp {
            card: credit,
            amount: "10000",
        },
        11,
    );
    let name = w.a.2.clone();
    let debit2 = w.add_card("622848", &name);
    let debit3 = w.add_card("621700", &name);
    let _ = w.run(
        "t3",
        MovementForm::TopUp {
            card: debit2,
            amount: "20000",
        },
        12,
    );
    let _ = w.run(
        "t4",
        MovementForm::TopUp {
            card: debit3,
            amount: "20000",
        },
        13,
    );
    for (i, amount) in ["20000", "20000"].iter().enumerate() {
        let key = format!("x{i}");
        assert!(w
            .run(
                &key,
                MovementForm::Transfer {
                    payee: &b_login,
                    amount,
                    note: ""
                },
                100
            )
            .is_ok());
    }
    assert_eq!(
        w.run(
            "x9",
            MovementForm::Transfer {
                payee: &b_login,
                amount: "10000.01",
                note: ""
            },
            200
        ),
        Err(MoveError::DailyLimit {
            kind: MovementKind::Transfer,
            max: Fen::from_yuan(50_000),
            left: Fen::from_yuan(10_000)
        })
    );
    assert!(w
        .run(
            "x10",
            MovementForm::Transfer {
                payee: &b_login,
                amount: "10000",
                note: ""
            },
            200
        )
        .is_ok());
}

#[test]
fn a_retried_submission_takes_effect_once() {
    let mut w = World::new();
    let me = w.me();
    let prepared = w.state.prepare(
        MovementForm::TopUp {
            card: w.debit,
            amount: "10",
        },
        at(10),
    );
    let prepared = prepared.unwrap_or_else(|e| panic!("{e}"));
    let first = w.state.commit("same", &prepared, at(10));
    let second = w.state.commit("same", &prepared, at(11));
    assert_eq!(first, second);
    assert_eq!(w.state.balance(me), Fen::from_yuan(10));
    let other = w.state.prepare(
        MovementForm::TopUp {
            card: w.debit,
            amount: "11",
        },
        at(12),
    );
    let other = other.unwrap_or_else(|e| panic!("{e}"));
    let before = w.state.clone();
    assert_eq!(
        w.state.commit("same", &other, at(12)),
        Err(MoveError::KeyReused)
    );
    assert_eq!(w.state, before);
}

#[test]
fn cards_keep_only_the_last_four_digits() {
    let mut w = World::new();
    let number = test_card_number("622588", "0098765432");
    let name = w.a.2.clone();
    let form = NewCard {
        number: &number,
        holder: &name,
        expiry: "",
        cvv: "",
    };
    let id = w
        .state
        .add_card(form, at(5))
        .unwrap_or_else(|e| panic!("{e}"));
    let main = w.state.main_json().unwrap_or_default();
    let chunks: String = (0..w.state.ledger().chunk_count())
        .map(|i| w.state.chunk_json(i).unwrap_or_default())
        .collect();
    assert!(!main.contains(&number[..10]) && !chunks.contains(&number[..10]));
    assert_eq!(
        w.state.card(id).map(|c| c.masked()),
        Some(format!("**** {}", &number[number.len() - 4..]))
    );
    // The same card twice is refused; the holder must be the real name.
    assert!(matches!(
        w.state.add_card(form, at(6)),
        Err(MoveError::Card(_))
    ));
    let other = test_card_number("622588", "0011111111");
    let stranger = NewCard {
        number: &other,
        holder: "欧阳娜娜",
        expiry: "",
        cvv: "",
    };
    assert!(matches!(
        w.state.add_card(stranger, at(6)),
        Err(MoveError::Card(_))
    ));
}

#[test]
fn removing_the_default_card_picks_another() {
    let mut w = World::new();
    let me = w.me();
    assert_eq!(w.state.default_card(me).map(|c| c.id()), Some(w.debit));
    assert_eq!(w.state.remove_card(w.debit), Ok(()));
    assert_eq!(w.state.default_card(me).map(|c| c.id()), Some(w.credit));
    assert!(w.top_up("k", "1").is_err());
    assert_eq!(
        w.state.set_default_card(w.debit),
        Err(MoveError::Card(qianbao_core::card::CardError::NotFound))
    );
}

fn stored(state: &State) -> (String, Vec<String>) {
    let chunks = (0..state.ledger().chunk_count())
        .map(|i| state.chunk_json(i).unwrap_or_default())
        .collect();
    (state.main_json().unwrap_or_default(), chunks)
}

#[test]
fn a_long_history_round_trips_through_chunks() {
    let mut w = World::new();
    let b_login = w.b.0.clone();
    w.top_up("t", "20000").unwrap();
    for i in 0..(CHUNK_ENTRIES * 3) {
        let key = format!("k{i}");
        assert!(w
            .run(
                &key,
                MovementForm::Transfer {
                    payee: &b_login,
                    amount: "0.01",
                    note: ""
                },
                100 + i as i64
            )
            .is_ok());
    }
    let (main, chunks) = stored(&w.state);
    assert_eq!(chunks.len(), 4);
    assert_eq!(State::from_parts(&main, &chunks).as_ref(), Ok(&w.state));

    // A missing part is damage, not an empty history.
    let mut missing = chunks.clone();
    missing.remove(1);
    assert!(matches!(
        State::from_parts(&main, &missing),
        Err(StateError::Corrupt { .. })
    ));
    // An entry written by a commit whose main record never landed is not part of the state.
    let before = w.state.clone();
    assert!(w
        .run(
            "late",
            MovementForm::Transfer {
                payee: &b_login,
                amount: "0.01",
                note: ""
            },
            9_000
        )
        .is_ok());
    let (_, newer_chunks) = stored(&w.state);
    assert_eq!(
        State::from_parts(&main, &newer_chunks).as_ref(),
        Ok(&before)
    );
    // A tampered amount unbalances its entry.
    let tampered = chunks[2].replacen("-1]", "-2]", 1);
    assert_ne!(tampered, chunks[2]);
    let mut bad = chunks.clone();
    bad[2] = tampered;
    assert!(matches!(
        State::from_parts(&main, &bad),
        Err(StateError::Corrupt { .. })
    ));
    // The chain covers each entry as stored: the same entries written out
    // differently (a space after a comma inside one) are not what was saved.
    let inside = chunks[1].find("},{").expect("two entries in a part") + 1;
    let mut respaced = chunks[1].clone();
    let comma = respaced[..inside].rfind(',').expect("an entry with fields");
    respaced.insert(comma + 1, ' ');
    let reread: Vec<qianbao_core::ledger::Entry> = serde_json::from_str(&respaced).unwrap();
    let original: Vec<qianbao_core::ledger::Entry> = serde_json::from_str(&chunks[1]).unwrap();
    assert_eq!(reread, original, "the same entries");
    let mut bad = chunks.clone();
    bad[1] = respaced;
    assert!(matches!(
        State::from_parts(&main, &bad),
        Err(StateError::Corrupt { .. })
    ));
}

/// A world with three and a half chunks of history, and its stored parts.
fn long_history() -> (World, String, Vec<String>) {
    let mut w = World::new();
    let b_login = w.b.0.clone();
    w.top_up("t", "20000").unwrap_or_else(|e| panic!("{e}"));
    for i in 0..(CHUNK_ENTRIES * 3 + CHUNK_ENTRIES / 2) {
        let form = MovementForm::Transfer {
            payee: &b_login,
            amount: "0.01",
            note: "",
        };
        assert!(w.run(&format!("k{i}"), form, 100 + i as i64).is_ok());
    }
    let (main, chunks) = stored(&w.state);
    (w, main, chunks)
}

fn is_corrupt<T>(result: &Result<T, StateError>) -> bool {
    matches!(result, Err(StateError::Corrupt { .. }))
}

#[test]
fn a_part_from_another_copy_or_a_cut_part_is_refused() {
    let (w, main, chunks) = long_history();
    // Another copy of the sandbox: same shape, other amounts.
    let mut other = World::new();
    let b_login = other.b.0.clone();
    other.top_up("t", "19999").unwrap();
    for i in 0..CHUNK_ENTRIES {
        let form = MovementForm::Transfer {
            payee: &b_login,
            amount: "0.02",
            note: "",
        };
        assert!(other.run(&format!("k{i}"), form, 100 + i as i64).is_ok());
    }
    let (other_main, other_chunks) = stored(&other.state);
    let mut mixed = chunks.clone();
    mixed[0] = other_chunks[0].clone();
    assert!(is_corrupt(&State::from_parts(&main, &mixed)));
    assert!(is_corrupt(&State::from_parts(&other_main, &chunks)));
    // Chunks in the wrong order.
    let mut swapped = chunks.clone();
    swapped.swap(0, 1);
    assert!(is_corrupt(&State::from_parts(&main, &swapped)));
    // Cut short anywhere.
    for cut in [1, main.len() / 3, main.len() / 2, main.len() - 1] {
        assert!(
            is_corrupt(&State::from_parts(&main[..cut], &chunks)),
            "main cut at {cut}"
        );
    }
    let mut short = chunks.clone();
    let half = short[3].len() / 2;
    short[3].truncate(half);
    assert!(is_corrupt(&State::from_parts(&main, &short)));
    assert_eq!(State::from_parts(&main, &chunks).as_ref(), Ok(&w.state));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any single changed byte in any stored part is refused — or, when
    /// it falls where nothing is read, changes nothing. Never a panic,
    /// never a different state.
    #[test]
    fn every_changed_byte_is_noticed(part in 0usize..5, at in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let (state, main, chunks) = LONG_HISTORY.with(|h| h.clone());
        let mut parts: Vec<String> = std::iter::once(main).chain(chunks).collect();
        let target = &parts[part];
        let mut bytes = target.clone().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] ^= mask;
        let Ok(changed) = String::from_utf8(bytes) else {
            // Storage holds strings: an invalid one cannot be read back at all.
            return Ok(());
        };
        parts[part] = changed;
        let result = State::from_parts(&parts[0], &parts[1..]);
        prop_assert!(is_corrupt(&result) || result.as_ref() == Ok(&state), "{:?}", result.map(|_| "a different state"));
        prop_assert!(result.is_err(), "byte {i} of part {part} changed and nothing noticed");
    }
}

thread_local! {
    static LONG_HISTORY: (State, String, Vec<String>) = {
        let (w, main, chunks) = long_history();
        (w.state, main, chunks)
    };
}

#[test]
fn dirty_chunks_after_one_commit_are_one() {
    assert_eq!(dirty_chunks(9_999, 10_000).len(), 1);
    assert_eq!(dirty_chunks(99, 100).len(), 1);
}

#[derive(Debug, Clone)]
enum Op {
    SwitchUser,
    TopUp(u32, i64),
    Withdraw(u32, i64),
    Transfer(i64),
    Bill(i64),
    Retry,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::SwitchUser),
        3 => (0u32..4, 0i64..3_000_000).prop_map(|(c, a)| Op::TopUp(c, a)),
        2 => (0u32..4, 0i64..1_000_000).prop_map(|(c, a)| Op::Withdraw(c, a)),
        3 => (0i64..2_000_000).prop_map(Op::Transfer),
        2 => (0i64..600_000).prop_map(Op::Bill),
        1 => Just(Op::Retry),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]
    /// Random days of two users: money is conserved, every entry balances,
    /// no wallet or card goes negative, a rejected operation changes
    /// nothing, a retried submission changes nothing, and the stored form
    /// reads back to the same state.
    #[test]
    fn random_operations_keep_the_books(ops in proptest::collection::vec(op(), 1..60)) {
        let mut w = World::new();
        let b_name = w.b.2.clone();
        w.sign_in_b();
        let b_card = w.add_card("621661", &b_name);
        w.sign_in_a();
        let mut on_b = false;
        let mut last: Option<(String, qianbao_core::movement::Prepared)> = None;
        for (i, op) in ops.into_iter().enumerate() {
            let secs = 100 + i as i64 * 600;
            let key = format!("k{i}");
            let cards = if on_b { vec![b_card] } else { vec![w.debit, w.credit] };
            let card = |n: u32| cards.get(n as usize).copied().unwrap_or(CardId::new(999));
            let payee = if on_b { w.a.0.clone() } else { w.b.0.clone() };
            let form_amount;
            let form = match op {
                Op::SwitchUser => {
                    if on_b { w.sign_in_a() } else { w.sign_in_b() }
                    on_b = !on_b;
                    last = None;
                    continue;
                }
                Op::Retry => {
                    if let Some((key, prepared)) = &last {
                        let before = w.state.clone();
                        let again = w.state.commit(key, prepared, at(secs));
                        prop_assert!(again.is_ok());
                        prop_assert_eq!(&w.state, &before);
                    }
                    continue;
                }
                Op::TopUp(c, a) => { form_amount = Fen::new(a).plain(); MovementForm::TopUp { card: card(c), amount: &form_amount } }
                Op::Withdraw(c, a) => { form_amount = Fen::new(a).plain(); MovementForm::Withdraw { card: card(c), amount: &form_amount } }
                Op::Transfer(a) => { form_amount = Fen::new(a).plain(); MovementForm::Transfer { payee: &payee, amount: &form_amount, note: "" } }
                Op::Bill(a) => { form_amount = Fen::new(a).plain(); MovementForm::Bill { biller: Biller::Water, account: "12345678", amount: &form_amount } }
            };
            let before = w.state.clone();
            match w.state.prepare(form, at(secs)) {
                Ok(prepared) => {
                    let committed = w.state.commit(&key, &prepared, at(secs));
                    prop_assert!(committed.is_ok(), "{:?}", committed);
                    last = Some((key, prepared));
                }
                Err(_) => prop_assert_eq!(&w.state, &before),
            }
            let ledger = w.state.ledger();
            prop_assert_eq!(ledger.total(), 0);
            for entry in ledger.entries() {
                prop_assert_eq!(entry.postings.iter().map(|p| p.1.get()).sum::<i64>(), 0);
            }
            for account in w.state.accounts() {
                prop_assert!(w.state.balance(account.id()) >= Fen::ZERO);
            }
            for card in [w.debit, w.credit, b_card] {
                prop_assert!(w.state.card_funds(card) >= Fen::ZERO);
            }
        }
        let (main, chunks) = stored(&w.state);
        prop_assert_eq!(State::from_parts(&main, &chunks), Ok(w.state.clone()));
    }
}
