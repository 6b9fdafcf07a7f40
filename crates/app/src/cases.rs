//! Service cases on the shared record use cases ([`crate::records`]): a case's assignee is its
//! owner; its opening, status moves, first response and rating go on its own and its
//! customer's timelines as [`Event::CaseMoved`]. A case opened without an agent (by an API key)
//! goes where the workspace's assignment rule for cases sends it.

use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::records::{Kind, Written};
use crate::uow::{Event, UnitOfWork};
use crm_domain::access::Entity;
use crm_domain::operations::CaseDraft;
use crm_store::cases::{self as repo, CaseFilter, CaseRow};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::reach::Reach;
use crm_store::record::Changed;
use crm_store::{DbConnection, StoreResult};

/// The cases kind of record.
#[derive(Debug)]
pub struct Cases;

impl Kind for Cases {
    const ENTITY: Entity = Entity::Case;
    type Row = CaseRow;
    type Read = CaseRow;
    type Draft = CaseDraft;
    type Filter = CaseFilter;

    crate::stored_in!(crm_store::cases);
    fn custom(row: &CaseRow) -> Option<&str> {
        Some(&row.custom)
    }

    fn row(read: &CaseRow) -> &CaseRow {
        read
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &CaseDraft) -> StoreResult<CaseRow> {
        // No agent named: the assignment rule of the case's team (or the first rule) chooses.
        if draft.owner_id.is_none() {
            let mut facts = vec![("priority", draft.priority.as_str()), ("channel", draft.channel.as_str())];
            let segments = match draft.contact_id.as_deref() {
                Some(contact) => {
                    let named = crate::assignment::named_segments(conn, uow.workspace(), "case").map_err(AppError::into_store)?;
                    crate::segments::member_of_which(conn, uow.workspace(), contact, &named).map_err(AppError::into_store)?
                }
                None => Vec::new(),
            };
            facts.extend(segments.iter().map(|s| ("segment", s.as_str())));
            if let Some((agent, team)) = crm_store::assignment::pick(conn, uow.workspace(), "case", draft.team_id.as_deref(), &|c| {
                crate::assignment::meets(c, &facts, draft.custom.as_ref())
            })? {
                let assigned = CaseDraft { owner_id: Some(agent), team_id: Some(team), ..draft.clone() };
                return repo::insert(conn, uow.workspace(), &assigned, uow.now());
            }
        }
        repo::insert(conn, uow.workspace(), draft, uow.now())
    }
    fn list(conn: &mut DbConnection, caller: &Caller, reach: &Reach, filter: CaseFilter, page: &PageSpec) -> AppResult<PageOf<CaseRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
    fn after_write(conn: &mut DbConnection, uow: &mut UnitOfWork, written: Written<'_, CaseRow>) -> AppResult<()> {
        let (before, after) = match written {
            Written::Created(after) => (None, after),
            Written::Changed { before, after } => (Some(before), after),
            Written::TrashMoved(after) => {
                crate::reminders::case_written(conn, None, after)?;
                return Ok(());
            }
        };
        crate::reminders::case_written(conn, before, after)?;
        uow.record(Event::CaseMoved { before: before.cloned().map(Box::new), after: Box::new(after.clone()) });
        Ok(())
    }
}

/// An outbound activity logged on a case at `at` answers it: the case's first response,
/// unless it was answered before.
pub(crate) fn answer(conn: &mut DbConnection, uow: &mut UnitOfWork, id: &str, at: i64) -> AppResult<()> {
    if let Some(Changed { before, after, changes }) = repo::first_response(conn, uow.workspace(), id, at, uow.now())? {
        uow.record(Event::Updated { entity: Entity::Case, id: id.to_owned(), changes, note: None });
        uow.record(Event::CaseMoved { before: Some(Box::new(before)), after: Box::new(after) });
    }
    Ok(())
}
