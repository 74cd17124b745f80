//! `POST /v3/refund/domestic/refunds` and its query: a registered
//! merchant's refunds, through the cashier's refund rules
//! ([`State::refund_fen`]), answered with WeChat Pay's fields.

use super::{
    chars_within, not_v3_characters, v3_characters, valid_url, ApiError, Invalid, Resource,
    MAX_TOTAL,
};
use crate::merchant::{Mchid, MerchantId};
use crate::money::Fen;
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
    pub success_time: String,
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
        let done = self
            .refund_fen(id, &out_trade_no, out_refund_no, Fen::new(refund), now)
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
        refund_id: format!("5030{:016}", refund.entry),
        out_refund_no: refund.out_refund_no.clone(),
        transaction_id,
        out_trade_no: order.out_trade_no.clone(),
        channel: "ORIGINAL",
        user_received_account: match order.paid.as_ref().map(|p| p.method) {
            Some(PayMethod::Wallet(_)) => "支付用户数字钱包",
            _ => "支付用户零钱",
        },
        success_time: rfc3339_cst(refund.at),
        create_time: rfc3339_cst(refund.at),
        status: "SUCCESS",
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
