//! Every error code the app can show is explained by exactly one help entry:
//! the codes are read from the `code()` implementations in `core/src`, so a
//! new code fails this test until the help centre lists it.

use qianbao_core::help::{topic_of, Topic, CODES};
use std::collections::BTreeSet;
use std::path::Path;

/// The string literals inside every `fn code(&self) -> &'static str` body.
fn codes_in_sources() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (_, rest) in text
                .match_indices("fn code(&self) -> &'static str {")
                .map(|(i, _)| ((), &text[i..]))
            {
                let body = rest.split("\n    }").next().unwrap_or_default();
                for literal in body.split('"').skip(1).step_by(2) {
                    found.insert(literal.to_owned());
                }
            }
        }
    }
    found
}

#[test]
fn every_code_has_exactly_one_entry() {
    let sources = codes_in_sources();
    assert!(sources.len() > 100, "found only {sources:?}");
    let listed: Vec<&str> = CODES.iter().map(|(code, _)| *code).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a code is listed twice");
    let missing: Vec<&String> = sources.iter().filter(|c| topic_of(c).is_none()).collect();
    assert!(
        missing.is_empty(),
        "codes without a help entry: {missing:?}"
    );
    let stale: Vec<&&str> = listed.iter().filter(|c| !sources.contains(**c)).collect();
    assert!(stale.is_empty(), "listed codes no error uses: {stale:?}");
}

#[test]
fn every_entry_explains_something_and_has_a_path() {
    for topic in Topic::ALL {
        assert!(topic.codes().next().is_some(), "{topic:?} lists no code");
        assert_eq!(Topic::from_slug(topic.slug()), Some(topic));
    }
    assert_eq!(topic_of("W-BIND-PERMISSION"), Some(Topic::BindErrors));
    assert_eq!(topic_of("nope"), None);
}
