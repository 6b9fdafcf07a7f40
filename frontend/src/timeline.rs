//! The unified timeline of a contact, company, deal or case, with a composer to log a note,
//! call, meeting or email on the record.

use crate::api::{self, ApiError};
use crate::custom::CustomInputs;
use crate::i18n::{self, tr, Lang, T};
use crate::ui::{toast, FieldErrors, FieldProblem, Paged};
use crm_api_types::{ActivityCreate, ActivityKind, Direction, TimelineItem};
use crm_domain::FieldError;
use leptos::prelude::*;

/// A filter chip: its label and the query it adds.
pub(crate) const FILTERS: [(T, &str); 10] = [
    (T::TlAll, ""),
    (T::TlCalls, "channel=call"),
    (T::TlEmails, "kind=email"),
    (T::TlMeetings, "channel=meeting"),
    (T::TlNotes, "kind=note"),
    (T::TlDeals, "kind=stage_change"),
    (T::TlOrders, "kind=order"),
    (T::TlCases, "kind=case_event"),
    (T::TlEvents, "kind=event"),
    (T::TlChanges, "kind=field_change,created"),
];

/// What the composer logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compose {
    Note,
    Call,
    Meeting,
    Email,
}

impl Compose {
    const ALL: [Compose; 4] = [Compose::Note, Compose::Call, Compose::Meeting, Compose::Email];

    fn kind(self) -> ActivityKind {
        match self {
            Compose::Note => ActivityKind::Note,
            Compose::Call => ActivityKind::Call,
            Compose::Meeting => ActivityKind::Meeting,
            Compose::Email => ActivityKind::Email,
        }
    }

    fn key(self) -> &'static str {
        self.kind().as_str()
    }
}

/// The record a new activity is about, from the timeline's subject.
fn target(subject: &str, id: &str, body: &mut ActivityCreate) {
    match subject {
        "contacts" => body.contact_ids = vec![id.to_owned()],
        "companies" => body.company_id = Some(id.to_owned()),
        "deals" => body.deal_id = Some(id.to_owned()),
        _ => body.case_id = Some(id.to_owned()),
    }
}

/// Text with its mention tokens (`@[Sara](user:…)`) shown as `@Sara`.
pub fn shown_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("@[") {
        let tail = &rest[start + 2..];
        let token = tail.find("](").and_then(|close| {
            let target = &tail[close + 2..];
            let end = target.find(')')?;
            let t = &target[..end];
            (t.starts_with("user:") || t.starts_with("team:")).then_some((close, close + 2 + end + 1))
        });
        match token {
            Some((label_end, token_end)) => {
                out.push_str(&rest[..start]);
                out.push('@');
                out.push_str(&tail[..label_end]);
                rest = &tail[token_end..];
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn s<'a>(item: &'a TimelineItem, key: &str) -> Option<&'a str> {
    item.data.get(key).and_then(|v| v.as_str())
}

/// The line that says what happened.
pub(crate) fn headline(l: Lang, item: &TimelineItem) -> String {
    let w = |wire: &str| i18n::word(l, wire);
    match item.kind.as_str() {
        "activity" | "note" | "email" => shown_mentions(s(item, "subject").unwrap_or("")),
        "stage_change" => {
            let deal = s(item, "deal_name").unwrap_or("");
            let to = s(item, "to_stage_name").unwrap_or("");
            if item.data.get("from_stage_id").is_some_and(|v| v.is_null()) {
                format!("{} {deal} ({to})", i18n::text(l, T::TlDealOpened))
            } else {
                format!("{deal} → {to}")
            }
        }
        "order" => {
            let n = item.data.get("number").and_then(|v| v.as_i64()).unwrap_or(0);
            let total = match (s(item, "total"), s(item, "currency")) {
                (Some(a), Some(c)) => i18n::money_str(l, a, c),
                _ => String::new(),
            };
            format!("{} #{} · {total} · {}", i18n::text(l, T::TlOrder), i18n::number(l, n), w(s(item, "status").unwrap_or("")))
        }
        "event" => {
            let what = s(item, "title").or_else(|| s(item, "type")).unwrap_or("");
            format!("{what} · {}", s(item, "source").unwrap_or(""))
        }
        "case_event" => {
            let n = item.data.get("number").and_then(|v| v.as_i64()).unwrap_or(0);
            let case = format!("#{} {}", i18n::number(l, n), s(item, "subject").unwrap_or(""));
            match s(item, "event").unwrap_or("") {
                "opened" => format!("{} {case}", i18n::text(l, T::TlCaseOpened)),
                "status_changed" => format!("{case}: {} → {}", w(s(item, "from").unwrap_or("")), w(s(item, "to").unwrap_or(""))),
                "first_response" => format!("{case}: {}", i18n::text(l, T::FirstResponse)),
                "csat" => {
                    let stars = item.data.get("csat").and_then(|v| v.as_i64()).unwrap_or(0);
                    format!("{case}: CSAT {}", i18n::number(l, stars))
                }
                other => format!("{case}: {other}"),
            }
        }
        _ => {
            let action = s(item, "action").unwrap_or("updated");
            let shown = i18n::action(action).map(|a| i18n::text(l, a).to_owned()).unwrap_or_else(|| action.to_owned());
            let fields: Vec<&str> = item
                .data
                .get("changes")
                .and_then(|c| c.as_array())
                .map(|c| c.iter().filter_map(|ch| ch.get("field").and_then(|f| f.as_str())).collect())
                .unwrap_or_default();
            if item.kind == "created" || fields.is_empty() {
                shown
            } else {
                format!("{shown}: {}", fields.join(", "))
            }
        }
    }
}

/// The label of an item's kind or channel.
pub(crate) fn badge(l: Lang, item: &TimelineItem) -> String {
    match (item.kind.as_str(), item.channel.as_deref().and_then(ActivityKind::parse)) {
        ("activity" | "note" | "email", Some(k)) => i18n::text(l, i18n::activity_kind(k)).to_owned(),
        ("stage_change", _) => i18n::text(l, T::TlDeals).to_owned(),
        ("order", _) => i18n::text(l, T::TlOrder).to_owned(),
        ("case_event", _) => i18n::text(l, T::TlCases).to_owned(),
        ("event", Some(k)) => i18n::text(l, i18n::activity_kind(k)).to_owned(),
        ("event", None) => i18n::text(l, T::TlEvent).to_owned(),
        _ => i18n::text(l, T::TlChanges).to_owned(),
    }
}

fn details(l: Lang, item: &TimelineItem) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(d) = s(item, "direction").filter(|d| *d != "internal") {
        parts.push(i18n::word(l, d));
    }
    if let Some(o) = s(item, "outcome") {
        parts.push(i18n::word(l, o));
    }
    if let Some(secs) = item.data.get("duration_seconds").and_then(|v| v.as_i64()) {
        parts.push(format!("{} {}", i18n::number(l, (secs + 59) / 60), i18n::text(l, T::MinutesShort)));
    }
    if let Some(r) = s(item, "loss_reason") {
        parts.push(r.to_owned());
    }
    if let Some(c) = s(item, "comment") {
        parts.push(c.to_owned());
    }
    if let Some(props) = item.data.get("properties").and_then(|p| p.as_object()) {
        let shown = props.iter().filter(|(_, v)| !v.is_object() && !v.is_array()).take(4);
        parts.extend(shown.map(|(k, v)| format!("{k}: {}", v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Where an item links to, other than the record being shown.
fn link(item: &TimelineItem, subject: &str) -> Option<String> {
    match item.kind.as_str() {
        "stage_change" if subject != "deals" => s(item, "deal_id").map(|d| format!("/deals/{d}")),
        "case_event" if subject != "cases" => s(item, "case_id").map(|c| format!("/cases/{c}")),
        _ => None,
    }
}

/// One item of a timeline or of the feed; `record` names the record it is on (the feed).
pub(crate) fn item_view(l: Lang, item: &TimelineItem, href: Option<String>, record: Option<(String, String)>) -> impl IntoView {
    let who = item.actor.name.clone().or_else(|| (item.actor.kind != "user").then(|| item.actor.kind.clone())).unwrap_or_default();
    let class = format!("tl-item tl-{} tl-ch-{}", item.kind, item.channel.clone().unwrap_or_default());
    let body = s(item, "body").map(shown_mentions);
    let head = headline(l, item);
    let head = match href {
        Some(href) => view! { <a href=href>{head}</a> }.into_any(),
        None => view! { <span>{head}</span> }.into_any(),
    };
    view! {
        <li class=class data-kind=item.kind.clone()>
            <span class="tl-badge">{badge(l, item)}</span>
            <div class="tl-main">
                {record.map(|(href, title)| view! { <a class="tl-record" href=href>{title}</a> })}
                <strong class="tl-head">{head}</strong>
                {details(l, item).map(|d| view! { <span class="muted">" · "{d}</span> })}
                {body.map(|b| view! { <p class="tl-body">{b}</p> })}
                <small class="muted">{i18n::date_time(l, &item.at)}{(!who.is_empty()).then(|| format!(" · {who}"))}</small>
            </div>
        </li>
    }
}

#[component]
pub fn Timeline(
    /// `contacts`, `companies`, `deals` or `cases`.
    subject: &'static str,
    #[prop(into)] id: String,
    /// Bumped by the page when it logged something itself (quick actions).
    #[prop(optional)]
    refresh: Option<RwSignal<u32>>,
    /// The contact an email from this record goes to (a deal's or case's customer); on a
    /// contact page, the contact itself. Without one, the email tab only logs an email.
    #[prop(optional)]
    recipient: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let lang = i18n::lang();
    let filter = RwSignal::new(0usize);
    let list = Paged::<TimelineItem>::new();
    let Paged { items, next, loading, failure, .. } = list;
    let local = RwSignal::new(0u32);
    let id = StoredValue::new(id);
    let load = move |cursor: Option<String>| {
        let query = FILTERS[filter.get_untracked()].1.to_owned();
        list.load(cursor.clone(), api::timeline(subject, id.get_value(), query, cursor));
    };
    Effect::new(move || {
        filter.track();
        local.track();
        if let Some(r) = refresh {
            r.track();
        }
        load(None);
    });

    // Following the record: its news then reaches the inbox.
    let follows = RwSignal::new(None::<bool>);
    leptos::task::spawn_local(async move {
        if let Ok(f) = api::following(subject, id.get_value(), None).await {
            follows.try_set(Some(f.following));
        }
    });
    let toggle_follow = move |_| {
        let Some(now) = follows.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            match api::following(subject, id.get_value(), Some(!now)).await {
                Ok(f) => {
                    follows.try_set(Some(f.following));
                    let key = if f.following { T::FollowingNow } else { T::NotFollowing };
                    toast(i18n::text(lang.get_untracked(), key), false);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    // People and teams to @mention.
    let people = LocalResource::new(|| async { (api::members().await.unwrap_or_default(), api::teams().await.unwrap_or_default()) });

    let composing = RwSignal::new(Compose::Note);
    let text = RwSignal::new(String::new());
    let mail_to = move || match subject {
        "contacts" => Some(id.get_value()),
        _ => recipient.and_then(|r| r.get()),
    };
    // Sending for real: the email tab on a record with a customer to write to.
    let mailing = move || composing.get() == Compose::Email && mail_to().is_some();
    let to = RwSignal::new(String::new());
    let templates = LocalResource::new(move || {
        let wanted = mailing();
        async move {
            if wanted {
                api::email_templates().await.unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    let outcome = RwSignal::new("connected".to_owned());
    let minutes = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let sending = RwSignal::new(false);
    // The workspace's own facts of an activity, asked below the text.
    let custom = CustomInputs::new(crm_domain::access::Entity::Activity);
    // After a log or a send: clear the composer and show the new item, or show what is wrong.
    let finish = move |result: Result<(), ApiError>, done: T| {
        let l = lang.get_untracked();
        sending.set(false);
        match result {
            Ok(()) => {
                text.set(String::new());
                minutes.set(String::new());
                to.set(String::new());
                errors.set(FieldErrors::default());
                toast(i18n::text(l, done), false);
                local.update(|n| *n += 1);
            }
            Err(e @ ApiError::Problem(_)) => {
                let fields = FieldErrors::from_api(&e);
                if fields.is_empty() {
                    toast(e.message(l), true);
                }
                errors.set(fields);
            }
            Err(e) => toast(e.message(l), true),
        }
    };
    let send = move || {
        let body_text = text.get_untracked();
        if body_text.trim().is_empty() || sending.get_untracked() {
            errors.set(FieldErrors(vec![FieldError::new("subject", "required", i18n::text(lang.get_untracked(), T::TlWriteSomething))]));
            return;
        }
        let mode = composing.get_untracked();
        // The first line is the subject; the rest, if any, the body.
        let (subject_line, rest) = match body_text.trim().split_once('\n') {
            Some((first, rest)) => (first.trim().to_owned(), Some(rest.trim().to_owned()).filter(|r| !r.is_empty())),
            None => (body_text.trim().to_owned(), None),
        };
        if mode == Compose::Email {
            if let Some(contact_id) = untrack(mail_to) {
                let record = id.get_value();
                let mail = crm_api_types::SendEmail {
                    contact_id,
                    to: Some(to.get_untracked().trim().to_owned()).filter(|t| !t.is_empty()),
                    deal_id: (subject == "deals").then(|| record.clone()),
                    case_id: (subject == "cases").then_some(record),
                    subject: Some(subject_line),
                    body: Some(rest.unwrap_or_default()),
                    ..Default::default()
                };
                sending.set(true);
                leptos::task::spawn_local(async move {
                    let result = api::send_email(mail).await.map(drop);
                    finish(result, T::EmailSent);
                });
                return;
            }
        }
        let (values, missing) = custom.values(lang.get_untracked());
        if !missing.is_empty() {
            errors.set(FieldErrors(missing));
            return;
        }
        let mut body = ActivityCreate {
            custom: values,
            kind: mode.kind(),
            direction: Some(match mode {
                Compose::Note => Direction::Internal,
                _ => Direction::Outbound,
            }),
            subject: subject_line.chars().take(200).collect(),
            body: if subject_line.chars().count() > 200 { Some(body_text.trim().to_owned()) } else { rest },
            occurred_at: None,
            duration_seconds: match mode {
                Compose::Call | Compose::Meeting => minutes.get_untracked().trim().parse::<i64>().ok().map(|m| m * 60),
                _ => None,
            },
            outcome: (mode == Compose::Call).then(|| outcome.get_untracked()),
            owner_id: None,
            company_id: None,
            deal_id: None,
            case_id: None,
            lead_id: None,
            contact_ids: Vec::new(),
            user_ids: Vec::new(),
        };
        target(subject, &id.get_value(), &mut body);
        sending.set(true);
        leptos::task::spawn_local(async move {
            let result = api::log_activity(body).await.map(drop);
            finish(result, T::TlLogged);
        });
    };

    view! {
        <section class="timeline" aria-labelledby="timeline-title">
            <header class="timeline-head">
                <h2 id="timeline-title">{tr(T::Timeline)}</h2>
                <Show when=move || follows.get().is_some()>
                    <button type="button" id="follow" class="secondary" aria-pressed=move || follows.get().unwrap_or(false).to_string()
                        on:click=toggle_follow>
                        {move || if follows.get().unwrap_or(false) { tr(T::Unfollow)() } else { tr(T::Follow)() }}
                    </button>
                </Show>
            </header>
            <form class="composer" id="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
                <div class="tabs" role="tablist">
                    {Compose::ALL.iter().map(|m| {
                        let m = *m;
                        view! {
                            <button type="button" role="tab" id=format!("compose-{}", m.key())
                                aria-selected=move || (composing.get() == m).to_string()
                                class:active=move || composing.get() == m
                                on:click=move |_| composing.set(m)>
                                {move || i18n::text(lang.get(), i18n::activity_kind(m.kind()))}
                            </button>
                        }
                    }).collect_view()}
                </div>
                <Show when=mailing>
                    <div class="composer-mail">
                        <label>{tr(T::EmailTo)}" "
                            <input id="composer-to" type="email" bind:value=to placeholder=tr(T::PrimaryAddress)/>
                        </label>
                        <FieldProblem errors field="to"/>
                        <label>{tr(T::Template)}" "
                            <select id="composer-template" on:change=move |ev| {
                                let chosen = event_target_value(&ev);
                                let found = templates.get().and_then(|all| all.into_iter().find(|t| t.id == chosen));
                                if let Some(t) = found {
                                    text.set(format!("{}\n{}", t.subject, t.body));
                                }
                            }>
                                <option value="">{tr(T::NoTemplate)}</option>
                                {move || templates.get().unwrap_or_default().into_iter().map(|t| view! { <option value=t.id>{t.name}</option> }).collect_view()}
                            </select>
                        </label>
                        <small class="muted">{tr(T::MergeHint)}</small>
                    </div>
                </Show>
                <label class="sr-only" for="composer-text">{tr(T::TlWhatHappened)}</label>
                <textarea id="composer-text" rows="3" bind:value=text placeholder=tr(T::TlWhatHappened)
                    on:keydown=move |ev| if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) { ev.prevent_default(); send(); }></textarea>
                <FieldProblem errors field="subject"/>
                <div class="composer-extra">
                    <Show when=move || composing.get() == Compose::Call>
                        <label>{tr(T::Outcome)}" "
                            <select id="composer-outcome" on:change=move |ev| outcome.set(event_target_value(&ev))>
                                {["connected", "no_answer", "left_voicemail", "interested"].into_iter().map(|o| view! {
                                    <option value=o selected=move || outcome.get() == o>{move || i18n::word(lang.get(), o)}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </Show>
                    <Show when=move || matches!(composing.get(), Compose::Call | Compose::Meeting)>
                        <label>{tr(T::DurationMinutes)}" "
                            <input id="composer-minutes" type="number" min="0" inputmode="numeric" bind:value=minutes class="short"/>
                        </label>
                    </Show>
                    <FieldProblem errors field="duration_seconds"/>
                    <label class="sr-only" for="composer-mention">{tr(T::Mention)}</label>
                    <select id="composer-mention" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if !v.is_empty() {
                            text.update(|t| {
                                if !t.is_empty() && !t.ends_with([' ', '\n']) {
                                    t.push(' ');
                                }
                                t.push_str(&v);
                                t.push(' ');
                            });
                        }
                        if let Some(el) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok()) {
                            el.set_value("");
                        }
                    }>
                        <option value="">{tr(T::Mention)}</option>
                        {move || people.get().map(|(members, teams)| view! {
                            {members.into_iter().map(|m| {
                                let token = format!("@[{}](user:{})", m.name, m.id);
                                view! { <option value=token>{format!("@{}", m.name)}</option> }
                            }).collect_view()}
                            {teams.into_iter().map(|t| {
                                let token = format!("@[{}](team:{})", t.name, t.id);
                                view! { <option value=token>{format!("@{}", t.name)}</option> }
                            }).collect_view()}
                        })}
                    </select>
                    <FieldProblem errors field="body"/>
                    {custom.view(errors)}
                    <button type="submit" id="composer-send" disabled=move || sending.get()>
                        {move || if mailing() { tr(T::SendNow)() } else { tr(T::TlLog)() }}
                    </button>
                    <small class="muted">{tr(T::TlCtrlEnter)}</small>
                </div>
            </form>
            <div class="chips" role="group" aria-label=tr(T::TlFilters)>
                {FILTERS.iter().enumerate().map(|(i, (label, _))| {
                    let label = *label;
                    view! {
                        <button type="button" class="chip" class:active=move || filter.get() == i
                            aria-pressed=move || (filter.get() == i).to_string()
                            on:click=move |_| filter.set(i)>{tr(label)}</button>
                    }
                }).collect_view()}
            </div>
            <Show when=move || failure.get().is_some()>
                <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || loading.get() && items.with(|i| i.is_empty())>
                <div class="skeleton">{tr(T::Loading)}</div>
            </Show>
            <Show when=move || !loading.get() && failure.get().is_none() && items.with(|i| i.is_empty())>
                <p class="empty" id="timeline-empty">{tr(T::TlEmpty)}</p>
            </Show>
            <ol class="timeline-items" id="timeline-items">
                // Keyed by language too, so a switch redraws every item.
                <For each=move || { lang.track(); items.get() } key=move |i| (i.id.clone(), lang.get_untracked()) let:item>
                    {item_view(lang.get_untracked(), &item, link(&item, subject), None)}
                </For>
            </ol>
            <Show when=move || next.with(|n| n.is_some())>
                <button type="button" class="secondary" id="timeline-more" disabled=move || loading.get()
                    on:click=move |_| load(next.get_untracked())>{tr(T::TlMore)}</button>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::shown_mentions;

    #[test]
    fn mention_tokens_read_as_names() {
        assert_eq!(shown_mentions("Ask @[Sara K](user:01a2) and @[North](team:9)."), "Ask @Sara K and @North.");
        assert_eq!(shown_mentions("mail @[x](mailto:y) @[open"), "mail @[x](mailto:y) @[open");
        assert_eq!(shown_mentions("no tokens"), "no tokens");
    }
}
