//! One writer at a time across every tab of the origin, and a writer that
//! reads what the previous one wrote.
//!
//! `localStorage` gives no atomic read-check-write between tabs, and its
//! copy in each tab is brought up to date *after* another tab wrote: in
//! Chromium a tab that takes a Web Lock the moment another released it can
//! still read the value from before the other's write (measured: 61 of 600
//! simultaneous increments lost with a Web Lock alone, 0 with the check
//! below). So a store command runs as:
//!
//! 1. [`acquire`] the Web Lock `qianbao.storage` (`navigator.locks`): tabs
//!    queue, one holds it;
//! 2. [`Held::settle`]: read from IndexedDB — whose transactions are
//!    consistent between tabs — the revision of the last save any holder
//!    began, and wait until this tab's `localStorage` shows it (its
//!    `storage` event arrives), or [`SETTLE`] passed (its writer closed
//!    before writing the head);
//! 3. [`Held::begin`]: record the revision this holder's save will make;
//! 4. read, run the command, write (the revision check in `store.rs` stays
//!    as the second line of defence);
//! 5. [`Held::record`] the revision storage holds now, then release.
//!
//! `core/tests/tabs.rs` checks this protocol against a model of the
//! browser's delayed copies, with tabs closing between any two writes.
//!
//! Where the browser has neither (an insecure origin, an old browser), the
//! steps that cannot run are skipped and the revision check alone guards.

use js_sys::{Function, Promise, Reflect};
use qianbao_core::envelope::StoredSave;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const LOCK: &str = "qianbao.storage";
const DB: &str = "qianbao";
const STORE: &str = "commits";
const LAST: &str = "last";
/// How long a tab waits for another tab's write to reach its copy of
/// `localStorage` before it takes storage as it is (a store rolled back by
/// hand, or a writer that crashed before recording, never arrives).
const SETTLE: Duration = Duration::from_secs(3);

/// The lock, held until dropped.
#[derive(Debug)]
pub struct Held {
    release: Option<Function>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// Waits for the storage lock (at once when no other tab holds it).
pub async fn acquire() -> Held {
    let Some(locks) = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null())
    else {
        return Held { release: None };
    };
    let Ok(request) =
        Reflect::get(&locks, &"request".into()).and_then(|r| r.dyn_into::<Function>())
    else {
        return Held { release: None };
    };
    // The lock is held until `released` settles; `granted` tells us we have it.
    let mut release = None;
    let released = Promise::new(&mut |resolve, _| release = Some(resolve));
    let granted = Promise::new(&mut |resolve, _| {
        let released = released.clone();
        let granted = resolve.clone();
        let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let _ = granted.call0(&JsValue::NULL);
            released.into()
        });
        match request.call2(&locks, &LOCK.into(), &callback) {
            // A rejection (the page is going away) must not reach the console.
            Ok(queued) => {
                if let Ok(queued) = queued.dyn_into::<Promise>() {
                    IGNORE.with(|ignore| {
                        let _ = queued.catch(ignore);
                    });
                }
            }
            Err(_) => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    });
    let _ = JsFuture::from(granted).await;
    Held { release }
}

impl Held {
    /// Waits until `local()` — this tab's view of the stored head — shows
    /// the last save any tab recorded (or [`SETTLE`] passed).
    pub async fn settle(&self, local: impl Fn() -> StoredSave) {
        let Some(last) = last_recorded().await else {
            return;
        };
        let started = crate::env::now();
        while local().revision().is_some_and(|rev| rev < last)
            && crate::env::now().since(started) < SETTLE
        {
            next_storage_event().await;
        }
    }

    /// Records the save this tab is about to begin (`revision`), before its
    /// first write: a holder that closes half-way still leaves the next one
    /// waiting for what it wrote (or for [`SETTLE`], if it wrote no head).
    pub async fn begin(&self, revision: u64) {
        put_recorded(revision).await;
    }

    /// Records the save storage holds as this holder leaves (the one it
    /// began, or the one before if it wrote nothing).
    pub async fn record(&self, saved: StoredSave) {
        if let Some(rev) = saved.revision() {
            put_recorded(rev).await;
        }
    }
}

/// A promise and the function that resolves it.
fn pending() -> (Promise, Function) {
    let mut resolver = None;
    let promise = Promise::new(&mut |resolve, _| resolver = Some(resolve));
    (promise, resolver.unwrap_or_else(Function::default))
}

/// A callback that resolves `resolve` with `value` the first time it runs;
/// later calls do nothing. Dropped by its owner once the promise settled.
fn waker(resolve: Function, value: JsValue) -> Closure<dyn FnMut(JsValue)> {
    let once = Rc::new(Cell::new(false));
    Closure::new(move |_: JsValue| {
        if !once.replace(true) {
            let _ = resolve.call1(&JsValue::NULL, &value);
        }
    })
}

/// Resolves at the next `storage` event, or after 50 ms at most.
async fn next_storage_event() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let (promise, resolve) = pending();
    let wake = waker(resolve, JsValue::TRUE);
    let function: &Function = wake.as_ref().unchecked_ref();
    let _ = window.add_event_listener_with_callback("storage", function);
    let timer = window.set_timeout_with_callback_and_timeout_and_arguments_0(function, 50);
    let _ = JsFuture::from(promise).await;
    let _ = window.remove_event_listener_with_callback("storage", function);
    if let Ok(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
}

// ── IndexedDB: the last committed revision ────────────────────────────────

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
    /// Swallows a lock request's rejection (the page going away).
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

/// A request's outcome as a future: its result, or `None` on error.
async fn outcome(request: &IdbRequest) -> Option<JsValue> {
    let (promise, resolve) = pending();
    let on_success = waker(resolve.clone(), JsValue::TRUE);
    let on_error = waker(resolve, JsValue::FALSE);
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let succeeded = JsFuture::from(promise).await.ok()?.as_bool();
    request.set_onsuccess(None);
    request.set_onerror(None);
    succeeded
        .filter(|ok| *ok)
        .and_then(|_| request.result().ok())
}

async fn database() -> Option<IdbDatabase> {
    if let Some(db) = OPEN.with(|open| open.borrow().clone()) {
        return Some(db);
    }
    let factory = web_sys::window()?.indexed_db().ok()??;
    let request = factory.open_with_u32(DB, 1).ok()?;
    let upgrade = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let db = event
            .dyn_into::<web_sys::Event>()
            .ok()
            .and_then(|e| e.target())
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = outcome(&request).await?.dyn_into::<IdbDatabase>().ok();
    request.set_onupgradeneeded(None);
    drop(upgrade);
    OPEN.with(|open| *open.borrow_mut() = db.clone());
    db
}

async fn last_recorded() -> Option<u64> {
    let db = database().await?;
    let store = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readonly)
        .ok()?
        .object_store(STORE)
        .ok()?;
    let value = outcome(&store.get(&LAST.into()).ok()?).await?;
    value.as_f64().map(|v| v as u64)
}

async fn put_recorded(revision: u64) {
    let Some(db) = database().await else {
        return;
    };
    let Some(store) = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .ok()
        .and_then(|t| t.object_store(STORE).ok())
    else {
        return;
    };
    // Revisions stay far below 2^53: a number is exact.
    if let Ok(request) = store.put_with_key(&JsValue::from_f64(revision as f64), &LAST.into()) {
        let _ = outcome(&request).await;
    }
}
