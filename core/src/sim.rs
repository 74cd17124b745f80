//! The developer console's half of the sandbox: a log of every simulated
//! request and response between the wallet and WeChat, fault injection, and
//! the simulated clock.
//!
//! Faults are a plan the next requests consume: "the next N requests fail as
//! if the network were down", "the next N answer `-1` system busy". The
//! clock is an offset added to the browser's time, so codes and tokens can
//! be expired on demand.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Log entries kept (the newest).
pub const LOG_CAPACITY: usize = 200;

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
}

impl Endpoint {
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
            Endpoint::Notify => "(merchant) notify_url",
            Endpoint::Refund => "/v3/refund/domestic/refunds",
            Endpoint::Pay => "/v3/pay/transactions/jsapi (confirm)",
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Network,
    Busy,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sim {
    log: Vec<LogEntry>,
    next_log_id: u64,
    faults: Faults,
    /// Added to the browser's clock, in milliseconds.
    clock_offset_ms: i64,
}

impl Sim {
    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    pub fn faults(&self) -> Faults {
        self.faults
    }

    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    /// The fault the next request meets, if any; consumes it.
    pub fn take_fault(&mut self) -> Option<Fault> {
        if self.faults.network > 0 {
            self.faults.network -= 1;
            Some(Fault::Network)
        } else if self.faults.busy > 0 {
            self.faults.busy -= 1;
            Some(Fault::Busy)
        } else {
            None
        }
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
