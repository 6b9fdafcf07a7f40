//! The agent console: the call in progress with its caller card, and after the call its
//! outcome and notes in one step. The same card pops up on every other page while the phone
//! rings ([`CallPop`]).

use crate::api;
use crate::i18n::{self, tr, T};
use crate::live::use_live;
use crate::router;
use crate::timeline::{badge, headline};
use crate::ui::{toast, FieldErrors, FieldProblem};
use crm_api_types::{ActivityPatch, CallerCard, CardContact, ContactCreate, PhoneEntry};
use crm_domain::PhoneLabel;
use leptos::prelude::*;

const OUTCOMES: [&str; 4] = ["connected", "no_answer", "left_voicemail", "interested"];

/// Who is calling, what they bought, what is open with them and what happened last.
#[component]
pub fn CallerCardView(card: CallerCard) -> impl IntoView {
    let lang = i18n::lang();
    let l = lang.get_untracked();
    let number = card.number.as_deref().map(|n| i18n::phone(l, n)).unwrap_or_else(|| i18n::text(l, T::CallWithheld).to_owned());
    let who = match card.candidates.as_slice() {
        [] => view! { <h2 id="caller-name">{tr(T::CallUnknown)}</h2> }.into_any(),
        [one] => view! { <h2 id="caller-name"><a href=format!("/contacts/{}", one.id)>{one.name.clone()}</a></h2> }.into_any(),
        many => view! {
            <h2 id="caller-name">{tr(T::CallCandidates)}</h2>
            <ul class="candidates">{many.iter().map(candidate).collect_view()}</ul>
        }
        .into_any(),
    };
    let company = card.company.map(|c| view! { <a href=format!("/companies/{}", c.id) id="caller-company">{c.name}</a> });
    let title = card.candidates.first().filter(|_| card.candidates.len() == 1).and_then(|c| c.title.clone());
    let segment = card.segment.map(|s| view! { <span class="badge" id="caller-segment">{i18n::word(l, &s)}</span> });
    let revenue = card.lifetime_revenue.map(|m| i18n::money_str(l, &m.amount, &m.currency));
    let orders = card.order_count;
    let status = card.status.clone();
    view! {
        <section class="caller-card" id="caller-card" data-status=status.clone()>
            <p class="call-line"><span class="badge call-status">{i18n::word(l, &status)}</span>" "<span class="ltr">{number}</span></p>
            {who}
            <p class="muted">{title}{company.map(|c| view! { " · " {c} })}</p>
            <dl class="facts">
                <dt>{tr(T::Segment)}</dt><dd>{segment}</dd>
                <dt>{tr(T::LifetimeRevenue)}</dt>
                <dd id="caller-revenue">{revenue}" "<small class="muted">{i18n::count(l, T::OrderCount, orders)}</small></dd>
            </dl>
            <h3>{tr(T::Deals)}</h3>
            <ul class="related" id="caller-deals">
                {card.open_deals.into_iter().map(|d| {
                    let amount = d.amount.map(|m| i18n::money_str(l, &m.amount, &m.currency));
                    view! { <li><a href=format!("/deals/{}", d.id)>{d.name}</a>" "<span class="badge">{d.stage}</span>" "{amount}</li> }
                }).collect_view()}
            </ul>
            <h3>{tr(T::Cases)}</h3>
            <ul class="related" id="caller-cases">
                {card.open_cases.into_iter().map(|c| view! {
                    <li><a href=format!("/cases/{}", c.id)>"#"{i18n::number(l, c.number)}" "{c.subject}</a>" "<span class="badge">{i18n::word(l, &c.status)}</span></li>
                }).collect_view()}
            </ul>
            <h3>{tr(T::LastInteractions)}</h3>
            <ul class="related" id="caller-recent">
                {card.recent.iter().map(|item| view! {
                    <li><span class="badge">{badge(l, item)}</span>" "{headline(l, item)}" "<small class="muted">{i18n::date_time(l, &item.at)}</small></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

fn candidate(c: &CardContact) -> impl IntoView {
    view! { <li><a href=format!("/contacts/{}", c.id)>{c.name.clone()}</a>" "<small class="muted">{c.title.clone()}</small></li> }
}

/// The console page.
#[component]
pub fn Console() -> impl IntoView {
    let live = use_live();
    view! {
        <header class="page-head">
            <h1>{tr(T::NavConsole)}</h1>
            <span class="badge" id="live-state" data-live=move || live.connected.get().to_string()>
                {move || if live.connected.get() { tr(T::LiveOn)() } else { tr(T::LiveOff)() }}
            </span>
        </header>
        {move || match live.call.get() {
            None => view! { <p class="empty" id="console-empty">{tr(T::ConsoleEmpty)}</p> }.into_any(),
            Some(card) => view! {
                <div class="console">
                    <CallerCardView card=card.clone()/>
                    <div class="console-side">
                        {card.unknown.then(|| view! { <QuickCreate card=card.clone()/> })}
                        {card.activity_id.clone().map(|id| view! { <AfterCall activity_id=id/> })}
                    </div>
                </div>
            }
            .into_any(),
        }}
    }
}

/// A contact for an unknown caller, with the calling number.
#[component]
fn QuickCreate(card: CallerCard) -> impl IntoView {
    let lang = i18n::lang();
    let live = use_live();
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let number = card.number.clone();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ContactCreate {
            first_name: first.get_untracked().trim().to_owned(),
            last_name: Some(last.get_untracked().trim().to_owned()).filter(|s| !s.is_empty()),
            phones: number.iter().map(|n| PhoneEntry { number: n.clone(), label: PhoneLabel::Mobile, primary: true }).collect(),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            match api::create_contact(body).await {
                Ok(c) => {
                    errors.set(FieldErrors::default());
                    toast(i18n::text(lang.get_untracked(), T::Saved), false);
                    let shown = CardContact {
                        id: c.id,
                        name: c.display_name,
                        title: c.title,
                        company_id: None,
                        lifecycle_stage: c.lifecycle_stage.as_str().to_owned(),
                    };
                    live.call.update(|call| {
                        if let Some(call) = call {
                            call.unknown = false;
                            call.candidates = vec![shown];
                        }
                    });
                }
                Err(e) => {
                    errors.set(FieldErrors::from_api(&e));
                    toast(e.message(lang.get_untracked()), true);
                }
            }
        });
    };
    view! {
        <form class="card-form" id="quick-create" on:submit=create>
            <h3>{tr(T::CreateFromCall)}</h3>
            <label>{tr(T::FirstName)}<input id="qc-first" required prop:value=first on:input=move |ev| first.set(event_target_value(&ev))/></label>
            <FieldProblem errors field="first_name"/>
            <label>{tr(T::LastName)}<input id="qc-last" prop:value=last on:input=move |ev| last.set(event_target_value(&ev))/></label>
            <FieldProblem errors field="phones"/>
            <button type="submit">{tr(T::CreateFromCall)}</button>
        </form>
    }
}

/// Outcome and notes of the call activity the telephone system's `ended` logged.
#[component]
fn AfterCall(activity_id: String) -> impl IntoView {
    let lang = i18n::lang();
    let live = use_live();
    let outcome = RwSignal::new(OUTCOMES[0].to_owned());
    let notes = RwSignal::new(String::new());
    let saving = RwSignal::new(false);
    let id = StoredValue::new(activity_id);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        let body = ActivityPatch {
            outcome: Some(Some(outcome.get_untracked())),
            body: Some(Some(notes.get_untracked().trim().to_owned()).filter(|n| !n.is_empty())),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            let id = id.get_value();
            // The latest version: the telephone system may have touched it since.
            let result = match api::activity(id.clone()).await {
                Ok(a) => api::patch_activity(id, a.version, body).await,
                Err(e) => Err(e),
            };
            saving.set(false);
            match result {
                Ok(_) => {
                    toast(i18n::text(lang.get_untracked(), T::CallLogged), false);
                    live.call.set(None);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    view! {
        <form class="card-form" id="after-call" on:submit=save>
            <h3>{tr(T::AfterCall)}</h3>
            <label>{tr(T::Outcome)}
                <select id="call-outcome" on:change=move |ev| outcome.set(event_target_value(&ev))>
                    {OUTCOMES.into_iter().map(|o| view! { <option value=o>{move || i18n::word(lang.get(), o)}</option> }).collect_view()}
                </select>
            </label>
            <label>{tr(T::TlNotes)}<textarea id="call-notes" rows="4" prop:value=notes on:input=move |ev| notes.set(event_target_value(&ev))></textarea></label>
            <button type="submit" disabled=saving>{tr(T::SaveAndClose)}</button>
        </form>
    }
}

/// The caller card over whatever page is open while a call rings or waits for its outcome.
#[component]
pub fn CallPop() -> impl IntoView {
    let live = use_live();
    let dismissed = RwSignal::new(None::<(String, String)>);
    let shown = move || {
        let card = live.call.get()?;
        let key = (card.id.clone(), card.status.clone());
        (router::path() != "/console" && dismissed.get().as_ref() != Some(&key)).then_some(card)
    };
    view! {
        {move || shown().map(|card| {
            let key = (card.id.clone(), card.status.clone());
            view! {
                <aside class="call-pop" id="call-pop" role="dialog" aria-live="assertive">
                    <CallerCardView card/>
                    <p class="actions">
                        <a class="button" href="/console" id="open-console">{tr(T::OpenConsole)}</a>
                        <button class="secondary" on:click=move |_| dismissed.set(Some(key.clone()))>{tr(T::Close)}</button>
                    </p>
                </aside>
            }
        })}
    }
}
