//! 「设置」: 账户管理 (who is signed in), security (idle lock, lock now),
//! language, and 「退出登录」. Binding management joins it later.

use super::password::ChangePassword;
use super::{BindButton, BindingStatus, SignedIn, TwoFactorSettings};
use crate::app::Page;
use crate::components::ErrorBox;
use crate::env;
use crate::i18n::{self, providers, Locale};
use crate::router::Link;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{LogOut, SetIdleLock};
use qianbao_core::provider::ProviderId;
use qianbao_core::session::IdleLock;

/// 账户管理's facts about the signed-in wallet.
#[derive(Debug, Clone, PartialEq)]
struct AccountFacts {
    real_name: String,
    login: String,
    registered: String,
    idle_lock: IdleLock,
    provider: ProviderId,
}

#[component]
pub fn Settings() -> impl IntoView {
    view! {
        <SignedIn>
            <SettingsPanel />
        </SignedIn>
    }
}

#[component]
fn SettingsPanel() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let account = move || {
        store.state.with(|s| {
            s.signed_in().map(|a| AccountFacts {
                real_name: a.real_name().as_str().to_owned(),
                login: a.login().masked(),
                registered: env::date_time(a.created_at()),
                idle_lock: a.idle_lock(),
                provider: a.provider().id,
            })
        })
    };
    let idle_lock = move || account().map(|a| a.idle_lock).unwrap_or_default();
    let error = RwSignal::new(None::<Problem>);
    let set_idle = move |ev: leptos::ev::Event| {
        let chosen = IdleLock::ALL
            .into_iter()
            .find(|option| option_value(*option) == event_target_value(&ev));
        if let Some(chosen) = chosen {
            store.dispatch(SetIdleLock { idle_lock: chosen }, move |result| {
                error.set(result.err())
            });
        }
    };
    let set_locale = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some(locale) = Locale::ALL.into_iter().find(|l| l.tag() == value) {
            store.locale.set(locale);
        }
    };
    view! {
        <section class="card settings">
            <h1>{move || t().wallet.settings}</h1>
            <h2>{move || tw().account_management}</h2>
            {move || {
                account()
                    .map(|facts| {
                        view! {
                            <dl class="facts">
                                <dt>{t().wallet.provider_label}</dt>
                                <dd data-testid="provider">{providers::provider_name(store.locale.get(), facts.provider)}</dd>
                                <dt>{t().real_name}</dt>
                                <dd>{facts.real_name}</dd>
                                <dt>{tw().signed_in_as}</dt>
                                <dd>{facts.login}</dd>
                                <dt>{tw().registered_at}</dt>
                                <dd>{facts.registered}</dd>
                            </dl>
                            // Compare the providers any time, not only before registering.
                            <p>
                                <Link href=Page::Choose.path()>{t().wallet.choose_wallet}</Link>
                            </p>
                        }
                    })
            }}
            <h3>{move || tw().bind_wechat}</h3>
            <BindingStatus />
            <Show when=move || !store.state.with(|s| s.signed_in().is_some_and(|a| s.binding(a.id()).bound().is_some()))>
                <p class="hint">{move || tw().bind_intro}</p>
                <BindButton />
            </Show>
            <ul class="links">
                <li><Link href=Page::Cards.path()>{move || tw().payment_methods}</Link></li>
                <li><Link href=Page::Bindings.path() {..} data-coach="bindings-link">{move || tw().binding_management}</Link></li>
                <li><Link href=Page::Bindings.path()>{move || tw().third_party_management}</Link></li>
            </ul>
            <h2>{move || tw().security}</h2>
            <label for="idle-lock">{move || tw().auto_lock}</label>
            <select id="idle-lock" on:change=set_idle aria-describedby="idle-lock-hint">
                {IdleLock::ALL
                    .into_iter()
                    .map(|option| {
                        view! {
                            <option value=option_value(option) selected=move || idle_lock() == option>
                                {move || i18n::idle_lock(store.locale.get(), option)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p id="idle-lock-hint" class="hint">{move || tw().auto_lock_hint}</p>
            <ErrorBox problem=error />
            <button type="button" class="button" on:click=move |_| store.lock_now()>
                {move || t().lock_now}
            </button>
            <ChangePassword />
            <TwoFactorSettings />
            <h2>{move || t().language}</h2>
            <label for="language" class="visually-hidden">{move || t().language}</label>
            <select id="language" on:change=set_locale>
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        view! {
                            <option value=locale.tag() selected=move || store.locale.get() == locale>
                                {locale.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <div class="actions">
                <button type="button" class="button danger" on:click=move |_| store.update(LogOut {})>
                    {move || t().log_out}
                </button>
            </div>
        </section>
    }
}

fn option_value(option: IdleLock) -> &'static str {
    match option {
        IdleLock::OneMinute => "1",
        IdleLock::FiveMinutes => "5",
        IdleLock::FifteenMinutes => "15",
        IdleLock::Never => "never",
    }
}
