//! One contact: key facts, contact points and the audit trail.

use crate::api;
use crate::format;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let contact = LocalResource::new(move || api::contact(id()));
    let audit = LocalResource::new(move || api::contact_audit(id()));
    view! {
        <p class="crumbs"><A href="/contacts">"← Contacts"</A></p>
        <Suspense fallback=|| view! { <div class="skeleton">"Loading…"</div> }>
            {move || Suspend::new(async move {
                match contact.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(c) => view! {
                        <header class="page-head">
                            <h1 id="contact-name">{c.display_name.clone()}</h1>
                            <span class=format!("stage stage-{}", c.lifecycle_stage.as_str())>{format::stage_label(c.lifecycle_stage)}</span>
                        </header>
                        <section class="facts">
                            <dl>
                                <dt>"Title"</dt><dd>{c.title.clone().unwrap_or_else(|| "—".into())}</dd>
                                <dt>"Company"</dt><dd>{c.company_name.clone().unwrap_or_else(|| "—".into())}</dd>
                                <dt>"Emails"</dt>
                                <dd class="ltr">{c.emails.iter().map(|e| view! { <div><a href=format!("mailto:{}", e.address)>{e.address.clone()}</a>" "<small>{e.label.to_string()}</small></div> }).collect_view()}</dd>
                                <dt>"Phones"</dt>
                                <dd class="ltr">{c.phones.iter().map(|p| view! { <div><a href=format!("tel:{}", p.number)>{format::phone(&p.number)}</a>" "<small>{p.label.to_string()}</small></div> }).collect_view()}</dd>
                                <dt>"Source"</dt><dd>{c.source.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</dd>
                                <dt>"Consent"</dt><dd>{c.consent.to_string()}</dd>
                                <dt>"Tags"</dt><dd>{c.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</dd>
                                <dt>"Created"</dt><dd>{format::date(&c.created_at)}</dd>
                                <dt>"Changed"</dt><dd>{format::date(&c.updated_at)}" · version "{c.version}</dd>
                            </dl>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="history">
            <h2>"History"</h2>
            <Suspense fallback=|| view! { <div class="skeleton">"Loading history…"</div> }>
                {move || Suspend::new(async move {
                    match audit.await {
                        Err(e) => view! { <p class="error">{e.message()}</p> }.into_any(),
                        Ok(p) => view! {
                            <ol class="audit">
                                {p.items.into_iter().rev().map(|e| view! {
                                    <li>
                                        <strong>{e.action.clone()}</strong>" "
                                        <span class="muted">{format::date(&e.at)}" by "{e.actor.name.clone().or(e.actor.id.clone()).unwrap_or_else(|| e.actor.kind.clone())}</span>
                                        <ul>
                                            {e.changes.iter().map(|ch| view! { <li><code>{ch.field.clone()}</code>": "{ch.before.to_string()}" → "{ch.after.to_string()}</li> }).collect_view()}
                                        </ul>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
