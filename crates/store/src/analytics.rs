//! What the analytical models read and keep: each customer's revenue orders (in the base
//! currency), the service they took (cases, timed activities) and the workspace's last
//! customer-lifetime-value fit.

use crate::schema::{activities, activity_participants, cases, clv_fits, orders};
use crate::{DbConnection, StoreResult};
use crm_domain::commerce::OrderStatus;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

fn revenue_statuses() -> Vec<&'static str> {
    OrderStatus::ALL.iter().filter(|s| s.is_revenue()).map(|s| s.as_str()).collect()
}

/// Where a page of purchases ends: the last row's contact, time and order id.
pub type PurchaseKey = (String, i64, String);

/// A purchase as the models read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    pub contact_id: String,
    pub ordered_at: i64,
    pub id: String,
    /// The total in the base currency, ×10⁴.
    pub base_total_e4: i64,
    /// The total and the cost of its lines in the order's currency (no cost when a line has none).
    pub total_e4: i64,
    pub cost_e4: Option<i64>,
}

impl Purchase {
    /// The cost in the base currency, at the order's own rate (its base total over its total);
    /// `None` when a line has no cost, or the order has a cost and no total to convert it by.
    pub fn base_cost_e4(&self) -> Option<i64> {
        let cost = self.cost_e4?;
        if cost == 0 {
            return Some(0);
        }
        (self.total_e4 != 0).then(|| (cost as f64 * self.base_total_e4 as f64 / self.total_e4 as f64).round() as i64)
    }
}

/// A purchase as loaded (an order's contact may be none; those are left out).
type PurchaseTuple = (Option<String>, i64, String, i64, i64, Option<i64>);
type PurchaseColumns = (orders::contact_id, orders::ordered_at, orders::id, orders::base_total_e4, orders::total_e4, orders::cost_e4);
const PURCHASE: PurchaseColumns =
    (orders::contact_id, orders::ordered_at, orders::id, orders::base_total_e4, orders::total_e4, orders::cost_e4);

/// Up to `limit` of the workspace's live revenue orders (placed, paid or fulfilled) that name a
/// contact, after `after`, in the order of contact, time and order id (along `orders_contact`):
/// the fit reads them a page at a time, one customer after another, rather than all at once.
pub fn purchase_page(conn: &mut DbConnection, ws: &str, after: Option<&PurchaseKey>, limit: i64) -> StoreResult<Vec<Purchase>> {
    let mut q = orders::table
        .filter(orders::workspace_id.eq(ws))
        .filter(orders::deleted_at.is_null())
        .filter(orders::contact_id.is_not_null())
        .filter(orders::status.eq_any(revenue_statuses()))
        .select(PURCHASE)
        .order_by((orders::contact_id, orders::ordered_at, orders::id))
        .limit(limit)
        .into_boxed();
    if let Some((contact, at, id)) = after {
        // `contact_id >= c` first: the index range starts there (an OR alone scans from the start).
        q = q.filter(orders::contact_id.ge(contact.clone())).filter(
            orders::contact_id.gt(contact.clone()).or(orders::contact_id
                .eq(contact.clone())
                .and(orders::ordered_at.gt(*at).or(orders::ordered_at.eq(*at).and(orders::id.gt(id.clone()))))),
        );
    }
    let rows: Vec<PurchaseTuple> = q.load(conn)?;
    Ok(rows.into_iter().filter_map(purchase).collect())
}

fn purchase(
    (contact, ordered_at, id, base_total_e4, total_e4, cost_e4): (Option<String>, i64, String, i64, i64, Option<i64>),
) -> Option<Purchase> {
    Some(Purchase { contact_id: contact?, ordered_at, id, base_total_e4, total_e4, cost_e4 })
}

/// One contact's live revenue orders, oldest first.
pub fn purchases_of(conn: &mut DbConnection, ws: &str, contact_id: &str) -> StoreResult<Vec<Purchase>> {
    let rows: Vec<PurchaseTuple> = orders::table
        .filter(orders::workspace_id.eq(ws))
        .filter(orders::contact_id.eq(contact_id))
        .filter(orders::deleted_at.is_null())
        .filter(orders::status.eq_any(revenue_statuses()))
        .select(PURCHASE)
        .order_by((orders::ordered_at, orders::id))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(purchase).collect())
}

/// Orders' contacts whose orders were written at or after `since` (microseconds): those a full
/// recompute that read before then must read again.
pub fn customers_written_since(conn: &mut DbConnection, ws: &str, since: i64) -> StoreResult<Vec<String>> {
    let ids: Vec<Option<String>> = orders::table
        .filter(orders::workspace_id.eq(ws))
        .filter(orders::updated_at.ge(since))
        .filter(orders::contact_id.is_not_null())
        .select(orders::contact_id)
        .distinct()
        .load(conn)?;
    Ok(ids.into_iter().flatten().collect())
}

/// Keeps `body` (the fit as the API shows it) as the workspace's fit, in place of the last: one
/// upsert, so two fits kept at once on PostgreSQL do not both insert.
pub fn save_clv_fit(conn: &mut DbConnection, ws: &str, body: &str, at: i64) -> StoreResult<()> {
    let p = if crate::db::is_pg(conn) { ["$1", "$2", "$3"] } else { ["?", "?", "?"] };
    let sql = format!(
        "INSERT INTO clv_fits (workspace_id, fitted_at, body) VALUES ({}, {}, {}) \
         ON CONFLICT (workspace_id) DO UPDATE SET fitted_at = excluded.fitted_at, body = excluded.body",
        p[0], p[1], p[2]
    );
    diesel::sql_query(sql).bind::<Text, _>(ws).bind::<BigInt, _>(at).bind::<Text, _>(body).execute(conn)?;
    Ok(())
}

/// The workspace's last fit, as kept.
pub fn clv_fit(conn: &mut DbConnection, ws: &str) -> StoreResult<Option<String>> {
    Ok(clv_fits::table.filter(clv_fits::workspace_id.eq(ws)).select(clv_fits::body).first(conn).optional()?)
}

/// When each of a contact's live cases was opened, oldest first.
pub fn cases_of(conn: &mut DbConnection, ws: &str, contact_id: &str) -> StoreResult<Vec<i64>> {
    Ok(cases::table
        .filter(cases::workspace_id.eq(ws))
        .filter(cases::contact_id.eq(contact_id))
        .filter(cases::deleted_at.is_null())
        .select(cases::created_at)
        .order_by(cases::created_at)
        .load(conn)?)
}

/// A timed activity with a contact: when, how long, and with how many contacts in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedActivity {
    pub occurred_at: i64,
    pub duration_seconds: i64,
    pub contacts: i64,
}

/// A contact's live activities that took time (a duration above zero), oldest first, each with
/// the number of contacts it was with.
pub fn timed_activities_of(conn: &mut DbConnection, ws: &str, contact_id: &str) -> StoreResult<Vec<TimedActivity>> {
    let rows: Vec<(String, i64, Option<i64>)> = activity_participants::table
        .inner_join(activities::table.on(activities::id.eq(activity_participants::activity_id)))
        .filter(activity_participants::workspace_id.eq(ws))
        .filter(activity_participants::kind.eq("contact"))
        .filter(activity_participants::participant_id.eq(contact_id))
        .filter(activities::deleted_at.is_null())
        .filter(activities::duration_seconds.gt(0))
        .select((activities::id, activities::occurred_at, activities::duration_seconds))
        .order_by(activities::occurred_at)
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // How many contacts each was with, a thousand activities a query (bound parameters are
    // limited).
    let mut shared = std::collections::HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(1000) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.0.as_str()).collect();
        let counted: Vec<(String, i64)> = activity_participants::table
            .filter(activity_participants::workspace_id.eq(ws))
            .filter(activity_participants::activity_id.eq_any(ids))
            .filter(activity_participants::kind.eq("contact"))
            .group_by(activity_participants::activity_id)
            .select((activity_participants::activity_id, diesel::dsl::count_star()))
            .load(conn)?;
        shared.extend(counted);
    }
    Ok(rows
        .into_iter()
        .map(|(id, occurred_at, duration)| TimedActivity {
            occurred_at,
            duration_seconds: duration.unwrap_or(0),
            contacts: shared.get(&id).map_or(1, |n| (*n).max(1)),
        })
        .collect())
}
