//! The unlock screen of an encrypted copy: shown instead of every screen
//! when this tab has no key (after the lock, in a new tab, after the
//! browser restarted). Any wallet account's password opens it and signs
//! that account in.

use crate::components::{after_paint, once_at_a_time, ErrorBox};
use crate::credentials;
use crate::store::{use_store, Problem};
use leptos::prelude::*;

#[component]
pub fn Unlock() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Let "working" paint before the key derivation takes the thread.
        after_paint(busy, move || async move {
            let typed = password.get_untracked();
            password.set(String::new());
            let result = credentials::unlock_vault(store, typed).await;
            // Unlocked: this screen is gone.
            let _ = error.try_set(result.err());
        });
    };
    let start_over = move |_| {
        once_at_a_time(busy, move || async move {
            if let Err(e) = store.keep_aside_and_restart().await {
                error.set(Some(e));
            }
        });
    };
    view! {
            <section class="card lock-screen">
                <h1>{move || t().wallet.locked_title}</h1>
                <p>{move || t().wallet.vault_intro}</p>
                <form on:submit=submit>
                    <label for="unlock-password">{move || t().password}</label>
                    <input id="unlock-password" type="password" autocomplete="current-password" bind:value=password />
                    <ErrorBox problem=error />
                    <button type="submit" class="button primary" data-coach="unlock" disabled=move || busy.get()>
                        {move || if busy.get() { t().wallet.working } else { t().wallet.unlock }}
                    </button>
                </form>
            </section>
            <section class="card">
                <p class="hint">{move || t().wallet.vault_forgot}</p>
                <button type="button" class="button danger" on:click=start_over>
                    {move || t().wallet.storage_start_over}
                </button>
            </section>
    }
}
