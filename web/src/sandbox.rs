//! Sandbox mode: the page as a client of the sandbox server (a page the
//! server served; see `storage::on_server`). The server alone writes the
//! state; the page holds a copy that follows it:
//!
//! - at start, `GET /sandbox/v1/state` — the whole state as rows, and which
//!   client (browser) this page is ([`connect`]);
//! - a command goes to `POST /sandbox/v1/command` with the save the page
//!   holds; the reply is its answer and the saves since, applied before the
//!   answer is shown, so the page never shows an answer ahead of its state
//!   ([`send`]);
//! - `GET /sandbox/v1/events` (server-sent events) brings every other save
//!   — another person's command, a merchant backend's call, a notification
//!   attempt — as it is made, so an open page follows without a reload;
//!   the saves that arrive together are applied together, the page drawn
//!   once for all of them;
//! - the page holds a window of the server's orders, the same few whatever
//!   their number (`core::order::Orders::window`); the cashier reads the
//!   one it is for first ([`hold`], `GET /sandbox/v1/order`), and the page
//!   keeps it through a reload of its state.
//!
//! Every request is asynchronous. Their code — and all reading and writing
//! of JSON, through the stored form's module — is a module of its own in
//! the split build, fetched only in sandbox mode.

use crate::app::{on_demand, Unfetched};
use crate::codec;
use crate::store::{Problem, Store};
use leptos::prelude::*;
use qianbao_core::command::{read_answer, Command, Request};
use qianbao_core::error::SiteError;
use qianbao_core::state::StateError;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::{JsCast, JsValue};

type Pending<T> = Pin<Box<dyn Future<Output = Result<T, Problem>>>>;

thread_local! {
    /// The server's save this page's copy holds.
    static SEQ: Cell<u64> = const { Cell::new(0) };
    /// Whether the page follows the server's events yet.
    static FOLLOWING: Cell<bool> = const { Cell::new(false) };
    /// Saves the events brought that are not applied yet.
    static ARRIVED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn unreachable() -> Problem {
    Problem::Site(SiteError::Unreachable)
}

/// Sends `command`; its result once the page holds the save that made it.
pub async fn send<C>(store: Store, command: C) -> Result<C::Output, Problem>
where
    C: Request,
    C::Error: Into<Problem>,
{
    let answer = exchange(store, command.into()).await?;
    match read_answer::<C>(&answer) {
        Some(result) => result.map_err(Into::into),
        None => Err(Problem::Storage(StateError::Unwritable {
            detail: "the sandbox server's answer could not be read".to_owned(),
        })),
    }
}

/// Sends a command and brings the page up to the save that answered it;
/// the answer as sent (see `core::command::Answer`).
pub async fn exchange(store: Store, command: Command) -> Result<String, Problem> {
    match exchange_split(store, command).await {
        Ok(pending) => pending.await,
        Err(Unfetched) => Err(unreachable()),
    }
}

on_demand! {
    in sandbox: fn exchange_split(store: Store, command: Command) -> Pending<String> {
        Box::pin(async move {
            let codec = codec::ready().await.map_err(|Unfetched| unreachable())?;
            let body = (codec.command_wire)(SEQ.get(), &command);
            let (status, text) = request("POST", "/sandbox/v1/command", Some(&body))
                .await
                .map_err(|()| unreachable())?;
            if status != 200 {
                return Err(Problem::Storage(StateError::Unwritable {
                    detail: format!("the sandbox server refused the command ({status}: {text})"),
                }));
            }
            let reply = (codec.read_reply)(&text).ok_or_else(|| {
                Problem::Storage(StateError::Unwritable {
                    detail: "the sandbox server's reply could not be read".to_owned(),
                })
            })?;
            match reply.deltas {
                Some(deltas) if follow(store, codec, &deltas) => {}
                // Too far behind, or a save that does not follow: all again.
                _ => load(store).await?,
            }
            Ok(reply.answer)
        })
    }
}

/// Applies the saves that follow this page's; `false` if one does not.
fn follow(store: Store, codec: &codec::Codec, deltas: &[qianbao_core::state::Delta]) -> bool {
    let mut ok = true;
    store.state.update(|state| {
        for delta in deltas {
            let seq = SEQ.get();
            if delta.seq <= seq {
                continue;
            }
            if delta.seq != seq + 1 || (codec.apply_delta)(state, delta).is_err() {
                ok = false;
                return;
            }
            SEQ.set(delta.seq);
        }
    });
    ok
}

/// Reads the state again (the page's start, or a copy that fell behind),
/// with the orders it holds outside its window.
async fn load(store: Store) -> Result<(), Problem> {
    let codec = codec::ready().await.map_err(|Unfetched| unreachable())?;
    let held: Vec<String> = store.state.with_untracked(|s| {
        s.order_book()
            .held_positions()
            .map(|p| p.to_string())
            .collect()
    });
    let path = format!("/sandbox/v1/state?hold={}", held.join(","));
    let (status, text) = request("GET", &path, None)
        .await
        .map_err(|()| unreachable())?;
    if status != 200 {
        return Err(unreachable());
    }
    let (state, seq) = (codec.read_snapshot)(&text).map_err(Problem::Storage)?;
    SEQ.set(seq);
    store.state.set(state);
    Ok(())
}

/// The page's start in sandbox mode: the state, then the events that
/// follow it. Until then the frame says it is connecting; if the server
/// cannot be reached, it says so (and 「重试」 connects again).
pub fn connect(store: Store) {
    store.connecting.set(true);
    leptos::task::spawn_local(async move {
        let connected = match connect_split(store).await {
            Ok(pending) => pending.await,
            Err(Unfetched) => Err(unreachable()),
        };
        match connected {
            Ok(()) => store.connecting.set(false),
            Err(problem) => store.connect_error.set(Some(problem)),
        }
    });
}

on_demand! {
    in sandbox: fn connect_split(store: Store) -> Pending<()> {
        Box::pin(async move {
            load(store).await?;
            if !FOLLOWING.get() {
                FOLLOWING.set(true);
                listen(store);
            }
            Ok(())
        })
    }
}

/// Follows the server's saves as they are made (an `EventSource`, which
/// reconnects by itself, naming the last save it saw).
fn listen(store: Store) {
    let url = format!("/sandbox/v1/events?since={}", SEQ.get());
    let Ok(source) = web_sys::EventSource::new(&url) else {
        return;
    };
    let on_message = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MessageEvent)>::new(
        move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let first = ARRIVED.with_borrow_mut(|arrived| {
                arrived.push(text);
                arrived.len() == 1
            });
            if first {
                // The saves arriving meanwhile are applied with this one.
                later(move || apply_arrived(store));
            }
        },
    );
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Both live as long as the page.
    on_message.forget();
    std::mem::forget(source);
}

/// Runs `f` once the events already queued have been delivered (a task,
/// not a microtask).
fn later(f: impl FnOnce() + 'static) {
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback(callback.unchecked_ref());
    }
}

/// Applies the saves that arrived, all at once.
fn apply_arrived(store: Store) {
    let arrived = ARRIVED.with_borrow_mut(std::mem::take);
    let Some(codec) = codec::get() else {
        return;
    };
    let deltas: Option<Vec<_>> = arrived
        .iter()
        .map(|text| (codec.read_delta)(text))
        .collect();
    let fits = deltas.is_some_and(|deltas| follow(store, codec, &deltas));
    if !fits {
        // A save missed (the connection was down for long, or the page
        // fell behind): the state again.
        leptos::task::spawn_local(async move {
            let _ = load(store).await;
        });
    }
}

/// Makes sure the page holds the order `query` names (`prepay_id=…`, or
/// `mch=…&out_trade_no=…`), reading it from the server if it is outside
/// the page's window; `false` if the server has no such order.
pub async fn hold(store: Store, query: String) -> Result<bool, Problem> {
    match hold_split(store, query).await {
        Ok(pending) => pending.await,
        Err(Unfetched) => Err(unreachable()),
    }
}

on_demand! {
    in sandbox: fn hold_split(store: Store, query: String) -> Pending<bool> {
        Box::pin(async move {
            let codec = codec::ready().await.map_err(|Unfetched| unreachable())?;
            let (status, text) = request("GET", &format!("/sandbox/v1/order?{query}"), None)
                .await
                .map_err(|()| unreachable())?;
            match status {
                200 => {
                    let mut held = Ok(());
                    store.state.update(|state| held = (codec.hold_order)(state, &text));
                    held.map(|()| true).map_err(Problem::Storage)
                }
                404 | 400 => Ok(false),
                _ => Err(unreachable()),
            }
        })
    }
}

/// A form posted to the sandbox server (the console's): its status and text.
pub async fn request_form(path: &str, body: &str) -> Result<(u16, String), ()> {
    send_request(
        "POST",
        path,
        Some((body, "application/x-www-form-urlencoded")),
    )
    .await
}

/// One asynchronous request to the sandbox server: its status and text.
pub async fn request(method: &str, path: &str, body: Option<&str>) -> Result<(u16, String), ()> {
    send_request(method, path, body.map(|b| (b, "application/json"))).await
}

async fn send_request(
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> Result<(u16, String), ()> {
    let window = web_sys::window().ok_or(())?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_cache(web_sys::RequestCache::NoStore);
    if let Some((body, kind)) = body {
        init.set_body(&JsValue::from_str(body));
        let headers = web_sys::Headers::new().map_err(|_| ())?;
        headers.set("Content-Type", kind).map_err(|_| ())?;
        init.set_headers(&headers);
    }
    let response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(path, &init))
            .await
            .map_err(|_| ())?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| ())?;
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(|_| ())?)
        .await
        .map_err(|_| ())?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// The server's save this page holds (for tests and the console).
pub fn seq() -> u64 {
    SEQ.get()
}
