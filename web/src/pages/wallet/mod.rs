//! The wallet world (`/`): start page, registration, login, settings, and
//! the lock and recovery screens.

mod home;
mod lock;
mod login;
mod recovery;
mod register;
mod settings;

pub use home::Home;
pub use lock::LockScreen;
pub use login::Login;
pub use recovery::Recovery;
pub use register::Register;
pub use settings::Settings;

use crate::store::Store;

/// Where the session stands, as the wallet screens branch on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionView {
    SignedOut,
    Locked,
    SignedIn,
}

pub fn session_view(store: Store) -> SessionView {
    use leptos::prelude::With;
    store.state.with(|s| match s.session() {
        None => SessionView::SignedOut,
        Some(session) if session.is_locked() => SessionView::Locked,
        Some(_) => SessionView::SignedIn,
    })
}
