//! Tasks: follow-ups with a due date and an assignee (the task's owner), on the shared record
//! use cases ([`crate::records`]); a task's reminder follows its writes ([`crate::reminders`]).

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::{Kind, Written};
use crate::uow::UnitOfWork;
use crm_domain::access::Entity;
use crm_domain::operations::TaskDraft;
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::reach::Reach;
use crm_store::tasks::{self as repo, TaskFilter, TaskRow};
use crm_store::{DbConnection, StoreResult};

/// The tasks kind of record.
#[derive(Debug)]
pub struct Tasks;

impl Kind for Tasks {
    const ENTITY: Entity = Entity::Task;
    type Row = TaskRow;
    type Read = TaskRow;
    type Draft = TaskDraft;
    type Filter = TaskFilter;

    crate::stored_in!(crm_store::tasks);
    fn custom(row: &TaskRow) -> Option<&str> {
        Some(&row.custom)
    }

    fn row(read: &TaskRow) -> &TaskRow {
        read
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &TaskDraft) -> StoreResult<TaskRow> {
        repo::insert(conn, uow.workspace(), draft, uow.now())
    }
    fn list(conn: &mut DbConnection, caller: &Caller, reach: &Reach, filter: TaskFilter, page: &PageSpec) -> AppResult<PageOf<TaskRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
    fn after_write(conn: &mut DbConnection, _uow: &mut UnitOfWork, written: Written<'_, TaskRow>) -> AppResult<()> {
        let (Written::Created(row) | Written::Changed { after: row, .. } | Written::TrashMoved(row)) = written;
        Ok(crate::reminders::task_written(conn, row)?)
    }
}
