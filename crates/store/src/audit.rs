//! The audit trail: one row per change, field-level before and after.

use crate::record::Actor;
use crate::schema::audit_log;
use crate::{new_id, DbConnection, StoreResult};
use diesel::prelude::*;
use serde_json::Value;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub struct AuditRow {
    pub id: String,
    pub workspace_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub at: i64,
    pub changes: String,
}

/// One entry of the trail, not yet written (see [`insert_entries`]).
pub fn entry(ws: &str, entity_type: &str, entity_id: &str, action: &str, actor: &Actor, changes: Vec<Value>, at: i64) -> AuditRow {
    AuditRow {
        id: new_id(),
        workspace_id: ws.to_owned(),
        entity_type: entity_type.to_owned(),
        entity_id: entity_id.to_owned(),
        action: action.to_owned(),
        actor_kind: actor.kind.to_owned(),
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        at,
        changes: Value::Array(changes).to_string(),
    }
}

/// Appends entries to the trail inside the caller's transaction: on SQLite in one statement
/// per 500, on PostgreSQL held back and sent with the transaction's other held writes at
/// commit (see `db::defer`).
pub fn insert_entries(conn: &mut DbConnection, rows: Vec<AuditRow>) -> StoreResult<()> {
    match conn {
        DbConnection::Sqlite(_) => {
            crate::db::insert_rows!(conn, audit_log::table, rows, 500);
        }
        DbConnection::Postgresql(_) => {
            for row in rows {
                crate::db::defer(conn, crate::db::Touch::Nothing, diesel::insert_into(audit_log::table).values(row))?;
            }
        }
    }
    Ok(())
}

/// A record's trail, oldest first, keyset-paged by entry id.
pub fn list(
    conn: &mut DbConnection,
    ws: &str,
    entity_type: &str,
    entity_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<AuditRow>> {
    crate::db::flush(conn)?;
    let mut q = audit_log::table
        .filter(audit_log::workspace_id.eq(ws))
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq(entity_id))
        .select(AuditRow::as_select())
        .order(audit_log::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after_id {
        q = q.filter(audit_log::id.gt(a.to_owned()));
    }
    Ok(q.load(conn)?)
}

/// Every entry about records of these kinds, in every workspace (for building what derives
/// from the trail once).
pub fn all_of_kinds(conn: &mut DbConnection, kinds: &[&str]) -> StoreResult<Vec<AuditRow>> {
    crate::db::flush(conn)?;
    Ok(audit_log::table.filter(audit_log::entity_type.eq_any(kinds)).select(AuditRow::as_select()).load(conn)?)
}
