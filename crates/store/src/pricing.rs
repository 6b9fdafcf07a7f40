//! Line items priced from the catalogue: what deals and orders share. Shared infrastructure of
//! their repositories, as `record::refs` is: it reads the catalogue's prices, names and costs
//! (the products table) and writes nothing.

use crate::schema::products;
use crate::{DbConnection, StoreResult};
use crm_domain::deals::{e4_string, line_cost_e4, line_total_e4, round_to_currency, LineDraft};
use crm_domain::{Currency, FieldError, ValidationErrors};
use diesel::prelude::*;
use serde_json::{json, Value};

/// A priced line as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedLine {
    pub product_id: Option<String>,
    pub name: String,
    pub quantity_e4: i64,
    pub unit_price_e4: i64,
    pub discount_bp: i64,
    pub unit_cost_e4: Option<i64>,
    pub total_e4: i64,
}

impl PricedLine {
    /// The stored JSON form (read back by the HTTP layer).
    pub fn json(&self) -> Value {
        json!({
            "product_id": self.product_id, "name": self.name, "quantity": e4_string(self.quantity_e4),
            "unit_price_e4": self.unit_price_e4, "discount_bp": self.discount_bp, "unit_cost_e4": self.unit_cost_e4,
            "total_e4": self.total_e4,
        })
    }
}

/// Prices each line in `currency`: a product's price and cost are the defaults, a product in
/// another currency needs an explicit unit price. Problems are added to `errs` as
/// `{prefix}[i].field`.
pub fn price(
    conn: &mut DbConnection,
    ws: &str,
    currency: Currency,
    input: &[LineDraft],
    prefix: &str,
    errs: &mut ValidationErrors,
) -> StoreResult<Vec<PricedLine>> {
    let found = catalogue(conn, ws, input)?;
    let mut lines = Vec::with_capacity(input.len());
    for (i, l) in input.iter().enumerate() {
        let f = |n: &str| format!("{prefix}[{i}].{n}");
        let product = match &l.product_id {
            Some(pid) => match found.iter().find(|p| &p.id == pid) {
                Some(p) => {
                    if p.currency != currency.code() && l.unit_price_e4.is_none() {
                        errs.push(FieldError::new(
                            f("product_id"),
                            "currency_mismatch",
                            format!(
                                "the product is priced in {}, this record in {}; give a unit_price in {}",
                                p.currency,
                                currency.code(),
                                currency.code()
                            ),
                        ));
                        continue;
                    }
                    Some(p)
                }
                None => {
                    errs.push(FieldError::new(f("product_id"), "unknown_product", "no such product in this workspace"));
                    continue;
                }
            },
            None => None,
        };
        let same_currency = product.is_some_and(|p| p.currency == currency.code());
        let Some(unit_price_e4) = l.unit_price_e4.or(product.map(|p| p.unit_price_e4)) else {
            errs.push(FieldError::new(f("unit_price"), "required", "a line without a product needs a unit_price"));
            continue;
        };
        let unit_cost_e4 = l.unit_cost_e4.or(product.filter(|_| same_currency).and_then(|p| p.unit_cost_e4));
        let Some(total_e4) = line_total_e4(l.quantity_e4, unit_price_e4, l.discount_bp) else {
            errs.push(FieldError::new(f("quantity"), "too_large", "the line total is too large"));
            continue;
        };
        lines.push(PricedLine {
            product_id: l.product_id.clone(),
            name: l.name.clone().or(product.map(|p| p.name.clone())).unwrap_or_default(),
            quantity_e4: l.quantity_e4,
            unit_price_e4,
            discount_bp: l.discount_bp,
            unit_cost_e4,
            total_e4,
        });
    }
    Ok(lines)
}

/// The sum of the lines rounded to the currency, and their cost when every line has one.
pub fn totals(lines: &[PricedLine], currency: Currency) -> (i64, Option<i64>) {
    let sum = round_to_currency(lines.iter().map(|l| l.total_e4).sum(), currency);
    let cost = lines.iter().map(|l| l.unit_cost_e4.and_then(|c| line_cost_e4(l.quantity_e4, c))).sum::<Option<i64>>();
    (sum, cost)
}

/// What a line takes from its product.
struct Priced {
    id: String,
    name: String,
    currency: String,
    unit_price_e4: i64,
    unit_cost_e4: Option<i64>,
}

/// The products the lines name, in one query by primary key (the workspace checked on the rows
/// found).
fn catalogue(conn: &mut DbConnection, ws: &str, input: &[LineDraft]) -> StoreResult<Vec<Priced>> {
    let ids: Vec<&str> = input.iter().filter_map(|l| l.product_id.as_deref()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    type Found = (String, String, String, String, i64, Option<i64>);
    let rows: Vec<Found> = products::table
        .filter(products::id.eq_any(ids))
        .select((products::id, products::workspace_id, products::name, products::currency, products::unit_price_e4, products::unit_cost_e4))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, w, ..)| w == ws)
        .map(|(id, _, name, currency, unit_price_e4, unit_cost_e4)| Priced { id, name, currency, unit_price_e4, unit_cost_e4 })
        .collect())
}
