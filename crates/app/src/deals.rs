//! Deals: opportunities moving through a pipeline's stages, on the shared record use cases
//! ([`crate::records`]). A deal read carries its company's name. Entering a stage (a new deal
//! enters its first) is a stay in the deal's stage history and an
//! [`Event::DealStageChanged`]: the stage change on its own and its company's timelines and
//! the `deal.stage_changed`, `deal.won` and `deal.lost` webhook events.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::{Kind, Written};
use crate::uow::{Event, UnitOfWork};
use crate::workspace::Settings;
use crm_domain::access::Entity;
use crm_domain::deals::DealDraft;
use crm_store::access::Reach;
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::deals::{self as repo, DealFilter, DealWithCompany};
use crm_store::{pipelines, DbConnection, StoreResult};
use serde_json::{Map, Value};

/// The deals kind of record.
#[derive(Debug)]
pub struct Deals;

impl Kind for Deals {
    const ENTITY: Entity = Entity::Deal;
    type Row = DealWithCompany;
    type Read = DealWithCompany;
    type Draft = DealDraft;
    type Filter = DealFilter;

    fn row(read: &DealWithCompany) -> &DealWithCompany {
        read
    }
    fn id((row, _): &DealWithCompany) -> &str {
        &row.id
    }
    fn owner((row, _): &DealWithCompany) -> Option<&str> {
        row.owner_id.as_deref()
    }
    fn draft_owner(draft: &mut DealDraft) -> &mut Option<String> {
        &mut draft.owner_id
    }
    fn fields((row, _): &DealWithCompany) -> Map<String, Value> {
        repo::fields(row)
    }
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        reach: &Reach,
        filter: DealFilter,
        page: &PageSpec,
    ) -> AppResult<PageOf<DealWithCompany>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
    fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<DealWithCompany> {
        repo::get(conn, ws, id)
    }
    fn insert(conn: &mut DbConnection, ws: &str, _settings: &Settings, draft: &DealDraft, now: i64) -> StoreResult<DealWithCompany> {
        repo::insert(conn, ws, draft, now)
    }
    fn change(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &crm_store::access::WriteGuard,
        apply: impl FnOnce(&mut DbConnection, &DealWithCompany) -> StoreResult<DealDraft>,
    ) -> StoreResult<crm_store::record::Changed<DealWithCompany>> {
        repo::change(conn, ws, id, expected, guard, apply)
    }
    fn trash(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &crm_store::access::WriteGuard,
        delete: bool,
    ) -> StoreResult<(DealWithCompany, Option<crm_store::record::TrashMove>)> {
        repo::trash(conn, ws, id, expected, guard, delete)
    }
    fn after_write(conn: &mut DbConnection, uow: &mut UnitOfWork, written: Written<'_, DealWithCompany>) -> AppResult<()> {
        let (before, (after, _)) = match written {
            Written::Created(after) => (None, after),
            Written::Changed { before: (before, _), after } if before.stage_id != after.0.stage_id => (Some(before), after),
            Written::Changed { .. } | Written::Trashed(_) => return Ok(()),
        };
        let ws = uow.workspace().to_owned();
        repo::enter_stage(conn, &ws, before, after, uow.actor(), after.updated_at)?;
        let stage_name = pipelines::stage_name(conn, &ws, &after.pipeline_id, &after.stage_id)?;
        uow.record(Event::DealStageChanged { before: before.cloned().map(Box::new), after: Box::new(after.clone()), stage_name });
        Ok(())
    }
}
