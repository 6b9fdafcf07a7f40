//! Money: an exact decimal amount in an ISO 4217 currency. Never a float.
//!
//! Amounts are held as ten-thousandths (scale 4) in an `i64`, which is exact for every
//! currency's minor unit and holds ±922 trillion, enough for Rial totals.

use crate::error::FieldError;
use serde::{Deserialize, Serialize, Serializer};

const SCALE: i64 = 10_000;

/// ISO 4217 currencies the CRM accepts, with the number of decimals people use.
const CURRENCIES: &[(&str, u32)] = &[
    ("IRR", 0),
    ("IRT", 0),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("AED", 2),
    ("TRY", 2),
    ("CHF", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("CNY", 2),
    ("INR", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("IQD", 0),
    ("AFN", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("BRL", 2),
    ("KWD", 3),
    ("BHD", 3),
    ("OMR", 3),
    ("QAR", 2),
];

/// An ISO 4217 currency code the CRM knows. (`IRT`, the Toman, is not ISO but is how Iranian
/// businesses price; it is accepted as a display currency worth 10 Rial.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(&'static str, u32);

impl Currency {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let up = raw.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == up)
            .map(|(c, d)| Currency(c, *d))
            .ok_or_else(|| FieldError::new(field, "invalid_currency", "must be an ISO 4217 currency code such as IRR, USD or EUR"))
    }

    /// A unit-less scale for plain decimals (quantities, percentages).
    pub(crate) const fn with_decimals(decimals: u32) -> Self {
        Self("decimal", decimals)
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    /// Decimals shown and accepted for this currency.
    pub fn decimals(&self) -> u32 {
        self.1
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse("currency", &s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// An exact amount of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    amount_e4: i64,
    currency: Currency,
}

impl Money {
    /// Parses a decimal string (`"1250.50"`) in `currency`; `field` names the amount input.
    pub fn parse(field: &str, amount: &str, currency: Currency) -> Result<Self, FieldError> {
        let bad = |why: String| FieldError::new(field, "invalid_amount", why);
        let s = crate::digits::to_ascii_digits(amount.trim());
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("must be a decimal number written as a string, e.g. \"1250.50\"".into()));
        }
        if frac.len() as u32 > currency.decimals() {
            return Err(bad(format!("{} allows at most {} decimal places", currency.code(), currency.decimals())));
        }
        let int_v: i64 = int.parse().map_err(|_| bad("is too large".into()))?;
        let mut frac_v: i64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            frac_v += i64::from(b - b'0') * 10i64.pow(3 - i as u32);
        }
        let v = int_v.checked_mul(SCALE).and_then(|x| x.checked_add(frac_v)).ok_or_else(|| bad("is too large".into()))?;
        Ok(Self { amount_e4: if neg { -v } else { v }, currency })
    }

    /// Rebuilds a stored amount.
    pub fn from_e4(amount_e4: i64, currency: Currency) -> Self {
        Self { amount_e4, currency }
    }

    pub fn amount_e4(&self) -> i64 {
        self.amount_e4
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as a decimal string with the currency's decimals (`"1250.50"`).
    pub fn amount_string(&self) -> String {
        let d = self.currency.decimals();
        let abs = self.amount_e4.unsigned_abs();
        let int = abs / SCALE as u64;
        let frac = abs % SCALE as u64;
        let sign = if self.amount_e4 < 0 { "-" } else { "" };
        if d == 0 {
            format!("{sign}{int}")
        } else {
            let frac = frac / 10u64.pow(4 - d);
            format!("{sign}{int}.{frac:0width$}", width = d as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd() -> Currency {
        Currency::parse("c", "usd").expect("USD")
    }

    #[test]
    fn decimal_strings_round_trip() {
        let m = Money::parse("a", "1250.5", usd()).expect("valid");
        assert_eq!(m.amount_string(), "1250.50");
        let irr = Currency::parse("c", "IRR").expect("IRR");
        assert_eq!(Money::parse("a", "۱۲۵۰۰۰۰", irr).expect("persian digits").amount_string(), "1250000");
    }

    #[test]
    fn too_many_decimals_or_junk_is_rejected() {
        assert!(Money::parse("a", "1.005", usd()).is_err());
        assert!(Money::parse("a", "1e5", usd()).is_err());
        assert!(Money::parse("a", "", usd()).is_err());
        assert!(Money::parse("a", "99999999999999999999", usd()).is_err());
        assert!(Money::parse("a", "1.5", Currency::parse("c", "IRR").expect("IRR")).is_err());
    }

    #[test]
    fn unknown_currency_is_rejected() {
        assert_eq!(Currency::parse("currency", "XYZ").map_err(|e| e.code), Err("invalid_currency".into()));
    }

    proptest! {
        #[test]
        fn any_cent_amount_round_trips(cents in -10_000_000_000i64..10_000_000_000i64) {
            let s = format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100);
            let m = Money::parse("a", &s, usd()).expect("valid");
            prop_assert_eq!(m.amount_string(), s);
        }
    }
}
