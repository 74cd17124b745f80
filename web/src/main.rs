//! Mounts the app; everything else is in the library.

use qianbao_web::{codec, credentials, storage};
use wasm_bindgen_futures::spawn_local;

fn main() {
    console_error_panic_hook::set_once();
    qianbao_web::env::mark("wasm-main");
    if storage::holds_state() {
        // A wallet is stored: its first screen needs the code that reads it.
        spawn_local(async {
            // A fetch that fails shows on the page: the store finds the
            // code missing and says so, with 「重试」.
            let _ = codec::ready().await;
            qianbao_web::env::mark("codec-ready");
            start();
            // The lock screen's and the login's code, for later.
            credentials::prefetch().await;
        });
    } else {
        // A first visit: the code that stores a wallet follows the first
        // screen (each storage operation awaits it, and retries a failure),
        // and so does the code of the door's forms.
        start();
        spawn_local(async {
            let _ = codec::ready().await;
            credentials::prefetch().await;
        });
    }
}

fn start() {
    qianbao_web::env::remove_boot_notice();
    leptos::mount::mount_to_body(qianbao_web::app::App);
    qianbao_web::env::mark_first_render();
}
