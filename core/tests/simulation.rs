//! A deterministic simulation of the whole sandbox through `core`'s public
//! API. A seeded generator drives a handful of people through every world —
//! wallet accounts, cards, top-ups, withdrawals, transfers, bills, WeChat
//! accounts, binding (start → approve in WeChat → callback), 零钱, merchant
//! orders paid from a wallet or from 零钱, refunds, repeated notifications,
//! unbinding and revoking from WeChat's side — while faults are injected:
//! the console's network failures and system-busy answers, clock jumps
//! (seconds to 30 days), doubled submissions (the same key again, and the
//! same key with other content), and the browser stopping: between commands
//! (save, reload), in the middle of a save (new journal chunks written, the
//! main record not), or with a save that fails (the store restores its
//! checkpoint).
//!
//! After every step the invariants are checked: every journal entry balances
//! and balances are the sums of their postings (the total over all ledger
//! accounts is zero); nothing that must stay positive goes below zero; no
//! live WeChat grant lacks a wallet binding and no binding lacks its grant;
//! each idempotency key and refund number takes effect once; orders move
//! only along legal transitions and never refund more than was paid.
//!
//! A seed reproduces its run exactly: a violation names the seed, the step
//! and the operation. `cargo test` runs a short version; the long one is
//! `scripts/simulate.sh` (`QIANBAO_SIM_SEEDS`, `QIANBAO_SIM_OPS`, or
//! `QIANBAO_SIM_SEED` for a single seed).

mod common;

use common::{param, site, Req, T0};
use qianbao_core::account::{AccountError, AccountId, Registration};
use qianbao_core::binding::{BindError, Binding, EndReason};
use qianbao_core::card::{test_card_number, CardId, CardKind, NewCard};
use qianbao_core::error::UserError;
use qianbao_core::ledger::{dirty_chunks, Actor, Biller, Entry, EntryKind, LedgerAccount};
use qianbao_core::merchant::MerchantId;
use qianbao_core::money::Fen;
use qianbao_core::movement::{MovementForm, Prepared};
use qianbao_core::payment::{Order, OrderState, Paid, PayMethod, PayRequest};
use qianbao_core::phone::{Body, Sender};
use qianbao_core::security::Hasher;
use qianbao_core::sim::Faults;
use qianbao_core::state::StateError;
use qianbao_core::verification::VerifyError;
use qianbao_core::wechat::{NewWeChat, WeChatError, WeChatId, QIANBAO};
use qianbao_core::{State, Timestamp};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::{ChaCha20Rng, ChaCha8Rng};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Real names people are given. Few, so that two people sometimes share one
/// and a wallet can bind to somebody else's WeChat account.
const NAMES: [&str; 4] = ["张伟", "李娜", "王强", "刘洋"];
/// The real name of a WeChat account made not to match, and of a stranger's card.
const STRANGER: &str = "欧阳娜娜";

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

/// One simulated step. People, cards, orders and receipts are indexes into
/// what the run has made so far.
#[derive(Debug, Clone)]
enum Op {
    /// 「获取验证码」 and 「注册」 (with a mistyped code when `typo`).
    Register {
        person: usize,
        typo: bool,
    },
    AddCard {
        person: usize,
        credit: bool,
        stranger: bool,
    },
    RemoveCard {
        person: usize,
        card: usize,
    },
    /// The movements: `double` submits the same key twice (a double click,
    /// or a retry after a refusal).
    TopUp {
        person: usize,
        card: usize,
        amount: String,
        double: bool,
    },
    Withdraw {
        person: usize,
        card: usize,
        amount: String,
        double: bool,
    },
    Transfer {
        person: usize,
        to: usize,
        amount: String,
        note: String,
        double: bool,
    },
    PayBill {
        person: usize,
        biller: Biller,
        account: String,
        amount: String,
        double: bool,
    },
    ToChange {
        person: usize,
        amount: String,
        double: bool,
    },
    /// A committed movement's key and content again, later.
    Resubmit {
        receipt: usize,
    },
    /// A committed movement's key with other content.
    ReuseKey {
        receipt: usize,
    },
    CreateWeChat {
        person: usize,
        other_name: bool,
    },
    /// 「允许第三方应用授权」 in WeChat's settings.
    SetPermission {
        person: usize,
        allow: bool,
    },
    StartBind {
        person: usize,
    },
    /// 「允许」 in WeChat, logged in as `wechat`'s account (二次验证 as
    /// needed); `follow`: the browser follows the redirect to the callback.
    Approve {
        person: usize,
        wechat: usize,
        wrong_code: bool,
        follow: bool,
    },
    Deny {
        person: usize,
        wechat: usize,
    },
    Callback {
        person: usize,
        how: Callback,
    },
    Unbind {
        person: usize,
    },
    RevokeInWeChat {
        person: usize,
    },
    CheckBinding {
        person: usize,
    },
    CreateOrder {
        merchant: MerchantId,
        cart: Vec<(&'static str, u32)>,
        open: bool,
    },
    Pay {
        order: usize,
        payer: usize,
        method: Method,
        key: PayKey,
        wrong_password: bool,
        confirm: Confirm,
    },
    CancelPayment {
        order: usize,
    },
    Refund {
        order: usize,
        amount: RefundAmount,
        number: RefundNo,
    },
    /// The console's 「重发通知」.
    Notify {
        order: usize,
    },
    Wait(Jump),
    /// The console's fault plan for the next requests.
    Faults {
        network: u32,
        busy: u32,
    },
    /// The browser stops between two commands: save, then load.
    Crash,
    /// The browser stops while saving this command: chunks written, main record not.
    CrashMidSave(Box<Op>),
    /// Saving this command fails: the store restores its checkpoint.
    SaveFails(Box<Op>),
}

/// What the wallet's callback page is opened with.
#[derive(Debug, Clone, Copy)]
enum Callback {
    /// WeChat's redirect.
    Redirect,
    /// The redirect with another `state`.
    Forged,
    /// The redirect that bound the wallet, opened again (a page reload).
    Reload,
    /// The code that bound the wallet, with a later binding's `state`.
    OldCode,
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Wallet,
    Change,
}

/// The wallet password a merchant's extra confirmation is answered with.
#[derive(Debug, Clone, Copy)]
enum Confirm {
    Password,
    /// Counts towards the wallet account's lockout.
    Wrong,
    /// Not given: the payment needs the confirmation.
    Skip,
}

#[derive(Debug, Clone, Copy)]
enum PayKey {
    Fresh,
    /// 「确认支付」 twice with one key.
    Twice,
    /// The key that paid the order, if it is paid (a retried request).
    Repeat,
}

#[derive(Debug, Clone, Copy)]
enum RefundAmount {
    Full,
    /// Per mille of what is left.
    Part(i64),
    TooMuch,
}

#[derive(Debug, Clone, Copy)]
enum RefundNo {
    Fresh,
    /// The order's last refund number and amount again.
    Repeat,
    /// The order's last refund number with another amount.
    RepeatOther,
}

#[derive(Debug, Clone, Copy)]
enum Jump {
    Seconds(i64),
    Minutes(i64),
    /// The console's clock: access tokens expire.
    TwoHours,
    /// The console's clock: refresh tokens expire.
    ThirtyDays,
}

impl Op {
    /// The name the statistics count it under.
    fn name(&self) -> &'static str {
        match self {
            Op::Register { .. } => "register wallet",
            Op::AddCard { .. } => "add card",
            Op::RemoveCard { .. } => "remove card",
            Op::TopUp { .. } => "top up",
            Op::Withdraw { .. } => "withdraw",
            Op::Transfer { .. } => "transfer",
            Op::PayBill { .. } => "pay bill",
            Op::ToChange { .. } => "to WeChat change",
            Op::Resubmit { .. } => "same key again",
            Op::ReuseKey { .. } => "same key, other content",
            Op::CreateWeChat { .. } => "create WeChat",
            Op::SetPermission { .. } => "WeChat permission",
            Op::StartBind { .. } => "bind: start",
            Op::Approve { .. } => "bind: approve",
            Op::Deny { .. } => "bind: deny",
            Op::Callback { how, .. } => match how {
                Callback::Redirect => "bind: callback",
                Callback::Forged => "bind: forged state",
                Callback::Reload => "bind: reloaded callback",
                Callback::OldCode => "bind: old code",
            },
            Op::Unbind { .. } => "unbind",
            Op::RevokeInWeChat { .. } => "revoke in WeChat",
            Op::CheckBinding { .. } => "check binding",
            Op::CreateOrder { .. } => "create order",
            Op::Pay { method, key, .. } => match (key, method) {
                (PayKey::Repeat, _) => "pay: repeated request",
                (_, Method::Wallet) => "pay: wallet",
                (_, Method::Change) => "pay: change",
            },
            Op::CancelPayment { .. } => "leave cashier",
            Op::Refund { amount, .. } => match amount {
                RefundAmount::Full => "refund: full",
                RefundAmount::Part(_) => "refund: partial",
                RefundAmount::TooMuch => "refund: too much",
            },
            Op::Notify { .. } => "repeat notification",
            Op::Wait(jump) => match jump {
                Jump::Seconds(_) => "clock: seconds",
                Jump::Minutes(_) => "clock: minutes",
                Jump::TwoHours => "clock: +2 h",
                Jump::ThirtyDays => "clock: +30 d",
            },
            Op::Faults { .. } => "fault plan",
            Op::Crash => "crash between steps",
            Op::CrashMidSave(_) => "crash mid-save",
            Op::SaveFails(_) => "save fails",
        }
    }

    fn is_wrapper(&self) -> bool {
        matches!(self, Op::CrashMidSave(_) | Op::SaveFails(_))
    }
}

/// How an operation ended (a violation is an `Err` beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    /// Refused by `core` with this code.
    Refused(&'static str),
    /// Its precondition did not hold (e.g. the person has no wallet yet).
    Skipped,
}

fn refused(error: &impl UserError) -> Outcome {
    Outcome::Refused(error.code())
}

trait OrRefuse<T> {
    fn or_refuse(self) -> Result<T, Outcome>;
}

impl<T, E: UserError> OrRefuse<T> for Result<T, E> {
    fn or_refuse(self) -> Result<T, Outcome> {
        self.map_err(|e| refused(&e))
    }
}

/// The value of a step that must succeed for the operation to go on; else
/// the operation ends with the step's outcome.
macro_rules! or_return {
    ($step:expr) => {
        match $step {
            Ok(value) => value,
            Err(outcome) => return Ok(outcome),
        }
    };
}

fn ensure(holds: bool, violation: impl FnOnce() -> String) -> Result<(), String> {
    if holds {
        Ok(())
    } else {
        Err(violation())
    }
}

// ---------------------------------------------------------------------------
// The simulated people and the browser's storage
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Person {
    name: &'static str,
    phone: String,
    /// The wallet login: the phone number or an e-mail address.
    login: String,
    password: String,
    wallet: Option<AccountId>,
    cards: Vec<CardId>,
    wechat: Option<WeChatCreds>,
    /// The browser's binding pages: where the flow has got to.
    flow: Flow,
}

#[derive(Debug, Clone)]
struct WeChatCreds {
    id: WeChatId,
    wxid: String,
    phone: String,
    password: String,
    pay_password: String,
}

#[derive(Debug, Clone, Default)]
struct Flow {
    /// The authorize URL of the binding started last.
    url: Option<String>,
    /// WeChat's redirect back, not yet opened.
    redirect: Option<String>,
    /// The redirect that bound the wallet.
    bound_via: Option<String>,
}

/// A committed movement, kept to submit again.
#[derive(Debug, Clone)]
struct Submitted {
    person: usize,
    key: String,
    prepared: Prepared,
    entry: u64,
}

/// `localStorage` as `web/src/storage.rs` uses it: journal chunks, then the
/// main record (the commit point).
#[derive(Debug, Default)]
struct Disk {
    main: Option<String>,
    chunks: Vec<String>,
    saved_len: usize,
}

impl Disk {
    /// The chunks that grew since the last save (`save_state`'s first half).
    fn write_chunks(&mut self, state: &State) -> Result<(), StateError> {
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
    fn save(&mut self, state: &mut State) -> Result<(), StateError> {
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

    fn load(&self) -> Result<State, StateError> {
        match &self.main {
            Some(main) => State::from_parts(main, &self.chunks),
            None => Ok(State::default()),
        }
    }
}

// ---------------------------------------------------------------------------
// The invariants
// ---------------------------------------------------------------------------

/// What the checks have seen so far, so that each step checks only what is
/// new: the journal is append-only and orders are never removed.
#[derive(Debug, Clone, Default)]
struct Model {
    seen: usize,
    last: Option<Entry>,
    /// Every ledger account's balance, summed from the postings.
    balances: BTreeMap<LedgerAccount, i64>,
    keys: BTreeSet<(Actor, String)>,
    refund_nos: BTreeSet<(MerchantId, String, String)>,
    order_index: HashMap<(MerchantId, String), usize>,
    orders: Vec<OrderModel>,
}

#[derive(Debug, Clone)]
struct OrderModel {
    state: OrderState,
    paid: Option<Paid>,
    refunds: usize,
    notifications: u32,
    fulfilled_at: Option<Timestamp>,
    /// Journal entries for the order: payments (id, amount), refunds (id, number, amount).
    payments: Vec<(u64, Fen)>,
    refund_entries: Vec<(u64, String, Fen)>,
    touched: bool,
}

impl OrderModel {
    fn new() -> Self {
        OrderModel {
            state: OrderState::Notpay,
            paid: None,
            refunds: 0,
            notifications: 0,
            fulfilled_at: None,
            payments: Vec::new(),
            refund_entries: Vec::new(),
            touched: true,
        }
    }

    fn differs(&self, order: &Order) -> bool {
        self.touched
            || self.state != order.state
            || self.paid != order.paid
            || self.refunds != order.refunds.len()
            || self.notifications != order.notifications
            || self.fulfilled_at != order.fulfilled_at
    }
}

/// NOTPAY → USERPAYING (and back when the cashier is left), any open state →
/// SUCCESS | PAYERROR | CLOSED, SUCCESS → REFUND.
fn legal(from: OrderState, to: OrderState) -> bool {
    use OrderState::*;
    from == to
        || matches!(
            (from, to),
            (Notpay, Userpaying)
                | (Userpaying, Notpay)
                | (Notpay | Userpaying | Payerror, Success | Payerror | Closed)
                | (Success, Refund)
        )
}

impl Model {
    fn check(&mut self, state: &State) -> Result<(), String> {
        self.learn_orders(state)?;
        self.check_journal(state)?;
        self.check_balances(state)?;
        self.check_orders(state)?;
        check_bindings(state)
    }

    fn learn_orders(&mut self, state: &State) -> Result<(), String> {
        let orders = state.orders();
        ensure(orders.len() >= self.orders.len(), || {
            format!("orders vanished: {} → {}", self.orders.len(), orders.len())
        })?;
        for (index, order) in orders.iter().enumerate().skip(self.orders.len()) {
            let key = (order.merchant, order.out_trade_no.clone());
            ensure(!self.order_index.contains_key(&key), || {
                format!(
                    "two orders of {} share the number {}",
                    order.merchant.as_str(),
                    order.out_trade_no
                )
            })?;
            self.order_index.insert(key, index);
            self.orders.push(OrderModel::new());
        }
        Ok(())
    }

    /// Each new entry: numbered in sequence, balanced, keeps constrained
    /// accounts at or above zero, uses its key once, and money only comes
    /// from the bank when a card is opened.
    fn check_journal(&mut self, state: &State) -> Result<(), String> {
        let entries = state.ledger().entries();
        ensure(entries.len() >= self.seen, || {
            format!(
                "the journal shrank from {} to {} entries",
                self.seen,
                entries.len()
            )
        })?;
        if let Some(last) = &self.last {
            ensure(entries.get(self.seen - 1) == Some(last), || {
                format!("journal entry #{} was rewritten", last.id)
            })?;
        }
        for (index, entry) in entries.iter().enumerate().skip(self.seen) {
            ensure(entry.id == index as u64 + 1, || {
                format!("entry #{} stands at position {}", entry.id, index + 1)
            })?;
            let sum: i64 = entry.postings.iter().map(|p| p.1.get()).sum();
            ensure(entry.postings.len() >= 2 && sum == 0, || {
                format!("entry #{} does not balance: {:?}", entry.id, entry.postings)
            })?;
            for posting in &entry.postings {
                *self.balances.entry(posting.0).or_default() += posting.1.get();
            }
            for posting in &entry.postings {
                let balance = self.balances.get(&posting.0).copied().unwrap_or(0);
                ensure(!posting.0.must_stay_positive() || balance >= 0, || {
                    format!("entry #{} takes {} to {balance}", entry.id, posting.0)
                })?;
            }
            let from_bank = entry
                .postings
                .iter()
                .any(|p| p.0 == LedgerAccount::BankReserve);
            let opening = matches!(entry.kind, EntryKind::CardOpening { .. });
            ensure(from_bank == opening, || {
                format!("entry #{} {:?} moves bank money", entry.id, entry.kind)
            })?;
            if let Some(key) = &entry.key {
                ensure(self.keys.insert((entry.by, key.clone())), || {
                    format!("key {key:?} of {} took effect twice", entry.by)
                })?;
            }
            match &entry.kind {
                EntryKind::Payment {
                    merchant,
                    out_trade_no,
                } => {
                    let order = self.order_of(*merchant, out_trade_no, entry)?;
                    let amount = entry.net_for(LedgerAccount::Merchant(*merchant));
                    order.payments.push((entry.id, amount));
                    order.touched = true;
                }
                EntryKind::Refund {
                    merchant,
                    out_trade_no,
                    out_refund_no,
                } => {
                    let number = (*merchant, out_trade_no.clone(), out_refund_no.clone());
                    ensure(self.refund_nos.insert(number), || {
                        format!("refund number {out_refund_no} took effect twice")
                    })?;
                    let amount = entry.net_for(LedgerAccount::Merchant(*merchant));
                    let order = self.order_of(*merchant, out_trade_no, entry)?;
                    order.refund_entries.push((
                        entry.id,
                        out_refund_no.clone(),
                        Fen::new(-amount.get()),
                    ));
                    order.touched = true;
                }
                _ => {}
            }
        }
        self.seen = entries.len();
        self.last = entries.last().cloned();
        Ok(())
    }

    fn order_of(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        entry: &Entry,
    ) -> Result<&mut OrderModel, String> {
        let index = self
            .order_index
            .get(&(merchant, out_trade_no.to_owned()))
            .copied()
            .ok_or_else(|| format!("entry #{} names an unknown order", entry.id))?;
        self.orders
            .get_mut(index)
            .ok_or_else(|| format!("entry #{} names a missing order", entry.id))
    }

    /// Balances are the sums of their postings; the total is zero; wallets,
    /// cards and 零钱 never below zero, nor what merchants and billers hold.
    fn check_balances(&self, state: &State) -> Result<(), String> {
        let ledger = state.ledger();
        ensure(ledger.total() == 0, || {
            format!("the ledger's total is {}", ledger.total())
        })?;
        let mut total: i128 = 0;
        for (&account, &balance) in &self.balances {
            total += i128::from(balance);
            let cached = ledger.balance(account).get();
            ensure(cached == balance, || {
                format!("{account} shows {cached} but its postings sum to {balance}")
            })?;
            let floor = matches!(
                account,
                LedgerAccount::Merchant(_) | LedgerAccount::Biller(_)
            ) || account.must_stay_positive();
            ensure(!floor || balance >= 0, || {
                format!("{account} is at {balance}")
            })?;
        }
        ensure(total == 0, || {
            format!("postings sum to {total} over all accounts")
        })
    }

    /// Orders: legal transitions, exactly one payment entry of the order's
    /// amount once paid, refunds as in the journal and never above the payment.
    fn check_orders(&mut self, state: &State) -> Result<(), String> {
        for (order, model) in state.orders().iter().zip(self.orders.iter_mut()) {
            if !model.differs(order) {
                continue;
            }
            let no = &order.out_trade_no;
            ensure(legal(model.state, order.state), || {
                format!("order {no} went {:?} → {:?}", model.state, order.state)
            })?;
            let paid_state = matches!(order.state, OrderState::Success | OrderState::Refund);
            ensure(paid_state == order.paid.is_some(), || {
                format!(
                    "order {no} is {:?} with payment {:?}",
                    order.state, order.paid
                )
            })?;
            if let Some(before) = &model.paid {
                ensure(order.paid.as_ref() == Some(before), || {
                    format!("the payment of order {no} changed")
                })?;
            }
            match &order.paid {
                Some(paid) => {
                    ensure(model.payments == [(paid.entry, order.amount)], || {
                        format!(
                            "order {no} of {} paid by #{} but the journal has {:?}",
                            order.amount.get(),
                            paid.entry,
                            model.payments
                        )
                    })?;
                    ensure(
                        order.fulfilled_at.is_some() && order.notifications > 0,
                        || format!("order {no} is paid but the merchant was not notified"),
                    )?;
                }
                None => ensure(
                    model.payments.is_empty() && order.refunds.is_empty(),
                    || format!("unpaid order {no} has payments or refunds"),
                )?,
            }
            let refunded: i64 = order.refunds.iter().map(|r| r.amount.get()).sum();
            ensure(refunded <= order.amount.get(), || {
                format!("order {no}: {refunded} refunded of {}", order.amount.get())
            })?;
            ensure(
                (order.state == OrderState::Refund) != order.refunds.is_empty(),
                || {
                    format!(
                        "order {no} is {:?} with {} refunds",
                        order.state,
                        order.refunds.len()
                    )
                },
            )?;
            let matches = order.refunds.len() == model.refund_entries.len()
                && order.refunds.iter().zip(&model.refund_entries).all(
                    |(r, (entry, number, amount))| {
                        r.entry == *entry && r.out_refund_no == *number && r.amount == *amount
                    },
                );
            ensure(matches, || {
                format!("the refunds of order {no} do not match the journal")
            })?;
            ensure(order.notifications >= model.notifications, || {
                format!("order {no} lost notifications")
            })?;
            ensure(
                model.fulfilled_at.is_none() || order.fulfilled_at == model.fulfilled_at,
                || format!("the merchant processed order {no} twice"),
            )?;
            *model = OrderModel {
                state: order.state,
                paid: order.paid.clone(),
                refunds: order.refunds.len(),
                notifications: order.notifications,
                fulfilled_at: order.fulfilled_at,
                payments: std::mem::take(&mut model.payments),
                refund_entries: std::mem::take(&mut model.refund_entries),
                touched: false,
            };
        }
        Ok(())
    }
}

/// No partial binding: every live grant of Qianbao in WeChat has a wallet
/// bound to its openid, and every bound wallet's openid was granted (a grant
/// revoked in WeChat is noticed on the binding's next use).
fn check_bindings(state: &State) -> Result<(), String> {
    let bound: Vec<(AccountId, String)> = state
        .accounts()
        .iter()
        .filter_map(|a| match state.binding(a.id()) {
            Binding::Bound(b) => Some((a.id(), b.openid)),
            _ => None,
        })
        .collect();
    let grants = state.wechat().grants();
    for grant in grants
        .iter()
        .filter(|g| g.appid == QIANBAO.appid && !g.revoked)
    {
        ensure(
            bound.iter().any(|(_, openid)| *openid == grant.openid),
            || {
                format!(
                    "WeChat user {} holds a live grant ({}) that no wallet is bound to",
                    grant.user.get(),
                    grant.openid
                )
            },
        )?;
    }
    for (account, openid) in &bound {
        ensure(
            grants
                .iter()
                .any(|g| g.appid == QIANBAO.appid && g.openid == *openid),
            || {
                format!(
                    "wallet {} is bound to {openid}, which WeChat never granted",
                    account.get()
                )
            },
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The simulation
// ---------------------------------------------------------------------------

/// Everything a crash can take back: the state, what the browser's pages
/// remember, and the checks' model.
#[derive(Debug, Clone)]
struct World {
    state: State,
    people: Vec<Person>,
    receipts: Vec<Submitted>,
    model: Model,
}

#[derive(Debug, Default)]
struct Tally {
    done: u64,
    skipped: u64,
    refused: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Default)]
struct Stats {
    seeds: u64,
    ops: u64,
    kinds: BTreeMap<&'static str, Tally>,
    /// Expectations verified beyond the invariants, by name.
    checks: BTreeMap<&'static str, u64>,
}

impl Stats {
    fn count(&mut self, name: &'static str, outcome: Outcome) {
        let tally = self.kinds.entry(name).or_default();
        match outcome {
            Outcome::Done => tally.done += 1,
            Outcome::Skipped => tally.skipped += 1,
            Outcome::Refused(code) => *tally.refused.entry(code).or_default() += 1,
        }
    }

    fn checked(&mut self, what: &'static str) {
        *self.checks.entry(what).or_default() += 1;
    }

    fn merge(&mut self, other: Stats) {
        self.seeds += other.seeds;
        self.ops += other.ops;
        for (name, tally) in other.kinds {
            let mine = self.kinds.entry(name).or_default();
            mine.done += tally.done;
            mine.skipped += tally.skipped;
            for (code, n) in tally.refused {
                *mine.refused.entry(code).or_default() += n;
            }
        }
        for (what, n) in other.checks {
            *self.checks.entry(what).or_default() += n;
        }
    }
}

/// A violation, with what reproduces it.
#[derive(Debug)]
struct Failure {
    seed: u64,
    step: u64,
    op: Op,
    message: String,
    recent: Vec<Op>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "violation: {}", self.message)?;
        writeln!(f, "  seed {}, step {}: {:?}", self.seed, self.step, self.op)?;
        for (i, op) in self.recent.iter().enumerate() {
            let back = self.recent.len() - i;
            writeln!(
                f,
                "  step {}: {op:?}",
                self.step.saturating_sub(back as u64)
            )?;
        }
        write!(
            f,
            "  reproduce: QIANBAO_SIM_SEED={} QIANBAO_SIM_OPS={} scripts/simulate.sh",
            self.seed,
            self.step + 1
        )
    }
}

/// One seeded run.
struct Sim {
    /// The generator's choices.
    rng: ChaCha8Rng,
    /// The randomness handed to `core`, as the shell's CSPRNG.
    core_rng: ChaCha20Rng,
    hasher: Hasher,
    /// The browser's clock (the console's offset lives in the state).
    wall: i64,
    w: World,
    disk: Disk,
    /// For idempotency keys, refund and card numbers.
    serial: u64,
    stats: Stats,
}

impl Sim {
    fn new(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let count = 3 + (rng.next_u32() % 5) as usize;
        let people = (0..count)
            .map(|i| {
                let phone = format!("139{:08}", 1000 + i);
                let login = if rng.next_u32() % 4 == 0 {
                    format!("person{i}@example.com")
                } else {
                    phone.clone()
                };
                Person {
                    name: NAMES[rng.next_u32() as usize % NAMES.len()],
                    phone,
                    login,
                    password: format!("Qb{i}Pass{:04}", rng.next_u32() % 10_000),
                    wallet: None,
                    cards: Vec::new(),
                    wechat: None,
                    flow: Flow::default(),
                }
            })
            .collect();
        let params = argon2::Params::new(8, 1, 1, None).unwrap_or_else(|e| panic!("{e}"));
        Sim {
            rng,
            core_rng: ChaCha20Rng::seed_from_u64(seed ^ 0x5157_4241_4f00),
            hasher: Hasher::with_params(params),
            wall: T0,
            w: World {
                state: State::default(),
                people,
                receipts: Vec::new(),
                model: Model::default(),
            },
            disk: Disk::default(),
            serial: 0,
            stats: Stats::default(),
        }
    }

    // --- generator helpers ---

    fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, options: &[(usize, T)]) -> T {
        let total: usize = options.iter().map(|o| o.0).sum();
        let mut roll = self.below(total);
        for &(weight, value) in options {
            if roll < weight {
                return value;
            }
            roll -= weight;
        }
        options[options.len() - 1].1
    }

    /// An amount as typed: mostly plausible, sometimes over a limit or malformed.
    fn amount(&mut self, max_yuan: usize) -> String {
        const BAD: [&str; 7] = ["0", "-5", "1.001", "abc", "", "１２.５", "99999999999999"];
        match self.below(100) {
            0..=2 => BAD[self.below(BAD.len())].to_owned(),
            3..=5 => (20_000 + self.below(40_000)).to_string(),
            _ => format!("{}.{:02}", 1 + self.below(max_yuan), self.below(100)),
        }
    }

    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    fn fresh_key(&mut self) -> String {
        format!("key{:08x}", self.next_serial())
    }

    fn now(&self) -> Timestamp {
        self.w.state.sim().now(Timestamp::from_millis(self.wall))
    }

    // --- the generator ---

    /// The next operation: 1.5 % a crash between steps, 1.5 % a crash in
    /// the middle of saving an operation, 1 % a failed save, else [`Sim::plain`].
    fn generate(&mut self) -> Op {
        match self.below(1000) {
            0..=14 => Op::Crash,
            15..=29 => Op::CrashMidSave(Box::new(self.plain())),
            30..=39 => Op::SaveFails(Box::new(self.plain())),
            _ => self.plain(),
        }
    }

    /// 55 % a person acts, 30 % shopping, 5 % a committed submission again
    /// (the clock instead while there is none), 6 % the clock moves, 2 % the
    /// console plans faults, 2 % a person acts.
    fn plain(&mut self) -> Op {
        match self.below(100) {
            0..=54 => self.person_op(),
            55..=84 => self.shop_op(),
            85..=89 if !self.w.receipts.is_empty() => {
                let receipt = self.below(self.w.receipts.len());
                if self.chance(60) {
                    Op::Resubmit { receipt }
                } else {
                    Op::ReuseKey { receipt }
                }
            }
            85..=95 => {
                let seconds = Jump::Seconds(30 + self.below(600) as i64);
                let minutes = Jump::Minutes(5 + self.below(40) as i64);
                Op::Wait(self.pick(&[
                    (45, seconds),
                    (30, minutes),
                    (15, Jump::TwoHours),
                    (10, Jump::ThirtyDays),
                ]))
            }
            96..=97 => Op::Faults {
                network: self.below(3) as u32,
                busy: self.below(2) as u32,
            },
            _ => self.person_op(),
        }
    }

    /// Something one person does next, weighted by where they are: a new
    /// person registers, a wallet without cards adds one, a binding in
    /// progress goes on to its next step.
    fn person_op(&mut self) -> Op {
        #[derive(Clone, Copy)]
        enum K {
            Register,
            CreateWeChat,
            AddCard,
            RemoveCard,
            TopUp,
            Withdraw,
            Transfer,
            Bill,
            ToChange,
            StartBind,
            Approve,
            Deny,
            Callback(Callback),
            Unbind,
            Revoke,
            Check,
            Permission,
        }
        let person = self.below(self.w.people.len());
        let p = &self.w.people[person];
        let cards = p.cards.len();
        let own_wechat = p.wechat.as_ref().map(|c| c.id);
        let any_wechat = self.w.people.iter().any(|q| q.wechat.is_some());
        // Replaying the code of an earlier binding needs one.
        let old_code = if p.flow.bound_via.is_some() { 2 } else { 0 };
        let mut options: Vec<(usize, K)> = Vec::new();
        if p.wallet.is_none() {
            options.push((30, K::Register));
        }
        if own_wechat.is_none() {
            options.push((15, K::CreateWeChat));
        }
        if let Some(wallet) = p.wallet {
            options.push((if cards == 0 { 40 } else { 2 }, K::AddCard));
            if cards > 0 {
                options.extend([
                    (14, K::TopUp),
                    (4, K::Withdraw),
                    (6, K::Transfer),
                    (4, K::Bill),
                    (1, K::RemoveCard),
                ]);
            }
            if any_wechat {
                match self.w.state.binding(wallet) {
                    Binding::Bound(_) => options.extend([
                        (10, K::ToChange),
                        (2, K::Unbind),
                        (3, K::Check),
                        (1, K::Callback(Callback::Reload)),
                    ]),
                    Binding::Authorizing { .. } if p.flow.redirect.is_some() => options.extend([
                        (30, K::Callback(Callback::Redirect)),
                        (2, K::Callback(Callback::Forged)),
                        (old_code, K::Callback(Callback::OldCode)),
                        (2, K::StartBind),
                    ]),
                    Binding::Authorizing { .. } => options.extend([
                        (30, K::Approve),
                        (2, K::Deny),
                        (old_code, K::Callback(Callback::OldCode)),
                        (2, K::StartBind),
                    ]),
                    Binding::Unbound | Binding::Ended { .. } => options.push((12, K::StartBind)),
                }
            }
        }
        if let Some(id) = own_wechat {
            let allowed = self
                .w
                .state
                .wechat()
                .account(id)
                .is_some_and(|a| a.allows_third_party());
            options.push((if allowed { 1 } else { 12 }, K::Permission));
            options.push((1, K::Revoke));
        }
        let wechat_people: Vec<usize> = (0..self.w.people.len())
            .filter(|&i| self.w.people[i].wechat.is_some())
            .collect();
        let others = self.w.people.len();
        match self.pick(&options) {
            K::Register => Op::Register {
                person,
                typo: self.chance(5),
            },
            K::CreateWeChat => Op::CreateWeChat {
                person,
                other_name: self.chance(12),
            },
            K::AddCard => Op::AddCard {
                person,
                credit: self.chance(30),
                stranger: self.chance(3),
            },
            K::RemoveCard => Op::RemoveCard {
                person,
                card: self.below(cards),
            },
            K::TopUp => Op::TopUp {
                person,
                card: self.below(cards),
                amount: self.amount(3_000),
                double: self.chance(8),
            },
            K::Withdraw => Op::Withdraw {
                person,
                card: {
                    let p = &self.w.people[person];
                    let debit: Vec<usize> = (0..cards)
                        .filter(|&i| {
                            self.w
                                .state
                                .card(p.cards[i])
                                .is_some_and(|c| c.kind() == CardKind::Debit)
                        })
                        .collect();
                    match debit.len() {
                        0 => self.below(cards),
                        n if self.chance(85) => debit[self.below(n)],
                        _ => self.below(cards),
                    }
                },
                amount: self.amount(800),
                double: self.chance(8),
            },
            K::Transfer => Op::Transfer {
                person,
                // Now and then to themselves (refused).
                to: if self.chance(5) {
                    person
                } else {
                    (person + 1 + self.below(others - 1)) % others
                },
                amount: self.amount(800),
                note: if self.chance(3) {
                    "长".repeat(31)
                } else {
                    "午饭".to_owned()
                },
                double: self.chance(8),
            },
            K::Bill => {
                let biller = Biller::ALL[self.below(Biller::ALL.len())];
                let account = match biller {
                    _ if self.chance(5) => "123".to_owned(),
                    Biller::Electricity => "1234567890".to_owned(),
                    Biller::Water => "12345678".to_owned(),
                    Biller::Mobile => self.w.people[person].phone.clone(),
                };
                Op::PayBill {
                    person,
                    biller,
                    account,
                    amount: self.amount(300),
                    double: self.chance(8),
                }
            }
            K::ToChange => Op::ToChange {
                person,
                amount: format!("{}.{:02}", 10 + self.below(300), self.below(100)),
                double: self.chance(10),
            },
            K::StartBind => Op::StartBind { person },
            kind @ (K::Approve | K::Deny) => {
                // Mostly the person's own WeChat account; sometimes whoever's.
                let wechat = match own_wechat {
                    Some(_) if self.chance(85) => person,
                    _ => wechat_people[self.below(wechat_people.len())],
                };
                match kind {
                    K::Approve => Op::Approve {
                        person,
                        wechat,
                        wrong_code: self.chance(4),
                        follow: self.chance(85),
                    },
                    _ => Op::Deny { person, wechat },
                }
            }
            K::Callback(how) => Op::Callback { person, how },
            K::Unbind => Op::Unbind { person },
            K::Revoke => Op::RevokeInWeChat { person },
            K::Check => Op::CheckBinding { person },
            K::Permission => {
                let allowed = own_wechat
                    .and_then(|id| self.w.state.wechat().account(id))
                    .is_some_and(|a| a.allows_third_party());
                Op::SetPermission {
                    person,
                    allow: !allowed,
                }
            }
        }
    }

    /// Shopping: new orders, paying the newest open one (sometimes an old,
    /// closed or paid one), refunds of paid orders, the console's repeats.
    fn shop_op(&mut self) -> Op {
        #[derive(Clone, Copy)]
        enum K {
            Create,
            Pay,
            Refund,
            Notify,
            Cancel,
        }
        let now = self.now();
        let orders = self.w.state.orders();
        let count = orders.len();
        let open: Vec<usize> = (0..count)
            .filter(|&i| {
                matches!(
                    orders[i].state,
                    OrderState::Notpay | OrderState::Userpaying | OrderState::Payerror
                ) && orders[i].expires_at > now
            })
            .collect();
        let paid: Vec<usize> = (0..count).filter(|&i| orders[i].paid.is_some()).collect();
        let refundable: Vec<usize> = paid
            .iter()
            .copied()
            .filter(|&i| orders[i].refundable() > Fen::ZERO)
            .collect();
        let payers: Vec<usize> = (0..self.w.people.len())
            .filter(|&i| self.w.people[i].wechat.is_some())
            .collect();
        // WeChat users with a live grant that a wallet is bound to: the
        // cashier offers them a wallet.
        let state = &self.w.state;
        let bound: Vec<String> = state
            .accounts()
            .iter()
            .filter_map(|a| state.binding(a.id()).bound().map(|b| b.openid.clone()))
            .collect();
        let paying: Vec<WeChatId> = state
            .wechat()
            .grants()
            .iter()
            .filter(|g| g.appid == QIANBAO.appid && !g.revoked && bound.contains(&g.openid))
            .map(|g| g.user)
            .collect();
        let bound_payers: Vec<usize> = payers
            .iter()
            .copied()
            .filter(|&i| {
                self.w.people[i]
                    .wechat
                    .as_ref()
                    .is_some_and(|c| paying.contains(&c.id))
            })
            .collect();
        let mut options = vec![(if count == 0 { 100 } else { 30 }, K::Create)];
        if count > 0 && !payers.is_empty() {
            // Mostly the order just placed; now and then an old one.
            options.push((if open.is_empty() { 5 } else { 45 }, K::Pay));
        }
        if !paid.is_empty() {
            options.extend([(15, K::Refund), (4, K::Notify)]);
        }
        if !open.is_empty() {
            options.push((3, K::Cancel));
        }
        match self.pick(&options) {
            K::Create => {
                let merchant = MerchantId::ALL[self.below(MerchantId::ALL.len())];
                let products = merchant.merchant().products;
                let lines = 1 + self.below(2);
                let cart = (0..lines)
                    .map(|_| {
                        let sku = products[self.below(products.len())].sku;
                        let quantity = match self.below(100) {
                            0..=2 => [0, 100][self.below(2)],
                            3..=27 => 2 + self.below(2) as u32,
                            _ => 1,
                        };
                        (sku, quantity)
                    })
                    .collect();
                Op::CreateOrder {
                    merchant,
                    cart,
                    open: self.chance(85),
                }
            }
            K::Pay => {
                let order = match open.last() {
                    Some(&newest) if self.chance(90) => newest,
                    _ => self.below(count),
                };
                let payer = if !bound_payers.is_empty() && self.chance(85) {
                    bound_payers[self.below(bound_payers.len())]
                } else {
                    payers[self.below(payers.len())]
                };
                // A wallet mostly when the cashier offers one, 零钱 mostly
                // when it covers the order; now and then the other.
                let offered = bound_payers.contains(&payer);
                let change = self.w.people[payer]
                    .wechat
                    .as_ref()
                    .map_or(Fen::ZERO, |c| self.w.state.wechat_change(c.id));
                let covers = self
                    .w
                    .state
                    .orders()
                    .get(order)
                    .is_some_and(|o| o.amount <= change);
                let change_weight = match (offered, covers) {
                    (true, false) => 10,
                    (true, true) => 50,
                    (false, _) => 80,
                };
                Op::Pay {
                    order,
                    payer,
                    method: self.pick(&[
                        (100 - change_weight, Method::Wallet),
                        (change_weight, Method::Change),
                    ]),
                    key: self.pick(&[
                        (80, PayKey::Fresh),
                        (10, PayKey::Twice),
                        (10, PayKey::Repeat),
                    ]),
                    wrong_password: self.chance(3),
                    confirm: self.pick(&[
                        (88, Confirm::Password),
                        (4, Confirm::Wrong),
                        (8, Confirm::Skip),
                    ]),
                }
            }
            K::Refund => {
                let order = match self.below(100) {
                    0..=79 if !refundable.is_empty() => refundable[self.below(refundable.len())],
                    0..=89 => paid[self.below(paid.len())],
                    _ => self.below(count),
                };
                let part = 1 + self.below(999) as i64;
                Op::Refund {
                    order,
                    amount: self.pick(&[
                        (35, RefundAmount::Full),
                        (55, RefundAmount::Part(part)),
                        (10, RefundAmount::TooMuch),
                    ]),
                    number: self.pick(&[
                        (80, RefundNo::Fresh),
                        (12, RefundNo::Repeat),
                        (8, RefundNo::RepeatOther),
                    ]),
                }
            }
            K::Notify => Op::Notify {
                order: if self.chance(80) {
                    paid[self.below(paid.len())]
                } else {
                    self.below(count)
                },
            },
            K::Cancel => Op::CancelPayment {
                order: open[self.below(open.len())],
            },
        }
    }

    // --- acting as the people ---

    /// Makes `person`'s wallet the signed-in one, through the login or the
    /// lock screen as the shell would.
    fn sign_in(&mut self, person: usize) -> Result<AccountId, Outcome> {
        let p = &self.w.people[person];
        let Some(id) = p.wallet else {
            return Err(Outcome::Skipped);
        };
        let (login, password) = (p.login.clone(), p.password.clone());
        let now = self.now();
        self.w.state.lock_if_idle(now);
        let session = self.w.state.session().map(|s| (s.account(), s.is_locked()));
        match session {
            Some((account, false)) if account == id => {}
            Some((account, true)) if account == id => {
                self.w.state.unlock(&password, now).or_refuse()?;
            }
            _ => {
                self.w.state.log_out();
                self.w.state.log_in(&login, &password, now).or_refuse()?;
            }
        }
        Ok(id)
    }

    /// Logs `person`'s WeChat account in to the simulated WeChat.
    fn wechat_in(&mut self, person: usize) -> Result<WeChatCreds, Outcome> {
        let creds = self.w.people[person]
            .wechat
            .clone()
            .ok_or(Outcome::Skipped)?;
        if self.w.state.wechat().signed_in().map(|a| a.id()) != Some(creds.id) {
            self.w.state.wechat_mut().log_out();
            let now = self.now();
            self.w
                .state
                .wechat_mut()
                .log_in(&creds.wxid, &creds.password, now)
                .or_refuse()?;
        }
        Ok(creds)
    }

    /// The newest verification code `from` sent to `to`, read off the phone.
    fn latest_code(&self, to: &str, from: Sender) -> String {
        self.w
            .state
            .inbox()
            .newest_first()
            .find(|m| m.to == to && m.from == from)
            .map(|m| match &m.body {
                Body::VerificationCode { code, .. } => code.clone(),
            })
            .unwrap_or_default()
    }

    /// Prepare → 「确认」 with a fresh key, as the movement screens do.
    fn movement(
        &mut self,
        person: usize,
        form: MovementForm<'_>,
        double: bool,
    ) -> Result<Outcome, String> {
        or_return!(self.sign_in(person));
        let now = self.now();
        let prepared = or_return!(self.w.state.prepare(form, now).or_refuse());
        let key = self.fresh_key();
        let before = self.w.state.ledger().len();
        let receipt = match self.w.state.commit(&key, &prepared, now) {
            Ok(receipt) => receipt,
            // 「确认」 again after an error: the same key, which moved nothing.
            Err(_) if double => {
                let retry = or_return!(self.w.state.commit(&key, &prepared, now).or_refuse());
                self.stats.checked("retry after a refusal went through");
                retry
            }
            Err(error) => return Ok(refused(&error)),
        };
        let after = self.w.state.ledger().len();
        ensure(after == before + 1, || {
            format!("a movement posted {} entries", after - before)
        })?;
        if double {
            let again = self.w.state.commit(&key, &prepared, now);
            ensure(
                again.as_ref().map(|r| r.entry) == Ok(receipt.entry)
                    && self.w.state.ledger().len() == after,
                || format!("a double submission of {key} gave {again:?}, first {receipt:?}"),
            )?;
            self.stats.checked("double submission took effect once");
        }
        if self.w.receipts.len() >= 32 {
            self.w.receipts.remove(0);
        }
        self.w.receipts.push(Submitted {
            person,
            key,
            prepared,
            entry: receipt.entry,
        });
        Ok(Outcome::Done)
    }

    /// Runs one operation: counts it, and checks that a refusal moved no money.
    fn run(&mut self, op: &Op) -> Result<(), String> {
        self.wall += 1_000 * (1 + self.below(20) as i64);
        let before = self.w.state.ledger().len();
        let outcome = self.apply(op)?;
        if outcome != Outcome::Done && !op.is_wrapper() {
            let after = self.w.state.ledger().len();
            ensure(after == before, || {
                format!(
                    "{} ended {outcome:?} but posted {} entries",
                    op.name(),
                    after - before
                )
            })?;
        }
        self.stats.count(op.name(), outcome);
        Ok(())
    }

    /// Reloads the state from the disk, as the shell does at start-up.
    fn reload(&mut self) -> Result<State, String> {
        self.disk
            .load()
            .map_err(|e| format!("the stored state does not load: {e}"))
    }

    fn apply(&mut self, op: &Op) -> Result<Outcome, String> {
        match op {
            Op::Register { person, typo } => {
                let p = &self.w.people[*person];
                if p.wallet.is_some() {
                    return Ok(Outcome::Skipped);
                }
                let (login, name, password) = (p.login.clone(), p.name, p.password.clone());
                let now = self.now();
                match self
                    .w
                    .state
                    .send_register_code(&login, now, &mut self.core_rng)
                {
                    Ok(_) | Err(AccountError::Code(VerifyError::ResendTooSoon { .. })) => {}
                    Err(error) => return Ok(refused(&error)),
                }
                let mut code = self.latest_code(&login, Sender::Wallet);
                if *typo {
                    code = other_code(&code);
                }
                let form = Registration {
                    login: &login,
                    real_name: name,
                    password: &password,
                    code: &code,
                    provider: qianbao_core::provider::ProviderId::default(),
                };
                let id = or_return!(self
                    .w
                    .state
                    .register(form, now, &mut self.core_rng, &self.hasher)
                    .or_refuse());
                self.w.people[*person].wallet = Some(id);
                Ok(Outcome::Done)
            }
            Op::AddCard {
                person,
                credit,
                stranger,
            } => {
                or_return!(self.sign_in(*person));
                let p = &self.w.people[*person];
                let debit = ["622202", "622848", "621700", "622588"];
                let bin = if *credit {
                    "625330"
                } else {
                    debit[p.cards.len() % debit.len()]
                };
                let holder = if *stranger { STRANGER } else { p.name };
                let fill = format!("{:04}{:06}", person, self.next_serial() % 1_000_000);
                let number = test_card_number(bin, &fill);
                let form = NewCard {
                    number: &number,
                    holder,
                    expiry: "12/30",
                    cvv: "123",
                };
                let now = self.now();
                let id = or_return!(self.w.state.add_card(form, now).or_refuse());
                self.w.people[*person].cards.push(id);
                Ok(Outcome::Done)
            }
            Op::RemoveCard { person, card } => {
                or_return!(self.sign_in(*person));
                let Some(&id) = self.w.people[*person].cards.get(*card) else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.w.state.remove_card(id).or_refuse());
                self.w.people[*person].cards.remove(*card);
                Ok(Outcome::Done)
            }
            Op::TopUp {
                person,
                card,
                amount,
                double,
            }
            | Op::Withdraw {
                person,
                card,
                amount,
                double,
            } => {
                let Some(&card) = self.w.people[*person].cards.get(*card) else {
                    return Ok(Outcome::Skipped);
                };
                let form = match op {
                    Op::TopUp { .. } => MovementForm::TopUp { card, amount },
                    _ => MovementForm::Withdraw { card, amount },
                };
                self.movement(*person, form, *double)
            }
            Op::Transfer {
                person,
                to,
                amount,
                note,
                double,
            } => {
                let payee = self.w.people[*to].login.clone();
                let form = MovementForm::Transfer {
                    payee: &payee,
                    amount,
                    note,
                };
                self.movement(*person, form, *double)
            }
            Op::PayBill {
                person,
                biller,
                account,
                amount,
                double,
            } => {
                let form = MovementForm::Bill {
                    biller: *biller,
                    account,
                    amount,
                };
                self.movement(*person, form, *double)
            }
            Op::ToChange {
                person,
                amount,
                double,
            } => self.movement(*person, MovementForm::ToWeChat { amount }, *double),
            Op::Resubmit { receipt } => {
                let Some(first) = self.w.receipts.get(*receipt).cloned() else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.sign_in(first.person));
                let now = self.now();
                let before = self.w.state.ledger().len();
                let again = self.w.state.commit(&first.key, &first.prepared, now);
                ensure(
                    again.as_ref().map(|r| r.entry) == Ok(first.entry)
                        && self.w.state.ledger().len() == before,
                    || {
                        format!(
                            "key {} again gave {again:?}, first #{}",
                            first.key, first.entry
                        )
                    },
                )?;
                self.stats
                    .checked("a resubmitted key returned its first receipt");
                Ok(Outcome::Done)
            }
            Op::ReuseKey { receipt } => {
                let Some(first) = self.w.receipts.get(*receipt).cloned() else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.sign_in(first.person));
                let now = self.now();
                let card = self.w.people[first.person].cards.first().copied();
                let mut forms = vec![MovementForm::Bill {
                    biller: Biller::Electricity,
                    account: "1234567890",
                    amount: "0.01",
                }];
                if let Some(card) = card {
                    forms.insert(
                        0,
                        MovementForm::TopUp {
                            card,
                            amount: "0.01",
                        },
                    );
                }
                let Some(other) = forms
                    .into_iter()
                    .find_map(|form| self.w.state.prepare(form, now).ok())
                else {
                    return Ok(Outcome::Skipped);
                };
                let before = self.w.state.ledger().len();
                let result = self.w.state.commit(&first.key, &other, now);
                let after = self.w.state.ledger().len();
                if other == first.prepared {
                    ensure(result.as_ref().map(|r| r.entry) == Ok(first.entry), || {
                        format!("the same content under key {} gave {result:?}", first.key)
                    })?;
                    return Ok(Outcome::Done);
                }
                ensure(after == before, || {
                    format!("key {} with other content posted an entry", first.key)
                })?;
                match result {
                    Err(error) if error.code() == "W-KEY-REUSED" => {
                        self.stats.checked("a key with other content was refused");
                        Ok(refused(&error))
                    }
                    other => Err(format!(
                        "key {} with other content gave {other:?}",
                        first.key
                    )),
                }
            }
            Op::CreateWeChat { person, other_name } => {
                if self.w.people[*person].wechat.is_some() {
                    return Ok(Outcome::Skipped);
                }
                let wxid = format!("sim_wx{person}");
                let password = format!("Wx{person}Secret{}", self.next_serial());
                let p = &self.w.people[*person];
                let pay_password = format!("2580{:02}", person);
                let phone = p.phone.clone();
                let form = NewWeChat {
                    wxid: &wxid,
                    phone: &phone,
                    nickname: "模拟用户",
                    real_name: if *other_name { STRANGER } else { p.name },
                    password: &password,
                    pay_password: &pay_password,
                };
                let now = self.now();
                let id = or_return!(self
                    .w
                    .state
                    .wechat_mut()
                    .register(form, now, &mut self.core_rng, &self.hasher)
                    .or_refuse());
                self.w.people[*person].wechat = Some(WeChatCreds {
                    id,
                    wxid,
                    phone,
                    password,
                    pay_password,
                });
                Ok(Outcome::Done)
            }
            Op::SetPermission { person, allow } => {
                or_return!(self.wechat_in(*person));
                or_return!(self
                    .w
                    .state
                    .wechat_mut()
                    .set_allow_third_party(*allow)
                    .or_refuse());
                Ok(Outcome::Done)
            }
            Op::StartBind { person } => {
                or_return!(self.sign_in(*person));
                let now = self.now();
                let url = or_return!(self
                    .w
                    .state
                    .start_binding(&site(), now, &mut self.core_rng)
                    .or_refuse());
                let flow = &mut self.w.people[*person].flow;
                flow.url = Some(url);
                flow.redirect = None;
                Ok(Outcome::Done)
            }
            Op::Approve {
                person,
                wechat,
                wrong_code,
                follow,
            } => {
                let Some(url) = self.w.people[*person].flow.url.clone() else {
                    return Ok(Outcome::Skipped);
                };
                let creds = or_return!(self.wechat_in(*wechat));
                let now = self.now();
                let mut code = String::new();
                if self.w.state.wechat().needs_second_factor(QIANBAO.appid) {
                    match self.w.state.send_wechat_code(now, &mut self.core_rng) {
                        Ok(_)
                        | Err(BindError::WeChat(WeChatError::Code(VerifyError::ResendTooSoon {
                            ..
                        }))) => {}
                        Err(error) => return Ok(refused(&error)),
                    }
                    code = self.latest_code(&creds.phone, Sender::WeChat);
                    if *wrong_code {
                        code = other_code(&code);
                    }
                }
                let req = Req::from_url(&url);
                let redirect = or_return!(self
                    .w
                    .state
                    .approve_authorization(
                        &req.get(),
                        &site(),
                        Some(&code),
                        now,
                        &mut self.core_rng
                    )
                    .or_refuse());
                self.w.people[*person].flow.redirect = Some(redirect);
                if *follow {
                    self.run(&Op::Callback {
                        person: *person,
                        how: Callback::Redirect,
                    })?;
                }
                Ok(Outcome::Done)
            }
            Op::Deny { person, wechat } => {
                let Some(url) = self.w.people[*person].flow.url.clone() else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.wechat_in(*wechat));
                let now = self.now();
                let req = Req::from_url(&url);
                let back = or_return!(self
                    .w
                    .state
                    .deny_authorization(&req.get(), &site(), now)
                    .or_refuse());
                self.w.people[*person].flow.redirect = Some(back);
                Ok(Outcome::Done)
            }
            Op::Callback { person, how } => self.callback(*person, *how),
            Op::Unbind { person } => {
                let me = or_return!(self.sign_in(*person));
                let before = self.w.state.binding(me);
                let now = self.now();
                match self.w.state.unbind_wechat(now) {
                    Ok(()) => {
                        let after = self.w.state.binding(me);
                        ensure(
                            matches!(
                                after,
                                Binding::Ended {
                                    reason: EndReason::Unbound,
                                    ..
                                }
                            ),
                            || format!("unbinding left {after:?}"),
                        )?;

                        Ok(Outcome::Done)
                    }
                    Err(error) => {
                        ensure(self.w.state.binding(me) == before, || {
                            format!("a failed unbinding ({}) changed the binding", error.code())
                        })?;
                        Ok(refused(&error))
                    }
                }
            }
            Op::RevokeInWeChat { person } => {
                or_return!(self.wechat_in(*person));
                or_return!(self
                    .w
                    .state
                    .wechat_mut()
                    .revoke_app(QIANBAO.appid)
                    .or_refuse());
                Ok(Outcome::Done)
            }
            Op::CheckBinding { person } => {
                let me = or_return!(self.sign_in(*person));
                let before = self.w.state.binding(me);
                let dead = before.bound().is_some_and(|b| {
                    !self
                        .w
                        .state
                        .wechat()
                        .has_live_grant(QIANBAO.appid, &b.openid)
                });
                let now = self.now();
                or_return!(self
                    .w
                    .state
                    .check_binding(now, &mut self.core_rng)
                    .or_refuse());
                if dead {
                    let after = self.w.state.binding(me);
                    ensure(after.bound().is_none(), || {
                        "a revoked grant went unnoticed by the binding check".to_owned()
                    })?;
                    self.stats.checked("a revoked grant was noticed on use");
                }
                Ok(Outcome::Done)
            }
            Op::CreateOrder {
                merchant,
                cart,
                open,
            } => {
                let now = self.now();
                let no = or_return!(self
                    .w
                    .state
                    .create_order(*merchant, cart, now, &mut self.core_rng)
                    .or_refuse());
                if *open {
                    or_return!(self.w.state.open_cashier(*merchant, &no, now).or_refuse());
                }
                Ok(Outcome::Done)
            }
            Op::Pay {
                order,
                payer,
                method,
                key,
                wrong_password,
                confirm,
            } => self.pay(*order, *payer, *method, *key, *wrong_password, *confirm),
            Op::CancelPayment { order } => {
                let Some((merchant, no)) = self.order_ref(*order) else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.w.state.cancel_payment(merchant, &no).or_refuse());
                Ok(Outcome::Done)
            }
            Op::Refund {
                order,
                amount,
                number,
            } => self.refund(*order, *amount, *number),
            Op::Notify { order } => {
                let Some((merchant, no)) = self.order_ref(*order) else {
                    return Ok(Outcome::Skipped);
                };
                let now = self.now();
                or_return!(self.w.state.resend_notify(merchant, &no, now).or_refuse());
                Ok(Outcome::Done)
            }
            Op::Wait(jump) => {
                match jump {
                    Jump::Seconds(s) => self.wall += s * 1_000,
                    Jump::Minutes(m) => self.wall += m * 60_000,
                    Jump::TwoHours => {
                        let by = Duration::from_secs(2 * 3600 + 60);
                        self.w.state.sim_mut().advance(by);
                    }
                    Jump::ThirtyDays => {
                        let by = Duration::from_secs(30 * 24 * 3600 + 3600);
                        self.w.state.sim_mut().advance(by);
                    }
                }
                // The shell's clock tick.
                let now = self.now();
                self.w.state.lock_if_idle(now);
                Ok(Outcome::Done)
            }
            Op::Faults { network, busy } => {
                self.w.state.sim_mut().set_faults(Faults {
                    network: *network,
                    busy: *busy,
                    latency_ms: 0,
                });
                Ok(Outcome::Done)
            }
            Op::Crash => {
                self.disk
                    .save(&mut self.w.state)
                    .map_err(|e| format!("the state does not save: {e}"))?;
                let loaded = self.reload()?;
                same_state(&loaded, &self.w.state, "the reloaded state")?;
                self.w.state = loaded;
                self.stats.checked("reloaded state equals the state saved");
                Ok(Outcome::Done)
            }
            Op::CrashMidSave(inner) => {
                self.disk
                    .save(&mut self.w.state)
                    .map_err(|e| format!("the state does not save: {e}"))?;
                let before = self.w.clone();
                self.run(inner)?;
                self.w.model.check(&self.w.state)?;
                self.disk
                    .write_chunks(&self.w.state)
                    .map_err(|e| format!("a chunk does not save: {e}"))?;
                let loaded = self.reload()?;
                same_state(&loaded, &before.state, "after a crash mid-save, the state")?;
                self.w = before;
                self.w.state = loaded;
                self.stats
                    .checked("crash mid-save reloads the state before the command");
                Ok(Outcome::Done)
            }
            Op::SaveFails(inner) => {
                let checkpoint = self.w.state.checkpoint();
                let before = self.w.clone();
                self.run(inner)?;
                self.w.model.check(&self.w.state)?;
                self.w.state.restore(checkpoint);
                same_state(
                    &self.w.state,
                    &before.state,
                    "after a failed save, the state",
                )?;
                self.w = before;
                self.stats.checked("a failed save restores the checkpoint");
                Ok(Outcome::Done)
            }
        }
    }

    /// The wallet's callback page, opened with a redirect (or a tampered one).
    fn callback(&mut self, person: usize, how: Callback) -> Result<Outcome, String> {
        let flow = &self.w.people[person].flow;
        let redirect = match how {
            Callback::Redirect => flow.redirect.clone(),
            Callback::Forged => flow
                .redirect
                .as_ref()
                .map(|r| r.replace("state=", "state=f")),
            Callback::Reload => flow.bound_via.clone(),
            Callback::OldCode => match (&flow.bound_via, &flow.url) {
                (Some(old), Some(url)) if param(old, "state") != param(url, "state") => {
                    Some(format!(
                        "{}/bind/callback?code={}&state={}",
                        site().origin,
                        param(old, "code").unwrap_or_default(),
                        param(url, "state").unwrap_or_default()
                    ))
                }
                _ => None,
            },
        };
        let Some(redirect) = redirect else {
            return Ok(Outcome::Skipped);
        };
        let me = or_return!(self.sign_in(person));
        let code = param(&redirect, "code");
        let state = param(&redirect, "state").unwrap_or_default();
        let wechat_before = self.w.state.wechat().clone();
        let binding_before = self.w.state.binding(me);
        let now = self.now();
        let result =
            self.w
                .state
                .complete_binding(code.as_deref(), &state, now, &mut self.core_rng);
        let binding = self.w.state.binding(me);
        match result {
            Ok(()) => {
                if binding_before.bound().is_some() {
                    ensure(
                        binding == binding_before && *self.w.state.wechat() == wechat_before,
                        || "a reloaded callback changed the binding".to_owned(),
                    )?;
                    self.stats.checked("a reloaded callback was recognised");
                    return Ok(Outcome::Done);
                }
                ensure(matches!(how, Callback::Redirect), || {
                    format!("a {how:?} callback bound the wallet")
                })?;
                let live = binding.bound().is_some_and(|b| {
                    self.w
                        .state
                        .wechat()
                        .has_live_grant(QIANBAO.appid, &b.openid)
                });
                ensure(live, || {
                    format!("the callback succeeded, leaving {binding:?}")
                })?;
                let flow = &mut self.w.people[person].flow;
                flow.bound_via = Some(redirect);
                flow.redirect = None;
                Ok(Outcome::Done)
            }
            Err(error) => {
                ensure(*self.w.state.wechat() == wechat_before, || {
                    format!("a failed callback ({}) changed WeChat's side", error.code())
                })?;
                let transient = matches!(
                    error,
                    BindError::WeChat(WeChatError::Network | WeChatError::SystemBusy)
                );
                if transient {
                    ensure(binding == binding_before, || {
                        format!("a network failure ({}) changed the binding", error.code())
                    })?;
                    self.stats
                        .checked("a callback network failure changed nothing");
                }
                Ok(refused(&error))
            }
        }
    }

    fn order_ref(&self, index: usize) -> Option<(MerchantId, String)> {
        self.w
            .state
            .orders()
            .get(index)
            .map(|o| (o.merchant, o.out_trade_no.clone()))
    }

    /// WeChat Pay's cashier: log in, open it, choose a method, 「确认支付」.
    fn pay(
        &mut self,
        order: usize,
        payer: usize,
        method: Method,
        key: PayKey,
        wrong_password: bool,
        confirm: Confirm,
    ) -> Result<Outcome, String> {
        let Some(current) = self.w.state.orders().get(order).cloned() else {
            return Ok(Outcome::Skipped);
        };
        let (merchant, no) = (current.merchant, current.out_trade_no.clone());
        let creds = or_return!(self.wechat_in(payer));
        let now = self.now();
        let choice = key;
        let repeat = matches!(choice, PayKey::Repeat);
        let key = match (&current.paid, choice) {
            (Some(paid), PayKey::Repeat) => paid.key.clone(),
            _ => self.fresh_key(),
        };
        if !repeat {
            // The cashier page itself refuses a paid or closed order.
            or_return!(self.w.state.open_cashier(merchant, &no, now).or_refuse());
        }
        let method = match method {
            Method::Change => PayMethod::Change,
            Method::Wallet => {
                let offered = self
                    .w
                    .state
                    .pay_methods()
                    .into_iter()
                    .find(|m| matches!(m, PayMethod::Wallet(_)));
                match offered.or_else(|| {
                    self.w
                        .people
                        .iter()
                        .find_map(|q| q.wallet)
                        .map(PayMethod::Wallet)
                }) {
                    Some(method) => method,
                    None => return Ok(Outcome::Skipped),
                }
            }
        };
        let pay_password = if wrong_password {
            other_code(&creds.pay_password)
        } else {
            creds.pay_password.clone()
        };
        let (source, wallet_password) = match method {
            PayMethod::Wallet(id) => (
                LedgerAccount::Wallet(id),
                match confirm {
                    Confirm::Password => self
                        .w
                        .people
                        .iter()
                        .find(|q| q.wallet == Some(id))
                        .map(|q| q.password.clone()),
                    Confirm::Wrong => Some("Wrong2026pass".to_owned()),
                    Confirm::Skip => None,
                },
            ),
            PayMethod::Change => (LedgerAccount::WeChatChange(creds.id), None),
        };
        let source_before = self.w.state.ledger().balance(source);
        let before = self.w.state.ledger().len();
        let request = PayRequest {
            merchant,
            out_trade_no: &no,
            method,
            pay_password: &pay_password,
            wallet_password: wallet_password.as_deref(),
            key: &key,
        };
        let paid = or_return!(self.w.state.pay_order(request, now).or_refuse());
        let after = self.w.state.ledger().len();
        if let Some(first) = &current.paid {
            ensure(paid == *first && after == before, || {
                format!("a repeated pay request for {no} gave {paid:?}, first {first:?}")
            })?;
            self.stats
                .checked("a repeated pay request returned the first payment");
            return Ok(Outcome::Done);
        }
        let stored = self
            .w
            .state
            .order(merchant, &no)
            .map(|o| (o.state, o.paid.clone()));
        ensure(
            after == before + 1 && stored == Some((OrderState::Success, Some(paid.clone()))),
            || {
                format!(
                    "paying {no} posted {} entries and left {stored:?}",
                    after - before
                )
            },
        )?;
        let source_after = self.w.state.ledger().balance(source);
        ensure(
            source_before.get() - source_after.get() == current.amount.get(),
            || format!("paying {no} took {source_before:?} → {source_after:?} from {source}"),
        )?;
        if matches!(choice, PayKey::Twice) {
            let again = self.w.state.pay_order(request, now);
            ensure(
                again.as_ref() == Ok(&paid) && self.w.state.ledger().len() == after,
                || format!("「确认支付」 twice with {key} gave {again:?}, first {paid:?}"),
            )?;
            self.stats.checked("a doubled pay request took effect once");
        }
        Ok(Outcome::Done)
    }

    fn refund(
        &mut self,
        order: usize,
        amount: RefundAmount,
        number: RefundNo,
    ) -> Result<Outcome, String> {
        let Some(current) = self.w.state.orders().get(order).cloned() else {
            return Ok(Outcome::Skipped);
        };
        let left = current.refundable().get();
        let mut fen = match amount {
            RefundAmount::Full => left.max(1),
            RefundAmount::Part(permille) => (left * permille / 1000).max(1),
            RefundAmount::TooMuch => left + 1,
        };
        let last = current.refunds.last().cloned();
        let (refund_no, repeat) = match (number, &last) {
            (RefundNo::Repeat, Some(last)) => {
                fen = last.amount.get();
                (last.out_refund_no.clone(), true)
            }
            (RefundNo::RepeatOther, Some(last)) => {
                fen = last.amount.get() + 1;
                (last.out_refund_no.clone(), true)
            }
            _ => (format!("RF{:010}", self.next_serial()), false),
        };
        let destination = current.paid.as_ref().map(|paid| match paid.method {
            PayMethod::Wallet(id) => LedgerAccount::Wallet(id),
            PayMethod::Change => LedgerAccount::WeChatChange(paid.payer),
        });
        let balance = |sim: &Sim| destination.map(|d| sim.w.state.ledger().balance(d).get());
        let destination_before = balance(self);
        let before = self.w.state.ledger().len();
        let now = self.now();
        let result = self.w.state.refund_order(
            current.merchant,
            &current.out_trade_no,
            &refund_no,
            &Fen::new(fen).plain(),
            now,
        );
        let refund = or_return!(result.or_refuse());
        let after = self.w.state.ledger().len();
        if repeat {
            ensure(Some(&refund) == last.as_ref() && after == before, || {
                format!("refund number {refund_no} again gave {refund:?}, first {last:?}")
            })?;
            self.stats
                .checked("a repeated refund number returned the first refund");
            return Ok(Outcome::Done);
        }
        let destination_after = balance(self);
        ensure(
            after == before + 1
                && refund.amount.get() == fen
                && destination_after
                    .zip(destination_before)
                    .map(|(a, b)| a - b)
                    == Some(fen),
            || {
                format!("refund {refund_no} of {fen} moved {destination_before:?} → {destination_after:?}")
            },
        )?;
        Ok(Outcome::Done)
    }
}

/// Another six digits than `code`: a mistyped code or password.
fn other_code(code: &str) -> String {
    if code == "147258" { "258147" } else { "147258" }.to_owned()
}

/// Two states are the same; if not, says which part differs.
fn same_state(found: &State, expected: &State, what: &str) -> Result<(), String> {
    if found == expected {
        return Ok(());
    }
    let part = if found.main_json().ok() != expected.main_json().ok() {
        "main record"
    } else {
        "journal"
    };
    Err(format!("{what} differs in its {part}"))
}

// ---------------------------------------------------------------------------
// Running seeds
// ---------------------------------------------------------------------------

/// Runs one seed for `ops` steps, checking every invariant after each.
fn run_seed(seed: u64, ops: u64) -> (Stats, Option<Failure>) {
    let (sim, failure) = simulate(seed, ops);
    (sim.stats, failure)
}

fn simulate(seed: u64, ops: u64) -> (Sim, Option<Failure>) {
    let mut sim = Sim::new(seed);
    let mut recent: VecDeque<Op> = VecDeque::with_capacity(8);
    let mut failure = None;
    for step in 0..ops {
        let op = sim.generate();
        let result = sim.run(&op).and_then(|()| sim.w.model.check(&sim.w.state));
        sim.stats.ops += 1;
        if let Err(message) = result {
            failure = Some(Failure {
                seed,
                step,
                op,
                message,
                recent: recent.into_iter().collect(),
            });
            break;
        }
        if recent.len() == 8 {
            recent.pop_front();
        }
        recent.push_back(op);
    }
    sim.stats.seeds = 1;
    (sim, failure)
}

fn run_seeds(seeds: impl Iterator<Item = u64>, ops: u64) -> (Stats, Vec<Failure>) {
    let mut total = Stats::default();
    let mut failures = Vec::new();
    for seed in seeds {
        let (stats, failure) = run_seed(seed, ops);
        total.merge(stats);
        failures.extend(failure);
    }
    (total, failures)
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// The figures of a run: operations, their outcomes, the checks made.
fn report(stats: &Stats, elapsed: Duration, failures: &[Failure]) -> String {
    use std::fmt::Write;
    let millis = elapsed.as_millis().max(1);
    let mut out = String::new();
    let _ = writeln!(out, "seeds: {}", stats.seeds);
    let _ = writeln!(out, "operations: {}", stats.ops);
    let _ = writeln!(
        out,
        "elapsed: {}.{:03} s, {} operations/s",
        millis / 1000,
        millis % 1000,
        u128::from(stats.ops) * 1000 / millis
    );
    let _ = writeln!(
        out,
        "\n{:<26} {:>9} {:>9} {:>8}  refused with",
        "operation", "done", "refused", "skipped"
    );
    for (name, tally) in &stats.kinds {
        let refused: u64 = tally.refused.values().sum();
        let codes: Vec<String> = tally
            .refused
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "{name:<26} {:>9} {refused:>9} {:>8}  {}",
            tally.done,
            tally.skipped,
            codes.join(", ")
        );
    }
    let _ = writeln!(out, "\nexpectations checked beyond the invariants:");
    for (what, n) in &stats.checks {
        let _ = writeln!(out, "  {what}: {n}");
    }
    let _ = writeln!(out, "\nviolations: {}", failures.len());
    for failure in failures {
        let _ = writeln!(out, "{failure}");
    }
    out
}

/// 30 seeds × 400 steps (a few seconds in debug): part of every `cargo test`.
#[test]
fn a_short_simulation_keeps_every_invariant() {
    let started = Instant::now();
    let (stats, failures) = run_seeds(0..30, 400);
    let summary = report(&stats, started.elapsed(), &failures);
    assert!(failures.is_empty(), "{summary}");
    // The generator reaches the interesting paths, not only their refusals.
    for name in [
        "bind: callback",
        "pay: wallet",
        "pay: change",
        "refund: partial",
        "refund: full",
        "to WeChat change",
        "unbind",
        "crash mid-save",
    ] {
        let done = stats.kinds.get(name).map_or(0, |t| t.done);
        assert!(done > 0, "{name} never succeeded\n{summary}");
    }
}

/// A seed is the whole run: the same seed ends in the same state.
#[test]
fn a_seed_replays_exactly() {
    let (first, _) = simulate(7, 200);
    let (second, _) = simulate(7, 200);
    assert_eq!(first.w.state, second.w.state);
    assert_eq!(first.w.state.main_json(), second.w.state.main_json());
}

/// The long run: `QIANBAO_SIM_SEEDS` seeds (1000) × `QIANBAO_SIM_OPS` steps
/// (1000), or only `QIANBAO_SIM_SEED`. Run it with `scripts/simulate.sh`.
#[test]
#[ignore = "long: run with scripts/simulate.sh"]
#[allow(clippy::print_stdout)] // its figures are what it is run for
fn a_long_simulation_keeps_every_invariant() {
    let ops = env_u64("QIANBAO_SIM_OPS").unwrap_or(1000);
    let started = Instant::now();
    let (stats, failures) = match env_u64("QIANBAO_SIM_SEED") {
        Some(seed) => run_seeds(seed..=seed, ops),
        None => run_seeds(0..env_u64("QIANBAO_SIM_SEEDS").unwrap_or(1000), ops),
    };
    let summary = report(&stats, started.elapsed(), &failures);
    println!("{summary}");
    assert!(failures.is_empty(), "{} violations", failures.len());
}
