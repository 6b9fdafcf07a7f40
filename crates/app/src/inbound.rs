//! Events other systems post about a customer (an order placed in a shop, a page visited, a
//! form submitted, an email opened or replied to): kept once per source and event id, and
//! placed on the customer's timelines.

use crm_store::inbound::{self as repo, InboundRow};
use crm_store::record::Actor;
use crm_store::{DbConnection, StoreResult};
use serde_json::Value;

/// Keeps the event and places it on its contact's and company's timelines, in the caller's
/// transaction; `data` is what the timeline item shows. Fails with `duplicate_event` when it
/// was received already.
pub fn record(conn: &mut DbConnection, row: &InboundRow, actor: &Actor, data: Value) -> StoreResult<()> {
    repo::insert(conn, row)?;
    let channel = repo::channel(&row.event_type);
    crate::timeline::inbound_event(
        conn,
        &row.workspace_id,
        &row.contact_id,
        row.company_id.as_deref(),
        &row.id,
        channel,
        row.occurred_at,
        actor,
        data,
    )
}
