//! The record-level access policy, asked from handlers (see `crm_store::access`).

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crm_domain::access::Entity;
use crm_store::access;
use crm_store::reach::{Reach, ReadReach, WriteGuard};
use crm_store::DbConnection;

/// Which records of `entity` the caller may read.
pub fn reach(c: &mut DbConnection, who: &Principal, entity: Entity) -> ApiResult<Reach> {
    Ok(access::read_reach(c, &who.workspace_id, who.viewer(), entity)?)
}

/// What the caller may read of every kind of record: for views gathering several kinds.
pub fn reach_all(c: &mut DbConnection, who: &Principal) -> ApiResult<ReadReach> {
    Ok(access::read_reach_all(c, &who.workspace_id, who.viewer())?)
}

/// 404 unless the caller may read a record owned by `owner` (out of reach is invisible).
pub fn visible(c: &mut DbConnection, who: &Principal, entity: Entity, owner: Option<&str>) -> ApiResult<()> {
    if reach(c, who, entity)?.allows(owner) {
        Ok(())
    } else {
        Err(ApiError::not_found(entity.as_str()))
    }
}

/// What the caller may change among records of `entity`.
pub fn guard(c: &mut DbConnection, who: &Principal, entity: Entity) -> ApiResult<WriteGuard> {
    Ok(access::write_guard(c, &who.workspace_id, who.viewer(), entity)?)
}

/// Fails unless the caller may create a record of `entity` owned by `owner`.
pub fn creatable(c: &mut DbConnection, who: &Principal, entity: Entity, owner: Option<&str>) -> ApiResult<()> {
    Ok(access::check_create(c, &who.workspace_id, who.viewer(), entity, owner)?)
}
