//! One company: its facts edited in place, its owner, and its related records (contacts, deals,
//! cases, orders), each the newest twenty with the total, and its timeline.

use crate::api;
use crate::i18n::{self, tr, Lang, T};
use crate::pages::record::{self, OwnerOf, RecordPage};
use crate::timeline::Timeline;
use leptos::prelude::*;
use serde_json::Value;

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn money(lang: Lang, v: &Value, k: &str) -> String {
    v.get(k).and_then(|m| Some(i18n::money_str(lang, m.get("amount")?.as_str()?, m.get("currency")?.as_str()?))).unwrap_or_default()
}

/// One related list: fetched by `company_id`, drawn by `row`.
#[component]
fn Related(
    title: T,
    id_attr: &'static str,
    path: &'static str,
    sort: &'static str,
    company: String,
    row: fn(Lang, &Value) -> AnyView,
) -> impl IntoView {
    let lang = i18n::lang();
    let page = LocalResource::new(move || {
        let params = vec![
            ("company_id".to_owned(), company.clone()),
            ("limit".to_owned(), "20".to_owned()),
            ("include_total".to_owned(), "true".to_owned()),
            ("sort".to_owned(), sort.to_owned()),
        ];
        api::list_raw(path, params)
    });
    view! {
        <section class="panel related" id=id_attr>
            {move || {
                    let l = lang.get();
                    let Some(result) = page.get() else { return view! { <h2>{tr(title)}</h2><div class="skeleton">{tr(T::Loading)}</div> }.into_any() };
                    match result {
                        Err(e) => view! { <h2>{tr(title)}</h2><p class="error">{e.message(l)}</p> }.into_any(),
                        Ok(p) => {
                            let total = p.total.unwrap_or(p.items.len() as i64);
                            view! {
                                <h2>{tr(title)}" "<span class="muted">{i18n::number(l, total)}</span></h2>
                                {if p.items.is_empty() {
                                    view! { <p class="empty">{tr(T::NothingHere)}</p> }.into_any()
                                } else {
                                    view! { <ul>{p.items.iter().map(|v| view! { <li>{row(l, v)}</li> }).collect_view()}</ul> }.into_any()
                                }}
                            }.into_any()
                        }
                    }
                }}
        </section>
    }
}

/// A company's page: [`record::COMPANY`]'s facts edited in place (contact points and tags
/// included), then its owner, related records, timeline and audit trail.
#[component]
pub fn CompanyPage(id: String) -> impl IntoView {
    view! { <RecordPage spec=&record::COMPANY id extra=|id| view! { <CompanyExtras id/> }.into_any()/> }
}

/// What a company shows below its facts.
#[component]
fn CompanyExtras(id: String) -> impl IntoView {
    view! {
        <OwnerOf subject="companies" id=id.clone()/>
        <div class="related-grid">
            <Related title=T::ContactsColumn id_attr="related-contacts" path="/api/v1/contacts" sort="name" company=id.clone()
                row=|_, v| {
                    let (href, name, title) = (format!("/contacts/{}", s(v, "id")), s(v, "display_name").to_owned(), s(v, "title").to_owned());
                    view! { <a href=href>{name}</a>" "<span class="muted">{title}</span> }.into_any()
                }/>
            <Related title=T::Deals id_attr="related-deals" path="/api/v1/deals" sort="-updated_at" company=id.clone()
                row=|l, v| {
                    let (href, name) = (format!("/deals/{}", s(v, "id")), s(v, "name").to_owned());
                    let (amount, status) = (money(l, v, "amount"), i18n::word(l, s(v, "status")));
                    view! { <a href=href>{name}</a>" "<span class="card-amount">{amount}</span>" "<span class="badge">{status}</span> }.into_any()
                }/>
            <Related title=T::Cases id_attr="related-cases" path="/api/v1/cases" sort="-created_at" company=id.clone()
                row=|l, v| {
                    let href = format!("/cases/{}", s(v, "id"));
                    let label = format!("{} {}", i18n::digits(l, &format!("#{}", v.get("number").and_then(Value::as_i64).unwrap_or_default())), s(v, "subject"));
                    let status = i18n::word(l, s(v, "status"));
                    view! { <a href=href>{label}</a>" "<span class="badge">{status}</span> }.into_any()
                }/>
            <Related title=T::Orders id_attr="related-orders" path="/api/v1/orders" sort="-ordered_at" company=id.clone()
                row=|l, v| view! {
                    <span>{i18n::digits(l, &format!("#{}", v.get("number").and_then(Value::as_i64).unwrap_or_default()))}</span>" "
                    <span class="card-amount">{money(l, v, "total")}</span>" "
                    <span class="muted">{v.get("ordered_at").and_then(Value::as_str).and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map(|t| i18n::date_time(l, &t.with_timezone(&chrono::Utc))).unwrap_or_default()}</span>
                }.into_any()/>
        </div>
        <Timeline subject="companies" id/>
    }
}
