//! What the analytical models read and keep: each customer's revenue orders (in the base
//! currency) and the workspace's last customer-lifetime-value fit.

use crate::schema::{clv_fits, orders};
use crate::{DbConnection, StoreResult};
use crm_domain::commerce::OrderStatus;
use diesel::prelude::*;

fn revenue_statuses() -> Vec<&'static str> {
    OrderStatus::ALL.iter().filter(|s| s.is_revenue()).map(|s| s.as_str()).collect()
}

/// Every live revenue order (placed, paid or fulfilled) of the workspace that names a contact,
/// as (contact id, ordered at, total in the base currency ×10⁴).
pub fn purchases(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<(String, i64, i64)>> {
    let rows: Vec<(Option<String>, i64, i64)> = orders::table
        .filter(orders::workspace_id.eq(ws))
        .filter(orders::deleted_at.is_null())
        .filter(orders::contact_id.is_not_null())
        .filter(orders::status.eq_any(revenue_statuses()))
        .select((orders::contact_id, orders::ordered_at, orders::base_total_e4))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(c, at, total)| Some((c?, at, total))).collect())
}

/// One contact's live revenue orders, as (ordered at, total in the base currency ×10⁴).
pub fn purchases_of(conn: &mut DbConnection, ws: &str, contact_id: &str) -> StoreResult<Vec<(i64, i64)>> {
    Ok(orders::table
        .filter(orders::workspace_id.eq(ws))
        .filter(orders::contact_id.eq(contact_id))
        .filter(orders::deleted_at.is_null())
        .filter(orders::status.eq_any(revenue_statuses()))
        .select((orders::ordered_at, orders::base_total_e4))
        .load(conn)?)
}

/// Keeps `body` (the fit as the API shows it) as the workspace's fit, in place of the last.
pub fn save_clv_fit(conn: &mut DbConnection, ws: &str, body: &str, at: i64) -> StoreResult<()> {
    diesel::delete(clv_fits::table.filter(clv_fits::workspace_id.eq(ws))).execute(conn)?;
    diesel::insert_into(clv_fits::table)
        .values((clv_fits::workspace_id.eq(ws), clv_fits::fitted_at.eq(at), clv_fits::body.eq(body)))
        .execute(conn)?;
    Ok(())
}

/// The workspace's last fit, as kept.
pub fn clv_fit(conn: &mut DbConnection, ws: &str) -> StoreResult<Option<String>> {
    Ok(clv_fits::table.filter(clv_fits::workspace_id.eq(ws)).select(clv_fits::body).first(conn).optional()?)
}
