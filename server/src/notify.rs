//! Payment and refund notifications, as WeChat Pay sends them: a `POST` of
//! JSON to the order's (or refund's) `notify_url`, whose `resource` is the
//! transaction (or refund) encrypted with `AEAD_AES_256_GCM` under the
//! merchant's APIv3 key (associated data `transaction` or `refund`, a
//! 12-character nonce), signed with the platform key like
//! any answer. A `200` or `204` acknowledges it; anything else, or no
//! answer within [`TIMEOUT`], is tried again on WeChat's schedule
//! ([`qianbao_core::payapi::NOTIFY_RETRIES`], on the sandbox's clock).
//! Which notifications are due, and what each answer means, `core` says.

use crate::keys;
use crate::sandbox::{Sandbox, SignedHeaders};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use qianbao_core::payapi::{DueNotification, NoticeEvent};
use serde::Serialize;
use std::io::Read;
use std::time::Duration;

/// How long a merchant has to answer a notification.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The longest the notifier sleeps without looking again.
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// The shortest: what is due now was just sent.
const MIN_SLEEP: Duration = Duration::from_millis(20);

/// `AEAD_AES_256_GCM` of `plaintext`: Base64 of the ciphertext and its tag.
pub fn encrypt(
    apiv3_key: &str,
    nonce: &str,
    associated_data: &str,
    plaintext: &[u8],
) -> Option<String> {
    let cipher = Aes256Gcm::new_from_slice(apiv3_key.as_bytes()).ok()?;
    if nonce.len() != 12 {
        return None;
    }
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(nonce.as_bytes()),
            Payload {
                msg: plaintext,
                aad: associated_data.as_bytes(),
            },
        )
        .ok()?;
    Some(STANDARD.encode(sealed))
}

#[derive(Serialize)]
struct Resource<'a> {
    original_type: &'a str,
    algorithm: &'a str,
    ciphertext: String,
    associated_data: &'a str,
    nonce: String,
}

#[derive(Serialize)]
struct Body<'a> {
    id: &'a str,
    create_time: &'a str,
    resource_type: &'a str,
    event_type: &'a str,
    summary: &'a str,
    resource: Resource<'a>,
}

/// A notification ready to send: its body and signature headers.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub due: DueNotification,
    pub body: Vec<u8>,
    pub headers: SignedHeaders,
}

/// Encrypts and signs `due`; `None` if the merchant has no APIv3 key.
pub fn prepare(sandbox: &Sandbox, due: DueNotification) -> Option<Prepared> {
    let apiv3_key = sandbox.merchant(due.mchid)?.apiv3_key;
    let plaintext = match &due.event {
        NoticeEvent::Transaction(transaction) => serde_json::to_vec(transaction),
        NoticeEvent::Refund(refund) => serde_json::to_vec(refund),
    }
    .ok()?;
    let (event_type, summary, original_type) = due.event.names();
    let nonce = keys::with_rng(keys::nonce)[..12].to_owned();
    let ciphertext = encrypt(&apiv3_key, &nonce, original_type, &plaintext)?;
    let body = serde_json::to_vec(&Body {
        id: &due.id,
        create_time: &due.create_time,
        resource_type: "encrypt-resource",
        event_type,
        summary,
        resource: Resource {
            original_type,
            algorithm: "AEAD_AES_256_GCM",
            ciphertext,
            associated_data: original_type,
            nonce,
        },
    })
    .ok()?;
    let headers = sandbox.sign_as(&body, sandbox.serial_for(Some(due.mchid)));
    Some(Prepared { due, body, headers })
}

/// Sends one notification; the status the merchant answered (`None`: no
/// answer) and the start of its answer.
pub fn send(prepared: &Prepared) -> (Option<u16>, String) {
    let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).build();
    let h = &prepared.headers;
    let request = agent
        .post(&prepared.due.url)
        .set("Content-Type", "application/json")
        .set("Wechatpay-Timestamp", &h.timestamp)
        .set("Wechatpay-Nonce", &h.nonce)
        .set("Wechatpay-Signature", &h.signature)
        .set("Wechatpay-Serial", &h.serial)
        .set("Wechatpay-Signature-Type", crate::signing::SCHEME)
        .set(
            "User-Agent",
            "Mozilla/4.0 (Qianbao Sandbox; WeChat Pay notification)",
        );
    let answered = |response: ureq::Response| {
        let status = response.status();
        let mut text = String::new();
        let _ = response.into_reader().take(4096).read_to_string(&mut text);
        (Some(status), text)
    };
    match request.send_bytes(&prepared.body) {
        Ok(response) => answered(response),
        Err(ureq::Error::Status(_, response)) => answered(response),
        Err(ureq::Error::Transport(error)) => (None, error.to_string()),
    }
}

/// Ends the refunds whose time came (`PROCESSING` → `SUCCESS`), then sends
/// every notification that is due — read from the saved state, the
/// ones due together at once — records each answer through the writer, and
/// sleeps until the next one is due or a save is made; forever.
pub async fn notifier(sandbox: Sandbox) {
    loop {
        // Refunds whose time came end first: their notifications are due.
        let settling = sandbox.read(|state| {
            let now = state.sim().now(crate::sandbox::wall_clock());
            state.next_settle_at().is_some_and(|at| at <= now)
        });
        if settling {
            let _ = sandbox
                .write(None, |state, tx| {
                    state.settle_refunds(tx.now);
                })
                .await;
        }
        let due = sandbox
            .read(|state| state.due_notifications(state.sim().now(crate::sandbox::wall_clock())));
        let sends = due.into_iter().map(|due| {
            let sandbox = sandbox.clone();
            async move {
                let unsent = due.clone();
                let prepared = prepare(&sandbox, due);
                let (due, status, answer) = match prepared {
                    Some(prepared) => {
                        let sent = tokio::task::spawn_blocking(move || {
                            let answer = send(&prepared);
                            (prepared, answer)
                        })
                        .await;
                        match sent {
                            Ok((prepared, (status, answer))) => (prepared.due, status, answer),
                            Err(_) => (unsent, None, "the sandbox could not send it".to_owned()),
                        }
                    }
                    // Counted as an attempt, so that the schedule moves on.
                    None => (
                        unsent,
                        None,
                        "the sandbox has no APIv3 key for this merchant".to_owned(),
                    ),
                };
                let _ = sandbox
                    .write(None, move |state, tx| match due.event.out_refund_no() {
                        Some(refund) => state
                            .record_refund_notification(due.mchid, refund, tx.now, status, &answer),
                        None => state.record_notification(
                            due.mchid,
                            &due.out_trade_no,
                            tx.now,
                            status,
                            &answer,
                        ),
                    })
                    .await;
            }
        });
        futures_util::future::join_all(sends).await;
        let wait = sandbox
            .read(|state| {
                let now = state.sim().now(crate::sandbox::wall_clock());
                let next = state
                    .next_notification_at()
                    .into_iter()
                    .chain(state.next_settle_at())
                    .min();
                next.map(|at| {
                    Duration::from_millis(
                        u64::try_from((at.as_millis() - now.as_millis()).max(0)).unwrap_or(0),
                    )
                })
            })
            .unwrap_or(MAX_SLEEP)
            .clamp(MIN_SLEEP, MAX_SLEEP);
        tokio::select! {
            () = sandbox.saved() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}
