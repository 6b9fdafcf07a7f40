//! One deal: key facts edited in place, line items, the stages it went through (how long in
//! each), its timeline and its history of changes.

use crate::api::{self, ApiError};
use crate::i18n::{self, tr, Lang, T};
use crate::lines::{LineEditor, Lines};
use crate::pages::record::{self, RecordPage};
use crate::timeline::Timeline;
use crate::ui::{show_problem, toast, FieldErrors, HandOver};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// How long a stay lasted, in days (or hours when under a day).
fn stay(lang: Lang, from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> String {
    let end = until.unwrap_or_else(|| DateTime::from_timestamp_millis(crate::ui::js_now()).unwrap_or(from));
    let hours = (end - from).num_hours().max(0);
    let s = if hours >= 24 {
        format!("{} {}", hours / 24, i18n::text(lang, T::DaysShort))
    } else {
        format!("{hours} {}", i18n::text(lang, T::HoursShort))
    };
    i18n::digits(lang, &s)
}

/// A deal's page: [`record::DEAL`]'s facts edited in place (a stale edit shows the other change
/// and reapplies), then its owner, company, contacts and tags, line items, the stages it went
/// through, its timeline and its audit trail.
#[component]
pub fn DealPage(id: String) -> impl IntoView {
    view! { <RecordPage spec=&record::DEAL id extra=|id| view! { <DealExtras id/> }.into_any()/> }
}

/// What a deal shows below its facts.
#[component]
fn DealExtras(id: String) -> impl IntoView {
    let lang = i18n::lang();
    let id = StoredValue::new(id);
    let id = move || id.get_value();
    let deal = LocalResource::new(move || api::deal(id()));
    let visits = LocalResource::new(move || api::deal_history(id()));
    let dash = || "—".to_owned();
    // The lines are edited in place and saved with the deal's version (from the facts above);
    // a stale save shows the other change above and keeps my lines for another save.
    let shown = use_context::<record::Shown>();
    let lines = Lines::new();
    let editing = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let line_errors = RwSignal::new(FieldErrors::default());
    let save_lines = move || {
        let Some(shown) = shown else { return };
        let version = shown.current.with_untracked(|c| c.as_ref().map(record::version_of)).unwrap_or_default();
        let body = serde_json::json!({ "line_items": lines.inputs() });
        saving.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            let result = api::patch_raw("/api/v1/deals", &id(), version, body).await;
            saving.set(false);
            match result {
                Ok(v) => {
                    shown.show(v);
                    line_errors.set(FieldErrors::default());
                    editing.set(false);
                    deal.refetch();
                    toast(i18n::text(l, T::Saved), false);
                }
                Err(ApiError::Problem(p)) if p.status == 412 => {
                    if let Ok(latest) = api::get_raw("/api/v1/deals", &id()).await {
                        shown.current.set(Some(latest));
                    }
                    shown.audit.update(|n| *n += 1);
                    toast(i18n::text(l, T::LinesConflict), true);
                }
                Err(e) => show_problem(l, e, line_errors),
            }
        });
    };
    view! {
        {move || {
                let l = lang.get();
                let Some(result) = deal.get() else { return view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any() };
                match result {
                    Err(e) => view! { <p class="error" role="alert">{e.message(l)}</p> }.into_any(),
                    Ok(d) => { let saved_lines = StoredValue::new(d.line_items.clone()); view! {
                        <section class="facts">
                            <dl>
                                <dt>{tr(T::Owner)}</dt>
                                <dd><HandOver subject="deals" id=d.id.clone() owner=d.owner_id.clone() done=move || deal.refetch()/></dd>
                                <dt>{tr(T::Company)}</dt>
                                <dd>{match (d.company_id.clone(), d.company_name.clone()) {
                                    (Some(id), Some(name)) => view! { <a href=format!("/companies/{id}")>{name}</a> }.into_any(),
                                    _ => dash().into_any(),
                                }}</dd>
                                <dt>{tr(T::ContactsColumn)}</dt>
                                <dd>{d.contacts.iter().map(|c| view! {
                                    <div><a href=format!("/contacts/{}", c.contact_id)>{tr(T::Open)}</a>" "<small class="muted">{c.role.clone().unwrap_or_default()}</small></div>
                                }).collect_view()}</dd>
                                <dt>{tr(T::Tags)}</dt><dd>{d.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</dd>
                            </dl>
                        </section>
                        <section class="panel" id="deal-lines">
                            <header class="panel-head">
                                <h2>{tr(T::LineItems)}</h2>
                                <Show when=move || !editing.get()>
                                    <button type="button" class="secondary" id="edit-lines" disabled=move || shown.is_none() on:click=move |_| {
                                        saved_lines.with_value(|items| lines.load(items));
                                        line_errors.set(FieldErrors::default());
                                        editing.set(true);
                                    }>{tr(T::EditLines)}</button>
                                </Show>
                            </header>
                            {if editing.get() {
                                let currency = d.currency.clone();
                                view! {
                                    <LineEditor id="deal-line-editor" lines currency=Signal::derive(move || currency.clone()) errors=line_errors/>
                                    <div class="actions">
                                        <button type="button" id="save-lines" disabled=move || saving.get() on:click=move |_| save_lines()>
                                            {move || i18n::text(lang.get(), if saving.get() { T::Saving } else { T::Save })}
                                        </button>
                                        <button type="button" class="secondary" on:click=move |_| editing.set(false)>{tr(T::Cancel)}</button>
                                    </div>
                                }.into_any()
                            } else if d.line_items.is_empty() {
                                view! { <p class="empty">{tr(T::NoLineItems)}</p> }.into_any()
                            } else {
                                view! {
                                    <table class="list">
                                        <thead><tr><th>{tr(T::Name)}</th><th>{tr(T::Quantity)}</th><th>{tr(T::UnitPrice)}</th><th>{tr(T::Discount)}</th><th>{tr(T::Total)}</th></tr></thead>
                                        <tbody>{d.line_items.iter().map(|li| view! {
                                            <tr class="deal-line">
                                                <td>{li.name.clone()}</td>
                                                <td>{i18n::digits(l, &li.quantity)}</td>
                                                <td>{i18n::money_str(l, &li.unit_price, &d.currency)}</td>
                                                <td>{i18n::digits(l, &format!("{}%", li.discount_percent))}</td>
                                                <td>{i18n::money_str(l, &li.total, &d.currency)}</td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table>
                                }.into_any()
                            }}
                        </section>
                    }.into_any() }
                }
            }}
        <section class="panel" id="stage-history">
            <h2>{tr(T::StageHistory)}</h2>
            {move || {
                    let l = lang.get();
                    let Some(result) = visits.get() else { return view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any() };
                    match result {
                        Err(e) => view! { <p class="error">{e.message(l)}</p> }.into_any(),
                        Ok(vs) => view! {
                            <ol class="stages">
                                {vs.into_iter().map(|v| view! {
                                    <li class:current=v.left_at.is_none()>
                                        <strong>{v.stage_name.clone().unwrap_or_default()}</strong>" "
                                        <span class="muted">{i18n::date_time(l, &v.entered_at)}" · "{stay(l, v.entered_at, v.left_at)}</span>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                    }
                }}
        </section>
        {move || {
            // Emails from a deal go to its first contact.
            let recipient = Signal::derive(move || deal.get().and_then(|d| d.ok()).and_then(|d| d.contacts.first().map(|c| c.contact_id.clone())));
            view! { <Timeline subject="deals" id=id() recipient/> }
        }}
    }
}
