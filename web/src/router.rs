//! A small client-side router: the current location as a signal, links that
//! navigate without reloading, the back and forward buttons, and an optional
//! base path so the site also works from a sub-path of a static host.
//!
//! Why not `leptos_router`: measured with `scripts/bench.sh`, it added about
//! 157 KB raw / 54 KB brotli to a bare page — a third of this app's budget —
//! for matching a handful of fixed paths. [`crate::app::Page`] does that
//! matching; this module only tracks and changes the location.
//!
//! The base path comes from `<base href>` (Trunk fills it from
//! `--public-url`): with `<base href="/qianbao/">`, the app path `/login` is
//! served at `/qianbao/login`.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Where the browser is, relative to the base path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// Always starts with `/`.
    pub path: String,
    /// The query string without `?`, undecoded.
    pub search: String,
}

#[derive(Debug, Clone, Copy)]
pub struct Nav {
    location: RwSignal<Location>,
    base: StoredValue<String>,
}

impl Nav {
    /// Reads the location, follows the back and forward buttons, and
    /// provides the router to the component tree.
    pub fn install() -> Self {
        let base = base_path();
        let nav = Self {
            location: RwSignal::new(read_location(&base)),
            base: StoredValue::new(base),
        };
        let _ = window_event_listener(leptos::ev::popstate, move |_| {
            nav.location.set(read_location(&nav.base.get_value()));
        });
        provide_context(nav);
        INSTALLED.set(Some(nav));
        nav
    }

    /// The base path ("" at the root).
    pub fn base(&self) -> String {
        self.base.get_value()
    }

    /// The current app path (tracked).
    pub fn path(&self) -> String {
        self.location.with(|l| l.path.clone())
    }

    /// A query parameter of the current location, decoded (tracked).
    pub fn query(&self, key: &str) -> Option<String> {
        self.location.with(|l| {
            web_sys::UrlSearchParams::new_with_str(&l.search)
                .ok()
                .and_then(|params| params.get(key))
        })
    }

    /// The current query string, without `?` (tracked).
    pub fn query_string(&self) -> String {
        self.location.with(|l| l.search.clone())
    }

    /// The URL of an app path, for an `href`.
    pub fn href(&self, to: &str) -> String {
        format!("{}{to}", self.base.get_value())
    }

    /// Goes to an app path (with an optional `?query`), adding a history entry.
    pub fn go(&self, to: &str) {
        let url = self.href(to);
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url));
        }
        self.location.set(read_location(&self.base.get_value()));
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }
}

/// `path?key=value`, with `value` percent-encoded.
pub fn with_query(path: &str, key: &str, value: &str) -> String {
    let encoded: String = js_sys::encode_uri_component(value).into();
    format!("{path}?{key}={encoded}")
}

thread_local! {
    /// The app's one router, for [`use_nav`] where the tree has let go.
    static INSTALLED: std::cell::Cell<Option<Nav>> = const { std::cell::Cell::new(None) };
}

/// The router. It is the app's one (see [`Nav::install`]): a reactive
/// closure that runs once more as its screen is being taken down (a logout
/// under a screen from another module) finds no context left, and gets
/// the same router instead of a panic.
pub fn use_nav() -> Nav {
    use_context::<Nav>()
        .or_else(|| INSTALLED.get())
        .unwrap_or_else(|| expect_context::<Nav>())
}

/// An `<a>` to an app path that navigates in place on a plain click and
/// behaves as a normal link otherwise (new tab, copy link).
#[component]
pub fn Link(
    #[prop(into)] href: String,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let nav = use_nav();
    let target_path = href.split('?').next().unwrap_or_default().to_owned();
    let to = href.clone();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let plain =
            ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key());
        if plain {
            ev.prevent_default();
            nav.go(&to);
        }
    };
    let current = move || (nav.path() == target_path).then_some("page");
    view! {
        <a href=nav.href(&href) class=class aria-current=current on:click=on_click>
            {children()}
        </a>
    }
}

/// The path part of an explicit `<base href>`, without its trailing slash;
/// "" when the page has no `<base>` (served from the root).
fn base_path() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("base[href]").ok().flatten())
        .and_then(|base| base.get_attribute("href"))
        .and_then(|href| {
            let origin = web_sys::window()?.location().href().ok()?;
            web_sys::Url::new_with_base(&href, &origin).ok()
        })
        .map(|url| url.pathname().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

fn read_location(base: &str) -> Location {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return Location::default();
    };
    let full = location.pathname().unwrap_or_default();
    let path = full.strip_prefix(base).unwrap_or(&full);
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let search = location.search().unwrap_or_default();
    Location {
        path,
        search: search.trim_start_matches('?').to_owned(),
    }
}
