//! # Qianbao web
//!
//! The browser shell of Qianbao: Leptos pages over `qianbao-core`. It renders,
//! routes, persists and dispatches; it holds no business rule.
//!
//! # Layout
//! - `main.rs` only mounts [`app::App`].
//! - [`app`] — the page frame and the screen for each [`app::Page`].
//! - [`router`] — the location as a signal, in-place links, base path.
//! - [`store`] — the one reactive store; runs `core` commands.
//! - [`credentials`] — the door's password and code commands, on demand.
//! - [`storage`] — the only code that touches `localStorage`.
//! - [`lock`] — one writer at a time across tabs (Web Locks, IndexedDB).
//! - [`offline`] — the service worker, new versions, the browser's network.
//! - [`env`] — clock, randomness and other browser services for `core`.
//! - [`i18n`] — every user-visible string, zh-CN and English.
//! - [`pages`] — one file per screen, grouped by world (`wallet`, `phone`).
//! - [`components`] — pieces several screens share.

pub mod app;
pub mod codec;
pub mod components;
pub mod credentials;
pub mod env;
pub mod i18n;
pub mod lock;
pub mod offline;
pub mod pages;
pub mod router;
pub mod sandbox;
pub mod sandbox_api;
pub mod storage;
pub mod store;
