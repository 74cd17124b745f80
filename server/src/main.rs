//! `qianbao-sandbox`: serve the sandbox, or register a merchant.
//!
//! ```text
//! qianbao-sandbox serve [--addr 127.0.0.1:8090] [--db qianbao-sandbox.db] [--dist dist]
//! (the site is built into the binary; `--dist` serves another)
//! qianbao-sandbox merchant add --name … --notify-url … --redirect-domain … [--db …]
//! qianbao-sandbox check --url http://127.0.0.1:8090 --mchid 19…
//! qianbao-sandbox trigger --url http://127.0.0.1:8090 --token TOKEN people|pay|clock|refund 'JSON'
//! ```

use clap::{Parser, Subcommand};
use qianbao_core::binding::Site;
use qianbao_sandbox::site::Files;
use qianbao_sandbox::{api, notify, Sandbox};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "qianbao-sandbox",
    version,
    about = "WeChat Pay API v3 sandbox over Qianbao's simulated WeChat"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the built site and WeChat Pay's API on one origin.
    Serve {
        /// Where to listen (loopback unless you say otherwise).
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: SocketAddr,
        /// The SQLite file that keeps the sandbox's state.
        #[arg(long, default_value = "qianbao-sandbox.db")]
        db: PathBuf,
        /// A built site to serve instead of the one built into this binary.
        #[arg(long)]
        dist: Option<PathBuf>,
        /// The address people and backends reach this server at (default: http://ADDR).
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Merchants and their apps.
    Merchant {
        #[command(subcommand)]
        command: MerchantCommand,
    },
    /// 「接入检查」 of a running sandbox: probes sent to the merchant's
    /// notify URL (a forged signature, a stale timestamp, an unknown
    /// serial, a tampered ciphertext, a repeat…); prints the report's JSON
    /// and fails unless the backend answered every probe rightly.
    Check {
        #[arg(long, default_value = "http://127.0.0.1:8090")]
        url: String,
        #[arg(long)]
        mchid: String,
    },
    /// One test helper of a running sandbox, for a merchant backend's CI:
    /// `people '{"change":10000}'`, `pay '{"out_trade_no":"…","openid":"…"}'`
    /// (`"outcome"`: SUCCESS, PAYERROR, CANCEL), `clock '{"advance_secs":900}'`,
    /// `refund '{"out_refund_no":"…","status":"ABNORMAL"}'`. Prints the
    /// answer's JSON; fails if the sandbox refused.
    Trigger {
        /// The running sandbox.
        #[arg(long, default_value = "http://127.0.0.1:8090")]
        url: String,
        /// The merchant's `test_helpers_token` (printed by `merchant add`).
        #[arg(long, env = "QIANBAO_TEST_HELPERS_TOKEN")]
        token: String,
        /// people, pay, clock or refund.
        helper: String,
        /// The helper's JSON body.
        #[arg(default_value = "{}")]
        body: String,
    },
}

#[derive(Debug, Subcommand)]
enum MerchantCommand {
    /// Register a merchant and its app; prints their credentials as one JSON object.
    Add {
        #[arg(long)]
        name: String,
        /// Where payment notifications are sent.
        #[arg(long)]
        notify_url: String,
        /// The host[:port] 网页授权 may redirect to.
        #[arg(long)]
        redirect_domain: String,
        #[arg(long, default_value = "qianbao-sandbox.db")]
        db: PathBuf,
        /// As for `serve`: the address the `code_url`s point at.
        #[arg(long, default_value = "http://127.0.0.1:8090")]
        public_url: String,
    },
}

/// `http://host:port/base/` → the site's origin and base path.
fn site_of(url: &str) -> Site {
    let url = url.trim_end_matches('/');
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => Site {
            origin: url[..after_scheme + slash].to_owned(),
            base: url[after_scheme + slash..].to_owned(),
        },
        None => Site {
            origin: url.to_owned(),
            base: String::new(),
        },
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "qianbao-sandbox: {message}");
    ExitCode::FAILURE
}

/// Until Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(terminate) => terminate,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// `trigger`: one `POST /sandbox/v1/test-helpers/{helper}`.
fn trigger(url: &str, token: &str, helper: &str, body: &str) -> ExitCode {
    if !["people", "pay", "clock", "refund"].contains(&helper) {
        return fail(format!(
            "no test helper {helper:?}: people, pay, clock or refund"
        ));
    }
    let endpoint = format!(
        "{}/sandbox/v1/test-helpers/{helper}",
        url.trim_end_matches('/')
    );
    let sent = ureq::post(&endpoint)
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/json")
        .send_string(body);
    let (ok, response) = match sent {
        Ok(response) => (true, response),
        Err(ureq::Error::Status(_, response)) => (false, response),
        Err(ureq::Error::Transport(e)) => return fail(format!("{endpoint}: {e}")),
    };
    let text = response.into_string().unwrap_or_default();
    let printed = if ok {
        writeln!(std::io::stdout(), "{text}")
    } else {
        writeln!(std::io::stderr(), "{text}")
    };
    match (ok, printed) {
        (true, Ok(())) => ExitCode::SUCCESS,
        (true, Err(e)) => fail(e),
        (false, _) => ExitCode::FAILURE,
    }
}

/// `check`: `POST /sandbox/v1/check`, the report printed.
fn check(url: &str, mchid: &str) -> ExitCode {
    let endpoint = format!("{}/sandbox/v1/check", url.trim_end_matches('/'));
    let response = match ureq::post(&endpoint).send_form(&[("mchid", mchid)]) {
        Ok(response) => response,
        Err(ureq::Error::Status(status, response)) => {
            let text = response.into_string().unwrap_or_default();
            return fail(format!("{endpoint}: {status} {text}"));
        }
        Err(ureq::Error::Transport(e)) => return fail(format!("{endpoint}: {e}")),
    };
    let text = response.into_string().unwrap_or_default();
    let passed =
        serde_json::from_str::<qianbao_core::payapi::CheckReport>(&text).is_ok_and(|r| r.passed());
    if writeln!(std::io::stdout(), "{text}").is_err() || !passed {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { url, mchid } => check(&url, &mchid),
        Command::Trigger {
            url,
            token,
            helper,
            body,
        } => trigger(&url, &token, &helper, &body),
        Command::Merchant {
            command:
                MerchantCommand::Add {
                    name,
                    notify_url,
                    redirect_domain,
                    db,
                    public_url,
                },
        } => {
            let sandbox = match Sandbox::open(&db, site_of(&public_url)) {
                Ok(sandbox) => sandbox,
                Err(e) => return fail(e),
            };
            match sandbox.register_blocking(name, notify_url, redirect_domain) {
                Ok(credentials) => {
                    let json = serde_json::to_string_pretty(&credentials).unwrap_or_default();
                    match writeln!(std::io::stdout(), "{json}") {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) => fail(e),
                    }
                }
                Err(e) => fail(e),
            }
        }
        Command::Serve {
            addr,
            db,
            dist,
            public_url,
        } => {
            let site = site_of(&public_url.unwrap_or_else(|| format!("http://{addr}")));
            let sandbox = match Sandbox::open(&db, site) {
                Ok(sandbox) => sandbox,
                Err(e) => return fail(e),
            };
            if let Err(e) = sandbox.watch(&db) {
                return fail(e);
            }
            let files = dist.map(Files::Dir).or_else(Files::embedded);
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(e) => return fail(e),
            };
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::bind(addr).await {
                    Ok(listener) => listener,
                    Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
                };
                let serving = match &files {
                    Some(Files::Embedded) => "the site built into this binary".to_owned(),
                    Some(Files::Dir(dir)) => format!("the site in {}", dir.display()),
                    None => "no site (build one: trunk build --release)".to_owned(),
                };
                let _ = writeln!(
                    std::io::stderr(),
                    "qianbao-sandbox: serving on http://{addr} (state in {}; {serving})",
                    db.display()
                );
                tokio::spawn(notify::notifier(sandbox.clone()));
                let app = api::router(sandbox, files);
                match axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown())
                    .await
                {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => fail(e),
                }
            })
        }
    }
}
