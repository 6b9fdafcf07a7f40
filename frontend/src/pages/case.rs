//! One service case: the status moves it may make next (the workflow of the API), the SLA
//! clocks counting down to the first-response and resolution due times, and the customer's
//! satisfaction score once it is resolved.

use crate::api;
use crate::custom::CustomFacts;
use crate::i18n::{self, tr, Lang, T};
use crate::timeline::Timeline;
use crate::ui::{toast, FieldErrors, FieldProblem, HandOver};
use chrono::{DateTime, Utc};
use crm_api_types::{Case, CasePatch, CaseStatus};
use crm_domain::access::Entity;
use leptos::prelude::*;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Time left until `due` (negative when past), as `2 h 05 min` or `-35 min`.
pub fn countdown(lang: Lang, due: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let mins = (due - at).num_minutes();
    let sign = if mins < 0 { "-" } else { "" };
    let m = mins.unsigned_abs();
    let (d, h, mm) = (m / 1440, m % 1440 / 60, m % 60);
    let s = if d > 0 {
        format!("{sign}{d} {} {h} {}", i18n::text(lang, T::DaysShort), i18n::text(lang, T::HoursShort))
    } else if h > 0 {
        format!("{sign}{h} {} {mm:02} {}", i18n::text(lang, T::HoursShort), i18n::text(lang, T::MinutesShort))
    } else {
        format!("{sign}{mm} {}", i18n::text(lang, T::MinutesShort))
    };
    i18n::digits(lang, &s)
}

/// One SLA clock: met (with when), running (time left) or breached.
fn clock(lang: Lang, due: DateTime<Utc>, done: Option<DateTime<Utc>>, at: DateTime<Utc>) -> (String, &'static str) {
    match done {
        Some(t) if t <= due => (format!("{} {}", i18n::text(lang, T::SlaMet), i18n::date_time(lang, &t)), "sla-met"),
        Some(t) => (format!("{} {}", i18n::text(lang, T::SlaMissed), i18n::date_time(lang, &t)), "sla-breached"),
        None if due < at => (format!("{} {}", i18n::text(lang, T::SlaOverdueBy), countdown(lang, at, due)), "sla-breached"),
        None => (
            format!("{} {}", countdown(lang, due, at), i18n::text(lang, T::SlaLeft)),
            if (due - at).num_minutes() < 60 { "sla-near" } else { "sla-running" },
        ),
    }
}

#[component]
pub fn CasePage(id: String) -> impl IntoView {
    let lang = i18n::lang();
    let id = StoredValue::new(id);
    let id = move || id.get_value();
    let case = RwSignal::new(None::<Case>);
    let failure = RwSignal::new(None::<String>);
    let errors = RwSignal::new(FieldErrors::default());
    // Every change to the case (status, CSAT) is news for its timeline.
    let refresh = RwSignal::new(0u32);
    Effect::new(move || {
        if case.with(|c| c.as_ref().map(|c| c.version)).is_some() {
            refresh.update(|n| *n += 1);
        }
    });
    let tick = RwSignal::new(now());
    // The clocks move every 30 seconds.
    let timer = set_interval_with_handle(move || tick.set(now()), std::time::Duration::from_secs(30)).ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
    });
    let reload = move || {
        let id = id();
        leptos::task::spawn_local(async move {
            match api::case(id).await {
                Ok(c) => case.set(Some(c)),
                Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
            }
        });
    };
    Effect::new(reload);
    let send = move |patch: CasePatch| {
        let Some(c) = case.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            match api::patch_case(c.id.clone(), c.version, patch).await {
                Ok(updated) => {
                    case.set(Some(updated));
                    errors.set(FieldErrors::default());
                    toast(i18n::text(lang.get_untracked(), T::Saved), false);
                }
                Err(e) => {
                    let f = FieldErrors::from_api(&e);
                    if f.is_empty() {
                        toast(e.message(lang.get_untracked()), true);
                    }
                    errors.set(f);
                }
            }
        });
    };
    let comment = RwSignal::new(String::new());
    // The case as JSON for its custom fields, which hand a saved case back.
    let raw = Memo::new(move |_| case.with(|c| c.as_ref().and_then(|c| serde_json::to_value(c).ok())));
    let saved = move |v: serde_json::Value| {
        if let Ok(c) = serde_json::from_value::<Case>(v) {
            case.set(Some(c));
        }
    };
    view! {
        <p class="crumbs"><a href="/cases">{tr(T::BackToCases)}</a></p>
        <Show when=move || failure.get().is_some()>
            <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
        </Show>
        {move || case.get().map(|c| {
            let l = lang.get();
            let at = tick.get();
            let (first, first_class) = clock(l, c.first_response_due_at, c.first_response_at, at);
            let (resolve, resolve_class) = clock(l, c.resolution_due_at, c.resolved_at.or(c.closed_at), at);
            let rated = matches!(c.status, CaseStatus::Resolved | CaseStatus::Closed);
            view! {
                <header class="page-head">
                    <h1 id="case-subject">{i18n::digits(l, &format!("#{}", c.number))}" "{c.subject.clone()}</h1>
                    <span class=format!("stage case-{}", c.status.as_str()) id="case-status">{i18n::word(l, c.status.as_str())}</span>
                    <span class=format!("badge priority-{}", c.priority.as_str())>{i18n::word(l, c.priority.as_str())}</span>
                    {c.sla_breached.then(|| view! { <span class="badge sla-breached">{tr(T::SlaBreached)}</span> })}
                    <HandOver subject="cases" id=c.id.clone() owner=c.assignee_id.clone() done=move || reload()/>
                </header>
                <div class="sla">
                    <div class=format!("sla-clock {first_class}") id="sla-first-response"><span class="muted">{tr(T::FirstResponse)}</span><strong>{first}</strong></div>
                    <div class=format!("sla-clock {resolve_class}") id="sla-resolution"><span class="muted">{tr(T::Resolution)}</span><strong>{resolve}</strong></div>
                </div>
                <div class="actions" id="case-actions">
                    {c.status.next().iter().map(|to| {
                        let to = *to;
                        let label = match to {
                            CaseStatus::Open if c.status != CaseStatus::New => T::Reopen,
                            CaseStatus::Open => T::StartWork,
                            CaseStatus::Pending => T::WaitForCustomer,
                            CaseStatus::Resolved => T::Resolve,
                            CaseStatus::Closed => T::CloseCase,
                            CaseStatus::New => T::StartWork,
                        };
                        view! {
                            <button class=if to == CaseStatus::Resolved { "primary" } else { "secondary" } data-status=to.as_str()
                                on:click=move |_| send(CasePatch { status: Some(to), ..Default::default() })>{tr(label)}</button>
                        }
                    }).collect_view()}
                </div>
                <section class="facts">
                    <dl>
                        <dt>{tr(T::Channel)}</dt><dd>{i18n::word(l, c.channel.as_str())}</dd>
                        <dt>{tr(T::Created)}</dt><dd>{i18n::date_time(l, &c.created_at)}</dd>
                        <dt>{tr(T::ReopenCount)}</dt><dd>{i18n::number(l, c.reopen_count)}</dd>
                        <dt>{tr(T::Description)}</dt><dd>{c.description.clone().unwrap_or_default()}</dd>
                    </dl>
                </section>
                <section class="panel csat" id="csat">
                    <h2>{tr(T::Csat)}</h2>
                    {if rated {
                        view! {
                            <div class="stars" role="radiogroup" aria-label=tr(T::Csat)>
                                {(1..=5).map(|n| view! {
                                    <button class=if c.csat.is_some_and(|v| v >= n) { "star on" } else { "star" } data-score=n role="radio"
                                        aria-checked=(c.csat == Some(n)).to_string()
                                        on:click=move |_| send(CasePatch { csat: Some(Some(n)), csat_comment: Some(Some(comment.get_untracked()).filter(|s| !s.trim().is_empty())), ..Default::default() })>
                                        {i18n::digits(l, &n.to_string())}"★"
                                    </button>
                                }).collect_view()}
                            </div>
                            <input id="csat-comment" placeholder=tr(T::CsatComment) bind:value=comment/>
                            {c.csat_comment.clone().map(|t| view! { <p class="muted">{t}</p> })}
                            <FieldProblem errors field="csat"/>
                        }.into_any()
                    } else {
                        view! { <p class="hint">{tr(T::CsatAfterResolution)}</p> }.into_any()
                    }}
                </section>
            }
        })}
        <CustomFacts entity=Entity::Case id=id() current=raw saved/>
        {move || {
            let recipient = Signal::derive(move || case.with(|c| c.as_ref().and_then(|c| c.contact_id.clone())));
            view! { <Timeline subject="cases" id=id() refresh recipient/> }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_read_naturally() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").expect("t").with_timezone(&Utc);
        let plus = |m| at + chrono::Duration::minutes(m);
        assert_eq!(countdown(Lang::En, plus(35), at), "35 min");
        assert_eq!(countdown(Lang::En, plus(125), at), "2 h 05 min");
        assert_eq!(countdown(Lang::En, plus(3 * 1440 + 60), at), "3 d 1 h");
        assert_eq!(countdown(Lang::En, plus(-35), at), "-35 min");
        assert_eq!(countdown(Lang::Fa, plus(35), at), "۳۵ دقیقه");
    }
}
