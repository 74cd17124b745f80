//! Shared by the integration tests: a world with a demo wallet user, their
//! matching and mismatching WeChat accounts, a driven clock, and helpers that
//! walk the binding steps as the pages do. Each test file uses a subset.
#![allow(dead_code)]

use qianbao_core::binding::{BindError, Binding, Site};
use qianbao_core::demo::Demo;
use qianbao_core::phone::{Body, Sender};
use qianbao_core::security::Hasher;
use qianbao_core::wechat::{AuthorizeRequest, QIANBAO};
use qianbao_core::{State, Timestamp};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

pub const T0: i64 = 1_795_000_000_000;

/// 张小明 (13800138000, password Sandbox2026x), registered with `provider`
/// and signed in, nothing else.
pub fn registered(provider: qianbao_core::provider::ProviderId) -> State {
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
    let form = qianbao_core::account::Registration {
        login: phone,
        real_name: "张小明",
        password: "Sandbox2026x",
        code: &code,
        provider,
    };
    let hasher =
        Hasher::with_params(argon2::Params::new(8, 1, 1, None).unwrap_or_else(|e| panic!("{e}")));
    state
        .register(form, at(1), &mut rng, &hasher)
        .unwrap_or_else(|e| panic!("{e}"));
    state
        .log_in(phone, "Sandbox2026x", at(2))
        .unwrap_or_else(|e| panic!("{e}"));
    state
}

/// [`registered`] with a Luhn-valid ICBC debit card in 张小明's name.
pub fn registered_with_card(provider: qianbao_core::provider::ProviderId) -> State {
    let mut state = registered(provider);
    let number = qianbao_core::card::test_card_number("622202", "0012345678");
    let form = qianbao_core::card::NewCard {
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
pub fn apply(
    stored: &mut qianbao_core::envelope::Stored,
    writes: &[qianbao_core::envelope::Write],
) {
    use qianbao_core::envelope::Write;
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

pub struct World {
    pub state: State,
    pub rng: ChaCha20Rng,
    pub demo: Demo,
    pub now: i64,
}

impl World {
    pub fn new() -> Self {
        let mut state = State::default();
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let hasher = Hasher::with_params(
            argon2::Params::new(8, 1, 1, None).unwrap_or_else(|e| panic!("{e}")),
        );
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

    /// The WeChat user logged in to the simulated WeChat.
    pub fn wechat_user(&self) -> qianbao_core::wechat::WeChatId {
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

    pub fn me(&self) -> qianbao_core::account::AccountId {
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
        self.state
            .inbox()
            .newest_first()
            .find(|m| m.from == Sender::WeChat)
            .map(|m| match &m.body {
                Body::VerificationCode { code, .. } => code.clone(),
            })
            .unwrap_or_default()
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
            Binding::Bound(b) => self.state.wechat().has_live_grant(QIANBAO.appid, &b.openid),
            _ => false,
        }
    }
}
