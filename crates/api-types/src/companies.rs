//! Companies (accounts): the organisations contacts work for.

use crate::common::{double_option, EmailEntry, MoneyDto, PhoneEntry};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Company {
    pub id: String,
    pub name: String,
    /// Web domain, lower-case, used to match contacts by email.
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub emails: Vec<EmailEntry>,
    pub phones: Vec<PhoneEntry>,
    pub annual_revenue: Option<MoneyDto>,
    pub employee_count: Option<i64>,
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    /// Number of contacts (not in the trash) at this company.
    pub contact_count: i64,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=company` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompanyCreate {
    #[cfg_attr(feature = "openapi", schema(example = "Pars Trading Co."))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "parstrading.ir"))]
    pub domain: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub emails: Vec<EmailEntry>,
    #[serde(default)]
    pub phones: Vec<PhoneEntry>,
    #[serde(default)]
    pub annual_revenue: Option<MoneyDto>,
    #[serde(default)]
    pub employee_count: Option<i64>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=company`); required ones must be
    /// given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A partial update: absent fields stay, `null` clears, a value sets. Lists replace whole.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompanyPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub domain: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub country: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<EmailEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phones: Option<Vec<PhoneEntry>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<MoneyDto>))]
    pub annual_revenue: Option<Option<MoneyDto>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub employee_count: Option<Option<i64>>,
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
