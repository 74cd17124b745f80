//! What the pages and the developer console ask of the sandbox server,
//! under `/sandbox/v1/` (see `web/src/sandbox.rs` for the page's side):
//!
//! - `GET state?hold=…` — the saved state as rows, with the page's window
//!   of the orders (and those at the positions it holds), and which client
//!   the asking browser is;
//! - `GET order?prepay_id=…` or `?mch=…&out_trade_no=…` — one order a page
//!   asks for outside its window (the cashier's);
//! - `POST command` — a page's command (`core::command::Sent`), applied by
//!   the writer for that browser's client on the same path as a merchant
//!   backend's calls; the reply carries its answer and the saves since the
//!   page's;
//! - `GET events` — every save from now on (server-sent events);
//! - `GET platform`, `POST platform` (`step=start|switch|retire`): the
//!   platform keys and their rotation (`crate::platform`);
//! - the console's explicit actions: `POST merchants` (register one),
//!   `GET export`, `POST import` (checked exactly as a load would check it)
//!   and `POST reset`;
//! - `POST check` (`mchid`): 「接入检查」, the probes sent to the
//!   merchant's notify URL (`crate::check`), the report back.
//!
//! No route takes a stored state from a page but the console's import.

use crate::api::plain;
use crate::platform::Rotation;
use crate::sandbox::{Sandbox, SandboxError, Wanted};
use crate::site::Client;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream};
use qianbao_core::command::{Ctx, Reply, Sent};
use qianbao_core::envelope::{self, ImportError, Read, Saved, Stored};
use qianbao_core::merchant::MerchantId;
use qianbao_core::State as World;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast;

const JSON: &str = "application/json; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/sandbox/v1/state", get(state))
        .route("/sandbox/v1/order", get(order))
        .route("/sandbox/v1/command", post(command))
        .route("/sandbox/v1/events", get(events))
        .route("/sandbox/v1/merchants", post(register_merchant))
        .route("/sandbox/v1/platform", get(platform_keys).post(rotate))
        .route("/sandbox/v1/export", get(export))
        .route(
            "/sandbox/v1/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/sandbox/v1/reset", post(reset))
        .route("/sandbox/v1/check", post(check))
}

#[derive(Deserialize)]
struct CheckForm {
    mchid: String,
}

/// `POST /sandbox/v1/check` (a form: `mchid`): 「接入检查」 — the probes
/// sent to the merchant's registered notify URL now; the report
/// (`core::payapi::CheckReport`), or 404 for no such merchant.
async fn check(
    State(sandbox): State<Sandbox>,
    Form(CheckForm { mchid }): Form<CheckForm>,
) -> Response {
    let Some(mchid) = qianbao_core::merchant::Mchid::parse(&mchid) else {
        return plain(StatusCode::NOT_FOUND, "no such merchant", TEXT);
    };
    let report = tokio::task::spawn_blocking(move || crate::check::run(&sandbox, mchid)).await;
    match report {
        Ok(Ok(report)) => match serde_json::to_string(&report) {
            Ok(json) => plain(StatusCode::OK, json, JSON),
            Err(error) => unavailable(&error),
        },
        Ok(Err(crate::check::CheckError::NoSuchMerchant)) => {
            plain(StatusCode::NOT_FOUND, "no such merchant", TEXT)
        }
        Ok(Err(error)) => unavailable(&error),
        Err(error) => unavailable(&error),
    }
}

fn unavailable(error: &dyn std::fmt::Display) -> Response {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "qianbao-sandbox: {error}");
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the sandbox cannot answer now",
        TEXT,
    )
}

#[derive(Debug, Deserialize)]
struct Hold {
    /// Positions of orders the page holds outside its window, `,`-separated.
    #[serde(default)]
    hold: String,
}

/// The most orders a page can ask to keep holding.
const MAX_HELD: usize = 64;

/// `GET /sandbox/v1/state?hold=…`.
async fn state(
    State(sandbox): State<Sandbox>,
    Client(client): Client,
    Query(Hold { hold }): Query<Hold>,
) -> Response {
    let Some(hold) = hold
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<usize>().ok())
        .collect::<Option<Vec<_>>>()
        .filter(|held| held.len() <= MAX_HELD)
    else {
        return plain(
            StatusCode::BAD_REQUEST,
            "hold: positions, comma-separated",
            TEXT,
        );
    };
    let snapshot = tokio::task::spawn_blocking(move || sandbox.snapshot(&client, &hold)).await;
    match snapshot {
        Ok(Ok(snapshot)) => match serde_json::to_string(&snapshot) {
            Ok(json) => plain(StatusCode::OK, json, JSON),
            Err(error) => unavailable(&error),
        },
        Ok(Err(error)) => unavailable(&error),
        Err(error) => unavailable(&error),
    }
}

#[derive(Debug, Deserialize)]
struct OrderQuery {
    prepay_id: Option<String>,
    mch: Option<String>,
    out_trade_no: Option<String>,
}

/// `GET /sandbox/v1/order?prepay_id=…` (or `?mch=…&out_trade_no=…`): the
/// order as the server's last save holds it (`core::state::HeldOrder`), or
/// 404.
async fn order(State(sandbox): State<Sandbox>, Query(query): Query<OrderQuery>) -> Response {
    let wanted = match query {
        OrderQuery {
            prepay_id: Some(id),
            ..
        } => Wanted::Prepay(id),
        OrderQuery {
            mch: Some(mch),
            out_trade_no: Some(no),
            ..
        } => match MerchantId::parse(&mch) {
            Some(merchant) => Wanted::Number(merchant, no),
            None => return plain(StatusCode::NOT_FOUND, "no such order", TEXT),
        },
        _ => {
            return plain(
                StatusCode::BAD_REQUEST,
                "prepay_id, or mch and out_trade_no",
                TEXT,
            )
        }
    };
    match sandbox.held_order(&wanted) {
        Some(held) => match serde_json::to_string(&held) {
            Ok(json) => plain(StatusCode::OK, json, JSON),
            Err(error) => unavailable(&error),
        },
        None => plain(StatusCode::NOT_FOUND, "no such order", TEXT),
    }
}

/// `POST /sandbox/v1/command`.
async fn command(
    State(sandbox): State<Sandbox>,
    Client(client): Client,
    Json(sent): Json<Sent>,
) -> Response {
    let Sent { since, command } = sent;
    let applied = sandbox
        .write(None, move |state, tx| {
            let mut ctx = Ctx {
                now: tx.now,
                wall: tx.wall,
                rng: &mut *tx.rng,
                hasher: tx.hasher,
            };
            command.apply(state, &client, &mut ctx)
        })
        .await;
    match applied {
        Ok((answer, seq)) => {
            let deltas = sandbox
                .deltas(since, seq)
                .map(|found| found.iter().map(|d| (**d).clone()).collect());
            let reply = Reply {
                seq,
                answer,
                deltas,
            };
            match serde_json::to_string(&reply) {
                Ok(json) => plain(StatusCode::OK, json, JSON),
                Err(error) => unavailable(&error),
            }
        }
        Err(error) => unavailable(&error),
    }
}

#[derive(Debug, Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
}

/// `GET /sandbox/v1/events?since=…`: the saves the page has not seen (or
/// `resync`, if they are no longer kept), then every save as it is made.
async fn events(
    State(sandbox): State<Sandbox>,
    Query(Since { since }): Query<Since>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribed before looking back, so no save falls between the two.
    let live = sandbox.subscribe();
    let now = sandbox.seq();
    let missed: Vec<Arc<String>> = match sandbox.deltas(since, now) {
        Some(found) => found
            .iter()
            .map(|d| Arc::new(serde_json::to_string(&**d).unwrap_or_default()))
            .collect(),
        None => vec![Arc::new("resync".to_owned())],
    };
    let missed = stream::iter(
        missed
            .into_iter()
            .map(|data| Ok(Event::default().data(data.as_str()))),
    );
    let live = stream::unfold(live, |mut live| async move {
        let data = match live.recv().await {
            Ok(data) => data,
            // Too slow a reader: it reads everything again.
            Err(broadcast::error::RecvError::Lagged(_)) => Arc::new("resync".to_owned()),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().data(data.as_str())), live))
    });
    use futures_util::StreamExt as _;
    Sse::new(missed.chain(live)).keep_alive(KeepAlive::default())
}

/// `GET /sandbox/v1/platform`: the valid platform keys (`{"keys": […]}`).
async fn platform_keys(State(sandbox): State<Sandbox>) -> Response {
    keys_answer(&sandbox)
}

fn keys_answer(sandbox: &Sandbox) -> Response {
    let keys = serde_json::json!({ "keys": sandbox.platform_keys() });
    plain(StatusCode::OK, keys.to_string(), JSON)
}

#[derive(Deserialize)]
struct Step {
    step: Rotation,
}

/// `POST /sandbox/v1/platform` (a form: `step`): one step of the rotation;
/// the keys after it, or 409 with `{code, message}` when it cannot be
/// taken now.
async fn rotate(State(sandbox): State<Sandbox>, Form(Step { step }): Form<Step>) -> Response {
    match sandbox.rotate(step).await {
        Ok(()) => keys_answer(&sandbox),
        Err(SandboxError::Rotation(why)) => {
            let body = serde_json::json!({ "code": why.code(), "message": why.to_string() });
            plain(StatusCode::CONFLICT, body.to_string(), JSON)
        }
        Err(error) => unavailable(&error),
    }
}

#[derive(Deserialize)]
struct Registration {
    name: String,
    notify_url: String,
    redirect_domain: String,
}

/// `POST /sandbox/v1/merchants` (a form: `name`, `notify_url`,
/// `redirect_domain`): the console's 「注册商户」, as `merchant add`. 200
/// with the credentials' JSON, or 400 with the refused field's name.
async fn register_merchant(
    State(sandbox): State<Sandbox>,
    Form(form): Form<Registration>,
) -> Response {
    match sandbox
        .register(form.name, form.notify_url, form.redirect_domain)
        .await
    {
        Ok(credentials) => {
            let json = serde_json::to_string_pretty(&credentials).unwrap_or_default();
            plain(StatusCode::OK, json, JSON)
        }
        Err(SandboxError::Register(error)) => plain(StatusCode::BAD_REQUEST, error.field(), TEXT),
        Err(error) => {
            let _ = unavailable(&error);
            plain(StatusCode::INTERNAL_SERVER_ERROR, "server", TEXT)
        }
    }
}

/// `GET /sandbox/v1/export`: the saved state in the stored form the
/// console's import reads (unsealed).
async fn export(State(sandbox): State<Sandbox>) -> Response {
    let written = sandbox
        .read(|state| envelope::write(state, &Saved::default(), None, None, &mut rand_core::OsRng));
    match written {
        Ok((writes, _)) => {
            let mut stored = Stored::new();
            for write in writes {
                if let envelope::Write::Set(key, value) = write {
                    stored.insert(key, value);
                }
            }
            plain(StatusCode::OK, envelope::bundle(&stored), JSON)
        }
        Err(error) => unavailable(&error),
    }
}

/// `POST /sandbox/v1/import`: a file checked exactly as a load checks a
/// stored copy replaces the state (every page reads it again); a bad one
/// changes nothing, and the answer says why (`ImportError` as JSON).
async fn import(State(sandbox): State<Sandbox>, text: String) -> Response {
    let refuse = |error: ImportError| {
        plain(
            StatusCode::BAD_REQUEST,
            serde_json::to_string(&error).unwrap_or_default(),
            JSON,
        )
    };
    let stored = match envelope::check_import(&text, None) {
        Ok(stored) => stored,
        Err(error) => return refuse(error),
    };
    let state = match envelope::read(&stored, None) {
        Read::Opened {
            state, keys: None, ..
        } => *state,
        Read::Fresh => World::default(),
        // A browser's sealed copy: its password is not the sandbox's.
        Read::Opened { keys: Some(_), .. } | Read::Locked(_) => {
            return refuse(ImportError::OtherKey)
        }
        Read::Damaged(error) => return refuse(ImportError::Damaged(error)),
    };
    match sandbox.replace(state).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => unavailable(&error),
    }
}

/// `POST /sandbox/v1/reset`: a fresh start (merchants and their keys too).
async fn reset(State(sandbox): State<Sandbox>) -> Response {
    match sandbox.replace(World::default()).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => unavailable(&error),
    }
}
