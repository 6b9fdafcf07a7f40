//! Segments, in the second bundle: the list (`/segments`) and the builder (`/segments/new`,
//! `/segments/{id}`): nested all/any groups of conditions on fields, tags, custom fields,
//! purchases, RFM, propensity, activity and life events, with the count of matching contacts
//! kept current while the rules are edited, the members as the contact list
//! (`/contacts?segment={id}`, with every list feature), evaluation and who entered and left.
//!
//! The fields, their operators and choices come from `crm_domain::segments`, which the server
//! checks the rules with: the builder offers nothing the server would refuse for its shape.

use crate::api;
use crate::i18n::{self, tr, Lang, A, T};
use crate::pages::analytics::group_label;
use crate::router;
use crate::ui::{confirmed, toast, DateInput};
use crm_api_types::{CustomField, FieldType, Segment, SegmentChange, SegmentKind, SegmentWrite};
use crm_domain::segments as rules;
use leptos::prelude::*;
use serde_json::{json, Value};

/// The words for a built-in field of a rule.
fn field_label(field: &str) -> A {
    match field {
        "first_name" => A::SfFirstName,
        "last_name" => A::SfLastName,
        "title" => A::SfTitle,
        "source" => A::SfSource,
        "lifecycle_stage" => A::SfStage,
        "consent" => A::SfConsent,
        "owner_id" => A::SfOwner,
        "company_id" => A::SfCompany,
        "tag" => A::SfTag,
        "created_at" => A::SfCreated,
        "orders" => A::SfOrders,
        "revenue" => A::SfRevenue,
        "gross_margin" => A::SfGrossMargin,
        "first_purchase_at" => A::SfFirstPurchase,
        "last_purchase_at" => A::SfLastPurchase,
        "rfm_group" => A::SfRfmGroup,
        "recency_score" => A::SfRecency,
        "frequency_score" => A::SfFrequency,
        "monetary_score" => A::SfMonetary,
        "propensity" => A::SfPropensity,
        "last_activity_at" => A::SfLastActivity,
        "bought_product" => A::SfBoughtProduct,
        "order_channel" => A::SfOrderChannel,
        "activity_channel" => A::SfActivityChannel,
        _ => A::SfSegment,
    }
}

fn op_label(op: &str) -> A {
    match op {
        "is" => A::OpIs,
        "is_not" => A::OpIsNot,
        "in" => A::OpIn,
        "not_in" => A::OpNotIn,
        "contains" => A::OpContains,
        "is_empty" => A::OpIsEmpty,
        "is_not_empty" => A::OpIsNotEmpty,
        "gt" => A::OpGt,
        "gte" => A::OpGte,
        "lt" => A::OpLt,
        "lte" => A::OpLte,
        "before" => A::OpBefore,
        "after" => A::OpAfter,
        "in_last_days" => A::OpInLastDays,
        "not_in_last_days" => A::OpNotInLastDays,
        "in_next_days" => A::OpInNextDays,
        _ => A::OpAnniversary,
    }
}

/// A choice's words: RFM groups from the analytics words, the rest from the app's.
fn choice_words(lang: Lang, field: &str, value: &str) -> String {
    if field == "rfm_group" {
        i18n::text(lang, group_label(value)).to_owned()
    } else {
        i18n::word(lang, value)
    }
}

/// The rule tree as edited: values are kept as typed and read into JSON for the server.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Group { any: bool, items: Vec<Node> },
    Cond { field: String, op: String, value: String, days: String },
}

impl Node {
    fn condition(field: &str) -> Node {
        let op = rules::operators(field).first().copied().unwrap_or("is").to_owned();
        Node::Cond { field: field.to_owned(), op, value: String::new(), days: String::new() }
    }

    fn at_mut(&mut self, path: &[usize]) -> Option<&mut Node> {
        match path.split_first() {
            None => Some(self),
            Some((i, rest)) => match self {
                Node::Group { items, .. } => items.get_mut(*i)?.at_mut(rest),
                Node::Cond { .. } => None,
            },
        }
    }

    fn at(&self, path: &[usize]) -> Option<&Node> {
        match path.split_first() {
            None => Some(self),
            Some((i, rest)) => match self {
                Node::Group { items, .. } => items.get(*i)?.at(rest),
                Node::Cond { .. } => None,
            },
        }
    }

    /// Removes the rule at `path` from its group.
    fn remove(&mut self, path: &[usize]) {
        let Some((last, parent)) = path.split_last() else { return };
        if let Some(Node::Group { items, .. }) = self.at_mut(parent) {
            items.remove(*last);
        }
    }

    /// The JSON the API takes; a number stays text when it is not one (the server names it).
    fn to_json(&self) -> Value {
        match self {
            Node::Group { any, items } => {
                json!({ if *any { "any" } else { "all" }: items.iter().map(Node::to_json).collect::<Vec<_>>() })
            }
            Node::Cond { field, op, value, days } => {
                let raw = crm_domain::digits::to_ascii_digits(value.trim());
                let number = |s: &str| s.parse::<i64>().map(Value::from).or_else(|_| s.parse::<f64>().map(Value::from));
                let v = match op.as_str() {
                    "is_empty" | "is_not_empty" => Value::Null,
                    "in_last_days" | "not_in_last_days" | "in_next_days" | "anniversary_in_next_days" => {
                        number(&raw).unwrap_or(Value::from(raw))
                    }
                    "in" | "not_in" => Value::from(raw.split(',').map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>()),
                    _ => match rules::value_kind(field) {
                        "count" | "score" | "probability" => number(&raw).unwrap_or(Value::from(raw)),
                        _ => Value::from(raw),
                    },
                };
                let mut c = json!({"field": field, "op": op});
                if !v.is_null() {
                    c["value"] = v;
                }
                let days = crm_domain::digits::to_ascii_digits(days.trim());
                if !days.is_empty() && rules::takes_days(field) {
                    c["days"] = days.parse::<i64>().map(Value::from).unwrap_or(Value::from(days));
                }
                c
            }
        }
    }

    /// The rules without the conditions still waiting for a value (for the count while
    /// editing); `None` when nothing is left.
    fn complete(&self) -> Option<Node> {
        match self {
            Node::Group { any, items } => {
                let items: Vec<Node> = items.iter().filter_map(Node::complete).collect();
                (!items.is_empty()).then_some(Node::Group { any: *any, items })
            }
            Node::Cond { op, value, .. } => {
                let waiting = value.trim().is_empty() && !matches!(op.as_str(), "is_empty" | "is_not_empty");
                (!waiting).then(|| self.clone())
            }
        }
    }

    fn from_json(v: &Value) -> Node {
        for (key, any) in [("all", false), ("any", true)] {
            if let Some(items) = v.get(key).and_then(Value::as_array) {
                return Node::Group { any, items: items.iter().map(Node::from_json).collect() };
            }
        }
        let text = |k: &str| match v.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        Node::Cond { field: text("field"), op: text("op"), value: text("value"), days: text("days") }
    }
}

fn starting_rules() -> Node {
    Node::Group { any: false, items: vec![Node::condition("lifecycle_stage")] }
}

/// Entries and exits shown before "show all".
const HISTORY_SHOWN: usize = 10;

/// The segments the person sees.
#[component]
pub fn SegmentsPage() -> impl IntoView {
    let lang = i18n::lang();
    let list = LocalResource::new(api::segments);
    view! {
        <header class="page-head">
            <h1>{tr(A::Segments)}</h1>
            <div class="actions"><a id="new-segment" class="button" href="/segments/new">{tr(A::NewSegment)}</a></div>
        </header>
        {move || match list.get() {
            None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.message(lang.get())}</p> }.into_any(),
            Some(Ok(all)) if all.is_empty() => view! { <p class="empty" id="segments-empty">{tr(A::SegmentsEmpty)}</p> }.into_any(),
            Some(Ok(all)) => view! {
                <div class="scroll"><table id="segments" class="list">
                    <thead><tr>
                        <th>{tr(T::Name)}</th><th>{tr(A::SegmentKindLabel)}</th><th>{tr(A::SegmentMembers)}</th><th>{tr(A::SegmentEvaluated)}</th>
                    </tr></thead>
                    <tbody>{all.into_iter().map(|s| {
                        let l = lang.get();
                        view! { <tr>
                            <td><a href=format!("/segments/{}", s.id)>{s.name.clone()}</a>
                                {s.shared.then(|| view! { " " <span class="badge">{tr(A::SegmentShared)}</span> })}</td>
                            <td>{tr(if s.kind == SegmentKind::Snapshot { A::KindSnapshot } else { A::KindDynamic })}</td>
                            <td class="num">{s.members.map(|n| i18n::number(l, n)).unwrap_or_else(|| "—".into())}</td>
                            <td>{i18n::date_time(l, &s.evaluated_at)}</td>
                        </tr> }
                    }).collect_view()}</tbody>
                </table></div>
            }.into_any(),
        }}
    }
}

/// What the builder offers for values: the workspace's custom fields of contacts, its people,
/// products and other segments.
#[derive(Clone, Default)]
struct Pickers {
    /// The segment being edited, if saved.
    editing: Option<String>,
    fields: Vec<CustomField>,
    people: Vec<(String, String)>,
    products: Vec<(String, String)>,
    segments: Vec<(String, String)>,
}

/// The builder of a new segment (`id`: none) or of one to change.
#[component]
pub fn SegmentPage(id: Option<String>) -> impl IntoView {
    let lang = i18n::lang();
    let tree = RwSignal::new(starting_rules());
    // Bumped when a value is typed: the tree is changed without drawing it again (the input
    // keeps its focus), and the count follows.
    let typed = RwSignal::new(0u32);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let snapshot = RwSignal::new(false);
    let shared = RwSignal::new(false);
    let saved = RwSignal::new(None::<Segment>);
    let count = RwSignal::new(None::<Result<i64, String>>);
    let history = RwSignal::new(None::<Vec<SegmentChange>>);
    let busy = RwSignal::new(false);
    let all_history = RwSignal::new(false);
    let pickers = RwSignal::new(Pickers::default());
    let id_for_pickers = id.clone();
    leptos::task::spawn_local(async move {
        let mut p = Pickers { editing: id_for_pickers, ..Pickers::default() };
        if let Ok(fs) = api::fields(Some(crm_domain::access::Entity::Contact)).await {
            p.fields = fs.into_iter().filter(|f| !f.archived).collect();
        }
        if let Ok(ms) = api::members().await {
            p.people = ms.into_iter().map(|m| (m.id, m.name)).collect();
        }
        let params = vec![("limit".to_owned(), "200".to_owned()), ("sort".to_owned(), "name".to_owned())];
        if let Ok(page) = api::list_raw("/api/v1/products", params).await {
            p.products = page
                .items
                .iter()
                .filter_map(|v| Some((v["id"].as_str()?.to_owned(), v["name"].as_str().unwrap_or_default().to_owned())))
                .collect();
        }
        if let Ok(ss) = api::segments().await {
            p.segments = ss.into_iter().map(|s| (s.id, s.name)).collect();
        }
        pickers.try_set(p);
    });
    let load_history = move |sid: String| {
        leptos::task::spawn_local(async move {
            if let Ok(page) = api::segment_history(&sid).await {
                history.try_set(Some(page.items));
            }
        });
    };
    if let Some(sid) = id.clone() {
        leptos::task::spawn_local(async move {
            match api::segment(&sid).await {
                Ok(s) => {
                    name.set(s.name.clone());
                    description.set(s.description.clone().unwrap_or_default());
                    snapshot.set(s.kind == SegmentKind::Snapshot);
                    shared.set(s.shared);
                    tree.set(match Node::from_json(&s.rules) {
                        g @ Node::Group { .. } => g,
                        c => Node::Group { any: false, items: vec![c] },
                    });
                    saved.set(Some(s));
                    load_history(sid);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    }
    // The count of matching contacts, for the latest rules only.
    let generation = StoredValue::new(0u64);
    Effect::new(move || {
        typed.track();
        // Conditions still without a value do not count yet; with none, every contact does.
        let rules = tree.with(|t| t.complete()).map_or_else(|| json!({"field": "created_at", "op": "is_not_empty"}), |t| t.to_json());
        let n = generation.get_value() + 1;
        generation.set_value(n);
        leptos::task::spawn_local(async move {
            let answer = api::preview_segment(rules).await;
            if generation.try_get_value() != Some(n) {
                return;
            }
            let l = lang.get_untracked();
            count.try_set(Some(answer.map(|p| p.count).map_err(|e| e.message(l))));
        });
    });
    let save = move || {
        busy.set(true);
        let body = SegmentWrite {
            name: name.get_untracked(),
            description: Some(description.get_untracked()).filter(|d| !d.trim().is_empty()),
            rules: tree.with_untracked(Node::to_json),
            kind: if snapshot.get_untracked() { SegmentKind::Snapshot } else { SegmentKind::Dynamic },
            shared: shared.get_untracked(),
        };
        let at = saved.with_untracked(|s| s.as_ref().map(|s| (s.id.clone(), s.version)));
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            match api::save_segment(at.clone(), body).await {
                Ok(e) => {
                    toast(i18n::text(l, A::SegmentSaved), false);
                    let sid = e.segment.id.clone();
                    saved.set(Some(e.segment));
                    if at.is_none() {
                        router::navigate(&format!("/segments/{sid}"));
                    } else {
                        load_history(sid);
                    }
                }
                Err(e) => toast(e.message(l), true),
            }
            busy.try_set(false);
        });
    };
    let evaluate = move || {
        let Some(sid) = saved.with_untracked(|s| s.as_ref().map(|s| s.id.clone())) else { return };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            match api::evaluate_segment(&sid).await {
                Ok(e) => {
                    let words = match (e.entered, e.left) {
                        (Some(entered), Some(left)) => i18n::text(l, A::SegmentMoved)
                            .replace("{in}", &i18n::number(l, entered as i64))
                            .replace("{out}", &i18n::number(l, left as i64)),
                        _ => i18n::text(l, A::SegmentEvaluatedToast).to_owned(),
                    };
                    toast(words, false);
                    saved.set(Some(e.segment));
                    load_history(sid);
                }
                Err(e) => toast(e.message(l), true),
            }
            busy.try_set(false);
        });
    };
    let remove = move || {
        let Some((sid, version)) = saved.with_untracked(|s| s.as_ref().map(|s| (s.id.clone(), s.version))) else { return };
        if !confirmed(lang.get_untracked(), A::SegmentDeleteConfirm) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::delete_segment(&sid, version).await {
                Ok(()) => router::navigate("/segments"),
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };
    let editable = move || saved.with(|s| s.as_ref().is_none_or(|s| s.editable));
    view! {
        <header class="page-head">
            <h1>{move || if saved.with(Option::is_some) { name.get() } else { i18n::text(lang.get(), A::NewSegment).to_owned() }}</h1>
            <div class="actions">
                {move || saved.get().map(|s| view! {
                    <a id="segment-members" class="button secondary" href=format!("/contacts?segment={}", s.id)>{tr(A::SegmentShowMembers)}</a>
                    <button id="evaluate-segment" class="secondary" disabled=move || busy.get() on:click=move |_| evaluate()>{tr(A::SegmentEvaluate)}</button>
                })}
                <Show when=move || saved.with(|s| s.as_ref().is_some_and(|s| s.editable))>
                    <button id="delete-segment" class="danger" on:click=move |_| remove()>{tr(T::Delete)}</button>
                </Show>
            </div>
        </header>
        {move || saved.get().map(|s| view! {
            <nav class="segment-linked" aria-label=move || i18n::text(lang.get(), A::SegmentLinked)>
                <span>{tr(A::SegmentLinked)}</span>
                {[("/companies", T::Companies), ("/deals/list", T::Deals), ("/orders", T::Orders), ("/cases", T::Cases), ("/activities", T::Activities), ("/tasks", T::Tasks)]
                    .into_iter()
                    .map(|(path, label)| view! { <a href=format!("{path}?segment={}", s.id)>{tr(label)}</a> })
                    .collect_view()}
            </nav>
        })}
        <form class="panel segment-form" on:submit=move |ev| { ev.prevent_default(); save(); }>
            <div class="grid2">
                <label>{tr(T::Name)}<input id="segment-name" required maxlength="120" bind:value=name/></label>
                <label>{tr(A::SegmentDescription)}<input id="segment-description" maxlength="2000" bind:value=description/></label>
            </div>
            <div class="row">
                <label class="check"><input id="segment-snapshot" type="checkbox" bind:checked=snapshot/>" "{tr(A::SegmentSnapshotLabel)}</label>
                <label class="check"><input id="segment-shared" type="checkbox" bind:checked=shared/>" "{tr(A::SegmentShareLabel)}</label>
            </div>
            <p class="muted">{move || tr(if snapshot.get() { A::SnapshotHint } else { A::DynamicHint })()}</p>
            <div id="segment-rules">
                {move || {
                    tree.track();
                    view! { <GroupEditor path=Vec::new() tree=tree typed=typed pickers=pickers/> }
                }}
            </div>
            <p id="segment-count" class="count" class:error=move || count.with(|c| matches!(c, Some(Err(_)))) aria-live="polite">{move || match count.get() {
                None => i18n::text(lang.get(), T::Loading).to_owned(),
                Some(Ok(n)) => i18n::count(lang.get(), A::SegmentMatches, n),
                Some(Err(e)) => e,
            }}</p>
            {move || saved.get().filter(|s| s.kind == SegmentKind::Snapshot).map(|s| {
                let l = lang.get();
                let kept = s.members.map(|n| i18n::count(l, A::SnapshotKept, n)).unwrap_or_default();
                view! { <p id="snapshot-kept" class="muted">{kept}" "{i18n::date_time(l, &s.evaluated_at)}</p> }
            })}
            <Show when=editable>
                <button id="save-segment" type="submit" disabled=move || busy.get()>{tr(T::Save)}</button>
            </Show>
        </form>
        {move || history.get().map(|h| view! {
            <section class="panel" id="segment-history">
                <h2>{tr(A::SegmentHistory)}</h2>
                {if h.is_empty() {
                    view! { <p class="empty">{tr(A::SegmentHistoryEmpty)}</p> }.into_any()
                } else {
                    let more = h.len() > HISTORY_SHOWN;
                    view! {
                        <div class="scroll"><table class="list"><tbody>{h.into_iter().enumerate().map(|(i, c)| {
                            let l = lang.get();
                            let who = c.contact_name.clone().unwrap_or_else(|| c.contact_id.clone());
                            let later = i >= HISTORY_SHOWN;
                            view! { <tr class:hidden=move || later && !all_history.get()>
                                <td><a href=format!("/contacts/{}", c.contact_id)>{who}</a></td>
                                <td>{tr(if c.entered { A::SegmentEntered } else { A::SegmentLeft })}</td>
                                <td>{i18n::date_time(l, &c.at)}</td>
                            </tr> }
                        }).collect_view()}</tbody></table></div>
                        <Show when=move || more && !all_history.get()>
                            <button type="button" id="more-history" class="secondary" on:click=move |_| all_history.set(true)>{tr(A::ShowAllHistory)}</button>
                        </Show>
                    }.into_any()
                }}
            </section>
        })}
    }
}

/// A group of rules: all or any of them, each a condition or a group, with buttons to add.
#[component]
fn GroupEditor(path: Vec<usize>, tree: RwSignal<Node>, typed: RwSignal<u32>, pickers: RwSignal<Pickers>) -> impl IntoView {
    let Some(Node::Group { any, items }) = tree.with_untracked(|t| t.at(&path).cloned()) else { return ().into_any() };
    let depth = path.len();
    let at = path.clone();
    let set_any = move |v: bool| {
        tree.update(|t| {
            if let Some(Node::Group { any, .. }) = t.at_mut(&at) {
                *any = v;
            }
        })
    };
    let add = {
        let at = path.clone();
        move |node: Node| {
            tree.update(|t| {
                if let Some(Node::Group { items, .. }) = t.at_mut(&at) {
                    items.push(node);
                }
            })
        }
    };
    let add2 = add.clone();
    let remove = {
        let at = path.clone();
        move || tree.update(|t| t.remove(&at))
    };
    view! {
        <fieldset class="rule-group" data-depth=depth>
            <legend>
                <select class="group-mode" aria-label=tr(A::GroupMode) on:change=move |ev| set_any(event_target_value(&ev) == "any")>
                    <option value="all" selected=!any>{tr(A::MatchAll)}</option>
                    <option value="any" selected=any>{tr(A::MatchAny)}</option>
                </select>
                {(depth > 0).then(|| view! { <button type="button" class="chip-x" aria-label=tr(A::RemoveRule) on:click=move |_| remove()>"×"</button> })}
            </legend>
            {items.iter().enumerate().map(|(i, item)| {
                let mut p = path.clone();
                p.push(i);
                match item {
                    Node::Group { .. } => view! { <GroupEditor path=p tree=tree typed=typed pickers=pickers/> }.into_any(),
                    Node::Cond { .. } => view! { <ConditionEditor path=p tree=tree typed=typed pickers=pickers/> }.into_any(),
                }
            }).collect_view()}
            <div class="row">
                <button type="button" class="secondary add-condition" on:click=move |_| add(Node::condition("tag"))>{tr(A::AddCondition)}</button>
                {(depth + 1 < rules::MAX_DEPTH).then(|| view! {
                    <button type="button" class="secondary add-group" on:click=move |_| add2(Node::Group { any: true, items: vec![Node::condition("tag")] })>{tr(A::AddGroup)}</button>
                })}
            </div>
        </fieldset>
    }
    .into_any()
}

/// What kind of value an operator takes: none, days, a time, a list or one value.
fn value_class(op: &str) -> u8 {
    match op {
        "is_empty" | "is_not_empty" => 0,
        "in_last_days" | "not_in_last_days" | "in_next_days" | "anniversary_in_next_days" => 1,
        "before" | "after" => 2,
        "in" | "not_in" => 3,
        _ => 4,
    }
}

/// Whether a custom field of type `t` takes operator `op` (as the server checks it).
fn custom_op_fits(t: FieldType, op: &str) -> bool {
    let ranged = matches!(t, FieldType::Number | FieldType::Money | FieldType::Date | FieldType::Datetime);
    let dated = matches!(t, FieldType::Date | FieldType::Datetime);
    match op {
        "is_empty" | "is_not_empty" => true,
        "is" | "is_not" => t != FieldType::LongText,
        "gt" | "gte" | "lt" | "lte" => ranged,
        "in_last_days" | "in_next_days" | "anniversary_in_next_days" => dated,
        _ => false,
    }
}

/// One condition: its field, operator, value and (for purchases and activities) days.
#[component]
fn ConditionEditor(path: Vec<usize>, tree: RwSignal<Node>, typed: RwSignal<u32>, pickers: RwSignal<Pickers>) -> impl IntoView {
    let own_id = pickers.with_untracked(|p| p.editing.clone());
    let lang = i18n::lang();
    let Some(Node::Cond { field, op, value, days }) = tree.with_untracked(|t| t.at(&path).cloned()) else { return ().into_any() };
    // Changing the field or operator draws the condition anew; typing a value does not.
    let restructure = {
        let at = path.clone();
        // A new field starts at its first operator with no value; a new operator keeps the value.
        move |new_field: Option<String>, new_op: Option<String>| {
            tree.update(|t| {
                if let Some(Node::Cond { field, op, value, days }) = t.at_mut(&at) {
                    if let Some(f) = new_field {
                        *op = rules::operators(&f).first().copied().unwrap_or("is").to_owned();
                        *field = f;
                        value.clear();
                        days.clear();
                    }
                    if let Some(o) = new_op {
                        // A value of another kind (days, a date, a list) does not carry over.
                        if value_class(&o) != value_class(op) {
                            value.clear();
                        }
                        *op = o;
                    }
                }
            })
        }
    };
    let restructure2 = restructure.clone();
    let type_in = {
        let at = path.clone();
        move |days_too: bool, v: String| {
            tree.update_untracked(|t| {
                if let Some(Node::Cond { value, days, .. }) = t.at_mut(&at) {
                    *(if days_too { days } else { value }) = v;
                }
            });
            typed.update(|n| *n += 1);
        }
    };
    let type_in2 = type_in.clone();
    let remove = {
        let at = path.clone();
        move || tree.update(|t| t.remove(&at))
    };
    let ops = rules::operators(&field);
    let field_key = field.strip_prefix("custom.").map(str::to_owned);
    let op_now = op.clone();
    // The segment being edited is not offered as one to build it on.
    let own = own_id.clone();
    let kind = rules::value_kind(&field);
    let choices = rules::choices(&field);
    let f2 = field.clone();
    let value_input = {
        let field = field.clone();
        let op = op.clone();
        move || -> AnyView {
            let l = lang.get();
            let typed_value = type_in.clone();
            let set = move |ev: leptos::ev::Event| typed_value(false, event_target_value(&ev));
            let custom_def = field.strip_prefix("custom.").and_then(|k| pickers.with(|p| p.fields.iter().find(|f| f.key == k).cloned()));
            let date_input = |typed: Box<dyn Fn(bool, String)>| {
                let date = RwSignal::new(value.get(..10).unwrap_or_default().to_owned());
                Effect::new(move || typed(false, date.get()));
                view! { <DateInput id=format!("rule-date-{}", field.replace('.', "-")) value=date/> }.into_any()
            };
            match op.as_str() {
                "is_empty" | "is_not_empty" => ().into_any(),
                "in_last_days" | "not_in_last_days" | "in_next_days" | "anniversary_in_next_days" => view! {
                    // Text, not a number input: Persian digits are read as digits.
                    <label class="inline"><input class="rule-value num" inputmode="numeric" maxlength="4" prop:value=value.clone() on:input=set/>
                        " "{tr(if op == "anniversary_in_next_days" || op == "in_next_days" { A::DaysAhead } else { A::DaysAgo })}</label>
                }.into_any(),
                "before" | "after" => date_input(Box::new(type_in.clone())),
                _ if custom_def.as_ref().is_some_and(|d| d.field_type == FieldType::Date) => date_input(Box::new(type_in.clone())),
                _ => {
                    // Choices from a fixed set: a list to pick from, several for "is one of".
                    let options: Option<Vec<(String, String)>> = match (field.as_str(), choices, &custom_def) {
                        (f, Some(cs), _) => Some(cs.iter().map(|c| ((*c).to_owned(), choice_words(l, f, c))).collect()),
                        (_, _, Some(d)) if matches!(d.field_type, FieldType::Choice | FieldType::Choices | FieldType::YesNo) => {
                            Some(crate::pages::records::custom_filter_values(l, d))
                        }
                        ("owner_id", _, _) => Some(pickers.with(|p| p.people.clone())),
                        ("bought_product", _, _) => Some(pickers.with(|p| p.products.clone())),
                        ("segment", _, _) => Some(pickers.with(|p| p.segments.iter().filter(|(id, _)| Some(id) != own.as_ref()).cloned().collect())),
                        _ => None,
                    };
                    let current = value.clone();
                    match options {
                        Some(options) if op == "in" || op == "not_in" => {
                            let chosen: Vec<String> = current.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
                            let picked = RwSignal::new(chosen);
                            let typed_list = type_in.clone();
                            view! { <span class="rule-choices">{options.into_iter().map(|(v, words)| {
                                let on = picked.with_untracked(|c| c.contains(&v));
                                let typed_list = typed_list.clone();
                                view! { <label class="check"><input type="checkbox" value=v.clone() prop:checked=on on:change=move |ev| {
                                    let checked = event_target_checked(&ev);
                                    picked.update(|c| { c.retain(|x| *x != v); if checked { c.push(v.clone()); } });
                                    typed_list(false, picked.with_untracked(|c| c.join(",")));
                                }/>" "{words}</label> }
                            }).collect_view()}</span> }.into_any()
                        }
                        Some(options) => view! {
                            <select class="rule-value" on:change=set>
                                <option value="" selected=current.is_empty()>"—"</option>
                                {options.into_iter().map(|(v, words)| {
                                    let sel = v == current;
                                    view! { <option value=v selected=sel>{words}</option> }
                                }).collect_view()}
                            </select>
                        }.into_any(),
                        None => {
                            let hint = if op == "in" || op == "not_in" { i18n::text(l, A::CommaSeparated).to_owned() } else { String::new() };
                            let numeric = matches!(kind, "count" | "score" | "probability" | "amount")
                                || custom_def.as_ref().is_some_and(|d| matches!(d.field_type, FieldType::Number | FieldType::Money));
                            view! { <input class="rule-value" class:num=numeric inputmode=if numeric { "decimal" } else { "text" }
                                placeholder=hint prop:value=current on:input=set/> }.into_any()
                        }
                    }
                }
            }
        }
    };
    view! {
        <div class="rule-condition">
            <select class="rule-field" aria-label=tr(A::RuleField) on:change=move |ev| {
                restructure(Some(event_target_value(&ev)), None);
            }>
                {move || {
                    let l = lang.get();
                    let builtin = rules::field_names().map(|n| (n.to_owned(), i18n::text(l, field_label(n)).to_owned()));
                    let custom: Vec<(String, String)> =
                        pickers.with(|p| p.fields.iter().map(|f| (format!("custom.{}", f.key), crate::custom::label(l, f))).collect());
                    builtin.chain(custom).map(|(v, words)| {
                        let sel = v == f2;
                        view! { <option value=v selected=sel>{words}</option> }
                    }).collect_view()
                }}
            </select>
            <select class="rule-op" aria-label=tr(A::RuleOp) on:change=move |ev| {
                restructure2(None, Some(event_target_value(&ev)));
            }>
                {move || {
                    let custom_type = field_key.as_deref().and_then(|k| pickers.with(|p| p.fields.iter().find(|f| f.key == k).map(|f| f.field_type)));
                    ops.iter().filter(|o| custom_type.is_none_or(|t| custom_op_fits(t, o))).map(|o| {
                        let sel = *o == op_now;
                        view! { <option value=*o selected=sel>{tr(op_label(o))}</option> }
                    }).collect_view()
                }}
            </select>
            {value_input}
            {rules::takes_days(&field).then(|| view! {
                <label class="inline">{tr(A::WithinLast)}" "
                    <input class="rule-days num" inputmode="numeric" maxlength="4" placeholder=tr(A::AnyTime) prop:value=days.clone()
                        on:input=move |ev| type_in2(true, event_target_value(&ev))/>" "{tr(A::DaysAgo)}</label>
            })}
            <button type="button" class="chip-x remove-rule" aria-label=tr(A::RemoveRule) on:click=move |_| remove()>"×"</button>
        </div>
    }
    .into_any()
}
