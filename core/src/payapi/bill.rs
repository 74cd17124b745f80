//! 交易账单 (`GET /v3/bill/tradebill`): a merchant's payments and refunds
//! of one Beijing day as WeChat Pay writes its bill file — a header, one
//! line per payment and per successful refund, each field after a `` ` ``,
//! then the totals — for a backend to reconcile to the fen. Amounts are
//! yuan with two decimals (from integer fen, never a float). The sandbox
//! charges no fees: 手续费 is `0.00000` and 费率 `0.00%`, so what a bill
//! says was settled is what the orders say was paid.
//!
//! A day's bill is made from 09:00 the next day (`STATEMENT_CREATING`
//! before), for the last three months only; a day without payments or
//! refunds has none (`NO_STATEMENT_EXIST`). The rows come from the order
//! book's index by day ([`crate::order::Orders::billed_on`]): a bill costs
//! the day's rows, not the merchant's whole history.
//!
//! A payment's row falls on the day it was paid (交易状态 `SUCCESS`, also
//! for an order refunded since); a refund's on the day it succeeded
//! (`REFUND`, 应结订单金额 and 订单金额 `0.00`, its 退款金额 and
//! 申请退款金额), with the payment's 交易时间. Free text (商品名称,
//! 商户数据包) has its commas and line breaks turned into spaces: the file
//! has no quoting.

use super::{ApiError, Invalid, TradeType};
use crate::merchant::{Mchid, MerchantId};
use crate::order::{Order, Refund};
use crate::sim::Endpoint;
use crate::state::State;
use crate::time::{date_time_cst, day_cst, parse_date_cst, start_of_day_cst, Timestamp};
use std::time::Duration;

/// Which of the day's rows a bill lists (`bill_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillType {
    /// `ALL`: payments and refunds.
    All,
    /// `SUCCESS`: the payments.
    Success,
    /// `REFUND`: the refunds, with when each was asked for and succeeded.
    Refund,
    /// `RECHARGE_REFUND`: refunds of 充值券 payments, which the sandbox has
    /// none of.
    RechargeRefund,
}

impl BillType {
    /// `bill_type` as sent (none: `ALL`).
    pub fn parse(text: Option<&str>) -> Result<BillType, ApiError> {
        match text {
            None | Some("ALL") => Ok(BillType::All),
            Some("SUCCESS") => Ok(BillType::Success),
            Some("REFUND") => Ok(BillType::Refund),
            Some("RECHARGE_REFUND") => Ok(BillType::RechargeRefund),
            Some(_) => Err(ApiError::param(
                "bill_type 须为 ALL、SUCCESS、REFUND 或 RECHARGE_REFUND（个性化账单未开通）",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BillType::All => "ALL",
            BillType::Success => "SUCCESS",
            BillType::Refund => "REFUND",
            BillType::RechargeRefund => "RECHARGE_REFUND",
        }
    }
}

/// What a merchant asks a bill of: the day, the rows, and whether the file
/// comes gzipped (`tar_type=GZIP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillAsk {
    pub day: i64,
    pub kind: BillType,
    pub gzip: bool,
}

impl BillAsk {
    /// Reads the query `bill_date`, `bill_type`, `tar_type`.
    pub fn parse(
        bill_date: Option<&str>,
        bill_type: Option<&str>,
        tar_type: Option<&str>,
    ) -> Result<BillAsk, ApiError> {
        let date = bill_date.ok_or_else(|| ApiError::required("bill_date"))?;
        let day = parse_date_cst(date)
            .ok_or_else(|| ApiError::param("bill_date 须为 yyyy-MM-DD 格式"))?;
        let kind = BillType::parse(bill_type)?;
        let gzip = match tar_type {
            None => false,
            Some("GZIP") => true,
            Some(_) => return Err(ApiError::param("tar_type 只能为 GZIP")),
        };
        Ok(BillAsk { day, kind, gzip })
    }
}

/// The oldest day a bill is kept for: about three months back.
const KEPT_DAYS: i64 = 92;
/// A day's bill is ready this long after the day ends (09:00 Beijing).
const MADE_AFTER: Duration = Duration::from_secs(9 * 3600);

/// One line of the file, with when it happened (the lines' order).
struct Line {
    at: Timestamp,
    fields: Vec<String>,
    settled: i64,
    refunded: i64,
    ordered: i64,
    asked: i64,
}

impl State {
    /// `GET /v3/bill/tradebill` when a fault waits for the next call: the
    /// fault first (the console's log has the call), then the bill.
    pub fn api_trade_bill_call(
        &mut self,
        signer: Mchid,
        ask: BillAsk,
        now: Timestamp,
    ) -> Result<String, ApiError> {
        self.api_fault(now, Endpoint::TradeBill, signer)?;
        self.api_trade_bill(signer, ask, now)
    }

    /// `signer`'s bill file for `ask` — reads and changes nothing.
    pub fn api_trade_bill(
        &self,
        signer: Mchid,
        ask: BillAsk,
        now: Timestamp,
    ) -> Result<String, ApiError> {
        self.registered_merchant(signer)
            .ok_or(ApiError::MchNotExists)?;
        let today = day_cst(now);
        if ask.day > today || ask.day < today - KEPT_DAYS {
            return Err(ApiError::InvalidRequest(Invalid::BillDate));
        }
        if now < start_of_day_cst(ask.day + 1).plus(MADE_AFTER) {
            return Err(ApiError::StatementCreating);
        }
        let merchant = MerchantId::Registered(signer);
        let mut lines: Vec<Line> = Vec::new();
        for order in self.order_book().billed_on(merchant, ask.day) {
            lines.extend(self.bill_lines(signer, order, ask));
        }
        if lines.is_empty() {
            return Err(ApiError::NoStatementExist);
        }
        lines.sort_by(|a, b| (a.at, &a.fields[5]).cmp(&(b.at, &b.fields[5])));
        Ok(bill_file(ask.kind, &lines))
    }

    /// `order`'s lines in the bill of `ask.day`.
    fn bill_lines(&self, signer: Mchid, order: &Order, ask: BillAsk) -> Vec<Line> {
        let (Some(api), Some(paid)) = (order.api.as_ref(), order.paid.as_ref()) else {
            return Vec::new();
        };
        let openid = self
            .wechat
            .openid_for_app(&api.appid, paid.payer)
            .unwrap_or_default();
        let trade_type = match api.trade_type {
            TradeType::Native => "NATIVE",
            TradeType::Jsapi => "JSAPI",
            TradeType::Mweb => "MWEB",
        };
        let total = order.amount.get();
        // 交易时间 … 代金券金额: the same on every line of the order.
        let head = |state: &str, settled: i64| {
            vec![
                date_time_cst(paid.at),
                api.appid.clone(),
                signer.to_string(),
                "0".to_owned(),
                String::new(),
                paid.transaction_id.clone(),
                order.out_trade_no.clone(),
                openid.clone(),
                trade_type.to_owned(),
                state.to_owned(),
                "OTHERS".to_owned(),
                "CNY".to_owned(),
                yuan(settled),
                "0.00".to_owned(),
            ]
        };
        let goods = [
            free_text(&order.description),
            free_text(api.attach.as_deref().unwrap_or("")),
        ];
        let fee = ["0.00000".to_owned(), "0.00%".to_owned()];
        let mut lines = Vec::new();
        let payment_day = day_cst(paid.at) == ask.day;
        if payment_day && matches!(ask.kind, BillType::All | BillType::Success) {
            let mut fields = head("SUCCESS", total);
            if ask.kind == BillType::All {
                fields.extend(["0", "0", "0.00", "0.00", "", ""].map(str::to_owned));
            }
            fields.extend(goods.clone());
            fields.extend(fee.clone());
            fields.push(yuan(total));
            if ask.kind == BillType::All {
                fields.push("0.00".to_owned());
            }
            fields.push(String::new());
            lines.push(Line {
                at: paid.at,
                fields,
                settled: total,
                refunded: 0,
                ordered: total,
                asked: 0,
            });
        }
        if matches!(ask.kind, BillType::All | BillType::Refund) {
            for refund in &order.refunds {
                let Some(at) = refund.succeeded_at().filter(|at| day_cst(*at) == ask.day) else {
                    continue;
                };
                lines.push(refund_line(
                    head("REFUND", 0),
                    refund,
                    at,
                    ask.kind,
                    &goods,
                    &fee,
                ));
            }
        }
        lines
    }
}

/// A successful refund's line.
fn refund_line(
    mut fields: Vec<String>,
    refund: &Refund,
    at: Timestamp,
    kind: BillType,
    goods: &[String; 2],
    fee: &[String; 2],
) -> Line {
    let amount = refund.amount.get();
    if kind == BillType::Refund {
        fields.extend([date_time_cst(refund.at), date_time_cst(at)]);
    }
    fields.extend([
        super::refund::refund_id(refund),
        refund.out_refund_no.clone(),
        yuan(amount),
        "0.00".to_owned(),
        "ORIGINAL".to_owned(),
        "SUCCESS".to_owned(),
    ]);
    fields.extend(goods.iter().cloned());
    fields.extend(fee.iter().cloned());
    fields.extend(["0.00".to_owned(), yuan(amount), String::new()]);
    Line {
        at,
        fields,
        settled: 0,
        refunded: amount,
        ordered: 0,
        asked: amount,
    }
}

/// The whole file: header, lines, totals.
fn bill_file(kind: BillType, lines: &[Line]) -> String {
    let head = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额";
    let columns = match kind {
        BillType::Success => format!("{head},商品名称,商户数据包,手续费,费率,订单金额,费率备注"),
        BillType::Refund | BillType::RechargeRefund => format!(
            "{head},退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
        ),
        BillType::All => format!(
            "{head},微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
        ),
    };
    let mut file = columns;
    file.push('\n');
    let ticked = |fields: &[String]| {
        fields
            .iter()
            .map(|f| format!("`{f}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    for line in lines {
        file.push_str(&ticked(&line.fields));
        file.push('\n');
    }
    let sum = |f: fn(&Line) -> i64| yuan(lines.iter().map(f).sum());
    file.push_str("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n");
    file.push_str(&ticked(&[
        lines.len().to_string(),
        sum(|l| l.settled),
        sum(|l| l.refunded),
        "0.00".to_owned(),
        "0.00000".to_owned(),
        sum(|l| l.ordered),
        sum(|l| l.asked),
    ]));
    file.push('\n');
    file
}

/// Fen as the bill's yuan: `2500` → `25.00`.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!("{sign}{}.{:02}", fen / 100, fen % 100)
}

/// Free text as one field of the file (which has no quoting).
fn free_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == ',' || c == '`' || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_is_exact() {
        assert_eq!(yuan(2500), "25.00");
        assert_eq!(yuan(1), "0.01");
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(-105), "-1.05");
        assert_eq!(yuan(123_456_789), "1234567.89");
    }

    #[test]
    fn free_text_cannot_break_a_line() {
        assert_eq!(free_text("拿铁,大杯\n`加糖`"), "拿铁 大杯  加糖 ");
    }

    #[test]
    fn asks_are_read_as_wechat_documents() {
        let ask = BillAsk::parse(Some("2026-12-01"), None, Some("GZIP"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((ask.kind, ask.gzip), (BillType::All, true));
        for (date, kind, tar) in [
            (None, None, None),
            (Some("2026-12-1"), None, None),
            (Some("2026-12-01"), Some("ALL_SPECIAL"), None),
            (Some("2026-12-01"), None, Some("ZIP")),
        ] {
            assert!(
                matches!(BillAsk::parse(date, kind, tar), Err(ApiError::Param(_))),
                "{date:?} {kind:?} {tar:?}"
            );
        }
    }
}
