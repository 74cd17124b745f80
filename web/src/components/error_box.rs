//! An error as users see it everywhere: message, stable code, guidance.

use crate::i18n::ErrorText;
use crate::store::use_store;
use leptos::prelude::*;

/// Renders `error` when there is one; announced to screen readers.
#[component]
pub fn ErrorBox(#[prop(into)] error: Signal<Option<ErrorText>>) -> impl IntoView {
    let store = use_store();
    move || {
        error.get().map(|error| {
            let t = store.text();
            view! {
                <div class="error-box" role="alert" data-code=error.code>
                    <p class="error-message">{error.message}</p>
                    <p class="error-guidance">
                        <strong>{t.what_to_do}": "</strong>
                        {error.guidance}
                    </p>
                    <p class="error-code">{t.error_code}": " <code>{error.code}</code></p>
                </div>
            }
        })
    }
}
