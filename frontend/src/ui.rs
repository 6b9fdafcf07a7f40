//! Pieces every page shares: field errors from the shared validators or the server's
//! problem+json, toasts for results that arrive in the background, and modal dialogs.

use crate::api::ApiError;
use crate::i18n::{self, text, tr, Lang, T};
use crm_domain::FieldError;
use leptos::prelude::*;

/// The problems of a form, by field path (`emails[0].address`, `loss_reason`, …).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn from_api(e: &ApiError) -> Self {
        match e {
            ApiError::Problem(p) => {
                FieldErrors(p.errors.iter().map(|f| FieldError::new(f.field.clone(), &f.code, f.message.clone())).collect())
            }
            _ => FieldErrors::default(),
        }
    }

    /// The first problem of a field or of anything under it (`emails` covers `emails[0].address`).
    pub fn of(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field || e.field.starts_with(&format!("{field}[")) || e.field.starts_with(&format!("{field}.")))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A field problem in the reader's language: known codes are translated, others keep the
/// server's explanation.
pub fn field_message(lang: Lang, e: &FieldError) -> String {
    let key = match e.code.as_str() {
        "required" => Some(T::ErrRequired),
        "invalid_email" => Some(T::ErrEmail),
        "invalid_phone" => Some(T::ErrPhone),
        "too_long" => Some(T::ErrTooLong),
        "duplicate" => Some(T::ErrDuplicate),
        "required_for_stage" => Some(T::ErrRequiredForStage),
        "loss_reason_required" => Some(T::ErrLossReason),
        "invalid_amount" | "invalid_money" => Some(T::ErrAmount),
        "invalid_date" => Some(T::ErrDate),
        "pattern_mismatch" => Some(T::ErrPattern),
        "invalid_type" => Some(T::ErrWrongType),
        "invalid_number" => Some(T::ErrNumber),
        "unknown_option" => Some(T::ErrOption),
        "too_small" => Some(T::ErrTooSmall),
        "too_large" => Some(T::ErrTooLarge),
        "field_archived" => Some(T::ErrArchivedField),
        "unknown_reference" => Some(T::ErrUnknownRecord),
        "duplicate_value" => Some(T::ErrDuplicateValue),
        "invalid_url" => Some(T::ErrUrl),
        "invalid_key" => Some(T::ErrFieldKey),
        "reserved_key" | "duplicate_key" => Some(T::ErrKeyTaken),
        "invalid_bound" => Some(T::ErrBound),
        "invalid_range" => Some(T::ErrRange),
        "invalid_pattern" => Some(T::ErrBadPattern),
        "field_forbidden" => Some(T::ErrForbiddenField),
        _ => None,
    };
    // English keeps the server's words where they say more (`is not in the expected form
    // ([0-9]{11})`); Persian always has its own.
    let english_too = matches!(e.code.as_str(), "invalid_key" | "reserved_key" | "duplicate_key" | "invalid_range" | "field_forbidden");
    match (lang, key) {
        (Lang::En, Some(k)) if english_too => text(lang, k).to_owned(),
        (Lang::En, _) | (_, None) => e.message.clone(),
        (_, Some(k)) => text(lang, k).to_owned(),
    }
}

/// Shows a refused save: field problems beside their fields, anything else as a toast.
pub fn show_problem(lang: Lang, e: ApiError, errors: RwSignal<FieldErrors>) {
    let fields = FieldErrors::from_api(&e);
    if fields.is_empty() {
        toast(e.message(lang), true);
    }
    errors.set(fields);
}

/// The problem of one field, shown beside it; nothing when there is none.
#[component]
pub fn FieldProblem(errors: RwSignal<FieldErrors>, #[prop(into)] field: String) -> impl IntoView {
    let lang = i18n::lang();
    let id = format!("err-{}", field.replace(['[', ']', '.'], "-"));
    let f2 = field.clone();
    view! {
        <Show when=move || errors.with(|e| e.of(&field).is_some())>
            <p class="field-error" id=id.clone() role="alert">
                {
                    let f = f2.clone();
                    move || errors.with(|e| e.of(&f).map(|x| field_message(lang.get(), x)).unwrap_or_default())
                }
            </p>
        </Show>
    }
}

/// A message that shows for a few seconds in the corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    pub error: bool,
}

#[derive(Clone, Copy)]
struct Toasts(RwSignal<Vec<Toast>>, StoredValue<u64>);

thread_local! {
    /// The app's one toast stack. Not a context: code that runs after an `await` has no
    /// reactive owner, so a context lookup there finds nothing.
    static TOASTS: std::cell::Cell<Option<Toasts>> = const { std::cell::Cell::new(None) };
}

/// Creates the toast stack (once, at the app's root).
pub fn provide_toasts() {
    TOASTS.with(|t| t.set(Some(Toasts(RwSignal::new(Vec::new()), StoredValue::new(0)))));
}

/// Where a bundle about to be taken down leaves a message for the app to show.
const LEFT_MESSAGE: &str = "crm.toast";
/// The event that tells the app a message is waiting.
const MESSAGE_LEFT: &str = "crm:toast";

/// Shows `text` in the app around the second bundle, which outlives a navigation that takes
/// the bundle's own screen (and its messages) down.
pub fn toast_in_app(text: &str) {
    let Some(w) = web_sys::window() else { return };
    if let Some(s) = w.session_storage().ok().flatten() {
        let _ = s.set_item(LEFT_MESSAGE, text);
    }
    if let Ok(ev) = web_sys::Event::new(MESSAGE_LEFT) {
        let _ = w.dispatch_event(&ev);
    }
}

/// Shows the messages the second bundle leaves (see [`toast_in_app`]). Call once, in the app.
pub fn show_left_messages() {
    let listener = window_event_listener(leptos::ev::Custom::<web_sys::Event>::new(MESSAGE_LEFT), |_| {
        let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else { return };
        if let Some(text) = s.get_item(LEFT_MESSAGE).ok().flatten() {
            let _ = s.remove_item(LEFT_MESSAGE);
            toast(text, false);
        }
    });
    // The app lives as long as the page.
    std::mem::forget(listener);
}

/// Hands `href` (a data or blob URL) to the browser as a download named `name`.
pub fn save_as(href: &str, name: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", href);
        let _ = a.set_attribute("download", name);
        if let Ok(a) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(a) {
            a.click();
        }
    }
}

/// Shows `text` for five seconds.
pub fn toast(text: impl Into<String>, error: bool) {
    let Some(Toasts(list, next)) = TOASTS.with(std::cell::Cell::get) else { return };
    let id = next.get_value() + 1;
    next.set_value(id);
    list.update(|l| l.push(Toast { id, text: text.into(), error }));
    set_timeout(move || list.update(|l| l.retain(|t| t.id != id)), std::time::Duration::from_secs(5));
}

/// The toasts, announced to screen readers.
#[component]
pub fn ToastStack() -> impl IntoView {
    let list = TOASTS.with(std::cell::Cell::get).map(|t| t.0).unwrap_or_else(|| RwSignal::new(Vec::new()));
    view! {
        <div class="toasts" aria-live="polite">
            <For each=move || list.get() key=|t| t.id let:t>
                <div class=if t.error { "toast toast-error" } else { "toast" }>{t.text.clone()}</div>
            </For>
        </div>
    }
}

/// True when a key event comes from a place where people type.
pub fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA") || el.is_content_editable())
}

/// For an input edited in place: what it calls when the person is done (a value picked, Enter,
/// or the input left), and its Enter key handler. A blur may come after the owner is gone (the
/// input is being removed), so the callback is tried, not run.
pub fn done_on(on_done: Option<Callback<()>>) -> (impl Fn() + Copy + 'static, impl Fn(web_sys::KeyboardEvent) + Copy + 'static) {
    let done = move || {
        if let Some(d) = on_done {
            let _ = d.try_run(());
        }
    };
    let enter = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            done();
        }
    };
    (done, enter)
}

/// A calendar date whose value is `YYYY-MM-DD` (Gregorian). In English it is the browser's date
/// picker; in Persian it takes a Solar Hijri date (`۱۴۰۵/۰۹/۲۹`, Persian or Latin digits) and
/// shows the Gregorian date it stands for. Text that is not a date is passed on as written, so
/// the server names it.
#[component]
pub fn DateInput(
    #[prop(into)] id: String,
    value: RwSignal<String>,
    /// Edited in place: called when the date is picked, or on Enter or leaving the input.
    #[prop(optional)]
    on_done: Option<Callback<()>>,
) -> impl IntoView {
    let lang = i18n::lang();
    // A date already there is shown as the Solar Hijri date it is.
    let start = i18n::parse_ymd(&value.get_untracked())
        .and_then(crm_domain::calendar::Jalali::from_gregorian)
        .map(|j| i18n::digits(Lang::Fa, &format!("{}/{:02}/{:02}", j.year, j.month, j.day)))
        .unwrap_or_default();
    let typed = RwSignal::new(start);
    let shown_id = id.clone();
    let focus = on_done.is_some();
    let (done, enter) = done_on(on_done);
    view! {
        {move || match lang.get() {
            Lang::En => view! { <input id=shown_id.clone() type="date" class="ltr" autofocus=focus bind:value=value on:change=move |_| done()/> }.into_any(),
            Lang::Fa => view! {
                <input id=shown_id.clone() class="ltr" inputmode="numeric" autofocus=focus placeholder=i18n::digits(Lang::Fa, "1405/09/29")
                    on:keydown=enter on:blur=move |_| done()
                    prop:value=move || typed.get()
                    on:input=move |ev| {
                        let raw = event_target_value(&ev);
                        let iso = crm_domain::calendar::Jalali::parse(&raw)
                            .and_then(|j| j.to_gregorian())
                            .map(i18n::ymd)
                            .unwrap_or_else(|| crm_domain::digits::to_ascii_digits(raw.trim()));
                        typed.set(raw);
                        value.set(iso);
                    }/>
                <small class="muted">{move || {
                    let v = value.get();
                    if v.is_empty() { text(Lang::Fa, T::SolarHijriHint).to_owned() } else { i18n::date(Lang::En, &v) }
                }}</small>
            }.into_any(),
        }}
    }
}

/// Previous and next for forward-only cursors: `history` keeps the cursors of the pages before
/// this one, `cursor` is this page's, `next` the one the server gave for the next page.
#[component]
pub fn Pager(history: RwSignal<Vec<Option<String>>>, cursor: RwSignal<Option<String>>, next: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div class="pager">
            <button id="prev" disabled=move || history.with(|h| h.is_empty()) on:click=move |_| {
                let prev = history.try_update(|h| h.pop()).flatten().flatten();
                cursor.set(prev);
            }>{i18n::tr(T::Previous)}</button>
            <button id="next" disabled=move || next.with(|n| n.is_none()) on:click=move |_| {
                let current = cursor.get_untracked();
                history.update(|h| h.push(current));
                cursor.set(next.get_untracked());
            }>{i18n::tr(T::Next)}</button>
        </div>
    }
}

/// Milliseconds since the epoch from the browser's clock (chrono's `Utc::now` panics in wasm).
pub fn js_now() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// The record's owner, and a dialog to hand it to someone else with a note for them (it
/// reaches them as a notification and stays in the audit trail). `done` reloads the record.
#[component]
pub fn HandOver(
    /// `contacts`, `companies`, `deals`, `cases`, `leads` or `tasks`.
    subject: &'static str,
    #[prop(into)] id: String,
    owner: Option<String>,
    #[prop(into)] done: Callback<()>,
) -> impl IntoView {
    let lang = i18n::lang();
    let members = LocalResource::new(|| async { crate::api::members().await.unwrap_or_default() });
    let open = RwSignal::new(false);
    let chosen = RwSignal::new(owner.clone().unwrap_or_default());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let id = StoredValue::new(id);
    let owner = StoredValue::new(owner);
    let name_of = move |user: &Option<String>| match user {
        None => text(lang.get(), T::Unassigned).to_owned(),
        Some(u) => members.get().and_then(|m| m.iter().find(|m| &m.id == u).map(|m| m.name.clone())).unwrap_or_default(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let user = Some(chosen.get_untracked()).filter(|u| !u.is_empty());
        let body = crm_api_types::HandoverRequest {
            user_id: Some(user.clone()),
            note: Some(note.get_untracked().trim().to_owned()).filter(|n| !n.is_empty()),
        };
        leptos::task::spawn_local(async move {
            match crate::api::hand_over(subject, id.get_value(), body).await {
                Ok(_) => {
                    open.set(false);
                    note.set(String::new());
                    toast(format!("{} {}", text(lang.get_untracked(), T::HandedOverTo), name_of(&user)), false);
                    done.run(());
                }
                Err(e) => errors.set(FieldErrors::from_api(&e)),
            }
        });
    };
    view! {
        <button type="button" class="link owner" id="handover" title=move || text(lang.get(), T::HandOver)
            on:click=move |_| { errors.set(FieldErrors::default()); open.set(true) }>
            {tr(T::Owner)}": "<span id="owner-name">{move || owner.with_value(|o| name_of(o))}</span>
        </button>
        <Show when=move || open.get()>
            <div class="modal-backdrop" on:click=move |_| open.set(false)></div>
            <form class="modal" role="dialog" aria-modal="true" id="handover-dialog" on:submit=submit>
                <h2>{tr(T::HandOver)}</h2>
                <label>{tr(T::Owner)}
                    <select id="handover-user" on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="" selected=move || chosen.get().is_empty()>{tr(T::Unassigned)}</option>
                        {move || members.get().map(|m| m.into_iter().map(|m| {
                            let id = m.id.clone();
                            view! { <option value=m.id selected=move || chosen.get() == id>{m.name}</option> }
                        }).collect_view())}
                    </select>
                </label>
                <FieldProblem errors field="user_id"/>
                <label>{tr(T::HandoverNote)}
                    <textarea id="handover-note" rows="3" maxlength="2000" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </label>
                <FieldProblem errors field="note"/>
                <div class="actions">
                    <button type="submit">{tr(T::HandOver)}</button>
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>{tr(T::Cancel)}</button>
                </div>
            </form>
        </Show>
    }
}

/// A cursor-paged list (a timeline, the feed): the items so far, the next cursor, whether a
/// page is loading and why the last one failed. Only the answer to the latest request is shown.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub next: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub failure: RwSignal<Option<String>>,
    generation: StoredValue<u32>,
    lang: RwSignal<Lang>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Default for Paged<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + Sync + 'static> Paged<T> {
    pub fn new() -> Self {
        Paged {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loading: RwSignal::new(true),
            failure: RwSignal::new(None),
            generation: StoredValue::new(0),
            lang: i18n::lang(),
        }
    }

    /// Loads the page at `cursor` (the first when `None`, replacing the items; else appended).
    pub fn load(
        self,
        cursor: Option<String>,
        fetch: impl std::future::Future<Output = Result<crm_api_types::Page<T>, ApiError>> + 'static,
    ) {
        let gen = self.generation.get_value() + 1;
        self.generation.set_value(gen);
        self.loading.set(true);
        leptos::task::spawn_local(async move {
            let result = fetch.await;
            if self.generation.try_get_value() != Some(gen) {
                return;
            }
            self.loading.set(false);
            match result {
                Ok(page) => {
                    self.failure.set(None);
                    if cursor.is_some() {
                        self.items.update(|i| i.extend(page.items));
                    } else {
                        self.items.set(page.items);
                    }
                    self.next.set(page.next_cursor);
                }
                Err(e) => self.failure.set(Some(e.message(self.lang.get_untracked()))),
            }
        });
    }
}

/// A record's audit trail, newest first: who changed what, field by field. `refresh` reloads it.
#[component]
pub fn AuditTrail(path: &'static str, #[prop(into)] id: String, refresh: RwSignal<u32>) -> impl IntoView {
    let lang = i18n::lang();
    let audit = LocalResource::new(move || {
        refresh.track();
        crate::api::audit(path, id.clone())
    });
    view! {
        <section class="history">
            <h2>{tr(T::History)}</h2>
            {move || {
                let l = lang.get();
                let Some(result) = audit.get() else { return view! { <div class="skeleton">{tr(T::LoadingHistory)}</div> }.into_any() };
                match result {
                    Err(e) => view! { <p class="error">{e.message(l)}</p> }.into_any(),
                    Ok(p) => view! {
                        <ol class="audit">
                            {p.items.into_iter().rev().map(|e| {
                                let action = i18n::action(&e.action).map(|a| text(l, a).to_owned()).unwrap_or_else(|| e.action.clone());
                                let who = e.actor.name.clone().or(e.actor.id.clone()).unwrap_or_else(|| e.actor.kind.clone());
                                view! {
                                    <li>
                                        <strong>{action}</strong>" "
                                        <span class="muted">{i18n::date_time(l, &e.at)}" "{tr(T::By)}" "{who}</span>
                                        <ul>
                                            {e.changes.iter().map(|ch| view! { <li><code>{ch.field.clone()}</code>": "<span class="ltr">{ch.before.to_string()}" → "{ch.after.to_string()}</span></li> }).collect_view()}
                                        </ul>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                }
            }}
        </section>
    }
}

/// A save refused because someone else saved first: what they changed (field label, before,
/// after), the change of ours that was not saved, and the two ways on.
#[component]
pub fn ConflictPanel(
    title: T,
    explain: T,
    theirs: Vec<(T, String, String)>,
    field: T,
    mine: String,
    #[prop(into)] reapply: Callback<()>,
    #[prop(into)] keep_theirs: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="conflict" role="alertdialog" aria-labelledby="conflict-title">
            <h2 id="conflict-title">{tr(title)}</h2>
            <p>{tr(explain)}</p>
            <ul class="their-changes">
                {theirs.into_iter().map(|(label, before, after)| view! {
                    <li><strong>{tr(label)}</strong>": "<s>{before}</s>" → "<span class="theirs">{after}</span></li>
                }).collect_view()}
            </ul>
            <p>{tr(T::YourChange)}" "<strong>{tr(field)}</strong>" = "<span class="mine">{mine}</span></p>
            <div class="actions">
                <button id="reapply" on:click=move |_| reapply.run(())>{tr(T::ReapplyMine)}</button>
                <button id="keep-theirs" class="secondary" on:click=move |_| keep_theirs.run(())>{tr(T::KeepTheirs)}</button>
            </div>
        </section>
    }
}

/// Picks one record of `kinds` (`contact`, `company`, `deal`, `case`, `lead`) through the
/// search: by name, email or phone in any spelling. Arrow keys and Enter choose from the list;
/// the choice is `(kind, id, title)`, shown with a button to change it.
#[component]
pub fn RecordPicker(
    #[prop(into)] id: String,
    kinds: &'static [&'static str],
    chosen: RwSignal<Option<(String, String, String)>>,
) -> impl IntoView {
    let lang = i18n::lang();
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<crm_api_types::SearchHit>::new());
    let active = RwSignal::new(0usize);
    let generation = StoredValue::new(0u64);
    let search = move |q: String| {
        query.set(q.clone());
        let n = generation.get_value() + 1;
        generation.set_value(n);
        if q.trim().chars().count() < 2 {
            hits.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let found = crate::api::search(q).await;
            // Only the answer to the latest query counts (one query per key typed).
            if generation.try_get_value() == Some(n) {
                let found = found.map(|r| r.hits).unwrap_or_default();
                hits.set(found.into_iter().filter(|h| kinds.contains(&h.kind.as_str())).take(8).collect());
                active.set(0);
            }
        });
    };
    let pick = move |h: crm_api_types::SearchHit| {
        chosen.set(Some((h.kind, h.id, h.title)));
        hits.set(Vec::new());
        query.set(String::new());
    };
    let keys = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            active.update(|a| *a = (*a + 1).min(hits.with_untracked(|h| h.len().saturating_sub(1))));
        }
        "ArrowUp" => {
            ev.prevent_default();
            active.update(|a| *a = a.saturating_sub(1));
        }
        "Enter" => {
            ev.prevent_default();
            if let Some(h) = hits.get_untracked().get(active.get_untracked()).cloned() {
                pick(h);
            }
        }
        "Escape" => hits.set(Vec::new()),
        _ => {}
    };
    let input_id = id.clone();
    view! {
        <div class="picker" id=format!("{id}-picker")>
            {move || match chosen.get() {
                Some((kind, _, title)) => view! {
                    <span class="chip picked">
                        {move || i18n::word(lang.get(), &kind)}": "{title}
                        <button type="button" class="chip-x" aria-label=tr(T::ChangeCustomer) on:click=move |_| chosen.set(None)>"×"</button>
                    </span>
                }.into_any(),
                None => view! {
                    <input id=input_id.clone() type="search" autocomplete="off" placeholder=tr(T::FindCustomer) prop:value=move || query.get()
                        on:input=move |ev| search(event_target_value(&ev)) on:keydown=keys/>
                    <ul class="picker-hits" role="listbox">
                        {move || hits.get().into_iter().enumerate().map(|(i, h)| {
                            let shown = h.clone();
                            view! {
                                <li role="option" class:active=move || active.get() == i aria-selected=move || (active.get() == i).to_string()
                                    on:mousedown=move |ev| { ev.prevent_default(); pick(h.clone()); }>
                                    <strong>{shown.title.clone()}</strong>
                                    {shown.subtitle.clone().map(|s| view! { <small class="muted">" · "{s}</small> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </div>
    }
}

/// Asks the person to confirm an action that cannot be undone.
pub fn confirmed(lang: Lang, question: impl i18n::Text) -> bool {
    web_sys::window().and_then(|w| w.confirm_with_message(i18n::text(lang, question)).ok()).unwrap_or(false)
}
