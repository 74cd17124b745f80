//! The wallet world (`/`): start page, registration, login, settings, cards,
//! money movements, history, and the lock and recovery screens.

mod binding;
mod books;
mod cards;
mod choose;
mod history;
mod home;
mod lock;
mod login;
mod movement;
mod password;
mod recovery;
mod register;
mod savings;
mod settings;
mod two_factor;
mod unlock;

pub use binding::{site, BindButton, BindCallback, BindingStatus, Bindings};
pub use books::Books;
pub use cards::Cards;
pub use choose::Choose;
pub use history::{History, HistoryDetail};
pub use home::{Home, WalletHome};
pub use lock::LockScreen;
pub use login::Login;
pub use movement::Movement;
pub use recovery::Recovery;
pub use register::Register;
pub use savings::Savings;
pub use settings::Settings;
pub use two_factor::{LoginCode, TwoFactorSettings};
pub use unlock::Unlock;

use crate::app::Page;
use crate::router::Link;
use crate::store::{use_store, Store};
use leptos::prelude::*;

/// Where the session stands, as the wallet screens branch on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionView {
    SignedOut,
    /// The password was right; the two-step code is still to come.
    AwaitingCode,
    Locked,
    SignedIn,
}

pub fn session_view(store: Store) -> SessionView {
    store.state.with(|s| match s.session() {
        None => SessionView::SignedOut,
        Some(session) if session.is_locked() => SessionView::Locked,
        Some(session) if session.is_awaiting_code() => SessionView::AwaitingCode,
        Some(_) => SessionView::SignedIn,
    })
}

/// Shows its children to a signed-in, unlocked session only; otherwise the
/// way to log in, or the lock screen.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let store = use_store();
    let view_kind = Memo::new(move |_| session_view(store));
    move || {
        match view_kind.get() {
        SessionView::SignedOut => view! {
            <section class="card">
                <p>{move || store.wallet_world_text().sign_in_first}</p>
                <Link href=Page::Login.path() class="button primary" {..} data-coach="log-in">{move || store.text().log_in}</Link>
            </section>
        }
        .into_any(),
        SessionView::Locked => view! { <LockScreen /> }.into_any(),
        SessionView::AwaitingCode => view! { <LoginCode error=RwSignal::new(None) /> }.into_any(),
        SessionView::SignedIn => children().into_any(),
    }
    }
}
