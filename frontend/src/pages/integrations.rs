//! Integrations, for admins: API keys (the secret shown once, revocable) and outbound webhooks
//! with their delivery log, each attempt's answer, a test event and replay.

use crate::api::{self, ApiError};
use crate::i18n::{self, count, text, tr, Lang, A, T};
use crate::pages::settings::SettingsTabs;
use crate::router;
use crate::ui::{confirmed, show_problem, toast, FieldErrors, FieldProblem, Paged};
use crm_api_types::{ApiKey, CreateApiKeyRequest, Role, Webhook, WebhookCreate, WebhookDelivery, WebhookPatch};
use crm_domain::webhooks::{ACTIONS, OBJECTS, SPECIAL_EVENTS};
use leptos::prelude::*;
use serde_json::{Map, Value};

/// A receiver's address as an example (not text to translate).
const EXAMPLE_URL: &str = "https://hooks.example.com/crm";

fn when(lang: Lang, t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.as_ref().map(|t| i18n::date_time(lang, t)).unwrap_or_else(|| text(lang, A::Never).to_owned())
}

/// A secret the server shows once (an API key, a signing secret), with a copy button.
#[component]
fn ShownOnce(secret: RwSignal<Option<String>>, id: &'static str) -> impl IntoView {
    let lang = i18n::lang();
    let copy = move |_| {
        if let (Some(w), Some(s)) = (web_sys::window(), secret.get_untracked()) {
            let _ = w.navigator().clipboard().write_text(&s);
            toast(text(lang.get_untracked(), A::Copied), false);
        }
    };
    view! {
        <Show when=move || secret.with(Option::is_some)>
            <div class="secret-once" role="status">
                <strong>{tr(A::ShownOnce)}</strong>
                <div class="inline-form">
                    <input id=id class="ltr" readonly prop:value=move || secret.get().unwrap_or_default()/>
                    <button type="button" on:click=copy>{tr(A::Copy)}</button>
                    <button type="button" class="secondary" on:click=move |_| secret.set(None)>{tr(A::Done)}</button>
                </div>
            </div>
        </Show>
    }
}

#[component]
pub fn ApiKeys() -> impl IntoView {
    let lang = i18n::lang();
    let keys = RwSignal::new(None::<Vec<ApiKey>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::api_keys().await {
                Ok(k) => keys.set(Some(k)),
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        })
    };
    reload();
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Integration);
    let errors = RwSignal::new(FieldErrors::default());
    let secret = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateApiKeyRequest { name: name.get_untracked().trim().to_owned(), role: role.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::create_api_key(body).await {
                Ok(k) => {
                    secret.set(Some(k.key));
                    name.set(String::new());
                    errors.set(FieldErrors::default());
                    reload();
                }
                Err(e) => show_problem(lang.get_untracked(), e, errors),
            }
        });
    };
    let revoke = move |id: String| {
        if !confirmed(lang.get_untracked(), A::ConfirmRevoke) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::revoke_api_key(id).await {
                Ok(_) => {
                    toast(text(lang.get_untracked(), A::Revoked), false);
                    reload();
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    let row = move |k: ApiKey| {
        let id = k.id.clone();
        view! {
            <tr data-name=k.name.clone() class:revoked=k.revoked_at.is_some()>
                <td>{k.name.clone()}</td>
                <td><span class="badge">{k.role.to_string()}</span></td>
                <td class="ltr"><code>{k.prefix}"…"</code></td>
                <td>{i18n::date_time(lang.get(), &k.created_at)}</td>
                <td>{when(lang.get(), &k.last_used_at)}</td>
                <td>{match k.revoked_at {
                    Some(t) => view! { <span class="muted">{tr(A::Revoked)}" · "{i18n::date_time(lang.get(), &t)}</span> }.into_any(),
                    None => view! { <button type="button" class="link danger-link" on:click=move |_| revoke(id.clone())>{tr(A::Revoke)}</button> }.into_any(),
                }}</td>
            </tr>
        }
    };
    view! {
        <SettingsTabs/>
        <section class="panel" aria-labelledby="key-new">
            <h2 id="key-new">{tr(A::NewApiKey)}</h2>
            <form class="inline-form" id="key-form" on:submit=create novalidate>
                <input id="key-name" placeholder=tr(T::Name) aria-label=tr(T::Name) bind:value=name maxlength="100"/>
                <select id="key-role" aria-label=tr(A::Role) on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }
                }>
                    {Role::ALL.iter().map(|r| view! {
                        <option value=r.as_str() selected=move || role.get() == *r>{r.as_str()}</option>
                    }).collect_view()}
                </select>
                <button type="submit" id="key-create">{tr(A::CreateKey)}</button>
            </form>
            <FieldProblem errors field="name"/>
            <FieldProblem errors field="role"/>
            <ShownOnce secret id="new-key"/>
            <p class="muted">{tr(A::ApiKeyHint)}</p>
        </section>
        {move || match keys.get() {
            None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
            Some(k) if k.is_empty() => view! { <p class="empty" id="keys-empty">{tr(A::NoApiKeys)}</p> }.into_any(),
            Some(k) => view! {
                <table class="list" id="api-keys">
                    <thead><tr>
                        <th>{tr(T::Name)}</th><th>{tr(A::Role)}</th><th>{tr(A::Key)}</th>
                        <th>{tr(T::Created)}</th><th>{tr(A::LastUsed)}</th><th>{tr(T::Status)}</th>
                    </tr></thead>
                    <tbody>{k.into_iter().map(row).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
    }
}

fn status_of(lang: Lang, w: &Webhook) -> String {
    match (&w.disabled_reason, w.enabled, w.failure_streak) {
        (Some(reason), false, _) => format!("{} · {reason}", text(lang, A::Off)),
        (None, false, _) => text(lang, A::Off).to_owned(),
        (_, true, 0) => text(lang, A::On).to_owned(),
        (_, true, n) => format!("{} · {}", text(lang, A::On), count(lang, A::FailingN, n.into())),
    }
}

#[component]
pub fn Webhooks() -> impl IntoView {
    let lang = i18n::lang();
    let hooks = RwSignal::new(None::<Vec<Webhook>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::webhooks().await {
                Ok(h) => hooks.set(Some(h)),
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        })
    };
    reload();
    let secret = RwSignal::new(None::<String>);
    let saved = move |(_, s): (Webhook, Option<String>)| {
        secret.set(s);
        reload();
    };
    view! {
        <SettingsTabs/>
        {move || match hooks.get() {
            None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
            Some(h) if h.is_empty() => view! { <p class="empty" id="webhooks-empty">{tr(A::NoWebhooks)}</p> }.into_any(),
            Some(h) => view! {
                <table class="list" id="webhooks">
                    <thead><tr><th>{tr(A::WebhookUrl)}</th><th>{tr(A::Events)}</th><th>{tr(T::Status)}</th><th>{tr(T::Created)}</th></tr></thead>
                    <tbody>{h.into_iter().map(|w| view! {
                        <tr>
                            <td class="ltr"><a href=format!("/settings/webhooks/{}", w.id)>{w.url.clone()}</a>
                                <div class="muted">{w.description.clone()}</div></td>
                            <td class="ltr">{w.events.join(", ")}</td>
                            <td>{status_of(lang.get(), &w)}</td>
                            <td>{i18n::date_time(lang.get(), &w.created_at)}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
        <ShownOnce secret id="new-secret"/>
        <section class="panel" aria-labelledby="webhook-new">
            <h2 id="webhook-new">{tr(A::NewWebhook)}</h2>
            <WebhookForm existing=None saved/>
        </section>
    }
}

/// Ticks the event types a subscription sends: every event, every event of an object
/// (`deal.*`), or single ones.
#[component]
fn EventPicker(chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let has = move |e: &str| chosen.with(|c| c.iter().any(|x| x == e));
    let toggle = move |e: String| {
        chosen.update(|c| match c.iter().position(|x| *x == e) {
            Some(i) => {
                c.remove(i);
            }
            None => c.push(e),
        })
    };
    let check = move |value: String, covered_by: Vec<String>, label: String| {
        let (v1, v2) = (value.clone(), value.clone());
        let (c1, c2) = (covered_by.clone(), covered_by);
        view! {
            <label class="check">
                <input type="checkbox" value=value
                    prop:checked=move || has(&v1) || c1.iter().any(|c| has(c))
                    disabled=move || c2.iter().any(|c| has(c))
                    on:change=move |_| toggle(v2.clone())/>
                {label}
            </label>
        }
    };
    view! {
        <fieldset class="events" id="webhook-events">
            <legend>{tr(A::Events)}</legend>
            {check("*".into(), Vec::new(), text(i18n::lang().get_untracked(), A::EveryEvent).to_owned())}
            <div class="event-groups ltr">
                {OBJECTS.iter().map(|o| {
                    let all = format!("{o}.*");
                    let single = ACTIONS.iter().map(|a| format!("{o}.{a}"))
                        .chain(SPECIAL_EVENTS.iter().filter(|s| s.starts_with(&format!("{o}."))).map(|s| (*s).to_owned()));
                    view! {
                        <div class="event-group">
                            {check(all.clone(), vec!["*".into()], all.clone())}
                            {single.map(|e| check(e.clone(), vec!["*".into(), all.clone()], e.split_once('.').map(|p| p.1.to_owned()).unwrap_or_default()))
                                .collect_view()}
                        </div>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

/// Creates a subscription (`existing` None) or changes one. `saved` gets the subscription and,
/// on creation, its signing secret.
#[component]
fn WebhookForm(existing: Option<Webhook>, #[prop(into)] saved: Callback<(Webhook, Option<String>)>) -> impl IntoView {
    let lang = i18n::lang();
    let known = existing.as_ref().map(|w| (w.id.clone(), w.version));
    let creating = known.is_none();
    let url = RwSignal::new(existing.as_ref().map(|w| w.url.clone()).unwrap_or_default());
    let description = RwSignal::new(existing.as_ref().map(|w| w.description.clone()).unwrap_or_default());
    let events = RwSignal::new(existing.as_ref().map(|w| w.events.clone()).unwrap_or_default());
    let filter = RwSignal::new(
        existing
            .as_ref()
            .and_then(|w| w.filter.clone())
            .and_then(|f| serde_json::to_string_pretty(&Value::Object(f)).ok())
            .unwrap_or_default(),
    );
    let private = RwSignal::new(existing.as_ref().is_some_and(|w| w.allow_private_target));
    let errors = RwSignal::new(FieldErrors::default());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let raw = filter.get_untracked();
        let parsed = match raw.trim() {
            "" => None,
            t => match serde_json::from_str::<Map<String, Value>>(t) {
                Ok(m) => Some(m),
                Err(_) => {
                    let msg = text(lang.get_untracked(), A::ErrFilterJson);
                    errors.set(FieldErrors(vec![crm_domain::FieldError::new("filter", "invalid_json", msg)]));
                    return;
                }
            },
        };
        let (url, description, events, private) =
            (url.get_untracked().trim().to_owned(), description.get_untracked(), events.get_untracked(), private.get_untracked());
        let known = known.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = match known {
                None => {
                    let body = WebhookCreate { url, description, events, filter: parsed, enabled: None, allow_private_target: private };
                    api::create_webhook(body).await.map(|w| (w.webhook, Some(w.secret)))
                }
                Some((id, version)) => {
                    let body = WebhookPatch {
                        url: Some(url),
                        description: Some(description),
                        events: Some(events),
                        filter: Some(parsed),
                        enabled: None,
                        allow_private_target: Some(private),
                    };
                    api::patch_webhook(id, version, body).await.map(|w| (w, None))
                }
            };
            busy.set(false);
            match result {
                Ok(done) => {
                    errors.set(FieldErrors::default());
                    toast(text(lang.get_untracked(), T::Saved), false);
                    saved.run(done);
                }
                Err(e) => show_problem(lang.get_untracked(), e, errors),
            }
        });
    };
    view! {
        <form class="record-form" id="webhook-form" on:submit=submit novalidate>
            <div class="field">
                <label for="webhook-url">{tr(A::WebhookUrl)}</label>
                <input id="webhook-url" class="ltr" type="url" placeholder=EXAMPLE_URL bind:value=url/>
                <FieldProblem errors field="url"/>
            </div>
            <div class="field">
                <label for="webhook-description">{tr(T::Description)}</label>
                <input id="webhook-description" bind:value=description/>
                <FieldProblem errors field="description"/>
            </div>
            <EventPicker chosen=events/>
            <FieldProblem errors field="events"/>
            <div class="field">
                <label for="webhook-filter">{tr(A::WebhookFilter)}</label>
                <textarea id="webhook-filter" class="ltr" rows="3" placeholder="{\"pipeline_id\": \"…\"}" bind:value=filter></textarea>
                <FieldProblem errors field="filter"/>
            </div>
            <label class="check">
                <input type="checkbox" id="webhook-private" bind:checked=private/>
                {tr(A::AllowPrivate)}
            </label>
            <FieldProblem errors field="allow_private_target"/>
            <div class="actions">
                <button type="submit" id="webhook-save" disabled=move || busy.get()>
                    {move || if busy.get() { text(lang.get(), T::Saving) } else if creating { text(lang.get(), A::Subscribe) } else { text(lang.get(), T::Save) }}
                </button>
            </div>
        </form>
    }
}

/// One subscription: its settings, a test event, a new secret, and the delivery log.
#[component]
pub fn WebhookPage(id: String) -> impl IntoView {
    let lang = i18n::lang();
    let hook = RwSignal::new(None::<Result<Webhook, String>>);
    let id = StoredValue::new(id);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let r = api::webhook(id.get_value()).await.map_err(|e| e.message(lang.get_untracked()));
            hook.set(Some(r));
        })
    };
    reload();
    let secret = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);
    let log_refresh = RwSignal::new(0u32);
    let report = move |e: ApiError| toast(e.message(lang.get_untracked()), true);
    let switch = move |on: bool, version: i64| {
        leptos::task::spawn_local(async move {
            let body = WebhookPatch { enabled: Some(on), ..Default::default() };
            match api::patch_webhook(id.get_value(), version, body).await {
                Ok(w) => hook.set(Some(Ok(w))),
                Err(e) => {
                    report(e);
                    reload();
                }
            }
        })
    };
    let ping = move || {
        leptos::task::spawn_local(async move {
            match api::ping_webhook(id.get_value()).await {
                Ok(_) => {
                    toast(text(lang.get_untracked(), A::PingQueued), false);
                    log_refresh.update(|n| *n += 1);
                }
                Err(e) => report(e),
            }
        })
    };
    let rotate = move || {
        if !confirmed(lang.get_untracked(), A::ConfirmRotate) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::rotate_webhook_secret(id.get_value()).await {
                Ok(w) => {
                    secret.set(Some(w.secret));
                    hook.set(Some(Ok(w.webhook)));
                }
                Err(e) => report(e),
            }
        })
    };
    let delete = move || {
        if !confirmed(lang.get_untracked(), A::ConfirmDeleteWebhook) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::delete_webhook(id.get_value()).await {
                Ok(()) => router::navigate("/settings/webhooks"),
                Err(e) => report(e),
            }
        })
    };
    let saved = move |(w, _): (Webhook, Option<String>)| {
        hook.set(Some(Ok(w)));
        editing.set(false);
    };
    view! {
        <SettingsTabs/>
        {move || match hook.get() {
            None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(w)) => {
                let (on, version) = (w.enabled, w.version);
                view! {
                    <header class="page-head">
                        <h1 class="ltr" id="webhook-title">{w.url.clone()}</h1>
                        <span class="badge" id="webhook-status">{status_of(lang.get(), &w)}</span>
                    </header>
                    <div class="quick-actions">
                        <button type="button" id="webhook-toggle" on:click=move |_| switch(!on, version)>
                            {tr(if on { A::TurnOff } else { A::TurnOn })}
                        </button>
                        <button type="button" id="webhook-ping" on:click=move |_| ping()>{tr(A::SendPing)}</button>
                        <button type="button" id="webhook-edit" class="secondary" on:click=move |_| editing.update(|e| *e = !*e)>{tr(A::Edit)}</button>
                        <button type="button" id="webhook-rotate" class="secondary" on:click=move |_| rotate()>{tr(A::RotateSecret)}</button>
                        <button type="button" id="webhook-delete" class="danger" on:click=move |_| delete()>{tr(T::Delete)}</button>
                    </div>
                    <section class="facts"><dl>
                        <dt>{tr(T::Description)}</dt><dd>{w.description.clone()}</dd>
                        <dt>{tr(A::Events)}</dt><dd class="ltr">{w.events.join(", ")}</dd>
                        <dt>{tr(A::Filter)}</dt>
                        <dd class="ltr"><code>{w.filter.clone().map(|f| Value::Object(f).to_string()).unwrap_or_else(|| "—".into())}</code></dd>
                        <dt>{tr(A::SigningSecret)}</dt><dd class="ltr"><code>{w.secret_hint.clone()}"…"</code></dd>
                        <dt>{tr(T::Created)}</dt><dd>{i18n::date_time(lang.get(), &w.created_at)}</dd>
                    </dl></section>
                    <Show when=move || editing.get()>
                        <WebhookForm existing=Some(w.clone()) saved/>
                    </Show>
                }.into_any()
            }
        }}
        <ShownOnce secret id="new-secret"/>
        <DeliveryLog hook=id.get_value() refresh=log_refresh/>
    }
}

const STATUSES: [(&str, A); 4] = [("", A::AllStatuses), ("pending", A::DPending), ("succeeded", A::DSucceeded), ("failed", A::DFailed)];

fn status_label(s: &str) -> A {
    STATUSES.iter().find(|x| x.0 == s).map(|x| x.1).unwrap_or(A::DPending)
}

/// The subscription's deliveries, newest first, filtered by status. While any shown delivery
/// is pending it looks again every two seconds.
#[component]
fn DeliveryLog(hook: String, refresh: RwSignal<u32>) -> impl IntoView {
    let lang = i18n::lang();
    let hook = StoredValue::new(hook);
    let status = RwSignal::new(0usize);
    let open = RwSignal::new(None::<String>);
    let list = Paged::<WebhookDelivery>::new();
    let Paged { items, next, loading, failure, .. } = list;
    let load = move |cursor: Option<String>| {
        list.load(cursor.clone(), api::webhook_deliveries(hook.get_value(), STATUSES[status.get_untracked()].0, cursor))
    };
    Effect::new(move || {
        status.track();
        refresh.track();
        load(None);
    });
    let poll = set_interval_with_handle(
        move || {
            let pending = items.try_with_untracked(|i| i.len() <= 25 && i.iter().any(|d| d.status == "pending")).unwrap_or(false);
            if pending && !loading.get_untracked() {
                load(None);
            }
        },
        std::time::Duration::from_secs(2),
    );
    if let Ok(handle) = poll {
        on_cleanup(move || handle.clear());
    }
    let replay = move |d: String| {
        leptos::task::spawn_local(async move {
            match api::replay_delivery(hook.get_value(), d).await {
                Ok(_) => {
                    toast(text(lang.get_untracked(), A::Replayed), false);
                    load(None);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        })
    };
    let row = move |d: WebhookDelivery| {
        let (id1, id2, id3) = (d.id.clone(), d.id.clone(), d.id.clone());
        let answer = match (d.last_status, &d.last_error) {
            (Some(s), _) => format!("HTTP {s}"),
            (None, Some(e)) => e.clone(),
            (None, None) => "—".into(),
        };
        let next_try = d.next_attempt_at.filter(|_| d.status == "pending" && d.attempts > 0);
        view! {
            <tr data-delivery=d.id.clone() data-status=d.status.clone() data-event=d.event_type.clone()>
                <td>{i18n::date_time(lang.get(), &d.created_at)}</td>
                <td class="ltr">{d.event_type.clone()}{d.replay_of.is_some().then(|| view! { " "<span class="badge">{tr(A::Replay)}</span> })}</td>
                <td><span class=format!("badge delivery-{}", d.status)>{tr(status_label(&d.status))}</span>
                    {next_try.map(|t| view! { <div class="muted">{tr(A::NextTry)}" "{i18n::date_time(lang.get(), &t)}</div> })}</td>
                <td>{i18n::number(lang.get(), d.attempts.into())}</td>
                <td class="ltr answer">{answer}</td>
                <td class="row-actions">
                    <button type="button" class="link-button" on:click=move |_| open.update(|o| *o = if o.as_deref() == Some(&id1) { None } else { Some(id1.clone()) })>
                        {tr(A::Details)}
                    </button>
                    <button type="button" class="link-button replay" on:click=move |_| replay(id2.clone())>{tr(A::Replay)}</button>
                </td>
            </tr>
            <Show when=move || open.with(|o| o.as_deref() == Some(&id3))>
                <tr class="delivery-detail"><td colspan="6"><DeliveryDetail hook=hook.get_value() delivery=d.id.clone()/></td></tr>
            </Show>
        }
    };
    view! {
        <section class="deliveries" aria-labelledby="deliveries-title">
            <div class="timeline-head">
                <h2 id="deliveries-title">{tr(A::Deliveries)}</h2>
                <button type="button" class="secondary" id="deliveries-refresh" on:click=move |_| load(None)>{tr(A::Refresh)}</button>
            </div>
            <div class="chips" role="group" id="delivery-status">
                {STATUSES.iter().enumerate().map(|(i, (_, label))| view! {
                    <button type="button" class="chip" class:active=move || status.get() == i
                        aria-pressed=move || (status.get() == i).to_string() on:click=move |_| status.set(i)>{tr(*label)}</button>
                }).collect_view()}
            </div>
            <Show when=move || failure.get().is_some()>
                <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || !loading.get() && failure.get().is_none() && items.with(|i| i.is_empty())>
                <p class="empty" id="deliveries-empty">{tr(A::NoDeliveries)}</p>
            </Show>
            <Show when=move || items.with(|i| !i.is_empty())>
                <table class="list" id="deliveries">
                    <thead><tr>
                        <th>{tr(T::When)}</th><th>{tr(T::TlEvent)}</th><th>{tr(T::Status)}</th>
                        <th>{tr(A::Attempts)}</th><th>{tr(A::Answer)}</th><th></th>
                    </tr></thead>
                    <tbody>{move || items.get().into_iter().map(row).collect_view()}</tbody>
                </table>
            </Show>
            <Show when=move || next.with(|n| n.is_some())>
                <button type="button" class="secondary" id="deliveries-more" disabled=move || loading.get()
                    on:click=move |_| load(next.get_untracked())>{tr(T::TlMore)}</button>
            </Show>
        </section>
    }
}

/// The exact payload sent and every attempt with the receiver's answer.
#[component]
fn DeliveryDetail(hook: String, delivery: String) -> impl IntoView {
    let lang = i18n::lang();
    let detail = LocalResource::new(move || api::webhook_delivery(hook.clone(), delivery.clone()));
    move || match detail.get() {
        None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
        Some(Err(e)) => view! { <p class="error">{e.message(lang.get())}</p> }.into_any(),
        Some(Ok(d)) => view! {
            <div class="delivery-body">
                <h3>{tr(A::Attempts)}</h3>
                <ol class="attempts">
                    {d.attempts.into_iter().map(|a| view! {
                        <li>
                            {i18n::date_time(lang.get(), &a.at)}" · "
                            <strong class="ltr">{a.status_code.map(|s| format!("HTTP {s}")).or(a.error).unwrap_or_default()}</strong>
                            " · "<span class="ltr">{format!("{} ms", a.duration_ms)}</span>
                            {a.response.filter(|r| !r.is_empty()).map(|r| view! { <pre class="ltr response">{r}</pre> })}
                        </li>
                    }).collect_view()}
                </ol>
                <h3>{tr(A::Payload)}</h3>
                <pre class="ltr payload">{serde_json::to_string_pretty(&d.payload).unwrap_or_default()}</pre>
            </div>
        }
        .into_any(),
    }
}
