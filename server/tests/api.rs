//! The sandbox's WeChat Pay API v3 against what a hostile client and a
//! busy sandbox do: forged, replayed, stale and malformed requests are
//! refused with WeChat's error JSON and change nothing; concurrent calls
//! from two merchants and two processes on one file lose nothing.

#![allow(clippy::unwrap_used)] // Test setup: a failure here is the test failing.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use qianbao_core::binding::Site;
use qianbao_core::merchant::MerchantId;
use qianbao_core::order::{Order, WINDOW};
use qianbao_core::session::ClientId;
use qianbao_core::state::State;
use qianbao_sandbox::sandbox::{wall_clock, Credentials};
use qianbao_sandbox::signing::{self, SigningKey};
use qianbao_sandbox::{api, Sandbox};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

fn site() -> Site {
    Site {
        origin: "http://127.0.0.1:8090".to_owned(),
        base: String::new(),
    }
}

fn temp_db(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "qianbao-sandbox-test-{}-{name}-{}.db",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    path
}

struct Client {
    credentials: Credentials,
    key: SigningKey,
    nonce: AtomicU64,
}

impl Client {
    fn new(credentials: Credentials) -> Client {
        let key = SigningKey::from_pem(&credentials.merchant_private_key_pem).unwrap();
        Client {
            credentials,
            key,
            nonce: AtomicU64::new(0),
        }
    }

    fn mchid(&self) -> &str {
        &self.credentials.mchid
    }

    /// A request signed as the merchant's SDK would sign it; `tamper`
    /// changes the parts after signing.
    fn signed(&self, method: &str, path: &str, body: &str) -> Signed {
        let nonce = format!(
            "N{}X{}",
            std::process::id(),
            self.nonce.fetch_add(1, Ordering::Relaxed)
        );
        let timestamp = (wall_clock().as_millis() / 1000).to_string();
        let message = signing::request_message(method, path, &timestamp, &nonce, body.as_bytes());
        Signed {
            method: method.to_owned(),
            path: path.to_owned(),
            body: body.to_owned(),
            mchid: self.mchid().to_owned(),
            nonce,
            timestamp,
            serial: self.credentials.merchant_serial_no.clone(),
            signature: self.key.sign(&message),
        }
    }
}

#[derive(Clone)]
struct Signed {
    method: String,
    path: String,
    body: String,
    mchid: String,
    nonce: String,
    timestamp: String,
    serial: String,
    signature: String,
}

impl Signed {
    fn request(&self) -> Request<Body> {
        let authorization = format!(
            r#"WECHATPAY2-SHA256-RSA2048 mchid="{}",nonce_str="{}",signature="{}",timestamp="{}",serial_no="{}""#,
            self.mchid, self.nonce, self.signature, self.timestamp, self.serial
        );
        Request::builder()
            .method(self.method.as_str())
            .uri(self.path.as_str())
            .header("authorization", authorization)
            .header("content-type", "application/json")
            .body(Body::from(self.body.clone()))
            .unwrap()
    }
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, value)
}

fn open(path: &Path) -> Sandbox {
    Sandbox::open(path, site()).unwrap()
}

fn order_body(client: &Client, out_trade_no: &str, total: i64) -> String {
    json!({
        "appid": client.credentials.appid,
        "mchid": client.mchid(),
        "description": "沙盒测试商品",
        "out_trade_no": out_trade_no,
        "notify_url": "http://127.0.0.1:9/notify",
        "amount": {"total": total, "currency": "CNY"}
    })
    .to_string()
}

const NATIVE: &str = "/v3/pay/transactions/native";

/// Which save the sandbox holds: it moves with every save that changed
/// the state.
fn revision(sandbox: &Sandbox) -> u64 {
    sandbox.seq()
}

async fn register(sandbox: &Sandbox, name: &str) -> Credentials {
    sandbox
        .register(
            name.to_owned(),
            "http://127.0.0.1:9/notify".to_owned(),
            "127.0.0.1:9".to_owned(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn forged_replayed_stale_and_malformed_requests_change_nothing() {
    let path = temp_db("hostile");
    let sandbox = open(&path);
    let client = Client::new(register(&sandbox, "甲商户").await);
    let other = Client::new(register(&sandbox, "乙商户").await);
    let shared = sandbox.clone();
    let app = api::router(sandbox, None);
    let before = revision(&shared);

    let good = client.signed("POST", NATIVE, &order_body(&client, "HOSTILE0001", 100));
    let mut cases: Vec<(&str, Request<Body>, u16, &str)> = Vec::new();
    let mut tampered = good.clone();
    tampered.body = order_body(&client, "HOSTILE0001", 1);
    cases.push((
        "a body changed after signing",
        tampered.request(),
        401,
        "SIGN_ERROR",
    ));
    let mut bad_signature = good.clone();
    bad_signature.signature = client.signed("POST", NATIVE, "{}").signature;
    cases.push((
        "another request's signature",
        bad_signature.request(),
        401,
        "SIGN_ERROR",
    ));
    let mut stale = client.signed("POST", NATIVE, &order_body(&client, "HOSTILE0002", 100));
    stale.timestamp = (wall_clock().as_millis() / 1000 - 600).to_string();
    let message = signing::request_message(
        "POST",
        NATIVE,
        &stale.timestamp,
        &stale.nonce,
        stale.body.as_bytes(),
    );
    stale.signature = client.key.sign(&message);
    cases.push((
        "a timestamp ten minutes old",
        stale.request(),
        401,
        "SIGN_ERROR",
    ));
    let mut serial = good.clone();
    serial.serial = "0".repeat(40);
    cases.push((
        "an unknown certificate serial",
        serial.request(),
        401,
        "SIGN_ERROR",
    ));
    let mut impostor = good.clone();
    impostor.mchid = other.mchid().to_owned();
    impostor.serial = other.credentials.merchant_serial_no.clone();
    cases.push((
        "signed by one merchant, claimed by another",
        impostor.request(),
        401,
        "SIGN_ERROR",
    ));
    let mut unknown = good.clone();
    unknown.mchid = "1234567890".to_owned();
    cases.push((
        "an unregistered 商户号",
        unknown.request(),
        401,
        "SIGN_ERROR",
    ));
    let no_header = Request::builder()
        .method("POST")
        .uri(NATIVE)
        .body(Body::from(order_body(&client, "HOSTILE0003", 100)))
        .unwrap();
    cases.push(("no Authorization", no_header, 401, "SIGN_ERROR"));
    let other_app = json!({
        "appid": other.credentials.appid, "mchid": client.mchid(), "description": "x",
        "out_trade_no": "HOSTILE0004", "notify_url": "http://127.0.0.1:9/n", "amount": {"total": 1}
    });
    cases.push((
        "another merchant's appid",
        client
            .signed("POST", NATIVE, &other_app.to_string())
            .request(),
        400,
        "APPID_MCHID_NOT_MATCH",
    ));
    let other_mchid = json!({
        "appid": client.credentials.appid, "mchid": other.mchid(), "description": "x",
        "out_trade_no": "HOSTILE0005", "notify_url": "http://127.0.0.1:9/n", "amount": {"total": 1}
    });
    cases.push((
        "another merchant's mchid in the body",
        client
            .signed("POST", NATIVE, &other_mchid.to_string())
            .request(),
        400,
        "PARAM_ERROR",
    ));
    cases.push((
        "JSON cut short",
        client.signed("POST", NATIVE, r#"{"appid": "wx"#).request(),
        400,
        "PARAM_ERROR",
    ));
    cases.push((
        "a total that is text",
        client
            .signed(
                "POST",
                NATIVE,
                &order_body(&client, "HOSTILE0006", 1).replace(r#""total":1"#, r#""total":"1""#),
            )
            .request(),
        400,
        "PARAM_ERROR",
    ));
    for (total, why) in [
        (0, "a total of 0"),
        (-100, "a negative total"),
        (100_000_001, "a total above ¥1,000,000"),
    ] {
        cases.push((
            why,
            client
                .signed("POST", NATIVE, &order_body(&client, "HOSTILE0007", total))
                .request(),
            400,
            "PARAM_ERROR",
        ));
    }
    // Signed right, but not sent as JSON: API v3 takes application/json only.
    for kind in ["text/plain", "application/x-www-form-urlencoded", ""] {
        let mut request = client
            .signed("POST", NATIVE, &order_body(&client, "HOSTILE0008", 100))
            .request();
        if kind.is_empty() {
            request.headers_mut().remove("content-type");
        } else {
            request
                .headers_mut()
                .insert("content-type", kind.parse().unwrap());
        }
        cases.push((
            "a signed body not sent as JSON",
            request,
            400,
            "PARAM_ERROR",
        ));
    }
    let huge = format!(r#"{{"description": "{}"}}"#, "x".repeat(api::MAX_BODY));
    cases.push((
        "a body over 64 KB",
        client.signed("POST", NATIVE, &huge).request(),
        400,
        "PARAM_ERROR",
    ));
    cases.push((
        "an unknown endpoint",
        client.signed("GET", "/v3/pay/nothing", "").request(),
        404,
        "NOT_FOUND",
    ));

    for (why, request, status, code) in cases {
        let (got_status, body) = send(&app, request).await;
        assert_eq!(got_status.as_u16(), status, "{why}: {body}");
        assert_eq!(body["code"], code, "{why}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{why}: {body}"
        );
        assert_eq!(revision(&shared), before, "{why} changed the state");
    }

    // The good request goes through once; sent again, it is a replay.
    let (status, body) = send(&app, good.request()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = revision(&shared);
    assert_eq!(after, before + 1);
    let (status, body) = send(&app, good.request()).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (401, Some("SIGN_ERROR")),
        "{body}"
    );
    assert_eq!(revision(&shared), after, "a replay changed the state");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn two_merchants_many_concurrent_calls_and_two_processes_lose_nothing() {
    let path = temp_db("concurrent");
    let first = open(&path);
    let a = Arc::new(Client::new(register(&first, "甲").await));
    let b = Arc::new(Client::new(register(&first, "乙").await));
    // A second process on the same file: each reads the other's saves as
    // it takes the file's write lock, before saving its own.
    let second = open(&path);
    let apps = [api::router(first, None), api::router(second, None)];
    const EACH: usize = 24;
    let mut tasks = Vec::new();
    for i in 0..EACH {
        for (n, client) in [&a, &b].into_iter().enumerate() {
            let app = apps[(i + n) % 2].clone();
            let client = Arc::clone(client);
            tasks.push(tokio::spawn(async move {
                let no = format!("CONC{n}X{i:04}");
                let request =
                    client.signed("POST", NATIVE, &order_body(&client, &no, 100 + i as i64));
                let (status, body) = send(&app, request.request()).await;
                assert_eq!(status, StatusCode::OK, "{no}: {body}");
                // The same order number twice at once: created once.
                let again =
                    client.signed("POST", NATIVE, &order_body(&client, &no, 100 + i as i64));
                let (status, body) = send(&app, again.request()).await;
                assert_eq!(status, StatusCode::OK, "{no} again: {body}");
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    let check = open(&path);
    let orders: Vec<_> = check.read(|s| s.orders().cloned().collect());
    assert_eq!(orders.len(), 2 * EACH, "every order kept, each once");
    for (n, client) in [&a, &b].into_iter().enumerate() {
        for i in 0..EACH {
            let path = format!(
                "/v3/pay/transactions/out-trade-no/CONC{n}X{i:04}?mchid={}",
                client.mchid()
            );
            let (status, body) =
                send(&apps[i % 2], client.signed("GET", &path, "").request()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["trade_state"], "NOTPAY");
            assert_eq!(body["amount"]["total"], 100 + i as i64);
        }
        // Neither merchant sees the other's orders.
        let path = format!(
            "/v3/pay/transactions/out-trade-no/CONC{}X0000?mchid={}",
            1 - n,
            client.mchid()
        );
        let (status, body) = send(&apps[0], client.signed("GET", &path, "").request()).await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (404, Some("ORDER_NOT_EXIST"))
        );
    }
    // A page opening now reads the state both processes saved, at the
    // file's save: its window of the orders (each merchant's newest), the
    // counts of all of them, and everything else whole.
    let page = check.snapshot(&ClientId::local(), &[]).unwrap();
    assert_eq!(page.seq, check.seq());
    assert_eq!(page.orders_len, 2 * EACH);
    assert_eq!(
        page.orders.len(),
        2 * WINDOW,
        "{EACH} each, {WINDOW} each held"
    );
    let seen = State::from_snapshot(&page).unwrap();
    assert_eq!(
        seen.main_body(false).unwrap(),
        check.read(|s| s.main_body(false)).unwrap()
    );
    for client in [&a, &b] {
        let merchant = MerchantId::parse(client.mchid()).unwrap();
        let newest = |s: &State| -> Vec<Order> {
            s.order_book()
                .newest(merchant, WINDOW)
                .into_iter()
                .cloned()
                .collect()
        };
        assert_eq!(seen.order_book().count(merchant), EACH);
        assert_eq!(newest(&seen), check.read(newest));
    }
    let _ = std::fs::remove_file(&path);
}
