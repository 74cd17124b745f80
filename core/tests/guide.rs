//! Guided mode: the coach's next step follows the state through the
//! article's three tours — binding (二), paying (三.2), unbinding (三.3) —
//! including the detours the article lists (permission off, denial), and a
//! step taken before the tour began does not count for it.

use qianbao_core::card::{test_card_number, NewCard};
use qianbao_core::guide::{next_step, Step, Tour};
use qianbao_core::merchant::MerchantId;
use qianbao_core::money::Fen;
use qianbao_core::movement::MovementForm;
use qianbao_core::payment::{PayMethod, PayRequest};
use qianbao_core::testkit::*;
use qianbao_core::wechat::QIANBAO_APPID;
use qianbao_core::Timestamp;

fn step(w: &World, tour: Tour, since: Timestamp) -> Step {
    next_step(&w.state, tour, since, at(w.now))
}

fn add_card(w: &mut World) {
    let name = w.demo.wallet.real_name.as_str().to_owned();
    let number = test_card_number("622202", "0012345678");
    let now = w.tick(1);
    let form = NewCard {
        number: &number,
        holder: &name,
        expiry: "",
        cvv: "",
    };
    w.state
        .add_card(form, now)
        .unwrap_or_else(|e| panic!("{e}"));
}

fn top_up(w: &mut World, yuan: &str) {
    let me = w.me();
    let card = w
        .state
        .cards_of(me)
        .next()
        .map(|c| c.id())
        .unwrap_or_else(|| panic!("a card"));
    let now = w.tick(1);
    let prepared = w
        .state
        .prepare(MovementForm::TopUp { card, amount: yuan }, now)
        .unwrap_or_else(|e| panic!("{e}"));
    w.state
        .commit(&format!("top-up-{}", w.now), &prepared, now)
        .unwrap_or_else(|e| panic!("{e}"));
}

fn order(w: &mut World, merchant: MerchantId, sku: &str) -> String {
    let now = w.tick(1);
    w.state
        .create_order(merchant, &[(sku, 1)], now, &mut w.rng)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn pay(w: &mut World, merchant: MerchantId, no: &str) {
    let pay_password = w.demo.wechat.pay_password.clone();
    let key = format!("pay-{no}");
    let request = PayRequest {
        merchant,
        out_trade_no: no,
        method: Some(PayMethod::Wallet(w.me())),
        pay_password: &pay_password,
        wallet_password: None,
        key: &key,
    };
    let now = w.tick(1);
    w.state
        .pay_order(request, now)
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn binding_tour_follows_section_two() {
    let mut w = World::new();
    let since = at(w.now);
    assert_eq!(step(&w, Tour::Bind, since), Step::StartBinding);
    let url = w.start();
    w.state.wechat_mut().log_out();
    assert_eq!(step(&w, Tour::Bind, since), Step::WeChatLogIn);
    w.wechat_log_in(false);
    assert_eq!(step(&w, Tour::Bind, since), Step::Approve);
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    // Approved in WeChat, the wallet's exchange still to come: still 「允许」's step.
    assert_eq!(step(&w, Tour::Bind, since), Step::Approve);
    assert_eq!(w.callback(&redirect), Ok(()));
    assert_eq!(step(&w, Tour::Bind, since), Step::Done);
}

#[test]
fn binding_tour_detours_through_the_permission_and_back_after_a_denial() {
    let mut w = World::new();
    let since = at(w.now);
    let url = w.start();
    w.wechat_log_in(false);
    w.state
        .wechat_mut()
        .set_allow_third_party(false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(step(&w, Tour::Bind, since), Step::AllowThirdParty);
    w.state
        .wechat_mut()
        .set_allow_third_party(true)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(step(&w, Tour::Bind, since), Step::Approve);
    // 「拒绝」: the binding is cancelled, the tour goes back to 「绑定微信」.
    let req = Req::from_url(&url);
    let now = w.tick(1);
    let redirect = w
        .state
        .deny_authorization(&req.get(), &site(), now)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(w.callback(&redirect).is_err());
    assert_eq!(step(&w, Tour::Bind, since), Step::StartBinding);
}

#[test]
fn a_locked_session_signs_in_again() {
    let mut w = World::new();
    let since = at(w.now);
    w.state.lock_now();
    assert_eq!(step(&w, Tour::Bind, since), Step::SignIn);
    w.state.log_out();
    assert_eq!(step(&w, Tour::Unbind, since), Step::SignIn);
}

#[test]
fn paying_tour_follows_section_three_two() {
    let mut w = World::new();
    let since = at(w.now);
    assert_eq!(step(&w, Tour::Pay, since), Step::BindFirst);
    assert_eq!(w.bind(), Ok(()));
    // A new wallet holds nothing: a card, then a top-up of at least the
    // cheapest product (a ¥16.50 croissant).
    assert_eq!(step(&w, Tour::Pay, since), Step::AddCard);
    add_card(&mut w);
    assert_eq!(
        step(&w, Tour::Pay, since),
        Step::TopUp {
            at_least: Fen::new(1_650)
        }
    );
    top_up(&mut w, "50");
    assert_eq!(step(&w, Tour::Pay, since), Step::Checkout);
    let no = order(&mut w, MerchantId::Cafe, "latte");
    let at_cashier = Step::ConfirmPay {
        merchant: MerchantId::Cafe,
        out_trade_no: no.clone(),
    };
    assert_eq!(step(&w, Tour::Pay, since), at_cashier);
    let now = w.tick(1);
    w.state
        .open_cashier(MerchantId::Cafe, &no, now)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(step(&w, Tour::Pay, since), at_cashier);
    pay(&mut w, MerchantId::Cafe, &no);
    assert_eq!(step(&w, Tour::Pay, since), Step::Done);
}

#[test]
fn an_order_dearer_than_the_balance_asks_for_the_difference() {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    add_card(&mut w);
    top_up(&mut w, "20");
    let since = at(w.now);
    let no = order(&mut w, MerchantId::Books, "novel");
    assert_eq!(
        step(&w, Tour::Pay, since),
        Step::TopUp {
            at_least: Fen::new(4_580 - 2_000)
        }
    );
    top_up(&mut w, "30");
    assert_eq!(
        step(&w, Tour::Pay, since),
        Step::ConfirmPay {
            merchant: MerchantId::Books,
            out_trade_no: no
        }
    );
    // Half an hour later the order has run out: choose again.
    w.tick(31 * 60);
    assert_eq!(step(&w, Tour::Pay, since), Step::Checkout);
}

#[test]
fn a_payment_before_the_tour_does_not_count() {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    add_card(&mut w);
    top_up(&mut w, "100");
    let no = order(&mut w, MerchantId::Cafe, "americano");
    pay(&mut w, MerchantId::Cafe, &no);
    let since = w.tick(1);
    assert_eq!(step(&w, Tour::Pay, since), Step::Checkout);
    // An order from before the tour is not the tour's order either.
    let earlier = at(0);
    assert_eq!(step(&w, Tour::Pay, earlier), Step::Done);
}

#[test]
fn unbinding_tour_follows_section_three_three() {
    let mut w = World::new();
    let since = at(w.now);
    assert_eq!(step(&w, Tour::Unbind, since), Step::BindFirst);
    assert_eq!(w.bind(), Ok(()));
    assert_eq!(step(&w, Tour::Unbind, since), Step::Unbind);
    let now = w.tick(1);
    w.state.unbind_wechat(now).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(step(&w, Tour::Unbind, since), Step::Done);
    // Begun after that unbinding, the tour has a binding to end first.
    let later = w.tick(1);
    assert_eq!(step(&w, Tour::Unbind, later), Step::BindFirst);
    // The binding tour, meanwhile, starts over.
    assert_eq!(step(&w, Tour::Bind, later), Step::StartBinding);
}

#[test]
fn revoking_in_wechat_also_ends_the_unbinding_tour() {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    let since = at(w.now);
    w.state
        .wechat_mut()
        .revoke_app(QIANBAO_APPID)
        .unwrap_or_else(|e| panic!("{e}"));
    // The wallet learns of it when it next uses the binding.
    let now = w.tick(1);
    w.state.check_binding(now, &mut w.rng).unwrap();
    assert_eq!(step(&w, Tour::Unbind, since), Step::Done);
}
