//! The merchants' and WeChat Pay's commands: 「去结算」, a store's order
//! list and refunds, and the cashier.

use super::{Ctx, Request, Typed};
use crate::merchant::MerchantId;
use crate::payment::{Paid, PayError, PayMethod, PayRequest, Refund};
use crate::state::State;
use serde::{Deserialize, Serialize};

/// 「去结算」: the store places an order for the cart (SKU, quantity);
/// answers its `out_trade_no`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrder {
    pub merchant: MerchantId,
    pub cart: Vec<(String, u32)>,
}

impl Request for CreateOrder {
    type Output = String;
    type Error = PayError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<String, PayError> {
        let cart: Vec<(&str, u32)> = self.cart.iter().map(|(s, q)| (s.as_str(), *q)).collect();
        state.create_order(self.merchant, &cart, ctx.now, &mut ctx.rng)
    }
}

/// A store's order list opens: its orders whose time ran out close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshOrders {
    pub merchant: MerchantId,
}

impl Request for RefreshOrders {
    type Output = ();
    type Error = PayError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), PayError> {
        state.refresh_orders(self.merchant, ctx.now);
        Ok(())
    }
}

/// 「退款」, full or partial, once per `out_refund_no`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundOrder {
    pub merchant: MerchantId,
    pub out_trade_no: String,
    pub out_refund_no: String,
    pub amount: String,
}

impl Request for RefundOrder {
    type Output = Refund;
    type Error = PayError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Refund, PayError> {
        state.refund_order(
            self.merchant,
            &self.out_trade_no,
            &self.out_refund_no,
            &self.amount,
            ctx.now,
        )
    }
}

/// The cashier opens an order: `NOTPAY → USERPAYING`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCashier {
    pub merchant: MerchantId,
    pub out_trade_no: String,
}

impl Request for OpenCashier {
    type Output = ();
    type Error = PayError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), PayError> {
        state.open_cashier(self.merchant, &self.out_trade_no, ctx.now)
    }
}

/// 「确认支付」, once per `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayOrder {
    pub merchant: MerchantId,
    pub out_trade_no: String,
    pub method: Option<PayMethod>,
    pub pay_password: Typed,
    pub wallet_password: Option<Typed>,
    pub key: String,
}

impl Request for PayOrder {
    type Output = Paid;
    type Error = PayError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Paid, PayError> {
        let request = PayRequest {
            merchant: self.merchant,
            out_trade_no: &self.out_trade_no,
            method: self.method,
            pay_password: self.pay_password.as_str(),
            wallet_password: self.wallet_password.as_ref().map(Typed::as_str),
            key: &self.key,
        };
        state.pay_order(request, ctx.now)
    }
}

/// The person leaves the cashier without paying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelPayment {
    pub merchant: MerchantId,
    pub out_trade_no: String,
}

impl Request for CancelPayment {
    type Output = ();
    type Error = PayError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), PayError> {
        state.cancel_payment(self.merchant, &self.out_trade_no)
    }
}
