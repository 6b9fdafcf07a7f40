//! Each customer's figures (`customer_metrics`) and the workspace's analytical state
//! (`analytics_state`: the RFM cut points in use, when metrics were last recomputed, the prices
//! of service).

use crate::reach::Reach;
use crate::schema::{analytics_state, contacts, customer_metrics, rfm_cells};
use crate::{DbConnection, StoreResult};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{Double, Nullable};

/// One customer's figures, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = customer_metrics, treat_none_as_default_value = false)]
pub struct MetricsRow {
    pub workspace_id: String,
    pub contact_id: String,
    pub first_purchase_at: i64,
    pub last_purchase_at: i64,
    pub orders: i64,
    /// In the base currency, ×10⁴.
    pub revenue_e4: i64,
    /// Revenue and cost of the orders whose every line has a cost.
    pub costed_revenue_e4: i64,
    pub cost_e4: i64,
    pub orders_without_cost: i64,
    pub recency_score: Option<i32>,
    pub frequency_score: Option<i32>,
    pub monetary_score: Option<i32>,
    pub rfm_group: Option<String>,
    pub updated_at: i64,
}

/// Forgets every customer's figures of the workspace (before a full recompute writes them).
pub fn clear(conn: &mut DbConnection, ws: &str) -> StoreResult<()> {
    diesel::delete(customer_metrics::table.filter(customer_metrics::workspace_id.eq(ws))).execute(conn)?;
    Ok(())
}

/// Adds customers' figures, in statements of 500 rows.
pub fn append(conn: &mut DbConnection, rows: &[MetricsRow]) -> StoreResult<usize> {
    Ok(crate::db::insert_rows!(conn, customer_metrics::table, rows, 500))
}

/// Keeps one customer's figures: in place of the last, or none when they no longer bought.
pub fn put(conn: &mut DbConnection, ws: &str, contact_id: &str, row: Option<&MetricsRow>) -> StoreResult<()> {
    let Some(row) = row else {
        diesel::delete(
            customer_metrics::table.filter(customer_metrics::workspace_id.eq(ws)).filter(customer_metrics::contact_id.eq(contact_id)),
        )
        .execute(conn)?;
        return Ok(());
    };
    // An upsert: the first figures of a customer written by two orders at once do not collide
    // (the application also locks the customer, so the later write reads both orders).
    let key = (customer_metrics::workspace_id, customer_metrics::contact_id);
    crate::db::per_backend!(conn, |c| diesel::insert_into(customer_metrics::table)
        .values(row)
        .on_conflict(key)
        .do_update()
        .set(row)
        .execute(c)?);
    Ok(())
}

/// One cell of the RFM grid: the customers with these recency and frequency scores, how many,
/// and their revenue.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub recency: i32,
    pub frequency: i32,
    pub customers: i64,
    /// A sum over many customers, which may pass what 64-bit integers hold (in rials ×10⁴).
    pub revenue_e4: f64,
}

/// The RFM grid over the customers in reach (live contacts the caller may read): a cell per
/// recency and frequency score that has customers.
pub fn grid(conn: &mut DbConnection, ws: &str, reach: &Reach) -> StoreResult<Vec<Cell>> {
    let mut q = customer_metrics::table
        .inner_join(
            contacts::table
                .on(contacts::id.eq(customer_metrics::contact_id).and(contacts::workspace_id.eq(customer_metrics::workspace_id))),
        )
        .filter(customer_metrics::workspace_id.eq(ws))
        .filter(contacts::deleted_at.is_null())
        .filter(customer_metrics::recency_score.is_not_null())
        .filter(customer_metrics::frequency_score.is_not_null())
        .group_by((customer_metrics::recency_score, customer_metrics::frequency_score))
        // Summed as a double: the total of a million customers in rials ×10⁴ may pass 2⁶³.
        .select((
            customer_metrics::recency_score,
            customer_metrics::frequency_score,
            count_star(),
            sql::<Nullable<Double>>("SUM(CAST(customer_metrics.revenue_e4 AS DOUBLE PRECISION))"),
        ))
        .into_boxed();
    if let Some(owners) = reach.owners() {
        q = q.filter(contacts::owner_id.eq_any(owners.to_vec()));
    }
    type Counted = (Option<i32>, Option<i32>, i64, Option<f64>);
    let rows: Vec<Counted> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, f, n, revenue)| Some(Cell { recency: r?, frequency: f?, customers: n, revenue_e4: revenue.unwrap_or(0.0) }))
        .collect())
}

/// One customer's figures, if they bought.
pub fn get(conn: &mut DbConnection, ws: &str, contact_id: &str) -> StoreResult<Option<MetricsRow>> {
    Ok(customer_metrics::table
        .filter(customer_metrics::workspace_id.eq(ws))
        .filter(customer_metrics::contact_id.eq(contact_id))
        .select(MetricsRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the contact is live (not in the trash): only live customers count in the grid.
pub fn contact_live(conn: &mut DbConnection, ws: &str, contact_id: &str) -> StoreResult<bool> {
    let found: Option<Option<i64>> = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::id.eq(contact_id))
        .select(contacts::deleted_at)
        .first(conn)
        .optional()?;
    Ok(matches!(found, Some(None)))
}

/// The kept RFM grid of the whole workspace (every live customer): a few rows, read at once.
pub fn cells(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<Cell>> {
    let rows: Vec<(i32, i32, i64, f64)> = rfm_cells::table
        .filter(rfm_cells::workspace_id.eq(ws))
        .filter(rfm_cells::customers.gt(0))
        .order_by((rfm_cells::recency, rfm_cells::frequency))
        .select((rfm_cells::recency, rfm_cells::frequency, rfm_cells::customers, rfm_cells::revenue_e4))
        .load(conn)?;
    Ok(rows.into_iter().map(|(recency, frequency, customers, revenue_e4)| Cell { recency, frequency, customers, revenue_e4 }).collect())
}

/// Writes the kept grid afresh from every customer's figures (after a full recompute).
pub fn rebuild_cells(conn: &mut DbConnection, ws: &str) -> StoreResult<()> {
    let cells = grid(conn, ws, &Reach::All)?;
    diesel::delete(rfm_cells::table.filter(rfm_cells::workspace_id.eq(ws))).execute(conn)?;
    // At most 25 cells: one statement each.
    for c in cells {
        shift_cell(conn, ws, c.recency, c.frequency, c.customers, c.revenue_e4)?;
    }
    Ok(())
}

/// Moves `customers` (−1 or +1) with their revenue into or out of a cell of the kept grid.
pub fn shift_cell(conn: &mut DbConnection, ws: &str, recency: i32, frequency: i32, customers: i64, revenue_e4: f64) -> StoreResult<()> {
    use diesel::upsert::excluded;
    let row = (
        rfm_cells::workspace_id.eq(ws),
        rfm_cells::recency.eq(recency),
        rfm_cells::frequency.eq(frequency),
        rfm_cells::customers.eq(customers),
        rfm_cells::revenue_e4.eq(revenue_e4),
    );
    let key = (rfm_cells::workspace_id, rfm_cells::recency, rfm_cells::frequency);
    let add = (
        rfm_cells::customers.eq(rfm_cells::customers + excluded(rfm_cells::customers)),
        rfm_cells::revenue_e4.eq(rfm_cells::revenue_e4 + excluded(rfm_cells::revenue_e4)),
    );
    crate::db::per_backend!(conn, |c| diesel::insert_into(rfm_cells::table)
        .values(row)
        .on_conflict(key)
        .do_update()
        .set(add)
        .execute(c)?);
    Ok(())
}

/// The workspace's RFM cut points (JSON the application writes and reads), whether an admin
/// fixed them, and when metrics were last recomputed in full.
pub fn state(conn: &mut DbConnection, ws: &str) -> StoreResult<(Option<String>, bool, Option<i64>)> {
    let row: Option<(Option<String>, i32, Option<i64>)> = analytics_state::table
        .filter(analytics_state::workspace_id.eq(ws))
        .select((analytics_state::rfm_cuts, analytics_state::rfm_fixed, analytics_state::metrics_at))
        .first(conn)
        .optional()?;
    Ok(row.map_or((None, false, None), |(cuts, fixed, at)| (cuts, fixed != 0, at)))
}

/// Keeps the workspace's cohorts (JSON the application writes and reads), after a recompute
/// saved its state.
pub fn save_cohorts(conn: &mut DbConnection, ws: &str, cohorts: &str) -> StoreResult<()> {
    diesel::update(analytics_state::table.filter(analytics_state::workspace_id.eq(ws)))
        .set(analytics_state::cohorts.eq(cohorts))
        .execute(conn)?;
    Ok(())
}

/// The workspace's cohorts as of the last recompute.
pub fn cohorts(conn: &mut DbConnection, ws: &str) -> StoreResult<Option<String>> {
    Ok(analytics_state::table
        .filter(analytics_state::workspace_id.eq(ws))
        .select(analytics_state::cohorts)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Writes `set` (a tuple of assignments) into the workspace's row of `analytics_state`, made
/// when missing (with those values, the others as the table defaults them).
macro_rules! upsert_state {
    ($conn:expr, $ws:expr, $set:expr) => {{
        let set = $set;
        let values = (analytics_state::workspace_id.eq($ws), set.clone());
        let key = analytics_state::workspace_id;
        crate::db::per_backend!($conn, |c| diesel::insert_into(analytics_state::table)
            .values(values)
            .on_conflict(key)
            .do_update()
            .set(set)
            .execute(c)?);
        Ok(())
    }};
}

/// Keeps the workspace's RFM cut points and when metrics were recomputed (`None` keeps the time
/// as it was).
pub fn save_state(conn: &mut DbConnection, ws: &str, cuts: Option<&str>, fixed: bool, metrics_at: Option<i64>) -> StoreResult<()> {
    let (_, _, was) = state(conn, ws)?;
    let set = (
        analytics_state::rfm_cuts.eq(cuts),
        analytics_state::rfm_fixed.eq(i32::from(fixed)),
        analytics_state::metrics_at.eq(metrics_at.or(was)),
    );
    upsert_state!(conn, ws, set)
}

/// The workspace's prices of service, in the base currency (×10⁴): per case and per hour of
/// activity; none until an admin sets them.
pub fn service_rates(conn: &mut DbConnection, ws: &str) -> StoreResult<(Option<i64>, Option<i64>)> {
    Ok(analytics_state::table
        .filter(analytics_state::workspace_id.eq(ws))
        .select((analytics_state::cost_per_case_e4, analytics_state::cost_per_activity_hour_e4))
        .first(conn)
        .optional()?
        .unwrap_or((None, None)))
}

/// Keeps the workspace's prices of service.
pub fn save_service_rates(conn: &mut DbConnection, ws: &str, per_case_e4: Option<i64>, per_hour_e4: Option<i64>) -> StoreResult<()> {
    let set = (analytics_state::cost_per_case_e4.eq(per_case_e4), analytics_state::cost_per_activity_hour_e4.eq(per_hour_e4));
    upsert_state!(conn, ws, set)
}
