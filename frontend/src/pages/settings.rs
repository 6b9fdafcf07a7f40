//! Workspace settings for admins: the outgoing mail server and the email templates people
//! pick in the composer. The server's field problems land beside each field.

use crate::api;
use crate::i18n::{self, tr, A, T};
use crate::ui::{show_problem, toast, FieldErrors, FieldProblem};
use crm_api_types::{EmailSettingsInput, EmailTemplate, EmailTemplateInput, SmtpSecurity};
use leptos::prelude::*;

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The settings' title and its sections: email, API keys, webhooks.
#[component]
pub fn SettingsTabs() -> impl IntoView {
    const TABS: [(&str, T); 4] = [
        ("/settings", T::Email),
        ("/settings/fields", T::CustomFields),
        ("/settings/api-keys", T::ApiKeys),
        ("/settings/webhooks", T::Webhooks),
    ];
    let path = Memo::new(|_| crate::router::path());
    let links: Vec<&str> = TABS.iter().map(|t| t.0).collect();
    let active = Memo::new(move |_| path.with(|p| crate::router::active_of(p, &links)));
    view! {
        <header class="page-head"><h1>{tr(T::NavSettings)}</h1></header>
        <nav class="tabs settings-tabs" aria-label=tr(T::NavSettings)>
            {TABS.iter().map(|&(href, label)| view! {
                <a href=href aria-current=move || (active.get() == Some(href)).then_some("page")>{tr(label)}</a>
            }).collect_view()}
        </nav>
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    view! {
        <SettingsTabs/>
        <MailServer/>
        <Templates/>
    }
}

#[component]
fn MailServer() -> impl IntoView {
    let lang = i18n::lang();
    let [host, port, username, password, from_address, from_name] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let security = RwSignal::new("starttls".to_owned());
    let version = RwSignal::new(0i64);
    let status = RwSignal::new(None::<(bool, bool)>);
    let errors = RwSignal::new(FieldErrors::default());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        match api::email_settings().await {
            Ok(s) => {
                host.set(s.host.unwrap_or_default());
                port.set(s.port.map(|p| p.to_string()).unwrap_or_default());
                security.set(s.security.map(|x| security_wire(x).to_owned()).unwrap_or_else(|| "starttls".into()));
                username.set(s.username.unwrap_or_default());
                from_address.set(s.from_address.unwrap_or_default());
                from_name.set(s.from_name.unwrap_or_default());
                version.set(s.version);
                status.set(Some((s.configured, s.password_set)));
            }
            Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let port_text = port.get_untracked();
        let port_value = match port_text.trim() {
            "" => None,
            p => match p.parse::<u16>() {
                Ok(n) => Some(n),
                Err(_) => {
                    let msg = i18n::text(lang.get_untracked(), A::ErrPort);
                    errors.set(FieldErrors(vec![crm_domain::FieldError::new("port", "invalid_port", msg)]));
                    return;
                }
            },
        };
        let body = EmailSettingsInput {
            host: host.get_untracked().trim().to_owned(),
            port: port_value,
            security: Some(match security.get_untracked().as_str() {
                "tls" => SmtpSecurity::Tls,
                "none" => SmtpSecurity::None,
                _ => SmtpSecurity::Starttls,
            }),
            username: opt(username.get_untracked()),
            // Left empty: keep the stored password.
            password: opt(password.get_untracked()).map(Some),
            from_address: from_address.get_untracked().trim().to_owned(),
            from_name: opt(from_name.get_untracked()),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::save_email_settings(version.get_untracked(), body).await;
            busy.set(false);
            match result {
                Ok(s) => {
                    version.set(s.version);
                    password.set(String::new());
                    status.set(Some((s.configured, s.password_set)));
                    errors.set(FieldErrors::default());
                    toast(i18n::text(lang.get_untracked(), T::Saved), false);
                }
                Err(e) => show_problem(lang.get_untracked(), e, errors),
            }
        });
    };
    let field = move |id: &'static str, label: A, value: RwSignal<String>, kind: &'static str| {
        view! {
            <div class="field">
                <label for=format!("smtp-{id}")>{tr(label)}</label>
                <input id=format!("smtp-{id}") type=kind class="ltr" bind:value=value/>
                <FieldProblem errors field=id/>
            </div>
        }
    };
    view! {
        <section class="panel" aria-labelledby="smtp-title">
            <h2 id="smtp-title">{tr(A::MailServer)}</h2>
            <p class="muted" id="smtp-status">{move || match status.get() {
                Some((true, _)) => tr(A::MailReady)(),
                Some((false, _)) => tr(A::MailNotSet)(),
                None => "",
            }}</p>
            <Show when=move || failure.get().is_some()>
                <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
            </Show>
            <form class="record-form" id="smtp-form" on:submit=save novalidate>
                {field("host", A::MailHost, host, "text")}
                <div class="field">
                    <label for="smtp-security">{tr(A::MailSecurity)}</label>
                    <select id="smtp-security" on:change=move |ev| security.set(event_target_value(&ev))>
                        {["starttls", "tls", "none"].into_iter().map(|v| view! {
                            <option value=v selected=move || security.get() == v>{v.to_uppercase()}</option>
                        }).collect_view()}
                    </select>
                </div>
                {field("port", A::MailPort, port, "text")}
                {field("username", A::MailUser, username, "text")}
                <div class="field">
                    <label for="smtp-password">{tr(T::Password)}</label>
                    <input id="smtp-password" type="password" bind:value=password autocomplete="new-password"
                        placeholder=move || if status.get().is_some_and(|s| s.1) { tr(A::PasswordKept)() } else { "" }/>
                    <FieldProblem errors field="password"/>
                </div>
                {field("from_address", A::MailFrom, from_address, "email")}
                {field("from_name", A::MailFromName, from_name, "text")}
                <div class="actions">
                    <button type="submit" id="smtp-save" disabled=move || busy.get()>{move || i18n::text(lang.get(), if busy.get() { T::Saving } else { T::Save })}</button>
                </div>
            </form>
        </section>
    }
}

fn security_wire(s: SmtpSecurity) -> &'static str {
    match s {
        SmtpSecurity::Starttls => "starttls",
        SmtpSecurity::Tls => "tls",
        SmtpSecurity::None => "none",
    }
}

#[component]
fn Templates() -> impl IntoView {
    let lang = i18n::lang();
    let all = RwSignal::new(Vec::<EmailTemplate>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::email_templates().await {
                Ok(t) => all.set(t),
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        })
    };
    reload();
    // The template being edited (id and version), or None for a new one.
    let editing = RwSignal::new(None::<(String, i64)>);
    let [name, subject, body] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let errors = RwSignal::new(FieldErrors::default());
    let clear = move || {
        editing.set(None);
        name.set(String::new());
        subject.set(String::new());
        body.set(String::new());
        errors.set(FieldErrors::default());
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = EmailTemplateInput { name: name.get_untracked(), subject: subject.get_untracked(), body: body.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::save_template(editing.get_untracked(), input).await {
                Ok(_) => {
                    clear();
                    reload();
                    toast(i18n::text(lang.get_untracked(), T::Saved), false);
                }
                Err(e) => show_problem(lang.get_untracked(), e, errors),
            }
        });
    };
    let edit = move |t: &EmailTemplate| {
        editing.set(Some((t.id.clone(), t.version)));
        name.set(t.name.clone());
        subject.set(t.subject.clone());
        body.set(t.body.clone());
        errors.set(FieldErrors::default());
    };
    let remove = move |id: String| {
        leptos::task::spawn_local(async move {
            match api::delete_template(id).await {
                Ok(()) => reload(),
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="templates-title">
            <h2 id="templates-title">{tr(A::Templates)}</h2>
            <Show when=move || all.with(|a| a.is_empty())>
                <p class="empty">{tr(A::NoTemplates)}</p>
            </Show>
            <ul class="plain" id="templates">
                {move || all.get().into_iter().map(|t| {
                    let (shown, id) = (t.clone(), t.id.clone());
                    view! {
                        <li>
                            <strong>{t.name}</strong>" · "<span class="muted">{t.subject}</span>" "
                            <button type="button" class="link" on:click=move |_| edit(&shown)>{tr(A::Edit)}</button>
                            <button type="button" class="link" on:click=move |_| remove(id.clone())>{tr(T::Delete)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="record-form" id="template-form" on:submit=save novalidate>
                <h3>{move || if editing.with(Option::is_some) { tr(A::EditTemplate)() } else { tr(A::NewTemplate)() }}</h3>
                <div class="field">
                    <label for="template-name">{tr(T::Name)}</label>
                    <input id="template-name" bind:value=name/>
                    <FieldProblem errors field="name"/>
                </div>
                <div class="field">
                    <label for="template-subject">{tr(T::Subject)}</label>
                    <input id="template-subject" bind:value=subject/>
                    <FieldProblem errors field="subject"/>
                </div>
                <div class="field">
                    <label for="template-body">{tr(T::Body)}</label>
                    <textarea id="template-body" rows="6" bind:value=body></textarea>
                    <FieldProblem errors field="body"/>
                </div>
                <p class="muted">{tr(A::MergeFields)}" "<code class="ltr">{crm_domain::merge::FIELDS.iter().map(|f| format!("{{{{{f}}}}}")).collect::<Vec<_>>().join(" ")}</code></p>
                <div class="actions">
                    <button type="submit" id="template-save">{tr(T::Save)}</button>
                    <button type="button" class="secondary" on:click=move |_| clear()>{tr(T::Cancel)}</button>
                </div>
            </form>
        </section>
    }
}
