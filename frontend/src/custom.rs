//! Custom fields in the app: the workspace's definitions (fetched once per kind and kept until
//! an admin changes them), how each type is shown, typed and sent, its input, the facts panel
//! of a record page (edited in place) and the inputs of a create form.

use crate::api::{self, ApiError};
use crate::i18n::{self, tr, Lang, T};
use crate::ui::{show_problem, toast, DateInput, FieldErrors, FieldProblem, RecordPicker};
use chrono::Timelike;
use crm_api_types::{CustomField, FieldType};
use crm_domain::access::Entity;
use crm_domain::digits::to_ascii_digits;
use crm_domain::Role;
use leptos::prelude::*;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    static FIELDS: RefCell<HashMap<Entity, Vec<CustomField>>> = RefCell::new(HashMap::new());
    static NAMES: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    static ROLE: RefCell<Option<(Role, Vec<String>)>> = const { RefCell::new(None) };
}

/// The signed-in person's role and the kinds of record they may change, asked once.
async fn me_facts() -> Option<(Role, Vec<String>)> {
    if let Some(r) = ROLE.with(|r| r.borrow().clone()) {
        return Some(r);
    }
    let me = api::me().await.ok()?;
    let facts = (me.role, me.writes);
    ROLE.with(|r| *r.borrow_mut() = Some(facts.clone()));
    Some(facts)
}

async fn my_role() -> Option<Role> {
    me_facts().await.map(|m| m.0)
}

/// Whether the signed-in person may change records of `entity` at all (else their pages show
/// them read-only and their lists offer no new one).
pub async fn may_write(entity: Entity) -> bool {
    me_facts().await.is_some_and(|m| m.1.iter().any(|k| k == entity.as_str()))
}

/// The fields of `entity` the signed-in person reads (sensitive ones only their readers).
pub async fn readable_fields(entity: Entity) -> Vec<CustomField> {
    let role = my_role().await;
    fields(entity).await.into_iter().filter(|f| readable(f, role)).collect()
}

/// The fields of `entity`, by position (archived ones too); fetched once and kept until
/// [`forget`].
pub async fn fields(entity: Entity) -> Vec<CustomField> {
    if let Some(f) = FIELDS.with(|c| c.borrow().get(&entity).cloned()) {
        return f;
    }
    match api::fields(Some(entity)).await {
        Ok(f) => {
            FIELDS.with(|c| c.borrow_mut().insert(entity, f.clone()));
            f
        }
        // Not kept: the next page asks again.
        Err(_) => Vec::new(),
    }
}

/// The event the settings screens send when an admin changed a field: the app, a bundle of
/// its own with its own copy of the definitions, forgets them.
pub const FIELDS_CHANGED: &str = "crm:fields-changed";

/// Tells the other bundle that the definitions changed.
pub fn announce_change() {
    if let (Some(w), Ok(ev)) = (web_sys::window(), web_sys::Event::new(FIELDS_CHANGED)) {
        let _ = w.dispatch_event(&ev);
    }
}

/// Drops the kept definitions (after an admin changed them, or at sign-out with the role and
/// the names).
pub fn forget() {
    FIELDS.with(|c| c.borrow_mut().clear());
    ROLE.with(|r| *r.borrow_mut() = None);
    NAMES.with(|n| n.borrow_mut().clear());
}

/// The API collection and the app's list of a kind of record.
pub fn collection(entity: Entity) -> &'static str {
    match entity {
        Entity::Contact => "contacts",
        Entity::Company => "companies",
        Entity::Deal => "deals",
        Entity::Lead => "leads",
        Entity::Case => "cases",
        Entity::Order => "orders",
        Entity::Activity => "activities",
        Entity::Product => "products",
        Entity::Task => "tasks",
    }
}

/// Whether the role reads the field: a sensitive one only admins and its readers.
pub fn readable(field: &CustomField, role: Option<Role>) -> bool {
    !field.sensitive || role.is_some_and(|r| r == Role::Admin || field.readers.contains(&r))
}

/// The field's label in the language (the English one where no Persian is given).
pub fn label(lang: Lang, f: &CustomField) -> String {
    match (lang, &f.label_fa) {
        (Lang::Fa, Some(fa)) if !fa.is_empty() => fa.clone(),
        _ => f.label_en.clone(),
    }
}

pub fn help(lang: Lang, f: &CustomField) -> Option<String> {
    // English help is not shown in Persian: a label may fall back, a paragraph should not.
    match lang {
        Lang::Fa => f.help_fa.clone().filter(|h| !h.is_empty()),
        Lang::En => f.help_en.clone().filter(|h| !h.is_empty()),
    }
}

/// An option's label in the language and its colour.
pub fn option(lang: Lang, f: &CustomField, key: &str) -> (String, Option<String>) {
    match f.options.iter().find(|o| o.key == key) {
        Some(o) => {
            let l = match (lang, &o.label_fa) {
                (Lang::Fa, Some(fa)) if !fa.is_empty() => fa.clone(),
                _ => o.label_en.clone(),
            };
            (l, o.color.clone())
        }
        None => (key.to_owned(), None),
    }
}

/// A decimal string with thousands separators and the language's digits: `1,250.5`, `۱٬۲۵۰٫۵`.
pub fn decimal(lang: Lang, s: &str) -> String {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let Ok(n) = whole.parse::<i64>() else { return i18n::digits(lang, s) };
    let mut out = i18n::number(lang, n);
    if !frac.is_empty() {
        out.push(if lang == Lang::Fa { '٫' } else { '.' });
        out.push_str(&i18n::digits(lang, frac));
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// A record's or a member's name by id, once fetched (see [`name_of`]).
fn known_name(id: &str) -> Option<String> {
    NAMES.with(|n| n.borrow().get(id).cloned())
}

/// Listens, for the app's lifetime, for the settings screens' word that fields changed.
pub fn follow_changes() {
    let listener = window_event_listener(leptos::ev::Custom::<web_sys::Event>::new(FIELDS_CHANGED), |_| forget());
    std::mem::forget(listener);
}

/// Fetches the name a user or record field shows, keeping it for the session.
pub async fn name_of(f: &CustomField, id: &str) -> Option<String> {
    if let Some(n) = known_name(id) {
        return Some(n);
    }
    let name = match f.field_type {
        FieldType::User => api::members().await.ok()?.into_iter().find(|m| m.id == id).map(|m| m.name),
        _ => {
            let target = f.target?;
            let v = api::get_raw(&format!("/api/v1/{}", collection(target)), id).await.ok()?;
            ["display_name", "name", "title", "subject", "number"].iter().find_map(|k| match v.get(*k) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(format!("#{n}")),
                _ => None,
            })
        }
    }?;
    NAMES.with(|n| n.borrow_mut().insert(id.to_owned(), name.clone()));
    Some(name)
}

/// A value as text, for a list cell, a CSV export or a change shown in a conflict.
pub fn shown(lang: Lang, f: &CustomField, v: &Value) -> String {
    match (f.field_type, v) {
        (_, Value::Null) => String::new(),
        (FieldType::Money, Value::Object(m)) => i18n::money_str(
            lang,
            m.get("amount").and_then(Value::as_str).unwrap_or_default(),
            m.get("currency").and_then(Value::as_str).unwrap_or_default(),
        ),
        (FieldType::Number, Value::String(s)) => decimal(lang, s),
        (FieldType::Percent, Value::String(s)) => format!("{}{}", decimal(lang, s), if lang == Lang::Fa { "٪" } else { "%" }),
        (FieldType::Date, Value::String(s)) => i18n::date(lang, s),
        (FieldType::Datetime, Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| i18n::date_time(lang, &t.with_timezone(&chrono::Utc)))
            .unwrap_or_else(|_| s.clone()),
        (FieldType::YesNo, Value::Bool(b)) => i18n::text(lang, if *b { T::YesValue } else { T::NoValue }).to_owned(),
        (FieldType::Choice, Value::String(k)) => option(lang, f, k).0,
        (FieldType::Choices, Value::Array(ks)) => {
            ks.iter().filter_map(Value::as_str).map(|k| option(lang, f, k).0).collect::<Vec<_>>().join(", ")
        }
        (FieldType::Phone, Value::String(s)) => i18n::phone(lang, s),
        (FieldType::User | FieldType::Record, Value::String(id)) => known_name(id).unwrap_or_else(|| id.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// The text a value is edited as.
pub fn typed(f: &CustomField, v: &Value) -> String {
    match (f.field_type, v) {
        (_, Value::Null) => String::new(),
        (FieldType::Money, Value::Object(m)) => {
            let amount = m.get("amount").and_then(Value::as_str).unwrap_or_default();
            match f.currency {
                Some(_) => amount.to_owned(),
                None => format!("{amount} {}", m.get("currency").and_then(Value::as_str).unwrap_or_default()),
            }
        }
        (FieldType::Datetime, Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| {
                let local = t.naive_utc() + chrono::Duration::minutes(i18n::local_offset_minutes());
                format!("{}T{:02}:{:02}", i18n::ymd(local.date()), local.hour(), local.minute())
            })
            .unwrap_or_default(),
        (FieldType::Choices, Value::Array(ks)) => ks.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// Reads `YYYY-MM-DDTHH:MM`, as a `datetime-local` input gives it (chrono's format parser
/// stays out of the bundle).
fn local_time(s: &str) -> Option<chrono::NaiveDateTime> {
    let (day, time) = s.split_once('T')?;
    let (h, m) = time.split_once(':')?;
    i18n::parse_ymd(day)?.and_hms_opt(h.parse().ok()?, m.get(..2).unwrap_or(m).parse().ok()?, 0)
}

/// The value a typed text stands for; empty is `null`. A text that does not parse is sent as
/// written, so the server names the problem.
pub fn wire(f: &CustomField, text: &str) -> Value {
    let t = text.trim();
    if t.is_empty() {
        return if f.field_type == FieldType::Choices { Value::Array(Vec::new()) } else { Value::Null };
    }
    match f.field_type {
        FieldType::Number | FieldType::Percent => {
            Value::String(to_ascii_digits(t).replace(['٫'], ".").replace([',', '٬', '%', '٪'], "").trim().to_owned())
        }
        FieldType::Money => {
            let mut parts = t.split_whitespace();
            let amount = to_ascii_digits(parts.next().unwrap_or_default()).replace('٫', ".").replace([',', '٬'], "");
            let currency = parts.next().map(str::to_uppercase).or_else(|| f.currency.clone()).unwrap_or_default();
            json!({"amount": amount, "currency": currency})
        }
        FieldType::Date => Value::String(to_ascii_digits(t)),
        FieldType::Datetime => local_time(&to_ascii_digits(t))
            .map(|d| d.and_utc() - chrono::Duration::minutes(i18n::local_offset_minutes()))
            .map(|d| Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
            .unwrap_or_else(|| Value::String(t.to_owned())),
        FieldType::YesNo => Value::Bool(t == "true"),
        FieldType::Choices => Value::Array(t.split(',').filter(|k| !k.is_empty()).map(|k| Value::String(k.to_owned())).collect()),
        _ => Value::String(t.to_owned()),
    }
}

/// The input of a field. `on_done` (in place) saves when the person leaves it or presses
/// Enter; without it (a form) the value waits for the form's submit.
#[component]
pub fn Editor(
    #[prop(into)] id: String,
    field: CustomField,
    value: RwSignal<String>,
    #[prop(optional)] on_done: Option<Callback<()>>,
) -> impl IntoView {
    let lang = i18n::lang();
    let focus = on_done.is_some();
    let (done, keys) = crate::ui::done_on(on_done);
    let f = StoredValue::new(field.clone());
    match field.field_type {
        FieldType::LongText => {
            view! { <textarea id=id autofocus=focus rows="4" bind:value=value on:blur=move |_| done()></textarea> }.into_any()
        }
        FieldType::YesNo => view! {
            <select id=id autofocus=focus on:change=move |ev| { value.set(event_target_value(&ev)); done() }>
                <option value="">"—"</option>
                <option value="true" selected=move || value.get() == "true">{tr(T::YesValue)}</option>
                <option value="false" selected=move || value.get() == "false">{tr(T::NoValue)}</option>
            </select>
        }
        .into_any(),
        FieldType::Choice => view! {
            <select id=id autofocus=focus on:change=move |ev| { value.set(event_target_value(&ev)); done() }>
                <option value="">"—"</option>
                {move || f.with_value(|f| f.options.iter().filter(|o| !o.archived || value.with_untracked(|v| *v == o.key)).map(|o| {
                    let key = o.key.clone();
                    let k2 = key.clone();
                    let l = option(lang.get(), f, &key).0;
                    view! { <option value=key selected=move || value.with(|v| *v == k2)>{l}</option> }
                }).collect_view())}
            </select>
        }
        .into_any(),
        FieldType::Choices => view! {
            <div class="choices" id=id role="group">
                {move || f.with_value(|f| f.options.iter().filter(|o| !o.archived || value.with_untracked(|v| v.split(',').any(|k| k == o.key))).map(|o| {
                    let key = o.key.clone();
                    let (k1, k2) = (key.clone(), key.clone());
                    let l = option(lang.get(), f, &key).0;
                    view! {
                        <label class="check">
                            <input type="checkbox" data-option=key prop:checked=move || value.with(|v| v.split(',').any(|k| k == k1))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    value.update(|v| {
                                        let mut keys: Vec<String> = v.split(',').filter(|k| !k.is_empty() && *k != k2).map(str::to_owned).collect();
                                        if on { keys.push(k2.clone()); }
                                        *v = keys.join(",");
                                    });
                                }/>
                            " "{l}
                        </label>
                    }
                }).collect_view())}
                {on_done.map(|d| view! { <button type="button" class="secondary" on:click=move |_| d.run(())>{tr(T::Save)}</button> })}
            </div>
        }
        .into_any(),
        FieldType::User => {
            let members = LocalResource::new(|| async { api::members().await.unwrap_or_default() });
            view! {
                <select id=id autofocus=focus on:change=move |ev| { value.set(event_target_value(&ev)); done() }>
                    <option value="">"—"</option>
                    {move || members.get().map(|ms| ms.into_iter().map(|m| {
                        let mid = m.id.clone();
                        NAMES.with(|n| n.borrow_mut().insert(m.id.clone(), m.name.clone()));
                        view! { <option value=m.id selected=move || value.with(|v| *v == mid)>{m.name}</option> }
                    }).collect_view())}
                </select>
            }
            .into_any()
        }
        FieldType::Record => {
            let kind: &'static str = field.target.map(|t| t.as_str()).unwrap_or("contact");
            let kinds: &'static [&'static str] = match kind {
                "contact" => &["contact"],
                "company" => &["company"],
                "deal" => &["deal"],
                "lead" => &["lead"],
                _ => &["case"],
            };
            let current = value.get_untracked();
            let chosen = RwSignal::new((!current.is_empty()).then(|| (kind.to_owned(), current.clone(), known_name(&current).unwrap_or(current))));
            Effect::new(move || {
                let id = chosen.with(|c| c.as_ref().map(|c| c.1.clone()).unwrap_or_default());
                if id != value.get_untracked() {
                    if let Some((_, i, t)) = chosen.get_untracked() {
                        NAMES.with(|n| n.borrow_mut().insert(i, t));
                    }
                    value.set(id);
                    done();
                }
            });
            view! { <RecordPicker id=id kinds chosen/> }.into_any()
        }
        FieldType::Date => match on_done {
            Some(d) => view! { <DateInput id value on_done=d/> }.into_any(),
            None => view! { <DateInput id value/> }.into_any(),
        },
        t => {
            let (kind, ltr, mode) = match t {
                FieldType::Datetime => ("datetime-local", true, "text"),
                FieldType::Email => ("email", true, "email"),
                FieldType::Url => ("url", true, "url"),
                FieldType::Phone => ("tel", true, "tel"),
                FieldType::Number | FieldType::Percent | FieldType::Money => ("text", true, "decimal"),
                _ => ("text", false, "text"),
            };
            let placeholder = match (t, &field.currency) {
                (FieldType::Money, Some(c)) => c.clone(),
                (FieldType::Money, None) => "1250.50 USD".to_owned(),
                _ => String::new(),
            };
            let dated = t == FieldType::Datetime;
            // A fixed currency is named beside the amount (rials said in words: amounts are
            // shown in tomans in Persian, typed in rials).
            let unit = field.currency.clone().filter(|_| t == FieldType::Money).map(|c| {
                view! { <span class="unit">{move || if c == "IRR" { i18n::text(lang.get(), T::Rials).to_owned() } else { c.clone() }}</span> }
            });
            view! {
                <span class="with-unit">
                    <input id=id type=kind class:ltr=ltr inputmode=mode autofocus=focus placeholder=placeholder bind:value=value on:keydown=keys
                        on:change=move |_| if dated { done() } on:blur=move |_| if !dated { done() }/>
                    {unit}
                </span>
            }
            .into_any()
        }
    }
}

/// A value on a record page: option chips in their colours, a link for a linked record,
/// text otherwise.
#[component]
fn FactValue(field: CustomField, value: Value) -> impl IntoView {
    let lang = i18n::lang();
    match (field.field_type, &value) {
        (_, Value::Null) => view! { "—" }.into_any(),
        (FieldType::Choice | FieldType::Choices, _) => {
            let keys: Vec<String> = match &value {
                Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                Value::String(s) => vec![s.clone()],
                _ => Vec::new(),
            };
            view! {
                <span class="option-chips">
                    {keys.into_iter().map(|k| {
                        let f = field.clone();
                        let colour = option(Lang::En, &f, &k).1.map(|c| format!("--chip: {c}"));
                        view! { <span class="option-chip" style=colour>{move || option(lang.get(), &f, &k).0}</span> }
                    }).collect_view()}
                </span>
            }
            .into_any()
        }
        (FieldType::User | FieldType::Record, Value::String(id)) => {
            let (f, id) = (field.clone(), id.clone());
            let id2 = id.clone();
            let name = LocalResource::new(move || {
                let (f, id) = (f.clone(), id.clone());
                async move { name_of(&f, &id).await.unwrap_or(id) }
            });
            let text = move || name.get().unwrap_or_default();
            match field.target.filter(|_| field.field_type == FieldType::Record) {
                Some(t) => view! { <a href=format!("/{}/{id2}", collection(t)) class="record-link">{text}</a> }.into_any(),
                None => view! { <span>{text}</span> }.into_any(),
            }
        }
        (FieldType::Url, Value::String(u)) => {
            view! { <a href=u.clone() target="_blank" rel="noopener noreferrer" class="ltr">{u.clone()}</a> }.into_any()
        }
        (FieldType::Email, Value::String(e)) => view! { <a href=format!("mailto:{e}") class="ltr">{e.clone()}</a> }.into_any(),
        _ => {
            let f = field.clone();
            view! { <span>{move || shown(lang.get(), &f, &value)}</span> }.into_any()
        }
    }
}

/// The custom fields of a record, as facts edited in place. `current` is the record as the
/// server last answered; a save sends `custom.<key>` with the version seen (`If-Match`) and
/// hands the new record to `saved`. A save refused because someone saved first reloads the
/// record and keeps the person's value in the open input to save again.
#[component]
pub fn CustomFacts(
    entity: Entity,
    #[prop(into)] id: String,
    #[prop(into)] current: Signal<Option<Value>>,
    #[prop(into)] saved: Callback<Value>,
) -> impl IntoView {
    let lang = i18n::lang();
    let path = format!("/api/v1/{}", collection(entity));
    let (id, path) = (StoredValue::new(id), StoredValue::new(path));
    let defs = LocalResource::new(move || readable_fields(entity));
    let writable = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        writable.try_set(may_write(entity).await);
    });
    let editing = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let saving = RwSignal::new(false);
    let value_of = move |key: &str| current.with(|c| c.as_ref().and_then(|c| c.get("custom")?.get(key).cloned()).unwrap_or(Value::Null));
    let commit = move |field: CustomField| {
        if saving.get_untracked() || editing.get_untracked().as_deref() != Some(field.key.as_str()) {
            return;
        }
        let Some(record) = current.get_untracked() else { return };
        let text = draft.get_untracked();
        let before = value_of(&field.key);
        let after = wire(&field, &text);
        if after == before || (after.is_null() && before.is_null()) || (after == json!([]) && before.is_null()) {
            editing.set(None);
            return;
        }
        let l = lang.get_untracked();
        let key = format!("custom.{}", field.key);
        if field.required && (after.is_null() || after == json!([])) {
            errors.set(FieldErrors(vec![crm_domain::FieldError::new(key, "required", i18n::text(l, T::ErrRequired))]));
            return;
        }
        saving.set(true);
        let version = crate::pages::record::version_of(&record);
        // Read now: after the answer the page may be gone (a link clicked while the input blurs).
        let (path, id) = (path.get_value(), id.get_value());
        leptos::task::spawn_local(async move {
            let mut custom = Map::new();
            custom.insert(field.key.clone(), after);
            let result = api::patch_raw(&path, &id, version, json!({ "custom": custom })).await;
            saving.try_set(false);
            match result {
                Ok(v) => {
                    editing.try_set(None);
                    errors.try_set(FieldErrors::default());
                    let _ = saved.try_run(v);
                    toast(i18n::text(l, T::Saved), false);
                }
                Err(ApiError::Problem(p)) if p.status == 412 => {
                    if let Ok(latest) = api::get_raw(&path, &id).await {
                        let _ = saved.try_run(latest);
                    }
                    toast(i18n::text(l, T::ChangedMeanwhile), true);
                }
                Err(e) => show_problem(l, e, errors),
            }
        });
    };
    // Saves the field being edited (one callback for the panel, so it outlives each input).
    let save_open = Callback::new(move |()| {
        let Some(key) = editing.get_untracked() else { return };
        if let Some(field) = defs.get_untracked().and_then(|d| d.into_iter().find(|f| f.key == key)) {
            commit(field);
        }
    });
    let fact = move |field: CustomField| {
        let key = field.key.clone();
        let label = StoredValue::new(field.clone());
        let archived = field.archived;
        let (k1, k2, k3) = (key.clone(), key.clone(), key.clone());
        let f1 = field.clone();
        view! {
            <dt>
                {move || label.with_value(|f| label_of(lang.get(), f))}
                {move || label.with_value(|f| help(lang.get(), f)).map(|h| view! { <small class="field-help">{h}</small> })}
            </dt>
            <dd class="editable custom-fact" data-field=key.clone()>
                {move || {
                    let f1 = f1.clone();
                    let editable = !archived && writable.get();
                    if editable && editing.get().as_deref() == Some(k1.as_str()) {
                        view! { <Editor id=format!("edit-custom-{}", f1.key) field=f1 value=draft on_done=save_open/> }.into_any()
                    } else {
                        let k = k2.clone();
                        let v = value_of(&k);
                        let f3 = f1.clone();
                        let shown = view! { <FactValue field=f1 value=v/> };
                        if editable {
                            view! {
                                <button class="inline-value" id=format!("field-custom-{k}") title=tr(T::ClickToEdit) on:click=move |_| {
                                    errors.set(FieldErrors::default());
                                    draft.set(typed(&f3, &value_of(&k)));
                                    editing.set(Some(k.clone()));
                                }>{shown}</button>
                            }.into_any()
                        } else {
                            view! { <span id=format!("field-custom-{k}") class=archived.then_some("muted")>{shown}</span> }.into_any()
                        }
                    }
                }}
                <FieldProblem errors field=format!("custom.{k3}")/>
            </dd>
        }
    };
    let esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && editing.get_untracked().is_some() {
            editing.set(None);
        }
    });
    on_cleanup(move || esc.remove());
    // The fields shown (archived ones only where the record still holds a value). A memo, so
    // a save, which changes the record, redraws the values and not the panel (an input being
    // removed and drawn anew could blur and save again).
    let shown = Memo::new(move |_| {
        defs.with(|d| d.as_ref().map(|d| d.iter().filter(|f| !f.archived || !value_of(&f.key).is_null()).cloned().collect::<Vec<_>>()))
            .unwrap_or_default()
    });
    move || {
        let shown = shown.get();
        (!shown.is_empty()).then(|| {
            view! {
                <section class="facts custom-facts" id="custom-facts">
                    <h2>{tr(T::CustomFields)}</h2>
                    <dl>{shown.into_iter().map(fact).collect_view()}</dl>
                </section>
            }
        })
    }
}

fn label_of(lang: Lang, f: &CustomField) -> String {
    let l = label(lang, f);
    if f.required {
        format!("{l} *")
    } else {
        l
    }
}

/// The inputs of a create form for the custom fields of `entity`, each starting at its default.
/// [`CustomInputs::values`] gives the `custom` object to send and the required ones left empty.
#[derive(Clone, Copy)]
pub struct CustomInputs {
    pub inputs: RwSignal<Vec<(CustomField, RwSignal<String>)>>,
}

impl CustomInputs {
    pub fn new(entity: Entity) -> Self {
        let inputs = RwSignal::new(Vec::new());
        leptos::task::spawn_local(async move {
            let list = readable_fields(entity)
                .await
                .into_iter()
                .filter(|f| !f.archived)
                .map(|f| {
                    let start = f.default.as_ref().map(|d| typed(&f, d)).unwrap_or_default();
                    (f, RwSignal::new(start))
                })
                .collect();
            inputs.try_set(list);
        });
        CustomInputs { inputs }
    }

    /// The `custom` object (empty values left out) and the problems of required fields left empty.
    pub fn values(self, lang: Lang) -> (Map<String, Value>, Vec<crm_domain::FieldError>) {
        let mut custom = Map::new();
        let mut missing = Vec::new();
        for (f, v) in self.inputs.get_untracked() {
            let value = wire(&f, &v.get_untracked());
            if value.is_null() || value == json!([]) {
                if f.required {
                    missing.push(crm_domain::FieldError::new(format!("custom.{}", f.key), "required", i18n::text(lang, T::ErrRequired)));
                }
                continue;
            }
            custom.insert(f.key.clone(), value);
        }
        (custom, missing)
    }

    pub fn view(self, errors: RwSignal<FieldErrors>) -> impl IntoView {
        let lang = i18n::lang();
        move || {
            self.inputs
                .get()
                .into_iter()
                .map(|(f, v)| {
                    let id = format!("new-custom-{}", f.key);
                    let key = format!("custom.{}", f.key);
                    let (f1, f2) = (f.clone(), f.clone());
                    view! {
                        <div class="field">
                            <label for=id.clone()>{move || label_of(lang.get(), &f1)}</label>
                            <Editor id=id field=f value=v/>
                            {move || help(lang.get(), &f2).map(|h| view! { <small class="hint">{h}</small> })}
                            <FieldProblem errors field=key/>
                        </div>
                    }
                })
                .collect_view()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(t: FieldType) -> CustomField {
        serde_json::from_value(json!({
            "id": "f", "entity": "contact", "key": "k", "type": t.as_str(), "label_en": "K", "label_fa": null,
            "help_en": null, "help_fa": null, "position": 0, "required": false, "unique": false, "indexed": false,
            "sensitive": false, "readers": [], "archived": false, "min": null, "max": null, "pattern": null,
            "currency": null, "target": null, "default": null,
            "options": [{"key": "gold", "label_en": "Gold", "label_fa": "طلایی", "color": "#c90"}],
            "version": 1, "created_at": "2026-12-06T00:00:00Z", "updated_at": "2026-12-06T00:00:00Z"
        }))
        .expect("a field")
    }

    #[test]
    fn typed_values_go_out_as_the_api_reads_them() {
        assert_eq!(wire(&field(FieldType::Number), "۱٬۲۵۰٫۵"), json!("1250.5"));
        assert_eq!(wire(&field(FieldType::Money), "1,250.50 usd"), json!({"amount": "1250.50", "currency": "USD"}));
        let mut irr = field(FieldType::Money);
        irr.currency = Some("IRR".into());
        assert_eq!(wire(&irr, "5000000"), json!({"amount": "5000000", "currency": "IRR"}));
        assert_eq!(typed(&irr, &json!({"amount": "5000000", "currency": "IRR"})), "5000000");
        assert_eq!(wire(&field(FieldType::Choices), "gold,silver"), json!(["gold", "silver"]));
        assert_eq!(wire(&field(FieldType::Choices), ""), json!([]));
        assert_eq!(wire(&field(FieldType::Text), "  "), Value::Null);
        assert_eq!(wire(&field(FieldType::YesNo), "false"), json!(false));
        // Off the browser the offset is 0: the local time is UTC.
        let at = wire(&field(FieldType::Datetime), "2026-12-06T09:30");
        assert_eq!(at, json!("2026-12-06T09:30:00Z"));
        assert_eq!(typed(&field(FieldType::Datetime), &at), "2026-12-06T09:30");
    }

    #[test]
    fn values_are_shown_in_the_language() {
        assert_eq!(shown(Lang::Fa, &field(FieldType::Choice), &json!("gold")), "طلایی");
        assert_eq!(shown(Lang::En, &field(FieldType::Choices), &json!(["gold"])), "Gold");
        assert_eq!(shown(Lang::Fa, &field(FieldType::Percent), &json!("12.5")), "۱۲٫۵٪");
        assert_eq!(shown(Lang::En, &field(FieldType::Number), &json!("-1250000.25")), "-1,250,000.25");
        assert_eq!(shown(Lang::En, &field(FieldType::YesNo), &json!(true)), "Yes");
    }
}
