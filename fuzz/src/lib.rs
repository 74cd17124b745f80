//! What the fuzz targets share: worlds built through `qianbao-core`'s public
//! API (a rich wallet with history over two journal chunks, orders, refunds,
//! a binding; a wallet half-way through binding), the stored form of a state,
//! a query-string reader with the browser's `URLSearchParams` semantics, and
//! the checks every loaded state must pass.
//!
//! The worlds are built once per fuzzing process and cloned per input.

use qianbao_core::binding::Binding;
use qianbao_core::card::{test_card_number, NewCard};
use qianbao_core::demo::Demo;
use qianbao_core::ledger::Biller;
use qianbao_core::merchant::MerchantId;
use qianbao_core::movement::{HistoryFilter, MovementForm};
use qianbao_core::payment::{PayMethod, PayRequest};
use qianbao_core::sim::Faults;
use qianbao_core::wechat::{AuthorizeRequest, QIANBAO_APPID};
use qianbao_core::{State, Timestamp};
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

// The clock, the site, the stored form and the hasher: the test world's,
// shared with `core`'s tests (`qianbao_core::testkit`).
pub use qianbao_core::testkit::fast_hasher as hasher;
pub use qianbao_core::testkit::seal_main as seal;
pub use qianbao_core::testkit::{at, journal_digest, reload, rng, site, stored, T0};

/// Reads a query string (without `?`) as the browser's `URLSearchParams`
/// does: `&`-separated pairs, `+` for a space, percent-escapes decoded and
/// invalid UTF-8 replaced.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(key), form_decode(value))
        })
        .collect()
}

/// The first value of `key`, as `URLSearchParams::get` returns it.
pub fn query_get(query: &str, key: &str) -> Option<String> {
    query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The query of a URL: after the first `?`, before any `#`.
pub fn query_of(url: &str) -> &str {
    let before_fragment = url.split('#').next().unwrap_or(url);
    before_fragment
        .split_once('?')
        .map_or("", |(_, query)| query)
}

pub fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|b| char::from(*b).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
                continue;
            }
            (b'+', _, _) => out.push(b' '),
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What must hold for every state that loaded: it is written back and read
/// again unchanged, and every screen can be drawn from it without a panic.
pub fn check_loaded(state: &State) {
    match reload(state) {
        Ok(again) => assert!(again == *state, "a loaded state reads back changed"),
        Err(e) => panic!("a loaded state does not read back: {e}"),
    }
    draw_every_screen(state);
    after_load_commands(state);
}

/// The read-only views the pages render, for every account in the state.
pub fn draw_every_screen(state: &State) {
    let now = at(0);
    for account in state.accounts() {
        let id = account.id();
        let _ = account.login().masked();
        let _ = account.login().to_string();
        let _ = account.real_name().masked();
        let _ = account.locked_until(now);
        let _ = state.balance(id).to_string();
        let _ = state.balance(id).plain();
        for card in state.cards_of(id) {
            let _ = card.masked();
            let _ = state.card_funds(card.id()).to_string();
        }
        let _ = state.default_card(id).map(|c| c.masked());
        for line in state.history(id, HistoryFilter::default()) {
            let _ = line.amount.signed();
            let _ = line.entry.year_month();
            let _ = state.counterpart_of(line.entry, id);
            let _ = state.history_entry(id, line.entry.id);
        }
        for month in state.history_months(id) {
            let filter = HistoryFilter {
                kind: None,
                month: Some(month),
            };
            let _ = state.history(id, filter).count();
        }
        let _ = state.binding(id);
    }
    let _ = state.signed_in().map(|a| a.login().masked());
    let _ = state.is_idle(now);
    let _ = state.needs_touch(now);
    for user in state.wechat().accounts() {
        let _ = user.masked_wxid();
        let _ = user.phone().masked();
        let _ = user.real_name().masked();
        let _ = state.wechat_change(user.id()).to_string();
    }
    let _ = state.wechat().authorized_apps();
    let _ = state.wechat().signed_in().map(|u| u.masked_wxid());
    for order in state.orders() {
        let _ = order.refundable().to_string();
    }
    let _ = state.pay_methods();
    let _ = state.preferred_method();
    let _ = state.inbox().newest_first().count();
    let _ = state.inbox().unread();
    let _ = state.sim().log().len();
    let _ = state.sim().clock_offset();
    let _ = state.sim().now(now);
    let _ = state.ledger().total();
    for entry in state.ledger().entries() {
        let _ = entry.year_month();
        let _ = entry.kind.movement();
    }
}

/// The commands the shell runs on its own once a state is loaded (the idle
/// lock, the binding check) and the ones a stored order invites.
fn after_load_commands(state: &State) {
    let now = at(0);
    let mut state = state.clone();
    let _ = state.lock_if_idle(now);
    let _ = state.check_binding(now, &mut rng(1));
    let orders: Vec<(MerchantId, String)> = state
        .orders()
        .iter()
        .map(|o| (o.merchant, o.out_trade_no.clone()))
        .collect();
    for (merchant, no) in orders {
        let _ = state.open_cashier(merchant, &no, now);
        let _ = state.resend_notify(merchant, &no, now);
    }
}

/// The worlds, built once per process.
#[derive(Debug)]
pub struct Worlds {
    /// A signed-in, bound wallet with cards, 110+ journal entries (two
    /// chunks), every kind of movement, paid, refunded and open orders, a
    /// pay-password guard, a pending verification, faults and a clock offset.
    pub rich: State,
    /// The rich world's pending order (open at the cashier).
    pub open_order: (MerchantId, String),
    /// The demo credentials of the rich world.
    pub demo: Demo,
    /// A wallet that is `Authorizing` (WeChat logged in, second factor
    /// already passed), before 「允许」.
    pub authorizing: State,
    /// The same world after 「允许」: WeChat issued `code` for `state`.
    pub approved: State,
    /// The authorize URL (app path) 「绑定微信」 navigated to.
    pub authorize_url: String,
    pub code: String,
    pub state_param: String,
}

pub fn worlds() -> &'static Worlds {
    static WORLDS: OnceLock<Worlds> = OnceLock::new();
    WORLDS.get_or_init(build_worlds)
}

fn ok<T, E: std::fmt::Display>(step: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("building the fuzz world, {step}: {e}"))
}

struct Builder {
    state: State,
    rng: ChaCha20Rng,
    demo: Demo,
    secs: i64,
}

impl Builder {
    fn new(seed: u64) -> Self {
        let mut state = State::default();
        let mut rng = rng(seed);
        let demo = ok("demo", state.create_demo(at(0), &mut rng, &hasher()));
        ok(
            "log in",
            state.log_in(demo.wallet.login.as_str(), &demo.wallet.password, at(1)),
        );
        Builder {
            state,
            rng,
            demo,
            secs: 10,
        }
    }

    fn tick(&mut self) -> Timestamp {
        self.secs += 1;
        at(self.secs)
    }

    fn latest_sms(&self) -> String {
        qianbao_core::testkit::latest_wechat_code(&self.state)
    }

    /// 「允许」 on the authorize URL, with 二次验证 when WeChat asks for it.
    fn approve(&mut self, url: &str) -> String {
        let query = query_of(url);
        let appid = query_get(query, "appid").unwrap_or_default();
        let redirect_uri = query_get(query, "redirect_uri").unwrap_or_default();
        let state_param = query_get(query, "state").unwrap_or_default();
        let request = AuthorizeRequest {
            appid: &appid,
            redirect_uri: &redirect_uri,
            response_type: "code",
            scope: "snsapi_userinfo",
            state: &state_param,
        };
        let second_factor = if self.state.wechat().needs_second_factor(QIANBAO_APPID) {
            let now = self.tick();
            ok(
                "wechat code",
                self.state.send_wechat_code(now, &mut self.rng),
            );
            Some(self.latest_sms())
        } else {
            None
        };
        let now = self.tick();
        ok(
            "approve",
            self.state.approve_authorization(
                &request,
                &site(),
                second_factor.as_deref(),
                now,
                &mut self.rng,
            ),
        )
    }

    fn bind(&mut self) {
        let now = self.tick();
        let url = ok(
            "start binding",
            self.state.start_binding(&site(), now, &mut self.rng),
        );
        let wechat = self.demo.wechat.clone();
        self.state.wechat_mut().log_out();
        let now = self.tick();
        ok(
            "wechat log in",
            self.state
                .wechat_mut()
                .log_in(&wechat.wxid, &wechat.password, now),
        );
        let redirect = self.approve(&url);
        let query = query_of(&redirect);
        let code = query_get(query, "code");
        let state_param = query_get(query, "state").unwrap_or_default();
        let now = self.tick();
        ok(
            "complete binding",
            self.state
                .complete_binding(code.as_deref(), &state_param, now, &mut self.rng),
        );
    }

    fn add_card(&mut self, bin: &str, expiry: &str, cvv: &str) -> qianbao_core::card::CardId {
        let name = self.demo.wallet.real_name.as_str().to_owned();
        let number = test_card_number(bin, "0012345678");
        let now = self.tick();
        ok(
            "add card",
            self.state.add_card(
                NewCard {
                    number: &number,
                    holder: &name,
                    expiry,
                    cvv,
                },
                now,
            ),
        )
    }

    fn movement(&mut self, key: &str, form: MovementForm<'_>) {
        let now = self.tick();
        let prepared = ok("prepare", self.state.prepare(form, now));
        ok("commit", self.state.commit(key, &prepared, now));
    }

    fn order(&mut self, merchant: MerchantId, sku: &str) -> String {
        let now = self.tick();
        let no = ok(
            "order",
            self.state
                .create_order(merchant, &[(sku, 1)], now, &mut self.rng),
        );
        let now = self.tick();
        ok("cashier", self.state.open_cashier(merchant, &no, now));
        no
    }

    fn pay(
        &mut self,
        merchant: MerchantId,
        no: &str,
        method: PayMethod,
        password: &str,
        key: &str,
    ) {
        let wallet_password = self.demo.wallet.password.clone();
        let now = self.tick();
        let request = PayRequest {
            merchant,
            out_trade_no: no,
            method: Some(method),
            pay_password: password,
            wallet_password: Some(&wallet_password),
            key,
        };
        let _ = self.state.pay_order(request, now);
    }
}

fn build_worlds() -> Worlds {
    // The rich world.
    let mut b = Builder::new(7);
    b.bind();
    let debit = b.add_card("622202", "", "");
    let _credit = b.add_card("625330", "12/30", "123");
    for i in 0..105 {
        b.movement(
            &format!("top-up-{i}"),
            MovementForm::TopUp {
                card: debit,
                amount: "1.01",
            },
        );
    }
    b.movement(
        "big",
        MovementForm::TopUp {
            card: debit,
            amount: "¥1,000",
        },
    );
    b.movement(
        "withdraw",
        MovementForm::Withdraw {
            card: debit,
            amount: "5",
        },
    );
    b.movement(
        "bill",
        MovementForm::Bill {
            biller: Biller::Electricity,
            account: "1234567890",
            amount: "10.5",
        },
    );
    b.movement("to-wechat", MovementForm::ToWeChat { amount: "60" });
    let now = b.tick();
    let payee = ok(
        "second wallet",
        b.state.create_demo_wallet(now, &mut b.rng, &hasher()),
    );
    let payee_login = payee.login.as_str().to_owned();
    b.movement(
        "transfer",
        MovementForm::Transfer {
            payee: &payee_login,
            amount: "3.3",
            note: "午饭",
        },
    );
    let me = b.demo.wallet.id;
    let pay_password = b.demo.wechat.pay_password.clone();
    let paid = b.order(MerchantId::Cafe, "latte");
    b.pay(
        MerchantId::Cafe,
        &paid,
        PayMethod::Wallet(me),
        &pay_password,
        "pay-1",
    );
    let now = b.tick();
    let _ = b
        .state
        .refund_order(MerchantId::Cafe, &paid, "R0000001", "10", now);
    let _unpaid = b.order(MerchantId::Books, "novel");
    let by_change = b.order(MerchantId::Cafe, "americano");
    b.pay(
        MerchantId::Cafe,
        &by_change,
        PayMethod::Change,
        &pay_password,
        "pay-2",
    );
    let open = b.order(MerchantId::Cafe, "croissant");
    b.pay(
        MerchantId::Cafe,
        &open,
        PayMethod::Change,
        "000000",
        "pay-3",
    );
    let now = b.tick();
    let _ = b
        .state
        .send_register_code("li@example.com", now, &mut b.rng);
    b.state.sim_mut().set_faults(Faults {
        network: 1,
        busy: 2,
        latency_ms: 300,
    });
    b.state
        .sim_mut()
        .advance(std::time::Duration::from_secs(60));
    let rich = b.state.clone();
    let rich_demo = b.demo.clone();
    assert!(
        matches!(rich.binding(me), Binding::Bound(_)),
        "the rich world is bound"
    );

    // The binding world: bound once (so the second factor is passed), then
    // unbound and binding again.
    let mut b = Builder::new(11);
    b.bind();
    let now = b.tick();
    ok("unbind", b.state.unbind_wechat(now));
    let now = b.tick();
    let url = ok(
        "start again",
        b.state.start_binding(&site(), now, &mut b.rng),
    );
    let authorizing = b.state.clone();
    let redirect = b.approve(&url);
    let query = query_of(&redirect);
    let code = query_get(query, "code").unwrap_or_default();
    let state_param = query_get(query, "state").unwrap_or_default();
    let approved = b.state.clone();

    for world in [&rich, &authorizing, &approved] {
        let again = ok("reading a world back", reload(world));
        assert!(again == *world, "a world reads back changed");
        // The harness's seal and journal checksum are the core's.
        let (main, chunks) = stored(world);
        let sealed: serde_json::Value = ok("parsing the seal", serde_json::from_str(&main));
        let body = &sealed["main"];
        let resealed = seal(sealed["revision"].as_u64().unwrap_or(0), &body.to_string());
        let again = ok(
            "reading a resealed world",
            State::from_parts(&resealed, &chunks),
        );
        assert!(again == *world, "a resealed world reads back changed");
        let len = body["journal_len"].as_u64().unwrap_or(0);
        assert_eq!(
            journal_digest(usize::try_from(len).unwrap_or(0), &chunks).as_ref(),
            body["journal_digest"].as_str().map(str::to_owned).as_ref(),
            "the harness computes the journal checksum as the core does"
        );
    }
    Worlds {
        rich,
        open_order: (MerchantId::Cafe, open),
        demo: rich_demo,
        authorizing,
        approved,
        authorize_url: url,
        code,
        state_param,
    }
}
