//! WeChat's 网页授权 for a merchant's own backend: `/connect/oauth2/authorize`
//! sends the person to the site's authorize page (WeChat's login and
//! consent, in this browser's WeChat session), and the `/sns/` APIs answer
//! the merchant's backend with WeChat's fields or `{errcode, errmsg}`.
//! Every `/sns/` call is logged in the console and meets its faults, so it
//! is the writer's job; the AppSecret is checked first, from memory.
//! `/sns/userinfo`'s `headimgurl` is a URL of the avatar's image, served
//! here as WeChat's CDN serves one (`/sandbox/v1/avatar/{index}/{size}`).

use crate::sandbox::Sandbox;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use qianbao_core::sns;
use qianbao_core::wechat::{WeChatError, AVATARS, AVATAR_SIZES};
use serde::Serialize;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/connect/oauth2/authorize", get(authorize))
        .route("/sns/oauth2/access_token", get(sns_access_token))
        .route("/sns/oauth2/refresh_token", get(sns_refresh_token))
        .route("/sns/userinfo", get(sns_userinfo))
        .route("/sns/auth", get(sns_auth))
        .route("/sandbox/v1/avatar/{index}/{size}", get(avatar))
}

/// `GET /sandbox/v1/avatar/{index}/{size}`: avatar `index` as an image of
/// `size` × `size` pixels (0 is 640), one of WeChat's sizes; else 404.
async fn avatar(
    axum::extract::Path((index, size)): axum::extract::Path<(String, String)>,
) -> Response {
    let index = index.parse::<usize>().ok().filter(|i| *i < AVATARS.len());
    let size = size
        .parse::<u16>()
        .ok()
        .filter(|s| AVATAR_SIZES.contains(s));
    let (Some(index), Some(size)) = (index, size) else {
        let mut response = Response::new(Body::from("no such avatar"));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    };
    let px = if size == 0 { 640 } else { size };
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" viewBox="0 0 100 100"><rect width="100" height="100" fill="#e7f6ec"/><text x="50" y="54" font-size="62" text-anchor="middle" dominant-baseline="middle">{}</text></svg>"##,
        AVATARS[index]
    );
    let mut response = Response::new(Body::from(svg));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}

/// `GET /connect/oauth2/authorize?…`: WeChat's authorize page, which is the
/// site's own (`/wechat/connect/oauth2/authorize`, same query).
async fn authorize(uri: axum::http::Uri) -> Response {
    let target = format!(
        "/wechat/connect/oauth2/authorize{}",
        uri.query().map(|q| format!("?{q}")).unwrap_or_default()
    );
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::FOUND;
    if let Ok(location) = HeaderValue::from_str(&target) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    response
}

type Params = axum::extract::Query<std::collections::HashMap<String, String>>;

/// WeChat's JSON answer to an `/sns/` call; a request the console's network
/// failure stops reaches the backend as a gateway timeout, with no body.
fn sns_answer<T: Serialize>(result: Result<T, WeChatError>) -> Response {
    let (status, body) = match result {
        Ok(value) => (
            StatusCode::OK,
            serde_json::to_vec(&value).unwrap_or_default(),
        ),
        Err(WeChatError::Network) => (StatusCode::GATEWAY_TIMEOUT, Vec::new()),
        Err(error) => {
            let (errcode, errmsg) = sns::errcode(&error);
            let body = serde_json::json!({ "errcode": errcode, "errmsg": errmsg });
            (StatusCode::OK, body.to_string().into_bytes())
        }
    };
    sns_response(status, body)
}

fn sns_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; encoding=utf-8"),
    );
    response
}

fn sns_error(errcode: i64, errmsg: &str) -> Response {
    let body = serde_json::json!({ "errcode": errcode, "errmsg": errmsg });
    sns_response(StatusCode::OK, body.to_string().into_bytes())
}

async fn sns_access_token(State(sandbox): State<Sandbox>, params: Params) -> Response {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (appid, secret, code, grant_type) =
        (get("appid"), get("secret"), get("code"), get("grant_type"));
    if grant_type != "authorization_code" {
        return sns_error(40002, "invalid grant_type");
    }
    match sandbox.app_secret(&appid) {
        Some(known) if known == secret => {}
        Some(_) => return sns_error(40125, "invalid appsecret"),
        None => return sns_error(40013, "invalid appid"),
    }
    let answer = sandbox
        .write(None, move |state, tx| {
            state.sns_access_token(&appid, &code, tx.now, &mut tx.rng)
        })
        .await;
    match answer {
        Ok((result, _)) => sns_answer(result),
        Err(_) => sns_error(-1, "system error"),
    }
}

async fn sns_refresh_token(State(sandbox): State<Sandbox>, params: Params) -> Response {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (appid, refresh_token) = (get("appid"), get("refresh_token"));
    if get("grant_type") != "refresh_token" {
        return sns_error(40002, "invalid grant_type");
    }
    let answer = sandbox
        .write(None, move |state, tx| {
            state.sns_refresh_token(&appid, &refresh_token, tx.now, &mut tx.rng)
        })
        .await;
    match answer {
        Ok((result, _)) => sns_answer(result),
        Err(_) => sns_error(-1, "system error"),
    }
}

async fn sns_userinfo(State(sandbox): State<Sandbox>, params: Params) -> Response {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (token, openid) = (get("access_token"), get("openid"));
    let site = sandbox.site().clone();
    let answer = sandbox
        .write(None, move |state, tx| {
            state.sns_userinfo(&token, &openid, &site, tx.now)
        })
        .await;
    match answer {
        Ok((result, _)) => sns_answer(result),
        Err(_) => sns_error(-1, "system error"),
    }
}

async fn sns_auth(State(sandbox): State<Sandbox>, params: Params) -> Response {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (token, openid) = (get("access_token"), get("openid"));
    let answer = sandbox
        .write(None, move |state, tx| {
            state.sns_auth(&token, &openid, tx.now)
        })
        .await;
    match answer {
        Ok((result, _)) => {
            sns_answer(result.map(|()| serde_json::json!({ "errcode": 0, "errmsg": "ok" })))
        }
        Err(_) => sns_error(-1, "system error"),
    }
}
