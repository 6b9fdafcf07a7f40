//! Orders: what customers bought, priced per line and converted into the workspace's base
//! currency, on the shared record use cases ([`crate::records`]); a read returns the order
//! with that base currency. Shops replace an order by its external id ([`upsert`]).

use crate::caller::Caller;
use crate::db::Db;
use crate::error::AppResult;
use crate::records::{self, Kind, Shown, Written};
use crate::uow::{Event, UnitOfWork};
use crate::workspace::{self, Facts};
use crm_domain::access::Entity;
use crm_domain::commerce::OrderDraft;
use crm_domain::Currency;
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::orders::{self as repo, OrderFilter, OrderRow};
use crm_store::reach::{Reach, WriteGuard};
use crm_store::record::{Changed, TrashMove};
use crm_store::{DbConnection, StoreError, StoreResult};
use serde_json::{Map, Value};

/// The orders kind of record.
#[derive(Debug)]
pub struct Orders;

/// An order and the base currency its converted total is in.
pub type OrderInBase = (OrderRow, Currency);

impl Kind for Orders {
    const ENTITY: Entity = Entity::Order;
    type Row = OrderRow;
    type Read = OrderInBase;
    /// The order and the base currency its total is converted into.
    type Draft = (OrderDraft, Currency);
    type Filter = OrderFilter;

    fn segment(filter: &mut Self::Filter) -> &mut crm_store::listing::InSegment {
        &mut filter.segment
    }
    fn row(read: &OrderInBase) -> &OrderRow {
        &read.0
    }
    fn custom(row: &OrderRow) -> Option<&str> {
        Some(&row.custom)
    }
    fn id(row: &OrderRow) -> &str {
        &row.id
    }
    fn owner(read: &OrderInBase) -> Option<&str> {
        read.0.owner_id.as_deref()
    }
    fn draft_owner(draft: &mut (OrderDraft, Currency)) -> &mut Option<String> {
        &mut draft.0.owner_id
    }
    fn fields(row: &OrderRow) -> Map<String, Value> {
        repo::fields(row)
    }
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        reach: &Reach,
        filter: OrderFilter,
        page: &PageSpec,
    ) -> AppResult<PageOf<OrderInBase>> {
        let base = workspace::settings(conn, caller.workspace())?.base;
        let p = repo::list(conn, caller.workspace(), reach, &filter, page)?;
        Ok(PageOf { items: p.items.into_iter().map(|o| (o, base)).collect(), next_cursor: p.next_cursor, total: p.total })
    }
    fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<OrderInBase> {
        let row = repo::get(conn, ws, id)?;
        Ok((row, workspace::settings(conn, ws)?.base))
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, (draft, base): &(OrderDraft, Currency)) -> StoreResult<OrderInBase> {
        Ok((repo::insert(conn, uow.workspace(), *base, draft, uow.now())?, *base))
    }
    fn change(
        conn: &mut DbConnection,
        uow: &mut UnitOfWork,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        apply: impl FnOnce(&mut DbConnection, &OrderRow) -> StoreResult<(OrderDraft, Currency)>,
    ) -> StoreResult<Changed<OrderRow, OrderInBase>> {
        let mut base = None;
        let Changed { before, after, changes } = repo::change(conn, uow.workspace(), id, expected, guard, uow.now(), |conn, row| {
            let draft = apply(conn, row)?;
            base = Some(draft.1);
            Ok(draft)
        })?;
        // A change that succeeded applied its draft.
        let base = base.ok_or_else(|| StoreError::Corrupt("order changed without a draft".into()))?;
        Ok(Changed { before, after: (after, base), changes })
    }
    fn trash(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        delete: bool,
    ) -> StoreResult<(OrderInBase, Option<TrashMove>)> {
        let (row, moved) = repo::trash(conn, ws, id, expected, guard, delete)?;
        Ok(((row, workspace::settings(conn, ws)?.base), moved))
    }
    fn after_write(_conn: &mut DbConnection, uow: &mut UnitOfWork, written: Written<'_, OrderRow>) -> AppResult<()> {
        // What a customer's figures read of an order: a change of anything else leaves them be.
        let figures =
            |o: &OrderRow| (o.contact_id.clone(), o.status.clone(), o.deleted_at, o.ordered_at, o.base_total_e4, o.total_e4, o.cost_e4);
        let (after, before_contact, metrics) = match written {
            Written::Created(after) | Written::TrashMoved(after) => (after, None, true),
            Written::Changed { before, after } => (after, before.contact_id.clone(), figures(before) != figures(after)),
        };
        uow.record(Event::OrderWritten { order: Box::new(after.clone()), before_contact, metrics });
        Ok(())
    }
}

/// Creates the order with this external id, or replaces it (taking it out of the trash first):
/// what a shop sends on every change of an order. `parse` makes the draft and names the
/// workspace's base currency, given the stored order (to keep what a replacement leaves out)
/// and the write's facts. Returns the order as the caller sees it and whether it was created.
pub async fn upsert<F>(db: &Db, caller: &Caller, external_id: String, parse: F) -> AppResult<(Shown<OrderInBase>, bool)>
where
    F: FnOnce(Option<&OrderRow>, &mut Facts<'_>) -> AppResult<(OrderDraft, Currency)> + Send + 'static,
{
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| match repo::by_external_id(conn, caller.workspace(), &external_id)? {
        None => Ok((records::create_in::<Orders>(conn, &caller, |facts| parse(None, facts))?, true)),
        Some(existing) => {
            if existing.deleted_at.is_some() {
                records::set_deleted_in::<Orders>(conn, &caller, &existing.id, None, false)?;
            }
            let replaced = records::update_in::<Orders>(conn, &caller, &existing.id, None, |_, facts| parse(Some(&existing), facts))?;
            Ok((replaced, false))
        }
    })
    .await
}
