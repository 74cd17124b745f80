//! A refund's life, as WeChat Pay runs a merchant backend's refunds: the
//! request is accepted `PROCESSING` (the money has left the merchant and is
//! on its way), then ends `SUCCESS` (it reached the payer), `CLOSED` (it
//! went back to the merchant) or `ABNORMAL` (the payer's account could not
//! take it; it waits, and can still succeed or close). Each end is told to
//! the refund's notify URL, encrypted and signed like a payment
//! notification and retried on the same schedule until acknowledged.
//!
//! The demo stores' refunds (the cashier's 「退款」) have no [`ApiRefund`]:
//! they reach the payer at once, `SUCCESS`, and notify no one.

use super::Refund;
use crate::payapi::{NotifyAttempt, NOTIFY_RETRIES};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long an API refund stays `PROCESSING` on the sandbox's clock before
/// it reaches the payer, unless the console holds refunds or decides
/// otherwise first (WeChat's refunds to 零钱 take seconds to minutes).
pub const REFUND_PROCESSING: Duration = Duration::from_secs(10);

/// `refund_status` / `status` in WeChat's spelling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundStatus {
    Processing,
    #[default]
    Success,
    Abnormal,
    Closed,
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 4] = [
        RefundStatus::Processing,
        RefundStatus::Success,
        RefundStatus::Abnormal,
        RefundStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Processing => "PROCESSING",
            RefundStatus::Success => "SUCCESS",
            RefundStatus::Abnormal => "ABNORMAL",
            RefundStatus::Closed => "CLOSED",
        }
    }

    pub fn parse(text: &str) -> Option<RefundStatus> {
        RefundStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Still under way: the money is neither with the payer nor back with
    /// the merchant.
    pub fn is_open(self) -> bool {
        matches!(self, RefundStatus::Processing | RefundStatus::Abnormal)
    }

    /// Whether a refund in this status may end as `to`: a `PROCESSING`
    /// one in any of the three ends, an `ABNORMAL` one in success or
    /// closing; `SUCCESS` and `CLOSED` are final.
    pub fn may_become(self, to: RefundStatus) -> bool {
        matches!(
            (self, to),
            (
                RefundStatus::Processing,
                RefundStatus::Success | RefundStatus::Abnormal | RefundStatus::Closed
            ) | (
                RefundStatus::Abnormal,
                RefundStatus::Success | RefundStatus::Closed
            )
        )
    }

    /// The notification's `event_type` and `summary` for this end.
    pub fn event(self) -> Option<(&'static str, &'static str)> {
        match self {
            RefundStatus::Processing => None,
            RefundStatus::Success => Some(("REFUND.SUCCESS", "退款成功")),
            RefundStatus::Abnormal => Some(("REFUND.ABNORMAL", "退款异常")),
            RefundStatus::Closed => Some(("REFUND.CLOSED", "退款关闭")),
        }
    }

    fn is_success(&self) -> bool {
        *self == RefundStatus::Success
    }
}

/// What a merchant backend's refund carries beyond a [`Refund`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiRefund {
    /// Where its notifications go (`None`: nowhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it reaches the payer by itself while `PROCESSING`.
    pub settles_at: Timestamp,
    /// When it reached its present status (`success_time` for `SUCCESS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Timestamp>,
    /// The ledger entry of its end (to the payer, or back to the merchant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_entry: Option<u64>,
    /// One notification per status it reached, the newest last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<RefundNotice>,
}

/// The notification of one status a refund reached, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundNotice {
    pub status: RefundStatus,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<NotifyAttempt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<Timestamp>,
}

impl RefundNotice {
    /// When its next attempt falls due, if one is owed.
    fn due(&self) -> Option<Timestamp> {
        if self.acknowledged_at.is_some() {
            return None;
        }
        match self.attempts.last() {
            None => Some(self.at),
            Some(last) => NOTIFY_RETRIES
                .get(self.attempts.len() - 1)
                .map(|wait| last.at.plus(*wait)),
        }
    }
}

/// What can happen to a refund of a merchant backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundEvent {
    /// It ended (or became `ABNORMAL`) at `at`; `entry` moved the money.
    Decided {
        status: RefundStatus,
        at: Timestamp,
        entry: Option<u64>,
    },
    /// Its newest notification was sent, with the merchant's answer.
    Notified(NotifyAttempt),
}

/// Why a refund event cannot apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundEventError {
    /// A demo store's refund, which has no life of its own.
    NotApi,
    /// Its status cannot become the one asked for (it already ended).
    Final,
    /// Nothing was owed to notify.
    NothingOwed,
}

impl Refund {
    /// Applies `event`, or says why it cannot (and then nothing changed).
    pub(crate) fn apply(&mut self, event: RefundEvent) -> Result<(), RefundEventError> {
        let api = self.api.as_mut().ok_or(RefundEventError::NotApi)?;
        match event {
            RefundEvent::Decided { status, at, entry } => {
                if !self.status.may_become(status) {
                    return Err(RefundEventError::Final);
                }
                self.status = status;
                api.decided_at = Some(at);
                if entry.is_some() {
                    api.end_entry = entry;
                }
                if api.notify_url.is_some() {
                    api.notices.push(RefundNotice {
                        status,
                        at,
                        attempts: Vec::new(),
                        acknowledged_at: None,
                    });
                }
            }
            RefundEvent::Notified(attempt) => {
                let notice = api
                    .notices
                    .last_mut()
                    .filter(|n| n.due().is_some())
                    .ok_or(RefundEventError::NothingOwed)?;
                let acknowledged = matches!(attempt.status, Some(200 | 204));
                let at = attempt.at;
                notice.attempts.push(attempt);
                if acknowledged {
                    notice.acknowledged_at = Some(at);
                }
            }
        }
        Ok(())
    }

    /// When it succeeded (its `success_time`), if it has.
    pub fn succeeded_at(&self) -> Option<Timestamp> {
        (self.status == RefundStatus::Success).then(|| {
            self.api
                .as_ref()
                .and_then(|a| a.decided_at)
                .unwrap_or(self.at)
        })
    }

    /// When it reaches the payer by itself, if it is `PROCESSING`.
    pub fn settles_at(&self) -> Option<Timestamp> {
        let api = self.api.as_ref()?;
        (self.status == RefundStatus::Processing).then_some(api.settles_at)
    }

    /// When its newest notification's next attempt is due, if one is owed.
    pub fn notice_due(&self) -> Option<Timestamp> {
        let api = self.api.as_ref()?;
        api.notify_url.as_ref()?;
        api.notices.last()?.due()
    }

    /// Counts against what is left to refund: all but a closed one.
    pub fn holds_money(&self) -> bool {
        self.status != RefundStatus::Closed
    }
}

/// `skip_serializing_if` for [`Refund::status`]: a `SUCCESS` is not written
/// (the demo stores' refunds, and every refund stored before refunds had
/// a status, read as `SUCCESS`).
pub(crate) fn is_success(status: &RefundStatus) -> bool {
    status.is_success()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Fen;

    fn refund(notify: bool) -> Refund {
        Refund {
            out_refund_no: "R0000001".to_owned(),
            amount: Fen::new(100),
            at: Timestamp::from_millis(1_000),
            entry: 3,
            status: RefundStatus::Processing,
            api: Some(ApiRefund {
                notify_url: notify.then(|| "http://127.0.0.1:3000/refund".to_owned()),
                reason: None,
                settles_at: Timestamp::from_millis(11_000),
                decided_at: None,
                end_entry: None,
                notices: Vec::new(),
            }),
        }
    }

    fn decided(status: RefundStatus, at: i64) -> RefundEvent {
        RefundEvent::Decided {
            status,
            at: Timestamp::from_millis(at),
            entry: Some(4),
        }
    }

    fn answered(at: i64, status: u16) -> RefundEvent {
        RefundEvent::Notified(NotifyAttempt {
            at: Timestamp::from_millis(at),
            status: Some(status),
            answer: String::new(),
        })
    }

    #[test]
    fn every_status_may_become_only_what_wechat_allows() {
        use RefundStatus::{Abnormal, Closed, Processing, Success};
        let allowed: Vec<(RefundStatus, RefundStatus)> = RefundStatus::ALL
            .into_iter()
            .flat_map(|from| RefundStatus::ALL.map(|to| (from, to)))
            .filter(|(from, to)| from.may_become(*to))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Processing, Success),
                (Processing, Abnormal),
                (Processing, Closed),
                (Abnormal, Success),
                (Abnormal, Closed),
            ]
        );
        for status in RefundStatus::ALL {
            assert_eq!(RefundStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(RefundStatus::parse("success"), None);
    }

    #[test]
    fn an_abnormal_refund_is_told_then_its_success_is_told_again() {
        let mut r = refund(true);
        assert_eq!(r.settles_at(), Some(Timestamp::from_millis(11_000)));
        assert_eq!(r.notice_due(), None);
        assert_eq!(
            r.apply(answered(2_000, 200)),
            Err(RefundEventError::NothingOwed)
        );
        r.apply(decided(RefundStatus::Abnormal, 5_000)).unwrap();
        assert_eq!(r.settles_at(), None, "an abnormal refund waits");
        assert_eq!(r.notice_due(), Some(Timestamp::from_millis(5_000)));
        r.apply(answered(5_000, 500)).unwrap();
        assert_eq!(
            r.notice_due(),
            Some(Timestamp::from_millis(5_000).plus(NOTIFY_RETRIES[0]))
        );
        r.apply(answered(20_000, 204)).unwrap();
        assert_eq!(r.notice_due(), None, "acknowledged");
        r.apply(decided(RefundStatus::Success, 30_000)).unwrap();
        assert_eq!(r.notice_due(), Some(Timestamp::from_millis(30_000)));
        assert_eq!(r.api.as_ref().map(|a| a.notices.len()), Some(2));
        let before = r.clone();
        assert_eq!(
            r.apply(decided(RefundStatus::Closed, 31_000)),
            Err(RefundEventError::Final)
        );
        assert_eq!(r, before, "a refused event changes nothing");
    }

    #[test]
    fn without_a_notify_url_nothing_is_owed_and_a_demo_refund_has_no_life() {
        let mut r = refund(false);
        r.apply(decided(RefundStatus::Closed, 5_000)).unwrap();
        assert_eq!(r.notice_due(), None);
        assert!(!r.holds_money());
        let mut demo = refund(true);
        demo.api = None;
        demo.status = RefundStatus::Success;
        assert_eq!(
            demo.apply(decided(RefundStatus::Closed, 5_000)),
            Err(RefundEventError::NotApi)
        );
        assert!(demo.holds_money());
    }

    #[test]
    fn the_last_retry_is_the_last() {
        let mut r = refund(true);
        r.apply(decided(RefundStatus::Success, 0)).unwrap();
        let mut at = 0;
        for _ in 0..=NOTIFY_RETRIES.len() {
            let due = r.notice_due().unwrap();
            at = at.max(due.as_millis());
            r.apply(answered(at, 500)).unwrap();
        }
        assert_eq!(r.notice_due(), None, "WeChat gives up after 15 retries");
    }
}
