//! Handing records over, and the rules that assign new leads and cases.

use crate::common::double_option;
use serde::{Deserialize, Serialize};

/// Give a record to someone else (or to nobody), with a note for them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// The new owner (a case's or task's assignee); `null` leaves the record unassigned.
    /// Required.
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub user_id: Option<Option<String>>,
    /// What the new owner should know (at most 2,000 characters): it comes with their
    /// notification and stays in the record's audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A record after a hand-over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handover {
    /// `contact`, `company`, `lead`, `deal`, `case` or `task`.
    pub record_type: String,
    pub record_id: String,
    pub user_id: Option<String>,
    /// The record's new version (also its `ETag`).
    pub version: i64,
}

/// One assignment rule: new unassigned records of a kind go to a team's members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignmentRule {
    /// `lead` or `case`.
    pub entity: String,
    pub team_id: String,
    /// `round_robin` (each member in turn) or `load` (the member with the fewest open leads or
    /// cases; ties in turn).
    pub method: String,
    /// Who got the last record under this rule (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_user_id: Option<String>,
    /// What a new record must hold for this rule to take it (all of them); none takes every
    /// record. A record no rule takes stays unassigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<RuleCondition>,
}

/// A condition of an assignment rule: the new record's `field` holds one of `values`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleCondition {
    /// `custom.<key>` (a field of type text, choice, several choices, yes/no, user, record,
    /// email, phone or URL), `source` of a lead, `priority` or `channel` of a case. Read back
    /// as `null` once the custom field is deleted: the condition then holds for no record.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub field: Option<String>,
    /// Values in the field's wire form as text (an option key, `true`, a member's id); a
    /// several-choices field matches when it holds any of them. 1 to 50.
    pub values: Vec<String>,
}

/// The workspace's assignment rules, tried in order: a new case without an assignee goes by
/// the first rule of its team (or, without a team, by the first case rule, which also sets the
/// team); a new lead without an owner by the first lead rule; a rule with conditions is passed
/// over for a record that does not meet them. Members with the read-only analyst role are
/// skipped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignmentRules {
    pub rules: Vec<AssignmentRule>,
}

impl AssignmentRules {
    /// Known kinds and methods, at most 50 rules.
    pub fn validate(&self) -> Result<(), crm_domain::ValidationErrors> {
        use crm_domain::FieldError;
        let mut errs = crm_domain::ValidationErrors::new();
        if self.rules.len() > 50 {
            errs.push(FieldError::new("rules", "too_many", "at most 50 rules"));
        }
        for (i, r) in self.rules.iter().enumerate() {
            if !matches!(r.entity.as_str(), "lead" | "case") {
                errs.push(FieldError::new(format!("rules[{i}].entity"), "invalid_entity", "lead or case"));
            }
            if !matches!(r.method.as_str(), "round_robin" | "load") {
                errs.push(FieldError::new(format!("rules[{i}].method"), "invalid_method", "round_robin or load"));
            }
        }
        errs.finish(|| ())
    }
}

impl HandoverRequest {
    /// The new owner (`None` to unassign) and the trimmed note.
    pub fn validate(&self) -> Result<(Option<String>, Option<String>), crm_domain::ValidationErrors> {
        use crm_domain::FieldError;
        let mut errs = crm_domain::ValidationErrors::new();
        if self.user_id.is_none() {
            errs.push(FieldError::new("user_id", "required", "name the new owner, or null to unassign"));
        }
        let note = self.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            errs.push(FieldError::new("note", "too_long", "at most 2,000 characters"));
        }
        errs.finish(|| (self.user_id.clone().flatten(), note))
    }
}
