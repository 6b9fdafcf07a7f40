//! Call events from the telephone system and the caller card an agent sees.

use crate::common::MoneyDto;
use crate::timeline::TimelineItem;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One event of a call, as a PBX or cloud telephony service reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallEvent {
    /// The telephone system's id of the call; every event of one call carries it.
    pub call_id: String,
    /// `ringing`, `answered` or `ended`.
    pub event: String,
    /// The caller's number in any format; `anonymous` (or absent) when withheld.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The number called (a line or extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `inbound` (default) or `outbound`; for outbound calls the customer is `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// The agent the call is for: a user id…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// …or their email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_email: Option<String>,
    /// When it happened (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// A contact the calling number belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardContact {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub company_id: Option<String>,
    pub lifecycle_stage: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardCompany {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardDeal {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub amount: Option<MoneyDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardCase {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub priority: String,
}

/// Everything an agent needs while the phone rings: who is calling (one contact, several
/// candidates, or nobody known), their company, what they have bought, what is open with
/// them and what happened last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallerCard {
    /// Our id of the call.
    pub id: String,
    pub call_id: String,
    /// `ringing`, `answered` or `ended`.
    pub status: String,
    pub direction: String,
    /// The customer's number in E.164; none when withheld.
    pub number: Option<String>,
    pub agent_id: Option<String>,
    pub rang_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Once ended: the call activity logged for it (set its outcome and notes there).
    pub activity_id: Option<String>,
    /// Nobody the agent may see has this number: offer to create a contact.
    pub unknown: bool,
    /// Contacts with this number, oldest first; one means the caller is known.
    pub candidates: Vec<CardContact>,
    pub company: Option<CardCompany>,
    /// The lifecycle stage of the caller, when there is one candidate.
    pub segment: Option<String>,
    /// Orders of the caller (else their company) in the workspace's base currency.
    pub lifetime_revenue: Option<MoneyDto>,
    pub order_count: i64,
    pub open_deals: Vec<CardDeal>,
    pub open_cases: Vec<CardCase>,
    /// The caller's latest timeline items.
    pub recent: Vec<TimelineItem>,
}
