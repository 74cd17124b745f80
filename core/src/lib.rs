//! # Qianbao core
//!
//! Every rule of Qianbao, the digital wallet that binds to a simulated WeChat,
//! lives in this crate; the browser shell (`qianbao-web`) only renders and
//! persists. The crate is *sans-IO*: it never reads a clock, never draws
//! randomness of its own and never touches storage. Whatever needs the time
//! takes `now: Timestamp`; whatever needs randomness takes a `rng`. The same
//! code therefore runs in native tests, property tests and the browser, and a
//! test can put a lockout or a code expiry exactly where it wants it.
//!
//! # Layout
//!
//! - [`time`] — `Timestamp`, the only notion of "now" the crate knows.
//! - [`error`] — what all user-facing errors share: a stable code and guidance.
//! - [`finance`] — 记账 (categories, cash entries, monthly summary) and 理财 (savings, daily interest).
//! - [`help`] — which help-centre entry explains which error code.
//! - [`guide`] — guided mode: the article's next step, read from the state.
//! - [`identity`] — phone numbers, e-mail addresses and real names: parsing,
//!   normalisation and masking.
//! - [`security`] — the password policy and the slow salted password hash.
//! - [`verification`] — 6-digit codes: expiry, attempts, resend interval.
//! - [`phone`] — the simulated phone: the inbox where codes arrive.
//! - [`account`] — wallet accounts: registration, login, lockout.
//! - [`lockout`] — the lock after five wrong secrets in a row, for every secret.
//! - [`session`] — who is signed in, logout, lock after idle.
//! - [`vault`] — encryption at rest: Argon2id key slots, ChaCha20-Poly1305 sealing.
//! - [`totp`] — two-factor login: RFC 6238 codes, setup URI, recovery codes.
//! - [`demo`] — 「一键创建演示账户」.
//! - [`money`] — `Fen`, integer money: strict parsing, formatting.
//! - [`card`] — bank cards: Luhn, BIN table, holder check, masking.
//! - [`provider`] — the provider's single and daily limits.
//! - [`ledger`] — the double-entry journal, balances, storage chunks.
//! - [`movement`] — top up, withdraw, transfer, bills; cards; history.
//! - [`wechat`] — the simulated WeChat: accounts, settings, OAuth, tokens.
//! - [`binding`] — the wallet's binding state machine and its exchanges.
//! - [`sim`] — the developer console: request log, faults, clock.
//! - [`sns`] — WeChat's 网页授权 APIs as a merchant's backend calls them.
//! - [`merchant`] — the demo stores and their products.
//! - [`order`] — merchant orders: the transition function and the indexes.
//! - [`payment`] — WeChat Pay orders, the cashier, paying with the wallet.
//! - [`payapi`] — WeChat Pay API v3 for merchants registered with the sandbox server.
//! - [`commit`] — the one commit protocol every writer of the state follows.
//! - [`command`] — every change a person makes, as one serialisable `Command`.
//! - [`state`] — the one serialisable [`State`], its schema version and migrations.
//! - [`envelope`] — the stored form: what localStorage holds, reading it back, writing a save.
//! - `testkit` (feature `testkit`) — the world tests, the simulation, the fuzz
//!   targets and the benchmark's seed build on.

pub mod account;
pub mod binding;
pub mod card;
pub mod command;
pub mod commit;
pub mod demo;
pub mod envelope;
pub mod error;
pub mod finance;
pub mod guide;
pub mod help;
pub mod hex;
pub mod identity;
pub mod ledger;
pub mod lockout;
pub mod merchant;
pub mod money;
pub mod movement;
pub mod order;
pub mod payapi;
pub mod payment;
pub mod phone;
pub mod provider;
pub mod security;
pub mod session;
pub mod sim;
pub mod sns;
pub mod state;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod time;
pub mod totp;
pub mod vault;
pub mod verification;
pub mod wechat;

pub use state::State;
pub use time::Timestamp;
