//! Work due at a time: a task's reminder (or due time) reaches its assignee, and a case's agent
//! is warned before an SLA deadline. The reminders follow the writes of tasks and cases (their
//! kinds' `after_write`, and a hand-over); the scheduler of every server process fires the due
//! ones ([`fire`]), each claimed once however many processes poll.

use crm_domain::operations::{CaseStatus, SlaRule, TaskStatus};
use crm_store::cases::CaseRow;
use crm_store::notifications::{self, Notice};
use crm_store::record::Actor;
use crm_store::reminders::{self as repo, Reminder, SLA_RESOLUTION, SLA_RESPONSE, TASK_DUE};
use crm_store::tasks::TaskRow;
use crm_store::{time, DbConnection, StoreError, StoreResult};

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
pub(crate) fn task_written(conn: &mut DbConnection, row: &TaskRow) -> StoreResult<()> {
    let fire_at = task_fire_at(row).filter(|t| *t >= time::now_micros());
    repo::set(conn, &row.workspace_id, TASK_DUE, &row.id, fire_at)
}

/// How many minutes before a deadline `span_minutes` away the agent is warned: the rule's own
/// setting, else a fifth of the time allowed, at most an hour.
pub fn warn_minutes(rule: Option<&SlaRule>, span_minutes: i64) -> i64 {
    rule.and_then(|r| r.warn_minutes).unwrap_or_else(|| (span_minutes / 5).min(60)).clamp(0, span_minutes.max(0))
}

/// Sets a new case's SLA warnings, or moves them when its deadlines moved (a new priority) or
/// it went to the trash or came back; a deadline already past gets none (it shows as
/// breached). Reads the workspace's SLA rules only when something moved.
pub(crate) fn case_written(conn: &mut DbConnection, before: Option<&CaseRow>, row: &CaseRow) -> StoreResult<()> {
    let moved = before.is_none_or(|b| {
        b.first_response_due_at != row.first_response_due_at
            || b.resolution_due_at != row.resolution_due_at
            || b.deleted_at != row.deleted_at
    });
    if !moved {
        return Ok(());
    }
    let rules = crm_store::cases::sla(conn, &row.workspace_id)?;
    let rule = rules.iter().find(|r| r.priority.as_str() == row.priority);
    let (minute, now) = (60_000_000, time::now_micros());
    let warn = |due: i64, met: Option<i64>| {
        let span = (due - row.created_at) / minute;
        (met.is_none() && row.deleted_at.is_none() && due > now).then(|| due - warn_minutes(rule, span) * minute)
    };
    repo::set(conn, &row.workspace_id, SLA_RESPONSE, &row.id, warn(row.first_response_due_at, row.first_response_at))?;
    repo::set(conn, &row.workspace_id, SLA_RESOLUTION, &row.id, warn(row.resolution_due_at, row.resolved_at))
}

/// Claims a due reminder and tells whom it concerns, in the caller's transaction. Returns how
/// many people were told; 0 when another process took it first, or the task or case no longer
/// needs it.
pub fn fire(conn: &mut DbConnection, r: &Reminder, now: i64) -> StoreResult<usize> {
    if !repo::claim(conn, r)? {
        return Ok(0);
    }
    let ws = r.workspace_id.as_str();
    let actor = Actor::system();
    let (subject_type, users, kind): (&str, Vec<String>, &'static str) = match r.kind.as_str() {
        TASK_DUE => {
            let task = match crm_store::tasks::get(conn, ws, &r.subject_id) {
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
            let case = match crm_store::cases::get(conn, ws, &r.subject_id) {
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
                (None, Some(team)) => notifications::mentioned_users(conn, ws, &[("team", team.clone())])?,
                (None, None) => Vec::new(),
            };
            let kind = if r.kind == SLA_RESPONSE { SLA_RESPONSE } else { SLA_RESOLUTION };
            ("case", users, kind)
        }
        _ => return Ok(0),
    };
    let n = Notice { kind, subject_type, subject_id: &r.subject_id, detail: None, source: None, actor: &actor, at: now };
    crate::notify::notify(conn, ws, &users, &n)
}
