//! The line-item editor of the new-order form and the deal page: a product picked from the
//! catalogue (its price unless another is typed) or an item named as typed, quantity, price
//! and discount, each line's net value computed with the server's own pricing code, and every
//! problem the server names for a line shown beside it.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::ui::{field_message, FieldErrors, FieldProblem};
use crm_api_types::{LineItem, LineItemInput};
use crm_domain::deals::{decimal_e4, discount_bp, line_total_e4};
use crm_domain::{Currency, Money};
use leptos::prelude::*;
use serde_json::Value;

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

/// Trimmed text with Persian digits read as ASCII, or none when blank.
pub fn some(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| crm_domain::digits::to_ascii_digits(t))
}

/// One line as typed.
#[derive(Clone, Copy)]
struct Line {
    key: u32,
    item: RwSignal<String>,
    quantity: RwSignal<String>,
    price: RwSignal<String>,
    discount: RwSignal<String>,
    /// A deal line's unit cost, kept as it was (the editor does not show it).
    cost: StoredValue<Option<String>>,
    /// A saved line's product and the text it was shown with: still that product while the
    /// text is unchanged, even before the catalogue has loaded (or once it is inactive).
    saved: StoredValue<Option<(String, String)>>,
}

impl Line {
    fn new(key: u32) -> Self {
        Line {
            key,
            item: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".into()),
            price: RwSignal::new(String::new()),
            discount: RwSignal::new(String::new()),
            cost: StoredValue::new(None),
            saved: StoredValue::new(None),
        }
    }
}

/// The lines being edited and the catalogue they are priced from.
#[derive(Clone, Copy)]
pub struct Lines {
    rows: RwSignal<Vec<Line>>,
    next: StoredValue<u32>,
    catalogue: LocalResource<Vec<Product>>,
    /// Where new lines' signals live: an editor inside a view that is drawn again (the deal
    /// page's) must not lose them with the old drawing.
    owner: StoredValue<Owner>,
}

impl Default for Lines {
    fn default() -> Self {
        Self::new()
    }
}

impl Lines {
    /// One empty line; the active catalogue loads in the background.
    pub fn new() -> Self {
        let catalogue = LocalResource::new(|| async {
            let params = vec![("limit".into(), "200".into()), ("active".into(), "true".into()), ("sort".into(), "name".into())];
            api::list_raw("/api/v1/products", params).await.map(|p| products_of(p.items)).unwrap_or_default()
        });
        Lines {
            rows: RwSignal::new(vec![Line::new(0)]),
            next: StoredValue::new(1),
            catalogue,
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
        }
    }

    fn products(&self) -> Vec<Product> {
        self.catalogue.get().unwrap_or_default()
    }

    fn product_of(&self, typed: &str) -> Option<Product> {
        self.products().into_iter().find(|p| p.label == typed.trim())
    }

    fn line(&self) -> Line {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        self.owner.with_value(|o| o.with(|| Line::new(key)))
    }

    fn add(&self) {
        let line = self.line();
        self.rows.update(|ls| ls.push(line));
    }

    /// Starts over from saved lines (a catalogue line by its product, else by its name).
    pub fn load(&self, items: &[LineItem]) {
        let products = self.catalogue.get_untracked().unwrap_or_default();
        let rows: Vec<Line> = items
            .iter()
            .map(|li| {
                let line = self.line();
                let label = li.product_id.as_ref().and_then(|id| products.iter().find(|p| &p.id == id)).map(|p| p.label.clone());
                let text = label.unwrap_or_else(|| li.name.clone());
                line.saved.set_value(li.product_id.clone().map(|id| (id, text.clone())));
                line.item.set(text);
                line.quantity.set(li.quantity.clone());
                line.price.set(li.unit_price.clone());
                line.discount.set(if li.discount_percent.trim_end_matches(['0', '.']).is_empty() {
                    String::new()
                } else {
                    li.discount_percent.clone()
                });
                line.cost.set_value(li.unit_cost.clone());
                line
            })
            .collect();
        self.rows.set(if rows.is_empty() { vec![self.line()] } else { rows });
    }

    /// What the lines would send: a product picked from the list, else an item named as
    /// typed; none when every line is blank (a line's problems keep its place otherwise).
    pub fn inputs(&self) -> Vec<LineItemInput> {
        let rows = self.rows.get_untracked();
        if rows.iter().all(|l| l.item.get_untracked().trim().is_empty() && l.price.get_untracked().trim().is_empty()) {
            return Vec::new();
        }
        rows.into_iter()
            .map(|l| {
                let typed = l.item.get_untracked();
                let product = self
                    .product_of(&typed)
                    .map(|p| p.id)
                    .or_else(|| l.saved.get_value().and_then(|(id, shown)| (shown.trim() == typed.trim()).then_some(id)));
                LineItemInput {
                    name: if product.is_some() { None } else { some(typed) },
                    product_id: product,
                    quantity: crm_domain::digits::to_ascii_digits(l.quantity.get_untracked().trim()),
                    unit_price: some(l.price.get_untracked()),
                    discount_percent: some(l.discount.get_untracked()),
                    unit_cost: l.cost.get_value(),
                }
            })
            .collect()
    }

    /// A line's net value as the server computes it, when what is typed reads.
    fn total(&self, l: Line, currency: &str) -> Option<i64> {
        let c = Currency::parse("currency", currency).ok()?;
        let q = decimal_e4("q", &crm_domain::digits::to_ascii_digits(l.quantity.get().trim())).ok()?;
        let price = match some(l.price.get()) {
            Some(p) => Money::parse("p", &p, c).ok()?.amount_e4(),
            None => {
                let p = self.product_of(&l.item.get())?;
                (p.currency == c.code()).then_some(())?;
                Money::parse("p", &p.price, c).ok()?.amount_e4()
            }
        };
        let d = match some(l.discount.get()) {
            Some(d) => discount_bp("d", &d).ok()?,
            None => 0,
        };
        line_total_e4(q, price, d)
    }

    /// The sum of the lines that read, in `currency`'s units × 10⁴.
    pub fn subtotal(&self, currency: &str) -> i64 {
        self.rows.get().into_iter().map(|l| self.total(l, currency).unwrap_or(0)).sum()
    }
}

/// The editing table of `lines` priced in `currency`, with problems from `errors`
/// (`line_items` for the list, `line_items[i].…` beside a line).
#[component]
pub fn LineEditor(id: &'static str, lines: Lines, #[prop(into)] currency: Signal<String>, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let lang = i18n::lang();
    let money = move |e4: i64| i18n::money(lang.get(), e4, &currency.get());
    let options = format!("{id}-products");
    view! {
        <fieldset class="lines" id=id>
            <legend>{tr(T::LineItems)}</legend>
            <datalist id=options.clone()>
                {move || lines.products().into_iter().map(|p| view! { <option value=p.label.clone()></option> }).collect_view()}
            </datalist>
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
                    // Lines are re-drawn only when one is added or removed; typing changes a
                    // line's own signals.
                    {move || lines.rows.get().into_iter().enumerate().map(|(i, l)| view! {
                        <tr class="line">
                            <td>
                                <input class="line-item" list=options.clone() aria-label=tr(T::ProductOrItem) bind:value=l.item/>
                                <FieldProblem errors field=format!("line_items[{i}].product_id")/>
                                <FieldProblem errors field=format!("line_items[{i}].name")/>
                            </td>
                            <td>
                                <input class="line-quantity ltr" inputmode="decimal" size="6" aria-label=tr(T::Quantity) bind:value=l.quantity/>
                                <FieldProblem errors field=format!("line_items[{i}].quantity")/>
                            </td>
                            <td>
                                <input class="line-price ltr" inputmode="decimal" size="10" aria-label=tr(T::UnitPrice) bind:value=l.price
                                    placeholder=move || lines.product_of(&l.item.get()).map(|p| p.price).unwrap_or_default()/>
                                <FieldProblem errors field=format!("line_items[{i}].unit_price")/>
                            </td>
                            <td>
                                <input class="line-discount ltr" inputmode="decimal" size="5" aria-label=tr(T::DiscountPercent) bind:value=l.discount placeholder="0"/>
                                <FieldProblem errors field=format!("line_items[{i}].discount_percent")/>
                            </td>
                            <td class="line-total num">{move || lines.total(l, &currency.get()).map(money).unwrap_or_default()}</td>
                            <td>
                                <button type="button" class="chip-x remove-line" aria-label=tr(T::RemoveLine) title=tr(T::RemoveLine)
                                    disabled=move || lines.rows.with(|ls| ls.len() < 2)
                                    on:click=move |_| lines.rows.update(|ls| ls.retain(|x| x.key != l.key))>"×"</button>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <button type="button" class="secondary add-line" on:click=move |_| lines.add()>{tr(T::AddLine)}</button>
        </fieldset>
    }
}
