//! 「一键创建演示账户」: a ready-made wallet account in one click, so a
//! trainer or a tester can start at the interesting part. The account is a
//! real one (hashed password, same rules); only the SMS step is skipped, and
//! the credentials are returned so the screen can show them.

use crate::account::{AccountError, AccountId};
use crate::identity::{LoginId, Phone, RealName};
use crate::security::{check_policy, Hasher};
use crate::state::State;
use crate::time::Timestamp;
use rand_core::RngCore;

const NAMES: [&str; 8] = [
    "张小明",
    "李华",
    "王芳",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
];
const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyz";

/// What the demo screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoWallet {
    pub id: AccountId,
    pub login: LoginId,
    pub real_name: RealName,
    pub password: String,
}

impl State {
    /// Creates a demo wallet account on an unused `170 0000 xxxx` number
    /// (the 170 range is the one virtual carriers use).
    pub fn create_demo_wallet(
        &mut self,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> Result<DemoWallet, AccountError> {
        let phone = self.unused_demo_phone(rng)?;
        let name_index = usize::try_from(rng.next_u32()).unwrap_or(0) % NAMES.len();
        let real_name = RealName::parse(NAMES[name_index])?;
        let password = demo_password(rng);
        check_policy(&password, Some(&phone), None)?;
        let login = LoginId::Phone(phone);
        let id = self.create_account(
            login.clone(),
            real_name.clone(),
            &password,
            now,
            rng,
            hasher,
        );
        Ok(DemoWallet {
            id,
            login,
            real_name,
            password,
        })
    }

    fn unused_demo_phone(&self, rng: &mut impl RngCore) -> Result<Phone, AccountError> {
        let start = rng.next_u32() % 10_000;
        (0..10_000)
            .map(|offset| format!("1700000{:04}", (start + offset) % 10_000))
            .filter_map(|digits| Phone::parse(&digits).ok())
            .find(|phone| {
                !self
                    .accounts()
                    .iter()
                    .any(|a| a.login().phone() == Some(phone))
            })
            .ok_or(AccountError::AlreadyRegistered)
    }
}

/// `Demo` + four letters + four digits: meets the policy, easy to read aloud.
fn demo_password(rng: &mut impl RngCore) -> String {
    let letters: String = (0..4)
        .map(|_| {
            let i = usize::try_from(rng.next_u32()).unwrap_or(0) % LETTERS.len();
            char::from(LETTERS[i])
        })
        .collect();
    format!("Demo{letters}{:04}", rng.next_u32() % 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::fast_hasher;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn demo_credentials_log_in() {
        let mut state = State::default();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let now = Timestamp::from_millis(0);
        let demo = state
            .create_demo_wallet(now, &mut rng, &fast_hasher())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(demo.login.as_str().starts_with("1700000"));
        assert_eq!(
            state.log_in(demo.login.as_str(), &demo.password, now),
            Ok(demo.id)
        );
    }

    #[test]
    fn demo_accounts_never_collide() {
        let mut state = State::default();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for _ in 0..30 {
            let _ = state.create_demo_wallet(Timestamp::from_millis(0), &mut rng, &fast_hasher());
        }
        let mut logins: Vec<_> = state
            .accounts()
            .iter()
            .map(|a| a.login().as_str().to_owned())
            .collect();
        logins.sort();
        logins.dedup();
        assert_eq!(logins.len(), 30);
    }
}
