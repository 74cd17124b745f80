//! The zh-CN / English switch in the top bar.

use crate::i18n::Locale;
use crate::store::use_store;
use leptos::prelude::*;

#[component]
pub fn LocaleSwitch() -> impl IntoView {
    let store = use_store();
    view! {
        <div class="locale-switch" role="group" aria-label=move || store.text().language>
            {Locale::ALL
                .into_iter()
                .map(|locale| {
                    view! {
                        <button
                            type="button"
                            lang=locale.tag()
                            aria-pressed=move || (store.locale.get() == locale).to_string()
                            on:click=move |_| store.locale.set(locale)
                        >
                            {locale.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
