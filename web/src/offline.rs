//! Offline-first, the browser's side: registers the service worker
//! (`web/sw.js`, written into the build by `scripts/sw.mjs`) that keeps the
//! whole site for offline use, tells the app when a new version waits (the
//! quiet 「新版本可用，刷新」 notice — never a reload in the middle of what
//! the person is doing), and follows the browser's network state, which the
//! simulation treats as its network (`core::sim::Sim::set_offline`).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorkerRegistration, ServiceWorkerState};

/// Whether the browser says it is online (`navigator.onLine`).
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Keeps `online` equal to the browser's network state, for the page's life.
pub fn follow_network(online: RwSignal<bool>) {
    let _ = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let _ = window_event_listener(leptos::ev::offline, move |_| online.set(false));
}

/// Registers the service worker at the site's base (so its scope is the
/// sub-path the site is served under), and sets `update_ready` when a new
/// version has installed and waits. Does nothing where the browser has no
/// service workers (an insecure origin).
pub fn register(update_ready: RwSignal<bool>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return;
    }
    let base = window
        .document()
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_else(|| "/".to_owned());
    let script = format!("{}sw.js", base.trim_end_matches(|c| c != '/'));
    let container = navigator.service_worker();
    leptos::task::spawn_local(async move {
        let Ok(registration) = JsFuture::from(container.register(&script)).await else {
            return;
        };
        let Ok(registration) = registration.dyn_into::<ServiceWorkerRegistration>() else {
            return;
        };
        watch(registration, update_ready);
    });
}

/// Sets `update_ready` whenever a new version waits while an older one
/// serves this page (on the first visit nothing waits: there is no older).
fn watch(registration: ServiceWorkerRegistration, update_ready: RwSignal<bool>) {
    let serving = || {
        web_sys::window()
            .map(|w| w.navigator().service_worker())
            .and_then(|c| c.controller())
            .is_some()
    };
    let check = {
        let registration = registration.clone();
        move || {
            if registration.waiting().is_some() && serving() {
                update_ready.set(true);
            }
        }
    };
    check();
    let on_update = Closure::<dyn FnMut()>::new({
        let registration = registration.clone();
        move || {
            let Some(installing) = registration.installing() else {
                return;
            };
            let check = check.clone();
            let worker = installing.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if worker.state() == ServiceWorkerState::Installed {
                    check();
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            // Lives as long as the worker it watches.
            on_state.forget();
        }
    });
    registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
    // Lives as long as the page.
    on_update.forget();
}

/// 「刷新」: the waiting version takes over, then the page reloads on it.
pub fn apply_update() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let reload = Closure::<dyn FnMut()>::new(crate::env::reload);
    container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    reload.forget();
    leptos::task::spawn_local(async move {
        let Ok(registration) = JsFuture::from(container.get_registration()).await else {
            return;
        };
        let waiting = registration
            .dyn_into::<ServiceWorkerRegistration>()
            .ok()
            .and_then(|r| r.waiting());
        match waiting {
            Some(worker) => {
                let _ = worker.post_message(&JsValue::from_str("skip-waiting"));
            }
            None => crate::env::reload(),
        }
    });
}
