//! A new contact: the shared validator checks the form before it is sent, and the server's
//! field problems land beside the same fields.

use crate::api;
use crate::custom::CustomInputs;
use crate::i18n::{self, tr, T};
use crate::router;
use crate::ui::{toast, FieldErrors, FieldProblem};
use crm_api_types::{ContactCreate, EmailEntry, LifecycleStage, PhoneEntry};
use crm_domain::access::Entity;
use crm_domain::{EmailLabel, PhoneLabel, Region};
use leptos::prelude::*;

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[component]
pub fn NewContact() -> impl IntoView {
    let lang = i18n::lang();
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let stage = RwSignal::new(String::from("lead"));
    let errors = RwSignal::new(FieldErrors::default());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let me = LocalResource::new(api::me);
    let custom = CustomInputs::new(Entity::Contact);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let (custom_values, missing) = custom.values(lang.get_untracked());
        let body = ContactCreate {
            custom: custom_values,
            first_name: first.get_untracked().trim().to_owned(),
            last_name: opt(last.get_untracked()),
            title: opt(title.get_untracked()),
            emails: opt(email.get_untracked())
                .map(|a| vec![EmailEntry { address: a, label: EmailLabel::Work, primary: true }])
                .unwrap_or_default(),
            phones: opt(phone.get_untracked())
                .map(|n| vec![PhoneEntry { number: n, label: PhoneLabel::Mobile, primary: true }])
                .unwrap_or_default(),
            lifecycle_stage: LifecycleStage::parse(&stage.get_untracked()),
            ..Default::default()
        };
        // The same checks the server makes, before anything is sent.
        let region = me
            .get_untracked()
            .and_then(|m| m.ok())
            .and_then(|m| Region::parse("region", &m.workspace.default_region).ok())
            .unwrap_or(Region::IR);
        let mut problems = body.validate(region).err().map(|v| v.0).unwrap_or_default();
        problems.extend(missing);
        if !problems.is_empty() {
            errors.set(FieldErrors(problems));
            return;
        }
        errors.set(FieldErrors::default());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::create_contact(body).await {
                Ok(c) => {
                    toast(format!("{} · {}", c.display_name, i18n::text(lang.get_untracked(), T::Saved)), false);
                    router::navigate(&format!("/contacts/{}", c.id));
                }
                Err(e) => {
                    let fields = FieldErrors::from_api(&e);
                    if fields.is_empty() {
                        failure.set(Some(e.message(lang.get_untracked())));
                    }
                    errors.set(fields);
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <p class="crumbs"><a href="/contacts">{tr(T::BackToContacts)}</a></p>
        <header class="page-head"><h1>{tr(T::NewContact)}</h1></header>
        <form class="record-form" on:submit=submit novalidate>
            <div class="field">
                <label for="first_name">{tr(T::FirstName)}" *"</label>
                <input id="first_name" bind:value=first autofocus aria-required="true"/>
                <FieldProblem errors field="first_name"/>
            </div>
            <div class="field">
                <label for="last_name">{tr(T::LastName)}</label>
                <input id="last_name" bind:value=last/>
                <FieldProblem errors field="last_name"/>
            </div>
            <div class="field">
                <label for="title">{tr(T::Title)}</label>
                <input id="title" bind:value=title/>
                <FieldProblem errors field="title"/>
            </div>
            <div class="field">
                <label for="email">{tr(T::Email)}</label>
                <input id="email" type="email" class="ltr" bind:value=email/>
                <FieldProblem errors field="emails"/>
            </div>
            <div class="field">
                <label for="phone">{tr(T::Phone)}</label>
                <input id="phone" type="tel" class="ltr" bind:value=phone placeholder="+98 912 123 4567"/>
                <FieldProblem errors field="phones"/>
            </div>
            <div class="field">
                <label for="stage">{tr(T::Stage)}</label>
                <select id="stage" on:change=move |ev| stage.set(event_target_value(&ev))>
                    {LifecycleStage::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == LifecycleStage::Lead>{tr(i18n::stage(*s))}</option> }).collect_view()}
                </select>
            </div>
            {custom.view(errors)}
            <Show when=move || failure.get().is_some()>
                <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
            </Show>
            <div class="actions">
                <button type="submit" id="save" disabled=move || busy.get()>{move || i18n::text(lang.get(), if busy.get() { T::Saving } else { T::Save })}</button>
                <a href="/contacts">{tr(T::Cancel)}</a>
            </div>
        </form>
    }
}
