//! Stored responses of POSTs made with an `Idempotency-Key`, so a retry gets the same answer
//! instead of a second record.

use crate::schema::idempotency_keys;
use crate::{time, DbConnection, StoreResult};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys, treat_none_as_default_value = false)]
pub struct IdempotencyRow {
    pub workspace_id: String,
    pub principal_id: String,
    pub idem_key: String,
    pub request_hash: String,
    pub status: i32,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub created_at: i64,
}

/// Keys are kept for a day.
pub const TTL_MICROS: i64 = 24 * 3600 * 1_000_000;

pub fn find(conn: &mut DbConnection, ws: &str, principal: &str, key: &str) -> StoreResult<Option<IdempotencyRow>> {
    Ok(idempotency_keys::table
        .find((ws, principal, key))
        .filter(idempotency_keys::created_at.gt(time::now_micros() - TTL_MICROS))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a response; a concurrent request with the same key makes this a unique violation.
pub fn insert(conn: &mut DbConnection, row: &IdempotencyRow) -> StoreResult<()> {
    diesel::delete(
        idempotency_keys::table
            .find((&row.workspace_id, &row.principal_id, &row.idem_key))
            .filter(idempotency_keys::created_at.le(time::now_micros() - TTL_MICROS)),
    )
    .execute(conn)?;
    diesel::insert_into(idempotency_keys::table).values(row).execute(conn)?;
    Ok(())
}
