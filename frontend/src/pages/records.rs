//! One list view for every kind of record: a table with filter chips, search, sort, a column
//! chooser, saved views (per person on the server, optionally shared), cursor paging, multi-select with bulk
//! actions (assign to me or someone else, tag, delete, export CSV) and an empty state that says what to do.

use crate::api;
use crate::custom;
use crate::i18n::{self, tr, Lang, T};
use crate::ui::{toast, Pager};
use crm_api_types::{CustomField, FieldType, SaveViewRequest, SavedView, ViewFilter, ViewList};
use crm_domain::access::Entity;
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// How a column shows a record's field.
#[derive(Clone, Copy, PartialEq)]
pub enum Show {
    Text,
    /// A wire value (`in_progress`) shown in words.
    Word,
    Money,
    DateTime,
    Date,
    Number,
    Flag,
    /// The primary entry of a list of emails or phones.
    PrimaryEmail,
    PrimaryPhone,
    /// One E.164 number.
    Phone,
}

pub struct Column {
    pub key: &'static str,
    pub label: T,
    pub show: Show,
    pub default: bool,
}

pub struct Filter {
    pub param: &'static str,
    pub label: T,
    pub options: &'static [&'static str],
}

pub struct ListSpec {
    /// Names the saved views.
    pub name: &'static str,
    pub title: T,
    pub path: &'static str,
    pub columns: &'static [Column],
    pub filters: &'static [Filter],
    /// Sort parameters offered (`-created_at` …), the first is the default.
    pub sorts: &'static [(&'static str, T)],
    pub searchable: bool,
    /// The owner parameter and field (`owner_id`, `assignee_id`) for "mine" and bulk assignment.
    pub owner: Option<&'static str>,
    pub deletable: bool,
    pub taggable: bool,
    pub empty_hint: T,
    /// Where a record opens (`/cases` → `/cases/{id}`), through its first column.
    pub link: Option<&'static str>,
    /// The count above the table (`{n} contacts`).
    pub count: T,
    /// A button to create a record: where it goes and its label.
    pub create: Option<(&'static str, T)>,
    /// The kind whose custom fields are offered as columns, filters and sorts.
    pub custom: Option<Entity>,
}

/// A column of the table: one of the spec's, or a custom field (keyed `custom.<key>`, as the
/// API filters and sorts it).
#[derive(Clone)]
pub enum Col {
    Fixed(&'static Column),
    Custom(Box<CustomField>),
}

impl Col {
    pub fn key(&self) -> String {
        match self {
            Col::Fixed(c) => c.key.to_owned(),
            Col::Custom(f) => format!("custom.{}", f.key),
        }
    }

    pub fn header(&self, lang: Lang) -> String {
        match self {
            Col::Fixed(c) => i18n::text(lang, c.label).to_owned(),
            Col::Custom(f) => custom::label(lang, f),
        }
    }

    pub fn text(&self, lang: Lang, row: &Value) -> String {
        match self {
            Col::Fixed(c) => cell(lang, row.get(c.key).unwrap_or(&Value::Null), c.show),
            Col::Custom(f) => custom::shown(lang, f, row.get("custom").and_then(|c| c.get(&f.key)).unwrap_or(&Value::Null)),
        }
    }

    /// The sort parameter of a column that sorts (custom fields of the types that compare).
    fn sort(&self) -> Option<String> {
        match self {
            Col::Custom(f) if f.field_type.comparison().is_some() => Some(self.key()),
            _ => None,
        }
    }
}

/// The values a custom field is filtered on from the menu: its options, or yes and no.
pub(crate) fn custom_filter_values(lang: Lang, f: &CustomField) -> Vec<(String, String)> {
    match f.field_type {
        FieldType::Choice | FieldType::Choices => {
            f.options.iter().filter(|o| !o.archived).map(|o| (o.key.clone(), custom::option(lang, f, &o.key).0)).collect()
        }
        FieldType::YesNo => vec![("true".into(), i18n::text(lang, T::Yes).into()), ("false".into(), i18n::text(lang, T::No).into())],
        _ => Vec::new(),
    }
}

const fn col(key: &'static str, label: T, show: Show, default: bool) -> Column {
    Column { key, label, show, default }
}

/// Renders a cell.
pub fn cell(lang: Lang, v: &Value, show: Show) -> String {
    match (show, v) {
        (_, Value::Null) => String::new(),
        (Show::Money, Value::Object(m)) => match (m.get("amount").and_then(Value::as_str), m.get("currency").and_then(Value::as_str)) {
            (Some(a), Some(c)) => i18n::money_str(lang, a, c),
            _ => String::new(),
        },
        (Show::DateTime, Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| i18n::date_time(lang, &t.with_timezone(&chrono::Utc)))
            .unwrap_or_else(|_| s.clone()),
        (Show::Date, Value::String(s)) => i18n::date(lang, s),
        (Show::Number, Value::Number(n)) => i18n::number(lang, n.as_i64().unwrap_or_default()),
        (Show::Flag, Value::Bool(b)) => i18n::text(lang, if *b { T::Yes } else { T::No }).to_owned(),
        (Show::Word, Value::String(s)) => i18n::word(lang, s),
        (Show::Phone, Value::String(s)) => i18n::phone(lang, s),
        (Show::PrimaryEmail | Show::PrimaryPhone, Value::Array(a)) => {
            let key = if matches!(show, Show::PrimaryEmail) { "address" } else { "number" };
            let first = a.iter().find(|e| e.get("primary").and_then(Value::as_bool) == Some(true)).or(a.first());
            let v = first.and_then(|e| e.get(key)).and_then(Value::as_str).unwrap_or_default();
            if matches!(show, Show::PrimaryPhone) {
                i18n::phone(lang, v)
            } else {
                v.to_owned()
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        (_, other) => other.to_string(),
    }
}

/// Views this browser kept before they moved to the server: sent there once, then forgotten.
#[derive(Deserialize)]
struct LocalView {
    name: String,
    q: String,
    filters: Vec<(String, String)>,
    sort: String,
    columns: Vec<String>,
}

async fn move_local_views(spec: &'static ListSpec, user: &str) {
    let key = format!("crm.views.{}.{}", spec.name, user);
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else { return };
    let Some(local) = storage.get_item(&key).ok().flatten().and_then(|j| serde_json::from_str::<Vec<LocalView>>(&j).ok()) else { return };
    let Some(list) = ViewList::parse(spec.name) else { return };
    for v in local {
        let body = SaveViewRequest {
            list,
            name: v.name,
            shared: false,
            q: v.q,
            filters: v.filters.into_iter().map(|(param, value)| ViewFilter { param, value }).collect(),
            sort: v.sort,
            columns: v.columns,
        };
        if api::save_view(body).await.is_err() {
            return;
        }
    }
    let _ = storage.remove_item(&key);
}

/// CSV of the chosen rows and columns (RFC 4180 quoting).
pub fn csv(lang: Lang, columns: &[Col], rows: &[Value]) -> String {
    let quote = |s: &str| if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() };
    let mut out = String::from("id");
    for c in columns {
        out.push(',');
        out.push_str(&quote(&c.header(lang)));
    }
    out.push('\n');
    for r in rows {
        out.push_str(&quote(r.get("id").and_then(Value::as_str).unwrap_or_default()));
        for c in columns {
            out.push(',');
            out.push_str(&quote(&c.text(Lang::En, r)));
        }
        out.push('\n');
    }
    out
}

fn download(name: &str, body: &str) {
    crate::ui::save_as(&format!("data:text/csv;charset=utf-8,{}", js_sys::encode_uri_component(body)), name);
}

#[component]
pub fn RecordList(spec: &'static ListSpec) -> impl IntoView {
    let lang = i18n::lang();
    let me = LocalResource::new(api::me);
    let user = move || me.get().and_then(|r| r.ok()).map(|m| m.id).unwrap_or_default();
    let q = RwSignal::new(String::new());
    let filters = RwSignal::new(Vec::<(String, String)>::new());
    let sort = RwSignal::new(spec.sorts.first().map(|s| s.0.to_owned()).unwrap_or_default());
    let columns = RwSignal::new(spec.columns.iter().filter(|c| c.default).map(|c| c.key.to_owned()).collect::<Vec<_>>());
    let cursor = RwSignal::new(None::<String>);
    let history = RwSignal::new(Vec::<Option<String>>::new());
    let rows = RwSignal::new(Vec::<Value>::new());
    let total = RwSignal::new(None::<i64>);
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let failure = RwSignal::new(None::<String>);
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let views = RwSignal::new(Vec::<SavedView>::new());
    // The view last chosen or saved, while the list still shows it.
    let current_view = RwSignal::new(None::<String>);
    let share_view = RwSignal::new(false);
    let choosing_columns = RwSignal::new(false);
    let naming_view = RwSignal::new(None::<String>);
    let tag = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let progress = RwSignal::new(None::<(usize, usize)>);
    let reload = RwSignal::new(0u32);
    // The custom fields the person reads, offered as columns, filters and sorts.
    let defs = RwSignal::new(Vec::<CustomField>::new());
    // The custom field the bulk bar sets, and the value it is set to.
    let bulk_field = RwSignal::new(None::<CustomField>);
    let bulk_value = RwSignal::new(String::new());
    if let Some(entity) = spec.custom {
        leptos::task::spawn_local(async move {
            defs.try_set(custom::readable_fields(entity).await);
        });
    }
    // Only the answer to the latest query is shown (typing sends one query per key).
    let generation = StoredValue::new(0u64);

    let search_ref = NodeRef::<leptos::html::Input>::new();
    let slash = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "/" && !crate::ui::typing(&ev) {
            if let Some(input) = search_ref.get_untracked() {
                ev.prevent_default();
                let _ = input.focus();
            }
        }
    });
    on_cleanup(move || slash.remove());
    let load_views = move || {
        leptos::task::spawn_local(async move {
            if let Ok(vs) = api::views(spec.name).await {
                views.try_set(vs);
            }
        })
    };
    Effect::new(move || {
        let u = user();
        if !u.is_empty() {
            leptos::task::spawn_local(async move {
                move_local_views(spec, &u).await;
                load_views();
            });
        }
    });
    // Opened from a segment (`/contacts?segment={id}`, `/deals/list?segment={id}`, …): its
    // members or the records linked to them, the chip naming it.
    let segment_name = RwSignal::new(None::<String>);
    let asked = window().location().search().unwrap_or_default();
    if let Some(sid) = asked
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("segment="))
        .filter(|_| spec.custom.is_some_and(|e| e != Entity::Product))
    {
        let sid = sid.to_owned();
        filters.update_untracked(|f| f.push(("segment".into(), sid.clone())));
        leptos::task::spawn_local(async move {
            if let Ok(v) = api::get_raw("/api/v1/segments", &sid).await {
                segment_name.try_set(v["name"].as_str().map(str::to_owned));
            }
        });
    }
    let reset = move || {
        history.set(Vec::new());
        cursor.set(None);
        selected.set(BTreeSet::new());
    };
    Effect::new(move || {
        reload.track();
        let mut params: Vec<(String, String)> = vec![("limit".into(), "50".into()), ("include_total".into(), "true".into())];
        if spec.searchable && !q.get().trim().is_empty() {
            params.push(("q".into(), q.get().trim().to_owned()));
        }
        params.extend(filters.get());
        let s = sort.get();
        if !s.is_empty() {
            params.push(("sort".into(), s));
        }
        if let Some(c) = cursor.get() {
            params.push(("cursor".into(), c));
        }
        loading.set(true);
        let n = generation.get_value() + 1;
        generation.set_value(n);
        leptos::task::spawn_local(async move {
            let result = api::list_raw(spec.path, params).await;
            if generation.try_get_value() != Some(n) {
                // A newer query was sent, or the list is gone (the person navigated away).
                return;
            }
            match result {
                Ok(p) => {
                    total.set(p.total);
                    next.set(p.next_cursor);
                    rows.set(p.items);
                    failure.set(None);
                }
                Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
            }
            loading.set(false);
        });
    });

    let shown_columns = move || -> Vec<Col> {
        let chosen = columns.get();
        let fixed = spec.columns.iter().filter(|c| chosen.iter().any(|k| k == c.key)).map(Col::Fixed);
        let custom = defs.with(|d| {
            chosen
                .iter()
                .filter_map(|k| {
                    d.iter().find(|f| k.strip_prefix("custom.") == Some(f.key.as_str())).cloned().map(|f| Col::Custom(Box::new(f)))
                })
                .collect::<Vec<_>>()
        });
        fixed.chain(custom).collect()
    };
    let chosen_rows = move || -> Vec<Value> {
        let sel = selected.get_untracked();
        rows.get_untracked().into_iter().filter(|r| r.get("id").and_then(Value::as_str).is_some_and(|id| sel.contains(id))).collect()
    };
    // Runs one change per chosen record, with a progress count; stale records are reported.
    let each = move |action: BulkAction| {
        let targets = chosen_rows();
        let n = targets.len();
        if n == 0 {
            return;
        }
        // Assigned to the person chosen in the bulk bar; nobody chosen means me.
        let me_id = Some(assignee.get_untracked()).filter(|a| !a.is_empty()).unwrap_or_else(user);
        let tag_v = tag.get_untracked().trim().to_owned();
        // An empty value clears the field.
        let set_to = bulk_field.get_untracked().map(|f| (f.key.clone(), custom::wire(&f, &bulk_value.get_untracked())));
        progress.set(Some((0, n)));
        leptos::task::spawn_local(async move {
            let mut failed = 0;
            for (i, r) in targets.iter().enumerate() {
                let id = r.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
                let version = r.get("version").and_then(Value::as_i64).unwrap_or_default();
                let result = match action {
                    BulkAction::Delete => api::delete_raw(spec.path, &id, version).await,
                    BulkAction::Assign => {
                        let field = spec.owner.unwrap_or("owner_id");
                        api::patch_raw(spec.path, &id, version, serde_json::json!({ field: me_id })).await
                    }
                    BulkAction::SetField => {
                        let Some((key, value)) = set_to.clone() else { continue };
                        api::patch_raw(spec.path, &id, version, serde_json::json!({ "custom": { key: value } })).await
                    }
                    BulkAction::Tag => {
                        let mut tags: Vec<Value> = r.get("tags").and_then(Value::as_array).cloned().unwrap_or_default();
                        if !tags.iter().any(|t| t.as_str() == Some(tag_v.as_str())) {
                            tags.push(Value::String(tag_v.clone()));
                        }
                        api::patch_raw(spec.path, &id, version, serde_json::json!({ "tags": tags })).await
                    }
                };
                if result.is_err() {
                    failed += 1;
                }
                progress.set(Some((i + 1, n)));
            }
            progress.set(None);
            let l = lang.get_untracked();
            if failed == 0 {
                toast(i18n::count(l, T::BulkDone, n as i64), false);
            } else {
                toast(i18n::count(l, T::BulkFailed, failed), true);
            }
            selected.set(BTreeSet::new());
            tag.set(String::new());
            reload.update(|r| *r += 1);
        });
    };
    let apply_view = move |v: SavedView| {
        q.set(v.q);
        filters.set(v.filters.into_iter().map(|f| (f.param, f.value)).collect());
        sort.set(if v.sort.is_empty() { spec.sorts.first().map(|s| s.0.to_owned()).unwrap_or_default() } else { v.sort });
        if !v.columns.is_empty() {
            columns.set(v.columns);
        }
        current_view.set(Some(v.id));
        reset();
    };
    let save_view = move |name: String| {
        let Some(list) = ViewList::parse(spec.name) else { return };
        let body = SaveViewRequest {
            list,
            name,
            shared: share_view.get_untracked(),
            q: q.get_untracked(),
            filters: filters.get_untracked().into_iter().map(|(param, value)| ViewFilter { param, value }).collect(),
            sort: sort.get_untracked(),
            columns: columns.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::save_view(body).await {
                Ok(v) => {
                    current_view.set(Some(v.id));
                    naming_view.set(None);
                    share_view.set(false);
                    load_views();
                    toast(i18n::text(lang.get_untracked(), T::ViewSaved), false);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    let delete_view = move |id: String| {
        leptos::task::spawn_local(async move {
            match api::delete_view(id).await {
                Ok(()) => {
                    current_view.set(None);
                    load_views();
                    toast(i18n::text(lang.get_untracked(), T::ViewDeleted), false);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    // The whole list (its filters, search and sort) as a file, fetched by the server.
    let export_open = RwSignal::new(false);
    let export = move |format: &'static str| {
        export_open.set(false);
        let mut params = filters.get_untracked();
        if spec.searchable && !q.get_untracked().trim().is_empty() {
            params.push(("q".into(), q.get_untracked().trim().to_owned()));
        }
        let s = sort.get_untracked();
        if !s.is_empty() {
            params.push(("sort".into(), s));
        }
        params.push(("format".into(), format.to_owned()));
        toast(i18n::text(lang.get_untracked(), T::Exporting).to_owned(), false);
        leptos::task::spawn_local(async move {
            if let Err(e) = api::download(spec.path, params, &format!("{}.{format}", spec.name)).await {
                toast(e.message(lang.get_untracked()), true);
            }
        });
    };
    let mine_current = move || current_view.get().filter(|id| views.with(|vs| vs.iter().any(|v| &v.id == id && v.mine)));
    // A new record only for those who may make one (products: admins and managers by default).
    let writable = RwSignal::new(spec.custom.is_none());
    if let Some(entity) = spec.custom {
        leptos::task::spawn_local(async move {
            writable.try_set(crate::custom::may_write(entity).await);
        });
    }

    view! {
        <header class="page-head">
            <h1>{tr(spec.title)}</h1>
            {spec.create.map(|(href, label)| view! { <Show when=move || writable.get()>
                {(href == "/contacts/new").then(|| view! { <a href="/imports" class="button secondary">{tr(T::ImportFile)}</a> })}
                <a href=href class="button" id="new-record">{tr(label)}</a>
            </Show> })}
        </header>
        <div class="toolbar">
            {spec.searchable.then(|| view! {
                <input id="search" node_ref=search_ref type="search" placeholder=tr(T::SearchThisList) prop:value=move || q.get()
                    on:input=move |ev| { q.set(event_target_value(&ev)); reset(); }/>
            })}
            <select id="add-filter" aria-label=tr(T::AddFilter) on:change=move |ev| {
                let v = event_target_value(&ev);
                if let Some((p, o)) = v.split_once('=') {
                    filters.update(|f| { f.retain(|(k, _)| k != p); f.push((p.to_owned(), o.to_owned())); });
                    reset();
                }
                if let Some(el) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok()) { el.set_value(""); }
            }>
                <option value="">{tr(T::AddFilter)}</option>
                {spec.owner.map(|o| view! { <option value=format!("{o}=me")>{tr(T::MineOnly)}</option> })}
                {spec.filters.iter().map(|f| view! {
                    <optgroup label=move || i18n::text(lang.get(), f.label)>
                        {f.options.iter().map(|o| view! { <option value=format!("{}={o}", f.param)>{move || i18n::word(lang.get(), o)}</option> }).collect_view()}
                    </optgroup>
                }).collect_view()}
                {move || {
                    let l = lang.get();
                    defs.get().into_iter().filter(|f| !f.archived).map(|f| {
                        let values = custom_filter_values(l, &f);
                        (!values.is_empty()).then(|| view! {
                            <optgroup label=custom::label(l, &f)>
                                {values.into_iter().map(|(v, text)| view! { <option value=format!("custom.{}={v}", f.key)>{text}</option> }).collect_view()}
                            </optgroup>
                        })
                    }).collect_view()
                }}
            </select>
            <select id="list-sort" aria-label=tr(T::SortBy) on:change=move |ev| { sort.set(event_target_value(&ev)); reset(); }>
                {spec.sorts.iter().map(|(v, t)| view! { <option value=*v selected=move || sort.get() == *v>{tr(*t)}</option> }).collect_view()}
                {move || {
                    let l = lang.get();
                    defs.get().into_iter().filter(|f| f.field_type.comparison().is_some() && !f.archived).flat_map(|f| {
                        let label = custom::label(l, &f);
                        [(format!("custom.{}", f.key), T::Ascending), (format!("-custom.{}", f.key), T::Descending)].map(|(v, t)| {
                            let v2 = v.clone();
                            view! { <option value=v selected=move || sort.with(|s| *s == v2)>{i18n::text(l, t).replace("{label}", &label)}</option> }
                        })
                    }).collect_view()
                }}
            </select>
            <span class="export-menu">
                <button id="export-list" class="secondary" aria-expanded=move || export_open.get().to_string()
                    on:click=move |_| export_open.update(|o| *o = !*o)>{tr(T::ExportList)}</button>
                <Show when=move || export_open.get()>
                    <button id="export-xlsx" class="secondary" on:click=move |_| export("xlsx")>{tr(T::FormatXlsx)}</button>
                    <button id="export-csv" class="secondary" on:click=move |_| export("csv")>{tr(T::FormatCsv)}</button>
                </Show>
            </span>
            <button id="choose-columns" class="secondary" on:click=move |_| choosing_columns.update(|c| *c = !*c)>{tr(T::Columns)}</button>
            <select id="views" aria-label=tr(T::SavedViews) prop:value=move || current_view.get().unwrap_or_default() on:change=move |ev| {
                let id = event_target_value(&ev);
                if let Some(v) = views.get_untracked().into_iter().find(|v| v.id == id) { apply_view(v); }
            }>
                <option value="">{tr(T::SavedViews)}</option>
                {move || {
                    let (mine, shared): (Vec<SavedView>, Vec<SavedView>) = views.get().into_iter().partition(|v| v.mine);
                    let options = |vs: Vec<SavedView>| vs.into_iter().map(|v| {
                        // A colleague's view says whose it is; mine are listed apart.
                        let label = match (v.mine, v.owner_name.clone()) {
                            (false, Some(owner)) => format!("{} ({owner})", v.name),
                            _ => v.name.clone(),
                        };
                        view! { <option value=v.id.clone() data-name=v.name.clone()>{label}</option> }
                    }).collect_view();
                    view! {
                        <optgroup label=move || i18n::text(lang.get(), T::MyViews)>{options(mine)}</optgroup>
                        {(!shared.is_empty()).then(|| view! { <optgroup label=move || i18n::text(lang.get(), T::SharedViews)>{options(shared)}</optgroup> })}
                    }
                }}
            </select>
            <button id="save-view" class="secondary" on:click=move |_| {
                let name = mine_current().and_then(|id| views.with_untracked(|vs| vs.iter().find(|v| v.id == id).map(|v| v.name.clone())));
                naming_view.set(Some(name.unwrap_or_default()));
            }>{tr(T::SaveView)}</button>
            {move || mine_current().map(|id| view! {
                <button id="delete-view" class="secondary" on:click=move |_| delete_view(id.clone())>{tr(T::DeleteView)}</button>
            })}
            <span class="count">{move || total.get().map(|t| i18n::count(lang.get(), spec.count, t)).unwrap_or_default()}</span>
        </div>
        <Show when=move || naming_view.get().is_some()>
            <form class="inline-form" on:submit=move |ev| {
                ev.prevent_default();
                let n = naming_view.get_untracked().unwrap_or_default();
                if !n.trim().is_empty() { save_view(n.trim().to_owned()); }
            }>
                <input id="view-name" placeholder=tr(T::ViewName) autofocus maxlength="80" prop:value=move || naming_view.get().unwrap_or_default()
                    on:input=move |ev| naming_view.set(Some(event_target_value(&ev)))/>
                <label class="check"><input id="view-shared" type="checkbox" bind:checked=share_view/>" "{tr(T::ShareView)}</label>
                <button type="submit">{tr(T::Save)}</button>
                <button type="button" class="secondary" on:click=move |_| naming_view.set(None)>{tr(T::Cancel)}</button>
            </form>
        </Show>
        <div class="chips">
            {move || filters.get().into_iter().map(|(p, v)| {
                let label = spec.filters.iter().find(|f| f.param == p).map(|f| f.label).unwrap_or(if p == "segment" { T::SegmentChip } else { T::Owner });
                let field = p.strip_prefix("custom.").and_then(|k| defs.with(|d| d.iter().find(|f| f.key == k).cloned()));
                let p2 = p.clone();
                let words = move || {
                    let l = lang.get();
                    match &field {
                        Some(f) => (custom::label(l, f), custom_filter_values(l, f).into_iter().find(|x| x.0 == v).map(|x| x.1).unwrap_or_else(|| v.clone())),
                        None if label == T::SegmentChip => (i18n::text(l, label).to_owned(), segment_name.get().unwrap_or_else(|| v.clone())),
                        None => (i18n::text(l, label).to_owned(), if v == "me" { i18n::text(l, T::Me).to_owned() } else { i18n::word(l, &v) }),
                    }
                };
                view! {
                    <span class="chip">
                        {move || { let (a, b) = words(); format!("{a}: {b}") }}
                        <button class="chip-x" aria-label=tr(T::RemoveFilter) on:click=move |_| {
                            if p2 == "segment" {
                                // Off the address too, so a reload does not bring it back.
                                if let Ok(h) = window().history() {
                                    let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(spec.link.unwrap_or("/contacts")));
                                }
                            }
                            filters.update(|f| f.retain(|(k, _)| *k != p2));
                            reset();
                        }>"×"</button>
                    </span>
                }
            }).collect_view()}
        </div>
        <Show when=move || choosing_columns.get()>
            <fieldset class="column-chooser" id="column-chooser">
                <legend>{tr(T::Columns)}</legend>
                {spec.columns.iter().map(|c| view! {
                    <label class="check">
                        <input type="checkbox" data-column=c.key prop:checked=move || columns.with(|cs| cs.iter().any(|k| k == c.key))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                columns.update(|cs| { cs.retain(|k| k != c.key); if on { cs.push(c.key.to_owned()); } });
                            }/>
                        " "{tr(c.label)}
                    </label>
                }).collect_view()}
                {move || defs.get().into_iter().filter(|f| !f.archived).map(|f| {
                    let key = format!("custom.{}", f.key);
                    let (k1, k2) = (key.clone(), key.clone());
                    view! {
                        <label class="check">
                            <input type="checkbox" data-column=key prop:checked=move || columns.with(|cs| cs.contains(&k1))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    columns.update(|cs| { cs.retain(|k| *k != k2); if on { cs.push(k2.clone()); } });
                                }/>
                            " "{move || custom::label(lang.get(), &f)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        </Show>
        <Show when=move || !selected.with(|s| s.is_empty())>
            <div class="bulk-bar" id="bulk-bar">
                <strong>{move || i18n::count(lang.get(), T::SelectedCount, selected.with(|s| s.len() as i64))}</strong>
                {spec.owner.map(|_| {
                    // Who may be chosen, fetched when the bar first shows.
                    let members = LocalResource::new(|| async { api::members().await.unwrap_or_default() });
                    view! {
                        <select id="bulk-assignee" aria-label=tr(T::Owner) on:change=move |ev| assignee.set(event_target_value(&ev))>
                            <option value="" selected=move || assignee.with(String::is_empty)>{tr(T::Myself)}</option>
                            {move || members.get().map(|m| m.into_iter().filter(|m| m.id != user()).map(|m| {
                                let id = m.id.clone();
                                view! { <option value=m.id selected=move || assignee.with(|a| *a == id)>{m.name}</option> }
                            }).collect_view())}
                        </select>
                        <button id="bulk-assign" on:click=move |_| each(BulkAction::Assign)>{tr(T::Assign)}</button>
                    }
                })}
                {spec.taggable.then(|| view! {
                    <input id="bulk-tag" placeholder=tr(T::TagName) bind:value=tag/>
                    <button id="bulk-tag-apply" on:click=move |_| if !tag.get_untracked().trim().is_empty() { each(BulkAction::Tag) }>{tr(T::AddTag)}</button>
                })}
                {move || (!defs.with(Vec::is_empty)).then(|| view! {
                    <select id="bulk-field" aria-label=tr(T::SetField) on:change=move |ev| {
                        let key = event_target_value(&ev);
                        bulk_value.set(String::new());
                        bulk_field.set(defs.with_untracked(|d| d.iter().find(|f| f.key == key).cloned()));
                    }>
                        <option value="">{tr(T::SetField)}</option>
                        {defs.get().into_iter().filter(|f| !f.archived).map(|f| view! { <option value=f.key.clone()>{custom::label(lang.get_untracked(), &f)}</option> }).collect_view()}
                    </select>
                })}
                {move || bulk_field.get().map(|f| view! {
                    <custom::Editor id="bulk-value" field=f value=bulk_value/>
                    <button id="bulk-set" on:click=move |_| each(BulkAction::SetField)>{tr(T::ApplyToSelected)}</button>
                })}
                <button id="bulk-export" on:click=move |_| {
                    let l = lang.get_untracked();
                    let cols = shown_columns();
                    download(&format!("{}.csv", spec.name), &csv(l, &cols, &chosen_rows()));
                }>{tr(T::ExportCsv)}</button>
                {spec.deletable.then(|| view! { <button id="bulk-delete" class="danger" on:click=move |_| each(BulkAction::Delete)>{tr(T::Delete)}</button> })}
                {move || progress.get().map(|(d, n)| view! { <progress max=n value=d></progress> })}
            </div>
        </Show>
        <Show when=move || failure.get().is_some()>
            <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
        </Show>
        <Show when=move || loading.get() && rows.with(|r| r.is_empty())>
            <div class="skeleton">{tr(T::Loading)}</div>
        </Show>
        <Show when=move || !loading.get() && rows.with(|r| r.is_empty()) && failure.get().is_none()>
            <div class="empty">
                <p>{tr(T::NothingHere)}</p><p class="hint">{tr(spec.empty_hint)}</p>
                {move || (!filters.with(Vec::is_empty) || !q.with(String::is_empty)).then(|| view! {
                    <button id="clear-filters" class="secondary" on:click=move |_| { filters.set(Vec::new()); q.set(String::new()); reset(); }>{tr(T::ClearFilters)}</button>
                })}
            </div>
        </Show>
        <Show when=move || !rows.with(|r| r.is_empty())>
            <table class="list" id="records">
                <thead><tr>
                    <th><input type="checkbox" id="select-all" aria-label=tr(T::SelectAll)
                        prop:checked=move || !rows.with(|r| r.is_empty()) && selected.with(|s| s.len()) == rows.with(|r| r.len())
                        on:change=move |ev| {
                            if event_target_checked(&ev) {
                                selected.set(rows.get_untracked().iter().filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned)).collect());
                            } else {
                                selected.set(BTreeSet::new());
                            }
                        }/></th>
                    {move || {
                        let l = lang.get();
                        shown_columns().into_iter().map(|c| match c.sort() {
                            // A custom column sorts by a click on its header: ascending, then descending.
                            Some(key) => {
                                let (k1, k2) = (key.clone(), key.clone());
                                let mark = move || sort.with(|s| if *s == k1 { " ▲" } else if s.strip_prefix('-') == Some(k1.as_str()) { " ▼" } else { "" });
                                view! {
                                    <th aria-sort=move || sort.with(|s| if s.ends_with(k2.as_str()) { if s.starts_with('-') { "descending" } else { "ascending" } } else { "none" })>
                                        <button class="th-sort" data-sort=key.clone() on:click=move |_| {
                                            let next = if sort.get_untracked() == key { format!("-{key}") } else { key.clone() };
                                            sort.set(next);
                                            reset();
                                        }>{c.header(l)}{mark}</button>
                                    </th>
                                }.into_any()
                            }
                            None => view! { <th>{c.header(l)}</th> }.into_any(),
                        }).collect_view()
                    }}
                </tr></thead>
                <tbody>
                    {move || {
                        let l = lang.get();
                        let cols = shown_columns();
                        rows.get().into_iter().map(|r| {
                            let id = r.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
                            let (id_c, id_s) = (id.clone(), id.clone());
                            view! {
                                <tr>
                                    <td><input type="checkbox" class="select-row" prop:checked=move || selected.with(|s| s.contains(&id_c))
                                        on:change=move |ev| { let on = event_target_checked(&ev); selected.update(|s| { if on { s.insert(id_s.clone()); } else { s.remove(&id_s); } }); }/></td>
                                    {cols.iter().enumerate().map(|(i, c)| {
                                        let text = c.text(l, &r);
                                        let body = match spec.link.filter(|_| i == 0) {
                                            Some(base) => view! { <a href=format!("{base}/{id}") class="record-link">{text}</a> }.into_any(),
                                            None => text.into_any(),
                                        };
                                        view! { <td class=format!("col-{}", c.key().replace('.', "-"))>{body}</td> }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
            <Pager history cursor next/>
        </Show>
    }
}

#[derive(Clone, Copy)]
enum BulkAction {
    Assign,
    Tag,
    /// The custom field chosen in the bulk bar, to the value typed there.
    SetField,
    Delete,
}

pub static PRODUCTS: ListSpec = ListSpec {
    name: "products",
    title: T::Products,
    path: "/api/v1/products",
    columns: &[
        col("sku", T::Sku, Show::Text, true),
        col("name", T::Name, Show::Text, true),
        col("category", T::Category, Show::Text, true),
        col("unit_price", T::UnitPrice, Show::Money, true),
        col("unit_cost", T::UnitCost, Show::Money, false),
        col("active", T::Active, Show::Flag, true),
        col("updated_at", T::Changed, Show::DateTime, false),
    ],
    filters: &[Filter { param: "active", label: T::Active, options: &["true", "false"] }],
    sorts: &[("name", T::SortName), ("-created_at", T::SortNewest), ("-updated_at", T::SortChanged)],
    searchable: true,
    owner: None,
    deletable: false,
    taggable: false,
    empty_hint: T::ProductsHint,
    link: Some("/products"),
    count: T::Records,
    create: Some(("/products/new", T::NewProduct)),
    custom: Some(Entity::Product),
};

pub static ORDERS: ListSpec = ListSpec {
    name: "orders",
    title: T::Orders,
    path: "/api/v1/orders",
    columns: &[
        col("number", T::Number, Show::Number, true),
        col("ordered_at", T::OrderedAt, Show::DateTime, true),
        col("channel", T::Channel, Show::Word, true),
        col("status", T::Status, Show::Word, true),
        col("total", T::Total, Show::Money, true),
        col("base_total", T::BaseTotal, Show::Money, false),
        col("margin", T::Margin, Show::Money, false),
        col("external_id", T::ExternalId, Show::Text, false),
    ],
    filters: &[
        Filter { param: "status", label: T::Status, options: &["placed", "paid", "fulfilled", "cancelled", "refunded"] },
        Filter { param: "channel", label: T::Channel, options: &["online", "store", "phone", "field_sales", "marketplace", "other"] },
    ],
    sorts: &[("-ordered_at", T::SortNewest), ("ordered_at", T::SortOldest), ("-updated_at", T::SortChanged)],
    searchable: false,
    owner: Some("owner_id"),
    deletable: true,
    taggable: false,
    empty_hint: T::OrdersHint,
    link: Some("/orders"),
    count: T::Records,
    create: Some(("/orders/new", T::NewOrder)),
    custom: Some(Entity::Order),
};

pub static CASES: ListSpec = ListSpec {
    name: "cases",
    title: T::Cases,
    path: "/api/v1/cases",
    columns: &[
        col("number", T::Number, Show::Number, true),
        col("subject", T::Subject, Show::Text, true),
        col("status", T::Status, Show::Word, true),
        col("priority", T::Priority, Show::Word, true),
        col("channel", T::Channel, Show::Word, false),
        col("resolution_due_at", T::ResolutionDue, Show::DateTime, true),
        col("sla_breached", T::SlaBreached, Show::Flag, true),
        col("csat", T::Csat, Show::Number, false),
        col("tags", T::Tags, Show::Text, false),
    ],
    filters: &[
        Filter { param: "status", label: T::Status, options: &["new", "open", "pending", "resolved", "closed"] },
        Filter { param: "priority", label: T::Priority, options: &["low", "normal", "high", "urgent"] },
        Filter { param: "sla_breached", label: T::SlaBreached, options: &["true", "false"] },
    ],
    sorts: &[("-created_at", T::SortNewest), ("created_at", T::SortOldest), ("-updated_at", T::SortChanged)],
    searchable: true,
    owner: Some("assignee_id"),
    deletable: true,
    taggable: true,
    empty_hint: T::CasesHint,
    link: Some("/cases"),
    count: T::Records,
    create: Some(("/cases/new", T::NewCase)),
    custom: Some(Entity::Case),
};

pub static TASKS: ListSpec = ListSpec {
    name: "tasks",
    title: T::Tasks,
    path: "/api/v1/tasks",
    columns: &[
        col("title", T::TaskTitle, Show::Text, true),
        col("due_at", T::DueAt, Show::DateTime, true),
        col("priority", T::Priority, Show::Word, true),
        col("status", T::Status, Show::Word, true),
        col("overdue", T::Overdue, Show::Flag, true),
        col("related_type", T::RelatedTo, Show::Word, false),
    ],
    filters: &[
        Filter { param: "status", label: T::Status, options: &["open", "in_progress", "done", "cancelled"] },
        Filter { param: "priority", label: T::Priority, options: &["low", "normal", "high", "urgent"] },
        Filter { param: "overdue", label: T::Overdue, options: &["true"] },
    ],
    sorts: &[("due_at", T::SortDue), ("-created_at", T::SortNewest), ("-updated_at", T::SortChanged)],
    searchable: false,
    owner: Some("assignee_id"),
    deletable: true,
    taggable: false,
    empty_hint: T::TasksHint,
    link: Some("/tasks"),
    count: T::Records,
    create: Some(("/tasks/new", T::NewTask)),
    custom: Some(Entity::Task),
};

pub static ACTIVITIES: ListSpec = ListSpec {
    name: "activities",
    title: T::Activities,
    path: "/api/v1/activities",
    columns: &[
        col("occurred_at", T::When, Show::DateTime, true),
        col("kind", T::Kind, Show::Word, true),
        col("direction", T::Direction, Show::Word, true),
        col("subject", T::Subject, Show::Text, true),
        col("outcome", T::Outcome, Show::Word, false),
        col("duration_seconds", T::DurationSeconds, Show::Number, false),
    ],
    filters: &[
        Filter {
            param: "kind",
            label: T::Kind,
            options: &["call", "email", "meeting", "sms", "chat", "web_visit", "letter", "store_visit", "field_visit", "note"],
        },
        Filter { param: "direction", label: T::Direction, options: &["inbound", "outbound"] },
    ],
    sorts: &[("-occurred_at", T::SortNewest), ("occurred_at", T::SortOldest)],
    searchable: false,
    owner: Some("owner_id"),
    deletable: true,
    taggable: false,
    empty_hint: T::ActivitiesHint,
    link: Some("/activities"),
    count: T::Records,
    create: None,
    custom: Some(Entity::Activity),
};

pub static DEALS: ListSpec = ListSpec {
    name: "deals",
    title: T::Deals,
    path: "/api/v1/deals",
    columns: &[
        col("name", T::Name, Show::Text, true),
        col("company_name", T::Company, Show::Text, true),
        col("amount", T::Amount, Show::Money, true),
        col("status", T::Status, Show::Word, true),
        col("close_date", T::CloseDate, Show::Date, true),
        col("margin", T::Margin, Show::Money, false),
        col("loss_reason", T::LossReason, Show::Text, false),
        col("tags", T::Tags, Show::Text, false),
    ],
    filters: &[Filter { param: "status", label: T::Status, options: &["open", "won", "lost"] }],
    sorts: &[("-updated_at", T::SortChanged), ("-created_at", T::SortNewest), ("name", T::SortName)],
    searchable: true,
    owner: Some("owner_id"),
    deletable: true,
    taggable: true,
    empty_hint: T::DealsHint,
    link: Some("/deals"),
    count: T::Records,
    create: Some(("/deals/new", T::CreateDeal)),
    custom: Some(Entity::Deal),
};

pub static LEADS: ListSpec = ListSpec {
    name: "leads",
    title: T::Leads,
    path: "/api/v1/leads",
    columns: &[
        col("display_name", T::Name, Show::Text, true),
        col("company_name", T::Company, Show::Text, true),
        col("email", T::Email, Show::Text, true),
        col("phone", T::Phone, Show::Phone, true),
        col("status", T::Status, Show::Word, true),
        col("source", T::SourceLabel, Show::Word, true),
        col("disqualify_reason", T::DisqualifyReason, Show::Text, false),
        col("title", T::Title, Show::Text, false),
        col("converted_at", T::LeadConverted, Show::DateTime, false),
        col("created_at", T::Created, Show::DateTime, false),
        col("updated_at", T::Changed, Show::DateTime, false),
    ],
    filters: &[
        Filter { param: "status", label: T::Status, options: &["new", "working", "qualified", "disqualified"] },
        Filter { param: "source", label: T::SourceLabel, options: crate::pages::record::SOURCES },
        Filter { param: "converted", label: T::LeadConverted, options: &["true", "false"] },
    ],
    sorts: &[("-created_at", T::SortNewest), ("created_at", T::SortOldest), ("name", T::SortName), ("-updated_at", T::SortChanged)],
    searchable: true,
    owner: Some("owner_id"),
    deletable: true,
    taggable: false,
    empty_hint: T::NoLeadsHint,
    link: Some("/leads"),
    count: T::LeadCount,
    create: Some(("/leads/new", T::NewLead)),
    custom: Some(Entity::Lead),
};

pub static CONTACTS: ListSpec = ListSpec {
    name: "contacts",
    title: T::Contacts,
    path: "/api/v1/contacts",
    columns: &[
        col("display_name", T::Name, Show::Text, true),
        col("company_name", T::Company, Show::Text, true),
        col("emails", T::Email, Show::PrimaryEmail, true),
        col("phones", T::Phone, Show::PrimaryPhone, true),
        col("lifecycle_stage", T::Stage, Show::Word, true),
        col("title", T::Title, Show::Text, false),
        col("source", T::SourceLabel, Show::Word, false),
        col("tags", T::Tags, Show::Text, false),
        col("created_at", T::Created, Show::DateTime, false),
        col("updated_at", T::Changed, Show::DateTime, false),
    ],
    filters: &[Filter { param: "lifecycle_stage", label: T::Stage, options: &["lead", "prospect", "customer", "churned"] }],
    sorts: &[("-created_at", T::SortNewest), ("created_at", T::SortOldest), ("name", T::SortName), ("-updated_at", T::SortChanged)],
    searchable: true,
    owner: Some("owner_id"),
    deletable: true,
    taggable: true,
    empty_hint: T::NoContactsHint,
    link: Some("/contacts"),
    count: T::ContactCount,
    create: Some(("/contacts/new", T::NewContact)),
    custom: Some(Entity::Contact),
};

pub static COMPANIES: ListSpec = ListSpec {
    name: "companies",
    title: T::Companies,
    path: "/api/v1/companies",
    columns: &[
        col("name", T::Name, Show::Text, true),
        col("domain", T::Domain, Show::Text, true),
        col("city", T::City, Show::Text, true),
        col("phones", T::Phone, Show::PrimaryPhone, true),
        col("contact_count", T::ContactsColumn, Show::Number, true),
        col("industry", T::Industry, Show::Text, false),
        col("annual_revenue", T::AnnualRevenue, Show::Money, false),
        col("tags", T::Tags, Show::Text, false),
    ],
    filters: &[],
    sorts: &[("name", T::SortName), ("-created_at", T::SortNewest), ("-updated_at", T::SortChanged)],
    searchable: true,
    owner: Some("owner_id"),
    deletable: true,
    taggable: true,
    empty_hint: T::CompaniesHint,
    link: Some("/companies"),
    count: T::CompanyCount,
    create: Some(("/companies/new", T::NewCompany)),
    custom: Some(Entity::Company),
};

#[component]
pub fn ContactList() -> impl IntoView {
    view! { <RecordList spec=&CONTACTS/> }
}
#[component]
pub fn CompanyList() -> impl IntoView {
    view! { <RecordList spec=&COMPANIES/> }
}
#[component]
pub fn Products() -> impl IntoView {
    view! { <RecordList spec=&PRODUCTS/> }
}
#[component]
pub fn Orders() -> impl IntoView {
    view! { <RecordList spec=&ORDERS/> }
}
#[component]
pub fn Cases() -> impl IntoView {
    view! { <RecordList spec=&CASES/> }
}
#[component]
pub fn Tasks() -> impl IntoView {
    view! { <RecordList spec=&TASKS/> }
}
#[component]
pub fn Activities() -> impl IntoView {
    view! { <RecordList spec=&ACTIVITIES/> }
}
#[component]
pub fn Leads() -> impl IntoView {
    view! { <RecordList spec=&LEADS/> }
}
#[component]
pub fn DealList() -> impl IntoView {
    view! { <RecordList spec=&DEALS/> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let rows = vec![serde_json::json!({"id": "a1", "title": "Call \"Pars\", today", "priority": "high"})];
        let cols: Vec<Col> = TASKS.columns.iter().filter(|c| c.key == "title" || c.key == "priority").map(Col::Fixed).collect();
        assert_eq!(csv(Lang::En, &cols, &rows), "id,Task,Priority\na1,\"Call \"\"Pars\"\", today\",high\n");
    }

    #[test]
    fn every_filter_option_has_words() {
        for spec in [&CONTACTS, &COMPANIES, &LEADS, &PRODUCTS, &ORDERS, &CASES, &TASKS, &ACTIVITIES, &DEALS] {
            for f in spec.filters {
                for o in f.options {
                    assert!(i18n::word_key(o).is_some(), "{}: {o} has no translation", spec.name);
                }
            }
        }
    }
}
