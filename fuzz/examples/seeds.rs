//! Writes the seed inputs under `fuzz/seeds/<target>/`: the stored form of
//! the harness's worlds, the authorize URL's query and typed examples.
//! Run again after the stored format changes:
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example seeds
//! ```

use qianbao_core::State;
use qianbao_fuzz::{query_of, stored, worlds};
use serde_json::Value;
use std::fs;
use std::path::Path;

fn write(target: &str, name: &str, content: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn joined(state: &State) -> String {
    let (main, chunks) = stored(state);
    std::iter::once(main)
        .chain(chunks)
        .collect::<Vec<_>>()
        .join("\0")
}

fn main() {
    let w = worlds();

    for (i, typed) in [
        "12",
        "12.3",
        "¥12.34",
        "￥ 1,234.56",
        "１２.３４",
        "0.01",
        "999999999.99",
        "1e3",
        "-5",
        "1,234,567.8",
    ]
    .iter()
    .enumerate()
    {
        write("money", &format!("typed-{i}"), typed.as_bytes());
    }

    for (i, typed) in [
        "+86 138-0013-8000",
        "０086 １３８００１３８０００",
        "(138) 0013 8000",
        "Li.Ming+wallet@Example.COM",
        "张小明",
        "阿卜杜·热合曼",
        "Zhang  Xiaoming",
    ]
    .iter()
    .enumerate()
    {
        write("identity", &format!("typed-{i}"), typed.as_bytes());
    }

    write(
        "authorize",
        "start-binding",
        query_of(&w.authorize_url).as_bytes(),
    );

    write("callback", "approved", b"\0code=CODE&state=STATE");
    write("callback", "network", b"\x01code=CODE&state=STATE");
    write("callback", "denied", b"\0state=STATE");
    write("callback", "forged", b"\0code=CODE&state=0123456789abcdef");

    write("state_json", "rich", joined(&w.rich).as_bytes());
    write("state_json", "approved", joined(&w.approved).as_bytes());
    write("state_json", "empty", joined(&State::default()).as_bytes());
    // The same rich wallet as an unsealed version-3 record: no checksum
    // stands between arbitrary text and the parser and checks behind it.
    let (main, chunks) = stored(&w.rich);
    let mut sealed: Value = serde_json::from_str(&main).unwrap_or_default();
    let mut body = sealed["main"].take();
    if let Some(object) = body.as_object_mut() {
        object.insert("schema".to_owned(), Value::from(3));
        object.remove("journal_digest");
    }
    let v3 = std::iter::once(body.to_string())
        .chain(chunks.iter().cloned())
        .collect::<Vec<_>>();
    assert!(
        State::from_parts(&v3[0], &v3[1..]).is_ok(),
        "the version-3 seed loads"
    );
    write("state_json", "rich-version-3", v3.join("\0").as_bytes());

    // The crashes fuzzing found, as version-3 copies of the rich wallet
    // (each must now be refused or load, never panic).
    let regression = |name: &str, edit: &dyn Fn(&mut Value, &mut Vec<Value>)| {
        let mut body = body.clone();
        let mut entries: Vec<Value> = chunks
            .iter()
            .map(|c| serde_json::from_str(c).unwrap_or_default())
            .collect();
        edit(&mut body, &mut entries);
        let parts = std::iter::once(body.to_string())
            .chain(entries.iter().map(Value::to_string))
            .collect::<Vec<_>>();
        write(
            "state_json",
            &format!("regression-{name}"),
            parts.join("\0").as_bytes(),
        );
    };
    regression("journal-len", &|body, _| {
        body["journal_len"] = Value::from(u64::MAX);
    });
    regression("log-id", &|body, _| {
        body["sim"]["next_log_id"] = Value::from(u64::MAX);
    });
    regression("refunds", &|body, _| {
        if let Some(order) = body["orders"]
            .as_array_mut()
            .and_then(|orders| orders.iter_mut().find(|o| o["refunds"][0].is_object()))
        {
            let mut refund = order["refunds"][0].clone();
            refund["amount"] = Value::from(i64::MAX);
            order["refunds"] = Value::from(vec![refund.clone(), refund]);
        }
    });
    regression("credits", &|body, chunks| {
        let max = i64::MAX;
        let Some(last) = chunks.last_mut().and_then(Value::as_array_mut) else {
            return;
        };
        let previous = last.last().cloned().unwrap_or_default();
        let mut entry = previous.clone();
        entry["id"] = Value::from(previous["id"].as_u64().unwrap_or(0) + 1);
        entry["kind"] = serde_json::json!({"bill": {"biller": "water", "account": "12345678"}});
        entry["p"] = serde_json::json!([
            ["biller:water", max],
            ["biller:mobile", -max],
            ["m:books", max],
            ["m:digital", -max]
        ]);
        if let Some(object) = entry.as_object_mut() {
            object.remove("key");
        }
        last.push(entry);
        body["journal_len"] = Value::from(body["journal_len"].as_u64().unwrap_or(0) + 1);
    });
    write(
        "state_json",
        "version-1",
        br#"{"schema":1,"accounts":[],"next_account_id":1,"session":null,"verifications":{"pending":[]},"inbox":{"messages":[],"next_id":0}}"#,
    );
}
