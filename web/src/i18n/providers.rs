//! The wallet providers and the chooser (「选择钱包」) in zh-CN and English:
//! names, features, security measures, devices, the four criteria, the
//! reasons behind a ranking and what users say.

use super::{bank_name, Locale};
use qianbao_core::provider::{Criterion, Device, Feature, ProviderId, Reason, SecurityMeasure};

pub fn provider_name(locale: Locale, id: ProviderId) -> &'static str {
    match id {
        ProviderId::Jia => locale.pick("甲钱包", "Jia Wallet"),
        ProviderId::Yi => locale.pick("乙钱包", "Yi Wallet"),
        ProviderId::Bing => locale.pick("丙钱包", "Bing Wallet"),
    }
}

/// One line on what the provider is for.
pub fn provider_pitch(locale: Locale, id: ProviderId) -> &'static str {
    match id {
        ProviderId::Jia => locale.pick("功能最全：理财、缴费、转账一应俱全，标准限额。",
            "The most features: savings, bills and transfers, standard limits."),
        ProviderId::Yi => locale.pick("口碑最好、防护最全，各种设备都能用；不做理财，限额较低。",
            "Best reviewed, best protected, on every device; no savings, lower limits."),
        ProviderId::Bing => locale.pick("支持所有银行、限额高，商户不要求额外确认；不能缴费，没有 iPhone 版。",
            "Takes every bank, high limits, no merchant extra confirmation; no bills, no iPhone app."),
    }
}

/// What users say (fictional reviews).
pub fn reviews(locale: Locale, id: ProviderId) -> [&'static str; 2] {
    match (locale, id) {
        (Locale::ZhCn, ProviderId::Jia) => [
            "“理财和缴费都在一个 App 里，很方便。”",
            "“只有手机版，电脑上用不了。”",
        ],
        (Locale::En, ProviderId::Jia) => [
            "“Savings and bills in one app, very handy.”",
            "“Phone only, no way to use it on a computer.”",
        ],
        (Locale::ZhCn, ProviderId::Yi) => [
            "“界面简单，绑定微信一次就成功。”",
            "“想买理财产品，可惜没有。”",
        ],
        (Locale::En, ProviderId::Yi) => [
            "“Simple screens; binding to WeChat worked first time.”",
            "“I wanted a savings product, but there is none.”",
        ],
        (Locale::ZhCn, ProviderId::Bing) => [
            "“邮储卡也能绑，限额够用。”",
            "“交不了电费，iPhone 也装不上。”",
        ],
        (Locale::En, ProviderId::Bing) => [
            "“Takes my Postal Savings card; the limits are plenty.”",
            "“Cannot pay the electricity bill, and no iPhone app.”",
        ],
    }
}

pub fn feature_name(locale: Locale, feature: Feature) -> &'static str {
    match feature {
        Feature::Wealth => locale.pick("理财", "savings"),
        Feature::Bills => locale.pick("缴费", "bill payment"),
        Feature::Transfers => locale.pick("转账", "transfers"),
    }
}

pub fn measure_name(locale: Locale, measure: SecurityMeasure) -> &'static str {
    match measure {
        SecurityMeasure::TwoFactor => locale.pick("两步验证", "two-step verification"),
        SecurityMeasure::Encryption => locale.pick("数据加密", "data encryption"),
        SecurityMeasure::Biometric => locale.pick("指纹/面容支付", "fingerprint or face to pay"),
        SecurityMeasure::RiskMonitoring => {
            locale.pick("异常交易监控", "unusual-payment monitoring")
        }
    }
}

pub fn device_name(locale: Locale, device: Device) -> &'static str {
    match device {
        Device::Ios => "iPhone (iOS)",
        Device::Android => locale.pick("安卓", "Android"),
        Device::HarmonyOs => locale.pick("鸿蒙", "HarmonyOS"),
        Device::Web => locale.pick("网页版", "Web"),
    }
}

pub fn criterion_name(locale: Locale, criterion: Criterion) -> &'static str {
    match criterion {
        Criterion::Features => locale.pick("功能多样性", "Range of features"),
        Criterion::Reviews => locale.pick("用户评价", "User reviews"),
        Criterion::Security => locale.pick("安全性", "Security"),
        Criterion::Compatibility => locale.pick("兼容性", "Compatibility"),
    }
}

/// A rating as stars: 46 tenths → "4.6★".
pub fn stars(tenths: u8) -> String {
    format!("{}.{}★", tenths / 10, tenths % 10)
}

pub fn reason(locale: Locale, reason: Reason) -> String {
    match (locale, reason) {
        (Locale::ZhCn, Reason::Offers(f)) => format!("✓ 提供{}", feature_name(locale, f)),
        (Locale::En, Reason::Offers(f)) => format!("✓ offers {}", feature_name(locale, f)),
        (Locale::ZhCn, Reason::Lacks(f)) => format!("✗ 不提供{}", feature_name(locale, f)),
        (Locale::En, Reason::Lacks(f)) => format!("✗ no {}", feature_name(locale, f)),
        (Locale::ZhCn, Reason::Rated { tenths, reviews }) => {
            format!("用户评分 {}（{reviews} 条评价）", stars(tenths))
        }
        (Locale::En, Reason::Rated { tenths, reviews }) => {
            format!("rated {} by {reviews} users", stars(tenths))
        }
        (Locale::ZhCn, Reason::Protects(m)) => format!("✓ {}", measure_name(locale, m)),
        (Locale::En, Reason::Protects(m)) => format!("✓ {}", measure_name(locale, m)),
        (Locale::ZhCn, Reason::AcceptsBank(b)) => format!("✓ 支持你的{}卡", bank_name(locale, b)),
        (Locale::En, Reason::AcceptsBank(b)) => {
            format!("✓ takes your {} card", bank_name(locale, b))
        }
        (Locale::ZhCn, Reason::RefusesBank(b)) => format!("✗ 不支持{}卡", bank_name(locale, b)),
        (Locale::En, Reason::RefusesBank(b)) => {
            format!("✗ does not take {} cards", bank_name(locale, b))
        }
        (Locale::ZhCn, Reason::RunsOn(d)) => format!("✓ 支持{}", device_name(locale, d)),
        (Locale::En, Reason::RunsOn(d)) => format!("✓ runs on {}", device_name(locale, d)),
        (Locale::ZhCn, Reason::NotOn(d)) => format!("✗ 没有{}版", device_name(locale, d)),
        (Locale::En, Reason::NotOn(d)) => format!("✗ no {} app", device_name(locale, d)),
        (Locale::ZhCn, Reason::BanksCovered(n)) => format!("支持 {n} 家银行"),
        (Locale::En, Reason::BanksCovered(n)) => format!("takes cards of {n} banks"),
        (Locale::ZhCn, Reason::DevicesCovered(n)) => format!("支持 {n} 种设备"),
        (Locale::En, Reason::DevicesCovered(n)) => format!("runs on {n} kinds of device"),
    }
}
