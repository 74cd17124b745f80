//! The sandbox server's figures, in one run (`scripts/sandbox-bench.sh`):
//!
//! 1. this machine's limit: RSA-2048 signatures plus verifications per
//!    second on one core (ring, as the server signs and verifies), times
//!    the cores — what a server that does nothing but WeChat Pay's
//!    cryptography could answer;
//! 2. signed `native` order creation plus signed query, over loopback HTTP
//!    with keep-alive connections, from 1, 4 and 16 clients, against a
//!    sandbox holding 100, 10,000 and 100,000 orders — seeded through
//!    `core` (one job of the writer), not through the API: requests per
//!    second and each kind's p50/p99.
//!
//! 3. a day's bill (`api_trade_bill`, ALL) with 50 of the seeded orders
//!    paid that day, at each size: its cost is the day's lines, not the
//!    orders stored.
//!
//! The clients sign every request before the clock starts, so the figures
//! are the server's (on the same machine, a client's own signing would take
//! the cores the server answers with). Prints the figures and the targets'
//! ratios; asserts nothing about speed.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::float_arithmetic)] // A benchmark's own setup and report.

use qianbao_core::binding::Site;
use qianbao_core::merchant::Mchid;
use qianbao_core::payapi::{
    AmountIn, BillAsk, BillType, HelperPayRequest, NativeOrderRequest, PersonRequest,
};
use qianbao_core::session::ClientId;
use qianbao_core::time::day_cst;
use qianbao_sandbox::sandbox::{wall_clock, Credentials};
use qianbao_sandbox::signing::{self, SigningKey, VerifyingKey};
use qianbao_sandbox::{api, Sandbox};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const SIZES: [usize; 3] = [100, 10_000, 100_000];
const CLIENTS: [usize; 3] = [1, 4, 16];

/// A request as bytes on the wire, signed.
fn request(
    c: &Credentials,
    key: &SigningKey,
    nonce: &str,
    method: &str,
    path: &str,
    body: &str,
) -> Vec<u8> {
    let timestamp = (wall_clock().as_millis() / 1000).to_string();
    let message = signing::request_message(method, path, &timestamp, nonce, body.as_bytes());
    let signature = key.sign(&message);
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\n\
         Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{}\"\r\n\
         Content-Length: {}\r\n\r\n{body}",
        c.mchid,
        c.merchant_serial_no,
        body.len()
    )
    .into_bytes()
}

/// Sends one request on a kept-alive connection; its status.
fn exchange(stream: &mut BufReader<TcpStream>, request: &[u8]) -> u16 {
    stream.get_mut().write_all(request).unwrap();
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
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// One core's signatures plus verifications per second (RSA-2048, ring).
fn signing_per_second() -> f64 {
    let key = qianbao_sandbox::keys::generate(&mut rand_core::OsRng).unwrap();
    let signer = SigningKey::from_pem(&qianbao_sandbox::keys::private_pem(&key).unwrap()).unwrap();
    let verifier = VerifyingKey::from_key(&key.to_public_key()).unwrap();
    let message = signing::response_message("1795000000", "0123456789abcdef", &[b'x'; 300]);
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        let signature = signer.sign(&message);
        assert!(verifier.verify(&message, &signature));
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// What one setting measured.
struct Run {
    per_second: f64,
    create: (f64, f64),
    query: (f64, f64),
}

fn measure(
    addr: SocketAddr,
    c: &Credentials,
    key: &SigningKey,
    clients: usize,
    pairs: usize,
    tag: &str,
) -> Run {
    // Every request signed before the clock starts.
    let mut plans: Vec<Vec<(Vec<u8>, Vec<u8>)>> = Vec::new();
    for t in 0..clients {
        let mut plan = Vec::new();
        for i in 0..pairs / clients {
            let no = format!("B{tag}{t}X{i:07}");
            let create = request(
                c,
                key,
                &format!("c{tag}{t}x{i}"),
                "POST",
                "/v3/pay/transactions/native",
                &order(c, &no),
            );
            let path = format!("/v3/pay/transactions/out-trade-no/{no}?mchid={}", c.mchid);
            let query = request(c, key, &format!("q{tag}{t}x{i}"), "GET", &path, "");
            plan.push((create, query));
        }
        plans.push(plan);
    }
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(clients + 1));
    let threads: Vec<_> = plans
        .into_iter()
        .map(|plan| {
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut stream = BufReader::new(TcpStream::connect(addr).unwrap());
                stream.get_mut().set_nodelay(true).unwrap();
                let (mut create, mut query) = (Vec::new(), Vec::new());
                barrier.wait();
                for (c, q) in plan {
                    let at = Instant::now();
                    assert_eq!(exchange(&mut stream, &c), 200);
                    create.push(at.elapsed());
                    let at = Instant::now();
                    assert_eq!(exchange(&mut stream, &q), 200);
                    query.push(at.elapsed());
                }
                (create, query)
            })
        })
        .collect();
    barrier.wait();
    let started = Instant::now();
    let (mut create, mut query) = (Vec::new(), Vec::new());
    for thread in threads {
        let (c, q) = thread.join().unwrap();
        create.extend(c);
        query.extend(q);
    }
    let elapsed = started.elapsed().as_secs_f64();
    create.sort();
    query.sort();
    Run {
        per_second: (create.len() + query.len()) as f64 / elapsed,
        create: (percentile(&create, 0.5), percentile(&create, 0.99)),
        query: (percentile(&query, 0.5), percentile(&query, 0.99)),
    }
}

fn main() {
    let pairs: usize = std::env::var("PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(800);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_core = signing_per_second();
    let limit = per_core * cores as f64;
    println!("machine: {cores} cores; RSA-2048 sign + verify (ring) {per_core:.0}/s per core → limit {limit:.0} requests/s");
    println!();
    println!(
        "{:>8} {:>8} {:>10} {:>18} {:>18}",
        "orders", "clients", "req/s", "create p50/p99 ms", "query p50/p99 ms"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut results: Vec<(usize, usize, Run)> = Vec::new();
    for size in SIZES {
        let path =
            std::env::temp_dir().join(format!("qianbao-bench-{}-{size}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let site = Site {
            origin: "http://127.0.0.1".to_owned(),
            base: String::new(),
        };
        let sandbox = Sandbox::open(&path, site.clone()).unwrap();
        let c = sandbox
            .register_blocking(
                "压测商户".to_owned(),
                "http://127.0.0.1:9/n".to_owned(),
                "127.0.0.1:9".to_owned(),
            )
            .unwrap();
        // Seeded through core, in one save.
        let mchid = Mchid::parse(&c.mchid).unwrap();
        let template = NativeOrderRequest {
            appid: Some(c.appid.clone()),
            mchid: Some(c.mchid.clone()),
            description: Some("预置".to_owned()),
            out_trade_no: None,
            time_expire: None,
            attach: None,
            notify_url: Some("http://127.0.0.1:9/n".to_owned()),
            amount: Some(AmountIn {
                total: Some(1),
                currency: None,
            }),
            payer: None,
            scene_info: None,
        };
        let seeding = Instant::now();
        sandbox
            .write_blocking(move |state, tx| {
                for i in 0..size {
                    let mut r = template.clone();
                    r.out_trade_no = Some(format!("SEED{i:08}"));
                    state.api_native_order(mchid, &r, &site, tx.now).unwrap();
                }
            })
            .unwrap();
        let seeded = seeding.elapsed();
        // What a page opening the sandbox downloads first.
        let at = Instant::now();
        let snapshot = sandbox.snapshot(&ClientId::local(), &[]).unwrap();
        let page_bytes = serde_json::to_string(&snapshot).unwrap().len();
        let page_orders = snapshot.orders.len();
        let page_ms = at.elapsed().as_secs_f64() * 1000.0;
        // As a sandbox that has run a while: the seed's log folded into the file.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = api::router(sandbox.clone(), None);
        let server = runtime.spawn(async move { axum::serve(listener, app).await });
        let key = SigningKey::from_pem(&c.merchant_private_key_pem).unwrap();
        // A warm-up, not counted.
        let _ = measure(addr, &c, &key, 2, 40, &format!("w{size}"));
        for clients in CLIENTS {
            let run = measure(addr, &c, &key, clients, pairs, &format!("{size}n{clients}"));
            println!(
                "{size:>8} {clients:>8} {:>10.0} {:>8.1} / {:<8.1} {:>8.1} / {:<8.1}",
                run.per_second, run.create.0, run.create.1, run.query.0, run.query.1
            );
            results.push((size, clients, run));
        }
        println!(
            "{:>8} (seeded in {:.1} s; a page's first snapshot {:.1} KB, {} orders of {size}, built in {page_ms:.1} ms)",
            "",
            seeded.as_secs_f64(),
            page_bytes as f64 / 1e3,
            page_orders
        );
        // A day's bill: 50 seeded orders paid, the clock past 09:00 the next
        // day (after the figures above: the jump ends the others' time).
        let (day, _) = sandbox
            .write_blocking(move |state, tx| {
                let change = PersonRequest {
                    change: Some(100_000),
                };
                let person = state
                    .helper_person(mchid, &change, tx.now, &mut tx.rng, tx.hasher)
                    .unwrap();
                for i in 0..size.min(50) {
                    let paid = HelperPayRequest {
                        out_trade_no: Some(format!("SEED{i:08}")),
                        openid: Some(person.openid.clone()),
                        outcome: None,
                    };
                    state.helper_pay(mchid, &paid, tx.now).unwrap();
                }
                state.sim_mut().advance(Duration::from_secs(34 * 3600));
                day_cst(tx.now)
            })
            .unwrap();
        let ((lines, bill_ms), _) = sandbox
            .write_blocking(move |state, _| {
                let ask = BillAsk {
                    day,
                    kind: BillType::All,
                    gzip: false,
                };
                let now = state.sim().now(wall_clock());
                let at = Instant::now();
                let mut lines = 0;
                for _ in 0..20 {
                    lines = state
                        .api_trade_bill(mchid, ask, now)
                        .unwrap()
                        .lines()
                        .count();
                }
                (lines, at.elapsed().as_secs_f64() * 1000.0 / 20.0)
            })
            .unwrap();
        println!("{:>8} (a day's bill, {lines} lines: {bill_ms:.2} ms)", "");
        server.abort();
        drop(sandbox);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    let find = |size: usize, clients: usize| {
        results
            .iter()
            .find(|(s, c, _)| *s == size && *c == clients)
            .map(|(_, _, run)| run)
    };
    println!();
    for clients in CLIENTS {
        if let (Some(small), Some(big)) = (find(100, clients), find(100_000, clients)) {
            let worst = |r: &Run| r.create.1.max(r.query.1);
            println!(
                "{clients:>2} clients: throughput at 100,000 orders {:.2}× at 100 (target ≥ 0.8); p99 {:.2}× (target ≤ 1.5)",
                big.per_second / small.per_second,
                worst(big) / worst(small)
            );
        }
    }
    if let Some(run) = find(100_000, 16) {
        println!(
            "16 clients at 100,000 orders: {:.0}% of the machine's signing limit (target ≥ 60%)",
            run.per_second / limit * 100.0
        );
    }
}
