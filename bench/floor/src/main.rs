//! The floor for the size-and-speed benchmark: a bare Leptos counter, built
//! with the same profile and Trunk settings as Qianbao. Whatever Qianbao
//! weighs or takes beyond this is Qianbao's own.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        let (count, set_count) = signal(0);
        view! {
            <main>
                <button on:click=move |_| set_count.update(|n| *n += 1)>{count}</button>
            </main>
        }
    });
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("first-render");
    }
}
