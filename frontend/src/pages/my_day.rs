//! My day: what needs me today. Overdue and open tasks (done with one click), today's calls
//! and meetings, and my deals expected to close in the next two weeks.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::ui::toast;
use chrono::Duration;
use crm_api_types::{Priority, Task};
use leptos::prelude::*;

pub fn priority_label(p: Priority) -> T {
    match p {
        Priority::Low => T::PriorityLow,
        Priority::Normal => T::PriorityNormal,
        Priority::High => T::PriorityHigh,
        Priority::Urgent => T::PriorityUrgent,
    }
}

#[component]
pub fn MyDay() -> impl IntoView {
    let lang = i18n::lang();
    let tasks = RwSignal::new(None::<Result<Vec<Task>, String>>);
    Effect::new(move || {
        leptos::task::spawn_local(async move {
            let r = api::my_tasks().await.map(|p| p.items).map_err(|e| e.message(lang.get_untracked()));
            tasks.set(Some(r));
        });
    });
    // Today in the browser's time zone, as UTC instants.
    let start = {
        // chrono's clock is not available in the browser; JavaScript's is.
        let now = chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
        let offset = i18n::local_offset_minutes();
        let local = now + Duration::minutes(offset);
        let midnight = local.date_naive().and_hms_opt(0, 0, 0).map(|m| m.and_utc()).unwrap_or(now);
        midnight - Duration::minutes(offset)
    };
    let end = start + Duration::days(1);
    let meetings = LocalResource::new(move || api::my_activities(start.to_rfc3339(), end.to_rfc3339()));
    let today = (start + Duration::hours(12)).date_naive();
    let closing = LocalResource::new(move || api::my_closing_deals(i18n::ymd(today), i18n::ymd(today + Duration::days(15))));
    let done = move |t: Task| {
        leptos::task::spawn_local(async move {
            match api::complete_task(t.id.clone(), t.version).await {
                Ok(_) => {
                    tasks.update(|ts| {
                        if let Some(Ok(list)) = ts {
                            list.retain(|x| x.id != t.id);
                        }
                    });
                    toast(format!("{} · {}", t.title, i18n::text(lang.get_untracked(), T::TaskDone)), false);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    let task_list = move |overdue: bool| {
        move || {
            let l = lang.get();
            match tasks.get() {
                None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(list)) => {
                    let list: Vec<Task> = list.into_iter().filter(|t| t.overdue == overdue).collect();
                    if list.is_empty() {
                        return view! { <p class="empty">{tr(if overdue { T::NothingOverdue } else { T::NoOpenTasks })}</p> }.into_any();
                    }
                    view! {
                        <ul class="tasks">
                            {list.into_iter().map(|t| {
                                let t2 = t.clone();
                                view! {
                                    <li class=if overdue { "task overdue" } else { "task" }>
                                        <input type="checkbox" aria-label=tr(T::MarkDone) on:change=move |_| done(t2.clone())/>
                                        <span class="task-title">{t.title.clone()}</span>
                                        <span class=format!("badge priority-{}", t.priority.as_str())>{i18n::text(l, priority_label(t.priority))}</span>
                                        <span class="muted">{t.due_at.map(|d| i18n::date_time(l, &d)).unwrap_or_default()}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }
        }
    };
    view! {
        <header class="page-head"><h1>{tr(T::MyDay)}</h1></header>
        <div class="my-day">
            <section class="panel" id="overdue-tasks">
                <h2>{tr(T::OverdueTasks)}</h2>
                {task_list(true)}
            </section>
            <section class="panel" id="open-tasks">
                <h2>{tr(T::OpenTasks)}</h2>
                {task_list(false)}
            </section>
            <section class="panel" id="today-meetings">
                <h2>{tr(T::TodaysCallsMeetings)}</h2>
                {move || {
                        let l = lang.get();
                        let Some(result) = meetings.get() else { return view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any() };
                        match result {
                            Err(e) => view! { <p class="error">{e.message(l)}</p> }.into_any(),
                            Ok(p) if p.items.is_empty() => view! { <p class="empty">{tr(T::NoMeetingsToday)}</p> }.into_any(),
                            Ok(p) => view! {
                                <ul>{p.items.into_iter().map(|a| view! {
                                    <li><span class="badge">{i18n::text(l, i18n::activity_kind(a.kind))}</span>" "{a.subject.clone()}" "<span class="muted">{i18n::date_time(l, &a.occurred_at)}</span></li>
                                }).collect_view()}</ul>
                            }.into_any(),
                        }
                    }}
            </section>
            <section class="panel" id="closing-deals">
                <h2>{tr(T::ClosingSoon)}</h2>
                {move || {
                        let l = lang.get();
                        let Some(result) = closing.get() else { return view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any() };
                        match result {
                            Err(e) => view! { <p class="error">{e.message(l)}</p> }.into_any(),
                            Ok(p) if p.items.is_empty() => view! { <p class="empty">{tr(T::NoDealsClosing)}</p> }.into_any(),
                            Ok(p) => {
                                let mut items = p.items;
                                items.sort_by(|a, b| a.close_date.cmp(&b.close_date));
                                view! {
                                    <ul>{items.into_iter().map(|d| view! {
                                        <li>
                                            <a href=format!("/deals/{}", d.id)>{d.name.clone()}</a>" "
                                            <span class="card-amount">{d.amount.as_ref().map(|m| i18n::money_str(l, &m.amount, &m.currency)).unwrap_or_default()}</span>" "
                                            <span class="muted">{d.close_date.as_deref().map(|c| i18n::date(l, c)).unwrap_or_default()}</span>
                                        </li>
                                    }).collect_view()}</ul>
                                }.into_any()
                            }
                        }
                    }}
            </section>
        </div>
    }
}
