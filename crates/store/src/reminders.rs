//! Work due at a time: a task's reminder (or due time) reaches its assignee, and a case's
//! agent is warned before an SLA deadline. Writes keep one row per pending reminder; every
//! server process polls the due rows ([`due`]) and [`fire`]s each in its own transaction,
//! where deleting the row is the claim, so a reminder is sent once however many processes poll.

use crate::cases::CaseRow;
use crate::notifications::{notify, Notice};
use crate::record::Actor;
use crate::schema::reminders;
use crate::tasks::TaskRow;
use crate::{DbConnection, StoreError, StoreResult};
use crm_domain::operations::{CaseStatus, SlaRule, TaskStatus};
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

fn set(conn: &mut DbConnection, ws: &str, kind: &str, subject_id: &str, fire_at: Option<i64>) -> StoreResult<()> {
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

/// When a task's assignee hears of it: at its reminder time, else when it falls due; never
/// once it is done, cancelled, deleted or unassigned.
pub fn task_fire_at(row: &TaskRow) -> Option<i64> {
    let open = TaskStatus::parse(&row.status).is_some_and(TaskStatus::is_open);
    if !open || row.deleted_at.is_some() || row.owner_id.is_none() {
        return None;
    }
    row.reminder_at.or(row.due_at)
}

/// Keeps a task's reminder in step with the task, after a write. A time already past is not
/// scheduled: whoever writes the task sees it is due, and the assignee is told of the
/// assignment itself.
pub fn sync_task(conn: &mut DbConnection, row: &TaskRow) -> StoreResult<()> {
    let fire_at = task_fire_at(row).filter(|t| *t >= crate::time::now_micros());
    set(conn, &row.workspace_id, TASK_DUE, &row.id, fire_at)
}

/// How many minutes before a deadline `span_minutes` away the agent is warned: the rule's
/// own setting, else a fifth of the time allowed, at most an hour.
pub fn warn_minutes(rule: Option<&SlaRule>, span_minutes: i64) -> i64 {
    rule.and_then(|r| r.warn_minutes).unwrap_or_else(|| (span_minutes / 5).min(60)).clamp(0, span_minutes.max(0))
}

/// Sets a new case's SLA warnings, or moves them when its deadlines moved (a new priority);
/// a deadline already past gets none (it shows as breached).
pub fn sync_case(conn: &mut DbConnection, before: Option<&CaseRow>, row: &CaseRow, rules: &[SlaRule]) -> StoreResult<()> {
    let moved = before.is_none_or(|b| b.first_response_due_at != row.first_response_due_at || b.resolution_due_at != row.resolution_due_at);
    if !moved {
        return Ok(());
    }
    let rule = rules.iter().find(|r| r.priority.as_str() == row.priority);
    let (minute, now) = (60_000_000, crate::time::now_micros());
    let warn = |due: i64, met: Option<i64>| {
        let span = (due - row.created_at) / minute;
        (met.is_none() && row.deleted_at.is_none() && due > now).then(|| due - warn_minutes(rule, span) * minute)
    };
    set(conn, &row.workspace_id, SLA_RESPONSE, &row.id, warn(row.first_response_due_at, row.first_response_at))?;
    set(conn, &row.workspace_id, SLA_RESOLUTION, &row.id, warn(row.resolution_due_at, row.resolved_at))
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

/// Claims a due reminder and tells whom it concerns, in the caller's transaction. Returns how
/// many people were told; 0 when another process took it first, or the task or case no
/// longer needs it.
pub fn fire(conn: &mut DbConnection, r: &Reminder, now: i64) -> StoreResult<usize> {
    let claimed = diesel::delete(
        reminders::table
            .filter(reminders::workspace_id.eq(&r.workspace_id))
            .filter(reminders::kind.eq(&r.kind))
            .filter(reminders::subject_id.eq(&r.subject_id))
            .filter(reminders::fire_at.eq(r.fire_at)),
    )
    .execute(conn)?;
    if claimed == 0 {
        return Ok(0);
    }
    let ws = r.workspace_id.as_str();
    let actor = Actor::system();
    let (subject_type, users, kind): (&str, Vec<String>, &'static str) = match r.kind.as_str() {
        TASK_DUE => {
            let task = match crate::tasks::get(conn, ws, &r.subject_id) {
                Ok(t) => t,
                Err(StoreError::NotFound) => return Ok(0),
                Err(e) => return Err(e),
            };
            if task_fire_at(&task) != Some(r.fire_at) {
                return Ok(0);
            }
            ("task", task.owner_id.into_iter().collect(), TASK_DUE)
        }
        SLA_RESPONSE | SLA_RESOLUTION => {
            let case = match crate::cases::get(conn, ws, &r.subject_id) {
                Ok(c) => c,
                Err(StoreError::NotFound) => return Ok(0),
                Err(e) => return Err(e),
            };
            let done = CaseStatus::parse(&case.status).is_some_and(CaseStatus::is_done);
            let met = if r.kind == SLA_RESPONSE { case.first_response_at.is_some() } else { done };
            if met || case.deleted_at.is_some() {
                return Ok(0);
            }
            let users = match (&case.owner_id, &case.team_id) {
                (Some(agent), _) => vec![agent.clone()],
                (None, Some(team)) => crate::notifications::mentioned_users(conn, ws, &[("team", team.clone())])?,
                (None, None) => Vec::new(),
            };
            let kind = if r.kind == SLA_RESPONSE { SLA_RESPONSE } else { SLA_RESOLUTION };
            ("case", users, kind)
        }
        _ => return Ok(0),
    };
    let n = Notice { kind, subject_type, subject_id: &r.subject_id, detail: None, source: None, actor: &actor, at: now };
    notify(conn, ws, &users, &n)
}
