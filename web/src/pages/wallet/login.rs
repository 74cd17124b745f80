//! 「登录」 with phone number or e-mail and password.

use super::home::AccountsHere;
use crate::app::{stored, Page, StoredScreen};
use crate::components::{after_paint, ErrorBox};
use crate::credentials;
use crate::router::{use_nav, Link};
use crate::store::{use_store, Notice, Problem};
use leptos::prelude::*;

#[component]
pub fn Login() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let nav = use_nav();
    // `?id=` only pre-fills the field; whatever it holds is parsed like typing.
    let login = RwSignal::new(untrack(|| nav.query("id")).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let notice = store.notice.get_untracked();
    store.notice.set(None);

    // Follow `?id=` when an account shortcut is clicked on this page.
    Effect::new(move |_| {
        if let Some(id) = nav.query("id") {
            login.set(id);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        after_paint(busy, move || async move {
            let (l, p) = (login.get_untracked(), password.get_untracked());
            match credentials::log_in(store, l, p).await {
                Ok(_) => nav.go(Page::Home.path()),
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(e));
                }
            }
        });
    };

    let awaiting_code = Memo::new(move |_| store.state.with(|s| s.awaiting_login_code().is_some()));
    view! {
        <Show when=move || !awaiting_code.get() fallback=move || stored(StoredScreen::LoginCode(error))>
        <section class="card">
            <h1>{move || t().wallet.login_title}</h1>
            {move || {
                (notice == Some(Notice::Registered))
                    .then(|| view! { <p class="success" role="status">{t().wallet.registered_please_log_in}</p> })
            }}
            <form on:submit=submit novalidate>
                <label for="login-id">{move || t().wallet.login_id}</label>
                <input id="login-id" name="login" autocomplete="username" bind:value=login />
                <label for="login-password">{move || t().password}</label>
                <input id="login-password" name="password" type="password" autocomplete="current-password" bind:value=password />
                <ErrorBox problem=error />
                <button type="submit" class="button primary" data-coach="log-in-submit" disabled=move || busy.get()>
                    {move || if busy.get() { t().wallet.working } else { t().log_in }}
                </button>
            </form>
            <p><Link href=Page::Register.path()>{move || t().wallet.no_account}</Link></p>
        </section>
        <AccountsHere />
        </Show>
    }
}
