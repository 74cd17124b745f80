//! WeChat Pay API v3's refusals, one variant per `code` it documents for
//! the calls the sandbox answers: the HTTP status, the `code` and the
//! `message` are the variant's, so no call site can pair a code with the
//! wrong status. The error catalogue (`web/tests/catalogue.txt`) lists
//! every variant.

/// What was wrong with a call's signature (every one is `401 SIGN_ERROR`;
/// the message says which check failed, as WeChat's does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignProblem {
    /// No `Authorization` header.
    Missing,
    /// The header is not `WECHATPAY2-SHA256-RSA2048 mchid="…",…`.
    Malformed,
    /// Its `mchid` is not a merchant number.
    BadMchid,
    /// No merchant has that number.
    UnknownMerchant,
    /// Its `serial_no` is not the merchant's certificate's.
    WrongSerial,
    /// Its `timestamp` is more than five minutes from now.
    Stale,
    /// Its `nonce_str` is empty or longer than 64 characters.
    BadNonce,
    /// The signature does not verify with the merchant's key.
    Invalid,
    /// The same `nonce_str` was already used within the timestamp window.
    Replayed,
}

impl SignProblem {
    pub const ALL: [Self; 9] = [
        Self::Missing,
        Self::Malformed,
        Self::BadMchid,
        Self::UnknownMerchant,
        Self::WrongSerial,
        Self::Stale,
        Self::BadNonce,
        Self::Invalid,
        Self::Replayed,
    ];

    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "缺少 Authorization 请求头",
            Self::Malformed => {
                "Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》"
            }
            Self::BadMchid => "商户号格式错误",
            Self::UnknownMerchant => "商户号不存在",
            Self::WrongSerial => "商户证书序列号有误",
            Self::Stale => "请求的时间戳与当前时间相差超过 5 分钟",
            Self::BadNonce => "nonce_str 须为 1–64 个字符",
            Self::Invalid => "签名错误，请检查后再试",
            Self::Replayed => "重复的请求：该 nonce_str 已使用过",
        }
    }
}

/// What a `RESOURCE_NOT_EXISTS` did not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Order,
    Refund,
}

/// Why a refund was an `INVALID_REQUEST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// The order was never paid.
    NotPaid,
    /// An order takes at most 50 refunds.
    TooManyRefunds,
    /// The `out_refund_no` names a refund of another amount.
    RefundNoReused,
    /// More than what is left to refund on the order.
    RefundTooMuch,
    /// A bill's `bill_date` in the future, or more than three months ago.
    BillDate,
    /// A bill's download URL that is not one the sandbox gave, or whose
    /// five minutes are over.
    BillUrl,
}

impl Invalid {
    pub const ALL: [Self; 6] = [
        Self::NotPaid,
        Self::TooManyRefunds,
        Self::RefundNoReused,
        Self::RefundTooMuch,
        Self::BillDate,
        Self::BillUrl,
    ];

    fn message(self) -> &'static str {
        match self {
            Self::NotPaid => "订单未支付，不能退款",
            Self::TooManyRefunds => "一笔订单最多退款 50 次",
            Self::RefundNoReused => "out_refund_no 已用于另一金额的退款",
            Self::RefundTooMuch => "申请退款金额超过订单可退金额",
            Self::BillDate => "请检查bill_date，并重新调用",
            Self::BillUrl => "请按第一步申请账单的API指引，重新获取账单地址后再请求",
        }
    }
}

/// WeChat Pay's answer to a call it refused: `{code, message}` with the
/// status. A refused call changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {}: {}", self.status(), self.code(), self.message())]
pub enum ApiError {
    /// `400 PARAM_ERROR`: a field missing or malformed; the text names it.
    Param(String),
    /// `401 SIGN_ERROR`.
    Sign(SignProblem),
    /// `400 MCH_NOT_EXISTS`: the signer is not a registered merchant.
    MchNotExists,
    /// `400 APPID_MCHID_NOT_MATCH`: the `appid` is not the merchant's app.
    AppidMchidNotMatch,
    /// `400 OPENID_MISMATCH`: the payer is not a user of that app.
    OpenidMismatch,
    /// `403 OUT_TRADE_NO_USED`: the number is taken by a different order.
    OutTradeNoUsed,
    /// `400 ORDER_CLOSED`.
    OrderClosed,
    /// `400 ORDERPAID`.
    OrderPaid,
    /// `404 ORDER_NOT_EXIST`: the payment APIs' unknown order.
    OrderNotExist,
    /// `404 RESOURCE_NOT_EXISTS`: the refund APIs' unknown order or refund.
    ResourceNotExists(Resource),
    /// `400 INVALID_REQUEST` (`403` for the refund count).
    InvalidRequest(Invalid),
    /// `429 FREQUENCY_LIMITED`: the console's 「频率限制」.
    FrequencyLimited,
    /// `500 SYSTEM_ERROR`: the console's 「系统繁忙」, or anything the
    /// sandbox cannot answer now.
    System,
    /// The console's 「网络失败」: the call never reached WeChat Pay, so
    /// the server answers a `504` with no body.
    Unreachable,
    /// `404 NOT_FOUND`: no such API.
    NotFound,
    /// `400 NO_STATEMENT_EXIST`: no payment or refund that day.
    NoStatementExist,
    /// `400 STATEMENT_CREATING`: the day's bill is not made yet (it is from
    /// 09:00 the next day, Beijing time).
    StatementCreating,
    /// `403 NO_AUTH`: a bill's download URL another merchant asked for.
    NoAuth,
}

impl ApiError {
    /// `PARAM_ERROR`, saying what was wrong.
    pub fn param(detail: impl Into<String>) -> Self {
        Self::Param(detail.into())
    }

    /// `PARAM_ERROR` for a field that was missing.
    pub fn required(field: &str) -> Self {
        Self::Param(format!("缺少必填参数 {field}"))
    }

    /// `PARAM_ERROR` for a body whose JSON could not be read.
    pub fn unreadable(detail: &str) -> Self {
        Self::Param(format!("请求体不是合法的 JSON：{detail}"))
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Param(_)
            | Self::MchNotExists
            | Self::AppidMchidNotMatch
            | Self::OpenidMismatch
            | Self::OrderClosed
            | Self::OrderPaid
            | Self::NoStatementExist
            | Self::StatementCreating
            | Self::InvalidRequest(
                Invalid::NotPaid
                | Invalid::RefundNoReused
                | Invalid::RefundTooMuch
                | Invalid::BillDate
                | Invalid::BillUrl,
            ) => 400,
            Self::Sign(_) => 401,
            Self::OutTradeNoUsed | Self::NoAuth | Self::InvalidRequest(Invalid::TooManyRefunds) => {
                403
            }
            Self::OrderNotExist | Self::ResourceNotExists(_) | Self::NotFound => 404,
            Self::FrequencyLimited => 429,
            Self::System => 500,
            Self::Unreachable => 504,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Param(_) => "PARAM_ERROR",
            Self::Sign(_) => "SIGN_ERROR",
            Self::MchNotExists => "MCH_NOT_EXISTS",
            Self::AppidMchidNotMatch => "APPID_MCHID_NOT_MATCH",
            Self::OpenidMismatch => "OPENID_MISMATCH",
            Self::OutTradeNoUsed => "OUT_TRADE_NO_USED",
            Self::OrderClosed => "ORDER_CLOSED",
            Self::OrderPaid => "ORDERPAID",
            Self::OrderNotExist => "ORDER_NOT_EXIST",
            Self::ResourceNotExists(_) => "RESOURCE_NOT_EXISTS",
            Self::InvalidRequest(_) => "INVALID_REQUEST",
            Self::FrequencyLimited => "FREQUENCY_LIMITED",
            Self::System => "SYSTEM_ERROR",
            Self::Unreachable => "NETWORK",
            Self::NotFound => "NOT_FOUND",
            Self::NoStatementExist => "NO_STATEMENT_EXIST",
            Self::StatementCreating => "STATEMENT_CREATING",
            Self::NoAuth => "NO_AUTH",
        }
    }

    /// What the error means, in English, for the merchant's developer
    /// (the answer's `message` is WeChat's Chinese).
    pub fn meaning(&self) -> &'static str {
        match self {
            Self::Param(_) => "A field is missing or malformed; the message names it.",
            Self::Sign(SignProblem::Missing) => "The request has no Authorization header.",
            Self::Sign(SignProblem::Malformed) => {
                "The Authorization header is not WECHATPAY2-SHA256-RSA2048 with mchid, nonce_str, signature, timestamp and serial_no."
            }
            Self::Sign(SignProblem::BadMchid) => "The Authorization header's mchid is not a merchant number.",
            Self::Sign(SignProblem::UnknownMerchant) => "No merchant of this sandbox has that number.",
            Self::Sign(SignProblem::WrongSerial) => {
                "serial_no is not the serial of the merchant's API certificate."
            }
            Self::Sign(SignProblem::Stale) => {
                "The timestamp is more than 5 minutes from the server's clock."
            }
            Self::Sign(SignProblem::BadNonce) => "nonce_str must have 1 to 64 characters.",
            Self::Sign(SignProblem::Invalid) => {
                "The signature does not verify with the merchant's key: sign method, URL with query, timestamp, nonce and the exact body, each followed by a newline."
            }
            Self::Sign(SignProblem::Replayed) => {
                "This nonce_str was already used: every request needs a fresh one."
            }
            Self::MchNotExists => "The signer is not a merchant registered with this sandbox.",
            Self::AppidMchidNotMatch => "The appid is not the app registered with this merchant.",
            Self::OpenidMismatch => "payer.openid is not a user of this appid.",
            Self::OutTradeNoUsed => {
                "This out_trade_no already names an order with other fields; use a new number."
            }
            Self::OrderClosed => "The order is closed; place a new one.",
            Self::OrderPaid => "The order is already paid.",
            Self::OrderNotExist => "No order of this merchant has that number.",
            Self::ResourceNotExists(Resource::Order) => "No order of this merchant has that number.",
            Self::ResourceNotExists(Resource::Refund) => "No refund of this merchant has that out_refund_no.",
            Self::InvalidRequest(Invalid::NotPaid) => "Only a paid order can be refunded.",
            Self::InvalidRequest(Invalid::TooManyRefunds) => "An order can be refunded at most 50 times.",
            Self::InvalidRequest(Invalid::RefundNoReused) => {
                "This out_refund_no was used for a refund of another amount."
            }
            Self::InvalidRequest(Invalid::RefundTooMuch) => {
                "The refund is more than what is left to refund on the order (WeChat's NOT_ENOUGH is the merchant's own balance)."
            }
            Self::FrequencyLimited => "Too many requests (the console's rate limit); retry later.",
            Self::System => "WeChat Pay is busy (or the console's 系统繁忙); retry with the same request.",
            Self::Unreachable => {
                "No answer at all (the console's network failure): the call may not have arrived; retry with the same out_trade_no."
            }
            Self::NotFound => "No such API.",
            Self::InvalidRequest(Invalid::BillDate) => {
                "bill_date is in the future or more than three months ago."
            }
            Self::InvalidRequest(Invalid::BillUrl) => {
                "Not a download URL the sandbox gave, or its 5 minutes are over: apply for the bill again."
            }
            Self::NoStatementExist => "No payment or refund of this merchant on that day.",
            Self::StatementCreating => {
                "The day's bill is made from 09:00 the next day (Beijing time); ask again later."
            }
            Self::NoAuth => "The download URL was given to another merchant.",
        }
    }

    /// Every kind of refusal, with sample details, for the catalogue.
    pub fn every() -> Vec<Self> {
        let mut all = vec![Self::param("缺少必填参数 amount.total")];
        all.extend(SignProblem::ALL.map(Self::Sign));
        all.extend([
            Self::MchNotExists,
            Self::AppidMchidNotMatch,
            Self::OpenidMismatch,
            Self::OutTradeNoUsed,
            Self::OrderClosed,
            Self::OrderPaid,
            Self::OrderNotExist,
            Self::ResourceNotExists(Resource::Order),
            Self::ResourceNotExists(Resource::Refund),
        ]);
        all.extend(Invalid::ALL.map(Self::InvalidRequest));
        all.extend([
            Self::FrequencyLimited,
            Self::System,
            Self::Unreachable,
            Self::NotFound,
            Self::NoStatementExist,
            Self::StatementCreating,
            Self::NoAuth,
        ]);
        all
    }

    /// The `message`, in WeChat's words (Chinese, as WeChat Pay answers).
    pub fn message(&self) -> std::borrow::Cow<'static, str> {
        let text = match self {
            Self::Param(detail) => return detail.clone().into(),
            Self::Sign(problem) => problem.message(),
            Self::MchNotExists => "商户号不存在",
            Self::AppidMchidNotMatch => "appid和mch_id不匹配",
            Self::OpenidMismatch => "openid 不是此 appid 下的用户",
            Self::OutTradeNoUsed => "商户订单号重复",
            Self::OrderClosed => "订单已关闭",
            Self::OrderPaid => "该订单已支付",
            Self::OrderNotExist => "订单不存在",
            Self::ResourceNotExists(Resource::Order) => "订单不存在",
            Self::ResourceNotExists(Resource::Refund) => "退款单不存在",
            Self::InvalidRequest(why) => why.message(),
            Self::FrequencyLimited => "请求过于频繁，请稍后再试",
            Self::System => "系统繁忙，请稍后重试",
            Self::Unreachable => "网络请求失败",
            Self::NotFound => "请求的资源不存在",
            Self::NoStatementExist => "账单文件不存在",
            Self::StatementCreating => "账单生成中",
            Self::NoAuth => "权限异常",
        };
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Which variant an error is; a new variant does not compile until it
    /// is numbered here, and then the test below wants it in `every`.
    fn variant(e: &ApiError) -> usize {
        match e {
            ApiError::Param(_) => 0,
            ApiError::Sign(_) => 1,
            ApiError::MchNotExists => 2,
            ApiError::AppidMchidNotMatch => 3,
            ApiError::OpenidMismatch => 4,
            ApiError::OutTradeNoUsed => 5,
            ApiError::OrderClosed => 6,
            ApiError::OrderPaid => 7,
            ApiError::OrderNotExist => 8,
            ApiError::ResourceNotExists(_) => 9,
            ApiError::InvalidRequest(_) => 10,
            ApiError::FrequencyLimited => 11,
            ApiError::System => 12,
            ApiError::Unreachable => 13,
            ApiError::NotFound => 14,
            ApiError::NoStatementExist => 15,
            ApiError::StatementCreating => 16,
            ApiError::NoAuth => 17,
        }
    }

    #[test]
    fn every_lists_each_variant_and_each_reason() {
        let all = ApiError::every();
        let variants: BTreeSet<usize> = all.iter().map(variant).collect();
        assert_eq!(variants, (0..18).collect());
        let distinct: BTreeSet<String> = all.iter().map(|e| format!("{e:?}")).collect();
        assert_eq!(distinct.len(), all.len());
        for e in &all {
            assert!(!e.message().is_empty() && !e.meaning().is_empty(), "{e:?}");
            assert!((400..600).contains(&e.status()), "{e:?}");
        }
    }
}
