//! Shapes every resource shares: pages, money, contact points.

use serde::{Deserialize, Deserializer, Serialize};

/// One page of a list. Follow `next_cursor` until it is `null`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque cursor of the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Number of records matching the filters, when `include_total=true` was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// An exact amount: a decimal string and an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoneyDto {
    /// Decimal string, never a JSON number, so no precision is lost.
    #[cfg_attr(feature = "openapi", schema(example = "1250000.00"))]
    pub amount: String,
    /// ISO 4217 code.
    #[cfg_attr(feature = "openapi", schema(example = "USD"))]
    pub currency: String,
}

/// An email address of a contact or company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailEntry {
    #[cfg_attr(feature = "openapi", schema(example = "sara@example.com"))]
    pub address: String,
    #[serde(default = "default_email_label")]
    pub label: crm_domain::EmailLabel,
    /// The address used by default; exactly one entry is primary (the first, unless chosen).
    #[serde(default)]
    pub primary: bool,
}

fn default_email_label() -> crm_domain::EmailLabel {
    crm_domain::EmailLabel::Work
}

/// A phone number of a contact or company. Sent in any common format, returned in E.164.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhoneEntry {
    #[cfg_attr(feature = "openapi", schema(example = "+989121234567"))]
    pub number: String,
    #[serde(default = "default_phone_label")]
    pub label: crm_domain::PhoneLabel,
    #[serde(default)]
    pub primary: bool,
}

fn default_phone_label() -> crm_domain::PhoneLabel {
    crm_domain::PhoneLabel::Mobile
}

/// Deserializes a field that may be absent (leave unchanged), `null` (clear) or a value (set).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Who did something: a user or an API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActorRef {
    /// `user`, `api_key` or `system`.
    pub kind: String,
    pub id: Option<String>,
    pub name: Option<String>,
}
