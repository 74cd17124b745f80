//! Shown instead of the app when the stored state cannot be read: the user
//! is told, can export the damaged copy, and chooses to start over with the
//! copy kept aside. Nothing is written before that choice.

use crate::components::ErrorBox;
use crate::env;
use crate::storage;
use crate::store::{use_store, Problem};
use leptos::prelude::*;

#[component]
pub fn Recovery() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let kept = RwSignal::new(None::<String>);
    let write_error = RwSignal::new(None::<Problem>);
    // What went wrong: the write that failed, else why the copy is unreadable.
    let error = Signal::derive(move || {
        write_error.get().or_else(|| {
            store
                .damaged
                .with(|d| d.as_ref().map(|d| Problem::Storage(d.error.clone())))
        })
    });
    let export = move |_| {
        if let Some(raw) = store
            .damaged
            .with_untracked(|d| d.as_ref().map(|d| d.raw.clone()))
        {
            env::download("qianbao-damaged-data.json", &raw);
        }
    };
    let start_over = move |_| {
        let Some(raw) = store
            .damaged
            .with_untracked(|d| d.as_ref().map(|d| d.raw.clone()))
        else {
            return;
        };
        match storage::keep_damaged_copy(&raw, env::now()) {
            Ok(key) => {
                kept.set(Some(key));
                env::reload();
            }
            Err(e) => write_error.set(Some(Problem::Storage(e))),
        }
    };
    view! {
        <main id="main" class="recovery">
            <p class="simulation" role="note">{move || t().simulation_notice}</p>
            <section class="card">
                <h1>{move || t().storage_title}</h1>
                <p>{move || t().storage_intro}</p>
                <ErrorBox problem=error />
                <div class="actions">
                    <button type="button" class="button" on:click=export>{move || t().storage_export}</button>
                    <button type="button" class="button primary" on:click=start_over>
                        {move || t().storage_start_over}
                    </button>
                </div>
                {move || kept.get().map(|key| view! { <p role="status">{(t().storage_kept_as)(&key)}</p> })}
            </section>
        </main>
    }
}
