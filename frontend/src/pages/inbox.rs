//! The inbox: @mentions, assignments, changes to followed records, task reminders and SLA
//! warnings, newest first.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::ui::toast;
use crm_api_types::Notification;
use leptos::prelude::*;

/// The unread count shown on the bell, shared by the navigation and the inbox.
#[derive(Clone, Copy)]
pub struct Unread(pub RwSignal<i64>);

/// Asks the server for the unread count.
pub fn refresh_unread() {
    let Some(Unread(count)) = use_context::<Unread>() else { return };
    leptos::task::spawn_local(async move {
        if let Ok(u) = api::unread_count().await {
            count.try_set(u.unread);
        }
    });
}

/// Where a notification's record is shown.
fn href(n: &Notification) -> String {
    match n.subject_type.as_str() {
        "contact" => format!("/contacts/{}", n.subject_id),
        "company" => format!("/companies/{}", n.subject_id),
        "deal" => format!("/deals/{}", n.subject_id),
        "case" => format!("/cases/{}", n.subject_id),
        "lead" => "/leads".to_owned(),
        _ => "/tasks".to_owned(),
    }
}

pub fn why(n: &Notification) -> T {
    match n.kind.as_str() {
        "mentioned" => T::NMentioned,
        "assigned" => T::NAssigned,
        "task_due" => T::NTaskDue,
        "sla_response_due" => T::NSlaResponse,
        "sla_resolution_due" => T::NSlaResolution,
        _ => T::NFollowed,
    }
}

#[component]
pub fn Inbox() -> impl IntoView {
    let lang = i18n::lang();
    let items = RwSignal::new(Vec::<Notification>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let unread = use_context::<Unread>().map(|u| u.0);
    let load = move |cursor: Option<String>| {
        loading.set(true);
        leptos::task::spawn_local(async move {
            let result = api::notifications(cursor.clone()).await;
            loading.try_set(false);
            match result {
                Ok(p) => {
                    if cursor.is_some() {
                        items.try_update(|i| i.extend(p.items));
                    } else {
                        items.try_set(p.items);
                    }
                    next.try_set(p.next_cursor);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    load(None);
    let mark = move |ids: Vec<String>| {
        leptos::task::spawn_local(async move {
            let all = ids.is_empty();
            match api::mark_read(ids.clone()).await {
                Ok(r) => {
                    let now = chrono::DateTime::from_timestamp_millis(crate::ui::js_now()).unwrap_or_default();
                    items.try_update(|list| {
                        for n in list.iter_mut().filter(|n| all || ids.contains(&n.id)) {
                            n.read_at.get_or_insert(now);
                        }
                    });
                    if let Some(u) = unread {
                        u.try_set(r.unread);
                    }
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    view! {
        <header class="page-head">
            <h1>{tr(T::Inbox)}</h1>
            <button id="mark-all-read" class="secondary" on:click=move |_| mark(Vec::new())
                disabled=move || items.with(|i| i.iter().all(|n| n.read_at.is_some()))>{tr(T::MarkAllRead)}</button>
        </header>
        <Show when=move || loading.get() && items.with(|i| i.is_empty())>
            <div class="skeleton">{tr(T::Loading)}</div>
        </Show>
        <Show when=move || !loading.get() && items.with(|i| i.is_empty())>
            <p class="empty">{tr(T::InboxEmpty)}</p>
        </Show>
        <ul class="inbox" id="inbox">
            <For each=move || { lang.track(); items.get() } key=move |n| (n.id.clone(), n.read_at.is_some(), lang.get_untracked()) let:n>
                {
                    let l = lang.get_untracked();
                    let id = n.id.clone();
                    let unread_now = n.read_at.is_none();
                    let who = n.actor.name.clone().unwrap_or_else(|| n.actor.kind.clone());
                    view! {
                        <li class:unread=unread_now data-kind=n.kind.clone()>
                            <span class="badge">{i18n::text(l, why(&n))}</span>" "
                            <a href=href(&n) on:click=move |_| if unread_now { mark(vec![id.clone()]) }>{n.title.clone()}</a>
                            {n.detail.clone().map(|d| view! { <span class="muted">" · "{d}</span> })}
                            <small class="muted">" · "{who}" · "{i18n::date_time(l, &n.at)}</small>
                        </li>
                    }
                }
            </For>
        </ul>
        <Show when=move || next.with(|n| n.is_some())>
            <button class="secondary" on:click=move |_| load(next.get_untracked())>{tr(T::TlMore)}</button>
        </Show>
    }
}
