//! 「修改密码」 in 「设置」→「安全」: the current password, the new one twice.

use crate::components::{after_paint, ErrorBox};
use crate::store::{use_store, Problem};
use leptos::prelude::*;

#[component]
pub fn ChangePassword() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Let "working" paint before the password hashes take the thread.
        after_paint(busy, move || async move {
            let (c, n, a) = (
                current.get_untracked(),
                new.get_untracked(),
                again.get_untracked(),
            );
            // The new hash and the data key wrapped anew, in one save.
            let result = store.change_password(c, n, a).await;
            done.set(result.is_ok());
            error.set(result.err());
            for field in [current, new, again] {
                field.set(String::new());
            }
        });
    };
    view! {
        <form class="change-password" on:submit=submit novalidate aria-labelledby="change-password-title">
            <h3 id="change-password-title">{move || t().change_password}</h3>
            <label for="pw-current">{move || tw().current_password}</label>
            <input id="pw-current" type="password" autocomplete="current-password" bind:value=current />
            <label for="pw-new">{move || tw().new_password}</label>
            <input id="pw-new" type="password" autocomplete="new-password" aria-describedby="pw-new-hint" bind:value=new />
            <p id="pw-new-hint" class="hint">{move || t().password_hint}</p>
            <label for="pw-again">{move || tw().new_password_again}</label>
            <input id="pw-again" type="password" autocomplete="new-password" bind:value=again />
            <ErrorBox problem=error />
            <Show when=move || done.get()>
                <p class="success" role="status">{move || tw().password_changed}</p>
            </Show>
            <button type="submit" class="button" disabled=move || busy.get()>
                {move || if busy.get() { t().wallet.working } else { t().change_password }}
            </button>
        </form>
    }
}
