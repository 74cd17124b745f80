//! The developer console's commands (faults, the clock, the log, the
//! notification switches) and the simulated phone's.

use super::{Ctx, Request};
use crate::merchant::{Mchid, MerchantId};
use crate::order::RefundStatus;
use crate::payment::PayError;
use crate::sim::{FaultChange, NotifyPlan};
use crate::state::State;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Nothing a console command can fail with: it only sets what it is told
/// (already checked by the console's own parsers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Never {}

/// 「应用」 of the fault plan: the fields the person changed, over the plan
/// as it is now (another person's change to another field stays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetFaults {
    pub change: FaultChange,
}

impl Request for SetFaults {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        let now = state.sim().faults();
        state.sim_mut().set_faults(now.with(self.change));
        Ok(())
    }
}

/// 「快进」: the simulated clock moves on by `secs` seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvanceClock {
    pub secs: u64,
}

impl Request for AdvanceClock {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        state.sim_mut().advance(Duration::from_secs(self.secs));
        Ok(())
    }
}

/// 「恢复真实时间」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetClock {}

impl Request for ResetClock {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        state.sim_mut().reset_clock();
        Ok(())
    }
}

/// 「清空日志」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearLog {}

impl Request for ClearLog {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        state.sim_mut().clear_log();
        Ok(())
    }
}

/// 「重发通知」 of a demo store's paid order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResendNotify {
    pub merchant: MerchantId,
    pub out_trade_no: String,
}

impl Request for ResendNotify {
    type Output = ();
    type Error = PayError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), PayError> {
        state.resend_notify(self.merchant, &self.out_trade_no, ctx.now)
    }
}

/// 「退款成功」, 「退款异常」, 「退款关闭」: the console decides how a
/// merchant backend's refund under way ends (what it ended as: `SUCCESS`
/// becomes `ABNORMAL` when the payer's account is gone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideRefund {
    pub mchid: Mchid,
    pub out_refund_no: String,
    pub status: RefundStatus,
}

impl Request for DecideRefund {
    type Output = RefundStatus;
    type Error = PayError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<RefundStatus, PayError> {
        state.end_refund(self.mchid, &self.out_refund_no, self.status, ctx.now)
    }
}

/// 「退款停在处理中」: a merchant backend's refunds wait for the console
/// (`hold`) or succeed by themselves on the sandbox's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldRefunds {
    pub hold: bool,
}

impl Request for HoldRefunds {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        state.sim_mut().set_hold_refunds(self.hold);
        Ok(())
    }
}

/// `FREQUENCY_LIMITED` on a merchant backend's next `calls` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLimited {
    pub calls: u32,
}

impl Request for SetLimited {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        state.sim_mut().set_limited(self.calls);
        Ok(())
    }
}

/// 「应用通知设置」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetNotifications {
    pub plan: NotifyPlan,
}

impl Request for SetNotifications {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        state.sim_mut().set_notifications(self.plan);
        Ok(())
    }
}

/// The phone's messages are read (its panel or page opened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkMessagesRead {}

impl Request for MarkMessagesRead {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        let client = state.client().clone();
        state.inbox_mut().mark_all_read(&client);
        Ok(())
    }
}

/// 「清空」 the phone's messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearInbox {}

impl Request for ClearInbox {
    type Output = ();
    type Error = Never;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), Never> {
        let client = state.client().clone();
        state.inbox_mut().clear(&client);
        Ok(())
    }
}
