//! The narrow facts of every live contact that segments count on (`contact_facts`): a few of the
//! contact's own columns (stage, owner, creation) beside their figures as a customer (orders,
//! revenue, margin, purchase dates, RFM). One row per live contact; a rule over these columns
//! is one scan of a narrow table instead of a join over contacts and their figures.

use crate::listing::{SqlWhere, Statement};
use crate::schema::contact_facts;
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;

/// A live contact's own columns among its facts.
#[derive(Debug, Clone, Copy)]
pub struct ContactFacts<'a> {
    pub lifecycle_stage: &'a str,
    pub owner_id: Option<&'a str>,
    pub created_at: i64,
}

/// The figures columns of `contact_facts`.
const FIGURES: &str = "orders, revenue_e4, margin_e4, first_purchase_at, last_purchase_at, recency_score, frequency_score, \
                       monetary_score, rfm_group";

/// The figures of the customer `m` (a left join of `customer_metrics`) in the order of
/// [`FIGURES`]: those of someone who never bought when `m` is missing (no orders, no revenue, a
/// margin of 0), and no margin when an order has no cost. The migration that made the table
/// wrote the same expression as of its day; it stays as it was, as migrations do.
const FIGURES_OF_M: &str = "COALESCE(m.orders, 0), COALESCE(m.revenue_e4, 0), \
    CASE WHEN m.contact_id IS NULL THEN 0 WHEN m.orders_without_cost = 0 THEN m.revenue_e4 - m.cost_e4 END, \
    m.first_purchase_at, m.last_purchase_at, m.recency_score, m.frequency_score, m.monetary_score, m.rfm_group";

/// Keeps a contact's row of facts: its own columns while it is live (with its figures, when the
/// row is new: a contact back from the trash brings them), none once it is in the trash.
pub fn put_contact(conn: &mut DbConnection, ws: &str, contact_id: &str, facts: Option<ContactFacts<'_>>) -> StoreResult<()> {
    let Some(f) = facts else {
        diesel::delete(contact_facts::table.filter(contact_facts::workspace_id.eq(ws)).filter(contact_facts::contact_id.eq(contact_id)))
            .execute(conn)?;
        return Ok(());
    };
    let mut s = SqlWhere::default();
    s.sql(&format!("INSERT INTO contact_facts (workspace_id, contact_id, lifecycle_stage, owner_id, created_at, {FIGURES}) SELECT "));
    s.text(ws).sql(", ").text(contact_id).sql(", ").text(f.lifecycle_stage).sql(", ");
    match f.owner_id {
        Some(owner) => s.text(owner),
        None => s.sql("NULL"),
    };
    s.sql(", ").int(f.created_at);
    s.sql(&format!(", {FIGURES_OF_M} FROM (SELECT 1 AS one) AS x LEFT JOIN customer_metrics m ON m.workspace_id = "));
    s.text(ws).sql(" AND m.contact_id = ").text(contact_id);
    // `WHERE` keeps SQLite from reading `ON CONFLICT` as part of the join.
    s.sql(
        " WHERE 1 = 1 ON CONFLICT (workspace_id, contact_id) DO UPDATE SET lifecycle_stage = excluded.lifecycle_stage, \
         owner_id = excluded.owner_id, created_at = excluded.created_at",
    );
    Statement(s).execute(conn)?;
    Ok(())
}

/// A customer's figures as their facts hold them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub orders: i64,
    pub revenue_e4: i64,
    /// None when an order has no cost (0 for someone who never bought).
    pub margin_e4: Option<i64>,
    pub first_purchase_at: Option<i64>,
    pub last_purchase_at: Option<i64>,
    pub recency_score: Option<i32>,
    pub frequency_score: Option<i32>,
    pub monetary_score: Option<i32>,
    pub rfm_group: Option<String>,
}

/// Writes a customer's figures into their row of facts, if they have one.
pub fn put_figures(conn: &mut DbConnection, ws: &str, contact_id: &str, f: &Figures) -> StoreResult<()> {
    let target = contact_facts::table.filter(contact_facts::workspace_id.eq(ws)).filter(contact_facts::contact_id.eq(contact_id));
    diesel::update(target)
        .set((
            contact_facts::orders.eq(f.orders),
            contact_facts::revenue_e4.eq(f.revenue_e4),
            contact_facts::margin_e4.eq(f.margin_e4),
            contact_facts::first_purchase_at.eq(f.first_purchase_at),
            contact_facts::last_purchase_at.eq(f.last_purchase_at),
            contact_facts::recency_score.eq(f.recency_score),
            contact_facts::frequency_score.eq(f.frequency_score),
            contact_facts::monetary_score.eq(f.monetary_score),
            contact_facts::rfm_group.eq(&f.rfm_group),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes every live contact's figures into their facts (after a full recompute): one update in
/// place, which leaves the facts' keys as they are (at a million contacts about 2 s on SQLite,
/// where writing the rows afresh took 40).
pub fn refresh_figures(conn: &mut DbConnection, ws: &str) -> StoreResult<()> {
    let mut s = SqlWhere::default();
    s.sql(&format!(
        "UPDATE contact_facts SET ({FIGURES}) = (SELECT {FIGURES_OF_M} FROM (SELECT 1 AS one) AS x \
         LEFT JOIN customer_metrics m ON m.workspace_id = contact_facts.workspace_id AND m.contact_id = contact_facts.contact_id) \
         WHERE contact_facts.workspace_id = "
    ));
    s.text(ws);
    Statement(s).execute(conn)?;
    Ok(())
}

/// Writes the workspace's facts afresh from its live contacts and their figures (after contacts
/// were added without the application, as benchmark data is).
pub fn rebuild(conn: &mut DbConnection, ws: &str) -> StoreResult<()> {
    diesel::delete(contact_facts::table.filter(contact_facts::workspace_id.eq(ws))).execute(conn)?;
    let mut s = SqlWhere::default();
    s.sql(&format!(
        "INSERT INTO contact_facts (workspace_id, contact_id, lifecycle_stage, owner_id, created_at, {FIGURES}) \
         SELECT c.workspace_id, c.id, c.lifecycle_stage, c.owner_id, c.created_at, {FIGURES_OF_M} \
         FROM contacts c LEFT JOIN customer_metrics m ON m.workspace_id = c.workspace_id AND m.contact_id = c.id \
         WHERE c.deleted_at IS NULL AND c.workspace_id = "
    ));
    s.text(ws);
    Statement(s).execute(conn)?;
    Ok(())
}

/// How many live contacts of the workspace (among `owners`' when given) have facts matching
/// `pred` (a condition on the columns of `contact_facts`).
pub fn count(conn: &mut DbConnection, ws: &str, owners: Option<&[String]>, pred: &SqlWhere) -> StoreResult<i64> {
    let mut query = contact_facts::table.filter(contact_facts::workspace_id.eq(ws)).into_boxed();
    if let Some(owners) = owners {
        query = query.filter(contact_facts::owner_id.eq_any(owners.to_vec()));
    }
    Ok(query.filter(pred.clone()).count().get_result(conn)?)
}
