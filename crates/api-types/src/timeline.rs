//! The unified timeline of a contact, company, deal or case.

use crate::common::ActorRef;
use serde::{Deserialize, Serialize};

/// What a timeline item tells of.
pub const TIMELINE_KINDS: [&str; 8] = ["activity", "note", "email", "stage_change", "order", "case_event", "field_change", "created"];

/// One thing that happened to the record, newest first.
///
/// `data` depends on `kind`:
/// - `activity`, `note`, `email`: `subject`, `direction`, `outcome`, `duration_seconds`, `body`
///   (the first 500 characters), `contact_ids`, `company_id`, `deal_id`, `case_id`; `channel`
///   is the activity's kind (`call`, `email`, `meeting`, `sms`, `chat`, `web_visit`, `letter`,
///   `store_visit`, `field_visit`, `note`).
/// - `stage_change`: `deal_id`, `deal_name`, `pipeline_id`, `from_stage_id` (null when the deal
///   was created), `to_stage_id`, `to_stage_name`, `status`, `loss_reason`, `amount`, `currency`.
/// - `order`: `number`, `external_id`, `status`, `total`, `currency`; `channel` is where it was
///   placed.
/// - `case_event`: `event` (`opened`, `status_changed` with `from` and `to`, `first_response`,
///   `csat` with `csat` and `comment`), `case_id`, `number`, `subject`; `channel` is the case's.
/// - `created`, `field_change`: `action` (`created`, `updated`, `deleted`, `restored`,
///   `converted`) and `changes` (`[{field, before, after}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineItem {
    pub id: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// One of `activity`, `note`, `email`, `stage_change`, `order`, `case_event`,
    /// `field_change`, `created`.
    pub kind: String,
    /// The channel it happened on, where it has one.
    pub channel: Option<String>,
    /// Who did it: for activities and orders their owner.
    pub actor: ActorRef,
    /// The record the item comes from: `activity`, `order`, `deal`, `case`, `contact`, `company`.
    pub source_type: String,
    pub source_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}
