//! Companies: the organisations the business deals with, on the shared record use cases
//! ([`crate::records`]); a company's contact count is narrowed to the contacts the caller may
//! read.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::Kind;
use crm_domain::access::Entity;
use crm_domain::CompanyDraft;
use crm_store::access::{Reach, WriteGuard};
use crm_store::companies::{self as repo, CompanyFilter, CompanyRow, CompanyWithCount};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::record::TrashMove;
use crm_store::{DbConnection, StoreResult};
use serde_json::{Map, Value};

/// The companies kind of record.
#[derive(Debug)]
pub struct Companies;

impl Kind for Companies {
    const ENTITY: Entity = Entity::Company;
    type Row = CompanyRow;
    type Read = CompanyWithCount;
    type Draft = CompanyDraft;
    type Filter = CompanyFilter;

    fn row(read: &CompanyWithCount) -> &CompanyRow {
        &read.0
    }
    fn id(row: &CompanyRow) -> &str {
        &row.id
    }
    fn owner(read: &CompanyWithCount) -> Option<&str> {
        read.0.owner_id.as_deref()
    }
    fn draft_owner(draft: &mut CompanyDraft) -> &mut Option<String> {
        &mut draft.owner_id
    }
    fn fields(row: &CompanyRow) -> Map<String, Value> {
        repo::fields(row)
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
    fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<CompanyWithCount> {
        repo::get(conn, ws, id)
    }
    fn insert(conn: &mut DbConnection, ws: &str, draft: &CompanyDraft, now: i64) -> StoreResult<CompanyWithCount> {
        repo::insert(conn, ws, draft, now)
    }
    fn change(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        apply: impl FnOnce(&CompanyRow) -> StoreResult<CompanyDraft>,
    ) -> StoreResult<(CompanyWithCount, Vec<Value>)> {
        repo::change(conn, ws, id, expected, guard, apply)
    }
    fn trash(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        delete: bool,
    ) -> StoreResult<(CompanyWithCount, Option<TrashMove>)> {
        repo::trash(conn, ws, id, expected, guard, delete)
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
