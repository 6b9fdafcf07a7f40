//! Outbound webhooks: subscriptions, their delivery log and attempts.

use crate::common::double_option;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A subscription: events of these types are signed and POSTed to `url`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Event types, `object.*` or `*`.
    pub events: Vec<String>,
    /// Only events whose fields carry these values (a list means any of them).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub filter: Option<Map<String, Value>>,
    pub enabled: bool,
    /// Loopback and private addresses may be targets (set by an admin person).
    pub allow_private_target: bool,
    /// Failed attempts in a row; the subscription turns itself off at the configured limit.
    pub failure_streak: i32,
    /// Why it was turned off automatically.
    pub disabled_reason: Option<String>,
    /// The first characters of the signing secret, to tell secrets apart.
    pub secret_hint: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A subscription as created or re-keyed: the signing secret is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookWithSecret {
    pub webhook: Webhook,
    /// HMAC-SHA256 key for the `Webhook-Signature` header. Store it now.
    pub secret: String,
}

/// A new subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookCreate {
    /// `https://…` (or `http://…`).
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// Event types to send, `object.*` or `*`; see `GET /webhook-event-types`.
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub filter: Option<Map<String, Value>>,
    /// Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Allow loopback and private addresses (only an admin signed in as a person may).
    #[serde(default)]
    pub allow_private_target: bool,
}

/// Changes to a subscription; absent fields stay. Turning it on again clears the failure
/// streak.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    /// `null` removes the filter.
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub filter: Option<Option<Map<String, Value>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_private_target: Option<bool>,
}

/// One event sent (or to be sent) to one subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: String,
    pub webhook_id: String,
    /// The event's id, also sent as `Webhook-Id`; the same on a replay.
    pub event_id: String,
    pub event_type: String,
    /// `pending` (due or waiting to retry), `succeeded` or `failed` (gave up).
    pub status: String,
    pub attempts: i32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// HTTP status of the last answer.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    /// The delivery this one replays.
    pub replay_of: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// One try at delivering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    pub at: DateTime<Utc>,
    pub status_code: Option<i32>,
    /// The start of the receiver's answer (up to 1 KiB).
    pub response: Option<String>,
    /// What went wrong before an answer (timeout, refused, private address…).
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// A delivery with its payload and every attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryDetail {
    pub delivery: WebhookDelivery,
    /// The exact JSON body sent.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: Value,
    pub attempts: Vec<WebhookAttempt>,
}
