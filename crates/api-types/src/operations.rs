//! Leads and web forms, activities, tasks, and service cases.

use crate::common::double_option;
use chrono::{DateTime, Utc};
use crm_domain::operations::{ActivityKind, CaseChannel, CaseStatus, Direction, LeadStatus, Priority, RelatedType, SlaRule, TaskStatus};
use crm_domain::Source;
use serde::{Deserialize, Serialize};

/// Someone who may become a customer, not yet qualified.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lead {
    pub id: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub display_name: String,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub title: Option<String>,
    pub status: LeadStatus,
    /// Why the lead was disqualified.
    pub disqualify_reason: Option<String>,
    pub source: Option<Source>,
    /// The web form that captured the lead.
    pub form_id: Option<String>,
    pub owner_id: Option<String>,
    pub notes: Option<String>,
    /// When the lead was converted; the ids are what it became.
    pub converted_at: Option<DateTime<Utc>>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub tags: Vec<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=lead` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadCreate {
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Any format; national numbers are read in the workspace's region.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// Default `new`.
    #[serde(default)]
    pub status: Option<LeadStatus>,
    /// Required when the status is `disqualified`.
    #[serde(default)]
    pub disqualify_reason: Option<String>,
    #[serde(default)]
    pub source: Option<Source>,
    /// Defaults to the caller.
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=lead`); required ones must be
    /// given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A partial update of a lead; `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub title: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LeadStatus>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub disqualify_reason: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Source>))]
    pub source: Option<Option<Source>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Values of custom fields by key: absent keys stay, `null` clears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// How to convert a lead. The contact and company are matched to existing ones (by email,
/// phone, email domain or company name) before new ones are created.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadConvert {
    /// Also open a deal for the new customer.
    #[serde(default)]
    pub create_deal: bool,
    /// Deal name; default "<company or person>: new deal".
    #[serde(default)]
    pub deal_name: Option<String>,
    /// Decimal string in `currency` (default the workspace's base currency).
    #[serde(default)]
    pub deal_amount: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub pipeline_id: Option<String>,
    #[serde(default)]
    pub stage_id: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub close_date: Option<String>,
}

/// What a lead became.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadConversion {
    pub lead: Lead,
    pub contact_id: String,
    /// False when an existing contact matched.
    pub contact_created: bool,
    pub company_id: Option<String>,
    pub company_created: bool,
    pub deal_id: Option<String>,
    /// True when the lead had been converted before: nothing new was created.
    pub already_converted: bool,
}

/// A form on a website that creates leads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebForm {
    pub id: String,
    pub name: String,
    /// The form's public key: the website posts to `submit_url`.
    pub key: String,
    /// `/api/v1/forms/{key}/submissions`.
    pub submit_url: String,
    /// Source given to the leads it creates.
    pub source: Source,
    /// Owner of the leads it creates.
    pub owner_id: Option<String>,
    pub active: bool,
    /// Submissions accepted per client address per hour.
    pub max_per_hour: i64,
    /// Leads created so far.
    pub submissions: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebFormCreate {
    pub name: String,
    #[serde(default)]
    pub source: Option<Source>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    /// 1 to 10,000; default 20.
    #[serde(default)]
    pub max_per_hour: Option<i64>,
}

/// A partial update of a web form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebFormPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner_id: Option<Option<String>>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub max_per_hour: Option<i64>,
    /// Issue a new key; the old one stops working.
    #[serde(default)]
    pub rotate_key: bool,
}

/// Answer to a public form submission.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormReceipt {
    pub received: bool,
}

/// One interaction with a customer, whatever the channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub id: String,
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub subject: String,
    pub body: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub duration_seconds: Option<i64>,
    /// e.g. `connected`, `no_answer`, `left_voicemail`, `interested`.
    pub outcome: Option<String>,
    /// The user who logged or owns it.
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub case_id: Option<String>,
    pub lead_id: Option<String>,
    /// Contacts who took part.
    pub contact_ids: Vec<String>,
    /// Users who took part.
    pub user_ids: Vec<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=activity` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityCreate {
    pub kind: ActivityKind,
    #[serde(default)]
    pub direction: Option<Direction>,
    pub subject: String,
    #[serde(default)]
    pub body: Option<String>,
    /// Default now.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub duration_seconds: Option<i64>,
    #[serde(default)]
    pub outcome: Option<String>,
    /// Defaults to the caller.
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub deal_id: Option<String>,
    #[serde(default)]
    pub case_id: Option<String>,
    #[serde(default)]
    pub lead_id: Option<String>,
    #[serde(default)]
    pub contact_ids: Vec<String>,
    #[serde(default)]
    pub user_ids: Vec<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=activity`); required ones must be
    /// given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A partial update of an activity; `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ActivityKind>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Direction>))]
    pub direction: Option<Option<Direction>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub body: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub duration_seconds: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub outcome: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub deal_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub case_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub lead_id: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
    /// Values of custom fields by key: absent keys stay, `null` clears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Something someone has to do, by a time.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: String,
    pub title: String,
    pub notes: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub reminder_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<String>,
    pub priority: Priority,
    pub status: TaskStatus,
    /// Still open and past its due time.
    pub overdue: bool,
    pub related_type: Option<RelatedType>,
    pub related_id: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=task` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskCreate {
    pub title: String,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// Must not be after the due time.
    #[serde(default)]
    pub reminder_at: Option<DateTime<Utc>>,
    /// Defaults to the caller.
    #[serde(default)]
    pub assignee_id: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub status: Option<TaskStatus>,
    /// Give both or neither.
    #[serde(default)]
    pub related_type: Option<RelatedType>,
    #[serde(default)]
    pub related_id: Option<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=task`); required ones must be
    /// given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A partial update of a task; `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub reminder_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub assignee_id: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<RelatedType>))]
    pub related_type: Option<Option<RelatedType>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub related_id: Option<Option<String>>,
    /// Values of custom fields by key: absent keys stay, `null` clears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A customer's request for help, tracked against the SLA.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: String,
    /// Sequential per workspace, for people: "case 1042".
    pub number: i64,
    pub subject: String,
    pub description: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub channel: CaseChannel,
    pub priority: Priority,
    pub status: CaseStatus,
    pub assignee_id: Option<String>,
    pub team_id: Option<String>,
    /// From the SLA policy of the case's priority, counted from creation.
    pub first_response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    /// When an agent first answered: an outbound activity on the case, or the case leaving `new`.
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Minutes from creation to first response, once answered.
    pub first_response_minutes: Option<i64>,
    /// Minutes from creation to resolution, once resolved.
    pub resolution_minutes: Option<i64>,
    /// A deadline of the SLA is missed (late, or passed while still unmet).
    pub sla_breached: bool,
    pub reopen_count: i64,
    /// Customer satisfaction 1 to 5, after resolution.
    pub csat: Option<i64>,
    pub csat_comment: Option<String>,
    pub tags: Vec<String>,
    /// The case's id in the system it came from (a help desk); unique in the workspace.
    #[serde(default)]
    pub external_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=case` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseCreate {
    pub subject: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub contact_id: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    /// Default `web`.
    #[serde(default)]
    pub channel: Option<CaseChannel>,
    /// Default `normal`.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Default `new`.
    #[serde(default)]
    pub status: Option<CaseStatus>,
    #[serde(default)]
    pub assignee_id: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub csat: Option<i64>,
    #[serde(default)]
    pub csat_comment: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The case's id in the system it came from; unique in the workspace (at most 128 characters).
    #[serde(default)]
    pub external_id: Option<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=case`); required ones must be
    /// given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A partial update of a case; `null` clears. Status moves follow the workflow.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub contact_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_id: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<CaseChannel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CaseStatus>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub assignee_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub team_id: Option<Option<String>>,
    /// 1 to 5; only once the case is resolved or closed.
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub csat: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub csat_comment: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub external_id: Option<Option<String>>,
    /// Values of custom fields by key: absent keys stay, `null` clears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Response and resolution times per priority.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// One rule per priority (all four).
    pub rules: Vec<SlaRule>,
}

/// Lays a patch over the full input of a record: every field the patch names replaces the
/// base's (`null` clears), the rest stay. Patch types serialise only the fields they carry.
pub fn merge_patch<C, P>(base: &C, patch: &P) -> Result<C, crm_domain::ValidationErrors>
where
    C: Serialize + serde::de::DeserializeOwned,
    P: Serialize,
{
    let internal = |_| crm_domain::ValidationErrors::from(crm_domain::FieldError::new("", "invalid_patch", "the patch does not apply"));
    let mut merged = serde_json::to_value(base).map_err(internal)?;
    if let (Some(m), serde_json::Value::Object(p)) = (merged.as_object_mut(), serde_json::to_value(patch).map_err(internal)?) {
        for (k, v) in p {
            m.insert(k, v);
        }
    }
    serde_json::from_value(merged).map_err(internal)
}
