//! 交易账单: a day's payments and successful refunds, each on the Beijing
//! day it happened, made from 09:00 the next day, read through the order
//! book's index by day — the same rows a scan of every order would give.

use super::{native, pay, refund, register};
use qianbao_core::merchant::MerchantId;
use qianbao_core::order::RefundStatus;
use qianbao_core::payapi::{ApiError, BillAsk, BillType, Invalid};
use qianbao_core::testkit::*;
use qianbao_core::time::{date_cst, day_cst, start_of_day_cst};

const HOUR: i64 = 3600;

/// The world's clock set to `secs` after Beijing day `day` began.
fn set(w: &mut World, day: i64, secs: i64) {
    w.now = (start_of_day_cst(day).as_millis() - at(0).as_millis()) / 1000 + secs;
}

fn ask(day: i64, kind: BillType) -> BillAsk {
    BillAsk {
        day,
        kind,
        gzip: false,
    }
}

/// The bill's lines as fields, the ticks gone.
fn rows(file: &str) -> Vec<Vec<String>> {
    file.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|f| f.trim_start_matches('`').to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn a_bill_lists_each_payment_and_refund_on_its_own_day_once_the_day_is_over() {
    let mut w = super::funded();
    let m = register(&mut w, "账单小店", "127.0.0.1:9");
    let id = MerchantId::Registered(m.mchid);
    // Start at 10:00 Beijing on some day.
    let day = day_cst(at(w.now)) + 1;
    set(&mut w, day, 10 * HOUR);
    for (no, fen) in [
        ("BILLCORE01", 2_500),
        ("BILLCORE02", 1_999),
        ("BILLCORE03", 800),
    ] {
        let now = w.tick(60);
        let order = native(&m.appid, m.mchid, no, fen, None);
        w.state
            .api_native_order(m.mchid, &order, &site(), now)
            .unwrap();
        if no != "BILLCORE03" {
            pay(&mut w, id, no, no);
        }
    }
    // A refund asked for today, succeeding tomorrow on the clock.
    let now = w.tick(60);
    w.state
        .api_refund(
            m.mchid,
            &refund("BILLCORE01", "RBILLCORE1", 1_000, 2_500),
            now,
        )
        .unwrap();
    let bill = |w: &mut World, day: i64, kind: BillType, secs: i64| {
        let now = w.tick(secs);
        w.state.api_trade_bill(m.mchid, ask(day, kind), now)
    };

    // Today's and, until 09:00 tomorrow, yesterday's bill are being made.
    assert_eq!(
        bill(&mut w, day, BillType::All, 0),
        Err(ApiError::StatementCreating)
    );
    set(&mut w, day + 1, 9 * HOUR - 1);
    assert_eq!(
        bill(&mut w, day, BillType::All, 0),
        Err(ApiError::StatementCreating)
    );
    let now = w.tick(0);
    assert_eq!(
        w.state.settle_refunds(now),
        1,
        "the refund succeeds tomorrow"
    );
    let file = bill(&mut w, day, BillType::All, 1).unwrap();
    let lines = rows(&file);
    assert_eq!(lines.len(), 4, "{file}");
    let states: Vec<(&str, &str)> = lines[..2]
        .iter()
        .map(|r| (r[6].as_str(), r[9].as_str()))
        .collect();
    assert_eq!(
        states,
        [("BILLCORE01", "SUCCESS"), ("BILLCORE02", "SUCCESS")]
    );
    assert_eq!(
        lines[3],
        ["2", "44.99", "0.00", "0.00", "0.00000", "44.99", "0.00"],
        "{file}"
    );
    // The refund is on the day it succeeded, with the payment's 交易时间.
    let tomorrow = w.now;
    set(&mut w, day + 2, 9 * HOUR);
    let next = rows(&bill(&mut w, day + 1, BillType::All, 0).unwrap());
    w.now = tomorrow;
    assert_eq!(
        (
            next[0][6].as_str(),
            next[0][9].as_str(),
            next[0][16].as_str(),
            next[0][12].as_str()
        ),
        ("BILLCORE01", "REFUND", "10.00", "0.00")
    );
    assert_eq!(next[0][0], lines[0][0]);
    let (y, mo, d) = date_cst(start_of_day_cst(day));
    assert!(
        lines[0][0].starts_with(&format!("{y:04}-{mo:02}-{d:02} ")),
        "{}",
        lines[0][0]
    );

    // SUCCESS has no refund columns; REFUND the refunds' times.
    let success = bill(&mut w, day, BillType::Success, 1).unwrap();
    assert_eq!(success.lines().next().unwrap().split(',').count(), 20);
    assert_eq!(
        bill(&mut w, day, BillType::Refund, 1),
        Err(ApiError::NoStatementExist),
        "no refund succeeded that day"
    );
    assert_eq!(
        bill(&mut w, day - 1, BillType::All, 1),
        Err(ApiError::NoStatementExist)
    );
    assert_eq!(
        bill(&mut w, day + 3, BillType::All, 1),
        Err(ApiError::InvalidRequest(Invalid::BillDate))
    );
    assert_eq!(
        bill(&mut w, day - 93, BillType::All, 1),
        Err(ApiError::InvalidRequest(Invalid::BillDate))
    );
    // Another merchant's bill of the same day has none of these.
    let other = register(&mut w, "别家小店", "127.0.0.1:9");
    assert_eq!(
        w.state
            .api_trade_bill(other.mchid, ask(day, BillType::All), at(w.now)),
        Err(ApiError::NoStatementExist)
    );
    // What the index gives is what a scan of every order gives.
    let scanned: Vec<&str> = w
        .state
        .order_book()
        .iter()
        .filter(|o| o.merchant == id)
        .filter(|o| {
            o.paid.as_ref().is_some_and(|p| day_cst(p.at) == day)
                || o.refunds.iter().any(|r| {
                    r.status == RefundStatus::Success
                        && r.succeeded_at().is_some_and(|t| day_cst(t) == day)
                })
        })
        .map(|o| o.out_trade_no.as_str())
        .collect();
    let indexed: Vec<&str> = w
        .state
        .order_book()
        .billed_on(id, day)
        .into_iter()
        .map(|o| o.out_trade_no.as_str())
        .collect();
    assert_eq!(indexed, scanned);
}
