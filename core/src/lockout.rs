//! The lock that falls after too many wrong secrets in a row — one rule for
//! the wallet's password and two-step codes, WeChat's login password, WeChat
//! Pay's 支付密码 and the unlock screen of the encrypted data:
//! [`MAX_FAILURES`] wrong in a row lock for [`LOCK`]; while locked even the
//! right secret is refused; a success clears the count. It is stored, so a
//! reload does not reset it. An empty secret is no try at all: the commands
//! refuse it ([`is_blank`]) before it can count or meet the lock.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const MAX_FAILURES: u8 = 5;
pub const LOCK: Duration = Duration::from_secs(15 * 60);

/// Whether a typed secret is empty (or only spaces): nothing was typed, so
/// it is refused with "please enter …" and never counted as a wrong try. No
/// password, 支付密码 or code can be all spaces, so none is lost this way.
pub fn is_blank(typed: &str) -> bool {
    typed.trim().is_empty()
}

/// Wrong secrets in a row, and the lock they caused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    /// (Stored as `failures` by WeChat Pay's guard before it shared this.)
    #[serde(default, alias = "failures", skip_serializing_if = "is_zero")]
    failed_logins: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locked_until: Option<Timestamp>,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// What one more wrong secret leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// This many more tries before the lock.
    Remaining(u8),
    /// Locked until then.
    Locked(Timestamp),
}

impl Lockout {
    /// When the lock ends, if it holds at `now`.
    pub fn locked_until(&self, now: Timestamp) -> Option<Timestamp> {
        self.locked_until.filter(|until| *until > now)
    }

    /// Counts a wrong secret at `now`.
    pub fn fail(&mut self, now: Timestamp) -> Failure {
        self.failed_logins = self.failed_logins.saturating_add(1);
        if self.failed_logins >= MAX_FAILURES {
            let until = now.plus(LOCK);
            *self = Self {
                failed_logins: 0,
                locked_until: Some(until),
            };
            return Failure::Locked(until);
        }
        Failure::Remaining(MAX_FAILURES - self.failed_logins)
    }

    /// A right secret: the count starts again.
    pub fn succeed(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(secs * 1000)
    }

    #[test]
    fn five_in_a_row_lock_for_fifteen_minutes_and_a_success_clears() {
        let mut lockout = Lockout::default();
        for remaining in (1..MAX_FAILURES).rev() {
            assert_eq!(lockout.fail(at(10)), Failure::Remaining(remaining));
        }
        assert_eq!(lockout.fail(at(10)), Failure::Locked(at(910)));
        assert_eq!(lockout.locked_until(at(909)), Some(at(910)));
        assert_eq!(lockout.locked_until(at(910)), None);
        assert_eq!(lockout.fail(at(911)), Failure::Remaining(4));
        lockout.succeed();
        assert_eq!(lockout, Lockout::default());
    }

    #[rstest::rstest]
    #[case("", true)]
    #[case("   ", true)]
    #[case("\u{3000}\t", true)]
    #[case(" a ", false)]
    #[case("0", false)]
    fn blank_secrets_are_no_try(#[case] typed: &str, #[case] blank: bool) {
        assert_eq!(is_blank(typed), blank);
    }

    #[test]
    fn it_reads_every_stored_spelling() {
        let old_guard: Lockout =
            serde_json::from_str(r#"{"failures":3,"locked_until":null}"#).unwrap_or_default();
        assert_eq!(old_guard.failed_logins, 3);
        let account: Lockout =
            serde_json::from_str(r#"{"failed_logins":2,"locked_until":5000}"#).unwrap_or_default();
        assert_eq!(account.locked_until(at(1)), Some(at(5)));
        assert_eq!(
            serde_json::to_string(&Lockout::default()).unwrap_or_default(),
            "{}"
        );
    }
}
