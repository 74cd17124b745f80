//! Requests per second and latency of the sandbox's WeChat Pay API v3:
//! signed `native` order creation and signed queries, over loopback HTTP
//! with keep-alive connections, against a sandbox holding `--orders`
//! orders already. Prints the figures; asserts nothing about speed.
//!
//! `cargo run --release -p qianbao-sandbox --example bench -- [requests] [clients] [orders]`

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::float_arithmetic)] // A benchmark's own setup and report.

use qianbao_core::binding::Site;
use qianbao_sandbox::db::Db;
use qianbao_sandbox::sandbox::{wall_clock, Credentials};
use qianbao_sandbox::{api, keys, signing, Sandbox};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One signed HTTP/1.1 request on a kept-alive connection; the status.
fn call(
    stream: &mut BufReader<TcpStream>,
    c: &Credentials,
    key: &rsa::RsaPrivateKey,
    nonce: &str,
    method: &str,
    path: &str,
    body: &str,
) -> u16 {
    let timestamp = (wall_clock().as_millis() / 1000).to_string();
    let message = signing::request_message(method, path, &timestamp, nonce, body.as_bytes());
    let signature = signing::sign(key, &message);
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{}\"\r\n\
         Content-Length: {}\r\n\r\n{body}",
        c.mchid,
        c.merchant_serial_no,
        body.len()
    );
    stream.get_mut().write_all(request.as_bytes()).unwrap();
    let mut line = String::new();
    stream.read_line(&mut line).unwrap();
    let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = 0;
    loop {
        line.clear();
        stream.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    status
}

fn order(c: &Credentials, no: &str) -> String {
    format!(
        r#"{{"appid":"{}","mchid":"{}","description":"压测","out_trade_no":"{no}","notify_url":"http://127.0.0.1:9/n","amount":{{"total":100}}}}"#,
        c.appid, c.mchid
    )
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let requests = args.first().copied().unwrap_or(400);
    let clients = args.get(1).copied().unwrap_or(2);
    let existing = args.get(2).copied().unwrap_or(100);
    let path = std::env::temp_dir().join(format!("qianbao-bench-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let site = Site {
        origin: "http://127.0.0.1".to_owned(),
        base: String::new(),
    };
    let mut sandbox = Sandbox::open(Db::open(&path).unwrap(), site).unwrap();
    let c = sandbox
        .register("压测商户", "http://127.0.0.1:9/n", "127.0.0.1:9")
        .unwrap();
    let seed: Vec<_> = (0..existing).map(|i| format!("SEED{i:08}")).collect();
    let request = qianbao_core::payapi::NativeOrderRequest {
        appid: Some(c.appid.clone()),
        mchid: Some(c.mchid.clone()),
        description: Some("预置".to_owned()),
        out_trade_no: None,
        time_expire: None,
        attach: None,
        notify_url: Some("http://127.0.0.1:9/n".to_owned()),
        amount: Some(qianbao_core::payapi::AmountIn {
            total: Some(1),
            currency: None,
        }),
        payer: None,
    };
    let mchid = qianbao_core::merchant::Mchid::parse(&c.mchid).unwrap();
    let site = sandbox.site().clone();
    sandbox
        .run(|state, now| {
            for no in &seed {
                let mut r = request.clone();
                r.out_trade_no = Some(no.clone());
                state.api_native_order(mchid, &r, &site, now).unwrap();
            }
        })
        .unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = api::router(api::Shared::new(sandbox), None);
    runtime.spawn(async move { axum::serve(listener, app).await });

    let key = keys::read_private(&c.merchant_private_key_pem).unwrap();
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            let (c, key) = (c.clone(), key.clone());
            std::thread::spawn(move || {
                let mut stream = BufReader::new(TcpStream::connect(addr).unwrap());
                let (mut create, mut query) = (Vec::new(), Vec::new());
                for i in 0..requests / clients / 2 {
                    let no = format!("B{t}X{i:08}");
                    let at = Instant::now();
                    let s = call(
                        &mut stream,
                        &c,
                        &key,
                        &format!("c{t}x{i}"),
                        "POST",
                        "/v3/pay/transactions/native",
                        &order(&c, &no),
                    );
                    create.push(at.elapsed());
                    assert_eq!(s, 200);
                    let path = format!("/v3/pay/transactions/out-trade-no/{no}?mchid={}", c.mchid);
                    let at = Instant::now();
                    let s = call(
                        &mut stream,
                        &c,
                        &key,
                        &format!("q{t}x{i}"),
                        "GET",
                        &path,
                        "",
                    );
                    query.push(at.elapsed());
                    assert_eq!(s, 200);
                }
                (create, query)
            })
        })
        .collect();
    let (mut create, mut query) = (Vec::new(), Vec::new());
    for thread in threads {
        let (c, q) = thread.join().unwrap();
        create.extend(c);
        query.extend(q);
    }
    let elapsed = started.elapsed().as_secs_f64();
    create.sort();
    query.sort();
    let done = create.len() + query.len();
    println!(
        "sandbox API, {existing} orders stored before, {clients} clients, {done} requests (create + query pairs):"
    );
    println!("  throughput: {:.0} requests/s", done as f64 / elapsed);
    for (name, list) in [
        ("create (POST native)", &create),
        ("query (GET out-trade-no)", &query),
    ] {
        println!(
            "  {name:<26} p50 {:>7.2} ms   p99 {:>7.2} ms",
            percentile(list, 0.5),
            percentile(list, 0.99)
        );
    }
    let _ = std::fs::remove_file(&path);
}
