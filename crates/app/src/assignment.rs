//! Hand-overs: giving a record to someone else (or to nobody), with a note the new owner is
//! told with and the audit trail keeps.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::uow::{Event, UnitOfWork};
use crm_domain::access::Entity;
use crm_store::assignment as repo;

/// Hands a record the caller may change over to `owner` (a member, or nobody), with an
/// optional note; `expected` is the version the caller saw, when they sent one. Returns the
/// record's version after it. Handing a record to its owner without a note changes nothing.
pub async fn hand_over(
    db: &Db,
    caller: &Caller,
    entity: Entity,
    id: String,
    owner: Option<String>,
    note: Option<String>,
    expected: Option<i64>,
) -> AppResult<i64> {
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| {
        let guard = caller.guard(conn, entity)?;
        let mut uow = UnitOfWork::new(&caller);
        let (version, changes) =
            repo::reassign(conn, caller.workspace(), entity, &id, owner.as_deref(), note.as_deref(), expected, &guard, uow.now())
                .map_err(AppError::not_found_as(entity))?;
        if changes.is_empty() {
            return Ok(version);
        }
        if entity == Entity::Task {
            let task = crm_store::tasks::get(conn, caller.workspace(), &id)?;
            crate::reminders::task_written(conn, &task)?;
        }
        uow.record(Event::Updated { entity, id, changes, note });
        uow.commit(conn)?;
        Ok(version)
    })
    .await
}
