//! The demo merchants (SPEC F4): stores that take WeChat Pay, as data.
//!
//! Prices are fen. A merchant may require the wallet's extra confirmation
//! (the article's 三.2: "对于某些特定的商家，可能会有额外的步骤要求用户再次
//! 确认数字钱包内的支付信息") for payments at or above a threshold.

use crate::money::Fen;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MerchantId {
    Cafe,
    Books,
    Digital,
}

impl MerchantId {
    pub const ALL: [MerchantId; 3] = [MerchantId::Cafe, MerchantId::Books, MerchantId::Digital];

    pub fn as_str(self) -> &'static str {
        match self {
            MerchantId::Cafe => "cafe",
            MerchantId::Books => "books",
            MerchantId::Digital => "digital",
        }
    }

    pub fn parse(text: &str) -> Option<MerchantId> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }

    pub fn merchant(self) -> &'static Merchant {
        match self {
            MerchantId::Cafe => &CAFE,
            MerchantId::Books => &BOOKS,
            MerchantId::Digital => &DIGITAL,
        }
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
