//! The pipeline board: open deals in columns by stage, dragged (or moved with the arrow keys)
//! from one stage to the next. Entering a stage whose rules need fields the deal lacks opens a
//! dialog for exactly those fields, the loss reason among them.

use crate::api::{self, ApiError, BoardQuery};
use crate::custom;
use crate::i18n::{self, tr, Lang, T};
use crate::ui::{toast, DateInput, FieldErrors, FieldProblem};
use crm_api_types::{CustomField, Deal, DealField, DealPatch, Pipeline, Source, Stage, StageKind};
use crm_domain::access::Entity;
use crm_domain::{Currency, Money};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Sums per currency (amounts of unlike currencies are never added).
pub fn totals<'a>(deals: impl Iterator<Item = &'a Deal>, probability: i64) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for d in deals {
        let Some(m) = &d.amount else { continue };
        let Ok(c) = Currency::parse("currency", &m.currency) else { continue };
        let Ok(v) = Money::parse("amount", &m.amount, c) else { continue };
        let e = out.entry(m.currency.clone()).or_default();
        e.0 += v.amount_e4();
        e.1 += v.amount_e4() / 100 * probability;
    }
    out
}

/// The fields a deal still lacks to enter `stage`, in the order the dialog asks for them.
pub fn missing_for(stage: &Stage, d: &Deal) -> Vec<DealField> {
    let mut out: Vec<DealField> = stage
        .required_fields
        .iter()
        .copied()
        .filter(|f| match f {
            DealField::Amount => d.amount.is_none(),
            DealField::CloseDate => d.close_date.is_none(),
            DealField::CompanyId => d.company_id.is_none(),
            DealField::Contacts => d.contacts.is_empty(),
            DealField::Source => d.source.is_none(),
            DealField::OwnerId => d.owner_id.is_none(),
            DealField::LineItems => d.line_items.is_empty(),
        })
        .collect();
    out.sort();
    out
}

/// The custom fields (keys) a deal still lacks to enter `stage`.
pub fn missing_custom(stage: &Stage, d: &Deal) -> Vec<String> {
    stage
        .required_custom_fields
        .iter()
        .filter(|k| d.custom.get(k.as_str()).is_none_or(crm_domain::custom::is_empty_value))
        .cloned()
        .collect()
}

/// A move waiting for the fields its stage needs.
#[derive(Debug, Clone)]
struct Pending {
    deal: Deal,
    stage: Stage,
    fields: Vec<DealField>,
    /// Custom fields by key.
    custom: Vec<String>,
    lost: bool,
}

fn field_label(f: DealField) -> T {
    match f {
        DealField::Amount => T::Amount,
        DealField::CloseDate => T::CloseDate,
        DealField::CompanyId => T::Company,
        DealField::Contacts => T::ContactsColumn,
        DealField::Source => T::SourceLabel,
        DealField::OwnerId => T::Owner,
        DealField::LineItems => T::LineItems,
    }
}

#[component]
pub fn Board() -> impl IntoView {
    let lang = i18n::lang();
    let pipelines = LocalResource::new(api::pipelines);
    let pipeline_id = RwSignal::new(String::new());
    let mine = RwSignal::new(false);
    let close_month = RwSignal::new(String::new());
    let deals = RwSignal::new(Vec::<Deal>::new());
    let loading = RwSignal::new(true);
    let failure = RwSignal::new(None::<String>);
    let pending = RwSignal::new(None::<Pending>);
    let errors = RwSignal::new(FieldErrors::default());
    let dragging = RwSignal::new(None::<String>);
    let over = RwSignal::new(None::<String>);
    // The custom fields of deals, for the values a stage requires.
    let defs = RwSignal::new(Vec::<CustomField>::new());
    leptos::task::spawn_local(async move {
        defs.try_set(custom::readable_fields(Entity::Deal).await);
    });

    let current = move || -> Option<Pipeline> {
        let id = pipeline_id.get();
        pipelines
            .get()
            .and_then(|r| r.ok())
            .and_then(|ps| ps.iter().find(|p| p.id == id).cloned().or_else(|| ps.iter().find(|p| p.is_default).cloned()))
    };
    Effect::new(move || {
        if let Some(Ok(ps)) = pipelines.get() {
            if pipeline_id.get_untracked().is_empty() {
                if let Some(p) = ps.iter().find(|p| p.is_default).or(ps.first()) {
                    pipeline_id.set(p.id.clone());
                }
            }
        }
    });
    let generation = StoredValue::new(0u64);
    let load = move || {
        let q = BoardQuery { pipeline_id: pipeline_id.get(), mine: mine.get(), close_month: close_month.get() };
        if q.pipeline_id.is_empty() {
            return;
        }
        loading.set(true);
        let n = generation.get_value() + 1;
        generation.set_value(n);
        leptos::task::spawn_local(async move {
            let result = api::board_deals(q).await;
            // Only the answer to the latest query is shown (a slower one for the pipeline shown
            // before must not replace it).
            if generation.try_get_value() != Some(n) {
                return;
            }
            match result {
                Ok(d) => {
                    deals.set(d);
                    failure.set(None);
                }
                Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
            }
            loading.set(false);
        });
    };
    Effect::new(load);

    // Sends the move with whatever the dialog collected.
    let send = move |deal: Deal, stage: Stage, patch: DealPatch| {
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            match api::patch_deal(deal.id.clone(), deal.version, patch).await {
                Ok(updated) => {
                    pending.set(None);
                    errors.set(FieldErrors::default());
                    deals.update(|ds| {
                        if updated.status == StageKind::Open {
                            if let Some(d) = ds.iter_mut().find(|d| d.id == updated.id) {
                                *d = updated.clone();
                            }
                        } else {
                            ds.retain(|d| d.id != updated.id);
                        }
                    });
                    let what = match updated.status {
                        StageKind::Won => T::DealWon,
                        StageKind::Lost => T::DealLost,
                        StageKind::Open => T::DealMoved,
                    };
                    toast(format!("{}: {} → {}", updated.name, i18n::text(l, what), stage.name), false);
                }
                Err(ApiError::Problem(p)) if p.status == 422 => {
                    let fe = FieldErrors::from_api(&ApiError::Problem(p.clone()));
                    let mut fields: Vec<DealField> = fe.0.iter().filter_map(|e| DealField::parse(&e.field)).collect();
                    fields.sort();
                    fields.dedup();
                    let mut custom: Vec<String> = fe.0.iter().filter_map(|e| e.field.strip_prefix("custom.").map(str::to_owned)).collect();
                    custom.sort();
                    custom.dedup();
                    let lost = stage.kind == StageKind::Lost;
                    if fields.is_empty() && custom.is_empty() && !lost {
                        toast(p.detail.clone().unwrap_or(p.title.clone()), true);
                    } else {
                        errors.set(fe);
                        pending.set(Some(Pending { deal, stage, fields, custom, lost }));
                    }
                }
                Err(ApiError::Problem(p)) if p.status == 412 => {
                    pending.set(None);
                    toast(i18n::text(l, T::DealChangedElsewhere), true);
                    load();
                }
                Err(e) => toast(e.message(l), true),
            }
        });
    };
    // A drop (or arrow key) on a stage: straight through when nothing is missing.
    let move_to = move |deal_id: String, stage: Stage| {
        let Some(deal) = deals.with_untracked(|ds| ds.iter().find(|d| d.id == deal_id).cloned()) else { return };
        if deal.stage_id == stage.id {
            return;
        }
        let fields = missing_for(&stage, &deal);
        let custom = missing_custom(&stage, &deal);
        let lost = stage.kind == StageKind::Lost;
        errors.set(FieldErrors::default());
        if fields.is_empty() && custom.is_empty() && !lost {
            send(deal, stage.clone(), DealPatch { stage_id: Some(stage.id), ..Default::default() });
        } else {
            pending.set(Some(Pending { deal, stage, fields, custom, lost }));
        }
    };

    let column = move |stage: Stage, pipeline: Pipeline| {
        let sid = stage.id.clone();
        let sid_over = stage.id.clone();
        let stage_drop = stage.clone();
        let closed = stage.kind != StageKind::Open;
        let probability = stage.probability;
        let in_stage = {
            let sid = sid.clone();
            move || deals.with(|ds| ds.iter().filter(|d| d.stage_id == sid).cloned().collect::<Vec<_>>())
        };
        let summary = {
            let in_stage = in_stage.clone();
            move || {
                let l = lang.get();
                let list = in_stage();
                let sums = totals(list.iter(), probability);
                let money: Vec<String> = sums.iter().map(|(c, (t, _))| i18n::money(l, *t, c)).collect();
                let weighted: Vec<String> = sums.iter().map(|(c, (_, w))| i18n::money(l, *w, c)).collect();
                (i18n::number(l, list.len() as i64), money.join(" · "), weighted.join(" · "))
            }
        };
        let stages = pipeline.stages.clone();
        view! {
            <section
                class=move || format!("column{}{}", if closed { " column-closed" } else { "" }, if over.get().as_deref() == Some(sid_over.as_str()) { " drop-target" } else { "" })
                data-stage=stage.name.clone()
                data-stage-id=stage.id.clone()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(Some(sid.clone())); }
                on:dragleave=move |_| over.set(None)
                on:drop=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    over.set(None);
                    let id = ev.data_transfer().and_then(|t| t.get_data("text/plain").ok()).filter(|s| !s.is_empty()).or(dragging.get_untracked());
                    dragging.set(None);
                    if let Some(id) = id {
                        move_to(id, stage_drop.clone());
                    }
                }
            >
                <header class="column-head">
                    <h2>{stage.name.clone()}</h2>
                    {(!closed).then(|| {
                        let summary = summary.clone();
                        let s2 = summary.clone();
                        let s3 = summary.clone();
                        view! {
                            <span class="muted">{move || i18n::digits(lang.get(), &format!("{probability}%"))}" · "{move || summary().0}</span>
                            <div class="column-total">{move || s2().1}</div>
                            <div class="column-weighted" title=tr(T::Weighted)>{tr(T::WeightedShort)}" "{move || s3().2}</div>
                        }
                    })}
                </header>
                {if closed {
                    view! { <p class="drop-hint">{tr(if stage.kind == StageKind::Won { T::DropToWin } else { T::DropToLose })}</p> }.into_any()
                } else {
                    view! {
                        <ul class="cards">
                            <For each=in_stage key=|d| (d.id.clone(), d.version) let:d>
                                {
                                    let id = d.id.clone();
                                    let id_key = d.id.clone();
                                    let stages = stages.clone();
                                    let here = stages.iter().position(|s| s.id == d.stage_id).unwrap_or(0);
                                    let l = lang.get_untracked();
                                    let title = d.name.clone();
                                    view! {
                                        <li class="card" draggable="true" tabindex="0" data-deal=d.name.clone()
                                            on:dragstart=move |ev: leptos::ev::DragEvent| {
                                                if let Some(t) = ev.data_transfer() { let _ = t.set_data("text/plain", &id); }
                                                dragging.set(Some(id.clone()));
                                            }
                                            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                                let to = match ev.key().as_str() {
                                                    "ArrowRight" if lang.get_untracked() == Lang::En => here.checked_add(1),
                                                    "ArrowLeft" if lang.get_untracked() == Lang::Fa => here.checked_add(1),
                                                    "ArrowLeft" | "ArrowRight" => here.checked_sub(1),
                                                    _ => None,
                                                };
                                                if let Some(s) = to.and_then(|i| stages.get(i)) {
                                                    ev.prevent_default();
                                                    move_to(id_key.clone(), s.clone());
                                                }
                                            }
                                        >
                                            <a href=format!("/deals/{}", d.id) draggable="false" class="card-title">{title}</a>
                                            <span class="muted">{d.company_name.clone().unwrap_or_default()}</span>
                                            <span class="card-amount">{d.amount.as_ref().map(|m| i18n::money_str(l, &m.amount, &m.currency)).unwrap_or_default()}</span>
                                            <span class="muted">{d.close_date.as_deref().map(|c| i18n::date(l, c)).unwrap_or_default()}</span>
                                        </li>
                                    }
                                }
                            </For>
                        </ul>
                    }.into_any()
                }}
            </section>
        }
    };

    let dialog = move || {
        pending.get().map(|p| {
            let l = lang.get_untracked();
            let reason = RwSignal::new(String::new());
            let amount = RwSignal::new(String::new());
            let close = RwSignal::new(String::new());
            let source = RwSignal::new(String::new());
            let reasons = current().map(|pl| pl.loss_reasons).unwrap_or_default();
            let askable = |f: &DealField| matches!(f, DealField::Amount | DealField::CloseDate | DealField::Source);
            let unaskable: Vec<DealField> = p.fields.iter().copied().filter(|f| !askable(f)).collect();
            // Custom fields this person cannot fill in here (a sensitive one they may not read,
            // or definitions not loaded yet): named, to be set on the deal first.
            let unknown_custom: Vec<String> = defs.with_untracked(|d| p.custom.iter().filter(|k| !d.iter().any(|f| &f.key == *k)).cloned().collect());
            let (deal, stage) = (p.deal.clone(), p.stage.clone());
            // The custom fields asked for, each with its input.
            let asked: Vec<(CustomField, RwSignal<String>)> = defs.with_untracked(|d| {
                p.custom.iter().filter_map(|k| d.iter().find(|f| f.key == *k)).map(|f| (f.clone(), RwSignal::new(String::new()))).collect()
            });
            let asked_values = asked.clone();
            let submit = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let opt = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
                let values: serde_json::Map<String, serde_json::Value> =
                    asked_values.iter().map(|(f, v)| (f.key.clone(), custom::wire(f, &v.get_untracked()))).collect();
                let patch = DealPatch {
                    custom: (!values.is_empty()).then_some(values),
                    stage_id: Some(stage.id.clone()),
                    loss_reason: opt(reason).map(Some),
                    amount: opt(amount).map(Some),
                    close_date: opt(close).map(Some),
                    source: opt(source).and_then(|s| Source::parse(&s)).map(Some),
                    ..Default::default()
                };
                send(deal.clone(), stage.clone(), patch);
            };
            view! {
                <div class="modal-backdrop" on:click=move |_| pending.set(None)></div>
                <form class="modal" role="dialog" aria-modal="true" aria-labelledby="stage-dialog-title" id="stage-dialog" on:submit=submit
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { pending.set(None) }>
                    <h2 id="stage-dialog-title">{format!("{} → {}", p.deal.name, p.stage.name)}</h2>
                    <p class="hint">{tr(if p.lost { T::LossDialogHint } else { T::StageNeedsFields })}</p>
                    {p.lost.then(|| view! {
                        <div class="field">
                            <label for="loss_reason">{tr(T::LossReason)}" *"</label>
                            {if reasons.is_empty() {
                                view! { <input id="loss_reason" bind:value=reason autofocus/> }.into_any()
                            } else {
                                view! {
                                    <select id="loss_reason" autofocus on:change=move |ev| reason.set(event_target_value(&ev))>
                                        <option value="">{tr(T::ChooseReason)}</option>
                                        {reasons.iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                                    </select>
                                }.into_any()
                            }}
                            <FieldProblem errors field="loss_reason"/>
                        </div>
                    })}
                    {p.fields.contains(&DealField::Amount).then(|| view! {
                        <div class="field">
                            <label for="amount">{tr(T::Amount)}" ("{p.deal.currency.clone()}") *"</label>
                            <input id="amount" class="ltr" inputmode="decimal" bind:value=amount/>
                            <FieldProblem errors field="amount"/>
                        </div>
                    })}
                    {p.fields.contains(&DealField::CloseDate).then(|| view! {
                        <div class="field">
                            <label for="close_date">{tr(T::CloseDate)}" *"</label>
                            <DateInput id="close_date" value=close/>
                            <FieldProblem errors field="close_date"/>
                        </div>
                    })}
                    {p.fields.contains(&DealField::Source).then(|| view! {
                        <div class="field">
                            <label for="source">{tr(T::SourceLabel)}" *"</label>
                            <select id="source" on:change=move |ev| source.set(event_target_value(&ev))>
                                <option value="">"—"</option>
                                {Source::ALL.iter().map(|s| view! { <option value=s.as_str()>{tr(i18n::source(*s))}</option> }).collect_view()}
                            </select>
                            <FieldProblem errors field="source"/>
                        </div>
                    })}
                    {asked.into_iter().map(|(f, v)| {
                        let id = format!("stage-custom-{}", f.key);
                        let label = custom::label(l, &f);
                        view! {
                            <div class="field">
                                <label for=id.clone()>{label}" *"</label>
                                <custom::Editor id=id field=f.clone() value=v/>
                                <FieldProblem errors field=format!("custom.{}", f.key)/>
                            </div>
                        }
                    }).collect_view()}
                    {(!unaskable.is_empty() || !unknown_custom.is_empty()).then(|| view! {
                        <p class="error">{tr(T::AddOnDealFirst)}" "{unaskable.iter().map(|f| i18n::text(l, field_label(*f)).to_owned()).chain(unknown_custom.iter().cloned()).collect::<Vec<_>>().join(", ")}</p>
                    })}
                    <div class="actions">
                        <button type="submit" id="confirm-move">{tr(T::MoveDeal)}</button>
                        <button type="button" class="secondary" on:click=move |_| pending.set(None)>{tr(T::Cancel)}</button>
                    </div>
                </form>
            }
        })
    };

    view! {
        <header class="page-head">
            <h1>{tr(T::Pipeline)}</h1>
        </header>
        <div class="toolbar">
            <select id="pipeline" on:change=move |ev| pipeline_id.set(event_target_value(&ev))>
                {move || pipelines.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|p| {
                    let selected = p.id == pipeline_id.get();
                    view! { <option value=p.id.clone() selected=selected>{p.name.clone()}</option> }
                }).collect_view()}
            </select>
            <label class="check"><input id="board-mine" type="checkbox" on:change=move |ev| mine.set(event_target_checked(&ev))/>" "{tr(T::MineOnly)}</label>
            <label class="check">{tr(T::ClosingIn)}" "<input id="close-month" type="month" class="ltr" on:change=move |ev| close_month.set(event_target_value(&ev))/></label>
            <span class="muted">{move || if loading.get() { i18n::text(lang.get(), T::Loading).to_owned() } else { i18n::count(lang.get(), T::OpenDeals, deals.with(|d| d.len() as i64)) }}</span>
        </div>
        <Show when=move || failure.get().is_some()>
            <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
        </Show>
        <div class="board" aria-busy=move || loading.get().to_string()>
            {move || current().map(|p| p.stages.iter().map(|s| column(s.clone(), p.clone())).collect_view())}
        </div>
        <Show when=move || !loading.get() && deals.with(|d| d.is_empty()) && failure.get().is_none()>
            <div class="empty"><p>{tr(T::NoOpenDeals)}</p><p class="hint">{tr(T::NoOpenDealsHint)}</p></div>
        </Show>
        {dialog}
    }
}
