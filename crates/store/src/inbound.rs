//! Events other systems post about a customer (an order placed in a shop, a page visited, a
//! form submitted, an email opened or replied to), kept once per source and event id (the
//! inbound use case places them on the customer's timeline).

use crate::schema::{contacts, inbound_events};
use crate::{DbConnection, StoreError, StoreResult};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = inbound_events, treat_none_as_default_value = false)]
pub struct InboundRow {
    pub workspace_id: String,
    pub source: String,
    pub event_id: String,
    pub id: String,
    pub event_type: String,
    pub contact_id: String,
    pub company_id: Option<String>,
    pub occurred_at: i64,
    pub received_at: i64,
    pub body: String,
}

/// The event already received from `source` with this id.
pub fn find(conn: &mut DbConnection, ws: &str, source: &str, event_id: &str) -> StoreResult<Option<InboundRow>> {
    Ok(inbound_events::table
        .filter(inbound_events::workspace_id.eq(ws))
        .filter(inbound_events::source.eq(source))
        .filter(inbound_events::event_id.eq(event_id))
        .select(InboundRow::as_select())
        .first(conn)
        .optional()?)
}

/// A live contact by id, with its company.
pub fn live_contact(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Option<(String, Option<String>)>> {
    Ok(contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::id.eq(id))
        .filter(contacts::deleted_at.is_null())
        .select((contacts::id, contacts::company_id))
        .first(conn)
        .optional()?)
}

/// The timeline channel an event type belongs to.
pub fn channel(event_type: &str) -> Option<&'static str> {
    if event_type.starts_with("email_") {
        Some("email")
    } else if event_type.starts_with("page_") || event_type.starts_with("form_") {
        Some("web_visit")
    } else if event_type.starts_with("order_") || event_type.starts_with("cart_") {
        Some("online")
    } else {
        None
    }
}

/// Keeps the event: fails with `duplicate_event` when it was received already.
pub fn insert(conn: &mut DbConnection, row: &InboundRow) -> StoreResult<()> {
    diesel::insert_into(inbound_events::table).values(row).execute(conn).map_err(|e| {
        let e = StoreError::from(e);
        if e.is_unique_violation() {
            StoreError::Conflict { code: "duplicate_event", message: "this event was received already".into(), field: Some("id".into()) }
        } else {
            e
        }
    })?;
    Ok(())
}
