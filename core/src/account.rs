//! Wallet accounts (SPEC F1, the article's 一、登录数字钱包帐户): registration
//! with a verified phone number or e-mail address, login, and lockout.
//!
//! Rules:
//! - an address registers once; it is proved by a code sent to the phone
//!   inbox ([`crate::verification`]);
//! - the password meets [`crate::security::check_policy`] and is kept only
//!   as an Argon2id hash;
//! - [`MAX_FAILED_LOGINS`] wrong passwords in a row lock the account for
//!   [`LOCKOUT`]; while locked even the right password is refused; a
//!   successful login clears the count; an empty password is refused as
//!   such and is no try ([`crate::lockout::is_blank`]);
//! - every command validates all its input before it changes anything, so a
//!   rejected command leaves the state as it was — except the counters that
//!   exist to count failures (wrong codes, wrong passwords).

use crate::card::CardId;
use crate::error::{Guidance, UserError};
use crate::identity::{IdentityError, LoginId, RealName};
use crate::lockout::{is_blank, Failure, Lockout};
use crate::phone::{Body, Channel, Sender};
use crate::provider::{Provider, ProviderId};
use crate::security::{check_policy, Hasher, PasswordError, PasswordHash, SALT_BYTES};
use crate::session::{IdleLock, Session};
use crate::state::State;
use crate::time::Timestamp;
use crate::totp::{SecondFactor, Secret, Totp, TotpError};
use crate::verification::{Purpose, VerifyError};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const MAX_FAILED_LOGINS: u8 = crate::lockout::MAX_FAILURES;
pub const LOCKOUT: Duration = crate::lockout::LOCK;
/// How long a sign-in may wait between the password and the code.
pub const SECOND_STEP_WINDOW: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(u32);

impl AccountId {
    pub const fn new(id: u32) -> Self {
        Self(id)
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    id: AccountId,
    login: LoginId,
    real_name: RealName,
    password: PasswordHash,
    created_at: Timestamp,
    #[serde(flatten)]
    lockout: Lockout,
    #[serde(default)]
    idle_lock: IdleLock,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_card: Option<CardId>,
    /// Two-factor login, once turned on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    totp: Option<Totp>,
    /// A secret shown for setup but not yet confirmed with a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    totp_setup: Option<Secret>,
    /// The wallet provider chosen at registration (甲钱包 for accounts
    /// older than the choice).
    #[serde(default)]
    provider: ProviderId,
}

impl Account {
    pub fn id(&self) -> AccountId {
        self.id
    }
    pub fn login(&self) -> &LoginId {
        &self.login
    }
    pub fn real_name(&self) -> &RealName {
        &self.real_name
    }
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    pub fn idle_lock(&self) -> IdleLock {
        self.idle_lock
    }
    pub(crate) fn set_idle_lock(&mut self, idle_lock: IdleLock) {
        self.idle_lock = idle_lock;
    }
    pub fn default_card(&self) -> Option<CardId> {
        self.default_card
    }
    pub(crate) fn set_default_card(&mut self, card: Option<CardId>) {
        self.default_card = card;
    }
    pub(crate) fn password_hash(&self) -> &PasswordHash {
        &self.password
    }
    pub fn provider(&self) -> &'static Provider {
        self.provider.provider()
    }
    pub fn totp(&self) -> Option<&Totp> {
        self.totp.as_ref()
    }
    pub fn totp_setup(&self) -> Option<&Secret> {
        self.totp_setup.as_ref()
    }
    /// When the lockout ends, if the account is locked at `now`.
    pub fn locked_until(&self, now: Timestamp) -> Option<Timestamp> {
        self.lockout.locked_until(now)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum AccountError {
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Code(#[from] VerifyError),
    #[error("this address already has a wallet account")]
    AlreadyRegistered,
    #[error("no wallet account uses this address")]
    NotRegistered,
    #[error("no password was entered")]
    PasswordEmpty,
    #[error("wrong password, {remaining} attempts left before a 15-minute lock")]
    WrongPassword { remaining: u8 },
    #[error("too many wrong passwords; the account is locked")]
    Locked { until: Timestamp },
    #[error("nobody is signed in")]
    NotSignedIn,
    #[error(transparent)]
    SecondFactor(#[from] TotpError),
    #[error("wrong code, {remaining} attempts left before a 15-minute lock")]
    WrongCode { remaining: u8 },
    #[error("the two new passwords differ")]
    PasswordsDiffer,
    #[error("the new password is the current one")]
    SamePassword,
}

impl UserError for AccountError {
    fn code(&self) -> &'static str {
        match self {
            Self::Identity(e) => e.code(),
            Self::Password(e) => e.code(),
            Self::Code(e) => e.code(),
            Self::SecondFactor(e) => e.code(),
            Self::WrongCode { .. } => "W-2FA-WRONG",
            Self::PasswordsDiffer => "W-PW-CONFIRM",
            Self::SamePassword => "W-PW-SAME",
            Self::AlreadyRegistered => "W-ACC-EXISTS",
            Self::NotRegistered => "W-ACC-UNKNOWN",
            Self::PasswordEmpty => "W-ACC-PASSWORD-EMPTY",
            Self::WrongPassword { .. } => "W-ACC-PASSWORD",
            Self::Locked { .. } => "W-ACC-LOCKED",
            Self::NotSignedIn => "W-ACC-SIGNED-OUT",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Identity(e) => e.guidance(),
            Self::Password(e) => e.guidance(),
            Self::Code(e) => e.guidance(),
            Self::SecondFactor(e) => e.guidance(),
            Self::WrongCode { .. } => Guidance::ReadAuthenticator,
            Self::PasswordsDiffer | Self::SamePassword => Guidance::ReenterAndVerify,
            Self::AlreadyRegistered => Guidance::LogInInstead,
            Self::NotRegistered => Guidance::RegisterFirst,
            Self::PasswordEmpty => Guidance::EnterPassword,
            Self::WrongPassword { .. } => Guidance::ReenterAndVerify,
            Self::Locked { .. } => Guidance::WaitForUnlock,
            Self::NotSignedIn => Guidance::LogInAgain,
        }
    }
}

/// What the registration form submits, as typed.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    pub login: &'a str,
    pub real_name: &'a str,
    pub password: &'a str,
    pub code: &'a str,
    /// The wallet provider chosen (「选择钱包」).
    pub provider: ProviderId,
}

/// Where a code went, for the "sent to 138****8000" message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeSent {
    pub to: LoginId,
}

impl State {
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub fn account(&self, id: AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub(crate) fn account_mut(&mut self, id: AccountId) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.id == id)
    }

    /// How long until a new code may be sent to `address` (zero if now).
    pub fn resend_wait(&self, address: &str, purpose: Purpose, now: Timestamp) -> Duration {
        self.verifications.resend_wait(address, purpose, now)
    }

    fn account_by_login(&self, login: &LoginId) -> Option<&Account> {
        self.accounts.iter().find(|a| &a.login == login)
    }

    /// 「获取验证码」 on the registration form: sends a code to the phone
    /// inbox (SMS for a phone number, e-mail for an address).
    pub fn send_register_code(
        &mut self,
        login: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<CodeSent, AccountError> {
        let login = LoginId::parse(login)?;
        if self.account_by_login(&login).is_some() {
            return Err(AccountError::AlreadyRegistered);
        }
        let code = self
            .verifications
            .issue(login.as_str(), Purpose::Register, now, rng)?;
        let channel = match login {
            LoginId::Phone(_) => Channel::Sms,
            LoginId::Email(_) => Channel::Email,
        };
        let body = Body::VerificationCode {
            code,
            purpose: Purpose::Register,
        };
        self.inbox.deliver(
            login.as_str(),
            channel,
            Sender::Wallet,
            body,
            now,
            &self.client,
        );
        Ok(CodeSent { to: login })
    }

    /// 「注册」: creates the account once the code proves the address.
    /// Every field is validated before the code is checked, so a typo in the
    /// name or a weak password costs no code attempt.
    pub fn register(
        &mut self,
        form: Registration<'_>,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> Result<AccountId, AccountError> {
        let login = LoginId::parse(form.login)?;
        let real_name = RealName::parse(form.real_name)?;
        check_policy(form.password, login.phone(), email_of(&login))?;
        if self.account_by_login(&login).is_some() {
            return Err(AccountError::AlreadyRegistered);
        }
        self.verifications
            .check(login.as_str(), Purpose::Register, form.code, now)?;
        let id = self.create_account(login, real_name, form.password, now, rng, hasher);
        if let Some(account) = self.account_mut(id) {
            account.provider = form.provider;
        }
        Ok(id)
    }

    /// The provider whose rules `id` follows (甲钱包 if there is no such account).
    pub fn provider_of(&self, id: AccountId) -> &'static Provider {
        self.account(id)
            .map(Account::provider)
            .unwrap_or(ProviderId::Jia.provider())
    }

    pub(crate) fn create_account(
        &mut self,
        login: LoginId,
        real_name: RealName,
        password: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> AccountId {
        let mut salt = [0u8; SALT_BYTES];
        rng.fill_bytes(&mut salt);
        let id = AccountId(self.next_account_id);
        self.next_account_id = self.next_account_id.saturating_add(1);
        self.accounts.push(Account {
            id,
            login,
            real_name,
            password: hasher.hash(password, salt),
            created_at: now,
            lockout: Lockout::default(),
            idle_lock: IdleLock::default(),
            default_card: None,
            totp: None,
            totp_setup: None,
            provider: ProviderId::default(),
        });
        id
    }

    /// 「登录」 with phone or e-mail and password. Starts a session — one
    /// that waits for [`State::enter_login_code`] if the account has
    /// two-factor login on.
    pub fn log_in(
        &mut self,
        login: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<AccountId, AccountError> {
        let login = LoginId::parse(login)?;
        if is_blank(password) {
            return Err(AccountError::PasswordEmpty);
        }
        let id = self
            .account_by_login(&login)
            .map(Account::id)
            .ok_or(AccountError::NotRegistered)?;
        self.check_password(id, password, now)?;
        let two_factor = self.account(id).is_some_and(|a| a.totp.is_some());
        self.set_session(Some(if two_factor {
            Session::awaiting_code(id, now)
        } else {
            Session::start(id, now)
        }));
        Ok(id)
    }

    /// The account whose sign-in waits for its second step, if any.
    pub fn awaiting_login_code(&self) -> Option<&Account> {
        self.session()
            .filter(|s| s.is_awaiting_code())
            .and_then(|s| self.account(s.account()))
    }

    /// The second step of a two-factor login: a code from the authenticator
    /// (at `wall`, the real time) or a recovery code. Wrong codes count
    /// towards the lockout like wrong passwords; a lock ends the sign-in.
    pub fn enter_login_code(
        &mut self,
        code: &str,
        now: Timestamp,
        wall: Timestamp,
    ) -> Result<SecondFactor, AccountError> {
        let session = self
            .session()
            .filter(|s| s.is_awaiting_code())
            .ok_or(AccountError::NotSignedIn)?;
        let id = session.account();
        if now.since(session.last_active()) > SECOND_STEP_WINDOW {
            self.set_session(None);
            return Err(TotpError::Expired.into());
        }
        let account = self.account_mut(id).ok_or(AccountError::NotSignedIn)?;
        if let Some(until) = account.locked_until(now) {
            self.set_session(None);
            return Err(AccountError::Locked { until });
        }
        let totp = account.totp.as_mut().ok_or(TotpError::NotEnabled)?;
        match totp.verify(code, wall) {
            Ok(used) => {
                account.lockout.succeed();
                self.set_session(Some(Session::start(id, now)));
                Ok(used)
            }
            Err(TotpError::Wrong) => match account.count_failure(now) {
                locked @ AccountError::Locked { .. } => {
                    self.set_session(None);
                    Err(locked)
                }
                AccountError::WrongPassword { remaining } => {
                    Err(AccountError::WrongCode { remaining })
                }
                other => Err(other),
            },
            Err(other) => Err(other.into()),
        }
    }

    /// 「开启两步验证」, step one: a new secret for the signed-in account,
    /// kept pending until [`State::confirm_totp`].
    pub fn begin_totp(&mut self, rng: &mut impl RngCore) -> Result<Secret, AccountError> {
        let id = self.signed_in_id()?;
        let account = self.account_mut(id).ok_or(AccountError::NotSignedIn)?;
        if account.totp.is_some() {
            return Err(TotpError::AlreadyEnabled.into());
        }
        let secret = Secret::generate(rng);
        account.totp_setup = Some(secret.clone());
        Ok(secret)
    }

    /// Step two: the code the authenticator app shows for the pending
    /// secret turns two-factor login on. Returns the recovery codes, to be
    /// shown once.
    pub fn confirm_totp(
        &mut self,
        code: &str,
        wall: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<Vec<String>, AccountError> {
        let id = self.signed_in_id()?;
        let account = self.account_mut(id).ok_or(AccountError::NotSignedIn)?;
        if account.totp.is_some() {
            return Err(TotpError::AlreadyEnabled.into());
        }
        let secret = account.totp_setup.clone().ok_or(TotpError::NoSetup)?;
        let (totp, codes) = Totp::enable(secret, code, wall, rng)?;
        account.totp = Some(totp);
        account.totp_setup = None;
        Ok(codes)
    }

    /// 「修改密码」 for the signed-in account: the current password (wrong
    /// ones count towards the lockout), then a new one that meets the policy,
    /// typed twice and not the current one. Only the new hash is kept.
    pub fn change_password(
        &mut self,
        current: &str,
        new: &str,
        again: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> Result<(), AccountError> {
        let id = self.signed_in_id()?;
        let login = self
            .account(id)
            .map(|a| a.login().clone())
            .ok_or(AccountError::NotSignedIn)?;
        check_policy(new, login.phone(), email_of(&login))?;
        if new != again {
            return Err(AccountError::PasswordsDiffer);
        }
        if new == current {
            return Err(AccountError::SamePassword);
        }
        match self.check_password(id, current, now) {
            Ok(()) => {}
            Err(locked @ AccountError::Locked { .. }) => {
                self.set_session(None);
                return Err(locked);
            }
            Err(other) => return Err(other),
        }
        let mut salt = [0u8; SALT_BYTES];
        rng.fill_bytes(&mut salt);
        let hash = hasher.hash(new, salt);
        if let Some(account) = self.account_mut(id) {
            account.password = hash;
        }
        Ok(())
    }

    /// 「关闭两步验证」: needs the password (wrong ones count towards the lockout).
    pub fn disable_totp(&mut self, password: &str, now: Timestamp) -> Result<(), AccountError> {
        let id = self.signed_in_id()?;
        if self.account(id).is_some_and(|a| a.totp.is_none()) {
            return Err(TotpError::NotEnabled.into());
        }
        match self.check_password(id, password, now) {
            Ok(()) => {
                if let Some(account) = self.account_mut(id) {
                    account.totp = None;
                    account.totp_setup = None;
                }
                Ok(())
            }
            Err(locked @ AccountError::Locked { .. }) => {
                self.set_session(None);
                Err(locked)
            }
            Err(other) => Err(other),
        }
    }

    /// Verifies a password for `id`, counting failures towards the lockout.
    /// An empty one is refused before anything else and counts nothing.
    pub(crate) fn check_password(
        &mut self,
        id: AccountId,
        password: &str,
        now: Timestamp,
    ) -> Result<(), AccountError> {
        if is_blank(password) {
            return Err(AccountError::PasswordEmpty);
        }
        let account = self.account_mut(id).ok_or(AccountError::NotRegistered)?;
        if let Some(until) = account.locked_until(now) {
            return Err(AccountError::Locked { until });
        }
        if Hasher::verify(&account.password, password) {
            account.lockout.succeed();
            return Ok(());
        }
        Err(account.count_failure(now))
    }
}

impl Account {
    /// Counts one wrong password or code: the error to show, which is a
    /// lock once [`MAX_FAILED_LOGINS`] are reached.
    fn count_failure(&mut self, now: Timestamp) -> AccountError {
        self.lockout.fail(now).into()
    }
}

impl From<Failure> for AccountError {
    /// A wrong password (or code, re-labelled by the caller) as users see it.
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Remaining(remaining) => AccountError::WrongPassword { remaining },
            Failure::Locked(until) => AccountError::Locked { until },
        }
    }
}

fn email_of(login: &LoginId) -> Option<&crate::identity::Email> {
    match login {
        LoginId::Email(email) => Some(email),
        LoginId::Phone(_) => None,
    }
}

#[cfg(test)]
mod tests;
