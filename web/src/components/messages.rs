//! The list of messages in the simulated phone, newest first.

use crate::env;
use crate::i18n;
use crate::store::use_store;
use leptos::prelude::*;

#[component]
pub fn MessageList() -> impl IntoView {
    let store = use_store();
    let messages = move || {
        let locale = store.locale.get();
        store.state.with(|state| {
            state
                .inbox()
                .newest_first()
                .map(|m| {
                    (
                        m.id,
                        i18n::channel(locale, m.channel),
                        (locale.text().phone_to)(&m.to),
                        env::date_time(m.sent_at),
                        i18n::message_text(locale, m),
                        !m.read,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show
            when=move || store.state.with(|s| s.inbox().newest_first().next().is_some())
            fallback=move || view! { <p class="muted">{move || store.text().phone_empty}</p> }
        >
            <ol class="messages" aria-live="polite">
                {move || {
                    messages()
                        .into_iter()
                        .map(|(id, channel, to, at, text, unread)| {
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
