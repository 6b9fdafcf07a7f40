//! Products, pipelines with their stages, and deals.

use crate::common::{double_option, MoneyDto};
use crm_domain::deals::{DealField, StageKind};
use crm_domain::Source;
use serde::{Deserialize, Serialize};

/// Something the business sells.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub unit_price: MoneyDto,
    /// What one unit costs the business (for margins); same currency as the price.
    pub unit_cost: Option<MoneyDto>,
    pub active: bool,
    pub description: Option<String>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=product` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductCreate {
    /// Unique in the workspace.
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    pub unit_price: MoneyDto,
    #[serde(default)]
    pub unit_cost: Option<MoneyDto>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub description: Option<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=product`); required ones must
    /// be given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

/// A partial update of a product; `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub category: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<MoneyDto>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<MoneyDto>))]
    pub unit_cost: Option<Option<MoneyDto>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    /// Values of custom fields by key: absent keys stay, `null` clears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One step of a pipeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stage {
    pub id: String,
    pub name: String,
    /// Chance of winning a deal in this stage, 0 to 100 (for weighted forecasts).
    pub probability: i64,
    pub kind: StageKind,
    /// Fields a deal must have to enter this stage.
    pub required_fields: Vec<DealField>,
    /// Custom fields of deals (their keys, see `GET /api/v1/fields?entity=deal`) a deal must
    /// have a value in to enter this stage.
    pub required_custom_fields: Vec<String>,
}

/// A sales process: ordered stages, with won and lost end stages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pipeline {
    pub id: String,
    pub name: String,
    /// New deals go here unless another pipeline is named.
    pub is_default: bool,
    pub stages: Vec<Stage>,
    /// The reasons a lost deal may give.
    pub loss_reasons: Vec<String>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A stage as written: with `id` to keep (and rename or move) an existing stage, without to
/// add one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub probability: i64,
    #[serde(default = "open")]
    pub kind: StageKind,
    #[serde(default)]
    pub required_fields: Vec<DealField>,
    /// Custom fields of deals, by key, that a deal must have a value in to enter the stage.
    #[serde(default)]
    pub required_custom_fields: Vec<String>,
}

fn open() -> StageKind {
    StageKind::Open
}

/// A whole pipeline, for create and replace.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PipelineInput {
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
    pub stages: Vec<StageInput>,
    #[serde(default)]
    pub loss_reasons: Vec<String>,
}

/// A person on a deal and the part they play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DealContact {
    pub contact_id: String,
    /// e.g. `decision_maker`, `champion`, `user`.
    #[serde(default)]
    pub role: Option<String>,
}

/// A product (or free text) on a deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineItem {
    pub product_id: Option<String>,
    pub name: String,
    /// Decimal string, up to four decimals.
    pub quantity: String,
    /// Decimal string in the deal's currency.
    pub unit_price: String,
    /// Percentage off, 0 to 100.
    pub discount_percent: String,
    pub unit_cost: Option<String>,
    /// quantity × unit price × (1 − discount).
    pub total: String,
}

/// A line as written; name, price and cost default to the product's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineItemInput {
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub quantity: String,
    #[serde(default)]
    pub unit_price: Option<String>,
    #[serde(default)]
    pub discount_percent: Option<String>,
    #[serde(default)]
    pub unit_cost: Option<String>,
}

/// An opportunity to sell, moving through a pipeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deal {
    pub id: String,
    pub name: String,
    pub pipeline_id: String,
    pub stage_id: String,
    /// `open`, `won` or `lost`, from the stage.
    pub status: StageKind,
    /// Sum of the line items when there are any; otherwise as entered.
    pub amount: Option<MoneyDto>,
    /// Amount minus the cost of the line items, when every line has a cost.
    pub margin: Option<MoneyDto>,
    pub currency: String,
    /// Expected (or actual) close date, `YYYY-MM-DD`.
    pub close_date: Option<String>,
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub source: Option<Source>,
    pub loss_reason: Option<String>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub stage_entered_at: chrono::DateTime<chrono::Utc>,
    pub contacts: Vec<DealContact>,
    pub line_items: Vec<LineItem>,
    pub tags: Vec<String>,
    /// The deal's id in the system it came from (another CRM); unique in the workspace.
    #[serde(default)]
    pub external_id: Option<String>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The values of the workspace's custom fields by key, those the reader may see
    /// (`GET /api/v1/fields?entity=deal` describes them).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DealCreate {
    pub name: String,
    /// Default: the workspace's default pipeline.
    #[serde(default)]
    pub pipeline_id: Option<String>,
    /// Default: the pipeline's first stage.
    #[serde(default)]
    pub stage_id: Option<String>,
    /// Amount as a decimal string; not allowed together with line items.
    #[serde(default)]
    pub amount: Option<String>,
    /// ISO 4217; default the workspace's base currency.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub close_date: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub source: Option<Source>,
    #[serde(default)]
    pub loss_reason: Option<String>,
    #[serde(default)]
    pub contacts: Vec<DealContact>,
    #[serde(default)]
    pub line_items: Vec<LineItemInput>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The deal's id in the system it came from; unique in the workspace (at most 128 characters).
    #[serde(default)]
    pub external_id: Option<String>,
    /// Values of custom fields by key (`GET /api/v1/fields?entity=deal`); required ones must be
    /// given, the others take their default.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// A partial update of a deal: absent fields stay, `null` clears, lists replace.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DealPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_id: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amount: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub close_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Source>))]
    pub source: Option<Option<Source>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub loss_reason: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<DealContact>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<LineItemInput>>,
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

/// When a deal entered and left a stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageVisit {
    pub pipeline_id: String,
    pub stage_id: String,
    pub stage_name: Option<String>,
    pub entered_at: chrono::DateTime<chrono::Utc>,
    pub left_at: Option<chrono::DateTime<chrono::Utc>>,
}
