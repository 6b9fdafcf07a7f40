//! Client-side routing in a few dozen lines: the current path is a signal fed by the History
//! API, every same-origin `<a href="/…">` click becomes a push instead of a page load, and
//! `app::page` maps a path to its page with one `match`.
//!
//! A general-purpose router (nested routes, typed params, loaders) cost a fifth of the wasm
//! bundle; the app needs none of that, only paths and one parameter.

use leptos::prelude::*;
use std::cell::OnceCell;
use wasm_bindgen::JsCast;

thread_local! {
    static PATH: OnceCell<RwSignal<String>> = const { OnceCell::new() };
}

fn signal() -> RwSignal<String> {
    PATH.with(|p| *p.get_or_init(|| RwSignal::new(current())))
}

fn current() -> String {
    window().location().pathname().unwrap_or_else(|_| "/".into())
}

/// The path being shown, e.g. `/contacts/c_123`.
pub fn path() -> String {
    signal().get()
}

/// Shows `to` (a path, optionally with a query) and records it in the browser's history.
pub fn navigate(to: &str) {
    go(to, false);
}

/// Shows `to` in place of the current entry, so Back skips it. Takes effect on the next frame,
/// so a page may call it while it renders.
pub fn redirect(to: &str) {
    let to = to.to_owned();
    request_animation_frame(move || go(&to, true));
}

fn go(to: &str, replace: bool) {
    if let Ok(history) = window().history() {
        let _ = if replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to))
        };
    }
    if !replace {
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
    signal().set(current());
    // The other bundle (the settings screens, or the app around them) follows.
    if let Ok(ev) = web_sys::Event::new(NAVIGATED) {
        let _ = window().dispatch_event(&ev);
    }
}

/// The event a navigation in one bundle sends the other.
const NAVIGATED: &str = "crm:navigate";

/// Takes the path from the address bar (a bundle mounted after a navigation elsewhere).
pub fn follow() {
    let now = current();
    if signal().get_untracked() != now {
        signal().set(now);
    }
}

/// Listens for Back/Forward and for clicks on in-app links. Call once, at the root.
pub fn install() {
    signal();
    let pop = window_event_listener(leptos::ev::popstate, |_| signal().set(current()));
    let other = window_event_listener(leptos::ev::Custom::<web_sys::Event>::new(NAVIGATED), |_| follow());
    let click = window_event_listener(leptos::ev::click, |ev| {
        if ev.default_prevented() || ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        let Some(anchor) =
            ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        if anchor.has_attribute("download") || anchor.get_attribute("target").is_some_and(|t| t != "_self") {
            return;
        }
        let href = anchor.get_attribute("href").unwrap_or_default();
        // Only the app's own pages: not the API, the explorer, other origins or schemes.
        if !href.starts_with('/') || href.starts_with("//") || href.starts_with("/api") {
            return;
        }
        ev.prevent_default();
        navigate(&href);
    });
    // The root lives as long as the page; the listeners do too.
    std::mem::forget(pop);
    std::mem::forget(other);
    std::mem::forget(click);
}

/// The navigation link that best matches the current path (the longest one that is the path
/// or a parent of it), so `/deals/list` marks "Deals" and not also "Pipeline".
pub fn active_of<'a>(path: &str, links: &[&'a str]) -> Option<&'a str> {
    links.iter().copied().filter(|l| path == *l || path.strip_prefix(l).is_some_and(|rest| rest.starts_with('/'))).max_by_key(|l| l.len())
}
