//! Activities: calls, emails, meetings, notes and visits on every channel, on the shared record
//! use cases ([`crate::records`]). Their repository keeps their timeline items and the
//! notifications of those they mention in step, and an outbound one on a case records the
//! case's first response in the caller's name.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::{Kind, Written};
use crate::uow::{Event, UnitOfWork};
use crm_domain::access::Entity;
use crm_domain::operations::ActivityDraft;
use crm_store::activities::{self as repo, ActivityFilter, ActivityRow};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::reach::Reach;
use crm_store::{DbConnection, StoreResult};

/// The activities kind of record.
#[derive(Debug)]
pub struct Activities;

impl Kind for Activities {
    const ENTITY: Entity = Entity::Activity;
    type Row = ActivityRow;
    type Read = ActivityRow;
    type Draft = ActivityDraft;
    type Filter = ActivityFilter;

    crate::stored_in!(crm_store::activities);

    fn row(read: &ActivityRow) -> &ActivityRow {
        read
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &ActivityDraft) -> StoreResult<ActivityRow> {
        repo::insert(conn, uow.workspace(), draft, uow.now())
    }
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        reach: &Reach,
        filter: ActivityFilter,
        page: &PageSpec,
    ) -> AppResult<PageOf<ActivityRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
    fn after_write(conn: &mut DbConnection, uow: &mut UnitOfWork, written: Written<'_, ActivityRow>) -> AppResult<()> {
        let (before, after) = match written {
            Written::Created(after) => {
                if let Some(case_id) = repo::answers_case(after) {
                    crate::cases::answer(conn, uow, case_id, after.occurred_at.min(after.created_at))?;
                }
                (None, after)
            }
            Written::Changed { before, after } => (Some(before), after),
            Written::TrashMoved(after) => {
                uow.record(Event::ActivityWritten { before: None, after: Box::new(after.clone()), mentions: false });
                return Ok(());
            }
        };
        uow.record(Event::ActivityWritten { before: before.cloned().map(Box::new), after: Box::new(after.clone()), mentions: true });
        Ok(())
    }
}
