//! Bulk writes: up to 1,000 creates, upserts and updates in one call.

use crate::problem::Problem;
use serde::{Deserialize, Serialize};

/// What happens when one operation fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkMode {
    /// Any failure rolls the whole call back (422 naming each failed operation's fields).
    #[default]
    AllOrNothing,
    /// Each operation succeeds or fails on its own.
    PerRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// `data` is the create body.
    Create,
    /// `data` is the create body; the record with `id`, or else with the resource's natural
    /// key in `data` (contacts: primary email; companies: domain; orders: external_id), is
    /// replaced, or created when there is none.
    Upsert,
    /// `data` is the patch body for the record with `id`; `version` (optional) must match.
    Update,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkOperation {
    pub action: BulkAction,
    #[serde(default)]
    pub id: Option<String>,
    /// For `update`: the version you changed (like `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    #[serde(default)]
    pub mode: BulkMode,
    /// 1 to 1,000.
    pub operations: Vec<BulkOperation>,
}

/// What became of one operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkItemResult {
    pub index: usize,
    /// The HTTP status the operation alone would have had.
    pub status: u16,
    /// `created`, `updated` or `unchanged`; absent on failure.
    pub outcome: Option<String>,
    pub id: Option<String>,
    pub version: Option<i64>,
    pub error: Option<Problem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResponse {
    pub mode: BulkMode,
    pub succeeded: usize,
    pub failed: usize,
    pub results: Vec<BulkItemResult>,
}
