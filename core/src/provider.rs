//! Wallet providers (SPEC F7, the article's 三、5「如何选择合适的数字钱包」):
//! three fictional providers as data — what they offer, how users rate
//! them, how they protect accounts, which banks and devices they work with,
//! their limits — and the ranking the chooser shows for what a person needs.
//!
//! The provider an account registers with drives the rules it then follows:
//! single and daily limits per kind of movement (counted per account and per
//! China Standard Time day), the banks whose cards it accepts, the features
//! it offers, and whether merchants' extra confirmation applies.
//!
//! # Ranking
//! Each provider gets a score out of 100 on each of the article's four
//! criteria — 功能多样性 (the features wanted, or all three), 用户评价
//! (rating: 3.0★ → 0, 5.0★ → 100), 安全性 (25 per security measure) and
//! 兼容性 (the person's bank and device, or how many are covered). The
//! criterion the person cares most about counts three times. A provider that lacks
//! something the person *needs* (their bank, their device, a wanted feature)
//! ranks after every one that has it, whatever its score. Ties go to the
//! provider listed first. Every score comes with the reasons behind it.

use crate::card::Bank;
use crate::money::Fen;
use serde::{Deserialize, Serialize};

/// The providers, as chosen at registration.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ProviderId {
    /// 甲钱包. Accounts from before providers existed belong here: its
    /// rules are the ones they always followed.
    #[default]
    Jia,
    /// 乙钱包.
    Yi,
    /// 丙钱包.
    Bing,
}

impl ProviderId {
    pub const ALL: [ProviderId; 3] = [Self::Jia, Self::Yi, Self::Bing];

    pub fn provider(self) -> &'static Provider {
        match self {
            Self::Jia => &JIA,
            Self::Yi => &YI,
            Self::Bing => &BING,
        }
    }

    /// The stable name in URLs (`/register?provider=yi`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jia => "jia",
            Self::Yi => "yi",
            Self::Bing => "bing",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text.trim())
    }
}

/// What a wallet can do beyond holding money.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Feature {
    /// 理财: a savings product.
    Wealth,
    /// 缴费: electricity, water, phone bills.
    Bills,
    /// 转账 to other wallet users.
    Transfers,
}

impl Feature {
    pub const ALL: [Feature; 3] = [Self::Wealth, Self::Bills, Self::Transfers];
}

/// How a provider protects accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecurityMeasure {
    /// Two-step verification at login.
    TwoFactor,
    /// Data encrypted at rest.
    Encryption,
    /// Fingerprint or face to pay.
    Biometric,
    /// Risk monitoring of unusual payments.
    RiskMonitoring,
}

/// Devices a wallet app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Device {
    Ios,
    Android,
    HarmonyOs,
    Web,
}

impl Device {
    pub const ALL: [Device; 4] = [Self::Ios, Self::Android, Self::HarmonyOs, Self::Web];
}

/// One provider, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub id: ProviderId,
    pub features: &'static [Feature],
    /// Average rating in tenths of a star (46 = 4.6★).
    pub rating_tenths: u8,
    pub reviews: u32,
    pub security: &'static [SecurityMeasure],
    /// The (fictional) payment licence number.
    pub licence: &'static str,
    pub banks: &'static [Bank],
    pub devices: &'static [Device],
    pub policy: Policy,
    /// Whether a merchant's 「额外确认」 applies to payments with this wallet.
    pub extra_confirmation: bool,
    /// The published annual rate of its 理财 product, in basis points
    /// (180 = 1.80%); 0 when it offers none.
    pub wealth_rate_bp: u32,
}

impl Provider {
    pub fn offers(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }

    pub fn accepts(&self, bank: Bank) -> bool {
        self.banks.contains(&bank)
    }

    pub fn runs_on(&self, device: Device) -> bool {
        self.devices.contains(&device)
    }
}

const fn limit(single: i64, daily: i64) -> Limit {
    Limit {
        single: Fen::from_yuan(single),
        daily: Fen::from_yuan(daily),
    }
}

pub const JIA: Provider = Provider {
    id: ProviderId::Jia,
    features: &[Feature::Wealth, Feature::Bills, Feature::Transfers],
    rating_tenths: 43,
    reviews: 8_420,
    security: &[
        SecurityMeasure::TwoFactor,
        SecurityMeasure::Encryption,
        SecurityMeasure::RiskMonitoring,
    ],
    licence: "Z2026031000011",
    banks: &[
        Bank::Icbc,
        Bank::Abc,
        Bank::Boc,
        Bank::Ccb,
        Bank::Bocom,
        Bank::Cmb,
    ],
    devices: &[Device::Ios, Device::Android],
    policy: Policy::STANDARD,
    extra_confirmation: true,
    wealth_rate_bp: 180,
};

pub const YI: Provider = Provider {
    id: ProviderId::Yi,
    features: &[Feature::Bills, Feature::Transfers],
    rating_tenths: 48,
    reviews: 56_200,
    security: &[
        SecurityMeasure::TwoFactor,
        SecurityMeasure::Encryption,
        SecurityMeasure::Biometric,
        SecurityMeasure::RiskMonitoring,
    ],
    licence: "Z2026031000027",
    banks: &[
        Bank::Icbc,
        Bank::Abc,
        Bank::Boc,
        Bank::Ccb,
        Bank::Cmb,
        Bank::Psbc,
    ],
    devices: &[Device::Ios, Device::Android, Device::HarmonyOs, Device::Web],
    policy: Policy {
        top_up: limit(10_000, 50_000),
        withdraw: limit(5_000, 20_000),
        transfer: limit(5_000, 20_000),
        bill: limit(2_000, 5_000),
        to_wechat: limit(5_000, 20_000),
        payment: limit(5_000, 20_000),
    },
    extra_confirmation: true,
    wealth_rate_bp: 0,
};

pub const BING: Provider = Provider {
    id: ProviderId::Bing,
    features: &[Feature::Wealth, Feature::Transfers],
    rating_tenths: 41,
    reviews: 3_150,
    security: &[SecurityMeasure::TwoFactor, SecurityMeasure::Encryption],
    licence: "Z2026031000035",
    banks: &[
        Bank::Icbc,
        Bank::Abc,
        Bank::Boc,
        Bank::Ccb,
        Bank::Bocom,
        Bank::Cmb,
        Bank::Psbc,
    ],
    devices: &[Device::Android, Device::HarmonyOs, Device::Web],
    policy: Policy {
        top_up: limit(100_000, 200_000),
        withdraw: limit(50_000, 100_000),
        transfer: limit(50_000, 200_000),
        bill: limit(5_000, 10_000),
        to_wechat: limit(50_000, 100_000),
        payment: limit(50_000, 100_000),
    },
    extra_confirmation: false,
    wealth_rate_bp: 210,
};

/// The article's four criteria for choosing (三、5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criterion {
    /// 功能多样性.
    Features,
    /// 用户评价.
    Reviews,
    /// 安全性.
    Security,
    /// 兼容性.
    Compatibility,
}

impl Criterion {
    pub const ALL: [Criterion; 4] = [
        Self::Features,
        Self::Reviews,
        Self::Security,
        Self::Compatibility,
    ];
}

/// What a person told the chooser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub bank: Option<Bank>,
    pub device: Option<Device>,
    pub wants: Vec<Feature>,
    /// The criterion that matters most to them (counts three times).
    pub priority: Option<Criterion>,
}

/// Why a provider scored as it did, for the chooser to word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Offers(Feature),
    Lacks(Feature),
    Rated { tenths: u8, reviews: u32 },
    Protects(SecurityMeasure),
    AcceptsBank(Bank),
    RefusesBank(Bank),
    RunsOn(Device),
    NotOn(Device),
    BanksCovered(usize),
    DevicesCovered(usize),
}

/// One line of the ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub provider: ProviderId,
    /// Weighted total.
    pub score: u32,
    /// Score out of 100 per criterion, in [`Criterion::ALL`] order.
    pub scores: [u32; 4],
    /// Whether it has everything the person needs.
    pub suitable: bool,
    pub reasons: Vec<Reason>,
}

/// The providers ranked for `needs`, best first.
pub fn rank(needs: &Needs) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = ProviderId::ALL
        .into_iter()
        .map(|id| assess(id.provider(), needs))
        .collect();
    // Stable sort: ties keep the catalogue's order.
    ranked.sort_by_key(|r| (!r.suitable, std::cmp::Reverse(r.score)));
    ranked
}

fn assess(provider: &Provider, needs: &Needs) -> Ranked {
    let mut reasons = Vec::new();
    let mut suitable = true;

    let asked: Vec<Feature> = if needs.wants.is_empty() {
        Feature::ALL.to_vec()
    } else {
        needs.wants.clone()
    };
    let mut offered = 0;
    for feature in &asked {
        if provider.offers(*feature) {
            offered += 1;
            reasons.push(Reason::Offers(*feature));
        } else {
            reasons.push(Reason::Lacks(*feature));
            suitable &= needs.wants.is_empty();
        }
    }
    let features = share(offered, asked.len());

    reasons.push(Reason::Rated {
        tenths: provider.rating_tenths,
        reviews: provider.reviews,
    });
    let reviews = u32::from(provider.rating_tenths.clamp(30, 50) - 30) * 5;

    reasons.extend(provider.security.iter().map(|m| Reason::Protects(*m)));
    let security = (25 * provider.security.len() as u32).min(100);

    let bank = match needs.bank {
        Some(bank) if provider.accepts(bank) => {
            reasons.push(Reason::AcceptsBank(bank));
            100
        }
        Some(bank) => {
            reasons.push(Reason::RefusesBank(bank));
            suitable = false;
            0
        }
        None => {
            reasons.push(Reason::BanksCovered(provider.banks.len()));
            share(provider.banks.len(), crate::card::Bank::ALL.len())
        }
    };
    let device = match needs.device {
        Some(device) if provider.runs_on(device) => {
            reasons.push(Reason::RunsOn(device));
            100
        }
        Some(device) => {
            reasons.push(Reason::NotOn(device));
            suitable = false;
            0
        }
        None => {
            reasons.push(Reason::DevicesCovered(provider.devices.len()));
            share(provider.devices.len(), Device::ALL.len())
        }
    };
    let compatibility = (bank + device) / 2;

    let scores = [features, reviews, security, compatibility];
    let score = Criterion::ALL
        .iter()
        .zip(scores)
        .map(|(criterion, s)| {
            if needs.priority == Some(*criterion) {
                3 * s
            } else {
                s
            }
        })
        .sum();
    Ranked {
        provider: provider.id,
        score,
        scores,
        suitable,
        reasons,
    }
}

/// `part` of `whole` as a whole percentage (rounded down).
fn share(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    u32::try_from(part * 100 / whole).unwrap_or(100)
}

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

    pub const fn limit(&self, kind: MovementKind) -> Limit {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn needs(
        bank: Option<Bank>,
        device: Option<Device>,
        wants: &[Feature],
        priority: Option<Criterion>,
    ) -> Needs {
        Needs {
            bank,
            device,
            wants: wants.to_vec(),
            priority,
        }
    }

    fn order(needs: &Needs) -> Vec<ProviderId> {
        rank(needs).into_iter().map(|r| r.provider).collect()
    }

    use Criterion as C;
    use Feature as F;
    use ProviderId::{Bing, Jia, Yi};

    #[rstest]
    // Nothing said: 乙 is best rated, safest and runs everywhere.
    #[case(needs(None, None, &[], None), [Yi, Jia, Bing])]
    // Features first: only 甲 has all three.
    #[case(needs(None, None, &[], Some(C::Features)), [Jia, Yi, Bing])]
    // 理财 needed: 乙 has none, so it ranks last however well rated.
    #[case(needs(None, None, &[F::Wealth], Some(C::Reviews)), [Jia, Bing, Yi])]
    // A 邮储 card: 甲 does not take it.
    #[case(needs(Some(Bank::Psbc), None, &[], None), [Yi, Bing, Jia])]
    // An iPhone: 丙 has no iOS app.
    #[case(needs(None, Some(Device::Ios), &[F::Transfers], None), [Yi, Jia, Bing])]
    // 邮储, HarmonyOS and 理财: only 丙 has all three.
    #[case(needs(Some(Bank::Psbc), Some(Device::HarmonyOs), &[F::Wealth], Some(C::Security)), [Bing, Yi, Jia])]
    fn ranking(#[case] needs: Needs, #[case] expected: [ProviderId; 3]) {
        assert_eq!(order(&needs), expected.to_vec());
    }

    #[test]
    fn every_score_has_its_reasons() {
        let ranked = rank(&needs(
            Some(Bank::Bocom),
            Some(Device::Ios),
            &[F::Wealth],
            None,
        ));
        let yi = ranked.iter().find(|r| r.provider == Yi).cloned();
        let yi = yi.unwrap_or_else(|| panic!("乙 ranked"));
        assert!(!yi.suitable);
        assert!(yi.reasons.contains(&Reason::Lacks(F::Wealth)));
        assert!(yi.reasons.contains(&Reason::RefusesBank(Bank::Bocom)));
        assert!(yi.reasons.contains(&Reason::RunsOn(Device::Ios)));
        assert!(yi.reasons.contains(&Reason::Rated {
            tenths: 48,
            reviews: 56_200
        }));
        assert_eq!(yi.scores, [0, 90, 100, 50]);
        assert_eq!(yi.score, 240);
    }

    #[test]
    fn the_catalogue_is_consistent() {
        for id in ProviderId::ALL {
            let p = id.provider();
            assert_eq!(p.id, id);
            assert_eq!(ProviderId::parse(id.as_str()), Some(id));
            assert!(p.offers(F::Transfers), "every wallet transfers");
            assert_eq!(
                p.offers(F::Wealth),
                p.wealth_rate_bp > 0,
                "{id:?}: 理财 has a rate"
            );
            assert!(!p.banks.is_empty() && !p.devices.is_empty());
            for kind in MovementKind::ALL {
                let l = p.policy.limit(kind);
                assert!(l.single <= l.daily, "{id:?} {kind:?}");
            }
        }
        assert_eq!(ProviderId::parse("nope"), None);
        assert_eq!(ProviderId::default(), Jia);
    }
}
