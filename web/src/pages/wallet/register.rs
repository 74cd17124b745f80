//! 「注册」: phone number or e-mail, a code from the phone inbox, real name
//! and password.

use crate::app::Page;
use crate::components::{after_paint, ErrorBox};
use crate::credentials::{self, RegisterForm};
use crate::i18n::providers;
use crate::router::{use_nav, with_query, Link};
use crate::store::{use_store, Notice, Problem};
use leptos::prelude::*;
use qianbao_core::identity::LoginId;
use qianbao_core::provider::ProviderId;
use qianbao_core::time::ceil_secs;
use qianbao_core::verification::{Purpose, CODE_INPUT_CHARS};

#[component]
pub fn Register() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let nav = use_nav();
    let login = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let real_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let sent_to = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // `?provider=` comes from 「选择钱包」; anything unknown is the default.
    let provider = RwSignal::new(
        untrack(|| nav.query("provider"))
            .and_then(|p| ProviderId::parse(&p))
            .unwrap_or_default(),
    );
    let on_provider = move |ev: leptos::ev::Event| {
        if let Some(chosen) = ProviderId::parse(&event_target_value(&ev)) {
            provider.set(chosen);
        }
    };

    // Seconds until 「获取验证码」 works again for the address typed.
    let resend_wait = move || {
        let now = store.clock.get();
        let address = LoginId::parse(&login.get()).ok()?;
        let wait = store
            .state
            .with(|s| s.resend_wait(address.as_str(), Purpose::Register, now));
        Some(ceil_secs(wait)).filter(|secs| *secs > 0)
    };

    let get_code = move |_| {
        let typed = login.get_untracked();
        store.spawn(async move {
            match crate::credentials::send_register_code(store, typed).await {
                Ok(sent) => {
                    sent_to.set(Some(sent.to.masked()));
                    error.set(None);
                }
                Err(e) => {
                    sent_to.set(None);
                    error.set(Some(e));
                }
            }
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        after_paint(busy, move || async move {
            let form = RegisterForm {
                login: login.get_untracked(),
                code: code.get_untracked(),
                real_name: real_name.get_untracked(),
                password: password.get_untracked(),
                provider: provider.get_untracked(),
            };
            match credentials::register(store, form).await {
                Ok(id) => {
                    let key = store
                        .state
                        .with_untracked(|s| s.account(id).map(|a| a.login().as_str().to_owned()))
                        .unwrap_or_default();
                    store.notice.set(Some(Notice::Registered));
                    nav.go(&with_query(Page::Login.path(), "id", &key));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="card">
            <h1>{move || t().wallet.register_title}</h1>
            <p class="muted">{move || t().wallet.register_intro}</p>
            <form on:submit=submit novalidate>
                <label for="reg-provider">{move || t().wallet.provider_label}</label>
                <select id="reg-provider" on:change=on_provider aria-describedby="reg-provider-hint">
                    {ProviderId::ALL
                        .into_iter()
                        .map(|id| {
                            view! {
                                <option value=id.as_str() selected=move || provider.get() == id>
                                    {move || providers::provider_name(store.locale.get(), id)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <p id="reg-provider-hint" class="hint">
                    {move || providers::provider_pitch(store.locale.get(), provider.get())}" "
                    <Link href=Page::Choose.path()>{move || t().wallet.provider_help}</Link>
                </p>
                <label for="reg-login">{move || t().wallet.login_id}</label>
                <div class="with-button">
                    <input id="reg-login" name="login" autocomplete="username" aria-describedby="reg-login-hint" bind:value=login />
                    <button type="button" class="button" on:click=get_code disabled=move || resend_wait().is_some()>
                        {move || match resend_wait() {
                            Some(secs) => (t().wallet.resend_in)(secs),
                            None => t().get_code.to_owned(),
                        }}
                    </button>
                </div>
                <p id="reg-login-hint" class="hint">{move || t().wallet.login_id_hint}</p>
                {move || sent_to.get().map(|to| view! { <p class="sent" role="status">{(t().code_sent_to)(&to)}</p> })}

                <label for="reg-code">{move || t().code}</label>
                <input id="reg-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength=CODE_INPUT_CHARS aria-describedby="reg-code-hint" bind:value=code />
                <p id="reg-code-hint" class="hint">{move || t().wallet.code_hint}</p>

                <label for="reg-name">{move || t().real_name}</label>
                <input id="reg-name" name="real-name" autocomplete="name" aria-describedby="reg-name-hint" bind:value=real_name />
                <p id="reg-name-hint" class="hint">{move || t().wallet.real_name_hint}</p>

                <label for="reg-password">{move || t().password}</label>
                <input id="reg-password" name="password" type="password" autocomplete="new-password" aria-describedby="reg-password-hint" bind:value=password />
                <p id="reg-password-hint" class="hint">{move || t().password_hint}</p>

                <ErrorBox problem=error />
                <button type="submit" class="button primary" disabled=move || busy.get()>
                    {move || if busy.get() { t().wallet.working } else { t().register }}
                </button>
            </form>
            <p><Link href=Page::Login.path()>{move || t().wallet.have_account}</Link></p>
        </section>
    }
}
