//! The new-order form: the customer found by name, email or phone, lines priced from the
//! catalogue (a product's price unless another is typed, quantity, discount) with the totals
//! the server will compute (the same pricing code), shipping, tax, channel and status. The
//! order is checked with the server's own rules before it is sent; every problem, the
//! server's too, shows beside its field, a line's beside the line.

use crate::api;
use crate::custom::CustomInputs;
use crate::i18n::{self, tr, A, T};
use crate::lines::{some, LineEditor, Lines};
use crate::router;
use crate::ui::{show_problem, DateInput, FieldErrors, FieldProblem, RecordPicker};
use crm_api_types::OrderInput;
use crm_domain::access::Entity;
use crm_domain::{Currency, Money};
use leptos::prelude::*;
use serde_json::Value;

const CHANNELS: &[&str] = &["phone", "store", "field_sales", "online", "marketplace", "other"];
const STATUSES: &[&str] = &["placed", "paid", "fulfilled"];

/// A labelled choice of wire values, shown in words.
fn choice(id: &'static str, label: T, options: &'static [&'static str], value: RwSignal<String>) -> impl IntoView {
    let lang = i18n::lang();
    view! {
        <div class="field">
            <label for=id>{tr(label)}</label>
            <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                {options.iter().map(|c| view! { <option value=*c selected=move || value.get() == *c>{move || i18n::word(lang.get(), c)}</option> }).collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn NewOrder() -> impl IntoView {
    let lang = i18n::lang();
    let me = LocalResource::new(api::me);
    let base = move || me.get().and_then(|m| m.ok()).map(|m| m.workspace.base_currency).unwrap_or_default();

    let customer = RwSignal::new(None::<(String, String, String)>);
    let channel = RwSignal::new("phone".to_owned());
    let status = RwSignal::new("placed".to_owned());
    let currency = RwSignal::new(String::new());
    let day = RwSignal::new(String::new());
    let shipping = RwSignal::new(String::new());
    let tax = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let lines = Lines::new();
    let errors = RwSignal::new(FieldErrors::default());
    let busy = RwSignal::new(false);
    let custom = CustomInputs::new(Entity::Order);

    let order_currency = move || some(currency.get()).map(|c| c.to_uppercase()).unwrap_or_else(base);
    // What the form would send.
    let input = move || -> OrderInput {
        let (contact_id, company_id) = match customer.get_untracked() {
            Some((kind, id, _)) if kind == "company" => (None, Some(id)),
            Some((_, id, _)) => (Some(id), None),
            None => (None, None),
        };
        let line_items = lines.inputs();
        let day = day.get_untracked();
        OrderInput {
            contact_id,
            company_id,
            ordered_at: i18n::parse_ymd(&day).and_then(|d| d.and_hms_opt(12, 0, 0)).map(|d| d.and_utc()),
            channel: crm_domain::commerce::OrderChannel::parse(&channel.get_untracked()),
            status: crm_domain::commerce::OrderStatus::parse(&status.get_untracked()),
            currency: some(currency.get_untracked()).map(|c| c.to_uppercase()),
            line_items,
            shipping: some(shipping.get_untracked()),
            tax: some(tax.get_untracked()),
            notes: some(notes.get_untracked()),
            ..Default::default()
        }
    };
    let money = move |e4: i64| i18n::money(lang.get(), e4, &order_currency());
    let extra = move |s: RwSignal<String>| {
        let c = Currency::parse("currency", &order_currency()).ok();
        some(s.get()).and_then(|v| Money::parse("x", &v, c?).ok()).map(|m| m.amount_e4()).unwrap_or(0)
    };
    let subtotal = move || lines.subtotal(&order_currency());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let mut body = input();
        let (values, mut problems) = custom.values(l);
        body.custom = values;
        // The server's own rules first (once the workspace's currency is known).
        if let Ok(base) = Currency::parse("currency", &base()) {
            let now = chrono::DateTime::from_timestamp_millis(crate::ui::js_now()).unwrap_or_default();
            if let Err(more) = body.validate(base, now) {
                problems.extend(more.0);
            }
        }
        if !problems.is_empty() {
            errors.set(FieldErrors(problems));
            return;
        }
        errors.set(FieldErrors::default());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = match serde_json::to_value(&body) {
                Ok(v) => api::create_raw("/api/v1/orders", v).await,
                Err(e) => Err(api::ApiError::Network(e.to_string())),
            };
            busy.set(false);
            match result {
                Ok(v) => {
                    // The form's bundle goes when the order's page opens: the app says it.
                    crate::ui::toast_in_app(i18n::text(l, T::Saved));
                    router::navigate(&format!("/orders/{}", v.get("id").and_then(Value::as_str).unwrap_or_default()));
                }
                Err(e) => show_problem(l, e, errors),
            }
        });
    };
    view! {
        <p class="crumbs"><a href="/orders">{tr(T::Orders)}</a></p>
        <header class="page-head"><h1>{tr(T::NewOrder)}</h1></header>
        <form class="record-form" id="order-form" on:submit=submit novalidate>
            <div class="field">
                <label for="order-customer">{tr(A::Customer)}</label>
                <RecordPicker id="order-customer" kinds=&["contact", "company"] chosen=customer/>
                <FieldProblem errors field="contact_id"/>
                <FieldProblem errors field="company_id"/>
            </div>
            <div class="field-row">
                {choice("order-channel", T::Channel, CHANNELS, channel)}
                {choice("order-status", T::Status, STATUSES, status)}
                <div class="field">
                    <label for="order-day">{tr(T::OrderedAt)}</label>
                    <DateInput id="order-day" value=day/>
                </div>
                <div class="field">
                    <label for="order-currency">{tr(T::Currency)}</label>
                    <input id="order-currency" class="ltr" maxlength="3" size="4" placeholder=base bind:value=currency/>
                    <FieldProblem errors field="currency"/>
                </div>
            </div>
            <LineEditor id="order-lines" lines currency=Signal::derive(order_currency) errors/>
            <div class="field-row">
                <div class="field">
                    <label for="order-shipping">{tr(A::Shipping)}</label>
                    <input id="order-shipping" class="ltr" inputmode="decimal" bind:value=shipping/>
                    <FieldProblem errors field="shipping"/>
                </div>
                <div class="field">
                    <label for="order-tax">{tr(A::Tax)}</label>
                    <input id="order-tax" class="ltr" inputmode="decimal" bind:value=tax/>
                    <FieldProblem errors field="tax"/>
                </div>
            </div>
            <dl class="facts totals">
                <dt>{tr(T::Subtotal)}</dt><dd id="order-subtotal">{move || money(subtotal())}</dd>
                <dt>{tr(T::Total)}</dt><dd id="order-total">{move || money(subtotal() + extra(shipping) + extra(tax))}</dd>
            </dl>
            <div class="field">
                <label for="order-notes">{tr(T::Notes)}</label>
                <textarea id="order-notes" rows="3" bind:value=notes></textarea>
            </div>
            {custom.view(errors)}
            <div class="actions">
                <button type="submit" id="order-save" disabled=move || busy.get()>{move || i18n::text(lang.get(), if busy.get() { T::Saving } else { T::Save })}</button>
                <a class="button secondary" href="/orders">{tr(T::Cancel)}</a>
            </div>
        </form>
    }
}
