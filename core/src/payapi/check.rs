//! 「接入检查」 (the integration check): what the sandbox sends a merchant's
//! notify URL, only when asked, to learn whether the backend verifies what
//! WeChat Pay sends — WeChat itself sends notifications signed
//! `WECHATPAY/SIGNTEST/…` to find backends that do not. Each [`Probe`] is
//! one notification, right or deliberately wrong in one way, and the
//! answer a backend should give it: a right one acknowledged (2xx), a wrong
//! one refused (anything else). The server makes and sends them; here is
//! what each is, the notification they are made from, and the log.

use super::{DueNotification, NoticeEvent, Transaction};
use crate::merchant::{Mchid, MerchantId};
use crate::sim::Endpoint;
use crate::state::State;
use crate::time::{rfc3339_cst, Timestamp};
use serde::{Deserialize, Serialize};

/// One notification of the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Probe {
    /// Right in every way: must be acknowledged.
    Valid,
    /// The same notification again, byte for byte: WeChat repeats
    /// notifications, so it must be acknowledged (and processed once).
    Duplicate,
    /// `Wechatpay-Signature: WECHATPAY/SIGNTEST/…`, WeChat's own probe.
    Signtest,
    /// A signature of random bytes.
    Forged,
    /// Rightly signed, with a `Wechatpay-Timestamp` an hour old.
    Stale,
    /// Signed by a key that is not the platform's, naming a serial the
    /// platform never had.
    UnknownSerial,
    /// Rightly signed, but the ciphertext was altered: it cannot decrypt.
    Tampered,
}

impl Probe {
    pub const ALL: [Probe; 7] = [
        Probe::Valid,
        Probe::Duplicate,
        Probe::Signtest,
        Probe::Forged,
        Probe::Stale,
        Probe::UnknownSerial,
        Probe::Tampered,
    ];

    /// Whether a backend that verifies acknowledges it (2xx).
    pub fn should_acknowledge(self) -> bool {
        matches!(self, Probe::Valid | Probe::Duplicate)
    }

    pub fn id(self) -> &'static str {
        match self {
            Probe::Valid => "valid",
            Probe::Duplicate => "duplicate",
            Probe::Signtest => "signtest",
            Probe::Forged => "forged",
            Probe::Stale => "stale",
            Probe::UnknownSerial => "unknown_serial",
            Probe::Tampered => "tampered",
        }
    }
}

/// What the backend answered one probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub probe: Probe,
    /// The HTTP status (`None`: no answer).
    pub status: Option<u16>,
    /// The start of the answer's body (or why there was none).
    pub answer: String,
    /// Whether that was the right answer.
    pub passed: bool,
}

impl ProbeResult {
    pub fn new(probe: Probe, status: Option<u16>, answer: &str) -> ProbeResult {
        let acknowledged = status.is_some_and(|s| (200..300).contains(&s));
        ProbeResult {
            probe,
            status,
            answer: answer.chars().take(super::MAX_ANSWER_CHARS).collect(),
            passed: acknowledged == probe.should_acknowledge(),
        }
    }
}

/// The check's report: each probe and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub mchid: String,
    pub url: String,
    /// The notification the probes were made from: the merchant's newest
    /// paid order's, or (none paid yet) one for a made-up order.
    pub out_trade_no: String,
    pub probes: Vec<ProbeResult>,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.probes.iter().all(|p| p.passed)
    }
}

impl State {
    /// The payment notification the check's probes are made from, sent to
    /// the merchant's registered notify URL: its newest paid order's (a
    /// repeat, which a backend must take), or one for a made-up order
    /// `QBCHECK…` when it has none.
    pub fn probe_notification(&self, mchid: Mchid, now: Timestamp) -> Option<DueNotification> {
        let merchant = self.registered_merchant(mchid)?;
        let id = MerchantId::Registered(mchid);
        let paid = self
            .order_book()
            .newest_paid(id, 1)
            .into_iter()
            .next()
            .and_then(|o| Some((o, o.api.as_ref()?, o.paid.as_ref()?)));
        let (out_trade_no, transaction, at) = match paid {
            Some((order, api, paid)) => (
                order.out_trade_no.clone(),
                self.transaction(mchid, order, api),
                paid.at,
            ),
            None => {
                let no = format!("QBCHECK{}", now.as_millis());
                let transaction = Transaction {
                    appid: merchant.appid.clone(),
                    mchid: mchid.to_string(),
                    out_trade_no: no.clone(),
                    transaction_id: Some(format!(
                        "4200{:016}",
                        now.as_millis() % 10_000_000_000_000_000
                    )),
                    trade_type: super::TradeType::Native,
                    trade_state: "SUCCESS",
                    trade_state_desc: "支付成功",
                    bank_type: Some("OTHERS"),
                    attach: String::new(),
                    success_time: Some(rfc3339_cst(now)),
                    payer: None,
                    amount: super::AmountOut {
                        total: 1,
                        payer_total: Some(1),
                        currency: "CNY",
                        payer_currency: "CNY",
                    },
                };
                (no, transaction, now)
            }
        };
        Some(DueNotification {
            mchid,
            id: format!(
                "EV-{}",
                transaction.transaction_id.clone().unwrap_or_default()
            ),
            out_trade_no,
            url: merchant.notify_url.clone(),
            create_time: rfc3339_cst(at),
            event: NoticeEvent::Transaction(transaction),
            attempt: 1,
        })
    }

    /// The console's line for one probe and its answer.
    pub fn record_probe(&mut self, mchid: Mchid, url: &str, result: &ProbeResult, now: Timestamp) {
        let status = result
            .status
            .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        let expected = if result.probe.should_acknowledge() {
            "acknowledged (2xx)"
        } else {
            "refused (not 2xx)"
        };
        self.sim.record(
            now,
            Endpoint::Check,
            vec![
                ("mchid".to_owned(), mchid.to_string()),
                ("notify_url".to_owned(), url.to_owned()),
                ("probe".to_owned(), result.probe.id().to_owned()),
                ("expected".to_owned(), expected.to_owned()),
            ],
            vec![
                ("status".to_owned(), status),
                ("merchant".to_owned(), result.answer.clone()),
                (
                    "passed".to_owned(),
                    if result.passed { "yes" } else { "NO" }.to_owned(),
                ),
            ],
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_passes_when_the_backend_answers_as_a_verifying_one_would() {
        for probe in Probe::ALL {
            let ack = ProbeResult::new(probe, Some(204), "");
            let refused = ProbeResult::new(probe, Some(401), "bad signature");
            let silent = ProbeResult::new(probe, None, "connection refused");
            assert_eq!(ack.passed, probe.should_acknowledge(), "{probe:?}");
            assert_eq!(refused.passed, !probe.should_acknowledge(), "{probe:?}");
            assert_eq!(silent.passed, !probe.should_acknowledge(), "{probe:?}");
        }
        assert_eq!(
            Probe::ALL.iter().filter(|p| p.should_acknowledge()).count(),
            2
        );
    }
}
