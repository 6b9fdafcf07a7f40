//! Tasks: follow-ups with a due date and an assignee (the task's owner), on the shared record
//! use cases ([`crate::records`]); a task's reminder is kept in step by its repository.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::Kind;
use crm_domain::access::Entity;
use crm_domain::operations::TaskDraft;
use crm_store::access::{Reach, WriteGuard};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::record::TrashMove;
use crm_store::tasks::{self as repo, TaskFilter, TaskRow};
use crm_store::{DbConnection, StoreResult};
use serde_json::{Map, Value};

/// The tasks kind of record.
#[derive(Debug)]
pub struct Tasks;

impl Kind for Tasks {
    const ENTITY: Entity = Entity::Task;
    type Row = TaskRow;
    type Read = TaskRow;
    type Draft = TaskDraft;
    type Filter = TaskFilter;

    fn row(read: &TaskRow) -> &TaskRow {
        read
    }
    fn id(row: &TaskRow) -> &str {
        &row.id
    }
    fn owner(read: &TaskRow) -> Option<&str> {
        read.owner_id.as_deref()
    }
    fn draft_owner(draft: &mut TaskDraft) -> &mut Option<String> {
        &mut draft.owner_id
    }
    fn fields(row: &TaskRow) -> Map<String, Value> {
        repo::fields(row)
    }
    fn list(conn: &mut DbConnection, caller: &Caller, reach: &Reach, filter: TaskFilter, page: &PageSpec) -> AppResult<PageOf<TaskRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
    fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<TaskRow> {
        repo::get(conn, ws, id)
    }
    fn insert(conn: &mut DbConnection, ws: &str, draft: &TaskDraft, now: i64) -> StoreResult<TaskRow> {
        repo::insert(conn, ws, draft, now)
    }
    fn change(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        apply: impl FnOnce(&TaskRow) -> StoreResult<TaskDraft>,
    ) -> StoreResult<(TaskRow, Vec<Value>)> {
        repo::change(conn, ws, id, expected, guard, apply)
    }
    fn trash(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        delete: bool,
    ) -> StoreResult<(TaskRow, Option<TrashMove>)> {
        repo::trash(conn, ws, id, expected, guard, delete)
    }
}
