//! # Qianbao Sandbox
//!
//! The native server a merchant's own backend calls: WeChat Pay API v3,
//! signed and verified as the real one, over the same [`qianbao_core`]
//! rules and state the browser's cashier pays from. `core` decides every
//! answer; this crate only moves bytes, keeps the state in SQLite and does
//! the cryptography.
//!
//! - [`db`] — the SQLite file: the stored state (the same head and journal
//!   chunks the browser keeps in localStorage, unsealed), the platform key,
//!   each merchant's keys, the nonces seen.
//! - [`keys`] — RSA-2048 keys, serial numbers and secrets for a new merchant.
//! - [`signing`] — `WECHATPAY2-SHA256-RSA2048`: the request's
//!   `Authorization` and the response's `Wechatpay-*` headers.
//! - [`sandbox`] — one state, one writer: a command runs on the newest
//!   stored state and is saved over exactly the save it read.
//! - [`api`] — the HTTP routes: `/v3/…`, the browser's `/sandbox/v1/…`
//!   and the built site.
//! - [`notify`] — payment notifications to the merchant's `notify_url`:
//!   encrypted, signed, retried on WeChat Pay's schedule.

pub mod api;
pub mod db;
pub mod keys;
pub mod notify;
pub mod sandbox;
pub mod signing;

pub use sandbox::Sandbox;
