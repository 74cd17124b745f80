//! The built site, served beside the API: from inside the binary (put there
//! at build time by `build.rs`), or from a folder named by `--dist`. An app
//! path that is no file (`/login`, `/wechat/pay?…`) gets `index.html`, as a
//! static host's fallback does.
//!
//! Every answer tells the page it came from a sandbox server (the cookie
//! `qianbao-sandbox=1`, read by `web/src/storage.rs`), and gives a browser
//! that has none its own client — a random, `HttpOnly`, `SameSite=Lax`
//! cookie: each browser is its own person ([`Client`]).

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qianbao_core::session::ClientId;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/site.rs"));
}

/// Where the site's files come from.
#[derive(Debug, Clone)]
pub enum Files {
    /// Built into this binary.
    Embedded,
    /// A folder (`--dist`).
    Dir(PathBuf),
}

impl Files {
    /// The built-in site, if this binary was built with one.
    pub fn embedded() -> Option<Files> {
        (!embedded::FILES.is_empty()).then_some(Files::Embedded)
    }

    async fn get(&self, path: &str) -> Option<Vec<u8>> {
        match self {
            Files::Embedded => embedded::FILES
                .binary_search_by(|(name, _)| (*name).cmp(path))
                .ok()
                .map(|i| embedded::FILES[i].1.to_vec()),
            Files::Dir(root) => {
                let relative = path.trim_start_matches('/');
                // Nothing outside the folder.
                if relative
                    .split('/')
                    .any(|part| part == ".." || part.is_empty())
                {
                    return None;
                }
                tokio::fs::read(root.join(relative)).await.ok()
            }
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("webmanifest") => "application/manifest+json",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// `GET` of anything not the API: the file, or the app (`index.html`).
pub async fn serve(files: Files, request: Request) -> Response {
    let method = request.method();
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        // The site is read, never written: a page that posts anything
        // (a stored state, as the first sandbox took) is refused.
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path();
    if path.starts_with("/sandbox/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = if path == "/" { "/index.html" } else { path };
    let (path, body) = match files.get(path).await {
        Some(body) => (path, body),
        None => match files.get("/index.html").await {
            Some(body) => ("/index.html", body),
            None => {
                return (StatusCode::NOT_FOUND, "no site is built into this server").into_response()
            }
        },
    };
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    // The shell and the worker are looked at every visit; a build's own
    // folder (`pkg-<hash>/`) never changes.
    let cache = if path.starts_with("/pkg-") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The cookie that puts the site in sandbox mode (a session cookie: it goes
/// with the browser, not with the origin for good).
pub const SANDBOX_COOKIE: &str = "qianbao-sandbox=1; Path=/; SameSite=Strict";
/// The browser's own client (its secret; the page never reads it).
const CLIENT_COOKIE: &str = "qianbao-client";

/// A browser's secret, as its cookie carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token(String);

impl Token {
    fn fresh() -> Token {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        Token(qianbao_core::hex::encode(&bytes))
    }

    fn read(parts: &Parts) -> Option<Token> {
        parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == CLIENT_COOKIE)
            .map(|(_, value)| value.to_owned())
            .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(Token)
    }

    /// The client this secret names in the state: a digest, so the state
    /// (which every page reads) never holds anyone's secret.
    fn client(&self) -> ClientId {
        let digest = Sha256::digest(format!("qianbao client\n{}", self.0).as_bytes());
        let id = format!("b-{}", &qianbao_core::hex::encode(&digest)[..20]);
        ClientId::parse(&id).unwrap_or_default()
    }
}

/// The browser a request comes from (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client(pub ClientId);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // (The layer below put one there for every request.)
        let token = parts
            .extensions
            .get::<Token>()
            .cloned()
            .unwrap_or_else(Token::fresh);
        Ok(Client(token.client()))
    }
}

/// Gives a browser without its client cookie one (on the answer to this
/// request), and says that this is a sandbox server.
pub async fn cookies(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let known = Token::read(&parts);
    let token = known.clone().unwrap_or_else(Token::fresh);
    parts.extensions.insert(token.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let headers = response.headers_mut();
    headers.append(SET_COOKIE, HeaderValue::from_static(SANDBOX_COOKIE));
    if known.is_none() {
        let cookie = format!(
            "{CLIENT_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax",
            token.0
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    response
}
