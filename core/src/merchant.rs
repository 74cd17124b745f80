//! The demo merchants (SPEC F4): stores that take WeChat Pay, as data.
//!
//! Prices are fen. A merchant may require the wallet's extra confirmation
//! (the article's 三.2: "对于某些特定的商家，可能会有额外的步骤要求用户再次
//! 确认数字钱包内的支付信息") for payments at or above a threshold.

use crate::money::Fen;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A merchant: one of the demo stores, or a merchant a developer registered
/// with the sandbox server (`qianbao-sandbox merchant add`), known by the
/// 商户号 WeChat Pay gave it. Stored as text: `cafe`, `books`, `digital`, or
/// the ten digits of a 商户号.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum MerchantId {
    Cafe,
    Books,
    Digital,
    Registered(Mchid),
}

impl MerchantId {
    /// The demo stores.
    pub const ALL: [MerchantId; 3] = [MerchantId::Cafe, MerchantId::Books, MerchantId::Digital];

    /// A demo store by its name in paths (`cafe`, `books`, `digital`).
    pub fn demo_named(text: &str) -> Option<MerchantId> {
        Self::ALL.into_iter().find(|m| m.to_string() == text)
    }

    /// A demo store by name, or a registered merchant by its 商户号.
    pub fn parse(text: &str) -> Option<MerchantId> {
        Self::demo_named(text).or_else(|| Mchid::parse(text).map(MerchantId::Registered))
    }

    /// The demo store's products and rules; `None` for a registered merchant
    /// (whose orders come from its own backend, see [`crate::payapi`]).
    pub fn demo(self) -> Option<&'static Merchant> {
        match self {
            MerchantId::Cafe => Some(&CAFE),
            MerchantId::Books => Some(&BOOKS),
            MerchantId::Digital => Some(&DIGITAL),
            MerchantId::Registered(_) => None,
        }
    }
}

impl fmt::Display for MerchantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MerchantId::Cafe => f.write_str("cafe"),
            MerchantId::Books => f.write_str("books"),
            MerchantId::Digital => f.write_str("digital"),
            MerchantId::Registered(mchid) => write!(f, "{mchid}"),
        }
    }
}

impl From<MerchantId> for String {
    fn from(id: MerchantId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for MerchantId {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        MerchantId::parse(&text).ok_or_else(|| format!("unknown merchant {text:?}"))
    }
}

/// A 商户号: ten digits, not starting with 0 (stored as its text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Mchid(u64);

impl Mchid {
    pub fn parse(text: &str) -> Option<Mchid> {
        let ok =
            text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
        ok.then(|| text.parse().ok().map(Mchid)).flatten()
    }

    pub const fn get(self) -> u64 {
        self.0
    }
}

impl From<Mchid> for String {
    fn from(id: Mchid) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for Mchid {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Mchid::parse(&text).ok_or_else(|| format!("not a 商户号: {text:?}"))
    }
}

impl fmt::Display for Mchid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a purchase is, for bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Food,
    Books,
    Electronics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    pub sku: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub price: Fen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merchant {
    pub id: MerchantId,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub category: Category,
    /// Wallet payments at or above this amount need the extra confirmation.
    pub extra_confirmation_from: Option<Fen>,
    /// How long an order may wait for payment.
    pub order_minutes: u32,
    pub products: &'static [Product],
}

impl Merchant {
    pub fn product(&self, sku: &str) -> Option<&'static Product> {
        self.products.iter().find(|p| p.sku == sku)
    }

    pub fn needs_extra_confirmation(&self, amount: Fen) -> bool {
        self.extra_confirmation_from
            .is_some_and(|from| amount >= from)
    }
}

pub static CAFE: Merchant = Merchant {
    id: MerchantId::Cafe,
    name_zh: "街角咖啡",
    name_en: "Corner Café",
    category: Category::Food,
    extra_confirmation_from: None,
    order_minutes: 15,
    products: &[
        Product {
            sku: "latte",
            name_zh: "拿铁",
            name_en: "Latte",
            price: Fen::new(2_800),
        },
        Product {
            sku: "americano",
            name_zh: "美式咖啡",
            name_en: "Americano",
            price: Fen::new(2_200),
        },
        Product {
            sku: "croissant",
            name_zh: "可颂",
            name_en: "Croissant",
            price: Fen::new(1_650),
        },
    ],
};

pub static BOOKS: Merchant = Merchant {
    id: MerchantId::Books,
    name_zh: "书香书店",
    name_en: "Bookworm",
    category: Category::Books,
    extra_confirmation_from: None,
    order_minutes: 30,
    products: &[
        Product {
            sku: "novel",
            name_zh: "长篇小说",
            name_en: "A novel",
            price: Fen::new(4_580),
        },
        Product {
            sku: "atlas",
            name_zh: "中国地图册",
            name_en: "Atlas of China",
            price: Fen::new(6_800),
        },
    ],
};

pub static DIGITAL: Merchant = Merchant {
    id: MerchantId::Digital,
    name_zh: "数码优选",
    name_en: "Digital Select",
    category: Category::Electronics,
    extra_confirmation_from: Some(Fen::from_yuan(500)),
    order_minutes: 15,
    products: &[
        Product {
            sku: "earbuds",
            name_zh: "蓝牙耳机",
            name_en: "Earbuds",
            price: Fen::new(39_900),
        },
        Product {
            sku: "powerbank",
            name_zh: "充电宝",
            name_en: "Power bank",
            price: Fen::new(12_900),
        },
        Product {
            sku: "tablet",
            name_zh: "平板电脑",
            name_en: "Tablet",
            price: Fen::new(259_900),
        },
    ],
};
