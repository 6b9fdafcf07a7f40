//! Service cases on the shared record use cases ([`crate::records`]): a case's assignee is its
//! owner; its opening, status moves, first response and rating go on its own and its
//! customer's timelines as [`Event::CaseMoved`]. A case opened without an agent (by an API key)
//! goes where the workspace's assignment rule for cases sends it.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::Kind;
use crate::uow::{Event, UnitOfWork};
use crm_domain::access::Entity;
use crm_domain::operations::CaseDraft;
use crm_store::access::Reach;
use crm_store::audit::Actor;
use crm_store::cases::{self as repo, CaseFilter, CaseRow};
use crm_store::cursor::{PageOf, PageSpec};
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

    fn row(read: &CaseRow) -> &CaseRow {
        read
    }
    fn insert(conn: &mut DbConnection, ws: &str, draft: &CaseDraft, _actor: &Actor, now: i64) -> StoreResult<CaseRow> {
        repo::insert(conn, ws, draft, now)
    }
    fn list(conn: &mut DbConnection, caller: &Caller, reach: &Reach, filter: CaseFilter, page: &PageSpec) -> AppResult<PageOf<CaseRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
    fn events(uow: &mut UnitOfWork, before: Option<&CaseRow>, after: &CaseRow) {
        uow.record(Event::CaseMoved { before: before.cloned().map(Box::new), after: Box::new(after.clone()) });
    }
}
