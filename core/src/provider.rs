//! What a wallet provider decides: how much may move at once and per day.
//!
//! Single and daily limits per kind of movement, counted per account and per
//! China Standard Time day. Choosing among providers (甲钱包, 乙钱包, …) with
//! different policies comes with F7; until then every account follows
//! [`Policy::STANDARD`].

use crate::money::Fen;
use serde::{Deserialize, Serialize};

/// The kinds of movement that limits apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    TopUp,
    Withdraw,
    Transfer,
    Bill,
    /// 「转入微信零钱」.
    ToWeChat,
    /// WeChat Pay payments with the wallet.
    Payment,
}

impl MovementKind {
    pub const ALL: [MovementKind; 6] = [
        Self::TopUp,
        Self::Withdraw,
        Self::Transfer,
        Self::Bill,
        Self::ToWeChat,
        Self::Payment,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The most one movement may carry.
    pub single: Fen,
    /// The most all movements of the kind may carry in one CST day.
    pub daily: Fen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    top_up: Limit,
    withdraw: Limit,
    transfer: Limit,
    bill: Limit,
    to_wechat: Limit,
    payment: Limit,
}

impl Policy {
    pub const STANDARD: Policy = Policy {
        top_up: Limit {
            single: Fen::from_yuan(50_000),
            daily: Fen::from_yuan(100_000),
        },
        withdraw: Limit {
            single: Fen::from_yuan(20_000),
            daily: Fen::from_yuan(50_000),
        },
        transfer: Limit {
            single: Fen::from_yuan(20_000),
            daily: Fen::from_yuan(50_000),
        },
        bill: Limit {
            single: Fen::from_yuan(5_000),
            daily: Fen::from_yuan(10_000),
        },
        to_wechat: Limit {
            single: Fen::from_yuan(20_000),
            daily: Fen::from_yuan(50_000),
        },
        payment: Limit {
            single: Fen::from_yuan(20_000),
            daily: Fen::from_yuan(50_000),
        },
    };

    pub fn limit(&self, kind: MovementKind) -> Limit {
        match kind {
            MovementKind::TopUp => self.top_up,
            MovementKind::Withdraw => self.withdraw,
            MovementKind::Transfer => self.transfer,
            MovementKind::Bill => self.bill,
            MovementKind::ToWeChat => self.to_wechat,
            MovementKind::Payment => self.payment,
        }
    }
}
