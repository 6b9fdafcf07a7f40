//! The numbers people quote (case #1043, order #2145): one counter per workspace and kind of
//! record, shared infrastructure like ids.

use crate::schema::counters;
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;

/// The next value of a per-workspace counter. The update locks the counter's row until the
/// transaction ends, so concurrent writers get distinct numbers on both backends. Counters
/// are created with the workspace (and by the migration for older ones).
pub fn next(conn: &mut DbConnection, ws: &str, name: &str) -> StoreResult<i64> {
    let n = diesel::update(counters::table.filter(counters::workspace_id.eq(ws)).filter(counters::name.eq(name)))
        .set(counters::value.eq(counters::value + 1))
        .execute(conn)?;
    if n == 0 {
        init(conn, ws, name, 1)?;
    }
    Ok(counters::table.filter(counters::workspace_id.eq(ws)).filter(counters::name.eq(name)).select(counters::value).first(conn)?)
}

/// Reserves `n` (at least 1) consecutive values of a counter at once, for writes in bulk;
/// returns the first.
pub fn reserve(conn: &mut DbConnection, ws: &str, name: &str, n: i64) -> StoreResult<i64> {
    let first = next(conn, ws, name)?;
    diesel::update(counters::table.filter(counters::workspace_id.eq(ws)).filter(counters::name.eq(name)))
        .set(counters::value.eq(counters::value + (n.max(1) - 1)))
        .execute(conn)?;
    Ok(first)
}

/// Creates a counter at `value`.
pub fn init(conn: &mut DbConnection, ws: &str, name: &str, value: i64) -> StoreResult<()> {
    diesel::insert_into(counters::table)
        .values((counters::workspace_id.eq(ws), counters::name.eq(name), counters::value.eq(value)))
        .execute(conn)?;
    Ok(())
}
