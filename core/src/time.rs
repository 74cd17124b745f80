//! Time as `core` sees it: a count of milliseconds handed in by the caller.
//!
//! Nothing in `core` reads a clock. Operations that depend on time take a
//! `now: Timestamp`; the browser passes the wall clock, tests pass whatever
//! instant they need, which is what makes expiry and lockout testable to the
//! millisecond.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// `self + duration`, saturating at the end of time.
    pub fn plus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// How long after `earlier` this instant is; zero if it is not after it.
    pub fn since(self, earlier: Timestamp) -> Duration {
        let millis = self.0.saturating_sub(earlier.0).max(0);
        Duration::from_millis(u64::try_from(millis).unwrap_or(0))
    }
}

/// China Standard Time is UTC+8 all year (no daylight saving): the wallet's
/// days and months, for daily limits and monthly history, are CST ones.
const CST_OFFSET_MS: i64 = 8 * 3600 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The CST calendar day of `at`, as days since 1970-01-01.
pub fn day_cst(at: Timestamp) -> i64 {
    at.0.saturating_add(CST_OFFSET_MS).div_euclid(DAY_MS)
}

/// The moment CST day `day` begins (00:00 in Beijing).
pub fn start_of_day_cst(day: i64) -> Timestamp {
    Timestamp(day.saturating_mul(DAY_MS).saturating_sub(CST_OFFSET_MS))
}

/// The CST (year, month 1–12) of `at`.
pub fn year_month_cst(at: Timestamp) -> (i64, u32) {
    let (year, month, _) = civil_from_days(day_cst(at));
    (year, month)
}

/// The CST (year, month, day) of `at`.
pub fn date_cst(at: Timestamp) -> (i64, u32, u32) {
    civil_from_days(day_cst(at))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
/// `days_from_civil`); the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `at` as WeChat Pay writes times: RFC 3339 in Beijing time, to the second
/// (`2026-12-02T14:05:09+08:00`).
pub fn rfc3339_cst(at: Timestamp) -> String {
    let (year, month, day) = date_cst(at);
    let of_day = at.0.saturating_add(CST_OFFSET_MS).rem_euclid(DAY_MS) / 1000;
    let (h, m, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}+08:00")
}

/// The number the `len` ASCII digits of `text` from `from` make (`None`
/// unless all are digits).
fn digits(text: &str, from: usize, len: usize) -> Option<i64> {
    let part = text.get(from..from + len)?;
    part.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

/// A CST calendar date written `yyyy-MM-DD` (as WeChat Pay's `bill_date`),
/// as days since 1970-01-01; `None` for anything else.
pub fn parse_date_cst(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(text, 0, 4)?;
    let month = u32::try_from(digits(text, 5, 2)?).ok()?;
    let day = u32::try_from(digits(text, 8, 2)?).ok()?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

/// `at` as WeChat Pay's bills write times: `yyyy-MM-DD HH:mm:ss`, Beijing.
pub fn date_time_cst(at: Timestamp) -> String {
    let (year, month, day) = date_cst(at);
    let of_day = at.0.saturating_add(CST_OFFSET_MS).rem_euclid(DAY_MS) / 1000;
    let (h, m, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}")
}

/// Reads an RFC 3339 time with an offset (`…+08:00`, `…Z`, fractions of a
/// second allowed and dropped). `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let digits = |from: usize, len: usize| digits(text, from, len);
    let sep = |at: usize, c: &[u8]| b.get(at).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    let month = u32::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let day = u32::try_from(day).ok().filter(|d| *d >= 1)?;
    if civil_from_days(days_from_civil(year, month, day)) != (year, month, day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .filter(|&n| n > 0)?;
        rest = &fraction[end..];
    }
    let offset_secs = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (digits(text.len() - 5, 2)?, digits(text.len() - 2, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = oh * 3600 + om * 60;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_secs;
    Some(Timestamp(secs.checked_mul(1000)?))
}

/// Whole seconds in `duration`, rounded up: "try again in 3 s" must never say 0.
pub fn ceil_secs(duration: Duration) -> u64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs + 1
    } else {
        secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_never_negative() {
        let a = Timestamp::from_millis(1_000);
        let b = Timestamp::from_millis(4_500);
        assert_eq!(b.since(a), Duration::from_millis(3_500));
        assert_eq!(a.since(b), Duration::ZERO);
        assert_eq!(ceil_secs(b.since(a)), 4);
    }

    #[test]
    fn cst_dates() {
        // 2026-11-18 16:53 UTC is already the 19th in Beijing.
        let at = Timestamp::from_millis(1_795_020_800_000);
        assert_eq!(date_cst(at), (2026, 11, 19));
        assert_eq!(date_cst(Timestamp::from_millis(0)), (1970, 1, 1));
        assert_eq!(
            date_cst(Timestamp::from_millis(951_782_400_000)),
            (2000, 2, 29)
        );
        assert_eq!(
            year_month_cst(Timestamp::from_millis(1_795_000_000_000)),
            (2026, 11)
        );
        let midnight = Timestamp::from_millis(1_795_017_600_000);
        assert_eq!(
            day_cst(midnight) - day_cst(Timestamp::from_millis(1_795_017_600_000 - 1)),
            1
        );
    }

    #[test]
    fn plus_saturates() {
        let end = Timestamp::from_millis(i64::MAX - 1).plus(Duration::from_secs(5));
        assert_eq!(end.as_millis(), i64::MAX);
    }

    #[test]
    fn bill_dates_read_as_beijing_days() {
        let at = Timestamp::from_millis(1_764_655_509_000); // 2025-12-02 14:05:09 CST
        assert_eq!(parse_date_cst("2025-12-02"), Some(day_cst(at)));
        assert_eq!(date_time_cst(at), "2025-12-02 14:05:09");
        assert_eq!(
            parse_date_cst("2024-02-29").map(|d| d + 1),
            parse_date_cst("2024-03-01")
        );
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-12-00",
            "2025-1-02",
            "2025/12/02",
            "2025-12-02 ",
            "",
            "２０２５-12-02",
        ] {
            assert_eq!(parse_date_cst(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_round_trips_in_beijing_time() {
        let at = Timestamp::from_millis(1_764_655_509_000);
        assert_eq!(rfc3339_cst(at), "2025-12-02T14:05:09+08:00");
        assert_eq!(parse_rfc3339("2025-12-02T14:05:09+08:00"), Some(at));
        assert_eq!(parse_rfc3339("2025-12-02T06:05:09Z"), Some(at));
        assert_eq!(parse_rfc3339("2025-12-02T06:05:09.250Z"), Some(at));
        assert_eq!(parse_rfc3339("2025-12-01T22:05:09-08:00"), Some(at));
        for bad in [
            "",
            "2025-12-02",
            "2025-12-02T14:05:09",
            "2025-02-30T14:05:09+08:00",
            "2025-12-02T24:00:00+08:00",
            "2025-12-02T14:05:09+0800",
            "2025-12-02T14:05:09.Z",
            "２025-12-02T14:05:09Z",
            "2025-12-02T14:05:09+08:00 ",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }
}
