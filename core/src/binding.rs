//! Binding a wallet account to WeChat (SPEC F3, F5; the article's 二 and
//! 三.3): the wallet side's state machine and the exchanges with the
//! simulated WeChat that move it.
//!
//! ```text
//! Unbound ──start──▶ Authorizing{state} ──complete──▶ Bound{openid, tokens}
//!    ▲                   │ cancel / failure              │ unbind / revoked seen
//!    └───────────────────┘                               ▼
//!                                                   Ended{reason}  ──start──▶ …
//! ```
//!
//! Every transition is one arm of [`Binding::apply`]; anything else is a
//! typed error. The `state` parameter is 32 random characters, checked on
//! the callback. Completing a binding runs the token exchange, user info
//! and real-name check against a *copy* of WeChat's state: only when every
//! step succeeds are both sides committed together; after any failure
//! neither side has changed (so a network failure can simply be retried).

use crate::account::{AccountError, AccountId};
use crate::error::{Guidance, UserError};
use crate::phone::{Body, Channel, Sender};
use crate::sim::{redact, Endpoint};
use crate::state::State;
use crate::time::Timestamp;
use crate::verification::Purpose;
use crate::wechat::{self, AuthorizeRequest, WeChat, WeChatError, QIANBAO_APPID};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};

/// Where the sandbox is served: `origin` like `http://127.0.0.1:8080`, and
/// the base path (`""` at the root, `/qianbao` under a sub-path).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Site {
    pub origin: String,
    pub base: String,
}

impl Site {
    pub fn host(&self) -> String {
        wechat::redirect_host(&self.origin).unwrap_or_default()
    }

    /// The wallet's registered callback.
    pub fn redirect_uri(&self) -> String {
        format!("{}{}/bind/callback", self.origin, self.base)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bound {
    pub openid: String,
    pub unionid: String,
    pub nickname: String,
    pub avatar: String,
    pub masked_wxid: String,
    pub bound_at: Timestamp,
    /// The `state` of the authorization that bound it (a reloaded callback
    /// page is then recognised, not refused).
    via_state: String,
    access_token: String,
    refresh_token: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// 「解除绑定」 in the wallet.
    Unbound,
    /// 「取消授权」 in WeChat, noticed on the next use of the token.
    RevokedInWeChat,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    #[default]
    Unbound,
    Authorizing {
        state: String,
        started: Timestamp,
    },
    Bound(Bound),
    Ended {
        reason: EndReason,
        at: Timestamp,
    },
}

/// What moves a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Start { state: String, at: Timestamp },
    Cancel,
    Complete(Bound),
    Unbind { at: Timestamp },
    RevokedSeen { at: Timestamp },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum BindError {
    #[error(transparent)]
    WeChat(#[from] WeChatError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("the wallet is already bound to WeChat")]
    AlreadyBound,
    #[error("the wallet is not bound to WeChat")]
    NotBound,
    #[error("no binding is in progress")]
    NotAuthorizing,
    #[error("the callback's state does not match: possibly forged")]
    ForgedState,
    #[error("authorization was declined in WeChat")]
    Denied,
    #[error("the WeChat account's real name does not match the wallet's")]
    Mismatch,
    /// The binding on screen ended, and the wallet was bound again since
    /// (another tab or browser): what was asked of the old one is not done
    /// to the new one.
    #[error("the wallet is now bound to another WeChat account than the one shown")]
    Changed,
}

impl UserError for BindError {
    fn code(&self) -> &'static str {
        match self {
            // What the wallet's binding meets, in the wallet's family.
            Self::WeChat(WeChatError::Network) => "W-BIND-NETWORK",
            Self::WeChat(WeChatError::ThirdPartyOff) => "W-BIND-PERMISSION",
            Self::WeChat(e) => e.code(),
            Self::Account(e) => e.code(),
            Self::AlreadyBound => "W-BIND-ALREADY",
            Self::NotBound => "W-BIND-NONE",
            Self::NotAuthorizing => "W-BIND-NOT-STARTED",
            Self::ForgedState => "W-BIND-STATE",
            Self::Denied => "W-BIND-DENIED",
            Self::Mismatch => "W-BIND-MISMATCH",
            Self::Changed => "W-BIND-CHANGED",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::WeChat(e) => e.guidance(),
            Self::Account(e) => e.guidance(),
            Self::AlreadyBound => Guidance::UnbindFirst,
            Self::NotBound | Self::NotAuthorizing | Self::ForgedState | Self::Denied => {
                Guidance::BindAgain
            }
            Self::Mismatch => Guidance::ReenterAndVerify,
            Self::Changed => Guidance::StartAgain,
        }
    }

    fn last_resort(&self) -> Option<Guidance> {
        match self.guidance() {
            Guidance::CheckNetwork | Guidance::RestartOrContactSupport => None,
            _ => Some(Guidance::RestartOrContactSupport),
        }
    }
}

impl BindError {
    /// Whether 「重试」 may simply run the same step again: only when WeChat
    /// could not be reached or was busy (三.1), since then neither side has
    /// changed. Every other failure needs a new binding or a fix first.
    pub fn can_retry(&self) -> bool {
        matches!(
            self,
            Self::WeChat(WeChatError::Network | WeChatError::SystemBusy)
        )
    }
}

/// What WeChat's authorize page shows for a request, the way
/// [`crate::guide::next_step`] names a tour's next step: the page renders
/// it and decides nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeStep {
    /// WeChat cannot be reached (the browser is offline): 三.1, with 「重试」.
    Unreachable,
    /// The request itself is wrong (40013, 10003, 10005): nothing to do
    /// here but go back.
    BadRequest(WeChatError),
    /// Nobody is logged in to WeChat: its login form first.
    LogIn,
    /// 「允许第三方应用授权」 is off: the way to WeChat's settings.
    PermissionOff,
    /// The consent screen for `app`; 二次验证 after 「允许」 when
    /// `second_factor` (the first authorization of this app by this user).
    Consent {
        app: wechat::App,
        second_factor: bool,
    },
    /// `snsapi_base` (the openid only): WeChat authorizes it silently —
    /// no consent screen, no 二次验证 — and goes straight back to the app.
    Silent { app: wechat::App },
}

impl AuthorizeStep {
    /// The error the page shows with this step, if any.
    pub fn error(&self) -> Option<WeChatError> {
        match self {
            Self::Unreachable => Some(WeChatError::Network),
            Self::BadRequest(e) => Some(e.clone()),
            Self::PermissionOff => Some(WeChatError::ThirdPartyOff),
            Self::LogIn | Self::Consent { .. } | Self::Silent { .. } => None,
        }
    }
}

impl Binding {
    /// The one place a binding changes.
    pub fn apply(self, event: Event) -> Result<Binding, BindError> {
        use Binding::{Authorizing, Ended, Unbound};
        match (self, event) {
            (Unbound | Ended { .. } | Authorizing { .. }, Event::Start { state, at }) => {
                Ok(Authorizing { state, started: at })
            }
            (Binding::Bound(_), Event::Start { .. }) => Err(BindError::AlreadyBound),
            (Authorizing { .. }, Event::Cancel) => Ok(Unbound),
            (Authorizing { .. }, Event::Complete(bound)) => Ok(Binding::Bound(bound)),
            (Binding::Bound(_), Event::Unbind { at }) => Ok(Ended {
                reason: EndReason::Unbound,
                at,
            }),
            (Binding::Bound(_), Event::RevokedSeen { at }) => Ok(Ended {
                reason: EndReason::RevokedInWeChat,
                at,
            }),
            (Binding::Bound(_), Event::Cancel | Event::Complete(_)) => Err(BindError::AlreadyBound),
            (Unbound | Ended { .. }, Event::Cancel | Event::Complete(_)) => {
                Err(BindError::NotAuthorizing)
            }
            (
                Unbound | Ended { .. } | Authorizing { .. },
                Event::Unbind { .. } | Event::RevokedSeen { .. },
            ) => Err(BindError::NotBound),
        }
    }

    pub fn bound(&self) -> Option<&Bound> {
        match self {
            Binding::Bound(bound) => Some(bound),
            _ => None,
        }
    }
}

/// One simulated request: faults first, then the call, both logged.
pub(crate) fn request<T>(
    state_sim: &mut crate::sim::Sim,
    now: Timestamp,
    endpoint: Endpoint,
    fields: Vec<(String, String)>,
    call: impl FnOnce() -> Result<(T, Vec<(String, String)>), WeChatError>,
) -> Result<T, WeChatError> {
    let outcome = match state_sim.take_fault() {
        Some(fault) => Err(fault.into()),
        None => call(),
    };
    match outcome {
        Ok((value, response)) => {
            state_sim.record(now, endpoint, fields, response, None);
            Ok(value)
        }
        Err(error) => {
            state_sim.record_failure(now, endpoint, fields, &error);
            Err(error)
        }
    }
}

/// The WeChat authorize page (app path) for an authorization with this
/// `state`: where 「绑定微信」 sends the browser, and where a binding still
/// in progress can be taken up again.
pub fn authorize_path(site: &Site, state: &str) -> String {
    format!(
        "/wechat/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope=snsapi_userinfo&state={}#wechat_redirect",
        QIANBAO_APPID,
        wechat::encode(&site.redirect_uri()),
        state
    )
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl State {
    pub fn wechat(&self) -> &WeChat {
        &self.wechat
    }

    pub fn wechat_mut(&mut self) -> &mut WeChat {
        &mut self.wechat
    }

    pub fn sim(&self) -> &crate::sim::Sim {
        &self.sim
    }

    pub fn sim_mut(&mut self) -> &mut crate::sim::Sim {
        &mut self.sim
    }

    /// The binding of a wallet account.
    pub fn binding(&self, account: AccountId) -> Binding {
        self.bindings
            .iter()
            .find(|(id, _)| *id == account)
            .map(|(_, b)| b.clone())
            .unwrap_or_default()
    }

    fn set_binding(&mut self, account: AccountId, binding: Binding) {
        self.bindings.retain(|(id, _)| *id != account);
        self.bindings.push((account, binding));
    }

    fn transition(&mut self, account: AccountId, event: Event) -> Result<(), BindError> {
        let next = self.binding(account).apply(event)?;
        self.set_binding(account, next);
        Ok(())
    }

    /// The wallet learned that WeChat no longer honours its authorization.
    pub(crate) fn end_binding_revoked(&mut self, account: AccountId, now: Timestamp) {
        let _ = self.transition(account, Event::RevokedSeen { at: now });
    }

    /// 「绑定微信」: a fresh `state`, and the WeChat authorize URL (app path,
    /// under the site's base) to navigate to.
    pub fn start_binding(
        &mut self,
        site: &Site,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<String, BindError> {
        let me = self.signed_in_id()?;
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        let state: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.transition(
            me,
            Event::Start {
                state: state.clone(),
                at: now,
            },
        )?;
        Ok(authorize_path(site, &state))
    }

    /// The authorize page's step for `request`, arriving at `site_host`;
    /// `reachable` is false while the browser is offline.
    pub fn authorize_step(
        &self,
        request: &AuthorizeRequest<'_>,
        site_host: &str,
        reachable: bool,
    ) -> AuthorizeStep {
        if !reachable {
            return AuthorizeStep::Unreachable;
        }
        let app = match self.wechat.check_request(request, site_host) {
            Ok(app) => app,
            Err(e) => return AuthorizeStep::BadRequest(e),
        };
        match self.wechat.signed_in() {
            None => AuthorizeStep::LogIn,
            Some(user) if !user.allows_third_party() => AuthorizeStep::PermissionOff,
            Some(_) if request.scope == wechat::SCOPE_BASE => AuthorizeStep::Silent { app },
            Some(_) => AuthorizeStep::Consent {
                second_factor: self.wechat.needs_second_factor(&app.appid),
                app,
            },
        }
    }

    /// 二次验证: sends a code to the logged-in WeChat user's phone.
    pub fn send_wechat_code(
        &mut self,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<String, BindError> {
        let user = self.wechat.signed_in().ok_or(WeChatError::NotLoggedIn)?;
        if !user.allows_third_party() {
            return Err(WeChatError::ThirdPartyOff.into());
        }
        let phone = user.phone().clone();
        let code = self
            .verifications
            .issue(phone.as_str(), Purpose::WeChatBind, now, rng)
            .map_err(WeChatError::from)?;
        let body = Body::VerificationCode {
            code,
            purpose: Purpose::WeChatBind,
        };
        self.inbox.deliver(
            phone.as_str(),
            Channel::Sms,
            Sender::WeChat,
            body,
            now,
            &self.client,
        );
        Ok(phone.masked())
    }

    /// 「允许」 (and 二次验证 when needed), or a silent `snsapi_base`
    /// authorization: a code for the app; returns the redirect URL back to
    /// it.
    pub fn approve_authorization(
        &mut self,
        request: &AuthorizeRequest<'_>,
        site: &Site,
        second_factor: Option<&str>,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<String, BindError> {
        let app = self.wechat.check_request(request, &site.host())?;
        let user = self.wechat.signed_in().ok_or(WeChatError::NotLoggedIn)?;
        if !user.allows_third_party() {
            return Err(WeChatError::ThirdPartyOff.into());
        }
        let phone = user.phone().clone();
        if request.scope != wechat::SCOPE_BASE && self.wechat.needs_second_factor(&app.appid) {
            self.verifications
                .check(
                    phone.as_str(),
                    Purpose::WeChatBind,
                    second_factor.unwrap_or_default(),
                    now,
                )
                .map_err(WeChatError::from)?;
            self.wechat.mark_verified(&app.appid);
        }
        let code = self
            .wechat
            .issue_code(&app.appid, request.scope, now, rng)?;
        let fields = pairs(&[
            ("appid", &app.appid),
            ("scope", request.scope),
            ("state", request.state),
        ]);
        let response = pairs(&[("code", &redact(&code)), ("state", request.state)]);
        self.sim
            .record(now, Endpoint::Authorize, fields, response, None);
        Ok(wechat::redirect_url(
            request.redirect_uri,
            Some(&code),
            request.state,
        ))
    }

    /// 「拒绝」: back to the app with `state` only.
    pub fn deny_authorization(
        &mut self,
        request: &AuthorizeRequest<'_>,
        site: &Site,
        now: Timestamp,
    ) -> Result<String, BindError> {
        let app = self.wechat.check_request(request, &site.host())?;
        let fields = pairs(&[
            ("appid", &app.appid),
            ("scope", request.scope),
            ("state", request.state),
        ]);
        self.sim.record(
            now,
            Endpoint::Authorize,
            fields,
            pairs(&[("state", request.state), ("code", "(none: user denied)")]),
            None,
        );
        Ok(wechat::redirect_url(
            request.redirect_uri,
            None,
            request.state,
        ))
    }

    /// The wallet's callback: checks `state`, exchanges the code, reads the
    /// user info, checks the real name, and binds — all or nothing.
    pub fn complete_binding(
        &mut self,
        code: Option<&str>,
        state: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<(), BindError> {
        let me = self.signed_in_id()?;
        match self.binding(me) {
            Binding::Authorizing {
                state: expected, ..
            } if expected == state => {}
            Binding::Authorizing { .. } => return Err(BindError::ForgedState),
            Binding::Bound(bound) if bound.via_state == state => return Ok(()),
            Binding::Bound(_) => return Err(BindError::AlreadyBound),
            Binding::Unbound | Binding::Ended { .. } => return Err(BindError::NotAuthorizing),
        }
        let Some(code) = code.filter(|c| !c.is_empty()) else {
            self.transition(me, Event::Cancel)?;
            return Err(BindError::Denied);
        };
        let real_name = self
            .account(me)
            .map(|a| a.real_name().clone())
            .ok_or(AccountError::NotSignedIn)?;
        let mut remote = self.wechat.clone();
        let result = Self::exchange(&mut remote, &mut self.sim, code, &real_name, now, rng);
        match result {
            Ok(info) => {
                let bound = Bound {
                    via_state: state.to_owned(),
                    bound_at: now,
                    ..info
                };
                self.wechat = remote;
                self.transition(me, Event::Complete(bound))
            }
            Err(
                error @ (BindError::WeChat(WeChatError::Network)
                | BindError::WeChat(WeChatError::SystemBusy)),
            ) => {
                // Nothing happened on either side: the same callback can be retried.
                Err(error)
            }
            Err(error) => {
                self.transition(me, Event::Cancel)?;
                Err(error)
            }
        }
    }

    fn exchange(
        remote: &mut WeChat,
        sim: &mut crate::sim::Sim,
        code: &str,
        real_name: &crate::identity::RealName,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<Bound, BindError> {
        let appid = QIANBAO_APPID;
        let fields = pairs(&[
            ("appid", appid),
            ("secret", "(app secret)"),
            ("code", &redact(code)),
            ("grant_type", "authorization_code"),
        ]);
        let tokens = request(sim, now, Endpoint::AccessToken, fields, || {
            let t = remote.exchange_code(appid, code, now, rng)?;
            let response = pairs(&[
                ("access_token", &redact(&t.access_token)),
                ("expires_in", &t.expires_in.to_string()),
                ("refresh_token", &redact(&t.refresh_token)),
                ("openid", &t.openid),
                ("scope", &t.scope),
                ("unionid", &t.unionid),
            ]);
            Ok((t, response))
        })?;
        let fields = pairs(&[
            ("access_token", &redact(&tokens.access_token)),
            ("openid", &tokens.openid),
            ("lang", "zh_CN"),
        ]);
        let info = request(sim, now, Endpoint::UserInfo, fields, || {
            let info = remote.user_info(&tokens.access_token, &tokens.openid, now)?;
            let response = pairs(&[
                ("openid", &info.openid),
                ("nickname", &info.nickname),
                ("headimgurl", &wechat::avatar_path(info.avatar)),
                ("unionid", &info.unionid),
            ]);
            Ok((info, response))
        })?;
        let fields = pairs(&[
            ("access_token", &redact(&tokens.access_token)),
            ("real_name", &real_name.masked()),
        ]);
        let matches = request(sim, now, Endpoint::CheckRealName, fields, || {
            let matches = remote.check_real_name(&tokens.access_token, real_name, None, now)?;
            Ok((
                matches,
                pairs(&[("match", if matches { "true" } else { "false" })]),
            ))
        })?;
        if !matches {
            return Err(BindError::Mismatch);
        }
        Ok(Bound {
            openid: info.openid,
            unionid: info.unionid,
            nickname: info.nickname,
            avatar: wechat::avatar_emoji(info.avatar).to_owned(),
            masked_wxid: info.masked_wxid,
            bound_at: now,
            via_state: String::new(),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        })
    }

    /// 「解除绑定」/「取消授权」 in the wallet: revokes the tokens, then ends
    /// the binding. If WeChat cannot be reached, nothing changes.
    pub fn unbind_wechat(&mut self, now: Timestamp) -> Result<(), BindError> {
        let me = self.signed_in_id()?;
        let bound = self
            .binding(me)
            .bound()
            .cloned()
            .ok_or(BindError::NotBound)?;
        let fields = pairs(&[("appid", QIANBAO_APPID), ("openid", &bound.openid)]);
        let wechat = &mut self.wechat;
        let revoked = request(&mut self.sim, now, Endpoint::Revoke, fields, || {
            // Already revoked in WeChat counts as done.
            match wechat.revoke_by_token(&bound.refresh_token) {
                Ok(()) | Err(WeChatError::InvalidRefresh) => {
                    Ok(((), pairs(&[("errcode", "0"), ("errmsg", "ok")])))
                }
                Err(e) => Err(e),
            }
        });
        revoked?;
        self.transition(me, Event::Unbind { at: now })
    }

    /// 「解除绑定」 of the binding the person saw (`openid`): if the wallet
    /// is bound to another WeChat account by now, nothing is ended.
    pub fn unbind_reviewed(&mut self, openid: &str, now: Timestamp) -> Result<(), BindError> {
        let me = self.signed_in_id()?;
        match self.binding(me).bound() {
            Some(bound) if bound.openid == openid => self.unbind_wechat(now),
            Some(_) => Err(BindError::Changed),
            None => Err(BindError::NotBound),
        }
    }

    /// Uses the binding's token, as the wallet does before relying on it:
    /// refreshes an expired access token; a revoked or dead authorization
    /// ends the binding. Network trouble changes nothing.
    pub fn check_binding(
        &mut self,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<(), BindError> {
        let me = self.signed_in_id()?;
        let Some(bound) = self.binding(me).bound().cloned() else {
            return Ok(());
        };
        let fields = pairs(&[
            ("access_token", &redact(&bound.access_token)),
            ("openid", &bound.openid),
        ]);
        let wechat = &self.wechat;
        let checked = request(&mut self.sim, now, Endpoint::CheckToken, fields, || {
            wechat.check_token(&bound.access_token, now)?;
            Ok(((), pairs(&[("errcode", "0"), ("errmsg", "ok")])))
        });
        match checked {
            Ok(()) => Ok(()),
            Err(WeChatError::TokenExpired) => {
                let fields = pairs(&[
                    ("appid", QIANBAO_APPID),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &redact(&bound.refresh_token)),
                ]);
                let wechat = &mut self.wechat;
                let refreshed = request(&mut self.sim, now, Endpoint::RefreshToken, fields, || {
                    let (token, _) =
                        wechat.refresh(QIANBAO_APPID, &bound.refresh_token, now, rng)?;
                    let response = pairs(&[
                        ("access_token", &redact(&token)),
                        ("expires_in", "7200"),
                        ("openid", &bound.openid),
                    ]);
                    Ok((token, response))
                });
                match refreshed {
                    Ok(token) => {
                        let renewed = Bound {
                            access_token: token,
                            ..bound
                        };
                        self.set_binding(me, Binding::Bound(renewed));
                        Ok(())
                    }
                    Err(WeChatError::Network | WeChatError::SystemBusy) => Ok(()),
                    Err(_) => self.transition(me, Event::RevokedSeen { at: now }),
                }
            }
            Err(
                WeChatError::Unauthorized | WeChatError::InvalidToken | WeChatError::RefreshExpired,
            ) => self.transition(me, Event::RevokedSeen { at: now }),
            Err(other) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const AT: Timestamp = Timestamp::from_millis(1_000);

    fn bound() -> Bound {
        Bound {
            openid: "o".to_owned(),
            unionid: "u".to_owned(),
            nickname: "小明".to_owned(),
            avatar: String::new(),
            masked_wxid: "z***6".to_owned(),
            bound_at: AT,
            via_state: "s".to_owned(),
            access_token: "a".to_owned(),
            refresh_token: "r".to_owned(),
        }
    }

    fn state(name: &str) -> Binding {
        match name {
            "Unbound" => Binding::Unbound,
            "Authorizing" => Binding::Authorizing {
                state: "s".to_owned(),
                started: AT,
            },
            "Bound" => Binding::Bound(bound()),
            "Ended" => Binding::Ended {
                reason: EndReason::Unbound,
                at: AT,
            },
            other => unreachable!("no state {other}"),
        }
    }

    fn event(name: &str) -> Event {
        match name {
            "Start" => Event::Start {
                state: "t".to_owned(),
                at: AT,
            },
            "Cancel" => Event::Cancel,
            "Complete" => Event::Complete(bound()),
            "Unbind" => Event::Unbind { at: AT },
            "RevokedSeen" => Event::RevokedSeen { at: AT },
            other => unreachable!("no event {other}"),
        }
    }

    /// What a binding became, in one word.
    fn outcome(result: Result<Binding, BindError>) -> String {
        match result {
            Ok(Binding::Unbound) => "Unbound".to_owned(),
            Ok(Binding::Authorizing { .. }) => "Authorizing".to_owned(),
            Ok(Binding::Bound(_)) => "Bound".to_owned(),
            Ok(Binding::Ended { reason, .. }) => format!("Ended({reason:?})"),
            Err(e) => format!("Err({e:?})"),
        }
    }

    /// The whole state machine: every state (4) under every event (5).
    #[rstest]
    #[case("Unbound", "Start", "Authorizing")]
    #[case("Unbound", "Cancel", "Err(NotAuthorizing)")]
    #[case("Unbound", "Complete", "Err(NotAuthorizing)")]
    #[case("Unbound", "Unbind", "Err(NotBound)")]
    #[case("Unbound", "RevokedSeen", "Err(NotBound)")]
    #[case("Authorizing", "Start", "Authorizing")]
    #[case("Authorizing", "Cancel", "Unbound")]
    #[case("Authorizing", "Complete", "Bound")]
    #[case("Authorizing", "Unbind", "Err(NotBound)")]
    #[case("Authorizing", "RevokedSeen", "Err(NotBound)")]
    #[case("Bound", "Start", "Err(AlreadyBound)")]
    #[case("Bound", "Cancel", "Err(AlreadyBound)")]
    #[case("Bound", "Complete", "Err(AlreadyBound)")]
    #[case("Bound", "Unbind", "Ended(Unbound)")]
    #[case("Bound", "RevokedSeen", "Ended(RevokedInWeChat)")]
    #[case("Ended", "Start", "Authorizing")]
    #[case("Ended", "Cancel", "Err(NotAuthorizing)")]
    #[case("Ended", "Complete", "Err(NotAuthorizing)")]
    #[case("Ended", "Unbind", "Err(NotBound)")]
    #[case("Ended", "RevokedSeen", "Err(NotBound)")]
    fn every_state_under_every_event(#[case] from: &str, #[case] on: &str, #[case] to: &str) {
        assert_eq!(outcome(state(from).apply(event(on))), to);
    }

    #[test]
    fn only_an_unreachable_or_busy_wechat_may_be_retried() {
        assert!(BindError::WeChat(WeChatError::Network).can_retry());
        assert!(BindError::WeChat(WeChatError::SystemBusy).can_retry());
        assert!(!BindError::WeChat(WeChatError::InvalidCode).can_retry());
        assert!(!BindError::Mismatch.can_retry());
    }
}
