//! `/wechat/connect/oauth2/authorize?appid=…&redirect_uri=…&response_type=code
//! &scope=snsapi_userinfo&state=…#wechat_redirect`: WeChat's authorization
//! page. It checks the request (unknown appid → 40013, foreign redirect
//! domain → 10003), asks the user to log in to WeChat if needed, stops with
//! guidance when 「允许第三方应用授权」 is off, shows the consent screen
//! (「允许」/「拒绝」), runs 二次验证 on a first binding, and sends the
//! browser back to the app with `code` and `state` (or `state` alone). A
//! `snsapi_base` request (the openid only) is authorized silently, as
//! WeChat does: no consent screen, straight back to the app.

use super::WeChatLogin;
use crate::app::Page;
use crate::components::ErrorBox;
use crate::env;
use crate::pages::wallet::site;
use crate::router::{use_nav, Link};
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::binding::AuthorizeStep;
use qianbao_core::command::{
    ApproveAuthorization, Authorization, DenyAuthorization, SendWeChatCode,
};
use qianbao_core::wechat::AuthorizeRequest;

/// The request's parameters, owned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Params {
    appid: String,
    redirect_uri: String,
    response_type: String,
    scope: String,
    state: String,
}

impl Params {
    fn request(&self) -> AuthorizeRequest<'_> {
        AuthorizeRequest {
            appid: &self.appid,
            redirect_uri: &self.redirect_uri,
            response_type: &self.response_type,
            scope: &self.scope,
            state: &self.state,
        }
    }

    /// The request as a command carries it.
    fn owned(&self) -> Authorization {
        Authorization {
            appid: self.appid.clone(),
            redirect_uri: self.redirect_uri.clone(),
            response_type: self.response_type.clone(),
            scope: self.scope.clone(),
            state: self.state.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Consent,
    SecondFactor,
    Leaving,
}

#[component]
pub fn Authorize() -> impl IntoView {
    let store = use_store();
    let nav = use_nav();
    let t = move || store.text();
    let tw = move || store.wechat_text();
    let get = move |key: &str| untrack(|| nav.query(key)).unwrap_or_default();
    let params = Params {
        appid: get("appid"),
        redirect_uri: get("redirect_uri"),
        response_type: get("response_type"),
        scope: get("scope"),
        state: get("state"),
    };
    let site = site();
    let host = site.host();
    // Offline, WeChat cannot be reached; 「重试」 looks again (and going
    // offline on this page stops it at once).
    let unreachable = RwSignal::new(!store.online.get_untracked());
    Effect::new(move |_| {
        if !store.online.get() {
            unreachable.set(true);
        }
    });
    let retry_offline = move |_| unreachable.set(!store.online.get_untracked());
    // Core names the page's step; it changes only when the request's check,
    // the WeChat login or the permission does — not on every state change —
    // so the login form below keeps its error message.
    let gate = {
        let params = params.clone();
        let host = host.clone();
        Memo::new(move |_| {
            let reachable = !unreachable.get();
            store
                .state
                .with(|s| s.authorize_step(&params.request(), &host, reachable))
        })
    };
    // Met while binding: worded with the binding's last resort (三、1).
    let gate_error =
        Signal::derive(move || gate.with(|g| g.error().map(|e| Problem::Bind(e.into()))));
    let step = RwSignal::new(Step::Consent);
    let code = RwSignal::new(String::new());
    let sent_to = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<Problem>);

    let leave = move |result: Result<String, Problem>| match result {
        Ok(url) => {
            step.set(Step::Leaving);
            env::assign(&url);
        }
        Err(e) => error.set(Some(e)),
    };
    let approve = {
        let params = params.clone();
        let site = site.clone();
        move || {
            let typed = code.get_untracked();
            let (params, site) = (params.clone(), site.clone());
            let command = ApproveAuthorization {
                request: params.owned(),
                site,
                second_factor: Some(typed.into()),
            };
            store.dispatch(command, leave);
        }
    };
    // `snsapi_base`: approved as soon as the user is logged in, once.
    let silent_started = StoredValue::new(false);
    {
        let params = params.clone();
        let site = site.clone();
        Effect::new(move |_| {
            if matches!(gate.get(), AuthorizeStep::Silent { .. }) && !silent_started.get_value() {
                silent_started.set_value(true);
                step.set(Step::Leaving);
                let command = ApproveAuthorization {
                    request: params.owned(),
                    site: site.clone(),
                    second_factor: None,
                };
                store.dispatch(command, leave);
            }
        });
    }
    let allow = {
        let approve = approve.clone();
        move |_| {
            error.set(None);
            if gate.with_untracked(|g| {
                matches!(
                    g,
                    AuthorizeStep::Consent {
                        second_factor: true,
                        ..
                    }
                )
            }) {
                step.set(Step::SecondFactor);
            } else {
                approve();
            }
        }
    };
    let deny = {
        let params = params.clone();
        let site = site.clone();
        move |_| {
            let (params, site) = (params.clone(), site.clone());
            let command = DenyAuthorization {
                request: params.owned(),
                site,
            };
            store.dispatch(command, leave);
        }
    };
    let send_code = move |_| {
        store.dispatch(SendWeChatCode {}, move |result| match result {
            Ok(to) => {
                error.set(None);
                sent_to.set(Some(to));
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let confirm = {
        let approve = approve.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            approve();
        }
    };
    let phone = move || {
        store.state.with(|s| {
            s.wechat()
                .signed_in()
                .map(|a| a.phone().masked())
                .unwrap_or_default()
        })
    };
    let retry_href = nav.href(&format!(
        "{}?{}",
        Page::WeChatAuthorize.path(),
        untrack(|| nav.query_string())
    ));

    view! {
        <section class="card wechat-world authorize">
            <h1>{move || tw().consent_title}</h1>
            {move || {
                let app = match gate.get() {
                    AuthorizeStep::Unreachable => {
                        return view! {
                            <ErrorBox problem=gate_error />
                            <div class="actions">
                                <button type="button" class="button primary" data-coach="retry" on:click=retry_offline>{t().retry}</button>
                            </div>
                        }
                        .into_any();
                    }
                    AuthorizeStep::BadRequest(_) => {
                        return view! { <ErrorBox problem=gate_error /> }.into_any();
                    }
                    AuthorizeStep::LogIn => return view! { <WeChatLogin /> }.into_any(),
                    AuthorizeStep::PermissionOff => {
                        return view! {
                            <ErrorBox problem=gate_error />
                            <div class="actions">
                                <Link href=Page::WeChatSettings.path() class="button primary" {..} data-coach="open-wechat-settings">{tw().open_wechat_settings}</Link>
                                <a href=retry_href.clone() class="button">{tw().back_to_authorize}</a>
                            </div>
                        }
                        .into_any();
                    }
                    AuthorizeStep::Silent { .. } => {
                        return view! {
                            <ErrorBox problem=error />
                            {move || error.get().is_none().then(|| view! { <p role="status">{tw().redirecting}</p> })}
                        }
                        .into_any();
                    }
                    AuthorizeStep::Consent { app, .. } => app,
                };
                let name = store.locale.get().pick(app.name_zh, app.name_en).into_owned();
                let name = name.as_str();
                match step.get() {
                    Step::Consent => view! {
                        <p class="consent-app">{(tw().consent_app)(name)}</p>
                        <ul class="consent-scope">
                            <li>{tw().consent_shares}</li>
                        </ul>
                        <ErrorBox problem=error />
                        <div class="actions">
                            <button type="button" class="button wechat" data-coach="allow" on:click=allow.clone()>{tw().allow}</button>
                            <button type="button" class="button" on:click=deny.clone()>{tw().deny}</button>
                        </div>
                    }
                    .into_any(),
                    Step::SecondFactor => view! {
                        <h2>{tw().second_factor_title}</h2>
                        <p>{(tw().second_factor_intro)(&phone())}</p>
                        <form on:submit=confirm.clone() novalidate>
                            <button type="button" class="button" data-coach="get-code" on:click=send_code>{t().get_code}</button>
                            {move || sent_to.get().map(|to| view! { <p class="sent" role="status">{(t().code_sent_to)(&to)}</p> })}
                            <label for="wx-code">{t().code}</label>
                            <input id="wx-code" name="code" inputmode="numeric" autocomplete="one-time-code" bind:value=code />
                            <ErrorBox problem=error />
                            <button type="submit" class="button wechat" data-coach="code-confirm">{t().confirm}</button>
                        </form>
                    }
                    .into_any(),
                    Step::Leaving => view! { <p role="status">{tw().redirecting}</p> }.into_any(),
                }
            }}
        </section>
    }
}
