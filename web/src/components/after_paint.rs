//! Slow work behind a button: password hashing and key derivation hold the
//! thread for tens of milliseconds, so the button's "working" state is
//! painted first, and a second press meanwhile does nothing.

use leptos::prelude::*;
use std::time::Duration;

/// Runs `work` once `busy` has painted; `busy` is cleared after it.
pub fn after_paint(busy: RwSignal<bool>, work: impl FnOnce() + 'static) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    set_timeout(
        move || {
            work();
            // The page may have gone (a successful login navigates away).
            let _ = busy.try_set(false);
        },
        Duration::from_millis(30),
    );
}
