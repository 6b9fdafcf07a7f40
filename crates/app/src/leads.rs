//! Leads: people and companies that showed interest, before they are qualified, on the shared
//! record use cases ([`crate::records`]). A lead created without an owner (by an API key) goes
//! where the workspace's assignment rule for leads sends it.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::Kind;
use crate::uow::UnitOfWork;
use crm_domain::access::Entity;
use crm_domain::operations::LeadDraft;
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::leads::{self as repo, LeadFilter, LeadRow};
use crm_store::reach::Reach;
use crm_store::{DbConnection, StoreResult};

/// The leads kind of record.
#[derive(Debug)]
pub struct Leads;

impl Kind for Leads {
    const ENTITY: Entity = Entity::Lead;
    type Row = LeadRow;
    type Read = LeadRow;
    type Draft = LeadDraft;
    type Filter = LeadFilter;

    crate::stored_in!(crm_store::leads);

    fn row(read: &LeadRow) -> &LeadRow {
        read
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &LeadDraft, now: i64) -> StoreResult<LeadRow> {
        repo::insert(conn, uow.workspace(), draft, None, now)
    }
    fn list(conn: &mut DbConnection, caller: &Caller, reach: &Reach, filter: LeadFilter, page: &PageSpec) -> AppResult<PageOf<LeadRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
}
