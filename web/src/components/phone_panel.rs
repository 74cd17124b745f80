//! The always-available phone: a button in the corner of every page that
//! opens the SMS and e-mail inbox as a side panel, so a code can be read
//! without leaving the form that asked for it.

use crate::app::Page;
use crate::components::MessageList;
use crate::router::Link;
use crate::store::use_store;
use leptos::prelude::*;
use qianbao_core::command::MarkMessagesRead;

crate::app::on_demand! {
    fn messages_world() {
        crate::app::screen(move || MessageList().into_any())
    }
}

#[component]
pub fn PhonePanel() -> impl IntoView {
    let store = use_store();
    let open = RwSignal::new(false);
    let unread = move || store.state.with(|s| s.phone_unread());
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening && unread() > 0 {
            store.update(MarkMessagesRead {});
        }
    };
    view! {
        <button
            type="button"
            class="phone-toggle"
            aria-expanded=move || open.get().to_string()
            aria-controls="phone-panel"
            on:click=toggle
        >
            <span aria-hidden="true">"📱 "</span>
            <span class="phone-label">{move || store.text().phone_title}</span>
            <Show when=move || { unread() > 0 }>
                <span class="badge" aria-label=move || (store.text().unread)(unread())>
                    {unread}
                </span>
            </Show>
        </button>
        <aside id="phone-panel" class="phone-panel" hidden=move || !open.get() aria-label=move || store.text().phone_title>
            <div class="phone-panel-head">
                <h2>{move || store.text().phone_title}</h2>
                <Link href=Page::Phone.path()>{move || store.text().phone_full_page}</Link>
                <button type="button" on:click=move |_| open.set(false)>
                    {move || store.text().phone_close}
                </button>
            </div>
            // The messages arrive with the panel's first opening.
            {move || open.get().then(|| crate::app::world(messages_world))}
        </aside>
    }
}
