//! Contacts: the people the business deals with.

use crate::common::{double_option, EmailEntry, PhoneEntry};
use crm_domain::{Consent, LifecycleStage, Source};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    #[cfg_attr(feature = "openapi", schema(example = "0193a5b2-7c1e-7d4f-9a61-2f0c1d9e8b11"))]
    pub id: String,
    pub first_name: String,
    pub last_name: Option<String>,
    /// First and last name as people read them.
    pub display_name: String,
    pub title: Option<String>,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub emails: Vec<EmailEntry>,
    pub phones: Vec<PhoneEntry>,
    pub lifecycle_stage: LifecycleStage,
    pub source: Option<Source>,
    pub consent: Consent,
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    /// Increases by one on every change; the `ETag` is `"<version>"`.
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Set when the contact is in the trash (see `POST /contacts/{id}/restore`).
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=contact` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactCreate {
    #[cfg_attr(feature = "openapi", schema(example = "Sara"))]
    pub first_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "Karimi"))]
    pub last_name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub emails: Vec<EmailEntry>,
    #[serde(default)]
    pub phones: Vec<PhoneEntry>,
    /// `lead` unless given.
    #[serde(default)]
    pub lifecycle_stage: Option<LifecycleStage>,
    #[serde(default)]
    pub source: Option<Source>,
    /// `unknown` unless given.
    #[serde(default)]
    pub consent: Option<Consent>,
    /// The caller (when a user) unless given.
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=contact`); required ones must be
    /// given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A partial update: absent fields stay, `null` clears, a value sets. Lists replace whole.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_id: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<EmailEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phones: Option<Vec<PhoneEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_stage: Option<LifecycleStage>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Source>))]
    pub source: Option<Option<Source>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner_id: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Values of custom fields by key: absent keys stay, `null` clears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}
