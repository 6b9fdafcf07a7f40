//! Settings → Custom fields: an admin adds, edits, reorders, archives and deletes the fields of
//! each kind of record, and changes a field's type after checking what becomes of the values
//! records hold. Every member's forms, pages and lists follow the definitions made here.

use crate::api;
use crate::custom::{self, Editor};
use crate::i18n::{self, tr, Lang, A, T};
use crate::pages::settings::SettingsTabs;
use crate::ui::{show_problem, toast, FieldErrors, FieldProblem};
use crm_api_types::{
    ChoiceOption, CustomField, CustomFieldCreate, CustomFieldPatch, CustomFieldTypeChange, CustomFieldTypeReport, FieldType, CUSTOM_KINDS,
    LINK_TARGETS,
};
use crm_domain::access::Entity;
use crm_domain::Role;
use leptos::prelude::*;
use serde_json::Value;

/// The words for a type.
pub fn type_label(t: FieldType) -> A {
    match t {
        FieldType::Text => A::TypeText,
        FieldType::LongText => A::TypeLongText,
        FieldType::Number => A::TypeNumber,
        FieldType::Money => A::TypeMoney,
        FieldType::Percent => A::TypePercent,
        FieldType::Date => A::TypeDate,
        FieldType::Datetime => A::TypeDatetime,
        FieldType::YesNo => A::TypeYesNo,
        FieldType::Choice => A::TypeChoice,
        FieldType::Choices => A::TypeChoices,
        FieldType::User => A::TypeUser,
        FieldType::Record => A::TypeRecord,
        FieldType::Email => A::TypeEmail,
        FieldType::Phone => A::TypePhone,
        FieldType::Url => A::TypeUrl,
    }
}

fn kind_label(e: Entity) -> T {
    match e {
        Entity::Contact => T::NavContacts,
        Entity::Company => T::NavCompanies,
        Entity::Deal => T::NavDeals,
        Entity::Lead => T::NavLeads,
        Entity::Case => T::NavCases,
        Entity::Order => T::NavOrders,
        Entity::Activity => T::NavActivities,
        Entity::Task => T::NavTasks,
        Entity::Product => T::NavProducts,
    }
}

fn has_bounds(t: FieldType) -> bool {
    matches!(
        t,
        FieldType::Text
            | FieldType::LongText
            | FieldType::Number
            | FieldType::Percent
            | FieldType::Money
            | FieldType::Date
            | FieldType::Datetime
    )
}

/// A key made from an English label: `Account tier` → `account_tier`.
pub fn key_from(label: &str) -> String {
    let mut key = String::new();
    for c in label.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_').trim_start_matches(|c: char| c.is_ascii_digit() || c == '_');
    key.chars().take(40).collect()
}

/// The language now; after an `await` the screen may be gone (English then, unseen).
fn now(lang: RwSignal<Lang>) -> Lang {
    lang.try_get_untracked().unwrap_or(Lang::En)
}

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A bound as typed: a length for text, a date or decimal otherwise.
fn bound(t: FieldType, s: &str) -> Option<Value> {
    let s = crm_domain::digits::to_ascii_digits(s.trim());
    if s.is_empty() {
        return None;
    }
    Some(match t {
        FieldType::Text | FieldType::LongText => s.parse::<i64>().map(Value::from).unwrap_or(Value::String(s)),
        _ => Value::String(s),
    })
}

fn bound_text(v: &Option<Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Colours new options take in turn, distinct on a white page.
const PALETTE: [&str; 8] = ["#2f6fde", "#1f7a4d", "#b8860b", "#c2410c", "#7c3aed", "#0e7490", "#be123c", "#4b5563"];

/// One option row of the form.
#[derive(Clone, Copy)]
struct OptionRow {
    key: RwSignal<String>,
    en: RwSignal<String>,
    fa: RwSignal<String>,
    color: RwSignal<String>,
    archived: bool,
    /// Kept options keep their key (records hold it).
    fixed: bool,
}

impl OptionRow {
    fn new(o: Option<&ChoiceOption>) -> Self {
        OptionRow {
            key: RwSignal::new(o.map(|o| o.key.clone()).unwrap_or_default()),
            en: RwSignal::new(o.map(|o| o.label_en.clone()).unwrap_or_default()),
            fa: RwSignal::new(o.and_then(|o| o.label_fa.clone()).unwrap_or_default()),
            color: RwSignal::new(o.and_then(|o| o.color.clone()).unwrap_or_else(|| "#2f6fde".into())),
            archived: o.is_some_and(|o| o.archived),
            fixed: o.is_some(),
        }
    }

    fn option(&self) -> ChoiceOption {
        let en = self.en.get_untracked().trim().to_owned();
        let key = opt(self.key.get_untracked()).unwrap_or_else(|| key_from(&en));
        ChoiceOption {
            key,
            label_en: en,
            label_fa: opt(self.fa.get_untracked()),
            color: opt(self.color.get_untracked()),
            archived: self.archived,
        }
    }
}

#[component]
pub fn FieldSettings() -> impl IntoView {
    let lang = i18n::lang();
    let kind = RwSignal::new(Entity::Contact);
    let list = RwSignal::new(Vec::<CustomField>::new());
    let loading = RwSignal::new(true);
    let failure = RwSignal::new(None::<String>);
    // `Some(None)` adds a field, `Some(Some(f))` edits one.
    let editing = RwSignal::new(None::<Option<CustomField>>);
    let changing = RwSignal::new(None::<CustomField>);
    // Only the answer to the latest load is shown (a slower one for the kind shown before
    // must not replace it).
    let generation = StoredValue::new(0u64);
    let reload = move || {
        custom::forget();
        custom::announce_change();
        let (Some(k), Some(n)) = (kind.try_get_untracked(), generation.try_get_value().map(|n| n + 1)) else { return };
        generation.set_value(n);
        loading.set(true);
        leptos::task::spawn_local(async move {
            let result = api::fields(Some(k)).await;
            if generation.try_get_value() != Some(n) {
                return;
            }
            match result {
                Ok(fs) => {
                    list.try_set(fs);
                    failure.try_set(None);
                }
                Err(e) => {
                    failure.try_set(Some(e.message(now(lang))));
                }
            }
            loading.try_set(false);
        });
    };
    Effect::new(move || {
        kind.track();
        editing.set(None);
        changing.set(None);
        reload();
    });
    let patch = move |f: CustomField, body: CustomFieldPatch| {
        leptos::task::spawn_local(async move {
            match api::patch_field(f.id, f.version, body).await {
                Ok(_) => {
                    toast(i18n::text(now(lang), T::Saved), false);
                    reload();
                }
                Err(e) => toast(e.message(now(lang)), true),
            }
        });
    };
    // Swaps a field's position with its neighbour's.
    let swap = move |i: usize, j: usize| {
        let fs = list.get_untracked();
        let (Some(a), Some(b)) = (fs.get(i).cloned(), fs.get(j).cloned()) else { return };
        let (pa, pb) = (a.position, b.position);
        let (pa, pb) = if pa == pb { (i as i64, j as i64) } else { (pa, pb) };
        leptos::task::spawn_local(async move {
            let first = api::patch_field(a.id, a.version, CustomFieldPatch { position: Some(pb), ..Default::default() }).await;
            let second = api::patch_field(b.id, b.version, CustomFieldPatch { position: Some(pa), ..Default::default() }).await;
            if let Err(e) = first.and(second) {
                toast(e.message(now(lang)), true);
            }
            reload();
        });
    };
    let delete = move |f: CustomField| {
        if !crate::ui::confirmed(now(lang), A::ConfirmDeleteField) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::delete_field(f.id, f.version).await {
                Ok(()) => {
                    toast(i18n::text(now(lang), A::FieldDeleted), false);
                    reload();
                }
                Err(e) => toast(e.message(now(lang)), true),
            }
        });
    };
    let done = Callback::new(move |()| {
        editing.set(None);
        changing.set(None);
        reload();
    });
    view! {
        <SettingsTabs/>
        <section class="panel" id="custom-fields">
            <div class="toolbar">
                <div class="chips" role="tablist" aria-label=tr(A::RecordKind)>
                    {CUSTOM_KINDS.iter().map(|&k| view! {
                        <button class="chip" role="tab" data-kind=k.as_str() aria-selected=move || (kind.get() == k).to_string()
                            class:active=move || kind.get() == k on:click=move |_| kind.set(k)>{tr(kind_label(k))}</button>
                    }).collect_view()}
                </div>
                <button id="add-field" on:click=move |_| { changing.set(None); editing.set(Some(None)); }>{tr(A::AddField)}</button>
            </div>
            {move || editing.get().map(|existing| view! { <FieldForm kind=kind.get_untracked() existing done/> })}
            {move || changing.get().map(|f| view! { <TypeChange field=f done/> })}
            <Show when=move || failure.get().is_some()>
                <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || !loading.get() && list.with(Vec::is_empty) && failure.with(Option::is_none)>
                <div class="empty"><p class="hint">{tr(A::NoCustomFields)}</p></div>
            </Show>
            <Show when=move || !list.with(Vec::is_empty)>
                <table class="list" id="field-list">
                    <thead><tr>
                        <th>{tr(T::Name)}</th><th>{tr(A::FieldKey)}</th><th>{tr(A::FieldTypeLabel)}</th><th></th><th></th>
                    </tr></thead>
                    <tbody>
                        {move || {
                            let fs = list.get();
                            let n = fs.len();
                            let l = lang.get();
                            fs.into_iter().enumerate().map(|(i, f)| {
                                let badges: Vec<A> = [(f.required, A::RequiredBadge), (f.unique, A::UniqueBadge), (f.indexed, A::IndexedBadge), (f.sensitive, A::SensitiveBadge), (f.archived, A::ArchivedBadge)]
                                    .into_iter().filter(|(on, _)| *on).map(|(_, t)| t).collect();
                                let (fe, fc, fa, fd) = (f.clone(), f.clone(), f.clone(), f.clone());
                                let archived = f.archived;
                                view! {
                                    <tr data-key=f.key.clone() class:archived=archived>
                                        <td><strong>{custom::label(l, &f)}</strong>{custom::help(l, &f).map(|h| view! { <br/><small class="muted">{h}</small> })}</td>
                                        <td><code class="ltr">{f.key.clone()}</code></td>
                                        <td>{i18n::text(l, type_label(f.field_type))}</td>
                                        <td>{badges.into_iter().map(|b| view! { <span class="badge">{i18n::text(l, b)}</span>" " }).collect_view()}</td>
                                        <td class="row-actions">
                                            {(!archived).then(|| view! {
                                                <button class="icon secondary" title=tr(A::MoveUp) aria-label=tr(A::MoveUp) disabled=i == 0 on:click=move |_| swap(i, i - 1)>"↑"</button>
                                                <button class="icon secondary" title=tr(A::MoveDown) aria-label=tr(A::MoveDown) disabled=i + 1 == n on:click=move |_| swap(i, i + 1)>"↓"</button>
                                                <button class="secondary edit-field" on:click=move |_| { changing.set(None); editing.set(Some(Some(fe.clone()))); }>{tr(A::Edit)}</button>
                                                <button class="secondary change-type" on:click=move |_| { editing.set(None); changing.set(Some(fc.clone())); }>{tr(A::ChangeType)}</button>
                                            })}
                                            <button class="secondary archive-field" on:click=move |_| {
                                                if archived || crate::ui::confirmed(now(lang), A::ConfirmArchiveField) {
                                                    patch(fa.clone(), CustomFieldPatch { archived: Some(!archived), ..Default::default() });
                                                }
                                            }>{tr(if archived { A::UnarchiveField } else { A::ArchiveField })}</button>
                                            <button class="danger delete-field" on:click=move |_| delete(fd.clone())>{tr(T::Delete)}</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()
                        }}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

/// The form that adds a field or edits one; the server's problems land beside each input.
#[component]
fn FieldForm(kind: Entity, existing: Option<CustomField>, done: Callback<()>) -> impl IntoView {
    let lang = i18n::lang();
    let e = existing.clone();
    let text = |f: fn(&CustomField) -> Option<String>| RwSignal::new(e.as_ref().and_then(f).unwrap_or_default());
    let label_en = text(|f| Some(f.label_en.clone()));
    let label_fa = text(|f| f.label_fa.clone());
    let help_en = text(|f| f.help_en.clone());
    let help_fa = text(|f| f.help_fa.clone());
    let key = text(|f| Some(f.key.clone()));
    let pattern = text(|f| f.pattern.clone());
    let currency = text(|f| f.currency.clone());
    let min = RwSignal::new(bound_text(&e.as_ref().and_then(|f| f.min.clone())));
    let max = RwSignal::new(bound_text(&e.as_ref().and_then(|f| f.max.clone())));
    let key_touched = RwSignal::new(e.is_some());
    let field_type = RwSignal::new(e.as_ref().map(|f| f.field_type).unwrap_or(FieldType::Text));
    let target = RwSignal::new(e.as_ref().and_then(|f| f.target).unwrap_or(Entity::Contact));
    let flag = |f: fn(&CustomField) -> bool| RwSignal::new(e.as_ref().is_some_and(f));
    let required = flag(|f| f.required);
    let unique = flag(|f| f.unique);
    let sensitive = flag(|f| f.sensitive);
    let indexed = RwSignal::new(e.as_ref().map(|f| f.indexed).unwrap_or(true));
    let readers = RwSignal::new(e.as_ref().map(|f| f.readers.clone()).unwrap_or_default());
    let options = RwSignal::new(
        e.as_ref().map(|f| f.options.iter().map(|o| OptionRow::new(Some(o))).collect()).unwrap_or_else(|| vec![OptionRow::new(None)]),
    );
    let default = RwSignal::new(e.as_ref().and_then(|f| f.default.as_ref().map(|d| custom::typed(f, d))).unwrap_or_default());
    let errors = RwSignal::new(FieldErrors::default());
    let busy = RwSignal::new(false);
    let existing = StoredValue::new(existing);
    let editing = existing.with_value(Option::is_some);
    Effect::new(move || {
        let l = label_en.get();
        if !key_touched.get_untracked() {
            key.set(key_from(&l));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = field_type.get_untracked();
        let opts: Vec<ChoiceOption> = if t.has_options() {
            options.get_untracked().iter().filter(|o| !o.en.get_untracked().trim().is_empty()).map(OptionRow::option).collect()
        } else {
            Vec::new()
        };
        let bounded = has_bounds(t);
        let texty = matches!(t, FieldType::Text | FieldType::LongText);
        busy.set(true);
        let l = now(lang);
        leptos::task::spawn_local(async move {
            let result = match existing.get_value() {
                None => {
                    let body = CustomFieldCreate {
                        entity: Some(kind),
                        key: key.get_untracked().trim().to_owned(),
                        field_type: Some(t),
                        label_en: label_en.get_untracked().trim().to_owned(),
                        label_fa: opt(label_fa.get_untracked()),
                        help_en: opt(help_en.get_untracked()),
                        help_fa: opt(help_fa.get_untracked()),
                        required: required.get_untracked(),
                        unique: unique.get_untracked(),
                        indexed: t.comparison().map(|_| indexed.get_untracked()),
                        sensitive: sensitive.get_untracked(),
                        readers: if sensitive.get_untracked() { readers.get_untracked() } else { Vec::new() },
                        min: bound(t, &min.get_untracked()).filter(|_| bounded),
                        max: bound(t, &max.get_untracked()).filter(|_| bounded),
                        pattern: opt(pattern.get_untracked()).filter(|_| texty),
                        currency: opt(currency.get_untracked()).filter(|_| t == FieldType::Money),
                        target: (t == FieldType::Record).then(|| target.get_untracked()),
                        options: opts,
                        default: None,
                    };
                    api::create_field(body).await.map(drop)
                }
                Some(f) => {
                    let d = custom::wire(&f, &default.get_untracked());
                    let body = CustomFieldPatch {
                        key: Some(key.get_untracked().trim().to_owned()).filter(|k| *k != f.key),
                        label_en: Some(label_en.get_untracked().trim().to_owned()),
                        label_fa: Some(opt(label_fa.get_untracked())),
                        help_en: Some(opt(help_en.get_untracked())),
                        help_fa: Some(opt(help_fa.get_untracked())),
                        required: Some(required.get_untracked()),
                        unique: Some(unique.get_untracked()),
                        indexed: t.comparison().map(|_| indexed.get_untracked()),
                        sensitive: Some(sensitive.get_untracked()),
                        readers: Some(if sensitive.get_untracked() { readers.get_untracked() } else { Vec::new() }),
                        min: bounded.then(|| bound(t, &min.get_untracked())),
                        max: bounded.then(|| bound(t, &max.get_untracked())),
                        pattern: texty.then(|| opt(pattern.get_untracked())),
                        currency: (t == FieldType::Money).then(|| opt(currency.get_untracked())),
                        options: t.has_options().then_some(opts),
                        default: Some((!d.is_null() && d != serde_json::json!([])).then_some(d)),
                        ..Default::default()
                    };
                    api::patch_field(f.id, f.version, body).await.map(drop)
                }
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    toast(i18n::text(l, T::Saved), false);
                    let _ = done.try_run(());
                }
                Err(e) => show_problem(l, e, errors),
            }
        });
    };
    let input = move |id: &'static str, label: A, value: RwSignal<String>, field: &'static str, ltr: bool| {
        view! {
            <div class="field">
                <label for=id>{tr(label)}</label>
                <input id=id class:ltr=ltr bind:value=value/>
                <FieldProblem errors field/>
            </div>
        }
    };
    let check = move |id: &'static str, label: A, value: RwSignal<bool>, field: &'static str| {
        view! {
            <div class="field">
                <label class="check"><input id=id type="checkbox" bind:checked=value/>" "{tr(label)}</label>
                <FieldProblem errors field/>
            </div>
        }
    };
    let esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            let _ = done.try_run(());
        }
    });
    on_cleanup(move || esc.remove());
    view! {
        <form class="record-form field-form" id="field-form" on:submit=submit novalidate>
            <h2>{tr(if editing { A::EditField } else { A::AddField })}</h2>
            <div class="field">
                <label for="field-label-en">{tr(A::FieldLabelEn)}" *"</label>
                <input id="field-label-en" bind:value=label_en autofocus maxlength="100"/>
                <FieldProblem errors field="label_en"/>
            </div>
            {input("field-label-fa", A::FieldLabelFa, label_fa, "label_fa", false)}
            <div class="field">
                <label for="field-key">{tr(A::FieldKey)}" *"</label>
                <input id="field-key" class="ltr" maxlength="40" prop:value=move || key.get()
                    on:input=move |ev| { key_touched.set(true); key.set(event_target_value(&ev)); }/>
                <small class="hint ltr-text">{tr(A::FieldKeyHint)}</small>
                {editing.then(|| view! { <small class="hint warning">{tr(A::KeyChangeWarning)}</small> })}
                <FieldProblem errors field="key"/>
            </div>
            <div class="field">
                <label for="field-type">{tr(A::FieldTypeLabel)}</label>
                <select id="field-type" disabled=editing on:change=move |ev| if let Some(t) = FieldType::parse(&event_target_value(&ev)) { field_type.set(t) }>
                    {FieldType::ALL.iter().map(|&t| view! { <option value=t.as_str() selected=move || field_type.get() == t>{tr(type_label(t))}</option> }).collect_view()}
                </select>
                <FieldProblem errors field="type"/>
            </div>
            {input("field-help-en", A::HelpEn, help_en, "help_en", false)}
            {input("field-help-fa", A::HelpFa, help_fa, "help_fa", false)}
            <Show when=move || field_type.get() == FieldType::Record>
                <div class="field">
                    <label for="field-target">{tr(A::LinksTo)}</label>
                    <select id="field-target" disabled=editing on:change=move |ev| if let Some(k) = Entity::parse(&event_target_value(&ev)) { target.set(k) }>
                        {LINK_TARGETS.iter().map(|&k| view! { <option value=k.as_str() selected=move || target.get() == k>{tr(kind_label(k))}</option> }).collect_view()}
                    </select>
                    <FieldProblem errors field="target"/>
                </div>
            </Show>
            <Show when=move || field_type.get() == FieldType::Money>
                {input("field-currency", A::FixedCurrency, currency, "currency", true)}
            </Show>
            <Show when=move || has_bounds(field_type.get())>
                <div class="field-pair">
                    {input("field-min", A::MinValue, min, "min", true)}
                    {input("field-max", A::MaxValue, max, "max", true)}
                </div>
                <Show when=move || matches!(field_type.get(), FieldType::Text | FieldType::LongText)>
                    <small class="hint">{tr(A::MinMaxHint)}</small>
                    {input("field-pattern", A::PatternLabel, pattern, "pattern", true)}
                </Show>
            </Show>
            <Show when=move || field_type.get().has_options()>
                <fieldset class="options" id="field-options">
                    <legend>{tr(A::OptionsLabel)}</legend>
                    <div class="option-row option-head" aria-hidden="true">
                        <span>{tr(A::FieldLabelEn)}</span><span>{tr(A::FieldLabelFa)}</span><span>{tr(A::OptionKey)}</span><span>{tr(A::ColourLabel)}</span>
                    </div>
                    {move || {
                        let rows = options.get();
                        let n = rows.len();
                        rows.into_iter().enumerate().map(|(i, o)| view! {
                            <div class="option-row" class:archived=o.archived>
                                <input class="option-en" aria-label=tr(A::FieldLabelEn) placeholder=tr(A::FieldLabelEn) bind:value=o.en/>
                                <input class="option-fa" aria-label=tr(A::FieldLabelFa) placeholder=tr(A::FieldLabelFa) bind:value=o.fa/>
                                <input class="option-key ltr" aria-label=tr(A::OptionKey) placeholder=move || key_from(&o.en.get()) bind:value=o.key disabled=o.fixed/>
                                <input class="option-colour" type="color" aria-label=tr(A::ColourLabel) bind:value=o.color/>
                                <button type="button" class="icon secondary" aria-label=tr(A::MoveUp) disabled=i == 0
                                    on:click=move |_| options.update(|r| r.swap(i, i - 1))>"↑"</button>
                                <button type="button" class="icon secondary" aria-label=tr(A::MoveDown) disabled=i + 1 == n
                                    on:click=move |_| options.update(|r| r.swap(i, i + 1))>"↓"</button>
                                <button type="button" class="icon secondary" aria-label=tr(A::RemoveOption)
                                    on:click=move |_| options.update(|r| { r.remove(i); })>"×"</button>
                            </div>
                        }).collect_view()
                    }}
                    <button type="button" class="secondary" id="add-option" on:click=move |_| options.update(|r| {
                        let mut row = OptionRow::new(None);
                        row.color.set(PALETTE[r.len() % PALETTE.len()].to_owned());
                        r.push(row);
                    })>{tr(A::AddOption)}</button>
                    <FieldProblem errors field="options"/>
                </fieldset>
            </Show>
            {check("field-required", A::RequiredField, required, "required")}
            <Show when=move || field_type.get().comparison().is_some()>
                {check("field-unique", A::UniqueField, unique, "unique")}
                {check("field-indexed", A::IndexedField, indexed, "indexed")}
            </Show>
            {check("field-sensitive", A::SensitiveField, sensitive, "sensitive")}
            <Show when=move || sensitive.get()>
                <div class="field readers" id="field-readers">
                    {Role::ALL.iter().filter(|r| !matches!(r, Role::Admin | Role::Integration)).map(|&r| view! {
                        <label class="check">
                            <input type="checkbox" data-role=r.as_str() prop:checked=move || readers.with(|rs| rs.contains(&r))
                                on:change=move |ev| { let on = event_target_checked(&ev); readers.update(|rs| { rs.retain(|x| *x != r); if on { rs.push(r); } }); }/>
                            " "{move || i18n::word(lang.get(), r.as_str())}
                        </label>
                    }).collect_view()}
                </div>
            </Show>
            {move || existing.get_value().filter(|f| !f.unique).map(|f| view! {
                <div class="field">
                    <label for="field-default">{tr(A::DefaultValue)}</label>
                    <Editor id="field-default" field=f value=default/>
                    <FieldProblem errors field="default"/>
                </div>
            })}
            <div class="actions">
                <button type="submit" id="field-save" disabled=move || busy.get()>{move || i18n::text(lang.get(), if busy.get() { T::Saving } else { T::Save })}</button>
                <button type="button" class="secondary" on:click=move |_| { let _ = done.try_run(()); }>{tr(T::Cancel)}</button>
            </div>
        </form>
    }
}

/// Changes a field's type: first a check of what becomes of the values records hold, then the
/// change (clearing the values that cannot be converted only when the admin says so).
#[component]
fn TypeChange(field: CustomField, done: Callback<()>) -> impl IntoView {
    let lang = i18n::lang();
    let to = RwSignal::new(if field.field_type == FieldType::Text { FieldType::Number } else { FieldType::Text });
    let report = RwSignal::new(None::<CustomFieldTypeReport>);
    let clear = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let f = StoredValue::new(field.clone());
    let run = move |dry_run: bool| {
        let field = f.get_value();
        let body = CustomFieldTypeChange {
            field_type: to.get_untracked(),
            options: if to.get_untracked().has_options() && !field.field_type.has_options() { Vec::new() } else { field.options.clone() },
            currency: None,
            target: None,
            dry_run,
            clear_unconvertible: clear.get_untracked(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::change_field_type(field.id, field.version, body).await;
            busy.set(false);
            let l = now(lang);
            match result {
                Ok(r) if r.applied => {
                    toast(i18n::text(l, A::TypeChanged), false);
                    let _ = done.try_run(());
                }
                Ok(r) => report.set(Some(r)),
                Err(e) => toast(e.message(l), true),
            }
        });
    };
    let esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            let _ = done.try_run(());
        }
    });
    on_cleanup(move || esc.remove());
    view! {
        <section class="panel type-change" id="type-change">
            <h2>{tr(A::ChangeType)}": "{move || custom::label(lang.get(), &f.get_value())}</h2>
            <div class="field">
                <label for="new-type">{tr(A::NewType)}</label>
                <select id="new-type" on:change=move |ev| if let Some(t) = FieldType::parse(&event_target_value(&ev)) { to.set(t); report.set(None); }>
                    {FieldType::ALL.iter().filter(|&&t| t != field.field_type && !matches!(t, FieldType::Record)).map(|&t| {
                        view! { <option value=t.as_str() selected=move || to.get() == t>{tr(type_label(t))}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="button" id="check-values" class="secondary" disabled=move || busy.get() on:click=move |_| run(true)>{tr(A::CheckValues)}</button>
            {move || report.get().map(|r| {
                let l = lang.get();
                let f = f.get_value();
                let blocked = r.unconvertible > 0;
                view! {
                    <div class="type-report" id="type-report">
                        <p>{i18n::count(l, A::RecordsWithValue, r.records)}" · "{i18n::count(l, A::ConvertibleCount, r.converted)}" · "
                            <strong class:error=blocked>{i18n::count(l, A::UnconvertibleCount, r.unconvertible)}</strong></p>
                        {blocked.then(|| view! {
                            <ul class="failures">
                                {r.failures.iter().take(20).map(|x| view! {
                                    <li><a href=format!("/{}/{}", custom::collection(f.entity), x.record_id)>{custom::shown(l, &f, &x.value)}</a>" — "{x.reason.clone()}</li>
                                }).collect_view()}
                            </ul>
                            <label class="check"><input id="clear-unconvertible" type="checkbox" bind:checked=clear/>" "{tr(A::ClearUnconvertible)}</label>
                        })}
                        <button type="button" id="apply-type" disabled=move || busy.get() || (blocked && !clear.get()) on:click=move |_| run(false)>{tr(A::ChangeType)}</button>
                    </div>
                }
            })}
            <button type="button" class="secondary" on:click=move |_| { let _ = done.try_run(()); }>{tr(T::Cancel)}</button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn keys_come_from_english_labels() {
        assert_eq!(key_from("Account tier"), "account_tier");
        assert_eq!(key_from("  Next renewal (date) "), "next_renewal_date");
        assert_eq!(key_from("2nd phone"), "nd_phone");
        assert_eq!(key_from("بیمه"), "");
    }

    #[test]
    fn every_type_has_words() {
        for t in FieldType::ALL {
            assert!(!i18n::text(Lang::Fa, type_label(*t)).is_empty());
        }
    }
}
