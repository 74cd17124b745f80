//! Format 1 and older: read, never written (the next save writes format 2).

use super::*;

/// The encrypted envelope of format 1.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    vault: u8,
    revision: u64,
    slots: Vec<KeySlot>,
    #[serde(default)]
    unlock: Lockout,
    check: Sealed,
    main: Sealed,
}

pub(super) fn revision(text: &str) -> Option<u64> {
    if let Ok(envelope) = serde_json::from_str::<Envelope>(text) {
        return Some(envelope.revision);
    }
    State::stored_revision(text)
}

pub(super) fn guard(text: &str) -> Option<Lockout> {
    serde_json::from_str::<Envelope>(text)
        .ok()
        .map(|e| e.unlock)
}

pub(super) fn with_guard(text: &str, guard: Lockout) -> Result<String, StateError> {
    let mut envelope: Envelope =
        serde_json::from_str(text).map_err(|_| corrupt("the main record cannot be read"))?;
    envelope.unlock = guard;
    serde_json::to_string(&envelope).map_err(|e| StateError::Unwritable {
        detail: e.to_string(),
    })
}

/// The chunks of an older form: `0..` without a gap, as they were read.
fn contiguous<'a>(found: &BTreeMap<usize, &'a str>) -> Result<Vec<&'a str>, StateError> {
    let texts: Vec<&str> = (0..).map_while(|i| found.get(&i).copied()).collect();
    if texts.len() != found.len() {
        return Err(missing("a history part is gone"));
    }
    Ok(texts)
}

pub(super) fn read(
    text: &str,
    found: &BTreeMap<usize, &str>,
    key: Option<&DataKey>,
) -> Result<Read, StateError> {
    let chunks = contiguous(found)?;
    let Ok(envelope) = serde_json::from_str::<Envelope>(text) else {
        let owned: Vec<String> = chunks.iter().map(|c| (*c).to_owned()).collect();
        let state = State::from_parts(text, &owned)?;
        return Ok(opened(state, None, Lockout::default(), false, found));
    };
    if envelope.vault != vault::VAULT_VERSION || envelope.slots.is_empty() {
        return Err(corrupt("the main record's header is invalid"));
    }
    let locked = || {
        Read::Locked(Locked {
            slots: envelope.slots.clone(),
            guard: envelope.unlock,
        })
    };
    let Some(key) = key else { return Ok(locked()) };
    if vault::open(key, "key check", &envelope.check).is_err() {
        return Ok(locked());
    }
    let main = open_text(key, "main", &envelope.main)
        .ok_or_else(|| corrupt("the record does not open"))?;
    let texts = chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            serde_json::from_str::<Sealed>(c)
                .ok()
                .and_then(|s| open_text(key, &format!("chunk {i}"), &s))
                .ok_or_else(|| corrupt(format!("history part {i} does not open")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let state = State::from_parts(&main, &texts)?;
    if state.revision() != envelope.revision {
        return Err(stale(
            "the main record's revision disagrees with its sealed copy",
        ));
    }
    let keys = Keys {
        key: key.clone(),
        slots: envelope.slots,
    };
    Ok(opened(state, Some(keys), envelope.unlock, true, found))
}

fn opened(
    state: State,
    keys: Option<Keys>,
    guard: Lockout,
    sealed: bool,
    found: &BTreeMap<usize, &str>,
) -> Read {
    // Chunks beyond the journal were left by an interrupted save.
    let count = state.ledger().chunk_count();
    let remove = found
        .keys()
        .filter(|i| **i >= count)
        .map(|i| chunk_key(*i))
        .collect();
    let saved = Saved {
        wallet: None,
        save: Some(SaveId {
            rev: state.revision(),
            tag: 0,
        }),
        chunks: Vec::new(),
        rewrite_from: 0,
        remove,
        journal_len: state.ledger().len(),
        guard,
        sealed,
    };
    Read::Opened {
        state: Box::new(state),
        saved,
        keys,
    }
}

/// Writes `state` in format 1, as builds before format 2 did: for
/// tests of the migration only.
#[doc(hidden)]
pub fn write_v1(
    state: &State,
    keys: Option<&Keys>,
    rng: &mut impl RngCore,
) -> Result<Stored, StateError> {
    let mut stored = Stored::new();
    let unwritable = |e: serde_json::Error| StateError::Unwritable {
        detail: e.to_string(),
    };
    for index in 0..state.ledger().chunk_count() {
        let text = state.chunk_json(index)?;
        let value = match keys {
            Some(k) => serde_json::to_string(&vault::seal(
                &k.key,
                &format!("chunk {index}"),
                text.as_bytes(),
                rng,
            ))
            .map_err(unwritable)?,
            None => text,
        };
        stored.insert(chunk_key(index), value);
    }
    let main = state.main_json()?;
    let head = match keys {
        Some(k) => serde_json::to_string(&Envelope {
            vault: vault::VAULT_VERSION,
            revision: state.revision(),
            slots: k.slots.clone(),
            unlock: Lockout::default(),
            check: vault::seal(&k.key, "key check", &[], rng),
            main: vault::seal(&k.key, "main", main.as_bytes(), rng),
        })
        .map_err(unwritable)?,
        None => main,
    };
    stored.insert(HEAD_KEY.to_owned(), head);
    Ok(stored)
}
