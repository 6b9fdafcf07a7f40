//! Orders and exchange rates: what revenue is computed from, in one base currency.

use crate::deals::LineDraft;
use crate::enums::wire_enum;
use crate::{Currency, FieldError};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// Where an order was placed.
    OrderChannel {
        Online = "online",
        Store = "store",
        Phone = "phone",
        FieldSales = "field_sales",
        Marketplace = "marketplace",
        Other = "other",
    }
);

wire_enum!(
    /// Where an order stands. Cancelled and refunded orders count for no revenue.
    OrderStatus {
        Placed = "placed",
        Paid = "paid",
        Fulfilled = "fulfilled",
        Cancelled = "cancelled",
        Refunded = "refunded",
    }
);

impl OrderStatus {
    /// Counts as revenue.
    pub fn is_revenue(self) -> bool {
        matches!(self, OrderStatus::Placed | OrderStatus::Paid | OrderStatus::Fulfilled)
    }
}

/// Exchange rates are stored scaled by 10^12: units of the base currency per unit.
pub const RATE_SCALE: i128 = 1_000_000_000_000;

/// Parses a positive decimal rate with up to 12 decimals ("600000", "0.0000016").
pub fn parse_rate(field: &str, raw: &str) -> Result<i64, FieldError> {
    let bad = || FieldError::new(field, "invalid_rate", "must be a positive decimal such as 600000 or 0.0000016 (up to 12 decimals)");
    let t = crate::digits::to_ascii_digits(raw.trim());
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty() && frac.is_empty() || frac.len() > 12 || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let int: i128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| bad())? };
    let frac_scaled: i128 = if frac.is_empty() { 0 } else { format!("{frac:0<12}").parse().map_err(|_| bad())? };
    let v = int.checked_mul(RATE_SCALE).and_then(|x| x.checked_add(frac_scaled)).ok_or_else(bad)?;
    if v <= 0 || v > i64::MAX as i128 {
        return Err(bad());
    }
    Ok(v as i64)
}

/// Writes a scaled rate as the shortest decimal.
pub fn rate_string(rate: i64) -> String {
    let (int, frac) = (rate as i128 / RATE_SCALE, rate as i128 % RATE_SCALE);
    if frac == 0 {
        int.to_string()
    } else {
        format!("{int}.{}", format!("{frac:012}").trim_end_matches('0'))
    }
}

/// Converts an amount (scaled 10^4) at a rate into the base currency, rounded to its minor unit.
pub fn convert_e4(amount_e4: i64, rate: i64, base: Currency) -> Option<i64> {
    let raw = amount_e4 as i128 * rate as i128;
    // Round half away from zero.
    let half = RATE_SCALE / 2;
    let v = if raw >= 0 { (raw + half) / RATE_SCALE } else { (raw - half) / RATE_SCALE };
    i64::try_from(v).ok().map(|v| crate::deals::round_to_currency(v, base))
}

/// An order, validated field by field; products, customer and rates are checked by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDraft {
    pub external_id: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    /// Microseconds since the epoch.
    pub ordered_at: i64,
    pub channel: OrderChannel,
    pub status: OrderStatus,
    pub currency: Currency,
    pub lines: Vec<LineDraft>,
    pub shipping_e4: i64,
    pub tax_e4: i64,
    pub owner_id: Option<String>,
    pub notes: Option<String>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the record has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_exactly_and_convert_with_rounding() {
        assert_eq!(parse_rate("r", "600000"), Ok(600_000 * RATE_SCALE as i64));
        assert_eq!(rate_string(parse_rate("r", "0.0000016").expect("rate")), "0.0000016");
        assert!(parse_rate("r", "0").is_err());
        assert!(parse_rate("r", "-1").is_err());
        assert!(parse_rate("r", "1e5").is_err());
        let usd = Currency::parse("c", "USD").expect("usd");
        let irr = Currency::parse("c", "IRR").expect("irr");
        // 1,200,000 IRR at 0.0000016 USD/IRR = 1.92 USD.
        assert_eq!(convert_e4(1_200_000 * 10_000, parse_rate("r", "0.0000016").expect("rate"), usd), Some(19_200));
        // 12.50 USD at 600,000 IRR/USD = 7,500,000 IRR.
        assert_eq!(convert_e4(125_000, parse_rate("r", "600000").expect("rate"), irr), Some(7_500_000 * 10_000));
    }
}
