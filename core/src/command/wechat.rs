//! WeChat's commands, and the wallet's binding to WeChat: WeChat's own
//! 「注册」, 「登录」 and settings, 网页授权's consent, and the wallet's
//! 「绑定微信」 from start to end.

use super::{Ctx, Request, Typed};
use crate::binding::{BindError, Site};
use crate::state::State;
use crate::wechat::{AuthorizeRequest, NewWeChat, WeChatError, WeChatId};
use serde::{Deserialize, Serialize};

/// 「绑定微信」: a fresh `state`; answers the authorize URL to go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartBinding {
    pub site: Site,
}

impl Request for StartBinding {
    type Output = String;
    type Error = BindError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<String, BindError> {
        state.start_binding(&self.site, ctx.now, &mut ctx.rng)
    }
}

/// The wallet's callback page, with what WeChat sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteBinding {
    pub code: Option<String>,
    pub state: String,
}

impl Request for CompleteBinding {
    type Output = ();
    type Error = BindError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), BindError> {
        state.complete_binding(self.code.as_deref(), &self.state, ctx.now, &mut ctx.rng)
    }
}

/// 「绑定管理」 opens: the binding's token is used (and renewed, or the
/// binding ends if WeChat no longer honours it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckBinding {}

impl Request for CheckBinding {
    type Output = ();
    type Error = BindError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), BindError> {
        state.check_binding(ctx.now, &mut ctx.rng)
    }
}

/// 「解除绑定」 of the binding the person saw: the one to `openid`. A late
/// retry, after the wallet was unbound and bound again elsewhere, ends
/// nothing (`W-BIND-CHANGED`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnbindWeChat {
    pub openid: String,
}

impl Request for UnbindWeChat {
    type Output = ();
    type Error = BindError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), BindError> {
        state.unbind_reviewed(&self.openid, ctx.now)
    }
}

/// WeChat's own 「注册」, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeChatRegister {
    pub wxid: String,
    pub phone: String,
    pub nickname: String,
    pub real_name: String,
    pub password: Typed,
    pub pay_password: Typed,
}

impl Request for WeChatRegister {
    type Output = WeChatId;
    type Error = WeChatError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<WeChatId, WeChatError> {
        let form = NewWeChat {
            wxid: &self.wxid,
            phone: &self.phone,
            nickname: &self.nickname,
            real_name: &self.real_name,
            password: self.password.as_str(),
            pay_password: self.pay_password.as_str(),
        };
        state
            .wechat_mut()
            .register(form, ctx.now, &mut ctx.rng, ctx.hasher)
    }
}

/// WeChat's 「登录」 in this browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeChatLogIn {
    pub who: String,
    pub password: Typed,
}

impl Request for WeChatLogIn {
    type Output = WeChatId;
    type Error = WeChatError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<WeChatId, WeChatError> {
        state
            .wechat_mut()
            .log_in(&self.who, self.password.as_str(), ctx.now)
    }
}

/// WeChat's 「退出登录」 in this browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeChatLogOut {}

impl Request for WeChatLogOut {
    type Output = ();
    type Error = WeChatError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), WeChatError> {
        state.wechat_mut().log_out();
        Ok(())
    }
}

/// 「允许第三方应用授权」, set to `allow` (a setting, not a toggle: sent
/// twice, it is the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAllowThirdParty {
    pub allow: bool,
}

impl Request for SetAllowThirdParty {
    type Output = ();
    type Error = WeChatError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), WeChatError> {
        state.wechat_mut().set_allow_third_party(self.allow)
    }
}

/// 「取消授权」 in WeChat's 授权管理.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeApp {
    pub appid: String,
}

impl Request for RevokeApp {
    type Output = ();
    type Error = WeChatError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), WeChatError> {
        state.wechat_mut().revoke_app(&self.appid)
    }
}

/// 二次验证's 「获取验证码」; answers the masked phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendWeChatCode {}

impl Request for SendWeChatCode {
    type Output = String;
    type Error = BindError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<String, BindError> {
        state.send_wechat_code(ctx.now, &mut ctx.rng)
    }
}

/// An authorization request as the authorize page read it from its URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    pub appid: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: String,
}

impl Authorization {
    pub fn borrowed(&self) -> AuthorizeRequest<'_> {
        AuthorizeRequest {
            appid: &self.appid,
            redirect_uri: &self.redirect_uri,
            response_type: &self.response_type,
            scope: &self.scope,
            state: &self.state,
        }
    }
}

/// 「允许」 (with the 二次验证 code when one is needed); answers the URL
/// back to the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproveAuthorization {
    pub request: Authorization,
    pub site: Site,
    pub second_factor: Option<Typed>,
}

impl Request for ApproveAuthorization {
    type Output = String;
    type Error = BindError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<String, BindError> {
        state.approve_authorization(
            &self.request.borrowed(),
            &self.site,
            self.second_factor.as_ref().map(Typed::as_str),
            ctx.now,
            &mut ctx.rng,
        )
    }
}

/// 「拒绝」; answers the URL back to the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenyAuthorization {
    pub request: Authorization,
    pub site: Site,
}

impl Request for DenyAuthorization {
    type Output = String;
    type Error = BindError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<String, BindError> {
        state.deny_authorization(&self.request.borrowed(), &self.site, ctx.now)
    }
}
