//! `POST /v3/refund/domestic/refunds` and its query: a registered
//! merchant's refunds, through the cashier's refund rules
//! ([`State::refund_fen`]), answered with WeChat Pay's fields.

use super::{
    chars_within, not_v3_characters, v3_characters, valid_url, ApiError, Invalid, Resource,
    MAX_TOTAL,
};
use super::{DueNotification, NoticeEvent, NotifyAttempt, MAX_ANSWER_CHARS};
use crate::ledger::{Draft, EntryKind, LedgerAccount, Posting};
use crate::merchant::{Mchid, MerchantId};
use crate::money::Fen;
use crate::order::{ApiRefund, OrderEvent, RefundEvent, RefundStatus, REFUND_PROCESSING};
use crate::payment::{valid_out_trade_no, Order, PayError, PayMethod, Refund};
use crate::sim::Endpoint;
use crate::state::State;
use crate::time::{rfc3339_cst, Timestamp};
use serde::{Deserialize, Serialize};

/// `amount` of a refund request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RefundAmountIn {
    pub refund: Option<i64>,
    pub total: Option<i64>,
    pub currency: Option<String>,
}

/// The body of `POST /v3/refund/domestic/refunds`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RefundRequest {
    pub transaction_id: Option<String>,
    pub out_trade_no: Option<String>,
    pub out_refund_no: Option<String>,
    pub reason: Option<String>,
    pub notify_url: Option<String>,
    pub amount: Option<RefundAmountIn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundAmountOut {
    pub total: i64,
    pub refund: i64,
    pub payer_total: i64,
    pub payer_refund: i64,
    pub settlement_refund: i64,
    pub settlement_total: i64,
    pub discount_refund: i64,
    pub currency: &'static str,
}

/// A refund as WeChat Pay reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundView {
    pub refund_id: String,
    pub out_refund_no: String,
    pub transaction_id: String,
    pub out_trade_no: String,
    pub channel: &'static str,
    pub user_received_account: &'static str,
    /// Only once it succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    pub create_time: String,
    pub status: &'static str,
    pub funds_account: &'static str,
    pub amount: RefundAmountOut,
}

impl State {
    /// `POST /v3/refund/domestic/refunds`: back to whoever paid, each
    /// `out_refund_no` once, never more than what is left.
    pub fn api_refund(
        &mut self,
        signer: Mchid,
        request: &RefundRequest,
        now: Timestamp,
    ) -> Result<RefundView, ApiError> {
        self.api_fault(now, Endpoint::Refund, signer)?;
        self.registered_merchant(signer)
            .ok_or(ApiError::MchNotExists)?;
        let id = MerchantId::Registered(signer);
        let out_trade_no = match (&request.out_trade_no, &request.transaction_id) {
            (Some(no), _) => no.clone(),
            (None, Some(tx)) => self
                .orders
                .by_transaction(tx)
                .filter(|o| o.merchant == id)
                .map(|o| o.out_trade_no.clone())
                .ok_or(ApiError::ResourceNotExists(Resource::Order))?,
            (None, None) => return Err(ApiError::required("out_trade_no 或 transaction_id")),
        };
        let out_refund_no = request
            .out_refund_no
            .as_deref()
            .ok_or_else(|| ApiError::required("out_refund_no"))?;
        if !valid_out_trade_no(out_refund_no) {
            return Err(ApiError::param(
                "out_refund_no 须为 6–32 个数字、大小写字母或 _-|*",
            ));
        }
        if let Some(url) = &request.notify_url {
            if !valid_url(url) {
                return Err(ApiError::param("notify_url 须为 http(s) 地址"));
            }
        }
        if request
            .reason
            .as_deref()
            .is_some_and(|r| !chars_within(r, 80))
        {
            return Err(ApiError::param("reason 超过 80 个字符"));
        }
        if request.reason.as_deref().is_some_and(|r| !v3_characters(r)) {
            return Err(not_v3_characters("reason"));
        }
        let amount = request
            .amount
            .as_ref()
            .ok_or_else(|| ApiError::required("amount"))?;
        let refund = amount
            .refund
            .ok_or_else(|| ApiError::required("amount.refund"))?;
        let total = amount
            .total
            .ok_or_else(|| ApiError::required("amount.total"))?;
        if amount.currency.as_deref().is_some_and(|c| c != "CNY") {
            return Err(ApiError::param("amount.currency 只支持 CNY"));
        }
        if !(1..=MAX_TOTAL).contains(&refund) {
            return Err(ApiError::param("amount.refund 须为正整数（分）"));
        }
        let order = self
            .order(id, &out_trade_no)
            .filter(|o| o.api.is_some())
            .cloned()
            .ok_or(ApiError::ResourceNotExists(Resource::Order))?;
        if order.amount.get() != total {
            return Err(ApiError::param("amount.total 与订单金额不一致"));
        }
        // Without a notify_url of its own, the refund's notifications go
        // where the merchant's go (WeChat: the address configured in the
        // merchant platform).
        let notify_url = request.notify_url.clone().or_else(|| {
            self.registered_merchant(signer)
                .map(|m| m.notify_url.clone())
        });
        let api = ApiRefund {
            notify_url,
            reason: request.reason.clone(),
            settles_at: now.plus(REFUND_PROCESSING),
            decided_at: None,
            end_entry: None,
            notices: Vec::new(),
        };
        let done = self
            .refund_fen(
                id,
                &out_trade_no,
                out_refund_no,
                Fen::new(refund),
                now,
                Some(api),
            )
            .map_err(|e| refund_error(&e))?;
        let order = self
            .order(id, &out_trade_no)
            .cloned()
            .ok_or(ApiError::ResourceNotExists(Resource::Order))?;
        Ok(refund_view(&order, &done))
    }

    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    pub fn api_query_refund(
        &mut self,
        signer: Mchid,
        out_refund_no: &str,
        now: Timestamp,
    ) -> Result<RefundView, ApiError> {
        self.api_fault(now, Endpoint::Refund, signer)?;
        self.api_view_refund(signer, out_refund_no)
    }

    /// [`State::api_query_refund`] when no fault is pending.
    pub fn api_view_refund(
        &self,
        signer: Mchid,
        out_refund_no: &str,
    ) -> Result<RefundView, ApiError> {
        let id = MerchantId::Registered(signer);
        self.orders
            .by_refund(id, out_refund_no)
            .filter(|o| o.api.is_some())
            .and_then(|o| {
                o.refunds
                    .iter()
                    .find(|r| r.out_refund_no == out_refund_no)
                    .map(|r| refund_view(o, r))
            })
            .ok_or(ApiError::ResourceNotExists(Resource::Refund))
    }

    /// A merchant backend's refund under way ends as `status`: `SUCCESS`
    /// moves the money on to the payer (or, if the payer's wallet is gone,
    /// the refund becomes `ABNORMAL` instead), `CLOSED` back to the
    /// merchant; `ABNORMAL` keeps it where it is. Each is one balanced
    /// ledger entry, logged, and told to the refund's notify URL.
    pub fn end_refund(
        &mut self,
        mchid: Mchid,
        out_refund_no: &str,
        status: RefundStatus,
        now: Timestamp,
    ) -> Result<RefundStatus, PayError> {
        let id = MerchantId::Registered(mchid);
        let order = self
            .orders
            .by_refund(id, out_refund_no)
            .cloned()
            .ok_or(PayError::NoSuchRefund)?;
        let refund = order
            .refunds
            .iter()
            .find(|r| r.out_refund_no == out_refund_no && r.api.is_some())
            .cloned()
            .ok_or(PayError::NoSuchRefund)?;
        if !refund.status.may_become(status) {
            return Err(PayError::RefundEnded);
        }
        let paid = order.paid.as_ref().ok_or(PayError::NotPaid)?;
        let (actor, payer) = self.method_accounts(paid.method, paid.payer);
        let payer_gone = match payer {
            LedgerAccount::Wallet(wallet) => self.account(wallet).is_none(),
            LedgerAccount::WeChatChange(user) => self.wechat.account(user).is_none(),
            _ => false,
        };
        let status = if status == RefundStatus::Success && payer_gone {
            RefundStatus::Abnormal
        } else {
            status
        };
        if status == refund.status {
            return Ok(status);
        }
        let numbers = (id, order.out_trade_no.clone(), refund.out_refund_no.clone());
        let moved = match status {
            RefundStatus::Success => Some((
                EntryKind::Refund {
                    merchant: numbers.0,
                    out_trade_no: numbers.1,
                    out_refund_no: numbers.2,
                },
                payer,
            )),
            RefundStatus::Closed => Some((
                EntryKind::RefundClosed {
                    merchant: numbers.0,
                    out_trade_no: numbers.1,
                    out_refund_no: numbers.2,
                },
                LedgerAccount::Merchant(id),
            )),
            RefundStatus::Abnormal | RefundStatus::Processing => None,
        };
        let entry = match moved {
            Some((kind, to)) => Some(
                self.ledger
                    .post(Draft {
                        at: now,
                        by: actor,
                        key: None,
                        kind,
                        postings: vec![
                            Posting(LedgerAccount::Refunding, Fen::new(-refund.amount.get())),
                            Posting(to, refund.amount),
                        ],
                    })?
                    .id,
            ),
            None => None,
        };
        self.order_event(
            id,
            &order.out_trade_no,
            OrderEvent::RefundChanged {
                out_refund_no: out_refund_no.to_owned(),
                event: RefundEvent::Decided {
                    status,
                    at: now,
                    entry,
                },
            },
        )?;
        self.sim.record(
            now,
            Endpoint::RefundResult,
            vec![
                ("mchid".to_owned(), mchid.to_string()),
                ("out_trade_no".to_owned(), order.out_trade_no.clone()),
                ("out_refund_no".to_owned(), out_refund_no.to_owned()),
                ("refund".to_owned(), refund.amount.get().to_string()),
            ],
            vec![("status".to_owned(), status.as_str().to_owned())],
            None,
        );
        Ok(status)
    }

    /// Every `PROCESSING` refund whose time came by `now` succeeds (unless
    /// the console holds refunds); how many ended.
    pub fn settle_refunds(&mut self, now: Timestamp) -> usize {
        if self.sim.hold_refunds() {
            return 0;
        }
        let mut ended = 0;
        for position in self.orders.refunds_settling(now) {
            let Some(order) = self.orders.get(position) else {
                continue;
            };
            let MerchantId::Registered(mchid) = order.merchant else {
                continue;
            };
            let due: Vec<String> = order
                .refunds
                .iter()
                .filter(|r| r.settles_at().is_some_and(|at| at <= now))
                .map(|r| r.out_refund_no.clone())
                .collect();
            for no in due {
                if self
                    .end_refund(mchid, &no, RefundStatus::Success, now)
                    .is_ok()
                {
                    ended += 1;
                }
            }
        }
        ended
    }

    /// When the next `PROCESSING` refund succeeds by itself (`None`: none
    /// will, or the console holds them).
    pub fn next_settle_at(&self) -> Option<Timestamp> {
        if self.sim.hold_refunds() {
            return None;
        }
        self.orders.next_settle_at()
    }

    /// The refund notifications due at `now`.
    pub(super) fn due_refund_notices(&self, now: Timestamp) -> Vec<DueNotification> {
        self.orders
            .refund_notices_due(now)
            .into_iter()
            .filter_map(|p| self.orders.get(p))
            .flat_map(|order| {
                order
                    .refunds
                    .iter()
                    .filter(move |r| r.notice_due().is_some_and(|at| at <= now))
                    .filter_map(move |r| self.refund_notice(order, r))
            })
            .collect()
    }

    fn refund_notice(&self, order: &Order, refund: &Refund) -> Option<DueNotification> {
        let MerchantId::Registered(mchid) = order.merchant else {
            return None;
        };
        let api = refund.api.as_ref()?;
        let notice = api.notices.last()?;
        let view = refund_view(order, refund);
        Some(DueNotification {
            mchid,
            out_trade_no: order.out_trade_no.clone(),
            url: api.notify_url.clone()?,
            id: format!("EV-{}{:02}", view.refund_id, api.notices.len()),
            create_time: rfc3339_cst(notice.at),
            attempt: notice.attempts.len() + 1,
            event: NoticeEvent::Refund(RefundResource {
                mchid: mchid.to_string(),
                transaction_id: view.transaction_id,
                out_trade_no: view.out_trade_no,
                refund_id: view.refund_id,
                out_refund_no: view.out_refund_no,
                refund_status: notice.status.as_str(),
                success_time: view.success_time,
                user_received_account: view.user_received_account,
                amount: RefundResourceAmount {
                    total: view.amount.total,
                    refund: view.amount.refund,
                    payer_total: view.amount.payer_total,
                    payer_refund: view.amount.payer_refund,
                },
            }),
        })
    }

    /// What the merchant answered a refund notification; logged.
    pub fn record_refund_notification(
        &mut self,
        mchid: Mchid,
        out_refund_no: &str,
        at: Timestamp,
        status: Option<u16>,
        answer: &str,
    ) {
        let id = MerchantId::Registered(mchid);
        let Some(order) = self.orders.by_refund(id, out_refund_no) else {
            return;
        };
        let (out_trade_no, url) = (
            order.out_trade_no.clone(),
            order
                .refunds
                .iter()
                .find(|r| r.out_refund_no == out_refund_no)
                .and_then(|r| r.api.as_ref())
                .and_then(|a| a.notify_url.clone())
                .unwrap_or_default(),
        );
        let answer: String = answer.chars().take(MAX_ANSWER_CHARS).collect();
        let attempt = NotifyAttempt {
            at,
            status,
            answer: answer.clone(),
        };
        let event = OrderEvent::RefundChanged {
            out_refund_no: out_refund_no.to_owned(),
            event: RefundEvent::Notified(attempt),
        };
        if self.order_event(id, &out_trade_no, event).is_err() {
            return;
        }
        let status_text = status.map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        self.sim.record(
            at,
            Endpoint::RefundNotify,
            vec![
                ("mchid".to_owned(), mchid.to_string()),
                ("out_refund_no".to_owned(), out_refund_no.to_owned()),
                ("notify_url".to_owned(), url),
            ],
            vec![
                ("status".to_owned(), status_text),
                ("merchant".to_owned(), answer),
            ],
            None,
        );
    }
}

/// The `resource` of a refund notification, before encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundResource {
    pub mchid: String,
    pub transaction_id: String,
    pub out_trade_no: String,
    pub refund_id: String,
    pub out_refund_no: String,
    pub refund_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    pub user_received_account: &'static str,
    pub amount: RefundResourceAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundResourceAmount {
    pub total: i64,
    pub refund: i64,
    pub payer_total: i64,
    pub payer_refund: i64,
}

/// A refund the cashier's rules refused, as WeChat Pay's refund API says it.
fn refund_error(error: &PayError) -> ApiError {
    match error {
        PayError::NoSuchOrder => ApiError::ResourceNotExists(Resource::Order),
        PayError::NotPaid => ApiError::InvalidRequest(Invalid::NotPaid),
        PayError::RefundTooMuch { .. } => ApiError::InvalidRequest(Invalid::RefundTooMuch),
        PayError::TooManyRefunds => ApiError::InvalidRequest(Invalid::TooManyRefunds),
        PayError::RefundNoReused => ApiError::InvalidRequest(Invalid::RefundNoReused),
        PayError::BadNumber => ApiError::param("out_refund_no 格式错误"),
        // The refund's own rules are above; anything else (the ledger, a
        // fault) is the sandbox failing, not the merchant's call.
        _ => ApiError::System,
    }
}

fn refund_view(order: &Order, refund: &Refund) -> RefundView {
    let transaction_id = order
        .paid
        .as_ref()
        .map(|p| p.transaction_id.clone())
        .unwrap_or_default();
    RefundView {
        refund_id: refund_id(refund),
        out_refund_no: refund.out_refund_no.clone(),
        transaction_id,
        out_trade_no: order.out_trade_no.clone(),
        channel: "ORIGINAL",
        user_received_account: match order.paid.as_ref().map(|p| p.method) {
            Some(PayMethod::Wallet(_)) => "支付用户数字钱包",
            _ => "支付用户零钱",
        },
        success_time: refund.succeeded_at().map(rfc3339_cst),
        create_time: rfc3339_cst(refund.at),
        status: refund.status.as_str(),
        funds_account: "AVAILABLE",
        amount: RefundAmountOut {
            total: order.amount.get(),
            refund: refund.amount.get(),
            payer_total: order.amount.get(),
            payer_refund: refund.amount.get(),
            settlement_refund: refund.amount.get(),
            settlement_total: order.amount.get(),
            discount_refund: 0,
            currency: "CNY",
        },
    }
}

/// WeChat Pay's `refund_id` of `refund` (from the ledger entry that took
/// the money from the merchant: one per refund, for ever).
pub(crate) fn refund_id(refund: &Refund) -> String {
    format!("5030{:016}", refund.entry)
}
