//! The new-order form: the customer found by name, email or phone, lines priced from the
//! catalogue (a product's price unless another is typed, quantity, discount) with the totals
//! the server will compute (the same pricing code), shipping, tax, channel and status. The
//! order is checked with the server's own rules before it is sent; every problem, the
//! server's too, shows beside its field, a line's beside the line.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::router;
use crate::ui::{field_message, show_problem, toast, DateInput, FieldErrors, FieldProblem, RecordPicker};
use crm_api_types::{LineItemInput, OrderInput};
use crm_domain::deals::{decimal_e4, discount_bp, line_total_e4};
use crm_domain::{Currency, Money};
use leptos::prelude::*;
use serde_json::Value;

const CHANNELS: &[&str] = &["phone", "store", "field_sales", "online", "marketplace", "other"];
const STATUSES: &[&str] = &["placed", "paid", "fulfilled"];

/// A catalogue entry offered for a line.
#[derive(Clone)]
struct Product {
    id: String,
    label: String,
    price: String,
    currency: String,
}

fn products_of(items: Vec<Value>) -> Vec<Product> {
    items
        .into_iter()
        .filter_map(|p| {
            let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
            let price = p.get("unit_price")?;
            Some(Product {
                id: s("id")?,
                label: format!("{} · {}", s("sku").unwrap_or_default(), s("name").unwrap_or_default()),
                price: price.get("amount").and_then(Value::as_str).unwrap_or_default().to_owned(),
                currency: price.get("currency").and_then(Value::as_str).unwrap_or_default().to_owned(),
            })
        })
        .collect()
}

/// One line as typed.
#[derive(Clone, Copy)]
struct Line {
    key: u32,
    item: RwSignal<String>,
    quantity: RwSignal<String>,
    price: RwSignal<String>,
    discount: RwSignal<String>,
}

impl Line {
    fn new(key: u32) -> Self {
        Line {
            key,
            item: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".into()),
            price: RwSignal::new(String::new()),
            discount: RwSignal::new(String::new()),
        }
    }
}

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

fn some(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| crm_domain::digits::to_ascii_digits(t))
}

#[component]
pub fn NewOrder() -> impl IntoView {
    let lang = i18n::lang();
    let me = LocalResource::new(api::me);
    let catalogue = LocalResource::new(|| async {
        let params = vec![("limit".into(), "200".into()), ("active".into(), "true".into()), ("sort".into(), "name".into())];
        api::list_raw("/api/v1/products", params).await.map(|p| products_of(p.items)).unwrap_or_default()
    });
    let products = move || catalogue.get().unwrap_or_default();
    let base = move || me.get().and_then(|m| m.ok()).map(|m| m.workspace.base_currency).unwrap_or_default();

    let customer = RwSignal::new(None::<(String, String, String)>);
    let channel = RwSignal::new("phone".to_owned());
    let status = RwSignal::new("placed".to_owned());
    let currency = RwSignal::new(String::new());
    let day = RwSignal::new(String::new());
    let shipping = RwSignal::new(String::new());
    let tax = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let next_key = StoredValue::new(1u32);
    let lines = RwSignal::new(vec![Line::new(0)]);
    let errors = RwSignal::new(FieldErrors::default());
    let busy = RwSignal::new(false);

    let order_currency = move || some(currency.get()).map(|c| c.to_uppercase()).unwrap_or_else(base);
    let product_of = move |typed: &str| products().into_iter().find(|p| p.label == typed.trim());
    // What the form would send: a product picked from the list, else an item named as typed.
    let input = move || -> OrderInput {
        let (contact_id, company_id) = match customer.get_untracked() {
            Some((kind, id, _)) if kind == "company" => (None, Some(id)),
            Some((_, id, _)) => (Some(id), None),
            None => (None, None),
        };
        let line_items = lines
            .get_untracked()
            .into_iter()
            .map(|l| {
                let typed = l.item.get_untracked();
                let product = product_of(&typed);
                LineItemInput {
                    name: if product.is_some() { None } else { some(typed) },
                    product_id: product.map(|p| p.id),
                    quantity: crm_domain::digits::to_ascii_digits(l.quantity.get_untracked().trim()),
                    unit_price: some(l.price.get_untracked()),
                    discount_percent: some(l.discount.get_untracked()),
                    unit_cost: None,
                }
            })
            .collect();
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
    // A line's net value as the server computes it, when what is typed reads.
    let line_total = move |l: Line| -> Option<i64> {
        let c = Currency::parse("currency", &order_currency()).ok()?;
        let q = decimal_e4("q", &crm_domain::digits::to_ascii_digits(l.quantity.get().trim())).ok()?;
        let price = match some(l.price.get()) {
            Some(p) => Money::parse("p", &p, c).ok()?.amount_e4(),
            None => {
                let p = product_of(&l.item.get())?;
                (p.currency == c.code()).then_some(())?;
                Money::parse("p", &p.price, c).ok()?.amount_e4()
            }
        };
        let d = match some(l.discount.get()) {
            Some(d) => discount_bp("d", &d).ok()?,
            None => 0,
        };
        line_total_e4(q, price, d)
    };
    let money = move |e4: i64| i18n::money(lang.get(), e4, &order_currency());
    let extra = move |s: RwSignal<String>| {
        let c = Currency::parse("currency", &order_currency()).ok();
        some(s.get()).and_then(|v| Money::parse("x", &v, c?).ok()).map(|m| m.amount_e4()).unwrap_or(0)
    };
    let subtotal = move || lines.get().into_iter().map(|l| line_total(l).unwrap_or(0)).sum::<i64>();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let body = input();
        // The server's own rules first (once the workspace's currency is known).
        if let Ok(base) = Currency::parse("currency", &base()) {
            let now = chrono::DateTime::from_timestamp_millis(crate::ui::js_now()).unwrap_or_default();
            if let Err(problems) = body.validate(base, now) {
                errors.set(FieldErrors(problems.0));
                return;
            }
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
                    toast(i18n::text(l, T::Saved), false);
                    router::navigate(&format!("/orders/{}", v.get("id").and_then(Value::as_str).unwrap_or_default()));
                }
                Err(e) => show_problem(l, e, errors),
            }
        });
    };
    let add_line = move || {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        lines.update(|ls| ls.push(Line::new(key)));
    };

    view! {
        <p class="crumbs"><a href="/orders">{tr(T::Orders)}</a></p>
        <header class="page-head"><h1>{tr(T::NewOrder)}</h1></header>
        <datalist id="product-options">
            {move || products().into_iter().map(|p| view! { <option value=p.label.clone()></option> }).collect_view()}
        </datalist>
        <form class="record-form" id="order-form" on:submit=submit novalidate>
            <div class="field">
                <label for="order-customer">{tr(T::Customer)}</label>
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
            <fieldset class="lines" id="order-lines">
                <legend>{tr(T::LineItems)}</legend>
                // The list's own problem (no line); a line's shows beside the line.
                {move || errors.with(|e| e.0.iter().find(|x| x.field == "line_items").map(|x| {
                    let message = field_message(lang.get(), x);
                    view! { <p class="field-error" id="err-line_items" role="alert">{message}</p> }
                }))}
                <table class="line-editor">
                    <thead><tr>
                        <th>{tr(T::ProductOrItem)}</th><th>{tr(T::Quantity)}</th><th>{tr(T::UnitPrice)}</th>
                        <th>{tr(T::DiscountPercent)}</th><th>{tr(T::Total)}</th><th></th>
                    </tr></thead>
                    <tbody>
                        // Lines are re-drawn only when one is added or removed; typing changes
                        // a line's own signals.
                        {move || lines.get().into_iter().enumerate().map(|(i, l)| view! {
                            <tr class="line">
                                <td>
                                    <input class="line-item" list="product-options" aria-label=tr(T::ProductOrItem) bind:value=l.item/>
                                    <FieldProblem errors field=format!("line_items[{i}].product_id")/>
                                    <FieldProblem errors field=format!("line_items[{i}].name")/>
                                </td>
                                <td>
                                    <input class="line-quantity ltr" inputmode="decimal" size="6" aria-label=tr(T::Quantity) bind:value=l.quantity/>
                                    <FieldProblem errors field=format!("line_items[{i}].quantity")/>
                                </td>
                                <td>
                                    <input class="line-price ltr" inputmode="decimal" size="10" aria-label=tr(T::UnitPrice) bind:value=l.price
                                        placeholder=move || product_of(&l.item.get()).map(|p| p.price).unwrap_or_default()/>
                                    <FieldProblem errors field=format!("line_items[{i}].unit_price")/>
                                </td>
                                <td>
                                    <input class="line-discount ltr" inputmode="decimal" size="5" aria-label=tr(T::DiscountPercent) bind:value=l.discount placeholder="0"/>
                                    <FieldProblem errors field=format!("line_items[{i}].discount_percent")/>
                                </td>
                                <td class="line-total num">{move || line_total(l).map(money).unwrap_or_default()}</td>
                                <td>
                                    <button type="button" class="chip-x remove-line" aria-label=tr(T::RemoveLine) title=tr(T::RemoveLine)
                                        disabled=move || lines.with(|ls| ls.len() < 2)
                                        on:click=move |_| lines.update(|ls| ls.retain(|x| x.key != l.key))>"×"</button>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <button type="button" class="secondary" id="add-line" on:click=move |_| add_line()>{tr(T::AddLine)}</button>
            </fieldset>
            <div class="field-row">
                <div class="field">
                    <label for="order-shipping">{tr(T::Shipping)}</label>
                    <input id="order-shipping" class="ltr" inputmode="decimal" bind:value=shipping/>
                    <FieldProblem errors field="shipping"/>
                </div>
                <div class="field">
                    <label for="order-tax">{tr(T::Tax)}</label>
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
            <div class="actions">
                <button type="submit" id="order-save" disabled=move || busy.get()>{move || i18n::text(lang.get(), if busy.get() { T::Saving } else { T::Save })}</button>
                <a class="button secondary" href="/orders">{tr(T::Cancel)}</a>
            </div>
        </form>
    }
}
