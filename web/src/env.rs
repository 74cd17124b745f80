//! What the browser supplies to `core`: the clock and randomness; plus the
//! few browser services the pages need (local clock formatting, download).

use qianbao_core::Timestamp;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wasm_bindgen::JsCast;

pub fn now() -> Timestamp {
    // `Date.now()` is a whole number of milliseconds in an f64.
    Timestamp::from_millis(js_sys::Date::now() as i64)
}

/// A CSPRNG seeded from `crypto.getRandomValues`; `None` if the browser has no
/// Web Crypto (then nothing that needs randomness can be offered).
pub fn seeded_rng() -> Option<ChaCha20Rng> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut seed = [0u8; 32];
    crypto.get_random_values_with_u8_array(&mut seed).ok()?;
    Some(ChaCha20Rng::from_seed(seed))
}

/// `HH:MM` in the browser's time zone.
pub fn clock_time(at: Timestamp) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.as_millis() as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// `YYYY-MM-DD HH:MM` in the browser's time zone.
pub fn date_time(at: Timestamp) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.as_millis() as f64));
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// Offers `contents` as a file download named `name`.
pub fn download(name: &str, contents: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let document = web_sys::window()?.document()?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url).ok()
}

/// Sets `<html lang>` so screen readers pronounce the page right.
pub fn set_document_lang(tag: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", tag);
    }
}

/// Removes the page's own 「正在加载…」 (`site/index.html`): the app's
/// first screen takes its place.
pub fn remove_boot_notice() {
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}

/// The document's title.
pub fn set_document_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// Marks the document while something is being saved (`data-saving` on
/// `<html>`): leaving the page then may lose what is being saved, so the
/// end-to-end tests wait for it to go before they navigate.
pub fn set_saving(saving: bool) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = if saving {
            root.set_attribute("data-saving", "")
        } else {
            root.remove_attribute("data-saving")
        };
    }
}

/// A named point on the page's performance timeline (the benchmark reads
/// them: `wasm-main`, `codec-ready`, `app`, `store-loaded`, `first-render`).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Marks the moment the first screen is in the DOM, for the benchmark.
pub fn mark_first_render() {
    mark("first-render");
}

/// Reloads the page (after storage recovery).
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Moves keyboard focus to the element with `id`.
pub fn focus_by_id(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// The page's origin, like `http://127.0.0.1:8080`.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// A real browser navigation (the WeChat redirects are page loads, as on a phone).
pub fn assign(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// Reads a chosen file as text and hands it to `done` (FileReader, no futures).
pub fn read_text(file: &web_sys::File, done: impl FnOnce(String) + 'static) {
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let handle = reader.clone();
    let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
        let text = handle
            .result()
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        done(text);
    });
    reader.set_onload(Some(onload.unchecked_ref()));
    let _ = reader.read_as_text(file);
}
