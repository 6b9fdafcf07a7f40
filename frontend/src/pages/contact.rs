//! One contact: its facts edited in place (see [`record::CONTACT`]), its company, quick actions
//! (call, email, log a call, add a task), its timeline and its audit trail.

use crate::api;
use crate::custom::CustomInputs;
use crate::i18n::{self, tr, T};
use crate::pages::record::{self, OwnerOf, RecordPage};
use crate::timeline::Timeline;
use crate::ui::{show_problem, toast, DateInput, FieldErrors, FieldProblem};
use crm_domain::access::Entity;
use leptos::prelude::*;
use serde_json::Value;

/// The quick actions of a contact page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quick {
    Call,
    Task,
}

/// Logs a call with the contact, or adds a task about them, in one small form.
#[component]
fn QuickAction(kind: Quick, contact: Who, quick: RwSignal<Option<Quick>>, refresh: RwSignal<u32>) -> impl IntoView {
    let lang = i18n::lang();
    let l = lang.get_untracked();
    let subject = RwSignal::new(match kind {
        Quick::Call => format!("{} {}", i18n::text(l, T::CallWith), contact.name),
        Quick::Task => format!("{} {}", i18n::text(l, T::FollowUpWith), contact.name),
    });
    let outcome = RwSignal::new(String::from("connected"));
    let minutes = RwSignal::new(String::from("5"));
    let due = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    // The activity's or task's own custom fields: a required one is asked for here.
    let custom = CustomInputs::new(match kind {
        Quick::Call => Entity::Activity,
        Quick::Task => Entity::Task,
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (values, missing) = custom.values(lang.get_untracked());
        if !missing.is_empty() {
            errors.set(FieldErrors(missing));
            return;
        }
        let c = contact.clone();
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            let result = match kind {
                Quick::Call => {
                    let body = crm_api_types::ActivityCreate {
                        custom: values,
                        kind: crm_api_types::ActivityKind::Call,
                        direction: Some(crm_api_types::Direction::Outbound),
                        subject: subject.get_untracked(),
                        outcome: Some(outcome.get_untracked()),
                        duration_seconds: minutes.get_untracked().trim().parse::<i64>().ok().map(|m| m * 60),
                        company_id: c.company_id.clone(),
                        contact_ids: vec![c.id.clone()],
                        body: None,
                        occurred_at: None,
                        owner_id: None,
                        deal_id: None,
                        case_id: None,
                        lead_id: None,
                        user_ids: Vec::new(),
                    };
                    api::log_activity(body).await.map(|_| T::CallLogged)
                }
                Quick::Task => {
                    let due_at = i18n::parse_ymd(&due.get_untracked())
                        .and_then(|d| d.and_hms_opt(9, 0, 0))
                        .map(|t| t.and_utc() - chrono::Duration::minutes(i18n::local_offset_minutes()));
                    let body = crm_api_types::TaskCreate {
                        custom: values,
                        title: subject.get_untracked(),
                        due_at,
                        related_type: Some(crm_api_types::RelatedType::Contact),
                        related_id: Some(c.id.clone()),
                        notes: None,
                        reminder_at: None,
                        assignee_id: None,
                        priority: None,
                        status: None,
                    };
                    api::add_task(body).await.map(|_| T::TaskAdded)
                }
            };
            match result {
                Ok(done) => {
                    toast(i18n::text(l, done), false);
                    quick.set(None);
                    refresh.update(|n| *n += 1);
                }
                Err(e) => show_problem(l, e, errors),
            }
        });
    };
    view! {
        <form class="record-form quick-form" id="quick-form" on:submit=submit>
            <div class="field">
                <label for="quick-subject">{tr(if kind == Quick::Call { T::Subject } else { T::TaskTitle })}</label>
                <input id="quick-subject" bind:value=subject autofocus/>
                <FieldProblem errors field=if kind == Quick::Call { "subject" } else { "title" }/>
            </div>
            {(kind == Quick::Call).then(|| view! {
                <div class="field">
                    <label for="quick-outcome">{tr(T::Outcome)}</label>
                    <select id="quick-outcome" on:change=move |ev| outcome.set(event_target_value(&ev))>
                        {OUTCOMES.iter().map(|(v, t)| view! { <option value=*v>{tr(*t)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="quick-minutes">{tr(T::DurationMinutes)}</label>
                    <input id="quick-minutes" class="ltr" inputmode="numeric" bind:value=minutes/>
                </div>
            })}
            {(kind == Quick::Task).then(|| view! {
                <div class="field">
                    <label for="quick-due">{tr(T::DueAt)}</label>
                    <DateInput id="quick-due" value=due/>
                </div>
            })}
            {custom.view(errors)}
            <div class="actions">
                <button type="submit" id="quick-save">{tr(T::Save)}</button>
                <button type="button" class="secondary" on:click=move |_| quick.set(None)>{tr(T::Cancel)}</button>
            </div>
        </form>
    }
}

const OUTCOMES: [(&str, T); 4] = [
    ("connected", T::OutcomeConnected),
    ("no_answer", T::OutcomeNoAnswer),
    ("left_voicemail", T::OutcomeVoicemail),
    ("interested", T::OutcomeInterested),
];

/// Who a quick action is about.
#[derive(Clone)]
struct Who {
    id: String,
    name: String,
    company_id: Option<String>,
}

/// A contact's page: [`record::CONTACT`]'s facts edited in place (emails, phones and tags
/// included; a stale edit shows the other change and reapplies), then its owner, company,
/// quick actions, timeline and audit trail.
#[component]
pub fn ContactPage(id: String) -> impl IntoView {
    view! { <RecordPage spec=&record::CONTACT id extra=|id| view! { <ContactExtras id/> }.into_any()/> }
}

/// What a contact shows below its facts.
#[component]
fn ContactExtras(id: String) -> impl IntoView {
    let shown = use_context::<record::Shown>();
    let quick = RwSignal::new(None::<Quick>);
    let refresh = RwSignal::new(0u32);
    let text = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).map(str::to_owned);
    let first = move |list: &'static str, key: &'static str| {
        shown.and_then(|s| s.current.with(|c| c.as_ref().and_then(|c| c.get(list)?.get(0)?.get(key)?.as_str().map(str::to_owned))))
    };
    // Read once when the form opens: a save above must not reset what is being typed.
    let who = move || {
        shown.and_then(|s| {
            s.current.with_untracked(|c| {
                c.as_ref().map(|c| Who {
                    id: text(c, "id").unwrap_or_default(),
                    name: text(c, "display_name").unwrap_or_default(),
                    company_id: text(c, "company_id"),
                })
            })
        })
    };
    let company = move || shown.and_then(|s| s.current.with(|c| c.as_ref().map(|c| (text(c, "company_id"), text(c, "company_name")))));
    view! {
        <OwnerOf subject="contacts" id=id.clone()/>
        <div class="quick-actions">
            {move || company().map(|c| match c {
                (Some(id), Some(name)) => view! { <a href=format!("/companies/{id}") id="company-link" class="button secondary">{name}</a> }.into_any(),
                _ => ().into_any(),
            })}
            {move || first("phones", "number").map(|n| view! { <a class="button" href=format!("tel:{n}")>{tr(T::Call)}</a> })}
            {move || first("emails", "address").map(|a| view! { <a class="button secondary" href=format!("mailto:{a}")>{tr(T::SendEmail)}</a> })}
            <button id="log-call" class="secondary" on:click=move |_| quick.set(Some(Quick::Call))>{tr(T::LogCall)}</button>
            <button id="add-task" class="secondary" on:click=move |_| quick.set(Some(Quick::Task))>{tr(T::AddTask)}</button>
            <a id="contact-analytics" class="button secondary" href=format!("/contacts/{id}/analytics")>{tr(T::NavAnalytics)}</a>
        </div>
        {move || quick.get().and_then(|q| Some(view! { <QuickAction kind=q contact=who()? quick refresh/> }))}
        <Timeline subject="contacts" id refresh/>
    }
}
