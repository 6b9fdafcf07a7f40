//! The activity feed: what happened across the workspace, newest first — mine, my team's, or
//! everything I may read — with the timeline's filter chips.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::timeline::{item_view, FILTERS};
use crate::ui::Paged;
use crm_api_types::FeedItem;
use leptos::prelude::*;

const SCOPES: [(&str, T); 3] = [("mine", T::FeedMine), ("team", T::FeedTeam), ("all", T::FeedAll)];

fn record_href(f: &FeedItem) -> String {
    let base = match f.subject_type.as_str() {
        "company" => "companies",
        "deal" => "deals",
        "case" => "cases",
        _ => "contacts",
    };
    format!("/{base}/{}", f.subject_id)
}

#[component]
pub fn Feed() -> impl IntoView {
    let lang = i18n::lang();
    let scope = RwSignal::new(0usize);
    let filter = RwSignal::new(0usize);
    let list = Paged::<FeedItem>::new();
    let Paged { items, next, loading, failure, .. } = list;
    let load = move |cursor: Option<String>| {
        let query = format!("scope={}&{}", SCOPES[scope.get_untracked()].0, FILTERS[filter.get_untracked()].1);
        list.load(cursor.clone(), api::feed(query, cursor));
    };
    Effect::new(move || {
        scope.track();
        filter.track();
        load(None);
    });
    let chips = |labels: Vec<T>, chosen: RwSignal<usize>, id: &'static str| {
        view! {
            <div class="chips" role="group" id=id>
                {labels.into_iter().enumerate().map(|(i, label)| view! {
                    <button type="button" class="chip" class:active=move || chosen.get() == i
                        aria-pressed=move || (chosen.get() == i).to_string() on:click=move |_| chosen.set(i)>{tr(label)}</button>
                }).collect_view()}
            </div>
        }
    };
    view! {
        <header class="page-head"><h1>{tr(T::NavFeed)}</h1></header>
        {chips(SCOPES.iter().map(|s| s.1).collect(), scope, "feed-scope")}
        {chips(FILTERS.iter().map(|f| f.0).collect(), filter, "feed-filter")}
        <Show when=move || failure.get().is_some()>
            <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
        </Show>
        <Show when=move || loading.get() && items.with(|i| i.is_empty())>
            <div class="skeleton">{tr(T::Loading)}</div>
        </Show>
        <Show when=move || !loading.get() && failure.get().is_none() && items.with(|i| i.is_empty())>
            <p class="empty" id="feed-empty">{move || if next.with(|n| n.is_some()) { tr(T::TlMore)() } else { tr(T::FeedEmpty)() }}</p>
        </Show>
        <ol class="timeline-items" id="feed-items">
            <For each=move || { lang.track(); items.get() } key=move |f| (f.item.id.clone(), f.subject_id.clone(), lang.get_untracked()) let:f>
                {item_view(lang.get_untracked(), &f.item, None, Some((record_href(&f), f.subject_title.clone())))}
            </For>
        </ol>
        <Show when=move || next.with(|n| n.is_some())>
            <button type="button" class="secondary" id="feed-more" disabled=move || loading.get()
                on:click=move |_| load(next.get_untracked())>{tr(T::TlMore)}</button>
        </Show>
    }
}
