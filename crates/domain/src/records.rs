//! Validated drafts of customer records: what the store writes is already correct.

use crate::{Consent, Email, EmailLabel, LifecycleStage, Money, Phone, PhoneLabel, Source, Tag};

/// An email address of a record, with its label and whether it is the primary one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailPoint {
    pub email: Email,
    pub label: EmailLabel,
    pub primary: bool,
}

/// A phone number of a record, in E.164.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhonePoint {
    pub phone: Phone,
    pub label: PhoneLabel,
    pub primary: bool,
}

/// Makes exactly one entry primary: the first one marked so, else the first one.
pub fn settle_primary<T>(items: &mut [T], is_primary: impl Fn(&T) -> bool, set: impl Fn(&mut T, bool)) {
    let chosen = items.iter().position(&is_primary).unwrap_or(0);
    for (i, item) in items.iter_mut().enumerate() {
        set(item, i == chosen);
    }
}

/// A person, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactDraft {
    pub first_name: String,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub company_id: Option<String>,
    pub emails: Vec<EmailPoint>,
    pub phones: Vec<PhonePoint>,
    pub lifecycle_stage: LifecycleStage,
    pub source: Option<Source>,
    pub consent: Consent,
    pub owner_id: Option<String>,
    pub tags: Vec<Tag>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the record has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ContactDraft {
    /// "First Last", or just the first name.
    pub fn display_name(&self) -> String {
        match &self.last_name {
            Some(l) => format!("{} {}", self.first_name, l),
            None => self.first_name.clone(),
        }
    }

    /// Key people sort by: last name, then first name, case-folded.
    pub fn sort_name(&self) -> String {
        format!("{} {}", self.last_name.as_deref().unwrap_or(""), self.first_name).trim().to_lowercase()
    }
}

/// An organisation, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyDraft {
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub emails: Vec<EmailPoint>,
    pub phones: Vec<PhonePoint>,
    pub annual_revenue: Option<Money>,
    pub employee_count: Option<i64>,
    pub owner_id: Option<String>,
    pub tags: Vec<Tag>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the record has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Domains of free mailbox providers: an address there says nothing about the company.
pub fn is_free_mail(domain: &str) -> bool {
    const FREE: &[&str] = &[
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "zoho.com",
        "chmail.ir",
        "mail.ir",
        "iran.ir",
        "email.com",
    ];
    FREE.contains(&domain.to_ascii_lowercase().as_str())
}

/// Parses a web domain: lower-case host name, scheme and path stripped.
pub fn parse_domain(field: &str, raw: &str) -> Result<Option<String>, crate::FieldError> {
    let mut s = raw.trim().to_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    for p in ["https://", "http://"] {
        if let Some(rest) = s.strip_prefix(p) {
            s = rest.to_owned();
        }
    }
    let s = s.split('/').next().unwrap_or("").trim_start_matches("www.").to_owned();
    let ok = s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    if ok {
        Ok(Some(s))
    } else {
        Err(crate::FieldError::new(field, "invalid_domain", "must be a domain such as example.com"))
    }
}

/// Text used by substring search: lower-cased names, addresses and phone digits.
pub fn search_text(parts: &[&str], emails: &[EmailPoint], phones: &[PhonePoint]) -> String {
    let mut s = String::with_capacity(128);
    for p in parts {
        if !p.is_empty() {
            s.push_str(&p.to_lowercase());
            s.push(' ');
        }
    }
    for e in emails {
        s.push_str(&e.email.key());
        s.push(' ');
    }
    for p in phones {
        s.push_str(&p.phone.as_str()[1..]);
        s.push(' ');
    }
    s
}
