//! The stored form (format 2) under attack: a real sealed wallet's storage —
//! the head with its key slot and two journal chunks, as the shell keeps
//! them — with values changed by the input (bytes replaced, inserted or cut,
//! a value removed or copied over another key, a key added), then read as
//! the shell reads it, with the data key and without, and offered back as an
//! import.
//!
//! Never a panic. Whatever opens is exactly the wallet that was stored (the
//! sums and the sealing cover every stored piece, so a change either changes
//! nothing that counts or is refused as damage), and an import that is
//! accepted reads back as the same wallet.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use qianbao_core::envelope::{self, Keys, Read, Stored};
use qianbao_core::testkit::{rng, sealed_store};
use qianbao_core::State;
use std::sync::OnceLock;

#[derive(Debug, Arbitrary)]
enum Change {
    /// Bytes at a position replaced.
    Replace { at: u16, bytes: Vec<u8> },
    /// Bytes inserted at a position.
    Insert { at: u16, bytes: Vec<u8> },
    /// The value cut short.
    Truncate { at: u16 },
    /// The value removed.
    Remove,
    /// The value copied from another stored key.
    CopyFrom { other: u8 },
    /// Another value stored beside it, under a key of its family.
    Add { index: u8, text: String },
}

#[derive(Debug, Arbitrary)]
struct Input {
    changes: Vec<(u8, Change)>,
}

fn world() -> &'static (Stored, Keys, State) {
    static WORLD: OnceLock<(Stored, Keys, State)> = OnceLock::new();
    // 150 entries: two journal chunks.
    WORLD.get_or_init(|| sealed_store(150, &mut rng(11)))
}

fn splice(value: &str, change: &Change) -> Option<String> {
    let mut bytes = value.as_bytes().to_vec();
    match change {
        Change::Replace { at, bytes: new } => {
            let at = usize::from(*at) % (bytes.len() + 1);
            let end = (at + new.len()).min(bytes.len());
            bytes.splice(at..end, new.iter().copied());
        }
        Change::Insert { at, bytes: new } => {
            let at = usize::from(*at) % (bytes.len() + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Change::Truncate { at } => bytes.truncate(usize::from(*at) % (bytes.len() + 1)),
        _ => return Some(value.to_owned()),
    }
    // localStorage holds strings; the shell reads them as UTF-8.
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fuzz_target!(|input: Input| {
    let (original, keys, state) = world();
    let mut stored = original.clone();
    for (target, change) in input.changes.iter().take(4) {
        let names: Vec<String> = stored.keys().cloned().collect();
        if names.is_empty() {
            break;
        }
        let name = names[usize::from(*target) % names.len()].clone();
        match change {
            Change::Remove => {
                stored.remove(&name);
            }
            Change::CopyFrom { other } => {
                let from = &names[usize::from(*other) % names.len()];
                let text = stored[from].clone();
                stored.insert(name, text);
            }
            Change::Add { index, text } => {
                stored.insert(envelope::chunk_key(usize::from(*index)), text.clone());
            }
            _ => {
                if let Some(text) = splice(&stored[&name], change) {
                    stored.insert(name, text);
                }
            }
        }
    }
    match envelope::read(&stored, Some(&keys.key)) {
        Read::Opened { state: opened, .. } => {
            assert!(
                *opened == *state,
                "a changed store opened as another wallet"
            );
        }
        Read::Fresh | Read::Locked(_) | Read::Damaged(_) => {}
    }
    let _ = envelope::read(&stored, None);
    if let Ok(imported) = envelope::check_import(&envelope::bundle(&stored), Some(&keys.key)) {
        if let Read::Opened { state: opened, .. } = envelope::read(&imported, Some(&keys.key)) {
            assert!(
                *opened == *state,
                "an accepted import opened as another wallet"
            );
        }
    }
});
