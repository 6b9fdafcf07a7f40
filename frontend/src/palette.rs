//! The command palette (Ctrl/Cmd-K): one box that finds contacts, companies, deals, leads and
//! cases by name, email or a phone number in any format, plus the list of shortcuts on `?`.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::router;
use crate::ui::typing;
use crm_api_types::SearchHit;
use leptos::prelude::*;

/// Where a search hit opens.
pub fn href(hit: &SearchHit) -> String {
    match hit.kind.as_str() {
        "contact" => format!("/contacts/{}", hit.id),
        "deal" => format!("/deals/{}", hit.id),
        "lead" => format!("/leads?focus={}", hit.id),
        "company" => format!("/companies/{}", hit.id),
        "case" => format!("/cases/{}", hit.id),
        _ => "/".to_owned(),
    }
}

fn kind_label(kind: &str) -> T {
    match kind {
        "contact" => T::KindContact,
        "company" => T::KindCompany,
        "deal" => T::KindDeal,
        "lead" => T::KindLead,
        _ => T::KindCase,
    }
}

/// The shortcuts, as shown on `?`.
const SHORTCUTS: &[(&str, T)] = &[
    ("Ctrl K", T::ShortcutPalette),
    ("/", T::ShortcutSearch),
    ("?", T::ShortcutHelp),
    ("g c", T::ShortcutContacts),
    ("g d", T::ShortcutBoard),
    ("g l", T::ShortcutLeads),
    ("g m", T::ShortcutMyDay),
    ("n", T::ShortcutNewContact),
    ("Esc", T::ShortcutClose),
];

/// Whether the palette is open; shared so a button can open it too.
#[derive(Clone, Copy)]
pub struct PaletteOpen(pub RwSignal<bool>);

/// A button that opens the palette.
#[component]
pub fn PaletteButton() -> impl IntoView {
    let open = use_context::<PaletteOpen>().map(|p| p.0);
    view! {
        <button class="link" id="open-palette" on:click=move |_| if let Some(o) = open { o.set(true) }>{tr(T::NavSearch)}</button>
    }
}

#[component]
pub fn Palette() -> impl IntoView {
    let lang = i18n::lang();
    let open = use_context::<PaletteOpen>().map(|p| p.0).unwrap_or_else(|| RwSignal::new(false));
    let help = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<SearchHit>::new());
    let selected = RwSignal::new(0usize);
    let searching = RwSignal::new(false);
    let generation = StoredValue::new(0u64);
    let input = NodeRef::<leptos::html::Input>::new();
    // "g" then a letter jumps to a page.
    let pending_g = StoredValue::new(false);

    let go = move |to: String| {
        open.set(false);
        help.set(false);
        router::navigate(&to);
    };

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let k = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && k.eq_ignore_ascii_case("k") {
            ev.prevent_default();
            help.set(false);
            open.set(true);
            return;
        }
        if k == "Escape" {
            open.set(false);
            help.set(false);
            return;
        }
        if typing(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        if pending_g.get_value() {
            pending_g.set_value(false);
            let to = match k.as_str() {
                "c" => Some("/contacts"),
                "d" => Some("/deals"),
                "l" => Some("/leads"),
                "m" => Some("/my-day"),
                _ => None,
            };
            if let Some(to) = to {
                ev.prevent_default();
                go(to.to_owned());
            }
            return;
        }
        match k.as_str() {
            "?" => {
                ev.prevent_default();
                help.update(|h| *h = !*h);
            }
            "g" => pending_g.set_value(true),
            "n" => {
                ev.prevent_default();
                go("/contacts/new".to_owned());
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    // Each opening starts empty.
    Effect::new(move || {
        if open.get() {
            query.set(String::new());
            hits.set(Vec::new());
            selected.set(0);
        }
    });
    // The caret goes into the box as soon as it is in the page (the node reference is tracked,
    // so this runs when the box mounts, not a frame later when keys may already be typed).
    Effect::new(move || {
        if let Some(i) = input.get() {
            let _ = i.focus();
        }
    });

    let run = move |q: String| {
        query.set(q.clone());
        selected.set(0);
        let n = generation.get_value() + 1;
        generation.set_value(n);
        if q.trim().is_empty() {
            hits.set(Vec::new());
            return;
        }
        searching.set(true);
        leptos::task::spawn_local(async move {
            let result = api::search(q).await;
            // Only the latest query's answer is shown.
            if generation.try_get_value() != Some(n) {
                return;
            }
            searching.set(false);
            match result {
                Ok(r) => hits.set(r.hits),
                Err(_) => hits.set(Vec::new()),
            }
        });
    };

    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            let n = hits.with_untracked(|h| h.len());
            if n > 0 {
                selected.update(|s| *s = (*s + 1) % n);
            }
        }
        "ArrowUp" => {
            ev.prevent_default();
            let n = hits.with_untracked(|h| h.len());
            if n > 0 {
                selected.update(|s| *s = (*s + n - 1) % n);
            }
        }
        "Enter" => {
            ev.prevent_default();
            if let Some(h) = hits.with_untracked(|h| h.get(selected.get_untracked()).cloned()) {
                go(href(&h));
            }
        }
        _ => {}
    };

    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop" on:click=move |_| open.set(false)></div>
            <div class="palette" role="dialog" aria-modal="true" aria-label=tr(T::PaletteLabel)>
                <input id="palette-input" node_ref=input type="search" autocomplete="off" placeholder=tr(T::PalettePlaceholder)
                    prop:value=move || query.get() on:input=move |ev| run(event_target_value(&ev)) on:keydown=on_key/>
                <ul class="palette-hits" role="listbox">
                    {
                        move || {
                            let l = lang.get();
                            hits.get().into_iter().enumerate().map(move |(i, h)| {
                                let to = href(&h);
                                view! {
                                    <li role="option" class:active=move || selected.get() == i aria-selected=move || (selected.get() == i).to_string()
                                        on:mousemove=move |_| selected.set(i) on:click=move |_| go(to.clone())>
                                        <span class="badge">{i18n::text(l, kind_label(&h.kind))}</span>
                                        <strong class="hit-title">{h.title.clone()}</strong>
                                        <span class="muted">{h.subtitle.clone().map(|s| i18n::digits(l, &s)).unwrap_or_default()}</span>
                                    </li>
                                }
                            }).collect_view()
                        }
                    }
                </ul>
                <Show when=move || !searching.get() && hits.with(|h| h.is_empty()) && !query.with(|q| q.trim().is_empty())>
                    <p class="empty">{tr(T::NothingFound)}</p>
                </Show>
                <p class="hint">{tr(T::PaletteHint)}</p>
            </div>
        </Show>
        <Show when=move || help.get()>
            <div class="modal-backdrop" on:click=move |_| help.set(false)></div>
            <div class="modal shortcuts" role="dialog" aria-modal="true" id="shortcuts">
                <h2>{tr(T::KeyboardShortcuts)}</h2>
                <table>
                    {SHORTCUTS.iter().map(|(k, t)| view! { <tr><td><kbd>{*k}</kbd></td><td>{tr(*t)}</td></tr> }).collect_view()}
                </table>
            </div>
        </Show>
    }
}
