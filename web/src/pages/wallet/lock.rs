//! The lock screen shown over the wallet after idle time.

use crate::components::{after_paint, ErrorBox};
use crate::credentials;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::LogOut;

#[component]
pub fn LockScreen() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let who = move || {
        store.state.with(|s| {
            s.session()
                .and_then(|session| s.account(session.account()))
                .map(|a| a.login().masked())
                .unwrap_or_default()
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        after_paint(busy, move || async move {
            let typed = password.get_untracked();
            match credentials::unlock_session(store, typed).await {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(e)),
            }
            password.set(String::new());
        });
    };
    view! {
        <section class="card lock-screen">
            <h1>{move || t().wallet.locked_title}</h1>
            <p>{move || (t().wallet.locked_intro)(&who())}</p>
            <form on:submit=submit>
                <label for="unlock-password">{move || t().password}</label>
                <input id="unlock-password" type="password" autocomplete="current-password" bind:value=password />
                <ErrorBox problem=error />
                <div class="actions">
                    <button type="submit" class="button primary" data-coach="unlock" disabled=move || busy.get()>
                        {move || if busy.get() { t().wallet.working } else { t().wallet.unlock }}
                    </button>
                    <button type="button" class="button" on:click=move |_| store.update(LogOut {})>
                        {move || t().wallet.switch_account}
                    </button>
                </div>
            </form>
        </section>
    }
}
