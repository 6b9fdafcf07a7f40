//! Leads, activities, tasks and cases from wire input to domain drafts.

use crate::operations::*;
use crate::validate::{id_ref, opt};
use chrono::{DateTime, Utc};
use crm_domain::error::text;
use crm_domain::operations::{ActivityDraft, CaseChannel, CaseDraft, CaseStatus, LeadDraft, LeadStatus, Priority, TaskDraft, TaskStatus};
use crm_domain::{parse_tags, Email, FieldError, Phone, Region, ValidationErrors};

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn ids(errs: &mut ValidationErrors, field: &str, input: &[String], max: usize) -> Vec<String> {
    if input.len() > max {
        errs.push(FieldError::new(field, "too_many", format!("at most {max}")));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::with_capacity(input.len());
    for (i, v) in input.iter().enumerate() {
        if let Some(id) = id_ref(errs, &format!("{field}[{i}]"), Some(v)) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

impl LeadCreate {
    /// Validates every field at once; a national phone number is read in `region`.
    pub fn validate(&self, region: Region) -> Result<LeadDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let first_name = errs.collect(text("first_name", &self.first_name, 100));
        let last_name = opt(&mut errs, "last_name", &self.last_name, 100);
        let email = self.email.as_deref().filter(|e| !e.trim().is_empty()).and_then(|e| errs.collect(Email::parse("email", e)));
        let phone = self.phone.as_deref().filter(|p| !p.trim().is_empty()).and_then(|p| errs.collect(Phone::parse("phone", p, region)));
        let company_name = opt(&mut errs, "company_name", &self.company_name, 200);
        let title = opt(&mut errs, "title", &self.title, 150);
        let status = self.status.unwrap_or(LeadStatus::New);
        let disqualify_reason = opt(&mut errs, "disqualify_reason", &self.disqualify_reason, 200);
        if status == LeadStatus::Disqualified && disqualify_reason.is_none() {
            errs.push(FieldError::new("disqualify_reason", "required", "say why the lead is disqualified"));
        }
        let owner_id = id_ref(&mut errs, "owner_id", self.owner_id.as_deref());
        let notes = opt(&mut errs, "notes", &self.notes, 10_000);
        let tags = errs.collect(parse_tags("tags", &self.tags)).unwrap_or_default();
        errs.finish(|| LeadDraft {
            // Checked against the workspace's fields by the application.
            custom: None,
            first_name: first_name.unwrap_or_default(),
            last_name,
            email,
            phone,
            company_name,
            title,
            status,
            disqualify_reason: if status == LeadStatus::Disqualified { disqualify_reason } else { None },
            source: self.source,
            owner_id,
            notes,
            tags,
        })
    }
}

impl From<Lead> for LeadCreate {
    fn from(l: Lead) -> Self {
        Self {
            custom: l.custom.clone(),
            first_name: l.first_name,
            last_name: l.last_name,
            email: l.email,
            phone: l.phone,
            company_name: l.company_name,
            title: l.title,
            status: Some(l.status),
            disqualify_reason: l.disqualify_reason,
            source: l.source,
            owner_id: l.owner_id,
            notes: l.notes,
            tags: l.tags,
        }
    }
}

impl ActivityCreate {
    /// Validates every field; an activity without a time happened `now`.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ActivityDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let subject = errs.collect(text("subject", &self.subject, 300));
        let body = opt(&mut errs, "body", &self.body, 100_000);
        let outcome = opt(&mut errs, "outcome", &self.outcome, 100);
        if self.duration_seconds.is_some_and(|d| !(0..=7 * 24 * 3600).contains(&d)) {
            errs.push(FieldError::new("duration_seconds", "out_of_range", "must be 0 to 604800 seconds (a week)"));
        }
        let owner_id = id_ref(&mut errs, "owner_id", self.owner_id.as_deref());
        let company_id = id_ref(&mut errs, "company_id", self.company_id.as_deref());
        let deal_id = id_ref(&mut errs, "deal_id", self.deal_id.as_deref());
        let case_id = id_ref(&mut errs, "case_id", self.case_id.as_deref());
        let lead_id = id_ref(&mut errs, "lead_id", self.lead_id.as_deref());
        let contact_ids = ids(&mut errs, "contact_ids", &self.contact_ids, 100);
        let user_ids = ids(&mut errs, "user_ids", &self.user_ids, 100);
        errs.finish(|| ActivityDraft {
            // Checked against the workspace's fields by the application.
            custom: None,
            kind: self.kind,
            direction: self.direction,
            subject: subject.unwrap_or_default(),
            body,
            occurred_at: micros(self.occurred_at.unwrap_or(now)),
            duration_seconds: self.duration_seconds,
            outcome,
            owner_id,
            company_id,
            deal_id,
            case_id,
            lead_id,
            contact_ids,
            user_ids,
        })
    }
}

impl From<Activity> for ActivityCreate {
    fn from(a: Activity) -> Self {
        Self {
            custom: a.custom,
            kind: a.kind,
            direction: a.direction,
            subject: a.subject,
            body: a.body,
            occurred_at: Some(a.occurred_at),
            duration_seconds: a.duration_seconds,
            outcome: a.outcome,
            owner_id: a.owner_id,
            company_id: a.company_id,
            deal_id: a.deal_id,
            case_id: a.case_id,
            lead_id: a.lead_id,
            contact_ids: a.contact_ids,
            user_ids: a.user_ids,
        }
    }
}

impl TaskCreate {
    pub fn validate(&self) -> Result<TaskDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let title = errs.collect(text("title", &self.title, 300));
        let notes = opt(&mut errs, "notes", &self.notes, 10_000);
        let owner_id = id_ref(&mut errs, "assignee_id", self.assignee_id.as_deref());
        if let (Some(r), Some(d)) = (self.reminder_at, self.due_at) {
            if r > d {
                errs.push(FieldError::new("reminder_at", "reminder_after_due", "must not be after the due time"));
            }
        }
        let related_id = id_ref(&mut errs, "related_id", self.related_id.as_deref());
        let related = match (self.related_type, related_id) {
            (Some(t), Some(id)) => Some((t, id)),
            (None, None) => None,
            (Some(_), None) => {
                errs.push(FieldError::new("related_id", "required", "give the id of the related record"));
                None
            }
            (None, Some(_)) => {
                errs.push(FieldError::new("related_type", "required", "give the kind of the related record"));
                None
            }
        };
        errs.finish(|| TaskDraft {
            // Checked against the workspace's fields by the application.
            custom: None,
            title: title.unwrap_or_default(),
            notes,
            due_at: self.due_at.map(micros),
            reminder_at: self.reminder_at.map(micros),
            owner_id,
            priority: self.priority.unwrap_or(Priority::Normal),
            status: self.status.unwrap_or(TaskStatus::Open),
            related,
        })
    }
}

impl From<Task> for TaskCreate {
    fn from(t: Task) -> Self {
        Self {
            custom: t.custom,
            title: t.title,
            notes: t.notes,
            due_at: t.due_at,
            reminder_at: t.reminder_at,
            assignee_id: t.assignee_id,
            priority: Some(t.priority),
            status: Some(t.status),
            related_type: t.related_type,
            related_id: t.related_id,
        }
    }
}

impl CaseCreate {
    pub fn validate(&self) -> Result<CaseDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let subject = errs.collect(text("subject", &self.subject, 300));
        let description = opt(&mut errs, "description", &self.description, 100_000);
        let contact_id = id_ref(&mut errs, "contact_id", self.contact_id.as_deref());
        let company_id = id_ref(&mut errs, "company_id", self.company_id.as_deref());
        let owner_id = id_ref(&mut errs, "assignee_id", self.assignee_id.as_deref());
        let team_id = id_ref(&mut errs, "team_id", self.team_id.as_deref());
        if self.csat.is_some_and(|c| !(1..=5).contains(&c)) {
            errs.push(FieldError::new("csat", "out_of_range", "must be a score from 1 to 5"));
        }
        let csat_comment = opt(&mut errs, "csat_comment", &self.csat_comment, 4000);
        let tags = errs.collect(parse_tags("tags", &self.tags)).unwrap_or_default();
        let external_id = opt(&mut errs, "external_id", &self.external_id, 128);
        errs.finish(|| CaseDraft {
            // Checked against the workspace's fields by the application.
            custom: None,
            external_id,
            subject: subject.unwrap_or_default(),
            description,
            contact_id,
            company_id,
            channel: self.channel.unwrap_or(CaseChannel::Web),
            priority: self.priority.unwrap_or(Priority::Normal),
            status: self.status.unwrap_or(CaseStatus::New),
            owner_id,
            team_id,
            csat: self.csat,
            csat_comment,
            tags,
        })
    }
}

impl From<Case> for CaseCreate {
    fn from(c: Case) -> Self {
        Self {
            custom: c.custom.clone(),
            subject: c.subject,
            description: c.description,
            contact_id: c.contact_id,
            company_id: c.company_id,
            channel: Some(c.channel),
            priority: Some(c.priority),
            status: Some(c.status),
            assignee_id: c.assignee_id,
            team_id: c.team_id,
            csat: c.csat,
            csat_comment: c.csat_comment,
            tags: c.tags,
            external_id: c.external_id,
        }
    }
}

impl SlaPolicy {
    /// Exactly one rule per priority, each deadline 1 minute to a year, resolution no sooner
    /// than first response.
    pub fn validate(&self) -> Result<Vec<crm_domain::operations::SlaRule>, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        for p in Priority::ALL {
            if self.rules.iter().filter(|r| r.priority == *p).count() != 1 {
                errs.push(FieldError::new("rules", "one_rule_per_priority", format!("give exactly one rule for {p}")));
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            for (f, v) in [("first_response_minutes", r.first_response_minutes), ("resolution_minutes", r.resolution_minutes)] {
                if !(1..=525_600).contains(&v) {
                    errs.push(FieldError::new(format!("rules[{i}].{f}"), "out_of_range", "must be 1 minute to a year"));
                }
            }
            if r.warn_minutes.is_some_and(|w| !(0..=r.first_response_minutes).contains(&w)) {
                errs.push(FieldError::new(format!("rules[{i}].warn_minutes"), "out_of_range", "must be 0 up to the first-response time"));
            }
            if r.resolution_minutes < r.first_response_minutes {
                errs.push(FieldError::new(
                    format!("rules[{i}].resolution_minutes"),
                    "resolution_before_response",
                    "must not be shorter than the first-response time",
                ));
            }
        }
        errs.finish(|| self.rules.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_replaces_named_fields_and_null_clears() {
        let base = LeadCreate { first_name: "Sara".into(), title: Some("CTO".into()), notes: Some("x".into()), ..Default::default() };
        let patch: LeadPatch = serde_json::from_str(r#"{"title": null, "company_name": "Pars"}"#).expect("a patch");
        let merged = merge_patch(&base, &patch).expect("merges");
        assert_eq!(merged.first_name, "Sara");
        assert_eq!(merged.title, None);
        assert_eq!(merged.company_name.as_deref(), Some("Pars"));
        assert_eq!(merged.notes.as_deref(), Some("x"));
    }

    #[test]
    fn a_disqualified_lead_needs_a_reason() {
        let input = LeadCreate { first_name: "Ali".into(), status: Some(LeadStatus::Disqualified), ..Default::default() };
        let errs = input.validate(Region::IR).expect_err("invalid");
        assert_eq!(errs.0[0].field, "disqualify_reason");
    }
}
