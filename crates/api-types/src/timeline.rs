//! The unified timeline of a contact, company, deal or case.

use crate::common::ActorRef;
use serde::{Deserialize, Serialize};

/// What a timeline item tells of.
pub const TIMELINE_KINDS: [&str; 9] =
    ["activity", "note", "email", "stage_change", "order", "case_event", "field_change", "created", "event"];

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

/// Who an inbound event is about: a contact id, else the first contact matching the email,
/// else the phone (any formatting).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InboundCustomer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Something another system saw a customer do.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InboundEvent {
    /// The sender's id for the event: sending it again changes nothing.
    pub id: String,
    /// Who sends it, e.g. `shop`, `website`, `mailchimp` (lower case, digits, `-`, `_`, `.`).
    pub source: String,
    /// `order_placed`, `page_visited`, `form_submitted`, `email_opened`, `email_clicked`,
    /// `email_replied`, or any other lower-case name.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When it happened (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    pub customer: InboundCustomer,
    /// What the timeline shows (default: the type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Anything else worth keeping: URL, order number, campaign… (at most 16 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub properties: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What became of an inbound event.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboundReceipt {
    /// Our id for the event (the timeline item's `source_id`).
    pub id: String,
    pub contact_id: String,
    pub company_id: Option<String>,
    /// True when this source had already sent this event id; nothing changed.
    pub duplicate: bool,
}

/// One entry of the activity feed: a timeline item and the record it is shown on (the first
/// of its records you may read, when it is on several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedItem {
    /// `contact`, `company`, `deal` or `case`.
    pub subject_type: String,
    pub subject_id: String,
    /// The record's current name (or subject).
    pub subject_title: String,
    pub item: TimelineItem,
}
