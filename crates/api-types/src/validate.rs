//! Turning wire input into validated domain drafts. Shared with the browser app so a form
//! shows the same field errors before it is sent as the server returns after.

use crate::common::{EmailEntry, MoneyDto, PhoneEntry};
use crate::companies::{CompanyCreate, CompanyPatch};
use crate::contacts::{ContactCreate, ContactPatch};
use crm_domain::error::{optional_text, text};
use crm_domain::records::{parse_domain, settle_primary};
use crm_domain::{
    parse_tags, CompanyDraft, Consent, ContactDraft, Currency, Email, EmailPoint, FieldError, LifecycleStage, Money, Phone, PhonePoint,
    Region, ValidationErrors,
};

pub(crate) fn opt(errs: &mut ValidationErrors, field: &str, v: &Option<String>, max: usize) -> Option<String> {
    v.as_deref().and_then(|s| errs.collect(optional_text(field, s, max)).flatten())
}

fn emails(errs: &mut ValidationErrors, input: &[EmailEntry]) -> Vec<EmailPoint> {
    if input.len() > 20 {
        errs.push(FieldError::new("emails", "too_many", "at most 20 email addresses"));
        return Vec::new();
    }
    let mut out: Vec<EmailPoint> = Vec::with_capacity(input.len());
    for (i, e) in input.iter().enumerate() {
        let field = format!("emails[{i}].address");
        if let Some(email) = errs.collect(Email::parse(&field, &e.address)) {
            if out.iter().any(|o| o.email.key() == email.key()) {
                errs.push(FieldError::new(field, "duplicate", "this address is listed twice"));
            } else {
                out.push(EmailPoint { email, label: e.label, primary: e.primary });
            }
        }
    }
    settle_primary(&mut out, |e| e.primary, |e, p| e.primary = p);
    out
}

fn phones(errs: &mut ValidationErrors, input: &[PhoneEntry], region: Region) -> Vec<PhonePoint> {
    if input.len() > 20 {
        errs.push(FieldError::new("phones", "too_many", "at most 20 phone numbers"));
        return Vec::new();
    }
    let mut out: Vec<PhonePoint> = Vec::with_capacity(input.len());
    for (i, p) in input.iter().enumerate() {
        let field = format!("phones[{i}].number");
        if let Some(phone) = errs.collect(Phone::parse(&field, &p.number, region)) {
            if out.iter().any(|o| o.phone == phone) {
                errs.push(FieldError::new(field, "duplicate", "this number is listed twice"));
            } else {
                out.push(PhonePoint { phone, label: p.label, primary: p.primary });
            }
        }
    }
    settle_primary(&mut out, |p| p.primary, |p, v| p.primary = v);
    out
}

/// An id the caller refers to: trimmed, empty means none, otherwise letters, digits, `-` and `_`.
pub fn id_ref(errs: &mut ValidationErrors, field: &str, v: Option<&str>) -> Option<String> {
    let s = v?.trim();
    if s.is_empty() {
        return None;
    }
    if s.len() > 64 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        errs.push(FieldError::new(field, "invalid_id", "is not a valid id"));
        return None;
    }
    Some(s.to_owned())
}

fn money(errs: &mut ValidationErrors, field: &str, m: &Option<MoneyDto>) -> Option<Money> {
    let m = m.as_ref()?;
    let currency = errs.collect(Currency::parse(&format!("{field}.currency"), &m.currency))?;
    errs.collect(Money::parse(&format!("{field}.amount"), &m.amount, currency))
}

impl ContactCreate {
    /// Validates every field, reporting all problems at once; national phone numbers are
    /// read in `region`.
    pub fn validate(&self, region: Region) -> Result<ContactDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let first_name = errs.collect(text("first_name", &self.first_name, 100));
        let last_name = opt(&mut errs, "last_name", &self.last_name, 100);
        let title = opt(&mut errs, "title", &self.title, 150);
        let company_id = id_ref(&mut errs, "company_id", self.company_id.as_deref());
        let owner_id = id_ref(&mut errs, "owner_id", self.owner_id.as_deref());
        let emails = emails(&mut errs, &self.emails);
        let phones = phones(&mut errs, &self.phones, region);
        let tags = errs.collect(parse_tags("tags", &self.tags)).unwrap_or_default();
        errs.finish(|| ContactDraft {
            // Checked against the workspace's fields by the application.
            custom: None,
            first_name: first_name.unwrap_or_default(),
            last_name,
            title,
            company_id,
            emails,
            phones,
            lifecycle_stage: self.lifecycle_stage.unwrap_or(LifecycleStage::Lead),
            source: self.source,
            consent: self.consent.unwrap_or(Consent::Unknown),
            owner_id,
            tags,
        })
    }
}

impl ContactPatch {
    /// The full input after this patch is laid over `base`.
    pub fn apply_to(&self, mut base: ContactCreate) -> ContactCreate {
        if let Some(v) = &self.first_name {
            base.first_name = v.clone();
        }
        if let Some(v) = &self.last_name {
            base.last_name = v.clone();
        }
        if let Some(v) = &self.title {
            base.title = v.clone();
        }
        if let Some(v) = &self.company_id {
            base.company_id = v.clone();
        }
        if let Some(v) = &self.emails {
            base.emails = v.clone();
        }
        if let Some(v) = &self.phones {
            base.phones = v.clone();
        }
        if let Some(v) = self.lifecycle_stage {
            base.lifecycle_stage = Some(v);
        }
        if let Some(v) = self.source {
            base.source = v;
        }
        if let Some(v) = self.consent {
            base.consent = Some(v);
        }
        if let Some(v) = &self.owner_id {
            base.owner_id = v.clone();
        }
        if let Some(v) = &self.tags {
            base.tags = v.clone();
        }
        base
    }
}

impl CompanyCreate {
    pub fn validate(&self, region: Region) -> Result<CompanyDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.collect(text("name", &self.name, 200));
        let domain = self.domain.as_deref().and_then(|d| errs.collect(parse_domain("domain", d)).flatten());
        let industry = opt(&mut errs, "industry", &self.industry, 100);
        let city = opt(&mut errs, "city", &self.city, 100);
        let country = opt(&mut errs, "country", &self.country, 100);
        let owner_id = id_ref(&mut errs, "owner_id", self.owner_id.as_deref());
        let emails = emails(&mut errs, &self.emails);
        let phones = phones(&mut errs, &self.phones, region);
        let annual_revenue = money(&mut errs, "annual_revenue", &self.annual_revenue);
        if let Some(n) = self.employee_count {
            if !(0..=10_000_000).contains(&n) {
                errs.push(FieldError::new("employee_count", "out_of_range", "must be between 0 and 10,000,000"));
            }
        }
        if annual_revenue.is_some_and(|m| m.amount_e4() < 0) {
            errs.push(FieldError::new("annual_revenue.amount", "out_of_range", "must not be negative"));
        }
        let tags = errs.collect(parse_tags("tags", &self.tags)).unwrap_or_default();
        errs.finish(|| CompanyDraft {
            // Checked against the workspace's fields by the application.
            custom: None,
            name: name.unwrap_or_default(),
            domain,
            industry,
            city,
            country,
            emails,
            phones,
            annual_revenue,
            employee_count: self.employee_count,
            owner_id,
            tags,
        })
    }
}

impl CompanyPatch {
    pub fn apply_to(&self, mut base: CompanyCreate) -> CompanyCreate {
        if let Some(v) = &self.name {
            base.name = v.clone();
        }
        if let Some(v) = &self.domain {
            base.domain = v.clone();
        }
        if let Some(v) = &self.industry {
            base.industry = v.clone();
        }
        if let Some(v) = &self.city {
            base.city = v.clone();
        }
        if let Some(v) = &self.country {
            base.country = v.clone();
        }
        if let Some(v) = &self.emails {
            base.emails = v.clone();
        }
        if let Some(v) = &self.phones {
            base.phones = v.clone();
        }
        if let Some(v) = &self.annual_revenue {
            base.annual_revenue = v.clone();
        }
        if let Some(v) = self.employee_count {
            base.employee_count = v;
        }
        if let Some(v) = &self.owner_id {
            base.owner_id = v.clone();
        }
        if let Some(v) = &self.tags {
            base.tags = v.clone();
        }
        base
    }
}

impl From<crate::contacts::Contact> for ContactCreate {
    fn from(c: crate::contacts::Contact) -> Self {
        ContactCreate {
            custom: c.custom.clone(),
            first_name: c.first_name,
            last_name: c.last_name,
            title: c.title,
            company_id: c.company_id,
            emails: c.emails,
            phones: c.phones,
            lifecycle_stage: Some(c.lifecycle_stage),
            source: c.source,
            consent: Some(c.consent),
            owner_id: c.owner_id,
            tags: c.tags,
        }
    }
}

impl From<crate::companies::Company> for CompanyCreate {
    fn from(c: crate::companies::Company) -> Self {
        CompanyCreate {
            custom: c.custom.clone(),
            name: c.name,
            domain: c.domain,
            industry: c.industry,
            city: c.city,
            country: c.country,
            emails: c.emails,
            phones: c.phones,
            annual_revenue: c.annual_revenue,
            employee_count: c.employee_count,
            owner_id: c.owner_id,
            tags: c.tags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_field_errors_are_reported_at_once() {
        let input = ContactCreate {
            first_name: " ".into(),
            emails: vec![EmailEntry { address: "nope".into(), label: crm_domain::EmailLabel::Work, primary: false }],
            phones: vec![PhoneEntry { number: "12".into(), label: crm_domain::PhoneLabel::Mobile, primary: false }],
            ..Default::default()
        };
        let errs = input.validate(Region::IR).expect_err("invalid");
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "emails[0].address", "phones[0].number"]);
    }

    #[test]
    fn first_entry_becomes_primary_when_none_is_chosen() {
        let input = ContactCreate {
            first_name: "Sara".into(),
            phones: vec![
                PhoneEntry { number: "09121234567".into(), label: crm_domain::PhoneLabel::Mobile, primary: false },
                PhoneEntry { number: "02188776655".into(), label: crm_domain::PhoneLabel::Work, primary: false },
            ],
            ..Default::default()
        };
        let d = input.validate(Region::IR).expect("valid");
        assert_eq!(d.phones.iter().map(|p| p.primary).collect::<Vec<_>>(), [true, false]);
        assert_eq!(d.phones[1].phone.as_str(), "+982188776655");
    }
}
