//! The list of messages in the simulated phone, newest first.

use crate::env;
use crate::i18n;
use crate::store::use_store;
use leptos::prelude::*;

/// One message as the inbox lists it.
struct MessageRow {
    id: u64,
    channel: &'static str,
    to: String,
    at: String,
    text: String,
    unread: bool,
}

#[component]
pub fn MessageList() -> impl IntoView {
    let store = use_store();
    let messages = move || {
        let locale = store.locale.get();
        store.state.with(|state| {
            state
                .phone()
                .map(|m| MessageRow {
                    id: m.id,
                    channel: i18n::channel(locale, m.channel),
                    to: (locale.text().phone_to)(&m.to),
                    at: env::date_time(m.sent_at),
                    text: i18n::message_text(locale, m),
                    unread: !m.read,
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show
            when=move || store.state.with(|s| s.phone().next().is_some())
            fallback=move || view! { <p class="muted">{move || store.text().phone_empty}</p> }
        >
            <ol class="messages" aria-live="polite">
                {move || {
                    messages()
                        .into_iter()
                        .map(|MessageRow { id, channel, to, at, text, unread }| {
                            view! {
                                <li class="message" class:unread=unread data-message-id=id>
                                    <div class="message-meta">
                                        <span class="channel">{channel}</span>
                                        <span>{to}</span>
                                        <time>{at}</time>
                                    </div>
                                    <p class="message-text">{text}</p>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </Show>
    }
}
