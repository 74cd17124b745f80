//! `qianbao-seed N NOW_MS`: prints, as one JSON object from key to value, what
//! Qianbao's localStorage holds after two demo users and `N` movements by the
//! first (top-ups, transfers to the second, water bills, one a minute up to
//! `NOW_MS`), with the first signed in and never idle-locked — sealed, as
//! the app stores it once an account exists (the data key is printed too,
//! as an unlocked tab keeps it in its sessionStorage). The benchmark
//! loads it into a fresh browser to time the app at 100 and 10,000 entries.
//! Built from the same `core` the app runs, through its public commands, so
//! the history is one the app itself could have written.

use qianbao_core::envelope::{self, Saved, Write};
use qianbao_core::security::Hasher;
use qianbao_core::testkit;
use qianbao_core::vault::KdfParams;
use qianbao_core::Timestamp;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(now)) = (
        args.get(1).and_then(|a| a.parse::<usize>().ok()),
        args.get(2).and_then(|a| a.parse::<i64>().ok()),
    ) else {
        eprintln!("usage: qianbao-seed N NOW_MS");
        return ExitCode::FAILURE;
    };
    match seed(n, now) {
        Ok(json) => {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{json}").is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("qianbao-seed: {message}");
            ExitCode::FAILURE
        }
    }
}

fn seed(n: usize, now_ms: i64) -> Result<String, String> {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    // The real Argon2id cost: the benchmark times unlocking too.
    let (state, me, payee) = testkit::with_history(
        n,
        Timestamp::from_millis(now_ms),
        &Hasher::standard(),
        &mut rng,
    )?;
    // Stored as the app stores it: format 2, sealed with a data key that
    // both demo accounts' passwords open (real Argon2id cost).
    let keys = envelope::add_slot(None, me.id, &me.password, KdfParams::STANDARD, &mut rng)
        .and_then(|keys| {
            envelope::add_slot(
                Some(&keys),
                payee.id,
                &payee.password,
                KdfParams::STANDARD,
                &mut rng,
            )
        })
        .map_err(|e| e.to_string())?;
    let (writes, saved) = envelope::write(&state, &Saved::default(), Some(&keys), None, &mut rng)
        .map_err(|e| e.to_string())?;
    let mut object = serde_json::Map::new();
    for write in writes {
        if let Write::Set(key, value) = write {
            object.insert(key, value.into());
        }
    }
    let credentials = serde_json::json!({
        "payee": payee.login.as_str(),
        "login": me.login.as_str(),
        "password": me.password,
        "revision": saved.revision(),
    });
    Ok(serde_json::json!({
        "storage": object,
        "credentials": credentials,
        // What an unlocked tab keeps in its sessionStorage: signed in at once.
        "session_key": keys.key.to_hex(),
    })
    .to_string())
}
