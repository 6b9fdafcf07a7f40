//! Work due at a time: a task's reminder (or due time) reaches its assignee, and a case's
//! agent is warned before an SLA deadline. Writes keep one row per pending reminder; every
//! server process polls the due rows ([`due`]) and fires each (`crm_app::reminders::fire`) in its
//! own transaction, where deleting the row is the [`claim`], so a reminder is sent once however
//! many processes poll.

use crate::schema::reminders;
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;

/// A task falls due (or its reminder time comes).
pub const TASK_DUE: &str = "task_due";
/// A case's first answer is due soon.
pub const SLA_RESPONSE: &str = "sla_response_due";
/// A case's resolution is due soon.
pub const SLA_RESOLUTION: &str = "sla_resolution_due";

/// One pending reminder.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = reminders, treat_none_as_default_value = false)]
pub struct Reminder {
    pub workspace_id: String,
    pub kind: String,
    pub subject_id: String,
    pub fire_at: i64,
}

/// Sets the one pending reminder of `kind` for a subject to fire at `fire_at`, or takes it away
/// (`None`); an unchanged time writes nothing.
pub fn set(conn: &mut DbConnection, ws: &str, kind: &str, subject_id: &str, fire_at: Option<i64>) -> StoreResult<()> {
    let key = reminders::table
        .filter(reminders::workspace_id.eq(ws))
        .filter(reminders::kind.eq(kind))
        .filter(reminders::subject_id.eq(subject_id));
    let current: Option<i64> = key.select(reminders::fire_at).first(conn).optional()?;
    if current == fire_at {
        return Ok(());
    }
    if current.is_some() {
        diesel::delete(key).execute(conn)?;
    }
    if let Some(fire_at) = fire_at {
        let row = Reminder { workspace_id: ws.to_owned(), kind: kind.to_owned(), subject_id: subject_id.to_owned(), fire_at };
        diesel::insert_into(reminders::table).values(&row).execute(conn)?;
    }
    Ok(())
}

/// Up to `limit` reminders due at `now`, soonest first, across workspaces.
pub fn due(conn: &mut DbConnection, now: i64, limit: i64) -> StoreResult<Vec<Reminder>> {
    Ok(reminders::table
        .filter(reminders::fire_at.le(now))
        .order((reminders::fire_at.asc(), reminders::subject_id.asc()))
        .limit(limit)
        .select(Reminder::as_select())
        .load(conn)?)
}

/// Claims a due reminder in the caller's transaction: deleting its row is the claim, so it is
/// sent once however many processes poll. False when another process took it first.
pub fn claim(conn: &mut DbConnection, r: &Reminder) -> StoreResult<bool> {
    let claimed = diesel::delete(
        reminders::table
            .filter(reminders::workspace_id.eq(&r.workspace_id))
            .filter(reminders::kind.eq(&r.kind))
            .filter(reminders::subject_id.eq(&r.subject_id))
            .filter(reminders::fire_at.eq(r.fire_at)),
    )
    .execute(conn)?;
    Ok(claimed == 1)
}
