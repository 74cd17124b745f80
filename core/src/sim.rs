//! The developer console's half of the sandbox: a log of every simulated
//! request and response between the wallet and WeChat, fault injection, and
//! the simulated clock.
//!
//! Faults are a plan the next requests consume: "the next N requests fail as
//! if the network were down", "the next N answer `-1` system busy". The
//! clock is an offset added to the browser's time, so codes and tokens can
//! be expired on demand.
//!
//! The console's fields are typed text: [`Faults::parse`] reads them — whole
//! numbers from 0 to [`MAX_FAULTS`] failing requests and 0 to
//! [`MAX_LATENCY_MS`] ms of latency — and refuses the whole plan, naming the
//! field and its range, when any one is not such a number.

use crate::error::{Guidance, UserError};
use crate::identity::to_half_width;
use crate::time::Timestamp;
use crate::wechat::WeChatError;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Log entries kept (the newest).
pub const LOG_CAPACITY: usize = 200;
/// The most requests a fault plan may fail, per kind of fault.
pub const MAX_FAULTS: u32 = 99;
/// The longest latency a fault plan may add to each request.
pub const MAX_LATENCY_MS: u32 = 10_000;

/// The simulated endpoints, named as WeChat names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET /connect/oauth2/authorize` — the user's consent.
    Authorize,
    /// `GET /sns/oauth2/access_token` — code → tokens.
    AccessToken,
    /// `GET /sns/oauth2/refresh_token`.
    RefreshToken,
    /// `GET /sns/userinfo`.
    UserInfo,
    /// `GET /sns/auth` — is this access token still good?
    CheckToken,
    /// Real-name check of the bound user against the wallet's (simulated).
    CheckRealName,
    /// Revoking an app's authorization.
    Revoke,
    /// Wallet → WeChat 零钱 transfer.
    ToChange,
    /// `POST /v3/pay/transactions/jsapi` — the merchant places an order.
    UnifiedOrder,
    /// The payment notification WeChat Pay sends the merchant.
    Notify,
    /// `POST /v3/refund/domestic/refunds`.
    Refund,
    /// The cashier's payment request.
    Pay,
    /// `POST /v3/pay/transactions/native` — a merchant's backend places a
    /// QR-code order (the sandbox server).
    NativeOrder,
    /// `POST /v3/pay/transactions/h5` — an order paid from a phone's
    /// browser (the sandbox server).
    H5Order,
    /// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}` (or `/id/…`):
    /// a merchant's backend asks for an order (the sandbox server).
    QueryOrder,
    /// `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`.
    CloseOrder,
    /// A refund under way ends (`SUCCESS`, `ABNORMAL`, `CLOSED`): on the
    /// sandbox's clock, or decided in the console.
    RefundResult,
    /// The refund notification WeChat Pay sends the merchant.
    RefundNotify,
    /// `POST /sandbox/v1/test-helpers/…`: a merchant's test suite asks the
    /// sandbox to act as a person would (or to move its clock).
    TestHelper,
    /// 「接入检查」: a probe sent to a merchant's notify URL, asked for.
    Check,
    /// `GET /v3/bill/tradebill`: a merchant's backend asks for a day's bill.
    TradeBill,
}

impl Endpoint {
    /// The HTTP method the request is made with.
    pub fn method(self) -> &'static str {
        match self {
            Endpoint::Authorize
            | Endpoint::AccessToken
            | Endpoint::RefreshToken
            | Endpoint::UserInfo
            | Endpoint::CheckToken
            | Endpoint::CheckRealName
            | Endpoint::QueryOrder
            | Endpoint::TradeBill => "GET",
            Endpoint::RefundResult => "—",
            Endpoint::Revoke
            | Endpoint::ToChange
            | Endpoint::UnifiedOrder
            | Endpoint::NativeOrder
            | Endpoint::H5Order
            | Endpoint::Notify
            | Endpoint::RefundNotify
            | Endpoint::TestHelper
            | Endpoint::Check
            | Endpoint::Refund
            | Endpoint::Pay
            | Endpoint::CloseOrder => "POST",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Authorize => "/connect/oauth2/authorize",
            Endpoint::AccessToken => "/sns/oauth2/access_token",
            Endpoint::RefreshToken => "/sns/oauth2/refresh_token",
            Endpoint::UserInfo => "/sns/userinfo",
            Endpoint::CheckToken => "/sns/auth",
            Endpoint::CheckRealName => "/sns/realname/check",
            Endpoint::Revoke => "/sns/oauth2/revoke",
            Endpoint::ToChange => "/pay/transfer_to_balance",
            Endpoint::UnifiedOrder => "/v3/pay/transactions/jsapi",
            Endpoint::NativeOrder => "/v3/pay/transactions/native",
            Endpoint::H5Order => "/v3/pay/transactions/h5",
            Endpoint::Notify => "(merchant) notify_url",
            Endpoint::Refund => "/v3/refund/domestic/refunds",
            Endpoint::Pay => "/v3/pay/transactions/jsapi (confirm)",
            Endpoint::QueryOrder => "/v3/pay/transactions/out-trade-no/{out_trade_no}",
            Endpoint::CloseOrder => "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
            Endpoint::RefundResult => "(WeChat Pay) refund result",
            Endpoint::RefundNotify => "(merchant) refund notify_url",
            Endpoint::TestHelper => "/sandbox/v1/test-helpers",
            Endpoint::Check => "(merchant) notify_url — 接入检查",
            Endpoint::TradeBill => "/v3/bill/tradebill",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: u64,
    pub at: Timestamp,
    pub endpoint: Endpoint,
    /// Request fields, secrets shortened.
    pub request: Vec<(String, String)>,
    /// Response fields; an error response carries `errcode` and `errmsg`.
    pub response: Vec<(String, String)>,
    /// The error code, when the request failed.
    pub error: Option<String>,
}

/// What 「应用」 changes of the fault plan: the fields the person changed
/// (`None`: as the plan has it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultChange {
    pub network: Option<u32>,
    pub busy: Option<u32>,
    pub latency_ms: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faults {
    /// The next this-many requests fail as if the network were down.
    pub network: u32,
    /// The next this-many requests answer `-1` (system busy).
    pub busy: u32,
    /// Every request takes this long (the shell waits before sending it).
    #[serde(default)]
    pub latency_ms: u32,
}

/// A console field of the fault plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultField {
    /// 「网络失败次数」: the next this-many requests fail as if offline.
    Network,
    /// 「系统繁忙次数」: the next this-many requests answer `-1`.
    Busy,
    /// 「延迟」, in milliseconds.
    Latency,
}

impl FaultField {
    /// The largest number the field takes (the smallest is 0).
    pub const fn max(self) -> u32 {
        match self {
            Self::Network | Self::Busy => MAX_FAULTS,
            Self::Latency => MAX_LATENCY_MS,
        }
    }
}

/// A fault plan the console refused; nothing was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FaultsError {
    #[error("the {field:?} field takes a whole number from 0 to {max}", max = .field.max())]
    OutOfRange { field: FaultField },
}

impl UserError for FaultsError {
    fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange {
                field: FaultField::Network | FaultField::Busy,
            } => "W-DEV-COUNT",
            Self::OutOfRange {
                field: FaultField::Latency,
            } => "W-DEV-LATENCY",
        }
    }

    fn guidance(&self) -> Guidance {
        Guidance::WholeNumberInRange
    }
}

impl Faults {
    /// Reads the console's three fields as typed. Each is a whole number in
    /// its range — digits only (full-width ones too), surrounding spaces
    /// ignored — so `-1`, `1.5`, `abc`, `1e9`, an empty field and anything
    /// above the range are refused: the first bad field is named and no
    /// plan is returned.
    pub fn parse(network: &str, busy: &str, latency_ms: &str) -> Result<Faults, FaultsError> {
        Ok(Faults {
            network: parse_field(network, FaultField::Network)?,
            busy: parse_field(busy, FaultField::Busy)?,
            latency_ms: parse_field(latency_ms, FaultField::Latency)?,
        })
    }

    /// The console's fields as typed, against the plan they showed
    /// (`shown`): each checked as [`Faults::parse`] checks it (one bad
    /// field, and nothing changes); the fields that differ from what was
    /// shown are the change — the others stay as the plan has them when it
    /// is made, whoever set them.
    pub fn change(
        shown: Faults,
        network: &str,
        busy: &str,
        latency_ms: &str,
    ) -> Result<FaultChange, FaultsError> {
        let typed = Faults::parse(network, busy, latency_ms)?;
        let changed = |typed: u32, shown: u32| (typed != shown).then_some(typed);
        Ok(FaultChange {
            network: changed(typed.network, shown.network),
            busy: changed(typed.busy, shown.busy),
            latency_ms: changed(typed.latency_ms, shown.latency_ms),
        })
    }

    /// This plan with `change` made.
    pub fn with(self, change: FaultChange) -> Faults {
        Faults {
            network: change.network.unwrap_or(self.network),
            busy: change.busy.unwrap_or(self.busy),
            latency_ms: change.latency_ms.unwrap_or(self.latency_ms),
        }
        .capped()
    }

    /// The same plan held within the limits.
    fn capped(self) -> Faults {
        Faults {
            network: self.network.min(MAX_FAULTS),
            busy: self.busy.min(MAX_FAULTS),
            latency_ms: self.latency_ms.min(MAX_LATENCY_MS),
        }
    }
}

fn parse_field(typed: &str, field: FaultField) -> Result<u32, FaultsError> {
    whole_number(typed, field.max()).ok_or(FaultsError::OutOfRange { field })
}

/// A whole number from 0 to `max` as typed: digits only (full-width ones
/// too), surrounding spaces ignored.
fn whole_number(typed: &str, max: u32) -> Option<u32> {
    let half = to_half_width(typed);
    let digits = half.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits: only a number too large for u32 fails to parse.
    digits.parse::<u32>().ok().filter(|n| *n <= max)
}

/// The console's notification delay as typed: whole seconds, 0 to
/// [`MAX_NOTIFY_DELAY_SECS`]; `None` for anything else.
pub fn parse_notify_delay(typed: &str) -> Option<u32> {
    whole_number(typed, MAX_NOTIFY_DELAY_SECS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Network,
    Busy,
}

/// What a request that met a fault is answered with.
impl From<Fault> for WeChatError {
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::Network => WeChatError::Network,
            Fault::Busy => WeChatError::SystemBusy,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sim {
    log: Vec<LogEntry>,
    next_log_id: u64,
    faults: Faults,
    /// Added to the browser's clock, in milliseconds.
    clock_offset_ms: i64,
    /// The browser is offline (`navigator.onLine`): the shell says so
    /// before each command. Never stored — it is the browser's state, not
    /// the sandbox's.
    #[serde(skip)]
    offline: bool,
    /// How the sandbox server sends payment notifications (not stored
    /// while as WeChat sends them).
    #[serde(default, skip_serializing_if = "NotifyPlan::is_plain")]
    notifications: NotifyPlan,
    /// The next this-many calls of a merchant's backend (the sandbox
    /// server's API) answer `429 FREQUENCY_LIMITED`.
    #[serde(default, skip_serializing_if = "is_zero")]
    limited: u32,
    /// A merchant backend's refunds stay `PROCESSING` until the console
    /// (or a test helper) decides them, instead of succeeding by
    /// themselves after [`crate::order::REFUND_PROCESSING`].
    #[serde(default, skip_serializing_if = "is_false")]
    hold_refunds: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// [`Sim`] as written, field for field: with its log (the browser's one
/// record) or without it (a server keeps the log as rows of its own).
#[derive(Serialize)]
pub(crate) struct SimOut<'a> {
    log: &'a [LogEntry],
    next_log_id: u64,
    faults: Faults,
    clock_offset_ms: i64,
    #[serde(skip_serializing_if = "NotifyPlan::is_plain")]
    notifications: NotifyPlan,
    #[serde(skip_serializing_if = "is_zero")]
    limited: u32,
    #[serde(skip_serializing_if = "is_false")]
    hold_refunds: bool,
}

/// A count the console takes (0–[`MAX_FAULTS`], digits as typed).
pub fn parse_count(typed: &str) -> Result<u32, FaultsError> {
    parse_field(typed, FaultField::Network)
}

/// The console's switches for payment notifications (the sandbox server's):
/// each sent twice, held back, or the newest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyPlan {
    /// Every notification is sent twice (a merchant must process it once).
    #[serde(default)]
    pub duplicate: bool,
    /// A payment's first notification waits this long after the payment.
    #[serde(default)]
    pub delay_secs: u32,
    /// Of the notifications due together, the newest goes first.
    #[serde(default)]
    pub reorder: bool,
}

impl NotifyPlan {
    /// Each sent once, on time, in payment order: as WeChat does.
    pub fn is_plain(&self) -> bool {
        *self == NotifyPlan::default()
    }
}

/// The longest a notification can be held back: one hour.
pub const MAX_NOTIFY_DELAY_SECS: u32 = 3600;

impl Sim {
    /// Calls of a merchant's backend still to answer `FREQUENCY_LIMITED`.
    pub fn limited(&self) -> u32 {
        self.limited
    }

    /// The next `n` calls of a merchant's backend answer `FREQUENCY_LIMITED`.
    pub fn set_limited(&mut self, n: u32) {
        self.limited = n.min(MAX_FAULTS);
    }

    /// Whether this call of a merchant's backend is turned away (and counts it).
    pub fn take_limited(&mut self) -> bool {
        let limited = self.limited > 0;
        self.limited = self.limited.saturating_sub(1);
        limited
    }

    /// Whether refunds wait for the console to decide them.
    pub fn hold_refunds(&self) -> bool {
        self.hold_refunds
    }

    pub fn set_hold_refunds(&mut self, hold: bool) {
        self.hold_refunds = hold;
    }

    /// How payment notifications are sent.
    pub fn notifications(&self) -> NotifyPlan {
        self.notifications
    }

    /// Sets how payment notifications are sent (a delay beyond
    /// [`MAX_NOTIFY_DELAY_SECS`] is that).
    pub fn set_notifications(&mut self, plan: NotifyPlan) {
        self.notifications = NotifyPlan {
            delay_secs: plan.delay_secs.min(MAX_NOTIFY_DELAY_SECS),
            ..plan
        };
    }

    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    /// The id the newest log entry has (or had, if the log was cleared).
    pub fn last_log_id(&self) -> u64 {
        self.next_log_id
    }

    pub(crate) fn out(&self, with_log: bool) -> SimOut<'_> {
        SimOut {
            log: if with_log { &self.log } else { &[] },
            // (Kept beside a server's log rows, where it changes with them.)
            next_log_id: if with_log { self.next_log_id } else { 0 },
            faults: self.faults,
            clock_offset_ms: self.clock_offset_ms,
            notifications: self.notifications,
            limited: self.limited,
            hold_refunds: self.hold_refunds,
        }
    }

    /// The log, read back from a server's rows (oldest first), and the id
    /// its newest entry had (kept beside the rows).
    pub(crate) fn restore_log(&mut self, log: Vec<LogEntry>, last_id: u64) -> bool {
        let ordered = log.windows(2).all(|w| w[0].id < w[1].id)
            && log.last().is_none_or(|e| e.id <= last_id)
            && log.len() <= LOG_CAPACITY;
        if ordered {
            self.log = log;
            self.next_log_id = last_id;
        }
        ordered
    }

    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// Sets the fault plan, held within [`MAX_FAULTS`] and
    /// [`MAX_LATENCY_MS`]. What users type goes through [`Faults::parse`]
    /// first, which refuses what is out of range instead.
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults.capped();
    }

    /// Tells the simulation whether the browser is offline. While it is,
    /// every request between worlds fails as an injected network failure
    /// does — the article's 三.1 practised with the browser's own switch.
    pub fn set_offline(&mut self, offline: bool) {
        self.offline = offline;
    }

    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// Whether the next request fails to get through: while the browser is
    /// offline (not consumed: it lasts as long as the browser's state), or
    /// through an injected network failure (consumed). A request that does
    /// not get through is answered by nothing: what it carried (a password,
    /// say) is never checked and nothing changes on the other side.
    pub fn take_network_fault(&mut self) -> bool {
        if self.offline {
            true
        } else if self.faults.network > 0 {
            self.faults.network -= 1;
            true
        } else {
            false
        }
    }

    /// Whether a request that got through is answered 「系统繁忙」 (an
    /// injected fault, consumed).
    pub fn take_busy_fault(&mut self) -> bool {
        if self.faults.busy > 0 {
            self.faults.busy -= 1;
            true
        } else {
            false
        }
    }

    /// The fault the next request meets, if any: a network failure first,
    /// then 「系统繁忙」.
    pub fn take_fault(&mut self) -> Option<Fault> {
        if self.take_network_fault() {
            Some(Fault::Network)
        } else if self.take_busy_fault() {
            Some(Fault::Busy)
        } else {
            None
        }
    }

    /// Logs a request whose answer was `error` (a network failure's is the
    /// browser's, not the other side's: there was none).
    pub fn record_failure(
        &mut self,
        at: Timestamp,
        endpoint: Endpoint,
        request: Vec<(String, String)>,
        error: &WeChatError,
    ) {
        let response = match error {
            WeChatError::Network => vec![(
                "error".to_owned(),
                "net::ERR_INTERNET_DISCONNECTED (simulated)".to_owned(),
            )],
            e => vec![
                ("errcode".to_owned(), e.code().to_owned()),
                ("errmsg".to_owned(), e.to_string()),
            ],
        };
        self.record(
            at,
            endpoint,
            request,
            response,
            Some(error.code().to_owned()),
        );
    }

    pub fn record(
        &mut self,
        at: Timestamp,
        endpoint: Endpoint,
        request: Vec<(String, String)>,
        response: Vec<(String, String)>,
        error: Option<String>,
    ) {
        // Saturating: the counter comes from storage too (a log id is a label).
        self.next_log_id = self.next_log_id.saturating_add(1);
        self.log.push(LogEntry {
            id: self.next_log_id,
            at,
            endpoint,
            request,
            response,
            error,
        });
        if self.log.len() > LOG_CAPACITY {
            let excess = self.log.len() - LOG_CAPACITY;
            self.log.drain(..excess);
        }
    }

    pub fn clear_log(&mut self) {
        self.log.clear();
    }

    /// The simulated "now" for a browser clock reading.
    pub fn now(&self, wall: Timestamp) -> Timestamp {
        Timestamp::from_millis(wall.as_millis().saturating_add(self.clock_offset_ms))
    }

    pub fn advance(&mut self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.clock_offset_ms = self.clock_offset_ms.saturating_add(ms);
    }

    pub fn clock_offset(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.clock_offset_ms).unwrap_or(0))
    }

    pub fn reset_clock(&mut self) {
        self.clock_offset_ms = 0;
    }
}

/// Shortens a secret for the log: the first six characters and an ellipsis.
pub fn redact(secret: &str) -> String {
    let head: String = secret.chars().take(6).collect();
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("1", "0", "0", Faults { network: 1, busy: 0, latency_ms: 0 })]
    #[case(" 99 ", "007", "10000", Faults { network: 99, busy: 7, latency_ms: 10_000 })]
    #[case("０", "３", "２５０", Faults { network: 0, busy: 3, latency_ms: 250 })]
    fn fault_plans_in_range_are_read(
        #[case] network: &str,
        #[case] busy: &str,
        #[case] latency: &str,
        #[case] plan: Faults,
    ) {
        assert_eq!(Faults::parse(network, busy, latency), Ok(plan));
    }

    #[rstest]
    #[case::negative("-1", "0", "0", FaultField::Network)]
    #[case::fraction("1.5", "0", "0", FaultField::Network)]
    #[case::letters("abc", "0", "0", FaultField::Network)]
    #[case::exponent("1e9", "0", "0", FaultField::Network)]
    #[case::empty("", "0", "0", FaultField::Network)]
    #[case::above("100", "0", "0", FaultField::Network)]
    #[case::plus("+5", "0", "0", FaultField::Network)]
    #[case::busy_above("0", "1000", "0", FaultField::Busy)]
    #[case::busy_huge("0", "99999999999999999999999", "0", FaultField::Busy)]
    #[case::latency_above("0", "0", "10001", FaultField::Latency)]
    #[case::latency_fraction("0", "0", "0.5", FaultField::Latency)]
    #[case::latency_negative("0", "0", "-100", FaultField::Latency)]
    #[case::first_bad_is_named("x", "y", "z", FaultField::Network)]
    fn bad_fault_plans_are_refused_whole(
        #[case] network: &str,
        #[case] busy: &str,
        #[case] latency: &str,
        #[case] field: FaultField,
    ) {
        let refused = Faults::parse(network, busy, latency);
        assert_eq!(refused, Err(FaultsError::OutOfRange { field }));
        let error = FaultsError::OutOfRange { field };
        let code = if field == FaultField::Latency {
            "W-DEV-LATENCY"
        } else {
            "W-DEV-COUNT"
        };
        assert_eq!(
            (error.code(), error.guidance()),
            (code, Guidance::WholeNumberInRange)
        );
    }

    #[test]
    fn offline_every_request_fails_as_a_network_failure_and_nothing_is_consumed() {
        let mut sim = Sim::default();
        sim.set_faults(Faults {
            network: 0,
            busy: 1,
            latency_ms: 0,
        });
        sim.set_offline(true);
        for _ in 0..3 {
            assert_eq!(sim.take_fault(), Some(Fault::Network));
        }
        sim.set_offline(false);
        assert_eq!(sim.take_fault(), Some(Fault::Busy), "the plan is intact");
        assert_eq!(sim.take_fault(), None);
        // Never stored: a saved copy reads back online.
        sim.set_offline(true);
        let json = serde_json::to_string(&sim).unwrap_or_default();
        assert!(!json.contains("offline"), "{json}");
    }

    #[test]
    fn a_plan_set_directly_is_held_within_the_limits() {
        let mut sim = Sim::default();
        sim.set_faults(Faults {
            network: u32::MAX,
            busy: 100,
            latency_ms: 60_000,
        });
        assert_eq!(
            sim.faults(),
            Faults {
                network: MAX_FAULTS,
                busy: MAX_FAULTS,
                latency_ms: MAX_LATENCY_MS
            }
        );
    }

    /// 「应用」 changes only what the person changed: setting 系统繁忙 alone
    /// leaves 网络失败 as the plan has it (another person's 2), and a bad
    /// field anywhere changes nothing.
    #[test]
    fn a_fault_change_is_the_fields_that_differ_from_what_was_shown() {
        let shown = Faults {
            network: 0,
            busy: 0,
            latency_ms: 100,
        };
        let change = Faults::change(shown, "0", "1", "100");
        assert_eq!(
            change,
            Ok(FaultChange {
                busy: Some(1),
                ..FaultChange::default()
            })
        );
        let now = Faults {
            network: 2,
            ..shown
        };
        assert_eq!(
            change.map(|c| now.with(c)),
            Ok(Faults {
                network: 2,
                busy: 1,
                latency_ms: 100
            })
        );
        assert!(Faults::change(shown, "x", "1", "100").is_err());
        assert_eq!(
            Faults::change(shown, " ０ ", "0", "100"),
            Ok(FaultChange::default()),
            "as typed, full-width and spaced, the same value is no change"
        );
    }

    #[test]
    fn faults_are_consumed_in_order() {
        let mut sim = Sim::default();
        sim.set_faults(Faults {
            network: 2,
            busy: 1,
            latency_ms: 0,
        });
        assert_eq!(sim.take_fault(), Some(Fault::Network));
        assert_eq!(sim.take_fault(), Some(Fault::Network));
        assert_eq!(sim.take_fault(), Some(Fault::Busy));
        assert_eq!(sim.take_fault(), None);
    }

    #[test]
    fn the_clock_only_moves_forward_by_the_offset() {
        let mut sim = Sim::default();
        sim.advance(Duration::from_secs(300));
        assert_eq!(
            sim.now(Timestamp::from_millis(1_000)),
            Timestamp::from_millis(301_000)
        );
        sim.reset_clock();
        assert_eq!(
            sim.now(Timestamp::from_millis(1_000)),
            Timestamp::from_millis(1_000)
        );
    }

    #[test]
    fn a_stored_counter_at_its_end_does_not_panic() {
        // Found by fuzzing (`state_mutate`): a stored `next_log_id` of
        // u64::MAX made the next logged request overflow.
        let mut sim: Sim = serde_json::from_value(serde_json::json!({
            "log": [],
            "next_log_id": u64::MAX,
            "faults": {"network": 0, "busy": 0},
            "clock_offset_ms": 0
        }))
        .unwrap_or_default();
        sim.record(
            Timestamp::from_millis(0),
            Endpoint::UserInfo,
            vec![],
            vec![],
            None,
        );
        assert_eq!(sim.log().first().map(|e| e.id), Some(u64::MAX));
    }

    #[test]
    fn the_log_keeps_the_newest() {
        let mut sim = Sim::default();
        for i in 0..(LOG_CAPACITY + 3) {
            sim.record(
                Timestamp::from_millis(i as i64),
                Endpoint::UserInfo,
                vec![],
                vec![],
                None,
            );
        }
        assert_eq!(sim.log().len(), LOG_CAPACITY);
        assert_eq!(sim.log().first().map(|e| e.id), Some(4));
        assert_eq!(redact("abcdefghijkl"), "abcdef…");
    }
}
