//! 记账 and 理财 through `core`'s public API (SPEC F8): categories from the
//! merchant or biller, changed by hand, cash entries, monthly totals that
//! match the ledger to the fen; savings moved through the ledger, daily
//! interest on the simulated clock with the documented rounding.

use proptest::prelude::*;
use qianbao_core::card::{test_card_number, CardId, NewCard};
use qianbao_core::error::{Guidance, UserError};
use qianbao_core::finance::{daily_interest, FinanceError, Spend};
use qianbao_core::ledger::{Biller, EntryKind, LedgerAccount};
use qianbao_core::money::Fen;
use qianbao_core::movement::{HistoryFilter, MovementForm};
use qianbao_core::provider::ProviderId;
use qianbao_core::testkit::{at, registered};
use qianbao_core::time::{day_cst, start_of_day_cst, year_month_cst};
use qianbao_core::{State, Timestamp};
use rstest::rstest;

fn me(state: &State) -> qianbao_core::account::AccountId {
    state
        .signed_in()
        .map(|a| a.id())
        .unwrap_or_else(|| panic!("signed in"))
}

/// Signed in with `provider`, a debit card and ¥20,000 in the wallet.
fn funded(provider: ProviderId) -> (State, CardId) {
    let mut state = registered(provider);
    let number = test_card_number("622202", "0012345678");
    let form = NewCard {
        number: &number,
        holder: "张小明",
        expiry: "",
        cvv: "",
    };
    let card = state
        .add_card(form, at(3))
        .unwrap_or_else(|e| panic!("{e}"));
    // Two top-ups: 乙钱包's single limit is ¥10,000.
    for key in ["fund-1", "fund-2"] {
        let form = MovementForm::TopUp {
            card,
            amount: "10000",
        };
        run(&mut state, key, form, at(4));
    }
    (state, card)
}

fn run(state: &mut State, key: &str, form: MovementForm<'_>, now: Timestamp) {
    let prepared = state.prepare(form, now).unwrap_or_else(|e| panic!("{e}"));
    state
        .commit(key, &prepared, now)
        .unwrap_or_else(|e| panic!("{e}"));
}

// ── interest ────────────────────────────────────────────────────────────

/// `floor(balance × rate_bp / 3 650 000)` fen.
#[rstest]
#[case(1_000_000, 180, 49)] // ¥10,000 at 1.80%: 49.31 fen → 49
#[case(1_000_000, 210, 57)] // ¥10,000 at 2.10%: 57.53 fen → 57
#[case(100_000, 180, 4)] // ¥1,000: 4.93 → 4
#[case(2_027, 180, 0)] // ¥20.27: 0.0999… → 0
#[case(2_028, 180, 0)]
#[case(20_278, 180, 1)] // the first fen
#[case(0, 180, 0)]
#[case(i64::MAX, 210, 530_659_761_024_521)] // no overflow (i128 inside)
fn a_day_of_interest(#[case] balance: i64, #[case] rate_bp: u32, #[case] fen: i64) {
    assert_eq!(daily_interest(Fen::new(balance), rate_bp), Fen::new(fen));
}

#[test]
fn interest_accrues_per_day_end_compounds_and_is_credited_once() {
    let (mut state, _) = funded(ProviderId::Jia);
    let wallet = me(&state);
    let day = day_cst(at(4));
    // Deposit at 10:00 CST of `day`.
    let ten = Timestamp::from_millis(start_of_day_cst(day).as_millis() + 10 * 3_600_000);
    assert_eq!(
        state.move_savings("in-1", "10000", true, ten),
        Ok(Fen::from_yuan(10_000))
    );
    assert_eq!(state.balance(wallet), Fen::from_yuan(10_000));
    // Three day ends pass: day, day+1, day+2; it is 09:00 of day+3.
    let later = Timestamp::from_millis(start_of_day_cst(day + 3).as_millis() + 9 * 3_600_000);
    let credited = state.accrue_interest(wallet, later);
    // 49 each day: 1,000,000 → 1,000,049 → 1,000,098 (49.3 each, floored).
    assert_eq!(credited, Ok(Fen::new(147)));
    assert_eq!(
        state.accrue_interest(wallet, later),
        Ok(Fen::ZERO),
        "credited once"
    );
    let view = state.savings_view(wallet);
    assert_eq!(view.balance, Fen::new(1_000_147));
    assert_eq!(view.earned, Fen::new(147));
    assert_eq!(view.last_day, Fen::new(49));
    assert_eq!(view.rate_bp, 180);
    // Each day is its own entry, dated at the next midnight.
    let days: Vec<(i64, Timestamp)> = state
        .ledger()
        .entries()
        .iter()
        .filter_map(|e| match e.kind {
            EntryKind::Interest { day } => Some((day, e.at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        days,
        (day..day + 3)
            .map(|d| (d, start_of_day_cst(d + 1)))
            .collect::<Vec<_>>()
    );
    // Taking it all out leaves nothing behind.
    assert_eq!(
        state.move_savings("out-1", "10001.47", false, later),
        Ok(Fen::ZERO)
    );
    assert_eq!(state.balance(wallet), Fen::new(2_000_147));
}

#[rstest]
#[case(23 * 60 + 59, 1)] // deposited at 23:59: that day's end counts
#[case(24 * 60 + 1, 0)] // at 00:01 the next day: not yet
fn interest_needs_the_money_at_the_day_end(#[case] minute: i64, #[case] days: i64) {
    let (mut state, _) = funded(ProviderId::Bing);
    let wallet = me(&state);
    let day = day_cst(at(4)) + 1;
    let deposit = Timestamp::from_millis(start_of_day_cst(day).as_millis() + minute * 60_000);
    assert!(state.move_savings("in", "10000", true, deposit).is_ok());
    let next_morning = Timestamp::from_millis(start_of_day_cst(day + 1).as_millis() + 3_600_000);
    assert_eq!(
        state.accrue_interest(wallet, next_morning),
        Ok(Fen::new(57 * days))
    );
}

#[test]
fn savings_moves_are_checked_and_taken_once() {
    let (mut state, _) = funded(ProviderId::Jia);
    let before = state.clone();
    assert_eq!(
        state.move_savings("k", "20000.01", true, at(10)),
        Err(FinanceError::WalletLow {
            balance: Fen::from_yuan(20_000)
        })
    );
    assert_eq!(
        state.move_savings("k", "1", false, at(10)),
        Err(FinanceError::SavingsLow { balance: Fen::ZERO })
    );
    assert_eq!(state, before, "refusals change nothing");
    assert!(state.move_savings("k", "100", true, at(10)).is_ok());
    let once = state.clone();
    assert_eq!(
        state.move_savings("k", "100", true, at(11)),
        Ok(Fen::from_yuan(100)),
        "a retry"
    );
    assert_eq!(state, once, "takes effect once");
    assert_eq!(
        state.move_savings("k", "200", true, at(12)),
        Err(FinanceError::KeyReused)
    );
}

/// What the bookkeeping and savings errors advise: the cash book's own cap
/// is not the browser's storage, and savings are not filled by a top-up.
#[rstest]
#[case(FinanceError::BookFull, "W-BOOK-FULL", Guidance::RemoveOldEntries)]
#[case(FinanceError::NotSpending, "W-BOOK-ENTRY", Guidance::TryAgain)]
#[case(FinanceError::SavingsLow { balance: Fen::ZERO }, "W-SAVINGS-LOW", Guidance::SmallerAmount)]
#[case(FinanceError::WalletLow { balance: Fen::ZERO }, "W-BALANCE-LOW", Guidance::TopUpOrLess)]
fn finance_errors_advise_what_fits(
    #[case] error: FinanceError,
    #[case] code: &str,
    #[case] guidance: Guidance,
) {
    assert_eq!((error.code(), error.guidance()), (code, guidance));
}

#[test]
fn only_providers_with_wealth_offer_savings() {
    let (mut state, _) = funded(ProviderId::Yi);
    assert_eq!(
        state.move_savings("k", "1", true, at(10)),
        Err(FinanceError::NotOffered)
    );
}

// ── bookkeeping ─────────────────────────────────────────────────────────

#[test]
fn categories_come_from_the_biller_and_can_be_changed() {
    let (mut state, _) = funded(ProviderId::Jia);
    let wallet = me(&state);
    run(
        &mut state,
        "e",
        MovementForm::Bill {
            biller: Biller::Electricity,
            account: "1234567890",
            amount: "88.5",
        },
        at(20),
    );
    run(
        &mut state,
        "m",
        MovementForm::Bill {
            biller: Biller::Mobile,
            account: "13800138000",
            amount: "50",
        },
        at(21),
    );
    let month = year_month_cst(at(21));
    let summary = state
        .month_summary(wallet, month)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        summary.by_category,
        vec![
            (Spend::Utilities, Fen::new(8_850)),
            (Spend::Telecom, Fen::from_yuan(50))
        ]
    );
    // The phone bill was really for the shop downstairs' card reader: 购物.
    let phone_bill = state
        .history(wallet, HistoryFilter::default())
        .next()
        .map(|l| l.entry.id);
    let phone_bill = phone_bill.unwrap_or_else(|| panic!("an entry"));
    assert_eq!(state.set_category(phone_bill, Spend::Shopping), Ok(()));
    let summary = state
        .month_summary(wallet, month)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(summary
        .by_category
        .contains(&(Spend::Shopping, Fen::from_yuan(50))));
    assert_eq!(summary.wallet, Fen::new(13_850), "the total does not move");
    // A top-up is not spending and keeps no category.
    let top_up = state
        .history(wallet, HistoryFilter::default())
        .last()
        .map(|l| l.entry.id);
    assert_eq!(
        state.set_category(top_up.unwrap_or_default(), Spend::Food),
        Err(FinanceError::NotSpending)
    );
}

#[test]
fn cash_entries_count_in_their_month_and_can_be_removed() {
    let (mut state, _) = funded(ProviderId::Jia);
    let wallet = me(&state);
    let month = year_month_cst(at(30));
    let id = state.add_cash("12.5", Spend::Transport, "地铁", at(30));
    assert!(id.is_ok());
    assert_eq!(
        state.add_cash("-1", Spend::Food, "", at(31)).map(|_| ()),
        Err(FinanceError::Amount(
            qianbao_core::money::MoneyError::Negative
        ))
    );
    assert_eq!(
        state.add_cash("1", Spend::Food, &"字".repeat(31), at(31)),
        Err(FinanceError::NoteTooLong)
    );
    let summary = state
        .month_summary(wallet, month)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.cash, Fen::new(1_250));
    assert_eq!(
        summary.by_category,
        vec![(Spend::Transport, Fen::new(1_250))]
    );
    let next_month = year_month_cst(at(40 * 24 * 3600));
    assert_eq!(
        state.month_summary(wallet, next_month).map(|s| s.total),
        Ok(Fen::ZERO)
    );
    assert_eq!(state.remove_cash(id.unwrap_or_default()), Ok(()));
    assert_eq!(
        state.month_summary(wallet, month).map(|s| s.total),
        Ok(Fen::ZERO)
    );
}

#[derive(Debug, Clone)]
enum Op {
    Bill(u8, u32),
    Transfer(u32),
    TopUp(u32),
    Cash(u8, u32),
    Save(u32),
    Recategorise(u8),
    Wait(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3, 1u32..50_000).prop_map(|(b, f)| Op::Bill(b, f)),
        (1u32..50_000).prop_map(Op::Transfer),
        (1u32..100_000).prop_map(Op::TopUp),
        (0u8..9, 1u32..50_000).prop_map(|(c, f)| Op::Cash(c, f)),
        (1u32..50_000).prop_map(Op::Save),
        (0u8..9).prop_map(Op::Recategorise),
        (1u32..20 * 24 * 3600).prop_map(Op::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever happens, each month's wallet total is exactly what the
    /// ledger's spending entries took from the wallet, and the categories
    /// add up to the whole.
    #[test]
    fn monthly_totals_match_the_ledger(ops in proptest::collection::vec(op(), 1..40)) {
        let (mut state, card) = funded(ProviderId::Jia);
        let wallet = me(&state);
        // A second user to transfer to (still signed in as the first).
        let hasher = qianbao_core::security::Hasher::with_params(argon2::Params::new(8, 1, 1, None).unwrap_or_else(|e| panic!("{e}")));
        let mut rng = <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(3);
        let payee = state.create_demo_wallet(at(5), &mut rng, &hasher).map(|d| d.login.as_str().to_owned()).unwrap_or_else(|e| panic!("{e}"));
        let mut now = 100i64;
        for (i, op) in ops.iter().enumerate() {
            now += 1;
            let key = format!("k{i}");
            let fen = |f: u32| Fen::new(i64::from(f)).to_string().trim_start_matches('¥').replace(',', "");
            match op {
                Op::Bill(b, f) => {
                    let (biller, account) = [(Biller::Electricity, "1234567890"), (Biller::Water, "12345678"), (Biller::Mobile, "13800138000")][usize::from(*b)];
                    let amount = fen(*f);
                    if let Ok(p) = state.prepare(MovementForm::Bill { biller, account, amount: &amount }, at(now)) {
                        let _ = state.commit(&key, &p, at(now));
                    }
                }
                Op::Transfer(f) => {
                    let amount = fen(*f);
                    if let Ok(p) = state.prepare(MovementForm::Transfer { payee: &payee, amount: &amount, note: "" }, at(now)) {
                        let _ = state.commit(&key, &p, at(now));
                    }
                }
                Op::TopUp(f) => {
                    let amount = fen(*f);
                    if let Ok(p) = state.prepare(MovementForm::TopUp { card, amount: &amount }, at(now)) {
                        let _ = state.commit(&key, &p, at(now));
                    }
                }
                Op::Cash(c, f) => {
                    let _ = state.add_cash(&fen(*f), Spend::ALL[usize::from(*c)], "", at(now));
                }
                Op::Save(f) => {
                    let _ = state.move_savings(&key, &fen(*f), true, at(now));
                }
                Op::Recategorise(c) => {
                    let last = state.history(wallet, HistoryFilter::default()).next().map(|l| l.entry.id);
                    if let Some(id) = last {
                        let _ = state.set_category(id, Spend::ALL[usize::from(*c)]);
                    }
                }
                Op::Wait(secs) => now += i64::from(*secs),
            }
        }
        let mut months: Vec<(i64, u32)> = state.history_months(wallet);
        months.push(year_month_cst(at(now)));
        for month in months {
            let summary = state.month_summary(wallet, month).unwrap_or_else(|e| panic!("{e}"));
            let spent: i64 = state
                .history(wallet, HistoryFilter { kind: None, month: Some(month) })
                .filter(|l| matches!(l.entry.kind, EntryKind::Bill { .. } | EntryKind::Transfer { .. } | EntryKind::Payment { .. } | EntryKind::Refund { .. }))
                .map(|l| -l.entry.net_for(LedgerAccount::Wallet(wallet)).get())
                .sum();
            prop_assert_eq!(summary.wallet, Fen::new(spent));
            let by_category: i64 = summary.by_category.iter().map(|(_, f)| f.get()).sum();
            prop_assert_eq!(Fen::new(by_category), summary.total);
            prop_assert_eq!(summary.total, summary.wallet.checked_add(summary.cash).unwrap_or_default());
        }
    }
}
