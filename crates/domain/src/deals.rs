//! Pipelines, stages and deal arithmetic: the rules a deal obeys as it moves.

use crate::enums::wire_enum;
use crate::money::{Currency, Money};
use crate::FieldError;
use serde::{Deserialize, Serialize};

wire_enum!(
    /// Where a stage sits in the life of a deal.
    StageKind {
        /// Work in progress.
        Open = "open",
        /// The deal is won: it counts as revenue.
        Won = "won",
        /// The deal is lost: a reason from the pipeline's list is required.
        Lost = "lost",
    }
);

wire_enum!(
    /// Deal fields a stage may require before a deal enters it.
    DealField {
        Amount = "amount",
        CloseDate = "close_date",
        CompanyId = "company_id",
        Contacts = "contacts",
        Source = "source",
        OwnerId = "owner_id",
        LineItems = "line_items",
    }
);

/// A decimal string with at most four decimals, scaled by 10^4 (`"2.5"` → 25000).
pub fn decimal_e4(field: &str, raw: &str) -> Result<i64, FieldError> {
    let four = Currency::with_decimals(4);
    Money::parse(field, raw, four)
        .map(|m| m.amount_e4())
        .map_err(|e| FieldError::new(field, "invalid_number", e.message.replace(four.code(), "this field")))
}

/// Writes a value scaled by 10^4 as the shortest decimal string (`25000` → `"2.5"`).
pub fn e4_string(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let abs = v.unsigned_abs();
    let (int, frac) = (abs / 10_000, abs % 10_000);
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let f = format!("{frac:04}");
        format!("{sign}{int}.{}", f.trim_end_matches('0'))
    }
}

/// A discount percentage (0 to 100, two decimals) in basis points.
pub fn discount_bp(field: &str, raw: &str) -> Result<i64, FieldError> {
    let e4 = decimal_e4(field, raw)?;
    if !(0..=100 * 10_000).contains(&e4) {
        return Err(FieldError::new(field, "invalid_discount", "must be a percentage from 0 to 100"));
    }
    if e4 % 100 != 0 {
        return Err(FieldError::new(field, "invalid_discount", "allows at most two decimal places"));
    }
    Ok(e4 / 100)
}

fn round_div(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// Net value of a line: quantity × unit price × (1 − discount), rounded to the 10^-4 unit.
/// `None` when it does not fit.
pub fn line_total_e4(quantity_e4: i64, unit_price_e4: i64, discount_bp: i64) -> Option<i64> {
    let gross = i128::from(quantity_e4) * i128::from(unit_price_e4);
    let net = round_div(gross * i128::from(10_000 - discount_bp), 10_000 * 10_000);
    i64::try_from(net).ok()
}

/// Cost of a line: quantity × unit cost.
pub fn line_cost_e4(quantity_e4: i64, unit_cost_e4: i64) -> Option<i64> {
    i64::try_from(round_div(i128::from(quantity_e4) * i128::from(unit_cost_e4), 10_000)).ok()
}

/// Rounds an amount to what `currency` can express (IRR has no decimals, USD two).
pub fn round_to_currency(amount_e4: i64, currency: Currency) -> i64 {
    let step = 10i64.pow(4 - currency.decimals());
    i64::try_from(round_div(i128::from(amount_e4), i128::from(step)) * i128::from(step)).unwrap_or(amount_e4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn line_arithmetic_is_exact() {
        // 3 × 19.99 with 10% off = 53.973
        assert_eq!(line_total_e4(30_000, 199_900, 1_000), Some(539_730));
        assert_eq!(line_total_e4(10_000, 10_000, 10_000), Some(0));
        assert_eq!(line_cost_e4(25_000, 40_000), Some(100_000));
        assert_eq!(round_to_currency(539_730, Currency::parse("c", "USD").expect("usd")), 539_700);
        assert_eq!(round_to_currency(15_000, Currency::parse("c", "IRR").expect("irr")), 20_000);
    }

    #[test]
    fn decimals_and_discounts_parse() {
        assert_eq!(decimal_e4("q", "2.5"), Ok(25_000));
        assert_eq!(e4_string(25_000), "2.5");
        assert_eq!(e4_string(-10_000), "-1");
        assert!(decimal_e4("q", "1.00001").is_err());
        assert_eq!(discount_bp("d", "12.5"), Ok(1_250));
        assert_eq!(discount_bp("d", "100.01").map_err(|e| e.code), Err("invalid_discount".into()));
        assert!(discount_bp("d", "-1").is_err());
    }

    proptest! {
        #[test]
        fn a_discount_never_raises_the_total(q in 0i64..1_000_000_000, p in 0i64..1_000_000_000, d in 0i64..=10_000) {
            let full = line_total_e4(q, p, 0).expect("fits");
            let off = line_total_e4(q, p, d).expect("fits");
            prop_assert!(off <= full && off >= 0);
        }

        #[test]
        fn decimal_strings_round_trip(v in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(decimal_e4("x", &e4_string(v)), Ok(v));
        }
    }
}

/// A product, valid.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductDraft {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub unit_price: Money,
    pub unit_cost: Option<Money>,
    pub active: bool,
    pub description: Option<String>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the product has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A stage, valid on its own (the pipeline checks the set).
#[derive(Debug, Clone, PartialEq)]
pub struct StageDraft {
    pub id: Option<String>,
    pub name: String,
    pub probability: i64,
    pub kind: StageKind,
    pub required_fields: Vec<DealField>,
    /// Custom fields of deals a deal must have a value in to enter the stage.
    pub required_custom: Vec<RequiredCustom>,
}

/// A custom field a stage requires: its key as written, and its storage key (which survives a
/// rename and is what deals hold) once resolved against the workspace's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct RequiredCustom {
    pub key: String,
    pub storage_key: String,
}

/// A pipeline with at least one open, exactly one won and at least one lost stage.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineDraft {
    pub name: String,
    pub is_default: bool,
    pub stages: Vec<StageDraft>,
    pub loss_reasons: Vec<String>,
}

/// A line item as entered; product defaults are filled in by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct LineDraft {
    pub product_id: Option<String>,
    pub name: Option<String>,
    pub quantity_e4: i64,
    pub unit_price_e4: Option<i64>,
    pub discount_bp: i64,
    pub unit_cost_e4: Option<i64>,
}

/// A deal, valid field by field; references and stage rules are checked by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct DealDraft {
    pub name: String,
    pub pipeline_id: Option<String>,
    pub stage_id: Option<String>,
    pub amount_e4: Option<i64>,
    pub currency: Currency,
    pub close_date: Option<chrono::NaiveDate>,
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    pub source: Option<crate::Source>,
    pub loss_reason: Option<String>,
    pub contacts: Vec<(String, Option<String>)>,
    pub lines: Vec<LineDraft>,
    pub tags: Vec<crate::Tag>,
    /// The deal's id in the system it came from; unique in the workspace.
    pub external_id: Option<String>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the record has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The standard pipeline every new workspace starts with.
pub fn default_pipeline() -> PipelineDraft {
    let stage = |name: &str, probability, kind, required_fields: Vec<DealField>| StageDraft {
        id: None,
        name: name.into(),
        probability,
        kind,
        required_fields,
        required_custom: Vec::new(),
    };
    PipelineDraft {
        name: "Sales".into(),
        is_default: true,
        stages: vec![
            stage("Qualification", 10, StageKind::Open, vec![]),
            stage("Needs analysis", 25, StageKind::Open, vec![]),
            stage("Proposal", 50, StageKind::Open, vec![DealField::Amount, DealField::CloseDate]),
            stage("Negotiation", 75, StageKind::Open, vec![DealField::Amount, DealField::CloseDate]),
            stage("Won", 100, StageKind::Won, vec![DealField::Amount]),
            stage("Lost", 0, StageKind::Lost, vec![]),
        ],
        loss_reasons: ["Price", "Competitor", "No budget", "No decision", "Timing", "Product fit"].map(String::from).to_vec(),
    }
}
