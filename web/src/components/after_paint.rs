//! Work behind a button. Every command waits for the storage lock, and some
//! hold the thread for tens of milliseconds (password hashing, key
//! derivation), so the button's "working" state is painted first, and a
//! second press meanwhile does nothing.

use leptos::prelude::*;
use std::future::Future;
use std::time::Duration;

/// Runs `work` once `busy` has painted; `busy` is cleared when it is done.
pub fn after_paint<F: Future<Output = ()> + 'static>(
    busy: RwSignal<bool>,
    work: impl FnOnce() -> F + 'static,
) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    set_timeout(move || run(busy, work), Duration::from_millis(30));
}

/// Runs `work` unless `busy`, which is set meanwhile: a second press of a
/// button whose command is still waiting or running does nothing.
pub fn once_at_a_time<F: Future<Output = ()> + 'static>(
    busy: RwSignal<bool>,
    work: impl FnOnce() -> F + 'static,
) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    run(busy, work);
}

fn run<F: Future<Output = ()> + 'static>(busy: RwSignal<bool>, work: impl FnOnce() -> F + 'static) {
    leptos::task::spawn_local(async move {
        work().await;
        // The page may have gone (a successful login navigates away): let
        // the navigation re-render first (see `store::settle`).
        crate::store::settle().await;
        let _ = busy.try_set(false);
    });
}
