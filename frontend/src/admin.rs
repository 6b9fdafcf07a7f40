//! The settings screens as a bundle of their own (`src/bin/crm-admin.rs`): email, custom
//! fields, API keys and webhooks, analytics, segments, imports and duplicates, and the order
//! form (`/orders/new`: orders mostly come from shops and other systems, so few people need
//! it). The app draws an [`AdminHost`] for `/settings/…`, `/orders/new` and the other paths of
//! these screens, which
//! fetches the bundle once and mounts the screen of the path into it; a change of path mounts it
//! again. Both bundles share the session (tokens in localStorage), the language (remembered
//! there; a switch in one tells the other through a `crm:language` event) and the path (the History API: a navigation inside the screens
//! tells the app through a `crm:navigate` event, and the app draws them anew). When an admin
//! changes a custom field the screens say so (`crm:fields-changed`), and the app forgets its
//! copy of the definitions.

use crate::i18n::{self, tr, T};
use crate::pages::analytics::{AnalyticsPage, ContactAnalytics};
use crate::pages::duplicates::DuplicatesPage;
use crate::pages::fields::FieldSettings;
use crate::pages::imports::{ImportPage, ImportsPage};
use crate::pages::integrations::{ApiKeys, WebhookPage, Webhooks};
use crate::pages::order_new::NewOrder;
use crate::pages::segments::{SegmentPage, SegmentsPage};
use crate::pages::settings::Settings;
use crate::router;
use crate::ui::{provide_toasts, ToastStack};
use leptos::prelude::*;
use std::any::Any;
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

#[wasm_bindgen(module = "/admin-loader.js")]
extern "C" {
    fn load_admin(el: &web_sys::HtmlElement, failure: &str);
    fn unload_admin();
}

/// Where the app shows a settings screen: loads the bundle and mounts the screen, again when
/// the language changes.
#[component]
pub fn AdminHost() -> impl IntoView {
    let lang = i18n::lang();
    let root = NodeRef::<leptos::html::Div>::new();
    // The host is drawn anew for each path; the screen follows a change of language itself
    // (`i18n::provide`), keeping what was typed.
    Effect::new(move || {
        if let Some(el) = root.get() {
            load_admin(&el, i18n::text(lang.get_untracked(), T::Unreachable));
        }
    });
    on_cleanup(unload_admin);
    view! { <div id="admin-root" node_ref=root><div class="skeleton">{tr(T::Loading)}</div></div> }
}

/// Takes the screen down (called by the bundle's export when the app leaves Settings).
pub fn unmount() {
    MOUNTED.with(|m| m.replace(None));
}

/// Mounts the settings screen of the current path into `el` (called by the bundle's export).
pub fn mount(el: web_sys::HtmlElement) {
    el.set_inner_html("");
    router::follow();
    let handle = leptos::mount::mount_to(el, Admin);
    // Dropping the earlier screen's handle cleans up its reactive state.
    MOUNTED.with(|m| m.replace(Some(Box::new(handle))));
}

#[component]
fn Admin() -> AnyView {
    i18n::provide();
    provide_toasts();
    let id = |s: &str| s.to_owned();
    let path = router::path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let screen = match segments.as_slice() {
        ["settings", "fields"] => view! { <FieldSettings/> }.into_any(),
        ["settings", "api-keys"] => view! { <ApiKeys/> }.into_any(),
        ["settings", "webhooks"] => view! { <Webhooks/> }.into_any(),
        ["settings", "webhooks", w] => view! { <WebhookPage id=id(w)/> }.into_any(),
        ["orders", "new"] => view! { <NewOrder/> }.into_any(),
        ["analytics"] => view! { <AnalyticsPage/> }.into_any(),
        ["imports"] => view! { <ImportsPage/> }.into_any(),
        ["imports", "duplicates"] => view! { <DuplicatesPage/> }.into_any(),
        ["imports", i] => view! { <ImportPage id=id(i)/> }.into_any(),
        ["contacts", c, "analytics"] => view! { <ContactAnalytics id=id(c)/> }.into_any(),
        ["segments"] => view! { <SegmentsPage/> }.into_any(),
        ["segments", "new"] => view! { <SegmentPage id=None/> }.into_any(),
        ["segments", s] => view! { <SegmentPage id=Some(id(s))/> }.into_any(),
        _ => view! { <Settings/> }.into_any(),
    };
    view! { {screen}<ToastStack/> }.into_any()
}
