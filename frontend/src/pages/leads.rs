//! A lead's page: its facts edited in place, conversion into contact, company and optionally a
//! deal, and disqualification with a reason. The list is the shared one ([`crate::pages::records::LEADS`]).

use crate::api::{self, ApiError};
use crate::i18n::{self, tr, T};
use crate::pages::record::{self, OwnerOf, RecordPage, Shown};
use crate::ui::{toast, DateInput, FieldErrors, FieldProblem};
use crm_api_types::{Lead, LeadConversion, LeadConvert, LeadPatch, LeadStatus};
use leptos::prelude::*;

#[component]
pub fn LeadPage(id: String) -> impl IntoView {
    view! { <RecordPage spec=&record::LEAD id extra=|id| view! { <LeadExtras id/> }.into_any()/> }
}

/// Conversion and disqualification of the shown lead; what it became once converted.
#[component]
fn LeadExtras(id: String) -> impl IntoView {
    let lang = i18n::lang();
    let shown = use_context::<Shown>();
    let converting = RwSignal::new(None::<Lead>);
    let disqualifying = RwSignal::new(None::<Lead>);
    let result = RwSignal::new(None::<LeadConversion>);
    let lead = move || shown.and_then(|s| s.current.with(|c| c.clone()).and_then(|v| serde_json::from_value::<Lead>(v).ok()));
    // The lead as the server answered a move: the facts and the audit trail above follow.
    let replace = move |l: Lead| {
        if let (Some(s), Ok(v)) = (shown, serde_json::to_value(&l)) {
            s.show(v);
        }
    };
    let disqualify = move |lead: Lead, reason: String| {
        leptos::task::spawn_local(async move {
            let patch = LeadPatch { status: Some(LeadStatus::Disqualified), disqualify_reason: Some(Some(reason)), ..Default::default() };
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
        <section class="panel lead-actions" id="lead-actions">
            {move || lead().map(|l| match (l.contact_id.clone(), l.converted_at.is_some()) {
                (Some(contact), true) => view! {
                    <p><span class="stage stage-customer">{tr(T::LeadConverted)}</span>" "
                        <a id="lead-contact" href=format!("/contacts/{contact}")>{tr(T::Open)}</a>
                        {l.deal_id.clone().map(|d| view! { " · "<a id="lead-deal" href=format!("/deals/{d}")>{tr(T::DealCreated)}</a> })}
                    </p>
                }.into_any(),
                _ => {
                    let (for_convert, for_dq) = (l.clone(), l.clone());
                    let open = l.status != LeadStatus::Disqualified;
                    view! {
                        <div class="actions">
                            <button id="convert" disabled=!open on:click=move |_| { result.set(None); converting.set(Some(for_convert.clone())) }>{tr(T::Convert)}</button>
                            {open.then(|| view! {
                                <button id="disqualify" class="secondary" on:click=move |_| disqualifying.set(Some(for_dq.clone()))>{tr(T::Disqualify)}</button>
                            })}
                        </div>
                    }.into_any()
                }
            })}
        </section>
        <OwnerOf subject="leads" id/>
        {move || disqualifying.get().map(|lead| {
            let reason = RwSignal::new(String::new());
            let l2 = lead.clone();
            view! {
                <div class="modal-backdrop" on:click=move |_| disqualifying.set(None)></div>
                <form class="modal" role="dialog" aria-modal="true" id="disqualify-dialog" on:submit=move |ev| {
                    ev.prevent_default();
                    let r = reason.get_untracked().trim().to_owned();
                    if !r.is_empty() { disqualify(l2.clone(), r); }
                }>
                    <h2>{tr(T::Disqualify)}": "{lead.display_name.clone()}</h2>
                    <div class="field">
                        <label for="dq-reason">{tr(T::DisqualifyReason)}" *"</label>
                        <input id="dq-reason" bind:value=reason autofocus required/>
                    </div>
                    <div class="actions">
                        <button type="submit" id="confirm-disqualify">{tr(T::Disqualify)}</button>
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
