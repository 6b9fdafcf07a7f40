//! Leads: people and companies that showed interest, before they are qualified, on the shared
//! record use cases ([`crate::records`]). A lead created without an owner (an API key) goes
//! where the workspace's assignment rule for leads sends it.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::Kind;
use crm_domain::access::Entity;
use crm_domain::operations::LeadDraft;
use crm_store::access::{Reach, WriteGuard};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::leads::{self as repo, LeadFilter, LeadRow};
use crm_store::record::TrashMove;
use crm_store::{DbConnection, StoreResult};
use serde_json::{Map, Value};

/// The leads kind of record.
#[derive(Debug)]
pub struct Leads;

impl Kind for Leads {
    const ENTITY: Entity = Entity::Lead;
    type Row = LeadRow;
    type Read = LeadRow;
    type Draft = LeadDraft;
    type Filter = LeadFilter;

    fn row(read: &LeadRow) -> &LeadRow {
        read
    }
    fn id(row: &LeadRow) -> &str {
        &row.id
    }
    fn owner(read: &LeadRow) -> Option<&str> {
        read.owner_id.as_deref()
    }
    fn draft_owner(draft: &mut LeadDraft) -> &mut Option<String> {
        &mut draft.owner_id
    }
    fn fields(row: &LeadRow) -> Map<String, Value> {
        repo::fields(row)
    }
    fn list(conn: &mut DbConnection, caller: &Caller, reach: &Reach, filter: LeadFilter, page: &PageSpec) -> AppResult<PageOf<LeadRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
    fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<LeadRow> {
        repo::get(conn, ws, id)
    }
    fn insert(conn: &mut DbConnection, ws: &str, draft: &LeadDraft, now: i64) -> StoreResult<LeadRow> {
        repo::insert(conn, ws, draft, None, now)
    }
    fn change(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        apply: impl FnOnce(&LeadRow) -> StoreResult<LeadDraft>,
    ) -> StoreResult<(LeadRow, Vec<Value>)> {
        repo::change(conn, ws, id, expected, guard, apply)
    }
    fn trash(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        delete: bool,
    ) -> StoreResult<(LeadRow, Option<TrashMove>)> {
        repo::trash(conn, ws, id, expected, guard, delete)
    }
}
