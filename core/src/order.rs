//! Merchant orders as one aggregate: every order of every merchant, kept in
//! the order they were placed, each changed only through [`Order::apply`]
//! (the one transition function, tested as the full table of states and
//! events), and found through indexes rather than by scanning.
//!
//! # States
//! `NOTPAY → USERPAYING → SUCCESS | PAYERROR | CLOSED`, and `REFUND` after a
//! refund. An open order (`NOTPAY`, `USERPAYING`, `PAYERROR`) whose time ran
//! out closes when it is next looked at ([`OrderEvent::Expire`]).
//!
//! # Positions and indexes
//! An order's position in [`Orders`] never changes (orders are never
//! removed), so it names the order in storage: a save writes the orders it
//! changed ([`Orders::take_changed`]), not all of them. [`Orders`] keeps
//! indexes by merchant and `out_trade_no`, by `transaction_id`, by JSAPI
//! `prepay_id`, by `out_refund_no`, of open orders by expiry, and of the
//! payment notifications owed by when they fall due; each is brought up to
//! date whenever an order changes, so a call costs the same with 100 orders
//! stored as with 100,000.

use crate::merchant::{Mchid, MerchantId};
use crate::money::Fen;
use crate::payapi::{ApiOrder, NotifyAttempt, TradeType, NOTIFY_RETRIES};
use crate::payment::{PayError, PayMethod};
use crate::time::Timestamp;
use crate::wechat::WeChatId;
use serde::{Deserialize, Serialize};

mod book;
mod refund;

pub use book::{Orders, OrdersError, WINDOW};
pub use refund::{
    ApiRefund, RefundEvent, RefundEventError, RefundNotice, RefundStatus, REFUND_PROCESSING,
};

/// Refunds an order may have.
pub const MAX_REFUNDS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderState {
    Notpay,
    Userpaying,
    Success,
    Payerror,
    Closed,
    Refund,
}

impl OrderState {
    /// WeChat's spelling: `NOTPAY`, `USERPAYING`, …
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Notpay => "NOTPAY",
            OrderState::Userpaying => "USERPAYING",
            OrderState::Success => "SUCCESS",
            OrderState::Payerror => "PAYERROR",
            OrderState::Closed => "CLOSED",
            OrderState::Refund => "REFUND",
        }
    }

    /// Waiting to be paid: it can still be paid, or close.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderState::Notpay | OrderState::Userpaying | OrderState::Payerror
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub merchant: MerchantId,
    pub out_trade_no: String,
    pub description: String,
    pub amount: Fen,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub state: OrderState,
    #[serde(default)]
    pub paid: Option<Paid>,
    #[serde(default)]
    pub refunds: Vec<Refund>,
    /// Payment notifications the merchant received (repeats included).
    #[serde(default)]
    pub notifications: u32,
    /// When the merchant processed the payment (once, whatever the repeats).
    #[serde(default)]
    pub fulfilled_at: Option<Timestamp>,
    /// A registered merchant's order, placed through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiOrder>,
}

/// One refund of an order, back to the method that paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub out_refund_no: String,
    pub amount: Fen,
    pub at: Timestamp,
    /// The ledger entry that took the money from the merchant.
    pub entry: u64,
    #[serde(default, skip_serializing_if = "refund::is_success")]
    pub status: RefundStatus,
    /// A merchant backend's refund (the sandbox server's API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiRefund>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paid {
    pub method: PayMethod,
    pub payer: WeChatId,
    pub at: Timestamp,
    pub transaction_id: String,
    /// The ledger entry that moved the money.
    pub entry: u64,
    /// The pay request's idempotency key.
    pub key: String,
}

/// What can happen to an order. Everything that changes one is one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    /// The cashier opens: `NOTPAY → USERPAYING`.
    Open,
    /// The person leaves the cashier without paying: back to `NOTPAY`.
    Leave,
    /// Looked at `now`: an open order whose time ran out closes.
    Expire { now: Timestamp },
    /// WeChat Pay could not complete the payment (系统繁忙): `PAYERROR`.
    Fail,
    /// Paid: the ledger entry that moved the money is `paid.entry`.
    Pay(Paid),
    /// The merchant closes it (`…/close`).
    Close,
    /// Money back to the payer.
    Refund(Refund),
    /// A merchant backend's refund moved on (see [`RefundEvent`]).
    RefundChanged {
        out_refund_no: String,
        event: RefundEvent,
    },
    /// A demo store processed a payment notification (every repeat counted,
    /// the first one fulfils).
    Fulfilled { at: Timestamp },
    /// A payment notification was sent to a registered merchant's backend,
    /// with its answer; a 200 or 204 acknowledges it.
    Notified(NotifyAttempt),
}

impl Order {
    /// A new order, waiting for payment (`NOTPAY`) until `expires_at`.
    pub(crate) fn placed(
        merchant: MerchantId,
        out_trade_no: String,
        description: String,
        amount: Fen,
        (created_at, expires_at): (Timestamp, Timestamp),
        api: Option<ApiOrder>,
    ) -> Order {
        Order {
            merchant,
            out_trade_no,
            description,
            amount,
            created_at,
            expires_at,
            state: OrderState::Notpay,
            paid: None,
            refunds: Vec::new(),
            notifications: 0,
            fulfilled_at: None,
            api,
        }
    }

    /// What is paid and not yet refunded.
    pub fn refundable(&self) -> Fen {
        let refunded: i64 = self
            .refunds
            .iter()
            .filter(|r| r.holds_money())
            .map(|r| r.amount.get())
            .sum();
        if self.paid.is_some() {
            Fen::new(self.amount.get() - refunded)
        } else {
            Fen::ZERO
        }
    }

    /// The order as it stands at `now`: an open one past its time is closed
    /// (what a query shows, without changing what is stored).
    pub fn at(&self, now: Timestamp) -> Order {
        let mut order = self.clone();
        let _ = order.apply(OrderEvent::Expire { now });
        order
    }

    /// The one transition function: `event` applied, or why it cannot be
    /// (and then nothing changed).
    pub fn apply(&mut self, event: OrderEvent) -> Result<(), PayError> {
        use OrderState::{Closed, Notpay, Payerror, Refund, Success, Userpaying};
        match (self.state, event) {
            (Notpay, OrderEvent::Open) => self.state = Userpaying,
            (Userpaying | Payerror, OrderEvent::Open) => {}
            (Success | Refund, OrderEvent::Open | OrderEvent::Pay(_) | OrderEvent::Fail) => {
                return Err(PayError::OrderPaid)
            }
            (Closed, OrderEvent::Open | OrderEvent::Pay(_) | OrderEvent::Fail) => {
                return Err(PayError::OrderClosed)
            }
            (Userpaying, OrderEvent::Leave) => self.state = Notpay,
            (_, OrderEvent::Leave) => {}
            (state, OrderEvent::Expire { now }) => {
                if state.is_open() && now >= self.expires_at {
                    self.state = Closed;
                }
            }
            (Notpay | Userpaying | Payerror, OrderEvent::Fail) => self.state = Payerror,
            (Notpay | Userpaying | Payerror, OrderEvent::Pay(paid)) => {
                self.state = Success;
                self.paid = Some(paid);
            }
            (Notpay | Userpaying | Payerror | Closed, OrderEvent::Close) => self.state = Closed,
            (Success | Refund, OrderEvent::Close) => return Err(PayError::OrderPaid),
            (Success | Refund, OrderEvent::Refund(refund)) => {
                if self.refunds.len() >= MAX_REFUNDS {
                    return Err(PayError::TooManyRefunds);
                }
                let left = self.refundable();
                if !refund.amount.is_positive() || refund.amount > left {
                    return Err(PayError::RefundTooMuch { left });
                }
                self.refunds.push(refund);
                self.state = Refund;
            }
            (Notpay | Userpaying | Payerror | Closed, OrderEvent::Refund(_)) => {
                return Err(PayError::NotPaid)
            }
            (
                _,
                OrderEvent::RefundChanged {
                    out_refund_no,
                    event,
                },
            ) => {
                let refund = self
                    .refunds
                    .iter_mut()
                    .find(|r| r.out_refund_no == out_refund_no)
                    .ok_or(PayError::NoSuchRefund)?;
                refund.apply(event).map_err(|e| match e {
                    RefundEventError::NotApi => PayError::NoSuchRefund,
                    RefundEventError::Final | RefundEventError::NothingOwed => {
                        PayError::RefundEnded
                    }
                })?;
            }
            (Success | Refund, OrderEvent::Fulfilled { at }) => {
                self.notifications = self.notifications.saturating_add(1);
                self.fulfilled_at.get_or_insert(at);
            }
            (Success | Refund, OrderEvent::Notified(attempt)) => {
                let api = self.api.as_mut().ok_or(PayError::NoSuchOrder)?;
                let acknowledged = matches!(attempt.status, Some(200 | 204));
                let at = attempt.at;
                api.attempts.push(attempt);
                if acknowledged && api.acknowledged_at.is_none() {
                    api.acknowledged_at = Some(at);
                    self.fulfilled_at = Some(at);
                }
            }
            (
                Notpay | Userpaying | Payerror | Closed,
                OrderEvent::Fulfilled { .. } | OrderEvent::Notified(_),
            ) => return Err(PayError::NotPaid),
        }
        Ok(())
    }

    /// When this order's next payment notification falls due, if one is
    /// owed, not counting a hold on the first one: `(first, at)`.
    fn notice_due(&self) -> Option<(bool, Timestamp)> {
        let api = self.api.as_ref()?;
        let paid = self.paid.as_ref()?;
        if api.acknowledged_at.is_some() {
            return None;
        }
        match api.attempts.last() {
            None => Some((true, paid.at)),
            Some(last) => NOTIFY_RETRIES
                .get(api.attempts.len() - 1)
                .map(|wait| (false, last.at.plus(*wait))),
        }
    }

    /// A JSAPI order's `prepay_id`, if it is one.
    fn prepay(&self) -> Option<String> {
        match (self.merchant, self.api.as_ref()) {
            (MerchantId::Registered(mchid), Some(api)) if api.trade_type != TradeType::Native => {
                Some(prepay_id(mchid, &self.out_trade_no))
            }
            _ => None,
        }
    }
}

/// A JSAPI order's `prepay_id`: `wx` and 30 hex digits, the same for the
/// same order whenever it is asked for (derived, never stored).
pub(crate) fn prepay_id(mchid: Mchid, out_trade_no: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("prepay\n{mchid}\n{out_trade_no}").as_bytes());
    format!("wx{}", &crate::hex::encode(&digest)[..30])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::payapi::ApiOrder;
    use rstest::rstest;

    pub(crate) const PLACED: Timestamp = Timestamp::from_millis(1_000);
    pub(crate) const EXPIRES: Timestamp = Timestamp::from_millis(10_000);

    pub(crate) fn paid() -> Paid {
        Paid {
            method: PayMethod::Change,
            payer: WeChatId::new(1),
            at: Timestamp::from_millis(2_000),
            transaction_id: "42000000000000000007".to_owned(),
            entry: 7,
            key: "k".to_owned(),
        }
    }

    pub(crate) fn api() -> ApiOrder {
        ApiOrder {
            appid: "wx0123456789abcdef".to_owned(),
            trade_type: TradeType::Native,
            notify_url: "http://127.0.0.1:3000/notify".to_owned(),
            attach: None,
            time_expire: None,
            attempts: Vec::new(),
            acknowledged_at: None,
            payer_openid: None,
        }
    }

    /// An order of ¥28.00 in `state`, paid where a paid one would be (and
    /// refunded ¥10.00 when `REFUND`).
    pub(crate) fn order(state: &str) -> Order {
        let mut order = Order::placed(
            MerchantId::Registered(Mchid::parse("1900000001").unwrap_or_else(|| unreachable!())),
            "ORDER0001".to_owned(),
            "latte".to_owned(),
            Fen::new(2_800),
            (PLACED, EXPIRES),
            Some(api()),
        );
        order.state = match state {
            "NOTPAY" => OrderState::Notpay,
            "USERPAYING" => OrderState::Userpaying,
            "PAYERROR" => OrderState::Payerror,
            "CLOSED" => OrderState::Closed,
            "SUCCESS" => OrderState::Success,
            "REFUND" => OrderState::Refund,
            other => unreachable!("no state {other}"),
        };
        if matches!(order.state, OrderState::Success | OrderState::Refund) {
            order.paid = Some(paid());
        }
        if order.state == OrderState::Refund {
            order.refunds.push(refund("R0000001", 1_000));
        }
        order
    }

    pub(crate) fn refund(no: &str, fen: i64) -> Refund {
        Refund {
            out_refund_no: no.to_owned(),
            amount: Fen::new(fen),
            at: Timestamp::from_millis(3_000),
            entry: 8,
            status: RefundStatus::Success,
            api: None,
        }
    }

    fn event(name: &str) -> OrderEvent {
        match name {
            "Open" => OrderEvent::Open,
            "Leave" => OrderEvent::Leave,
            "Expire(early)" => OrderEvent::Expire {
                now: Timestamp::from_millis(9_999),
            },
            "Expire(late)" => OrderEvent::Expire { now: EXPIRES },
            "Fail" => OrderEvent::Fail,
            "Pay" => OrderEvent::Pay(paid()),
            "Close" => OrderEvent::Close,
            "Refund" => OrderEvent::Refund(refund("R0000002", 1_800)),
            "Fulfilled" => OrderEvent::Fulfilled {
                at: Timestamp::from_millis(4_000),
            },
            "Notified" => OrderEvent::Notified(NotifyAttempt {
                at: Timestamp::from_millis(4_000),
                status: Some(200),
                answer: String::new(),
            }),
            other => unreachable!("no event {other}"),
        }
    }

    /// What became of the order, in a few words.
    fn outcome(mut order: Order, event: OrderEvent) -> String {
        let before = order.clone();
        match order.apply(event) {
            Err(e) => {
                assert_eq!(order, before, "a refused event changes nothing");
                format!("Err({e:?})")
            }
            Ok(()) if order == before => "unchanged".to_owned(),
            Ok(()) => {
                let mut said = order.state.as_str().to_owned();
                if order.refunds.len() != before.refunds.len() {
                    said += " +refund";
                }
                if order.notifications != before.notifications {
                    said += " +notified";
                }
                if order.api.as_ref().map(|a| a.attempts.len())
                    != before.api.as_ref().map(|a| a.attempts.len())
                {
                    said += " +attempt";
                }
                said
            }
        }
    }

    /// The whole state machine: every state (6) under every event (10).
    #[rstest]
    #[case("NOTPAY", "Open", "USERPAYING")]
    #[case("NOTPAY", "Leave", "unchanged")]
    #[case("NOTPAY", "Expire(early)", "unchanged")]
    #[case("NOTPAY", "Expire(late)", "CLOSED")]
    #[case("NOTPAY", "Fail", "PAYERROR")]
    #[case("NOTPAY", "Pay", "SUCCESS")]
    #[case("NOTPAY", "Close", "CLOSED")]
    #[case("NOTPAY", "Refund", "Err(NotPaid)")]
    #[case("NOTPAY", "Fulfilled", "Err(NotPaid)")]
    #[case("NOTPAY", "Notified", "Err(NotPaid)")]
    #[case("USERPAYING", "Open", "unchanged")]
    #[case("USERPAYING", "Leave", "NOTPAY")]
    #[case("USERPAYING", "Expire(early)", "unchanged")]
    #[case("USERPAYING", "Expire(late)", "CLOSED")]
    #[case("USERPAYING", "Fail", "PAYERROR")]
    #[case("USERPAYING", "Pay", "SUCCESS")]
    #[case("USERPAYING", "Close", "CLOSED")]
    #[case("USERPAYING", "Refund", "Err(NotPaid)")]
    #[case("USERPAYING", "Fulfilled", "Err(NotPaid)")]
    #[case("USERPAYING", "Notified", "Err(NotPaid)")]
    #[case("PAYERROR", "Open", "unchanged")]
    #[case("PAYERROR", "Leave", "unchanged")]
    #[case("PAYERROR", "Expire(early)", "unchanged")]
    #[case("PAYERROR", "Expire(late)", "CLOSED")]
    #[case("PAYERROR", "Fail", "unchanged")]
    #[case("PAYERROR", "Pay", "SUCCESS")]
    #[case("PAYERROR", "Close", "CLOSED")]
    #[case("PAYERROR", "Refund", "Err(NotPaid)")]
    #[case("PAYERROR", "Fulfilled", "Err(NotPaid)")]
    #[case("PAYERROR", "Notified", "Err(NotPaid)")]
    #[case("CLOSED", "Open", "Err(OrderClosed)")]
    #[case("CLOSED", "Leave", "unchanged")]
    #[case("CLOSED", "Expire(early)", "unchanged")]
    #[case("CLOSED", "Expire(late)", "unchanged")]
    #[case("CLOSED", "Fail", "Err(OrderClosed)")]
    #[case("CLOSED", "Pay", "Err(OrderClosed)")]
    #[case("CLOSED", "Close", "unchanged")]
    #[case("CLOSED", "Refund", "Err(NotPaid)")]
    #[case("CLOSED", "Fulfilled", "Err(NotPaid)")]
    #[case("CLOSED", "Notified", "Err(NotPaid)")]
    #[case("SUCCESS", "Open", "Err(OrderPaid)")]
    #[case("SUCCESS", "Leave", "unchanged")]
    #[case("SUCCESS", "Expire(early)", "unchanged")]
    #[case("SUCCESS", "Expire(late)", "unchanged")]
    #[case("SUCCESS", "Fail", "Err(OrderPaid)")]
    #[case("SUCCESS", "Pay", "Err(OrderPaid)")]
    #[case("SUCCESS", "Close", "Err(OrderPaid)")]
    #[case("SUCCESS", "Refund", "REFUND +refund")]
    #[case("SUCCESS", "Fulfilled", "SUCCESS +notified")]
    #[case("SUCCESS", "Notified", "SUCCESS +attempt")]
    #[case("REFUND", "Open", "Err(OrderPaid)")]
    #[case("REFUND", "Leave", "unchanged")]
    #[case("REFUND", "Expire(early)", "unchanged")]
    #[case("REFUND", "Expire(late)", "unchanged")]
    #[case("REFUND", "Fail", "Err(OrderPaid)")]
    #[case("REFUND", "Pay", "Err(OrderPaid)")]
    #[case("REFUND", "Close", "Err(OrderPaid)")]
    #[case("REFUND", "Refund", "REFUND +refund")]
    #[case("REFUND", "Fulfilled", "REFUND +notified")]
    #[case("REFUND", "Notified", "REFUND +attempt")]
    fn every_state_under_every_event(#[case] from: &str, #[case] on: &str, #[case] to: &str) {
        assert_eq!(outcome(order(from), event(on)), to);
    }

    #[test]
    fn a_refund_is_never_more_than_what_is_left_nor_the_fifty_first() {
        let mut order = order("SUCCESS");
        assert_eq!(
            order.apply(OrderEvent::Refund(refund("R0000009", 2_801))),
            Err(PayError::RefundTooMuch {
                left: Fen::new(2_800)
            })
        );
        assert_eq!(
            order.apply(OrderEvent::Refund(refund("R0000009", 0))),
            Err(PayError::RefundTooMuch {
                left: Fen::new(2_800)
            })
        );
        order.amount = Fen::new(100);
        for i in 0..MAX_REFUNDS {
            assert_eq!(
                order.apply(OrderEvent::Refund(refund(&format!("R{i:07}"), 1))),
                Ok(())
            );
        }
        order.amount = Fen::new(1_000);
        assert_eq!(
            order.apply(OrderEvent::Refund(refund("R9999999", 1))),
            Err(PayError::TooManyRefunds)
        );
    }
}
