//! 「一键创建演示账户」: in one click, a wallet account, a WeChat account with
//! the same real name and phone (binding succeeds), and one with a different
//! real name (binding fails the information check), so a trainer or a
//! tester can start at the interesting part. The accounts are real ones
//! (hashed passwords, same rules); only the SMS step is skipped, and the
//! credentials are returned so the screen can show them.

use crate::account::{AccountError, AccountId};
use crate::identity::{LoginId, Phone, RealName};
use crate::security::{check_policy, Hasher};
use crate::state::State;
use crate::time::Timestamp;
use crate::wechat::{NewWeChat, WeChatError};
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
const OTHER_NAMES: [&str; 4] = ["欧阳娜娜", "司马光", "诸葛亮", "上官婉儿"];
const NICKNAMES: [&str; 6] = [
    "小太阳",
    "奔跑的蜗牛",
    "清风",
    "快乐每一天",
    "山水之间",
    "橘子汽水",
];
const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyz";

/// What the demo screen shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DemoWallet {
    pub id: AccountId,
    pub login: LoginId,
    pub real_name: RealName,
    pub password: String,
}

/// A demo WeChat account's credentials.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DemoWeChat {
    pub wxid: String,
    pub phone: String,
    pub nickname: String,
    pub real_name: String,
    pub password: String,
    pub pay_password: String,
}

/// Everything 「一键创建演示账户」 creates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Demo {
    pub wallet: DemoWallet,
    /// Same real name and phone as the wallet: binding succeeds.
    pub wechat: DemoWeChat,
    /// A different real name: binding fails the information check.
    pub wechat_mismatch: DemoWeChat,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum DemoError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    WeChat(#[from] WeChatError),
}

impl State {
    /// 「一键创建演示账户」: the wallet account and both WeChat accounts.
    pub fn create_demo(
        &mut self,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> Result<Demo, DemoError> {
        let wallet = self.create_demo_wallet(now, rng, hasher)?;
        let phone = wallet.login.as_str().to_owned();
        let same = self.demo_wechat(&phone, wallet.real_name.as_str(), now, rng, hasher)?;
        let other_phone = self.unused_demo_phone(rng)?.as_str().to_owned();
        let other_name =
            OTHER_NAMES[usize::try_from(rng.next_u32()).unwrap_or(0) % OTHER_NAMES.len()];
        let other = self.demo_wechat(&other_phone, other_name, now, rng, hasher)?;
        Ok(Demo {
            wallet,
            wechat: same,
            wechat_mismatch: other,
        })
    }

    /// A WeChat account of its own on an unused demo number (the sandbox's
    /// test helpers' test person).
    pub(crate) fn demo_person(
        &mut self,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> Result<DemoWeChat, DemoError> {
        let phone = self.unused_demo_phone(rng)?.as_str().to_owned();
        let name = OTHER_NAMES[usize::try_from(rng.next_u32()).unwrap_or(0) % OTHER_NAMES.len()];
        Ok(self.demo_wechat(&phone, name, now, rng, hasher)?)
    }

    fn demo_wechat(
        &mut self,
        phone: &str,
        real_name: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> Result<DemoWeChat, WeChatError> {
        let wxid = format!("demo_{}", demo_letters(rng, 6));
        let nickname =
            NICKNAMES[usize::try_from(rng.next_u32()).unwrap_or(0) % NICKNAMES.len()].to_owned();
        let password = format!("Wx{}{:04}", demo_letters(rng, 4), rng.next_u32() % 10_000);
        // Six digits, never all alike or in a row: start from a non-sequence.
        let pay_password = loop {
            let candidate = format!("{:06}", rng.next_u32() % 1_000_000);
            let d: Vec<u8> = candidate.bytes().collect();
            let plain = d.windows(2).all(|w| w[0] == w[1])
                || d.windows(2).all(|w| w[1] == w[0] + 1)
                || d.windows(2).all(|w| w[0] == w[1] + 1);
            if !plain {
                break candidate;
            }
        };
        let form = NewWeChat {
            wxid: &wxid,
            phone,
            nickname: &nickname,
            real_name,
            password: &password,
            pay_password: &pay_password,
        };
        self.wechat.register(form, now, rng, hasher)?;
        Ok(DemoWeChat {
            wxid,
            phone: phone.to_owned(),
            nickname,
            real_name: real_name.to_owned(),
            password,
            pay_password,
        })
    }

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
    format!("Demo{}{:04}", demo_letters(rng, 4), rng.next_u32() % 10_000)
}

fn demo_letters(rng: &mut impl RngCore, n: usize) -> String {
    (0..n)
        .map(|_| {
            let i = usize::try_from(rng.next_u32()).unwrap_or(0) % LETTERS.len();
            char::from(LETTERS[i])
        })
        .collect()
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
    fn demo_creates_a_matching_and_a_mismatching_wechat_account() {
        let mut state = State::default();
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let demo = state
            .create_demo(Timestamp::from_millis(0), &mut rng, &fast_hasher())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(demo.wechat.real_name, demo.wallet.real_name.as_str());
        assert_eq!(demo.wechat.phone, demo.wallet.login.as_str());
        assert_ne!(
            demo.wechat_mismatch.real_name,
            demo.wallet.real_name.as_str()
        );
        assert_ne!(demo.wechat_mismatch.phone, demo.wechat.phone);
        for wx in [&demo.wechat, &demo.wechat_mismatch] {
            assert!(state
                .wechat_mut()
                .log_in(&wx.wxid, &wx.password, Timestamp::from_millis(0))
                .is_ok());
            assert!(state
                .wechat()
                .signed_in()
                .is_some_and(|a| a.check_pay_password(&wx.pay_password)));
        }
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
