//! One-time verification codes, as an SMS gateway and its checker keep them.
//!
//! A code is six random digits, bound to an address (a phone number or an
//! e-mail address) and a [`Purpose`]. It is valid for [`CODE_TTL`], allows
//! [`MAX_ATTEMPTS`] wrong entries before it dies, and a new one for the same
//! address and purpose can be asked for only [`RESEND_AFTER`] after the last
//! one. Asking again replaces the previous code. A correct entry consumes the
//! code: it cannot be used twice.

use crate::error::{Guidance, UserError};
use crate::identity::to_half_width;
use crate::time::{ceil_secs, Timestamp};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const CODE_TTL: Duration = Duration::from_secs(5 * 60);
pub const RESEND_AFTER: Duration = Duration::from_secs(60);
pub const MAX_ATTEMPTS: u8 = 5;
pub const CODE_DIGITS: usize = 6;
/// What a code field takes: the digits, with room for the spaces a person
/// may type or paste between them (they are ignored).
pub const CODE_INPUT_CHARS: usize = 2 * CODE_DIGITS;

/// What a code is for; a code for one purpose never passes for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Proving ownership of the address a new wallet account registers with.
    Register,
    /// WeChat's 二次验证 before a first authorization of an app.
    WeChatBind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum VerifyError {
    #[error("a verification code has 6 digits")]
    Format,
    #[error("no code was requested for this address")]
    NotRequested,
    #[error("the code has expired")]
    Expired,
    #[error("wrong code, {remaining} attempts left")]
    Wrong { remaining: u8 },
    #[error("too many wrong codes; this code no longer works")]
    Exhausted,
    #[error("a new code can be sent in {seconds} s")]
    ResendTooSoon { seconds: u64 },
}

impl UserError for VerifyError {
    fn code(&self) -> &'static str {
        match self {
            Self::Format => "W-CODE-FORMAT",
            Self::NotRequested => "W-CODE-NONE",
            Self::Expired => "W-CODE-EXPIRED",
            Self::Wrong { .. } => "W-CODE-WRONG",
            Self::Exhausted => "W-CODE-EXHAUSTED",
            Self::ResendTooSoon { .. } => "W-CODE-RESEND-WAIT",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Format | Self::Wrong { .. } => Guidance::ReadLatestCode,
            Self::NotRequested | Self::Expired | Self::Exhausted => Guidance::RequestNewCode,
            Self::ResendTooSoon { .. } => Guidance::WaitThenRetry,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    address: String,
    purpose: Purpose,
    code: String,
    issued_at: Timestamp,
    wrong_attempts: u8,
}

/// The codes that are out and not yet used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verifications {
    pending: Vec<Pending>,
}

impl Verifications {
    /// Draws a new code for `address` and `purpose`, replacing any earlier
    /// one. The caller delivers it (to the simulated phone).
    pub fn issue(
        &mut self,
        address: &str,
        purpose: Purpose,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<String, VerifyError> {
        if let Some(previous) = self.find(address, purpose) {
            let waited = now.since(previous.issued_at);
            if waited < RESEND_AFTER {
                return Err(VerifyError::ResendTooSoon {
                    seconds: ceil_secs(RESEND_AFTER - waited),
                });
            }
        }
        let code = random_code(rng);
        self.pending
            .retain(|p| !(p.address == address && p.purpose == purpose));
        self.pending.retain(|p| now.since(p.issued_at) < CODE_TTL);
        self.pending.push(Pending {
            address: address.to_owned(),
            purpose,
            code: code.clone(),
            issued_at: now,
            wrong_attempts: 0,
        });
        Ok(code)
    }

    /// Checks what the user typed. Success consumes the code; a wrong entry
    /// uses up one attempt; a malformed entry uses up nothing.
    pub fn check(
        &mut self,
        address: &str,
        purpose: Purpose,
        typed: &str,
        now: Timestamp,
    ) -> Result<(), VerifyError> {
        let typed: String = to_half_width(typed)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if typed.len() != CODE_DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VerifyError::Format);
        }
        let index = self
            .pending
            .iter()
            .position(|p| p.address == address && p.purpose == purpose)
            .ok_or(VerifyError::NotRequested)?;
        let pending = &mut self.pending[index];
        if now.since(pending.issued_at) >= CODE_TTL || now < pending.issued_at {
            self.pending.remove(index);
            return Err(VerifyError::Expired);
        }
        if constant_time_eq(pending.code.as_bytes(), typed.as_bytes()) {
            self.pending.remove(index);
            return Ok(());
        }
        pending.wrong_attempts = pending.wrong_attempts.saturating_add(1);
        if pending.wrong_attempts >= MAX_ATTEMPTS {
            self.pending.remove(index);
            return Err(VerifyError::Exhausted);
        }
        Err(VerifyError::Wrong {
            remaining: MAX_ATTEMPTS - pending.wrong_attempts,
        })
    }

    /// How long until a new code may be asked for (zero if now).
    pub fn resend_wait(&self, address: &str, purpose: Purpose, now: Timestamp) -> Duration {
        self.find(address, purpose)
            .map(|p| RESEND_AFTER.saturating_sub(now.since(p.issued_at)))
            .unwrap_or(Duration::ZERO)
    }

    fn find(&self, address: &str, purpose: Purpose) -> Option<&Pending> {
        self.pending
            .iter()
            .find(|p| p.address == address && p.purpose == purpose)
    }
}

/// Six uniformly random digits. Rejection sampling keeps every code equally
/// likely (a plain `% 1_000_000` would favour the low ones).
fn random_code(rng: &mut impl RngCore) -> String {
    const SPAN: u32 = 1_000_000;
    let limit = u32::MAX - u32::MAX % SPAN;
    loop {
        let draw = rng.next_u32();
        if draw < limit {
            return format!("{:06}", draw % SPAN);
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use rstest::rstest;

    const ADDR: &str = "13800138000";

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(secs * 1000)
    }

    fn issued() -> (Verifications, String) {
        let mut v = Verifications::default();
        let code = v
            .issue(
                ADDR,
                Purpose::Register,
                at(0),
                &mut ChaCha20Rng::seed_from_u64(1),
            )
            .unwrap_or_default();
        (v, code)
    }

    fn other(code: &str) -> String {
        let last = code.chars().last().unwrap_or('0');
        let flipped = if last == '0' { '1' } else { '0' };
        format!("{}{flipped}", &code[..5])
    }

    #[test]
    fn code_is_six_digits() {
        let (_, code) = issued();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[rstest]
    #[case(0, true)]
    #[case(299, true)]
    #[case(300, false)]
    #[case(3600, false)]
    fn valid_for_five_minutes(#[case] after_secs: i64, #[case] accepted: bool) {
        let (mut v, code) = issued();
        let result = v.check(ADDR, Purpose::Register, &code, at(after_secs));
        assert_eq!(result.is_ok(), accepted, "{result:?}");
        if !accepted {
            assert_eq!(result, Err(VerifyError::Expired));
        }
    }

    #[test]
    fn single_use() {
        let (mut v, code) = issued();
        assert_eq!(v.check(ADDR, Purpose::Register, &code, at(1)), Ok(()));
        assert_eq!(
            v.check(ADDR, Purpose::Register, &code, at(2)),
            Err(VerifyError::NotRequested)
        );
    }

    #[test]
    fn five_wrong_attempts_kill_the_code() {
        let (mut v, code) = issued();
        let wrong = other(&code);
        for remaining in (1..=4).rev() {
            assert_eq!(
                v.check(ADDR, Purpose::Register, &wrong, at(1)),
                Err(VerifyError::Wrong { remaining })
            );
        }
        assert_eq!(
            v.check(ADDR, Purpose::Register, &wrong, at(1)),
            Err(VerifyError::Exhausted)
        );
        assert_eq!(
            v.check(ADDR, Purpose::Register, &code, at(1)),
            Err(VerifyError::NotRequested)
        );
    }

    #[rstest]
    #[case("12345")]
    #[case("1234567")]
    #[case("12a456")]
    #[case("")]
    fn malformed_entries_cost_no_attempt(#[case] typed: &str) {
        let (mut v, code) = issued();
        for _ in 0..10 {
            assert_eq!(
                v.check(ADDR, Purpose::Register, typed, at(1)),
                Err(VerifyError::Format)
            );
        }
        assert_eq!(v.check(ADDR, Purpose::Register, &code, at(1)), Ok(()));
    }

    #[test]
    fn full_width_and_spaced_codes_are_read() {
        let (mut v, code) = issued();
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        let full: String = spaced
            .chars()
            .map(|c| {
                char::from_u32(c as u32 + 0xFEE0)
                    .filter(|_| c.is_ascii_digit())
                    .unwrap_or(c)
            })
            .collect();
        assert_eq!(v.check(ADDR, Purpose::Register, &full, at(1)), Ok(()));
    }

    #[rstest]
    #[case(0, Err(VerifyError::ResendTooSoon { seconds: 60 }))]
    #[case(59, Err(VerifyError::ResendTooSoon { seconds: 1 }))]
    #[case(60, Ok(()))]
    fn resend_after_sixty_seconds(#[case] after: i64, #[case] expected: Result<(), VerifyError>) {
        let (mut v, _) = issued();
        let result = v
            .issue(
                ADDR,
                Purpose::Register,
                at(after),
                &mut ChaCha20Rng::seed_from_u64(2),
            )
            .map(|_| ());
        assert_eq!(result, expected);
    }

    #[test]
    fn resend_replaces_the_old_code() {
        let (mut v, first) = issued();
        let second = v
            .issue(
                ADDR,
                Purpose::Register,
                at(61),
                &mut ChaCha20Rng::seed_from_u64(9),
            )
            .unwrap_or_default();
        assert_ne!(first, second);
        assert!(v.check(ADDR, Purpose::Register, &first, at(62)).is_err());
        assert_eq!(v.check(ADDR, Purpose::Register, &second, at(62)), Ok(()));
    }

    #[test]
    fn codes_are_per_address() {
        let (mut v, code) = issued();
        assert_eq!(
            v.check("13900139000", Purpose::Register, &code, at(1)),
            Err(VerifyError::NotRequested)
        );
    }

    proptest! {
        /// Whatever sequence of entries, a code is accepted at most once, only
        /// within its lifetime, and never after five wrong entries.
        #[test]
        fn accepted_at_most_once(seed: u64, steps in proptest::collection::vec((0i64..400, any::<bool>()), 1..30)) {
            let mut v = Verifications::default();
            let code = v.issue(ADDR, Purpose::Register, at(0), &mut ChaCha20Rng::seed_from_u64(seed)).unwrap_or_default();
            let wrong = other(&code);
            let mut accepted = 0;
            let mut wrongs = 0;
            let mut t = 0;
            for (dt, right) in steps {
                t += dt / 10;
                let result = v.check(ADDR, Purpose::Register, if right { &code } else { &wrong }, at(t));
                if result.is_ok() {
                    accepted += 1;
                    prop_assert!(t < 300);
                    prop_assert!(wrongs < MAX_ATTEMPTS);
                }
                if !right { wrongs += 1; }
            }
            prop_assert!(accepted <= 1);
        }

        #[test]
        fn codes_are_uniformly_shaped(seed: u64) {
            let code = random_code(&mut ChaCha20Rng::seed_from_u64(seed));
            prop_assert_eq!(code.len(), 6);
        }
    }
}
