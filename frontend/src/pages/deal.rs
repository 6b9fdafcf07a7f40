//! One deal: key facts edited in place, line items, the stages it went through (how long in
//! each), its timeline and its history of changes.

use crate::api;
use crate::i18n::{self, tr, Lang, T};
use crate::pages::record::{self, RecordPage};
use crate::timeline::Timeline;
use crate::ui::HandOver;
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
    view! {
        {move || {
                let l = lang.get();
                let Some(result) = deal.get() else { return view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any() };
                match result {
                    Err(e) => view! { <p class="error" role="alert">{e.message(l)}</p> }.into_any(),
                    Ok(d) => view! {
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
                        {(!d.line_items.is_empty()).then(|| view! {
                            <section class="panel">
                                <h2>{tr(T::LineItems)}</h2>
                                <table class="list" id="deal-lines">
                                    <thead><tr><th>{tr(T::Name)}</th><th>{tr(T::Quantity)}</th><th>{tr(T::UnitPrice)}</th><th>{tr(T::Discount)}</th><th>{tr(T::Total)}</th></tr></thead>
                                    <tbody>{d.line_items.iter().map(|li| view! {
                                        <tr>
                                            <td>{li.name.clone()}</td>
                                            <td>{i18n::digits(l, &li.quantity)}</td>
                                            <td>{i18n::money_str(l, &li.unit_price, &d.currency)}</td>
                                            <td>{i18n::digits(l, &format!("{}%", li.discount_percent))}</td>
                                            <td>{i18n::money_str(l, &li.total, &d.currency)}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table>
                            </section>
                        })}
                    }.into_any(),
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
