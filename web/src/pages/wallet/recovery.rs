//! Shown instead of the app when the stored state does not form one
//! committed save: the user is told what is wrong (its own code and
//! guidance), can export every stored value exactly as found, and chooses:
//! import a backup (checked like a load; a bad file changes nothing) or
//! start over with all of it kept aside. Nothing is written before that
//! choice.

use crate::components::{once_at_a_time, ErrorBox};
use crate::env;
use crate::storage;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn Recovery() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let write_error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    // What went wrong: the write that failed, else why the copy is unreadable.
    let error = Signal::derive(move || {
        write_error.get().or_else(|| {
            store
                .damaged
                .with(|d| d.as_ref().map(|d| Problem::Storage(d.error.clone())))
        })
    });
    // Everything stored now, read at the moment of the click: every key of
    // the state, whatever is missing or left over.
    let export = move |_| {
        env::download("qianbao-damaged-data.json", &storage::stored_bundle());
    };
    let start_over = move |_| {
        once_at_a_time(busy, move || async move {
            if let Err(e) = store.keep_aside_and_restart().await {
                write_error.set(Some(e));
            }
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        env::read_text(&file, move |text| {
            once_at_a_time(busy, move || async move {
                // A good file reloads the page; a bad one says why.
                if let Err(e) = store.import(text).await {
                    write_error.set(Some(e));
                }
            });
        });
    };
    view! {
        <main id="main" class="recovery">
            <p class="simulation" role="note">{move || t().simulation_notice}</p>
            <section class="card">
                <h1>{move || t().wallet.storage_title}</h1>
                <p>{move || t().wallet.storage_intro}</p>
                <ErrorBox problem=error />
                <div class="actions">
                    <button type="button" class="button" on:click=export>{move || t().wallet.storage_export}</button>
                    <label class="button" for="recovery-import">{move || t().wallet.storage_import}</label>
                    <input id="recovery-import" type="file" accept="application/json,.json" class="visually-hidden" on:change=import />
                    <button type="button" class="button primary" on:click=start_over disabled=move || busy.get()>
                        {move || t().wallet.storage_start_over}
                    </button>
                </div>
            </section>
        </main>
    }
}
