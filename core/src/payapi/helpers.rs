//! The sandbox's test helpers: what a merchant backend's own test suite
//! asks of the sandbox instead of a person with a browser (the models are
//! Stripe's `test_helpers` and the old v2 仿真系统). A helper acts through
//! the same rules as a person would: a test person is a WeChat account
//! with 零钱 put there by one ledger entry; paying as them runs what
//! follows the secrets at the cashier ([`State::complete_payment`]: limits,
//! balance, WeChat Pay's own failure, the ledger, the notification); a
//! payer leaving is the cashier's 「取消支付」. Nothing a helper does is
//! out of reach of a person in the site — it only skips typing the
//! passwords. Every helper call is logged in the console.
//!
//! Who may call them (a token only the merchant's operator has) is the
//! server's to check; here, a helper acts for one merchant, on its orders.

use super::{ApiError, MAX_TOTAL};
use crate::ledger::{Actor, Draft, EntryKind, LedgerAccount, Posting};
use crate::merchant::{Mchid, MerchantId};
use crate::money::Fen;
use crate::order::OrderEvent;
use crate::payment::{OrderState, PayError, PayMethod};
use crate::security::Hasher;
use crate::sim::Endpoint;
use crate::state::State;
use crate::time::Timestamp;
use crate::wechat::WeChatId;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};

/// The body of `POST /sandbox/v1/test-helpers/people`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PersonRequest {
    /// Fen in the person's 零钱 (0: they cannot pay: `NOTENOUGH`).
    pub change: Option<i64>,
}

/// A test person: their WeChat account, and their openid for the
/// merchant's app (what JSAPI's `payer.openid` names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestPerson {
    pub wxid: String,
    pub openid: String,
    pub change: i64,
    /// To log in at the site as them.
    pub phone: String,
    pub password: String,
    pub pay_password: String,
}

/// The body of `POST /sandbox/v1/test-helpers/pay`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct HelperPayRequest {
    pub out_trade_no: Option<String>,
    /// The payer: their openid for the merchant's app (a JSAPI order's
    /// own payer when absent).
    pub openid: Option<String>,
    /// `SUCCESS` (the default): the person pays; `PAYERROR`: WeChat Pay
    /// fails the payment; `CANCEL`: the person opens the cashier and leaves.
    pub outcome: Option<String>,
}

/// What the cashier answered the helper's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperPaid {
    pub out_trade_no: String,
    /// `SUCCESS`, or the cashier's refusal: `NOTENOUGH`, `PAYERROR`,
    /// `CANCELLED`, `ORDERPAID`, `ORDER_CLOSED`, `OPENID_MISMATCH`, …
    pub result: String,
    /// The order's state after it.
    pub trade_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// What a helper asked the payment to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Payerror,
    Cancel,
}

impl State {
    /// A new test person for `mchid`'s tests: a WeChat account (as
    /// 「一键创建演示账户」 makes one) whose 零钱 holds `change` fen.
    pub fn helper_person(
        &mut self,
        mchid: Mchid,
        request: &PersonRequest,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> Result<TestPerson, ApiError> {
        let merchant = self
            .registered_merchant(mchid)
            .cloned()
            .ok_or(ApiError::MchNotExists)?;
        let change = request.change.unwrap_or(0);
        if !(0..=MAX_TOTAL).contains(&change) {
            return Err(ApiError::param(
                "change 须为 0 到 100000000 之间的整数（分）",
            ));
        }
        let person = self
            .demo_person(now, rng, hasher)
            .map_err(|_| ApiError::System)?;
        let user = self
            .wechat
            .accounts()
            .iter()
            .find(|a| a.wxid() == person.wxid)
            .map(|a| a.id())
            .ok_or(ApiError::System)?;
        if change > 0 {
            self.ledger
                .post(Draft {
                    at: now,
                    by: Actor::WeChat { wechat: user },
                    key: None,
                    kind: EntryKind::TestFunds,
                    postings: vec![
                        Posting(LedgerAccount::BankReserve, Fen::new(-change)),
                        Posting(LedgerAccount::WeChatChange(user), Fen::new(change)),
                    ],
                })
                .map_err(|_| ApiError::System)?;
        }
        let openid = self
            .wechat
            .openid_for_app(&merchant.appid, user)
            .ok_or(ApiError::System)?;
        self.helper_log(
            now,
            mchid,
            "people",
            vec![("change".to_owned(), change.to_string())],
            vec![
                ("wxid".to_owned(), person.wxid.clone()),
                ("openid".to_owned(), openid.clone()),
            ],
        );
        Ok(TestPerson {
            wxid: person.wxid,
            openid,
            change,
            phone: person.phone,
            password: person.password,
            pay_password: person.pay_password,
        })
    }

    /// Pays (or fails, or leaves) `mchid`'s order as a test person, with
    /// their 零钱, as the cashier would: same checks, same entry, same
    /// notification. The same helper call again pays once.
    pub fn helper_pay(
        &mut self,
        mchid: Mchid,
        request: &HelperPayRequest,
        now: Timestamp,
    ) -> Result<HelperPaid, ApiError> {
        self.registered_merchant(mchid)
            .ok_or(ApiError::MchNotExists)?;
        let id = MerchantId::Registered(mchid);
        let no = request
            .out_trade_no
            .clone()
            .ok_or_else(|| ApiError::required("out_trade_no"))?;
        let outcome = match request.outcome.as_deref().unwrap_or("SUCCESS") {
            "SUCCESS" => Outcome::Success,
            "PAYERROR" => Outcome::Payerror,
            "CANCEL" => Outcome::Cancel,
            _ => return Err(ApiError::param("outcome 须为 SUCCESS、PAYERROR 或 CANCEL")),
        };
        self.refresh_order(id, &no, now)
            .map_err(|_| ApiError::OrderNotExist)?;
        let order = self
            .order(id, &no)
            .filter(|o| o.api.is_some())
            .cloned()
            .ok_or(ApiError::OrderNotExist)?;
        let api = order.api.clone().ok_or(ApiError::OrderNotExist)?;
        let openid = request
            .openid
            .clone()
            .or_else(|| api.payer_openid.clone())
            .ok_or_else(|| ApiError::required("openid"))?;
        let payer = self
            .wechat
            .accounts()
            .iter()
            .map(|a| a.id())
            .find(|u| self.wechat.openid_for_app(&api.appid, *u).as_ref() == Some(&openid))
            .ok_or_else(|| ApiError::param("openid 不是本商户应用的用户"))?;
        let key = format!("helper\n{mchid}\n{no}");
        let result = match self.helper_attempt(&order, payer, outcome, &key, now) {
            Ok(result) => result.to_owned(),
            Err(error) => crate::error::UserError::code(&error).to_owned(),
        };
        let after = self
            .order(id, &no)
            .cloned()
            .ok_or(ApiError::OrderNotExist)?;
        let answer = HelperPaid {
            out_trade_no: no.clone(),
            result: result.clone(),
            trade_state: after.state.as_str().to_owned(),
            transaction_id: after.paid.as_ref().map(|p| p.transaction_id.clone()),
        };
        self.helper_log(
            now,
            mchid,
            "pay",
            vec![
                ("out_trade_no".to_owned(), no),
                ("openid".to_owned(), openid),
                (
                    "outcome".to_owned(),
                    request
                        .outcome
                        .clone()
                        .unwrap_or_else(|| "SUCCESS".to_owned()),
                ),
            ],
            vec![
                ("result".to_owned(), result),
                ("trade_state".to_owned(), answer.trade_state.clone()),
            ],
        );
        Ok(answer)
    }

    /// The payment as the cashier runs it: `SUCCESS`, `PAYERROR` or
    /// `CANCELLED`, or the cashier's refusal.
    fn helper_attempt(
        &mut self,
        order: &crate::payment::Order,
        payer: WeChatId,
        outcome: Outcome,
        key: &str,
        now: Timestamp,
    ) -> Result<&'static str, PayError> {
        if order.paid.as_ref().is_some_and(|p| p.key == key) {
            return Ok("SUCCESS");
        }
        match order.state {
            OrderState::Success | OrderState::Refund => return Err(PayError::OrderPaid),
            OrderState::Closed => return Err(PayError::OrderClosed),
            OrderState::Notpay | OrderState::Userpaying | OrderState::Payerror => {}
        }
        if !self.may_pay(order, payer) {
            return Err(PayError::OtherPayer);
        }
        let (merchant, no) = (order.merchant, order.out_trade_no.as_str());
        self.order_event(merchant, no, OrderEvent::Open)?;
        match outcome {
            Outcome::Cancel => {
                self.order_event(merchant, no, OrderEvent::Leave)?;
                Ok("CANCELLED")
            }
            Outcome::Payerror => {
                // WeChat Pay itself fails it, as with the console's 系统繁忙:
                // PAYERROR, nothing moved, paying again works.
                self.order_event(merchant, no, OrderEvent::Fail)?;
                let fields = vec![
                    ("mchid".to_owned(), merchant.to_string()),
                    ("out_trade_no".to_owned(), no.to_owned()),
                    ("total".to_owned(), order.amount.get().to_string()),
                ];
                let error = crate::wechat::WeChatError::SystemBusy;
                self.sim.record_failure(now, Endpoint::Pay, fields, &error);
                Ok("PAYERROR")
            }
            Outcome::Success => self
                .complete_payment(order, payer, PayMethod::Change, key, now)
                .map(|_| "SUCCESS"),
        }
    }

    /// The console's line for a helper call.
    fn helper_log(
        &mut self,
        now: Timestamp,
        mchid: Mchid,
        helper: &str,
        mut request: Vec<(String, String)>,
        response: Vec<(String, String)>,
    ) {
        request.insert(0, ("helper".to_owned(), helper.to_owned()));
        request.insert(1, ("mchid".to_owned(), mchid.to_string()));
        self.sim
            .record(now, Endpoint::TestHelper, request, response, None);
    }

    /// The console's line for a helper that ran a console command (the
    /// clock, a refund's outcome).
    pub fn log_helper(
        &mut self,
        now: Timestamp,
        mchid: Mchid,
        helper: &str,
        request: Vec<(String, String)>,
        response: Vec<(String, String)>,
    ) {
        self.helper_log(now, mchid, helper, request, response);
    }
}

/// How many of one merchant's next calls fail, and how: no answer at all
/// (`network`), `429 FREQUENCY_LIMITED` (`limited`), `500 SYSTEM_ERROR`
/// (`busy`) — met in that order, each call one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantFaults {
    #[serde(default)]
    pub network: u32,
    #[serde(default)]
    pub limited: u32,
    #[serde(default)]
    pub busy: u32,
}

impl MerchantFaults {
    /// The most of each one helper call sets.
    pub const MAX: u32 = 100;

    pub fn is_none(&self) -> bool {
        *self == MerchantFaults::default()
    }

    /// The fault the next call meets, used up.
    pub(super) fn take(&mut self) -> Option<ApiError> {
        let (count, error) = if self.network > 0 {
            (&mut self.network, ApiError::Unreachable)
        } else if self.limited > 0 {
            (&mut self.limited, ApiError::FrequencyLimited)
        } else if self.busy > 0 {
            (&mut self.busy, ApiError::System)
        } else {
            return None;
        };
        *count -= 1;
        Some(error)
    }
}

impl State {
    /// The test helper `faults`: `mchid`'s own next calls meet `faults`
    /// (replacing what was left of the last ones), logged.
    pub fn helper_faults(
        &mut self,
        mchid: Mchid,
        faults: MerchantFaults,
        now: Timestamp,
    ) -> Result<MerchantFaults, ApiError> {
        if [faults.network, faults.limited, faults.busy]
            .iter()
            .any(|n| *n > MerchantFaults::MAX)
        {
            return Err(ApiError::param(
                "network、limited、busy 须为 0 到 100 之间的整数",
            ));
        }
        let merchant = self
            .registered
            .iter_mut()
            .find(|m| m.mchid == mchid)
            .ok_or(ApiError::MchNotExists)?;
        merchant.faults = faults;
        let counts = |f: MerchantFaults| {
            vec![
                ("network".to_owned(), f.network.to_string()),
                ("limited".to_owned(), f.limited.to_string()),
                ("busy".to_owned(), f.busy.to_string()),
            ]
        };
        self.log_helper(now, mchid, "faults", counts(faults), counts(faults));
        Ok(faults)
    }
}
