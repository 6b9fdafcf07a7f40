//! Each customer's figures (`customer_metrics`), the workspace's analytical state
//! (`analytics_state`: the RFM cut points in use and when metrics were last recomputed), and
//! the narrow facts of every live contact segments count on (`contact_facts`: a few of the
//! contact's own columns beside their figures).

use crate::reach::Reach;
use crate::schema::{analytics_state, contact_facts, contacts, customer_metrics, rfm_cells};
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

/// Keeps one customer's figures: in place of the last, or none when they no longer bought;
/// also in their row of facts.
pub fn put(conn: &mut DbConnection, ws: &str, contact_id: &str, row: Option<&MetricsRow>) -> StoreResult<()> {
    put_figures(conn, ws, contact_id, row)?;
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
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::insert_into(customer_metrics::table).values(row).on_conflict(key).do_update().set(row).execute(c)?
        }
        DbConnection::Postgresql(c) => {
            diesel::insert_into(customer_metrics::table).values(row).on_conflict(key).do_update().set(row).execute(c)?
        }
    };
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
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(rfm_cells::table).values(row).on_conflict(key).do_update().set(add).execute(c)?,
        DbConnection::Postgresql(c) => {
            diesel::insert_into(rfm_cells::table).values(row).on_conflict(key).do_update().set(add).execute(c)?
        }
    };
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

/// Keeps the workspace's RFM cut points and when metrics were recomputed (`None` keeps the time
/// as it was).
pub fn save_state(conn: &mut DbConnection, ws: &str, cuts: Option<&str>, fixed: bool, metrics_at: Option<i64>) -> StoreResult<()> {
    let (_, _, was) = state(conn, ws)?;
    let values = (
        analytics_state::workspace_id.eq(ws),
        analytics_state::rfm_cuts.eq(cuts),
        analytics_state::rfm_fixed.eq(i32::from(fixed)),
        analytics_state::metrics_at.eq(metrics_at.or(was)),
    );
    let set = (
        analytics_state::rfm_cuts.eq(cuts),
        analytics_state::rfm_fixed.eq(i32::from(fixed)),
        analytics_state::metrics_at.eq(metrics_at.or(was)),
    );
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(analytics_state::table)
            .values(values)
            .on_conflict(analytics_state::workspace_id)
            .do_update()
            .set(set)
            .execute(c)?,
        DbConnection::Postgresql(c) => diesel::insert_into(analytics_state::table)
            .values(values)
            .on_conflict(analytics_state::workspace_id)
            .do_update()
            .set(set)
            .execute(c)?,
    };
    Ok(())
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
    let values = (
        analytics_state::workspace_id.eq(ws),
        analytics_state::rfm_fixed.eq(0),
        analytics_state::cost_per_case_e4.eq(per_case_e4),
        analytics_state::cost_per_activity_hour_e4.eq(per_hour_e4),
    );
    let set = (analytics_state::cost_per_case_e4.eq(per_case_e4), analytics_state::cost_per_activity_hour_e4.eq(per_hour_e4));
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(analytics_state::table)
            .values(values)
            .on_conflict(analytics_state::workspace_id)
            .do_update()
            .set(set)
            .execute(c)?,
        DbConnection::Postgresql(c) => diesel::insert_into(analytics_state::table)
            .values(values)
            .on_conflict(analytics_state::workspace_id)
            .do_update()
            .set(set)
            .execute(c)?,
    };
    Ok(())
}

/// A live contact's own columns among its facts.
#[derive(Debug, Clone, Copy)]
pub struct ContactFacts<'a> {
    pub lifecycle_stage: &'a str,
    pub owner_id: Option<&'a str>,
    pub created_at: i64,
}

/// The figures columns of `contact_facts` and their values for a contact who never bought.
const FIGURES: &str = "orders, revenue_e4, margin_e4, first_purchase_at, last_purchase_at, recency_score, frequency_score, \
                       monetary_score, rfm_group";
const FIGURES_OF_M: &str = "COALESCE(m.orders, 0), COALESCE(m.revenue_e4, 0), \
    CASE WHEN m.contact_id IS NULL THEN 0 WHEN m.orders_without_cost = 0 THEN m.revenue_e4 - m.cost_e4 END, \
    m.first_purchase_at, m.last_purchase_at, m.recency_score, m.frequency_score, m.monetary_score, m.rfm_group";

/// `n` bind placeholders of the connection's dialect, from `$1` (PostgreSQL) or `?`.
fn marks(conn: &DbConnection, n: usize) -> Vec<String> {
    (1..=n).map(|i| if crate::db::is_pg(conn) { format!("${i}") } else { "?".to_owned() }).collect()
}

/// Keeps a contact's row of facts: its own columns while it is live (with its figures, when the
/// row is new: a contact back from the trash brings them), none once it is in the trash.
pub fn put_contact_facts(conn: &mut DbConnection, ws: &str, contact_id: &str, facts: Option<ContactFacts<'_>>) -> StoreResult<()> {
    use diesel::sql_types::{BigInt, Text};
    let Some(f) = facts else {
        diesel::delete(contact_facts::table.filter(contact_facts::workspace_id.eq(ws)).filter(contact_facts::contact_id.eq(contact_id)))
            .execute(conn)?;
        return Ok(());
    };
    let p = marks(conn, 7);
    let sql = format!(
        "INSERT INTO contact_facts (workspace_id, contact_id, lifecycle_stage, owner_id, created_at, {FIGURES}) \
         SELECT {}, {}, {}, {}, {}, {FIGURES_OF_M} FROM (SELECT 1 AS one) AS x \
         LEFT JOIN customer_metrics m ON m.workspace_id = {} AND m.contact_id = {} WHERE 1 = 1 \
         ON CONFLICT (workspace_id, contact_id) DO UPDATE SET lifecycle_stage = excluded.lifecycle_stage, \
         owner_id = excluded.owner_id, created_at = excluded.created_at",
        p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(ws)
        .bind::<Text, _>(contact_id)
        .bind::<Text, _>(f.lifecycle_stage)
        .bind::<diesel::sql_types::Nullable<Text>, _>(f.owner_id)
        .bind::<BigInt, _>(f.created_at)
        .bind::<Text, _>(ws)
        .bind::<Text, _>(contact_id)
        .execute(conn)?;
    Ok(())
}

/// Writes a customer's figures (none: never bought) into their row of facts, if they have one.
fn put_figures(conn: &mut DbConnection, ws: &str, contact_id: &str, row: Option<&MetricsRow>) -> StoreResult<()> {
    let target = contact_facts::table.filter(contact_facts::workspace_id.eq(ws)).filter(contact_facts::contact_id.eq(contact_id));
    let margin = |r: &MetricsRow| (r.orders_without_cost == 0).then(|| r.revenue_e4.saturating_sub(r.cost_e4));
    diesel::update(target)
        .set((
            contact_facts::orders.eq(row.map_or(0, |r| r.orders)),
            contact_facts::revenue_e4.eq(row.map_or(0, |r| r.revenue_e4)),
            contact_facts::margin_e4.eq(row.map_or(Some(0), margin)),
            contact_facts::first_purchase_at.eq(row.map(|r| r.first_purchase_at)),
            contact_facts::last_purchase_at.eq(row.map(|r| r.last_purchase_at)),
            contact_facts::recency_score.eq(row.and_then(|r| r.recency_score)),
            contact_facts::frequency_score.eq(row.and_then(|r| r.frequency_score)),
            contact_facts::monetary_score.eq(row.and_then(|r| r.monetary_score)),
            contact_facts::rfm_group.eq(row.and_then(|r| r.rfm_group.clone())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes every live contact's figures into their facts (after a full recompute): one update in
/// place, which leaves the facts' keys as they are (at a million contacts about 2 s on SQLite,
/// where writing the rows afresh took 40).
pub fn refresh_facts_figures(conn: &mut DbConnection, ws: &str) -> StoreResult<()> {
    use diesel::sql_types::Text;
    let p = marks(conn, 1);
    let sql = format!(
        "UPDATE contact_facts SET ({FIGURES}) = (SELECT {FIGURES_OF_M} FROM (SELECT 1 AS one) AS x \
         LEFT JOIN customer_metrics m ON m.workspace_id = contact_facts.workspace_id AND m.contact_id = contact_facts.contact_id) \
         WHERE contact_facts.workspace_id = {}",
        p[0]
    );
    diesel::sql_query(sql).bind::<Text, _>(ws).execute(conn)?;
    Ok(())
}

/// Writes the workspace's facts afresh from its live contacts and their figures (after contacts
/// were added without the application, as benchmark data is).
pub fn rebuild_facts(conn: &mut DbConnection, ws: &str) -> StoreResult<()> {
    use diesel::sql_types::Text;
    diesel::delete(contact_facts::table.filter(contact_facts::workspace_id.eq(ws))).execute(conn)?;
    let p = marks(conn, 1);
    let sql = format!(
        "INSERT INTO contact_facts (workspace_id, contact_id, lifecycle_stage, owner_id, created_at, {FIGURES}) \
         SELECT c.workspace_id, c.id, c.lifecycle_stage, c.owner_id, c.created_at, {FIGURES_OF_M} \
         FROM contacts c LEFT JOIN customer_metrics m ON m.workspace_id = c.workspace_id AND m.contact_id = c.id \
         WHERE c.workspace_id = {} AND c.deleted_at IS NULL",
        p[0]
    );
    diesel::sql_query(sql).bind::<Text, _>(ws).execute(conn)?;
    Ok(())
}

/// How many live contacts of the workspace (among `owners`' when given) have facts matching
/// `pred` (a condition on the columns of `contact_facts`).
pub fn count_facts(conn: &mut DbConnection, ws: &str, owners: Option<&[String]>, pred: &crate::listing::SqlWhere) -> StoreResult<i64> {
    let mut query = contact_facts::table.filter(contact_facts::workspace_id.eq(ws)).into_boxed();
    if let Some(owners) = owners {
        query = query.filter(contact_facts::owner_id.eq_any(owners.to_vec()));
    }
    Ok(query.filter(pred.clone()).count().get_result(conn)?)
}
