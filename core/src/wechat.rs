//! The simulated WeChat platform: its own accounts, its login, the setting
//! 「允许第三方应用授权」, a registry of third-party apps (Qianbao is one), and
//! OAuth 2.0 web authorization as WeChat documents it — codes valid five
//! minutes and usable once, access tokens for two hours, refresh tokens for
//! thirty days, an `openid` per app and user, a `unionid` per user — with
//! WeChat's own error codes.
//!
//! The wallet never reads this state directly: [`crate::binding`] talks to
//! it only through the request functions here, each logged in
//! [`crate::sim`] and subject to its fault injection, as a real wallet would
//! talk to a remote server.

use crate::error::{Guidance, UserError};
use crate::identity::{to_half_width, IdentityError, Phone, RealName};
use crate::lockout::{is_blank, Failure, Lockout};
use crate::security::{check_policy, Hasher, PasswordError, PasswordHash, SALT_BYTES};
use crate::time::Timestamp;
use crate::verification::VerifyError;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const CODE_TTL: Duration = Duration::from_secs(5 * 60);
pub const ACCESS_TTL: Duration = Duration::from_secs(2 * 3600);
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// A third-party app registered with WeChat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct App {
    pub appid: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

/// Qianbao's registration. Its redirect domain is the host the sandbox is
/// served from, which the caller passes in as `site_host`.
pub const QIANBAO: App = App {
    appid: "wx5f3c0a9b2e7d41c8",
    name_zh: "数字钱包",
    name_en: "Digital Wallet",
};

pub const APPS: &[App] = &[QIANBAO];

pub fn app(appid: &str) -> Option<&'static App> {
    APPS.iter().find(|a| a.appid == appid)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WeChatId(u32);

impl WeChatId {
    pub const fn new(id: u32) -> Self {
        Self(id)
    }
    pub const fn get(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeChatError {
    #[error("invalid appid")]
    InvalidAppId,
    #[error("redirect_uri domain does not match the app's registered domain")]
    RedirectDomain,
    #[error("response_type must be code and scope snsapi_base or snsapi_userinfo")]
    Scope,
    #[error("invalid code")]
    InvalidCode,
    #[error("code been used")]
    CodeUsed,
    #[error("invalid credential, access_token is invalid")]
    InvalidToken,
    #[error("access_token expired")]
    TokenExpired,
    #[error("invalid refresh_token")]
    InvalidRefresh,
    #[error("refresh_token expired")]
    RefreshExpired,
    #[error("api unauthorized: the user revoked the authorization")]
    Unauthorized,
    #[error("system error")]
    SystemBusy,
    #[error("the network request failed")]
    Network,
    #[error("third-party app authorization is turned off in WeChat settings")]
    ThirdPartyOff,
    #[error("not logged in to WeChat")]
    NotLoggedIn,
    #[error("no WeChat ID or phone number was entered")]
    IdEmpty,
    #[error("no WeChat password was entered")]
    PasswordEmpty,
    #[error("no WeChat account uses this WeChat ID or phone number")]
    NoSuchAccount,
    #[error("wrong WeChat password, {remaining} attempts left before a 15-minute lock")]
    WrongPassword { remaining: u8 },
    #[error("too many wrong WeChat passwords; locked")]
    LoginLocked { until: Timestamp },
    #[error("a WeChat ID is 6 to 20 letters, digits, _ or -, starting with a letter")]
    WxIdInvalid,
    #[error("this WeChat ID or phone number is taken")]
    Taken,
    #[error("a nickname has 1 to 16 characters")]
    NicknameInvalid,
    #[error("a payment password has 6 digits, not all the same and not in a row")]
    PayPasswordInvalid,
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Code(#[from] VerifyError),
}

impl UserError for WeChatError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidAppId => "40013",
            Self::RedirectDomain => "10003",
            Self::Scope => "10005",
            Self::InvalidCode => "40029",
            Self::CodeUsed => "40163",
            Self::InvalidToken => "40001",
            Self::TokenExpired => "42001",
            Self::InvalidRefresh => "40030",
            Self::RefreshExpired => "42002",
            Self::Unauthorized => "48001",
            Self::SystemBusy => "-1",
            Self::Network => "W-BIND-NETWORK",
            Self::ThirdPartyOff => "W-BIND-PERMISSION",
            Self::NotLoggedIn => "WX-SIGNED-OUT",
            Self::IdEmpty => "WX-ACC-EMPTY",
            Self::PasswordEmpty => "WX-ACC-PASSWORD-EMPTY",
            Self::NoSuchAccount => "WX-ACC-UNKNOWN",
            Self::WrongPassword { .. } => "WX-ACC-PASSWORD",
            Self::LoginLocked { .. } => "WX-ACC-LOCKED",
            Self::WxIdInvalid => "WX-ID",
            Self::Taken => "WX-TAKEN",
            Self::NicknameInvalid => "WX-NICKNAME",
            // Not the cashier's WX-PAY-PASSWORD (a wrong one): this is a
            // new one that breaks the rule, at WeChat's 「注册」.
            Self::PayPasswordInvalid => "WX-PAY-PASSWORD-RULE",
            Self::Identity(e) => e.code(),
            Self::Password(e) => e.code(),
            Self::Code(e) => e.code(),
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Network | Self::SystemBusy => Guidance::CheckNetwork,
            Self::ThirdPartyOff => Guidance::AllowThirdParty,
            Self::InvalidCode
            | Self::CodeUsed
            | Self::TokenExpired
            | Self::RefreshExpired
            | Self::InvalidRefresh
            | Self::InvalidToken
            | Self::Unauthorized => Guidance::BindAgain,
            Self::InvalidAppId | Self::RedirectDomain | Self::Scope => {
                Guidance::RestartOrContactSupport
            }
            Self::NotLoggedIn => Guidance::LogInAgain,
            Self::LoginLocked { .. } => Guidance::WaitForUnlock,
            Self::IdEmpty => Guidance::EnterWeChatId,
            Self::PasswordEmpty => Guidance::EnterPassword,
            Self::NoSuchAccount => Guidance::RegisterFirst,
            Self::WrongPassword { .. }
            | Self::WxIdInvalid
            | Self::Taken
            | Self::NicknameInvalid => Guidance::ReenterAndVerify,
            Self::PayPasswordInvalid => Guidance::ChoosePayPassword,
            // WeChat's phone field takes a mobile number only, never an e-mail.
            Self::Identity(IdentityError::Empty | IdentityError::PhoneInvalid) => {
                Guidance::UseMobile
            }
            Self::Identity(e) => e.guidance(),
            Self::Password(e) => e.guidance(),
            Self::Code(e) => e.guidance(),
        }
    }
}

/// A WeChat user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeChatAccount {
    id: WeChatId,
    /// 微信号.
    wxid: String,
    /// The verified phone number.
    phone: Phone,
    nickname: String,
    /// An avatar: one of [`AVATARS`].
    avatar: u8,
    real_name: RealName,
    password: PasswordHash,
    pay_password: PasswordHash,
    allow_third_party: bool,
    unionid: String,
    created_at: Timestamp,
    /// Wrong login passwords in a row and their lock, as in the wallet.
    #[serde(flatten)]
    lockout: Lockout,
}

/// The avatars a simulated account can have (emoji, so nothing is fetched).
pub const AVATARS: [&str; 8] = ["🐼", "🦊", "🐯", "🐨", "🐸", "🐧", "🦁", "🐰"];

impl WeChatAccount {
    pub fn id(&self) -> WeChatId {
        self.id
    }
    pub fn wxid(&self) -> &str {
        &self.wxid
    }
    pub fn phone(&self) -> &Phone {
        &self.phone
    }
    pub fn nickname(&self) -> &str {
        &self.nickname
    }
    pub fn avatar(&self) -> &'static str {
        AVATARS[usize::from(self.avatar) % AVATARS.len()]
    }
    pub fn real_name(&self) -> &RealName {
        &self.real_name
    }
    pub fn allows_third_party(&self) -> bool {
        self.allow_third_party
    }
    pub fn masked_wxid(&self) -> String {
        mask_wxid(&self.wxid)
    }
    /// Checks a typed 6-digit 支付密码 (WeChat Pay's cashier, F4).
    pub fn check_pay_password(&self, typed: &str) -> bool {
        Hasher::verify(&self.pay_password, typed)
    }
    pub(crate) fn is_well_formed(&self) -> bool {
        Hasher::is_well_formed(&self.password) && Hasher::is_well_formed(&self.pay_password)
    }
}

/// `wx******ng`: first two and last two characters.
pub fn mask_wxid(wxid: &str) -> String {
    let chars: Vec<char> = wxid.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 4))
}

/// A code issued on consent: single use, five minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct AuthCode {
    code: String,
    appid: String,
    user: WeChatId,
    issued_at: Timestamp,
    used: bool,
}

/// An app's standing authorization by a user, and its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub appid: String,
    pub user: WeChatId,
    pub openid: String,
    pub granted_at: Timestamp,
    access_token: String,
    access_expires: Timestamp,
    refresh_token: String,
    refresh_expires: Timestamp,
    /// Revoked by the user (授权管理) or by the app (unbinding).
    pub revoked: bool,
}

/// What the token endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
    pub openid: String,
    pub unionid: String,
    pub scope: String,
}

/// What `/sns/userinfo` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub openid: String,
    pub nickname: String,
    pub headimgurl: String,
    pub unionid: String,
    pub masked_wxid: String,
}

/// WeChat's side of the sandbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeChat {
    accounts: Vec<WeChatAccount>,
    next_id: u32,
    /// Who is logged in to WeChat in this browser.
    session: Option<WeChatId>,
    codes: Vec<AuthCode>,
    grants: Vec<Grant>,
    /// (user, appid) pairs that passed 二次验证 once: later authorizations of
    /// the same app by the same user skip it.
    verified: Vec<(WeChatId, String)>,
}

/// The registration form of WeChat's own 「注册」, as typed.
#[derive(Debug, Clone, Copy)]
pub struct NewWeChat<'a> {
    pub wxid: &'a str,
    pub phone: &'a str,
    pub nickname: &'a str,
    pub real_name: &'a str,
    pub password: &'a str,
    pub pay_password: &'a str,
}

fn random_token(rng: &mut impl RngCore, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| {
            char::from(ALPHABET[usize::try_from(rng.next_u32()).unwrap_or(0) % ALPHABET.len()])
        })
        .collect()
}

impl WeChat {
    pub fn accounts(&self) -> &[WeChatAccount] {
        &self.accounts
    }

    pub fn account(&self, id: WeChatId) -> Option<&WeChatAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn signed_in(&self) -> Option<&WeChatAccount> {
        self.session.and_then(|id| self.account(id))
    }

    /// WeChat's 「注册」.
    pub fn register(
        &mut self,
        form: NewWeChat<'_>,
        now: Timestamp,
        rng: &mut impl RngCore,
        hasher: &Hasher,
    ) -> Result<WeChatId, WeChatError> {
        let wxid = to_half_width(form.wxid).trim().to_owned();
        let wxid_ok = (6..=20).contains(&wxid.len())
            && wxid.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && wxid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !wxid_ok {
            return Err(WeChatError::WxIdInvalid);
        }
        let phone = Phone::parse(form.phone)?;
        let nickname = form.nickname.trim().to_owned();
        if !(1..=16).contains(&nickname.chars().count()) || nickname.chars().any(char::is_control) {
            return Err(WeChatError::NicknameInvalid);
        }
        let real_name = RealName::parse(form.real_name)?;
        check_policy(form.password, Some(&phone), None)?;
        let pay = to_half_width(form.pay_password.trim());
        let digits: Vec<u8> = pay.bytes().collect();
        let all_same = digits.windows(2).all(|w| w[0] == w[1]);
        let ascending = digits.windows(2).all(|w| w[1] == w[0] + 1);
        let descending = digits.windows(2).all(|w| w[0] == w[1] + 1);
        if digits.len() != 6
            || !digits.iter().all(u8::is_ascii_digit)
            || all_same
            || ascending
            || descending
        {
            return Err(WeChatError::PayPasswordInvalid);
        }
        if self
            .accounts
            .iter()
            .any(|a| a.wxid.eq_ignore_ascii_case(&wxid) || a.phone == phone)
        {
            return Err(WeChatError::Taken);
        }
        let mut salt = [0u8; SALT_BYTES];
        rng.fill_bytes(&mut salt);
        let password = hasher.hash(form.password, salt);
        rng.fill_bytes(&mut salt);
        let pay_password = hasher.hash(&pay, salt);
        self.next_id = self.next_id.saturating_add(1);
        let id = WeChatId(self.next_id);
        self.accounts.push(WeChatAccount {
            id,
            wxid,
            phone,
            nickname,
            avatar: u8::try_from(rng.next_u32() % AVATARS.len() as u32).unwrap_or(0),
            real_name,
            password,
            pay_password,
            allow_third_party: true,
            unionid: format!("o6_b{}", random_token(rng, 24)),
            created_at: now,
            lockout: Lockout::default(),
        });
        Ok(id)
    }

    /// WeChat's 「登录」 with 微信号 or phone number. Wrong passwords lock the
    /// account as [`crate::lockout`] says (kept in storage, so a reload does
    /// not reset the count); each wrong one says how many tries are left.
    /// An empty field is refused as such before any account is looked at,
    /// and counts nothing.
    pub fn log_in(
        &mut self,
        who: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<WeChatId, WeChatError> {
        let typed = to_half_width(who).trim().to_owned();
        if typed.is_empty() {
            return Err(WeChatError::IdEmpty);
        }
        if is_blank(password) {
            return Err(WeChatError::PasswordEmpty);
        }
        let phone = Phone::parse(&typed).ok();
        let account = self
            .accounts
            .iter_mut()
            .find(|a| a.wxid.eq_ignore_ascii_case(&typed) || phone.as_ref() == Some(&a.phone))
            .ok_or(WeChatError::NoSuchAccount)?;
        if let Some(until) = account.lockout.locked_until(now) {
            return Err(WeChatError::LoginLocked { until });
        }
        if !Hasher::verify(&account.password, password) {
            return Err(match account.lockout.fail(now) {
                Failure::Locked(until) => WeChatError::LoginLocked { until },
                Failure::Remaining(remaining) => WeChatError::WrongPassword { remaining },
            });
        }
        account.lockout.succeed();
        self.session = Some(account.id);
        Ok(account.id)
    }

    pub fn log_out(&mut self) {
        self.session = None;
    }

    /// 「允许第三方应用授权」 for the logged-in WeChat user.
    pub fn set_allow_third_party(&mut self, allow: bool) -> Result<(), WeChatError> {
        let id = self.session.ok_or(WeChatError::NotLoggedIn)?;
        let account = self
            .accounts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or(WeChatError::NotLoggedIn)?;
        account.allow_third_party = allow;
        Ok(())
    }

    /// Checks an authorization request as the authorize page receives it.
    pub fn check_request(
        &self,
        request: &AuthorizeRequest<'_>,
        site_host: &str,
    ) -> Result<&'static App, WeChatError> {
        let app = app(request.appid).ok_or(WeChatError::InvalidAppId)?;
        if redirect_host(request.redirect_uri).as_deref() != Some(site_host) {
            return Err(WeChatError::RedirectDomain);
        }
        if request.response_type != "code"
            || !matches!(request.scope, "snsapi_userinfo" | "snsapi_base")
        {
            return Err(WeChatError::Scope);
        }
        Ok(app)
    }

    /// Whether the logged-in user must pass 二次验证 to authorize `appid`.
    pub fn needs_second_factor(&self, appid: &str) -> bool {
        self.session
            .is_some_and(|id| !self.verified.iter().any(|(u, a)| *u == id && a == appid))
    }

    pub(crate) fn mark_verified(&mut self, appid: &str) {
        if let Some(id) = self.session {
            if !self.verified.iter().any(|(u, a)| *u == id && a == appid) {
                self.verified.push((id, appid.to_owned()));
            }
        }
    }

    /// 「允许」: issues a code for the logged-in user.
    pub(crate) fn issue_code(
        &mut self,
        appid: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<String, WeChatError> {
        let user = self.signed_in().ok_or(WeChatError::NotLoggedIn)?;
        if !user.allow_third_party {
            return Err(WeChatError::ThirdPartyOff);
        }
        let user = user.id;
        let code = random_token(rng, 32);
        self.codes.retain(|c| now.since(c.issued_at) < CODE_TTL);
        self.codes.push(AuthCode {
            code: code.clone(),
            appid: appid.to_owned(),
            user,
            issued_at: now,
            used: false,
        });
        Ok(code)
    }

    /// `/sns/oauth2/access_token`: a code for tokens, once.
    pub(crate) fn exchange_code(
        &mut self,
        appid: &str,
        code: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<Tokens, WeChatError> {
        app(appid).ok_or(WeChatError::InvalidAppId)?;
        let issued = self
            .codes
            .iter_mut()
            .find(|c| c.code == code && c.appid == appid)
            .ok_or(WeChatError::InvalidCode)?;
        if issued.used {
            return Err(WeChatError::CodeUsed);
        }
        if now.since(issued.issued_at) >= CODE_TTL || now < issued.issued_at {
            return Err(WeChatError::InvalidCode);
        }
        issued.used = true;
        let user = issued.user;
        let unionid = self
            .account(user)
            .map(|a| a.unionid.clone())
            .ok_or(WeChatError::InvalidCode)?;
        let openid = self
            .grants
            .iter()
            .find(|g| g.user == user && g.appid == appid)
            .map(|g| g.openid.clone())
            .unwrap_or_else(|| format!("o{}", random_token(rng, 27)));
        let grant = Grant {
            appid: appid.to_owned(),
            user,
            openid: openid.clone(),
            granted_at: now,
            access_token: random_token(rng, 64),
            access_expires: now.plus(ACCESS_TTL),
            refresh_token: random_token(rng, 64),
            refresh_expires: now.plus(REFRESH_TTL),
            revoked: false,
        };
        let tokens = Tokens {
            access_token: grant.access_token.clone(),
            expires_in: ACCESS_TTL.as_secs(),
            refresh_token: grant.refresh_token.clone(),
            openid,
            unionid,
            scope: "snsapi_userinfo".to_owned(),
        };
        self.grants
            .retain(|g| !(g.user == user && g.appid == appid));
        self.grants.push(grant);
        Ok(tokens)
    }

    fn grant_by_access(&self, access_token: &str, now: Timestamp) -> Result<&Grant, WeChatError> {
        let grant = self
            .grants
            .iter()
            .find(|g| g.access_token == access_token)
            .ok_or(WeChatError::InvalidToken)?;
        if grant.revoked {
            return Err(WeChatError::Unauthorized);
        }
        if now >= grant.access_expires {
            return Err(WeChatError::TokenExpired);
        }
        Ok(grant)
    }

    /// `/sns/userinfo`.
    pub(crate) fn user_info(
        &self,
        access_token: &str,
        openid: &str,
        now: Timestamp,
    ) -> Result<UserInfo, WeChatError> {
        let grant = self.grant_by_access(access_token, now)?;
        if grant.openid != openid {
            return Err(WeChatError::InvalidToken);
        }
        let user = self.account(grant.user).ok_or(WeChatError::InvalidToken)?;
        Ok(UserInfo {
            openid: grant.openid.clone(),
            nickname: user.nickname.clone(),
            headimgurl: user.avatar().to_owned(),
            unionid: user.unionid.clone(),
            masked_wxid: user.masked_wxid(),
        })
    }

    /// The simulated real-name check: does the bound user's verified real
    /// name (and, if given, phone) match the wallet's? Answers only yes or no.
    pub(crate) fn check_real_name(
        &self,
        access_token: &str,
        real_name: &RealName,
        phone: Option<&Phone>,
        now: Timestamp,
    ) -> Result<bool, WeChatError> {
        let grant = self.grant_by_access(access_token, now)?;
        let user = self.account(grant.user).ok_or(WeChatError::InvalidToken)?;
        Ok(&user.real_name == real_name && phone.is_none_or(|p| p == &user.phone))
    }

    /// `/sns/auth`: is the access token valid now?
    pub(crate) fn check_token(
        &self,
        access_token: &str,
        now: Timestamp,
    ) -> Result<(), WeChatError> {
        self.grant_by_access(access_token, now).map(|_| ())
    }

    /// `/sns/oauth2/refresh_token`: a new access token for a refresh token.
    pub(crate) fn refresh(
        &mut self,
        appid: &str,
        refresh_token: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<(String, Timestamp), WeChatError> {
        let grant = self
            .grants
            .iter_mut()
            .find(|g| g.refresh_token == refresh_token && g.appid == appid)
            .ok_or(WeChatError::InvalidRefresh)?;
        if grant.revoked {
            return Err(WeChatError::Unauthorized);
        }
        if now >= grant.refresh_expires {
            // The authorization has lapsed: WeChat no longer counts it as
            // live either, so the wallet ending its binding leaves both
            // sides agreeing.
            grant.revoked = true;
            return Err(WeChatError::RefreshExpired);
        }
        grant.access_token = random_token(rng, 64);
        grant.access_expires = now.plus(ACCESS_TTL);
        Ok((grant.access_token.clone(), grant.access_expires))
    }

    /// The app revokes its own authorization (unbinding from the wallet).
    pub(crate) fn revoke_by_token(&mut self, refresh_token: &str) -> Result<(), WeChatError> {
        let grant = self
            .grants
            .iter_mut()
            .find(|g| g.refresh_token == refresh_token)
            .ok_or(WeChatError::InvalidRefresh)?;
        grant.revoked = true;
        Ok(())
    }

    /// 「授权管理」: the apps the logged-in user has authorized.
    pub fn authorized_apps(&self) -> Vec<&Grant> {
        self.grants
            .iter()
            .filter(|g| Some(g.user) == self.session && !g.revoked)
            .collect()
    }

    /// 「取消授权」 in WeChat's 授权管理.
    pub fn revoke_app(&mut self, appid: &str) -> Result<(), WeChatError> {
        let user = self.session.ok_or(WeChatError::NotLoggedIn)?;
        for grant in self
            .grants
            .iter_mut()
            .filter(|g| g.user == user && g.appid == appid)
        {
            grant.revoked = true;
        }
        Ok(())
    }

    /// Every grant WeChat holds, live or revoked, of every user (read-only).
    /// [`WeChat::authorized_apps`] shows only the logged-in user's; this is
    /// for checks across all users, such as "no live grant without a
    /// wallet binding" in the simulation test.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// Whether a live (unrevoked) grant exists for this app and openid.
    pub fn has_live_grant(&self, appid: &str, openid: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.appid == appid && g.openid == openid && !g.revoked)
    }

    pub(crate) fn user_by_openid(&self, appid: &str, openid: &str) -> Option<WeChatId> {
        self.grants
            .iter()
            .find(|g| g.appid == appid && g.openid == openid)
            .map(|g| g.user)
    }

    pub(crate) fn is_consistent(&self) -> bool {
        self.accounts.iter().all(WeChatAccount::is_well_formed)
            && self.session.is_none_or(|id| self.account(id).is_some())
            && self.grants.iter().all(|g| self.account(g.user).is_some())
    }
}

/// An authorization request, from the authorize page's URL.
#[derive(Debug, Clone, Copy)]
pub struct AuthorizeRequest<'a> {
    pub appid: &'a str,
    pub redirect_uri: &'a str,
    pub response_type: &'a str,
    pub scope: &'a str,
    pub state: &'a str,
}

/// The `host[:port]` of an absolute http(s) URL.
pub fn redirect_host(uri: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains('@')).then(|| host.to_ascii_lowercase())
}

/// `redirect_uri?code=…&state=…` (or only `state` when denied), with the
/// values percent-encoded.
pub fn redirect_url(redirect_uri: &str, code: Option<&str>, state: &str) -> String {
    let base = redirect_uri.split('#').next().unwrap_or(redirect_uri);
    // A `?` after the `#` belongs to the fragment, not to a query.
    let separator = if base.contains('?') { '&' } else { '?' };
    match code {
        Some(code) => format!(
            "{base}{separator}code={}&state={}",
            encode(code),
            encode(state)
        ),
        None => format!("{base}{separator}state={}", encode(state)),
    }
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::fast_hasher;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use rstest::rstest;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(secs * 1000)
    }

    fn form<'a>(wxid: &'a str, phone: &'a str) -> NewWeChat<'a> {
        NewWeChat {
            wxid,
            phone,
            nickname: "小明",
            real_name: "张小明",
            password: "Wechat2026x",
            pay_password: "258369",
        }
    }

    fn logged_in() -> (WeChat, ChaCha20Rng) {
        let mut wechat = WeChat::default();
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let _ = wechat.register(
            form("zhangxm2026", "13800138000"),
            at(0),
            &mut rng,
            &fast_hasher(),
        );
        let _ = wechat.log_in("zhangxm2026", "Wechat2026x", Timestamp::from_millis(0));
        (wechat, rng)
    }

    #[rstest]
    #[case(form("zx", "13800138000"), WeChatError::WxIdInvalid)]
    #[case(form("1zhangxm", "13800138000"), WeChatError::WxIdInvalid)]
    #[case(
        form("zhangxm2026", "123"),
        WeChatError::Identity(IdentityError::PhoneInvalid)
    )]
    #[case(NewWeChat { pay_password: "123456", ..form("zhangxm2026", "13800138000") }, WeChatError::PayPasswordInvalid)]
    #[case(NewWeChat { pay_password: "888888", ..form("zhangxm2026", "13800138000") }, WeChatError::PayPasswordInvalid)]
    #[case(NewWeChat { pay_password: "12345", ..form("zhangxm2026", "13800138000") }, WeChatError::PayPasswordInvalid)]
    #[case(NewWeChat { nickname: " ", ..form("zhangxm2026", "13800138000") }, WeChatError::NicknameInvalid)]
    #[case(NewWeChat { real_name: " ", ..form("zhangxm2026", "13800138000") }, WeChatError::Identity(IdentityError::NameEmpty))]
    #[case(form("zhangxm2026", ""), WeChatError::Identity(IdentityError::Empty))]
    fn registration_rules(#[case] form: NewWeChat<'_>, #[case] error: WeChatError) {
        let mut wechat = WeChat::default();
        let result = wechat.register(
            form,
            at(0),
            &mut ChaCha20Rng::seed_from_u64(1),
            &fast_hasher(),
        );
        assert_eq!(result, Err(error));
        assert!(wechat.accounts().is_empty());
    }

    #[test]
    fn log_in_by_wxid_or_phone() {
        let (mut wechat, _) = logged_in();
        wechat.log_out();
        assert_eq!(
            wechat
                .log_in(
                    "+86 138 0013 8000",
                    "Wechat2026x",
                    Timestamp::from_millis(0)
                )
                .map(|id| id.get()),
            Ok(1)
        );
        assert_eq!(
            wechat.log_in("ZhangXM2026", "wrong", Timestamp::from_millis(0)),
            Err(WeChatError::WrongPassword { remaining: 4 })
        );
        assert_eq!(
            wechat.log_in("nobody", "x", Timestamp::from_millis(0)),
            Err(WeChatError::NoSuchAccount)
        );
    }

    #[rstest]
    #[case(
        "wxdeadbeef00000000",
        "http://127.0.0.1:8080/bind/callback",
        "code",
        "snsapi_userinfo",
        WeChatError::InvalidAppId
    )]
    #[case(QIANBAO.appid, "http://evil.example.com/bind/callback", "code", "snsapi_userinfo", WeChatError::RedirectDomain)]
    #[case(QIANBAO.appid, "http://127.0.0.1:8080@evil.example.com/", "code", "snsapi_userinfo", WeChatError::RedirectDomain)]
    #[case(QIANBAO.appid, "/bind/callback", "code", "snsapi_userinfo", WeChatError::RedirectDomain)]
    #[case(QIANBAO.appid, "http://127.0.0.1:8080/bind/callback", "token", "snsapi_userinfo", WeChatError::Scope)]
    #[case(QIANBAO.appid, "http://127.0.0.1:8080/bind/callback", "code", "snsapi_admin", WeChatError::Scope)]
    fn authorize_requests_are_checked(
        #[case] appid: &str,
        #[case] redirect_uri: &str,
        #[case] response_type: &str,
        #[case] scope: &str,
        #[case] error: WeChatError,
    ) {
        let (wechat, _) = logged_in();
        let request = AuthorizeRequest {
            appid,
            redirect_uri,
            response_type,
            scope,
            state: "s",
        };
        assert_eq!(
            wechat.check_request(&request, "127.0.0.1:8080").err(),
            Some(error)
        );
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let (mut wechat, mut rng) = logged_in();
        let code = wechat
            .issue_code(QIANBAO.appid, at(0), &mut rng)
            .unwrap_or_default();
        assert!(wechat
            .exchange_code(QIANBAO.appid, &code, at(10), &mut rng)
            .is_ok());
        assert_eq!(
            wechat.exchange_code(QIANBAO.appid, &code, at(11), &mut rng),
            Err(WeChatError::CodeUsed)
        );
        let late = wechat
            .issue_code(QIANBAO.appid, at(100), &mut rng)
            .unwrap_or_default();
        assert_eq!(
            wechat.exchange_code(QIANBAO.appid, &late, at(400), &mut rng),
            Err(WeChatError::InvalidCode)
        );
        assert_eq!(
            wechat.exchange_code(QIANBAO.appid, "forged", at(100), &mut rng),
            Err(WeChatError::InvalidCode)
        );
    }

    #[test]
    fn tokens_expire_refresh_and_revoke() {
        let (mut wechat, mut rng) = logged_in();
        let code = wechat
            .issue_code(QIANBAO.appid, at(0), &mut rng)
            .unwrap_or_default();
        let tokens = wechat
            .exchange_code(QIANBAO.appid, &code, at(1), &mut rng)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(wechat
            .user_info(&tokens.access_token, &tokens.openid, at(2))
            .is_ok());
        assert_eq!(
            wechat.check_token(&tokens.access_token, at(2 * 3600 + 1)),
            Err(WeChatError::TokenExpired)
        );
        let (fresh, _) = wechat
            .refresh(QIANBAO.appid, &tokens.refresh_token, at(3 * 3600), &mut rng)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(wechat.check_token(&fresh, at(3 * 3600 + 1)), Ok(()));
        assert_eq!(
            wechat.refresh(
                QIANBAO.appid,
                &tokens.refresh_token,
                at(31 * 24 * 3600),
                &mut rng
            ),
            Err(WeChatError::RefreshExpired)
        );
        assert_eq!(
            wechat.refresh(QIANBAO.appid, "nope", at(10), &mut rng),
            Err(WeChatError::InvalidRefresh)
        );
        assert_eq!(wechat.revoke_app(QIANBAO.appid), Ok(()));
        assert_eq!(
            wechat.check_token(&fresh, at(3 * 3600 + 2)),
            Err(WeChatError::Unauthorized)
        );
        assert!(wechat.authorized_apps().is_empty());
    }

    #[test]
    fn permission_off_blocks_codes() {
        let (mut wechat, mut rng) = logged_in();
        let _ = wechat.set_allow_third_party(false);
        assert_eq!(
            wechat.issue_code(QIANBAO.appid, at(0), &mut rng),
            Err(WeChatError::ThirdPartyOff)
        );
    }

    #[test]
    fn openid_is_stable_per_app_and_user() {
        let (mut wechat, mut rng) = logged_in();
        let first = wechat
            .issue_code(QIANBAO.appid, at(0), &mut rng)
            .unwrap_or_default();
        let a = wechat
            .exchange_code(QIANBAO.appid, &first, at(1), &mut rng)
            .map(|t| t.openid);
        let second = wechat
            .issue_code(QIANBAO.appid, at(2), &mut rng)
            .unwrap_or_default();
        let b = wechat
            .exchange_code(QIANBAO.appid, &second, at(3), &mut rng)
            .map(|t| t.openid);
        assert_eq!(a, b);
    }

    #[rstest]
    #[case("http://127.0.0.1:8080/bind/callback", Some("127.0.0.1:8080"))]
    #[case("https://Example.COM/x?y=1", Some("example.com"))]
    #[case("ftp://example.com/", None)]
    #[case("http:///x", None)]
    fn hosts(#[case] uri: &str, #[case] host: Option<&str>) {
        assert_eq!(redirect_host(uri).as_deref(), host);
    }

    #[test]
    fn redirects_encode_their_values() {
        assert_eq!(
            redirect_url("http://h/cb", Some("a b"), "s&t"),
            "http://h/cb?code=a%20b&state=s%26t"
        );
        assert_eq!(
            redirect_url("http://h/cb?x=1#frag", None, "s"),
            "http://h/cb?x=1&state=s"
        );
        // Found by fuzzing (fuzz target `authorize`): a `?` inside the
        // fragment made the redirect `http://h/cb&state=s`, a broken URL.
        assert_eq!(
            redirect_url("http://h/cb#frag?x=1", Some("c"), "s"),
            "http://h/cb?code=c&state=s"
        );
        assert_eq!(mask_wxid("zhangxm2026"), "zh*******26");
    }

    #[test]
    fn five_wrong_passwords_lock_the_wechat_login() {
        let (mut wechat, _) = logged_in();
        wechat.log_out();
        for remaining in (1..crate::lockout::MAX_FAILURES).rev() {
            assert_eq!(
                wechat.log_in("zhangxm2026", "Wrong2026x", at(10)),
                Err(WeChatError::WrongPassword { remaining })
            );
        }
        let locked = Err(WeChatError::LoginLocked {
            until: at(10 + 900),
        });
        assert_eq!(wechat.log_in("zhangxm2026", "Wrong2026x", at(10)), locked);
        assert_eq!(
            wechat.log_in("zhangxm2026", "Wechat2026x", at(909)),
            locked,
            "even the right one"
        );
        assert!(wechat.log_in("zhangxm2026", "Wechat2026x", at(910)).is_ok());
        // A success clears the count.
        for _ in 0..4 {
            let _ = wechat.log_in("zhangxm2026", "Wrong2026x", at(911));
        }
        assert!(wechat.log_in("zhangxm2026", "Wechat2026x", at(912)).is_ok());
        assert_eq!(
            wechat.log_in("zhangxm2026", "Wrong2026x", at(913)),
            Err(WeChatError::WrongPassword { remaining: 4 })
        );
    }

    /// Every refused login says why, with WeChat's code and guidance; an
    /// empty field changes nothing (no try counted, nobody logged in).
    #[rstest]
    #[case::empty_form("", "", WeChatError::IdEmpty, "WX-ACC-EMPTY", Guidance::EnterWeChatId)]
    #[case::empty_id(
        " \u{3000}",
        "Wechat2026x",
        WeChatError::IdEmpty,
        "WX-ACC-EMPTY",
        Guidance::EnterWeChatId
    )]
    #[case::empty_password(
        "zhangxm2026",
        "",
        WeChatError::PasswordEmpty,
        "WX-ACC-PASSWORD-EMPTY",
        Guidance::EnterPassword
    )]
    #[case::blank_password(
        "13800138000",
        "   ",
        WeChatError::PasswordEmpty,
        "WX-ACC-PASSWORD-EMPTY",
        Guidance::EnterPassword
    )]
    #[case::unknown_id(
        "nobody2026",
        "Wechat2026x",
        WeChatError::NoSuchAccount,
        "WX-ACC-UNKNOWN",
        Guidance::RegisterFirst
    )]
    #[case::unknown_phone(
        "13900139000",
        "Wechat2026x",
        WeChatError::NoSuchAccount,
        "WX-ACC-UNKNOWN",
        Guidance::RegisterFirst
    )]
    fn refused_logins_change_nothing(
        #[case] who: &str,
        #[case] password: &str,
        #[case] error: WeChatError,
        #[case] code: &str,
        #[case] guidance: Guidance,
    ) {
        let (mut wechat, _) = logged_in();
        wechat.log_out();
        // Three wrong passwords first: the empty tries must not add a fourth.
        for _ in 0..3 {
            let _ = wechat.log_in("zhangxm2026", "Wrong2026x", at(10));
        }
        let before = wechat.clone();
        for _ in 0..10 {
            assert_eq!(wechat.log_in(who, password, at(11)), Err(error.clone()));
        }
        assert_eq!(wechat, before);
        assert_eq!((error.code(), error.guidance()), (code, guidance));
        assert_eq!(
            wechat.log_in("zhangxm2026", "Wrong2026x", at(12)),
            Err(WeChatError::WrongPassword { remaining: 1 }),
            "still the fourth wrong try"
        );
    }

    #[rstest]
    #[case::wrong(WeChatError::WrongPassword { remaining: 2 }, "WX-ACC-PASSWORD", Guidance::ReenterAndVerify)]
    #[case::locked(WeChatError::LoginLocked { until: Timestamp::from_millis(0) }, "WX-ACC-LOCKED", Guidance::WaitForUnlock)]
    #[case::new_pay_password(
        WeChatError::PayPasswordInvalid,
        "WX-PAY-PASSWORD-RULE",
        Guidance::ChoosePayPassword
    )]
    #[case::phone(
        WeChatError::Identity(IdentityError::PhoneInvalid),
        "W-ID-PHONE",
        Guidance::UseMobile
    )]
    #[case::empty_phone(
        WeChatError::Identity(IdentityError::Empty),
        "W-ID-EMPTY",
        Guidance::UseMobile
    )]
    #[case::empty_name(
        WeChatError::Identity(IdentityError::NameEmpty),
        "W-ID-NAME-EMPTY",
        Guidance::EnterRealName
    )]
    fn codes_and_guidance(
        #[case] error: WeChatError,
        #[case] code: &str,
        #[case] guidance: Guidance,
    ) {
        assert_eq!((error.code(), error.guidance()), (code, guidance));
    }
}
