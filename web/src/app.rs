//! The router and the frame every page sits in: the top bar with the
//! language switch, the simulation notice, and the always-available phone.

use crate::components::{LocaleSwitch, PhonePanel};
use crate::pages::{phone::PhonePage, wallet, NotFound};
use crate::store::{use_store, Store};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

/// Every screen's path, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    Register,
    Login,
    Settings,
    Phone,
}

impl Page {
    pub const fn path(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::Register => "/register",
            Page::Login => "/login",
            Page::Settings => "/settings",
            Page::Phone => "/phone/",
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let store = Store::load();
    store.provide();
    view! {
        <Show when=move || store.damaged.with(Option::is_none) fallback=wallet::Recovery>
            <Router>
                <Frame />
            </Router>
        </Show>
    }
}

#[component]
fn Frame() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    // Any key or pointer press counts as activity for the idle lock.
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| store.touch());
    let _ = window_event_listener(leptos::ev::keydown, move |_| store.touch());
    view! {
        <a class="skip" href="#main">{move || t().skip_to_content}</a>
        <header class="topbar">
            <A href=Page::Home.path() attr:class="brand">{move || t().app_name}</A>
            <nav aria-label="worlds">
                <A href=Page::Home.path()>{move || t().nav_wallet}</A>
                <A href=Page::Phone.path()>{move || t().nav_phone}</A>
            </nav>
            <LocaleSwitch />
        </header>
        <p class="simulation" role="note">{move || t().simulation_notice}</p>
        <Show when=move || store.storage_unavailable.get()>
            <p class="banner warn" role="alert">{move || t().storage_unavailable}</p>
        </Show>
        <Show when=move || store.save_error.with(Option::is_some)>
            <p class="banner error" role="alert">{move || t().storage_save_failed}</p>
        </Show>
        <main id="main">
            <Routes fallback=NotFound>
                <Route path=path!("/") view=wallet::Home />
                <Route path=path!("/register") view=wallet::Register />
                <Route path=path!("/login") view=wallet::Login />
                <Route path=path!("/settings") view=wallet::Settings />
                <Route path=path!("/phone") view=PhonePage />
            </Routes>
        </main>
        <PhonePanel />
    }
}
