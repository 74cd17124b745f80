//! WeChat Pay with the bound wallet, through `core`'s public API with the
//! clock driven: orders and their states, the cashier's methods, the payment
//! password and its lock, the merchants' extra confirmation, idempotent pay
//! requests, and a property test that any interleaving keeps the books.

use proptest::prelude::*;
use qianbao_core::error::{Guidance, UserError};
use qianbao_core::ledger::LedgerAccount;
use qianbao_core::merchant::MerchantId;
use qianbao_core::money::Fen;
use qianbao_core::movement::{Counterpart, HistoryFilter, HistoryKind, MovementForm};
use qianbao_core::payment::{OrderState, PayError, PayMethod, PayRequest};
use qianbao_core::sim::Endpoint;
use qianbao_core::state::State;
use qianbao_core::testkit::*;

/// A world whose wallet is bound, holds `yuan`, and whose WeChat user is logged in.
fn funded(yuan: &str) -> World {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    w.top_up(yuan);
    w
}

fn order(w: &mut World, merchant: MerchantId, sku: &str, quantity: u32) -> String {
    let now = w.tick(1);
    let no = w
        .state
        .create_order(merchant, &[(sku, quantity)], now, &mut w.rng);
    let no = no.unwrap_or_else(|e| panic!("{e}"));
    let now = w.tick(1);
    w.state
        .open_cashier(merchant, &no, now)
        .unwrap_or_else(|e| panic!("{e}"));
    no
}

fn pay(
    w: &mut World,
    merchant: MerchantId,
    no: &str,
    key: &str,
    wallet_password: Option<&str>,
) -> Result<u64, PayError> {
    let method = PayMethod::Wallet(w.me());
    let pay_password = w.demo.wechat.pay_password.clone();
    let now = w.tick(1);
    let request = PayRequest {
        merchant,
        out_trade_no: no,
        method: Some(method),
        pay_password: &pay_password,
        wallet_password,
        key,
    };
    w.state.pay_order(request, now).map(|p| p.entry)
}

fn state_of(w: &World, merchant: MerchantId, no: &str) -> Option<OrderState> {
    w.state.order(merchant, no).map(|o| o.state)
}

#[test]
fn paying_with_the_bound_wallet_follows_the_article() {
    let mut w = funded("100");
    let me = w.me();
    let no = order(&mut w, MerchantId::Cafe, "latte", 2);
    assert_eq!(
        state_of(&w, MerchantId::Cafe, &no),
        Some(OrderState::Userpaying)
    );
    assert_eq!(
        w.state.pay_methods(),
        vec![PayMethod::Wallet(me), PayMethod::Change]
    );
    assert!(pay(&mut w, MerchantId::Cafe, &no, "k1", None).is_ok());
    assert_eq!(
        state_of(&w, MerchantId::Cafe, &no),
        Some(OrderState::Success)
    );
    assert_eq!(w.state.balance(me), Fen::new(10_000 - 5_600));
    assert_eq!(
        w.state
            .ledger()
            .balance(LedgerAccount::Merchant(MerchantId::Cafe)),
        Fen::new(5_600)
    );
    assert_eq!(w.state.ledger().total(), 0);
    let line = w
        .state
        .history(me, HistoryFilter::default())
        .next()
        .map(|l| (l.kind, l.amount));
    assert_eq!(line, Some((HistoryKind::Payment, Fen::new(-5_600))));
    let entry = w
        .state
        .history(me, HistoryFilter::default())
        .next()
        .map(|l| l.entry.clone());
    let other = entry.and_then(|e| w.state.counterpart_of(&e, me));
    assert_eq!(
        other,
        Some(Counterpart::Merchant {
            merchant: MerchantId::Cafe,
            out_trade_no: no.clone(),
            name: None,
        })
    );
    assert!(w
        .state
        .sim()
        .log()
        .iter()
        .any(|e| e.endpoint == Endpoint::Notify));
}

#[test]
fn a_repeated_request_pays_once_and_a_new_one_is_orderpaid() {
    let mut w = funded("100");
    let me = w.me();
    let no = order(&mut w, MerchantId::Cafe, "americano", 1);
    let first = pay(&mut w, MerchantId::Cafe, &no, "same", None);
    let again = pay(&mut w, MerchantId::Cafe, &no, "same", None);
    assert!(first.is_ok());
    assert_eq!(first, again);
    assert_eq!(w.state.balance(me), Fen::new(10_000 - 2_200));
    let paid_again = pay(&mut w, MerchantId::Cafe, &no, "other", None);
    assert_eq!(paid_again, Err(PayError::OrderPaid));
    // It says the order is paid and where to look, not "log in instead".
    assert_eq!(
        paid_again.map_err(|e| (e.code(), e.guidance())),
        Err(("ORDERPAID", Guidance::CheckOrder))
    );
}

#[test]
fn orders_close_when_their_time_is_up() {
    let mut w = funded("100");
    let no = order(&mut w, MerchantId::Cafe, "croissant", 1);
    w.tick(15 * 60);
    assert_eq!(
        pay(&mut w, MerchantId::Cafe, &no, "k", None).map_err(|e| e.code()),
        Err("ORDER_CLOSED")
    );
    assert_eq!(
        state_of(&w, MerchantId::Cafe, &no),
        Some(OrderState::Closed)
    );
}

/// The merchant's order list closes every order whose time ran out, and
/// only those of that merchant.
#[test]
fn opening_the_order_list_closes_expired_orders() {
    let mut w = funded("100");
    let cafe = order(&mut w, MerchantId::Cafe, "croissant", 1);
    let books = order(&mut w, MerchantId::Books, "novel", 1);
    let later = w.tick(3 * 60 * 60);
    w.state.refresh_orders(MerchantId::Cafe, later);
    assert_eq!(
        state_of(&w, MerchantId::Cafe, &cafe),
        Some(OrderState::Closed)
    );
    assert_eq!(
        state_of(&w, MerchantId::Books, &books),
        Some(OrderState::Userpaying)
    );
}

/// The cashier's view comes from core: the order, every method with what
/// it holds, and the one chosen — the wallet first, then the one paid with
/// last; 「确认支付」 without a pick pays with the chosen one.
#[test]
fn the_cashier_shows_the_methods_and_pays_with_the_chosen_one() {
    let mut w = funded("100");
    let me = w.me();
    let no = order(&mut w, MerchantId::Cafe, "latte", 1);
    let view = w.state.cashier_view(MerchantId::Cafe, &no);
    let (amount, _) = view.order.clone().unwrap();
    assert_eq!(
        view.methods,
        vec![
            (PayMethod::Wallet(me), Fen::from_yuan(100)),
            (PayMethod::Change, Fen::ZERO)
        ]
    );
    assert_eq!(view.chosen, Some(PayMethod::Wallet(me)));
    assert_eq!(w.state.cashier_view(MerchantId::Cafe, "nope").order, None);
    let pay_password = w.demo.wechat.pay_password.clone();
    let now = w.tick(1);
    let paid = w.state.pay_order(
        PayRequest {
            merchant: MerchantId::Cafe,
            out_trade_no: &no,
            method: None,
            pay_password: &pay_password,
            wallet_password: None,
            key: "k",
        },
        now,
    );
    assert_eq!(paid.map(|p| p.method), Ok(PayMethod::Wallet(me)));
    assert_eq!(
        w.state.balance(me),
        Fen::new(Fen::from_yuan(100).get() - amount.get())
    );
}

#[test]
fn not_enough_balance_moves_nothing() {
    let mut w = funded("0");
    let no = order(&mut w, MerchantId::Books, "novel", 1);
    let before = w.state.clone();
    let short = pay(&mut w, MerchantId::Books, &no, "k", None);
    assert_eq!(short, Err(PayError::NotEnough { balance: Fen::ZERO }));
    assert_eq!(
        short.map_err(|e| (e.code(), e.guidance())),
        Err(("NOTENOUGH", Guidance::TopUpWalletOrOtherMethod))
    );
    // Nothing at all changed (the right 支付密码 on a clean record keeps no
    // counter), so the shell writes nothing.
    assert!(w.state == before, "a refusal changed the state");
    assert_eq!(
        state_of(&w, MerchantId::Books, &no),
        Some(OrderState::Userpaying)
    );
}

/// A 6-digit 支付密码 that is not the demo's.
fn wrong_pay_password(w: &World) -> &'static str {
    if w.demo.wechat.pay_password == "147258" {
        "258147"
    } else {
        "147258"
    }
}

/// The cashier's 「确认支付」 of the café order `no` from `me`'s wallet,
/// with `password` as the 支付密码, a second later.
fn try_pay(
    w: &mut World,
    no: &str,
    me: qianbao_core::account::AccountId,
    password: &str,
) -> Result<(), PayError> {
    let now = w.tick(1);
    let request = PayRequest {
        merchant: MerchantId::Cafe,
        out_trade_no: no,
        method: Some(PayMethod::Wallet(me)),
        pay_password: password,
        wallet_password: None,
        key: "k",
    };
    w.state.pay_order(request, now).map(|_| ())
}

#[test]
fn five_wrong_payment_passwords_lock_for_fifteen_minutes() {
    let mut w = funded("100");
    let me = w.me();
    let no = order(&mut w, MerchantId::Cafe, "latte", 1);
    let wrong = wrong_pay_password(&w);
    let attempt =
        |w: &mut World, password: &str| try_pay(w, &no, me, password).map_err(|e| e.code());
    for _ in 0..4 {
        assert_eq!(attempt(&mut w, wrong), Err("WX-PAY-PASSWORD"));
    }
    assert_eq!(attempt(&mut w, wrong), Err("WX-PAY-LOCKED"));
    let right = w.demo.wechat.pay_password.clone();
    assert_eq!(attempt(&mut w, &right), Err("WX-PAY-LOCKED"));
    w.tick(15 * 60);
    // The order's own time ran out meanwhile: a fresh one pays.
    let fresh = order(&mut w, MerchantId::Cafe, "latte", 1);
    assert!(pay(&mut w, MerchantId::Cafe, &fresh, "k2", None).is_ok());
}

#[test]
fn an_empty_payment_password_is_no_try() {
    let mut w = funded("100");
    let me = w.me();
    let no = order(&mut w, MerchantId::Cafe, "latte", 1);
    let wrong = wrong_pay_password(&w);
    let attempt = |w: &mut World, password: &str| {
        try_pay(w, &no, me, password).map_err(|e| (e.code(), e.guidance()))
    };
    for _ in 0..4 {
        assert_eq!(
            attempt(&mut w, wrong).map_err(|(code, _)| code),
            Err("WX-PAY-PASSWORD")
        );
    }
    let before = w.state.clone();
    for blank in ["", "  ", "\u{3000}"] {
        assert_eq!(
            attempt(&mut w, blank),
            Err(("WX-PAY-PASSWORD-EMPTY", Guidance::EnterPassword))
        );
    }
    assert_eq!(w.state, before, "no try counted, nothing changed");
    // The fifth wrong one, not an empty one, locks it.
    assert_eq!(
        attempt(&mut w, wrong).map_err(|(code, _)| code),
        Err("WX-PAY-LOCKED")
    );
}

#[test]
fn an_empty_wallet_password_at_the_extra_confirmation_is_no_try() {
    let mut w = funded("5000");
    let big = order(&mut w, MerchantId::Digital, "tablet", 1);
    assert_eq!(
        pay(&mut w, MerchantId::Digital, &big, "b", None),
        Err(PayError::NeedsConfirmation)
    );
    for _ in 0..4 {
        assert_eq!(
            pay(&mut w, MerchantId::Digital, &big, "b", Some("Wrong2026x")).map_err(|e| e.code()),
            Err("W-ACC-PASSWORD")
        );
    }
    for _ in 0..3 {
        let empty = pay(&mut w, MerchantId::Digital, &big, "b", Some(""));
        assert_eq!(
            empty.map_err(|e| (e.code(), e.guidance())),
            Err(("W-ACC-PASSWORD-EMPTY", Guidance::EnterPassword))
        );
    }
    // Still one try left: the right password pays.
    let password = w.demo.wallet.password.clone();
    assert!(pay(&mut w, MerchantId::Digital, &big, "b", Some(&password)).is_ok());
}

/// What each cashier error is called and what it advises.
#[test]
fn cashier_errors_say_what_happened() {
    let cases = [
        (PayError::OrderPaid, "ORDERPAID", Guidance::CheckOrder),
        (PayError::NotPaid, "ORDERNOTPAID", Guidance::CheckOrder),
        (PayError::OrderClosed, "ORDER_CLOSED", Guidance::OrderAgain),
        (PayError::NoSuchOrder, "ORDERNOTEXIST", Guidance::OrderAgain),
        (
            PayError::NotEnough { balance: Fen::ZERO },
            "NOTENOUGH",
            Guidance::TopUpWalletOrOtherMethod,
        ),
        (
            PayError::ChangeNotEnough { balance: Fen::ZERO },
            "NOTENOUGH",
            Guidance::TopUpChangeOrOtherMethod,
        ),
        (
            PayError::PayPasswordEmpty,
            "WX-PAY-PASSWORD-EMPTY",
            Guidance::EnterPassword,
        ),
        (
            PayError::Limit { max: Fen::ZERO },
            "W-LIMIT-SINGLE",
            Guidance::WithinLimits,
        ),
        (
            PayError::DailyLimit {
                max: Fen::ZERO,
                left: Fen::ZERO,
            },
            "W-LIMIT-DAILY",
            Guidance::WithinLimits,
        ),
        (
            PayError::RefundTooMuch { left: Fen::ZERO },
            "W-REFUND-AMOUNT",
            Guidance::SmallerAmount,
        ),
    ];
    for (error, code, guidance) in cases {
        assert_eq!(
            (error.code(), error.guidance()),
            (code, guidance),
            "{error}"
        );
    }
}

#[test]
fn flagged_merchants_ask_the_wallet_to_confirm_above_their_threshold() {
    let mut w = funded("5000");
    let me = w.me();
    // Below ¥500: no extra step.
    let small = order(&mut w, MerchantId::Digital, "earbuds", 1);
    assert!(pay(&mut w, MerchantId::Digital, &small, "a", None).is_ok());
    // A tablet: the wallet asks again; without it nothing moves.
    let big = order(&mut w, MerchantId::Digital, "tablet", 1);
    let before = w.state.balance(me);
    assert_eq!(
        pay(&mut w, MerchantId::Digital, &big, "b", None),
        Err(PayError::NeedsConfirmation)
    );
    assert_eq!(w.state.balance(me), before);
    let now = w.tick(1);
    w.state.cancel_payment(MerchantId::Digital, &big).unwrap();
    assert_eq!(
        state_of(&w, MerchantId::Digital, &big),
        Some(OrderState::Notpay)
    );
    w.state
        .open_cashier(MerchantId::Digital, &big, now)
        .unwrap();
    assert_eq!(
        pay(&mut w, MerchantId::Digital, &big, "b", Some("Wrong2026x")).map_err(|e| e.code()),
        Err("W-ACC-PASSWORD")
    );
    let password = w.demo.wallet.password.clone();
    assert!(pay(&mut w, MerchantId::Digital, &big, "b", Some(&password)).is_ok());
    assert_eq!(
        w.state.balance(me),
        before.checked_sub(Fen::new(259_900)).unwrap_or_default()
    );
}

#[test]
fn after_unbinding_the_wallet_is_no_longer_offered() {
    let mut w = funded("100");
    let no = order(&mut w, MerchantId::Cafe, "latte", 1);
    let now = w.tick(1);
    assert_eq!(w.state.unbind_wechat(now), Ok(()));
    assert_eq!(w.state.pay_methods(), vec![PayMethod::Change]);
    assert_eq!(
        pay(&mut w, MerchantId::Cafe, &no, "k", None),
        Err(PayError::MethodUnavailable)
    );
}

#[test]
fn bad_carts_and_unknown_orders_are_refused() {
    let mut w = funded("100");
    let now = w.tick(1);
    assert_eq!(
        w.state.create_order(MerchantId::Cafe, &[], now, &mut w.rng),
        Err(PayError::Cart)
    );
    assert_eq!(
        w.state
            .create_order(MerchantId::Cafe, &[("tablet", 1)], now, &mut w.rng),
        Err(PayError::Cart)
    );
    assert_eq!(
        w.state
            .create_order(MerchantId::Cafe, &[("latte", 0)], now, &mut w.rng),
        Err(PayError::Cart)
    );
    assert_eq!(
        w.state
            .create_order(MerchantId::Cafe, &[("latte", 100)], now, &mut w.rng),
        Err(PayError::Cart)
    );
    assert_eq!(
        pay(&mut w, MerchantId::Cafe, "NOPE123", "k", None),
        Err(PayError::NoSuchOrder)
    );
    assert!(qianbao_core::payment::valid_out_trade_no(
        "CAFE2026112712345678"
    ));
    assert!(!qianbao_core::payment::valid_out_trade_no("abc"));
    assert!(!qianbao_core::payment::valid_out_trade_no("订单号123456"));
}

#[test]
fn refunds_go_back_to_the_wallet_once_each_and_never_above_the_payment() {
    let mut w = funded("100");
    let me = w.me();
    let no = order(&mut w, MerchantId::Cafe, "latte", 2);
    let now = w.tick(1);
    assert_eq!(
        w.state
            .refund_order(MerchantId::Cafe, &no, "R000001", "1", now),
        Err(PayError::NotPaid)
    );
    assert!(pay(&mut w, MerchantId::Cafe, &no, "k", None).is_ok());
    let after_pay = w.state.balance(me);
    let now = w.tick(1);
    let first = w
        .state
        .refund_order(MerchantId::Cafe, &no, "R000001", "20", now);
    assert!(first.is_ok());
    // The same refund number again: no second refund.
    assert_eq!(
        w.state
            .refund_order(MerchantId::Cafe, &no, "R000001", "20", now),
        first
    );
    assert_eq!(
        w.state
            .refund_order(MerchantId::Cafe, &no, "R000001", "21", now),
        Err(PayError::RefundNoReused)
    );
    assert_eq!(
        w.state.balance(me),
        after_pay
            .checked_add(Fen::from_yuan(20))
            .unwrap_or_default()
    );
    assert_eq!(
        state_of(&w, MerchantId::Cafe, &no),
        Some(OrderState::Refund)
    );
    assert_eq!(
        w.state
            .refund_order(MerchantId::Cafe, &no, "R000002", "36.01", now),
        Err(PayError::RefundTooMuch {
            left: Fen::new(3_600)
        })
    );
    assert_eq!(
        w.state.refund_order(MerchantId::Cafe, &no, "R2", "1", now),
        Err(PayError::BadNumber)
    );
    assert!(w
        .state
        .refund_order(MerchantId::Cafe, &no, "R000002", "36", now)
        .is_ok());
    assert_eq!(
        w.state
            .ledger()
            .balance(LedgerAccount::Merchant(MerchantId::Cafe)),
        Fen::ZERO
    );
    assert_eq!(
        w.state
            .history(me, HistoryFilter::default())
            .next()
            .map(|l| (l.kind, l.amount)),
        Some((HistoryKind::Refund, Fen::from_yuan(36)))
    );
    assert_eq!(w.state.ledger().total(), 0);
}

#[derive(Debug, Clone)]
enum Step {
    Order(usize),
    Pay(usize, bool),
    Wait(i64),
    Unbind,
    Rebind,
    Refund(usize, i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..3).prop_map(Step::Order),
        4 => (0usize..6, any::<bool>()).prop_map(|(i, same)| Step::Pay(i, same)),
        1 => (1i64..1200).prop_map(Step::Wait),
        1 => Just(Step::Unbind),
        1 => Just(Step::Rebind),
        2 => (0usize..6, 1i64..6_000).prop_map(|(i, fen)| Step::Refund(i, fen)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Any interleaving of orders, payments (new or repeated), expiry and
    /// unbinding: money is conserved, each paid order has exactly its one
    /// ledger entry of its amount, and no other order moved money.
    #[test]
    fn interleavings_keep_money_and_orders_consistent(steps in proptest::collection::vec(step(), 1..30)) {
        let mut w = funded("300");
        let goods = [(MerchantId::Cafe, "latte"), (MerchantId::Books, "atlas"), (MerchantId::Digital, "powerbank")];
        let mut orders: Vec<(MerchantId, String)> = Vec::new();
        for (i, step) in steps.into_iter().enumerate() {
            match step {
                Step::Order(g) => {
                    let (m, sku) = goods[g];
                    orders.push((m, order(&mut w, m, sku, 1)));
                }
                Step::Pay(n, same) => if let Some((m, no)) = orders.get(n % orders.len().max(1)).cloned() {
                    let key = if same { format!("k-{no}") } else { format!("k-{i}") };
                    let _ = pay(&mut w, m, &no, &key, None);
                },
                Step::Wait(secs) => { w.tick(secs); }
                Step::Unbind => { let now = w.tick(1); let _ = w.state.unbind_wechat(now); }
                Step::Rebind => if w.binding().bound().is_none() { let _ = w.bind(); },
                Step::Refund(n, fen) => if let Some((m, no)) = orders.get(n % orders.len().max(1)).cloned() {
                    let now = w.tick(1);
                    let _ = w.state.refund_order(m, &no, &format!("R{i:06}"), &Fen::new(fen).plain(), now);
                },
            }
            prop_assert_eq!(w.state.ledger().total(), 0);
            for order in w.state.orders() {
                let entries: Vec<_> = w.state.ledger().entries().iter().filter(|e| matches!(&e.kind,
                    qianbao_core::ledger::EntryKind::Payment { merchant, out_trade_no } if *merchant == order.merchant && *out_trade_no == order.out_trade_no)).collect();
                match order.state {
                    OrderState::Success | OrderState::Refund => {
                        prop_assert_eq!(entries.len(), 1);
                        prop_assert_eq!(entries[0].net_for(LedgerAccount::Merchant(order.merchant)), order.amount);
                        prop_assert_eq!(order.paid.as_ref().map(|p| p.entry), Some(entries[0].id));
                        // Refunds never exceed the payment.
                        prop_assert!(order.refundable() >= Fen::ZERO);
                    }
                    _ => {
                        prop_assert!(entries.is_empty());
                        prop_assert!(order.refunds.is_empty());
                    }
                }
            }
        }
    }
}

#[test]
fn scanned_codes_must_be_this_sites_cashier() {
    use qianbao_core::payment::{pay_link, read_pay_link};
    let site = site();
    let link = pay_link(&site, MerchantId::Books, "BOOKS2026112700000001");
    assert_eq!(
        link,
        "http://127.0.0.1:8080/wechat/pay?mch=books&out_trade_no=BOOKS2026112700000001"
    );
    assert_eq!(
        read_pay_link(&site, &format!("  {link} ")),
        Ok("/wechat/pay?mch=books&out_trade_no=BOOKS2026112700000001".to_owned())
    );
    for bad in [
        "",
        "hello",
        "http://evil.example.com/wechat/pay?mch=books&out_trade_no=BOOKS2026112700000001",
        "http://127.0.0.1:8080/wechat/pay?mch=bank&out_trade_no=BOOKS2026112700000001",
        "http://127.0.0.1:8080/wechat/pay?mch=books&out_trade_no=<script>",
        "http://127.0.0.1:8080/wechat/pay?mch=books&out_trade_no=BOOKS2026112700000001&redirect=x",
    ] {
        assert_eq!(
            read_pay_link(&site, bad),
            Err(PayError::NotAPayCode),
            "{bad}"
        );
    }
}

#[test]
fn repeated_notifications_are_processed_once() {
    let mut w = funded("100");
    let no = order(&mut w, MerchantId::Cafe, "latte", 1);
    assert!(pay(&mut w, MerchantId::Cafe, &no, "k", None).is_ok());
    let first = w
        .state
        .order(MerchantId::Cafe, &no)
        .and_then(|o| o.fulfilled_at);
    for _ in 0..3 {
        let now = w.tick(60);
        assert_eq!(w.state.resend_notify(MerchantId::Cafe, &no, now), Ok(()));
    }
    let paid = w
        .state
        .order(MerchantId::Cafe, &no)
        .cloned()
        .unwrap_or_else(|| panic!("order"));
    assert_eq!(paid.notifications, 4);
    assert_eq!(paid.fulfilled_at, first);
    let duplicates = w
        .state
        .sim()
        .log()
        .iter()
        .filter(|e| e.response.iter().any(|(_, v)| v.starts_with("duplicate")))
        .count();
    assert_eq!(duplicates, 3);
    let unpaid = order(&mut w, MerchantId::Cafe, "americano", 1);
    let now = w.tick(1);
    assert_eq!(
        w.state.resend_notify(MerchantId::Cafe, &unpaid, now),
        Err(PayError::NotPaid)
    );
}

#[test]
fn paying_from_change_moves_the_change_balance_and_refunds_go_back_there() {
    let mut w = funded("100");
    let me = w.me();
    let now = w.tick(1);
    let to_change = w
        .state
        .prepare(MovementForm::ToWeChat { amount: "20" }, now);
    let to_change = to_change.unwrap_or_else(|e| panic!("{e}"));
    assert!(w.state.commit("c", &to_change, now).is_ok());
    let user = w.wechat_user();
    let wallet_before = w.state.balance(me);
    let no = order(&mut w, MerchantId::Cafe, "croissant", 1);
    let now = w.tick(1);
    let pay_password = w.demo.wechat.pay_password.clone();
    let request = PayRequest {
        merchant: MerchantId::Cafe,
        out_trade_no: &no,
        method: Some(PayMethod::Change),
        pay_password: &pay_password,
        wallet_password: None,
        key: "z",
    };
    assert!(w.state.pay_order(request, now).is_ok());
    assert_eq!(w.state.wechat_change(user), Fen::new(2_000 - 1_650));
    assert_eq!(w.state.balance(me), wallet_before);
    // Not the wallet's purchase: its history does not show it.
    assert_ne!(
        w.state
            .history(me, HistoryFilter::default())
            .next()
            .map(|l| l.kind),
        Some(HistoryKind::Payment)
    );
    let now = w.tick(1);
    assert!(w
        .state
        .refund_order(MerchantId::Cafe, &no, "RZ00001", "16.5", now)
        .is_ok());
    assert_eq!(w.state.wechat_change(user), Fen::from_yuan(20));
    assert_eq!(w.state.ledger().total(), 0);
    // Too little 零钱: NOTENOUGH.
    let big = order(&mut w, MerchantId::Books, "atlas", 1);
    let now = w.tick(1);
    let request = PayRequest {
        merchant: MerchantId::Books,
        out_trade_no: &big,
        method: Some(PayMethod::Change),
        pay_password: &pay_password,
        wallet_password: None,
        key: "y",
    };
    let short = w.state.pay_order(request, now);
    // 零钱 is short, not the wallet: said so, with 零钱's own advice.
    assert_eq!(
        short,
        Err(PayError::ChangeNotEnough {
            balance: Fen::from_yuan(20)
        })
    );
    assert_eq!(
        short.map_err(|e| (e.code(), e.guidance())),
        Err(("NOTENOUGH", Guidance::TopUpChangeOrOtherMethod))
    );
    // The stored form reads back, 零钱 payments and all.
    assert!(w.round_trips());
}

#[test]
fn a_payment_wechat_pay_answers_busy_is_payerror_and_paying_again_works() {
    use qianbao_core::sim::Faults;
    let mut w = funded("100");
    let me = w.me();
    let no = order(&mut w, MerchantId::Cafe, "latte", 1);
    w.state.sim_mut().set_faults(Faults {
        network: 0,
        busy: 1,
        latency_ms: 0,
    });
    assert_eq!(
        pay(&mut w, MerchantId::Cafe, &no, "k", None).map_err(|e| e.code()),
        Err("-1")
    );
    assert_eq!(
        state_of(&w, MerchantId::Cafe, &no),
        Some(OrderState::Payerror)
    );
    assert_eq!(w.state.balance(me), Fen::from_yuan(100));
    assert!(pay(&mut w, MerchantId::Cafe, &no, "k", None).is_ok());
    assert_eq!(
        state_of(&w, MerchantId::Cafe, &no),
        Some(OrderState::Success)
    );
    // The cashier remembers the method that paid.
    assert_eq!(w.state.preferred_method(), Some(PayMethod::Wallet(me)));
}

/// `after` equals `before` but for the console's log and fault plan, and the
/// log's last entry is a request to `endpoint` that failed with `code`.
fn only_logged(before: &State, after: &State, endpoint: Endpoint, code: &str) {
    let last = after
        .sim()
        .log()
        .last()
        .expect("the failed request is logged");
    assert_eq!(
        (last.endpoint, last.error.as_deref()),
        (endpoint, Some(code))
    );
    let mut unlogged = after.clone();
    *unlogged.sim_mut() = before.sim().clone();
    assert!(unlogged == *before, "nothing but the log changed");
}

/// A request that does not get through (the browser offline, or the
/// console's network failure) reaches no one: the 支付密码 and the wallet's
/// password it carried are neither checked nor counted, the order is as it
/// was, and once through, the right ones pay — once.
#[test]
fn a_payment_that_does_not_get_through_checks_and_counts_nothing() {
    use qianbao_core::sim::Faults;
    let mut w = funded("5000");
    let me = w.me();
    let no = order(&mut w, MerchantId::Cafe, "latte", 1);
    let big = order(&mut w, MerchantId::Digital, "tablet", 1);
    let wrong = wrong_pay_password(&w);
    w.state.sim_mut().set_offline(true);
    for _ in 0..6 {
        let before = w.state.clone();
        assert_eq!(
            try_pay(&mut w, &no, me, wrong).map_err(|e| e.code()),
            Err("WX-NETWORK")
        );
        only_logged(&before, &w.state, Endpoint::Pay, "WX-NETWORK");
    }
    // The merchant that asks for the wallet's password again: offline, a
    // wrong one is no try either.
    for _ in 0..6 {
        let before = w.state.clone();
        assert_eq!(
            pay(&mut w, MerchantId::Digital, &big, "b", Some("Wrong2026x")).map_err(|e| e.code()),
            Err("WX-NETWORK")
        );
        only_logged(&before, &w.state, Endpoint::Pay, "WX-NETWORK");
    }
    // The console's network failure is the same; it is used up.
    w.state.sim_mut().set_offline(false);
    w.state.sim_mut().set_faults(Faults {
        network: 1,
        busy: 0,
        latency_ms: 0,
    });
    let before = w.state.clone();
    assert_eq!(
        try_pay(&mut w, &no, me, wrong).map_err(|e| e.code()),
        Err("WX-NETWORK")
    );
    only_logged(&before, &w.state, Endpoint::Pay, "WX-NETWORK");
    assert_eq!(w.state.sim().faults().network, 0);
    assert_eq!(
        state_of(&w, MerchantId::Cafe, &no),
        Some(OrderState::Userpaying)
    );
    // Through: the right passwords pay, each order once.
    assert!(pay(&mut w, MerchantId::Cafe, &no, "k", None).is_ok());
    let password = w.demo.wallet.password.clone();
    assert!(pay(&mut w, MerchantId::Digital, &big, "b", Some(&password)).is_ok());
    assert!(
        pay(&mut w, MerchantId::Cafe, &no, "k", None).is_ok(),
        "a retry"
    );
    assert_eq!(
        w.state
            .ledger()
            .balance(LedgerAccount::Merchant(MerchantId::Cafe)),
        Fen::new(2_800)
    );
}

/// The merchant's requests to WeChat Pay — placing an order, a refund — and
/// WeChat Pay's notification to the merchant meet the same network: while
/// the browser is offline each fails as WX-NETWORK and changes nothing but
/// the log; back online each goes through, once.
#[test]
fn a_merchant_request_or_a_notification_that_does_not_get_through_changes_nothing() {
    let mut w = funded("100");
    let no = order(&mut w, MerchantId::Cafe, "latte", 1);
    assert!(pay(&mut w, MerchantId::Cafe, &no, "k", None).is_ok());
    w.state.sim_mut().set_offline(true);

    let before = w.state.clone();
    let now = w.tick(1);
    let placed = w
        .state
        .create_order(MerchantId::Cafe, &[("latte", 1)], now, &mut w.rng);
    assert_eq!(placed.map_err(|e| e.code()), Err("WX-NETWORK"));
    only_logged(&before, &w.state, Endpoint::UnifiedOrder, "WX-NETWORK");

    let before = w.state.clone();
    let now = w.tick(1);
    let refund = w
        .state
        .refund_order(MerchantId::Cafe, &no, "R000001", "28", now);
    assert_eq!(refund.map_err(|e| e.code()), Err("WX-NETWORK"));
    only_logged(&before, &w.state, Endpoint::Refund, "WX-NETWORK");

    let before = w.state.clone();
    let now = w.tick(1);
    let notified = w.state.resend_notify(MerchantId::Cafe, &no, now);
    assert_eq!(notified.map_err(|e| e.code()), Err("WX-NETWORK"));
    only_logged(&before, &w.state, Endpoint::Notify, "WX-NETWORK");

    w.state.sim_mut().set_offline(false);
    let now = w.tick(1);
    assert!(w
        .state
        .create_order(MerchantId::Cafe, &[("latte", 1)], now, &mut w.rng)
        .is_ok());
    let now = w.tick(1);
    assert!(w
        .state
        .refund_order(MerchantId::Cafe, &no, "R000001", "28", now)
        .is_ok());
    assert!(
        w.state
            .refund_order(MerchantId::Cafe, &no, "R000001", "28", now)
            .is_ok(),
        "the same refund again takes effect once"
    );
    let now = w.tick(1);
    assert!(w.state.resend_notify(MerchantId::Cafe, &no, now).is_ok());
    let paid = w.state.order(MerchantId::Cafe, &no).expect("the order");
    assert_eq!(paid.state, OrderState::Refund);
    assert_eq!(paid.notifications, 2);
    assert_eq!(w.state.balance(w.me()), Fen::from_yuan(100));
    assert_eq!(w.state.orders().count(), 2);
}

/// Regression (found while building the simulation test): order numbers are
/// eight random digits a day; two equal draws must not give two orders one
/// number, or the stored state no longer loads ("repeated" order numbers).
#[test]
fn two_orders_never_share_a_number() {
    use rand_chacha::rand_core::{Error, RngCore};
    /// A generator that always draws the same number.
    struct Stuck;
    impl RngCore for Stuck {
        fn next_u32(&mut self) -> u32 {
            42
        }
        fn next_u64(&mut self) -> u64 {
            42
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            dest.fill(42);
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
            dest.fill(42);
            Ok(())
        }
    }
    let mut w = World::new();
    let now = w.tick(1);
    let first = w
        .state
        .create_order(MerchantId::Cafe, &[("latte", 1)], now, &mut Stuck);
    let second = w
        .state
        .create_order(MerchantId::Cafe, &[("americano", 1)], now, &mut Stuck);
    assert!(first.is_ok() && second.is_ok());
    assert_ne!(first, second);
    assert!(w.round_trips());
}
