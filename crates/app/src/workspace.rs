//! Facts about the caller's workspace that use cases need.

use crate::error::AppResult;
use crm_domain::Region;
use crm_store::DbConnection;

/// The region national phone numbers are read in (Iran when the stored one is unknown).
pub fn region(conn: &mut DbConnection, ws: &str) -> AppResult<Region> {
    let w = crm_store::identity::get_workspace(conn, ws)?;
    Ok(Region::parse("default_region", &w.default_region).unwrap_or(Region::IR))
}
