//! Deals: opportunities moving through a pipeline's stages, on the shared record use cases
//! ([`crate::records`]). A deal read carries its company's name. Entering a stage (a new deal
//! enters its first) is a stay in the deal's stage history and an
//! [`Event::DealStageChanged`]: the stage change on its own and its company's timelines and
//! the `deal.stage_changed`, `deal.won` and `deal.lost` webhook events.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::Kind;
use crate::uow::{Event, UnitOfWork};
use crm_domain::access::Entity;
use crm_domain::deals::DealDraft;
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::deals::{self as repo, DealFilter, DealRow, DealWithCompany};
use crm_store::reach::{Reach, WriteGuard};
use crm_store::record::{Changed, TrashMove};
use crm_store::{DbConnection, StoreResult};
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

    fn segment(filter: &mut Self::Filter) -> &mut crm_store::listing::InSegment {
        &mut filter.segment
    }
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
    fn custom((row, _): &DealWithCompany) -> Option<&str> {
        Some(&row.custom)
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
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &DealDraft) -> StoreResult<DealWithCompany> {
        let (deal, stage_name) = repo::insert(conn, uow.workspace(), draft, uow.now())?;
        entered(conn, uow, None, &deal.0, stage_name)?;
        Ok(deal)
    }
    fn change(
        conn: &mut DbConnection,
        uow: &mut UnitOfWork,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        apply: impl FnOnce(&mut DbConnection, &DealWithCompany) -> StoreResult<DealDraft>,
    ) -> StoreResult<Changed<DealWithCompany>> {
        let (changed, stage_name, listeners) = repo::change(conn, uow.workspace(), id, expected, guard, uow.now(), apply)?;
        // Nobody listening: the commit reads no subscriptions or followers for it.
        if !listeners.subscribed {
            crm_store::webhooks::known_unsubscribed(uow.workspace());
        }
        if !listeners.followed {
            let deal = &changed.before.0;
            crm_store::notifications::known_unfollowed(std::iter::once(deal.id.clone()).chain(deal.company_id.clone()));
        }
        if let Some(stage_name) = stage_name {
            entered(conn, uow, Some(&changed.before.0), &changed.after.0, stage_name)?;
        }
        Ok(changed)
    }
    fn trash(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        delete: bool,
    ) -> StoreResult<(DealWithCompany, Option<TrashMove>)> {
        repo::trash(conn, ws, id, expected, guard, delete)
    }
}

/// A deal entered a stage (`before` none: a new deal its first): its stay in the stage
/// history, by the unit of work's actor, and the event that tells it.
fn entered(
    conn: &mut DbConnection,
    uow: &mut UnitOfWork,
    before: Option<&DealRow>,
    after: &DealRow,
    stage_name: String,
) -> StoreResult<()> {
    repo::enter_stage(conn, uow.workspace(), before, after, uow.actor(), after.updated_at)?;
    uow.record(Event::DealStageChanged { before: before.cloned().map(Box::new), after: Box::new(after.clone()), stage_name });
    Ok(())
}
