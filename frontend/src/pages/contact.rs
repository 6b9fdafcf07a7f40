//! One contact: key facts, contact points and the audit trail.

use crate::api;
use crate::i18n::{self, tr, T};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ContactPage() -> impl IntoView {
    let lang = i18n::lang();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let contact = LocalResource::new(move || api::contact(id()));
    let audit = LocalResource::new(move || api::contact_audit(id()));
    let dash = || "—".to_owned();
    view! {
        <p class="crumbs"><A href="/contacts">{tr(T::BackToContacts)}</A></p>
        <Suspense fallback=|| view! { <div class="skeleton">{tr(T::Loading)}</div> }>
            {move || Suspend::new(async move {
                let l = lang.get();
                match contact.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message(l)}</p> }.into_any(),
                    Ok(c) => view! {
                        <header class="page-head">
                            <h1 id="contact-name">{c.display_name.clone()}</h1>
                            <span class=format!("stage stage-{}", c.lifecycle_stage.as_str())>{tr(i18n::stage(c.lifecycle_stage))}</span>
                        </header>
                        <section class="facts">
                            <dl>
                                <dt>{tr(T::Title)}</dt><dd>{c.title.clone().unwrap_or_else(dash)}</dd>
                                <dt>{tr(T::Company)}</dt><dd>{c.company_name.clone().unwrap_or_else(dash)}</dd>
                                <dt>{tr(T::Emails)}</dt>
                                <dd>{c.emails.iter().map(|e| view! {
                                    <div><a class="ltr" href=format!("mailto:{}", e.address)>{e.address.clone()}</a>" "<small>{tr(i18n::email_label(e.label))}</small></div>
                                }).collect_view()}</dd>
                                <dt>{tr(T::Phones)}</dt>
                                <dd>{c.phones.iter().map(|p| view! {
                                    <div><a class="ltr" href=format!("tel:{}", p.number)>{i18n::phone(l, &p.number)}</a>" "<small>{tr(i18n::phone_label(p.label))}</small></div>
                                }).collect_view()}</dd>
                                <dt>{tr(T::SourceLabel)}</dt><dd>{c.source.map(|s| i18n::text(l, i18n::source(s)).to_owned()).unwrap_or_else(dash)}</dd>
                                <dt>{tr(T::ConsentLabel)}</dt><dd>{tr(i18n::consent(c.consent))}</dd>
                                <dt>{tr(T::Tags)}</dt><dd>{c.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</dd>
                                <dt>{tr(T::Created)}</dt><dd id="created-at">{i18n::date_time(l, &c.created_at)}</dd>
                                <dt>{tr(T::Changed)}</dt><dd>{i18n::date_time(l, &c.updated_at)}" · "{i18n::count(l, T::Version, c.version)}</dd>
                            </dl>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="history">
            <h2>{tr(T::History)}</h2>
            <Suspense fallback=|| view! { <div class="skeleton">{tr(T::LoadingHistory)}</div> }>
                {move || Suspend::new(async move {
                    let l = lang.get();
                    match audit.await {
                        Err(e) => view! { <p class="error">{e.message(l)}</p> }.into_any(),
                        Ok(p) => view! {
                            <ol class="audit">
                                {p.items.into_iter().rev().map(|e| {
                                    let action = i18n::action(&e.action).map(|a| i18n::text(l, a).to_owned()).unwrap_or_else(|| e.action.clone());
                                    let who = e.actor.name.clone().or(e.actor.id.clone()).unwrap_or_else(|| e.actor.kind.clone());
                                    view! {
                                        <li>
                                            <strong>{action}</strong>" "
                                            <span class="muted">{i18n::date_time(l, &e.at)}" "{tr(T::By)}" "{who}</span>
                                            <ul>
                                                {e.changes.iter().map(|ch| view! { <li><code>{ch.field.clone()}</code>": "<span class="ltr">{ch.before.to_string()}" → "{ch.after.to_string()}</span></li> }).collect_view()}
                                            </ul>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
