//! The settings screens' bundle: the app loads it the first time an admin opens Settings and
//! calls [`mount`] with the element to draw in.

use wasm_bindgen::prelude::wasm_bindgen;

/// Shows the settings screen of the current path in `el`, replacing what an earlier call showed.
#[wasm_bindgen]
pub fn mount(el: web_sys::HtmlElement) {
    crm_frontend::admin::mount(el);
}

/// Takes the screen down: the app has left Settings.
#[wasm_bindgen]
pub fn unmount() {
    crm_frontend::admin::unmount();
}

fn main() {
    console_error_panic_hook::set_once();
}
