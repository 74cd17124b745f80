//! The operations the simulation generates, and how an outcome is judged.

use super::*;

impl Op {
    /// The name the statistics count it under.
    pub(crate) fn name(&self) -> &'static str {
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
            Op::Savings { into, key, .. } => match (key, into) {
                (SavingsKey::Repeat, _) => "savings: same key again",
                (SavingsKey::RepeatOther, _) => "savings: same key, other",
                (_, true) => "savings: in",
                (_, false) => "savings: out",
            },
            Op::Accrue { .. } => "savings: accrue interest",
            Op::AddCash { .. } => "books: add cash",
            Op::RemoveCash { .. } => "books: remove cash",
            Op::SetCategory { .. } => "books: set category",
            Op::EnableTotp { .. } => "2FA: turn on",
            Op::LogInTwoStep { how, .. } => match how {
                SecondStep::Right => "2FA: log in, right code",
                SecondStep::Wrong { .. } => "2FA: log in, wrong codes",
                SecondStep::Reused => "2FA: log in, reused code",
                SecondStep::Recovery { .. } => "2FA: log in, recovery",
                SecondStep::RecoveryReused => "2FA: log in, used recovery",
            },
            Op::DisableTotp { .. } => "2FA: turn off",
            Op::Faults { .. } => "fault plan",
            Op::Crash => "crash between steps",
            Op::CrashMidSave(_) => "crash mid-save",
            Op::SaveFails(_) => "save fails",
        }
    }

    pub(crate) fn is_wrapper(&self) -> bool {
        matches!(self, Op::CrashMidSave(_) | Op::SaveFails(_))
    }
}

pub(crate) fn refused(error: &impl UserError) -> Outcome {
    Outcome::Refused(error.code())
}

pub(crate) trait OrRefuse<T> {
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

pub(crate) fn ensure(holds: bool, violation: impl FnOnce() -> String) -> Result<(), String> {
    if holds {
        Ok(())
    } else {
        Err(violation())
    }
}

// ---------------------------------------------------------------------------
// The simulated people and the browser's storage
// ---------------------------------------------------------------------------
