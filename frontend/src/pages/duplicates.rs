//! Duplicates, in the second bundle (`/imports/duplicates`, beside the imports they often come
//! from): scan for contacts that look like one person, review each pair side by side with the
//! evidence, pick the values to keep field by field, merge (or merge the selected pairs as
//! proposed), say two records are different people, and undo a merge.

use crate::api::{self, ApiError};
use crate::i18n::{self, tr, Lang, A, T};
use crate::ui::{confirmed, toast};
use crm_api_types::{Contact, DuplicatePair, MergeRequest, MergeSide};
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// The tabs of the queue: status and its name.
const TABS: [(&str, A); 3] = [("open", A::DuOpen), ("dismissed", A::DuDismissed), ("merged", A::DuMerged)];

/// The fields a merge picks, with their labels.
const FIELDS: [(&str, Lbl); 8] = [
    ("first_name", Lbl::T(T::FirstName)),
    ("last_name", Lbl::T(T::LastName)),
    ("title", Lbl::T(T::Title)),
    ("company_id", Lbl::T(T::Company)),
    ("lifecycle_stage", Lbl::T(T::Stage)),
    ("source", Lbl::T(T::SourceLabel)),
    ("consent", Lbl::T(T::ConsentLabel)),
    ("owner_id", Lbl::A(A::DuOwner)),
];

#[derive(Clone, Copy)]
enum Lbl {
    T(T),
    A(A),
}

fn label(lang: Lang, l: Lbl) -> &'static str {
    match l {
        Lbl::T(t) => i18n::text(lang, t),
        Lbl::A(a) => i18n::text(lang, a),
    }
}

/// A field of a contact as the review shows it (empty: none).
fn value(lang: Lang, c: &Contact, field: &str, owners: &BTreeMap<String, String>) -> String {
    match field {
        "first_name" => c.first_name.clone(),
        "last_name" => c.last_name.clone().unwrap_or_default(),
        "title" => c.title.clone().unwrap_or_default(),
        "company_id" => c.company_name.clone().or_else(|| c.company_id.clone()).unwrap_or_default(),
        "lifecycle_stage" => i18n::text(lang, i18n::stage(c.lifecycle_stage)).to_owned(),
        "source" => c.source.map(|s| i18n::text(lang, i18n::source(s)).to_owned()).unwrap_or_default(),
        "consent" => i18n::word(lang, c.consent.as_str()),
        "owner_id" => c.owner_id.as_ref().map(|o| owners.get(o).cloned().unwrap_or_else(|| o.clone())).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Whose value a field keeps unless the reviewer picks: the server's default rules (the
/// survivor's unless it has none; an opt-out on either side; a later stage beats `lead`);
/// the survivor's where both are the same.
fn default_side(survivor: &Contact, other: &Contact, field: &str) -> MergeSide {
    use crm_api_types::{Consent, LifecycleStage};
    let same = match field {
        "first_name" => survivor.first_name == other.first_name,
        "last_name" => survivor.last_name == other.last_name,
        "title" => survivor.title == other.title,
        "company_id" => survivor.company_id == other.company_id,
        "lifecycle_stage" => survivor.lifecycle_stage == other.lifecycle_stage,
        "source" => survivor.source == other.source,
        "consent" => survivor.consent == other.consent,
        "owner_id" => survivor.owner_id == other.owner_id,
        _ => false,
    };
    // The same value on both sides is the survivor's own.
    let theirs = !same
        && match field {
            "last_name" => survivor.last_name.is_none(),
            "title" => survivor.title.is_none(),
            "company_id" => survivor.company_id.is_none(),
            "source" => survivor.source.is_none(),
            "owner_id" => survivor.owner_id.is_none(),
            "lifecycle_stage" => survivor.lifecycle_stage == LifecycleStage::Lead,
            "consent" => {
                survivor.consent == Consent::Unknown || (other.consent == Consent::OptedOut && survivor.consent != Consent::OptedOut)
            }
            _ => false,
        };
    if theirs {
        MergeSide::Other
    } else {
        MergeSide::Survivor
    }
}

fn evidence_label(kind: &str) -> A {
    match kind {
        "email" => A::DuEmail,
        "phone" => A::DuPhone,
        _ => A::DuName,
    }
}

/// `/imports/duplicates`: the review queue.
#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let lang = i18n::lang();
    let status = RwSignal::new("open");
    let search = RwSignal::new(String::new());
    let pairs = RwSignal::new(None::<Vec<DuplicatePair>>);
    let next = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let scanning = RwSignal::new(false);
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let owners = RwSignal::new(BTreeMap::<String, String>::new());
    leptos::task::spawn_local(async move {
        if let Ok(m) = api::members().await {
            owners.set(m.into_iter().map(|m| (m.id, m.name)).collect());
        }
    });
    let load = move |more: bool| {
        let after = if more { next.get_untracked() } else { None };
        if !more {
            selected.set(BTreeSet::new());
        }
        leptos::task::spawn_local(async move {
            match api::duplicates(status.get_untracked(), &search.get_untracked(), after).await {
                Ok(page) => {
                    failure.set(None);
                    next.set(page.next_after);
                    pairs.update(|p| match p {
                        Some(list) if more => list.extend(page.items),
                        _ => *p = Some(page.items),
                    });
                }
                Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
            }
        });
    };
    Effect::new(move || {
        status.track();
        search.track();
        pairs.set(None);
        load(false);
    });
    let reload = Callback::new(move |_| load(false));
    let scan = move |_| {
        scanning.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            match api::scan_duplicates().await {
                Ok(s) => {
                    let said =
                        i18n::text(l, A::DuScanned).replace("{found}", &i18n::number(l, s.found)).replace("{new}", &i18n::number(l, s.new));
                    toast(said, false);
                    if status.get_untracked() == "open" {
                        load(false);
                    } else {
                        status.set("open");
                    }
                }
                Err(e) => toast(e.message(l), true),
            }
            scanning.try_set(false);
        });
    };
    let merge_selected = move |_| {
        if !confirmed(lang.get_untracked(), A::DuConfirmBulk) {
            return;
        }
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            match api::merge_duplicates(ids).await {
                Ok(r) => {
                    let said = i18n::text(l, A::DuBulkSays)
                        .replace("{merged}", &i18n::number(l, r.merged))
                        .replace("{failed}", &i18n::number(l, r.failed));
                    toast(said, r.failed > 0);
                    load(false);
                }
                Err(e) => toast(e.message(l), true),
            }
        });
    };
    view! {
        <header class="page-head">
            <h1>{tr(A::DuTitle)}</h1>
            <div class="actions">
                <a class="button secondary" href="/imports">{tr(A::DuBack)}</a>
                <button id="dup-scan" class="button" on:click=scan disabled=scanning>
                    {move || if scanning.get() { tr(A::DuScanning)() } else { tr(A::DuScan)() }}
                </button>
            </div>
        </header>
        <p class="hint">{tr(A::DuHint)}</p>
        <div class="toolbar">
            <div class="chips" role="tablist" aria-label=tr(A::DuTitle)>
                {TABS.iter().map(|&(s, name)| view! {
                    <button class="chip" role="tab" data-status=s aria-selected=move || (status.get() == s).to_string()
                        class:active=move || status.get() == s on:click=move |_| status.set(s)>{tr(name)}</button>
                }).collect_view()}
            </div>
            <input type="search" id="dup-search" placeholder=tr(A::DuSearch) aria-label=tr(A::DuSearch)
                on:change=move |ev| search.set(event_target_value(&ev))/>
        </div>
        <Show when=move || status.get() == "open" && !selected.with(BTreeSet::is_empty)>
            <div class="bulk-bar" id="dup-bulk">
                <button id="dup-merge-selected" on:click=merge_selected>
                    {move || i18n::text(lang.get(), A::DuMergeSelected).replace("{n}", &i18n::number(lang.get(), selected.with(BTreeSet::len) as i64))}
                </button>
            </div>
        </Show>
        {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        {move || match pairs.get() {
            None => view! { <p class="skeleton">{tr(T::Loading)}</p> }.into_any(),
            Some(list) if list.is_empty() => {
                let empty = if status.get() == "open" && search.with(String::is_empty) { A::DuNoneOpen } else { A::DuNone };
                view! { <div class="empty" id="dup-empty"><p class="hint">{tr(empty)}</p></div> }.into_any()
            }
            Some(list) => view! {
                <div class="dup-list" id="duplicates">
                    {list.into_iter().map(|p| view! { <PairCard pair=p selected owners reload/> }).collect_view()}
                </div>
            }.into_any(),
        }}
        <Show when=move || next.with(Option::is_some)>
            <button class="link-button" on:click=move |_| load(true)>{tr(A::DuMore)}</button>
        </Show>
    }
}

/// One pair: the evidence, both contacts side by side with a choice per field, and what can be
/// done with it in its tab.
#[component]
fn PairCard(
    pair: DuplicatePair,
    selected: RwSignal<BTreeSet<String>>,
    owners: RwSignal<BTreeMap<String, String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let lang = i18n::lang();
    let busy = RwSignal::new(false);
    // Whether the second contact stays instead of the first.
    let swapped = RwSignal::new(false);
    let picks = RwSignal::new(BTreeMap::<String, MergeSide>::new());
    let pair = StoredValue::new(pair);
    let sides = move || {
        let p = pair.get_value();
        if swapped.get() {
            (p.second, p.first)
        } else {
            (p.first, p.second)
        }
    };
    let side_of = move |field: &'static str| {
        picks.with(|m| m.get(field).copied()).unwrap_or_else(|| {
            let (s, o) = sides();
            default_side(&s, &o, field)
        })
    };
    let merge = move |_| {
        let (survivor, other) = sides();
        let values: BTreeMap<String, MergeSide> = FIELDS.iter().map(|(f, _)| ((*f).to_owned(), side_of(f))).collect();
        let body = MergeRequest { other_id: other.id.clone(), other_version: Some(other.version), values };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            match api::merge_contact(&survivor.id, &body).await {
                Ok(m) => {
                    let v = &m.moved;
                    let n = v.deals + v.activities + v.orders + v.cases + v.leads + v.tasks + v.inbound_events + v.followers + v.segments;
                    toast(i18n::text(l, A::DuMergedSays).replace("{n}", &i18n::number(l, n)), false);
                    reload.run(());
                }
                Err(e) => {
                    // Changed or gone meanwhile: show the pair as it is now.
                    toast(e.message(l), true);
                    reload.run(());
                }
            }
            busy.try_set(false);
        });
    };
    let decide = move |dismiss: bool| {
        let id = pair.with_value(|p| p.id.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::decide_duplicate(&id, dismiss).await {
                Ok(_) => reload.run(()),
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
            busy.try_set(false);
        });
    };
    let undo = move |_| {
        let Some(merge_id) = pair.with_value(|p| p.merge_id.clone()) else { return };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            let mut done = api::undo_merge(&merge_id, false).await;
            if matches!(&done, Err(ApiError::Problem(p)) if p.code == "changed_since") && confirmed(l, A::DuForce) {
                done = api::undo_merge(&merge_id, true).await;
            }
            match done {
                Ok(_) => {
                    toast(i18n::text(l, A::DuUndoneSays), false);
                    reload.run(());
                }
                Err(ApiError::Problem(p)) if p.code == "changed_since" => {}
                Err(e) => toast(e.message(l), true),
            }
            busy.try_set(false);
        });
    };
    let (id, status) = pair.with_value(|p| (p.id.clone(), p.status.clone()));
    let open = status == "open";
    let evidence = pair.with_value(|p| p.evidence.clone());
    let check_id = id.clone();
    let card_id = id.clone();
    let person = move |c: &Contact| {
        let l = lang.get();
        let emails: Vec<String> = c.emails.iter().map(|e| e.address.clone()).collect();
        let phones: Vec<String> = c.phones.iter().map(|p| p.number.clone()).collect();
        view! {
            <a href=format!("/contacts/{}", c.id)>{c.display_name.clone()}</a>
            <span class="hint ltr-text">{emails.join(", ")}</span>
            <span class="hint ltr-text">{phones.join(", ")}</span>
            <span class="hint">{c.tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ")}</span>
            <span class="hint">{i18n::text(l, T::Created)}" "{i18n::date_time(l, &c.created_at)}</span>
        }
    };
    view! {
        <article class="dup-pair panel" data-pair=card_id>
            <div class="dup-head">
                {open.then(|| view! {
                    <label class="check"><input type="checkbox" class="dup-select" aria-label=tr(A::DuSelect)
                        prop:checked=move || selected.with(|s| s.contains(&check_id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let id = id.clone();
                            selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                        }/></label>
                })}
                <div class="chips dup-evidence">
                    {evidence.into_iter().map(|e| view! {
                        <span class="chip" data-kind=e.kind.clone()>{tr(evidence_label(&e.kind))}": "<bdi class="ltr-text">{e.value}</bdi></span>
                    }).collect_view()}
                </div>
            </div>
            <div class="dup-grid">
                <div class="dup-cell dup-label"></div>
                <div class="dup-cell dup-who"><strong>{move || if open { tr(A::DuKeeps)() } else { "" }}</strong>{move || person(&sides().0)}</div>
                <div class="dup-cell dup-who"><strong>{move || if open { tr(A::DuGoes)() } else { "" }}</strong>{move || person(&sides().1)}</div>
                {FIELDS.iter().map(|&(field, name)| {
                    let cell = move |side: MergeSide| {
                        let l = lang.get();
                        let (s, o) = sides();
                        // Nothing to choose where both hold the same value.
                        let choice = open && owners.with(|ow| value(l, &s, field, ow) != value(l, &o, field, ow));
                        let c = if side == MergeSide::Survivor { s } else { o };
                        let shown = owners.with(|ow| value(l, &c, field, ow));
                        let name = format!("{}-{}", pair.with_value(|p| p.id.clone()), field);
                        view! {
                            <label class="dup-cell dup-value" class:differs=choice class:picked=move || choice && side_of(field) == side>
                                {choice.then(|| view! {
                                    <input type="radio" name=name data-field=field data-side=if side == MergeSide::Survivor { "survivor" } else { "other" }
                                        prop:checked=move || side_of(field) == side
                                        on:change=move |_| picks.update(|m| { m.insert(field.to_owned(), side); })/>
                                })}
                                <span>{if shown.is_empty() { "—".to_owned() } else { shown }}</span>
                            </label>
                        }
                    };
                    view! {
                        <div class="dup-cell dup-label">{move || label(lang.get(), name)}</div>
                        {move || cell(MergeSide::Survivor)}
                        {move || cell(MergeSide::Other)}
                    }
                }).collect_view()}
                <div class="dup-cell dup-label">{tr(T::Emails)}", "{tr(T::Phones)}", "{tr(T::Tags)}</div>
                <div class="dup-cell dup-both">{tr(A::DuBoth)}</div>
            </div>
            <div class="row-actions">
                {match status.as_str() {
                    "open" => view! {
                        <button class="button dup-merge" on:click=merge disabled=busy>{tr(A::DuMerge)}</button>
                        <button class="dup-swap" on:click=move |_| { swapped.update(|s| *s = !*s); picks.set(BTreeMap::new()); } disabled=busy>{tr(A::DuSwap)}</button>
                        <button class="dup-dismiss" on:click=move |_| decide(true) disabled=busy>{tr(A::DuNotSame)}</button>
                    }.into_any(),
                    "dismissed" => view! {
                        <button class="dup-reopen" on:click=move |_| decide(false) disabled=busy>{tr(A::DuReopen)}</button>
                    }.into_any(),
                    _ => view! {
                        <button class="dup-undo" on:click=undo disabled=busy>{tr(A::DuUndo)}</button>
                    }.into_any(),
                }}
            </div>
        </article>
    }
}
