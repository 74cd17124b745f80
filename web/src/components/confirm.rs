//! Asking before something that cannot be undone: the question in place,
//! with 「确认」 and 「取消」.

use crate::store::use_store;
use leptos::prelude::*;

#[component]
pub fn ConfirmBox(
    #[prop(into)] message: Signal<String>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let store = use_store();
    view! {
        <div class="confirm-box" role="alertdialog" aria-label=move || message.get()>
            <p>{move || message.get()}</p>
            <div class="actions">
                <button type="button" class="button danger" on:click=move |_| on_confirm.run(())>
                    {move || store.text().confirm}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    {move || store.text().cancel}
                </button>
            </div>
        </div>
    }
}
