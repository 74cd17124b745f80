//! The Phone world (`/phone/`): the simulated handset's inbox, full page.

use crate::components::MessageList;
use crate::store::use_store;
use leptos::prelude::*;
use qianbao_core::command::{ClearInbox, MarkMessagesRead};

#[component]
pub fn PhonePage() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    // Reading the inbox here marks everything read.
    Effect::new(move |_| {
        if store.state.with_untracked(|s| s.phone_unread()) > 0 {
            store.update(MarkMessagesRead {});
        }
    });
    view! {
        <section class="card phone-page">
            <h1>{move || t().phone_title}</h1>
            <p class="muted">{move || t().phone_intro}</p>
            <MessageList />
            <button type="button" class="secondary" on:click=move |_| store.update(ClearInbox {})>
                {move || t().phone_clear}
            </button>
        </section>
    }
}
