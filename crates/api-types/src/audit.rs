//! The audit trail: who changed what, when, field by field.

use crate::common::ActorRef;
use serde::{Deserialize, Serialize};

/// One field's value before and after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// One change to one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: String,
    /// `created`, `updated`, `deleted` or `restored`.
    pub action: String,
    pub actor: ActorRef,
    pub at: chrono::DateTime<chrono::Utc>,
    pub changes: Vec<FieldChange>,
}
