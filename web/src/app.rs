//! The router and the frame every page sits in: the top bar with the
//! language switch, the simulation notice, and the always-available phone.

use crate::components::{LocaleSwitch, PhonePanel};
use crate::pages::{phone::PhonePage, wallet, NotFound};
use crate::router::{Link, Nav};
use crate::store::{use_store, Store};
use leptos::prelude::*;

/// Every screen's path, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    Register,
    Login,
    Settings,
    Phone,
    NotFound,
}

impl Page {
    pub const fn path(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::Register => "/register",
            Page::Login => "/login",
            Page::Settings => "/settings",
            Page::Phone => "/phone/",
            Page::NotFound => "/404",
        }
    }

    /// The screen for an app path; a trailing slash does not matter.
    pub fn from_path(path: &str) -> Self {
        let trimmed = path.trim_end_matches('/');
        [Page::Register, Page::Login, Page::Settings, Page::Phone]
            .into_iter()
            .find(|page| page.path().trim_end_matches('/') == trimmed)
            .unwrap_or(if trimmed.is_empty() {
                Page::Home
            } else {
                Page::NotFound
            })
    }
}

#[component]
pub fn App() -> impl IntoView {
    let store = Store::load();
    store.provide();
    view! {
        <Show when=move || store.damaged.with(Option::is_none) fallback=wallet::Recovery>
            <Frame />
        </Show>
    }
}

#[component]
fn Frame() -> impl IntoView {
    let store = use_store();
    let nav = Nav::install();
    let t = move || store.text();
    // Any key or pointer press counts as activity for the idle lock.
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| store.touch());
    let _ = window_event_listener(leptos::ev::keydown, move |_| store.touch());
    // With a `<base href>`, "#main" would resolve against the base and leave
    // the page; focus the content in place instead.
    let skip_to_main = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        crate::env::focus_by_id("main");
    };
    view! {
        <a class="skip" href="#main" on:click=skip_to_main>{move || t().skip_to_content}</a>
        <header class="topbar">
            <Link href=Page::Home.path() class="brand">{move || t().app_name}</Link>
            <nav aria-label=move || t().worlds>
                <Link href=Page::Home.path()>{move || t().nav_wallet}</Link>
                <Link href=Page::Phone.path()>{move || t().nav_phone}</Link>
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
        <main id="main" tabindex="-1">
            <Screen nav />
        </main>
        <PhonePanel />
    }
}

/// The screen for the current path; re-rendered only when the page changes.
#[component]
fn Screen(nav: Nav) -> impl IntoView {
    let page = Memo::new(move |_| Page::from_path(&nav.path()));
    move || match page.get() {
        Page::Home => wallet::Home().into_any(),
        Page::Register => wallet::Register().into_any(),
        Page::Login => wallet::Login().into_any(),
        Page::Settings => wallet::Settings().into_any(),
        Page::Phone => PhonePage().into_any(),
        Page::NotFound => NotFound().into_any(),
    }
}
