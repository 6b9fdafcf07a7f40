//! The live stream (`GET /api/v1/stream`, Server-Sent Events): new notifications ring the bell
//! at once and a call for the signed-in agent pops its caller card on whatever page is open.
//! One connection per tab; when the server drops it (a restart, an expired token) it is opened
//! again with a fresh token and what was missed is fetched.

use crate::api;
use crate::i18n;
use crate::pages::inbox::{refresh_unread, why};
use crate::ui::toast;
use crm_api_types::{CallerCard, Notification};
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// What the stream keeps current, shared with every page through the context.
#[derive(Clone, Copy)]
pub struct Live {
    /// The agent's call: ringing, answered, or ended and waiting for its outcome.
    pub call: RwSignal<Option<CallerCard>>,
    /// Whether the stream is connected.
    pub connected: RwSignal<bool>,
}

pub fn use_live() -> Live {
    use_context::<Live>().unwrap_or_else(|| Live { call: RwSignal::new(None), connected: RwSignal::new(false) })
}

thread_local! {
    static SOURCE: RefCell<Option<EventSource>> = const { RefCell::new(None) };
}

/// Opens the stream for the signed-in person and provides [`Live`]; closes it when the
/// signed-in frame goes away (sign-out).
pub fn start(unread: RwSignal<i64>) -> Live {
    let live = Live { call: RwSignal::new(None), connected: RwSignal::new(false) };
    provide_context(live);
    let alive = StoredValue::new(true);
    let link = Link { live, unread, alive, lang: i18n::lang(), owner: Owner::current() };
    open(link);
    on_cleanup(move || {
        alive.set_value(false);
        close();
    });
    live
}

/// What a connection needs from the frame that opened it. The browser calls the listeners
/// outside any component, so the frame's owner comes along to find the toasts and the bell.
#[derive(Clone)]
struct Link {
    live: Live,
    unread: RwSignal<i64>,
    alive: StoredValue<bool>,
    lang: RwSignal<i18n::Lang>,
    owner: Option<Owner>,
}

fn close() {
    SOURCE.with(|s| {
        if let Some(es) = s.borrow_mut().take() {
            es.close();
        }
    });
}

fn open(link: Link) {
    leptos::task::spawn_local(async move {
        let Link { live, unread, alive, lang, .. } = link;
        let owner = &link.owner;
        let url = match api::stream_url().await {
            Ok(url) => url,
            Err(api::ApiError::SignedOut) => return,
            Err(_) => return retry(link),
        };
        if !alive.try_get_value().unwrap_or(false) {
            return;
        }
        let Ok(es) = EventSource::new(&url) else { return };
        let on = |name: &str, f: Box<dyn FnMut(MessageEvent)>| {
            let cb = Closure::wrap(f);
            let _ = es.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
            // The listener lives as long as its EventSource; there are few in a tab's life.
            cb.forget();
        };
        let o = owner.clone();
        on(
            "open",
            Box::new(move |_| {
                live.connected.try_set(true);
                // Whatever happened while the stream was down.
                within(&o, refresh_unread);
                catch_up(live);
            }),
        );
        let o = owner.clone();
        on(
            "notification",
            Box::new(move |ev| {
                if let Some(n) = ev.data().as_string().and_then(|d| serde_json::from_str::<Notification>(&d).ok()) {
                    unread.try_update(|u| *u += 1);
                    let l = lang.get_untracked();
                    let detail = n.detail.as_deref().map(|d| format!(" · {d}")).unwrap_or_default();
                    within(&o, || toast(format!("{} · {}{detail}", n.title, i18n::text(l, why(&n))), false));
                }
            }),
        );
        on(
            "call",
            Box::new(move |ev| {
                if let Some(card) = ev.data().as_string().and_then(|d| serde_json::from_str::<CallerCard>(&d).ok()) {
                    live.call.try_update(|c| take(c, card));
                }
            }),
        );
        let o = owner.clone();
        on(
            "resync",
            Box::new(move |_| {
                within(&o, refresh_unread);
                catch_up(live);
            }),
        );
        let source = es.clone();
        let again = link.clone();
        on(
            "error",
            Box::new(move |_| {
                live.connected.try_set(false);
                // The browser reconnects by itself unless the server refused the stream.
                if source.ready_state() == EventSource::CLOSED {
                    close();
                    retry(again.clone());
                }
            }),
        );
        close();
        SOURCE.with(|s| *s.borrow_mut() = Some(es));
    });
}

fn retry(link: Link) {
    set_timeout(
        move || {
            if link.alive.try_get_value().unwrap_or(false) {
                open(link);
            }
        },
        std::time::Duration::from_secs(3),
    );
}

/// Fetches the call in progress, for a page opened or a stream reconnected mid-call.
fn catch_up(live: Live) {
    leptos::task::spawn_local(async move {
        if let Ok(Some(card)) = api::current_call().await {
            live.call.try_update(|c| take(c, card));
        }
    });
}

/// Whether `incoming` replaces the card shown: a newer state of the same call always does, and
/// another call does unless it has ended while the one shown is still live.
fn take(shown: &mut Option<CallerCard>, incoming: CallerCard) {
    let keep = shown.as_ref().is_some_and(|s| s.id != incoming.id && s.status != "ended" && incoming.status == "ended");
    if !keep {
        *shown = Some(incoming);
    }
}

/// Runs `f` in the frame's owner.
fn within(owner: &Option<Owner>, f: impl FnOnce()) {
    match owner {
        Some(o) => o.with(f),
        None => f(),
    }
}
