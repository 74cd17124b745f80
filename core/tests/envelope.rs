//! The stored form (`core::envelope`) against what a browser and a person do
//! to storage: saves interrupted between any two writes, and every stored
//! value damaged, deleted, cut, replaced by its own older copy, swapped with
//! another or taken from another wallet. Nothing may load as other data
//! without a word; a whole store rolled back is not damage.

use qianbao_core::account::AccountError;
use qianbao_core::envelope::{
    self, chunk_key, legacy, Keys, Read, Saved, Stored, StoredSave, UnlockError, Write, HEAD_KEY,
};
use qianbao_core::lockout::Lockout;
use qianbao_core::movement::MovementForm;
use qianbao_core::provider::ProviderId;
use qianbao_core::state::StateError;
use qianbao_core::testkit::{apply, at, registered_with_card};
use qianbao_core::State;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use qianbao_core::testkit::FAST_KDF as FAST;
const PASSWORD: &str = "Sandbox2026x";

/// Storage as the shell keeps it, and the tab that writes it.
#[derive(Clone)]
struct Disk {
    stored: Stored,
    state: State,
    saved: Saved,
    keys: Option<Keys>,
    rng: ChaCha20Rng,
}

impl Disk {
    /// A signed-in wallet with a card; sealed when `sealed`.
    fn new(sealed: bool, seed: u64) -> Self {
        let state = registered_with_card(ProviderId::Jia);
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let me = state
            .signed_in()
            .map(|a| a.id())
            .unwrap_or_else(|| panic!("signed in"));
        let keys = sealed.then(|| {
            envelope::add_slot(None, me, PASSWORD, FAST, &mut rng).unwrap_or_else(|e| panic!("{e}"))
        });
        let mut disk = Disk {
            stored: Stored::new(),
            state,
            saved: Saved::default(),
            keys,
            rng,
        };
        disk.save();
        disk
    }

    /// The writes of the next save, not yet applied.
    fn writes(&mut self) -> (Vec<Write>, Saved) {
        envelope::write(
            &self.state,
            &self.saved,
            self.keys.as_ref(),
            self.stored.get(HEAD_KEY).map(String::as_str),
            &mut self.rng,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn save(&mut self) -> Vec<Write> {
        let (writes, saved) = self.writes();
        apply(&mut self.stored, &writes);
        self.state.set_revision(saved.revision());
        self.saved = saved;
        writes
    }

    /// `n` top-ups of ¥1, each saved.
    fn top_ups(&mut self, n: usize) {
        for _ in 0..n {
            self.top_up_unsaved();
            self.save();
        }
    }

    fn top_up_unsaved(&mut self) {
        let me = self
            .state
            .signed_in()
            .map(|a| a.id())
            .unwrap_or_else(|| panic!("signed in"));
        let card = self
            .state
            .cards_of(me)
            .next()
            .map(|c| c.id())
            .unwrap_or_else(|| panic!("a card"));
        let i = self.state.ledger().len();
        let now = at(10 + i as i64);
        let prepared = self
            .state
            .prepare(MovementForm::TopUp { card, amount: "1" }, now)
            .unwrap_or_else(|e| panic!("{e}"));
        self.state
            .commit(&format!("k{i}"), &prepared, now)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    fn key(&self) -> Option<&qianbao_core::vault::DataKey> {
        self.keys.as_ref().map(|k| &k.key)
    }

    fn read(&self) -> Read {
        envelope::read(&self.stored, self.key())
    }

    fn read_state(&self) -> State {
        match self.read() {
            Read::Opened { state, .. } => *state,
            other => panic!("expected a state, found {other:?}"),
        }
    }
}

fn code(read: &Read) -> Option<&'static str> {
    use qianbao_core::error::UserError;
    match read {
        Read::Damaged(e) => Some(e.code()),
        _ => None,
    }
}

#[test]
fn a_save_reads_back_whole_in_clear_and_sealed() {
    for sealed in [false, true] {
        let mut disk = Disk::new(sealed, 1);
        disk.top_ups(150);
        assert_eq!(disk.read_state(), disk.state);
        assert_eq!(disk.stored.len(), 3, "the head and two chunks");
        if sealed {
            let everything = disk.stored.values().cloned().collect::<String>();
            for secret in ["张小明", "13800138000", "argon2id", "\"accounts\""] {
                assert!(!everything.contains(secret), "{secret} in clear");
            }
            assert!(matches!(
                envelope::read(&disk.stored, None),
                Read::Locked(_)
            ));
        }
    }
}

#[test]
fn a_commit_writes_the_last_chunk_then_the_head() {
    let mut disk = Disk::new(true, 2);
    disk.top_ups(120);
    disk.top_up_unsaved();
    let writes = disk.save();
    let keys: Vec<&str> = writes
        .iter()
        .map(|w| match w {
            Write::Set(k, _) | Write::Remove(k) => k.as_str(),
        })
        .collect();
    assert_eq!(keys, ["qianbao.journal.1", HEAD_KEY]);
    // A save that adds no entry writes the head alone.
    disk.state.touch(at(5_000));
    let writes = disk.save();
    assert_eq!(writes.len(), 1);
}

#[test]
fn a_save_interrupted_between_any_two_writes_rolls_back_and_the_next_one_heals() {
    for sealed in [false, true] {
        // 99 entries: the next top-up fills chunk 0, the one after starts chunk 1.
        for (before, adds) in [
            (99usize, 1),
            (99, 2),
            (100, 1),
            (150, 3),
            (1, 1),
            (200, 101),
        ] {
            let mut disk = Disk::new(sealed, 3);
            // Adding the card already wrote an entry (its opening balance).
            disk.top_ups(before.saturating_sub(disk.state.ledger().len()));
            let committed = disk.state.clone();
            for _ in 0..adds {
                disk.top_up_unsaved();
            }
            let (writes, _) = disk.writes();
            for cut in 0..writes.len() {
                let mut crashed = disk.clone();
                apply(&mut crashed.stored, &writes[..cut]);
                // The tab reloads: the committed state, nothing else.
                let Read::Opened { state, saved, keys } = crashed.read() else {
                    panic!(
                        "sealed {sealed}, {before}+{adds}, cut {cut}: {:?}",
                        crashed.read()
                    );
                };
                assert_eq!(*state, committed, "{before}+{adds}, cut after {cut} writes");
                // It carries on: a session touch (no new entry), then a top-up.
                crashed.state = *state;
                crashed.saved = saved;
                crashed.keys = keys;
                let later = at(20 + crashed.state.ledger().len() as i64);
                crashed.state.touch(later);
                crashed.save();
                assert_eq!(
                    crashed.read_state(),
                    crashed.state,
                    "after the healing save"
                );
                crashed.top_ups(2);
                assert_eq!(crashed.read_state(), crashed.state);
                assert_eq!(crashed.state.ledger().len(), committed.ledger().len() + 2);
            }
        }
    }
}

/// A character at `at` replaced by another of the same kind.
fn change_char(text: &str, at: usize) -> Option<String> {
    let (i, c) = text.char_indices().nth(at)?;
    let to = match c {
        '0'..='8' | 'a'..='e' | 'A'..='E' => char::from_u32(c as u32 + 1)?,
        '9' => '0',
        'f' => 'a',
        '"' => '\'',
        _ => 'x',
    };
    (to != c).then(|| format!("{}{to}{}", &text[..i], &text[i + c.len_utf8()..]))
}

fn assert_damaged(stored: &Stored, disk: &Disk, what: &str) {
    for key in [None, disk.key()] {
        let read = envelope::read(stored, key);
        assert!(
            matches!(read, Read::Damaged(_)),
            "{what} (key {}): {read:?}",
            key.is_some()
        );
    }
}

#[test]
fn every_changed_character_is_damage_found_without_the_password() {
    let mut disk = Disk::new(true, 4);
    disk.top_ups(105);
    for (key, value) in disk.stored.clone() {
        let len = value.chars().count();
        // Every character of the head; a spread of each chunk's, ends included.
        let step = if key == HEAD_KEY { 1 } else { 37 };
        let positions = (0..len)
            .step_by(step)
            .chain([len / 2, len.saturating_sub(1)]);
        for at in positions {
            let Some(changed) = change_char(&value, at) else {
                continue;
            };
            let mut stored = disk.stored.clone();
            stored.insert(key.clone(), changed);
            assert_damaged(&stored, &disk, &format!("{key} char {at}"));
        }
    }
}

#[test]
fn the_damage_matrix() {
    for sealed in [false, true] {
        let mut old = Disk::new(sealed, 5);
        old.top_ups(150);
        let older = old.stored.clone();
        let mut disk = old.clone();
        disk.top_ups(60);
        let mut other = Disk::new(sealed, 6);
        other.top_ups(210);
        let keys: Vec<String> = disk.stored.keys().cloned().collect();
        for key in &keys {
            let value = disk.stored[key].clone();
            let mut cases: Vec<(String, Option<String>, &str)> = vec![
                ("deleted".into(), None, "W-STORE-MISSING"),
                ("emptied".into(), Some(String::new()), "W-STORE-CORRUPT"),
                (
                    "cut in half".into(),
                    Some(value[..value.len() / 2].to_owned()),
                    "W-STORE-CORRUPT",
                ),
                (
                    "cut by one".into(),
                    Some(value[..value.len() - 1].to_owned()),
                    "W-STORE-CORRUPT",
                ),
            ];
            if let Some(previous) = older.get(key).filter(|p| **p != value) {
                cases.push((
                    "its older copy".into(),
                    Some(previous.clone()),
                    "W-STORE-STALE",
                ));
            }
            if key != HEAD_KEY {
                for swap in keys.iter().filter(|k| *k != key && *k != HEAD_KEY) {
                    cases.push((
                        format!("swapped with {swap}"),
                        Some(disk.stored[swap].clone()),
                        "W-STORE-FOREIGN",
                    ));
                }
            }
            if let Some(theirs) = other.stored.get(key) {
                cases.push((
                    "another wallet's".into(),
                    Some(theirs.clone()),
                    "W-STORE-FOREIGN",
                ));
            }
            for (what, replacement, expected) in cases {
                let mut stored = disk.stored.clone();
                match replacement {
                    Some(v) => stored.insert(key.clone(), v),
                    None => stored.remove(key),
                };
                for k in [None, disk.key()] {
                    let read = envelope::read(&stored, k);
                    assert_eq!(
                        code(&read),
                        Some(expected),
                        "sealed {sealed}: {key} {what} (key {}): {read:?}",
                        k.is_some()
                    );
                }
            }
        }
        // A whole store rolled back to an older copy is one committed save.
        let mut rolled = disk.clone();
        rolled.stored = older.clone();
        assert_eq!(rolled.read_state(), old.state);
        // A chunk left over from another save beyond the end.
        let mut extra = disk.stored.clone();
        extra.insert(chunk_key(7), other.stored[&chunk_key(2)].clone());
        assert_eq!(
            code(&envelope::read(&extra, disk.key())),
            Some("W-STORE-FOREIGN")
        );
        // Not a history part of this app at all.
        let mut odd = disk.stored.clone();
        odd.insert("qianbao.journal.01".into(), "[]".into());
        assert_eq!(
            code(&envelope::read(&odd, disk.key())),
            Some("W-STORE-FOREIGN")
        );
    }
}

#[test]
fn a_stale_head_over_newer_history_is_damage_not_a_shorter_wallet() {
    // The independent check's case: the main record restored from an older
    // copy of itself while the journal chunks stay newer.
    let mut disk = Disk::new(true, 7);
    disk.top_ups(20);
    let old_head = disk.stored[HEAD_KEY].clone();
    disk.top_ups(130);
    let mut stored = disk.stored.clone();
    stored.insert(HEAD_KEY.into(), old_head);
    let read = envelope::read(&stored, disk.key());
    assert_eq!(code(&read), Some("W-STORE-STALE"), "{read:?}");
    // Without the password too: it is found before the unlock screen.
    assert_eq!(code(&envelope::read(&stored, None)), Some("W-STORE-STALE"));
    // History without its main record is not a first visit.
    stored.remove(HEAD_KEY);
    assert_eq!(
        code(&envelope::read(&stored, None)),
        Some("W-STORE-MISSING")
    );
}

#[test]
fn the_unlock_screen_counts_only_passwords_that_were_checked() {
    let disk = Disk::new(true, 8);
    let Read::Locked(mut locked) = envelope::read(&disk.stored, None) else {
        panic!("locked without a key");
    };
    let now = at(100);
    assert_eq!(
        envelope::unlock(&mut locked, "", now),
        Err(UnlockError::Account(AccountError::PasswordEmpty))
    );
    assert_eq!(
        locked.guard,
        Lockout::default(),
        "an empty password is not a try"
    );
    assert_eq!(
        envelope::unlock(&mut locked, "Wrong2026x", now).map(|_| ()),
        Err(UnlockError::Account(AccountError::WrongPassword {
            remaining: 4
        }))
    );
    // The guard is kept in clear: rewritten with its sum, the rest unchanged.
    let head = envelope::with_guard(&disk.stored[HEAD_KEY], locked.guard)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stored = disk.stored.clone();
    stored.insert(HEAD_KEY.into(), head);
    let Read::Locked(mut again) = envelope::read(&stored, None) else {
        panic!("still locked");
    };
    assert_eq!(again.guard, locked.guard);
    for _ in 0..3 {
        let _ = envelope::unlock(&mut again, "Wrong2026x", now);
    }
    let Err(UnlockError::Account(AccountError::Locked { until })) =
        envelope::unlock(&mut again, "Wrong2026x", now)
    else {
        panic!("locked after five");
    };
    assert_eq!(
        envelope::unlock(&mut again, PASSWORD, now).map(|_| ()),
        Err(UnlockError::Account(AccountError::Locked { until })),
        "even the right password waits"
    );
    let (account, key) =
        envelope::unlock(&mut again, PASSWORD, until).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Some(account), disk.state.signed_in().map(|a| a.id()));
    assert_eq!(Some(&key), disk.key());
    assert_eq!(again.guard, Lockout::default());
    // The copy written with the guard still opens.
    assert!(matches!(
        envelope::read(&stored, Some(&key)),
        Read::Opened { .. }
    ));
}

#[test]
fn a_changed_key_slot_is_damage_never_a_wrong_password() {
    let disk = Disk::new(true, 9);
    let head = &disk.stored[HEAD_KEY];
    for field in [
        "\"salt\":\"",
        "\"m_kib\":",
        "\"key\":{\"v\":1,\"n\":\"",
        "\"check\":{\"v\":1,\"n\":\"",
    ] {
        let at = head
            .find(field)
            .unwrap_or_else(|| panic!("{field} in {head}"))
            + field.len();
        let at = head[..at].chars().count();
        let changed = change_char(head, at).unwrap_or_else(|| panic!("a character"));
        let mut stored = disk.stored.clone();
        stored.insert(HEAD_KEY.into(), changed);
        assert_eq!(
            code(&envelope::read(&stored, None)),
            Some("W-STORE-CORRUPT"),
            "{field}"
        );
    }
}

#[test]
fn older_stored_forms_migrate_and_are_rewritten_whole() {
    for sealed in [false, true] {
        let mut disk = Disk::new(sealed, 10);
        disk.top_ups(130);
        let v1 = legacy::write_v1(&disk.state, disk.keys.as_ref(), &mut disk.rng)
            .unwrap_or_else(|e| panic!("{e}"));
        let Read::Opened { state, saved, keys } = envelope::read(&v1, disk.key()) else {
            panic!("format 1 reads");
        };
        assert_eq!(*state, disk.state);
        assert!(StoredSave::of(v1.get(HEAD_KEY).map(String::as_str)).is(&saved));
        if sealed {
            assert!(matches!(envelope::read(&v1, None), Read::Locked(_)));
        }
        let mut migrated = Disk {
            stored: v1,
            state: *state,
            saved,
            keys,
            rng: ChaCha20Rng::seed_from_u64(11),
        };
        let writes = migrated.save();
        assert_eq!(writes.len(), 3, "both chunks and the head, in format 2");
        assert_eq!(migrated.read_state(), migrated.state);
        let len = migrated.state.ledger().len();
        migrated.top_ups(1);
        assert_eq!(migrated.read_state().ledger().len(), len + 1);
    }
}

#[test]
fn the_revision_check_sees_every_other_save() {
    let mut a = Disk::new(true, 12);
    let b_saved = a.saved.clone();
    let head = |d: &Disk| StoredSave::of(d.stored.get(HEAD_KEY).map(String::as_str));
    assert!(head(&a).is(&a.saved));
    a.top_ups(1);
    assert!(!head(&a).is(&b_saved), "B read before A's save");
    assert!(StoredSave::of(None).is(&Saved::default()));
    assert!(!StoredSave::of(Some("garbage")).is(&a.saved));
    // A guard written by a locked tab is not a save.
    let guarded = envelope::with_guard(&a.stored[HEAD_KEY], Lockout::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(StoredSave::of(Some(&guarded)).is(&a.saved));
}

#[test]
fn a_bad_import_file_says_so_and_a_good_one_passes() {
    let mut disk = Disk::new(true, 13);
    disk.top_ups(3);
    let export = envelope::bundle(&disk.stored);
    assert_eq!(
        envelope::check_import(&export, disk.key()),
        Ok(disk.stored.clone())
    );
    assert_eq!(
        envelope::check_import(&export, None),
        Ok(disk.stored.clone())
    );
    use envelope::ImportError::*;
    for (text, expected) in [
        ("", Empty),
        ("   \n", Empty),
        ("not json", NotAnExport),
        (
            "<!doctype html><html><body>Qianbao</body></html>",
            NotAnExport,
        ),
        ("[1,2]", NotAnExport),
        ("{}", NotAnExport),
        (r#"{"qianbao.locale":"\"en\""}"#, NotAnExport),
        (&export[..export.len() / 2], NotAnExport),
    ] {
        assert_eq!(
            envelope::check_import(text, disk.key()),
            Err(expected),
            "{text:.40}"
        );
    }
    let altered = export.replacen("\\\"c\\\":\\\"", "\\\"c\\\":\\\"0", 1);
    assert_ne!(altered, export);
    assert!(matches!(
        envelope::check_import(&altered, disk.key()),
        Err(Damaged(StateError::Corrupt { .. }))
    ));
    let other = Disk::new(true, 14);
    assert_eq!(
        envelope::check_import(&envelope::bundle(&other.stored), disk.key()),
        Err(OtherKey)
    );
}

proptest::proptest! {
    /// The export bundle is written by hand: it is JSON of exactly the
    /// stored values, whatever characters they hold.
    #[test]
    fn a_bundle_is_json_of_every_stored_value(
        stored in proptest::collection::btree_map(
            proptest::prelude::any::<String>(),
            proptest::prelude::any::<String>(),
            0..6,
        ),
    ) {
        let text = envelope::bundle(&stored);
        let back: std::collections::BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
        proptest::prop_assert_eq!(back, stored);
    }
}

proptest::proptest! {
    /// What travels between a browser and the sandbox server: any writes,
    /// whatever characters their keys and values hold, read back as they
    /// were; anything cut or added is refused.
    #[test]
    fn writes_travel_to_the_sandbox_server_whole(
        writes in proptest::collection::vec(
            (proptest::prelude::any::<bool>(), proptest::prelude::any::<String>(), proptest::prelude::any::<String>()),
            0..6,
        ),
        cut in 1usize..40,
    ) {
        let writes: Vec<envelope::Write> = writes
            .into_iter()
            .map(|(set, key, value)| if set { envelope::Write::Set(key, value) } else { envelope::Write::Remove(key) })
            .collect();
        let text = envelope::to_wire(&writes);
        proptest::prop_assert_eq!(envelope::from_wire(&text), Some(writes.clone()));
        if !text.is_empty() {
            let end = text.len().saturating_sub(cut);
            let shorter = text.get(..end).map(envelope::from_wire);
            // A text cut anywhere but between two writes is refused.
            if let Some(Some(read)) = shorter {
                proptest::prop_assert!(read.len() < writes.len());
            }
            proptest::prop_assert_eq!(envelope::from_wire(&format!("{text}x")), None);
        }
    }
}

#[test]
fn the_wire_refuses_what_to_wire_never_writes() {
    for bad in [
        "set 1 1\nab",
        "set 01 1\nabc\n",
        "move 1 0\na\n",
        "remove 1 1\nab\n",
        "set 1\na\n",
        "set 1 1 1\nab\n",
        "set 3 0\nab\n",
    ] {
        assert_eq!(envelope::from_wire(bad), None, "{bad:?}");
    }
    assert_eq!(envelope::from_wire(""), Some(Vec::new()));
}
