//! Mounts the app; everything else is in the library.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(qianbao_web::app::App);
    qianbao_web::env::mark_first_render();
}
