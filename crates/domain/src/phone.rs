//! Phone numbers normalised to E.164.
//!
//! People write the same number as `+98 912 123 4567`, `09121234567`, `0098 912…` or with
//! Persian digits; all of them must become `+989121234567` so that lookups match. National
//! numbers are read in the workspace's default region.

use crate::digits::ascii_digit;
use crate::error::FieldError;
use serde::{Deserialize, Serialize, Serializer};

/// What we need to know of a country's numbering plan to normalise its numbers.
struct Plan {
    region: &'static str,
    calling_code: &'static str,
    /// Digit dialled before a national number inside the country ("0" in most of the world).
    trunk_prefix: &'static str,
    /// Lengths of the national significant number (without trunk prefix).
    nsn_len: (usize, usize),
}

const fn plan(region: &'static str, calling_code: &'static str, trunk_prefix: &'static str, min: usize, max: usize) -> Plan {
    Plan { region, calling_code, trunk_prefix, nsn_len: (min, max) }
}

/// Regions the CRM knows the numbering plan of; numbers from other countries are accepted in
/// international form with the generic E.164 length rules.
const PLANS: &[Plan] = &[
    plan("IR", "98", "0", 10, 10),
    plan("US", "1", "1", 10, 10),
    plan("CA", "1", "1", 10, 10),
    plan("GB", "44", "0", 9, 10),
    plan("DE", "49", "0", 6, 13),
    plan("FR", "33", "0", 9, 9),
    plan("NL", "31", "0", 9, 9),
    plan("ES", "34", "", 9, 9),
    plan("IT", "39", "", 6, 11),
    plan("TR", "90", "0", 10, 10),
    plan("AE", "971", "0", 8, 9),
    plan("SA", "966", "0", 8, 9),
    plan("IQ", "964", "0", 8, 10),
    plan("AF", "93", "0", 9, 9),
    plan("IN", "91", "0", 10, 10),
    plan("AU", "61", "0", 9, 9),
    plan("RU", "7", "8", 10, 10),
    plan("CN", "86", "0", 9, 11),
    plan("JP", "81", "0", 9, 10),
    plan("BR", "55", "0", 10, 11),
];

/// An ISO 3166-1 alpha-2 region whose numbering plan the CRM knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(&'static str);

impl Region {
    pub const IR: Region = Region("IR");

    /// Parses a region code such as `IR` or `gb`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let up = raw.trim().to_ascii_uppercase();
        PLANS.iter().find(|p| p.region == up).map(|p| Region(p.region)).ok_or_else(|| {
            let known: Vec<&str> = PLANS.iter().map(|p| p.region).collect();
            FieldError::new(field, "invalid_region", format!("unknown region; use one of {}", known.join(", ")))
        })
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    fn plan(&self) -> &'static Plan {
        PLANS.iter().find(|p| p.region == self.0).unwrap_or(&PLANS[0])
    }

    /// Every region the CRM knows.
    pub fn all() -> impl Iterator<Item = Region> {
        PLANS.iter().map(|p| Region(p.region))
    }
}

impl Serialize for Region {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Region::parse("region", &s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// A phone number in E.164 form (`+` and 8 to 15 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// Normalises what a person typed, reading national numbers in `region`.
    pub fn parse(field: &str, raw: &str, region: Region) -> Result<Self, FieldError> {
        match Self::parse_asking(field, raw, || Ok::<_, std::convert::Infallible>(region)) {
            Ok(parsed) => parsed,
            Err(never) => match never {},
        }
    }

    /// [`Phone::parse`] that asks for the region only when the number is written nationally: a
    /// number with its country code (`+98…`, `0098…`, as telephony systems send it) and text
    /// that is no phone number at all need none. An error getting the region is the outer one.
    pub fn parse_asking<E>(field: &str, raw: &str, region: impl FnOnce() -> Result<Region, E>) -> Result<Result<Self, FieldError>, E> {
        let bad = |why: &str| FieldError::new(field, "invalid_phone", format!("is not a valid phone number: {why}"));
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(Err(FieldError::new(field, "required", "must not be empty")));
        }
        let mut digits = String::with_capacity(16);
        let mut plus = false;
        for (i, c) in trimmed.chars().enumerate() {
            if let Some(d) = ascii_digit(c) {
                digits.push(d);
            } else if (c == '+' || c == '\u{FF0B}') && i == 0 {
                plus = true;
            } else if !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{00A0}' | '\u{200C}' | '\u{200E}' | '\u{200F}') {
                return Ok(Err(bad("only digits, spaces, + - . ( ) / are allowed")));
            }
        }
        let international = if plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_owned()
        } else if digits.is_empty() {
            return Ok(Err(bad("there are no digits")));
        } else {
            let plan = region()?.plan();
            match Self::national(&digits, plan) {
                Ok(international) => international,
                Err(why) => return Ok(Err(bad(&why))),
            }
        };
        Ok(Self::from_international_digits(&international).map_err(|why| bad(&why)))
    }

    /// The international digits of a number written without a country code in `plan`'s country.
    fn national(digits: &str, plan: &Plan) -> Result<String, String> {
        Ok(if plan.calling_code == "1" && digits.starts_with("011") {
            digits[3..].to_owned()
        } else {
            // NANP numbers carry their trunk "1" only in the 11-digit spelling.
            let strip = if plan.calling_code == "1" { digits.len() == 11 } else { !plan.trunk_prefix.is_empty() };
            let national = if strip { digits.strip_prefix(plan.trunk_prefix).unwrap_or(digits) } else { digits };
            if national.len() < plan.nsn_len.0 || national.len() > plan.nsn_len.1 {
                return Err(format!(
                    "a national number in {} has {} digits after the trunk prefix",
                    plan.region,
                    if plan.nsn_len.0 == plan.nsn_len.1 {
                        plan.nsn_len.0.to_string()
                    } else {
                        format!("{} to {}", plan.nsn_len.0, plan.nsn_len.1)
                    }
                ));
            }
            format!("{}{}", plan.calling_code, national)
        })
    }

    fn from_international_digits(d: &str) -> Result<Self, String> {
        if d.starts_with('0') {
            return Err("a country code never starts with 0".into());
        }
        if d.len() < 8 || d.len() > 15 {
            return Err("an international number has 8 to 15 digits".into());
        }
        // Where we know the country's plan, hold the number to it. A trunk 0 written after the
        // country code (+98 0912…) is a common slip that we forgive.
        let mut best: Option<&Plan> = None;
        for p in PLANS {
            if d.starts_with(p.calling_code) && best.is_none_or(|b| p.calling_code.len() > b.calling_code.len()) {
                best = Some(p);
            }
        }
        if let Some(p) = best {
            let mut nsn = &d[p.calling_code.len()..];
            if nsn.len() == p.nsn_len.1 + 1 && !p.trunk_prefix.is_empty() && nsn.starts_with(p.trunk_prefix) {
                nsn = &nsn[p.trunk_prefix.len()..];
            }
            if nsn.len() < p.nsn_len.0 || nsn.len() > p.nsn_len.1 {
                return Err(format!("numbers with country code +{} have {} to {} more digits", p.calling_code, p.nsn_len.0, p.nsn_len.1));
            }
            return Ok(Self(format!("+{}{}", p.calling_code, nsn)));
        }
        Ok(Self(format!("+{d}")))
    }

    /// Parses a number that must already be E.164 (as stored).
    pub fn from_e164(s: &str) -> Option<Self> {
        let d = s.strip_prefix('+')?;
        if d.bytes().all(|b| b.is_ascii_digit()) {
            Self::from_international_digits(d).ok()
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ir(s: &str) -> Result<String, FieldError> {
        Phone::parse("p", s, Region::IR).map(|p| p.0)
    }

    #[test]
    fn every_common_iranian_spelling_is_the_same_number() {
        for s in
            ["+98 912 123 4567", "09121234567", "00989121234567", "+98 (912) 123-4567", "۰۹۱۲۱۲۳۴۵۶۷", "+98 0912 123 4567", "9121234567"]
        {
            assert_eq!(ir(s), Ok("+989121234567".to_owned()), "{s}");
        }
    }

    #[test]
    fn national_numbers_follow_the_default_region() {
        let us = Region::parse("r", "us").expect("US");
        assert_eq!(Phone::parse("p", "(415) 555-0100", us).map(|p| p.0), Ok("+14155550100".into()));
        assert_eq!(Phone::parse("p", "1 415 555 0100", us).map(|p| p.0), Ok("+14155550100".into()));
        let gb = Region::parse("r", "GB").expect("GB");
        assert_eq!(Phone::parse("p", "020 7946 0018", gb).map(|p| p.0), Ok("+442079460018".into()));
    }

    #[test]
    fn foreign_numbers_in_international_form_are_kept() {
        assert_eq!(ir("+44 20 7946 0018"), Ok("+442079460018".into()));
        assert_eq!(ir("+372 5123 4567"), Ok("+37251234567".into()));
    }

    #[test]
    fn junk_is_rejected_with_a_reason() {
        for s in ["", "abc", "0912", "+0 123 456 789", "0912123456789", "12'; DROP TABLE contacts;--", "+1234567890123456"] {
            let e = ir(s).expect_err(s);
            assert!(e.code == "invalid_phone" || e.code == "required", "{s}: {e:?}");
        }
    }

    #[test]
    fn the_region_is_asked_for_only_when_the_number_is_written_nationally() {
        let asking = |s: &str| {
            let mut asked = false;
            let parsed = Phone::parse_asking("p", s, || {
                asked = true;
                Ok::<_, ()>(Region::IR)
            })
            .expect("the region was given");
            (asked, parsed.map(|p| p.0).ok())
        };
        let full = Some("+989121234567".to_owned());
        assert_eq!(asking("+98 912 123 4567"), (false, full.clone()));
        assert_eq!(asking("0098 912 123 4567"), (false, full.clone()));
        assert_eq!(asking("۰۰۹۸۹۱۲۱۲۳۴۵۶۷"), (false, full.clone()));
        assert_eq!(asking("sara karimi"), (false, None));
        assert_eq!(asking("- -"), (false, None));
        assert_eq!(asking("0912 123 4567"), (true, full));
        // A failure to learn the region is the caller's error, not a bad number.
        assert_eq!(Phone::parse_asking("p", "09121234567", || Err("no database")), Err("no database"));
        assert!(Phone::parse_asking("p", "+989121234567", || Err("no database")).is_ok());
    }

    #[test]
    fn unknown_region_lists_the_known_ones() {
        let e = Region::parse("default_region", "XX").expect_err("XX");
        assert!(e.message.contains("IR"));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = ir(&s);
        }

        #[test]
        fn normalised_numbers_are_fixed_points(n in 9_000_000_000u64..9_999_999_999u64) {
            let p = ir(&format!("0{n}")).expect("valid");
            prop_assert_eq!(ir(&p).expect("again"), p.clone());
            prop_assert_eq!(Phone::from_e164(&p).map(|x| x.0), Some(p));
        }
    }
}
