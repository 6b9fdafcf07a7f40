//! What connected browsers are told as it happens. Writers append rows in their transaction;
//! every server process polls recent rows and pushes them to its own open streams, so it does
//! not matter which process a browser is connected to (SQLite or PostgreSQL alike).

use crate::schema::live_events;
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;
use serde_json::Value;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = live_events)]
pub struct LiveRow {
    pub seq: i64,
    pub workspace_id: String,
    pub user_id: String,
    pub kind: String,
    pub payload: String,
    pub at: i64,
}

/// Tells one person `kind` with `payload` (inside the caller's transaction).
pub fn push(conn: &mut DbConnection, ws: &str, user_id: &str, kind: &str, payload: &Value, at: i64) -> StoreResult<()> {
    push_each(conn, ws, &[(user_id.to_owned(), payload.to_string())], kind, at)
}

/// The same kind of event for several people, each with its payload, in one statement.
pub fn push_each(conn: &mut DbConnection, ws: &str, events: &[(String, String)], kind: &str, at: i64) -> StoreResult<()> {
    let rows: Vec<_> = events
        .iter()
        .map(|(user, payload)| {
            (
                live_events::workspace_id.eq(ws),
                live_events::user_id.eq(user.as_str()),
                live_events::kind.eq(kind),
                live_events::payload.eq(payload.as_str()),
                live_events::at.eq(at),
            )
        })
        .collect();
    crate::db::insert_rows!(conn, live_events::table, rows, 1000);
    Ok(())
}

/// Rows written at or after `since` (micros), in order. Pollers read an overlapping window and
/// drop what they have seen, so a transaction that commits a little late is not missed.
pub fn since(conn: &mut DbConnection, since: i64, limit: i64) -> StoreResult<Vec<LiveRow>> {
    Ok(live_events::table
        .filter(live_events::at.ge(since))
        .order(live_events::seq.asc())
        .limit(limit)
        .select(LiveRow::as_select())
        .load(conn)?)
}

/// A person's rows after `seq` (a reconnecting stream's `Last-Event-ID`).
pub fn after(conn: &mut DbConnection, ws: &str, user_id: &str, seq: i64, limit: i64) -> StoreResult<Vec<LiveRow>> {
    Ok(live_events::table
        .filter(live_events::workspace_id.eq(ws))
        .filter(live_events::user_id.eq(user_id))
        .filter(live_events::seq.gt(seq))
        .order(live_events::seq.asc())
        .limit(limit)
        .select(LiveRow::as_select())
        .load(conn)?)
}

/// Forgets rows older than `before` (micros).
pub fn prune(conn: &mut DbConnection, before: i64) -> StoreResult<usize> {
    Ok(diesel::delete(live_events::table.filter(live_events::at.lt(before))).execute(conn)?)
}
