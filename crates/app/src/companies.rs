//! Companies: the organisations the business deals with, on the shared record use cases
//! ([`crate::records`]); a company's contact count is narrowed to the contacts the caller may
//! read.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::{Kind, Written};
use crate::uow::UnitOfWork;
use crm_domain::access::Entity;
use crm_domain::CompanyDraft;
use crm_store::companies::{self as repo, CompanyFilter, CompanyRow, CompanyWithCount};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::reach::Reach;
use crm_store::{DbConnection, StoreResult};

/// The companies kind of record.
#[derive(Debug)]
pub struct Companies;

impl Kind for Companies {
    const ENTITY: Entity = Entity::Company;
    type Row = CompanyRow;
    type Read = CompanyWithCount;
    type Draft = CompanyDraft;
    type Filter = CompanyFilter;

    crate::stored_in!(crm_store::companies);
    fn custom(row: &CompanyRow) -> Option<&str> {
        Some(&row.custom)
    }

    fn row(read: &CompanyWithCount) -> &CompanyRow {
        &read.0
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &CompanyDraft) -> StoreResult<CompanyWithCount> {
        repo::insert(conn, uow.workspace(), draft, uow.now())
    }
    /// Each company counts the contacts the caller may read.
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        reach: &Reach,
        filter: CompanyFilter,
        page: &PageSpec,
    ) -> AppResult<PageOf<CompanyWithCount>> {
        let contacts = caller.reach(conn, Entity::Contact)?;
        Ok(repo::list(conn, caller.workspace(), reach, &contacts, &filter, page)?)
    }
    /// A renamed company's contacts are found by its new name.
    fn after_write(conn: &mut DbConnection, uow: &mut UnitOfWork, written: Written<'_, CompanyRow>) -> AppResult<()> {
        if let Written::Changed { before, after } = written {
            if before.name != after.name {
                crm_store::contacts::refresh_company_name(conn, uow.workspace(), &after.id, &before.name, &after.name)?;
            }
        }
        Ok(())
    }
    fn seen(conn: &mut DbConnection, caller: &Caller, read: CompanyWithCount) -> AppResult<CompanyWithCount> {
        let contacts = caller.reach(conn, Entity::Contact)?;
        counted_within(conn, caller.workspace(), &contacts, read)
    }
}

/// The company with its contact count narrowed to the contacts `contacts` reaches.
pub fn counted_within(conn: &mut DbConnection, ws: &str, contacts: &Reach, (row, n): CompanyWithCount) -> AppResult<CompanyWithCount> {
    let n = if contacts.owners().is_some() { repo::contact_count(conn, ws, &row.id, contacts)? } else { n };
    Ok((row, n))
}
