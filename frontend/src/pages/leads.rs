//! Leads: the list with status and search, status changes (a reason when disqualifying) and
//! conversion into contact, company and optionally a deal.

use crate::api::{self, ApiError};
use crate::i18n::{self, tr, T};
use crate::ui::{toast, DateInput, FieldErrors, FieldProblem, Pager};
use crm_api_types::{Lead, LeadConversion, LeadConvert, LeadPatch, LeadStatus};
use leptos::prelude::*;

pub fn status_label(s: LeadStatus) -> T {
    match s {
        LeadStatus::New => T::LeadNew,
        LeadStatus::Working => T::LeadWorking,
        LeadStatus::Qualified => T::LeadQualified,
        LeadStatus::Disqualified => T::LeadDisqualified,
    }
}

#[component]
pub fn Leads() -> impl IntoView {
    let lang = i18n::lang();
    let q = RwSignal::new(String::new());
    let status = RwSignal::new(String::from("new,working,qualified"));
    let cursor = RwSignal::new(None::<String>);
    let history = RwSignal::new(Vec::<Option<String>>::new());
    let rows = RwSignal::new(Vec::<Lead>::new());
    let total = RwSignal::new(0i64);
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let failure = RwSignal::new(None::<String>);
    let converting = RwSignal::new(None::<Lead>);
    let disqualifying = RwSignal::new(None::<Lead>);
    let result = RwSignal::new(None::<LeadConversion>);

    // Only the answer to the latest query is shown, as in the other lists.
    let generation = StoredValue::new(0u64);
    Effect::new(move || {
        let (qq, st, c) = (q.get(), status.get(), cursor.get());
        loading.set(true);
        let n = generation.get_value() + 1;
        generation.set_value(n);
        leptos::task::spawn_local(async move {
            let result = api::leads(qq, st, c).await;
            if generation.try_get_value() != Some(n) {
                return;
            }
            match result {
                Ok(p) => {
                    total.set(p.total.unwrap_or(0));
                    next.set(p.next_cursor);
                    rows.set(p.items);
                    failure.set(None);
                }
                Err(e) => failure.set(Some(e.message(lang.get_untracked()))),
            }
            loading.set(false);
        });
    });
    let reset = move || {
        history.set(Vec::new());
        cursor.set(None);
    };
    let replace = move |l: Lead| rows.update(|rs| rs.iter_mut().filter(|r| r.id == l.id).for_each(|r| *r = l.clone()));
    let set_status = move |lead: Lead, to: LeadStatus, reason: Option<String>| {
        leptos::task::spawn_local(async move {
            let patch = LeadPatch { status: Some(to), disqualify_reason: reason.map(Some), ..Default::default() };
            match api::patch_lead(lead.id.clone(), lead.version, patch).await {
                Ok(l) => {
                    replace(l);
                    disqualifying.set(None);
                    toast(i18n::text(lang.get_untracked(), T::Saved), false);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
        });
    };

    view! {
        <header class="page-head"><h1>{tr(T::Leads)}</h1><a class="button" href="/leads/new" id="new-lead">{tr(T::NewLead)}</a></header>
        <div class="toolbar">
            <input id="lead-search" type="search" placeholder=tr(T::SearchLeads) on:input=move |ev| { q.set(event_target_value(&ev)); reset(); }/>
            <select id="lead-status" on:change=move |ev| { status.set(event_target_value(&ev)); reset(); }>
                <option value="new,working,qualified">{tr(T::LeadsActive)}</option>
                {LeadStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{tr(status_label(*s))}</option> }).collect_view()}
                <option value="">{tr(T::LeadsAll)}</option>
            </select>
            <span class="count">{move || i18n::count(lang.get(), T::LeadCount, total.get())}</span>
        </div>
        <Show when=move || failure.get().is_some()>
            <p class="error" role="alert">{move || failure.get().unwrap_or_default()}</p>
        </Show>
        <Show when=move || loading.get() && rows.with(|r| r.is_empty())>
            <div class="skeleton">{tr(T::Loading)}</div>
        </Show>
        <Show when=move || !loading.get() && rows.with(|r| r.is_empty()) && failure.get().is_none()>
            <div class="empty"><p>{tr(T::NoLeads)}</p><p class="hint">{tr(T::NoLeadsHint)}</p></div>
        </Show>
        <Show when=move || !rows.with(|r| r.is_empty())>
            <table class="list" id="leads">
                <thead><tr><th>{tr(T::Name)}</th><th>{tr(T::Company)}</th><th>{tr(T::Email)}</th><th>{tr(T::Phone)}</th><th>{tr(T::Status)}</th><th></th></tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|l| (l.id.clone(), l.version) let:l>
                        {
                            let lang_now = lang.get_untracked();
                            let (for_status, for_convert) = (l.clone(), l.clone());
                            let converted = l.converted_at.is_some();
                            let name = l.display_name.clone();
                            view! {
                                <tr data-lead=l.display_name.clone()>
                                    <td>{match l.contact_id.clone() {
                                        Some(c) => view! { <a href=format!("/contacts/{c}")>{name}</a> }.into_any(),
                                        None => view! { <a href=format!("/leads/{}", l.id)>{name}</a> }.into_any(),
                                    }}</td>
                                    <td>{l.company_name.clone().unwrap_or_default()}</td>
                                    <td class="ltr">{l.email.clone().unwrap_or_default()}</td>
                                    <td class="ltr">{l.phone.as_deref().map(|p| i18n::phone(lang_now, p)).unwrap_or_default()}</td>
                                    <td>
                                        {if converted {
                                            view! { <span class="stage stage-customer">{tr(T::LeadConverted)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <select class="lead-status" aria-label=tr(T::Status) on:change=move |ev| {
                                                    let Some(to) = LeadStatus::parse(&event_target_value(&ev)) else { return };
                                                    if to == LeadStatus::Disqualified {
                                                        disqualifying.set(Some(for_status.clone()));
                                                    } else {
                                                        set_status(for_status.clone(), to, None);
                                                    }
                                                }>
                                                    {LeadStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == l.status>{tr(status_label(*s))}</option> }).collect_view()}
                                                </select>
                                            }.into_any()
                                        }}
                                        {l.disqualify_reason.clone().map(|r| view! { <small class="muted">" "{r}</small> })}
                                    </td>
                                    <td>
                                        {(!converted && l.status != LeadStatus::Disqualified).then(|| view! {
                                            <button class="convert" on:click=move |_| { result.set(None); converting.set(Some(for_convert.clone())) }>{tr(T::Convert)}</button>
                                        })}
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
            <Pager history cursor next/>
        </Show>
        {move || disqualifying.get().map(|lead| {
            let reason = RwSignal::new(String::new());
            let l2 = lead.clone();
            view! {
                <div class="modal-backdrop" on:click=move |_| disqualifying.set(None)></div>
                <form class="modal" role="dialog" aria-modal="true" id="disqualify-dialog" on:submit=move |ev| {
                    ev.prevent_default();
                    let r = reason.get_untracked().trim().to_owned();
                    if !r.is_empty() { set_status(l2.clone(), LeadStatus::Disqualified, Some(r)); }
                }>
                    <h2>{tr(T::Disqualify)}": "{lead.display_name.clone()}</h2>
                    <div class="field">
                        <label for="dq-reason">{tr(T::DisqualifyReason)}" *"</label>
                        <input id="dq-reason" bind:value=reason autofocus required/>
                    </div>
                    <div class="actions">
                        <button type="submit">{tr(T::Disqualify)}</button>
                        <button type="button" class="secondary" on:click=move |_| disqualifying.set(None)>{tr(T::Cancel)}</button>
                    </div>
                </form>
            }
        })}
        {move || converting.get().map(|lead| view! { <ConvertDialog lead converting result on_done=replace/> })}
    }
}

/// Converts one lead; shows what it became.
#[component]
fn ConvertDialog(
    lead: Lead,
    converting: RwSignal<Option<Lead>>,
    result: RwSignal<Option<LeadConversion>>,
    on_done: impl Fn(Lead) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = i18n::lang();
    let with_deal = RwSignal::new(true);
    let deal_name = RwSignal::new(format!(
        "{}: {}",
        lead.company_name.clone().unwrap_or_else(|| lead.display_name.clone()),
        i18n::text(lang.get_untracked(), T::NewDeal)
    ));
    let amount = RwSignal::new(String::new());
    let close = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let busy = RwSignal::new(false);
    let id = lead.id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let opt = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
        let body = LeadConvert {
            create_deal: with_deal.get_untracked(),
            deal_name: opt(deal_name).filter(|_| with_deal.get_untracked()),
            deal_amount: opt(amount).filter(|_| with_deal.get_untracked()),
            close_date: opt(close).filter(|_| with_deal.get_untracked()),
            ..Default::default()
        };
        busy.set(true);
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api::convert_lead(id, body).await {
                Ok(r) => {
                    on_done(r.lead.clone());
                    toast(i18n::text(lang.get_untracked(), T::LeadConvertedToast), false);
                    result.set(Some(r));
                }
                Err(e @ ApiError::Problem(_)) => {
                    let f = FieldErrors::from_api(&e);
                    if f.is_empty() {
                        toast(e.message(lang.get_untracked()), true);
                    }
                    errors.set(f);
                }
                Err(e) => toast(e.message(lang.get_untracked()), true),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="modal-backdrop" on:click=move |_| converting.set(None)></div>
        <div class="modal" role="dialog" aria-modal="true" id="convert-dialog">
            <h2>{tr(T::ConvertLead)}": "{lead.display_name.clone()}</h2>
            {move || match result.get() {
                Some(r) => view! {
                    <ul class="conversion" id="conversion-result">
                        <li>{tr(if r.contact_created { T::ContactCreated } else { T::ContactMatched })}" "
                            <a href=format!("/contacts/{}", r.contact_id) id="converted-contact">{tr(T::Open)}</a></li>
                        {r.company_id.as_ref().map(|_| view! { <li>{tr(if r.company_created { T::CompanyCreated } else { T::CompanyMatched })}</li> })}
                        {r.deal_id.as_ref().map(|_| view! { <li>{tr(T::DealCreated)}" "<a href="/deals">{tr(T::Pipeline)}</a></li> })}
                    </ul>
                    <div class="actions"><button on:click=move |_| converting.set(None)>{tr(T::Close)}</button></div>
                }.into_any(),
                None => view! {
                    <form on:submit=submit.clone()>
                        <p class="hint">{tr(T::ConvertHint)}</p>
                        <label class="check"><input id="with-deal" type="checkbox" prop:checked=move || with_deal.get() on:change=move |ev| with_deal.set(event_target_checked(&ev))/>" "{tr(T::AlsoCreateDeal)}</label>
                        <Show when=move || with_deal.get()>
                            <div class="field">
                                <label for="deal-name">{tr(T::DealName)}</label>
                                <input id="deal-name" bind:value=deal_name/>
                                <FieldProblem errors field="deal_name"/>
                            </div>
                            <div class="field">
                                <label for="deal-amount">{tr(T::Amount)}</label>
                                <input id="deal-amount" class="ltr" inputmode="decimal" bind:value=amount/>
                                <FieldProblem errors field="deal_amount"/>
                            </div>
                            <div class="field">
                                <label for="deal-close">{tr(T::CloseDate)}</label>
                                <DateInput id="deal-close" value=close/>
                                <FieldProblem errors field="close_date"/>
                            </div>
                        </Show>
                        <div class="actions">
                            <button type="submit" id="confirm-convert" disabled=move || busy.get()>{tr(T::Convert)}</button>
                            <button type="button" class="secondary" on:click=move |_| converting.set(None)>{tr(T::Cancel)}</button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </div>
    }
}
