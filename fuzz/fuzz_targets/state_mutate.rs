//! Stored state with structured damage: the main record and the journal
//! chunks of a rich wallet (built through `qianbao-core`'s public API) are
//! edited as JSON trees — a value replaced by an edge case (huge numbers,
//! negative amounts, foreign ids, odd strings, a password hash asking for
//! 4 GiB), nudged, removed, copied from elsewhere, array elements duplicated
//! or swapped — and chunks dropped, repeated, reordered or cut, then
//! `State::from_parts` and `State::from_json` read the result. The edited
//! record is mostly resealed with consistent checksums (the seal and the
//! journal chain), so the fuzzer gets past them to the parser and the
//! checks behind; sometimes the old checksum is kept, or it is stored as an
//! unsealed version-3 record.
//!
//! Never a panic, only a `StateError`; a copy that loads is written back and
//! read again unchanged, every screen can be drawn from it, and the commands
//! the shell runs after loading (idle lock, binding check, the cashier) run.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use qianbao_core::State;
use qianbao_fuzz::{check_loaded, journal_digest, seal, stored, worlds};
use serde_json::{Map, Value};
use std::sync::OnceLock;

#[derive(Debug, Arbitrary)]
struct Input {
    edits: Vec<Edit>,
    chunk_edits: Vec<ChunkEdit>,
    seal: Seal,
    revision: Option<u64>,
}

/// How the edited main record is stored.
#[derive(Debug, Arbitrary)]
enum Seal {
    /// Sealed, with the journal checksum recomputed for the edited chunks:
    /// what a copy damaged by a bug (not by storage) looks like.
    Consistent,
    Consistent2,
    Consistent3,
    /// Sealed, the journal checksum left as it was.
    KeepJournalDigest,
    /// The old checksum kept: a record damaged in storage.
    Stale,
    /// An unsealed version-3 record (no checksums at all), migrated on load.
    Version3,
}

#[derive(Debug, Arbitrary)]
struct Edit {
    /// Even: the main record; odd: a journal chunk (`part / 2` modulo
    /// the count).
    part: u8,
    /// Each step picks a key or an element, modulo the container's size.
    path: Vec<u16>,
    op: Op,
}

#[derive(Debug, Arbitrary)]
enum Op {
    Remove,
    Null,
    Bool(bool),
    Int(i64),
    Edge(u8),
    Text(String),
    EdgeText(u8),
    /// A type-aware nudge: ±1, negation, a character more or less, …
    Tweak(u8),
    /// Replaced by the value found at another path of the same part.
    CopyFrom(Vec<u16>),
    /// In an array: the element repeated, or swapped with another.
    Duplicate,
    Swap(u16),
    EmptyArray,
    EmptyObject,
}

#[derive(Debug, Arbitrary)]
enum ChunkEdit {
    Drop(u8),
    Repeat(u8),
    Swap(u8, u8),
    Cut(u8, u16),
    Append(String),
}

const EDGE_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "3",
    "4294967295",
    "4294967296",
    "-2147483648",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999",
    "100000000000",
    "1e300",
    "1.5",
    "-0",
];

const EDGE_TEXT: &[&str] = &[
    "",
    " ",
    "0",
    "a",
    "张小明",
    "13800138000",
    "17000000000",
    "li@example.com",
    "wx5f3c0a9b2e7d41c8",
    "wallet",
    "card",
    "we_chat_change",
    "bank_reserve",
    "merchant",
    "cafe",
    "top_up",
    "payment",
    "refund",
    "bound",
    "authorizing",
    "ended",
    "notpay",
    "userpaying",
    "success",
    "refund",
    "closed",
    "2026-13-45",
    "$argon2id$v=19$m=4194304,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$argon2id$v=19$m=8,t=4294967295,p=255$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$argon2id$v=19$m=19456,t=2,p=1$$",
    "\u{0}",
    "\u{FFFD}",
    "𝕏",
    "*",
];

/// The rich world's stored form: the sealed record's revision and checksum,
/// its body as a JSON tree, and the chunks as JSON trees.
struct Pristine {
    revision: u64,
    sha256: String,
    body: Value,
    chunks: Vec<Value>,
}

fn pristine() -> &'static Pristine {
    static TREES: OnceLock<Pristine> = OnceLock::new();
    TREES.get_or_init(|| {
        let (main, chunks) = stored(&worlds().rich);
        let tree = |text: &str| -> Value {
            serde_json::from_str(text).unwrap_or_else(|e| panic!("stored JSON parses: {e}"))
        };
        let sealed = tree(&main);
        Pristine {
            revision: sealed["revision"].as_u64().unwrap_or(0),
            sha256: sealed["sha256"].as_str().unwrap_or_default().to_owned(),
            body: sealed["main"].clone(),
            chunks: chunks.iter().map(|c| tree(c)).collect(),
        }
    })
}

fn edge_number(i: u8) -> Value {
    let text = EDGE_NUMBERS[usize::from(i) % EDGE_NUMBERS.len()];
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn edge_text(i: u8) -> Value {
    Value::from(EDGE_TEXT[usize::from(i) % EDGE_TEXT.len()])
}

/// Follows `path` as far as containers go; `None` for the root.
enum Step {
    Key(String),
    Index(usize),
}

fn resolve(root: &Value, path: &[u16]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut here = root;
    for &pick in path {
        let pick = usize::from(pick);
        match here {
            Value::Object(map) if !map.is_empty() => {
                let Some((key, next)) = map.iter().nth(pick % map.len()) else {
                    break;
                };
                steps.push(Step::Key(key.clone()));
                here = next;
            }
            Value::Array(items) if !items.is_empty() => {
                let index = pick % items.len();
                steps.push(Step::Index(index));
                here = &items[index];
            }
            _ => break,
        }
    }
    steps
}

fn at_mut<'a>(root: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    let mut here = root;
    for step in steps {
        here = match (step, here) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key)?,
            (Step::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(here)
}

fn at<'a>(root: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    let mut here = root;
    for step in steps {
        here = match (step, here) {
            (Step::Key(key), Value::Object(map)) => map.get(key)?,
            (Step::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(here)
}

fn tweak(value: &mut Value, how: u8) {
    match value {
        Value::Number(n) => {
            let next = if let Some(i) = n.as_i64() {
                match how % 4 {
                    0 => i.checked_add(1).map(Value::from),
                    1 => i.checked_sub(1).map(Value::from),
                    2 => i.checked_neg().map(Value::from),
                    _ => i.checked_mul(100).map(Value::from),
                }
            } else {
                n.as_u64().map(|u| Value::from(u.wrapping_sub(1)))
            };
            if let Some(next) = next {
                *value = next;
            }
        }
        Value::String(s) => match how % 4 {
            0 => {
                s.pop();
            }
            1 => s.push('0'),
            2 => *s = s.to_uppercase(),
            _ => *s = s.repeat(3),
        },
        Value::Bool(b) => *b = !*b,
        Value::Array(items) => match how % 2 {
            0 => drop(items.pop()),
            _ => items.reverse(),
        },
        Value::Object(map) => {
            let len = map.len();
            if let Some(key) = map.keys().nth(usize::from(how) % len.max(1)).cloned() {
                map.remove(&key);
            }
        }
        Value::Null => *value = Value::from(0),
    }
}

fn apply(root: &mut Value, edit: &Edit) {
    let steps = resolve(root, &edit.path);
    match &edit.op {
        Op::Remove => {
            let Some((last, parent)) = steps.split_last() else {
                return;
            };
            match (last, at_mut(root, parent)) {
                (Step::Key(key), Some(Value::Object(map))) => {
                    map.remove(key);
                }
                (Step::Index(i), Some(Value::Array(items))) if *i < items.len() => {
                    items.remove(*i);
                }
                _ => {}
            }
        }
        Op::Duplicate | Op::Swap(_) => {
            let Some((Step::Index(i), parent)) = steps.split_last() else {
                return;
            };
            if let Some(Value::Array(items)) = at_mut(root, parent) {
                if let Op::Swap(other) = edit.op {
                    let j = usize::from(other) % items.len().max(1);
                    if *i < items.len() && j < items.len() {
                        items.swap(*i, j);
                    }
                } else if let Some(item) = items.get(*i).cloned() {
                    items.insert(*i, item);
                }
            }
        }
        Op::CopyFrom(from) => {
            let source = resolve(root, from);
            let copied = at(root, &source).cloned();
            if let (Some(copied), Some(target)) = (copied, at_mut(root, &steps)) {
                *target = copied;
            }
        }
        op => {
            let Some(target) = at_mut(root, &steps) else {
                return;
            };
            match op {
                Op::Null => *target = Value::Null,
                Op::Bool(b) => *target = Value::Bool(*b),
                Op::Int(i) => *target = Value::from(*i),
                Op::Edge(i) => *target = edge_number(*i),
                Op::Text(t) => *target = Value::from(t.as_str()),
                Op::EdgeText(i) => *target = edge_text(*i),
                Op::Tweak(how) => tweak(target, *how),
                Op::EmptyArray => *target = Value::Array(Vec::new()),
                Op::EmptyObject => *target = Value::Object(Map::new()),
                Op::Remove | Op::Duplicate | Op::Swap(_) | Op::CopyFrom(_) => {}
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let pristine = pristine();
    let mut main = pristine.body.clone();
    let mut chunks = pristine.chunks.clone();
    for edit in input.edits.iter().take(16) {
        if edit.part % 2 == 0 || chunks.is_empty() {
            apply(&mut main, edit);
        } else {
            let index = usize::from(edit.part / 2) % chunks.len();
            apply(&mut chunks[index], edit);
        }
    }
    let mut texts: Vec<String> = chunks.iter().map(Value::to_string).collect();
    for edit in input.chunk_edits.iter().take(4) {
        let len = texts.len();
        let pick = |i: u8| usize::from(i) % len.max(1);
        match edit {
            ChunkEdit::Drop(i) if len > 0 => {
                texts.remove(pick(*i));
            }
            ChunkEdit::Repeat(i) if len > 0 => {
                let chunk = texts[pick(*i)].clone();
                texts.insert(pick(*i), chunk);
            }
            ChunkEdit::Swap(i, j) if len > 0 => texts.swap(pick(*i), pick(*j)),
            ChunkEdit::Cut(i, at) if len > 0 => {
                let chunk = &mut texts[pick(*i)];
                let mut cut = usize::from(*at) % (chunk.len() + 1);
                while !chunk.is_char_boundary(cut) {
                    cut -= 1;
                }
                chunk.truncate(cut);
            }
            ChunkEdit::Append(text) => texts.push(text.clone()),
            _ => {}
        }
    }
    let revision = input.revision.unwrap_or(pristine.revision);
    let stored = match input.seal {
        Seal::Consistent | Seal::Consistent2 | Seal::Consistent3 => {
            let len = main.get("journal_len").and_then(Value::as_u64);
            let digest = len
                .and_then(|len| usize::try_from(len).ok())
                .and_then(|len| journal_digest(len, &texts));
            if let (Some(digest), Some(object)) = (digest, main.as_object_mut()) {
                if object.contains_key("journal_digest") {
                    object.insert("journal_digest".to_owned(), Value::from(digest));
                }
            }
            seal(revision, &main.to_string())
        }
        Seal::KeepJournalDigest => seal(revision, &main.to_string()),
        Seal::Stale => format!(
            r#"{{"revision":{revision},"sha256":"{}","main":{main}}}"#,
            pristine.sha256
        ),
        Seal::Version3 => {
            if let Some(object) = main.as_object_mut() {
                object.insert("schema".to_owned(), Value::from(3));
                object.remove("journal_digest");
            }
            main.to_string()
        }
    };
    if let Ok(state) = State::from_parts(&stored, &texts) {
        check_loaded(&state);
    }
    if let Ok(state) = State::from_json(&stored) {
        check_loaded(&state);
    }
});
