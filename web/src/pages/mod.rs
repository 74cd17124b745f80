//! One file per screen, grouped by world.

pub mod dev;
pub mod help;
pub mod phone;
pub mod shop;
pub mod wallet;
pub mod wechat;

use crate::app::Page;
use crate::router::Link;
use crate::store::use_store;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    view! {
        <section class="card">
            <h1>{move || t().not_found_title}</h1>
            <p>{move || t().not_found_intro}</p>
            <Link href=Page::Home.path()>{move || t().back_home}</Link>
        </section>
    }
}
