//! Stored state as arbitrary text: `State::from_json` on the whole input and
//! `State::from_parts(main, chunks)` with the input split at NUL characters
//! (the main record first, then the journal chunks, as `web/src/storage.rs`
//! reads them from `localStorage`).
//!
//! Never a panic, only a `StateError`; a copy that loads is written back and
//! read again unchanged, and every screen can be drawn from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qianbao_core::State;
use qianbao_fuzz::check_loaded;

fuzz_target!(|data: &[u8]| {
    // `localStorage` holds strings; the shell reads them as UTF-8.
    let text = String::from_utf8_lossy(data);
    if let Ok(state) = State::from_json(&text) {
        check_loaded(&state);
    }
    let mut parts = text.split('\0');
    let main = parts.next().unwrap_or_default();
    let chunks: Vec<String> = parts.map(str::to_owned).collect();
    if let Ok(state) = State::from_parts(main, &chunks) {
        check_loaded(&state);
    }
});
