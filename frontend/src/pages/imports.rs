//! Imports, in the second bundle: the list and the upload (`/imports`), and the wizard of one
//! import (`/imports/{id}`): what the file was read as, where each column goes (suggested from
//! its header), how rows meet existing contacts, a dry run, the import with a progress bar,
//! the rows with problems and a download of them to fix, and undo.

use crate::api;
use crate::i18n::{self, tr, Lang, A, T};
use crate::router;
use crate::ui::{confirmed, toast};
use crm_api_types::{Import, ImportKey, ImportLine, ImportPolicy, ImportRun};
use leptos::prelude::*;

/// Where a column can go, in the order the wizard offers them.
const TARGETS: &[(&str, A)] = &[
    ("first_name", A::SfFirstName),
    ("last_name", A::SfLastName),
    ("full_name", A::ImFullName),
    ("email", A::ImEmail),
    ("phone.mobile", A::ImMobile),
    ("phone.work", A::ImWorkPhone),
    ("phone.home", A::ImHomePhone),
    ("phone.fax", A::ImFax),
    ("phone.other", A::ImOtherPhone),
    ("title", A::SfTitle),
    ("company", A::ImCompany),
    ("source", A::SfSource),
    ("lifecycle_stage", A::SfStage),
    ("owner", A::ImOwner),
    ("tags", A::ImTagsTarget),
    ("consent", A::SfConsent),
    ("opted_out", A::ImOptedOut),
    ("note", A::ImNote),
    ("skip", A::ImSkip),
];

fn status_label(status: &str) -> A {
    match status {
        "uploaded" => A::ImStUploaded,
        "queued" | "running" => A::ImStRunning,
        "cancelling" => A::ImStCancelling,
        "done" => A::ImStDone,
        "failed" => A::ImStFailed,
        "cancelled" => A::ImStCancelled,
        "undone" => A::ImStUndone,
        _ => A::ImStUploading,
    }
}

fn outcome_label(outcome: &str) -> A {
    match outcome {
        "created" => A::ImCreated,
        "updated" => A::ImUpdated,
        "unchanged" => A::ImUnchanged,
        "skipped" => A::ImSkipped,
        "undone" => A::ImStUndone,
        "conflict" => A::ImConflict,
        _ => A::ImRejected,
    }
}

fn running(i: &Import) -> bool {
    matches!(i.status.as_str(), "queued" | "running" | "cancelling")
}

/// `/imports`: upload a file, and the earlier imports.
#[component]
pub fn ImportsPage() -> impl IntoView {
    let lang = i18n::lang();
    let list = RwSignal::new(None::<Vec<Import>>);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        match api::imports().await {
            Ok(l) => list.set(Some(l.items)),
            Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
        }
    });
    let send = move |file: web_sys::File| {
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            match api::upload_import(file).await {
                Ok(i) => router::navigate(&format!("/imports/{}", i.id)),
                Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
            }
            busy.try_set(false);
        });
    };
    let input = NodeRef::<leptos::html::Input>::new();
    let chosen = move |_| {
        if let Some(f) = input.get().and_then(|i| i.files()).and_then(|l| l.get(0)) {
            send(f);
        }
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(f) = ev.data_transfer().and_then(|d| d.files()).and_then(|l| l.get(0)) {
            send(f);
        }
    };
    view! {
        <header class="page-head">
            <h1>{tr(A::ImTitle)}</h1>
            <div class="actions"><a class="button secondary" id="find-duplicates" href="/imports/duplicates">{tr(A::DuLink)}</a></div>
        </header>
        <label class="drop-zone" class:busy=busy on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=dropped>
            <strong>{move || if busy.get() { tr(A::ImUploading)() } else { tr(A::ImDrop)() }}</strong>
            <span class="hint">{tr(A::ImDropHint)}</span>
            <input id="import-file" type="file" accept=".csv,.txt,text/csv" node_ref=input on:change=chosen disabled=busy/>
        </label>
        {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        <h2>{tr(A::ImEarlier)}</h2>
        {move || match list.get() {
            None => view! { <p class="skeleton">{tr(T::Loading)}</p> }.into_any(),
            Some(items) if items.is_empty() => view! { <p class="empty">{tr(A::ImNone)}</p> }.into_any(),
            Some(items) => {
                let l = lang.get();
                view! {
                    <table class="list" id="imports">
                        <thead><tr>
                            <th>{tr(A::ImFile)}</th><th>{tr(A::ImStatus)}</th><th>{tr(A::ImCreated)}</th>
                            <th>{tr(A::ImUpdated)}</th><th>{tr(A::ImRejected)}</th><th>{tr(T::Created)}</th>
                        </tr></thead>
                        <tbody>{items.into_iter().map(|i| {
                            let p = &i.progress;
                            let status = format!("{}{}", i18n::text(l, status_label(&i.status)),
                                if i.dry_run && i.status == "done" { i18n::text(l, A::ImDrySuffix) } else { "" });
                            view! { <tr>
                                <td><a href=format!("/imports/{}", i.id)>{i.file_name.clone()}</a></td>
                                <td>{status}</td>
                                <td class="num">{i18n::number(l, p.created)}</td>
                                <td class="num">{i18n::number(l, p.updated)}</td>
                                <td class="num">{i18n::number(l, p.rejected)}</td>
                                <td>{i18n::date_time(l, &i.created_at)}</td>
                            </tr> }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }
        }}
    }
}

/// The choices of the wizard, as edited (the value mappings and per-field policies a run set
/// through the API are kept as they were).
#[derive(Clone)]
struct Choices {
    columns: Vec<String>,
    values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    policies: std::collections::BTreeMap<String, ImportPolicy>,
    key: ImportKey,
    existing: ImportPolicy,
    tags: String,
    encoding: String,
    delimiter: String,
}

impl Choices {
    fn of(i: &Import) -> Choices {
        let saved = i.config.clone();
        Choices {
            columns: match &saved {
                Some(c) if c.columns.len() == i.columns.len() => c.columns.clone(),
                _ => i.columns.iter().map(|c| c.suggested.clone()).collect(),
            },
            values: saved.as_ref().map(|c| c.values.clone()).unwrap_or_default(),
            policies: saved.as_ref().map(|c| c.policies.clone()).unwrap_or_default(),
            key: saved.as_ref().map_or(ImportKey::Email, |c| c.key),
            existing: saved.as_ref().map_or(ImportPolicy::FillEmpty, |c| c.existing),
            tags: saved.map(|c| c.tags.join(", ")).unwrap_or_default(),
            encoding: i.encoding.clone(),
            delimiter: if i.delimiter == "\t" { "tab".into() } else { i.delimiter.clone() },
        }
    }

    fn run(&self, i: &Import) -> ImportRun {
        let delimiter = if self.delimiter == "tab" { "\t" } else { self.delimiter.as_str() };
        ImportRun {
            encoding: (self.encoding != i.encoding).then(|| self.encoding.clone()),
            delimiter: (delimiter != i.delimiter).then(|| self.delimiter.clone()),
            columns: self.columns.clone(),
            key: self.key,
            existing: self.existing,
            tags: self.tags.split([',', '،']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            values: self.values.clone(),
            policies: self.policies.clone(),
        }
    }
}

/// `/imports/{id}`: the wizard of one import.
#[component]
pub fn ImportPage(id: String) -> impl IntoView {
    let lang = i18n::lang();
    let import = RwSignal::new(None::<Import>);
    let choices = RwSignal::new(None::<Choices>);
    let problems = RwSignal::new(Vec::<ImportLine>::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = StoredValue::new(id);
    // Reads the import; while its run goes on, again shortly after.
    let load = move || {
        leptos::task::spawn_local(async move {
            let Some(i) = import_now(id.get_value(), lang.get_untracked(), failure).await else { return };
            if choices.get_untracked().is_none() || i.status == "uploaded" {
                choices.try_set(Some(Choices::of(&i)));
            }
            if !running(&i) && i.status != "uploaded" {
                if let Ok(p) = api::import_problems(&i.id).await {
                    problems.try_set(p.items);
                }
            }
            let again = running(&i);
            import.try_set(Some(i));
            if again {
                set_timeout(move || poll(id, import, choices, problems, failure, lang), std::time::Duration::from_millis(600));
            }
        });
    };
    load();
    let start = move |dry: bool| {
        let (Some(i), Some(c)) = (import.get_untracked(), choices.get_untracked()) else { return };
        if !dry && !confirmed(lang.get_untracked(), A::ImConfirmRun) {
            return;
        }
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            match api::start_import(&i.id, dry, &c.run(&i)).await {
                Ok(_) => load(),
                Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
            }
            busy.try_set(false);
        });
    };
    let cancel = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = api::cancel_import(&id.get_value()).await {
                toast(e.message(lang.get_untracked()), true);
            }
        });
    };
    let undo = move |_| {
        if !confirmed(lang.get_untracked(), A::ImConfirmUndo) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::undo_import(&id.get_value(), false).await {
                Ok(u) => {
                    let l = lang.get_untracked();
                    let text = i18n::text(l, A::ImUndoneSays)
                        .replace("{r}", &i18n::number(l, u.removed))
                        .replace("{u}", &i18n::number(l, u.restored))
                        .replace("{c}", &i18n::number(l, u.conflicts.len() as i64));
                    toast(text, false);
                    load();
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    let download = move |_| {
        leptos::task::spawn_local(async move {
            let path = format!("/api/v1/imports/{}/rejected.csv", id.get_value());
            if let Err(e) = api::download(&path, Vec::new(), "rejected-rows.csv").await {
                toast(e.message(lang.get_untracked()), true);
            }
        });
    };
    view! {
        <header class="page-head">
            <a class="back" href="/imports">{tr(A::ImBack)}</a>
            <h1>{move || import.get().map(|i| i.file_name).unwrap_or_default()}</h1>
        </header>
        {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        {move || import.get().map(|i| {
            let l = lang.get();
            // A real run that wrote contacts is undone before it runs again.
            let wrote = !i.dry_run && i.status != "undone" && (i.status == "done" || i.progress.created + i.progress.updated > 0);
            let editable = !running(&i) && !wrote;
            view! {
                <p class="import-meta">
                    {format!("{} · {} · {}", i18n::text(l, status_label(&i.status)),
                        i18n::text(l, A::ImKb).replace("{n}", &i18n::number(l, (i.size_bytes + 1023) / 1024)),
                        i18n::text(l, if i.progress.total_exact { A::ImRowsExact } else { A::ImRowsAbout })
                            .replace("{n}", &i18n::number(l, i.progress.rows_total.unwrap_or(0))))}
                </p>
                <Progress i=i.clone()/>
                {editable.then(|| view! { <Mapping import=i.clone() choices=choices/> })}
                <div class="actions">
                    {editable.then(|| view! {
                        <button type="button" id="import-dry-run" class="secondary" disabled=busy on:click=move |_| start(true)>{tr(A::ImDryRun)}</button>
                        <button type="button" id="import-run" class="primary" disabled=busy on:click=move |_| start(false)>{tr(A::ImRun)}</button>
                    })}
                    {running(&i).then(|| view! { <button type="button" id="import-cancel" class="secondary" on:click=cancel>{tr(A::ImCancel)}</button> })}
                    {(i.progress.rejected > 0 && !running(&i)).then(|| view! {
                        <button type="button" id="import-download" class="secondary" on:click=download>{tr(A::ImDownload)}</button>
                    })}
                    {(!i.dry_run && matches!(i.status.as_str(), "done" | "cancelled" | "failed") && i.progress.created + i.progress.updated > 0).then(|| view! {
                        <button type="button" id="import-undo" class="danger" on:click=undo>{tr(A::ImUndo)}</button>
                    })}
                </div>
                {i.error.clone().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <Problems lines=problems/>
            }
        })}
    }
}

async fn import_now(id: String, lang: Lang, failure: RwSignal<Option<String>>) -> Option<Import> {
    match api::import(&id).await {
        Ok(i) => Some(i),
        Err(e) => {
            failure.try_set(Some(e.message(lang)));
            None
        }
    }
}

/// Reads the import again while its run goes on (every 0.6 s), then its problems.
fn poll(
    id: StoredValue<String>,
    import: RwSignal<Option<Import>>,
    choices: RwSignal<Option<Choices>>,
    problems: RwSignal<Vec<ImportLine>>,
    failure: RwSignal<Option<String>>,
    lang: RwSignal<Lang>,
) {
    if id.try_get_value().is_none() {
        return;
    }
    leptos::task::spawn_local(async move {
        let Some(i) = import_now(id.get_value(), lang.get_untracked(), failure).await else { return };
        let again = running(&i);
        if !again {
            if let Ok(p) = api::import_problems(&i.id).await {
                problems.try_set(p.items);
            }
            choices.try_set(Some(Choices::of(&i)));
        }
        if import.try_set(Some(i)).is_some() && again {
            set_timeout(move || poll(id, import, choices, problems, failure, lang), std::time::Duration::from_millis(600));
        }
    });
}

/// The run's progress: a bar, the rows done of the total, the rate and the time left, the
/// counts per outcome.
#[component]
fn Progress(i: Import) -> impl IntoView {
    let lang = i18n::lang();
    let p = i.progress.clone();
    if i.status == "uploaded" {
        return ().into_any();
    }
    let total = p.rows_total.unwrap_or(p.rows_done).max(p.rows_done).max(1);
    let (status, dry) = (i.status.clone(), i.dry_run.to_string());
    let dry_done = i.dry_run && i.status == "done";
    let percent = if running(&i) { (p.rows_done * 100 / total).min(99) } else { 100 };
    view! {
        <section id="import-progress" class="import-progress" data-status=status data-dry=dry aria-live="polite">
            <div class="import-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string()>
                <span style=format!("width: {percent}%")></span>
            </div>
            {move || {
                let l = lang.get();
                let mut line = i18n::text(l, A::ImRowsOf)
                    .replace("{done}", &i18n::number(l, p.rows_done))
                    .replace("{total}", &i18n::number(l, p.rows_total.unwrap_or(p.rows_done)));
                if let (Some(rate), Some(left)) = (p.rows_per_second, p.seconds_left) {
                    line.push_str(" · ");
                    line.push_str(&i18n::text(l, A::ImRate).replace("{rate}", &i18n::number(l, rate.round() as i64)).replace("{left}", &i18n::number(l, left.ceil() as i64)));
                }
                view! {
                    <p>{line}</p>
                    {dry_done.then(|| view! { <p class="hint">{tr(A::ImDryNote)}</p> })}
                    <dl class="import-counts">
                        {[(A::ImCreated, p.created), (A::ImUpdated, p.updated), (A::ImUnchanged, p.unchanged), (A::ImSkipped, p.skipped), (A::ImRejected, p.rejected)]
                            .into_iter().map(|(k, n)| view! { <div><dt>{i18n::text(l, k)}</dt><dd>{i18n::number(l, n)}</dd></div> }).collect_view()}
                    </dl>
                }
            }}
        </section>
    }
    .into_any()
}

/// Where each column goes, and how rows meet existing contacts.
#[component]
fn Mapping(import: Import, choices: RwSignal<Option<Choices>>) -> impl IntoView {
    let lang = i18n::lang();
    let set = move |f: &dyn Fn(&mut Choices)| {
        choices.update(|c| {
            if let Some(c) = c.as_mut() {
                f(c)
            }
        })
    };
    let columns = import.columns.clone();
    view! {
        <section id="import-mapping" class="import-mapping">
            <div class="form-row">
                <label>{tr(A::ImEncoding)}
                    <select on:change=move |ev| { let v = event_target_value(&ev); set(&|c| c.encoding = v.clone()) }
                        prop:value=move || choices.get().map(|c| c.encoding).unwrap_or_default()>
                        {crm_domain::import::ENCODINGS.iter().map(|e| view! { <option value=*e>{*e}</option> }).collect_view()}
                    </select>
                </label>
                <label>{tr(A::ImDelimiter)}
                    <select on:change=move |ev| { let v = event_target_value(&ev); set(&|c| c.delimiter = v.clone()) }
                        prop:value=move || choices.get().map(|c| c.delimiter).unwrap_or_default()>
                        <option value=",">{tr(A::ImComma)}</option>
                        <option value=";">{tr(A::ImSemicolon)}</option>
                        <option value="tab">{tr(A::ImTab)}</option>
                        <option value="|">"|"</option>
                    </select>
                </label>
            </div>
            <table class="list">
                <thead><tr><th>{tr(A::ImColumn)}</th><th>{tr(A::ImSamples)}</th><th>{tr(A::ImGoesTo)}</th></tr></thead>
                <tbody>{columns.into_iter().enumerate().map(|(n, c)| view! {
                    <tr>
                        <td>{c.name.clone()}</td>
                        <td class="samples">{c.samples.join(" · ")}</td>
                        <td>
                            <select aria-label=c.name.clone()
                                on:change=move |ev| { let v = event_target_value(&ev); set(&|ch| if let Some(slot) = ch.columns.get_mut(n) { *slot = v.clone() }) }
                                prop:value=move || choices.get().and_then(|ch| ch.columns.get(n).cloned()).unwrap_or_default()>
                                {move || {
                                    let l = lang.get();
                                    TARGETS.iter().map(|(value, label)| view! { <option value=*value>{i18n::text(l, *label)}</option> }).collect_view()
                                }}
                            </select>
                        </td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            <div class="form-row">
                <label>{tr(A::ImKey)}
                    <select on:change=move |ev| {
                            let key = match event_target_value(&ev).as_str() { "phone" => ImportKey::Phone, "none" => ImportKey::None, _ => ImportKey::Email };
                            set(&|c| c.key = key)
                        }
                        prop:value=move || choices.get().map(|c| match c.key { ImportKey::Email => "email", ImportKey::Phone => "phone", ImportKey::None => "none" }).unwrap_or("email")>
                        <option value="email">{tr(A::ImKeyEmail)}</option>
                        <option value="phone">{tr(A::ImKeyPhone)}</option>
                        <option value="none">{tr(A::ImKeyNone)}</option>
                    </select>
                </label>
                <label>{tr(A::ImExisting)}
                    <select on:change=move |ev| {
                            let p = match event_target_value(&ev).as_str() { "overwrite" => ImportPolicy::Overwrite, "keep" => ImportPolicy::Keep, _ => ImportPolicy::FillEmpty };
                            set(&|c| c.existing = p)
                        }
                        prop:value=move || choices.get().map(|c| match c.existing { ImportPolicy::Overwrite => "overwrite", ImportPolicy::Keep => "keep", ImportPolicy::FillEmpty => "fill_empty" }).unwrap_or("fill_empty")>
                        <option value="fill_empty">{tr(A::ImFillEmpty)}</option>
                        <option value="overwrite">{tr(A::ImOverwrite)}</option>
                        <option value="keep">{tr(A::ImKeep)}</option>
                    </select>
                </label>
                <label>{tr(A::ImTags)}
                    <input type="text" prop:value=move || choices.get().map(|c| c.tags).unwrap_or_default()
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|c| c.tags = v.clone()) }/>
                </label>
            </div>
        </section>
    }
}

/// The first rows with problems: their row, what they did, and why.
#[component]
fn Problems(lines: RwSignal<Vec<ImportLine>>) -> impl IntoView {
    let lang = i18n::lang();
    move || {
        let rows = lines.get();
        if rows.is_empty() {
            return ().into_any();
        }
        let l = lang.get();
        view! {
            <h2>{tr(A::ImProblems)}</h2>
            <table id="import-problems" class="list import-problems">
                <thead><tr><th>{tr(A::ImRow)}</th><th>{tr(A::ImStatus)}</th><th>{tr(A::ImColumn)}</th><th>{tr(A::ImWhy)}</th></tr></thead>
                <tbody>{rows.into_iter().flat_map(|r| {
                    let outcome = i18n::text(l, outcome_label(&r.outcome));
                    r.problems.into_iter().map(move |p| view! { <tr>
                        <td class="num">{i18n::number(l, r.line)}</td>
                        <td>{outcome}</td>
                        <td>{p.field}</td>
                        <td>{p.message}</td>
                    </tr> }).collect::<Vec<_>>()
                }).collect_view()}</tbody>
            </table>
        }
        .into_any()
    }
}
