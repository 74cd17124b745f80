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
use crate::session::{ClientId, MAX_SESSIONS};
use crate::time::Timestamp;
use crate::verification::VerifyError;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

pub const CODE_TTL: Duration = Duration::from_secs(5 * 60);
pub const ACCESS_TTL: Duration = Duration::from_secs(2 * 3600);
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// A third-party app registered with WeChat: Qianbao, or a merchant's app
/// registered with the sandbox server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct App {
    pub appid: Cow<'static, str>,
    pub name_zh: Cow<'static, str>,
    pub name_en: Cow<'static, str>,
    /// The host[:port] its `redirect_uri` must be on; `None`: the host the
    /// sandbox itself is served from (Qianbao's own callback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_domain: Option<Cow<'static, str>>,
}

/// A WeChat payment password has this many digits.
pub const PAY_PASSWORD_DIGITS: usize = 6;

/// Qianbao's registration. Its redirect domain is the host the sandbox is
/// served from, which the caller passes in as `site_host`.
pub const QIANBAO: App = App {
    appid: Cow::Borrowed(QIANBAO_APPID),
    name_zh: Cow::Borrowed("数字钱包"),
    name_en: Cow::Borrowed("Digital Wallet"),
    redirect_domain: None,
};
pub const QIANBAO_APPID: &str = "wx5f3c0a9b2e7d41c8";

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
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
    #[error("invalid openid: not the openid this access_token was issued for")]
    InvalidOpenid,
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

impl WeChatError {
    /// The error an API code in the request log stands for — the inverse of
    /// [`UserError::code`] for the errors WeChat's APIs answer with.
    pub fn from_api_code(code: &str) -> Option<Self> {
        const API: [WeChatError; 13] = [
            WeChatError::InvalidAppId,
            WeChatError::RedirectDomain,
            WeChatError::Scope,
            WeChatError::InvalidCode,
            WeChatError::CodeUsed,
            WeChatError::InvalidToken,
            WeChatError::InvalidOpenid,
            WeChatError::TokenExpired,
            WeChatError::InvalidRefresh,
            WeChatError::RefreshExpired,
            WeChatError::Unauthorized,
            WeChatError::SystemBusy,
            WeChatError::Network,
        ];
        API.into_iter().find(|e| e.code() == code)
    }
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
            Self::InvalidOpenid => "40003",
            Self::TokenExpired => "42001",
            Self::InvalidRefresh => "40030",
            Self::RefreshExpired => "42002",
            Self::Unauthorized => "48001",
            Self::SystemBusy => "-1",
            Self::Network => "WX-NETWORK",
            Self::ThirdPartyOff => "WX-PERMISSION",
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
            | Self::InvalidOpenid
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
/// The sizes a `headimgurl` ends in, as WeChat's do (0 is 640 × 640).
pub const AVATAR_SIZES: [u16; 5] = [0, 46, 64, 96, 132];

/// Where avatar `index` is served at 132 × 132 (`GET …/sandbox/v1/avatar/
/// {index}/{size}`, any of [`AVATAR_SIZES`]), under the site's path.
pub fn avatar_path(index: u8) -> String {
    format!(
        "/sandbox/v1/avatar/{}/132",
        usize::from(index) % AVATARS.len()
    )
}

/// `/sns/userinfo`'s `headimgurl`: a URL, as WeChat gives (never the
/// emoji a page shows).
pub fn avatar_url(site: &crate::binding::Site, index: u8) -> String {
    format!("{}{}{}", site.origin, site.base, avatar_path(index))
}

/// The emoji a page shows for avatar `index`.
pub fn avatar_emoji(index: u8) -> &'static str {
    AVATARS[usize::from(index) % AVATARS.len()]
}

/// The scope that gives the openid only, authorized silently.
pub const SCOPE_BASE: &str = "snsapi_base";

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
        avatar_emoji(self.avatar)
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
    #[serde(default = "userinfo_scope")]
    scope: String,
}

fn userinfo_scope() -> String {
    "snsapi_userinfo".to_owned()
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
    /// `snsapi_base` (the openid only) or `snsapi_userinfo`.
    #[serde(default = "userinfo_scope")]
    pub scope: String,
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
    /// Which of [`AVATARS`]: `headimgurl` is [`avatar_url`] of it.
    pub avatar: u8,
    pub unionid: String,
    pub masked_wxid: String,
}

/// WeChat's side of the sandbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeChat {
    accounts: Vec<WeChatAccount>,
    next_id: u32,
    /// The client (browser) the calls below act for (never stored; see
    /// [`crate::session`]).
    #[serde(skip)]
    client: ClientId,
    /// Who is logged in to WeChat in each browser.
    #[serde(default)]
    sessions: BTreeMap<ClientId, WeChatId>,
    codes: Vec<AuthCode>,
    grants: Vec<Grant>,
    /// (user, appid) pairs that passed 二次验证 once: later authorizations of
    /// the same app by the same user skip it.
    verified: Vec<(WeChatId, String)>,
    /// Apps registered beside Qianbao (merchants' apps, by the sandbox server).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    apps: Vec<App>,
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
        self.session().and_then(|id| self.account(id))
    }

    /// Who is logged in to WeChat in this client's browser.
    fn session(&self) -> Option<WeChatId> {
        self.sessions.get(&self.client).copied()
    }

    pub(crate) fn set_client(&mut self, client: &ClientId) {
        self.client = client.clone();
    }

    /// Every browser's WeChat login.
    pub fn sessions(&self) -> &BTreeMap<ClientId, WeChatId> {
        &self.sessions
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
        if digits.len() != PAY_PASSWORD_DIGITS
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
        let id = account.id;
        self.sessions.insert(self.client.clone(), id);
        if self.sessions.len() > MAX_SESSIONS {
            // The oldest browser's login ends (WeChat's own sessions are
            // never idle-locked, so "oldest" is the first by name).
            let other = self.sessions.keys().find(|c| **c != self.client).cloned();
            if let Some(other) = other {
                self.sessions.remove(&other);
            }
        }
        Ok(id)
    }

    pub fn log_out(&mut self) {
        self.sessions.remove(&self.client);
    }

    /// 「允许第三方应用授权」 for the logged-in WeChat user.
    pub fn set_allow_third_party(&mut self, allow: bool) -> Result<(), WeChatError> {
        let id = self.session().ok_or(WeChatError::NotLoggedIn)?;
        let account = self
            .accounts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or(WeChatError::NotLoggedIn)?;
        account.allow_third_party = allow;
        Ok(())
    }

    /// The app registered under `appid`: Qianbao, or a merchant's.
    pub fn app(&self, appid: &str) -> Option<App> {
        std::iter::once(&QIANBAO)
            .chain(&self.apps)
            .find(|a| a.appid == appid)
            .cloned()
    }

    /// Registers a merchant's app (the sandbox server's `merchant add`).
    pub(crate) fn register_app(&mut self, app: App) {
        self.apps.retain(|a| a.appid != app.appid);
        self.apps.push(app);
    }

    /// Checks an authorization request as the authorize page receives it:
    /// a known app, a `redirect_uri` on its registered domain (the site's
    /// own host for Qianbao), `response_type=code` and a known scope.
    pub fn check_request(
        &self,
        request: &AuthorizeRequest<'_>,
        site_host: &str,
    ) -> Result<App, WeChatError> {
        let app = self.app(request.appid).ok_or(WeChatError::InvalidAppId)?;
        let domain = app.redirect_domain.as_deref().unwrap_or(site_host);
        if redirect_host(request.redirect_uri).as_deref() != Some(domain) {
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
        self.session()
            .is_some_and(|id| !self.verified.iter().any(|(u, a)| *u == id && a == appid))
    }

    pub(crate) fn mark_verified(&mut self, appid: &str) {
        if let Some(id) = self.session() {
            if !self.verified.iter().any(|(u, a)| *u == id && a == appid) {
                self.verified.push((id, appid.to_owned()));
            }
        }
    }

    /// 「允许」: issues a code for the logged-in user.
    pub(crate) fn issue_code(
        &mut self,
        appid: &str,
        scope: &str,
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
            scope: scope.to_owned(),
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
        let app = self.app(appid).ok_or(WeChatError::InvalidAppId)?;
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
        let scope = issued.scope.clone();
        let unionid = self
            .account(user)
            .map(|a| a.unionid.clone())
            .ok_or(WeChatError::InvalidCode)?;
        // A merchant's app gets the openid its payments already showed.
        let openid = match app.redirect_domain {
            Some(_) => self.openid_for_app(appid, user),
            None => self
                .grants
                .iter()
                .find(|g| g.user == user && g.appid == appid)
                .map(|g| g.openid.clone()),
        }
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
            scope: scope.clone(),
        };
        let tokens = Tokens {
            access_token: grant.access_token.clone(),
            expires_in: ACCESS_TTL.as_secs(),
            refresh_token: grant.refresh_token.clone(),
            openid,
            unionid,
            scope,
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
            return Err(WeChatError::InvalidOpenid);
        }
        // `snsapi_base` gives the openid only.
        if grant.scope == "snsapi_base" {
            return Err(WeChatError::Unauthorized);
        }
        let user = self.account(grant.user).ok_or(WeChatError::InvalidToken)?;
        Ok(UserInfo {
            openid: grant.openid.clone(),
            nickname: user.nickname.clone(),
            avatar: user.avatar,
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
            .filter(|g| Some(g.user) == self.session() && !g.revoked)
            .collect()
    }

    /// 「取消授权」 in WeChat's 授权管理.
    pub fn revoke_app(&mut self, appid: &str) -> Result<(), WeChatError> {
        let user = self.session().ok_or(WeChatError::NotLoggedIn)?;
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

    /// `/sns/auth`: is the access token valid now, and `openid`'s?
    pub(crate) fn check_token_for(
        &self,
        access_token: &str,
        openid: &str,
        now: Timestamp,
    ) -> Result<(), WeChatError> {
        let grant = self.grant_by_access(access_token, now)?;
        if grant.openid != openid {
            return Err(WeChatError::InvalidOpenid);
        }
        Ok(())
    }

    /// The grant a refresh token belongs to (for the refresh answer).
    pub(crate) fn grant_by_refresh(&self, appid: &str, refresh_token: &str) -> Option<&Grant> {
        self.grants
            .iter()
            .find(|g| g.appid == appid && g.refresh_token == refresh_token)
    }

    /// The openid `user` has for a sandbox merchant's app: the grant's if
    /// they authorized it, else one derived from the app and the user's
    /// unionid (stable, as WeChat's openids are per app and user).
    pub(crate) fn openid_for_app(&self, appid: &str, user: WeChatId) -> Option<String> {
        use sha2::{Digest, Sha256};
        if let Some(openid) = self.openid_of(appid, user) {
            return Some(openid);
        }
        let unionid = &self.account(user)?.unionid;
        let digest = Sha256::digest(format!("openid\n{appid}\n{unionid}").as_bytes());
        Some(format!("o{}", &crate::hex::encode(&digest)[..27]))
    }

    /// The openid `user` has for `appid`, once they authorized it.
    pub(crate) fn openid_of(&self, appid: &str, user: WeChatId) -> Option<String> {
        self.grants
            .iter()
            .find(|g| g.appid == appid && g.user == user)
            .map(|g| g.openid.clone())
    }

    pub(crate) fn user_by_openid(&self, appid: &str, openid: &str) -> Option<WeChatId> {
        self.grants
            .iter()
            .find(|g| g.appid == appid && g.openid == openid)
            .map(|g| g.user)
    }

    pub(crate) fn is_consistent(&self) -> bool {
        self.accounts.iter().all(WeChatAccount::is_well_formed)
            && self.sessions.len() <= MAX_SESSIONS
            && self.sessions.values().all(|id| self.account(*id).is_some())
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
mod tests;
