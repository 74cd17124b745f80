//! A merchant backend's refunds as WeChat Pay runs them: accepted
//! `PROCESSING`, ended on the sandbox's clock or by the console
//! (`SUCCESS`, `ABNORMAL`, `CLOSED`), each end one balanced ledger entry
//! and one notification, retried until acknowledged.

use super::{funded, native, pay, refund, register};
use qianbao_core::command::{Command, Ctx, DecideRefund, HoldRefunds};
use qianbao_core::ledger::LedgerAccount;
use qianbao_core::merchant::MerchantId;
use qianbao_core::order::RefundStatus;
use qianbao_core::payapi::{DueNotification, NoticeEvent};
use qianbao_core::session::ClientId;
use qianbao_core::testkit::*;

/// A paid ¥20.00 order of a new merchant; the world, the merchant and the
/// order's number.
fn paid_order(no: &str) -> (World, qianbao_core::payapi::RegisteredMerchant) {
    let mut w = funded();
    let m = register(&mut w, "退款小店", "127.0.0.1:9");
    let now = w.tick(1);
    w.state
        .api_native_order(
            m.mchid,
            &native(&m.appid, m.mchid, no, 2_000, None),
            &site(),
            now,
        )
        .unwrap();
    pay(&mut w, MerchantId::Registered(m.mchid), no, no);
    // The payment's own notification, acknowledged: only refunds remain.
    let now = w.tick(1);
    w.state.record_notification(m.mchid, no, now, Some(200), "");
    (w, m)
}

fn refunds_due(due: &[DueNotification]) -> Vec<(&str, &str)> {
    due.iter()
        .filter_map(|d| match &d.event {
            NoticeEvent::Refund(r) => Some((r.out_refund_no.as_str(), r.refund_status)),
            NoticeEvent::Transaction(_) => None,
        })
        .collect()
}

fn decide(w: &mut World, command: Command) -> Result<(), String> {
    let now = w.tick(1);
    let hasher = fast_hasher();
    let mut ctx = Ctx {
        now,
        wall: now,
        rng: &mut w.rng,
        hasher: &hasher,
    };
    let answer = command.apply(&mut w.state, &ClientId::local(), &mut ctx);
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    match answer.get("Err") {
        Some(error) => Err(error.to_string()),
        None => Ok(()),
    }
}

#[test]
fn a_refund_is_processing_then_reaches_the_payer_on_the_sandboxs_clock_and_is_told() {
    let (mut w, m) = paid_order("REFUNDS001");
    let id = MerchantId::Registered(m.mchid);
    let payer = w.state.balance(w.me());
    let merchant = w.state.ledger().balance(LedgerAccount::Merchant(id));
    let now = w.tick(1);
    let accepted = w
        .state
        .api_refund(
            m.mchid,
            &refund("REFUNDS001", "RREFUNDS01", 700, 2_000),
            now,
        )
        .unwrap();
    assert_eq!(accepted.status, "PROCESSING");
    // The money left the merchant and waits between the two.
    assert_eq!(
        w.state.ledger().balance(LedgerAccount::Merchant(id)).get(),
        merchant.get() - 700
    );
    assert_eq!(
        w.state.ledger().balance(LedgerAccount::Refunding).get(),
        700
    );
    assert_eq!(w.state.balance(w.me()), payer);
    assert!(refunds_due(&w.state.due_notifications(now)).is_empty());
    assert_eq!(w.state.next_settle_at(), Some(now.plus(REFUND_SECS)));

    // Not yet: 9 s on. Then 10 s: SUCCESS, the payer has it, one notice.
    let early = w.tick(9);
    assert_eq!(w.state.settle_refunds(early), 0);
    let on_time = w.tick(1);
    assert_eq!(w.state.settle_refunds(on_time), 1);
    assert_eq!(w.state.settle_refunds(on_time), 0, "once");
    assert_eq!(w.state.balance(w.me()).get(), payer.get() + 700);
    assert_eq!(w.state.ledger().balance(LedgerAccount::Refunding).get(), 0);
    let query = w
        .state
        .api_query_refund(m.mchid, "RREFUNDS01", on_time)
        .unwrap();
    assert_eq!(query.status, "SUCCESS");
    assert!(query.success_time.is_some());
    let due = w.state.due_notifications(on_time);
    assert_eq!(refunds_due(&due), [("RREFUNDS01", "SUCCESS")]);
    assert_eq!(
        due[0].event.names(),
        ("REFUND.SUCCESS", "退款成功", "refund")
    );
    assert_eq!(due[0].url, "http://127.0.0.1:9/n", "the merchant's own");
    let NoticeEvent::Refund(resource) = &due[0].event else {
        unreachable!()
    };
    assert_eq!(
        (
            resource.amount.total,
            resource.amount.refund,
            resource.user_received_account
        ),
        (2_000, 700, "支付用户数字钱包")
    );

    // Refused, then retried 15 s later; acknowledged, never again.
    w.state
        .record_refund_notification(m.mchid, "RREFUNDS01", on_time, Some(500), "busy");
    let early = w.tick(14);
    assert!(refunds_due(&w.state.due_notifications(early)).is_empty());
    let retry = w.tick(1);
    let due = w.state.due_notifications(retry);
    assert_eq!((refunds_due(&due).len(), due[0].attempt), (1, 2));
    w.state
        .record_refund_notification(m.mchid, "RREFUNDS01", retry, Some(200), "");
    let hour = w.tick(3600);
    assert!(w.state.due_notifications(hour).is_empty());
    assert_eq!(w.state.next_notification_at(), None);
    assert!(w.round_trips());
}

#[test]
fn the_console_holds_refunds_and_decides_abnormal_then_success_or_closed() {
    let (mut w, m) = paid_order("REFUNDS002");
    let id = MerchantId::Registered(m.mchid);
    let payer = w.state.balance(w.me());
    let merchant = w.state.ledger().balance(LedgerAccount::Merchant(id));
    decide(&mut w, HoldRefunds { hold: true }.into()).unwrap();
    let now = w.tick(1);
    for (no, fen) in [("RREFUNDS21", 300), ("RREFUNDS22", 400)] {
        w.state
            .api_refund(m.mchid, &refund("REFUNDS002", no, fen, 2_000), now)
            .unwrap();
    }
    // Held: an hour on, still PROCESSING; nothing is due.
    let later = w.tick(3600);
    assert_eq!(w.state.settle_refunds(later), 0);
    assert_eq!(w.state.next_settle_at(), None);
    let abnormal = |no: &str| DecideRefund {
        mchid: m.mchid,
        out_refund_no: no.to_owned(),
        status: RefundStatus::Abnormal,
    };
    decide(&mut w, abnormal("RREFUNDS21").into()).unwrap();
    let now = w.tick(0);
    let due = w.state.due_notifications(now);
    assert_eq!(refunds_due(&due), [("RREFUNDS21", "ABNORMAL")]);
    assert_eq!(due[0].event.names().0, "REFUND.ABNORMAL");
    // ABNORMAL keeps the money in between; it still counts against the
    // order, and it can still succeed.
    assert_eq!(
        w.state.ledger().balance(LedgerAccount::Refunding).get(),
        700
    );
    let too_much = w
        .state
        .api_refund(
            m.mchid,
            &refund("REFUNDS002", "RREFUNDS23", 1_301, 2_000),
            later,
        )
        .unwrap_err();
    assert_eq!(too_much.code(), "INVALID_REQUEST");
    decide(
        &mut w,
        DecideRefund {
            status: RefundStatus::Success,
            ..abnormal("RREFUNDS21")
        }
        .into(),
    )
    .unwrap();
    decide(
        &mut w,
        DecideRefund {
            status: RefundStatus::Closed,
            ..abnormal("RREFUNDS22")
        }
        .into(),
    )
    .unwrap();
    // The closed one went back to the merchant; what is left to refund
    // grows again. Nothing ended twice.
    assert_eq!(w.state.balance(w.me()).get(), payer.get() + 300);
    assert_eq!(
        w.state.ledger().balance(LedgerAccount::Merchant(id)).get(),
        merchant.get() - 300
    );
    assert_eq!(w.state.ledger().balance(LedgerAccount::Refunding).get(), 0);
    let order = w.state.order(id, "REFUNDS002").unwrap();
    assert_eq!(order.refundable().get(), 1_700);
    let ended = decide(&mut w, abnormal("RREFUNDS22").into()).unwrap_err();
    assert!(ended.contains("RefundEnded"), "{ended}");
    let unknown = decide(&mut w, abnormal("RNOSUCH001").into()).unwrap_err();
    assert!(unknown.contains("NoSuchRefund"), "{unknown}");
    let now = w.tick(0);
    let due = w.state.due_notifications(now);
    let mut told = refunds_due(&due);
    told.sort_unstable();
    assert_eq!(
        told,
        [
            ("RREFUNDS21", "ABNORMAL"),
            ("RREFUNDS21", "SUCCESS"),
            ("RREFUNDS22", "CLOSED")
        ]
        .into_iter()
        .filter(|(no, status)| !(*no == "RREFUNDS21" && *status == "ABNORMAL"))
        .collect::<Vec<_>>(),
        "the newest notice of each: the unanswered ABNORMAL gave way to SUCCESS"
    );
    // Held refunds succeed by themselves once the console lets them go.
    w.state
        .api_refund(
            m.mchid,
            &refund("REFUNDS002", "RREFUNDS24", 100, 2_000),
            now,
        )
        .unwrap();
    decide(&mut w, HoldRefunds { hold: false }.into()).unwrap();
    let later = w.tick(10);
    assert_eq!(w.state.settle_refunds(later), 1);
    assert!(w.round_trips());
}

#[test]
fn a_demo_stores_refund_reaches_the_payer_at_once_and_the_console_cannot_decide_it() {
    let mut w = funded();
    let now = w.tick(1);
    let order = w
        .state
        .create_order(MerchantId::Cafe, &[("latte", 1)], now, &mut w.rng)
        .unwrap();
    pay(&mut w, MerchantId::Cafe, &order, "demo-pay");
    let before = w.state.balance(w.me());
    let now = w.tick(1);
    let done = w
        .state
        .refund_order(MerchantId::Cafe, &order, "RDEMO00001", "1.00", now)
        .unwrap();
    assert_eq!((done.status, done.api), (RefundStatus::Success, None));
    assert_eq!(w.state.balance(w.me()).get(), before.get() + 100);
    assert_eq!(w.state.ledger().balance(LedgerAccount::Refunding).get(), 0);
}

const REFUND_SECS: std::time::Duration = qianbao_core::order::REFUND_PROCESSING;
