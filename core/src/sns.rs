//! WeChat's 网页授权 APIs as a merchant's own backend calls them through the
//! sandbox server: `/sns/oauth2/access_token`, `/sns/oauth2/refresh_token`,
//! `/sns/userinfo` and `/sns/auth`, with WeChat's field names and its
//! `{errcode, errmsg}` — the same codes, single use and lifetimes as the
//! wallet's own binding ([`crate::wechat`]), logged in the console and
//! meeting its faults like every request. The AppSecret is the server's to
//! check (it keeps the secrets); everything else is decided here.

use crate::binding::{request, Site};
use crate::sim::Endpoint;
use crate::state::State;
use crate::time::Timestamp;
use crate::wechat::WeChatError;
use rand_core::RngCore;
use serde::Serialize;

/// WeChat's `{errcode, errmsg}` for an error of its APIs.
pub fn errcode(error: &WeChatError) -> (i64, &'static str) {
    match error {
        WeChatError::InvalidAppId => (40013, "invalid appid"),
        WeChatError::InvalidCode => (40029, "invalid code"),
        WeChatError::CodeUsed => (40163, "code been used"),
        WeChatError::InvalidToken => (
            40001,
            "invalid credential, access_token is invalid or not latest",
        ),
        WeChatError::InvalidOpenid => (40003, "invalid openid"),
        WeChatError::TokenExpired => (42001, "access_token expired"),
        WeChatError::InvalidRefresh => (40030, "invalid refresh_token"),
        WeChatError::RefreshExpired => (42002, "refresh_token expired"),
        WeChatError::Unauthorized => (48001, "api unauthorized"),
        _ => (-1, "system error"),
    }
}

/// What the token endpoints answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
    pub openid: String,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unionid: Option<String>,
}

/// What `/sns/userinfo` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfoAnswer {
    pub openid: String,
    pub nickname: String,
    pub sex: u8,
    pub province: String,
    pub city: String,
    pub country: String,
    pub headimgurl: String,
    pub privilege: Vec<String>,
    pub unionid: String,
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl State {
    /// `GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`.
    pub fn sns_access_token(
        &mut self,
        appid: &str,
        code: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<TokenAnswer, WeChatError> {
        let fields = pairs(&[
            ("appid", appid),
            ("secret", "(app secret)"),
            ("code", &crate::sim::redact(code)),
            ("grant_type", "authorization_code"),
        ]);
        let wechat = &mut self.wechat;
        request(&mut self.sim, now, Endpoint::AccessToken, fields, || {
            let tokens = wechat.exchange_code(appid, code, now, rng)?;
            let answer = TokenAnswer {
                access_token: tokens.access_token,
                expires_in: tokens.expires_in,
                refresh_token: tokens.refresh_token,
                openid: tokens.openid,
                unionid: (tokens.scope == "snsapi_userinfo").then_some(tokens.unionid),
                scope: tokens.scope,
            };
            let response = pairs(&[
                ("access_token", &crate::sim::redact(&answer.access_token)),
                ("expires_in", &answer.expires_in.to_string()),
                ("openid", &answer.openid),
                ("scope", &answer.scope),
            ]);
            Ok((answer, response))
        })
    }

    /// `GET /sns/oauth2/refresh_token?appid&grant_type=refresh_token&refresh_token`.
    pub fn sns_refresh_token(
        &mut self,
        appid: &str,
        refresh_token: &str,
        now: Timestamp,
        rng: &mut impl RngCore,
    ) -> Result<TokenAnswer, WeChatError> {
        let fields = pairs(&[
            ("appid", appid),
            ("grant_type", "refresh_token"),
            ("refresh_token", &crate::sim::redact(refresh_token)),
        ]);
        let wechat = &mut self.wechat;
        request(&mut self.sim, now, Endpoint::RefreshToken, fields, || {
            wechat.app(appid).ok_or(WeChatError::InvalidAppId)?;
            let (access_token, expires) = wechat.refresh(appid, refresh_token, now, rng)?;
            let grant = wechat
                .grant_by_refresh(appid, refresh_token)
                .ok_or(WeChatError::InvalidRefresh)?;
            let answer = TokenAnswer {
                access_token,
                expires_in: expires.since(now).as_secs(),
                refresh_token: refresh_token.to_owned(),
                openid: grant.openid.clone(),
                scope: grant.scope.clone(),
                unionid: None,
            };
            let response = pairs(&[
                ("access_token", &crate::sim::redact(&answer.access_token)),
                ("expires_in", &answer.expires_in.to_string()),
            ]);
            Ok((answer, response))
        })
    }

    /// `GET /sns/userinfo?access_token&openid&lang`; `headimgurl` is the
    /// avatar's URL on `site` (the sandbox serves it).
    pub fn sns_userinfo(
        &mut self,
        access_token: &str,
        openid: &str,
        site: &Site,
        now: Timestamp,
    ) -> Result<UserInfoAnswer, WeChatError> {
        let fields = pairs(&[
            ("access_token", &crate::sim::redact(access_token)),
            ("openid", openid),
        ]);
        let wechat = &self.wechat;
        request(&mut self.sim, now, Endpoint::UserInfo, fields, || {
            let info = wechat.user_info(access_token, openid, now)?;
            let response = pairs(&[("openid", &info.openid), ("nickname", &info.nickname)]);
            let answer = UserInfoAnswer {
                openid: info.openid,
                nickname: info.nickname,
                sex: 0,
                province: String::new(),
                city: String::new(),
                country: String::new(),
                headimgurl: crate::wechat::avatar_url(site, info.avatar),
                privilege: Vec::new(),
                unionid: info.unionid,
            };
            Ok((answer, response))
        })
    }

    /// `GET /sns/auth?access_token&openid`: is the token good for this openid?
    pub fn sns_auth(
        &mut self,
        access_token: &str,
        openid: &str,
        now: Timestamp,
    ) -> Result<(), WeChatError> {
        let fields = pairs(&[
            ("access_token", &crate::sim::redact(access_token)),
            ("openid", openid),
        ]);
        let wechat = &self.wechat;
        request(&mut self.sim, now, Endpoint::CheckToken, fields, || {
            wechat.check_token_for(access_token, openid, now)?;
            Ok(((), pairs(&[("errcode", "0"), ("errmsg", "ok")])))
        })
    }
}
