//! The workspace's record-level access policy.

use crm_domain::access::{Entity, Scope};
use crm_domain::Role;
use serde::{Deserialize, Serialize};

/// What one role may read and change of one kind of record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessGrant {
    pub role: Role,
    pub entity: Entity,
    /// Records the role may see: `none`, `own`, `team` or `all`.
    pub read: Scope,
    /// Records the role may change; never wider than `read`.
    pub write: Scope,
    /// False for roles whose grants are fixed (admin).
    #[serde(default)]
    pub configurable: bool,
}

/// Every role × entity grant in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessPolicy {
    pub grants: Vec<AccessGrant>,
}

/// Grants to change; the others stay as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessPolicyUpdate {
    pub grants: Vec<AccessGrantChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessGrantChange {
    pub role: Role,
    pub entity: Entity,
    pub read: Scope,
    pub write: Scope,
}
