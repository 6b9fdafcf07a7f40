//! Segments: saved rules over contacts, dynamic or frozen as a snapshot, with their members'
//! history. The rules are checked by the server (`crm_domain::segments`); these types document
//! their shape.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A rule: a group whose rules must `all` hold, a group of which `any` must hold, or one
/// condition. Groups nest up to 5 deep; a segment has at most 40 conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum SegmentRule {
    All(SegmentAll),
    Any(SegmentAny),
    Condition(SegmentCondition),
}

/// Every rule holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentAll {
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub all: Vec<SegmentRule>,
}

/// At least one rule holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentAny {
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub any: Vec<SegmentRule>,
}

/// `field op value`. Fields: `first_name`, `last_name`, `title`, `source`,
/// `lifecycle_stage`, `consent`, `owner_id`, `company_id`, `tag`, `created_at`, `orders`,
/// `revenue`, `first_purchase_at`, `last_purchase_at`, `rfm_group`, `recency_score`,
/// `frequency_score`, `monetary_score`, `propensity`, `last_activity_at`, `bought_product`,
/// `order_channel`, `activity_channel`, `segment` and `custom.<key>`. Operators: `is`,
/// `is_not`, `in`, `not_in`, `contains`, `is_empty`, `is_not_empty`, `gt`, `gte`, `lt`, `lte`,
/// `before`, `after`, `in_last_days`, `not_in_last_days`, `in_next_days`,
/// `anniversary_in_next_days`; which a field takes is in docs/api.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentCondition {
    pub field: String,
    pub op: String,
    /// A text, a number, a list of texts (`in`), a date, a number of days; none for
    /// `is_empty` and `is_not_empty`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Orders, products bought, order and activity channels: only the last `days` days count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
}

/// Whether a segment's members follow its rules as contacts change, or were frozen when it was
/// last evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    #[default]
    Dynamic,
    Snapshot,
}

/// Make or change a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SegmentWrite {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = SegmentRule))]
    pub rules: Value,
    #[serde(default)]
    pub kind: SegmentKind,
    /// Everyone in the workspace sees and uses it (its maker, admins and managers change it).
    #[serde(default)]
    pub shared: bool,
}

/// Change a segment: what is left out stays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SegmentPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An empty text clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<SegmentRule>))]
    pub rules: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SegmentKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<bool>,
}

/// Count the contacts rules match, while editing them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SegmentPreviewRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = SegmentRule))]
    pub rules: Value,
}

/// How many contacts you may read match now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentPreview {
    pub count: i64,
}

/// A segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Segment {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = SegmentRule))]
    pub rules: Value,
    pub kind: SegmentKind,
    pub shared: bool,
    /// Who made it; none for an API key.
    pub owner_id: Option<String>,
    /// Whether you made it.
    pub mine: bool,
    /// Whether you may change or delete it.
    pub editable: bool,
    /// Members at the last evaluation; shown to roles that read every contact. The members
    /// themselves: `GET /contacts?segment={id}` (every list feature, export included).
    pub members: Option<i64>,
    pub evaluated_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A segment after it was made, changed or evaluated, with how many entered and left (shown
/// to roles that read every contact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentEvaluated {
    pub segment: Segment,
    pub entered: Option<usize>,
    pub left: Option<usize>,
}

/// A contact entered or left a segment (at an evaluation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentChange {
    pub at: chrono::DateTime<chrono::Utc>,
    pub contact_id: String,
    /// The contact's name; none for one since deleted for good.
    pub contact_name: Option<String>,
    pub entered: bool,
}
