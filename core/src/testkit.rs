//! The test world, shared by `core`'s tests, the simulation, the fuzz targets
//! and the benchmark's seed (the `testkit` feature; `core` itself never uses
//! it): a demo wallet user and their WeChat accounts with a driven clock and
//! the binding steps walked as the pages walk them, wallets registered with
//! or without a card, a wallet with a long history, and the stored form of a
//! state — built through the public API, so a test exercises what the
//! product does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::binding::{BindError, Binding, Site};
use crate::card::{test_card_number, NewCard};
use crate::demo::{Demo, DemoWallet};
use crate::envelope::{self, Keys, Saved, Stored};
use crate::ledger::{Biller, Entry, Ledger};
use crate::movement::MovementForm;
use crate::phone::{Body, Sender};
pub use crate::security::fast_hasher;
use crate::security::Hasher;
use crate::session::IdleLock;
use crate::state::StateError;
use crate::vault::KdfParams;
use crate::wechat::{AuthorizeRequest, QIANBAO_APPID};
use crate::{State, Timestamp};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The worlds' clock starts here (2026-11-18, UTC).
pub const T0: i64 = 1_795_000_000_000;

/// 张小明 (13800138000, password Sandbox2026x), registered with `provider`
/// and signed in, nothing else.
pub fn registered(provider: crate::provider::ProviderId) -> State {
    let mut state = State::default();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let phone = "13800138000";
    state
        .send_register_code(phone, at(0), &mut rng)
        .unwrap_or_else(|e| panic!("{e}"));
    let code = state
        .inbox()
        .newest_first()
        .map(|m| match &m.body {
            Body::VerificationCode { code, .. } => code.clone(),
        })
        .next()
        .unwrap_or_default();
    let form = crate::account::Registration {
        login: phone,
        real_name: "张小明",
        password: "Sandbox2026x",
        code: &code,
        provider,
    };
    let hasher = fast_hasher();
    state
        .register(form, at(1), &mut rng, &hasher)
        .unwrap_or_else(|e| panic!("{e}"));
    state
        .log_in(phone, "Sandbox2026x", at(2))
        .unwrap_or_else(|e| panic!("{e}"));
    state
}

/// [`registered`] with a Luhn-valid ICBC debit card in 张小明's name.
pub fn registered_with_card(provider: crate::provider::ProviderId) -> State {
    let mut state = registered(provider);
    let number = crate::card::test_card_number("622202", "0012345678");
    let form = crate::card::NewCard {
        number: &number,
        holder: "张小明",
        expiry: "",
        cvv: "",
    };
    state
        .add_card(form, at(3))
        .unwrap_or_else(|e| panic!("{e}"));
    state
}

/// Applies a save's writes to a copy of storage, in order.
pub fn apply(stored: &mut crate::envelope::Stored, writes: &[crate::envelope::Write]) {
    use crate::envelope::Write;
    for write in writes {
        match write {
            Write::Set(k, v) => {
                stored.insert(k.clone(), v.clone());
            }
            Write::Remove(k) => {
                stored.remove(k);
            }
        }
    }
}

pub fn at(secs: i64) -> Timestamp {
    Timestamp::from_millis(T0 + secs * 1000)
}

pub fn site() -> Site {
    Site {
        origin: "http://127.0.0.1:8080".into(),
        base: String::new(),
    }
}

/// The query parameters of a URL.
pub fn param(url: &str, key: &str) -> Option<String> {
    let query = url.split('?').nth(1)?.split('#').next()?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            if let Ok(b) = u8::from_str_radix(&value[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// An authorization request as the authorize page reads it from its URL.
#[derive(Debug)]
pub struct Req {
    pub appid: String,
    pub redirect_uri: String,
    pub state: String,
}

impl Req {
    pub fn from_url(url: &str) -> Self {
        Req {
            appid: param(url, "appid").unwrap_or_default(),
            redirect_uri: param(url, "redirect_uri").unwrap_or_default(),
            state: param(url, "state").unwrap_or_default(),
        }
    }

    pub fn get(&self) -> AuthorizeRequest<'_> {
        AuthorizeRequest {
            appid: &self.appid,
            redirect_uri: &self.redirect_uri,
            response_type: "code",
            scope: "snsapi_userinfo",
            state: &self.state,
        }
    }
}

/// A demo wallet user (signed in) with their matching and mismatching WeChat
/// accounts, a seeded rng and a clock the test drives.
#[derive(Debug)]
pub struct World {
    pub state: State,
    pub rng: ChaCha20Rng,
    pub demo: Demo,
    pub now: i64,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> Self {
        let mut state = State::default();
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let hasher = fast_hasher();
        let demo = state
            .create_demo(at(0), &mut rng, &hasher)
            .unwrap_or_else(|e| panic!("{e}"));
        state
            .log_in(demo.wallet.login.as_str(), &demo.wallet.password, at(1))
            .unwrap_or_else(|e| panic!("{e}"));
        World {
            state,
            rng,
            demo,
            now: 10,
        }
    }

    pub fn tick(&mut self, secs: i64) -> Timestamp {
        self.now += secs;
        at(self.now)
    }

    /// An ICBC debit card in the demo wallet owner's name, and `yuan`
    /// topped up from it (nothing for `"0"`).
    pub fn top_up(&mut self, yuan: &str) -> crate::card::CardId {
        let name = self.demo.wallet.real_name.as_str().to_owned();
        let number = test_card_number("622202", "0012345678");
        let now = self.tick(1);
        let card = NewCard {
            number: &number,
            holder: &name,
            expiry: "",
            cvv: "",
        };
        let card = self
            .state
            .add_card(card, now)
            .unwrap_or_else(|e| panic!("{e}"));
        if yuan != "0" {
            let now = self.tick(1);
            let top_up = self
                .state
                .prepare(MovementForm::TopUp { card, amount: yuan }, now)
                .unwrap_or_else(|e| panic!("{e}"));
            self.state
                .commit("fund", &top_up, now)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        card
    }

    /// The WeChat user logged in to the simulated WeChat.
    pub fn wechat_user(&self) -> crate::wechat::WeChatId {
        self.state
            .wechat()
            .signed_in()
            .map(|a| a.id())
            .unwrap_or_else(|| panic!("logged in to WeChat"))
    }

    /// Whether the state reads back unchanged from its stored form.
    pub fn round_trips(&self) -> bool {
        let chunks: Vec<String> = (0..self.state.ledger().chunk_count())
            .map(|i| self.state.chunk_json(i).unwrap_or_default())
            .collect();
        let main = self.state.main_json().unwrap_or_default();
        State::from_parts(&main, &chunks).as_ref() == Ok(&self.state)
    }

    pub fn me(&self) -> crate::account::AccountId {
        self.state
            .signed_in()
            .map(|a| a.id())
            .unwrap_or_else(|| panic!("signed in"))
    }

    pub fn binding(&self) -> Binding {
        self.state.binding(self.me())
    }

    /// 「绑定微信」: the authorize URL.
    pub fn start(&mut self) -> String {
        let now = self.tick(1);
        self.state
            .start_binding(&site(), now, &mut self.rng)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn wechat_log_in(&mut self, mismatch: bool) {
        let wx = if mismatch {
            self.demo.wechat_mismatch.clone()
        } else {
            self.demo.wechat.clone()
        };
        self.state.wechat_mut().log_out();
        let now = self.tick(1);
        self.state
            .wechat_mut()
            .log_in(&wx.wxid, &wx.password, now)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// 「允许」 with 二次验证 (the code read from the phone inbox).
    pub fn approve(&mut self, url: &str) -> Result<String, BindError> {
        let req = Req::from_url(url);
        let request = req.get();
        let appid = req.appid.clone();
        let needs = self.state.wechat().needs_second_factor(&appid);
        let code = if needs {
            let now = self.tick(1);
            self.state.send_wechat_code(now, &mut self.rng)?;
            self.latest_sms()
        } else {
            String::new()
        };
        let now = self.tick(1);
        self.state
            .approve_authorization(&request, &site(), Some(&code), now, &mut self.rng)
    }

    pub fn latest_sms(&self) -> String {
        latest_wechat_code(&self.state)
    }

    /// The wallet's callback with what the redirect carried.
    pub fn callback(&mut self, redirect: &str) -> Result<(), BindError> {
        let code = param(redirect, "code");
        let state = param(redirect, "state").unwrap_or_default();
        let now = self.tick(1);
        self.state
            .complete_binding(code.as_deref(), &state, now, &mut self.rng)
    }

    pub fn bind(&mut self) -> Result<(), BindError> {
        let url = self.start();
        self.wechat_log_in(false);
        let redirect = self.approve(&url)?;
        self.callback(&redirect)
    }

    pub fn live_grant(&self) -> bool {
        match self.binding() {
            Binding::Bound(b) => self.state.wechat().has_live_grant(QIANBAO_APPID, &b.openid),
            _ => false,
        }
    }
}

/// The newest code WeChat sent to the phone (二次验证), or `""`.
pub fn latest_wechat_code(state: &State) -> String {
    state
        .inbox()
        .newest_first()
        .find(|m| m.from == Sender::WeChat)
        .map(|m| match &m.body {
            Body::VerificationCode { code, .. } => code.clone(),
        })
        .unwrap_or_default()
}

/// A seeded, reproducible rng.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// The stored form of a state (the main record and every journal chunk),
/// before the envelope wraps them.
pub fn stored(state: &State) -> (String, Vec<String>) {
    let main = state
        .main_json()
        .unwrap_or_else(|e| panic!("a state serialises: {e}"));
    let chunks = (0..state.ledger().chunk_count())
        .map(|i| {
            state
                .chunk_json(i)
                .unwrap_or_else(|e| panic!("a chunk serialises: {e}"))
        })
        .collect();
    (main, chunks)
}

/// The state read back from its stored form.
pub fn reload(state: &State) -> Result<State, StateError> {
    let (main, chunks) = stored(state);
    State::from_parts(&main, &chunks)
}

/// Seals a main record body exactly as [`State::main_json`] does, so that a
/// test or fuzz target that edits the body gets past the checksum to the
/// parser and the checks behind it.
pub fn seal_main(revision: u64, body: &str) -> String {
    crate::state::seal_record(revision, body)
}

/// The journal checksum a main record claiming `journal_len` entries must
/// carry for these chunks, read as [`State::from_parts`] reads them; `None`
/// if they do not replay.
pub fn journal_digest(journal_len: usize, chunks: &[String]) -> Option<String> {
    let mut entries: Vec<Entry> = Vec::new();
    for chunk in chunks {
        if entries.len() >= journal_len {
            break;
        }
        let mut part: Vec<Entry> = serde_json::from_str(chunk).ok()?;
        entries.append(&mut part);
    }
    if entries.len() < journal_len {
        return None;
    }
    entries.truncate(journal_len);
    Ledger::replay(entries).ok().map(|ledger| ledger.digest())
}

/// A wallet with `n` history entries (top-ups, transfers to a second demo
/// wallet, bills, one a minute, ending ten minutes before `now`), signed in
/// and never locking: the benchmark's seed. Returns the state, the wallet
/// and the payee.
pub fn with_history(
    n: usize,
    now: Timestamp,
    hasher: &Hasher,
    rng: &mut ChaCha20Rng,
) -> Result<(State, DemoWallet, DemoWallet), String> {
    let mut state = State::default();
    let start = Timestamp::from_millis(now.as_millis() - (n as i64 + 10) * 60_000);
    let payee = state
        .create_demo_wallet(start, rng, hasher)
        .map_err(|e| e.to_string())?;
    let me = state
        .create_demo_wallet(start, rng, hasher)
        .map_err(|e| e.to_string())?;
    state
        .log_in(me.login.as_str(), &me.password, start)
        .map_err(|e| e.to_string())?;
    state
        .set_idle_lock(IdleLock::Never)
        .map_err(|e| e.to_string())?;
    let number = test_card_number("622202", "0012345678");
    let form = NewCard {
        number: &number,
        holder: me.real_name.as_str(),
        expiry: "",
        cvv: "",
    };
    let card = state.add_card(form, start).map_err(|e| e.to_string())?;
    for i in 0..n {
        let at = Timestamp::from_millis(start.as_millis() + (i as i64 + 1) * 60_000);
        let form = match i % 3 {
            0 => MovementForm::TopUp { card, amount: "5" },
            1 => MovementForm::Transfer {
                payee: payee.login.as_str(),
                amount: "1",
                note: "",
            },
            _ => MovementForm::Bill {
                biller: Biller::Water,
                account: "12345678",
                amount: "1",
            },
        };
        let prepared = state
            .prepare(form, at)
            .map_err(|e| format!("movement {i}: {e}"))?;
        state
            .commit(&format!("seed-{i}"), &prepared, at)
            .map_err(|e| format!("movement {i}: {e}"))?;
    }
    state.touch(now);
    Ok((state, me, payee))
}

/// Key derivation with tiny parameters, for tests only.
pub const FAST_KDF: KdfParams = KdfParams {
    m_kib: 8,
    t: 1,
    p: 1,
};

/// [`with_history`] with `n` entries, sealed and stored as the shell stores
/// it (fast key derivation): the storage, the keys, the state as stored.
pub fn sealed_store(n: usize, rng: &mut ChaCha20Rng) -> (Stored, Keys, State) {
    let (mut state, me, _) = with_history(n, at(100_000), &fast_hasher(), rng).unwrap();
    let keys = envelope::add_slot(None, me.id, &me.password, FAST_KDF, rng).unwrap();
    let (writes, saved) =
        envelope::write(&state, &Saved::default(), Some(&keys), None, rng).unwrap();
    let mut stored = Stored::new();
    apply(&mut stored, &writes);
    state.set_revision(saved.revision());
    (stored, keys, state)
}
