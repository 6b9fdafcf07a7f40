//! One page and one create form for every kind of record that has no page of its own (leads,
//! tasks, products, orders, activities) and create forms for companies, deals and cases. A
//! spec names the fields; the page shows them, edits them in place (a stale edit answered 412
//! shows what the other person changed and lets the user reapply), and lists the audit trail.
//! The form checks required fields before sending and shows the server's field problems beside
//! each field.

use crate::api::{self, ApiError};
use crate::custom::{CustomFacts, CustomInputs};
use crate::i18n::{self, tr, Lang, T};
use crate::pages::records::{cell, Show};
use crate::router;
use crate::ui::{show_problem, toast, AuditTrail, ConflictPanel, FieldErrors, FieldProblem, HandOver};
use crm_domain::access::Entity;
use leptos::prelude::*;
use serde_json::{json, Map, Value};

/// How an amount is typed (not text to translate).
const MONEY_EXAMPLE: &str = "1250.50 USD";
const PHONES_EXAMPLE: &str = "+98 912 123 4567 mobile\n021 8888 0000 work";
const EMAILS_EXAMPLE: &str = "sara@example.com work";

/// How a field is shown and typed.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    /// Several lines.
    Long,
    /// One of these wire values, shown in words.
    Choice(&'static [&'static str]),
    /// A day (`YYYY-MM-DD`).
    Day,
    /// A moment (RFC 3339), typed as a day at 09:00 local time.
    Moment,
    /// `{amount, currency}`, typed as `1250.50 USD`.
    Money,
    Flag,
    /// A whole number.
    Number,
    /// A list of words, typed separated by commas.
    Tags,
    /// Email addresses or phone numbers, one a line, each with an optional label after it
    /// (`+98 912 123 4567 mobile`); the first is the primary one.
    Points(Point),
    /// Shown, never typed.
    Fixed(Show),
}

/// Which contact points a [`Kind::Points`] field holds.
#[derive(Clone, Copy, PartialEq)]
pub enum Point {
    Email,
    Phone,
}

impl Point {
    /// The key of the value in each entry, and the labels an entry may have (the default first).
    fn keys(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Point::Email => ("address", &["work", "personal", "other"]),
            Point::Phone => ("number", &["mobile", "work", "home", "fax", "other"]),
        }
    }
}

pub struct Field {
    pub key: &'static str,
    pub label: T,
    pub kind: Kind,
    /// Must have a value (checked before sending).
    pub required: bool,
    /// Offered in the create form.
    pub create: bool,
}

const fn f(key: &'static str, label: T, kind: Kind, required: bool, create: bool) -> Field {
    Field { key, label, kind, required, create }
}

pub struct RecordSpec {
    /// API collection, e.g. `/api/v1/tasks`.
    pub path: &'static str,
    /// The list in the app, e.g. `/tasks`; records open at `{list}/{id}`.
    pub list: &'static str,
    /// Whether records have a page here (else a new record opens its list).
    pub page: bool,
    pub title: T,
    pub new_title: T,
    /// The field that names a record in its header.
    pub name_key: &'static str,
    /// The id of the header that shows that name.
    pub name_id: &'static str,
    pub fields: &'static [Field],
    /// The kind whose custom fields the page and the form show beside `fields`.
    pub custom: Option<Entity>,
}

const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
pub const SOURCES: &[&str] =
    &["web_form", "import", "api", "referral", "event", "cold_call", "email", "social", "partner", "advertising", "store_visit", "other"];

pub static LEAD: RecordSpec = RecordSpec {
    path: "/api/v1/leads",
    list: "/leads",
    page: true,
    title: T::NavLeads,
    new_title: T::NewLead,
    name_key: "display_name",
    name_id: "record-name",
    fields: &[
        f("first_name", T::FirstName, Kind::Text, true, true),
        f("last_name", T::LastName, Kind::Text, false, true),
        f("email", T::Email, Kind::Text, false, true),
        f("phone", T::Phone, Kind::Text, false, true),
        f("company_name", T::Company, Kind::Text, false, true),
        f("title", T::Title, Kind::Text, false, true),
        f("status", T::Status, Kind::Choice(&["new", "working", "qualified", "disqualified"]), false, false),
        f("disqualify_reason", T::DisqualifyReason, Kind::Text, false, false),
        f("source", T::SourceLabel, Kind::Choice(SOURCES), false, true),
        f("notes", T::Notes, Kind::Long, false, true),
        f("created_at", T::Created, Kind::Fixed(Show::DateTime), false, false),
    ],
    custom: Some(Entity::Lead),
};

pub static TASK: RecordSpec = RecordSpec {
    path: "/api/v1/tasks",
    list: "/tasks",
    page: true,
    title: T::Tasks,
    new_title: T::NewTask,
    name_key: "title",
    name_id: "record-name",
    fields: &[
        f("title", T::TaskTitle, Kind::Text, true, true),
        f("due_at", T::DueAt, Kind::Moment, false, true),
        f("priority", T::Priority, Kind::Choice(PRIORITIES), false, true),
        f("status", T::Status, Kind::Choice(&["open", "in_progress", "done", "cancelled"]), false, false),
        f("notes", T::Notes, Kind::Long, false, true),
        f("overdue", T::Overdue, Kind::Fixed(Show::Flag), false, false),
        f("related_type", T::RelatedTo, Kind::Fixed(Show::Word), false, false),
        f("completed_at", T::CompletedAt, Kind::Fixed(Show::DateTime), false, false),
    ],
    custom: Some(Entity::Task),
};

pub static PRODUCT: RecordSpec = RecordSpec {
    path: "/api/v1/products",
    list: "/products",
    page: true,
    title: T::Products,
    new_title: T::NewProduct,
    name_key: "name",
    name_id: "record-name",
    fields: &[
        f("sku", T::Sku, Kind::Text, true, true),
        f("name", T::Name, Kind::Text, true, true),
        f("category", T::Category, Kind::Text, false, true),
        f("unit_price", T::UnitPrice, Kind::Money, true, true),
        f("unit_cost", T::UnitCost, Kind::Money, false, true),
        f("active", T::Active, Kind::Flag, false, false),
        f("description", T::Description, Kind::Long, false, true),
    ],
    custom: Some(Entity::Product),
};

pub static ORDER: RecordSpec = RecordSpec {
    path: "/api/v1/orders",
    list: "/orders",
    page: true,
    title: T::Orders,
    new_title: T::Orders,
    name_key: "number",
    name_id: "record-name",
    fields: &[
        f("ordered_at", T::OrderedAt, Kind::Fixed(Show::DateTime), false, false),
        f("status", T::Status, Kind::Choice(&["placed", "paid", "fulfilled", "cancelled", "refunded"]), false, false),
        f("channel", T::Channel, Kind::Choice(&["online", "store", "phone", "field_sales", "marketplace", "other"]), false, false),
        f("subtotal", T::Subtotal, Kind::Fixed(Show::Money), false, false),
        f("total", T::Total, Kind::Fixed(Show::Money), false, false),
        f("base_total", T::BaseTotal, Kind::Fixed(Show::Money), false, false),
        f("margin", T::Margin, Kind::Fixed(Show::Money), false, false),
        f("external_id", T::ExternalId, Kind::Fixed(Show::Text), false, false),
        f("notes", T::Notes, Kind::Long, false, false),
    ],
    custom: Some(Entity::Order),
};

pub static ACTIVITY: RecordSpec = RecordSpec {
    path: "/api/v1/activities",
    list: "/activities",
    page: true,
    title: T::Activities,
    new_title: T::Activities,
    name_key: "subject",
    name_id: "record-name",
    fields: &[
        f("kind", T::Kind, Kind::Fixed(Show::Word), false, false),
        f("direction", T::Direction, Kind::Fixed(Show::Word), false, false),
        f("occurred_at", T::When, Kind::Fixed(Show::DateTime), false, false),
        f("subject", T::Subject, Kind::Text, true, false),
        f("outcome", T::Outcome, Kind::Text, false, false),
        f("body", T::Body, Kind::Long, false, false),
        f("duration_seconds", T::DurationSeconds, Kind::Fixed(Show::Number), false, false),
    ],
    custom: Some(Entity::Activity),
};

/// A contact's own page: its facts edited in place, then [`crate::pages::contact`]'s extras.
pub static CONTACT: RecordSpec = RecordSpec {
    path: "/api/v1/contacts",
    list: "/contacts",
    page: true,
    title: T::BackToContacts,
    new_title: T::NewContact,
    name_key: "display_name",
    name_id: "contact-name",
    fields: &[
        f("first_name", T::FirstName, Kind::Text, true, false),
        f("last_name", T::LastName, Kind::Text, false, false),
        f("title", T::Title, Kind::Text, false, false),
        f("lifecycle_stage", T::Stage, Kind::Choice(&["lead", "prospect", "customer", "churned"]), true, false),
        f("emails", T::Emails, Kind::Points(Point::Email), false, false),
        f("phones", T::Phones, Kind::Points(Point::Phone), false, false),
        f("tags", T::Tags, Kind::Tags, false, false),
        f("source", T::SourceLabel, Kind::Choice(SOURCES), false, false),
        f("consent", T::ConsentLabel, Kind::Choice(&["unknown", "opted_in", "opted_out"]), true, false),
        f("created_at", T::Created, Kind::Fixed(Show::DateTime), false, false),
        f("updated_at", T::Changed, Kind::Fixed(Show::DateTime), false, false),
    ],
    custom: Some(Entity::Contact),
};

/// A company's own page: its facts edited in place, then [`crate::pages::company`]'s extras.
pub static COMPANY: RecordSpec = RecordSpec {
    path: "/api/v1/companies",
    list: "/companies",
    page: true,
    title: T::BackToCompanies,
    new_title: T::NewCompany,
    name_key: "name",
    name_id: "company-name",
    fields: &[
        f("name", T::Name, Kind::Text, true, false),
        f("domain", T::Domain, Kind::Text, false, false),
        f("industry", T::Industry, Kind::Text, false, false),
        f("city", T::City, Kind::Text, false, false),
        f("country", T::Country, Kind::Text, false, false),
        f("emails", T::Emails, Kind::Points(Point::Email), false, false),
        f("phones", T::Phones, Kind::Points(Point::Phone), false, false),
        f("annual_revenue", T::AnnualRevenue, Kind::Money, false, false),
        f("employee_count", T::Employees, Kind::Number, false, false),
        f("tags", T::Tags, Kind::Tags, false, false),
        f("updated_at", T::Changed, Kind::Fixed(Show::DateTime), false, false),
    ],
    custom: Some(Entity::Company),
};

pub static COMPANY_NEW: RecordSpec = RecordSpec {
    path: "/api/v1/companies",
    list: "/companies",
    page: true,
    title: T::Companies,
    new_title: T::NewCompany,
    name_key: "name",
    name_id: "record-name",
    fields: &[
        f("name", T::Name, Kind::Text, true, true),
        f("domain", T::Domain, Kind::Text, false, true),
        f("industry", T::Industry, Kind::Text, false, true),
        f("city", T::City, Kind::Text, false, true),
    ],
    custom: Some(Entity::Company),
};

pub static DEAL_NEW: RecordSpec = RecordSpec {
    path: "/api/v1/deals",
    list: "/deals",
    page: true,
    title: T::Deals,
    new_title: T::CreateDeal,
    name_key: "name",
    name_id: "record-name",
    fields: &[
        f("name", T::Name, Kind::Text, true, true),
        f("amount", T::Amount, Kind::Text, false, true),
        f("currency", T::Currency, Kind::Text, false, true),
        f("close_date", T::CloseDate, Kind::Day, false, true),
        f("source", T::SourceLabel, Kind::Choice(SOURCES), false, true),
    ],
    custom: Some(Entity::Deal),
};

/// A deal's own page: its facts edited in place, then [`crate::pages::deal::DealExtras`].
pub static DEAL: RecordSpec = RecordSpec {
    path: "/api/v1/deals",
    list: "/deals",
    page: true,
    title: T::BackToPipeline,
    new_title: T::CreateDeal,
    name_key: "name",
    name_id: "record-name",
    fields: &[
        f("name", T::Name, Kind::Text, true, false),
        f("status", T::Status, Kind::Fixed(Show::Word), false, false),
        f("amount", T::Amount, Kind::Fixed(Show::Money), false, false),
        f("margin", T::Margin, Kind::Fixed(Show::Money), false, false),
        f("close_date", T::CloseDate, Kind::Day, false, false),
        f("source", T::SourceLabel, Kind::Choice(SOURCES), false, false),
        f("loss_reason", T::LossReason, Kind::Fixed(Show::Text), false, false),
        f("updated_at", T::Changed, Kind::Fixed(Show::DateTime), false, false),
    ],
    custom: Some(Entity::Deal),
};

pub static CASE_NEW: RecordSpec = RecordSpec {
    path: "/api/v1/cases",
    list: "/cases",
    page: true,
    title: T::Cases,
    new_title: T::NewCase,
    name_key: "subject",
    name_id: "record-name",
    fields: &[
        f("subject", T::Subject, Kind::Text, true, true),
        f("description", T::Description, Kind::Long, false, true),
        f("priority", T::Priority, Kind::Choice(PRIORITIES), false, true),
        f("channel", T::Channel, Kind::Choice(&["email", "phone", "chat", "web", "social", "in_person", "api"]), false, true),
    ],
    custom: Some(Entity::Case),
};

/// The text a field is edited as.
fn typed(lang: Lang, v: &Value, kind: Kind) -> String {
    match (kind, v) {
        (_, Value::Null) => String::new(),
        (Kind::Moment, Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| i18n::ymd((t.naive_utc() + chrono::Duration::minutes(i18n::local_offset_minutes())).date()))
            .unwrap_or_default(),
        (Kind::Money, Value::Object(m)) => format!(
            "{} {}",
            m.get("amount").and_then(Value::as_str).unwrap_or_default(),
            m.get("currency").and_then(Value::as_str).unwrap_or_default()
        ),
        (Kind::Tags, Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        (Kind::Points(p), Value::Array(a)) => {
            let (key, _) = p.keys();
            let line = |e: &Value| {
                let label = e.get("label").and_then(Value::as_str).map(|l| i18n::word(lang, l)).unwrap_or_default();
                format!("{} {label}", e.get(key).and_then(Value::as_str).unwrap_or_default()).trim_end().to_owned()
            };
            a.iter().map(line).collect::<Vec<_>>().join("\n")
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// Contact points from their typed lines: a last word that names a label (in either language)
/// is the label; the first line is the primary entry.
fn points(text: &str, p: Point) -> Value {
    let (key, labels) = p.keys();
    let entries = text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate().map(|(i, line)| {
        let named = |w: &str| labels.iter().find(|l| **l == w || i18n::word(Lang::En, l) == w || i18n::word(Lang::Fa, l) == w).copied();
        let (value, label) = match line.rsplit_once(char::is_whitespace).and_then(|(v, w)| Some((v.trim(), named(w)?))) {
            Some((v, l)) => (v, l),
            None => (line, labels[0]),
        };
        json!({key: value, "label": label, "primary": i == 0})
    });
    Value::Array(entries.collect())
}

/// The JSON a typed text stands for; empty is `null`. A text that does not parse is sent as
/// written, so the server names the problem.
fn wire(text: &str, kind: Kind) -> Value {
    let t = text.trim();
    match kind {
        Kind::Tags => {
            return Value::Array(t.split(',').map(str::trim).filter(|w| !w.is_empty()).map(|w| Value::String(w.to_owned())).collect())
        }
        Kind::Points(p) => return points(t, p),
        _ if t.is_empty() => return Value::Null,
        _ => {}
    }
    match kind {
        Kind::Moment => i18n::parse_ymd(t)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .map(|d| d.and_utc() - chrono::Duration::minutes(i18n::local_offset_minutes()))
            .map(|d| Value::String(d.to_rfc3339()))
            .unwrap_or_else(|| Value::String(t.to_owned())),
        Kind::Money => {
            let mut parts = t.split_whitespace();
            let amount = parts.next().unwrap_or_default();
            json!({"amount": crm_domain::digits::to_ascii_digits(amount), "currency": parts.next().unwrap_or_default().to_uppercase()})
        }
        Kind::Flag => Value::Bool(t == "true"),
        Kind::Number => {
            crm_domain::digits::to_ascii_digits(t).parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(t.to_owned()))
        }
        _ => Value::String(t.to_owned()),
    }
}

fn shown(lang: Lang, v: &Value, kind: Kind) -> String {
    let show = match kind {
        Kind::Choice(_) => Show::Word,
        Kind::Day => Show::Date,
        Kind::Moment => Show::DateTime,
        Kind::Money => Show::Money,
        Kind::Flag => Show::Flag,
        Kind::Number => Show::Number,
        Kind::Fixed(s) => s,
        Kind::Points(p) => {
            let (key, _) = p.keys();
            let entry = |e: &Value| {
                let value = e.get(key).and_then(Value::as_str).unwrap_or_default();
                let value = if p == Point::Phone { i18n::phone(lang, value) } else { value.to_owned() };
                match e.get("label").and_then(Value::as_str) {
                    Some(l) => format!("{value} ({})", i18n::word(lang, l)),
                    None => value,
                }
            };
            return v.as_array().map(|a| a.iter().map(entry).collect::<Vec<_>>().join(", ")).unwrap_or_default();
        }
        Kind::Text | Kind::Long | Kind::Tags => Show::Text,
    };
    cell(lang, v, show)
}

/// An input for a field: a select for choices, a date picker for days.
fn editor(id: String, field: &'static Field, value: RwSignal<String>, on_done: Option<Callback<()>>) -> AnyView {
    let focus = on_done.is_some();
    let done = move || {
        if let Some(d) = on_done {
            d.run(())
        }
    };
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !matches!(field.kind, Kind::Long | Kind::Points(_)) {
            ev.prevent_default();
            done();
        }
    };
    match field.kind {
        Kind::Choice(options) => view! {
            <select id=id autofocus=focus on:change=move |ev| { value.set(event_target_value(&ev)); done() }>
                {(!field.required).then(|| view! { <option value="">"—"</option> })}
                {options.iter().map(|o| view! { <option value=*o selected=move || value.get() == *o>{move || i18n::word(i18n::lang().get(), o)}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        Kind::Flag => view! {
            <select id=id on:change=move |ev| { value.set(event_target_value(&ev)); done() }>
                <option value="true" selected=move || value.get() == "true">{tr(T::Yes)}</option>
                <option value="false" selected=move || value.get() == "false">{tr(T::No)}</option>
            </select>
        }
        .into_any(),
        Kind::Long => view! { <textarea id=id autofocus=focus rows="4" bind:value=value on:blur=move |_| done()></textarea> }.into_any(),
        Kind::Points(p) => {
            let example = if p == Point::Phone { PHONES_EXAMPLE } else { EMAILS_EXAMPLE };
            view! { <textarea id=id autofocus=focus rows="3" class="ltr" placeholder=example bind:value=value on:blur=move |_| done()></textarea> }.into_any()
        }
        Kind::Day | Kind::Moment => view! { <input id=id autofocus=focus type="date" class="ltr" bind:value=value on:keydown=keys on:change=move |_| done()/> }.into_any(),
        Kind::Number => view! { <input id=id autofocus=focus class="ltr" inputmode="numeric" bind:value=value on:keydown=keys on:blur=move |_| done()/> }.into_any(),
        Kind::Money => view! { <input id=id autofocus=focus class="ltr" placeholder=MONEY_EXAMPLE bind:value=value on:keydown=keys on:blur=move |_| done()/> }.into_any(),
        _ => view! { <input id=id autofocus=focus bind:value=value on:keydown=keys on:blur=move |_| done()/> }.into_any(),
    }
}

/// A save refused because someone else saved first: their changes and ours.
#[derive(Clone)]
struct Conflict {
    field: &'static Field,
    mine: String,
    theirs: Vec<(&'static Field, String, String)>,
    latest: Value,
}

pub fn version_of(v: &Value) -> i64 {
    v.get("version").and_then(Value::as_i64).unwrap_or_default()
}

/// The record a [`RecordPage`] shows, for what its `extra` adds below: its version for a save
/// of the extra's own (a deal's lines), after which the new record goes here so the facts, the
/// version and the audit trail follow.
#[derive(Clone, Copy)]
pub struct Shown {
    pub current: RwSignal<Option<Value>>,
    pub audit: RwSignal<u32>,
}

impl Shown {
    /// Shows `record` as the server now has it; the facts, the version and the audit trail follow.
    pub fn show(self, record: Value) {
        self.current.set(Some(record));
        self.audit.update(|n| *n += 1);
    }
}

/// The shown record's owner with the hand-over button, once the record is loaded; a hand-over
/// reloads the facts and the audit trail.
#[component]
pub fn OwnerOf(
    /// `contacts`, `companies`, …: the API collection under `/api/v1`.
    subject: &'static str,
    id: String,
) -> impl IntoView {
    let shown = use_context::<Shown>();
    let id = StoredValue::new(id);
    let owner = Memo::new(move |_| {
        shown.and_then(|s| s.current.with(|c| c.as_ref().map(|c| c.get("owner_id").and_then(Value::as_str).map(str::to_owned))))
    });
    let reload = move || {
        let Some(shown) = shown else { return };
        leptos::task::spawn_local(async move {
            if let Ok(v) = api::get_raw(&format!("/api/v1/{subject}"), &id.get_value()).await {
                shown.show(v);
            }
        });
    };
    move || owner.get().map(|o| view! { <div class="record-owner"><HandOver subject id=id.get_value() owner=o done=reload/></div> })
}

#[component]
pub fn RecordPage(
    spec: &'static RecordSpec,
    id: String,
    /// What the kind of record shows below its facts (a deal's lines and stages).
    #[prop(optional)]
    extra: Option<fn(String) -> AnyView>,
) -> impl IntoView {
    let lang = i18n::lang();
    let id = StoredValue::new(id);
    let current = RwSignal::new(None::<Value>);
    let failure = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<&'static str>);
    let draft = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let conflict = RwSignal::new(None::<Conflict>);
    let saving = RwSignal::new(false);
    let audit = RwSignal::new(0u32);
    let page = Shown { current, audit };
    provide_context(page);
    // Kinds the person may not change (products, for most roles) show their facts read-only.
    let writable = RwSignal::new(spec.custom.is_none());
    if let Some(entity) = spec.custom {
        leptos::task::spawn_local(async move {
            writable.try_set(crate::custom::may_write(entity).await);
        });
    }
    leptos::task::spawn_local(async move {
        match api::get_raw(spec.path, &id.get_value()).await {
            Ok(v) => current.set(Some(v)),
            Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
        }
    });
    let save = move |field: &'static Field, text: String, base: Value| {
        saving.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            let mut body = Map::new();
            body.insert(field.key.to_owned(), wire(&text, field.kind));
            let result = api::patch_raw(spec.path, &id.get_value(), version_of(&base), Value::Object(body)).await;
            saving.set(false);
            match result {
                Ok(v) => {
                    page.show(v);
                    editing.set(None);
                    conflict.set(None);
                    errors.set(FieldErrors::default());
                    toast(i18n::text(l, T::Saved), false);
                }
                Err(ApiError::Problem(p)) if p.status == 412 => match api::get_raw(spec.path, &id.get_value()).await {
                    Ok(latest) => {
                        let theirs = spec
                            .fields
                            .iter()
                            .filter(|f| base.get(f.key) != latest.get(f.key))
                            .map(|f| {
                                let s = |v: &Value| shown(l, v.get(f.key).unwrap_or(&Value::Null), f.kind);
                                (f, s(&base), s(&latest))
                            })
                            .collect();
                        conflict.set(Some(Conflict { field, mine: text, theirs, latest }));
                    }
                    Err(e) => toast(e.message(l), true),
                },
                Err(e) => show_problem(l, e, errors),
            }
        });
    };
    let commit = Callback::new(move |()| {
        let (Some(key), Some(c)) = (editing.get_untracked(), current.get_untracked()) else { return };
        let Some(field) = spec.fields.iter().find(|f| f.key == key) else { return };
        if saving.get_untracked() || conflict.with_untracked(Option::is_some) {
            return;
        }
        let text = draft.get_untracked();
        if text.trim() == typed(lang.get_untracked(), c.get(key).unwrap_or(&Value::Null), field.kind) {
            editing.set(None);
            return;
        }
        if field.required && text.trim().is_empty() {
            errors.set(FieldErrors(vec![crm_domain::FieldError::new(key, "required", "required")]));
            return;
        }
        save(field, text, c);
    });
    let fact = move |field: &'static Field| {
        let key = field.key;
        let value = move || current.with(|c| c.as_ref().map(|c| shown(lang.get(), c.get(key).unwrap_or(&Value::Null), field.kind)));
        let fixed = matches!(field.kind, Kind::Fixed(_));
        view! {
            <dt>{tr(field.label)}</dt>
            <dd class="editable">
                {move || if fixed || !writable.get() {
                    view! { <span id=format!("field-{key}")>{move || value().filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())}</span> }.into_any()
                } else {
                    view! {
                        <Show when=move || editing.get() == Some(key)
                            fallback=move || view! {
                                <button class="inline-value" id=format!("field-{key}") title=tr(T::ClickToEdit) on:click=move |_| {
                                    if let Some(c) = current.get_untracked() {
                                        errors.set(FieldErrors::default());
                                        draft.set(typed(lang.get_untracked(), c.get(key).unwrap_or(&Value::Null), field.kind));
                                        editing.set(Some(key));
                                    }
                                }>{move || value().filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())}</button>
                            }>
                            {editor(format!("edit-{key}"), field, draft, Some(commit))}
                        </Show>
                    }.into_any()
                }}
                <FieldProblem errors field=key/>
            </dd>
        }
    };
    view! {
        <p class="crumbs"><a href=spec.list>{tr(spec.title)}</a></p>
        <Show when=move || failure.get().is_some()>
            <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
        </Show>
        <Show when=move || current.with(Option::is_none) && failure.with(Option::is_none)>
            <div class="skeleton">{tr(T::Loading)}</div>
        </Show>
        {move || conflict.get().map(|c| {
            let (field, mine, latest, keep) = (c.field, c.mine.clone(), c.latest.clone(), c.latest);
            view! {
                <ConflictPanel title=T::ConflictRecordTitle explain=T::ConflictRecordExplain
                    theirs=c.theirs.iter().map(|(f, before, after)| (f.label, before.clone(), after.clone())).collect()
                    field=field.label mine=c.mine
                    reapply=move || save(field, mine.clone(), latest.clone())
                    keep_theirs=move || {
                        page.show(keep.clone());
                        conflict.set(None);
                        editing.set(None);
                    }/>
            }
        })}
        <Show when=move || current.with(Option::is_some)>
            <header class="page-head">
                <h1 id=spec.name_id>{move || current.with(|c| c.as_ref().and_then(|c| c.get(spec.name_key)).map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => format!("#{}", i18n::digits(lang.get(), &other.to_string())),
                }).unwrap_or_default())}</h1>
                <span class="muted" id="version">{move || current.with(|c| c.as_ref().map(|c| i18n::count(lang.get(), T::Version, version_of(c))).unwrap_or_default())}</span>
            </header>
            <section class="facts"><dl>{spec.fields.iter().map(fact).collect_view()}</dl></section>
            {spec.custom.map(|entity| view! { <CustomFacts entity id=id.get_value() current saved=move |v| page.show(v)/> })}
        </Show>
        {extra.map(|e| e(id.get_value()))}
        <AuditTrail path=spec.path id=id.get_value() refresh=audit/>
    }
}

/// A create form for `spec`; a saved record opens its page.
#[component]
pub fn NewRecord(spec: &'static RecordSpec) -> impl IntoView {
    let lang = i18n::lang();
    let fields: Vec<&'static Field> = spec.fields.iter().filter(|f| f.create).collect();
    let values: Vec<RwSignal<String>> = fields.iter().map(|_| RwSignal::new(String::new())).collect();
    let errors = RwSignal::new(FieldErrors::default());
    let busy = RwSignal::new(false);
    let custom = spec.custom.map(CustomInputs::new);
    let (f2, v2) = (fields.clone(), values.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let mut body = Map::new();
        let mut missing = Vec::new();
        for (field, value) in f2.iter().zip(&v2) {
            let v = wire(&value.get_untracked(), field.kind);
            if v.is_null() {
                if field.required {
                    missing.push(crm_domain::FieldError::new(field.key, "required", i18n::text(l, T::ErrRequired)));
                }
                continue;
            }
            body.insert(field.key.to_owned(), v);
        }
        if let Some(c) = custom {
            let (values, more) = c.values(l);
            missing.extend(more);
            if !values.is_empty() {
                body.insert("custom".to_owned(), Value::Object(values));
            }
        }
        if !missing.is_empty() {
            errors.set(FieldErrors(missing));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::create_raw(spec.path, Value::Object(body)).await;
            busy.set(false);
            match result {
                Ok(v) => {
                    toast(i18n::text(l, T::Saved), false);
                    let id = v.get("id").and_then(Value::as_str).unwrap_or_default();
                    router::navigate(&if spec.page { format!("{}/{id}", spec.list) } else { spec.list.to_owned() });
                }
                Err(e) => show_problem(l, e, errors),
            }
        });
    };
    view! {
        <p class="crumbs"><a href=spec.list>{tr(spec.title)}</a></p>
        <header class="page-head"><h1>{tr(spec.new_title)}</h1></header>
        <form class="record-form" id="record-form" on:submit=submit novalidate>
            {fields.iter().zip(values).map(|(field, value)| view! {
                <div class="field">
                    <label for=format!("new-{}", field.key)>{tr(field.label)}{field.required.then_some(" *")}</label>
                    {editor(format!("new-{}", field.key), field, value, None)}
                    <FieldProblem errors field=field.key/>
                </div>
            }).collect_view()}
            {custom.map(|c| c.view(errors))}
            <div class="actions">
                <button type="submit" id="record-save" disabled=move || busy.get()>{move || i18n::text(lang.get(), if busy.get() { T::Saving } else { T::Save })}</button>
                <a class="button secondary" href=spec.list>{tr(T::Cancel)}</a>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_and_wire_values_round_trip() {
        assert_eq!(wire("", Kind::Text), Value::Null);
        assert_eq!(wire(" Pars ", Kind::Text), json!("Pars"));
        assert_eq!(wire("1250.50 usd", Kind::Money), json!({"amount": "1250.50", "currency": "USD"}));
        assert_eq!(typed(Lang::En, &json!({"amount": "1250.50", "currency": "USD"}), Kind::Money), "1250.50 USD");
        assert_eq!(wire("true", Kind::Flag), json!(true));
        // Offset 0 off the browser: 09:00 UTC, and back to its day.
        let m = wire("2026-12-01", Kind::Moment);
        assert_eq!(m, json!("2026-12-01T09:00:00+00:00"));
        assert_eq!(typed(Lang::En, &m, Kind::Moment), "2026-12-01");
        assert_eq!(wire("soon", Kind::Moment), json!("soon"));
        assert_eq!(wire(" vip,, renewal ,", Kind::Tags), json!(["vip", "renewal"]));
        assert_eq!(wire("", Kind::Tags), json!([]));
        let phones = wire("+98 912 123 4567 home\n021 8888 0000 کاری\n\n0912 000 0000", Kind::Points(Point::Phone));
        assert_eq!(
            phones,
            json!([
                {"number": "+98 912 123 4567", "label": "home", "primary": true},
                {"number": "021 8888 0000", "label": "work", "primary": false},
                {"number": "0912 000 0000", "label": "mobile", "primary": false},
            ])
        );
        let stored = json!([{"number": "+989121234567", "label": "home"}, {"number": "+982188880000", "label": "work"}]);
        assert_eq!(typed(Lang::En, &stored, Kind::Points(Point::Phone)), "+989121234567 home\n+982188880000 work");
        assert_eq!(wire("a@b.example", Kind::Points(Point::Email)), json!([{"address": "a@b.example", "label": "work", "primary": true}]));
    }

    #[test]
    fn every_choice_has_words() {
        for spec in [&LEAD, &TASK, &PRODUCT, &ORDER, &ACTIVITY, &COMPANY_NEW, &DEAL_NEW, &DEAL, &CASE_NEW, &CONTACT, &COMPANY] {
            for field in spec.fields {
                if let Kind::Choice(options) = field.kind {
                    for o in options {
                        assert!(i18n::word_key(o).is_some(), "{}: {o} has no translation", field.key);
                    }
                }
                if let Kind::Points(p) = field.kind {
                    for l in p.keys().1 {
                        assert!(i18n::word_key(l).is_some(), "{}: {l} has no translation", field.key);
                    }
                }
            }
        }
    }
}
