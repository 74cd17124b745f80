//! # Qianbao Sandbox
//!
//! The native server a team shares: the built site (every browser its own
//! person), WeChat Pay API v3 and 网页授权 for the merchants' own backends
//! — signed and verified as the real ones — over the same
//! [`qianbao_core`] rules the browser runs. `core` decides every answer;
//! this crate moves bytes, keeps the state in SQLite and does the
//! cryptography.
//!
//! - [`sandbox`] — the one writer (every change, batched, one durable save
//!   each batch, through `core::commit`) and the readers' copy.
//! - [`db`] — the SQLite file: the state as rows, the keys, the nonces.
//! - [`api`] — the router, and WeChat Pay API v3: one handler per endpoint,
//!   the caller as the [`api::Signed`] extractor, answers signed by a layer.
//! - [`pages`] — the pages' `/sandbox/v1/…`: the state, commands, events,
//!   and the console's import, export and reset.
//! - [`oauth`] — 网页授权: `/connect/oauth2/authorize` and `/sns/…`.
//! - [`bridge`] — the JS bridge for a merchant's own pages
//!   (`getBrandWCPayRequest`, `wx.chooseWXPay`): `paySign` checked, the
//!   cashier opened, WeChat's result returned.
//! - [`check`] — 「接入检查」: probes (forged, stale, unknown serial,
//!   tampered, repeated) to a merchant's notify URL, and what it answered.
//! - [`platform`] — the platform's keys (微信支付公钥 and certificate) and
//!   their rotation: two valid at once, then the old one retired.
//! - [`notify`] — payment and refund notifications to the `notify_url`:
//!   encrypted, signed, retried on WeChat Pay's schedule.
//! - [`helpers`] — the test helpers for a merchant backend's CI: a test
//!   person, paying (or failing) as them, the clock, a refund's outcome.
//! - [`site`] — the built site (inside the binary, or `--dist`) and each
//!   browser's client cookie.
//! - [`signing`], [`keys`] — `WECHATPAY2-SHA256-RSA2048` (ring) and the keys
//!   the sandbox makes (RustCrypto `rsa`).

pub mod api;
pub mod bill;
pub mod bridge;
pub mod check;
pub mod db;
pub mod helpers;
pub mod keys;
pub mod notify;
pub mod oauth;
pub mod pages;
pub mod platform;
pub mod sandbox;
pub mod signing;
pub mod site;

pub use sandbox::Sandbox;
