//! Orders, exchange rates and revenue in the base currency.

use crate::common::{double_option, MoneyDto};
use crate::deals::{LineItem, LineItemInput};
use chrono::{DateTime, Utc};
use crm_domain::commerce::{OrderChannel, OrderStatus};
use serde::{Deserialize, Serialize};

/// A purchase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: String,
    /// Sequential per workspace.
    pub number: i64,
    /// The id in the system the order came from (shop, POS); unique in the workspace.
    pub external_id: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    /// The deal the order closes, if any.
    pub deal_id: Option<String>,
    pub ordered_at: DateTime<Utc>,
    pub channel: OrderChannel,
    pub status: OrderStatus,
    pub currency: String,
    pub line_items: Vec<LineItem>,
    /// Sum of the lines.
    pub subtotal: MoneyDto,
    pub shipping: MoneyDto,
    pub tax: MoneyDto,
    /// Subtotal + shipping + tax.
    pub total: MoneyDto,
    /// Subtotal minus the cost of the lines, when every line has a cost.
    pub margin: Option<MoneyDto>,
    /// The total in the workspace's base currency, at the rate of the order's date.
    pub base_total: MoneyDto,
    pub owner_id: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=order` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// An order as written (create, and the full replacement of an upsert).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub contact_id: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub deal_id: Option<String>,
    /// Default now.
    #[serde(default)]
    pub ordered_at: Option<DateTime<Utc>>,
    /// Default `online`.
    #[serde(default)]
    pub channel: Option<OrderChannel>,
    /// Default `placed`.
    #[serde(default)]
    pub status: Option<OrderStatus>,
    /// ISO 4217; default the workspace's base currency.
    #[serde(default)]
    pub currency: Option<String>,
    pub line_items: Vec<LineItemInput>,
    /// Decimal string in the order's currency.
    #[serde(default)]
    pub shipping: Option<String>,
    #[serde(default)]
    pub tax: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=order`); required ones must be
    /// given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A partial update of an order (e.g. its status); `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<OrderChannel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<LineItemInput>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub contact_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub deal_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub shipping: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tax: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub external_id: Option<Option<String>>,
    /// Values of custom fields by key: absent keys stay, `null` clears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// How many units of the base currency one unit of `currency` is worth, from a day on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// ISO 4217, not the base currency.
    pub currency: String,
    /// `YYYY-MM-DD`: the rate applies from this day until the next rate of the currency.
    pub valid_from: String,
    /// Decimal string, up to 12 decimals.
    pub rate: String,
}

/// Rates to add (a rate of the same currency and day is replaced).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExchangeRates {
    /// The workspace's base currency (in answers; ignored in requests).
    #[serde(default)]
    pub base_currency: Option<String>,
    pub rates: Vec<ExchangeRate>,
}

/// Revenue of a period in the base currency.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevenueSummary {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub base_currency: String,
    /// Orders placed, paid or fulfilled in the period.
    pub orders: MoneyDto,
    pub order_count: i64,
    /// Deals won in the period.
    pub won_deals: MoneyDto,
    pub won_deal_count: i64,
    /// Orders plus won deals.
    pub total: MoneyDto,
    /// Won-deal amounts in currencies without a rate for their date: listed, not added.
    pub unconverted: Vec<MoneyDto>,
}
