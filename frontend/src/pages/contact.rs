//! One contact: key facts edited in place, contact points, quick actions and the audit
//! trail. A stale edit (412) shows what the other person changed and offers to apply ours
//! on top of theirs.

use crate::api::{self, ApiError};
use crate::i18n::{self, tr, Lang, T};
use crate::timeline::Timeline;
use crate::ui::{field_message, show_problem, toast, AuditTrail, ConflictPanel, DateInput, FieldErrors, FieldProblem, HandOver};
use crm_api_types::{Contact, ContactPatch, LifecycleStage};
use leptos::prelude::*;

/// A field of a contact that can be edited in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    FirstName,
    LastName,
    Title,
    Stage,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Title => "title",
            Field::Stage => "lifecycle_stage",
        }
    }

    fn label(self) -> T {
        match self {
            Field::FirstName => T::FirstName,
            Field::LastName => T::LastName,
            Field::Title => T::Title,
            Field::Stage => T::Stage,
        }
    }

    fn value(self, c: &Contact) -> String {
        match self {
            Field::FirstName => c.first_name.clone(),
            Field::LastName => c.last_name.clone().unwrap_or_default(),
            Field::Title => c.title.clone().unwrap_or_default(),
            Field::Stage => c.lifecycle_stage.as_str().to_owned(),
        }
    }

    fn shown(self, lang: Lang, c: &Contact) -> String {
        match self {
            Field::Stage => i18n::text(lang, i18n::stage(c.lifecycle_stage)).to_owned(),
            _ => self.value(c),
        }
    }

    fn patch(self, v: &str) -> ContactPatch {
        let v = v.trim().to_owned();
        let cleared = if v.is_empty() { None } else { Some(v.clone()) };
        match self {
            Field::FirstName => ContactPatch { first_name: Some(v), ..Default::default() },
            Field::LastName => ContactPatch { last_name: Some(cleared), ..Default::default() },
            Field::Title => ContactPatch { title: Some(cleared), ..Default::default() },
            Field::Stage => ContactPatch { lifecycle_stage: LifecycleStage::parse(&v), ..Default::default() },
        }
    }
}

const EDITABLE: [Field; 4] = [Field::FirstName, Field::LastName, Field::Title, Field::Stage];

/// An edit the server refused because someone else saved first.
#[derive(Debug, Clone)]
struct Conflict {
    field: Field,
    mine: String,
    /// What changed between the version we edited and the latest, per field: before, after.
    theirs: Vec<(Field, String, String)>,
    latest: Contact,
}

/// The quick actions of a contact page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quick {
    Call,
    Task,
}

/// Logs a call with the contact, or adds a task about them, in one small form.
#[component]
fn QuickAction(kind: Quick, contact: Contact, quick: RwSignal<Option<Quick>>, refresh: RwSignal<u32>) -> impl IntoView {
    let lang = i18n::lang();
    let l = lang.get_untracked();
    let subject = RwSignal::new(match kind {
        Quick::Call => format!("{} {}", i18n::text(l, T::CallWith), contact.display_name),
        Quick::Task => format!("{} {}", i18n::text(l, T::FollowUpWith), contact.display_name),
    });
    let outcome = RwSignal::new(String::from("connected"));
    let minutes = RwSignal::new(String::from("5"));
    let due = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = contact.clone();
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            let result = match kind {
                Quick::Call => {
                    let body = crm_api_types::ActivityCreate {
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

#[component]
pub fn ContactPage(id: String) -> impl IntoView {
    let lang = i18n::lang();
    let id = StoredValue::new(id);
    let id = move || id.get_value();
    let loaded = LocalResource::new(move || api::contact(id()));
    let audit = RwSignal::new(0u32);
    let current = RwSignal::new(None::<Contact>);
    let failure = RwSignal::new(None::<String>);
    Effect::new(move || match loaded.get() {
        Some(Ok(c)) => current.set(Some(c)),
        Some(Err(e)) => failure.set(Some(e.message(lang.get_untracked()))),
        None => {}
    });
    let editing = RwSignal::new(None::<Field>);
    let draft = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let conflict = RwSignal::new(None::<Conflict>);
    // One save at a time: Enter and the blur that follows must not send the edit twice.
    let saving = RwSignal::new(false);
    let quick = RwSignal::new(None::<Quick>);
    let refresh = RwSignal::new(0u32);

    // Sends one field at the version we hold; a 412 turns into a conflict to resolve.
    let save = move |field: Field, value: String, base: Contact| {
        saving.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            let result = api::patch_contact(base.id.clone(), base.version, field.patch(&value)).await;
            saving.set(false);
            match result {
                Ok(c) => {
                    current.set(Some(c));
                    editing.set(None);
                    conflict.set(None);
                    errors.set(FieldErrors::default());
                    audit.update(|n| *n += 1);
                    toast(i18n::text(l, T::Saved), false);
                }
                Err(ApiError::Problem(p)) if p.status == 412 => match api::contact(base.id.clone()).await {
                    Ok(latest) => {
                        let theirs = EDITABLE
                            .iter()
                            .filter(|f| f.value(&base) != f.value(&latest))
                            .map(|f| (*f, f.shown(l, &base), f.shown(l, &latest)))
                            .collect();
                        conflict.set(Some(Conflict { field, mine: value, theirs, latest }));
                    }
                    Err(e) => toast(e.message(l), true),
                },
                Err(e) => show_problem(l, e, errors),
            }
        });
    };
    let commit = move || {
        let (Some(field), Some(c)) = (editing.get_untracked(), current.get_untracked()) else { return };
        if saving.get_untracked() || conflict.with_untracked(|c| c.is_some()) {
            return;
        }
        let value = draft.get_untracked();
        if value.trim() == field.value(&c) {
            editing.set(None);
            return;
        }
        save(field, value, c);
    };
    let start = move |field: Field| {
        if let Some(c) = current.get_untracked() {
            errors.set(FieldErrors::default());
            draft.set(field.value(&c));
            editing.set(Some(field));
        }
    };
    let dash = || "—".to_owned();

    let fact = move |field: Field| {
        let editor = move || {
            if field == Field::Stage {
                view! {
                    <select id=format!("edit-{}", field.key()) class="inline-input"
                        on:change=move |ev| { draft.set(event_target_value(&ev)); commit(); }
                        on:keydown=move |ev| if ev.key() == "Escape" { editing.set(None) }>
                        {LifecycleStage::ALL.iter().map(|s| view! {
                            <option value=s.as_str() selected=move || draft.get() == s.as_str()>{tr(i18n::stage(*s))}</option>
                        }).collect_view()}
                    </select>
                }
                .into_any()
            } else {
                view! {
                    <input id=format!("edit-{}", field.key()) class="inline-input" bind:value=draft autofocus
                        on:keydown=move |ev| match ev.key().as_str() {
                            "Enter" => commit(),
                            "Escape" => editing.set(None),
                            _ => {}
                        }
                        on:blur=move |_| commit()/>
                }
                .into_any()
            }
        };
        view! {
            <dt>{tr(field.label())}</dt>
            <dd class="editable">
                <Show
                    when=move || editing.get() == Some(field)
                    fallback=move || view! {
                        <button class="inline-value" id=format!("field-{}", field.key()) title=tr(T::ClickToEdit)
                            on:click=move |_| start(field)>
                            {move || current.with(|c| c.as_ref().map(|c| field.shown(lang.get(), c)).filter(|s| !s.is_empty()).unwrap_or_else(dash))}
                        </button>
                    }
                >
                    {editor()}
                </Show>
                <Show when=move || errors.with(|e| e.of(field.key()).is_some())>
                    <p class="field-error" role="alert">{move || errors.with(|e| e.of(field.key()).map(|x| field_message(lang.get(), x)).unwrap_or_default())}</p>
                </Show>
            </dd>
        }
    };

    view! {
        <p class="crumbs"><a href="/contacts">{tr(T::BackToContacts)}</a></p>
        <Show when=move || failure.get().is_some()>
            <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
        </Show>
        <Show when=move || current.with(|c| c.is_none()) && failure.with(|f| f.is_none())>
            <div class="skeleton">{tr(T::Loading)}</div>
        </Show>
        {move || conflict.get().map(|c| {
            let (field, mine, latest, keep) = (c.field, c.mine.clone(), c.latest.clone(), c.latest);
            view! {
                <ConflictPanel title=T::ConflictTitle explain=T::ConflictExplain
                    theirs=c.theirs.iter().map(|(f, before, after)| (f.label(), before.clone(), after.clone())).collect()
                    field=field.label() mine=c.mine
                    reapply=move || save(field, mine.clone(), latest.clone())
                    keep_theirs=move || {
                        current.set(Some(keep.clone()));
                        conflict.set(None);
                        editing.set(None);
                        audit.update(|n| *n += 1);
                    }/>
            }
        })}
        {move || current.get().map(|c| {
            let l = lang.get();
            view! {
                <header class="page-head">
                    <h1 id="contact-name">{move || current.with(|c| c.as_ref().map(|c| c.display_name.clone()).unwrap_or_default())}</h1>
                    <span class=move || current.with(|c| c.as_ref().map(|c| format!("stage stage-{}", c.lifecycle_stage.as_str())).unwrap_or_default())>
                        {move || current.with(|c| c.as_ref().map(|c| i18n::text(lang.get(), i18n::stage(c.lifecycle_stage))).unwrap_or_default())}
                    </span>
                    <span class="muted" id="version">{move || current.with(|c| c.as_ref().map(|c| i18n::count(lang.get(), T::Version, c.version)).unwrap_or_default())}</span>
                    <HandOver subject="contacts" id=c.id.clone() owner=c.owner_id.clone() done=move || loaded.refetch()/>
                </header>
                <div class="quick-actions">
                    {c.phones.first().map(|p| view! { <a class="button" href=format!("tel:{}", p.number)>{tr(T::Call)}</a> })}
                    {c.emails.first().map(|e| view! { <a class="button secondary" href=format!("mailto:{}", e.address)>{tr(T::SendEmail)}</a> })}
                    <button id="log-call" class="secondary" on:click=move |_| quick.set(Some(Quick::Call))>{tr(T::LogCall)}</button>
                    <button id="add-task" class="secondary" on:click=move |_| quick.set(Some(Quick::Task))>{tr(T::AddTask)}</button>
                </div>
                {
                    let c = c.clone();
                    move || quick.get().map(|q| view! { <QuickAction kind=q contact=c.clone() quick refresh/> })
                }
                <section class="facts">
                    <dl>
                        {EDITABLE.iter().map(|f| fact(*f)).collect_view()}
                        <dt>{tr(T::Company)}</dt><dd>{match (c.company_id.clone(), c.company_name.clone()) {
                            (Some(id), Some(name)) => view! { <a href=format!("/companies/{id}") id="company-link">{name}</a> }.into_any(),
                            (_, name) => name.unwrap_or_else(dash).into_any(),
                        }}</dd>
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
                        <dt>{tr(T::Changed)}</dt><dd>{move || current.with(|c| c.as_ref().map(|c| i18n::date_time(lang.get(), &c.updated_at)).unwrap_or_default())}</dd>
                    </dl>
                </section>
            }
        })}
        {move || view! { <Timeline subject="contacts" id=id() refresh/> }}
        <AuditTrail path="/api/v1/contacts" id=id() refresh=audit/>
    }
}
