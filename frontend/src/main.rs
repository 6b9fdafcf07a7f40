//! The CRM's browser app (Leptos, client-side rendered).

mod api;
mod app;
mod i18n;
mod lines;
mod live;
mod pages;
mod palette;
mod router;
mod timeline;
mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
