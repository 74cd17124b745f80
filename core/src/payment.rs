//! WeChat Pay with the bound wallet (SPEC F4, the article's 三.2): merchant
//! orders, the cashier's payment methods, the 6-digit payment password, the
//! merchants' extra confirmation, and the payment itself through the ledger.
//!
//! Order states: `NOTPAY → USERPAYING → SUCCESS | PAYERROR | CLOSED`, and
//! `REFUND` after a refund. Paying a paid order is `ORDERPAID`, a closed or
//! expired one `ORDER_CLOSED`; a wallet (or 零钱) without the money is
//! `NOTENOUGH`, worded for the method that is short. An empty 支付密码 is
//! refused as such and is no try towards the lock.
//! A pay request carries an idempotency key: repeating it returns the first
//! receipt and moves nothing.
//!
//! Payments come from a bound wallet or from the user's 零钱; refunds go back
//! to the method that paid.

use crate::account::{AccountError, AccountId};
use crate::binding::{Binding, Site};
use crate::error::{Guidance, UserError};
use crate::ledger::{Actor, Draft, EntryKind, LedgerAccount, LedgerError, Posting};
use crate::merchant::MerchantId;
use crate::money::{Fen, MoneyError};
use crate::order::OrderEvent;
pub use crate::order::{Order, OrderState, Paid, Refund, MAX_REFUNDS};
use crate::provider::{MovementKind, Policy};
use crate::sim::Endpoint;
use crate::state::State;
use crate::time::Timestamp;
use crate::wechat::{WeChatError, WeChatId, QIANBAO_APPID};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Wrong payment passwords in a row before the payment password locks.
pub const MAX_PAY_PASSWORD_FAILURES: u8 = crate::lockout::MAX_FAILURES;
pub const PAY_PASSWORD_LOCK: Duration = crate::lockout::LOCK;
/// The most of one product in one order.
pub const MAX_QUANTITY: u32 = 99;

/// How an order was (or is to be) paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayMethod {
    /// A digital wallet bound to the paying WeChat account.
    Wallet(AccountId),
    /// The WeChat user's own 零钱.
    Change,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum PayError {
    #[error("the cart is empty or holds an unknown product")]
    Cart,
    #[error("no such order")]
    NoSuchOrder,
    #[error("the order is already paid")]
    OrderPaid,
    #[error("the order is closed")]
    OrderClosed,
    #[error("the wallet balance is too low")]
    NotEnough { balance: Fen },
    #[error("the WeChat change (零钱) balance is too low")]
    ChangeNotEnough { balance: Fen },
    #[error("no payment password was entered")]
    PayPasswordEmpty,
    #[error("wrong payment password, {remaining} attempts left")]
    PayPassword { remaining: u8 },
    #[error("the payment password is locked")]
    PayPasswordLocked { until: Timestamp },
    #[error("this payment method is not available")]
    MethodUnavailable,
    #[error("this order is for another WeChat user to pay")]
    OtherPayer,
    #[error("this merchant asks the wallet to confirm the payment again")]
    NeedsConfirmation,
    /// An H5 payment's `redirect_url` is not on the merchant's registered
    /// domain (WeChat: 「商家参数格式有误」).
    #[error("the page to return to is not on the merchant's registered domain")]
    RedirectDomain,
    #[error("above the single payment limit")]
    Limit { max: Fen },
    #[error("above the daily payment limit")]
    DailyLimit { max: Fen, left: Fen },
    #[error("the order is not paid, so nothing can be refunded")]
    NotPaid,
    #[error("the refund is more than what is left to refund")]
    RefundTooMuch { left: Fen },
    #[error("an order can be refunded at most 50 times")]
    TooManyRefunds,
    #[error("the refund number was already used for another amount")]
    RefundNoReused,
    #[error("no refund of this merchant has this number")]
    NoSuchRefund,
    #[error("this refund has already ended (SUCCESS or CLOSED)")]
    RefundEnded,
    #[error("a merchant number has 6 to 32 letters, digits or _-|*")]
    BadNumber,
    #[error("this code is not a WeChat Pay order of this site")]
    NotAPayCode,
    #[error(transparent)]
    WeChat(#[from] WeChatError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl UserError for PayError {
    fn code(&self) -> &'static str {
        match self {
            Self::Cart => "W-PAY-CART",
            Self::NoSuchOrder => "ORDERNOTEXIST",
            Self::OrderPaid => "ORDERPAID",
            Self::OrderClosed => "ORDER_CLOSED",
            // WeChat Pay's own code for a short balance, whichever method.
            Self::NotEnough { .. } | Self::ChangeNotEnough { .. } => "NOTENOUGH",
            Self::PayPasswordEmpty => "WX-PAY-PASSWORD-EMPTY",
            Self::PayPassword { .. } => "WX-PAY-PASSWORD",
            Self::PayPasswordLocked { .. } => "WX-PAY-LOCKED",
            Self::MethodUnavailable => "W-PAY-METHOD",
            // WeChat Pay's own name for it.
            Self::OtherPayer => "OPENID_MISMATCH",
            Self::NeedsConfirmation => "W-PAY-CONFIRM",
            Self::RedirectDomain => "W-H5-REDIRECT",
            Self::Limit { .. } => "W-LIMIT-SINGLE",
            Self::DailyLimit { .. } => "W-LIMIT-DAILY",
            Self::NotPaid => "ORDERNOTPAID",
            Self::RefundTooMuch { .. } => "W-REFUND-AMOUNT",
            Self::TooManyRefunds => "W-REFUND-COUNT",
            Self::RefundNoReused => "W-REFUND-NO-REUSED",
            Self::NoSuchRefund => "W-REFUND-NONE",
            Self::RefundEnded => "W-REFUND-ENDED",
            Self::BadNumber => "PARAM_ERROR",
            Self::NotAPayCode => "W-SCAN-INVALID",
            Self::WeChat(e) => e.code(),
            Self::Account(e) => e.code(),
            Self::Money(e) => e.code(),
            Self::Ledger(e) => e.code(),
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Cart => Guidance::StartAgain,
            Self::NoSuchOrder | Self::OrderClosed => Guidance::OrderAgain,
            Self::OrderPaid | Self::NotPaid | Self::NoSuchRefund | Self::RefundEnded => {
                Guidance::CheckOrder
            }
            Self::NotEnough { .. } => Guidance::TopUpWalletOrOtherMethod,
            Self::ChangeNotEnough { .. } => Guidance::TopUpChangeOrOtherMethod,
            Self::PayPasswordEmpty => Guidance::EnterPassword,
            Self::PayPassword { .. } => Guidance::ReenterAndVerify,
            Self::PayPasswordLocked { .. } => Guidance::WaitForUnlock,
            Self::MethodUnavailable => Guidance::BindAgain,
            Self::OtherPayer => Guidance::LogInAgain,
            Self::NeedsConfirmation => Guidance::ReenterAndVerify,
            Self::RedirectDomain => Guidance::RestartOrContactSupport,
            Self::Limit { .. } | Self::DailyLimit { .. } => Guidance::WithinLimits,
            Self::TooManyRefunds | Self::RefundNoReused => Guidance::StartAgain,
            Self::RefundTooMuch { .. } => Guidance::SmallerAmount,
            Self::BadNumber | Self::NotAPayCode => Guidance::ReenterAndVerify,
            Self::WeChat(e) => e.guidance(),
            Self::Account(e) => e.guidance(),
            Self::Money(e) => e.guidance(),
            Self::Ledger(e) => e.guidance(),
        }
    }
}

/// What the cashier submits.
#[derive(Debug, Clone, Copy)]
pub struct PayRequest<'a> {
    pub merchant: MerchantId,
    pub out_trade_no: &'a str,
    /// The method the person picked; `None` pays with the cashier's
    /// default ([`CashierView::chosen`]).
    pub method: Option<PayMethod>,
    /// The 6-digit WeChat payment password.
    pub pay_password: &'a str,
    /// The wallet password, for merchants that ask for the extra confirmation.
    pub wallet_password: Option<&'a str>,
    /// One per 「确认支付」: a retry with the same key pays once.
    pub key: &'a str,
}

/// What the cashier shows; see [`State::cashier_view`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashierView {
    /// The order's amount and description (`None`: no such order).
    pub order: Option<(Fen, String)>,
    /// Each method offered, with what it holds.
    pub methods: Vec<(PayMethod, Fen)>,
    /// The method 「确认支付」 uses unless the person picks another.
    pub chosen: Option<PayMethod>,
}

/// Consecutive wrong payment passwords of a WeChat user, and a lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayPasswordGuard {
    user: WeChatId,
    #[serde(flatten)]
    lockout: crate::lockout::Lockout,
}

/// What a cart costs at a merchant: known products, 1–99 of each, checked
/// arithmetic. An empty cart is refused.
pub fn cart_total(merchant: MerchantId, cart: &[(&str, u32)]) -> Result<Fen, PayError> {
    let shop = merchant.demo().ok_or(PayError::Cart)?;
    if cart.is_empty() {
        return Err(PayError::Cart);
    }
    cart.iter().try_fold(Fen::ZERO, |total, (sku, quantity)| {
        let product = shop.product(sku).ok_or(PayError::Cart)?;
        if !(1..=MAX_QUANTITY).contains(quantity) {
            return Err(PayError::Cart);
        }
        let line = product
            .price
            .get()
            .checked_mul(i64::from(*quantity))
            .ok_or(MoneyError::Overflow)?;
        Ok(total.checked_add(Fen::new(line))?)
    })
}

/// The path of WeChat Pay's cashier for an order (under the site's base).
pub fn cashier_path(merchant: MerchantId, out_trade_no: &str) -> String {
    format!("/wechat/pay?mch={merchant}&out_trade_no={out_trade_no}")
}

/// What a merchant's native-payment QR code holds: the cashier's full URL.
pub fn pay_link(site: &Site, merchant: MerchantId, out_trade_no: &str) -> String {
    format!(
        "{}{}{}",
        site.origin,
        site.base,
        cashier_path(merchant, out_trade_no)
    )
}

/// 「扫一扫」: reads a scanned (or pasted) code. Only this site's cashier
/// URLs for a known merchant and a well-formed order number pass; the path
/// to open is returned.
pub fn read_pay_link(site: &Site, scanned: &str) -> Result<String, PayError> {
    let text = scanned.trim();
    let prefix = format!("{}{}/wechat/pay?", site.origin, site.base);
    let query = text.strip_prefix(&prefix).ok_or(PayError::NotAPayCode)?;
    let mut merchant = None;
    let mut number = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("mch", value)) => merchant = MerchantId::parse(value),
            Some(("out_trade_no", value)) if valid_out_trade_no(value) => {
                number = Some(value.to_owned())
            }
            _ => return Err(PayError::NotAPayCode),
        }
    }
    match (merchant, number) {
        (Some(m), Some(no)) => Ok(cashier_path(m, &no)),
        _ => Err(PayError::NotAPayCode),
    }
}

/// Merchant order numbers: 6–32 of `[0-9A-Za-z_-|*]`.
pub fn valid_out_trade_no(no: &str) -> bool {
    (6..=32).contains(&no.len())
        && no
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-|*".contains(c))
}

impl State {
    /// Every order this copy holds, in the order they were placed (a
    /// page's copy of a sandbox server: its window, see [`crate::order`]).
    pub fn orders(&self) -> impl DoubleEndedIterator<Item = &Order> {
        self.orders.iter()
    }

    /// The orders with their indexes (by transaction, refund number, …).
    pub fn order_book(&self) -> &crate::order::Orders {
        &self.orders
    }

    pub fn order(&self, merchant: MerchantId, out_trade_no: &str) -> Option<&Order> {
        self.orders.find(merchant, out_trade_no)
    }

    /// Applies `event` to `merchant`'s order `out_trade_no`.
    pub(crate) fn order_event(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        event: OrderEvent,
    ) -> Result<(), PayError> {
        let position = self
            .orders
            .position(merchant, out_trade_no)
            .ok_or(PayError::NoSuchOrder)?;
        self.orders.apply(position, event)
    }

    /// 「去结算」: the merchant places an order for the cart (SKU, quantity).
    pub fn create_order(
        &mut self,
        merchant: MerchantId,
        cart: &[(&str, u32)],
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<String, PayError> {
        let shop = merchant.demo().ok_or(PayError::Cart)?;
        let amount = cart_total(merchant, cart)?;
        let parts: Vec<String> = cart
            .iter()
            .filter_map(|(sku, quantity)| {
                shop.product(sku)
                    .map(|p| format!("{}×{quantity}", p.name_zh))
            })
            .collect();
        let (year, month, day) = crate::time::date_cst(now);
        let number = |serial: u32| {
            format!(
                "{}{year:04}{month:02}{day:02}{serial:08}",
                merchant.to_string().to_ascii_uppercase()
            )
        };
        // A random serial, moved on past any number already taken: each
        // step tries a new one, so this ends after at most one step per order.
        let mut serial = rng.next_u32() % 100_000_000;
        while self.order(merchant, &number(serial)).is_some() {
            serial = (serial + 1) % 100_000_000;
        }
        let out_trade_no = number(serial);
        let expires_at = now.plus(Duration::from_secs(u64::from(shop.order_minutes) * 60));
        let fields = vec![
            ("mchid".to_owned(), merchant.to_string()),
            ("out_trade_no".to_owned(), out_trade_no.clone()),
            ("total".to_owned(), amount.get().to_string()),
            ("time_expire".to_owned(), expires_at.as_millis().to_string()),
        ];
        self.send(now, Endpoint::UnifiedOrder, &fields)?;
        self.orders
            .push(Order::placed(
                merchant,
                out_trade_no.clone(),
                parts.join("，"),
                amount,
                (now, expires_at),
                None,
            ))
            .map_err(|_| PayError::BadNumber)?;
        self.sim.record(
            now,
            Endpoint::UnifiedOrder,
            fields,
            vec![("prepay_id".to_owned(), format!("wx{out_trade_no}"))],
            None,
        );
        Ok(out_trade_no)
    }

    /// Closes an order whose time is up; returns its state now.
    pub fn refresh_order(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        now: Timestamp,
    ) -> Result<OrderState, PayError> {
        self.order_event(merchant, out_trade_no, OrderEvent::Expire { now })?;
        self.order(merchant, out_trade_no)
            .map(|o| o.state)
            .ok_or(PayError::NoSuchOrder)
    }

    /// A merchant's order list opens: every open order of `merchant` whose
    /// time ran out is closed.
    pub fn refresh_orders(&mut self, merchant: MerchantId, now: Timestamp) {
        for position in self.orders.expired(now, Some(merchant)) {
            let _ = self.orders.apply(position, OrderEvent::Expire { now });
        }
    }

    /// The cashier opens: `NOTPAY → USERPAYING`.
    pub fn open_cashier(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        now: Timestamp,
    ) -> Result<(), PayError> {
        self.refresh_order(merchant, out_trade_no, now)?;
        self.order_event(merchant, out_trade_no, OrderEvent::Open)
    }

    /// The user leaves the cashier without paying: back to `NOTPAY`.
    pub fn cancel_payment(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
    ) -> Result<(), PayError> {
        self.order_event(merchant, out_trade_no, OrderEvent::Leave)
    }

    /// The payment methods the cashier lists for the logged-in WeChat user:
    /// every wallet bound to them (only while the binding is live), then 零钱.
    pub fn pay_methods(&self) -> Vec<PayMethod> {
        match self.wechat.signed_in() {
            Some(user) => self.pay_methods_of(user.id()),
            None => Vec::new(),
        }
    }

    /// The payment methods WeChat Pay's cashier offers `user`.
    pub fn pay_methods_of(&self, user: WeChatId) -> Vec<PayMethod> {
        self.bindings
            .iter()
            .filter_map(|(account, binding)| match binding {
                Binding::Bound(bound)
                    if self.wechat.has_live_grant(QIANBAO_APPID, &bound.openid)
                        && self.wechat.user_by_openid(QIANBAO_APPID, &bound.openid)
                            == Some(user) =>
                {
                    Some(PayMethod::Wallet(*account))
                }
                _ => None,
            })
            .chain(std::iter::once(PayMethod::Change))
            .collect()
    }

    /// Whether paying `amount` at `merchant` with `method` needs the wallet's
    /// extra confirmation.
    pub fn needs_extra_confirmation(
        &self,
        merchant: MerchantId,
        amount: Fen,
        method: PayMethod,
    ) -> bool {
        matches!(method, PayMethod::Wallet(wallet) if self.provider_of(wallet).extra_confirmation)
            && merchant
                .demo()
                .is_some_and(|m| m.needs_extra_confirmation(amount))
    }

    /// 「确认支付」.
    pub fn pay_order(&mut self, request: PayRequest<'_>, now: Timestamp) -> Result<Paid, PayError> {
        // A request that does not get through (offline, or the console's
        // network failure) reaches no one: no password is checked or
        // counted, the order is as it was, and paying again works.
        if self.sim.take_network_fault() {
            let fields = vec![
                ("mchid".to_owned(), request.merchant.to_string()),
                ("out_trade_no".to_owned(), request.out_trade_no.to_owned()),
            ];
            let error = WeChatError::Network;
            self.sim.record_failure(now, Endpoint::Pay, fields, &error);
            return Err(error.into());
        }
        let state = self.refresh_order(request.merchant, request.out_trade_no, now)?;
        let order = self
            .order(request.merchant, request.out_trade_no)
            .cloned()
            .ok_or(PayError::NoSuchOrder)?;
        if let Some(paid) = order.paid.as_ref().filter(|p| p.key == request.key) {
            return Ok(paid.clone());
        }
        match state {
            OrderState::Success | OrderState::Refund => return Err(PayError::OrderPaid),
            OrderState::Closed => return Err(PayError::OrderClosed),
            OrderState::Notpay | OrderState::Userpaying | OrderState::Payerror => {}
        }
        let payer = self
            .wechat
            .signed_in()
            .map(|a| a.id())
            .ok_or(WeChatError::NotLoggedIn)?;
        if !self.may_pay(&order, payer) {
            return Err(PayError::OtherPayer);
        }
        let method = request
            .method
            .or_else(|| self.default_method())
            .filter(|m| self.pay_methods().contains(m))
            .ok_or(PayError::MethodUnavailable)?;
        self.check_pay_password(payer, request.pay_password, now)?;
        if let PayMethod::Wallet(wallet) = method {
            if self.needs_extra_confirmation(request.merchant, order.amount, method) {
                let typed = request.wallet_password.ok_or(PayError::NeedsConfirmation)?;
                self.check_password(wallet, typed, now)?;
            }
        }
        self.complete_payment(&order, payer, method, request.key, now)
    }

    /// What follows the person's secrets at the cashier, for `payer`'s
    /// payment of `order` with `method`: the method's limits and balance,
    /// WeChat Pay's own failure (the console's 「系统繁忙」: `PAYERROR`),
    /// then the one ledger entry, `SUCCESS` and the notification. Shared by
    /// 「确认支付」 and the sandbox's test helpers.
    pub(crate) fn complete_payment(
        &mut self,
        order: &Order,
        payer: WeChatId,
        method: PayMethod,
        key: &str,
        now: Timestamp,
    ) -> Result<Paid, PayError> {
        let merchant = order.merchant;
        let request = PayRequest {
            merchant,
            out_trade_no: &order.out_trade_no,
            method: Some(method),
            pay_password: "",
            wallet_password: None,
            key,
        };
        let (actor, source) = self.method_accounts(method, payer);
        let limit = match method {
            PayMethod::Wallet(wallet) => self.provider_of(wallet).policy,
            // 零钱 follows WeChat's own limits.
            PayMethod::Change => Policy::STANDARD,
        }
        .limit(MovementKind::Payment);
        if order.amount > limit.single {
            return Err(PayError::Limit { max: limit.single });
        }
        let used = self.ledger.used_on_day(actor, MovementKind::Payment, now);
        if used.checked_add(order.amount)? > limit.daily {
            let left = limit.daily.checked_sub(used)?;
            return Err(PayError::DailyLimit {
                max: limit.daily,
                left: Fen::new(left.get().max(0)),
            });
        }
        let balance = self.ledger.balance(source);
        if order.amount > balance {
            return Err(match method {
                PayMethod::Wallet(_) => PayError::NotEnough { balance },
                PayMethod::Change => PayError::ChangeNotEnough { balance },
            });
        }
        // WeChat Pay, reached, can still fail the payment (the console's
        // 「系统繁忙」): the order is then PAYERROR, nothing moved, and paying
        // again works.
        if self.sim.take_busy_fault() {
            self.order_event(request.merchant, request.out_trade_no, OrderEvent::Fail)?;
            let fields = vec![
                ("mchid".to_owned(), request.merchant.to_string()),
                ("out_trade_no".to_owned(), order.out_trade_no.clone()),
                ("total".to_owned(), order.amount.get().to_string()),
            ];
            let error = WeChatError::SystemBusy;
            self.sim.record_failure(now, Endpoint::Pay, fields, &error);
            return Err(error.into());
        }
        let draft = Draft {
            at: now,
            by: actor,
            key: Some(request.key.to_owned()),
            kind: EntryKind::Payment {
                merchant: request.merchant,
                out_trade_no: order.out_trade_no.clone(),
            },
            postings: vec![
                Posting(source, Fen::new(-order.amount.get())),
                Posting(LedgerAccount::Merchant(request.merchant), order.amount),
            ],
        };
        let entry = self.ledger.post(draft)?.id;
        let paid = Paid {
            method,
            payer,
            at: now,
            transaction_id: format!("4200{:016}", entry),
            entry,
            key: request.key.to_owned(),
        };
        self.order_event(
            request.merchant,
            request.out_trade_no,
            OrderEvent::Pay(paid.clone()),
        )?;
        self.pay_preferences.retain(|(user, _)| *user != payer);
        self.pay_preferences.push((payer, method));
        self.notify(request.merchant, request.out_trade_no, now)?;
        Ok(paid)
    }

    /// WeChat Pay notifies the merchant of a payment. WeChat repeats a
    /// notification until it is acknowledged, so the merchant processes the
    /// first and only acknowledges the others.
    fn notify(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        now: Timestamp,
    ) -> Result<(), PayError> {
        let order = self
            .order(merchant, out_trade_no)
            .ok_or(PayError::NoSuchOrder)?;
        let paid = order.paid.clone().ok_or(PayError::NotPaid)?;
        if order.api.is_some() {
            // A registered merchant's own backend answers its notification:
            // the sandbox server delivers it; nothing is answered for it here.
            return Ok(());
        }
        let first = order.fulfilled_at.is_none();
        let amount = order.amount;
        self.order_event(merchant, out_trade_no, OrderEvent::Fulfilled { at: now })?;
        let attempt = self
            .order(merchant, out_trade_no)
            .map_or(0, |o| o.notifications);
        let fields = vec![
            ("mchid".to_owned(), merchant.to_string()),
            ("out_trade_no".to_owned(), out_trade_no.to_owned()),
            ("transaction_id".to_owned(), paid.transaction_id),
            ("trade_state".to_owned(), "SUCCESS".to_owned()),
            ("total".to_owned(), amount.get().to_string()),
            ("attempt".to_owned(), attempt.to_string()),
        ];
        let handled = if first {
            "processed"
        } else {
            "duplicate: already processed, acknowledged only"
        };
        let response = vec![
            ("code".to_owned(), "SUCCESS".to_owned()),
            ("merchant".to_owned(), handled.to_owned()),
        ];
        self.sim
            .record(now, Endpoint::Notify, fields, response, None);
        Ok(())
    }

    /// The method the logged-in WeChat user paid with last, if still offered.
    pub fn preferred_method(&self) -> Option<PayMethod> {
        let user = self.wechat.signed_in()?.id();
        let (_, method) = self.pay_preferences.iter().find(|(u, _)| *u == user)?;
        self.pay_methods().contains(method).then_some(*method)
    }

    /// The method the cashier has chosen before the person picks one: the
    /// one paid with last, else the first offered.
    fn default_method(&self) -> Option<PayMethod> {
        self.preferred_method()
            .or_else(|| self.pay_methods().first().copied())
    }

    /// What WeChat Pay's cashier shows for an order: what it is for, each
    /// method the logged-in user can pay with and what it holds, and the one
    /// chosen until the person picks another.
    pub fn cashier_view(&self, merchant: MerchantId, out_trade_no: &str) -> CashierView {
        let holding = |method: PayMethod| match method {
            PayMethod::Wallet(account) => self.balance(account),
            PayMethod::Change => self
                .wechat
                .signed_in()
                .map(|a| self.wechat_change(a.id()))
                .unwrap_or_default(),
        };
        CashierView {
            order: self
                .order(merchant, out_trade_no)
                .map(|o| (o.amount, o.description.clone())),
            methods: self
                .pay_methods()
                .into_iter()
                .map(|m| (m, holding(m)))
                .collect(),
            chosen: self.default_method(),
        }
    }

    /// Who pays and from which ledger account, for a method.
    pub(crate) fn method_accounts(
        &self,
        method: PayMethod,
        payer: WeChatId,
    ) -> (Actor, LedgerAccount) {
        match method {
            PayMethod::Wallet(wallet) => (Actor::Wallet(wallet), LedgerAccount::Wallet(wallet)),
            PayMethod::Change => (
                Actor::WeChat { wechat: payer },
                LedgerAccount::WeChatChange(payer),
            ),
        }
    }

    /// The console's 「重发通知」: WeChat Pay sends a paid order's notification again.
    pub fn resend_notify(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        now: Timestamp,
    ) -> Result<(), PayError> {
        let fields = vec![
            ("mchid".to_owned(), merchant.to_string()),
            ("out_trade_no".to_owned(), out_trade_no.to_owned()),
        ];
        self.send(now, Endpoint::Notify, &fields)?;
        self.notify(merchant, out_trade_no, now)
    }

    /// A request from a merchant (or WeChat Pay's to one) on its way: the
    /// fault it meets first — the browser offline, or the console's plan —
    /// is its logged answer, and nothing else changes.
    fn send(
        &mut self,
        now: Timestamp,
        endpoint: Endpoint,
        fields: &[(String, String)],
    ) -> Result<(), PayError> {
        let Some(fault) = self.sim.take_fault() else {
            return Ok(());
        };
        let error = WeChatError::from(fault);
        self.sim
            .record_failure(now, endpoint, fields.to_vec(), &error);
        Err(error.into())
    }

    /// The merchant's refund, full or partial, back to the wallet that paid.
    /// A refund number takes effect once.
    pub fn refund_order(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        out_refund_no: &str,
        amount: &str,
        now: Timestamp,
    ) -> Result<Refund, PayError> {
        if !valid_out_trade_no(out_refund_no) {
            return Err(PayError::BadNumber);
        }
        let amount = Fen::parse_positive(amount)?;
        self.refund_fen(merchant, out_trade_no, out_refund_no, amount, now, None)
    }

    /// [`State::refund_order`] of an amount already read. A merchant
    /// backend's refund (`api`) is accepted `PROCESSING`: the money leaves
    /// the merchant for [`LedgerAccount::Refunding`] and reaches the payer
    /// when it succeeds ([`State::end_refund`]); a demo store's reaches
    /// the payer at once.
    pub(crate) fn refund_fen(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        out_refund_no: &str,
        amount: Fen,
        now: Timestamp,
        api: Option<crate::order::ApiRefund>,
    ) -> Result<Refund, PayError> {
        if !valid_out_trade_no(out_refund_no) || amount <= Fen::ZERO {
            return Err(PayError::BadNumber);
        }
        let request = vec![
            ("out_trade_no".to_owned(), out_trade_no.to_owned()),
            ("out_refund_no".to_owned(), out_refund_no.to_owned()),
            ("refund".to_owned(), amount.get().to_string()),
        ];
        self.send(now, Endpoint::Refund, &request)?;
        let order = self
            .order(merchant, out_trade_no)
            .cloned()
            .ok_or(PayError::NoSuchOrder)?;
        if let Some(done) = order
            .refunds
            .iter()
            .find(|r| r.out_refund_no == out_refund_no)
        {
            return if done.amount == amount {
                Ok(done.clone())
            } else {
                Err(PayError::RefundNoReused)
            };
        }
        let Some(paid) = order.paid.as_ref() else {
            return Err(PayError::NotPaid);
        };
        if order.refunds.len() >= MAX_REFUNDS {
            return Err(PayError::TooManyRefunds);
        }
        let left = order.refundable();
        if amount > left {
            return Err(PayError::RefundTooMuch { left });
        }
        let (actor, destination) = self.method_accounts(paid.method, paid.payer);
        let (merchant_, out_trade_no_, out_refund_no_) =
            (merchant, out_trade_no.to_owned(), out_refund_no.to_owned());
        let (kind, destination, status) = if api.is_some() {
            (
                EntryKind::RefundAccepted {
                    merchant: merchant_,
                    out_trade_no: out_trade_no_,
                    out_refund_no: out_refund_no_,
                },
                LedgerAccount::Refunding,
                crate::order::RefundStatus::Processing,
            )
        } else {
            (
                EntryKind::Refund {
                    merchant: merchant_,
                    out_trade_no: out_trade_no_,
                    out_refund_no: out_refund_no_,
                },
                destination,
                crate::order::RefundStatus::Success,
            )
        };
        let draft = Draft {
            at: now,
            by: actor,
            key: None,
            kind,
            postings: vec![
                Posting(LedgerAccount::Merchant(merchant), Fen::new(-amount.get())),
                Posting(destination, amount),
            ],
        };
        let entry = self.ledger.post(draft)?.id;
        let refund = Refund {
            out_refund_no: out_refund_no.to_owned(),
            amount,
            at: now,
            entry,
            status,
            api,
        };
        self.order_event(merchant, out_trade_no, OrderEvent::Refund(refund.clone()))?;
        let fields = vec![
            ("out_trade_no".to_owned(), out_trade_no.to_owned()),
            ("out_refund_no".to_owned(), out_refund_no.to_owned()),
            ("refund".to_owned(), amount.get().to_string()),
            ("total".to_owned(), order.amount.get().to_string()),
        ];
        self.sim.record(
            now,
            Endpoint::Refund,
            fields,
            vec![("status".to_owned(), status.as_str().to_owned())],
            None,
        );
        Ok(refund)
    }

    /// Checks the 支付密码, counting wrong ones towards its lock. An empty
    /// one is refused first: it is no try and changes nothing.
    fn check_pay_password(
        &mut self,
        user: WeChatId,
        typed: &str,
        now: Timestamp,
    ) -> Result<(), PayError> {
        if crate::lockout::is_blank(typed) {
            return Err(PayError::PayPasswordEmpty);
        }
        // A guard is kept only once there is something to count: a right
        // password on a clean record changes nothing (and writes nothing).
        let index = self.pay_guards.iter().position(|g| g.user == user);
        if let Some(until) = index.and_then(|i| self.pay_guards[i].lockout.locked_until(now)) {
            return Err(PayError::PayPasswordLocked { until });
        }
        let ok = self
            .wechat
            .account(user)
            .is_some_and(|a| a.check_pay_password(typed));
        if ok {
            if let Some(i) = index {
                self.pay_guards[i].lockout.succeed();
            }
            return Ok(());
        }
        let index = index.unwrap_or_else(|| {
            self.pay_guards.push(PayPasswordGuard {
                user,
                lockout: crate::lockout::Lockout::default(),
            });
            self.pay_guards.len() - 1
        });
        Err(match self.pay_guards[index].lockout.fail(now) {
            crate::lockout::Failure::Locked(until) => PayError::PayPasswordLocked { until },
            crate::lockout::Failure::Remaining(remaining) => PayError::PayPassword { remaining },
        })
    }
}
