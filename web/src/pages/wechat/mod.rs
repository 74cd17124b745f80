//! The WeChat world (`/wechat/`, simulated): its own login (「微信号或手机号」,
//! 「密码」, 「登录」) and 「注册」, its settings with 「允许第三方应用授权」 and
//! 「授权管理」, and the OAuth authorize page the wallet redirects to.
//!
//! The login form keeps its error across the state change a refused login
//! makes (a wrong password is counted and saved): every page mounts it
//! behind a memo of "logged in or not", never inside a view that re-renders
//! on any state change, which would mount a fresh form and lose the message.

mod authorize;
mod cashier;

pub use authorize::Authorize;
pub use cashier::Cashier;

use crate::app::Page;
use crate::components::{ConfirmBox, ErrorBox};
use crate::env;
use crate::router::{use_nav, Link};
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{
    RevokeApp, SetAllowThirdParty, WeChatLogIn, WeChatLogOut, WeChatRegister,
};
use qianbao_core::money::Fen;

fn wechat_signed_in(store: crate::store::Store) -> bool {
    store.state.with(|s| s.wechat().signed_in().is_some())
}

/// WeChat's 「登录」 form. A refused login shows WeChat's code, what is wrong
/// (tries left, or the lock and when it ends) and what to do.
#[component]
pub fn WeChatLogin() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wechat_text();
    let who = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (w, p) = (who.get_untracked(), password.get_untracked());
        store.dispatch(
            WeChatLogIn {
                who: w,
                password: p.into(),
            },
            move |result| match result {
                Ok(_) => error.set(None),
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(e));
                }
            },
        );
    };
    view! {
        <form on:submit=submit novalidate class="wechat-form">
            <h2>{move || tw().wechat_login_title}</h2>
            <label for="wx-who">{move || tw().wechat_who}</label>
            <input id="wx-who" name="wechat-id" autocomplete="username" bind:value=who />
            <label for="wx-password">{move || t().password}</label>
            <input id="wx-password" name="wechat-password" type="password" autocomplete="current-password" bind:value=password />
            <ErrorBox problem=error />
            <button type="submit" class="button wechat" data-coach="wechat-log-in">{move || t().log_in}</button>
            <p><Link href=Page::WeChatRegister.path()>{move || t().register}</Link></p>
        </form>
    }
}

/// What WeChat's home shows about the logged-in user.
struct WeChatFacts {
    avatar: &'static str,
    nickname: String,
    wxid: String,
    phone: String,
    change: Fen,
}

#[component]
pub fn WeChatHome() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wechat_text();
    let me = move || {
        store.state.with(|s| {
            s.wechat().signed_in().map(|a| WeChatFacts {
                avatar: a.avatar(),
                nickname: a.nickname().to_owned(),
                wxid: a.wxid().to_owned(),
                phone: a.phone().masked(),
                change: s.wechat_change(a.id()),
            })
        })
    };
    // Only a login or a logout swaps the form for the account.
    let logged_in = Memo::new(move |_| wechat_signed_in(store));
    view! {
        <section class="card wechat-world">
            <h1>{move || tw().wechat_title}</h1>
            <Show when=move || logged_in.get() fallback=WeChatLogin>
            {move || me().map(|WeChatFacts { avatar, nickname, wxid, phone, change }| view! {
                    <div class="bound-card">
                        <span class="avatar" aria-hidden="true">{avatar}</span>
                        <dl class="facts">
                            <dt>{t().nickname}</dt>
                            <dd>{nickname}</dd>
                            <dt>{t().wxid}</dt>
                            <dd>{wxid}</dd>
                            <dt>{tw().mobile}</dt>
                            <dd>{phone}</dd>
                            <dt>{t().change_balance}</dt>
                            <dd data-testid="change">{change.to_string()}</dd>
                        </dl>
                    </div>
                    <div class="actions">
                        <Link href=Page::Scan.path() class="button wechat">{t().scan}</Link>
                        <Link href=Page::WeChatSettings.path() class="button">{tw().wechat_settings}</Link>
                        <button type="button" class="button" on:click=move |_| store.update(WeChatLogOut {})>
                            {t().log_out}
                        </button>
                    </div>
                })}
            </Show>
        </section>
    }
}

#[component]
pub fn WeChatRegister() -> impl IntoView {
    let store = use_store();
    let nav = use_nav();
    let t = move || store.text();
    let tw = move || store.wechat_text();
    let wxid = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let nickname = RwSignal::new(String::new());
    let real_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pay_password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (wxid, phone, nickname) = (
            wxid.get_untracked(),
            phone.get_untracked(),
            nickname.get_untracked(),
        );
        let (real_name, password, pay_password) = (
            real_name.get_untracked(),
            password.get_untracked(),
            pay_password.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let form = WeChatRegister {
                wxid,
                phone,
                nickname,
                real_name,
                password: password.into(),
                pay_password: pay_password.into(),
            };
            match store.run(form).await {
                Ok(_) => {
                    error.set(None);
                    done.set(true);
                    nav.go(Page::WeChat.path());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = move |id: &'static str,
                      label: fn(crate::i18n::Locale) -> &'static str,
                      value: RwSignal<String>,
                      kind: &'static str| {
        view! {
            <label for=id>{move || label(store.locale.get())}</label>
            <input id=id type=kind bind:value=value />
        }
    };
    view! {
        <section class="card wechat-world">
            <h1>{move || tw().wechat_register_title}</h1>
            <form on:submit=submit novalidate>
                {field("wxr-wxid", |l| l.text().wxid, wxid, "text")}
                <p class="hint">{move || tw().wxid_hint}</p>
                {field("wxr-phone", |l| crate::i18n::wechat::text(l).mobile, phone, "tel")}
                {field("wxr-nickname", |l| l.text().nickname, nickname, "text")}
                {field("wxr-name", |l| l.text().real_name, real_name, "text")}
                {field("wxr-password", |l| l.text().password, password, "password")}
                <p class="hint">{move || t().password_hint}</p>
                {field("wxr-pay", |l| l.text().pay_password, pay_password, "password")}
                <p class="hint">{move || tw().pay_password_hint}</p>
                <ErrorBox problem=error />
                {move || done.get().then(|| view! { <p class="success" role="status">{tw().wechat_registered}</p> })}
                <button type="submit" class="button wechat">{move || t().register}</button>
            </form>
        </section>
    }
}

/// WeChat 「设置」: 「允许第三方应用授权」 and 「授权管理」 with 「取消授权」.
#[component]
pub fn WeChatSettings() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wechat_text();
    let allow = move || {
        store.state.with(|s| {
            s.wechat()
                .signed_in()
                .is_some_and(|a| a.allows_third_party())
        })
    };
    let revoking = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<Problem>);
    // The switch shows a new value only once it is saved: while the save
    // is on its way it is disabled and says so, and then it shows what the
    // state holds (the old value, if the save did not happen).
    let saving = RwSignal::new(false);
    let switch = NodeRef::<leptos::html::Input>::new();
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        saving.set(true);
        store.dispatch(SetAllowThirdParty { allow: on }, move |result| {
            error.set(result.err());
            saving.set(false);
            if let Some(input) = switch.get_untracked() {
                input.set_checked(allow());
            }
        });
    };
    let grants = move || {
        let locale = store.locale.get();
        store.state.with(|s| {
            s.wechat()
                .authorized_apps()
                .into_iter()
                .map(|g| {
                    let name = s
                        .wechat()
                        .app(&g.appid)
                        .map(|a| locale.pick(a.name_zh, a.name_en).into_owned())
                        .unwrap_or_default();
                    (g.appid.clone(), name, env::date_time(g.granted_at))
                })
                .collect::<Vec<_>>()
        })
    };
    let revoke = move |appid: String| {
        store.dispatch(RevokeApp { appid }, move |result| {
            revoking.set(None);
            error.set(result.err());
        });
    };
    view! {
        <section class="card wechat-world">
            <h1>{move || tw().wechat_settings}</h1>
            <Show when=move || wechat_signed_in(store) fallback=WeChatLogin>
                <div class="switch-row">
                    <input
                        id="wx-allow"
                        type="checkbox"
                        role="switch"
                        data-coach="third-party-switch"
                        node_ref=switch
                        prop:checked=allow
                        disabled=move || saving.get()
                        aria-busy=move || saving.get().to_string()
                        on:change=toggle
                    />
                    <label for="wx-allow">{move || tw().allow_third_party}</label>
                    {move || saving.get().then(|| view! { <span class="muted" role="status" data-testid="switch-saving">{tw().saving}</span> })}
                </div>
                <p class="hint">{move || tw().allow_third_party_hint}</p>
                <ErrorBox problem=error />
                <h2>{move || tw().authorization_management}</h2>
                <Show when=move || !grants().is_empty() fallback=move || view! { <p class="muted">{move || tw().no_authorized_apps}</p> }>
                    <ul class="card-list">
                        {move || {
                            grants()
                                .into_iter()
                                .map(|(appid, name, at)| {
                                    let id_for_confirm = appid.clone();
                                    let id_for_revoke = appid.clone();
                                    let confirm_text = (tw().revoke_confirm)(&name);
                                    view! {
                                        <li class="bank-card" data-appid=appid.clone()>
                                            <strong>{name}</strong>
                                            <p class="muted">{tw().authorized_at}": " {at}</p>
                                            <Show
                                                when=move || revoking.get().as_deref() == Some(id_for_confirm.as_str())
                                                fallback={
                                                    let appid = appid.clone();
                                                    move || {
                                                        let appid = appid.clone();
                                                        view! {
                                                            <button type="button" class="button danger" on:click=move |_| revoking.set(Some(appid.clone()))>
                                                                {t().revoke}
                                                            </button>
                                                        }
                                                    }
                                                }
                                            >
                                                <ConfirmBox
                                                    message=confirm_text.clone()
                                                    on_confirm={
                                                        let appid = id_for_revoke.clone();
                                                        Callback::new(move |()| revoke(appid.clone()))
                                                    }
                                                    on_cancel=Callback::new(move |()| revoking.set(None))
                                                />
                                            </Show>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                </Show>
                <div class="actions">
                    <button type="button" class="button" on:click=move |_| store.update(WeChatLogOut {})>
                        {move || t().log_out}
                    </button>
                </div>
            </Show>
        </section>
    }
}

/// 「扫一扫」: a pasted QR content (or pay link) continues at the cashier.
#[component]
pub fn Scan() -> impl IntoView {
    let store = use_store();
    let nav = use_nav();
    let t = move || store.text();
    let tw = move || store.wechat_text();
    let scanned = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let site = crate::pages::wallet::site();
    let read = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match qianbao_core::payment::read_pay_link(&site, &scanned.get_untracked()) {
            Ok(path) => nav.go(&path),
            Err(e) => error.set(Some(Problem::Pay(e))),
        }
    };
    view! {
        <section class="card wechat-world">
            <h1>{move || t().scan}</h1>
            <p class="muted">{move || tw().scan_intro}</p>
            <form on:submit=read novalidate>
                <label for="scan-text">{move || tw().scan_input}</label>
                <textarea id="scan-text" rows="3" bind:value=scanned></textarea>
                <ErrorBox problem=error />
                <button type="submit" class="button wechat">{move || tw().scan_read}</button>
            </form>
        </section>
    }
}
