//! Email addresses, parsed once at the edge.

use crate::error::FieldError;
use serde::{Serialize, Serializer};

/// A syntactically valid email address, trimmed, with its domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Parses an address; `field` names the input for the error.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let bad = |why: &str| FieldError::new(field, "invalid_email", format!("is not a valid email address: {why}"));
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, "required", "must not be empty"));
        }
        if s.len() > 254 {
            return Err(bad("longer than 254 characters"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(|| bad("no @"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(bad("the part before @ must have 1 to 64 characters"));
        }
        if local.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"@\\".contains(c)) {
            return Err(bad("the part before @ has a character that is not allowed"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad("dots must separate words"));
        }
        let domain = domain.to_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(bad("the domain needs a dot"));
        }
        for label in &labels {
            let ok_chars = label.chars().all(|c| c.is_alphanumeric() || c == '-');
            if label.is_empty() || label.len() > 63 || !ok_chars || label.starts_with('-') || label.ends_with('-') {
                return Err(bad("the domain is not a valid host name"));
            }
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain after the @ (for matching companies by domain).
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }

    /// Lower-cased form used for uniqueness and lookups.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn domain_is_lowercased_local_part_kept() {
        assert_eq!(Email::parse("e", " Sara.K@Example.COM ").map(|e| e.0), Ok("Sara.K@example.com".into()));
    }

    #[test]
    fn rejects_common_mistakes() {
        for bad in ["", "a", "a@", "@b.com", "a@b", "a b@c.com", "a@b..com", "a@-b.com", ".a@b.com", "a@b.com'; DROP TABLE x;--"] {
            assert!(Email::parse("e", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn accepts_unicode_domains() {
        assert!(Email::parse("e", "info@شرکت.ایران").is_ok());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = Email::parse("e", &s);
        }

        #[test]
        fn simple_addresses_round_trip(local in "[a-z][a-z0-9._+-]{0,20}[a-z0-9]", domain in "[a-z]{1,10}\\.[a-z]{2,5}") {
            prop_assume!(!local.contains(".."));
            let e = Email::parse("e", &format!("{local}@{domain}")).expect("valid");
            prop_assert_eq!(e.as_str(), format!("{local}@{domain}"));
        }
    }
}
