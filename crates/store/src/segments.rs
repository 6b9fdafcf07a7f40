//! Segments: saved rules over contacts (the rules are `crm_domain::segments`), their members as
//! of the last evaluation, and who entered and left at each. The SQL of a built-in condition is
//! written here; the use case assembles a rule tree from it, custom fields' conditions and
//! other segments.

use crate::listing::SqlWhere;
use crate::schema::{contacts, segment_changes, segment_members, segments};
use crate::{DbConnection, StoreError, StoreResult};
use crm_domain::commerce::OrderStatus;
use crm_domain::segments::{Condition, Field, Op, Operand};
use diesel::prelude::*;
use std::collections::HashSet;

pub const DAY_MICROS: i64 = 86_400_000_000;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = segments, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct SegmentRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub description: Option<String>,
    /// JSON: the rule tree as the API takes it.
    pub rules: String,
    /// `dynamic` or `snapshot`.
    pub kind: String,
    pub shared: i32,
    pub owner_id: Option<String>,
    pub members: i64,
    pub evaluated_at: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The segments a person sees (`user`; an API key: `None`): their own and the shared ones, by
/// name.
pub fn visible(conn: &mut DbConnection, ws: &str, user: Option<&str>) -> StoreResult<Vec<SegmentRow>> {
    let mut q = segments::table.filter(segments::workspace_id.eq(ws)).into_boxed();
    q = match user {
        Some(u) => q.filter(segments::owner_id.eq(u.to_owned()).or(segments::shared.eq(1))),
        None => q.filter(segments::shared.eq(1)),
    };
    Ok(q.order((segments::name.asc(), segments::id.asc())).select(SegmentRow::as_select()).load(conn)?)
}

/// One segment of the workspace.
pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Option<SegmentRow>> {
    Ok(segments::table
        .filter(segments::workspace_id.eq(ws))
        .filter(segments::id.eq(id))
        .select(SegmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// The segments whose rules name `id` (a membership condition, or text that looks like one).
pub fn mentioning(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Vec<SegmentRow>> {
    Ok(segments::table
        .filter(segments::workspace_id.eq(ws))
        .filter(segments::id.ne(id))
        .filter(segments::rules.like(format!("%{id}%")))
        .select(SegmentRow::as_select())
        .load(conn)?)
}

/// Writes a new segment (409 when the name is taken).
pub fn insert(conn: &mut DbConnection, row: &SegmentRow) -> StoreResult<()> {
    diesel::insert_into(segments::table).values(row).execute(conn).map_err(|e| name_taken(e, &row.name))?;
    Ok(())
}

/// Writes a changed segment if it is still at `expected` (412 otherwise).
pub fn update(conn: &mut DbConnection, row: &SegmentRow, expected: i64) -> StoreResult<()> {
    let n = diesel::update(segments::table.filter(segments::id.eq(&row.id)).filter(segments::version.eq(expected)))
        .set(row)
        .execute(conn)
        .map_err(|e| name_taken(e, &row.name))?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected, current: row.version });
    }
    Ok(())
}

fn name_taken(e: diesel::result::Error, name: &str) -> StoreError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => StoreError::Conflict {
            code: "duplicate_name",
            message: format!("a segment is already called \"{name}\""),
            field: Some("name".into()),
        },
        other => other.into(),
    }
}

/// Deletes a segment with its members and history.
pub fn delete(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<()> {
    diesel::delete(segment_changes::table.filter(segment_changes::segment_id.eq(id))).execute(conn)?;
    diesel::delete(segment_members::table.filter(segment_members::segment_id.eq(id))).execute(conn)?;
    diesel::delete(segments::table.filter(segments::workspace_id.eq(ws)).filter(segments::id.eq(id))).execute(conn)?;
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = segment_members)]
struct MemberRow {
    segment_id: String,
    contact_id: String,
    since: i64,
}

#[derive(Insertable)]
#[diesel(table_name = segment_changes)]
struct ChangeRow {
    segment_id: String,
    at: i64,
    contact_id: String,
    entered: i32,
}

/// How many entered and left at an evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moved {
    pub entered: usize,
    pub left: usize,
}

/// Makes `now_members` the segment's members, writing who entered and left at `now`.
pub fn replace_members(conn: &mut DbConnection, segment_id: &str, now_members: &[String], now: i64) -> StoreResult<Moved> {
    // The segment's row first: a second evaluation of it waits here for this one to commit,
    // then reads the members this one wrote.
    diesel::update(segments::table.filter(segments::id.eq(segment_id))).set(segments::evaluated_at.eq(now)).execute(conn)?;
    let before: Vec<String> =
        segment_members::table.filter(segment_members::segment_id.eq(segment_id)).select(segment_members::contact_id).load(conn)?;
    let was: HashSet<&str> = before.iter().map(String::as_str).collect();
    let is: HashSet<&str> = now_members.iter().map(String::as_str).collect();
    let entered: Vec<&str> = now_members.iter().map(String::as_str).filter(|c| !was.contains(c)).collect();
    let left: Vec<&str> = before.iter().map(String::as_str).filter(|c| !is.contains(c)).collect();
    let member = |c: &&str| MemberRow { segment_id: segment_id.to_owned(), contact_id: (*c).to_owned(), since: now };
    let change = |c: &&str, entered: bool| ChangeRow {
        segment_id: segment_id.to_owned(),
        at: now,
        contact_id: (*c).to_owned(),
        entered: i32::from(entered),
    };
    for chunk in left.chunks(5_000) {
        diesel::delete(
            segment_members::table.filter(segment_members::segment_id.eq(segment_id)).filter(segment_members::contact_id.eq_any(chunk)),
        )
        .execute(conn)?;
        let rows: Vec<ChangeRow> = chunk.iter().map(|c| change(c, false)).collect();
        crate::db::insert_rows!(conn, segment_changes::table, &rows, 500);
    }
    for chunk in entered.chunks(5_000) {
        let rows: Vec<MemberRow> = chunk.iter().map(member).collect();
        crate::db::insert_rows!(conn, segment_members::table, &rows, 500);
        let rows: Vec<ChangeRow> = chunk.iter().map(|c| change(c, true)).collect();
        crate::db::insert_rows!(conn, segment_changes::table, &rows, 500);
    }
    diesel::update(segments::table.filter(segments::id.eq(segment_id)))
        .set((segments::members.eq(now_members.len() as i64), segments::evaluated_at.eq(now)))
        .execute(conn)?;
    Ok(Moved { entered: entered.len(), left: left.len() })
}

/// One change of membership.
#[derive(Debug, Clone, Queryable)]
pub struct Change {
    pub at: i64,
    pub contact_id: String,
    pub entered: i32,
}

/// A page of who entered and left, newest first, after `(at, contact_id)`; of one contact when
/// `contact` is given; of contacts these `owners` own when given.
pub fn changes(
    conn: &mut DbConnection,
    ws: &str,
    segment_id: &str,
    contact: Option<&str>,
    owners: Option<&[String]>,
    after: Option<(i64, String)>,
    limit: i64,
) -> StoreResult<Vec<Change>> {
    let mut q = segment_changes::table.filter(segment_changes::segment_id.eq(segment_id)).into_boxed();
    if let Some(c) = contact {
        q = q.filter(segment_changes::contact_id.eq(c.to_owned()));
    }
    if let Some(owners) = owners {
        q = q.filter(
            segment_changes::contact_id.eq_any(
                contacts::table
                    .filter(contacts::workspace_id.eq(ws.to_owned()))
                    .filter(contacts::owner_id.eq_any(owners.to_vec()))
                    .select(contacts::id),
            ),
        );
    }
    if let Some((at, id)) = after {
        q = q.filter(segment_changes::at.lt(at).or(segment_changes::at.eq(at).and(segment_changes::contact_id.lt(id))));
    }
    Ok(q.order((segment_changes::at.desc(), segment_changes::contact_id.desc()))
        .select((segment_changes::at, segment_changes::contact_id, segment_changes::entered))
        .limit(limit)
        .load(conn)?)
}

/// Membership of a segment as of its last evaluation (a snapshot's members).
pub fn kept_member(segment_id: &str) -> SqlWhere {
    let mut sub = Sub::new("s.contact_id", "FROM segment_members s WHERE s.segment_id = ");
    sub.body.text(segment_id);
    exists(sub, false)
}

fn revenue_statuses() -> Vec<String> {
    OrderStatus::ALL.iter().filter(|s| s.is_revenue()).map(|s| s.as_str().to_owned()).collect()
}

/// Rows of another table about contacts: `body` is `FROM … WHERE …`, `col` their contact's id.
struct Sub {
    col: &'static str,
    body: SqlWhere,
}

impl Sub {
    fn new(col: &'static str, head: &str) -> Sub {
        let mut body = SqlWhere::default();
        body.sql(head);
        Sub { col, body }
    }
}

/// The contact has such rows: `contacts.id IN (SELECT col …)`, which lets the planner start
/// from a few rows there (a selective rule's members are found without reading every contact);
/// or, when `negate`, has none: `NOT EXISTS (… AND col = contacts.id)`, which PostgreSQL plans
/// as an anti-join and SQLite as one index probe per contact.
fn exists(sub: Sub, negate: bool) -> SqlWhere {
    let mut w = SqlWhere::default();
    if negate {
        w.sql("NOT EXISTS (SELECT 1 ").append(&sub.body).sql(&format!(" AND {} = contacts.id)", sub.col));
    } else {
        w.sql(&format!("contacts.id IN (SELECT {} ", sub.col)).append(&sub.body).sql(")");
    }
    w
}

/// The kept figures of customers, with `pred` on them.
fn metrics(ws: &str, pred: &SqlWhere) -> Sub {
    let mut sub = Sub::new("m.contact_id", "FROM customer_metrics m WHERE m.workspace_id = ");
    sub.body.text(ws).sql(" AND ").append(pred);
    sub
}

/// Live purchases (`o`), after `since` when given, up to `now`.
fn purchases(ws: &str, since: Option<i64>, now: i64) -> Sub {
    let mut sub = Sub::new("o.contact_id", "FROM orders o WHERE o.workspace_id = ");
    sub.body.text(ws).sql(" AND o.contact_id IS NOT NULL AND o.deleted_at IS NULL AND o.status IN ").texts(&revenue_statuses());
    if let Some(t) = since {
        sub.body.sql(" AND o.ordered_at >= ").int(t).sql(" AND o.ordered_at <= ").int(now);
    }
    sub
}

/// Live activities (`p` the participation of a contact, `a` the activity), in `[since, now]`
/// when given.
fn activities(ws: &str, since: Option<i64>, now: i64) -> Sub {
    let mut sub =
        Sub::new("p.participant_id", "FROM activity_participants p JOIN activities a ON a.id = p.activity_id WHERE p.workspace_id = ");
    sub.body.text(ws).sql(" AND p.kind = 'contact' AND a.deleted_at IS NULL");
    if let Some(t) = since {
        sub.body.sql(" AND p.occurred_at >= ").int(t).sql(" AND p.occurred_at <= ").int(now);
    }
    sub
}

fn listed(v: &Operand) -> Option<Vec<String>> {
    match v {
        Operand::Text(t) => Some(vec![t.clone()]),
        Operand::Texts(ts) => Some(ts.clone()),
        _ => None,
    }
}

/// The SQL of a condition on a built-in field, for a query of the workspace's contacts, as of
/// `now` (microseconds). `pg` picks the dialect of anniversaries.
pub fn builtin(pg: bool, ws: &str, now: i64, c: &Condition) -> StoreResult<SqlWhere> {
    let bad = || StoreError::Corrupt(format!("segment condition {} {} at {}", c.field.name(), c.op.as_str(), c.path));
    let mut w = SqlWhere::default();
    let column = match c.field {
        Field::FirstName => "contacts.first_name",
        Field::LastName => "contacts.last_name",
        Field::Title => "contacts.title",
        Field::Source => "contacts.source",
        Field::LifecycleStage => "contacts.lifecycle_stage",
        Field::Consent => "contacts.consent",
        Field::OwnerId => "contacts.owner_id",
        Field::CompanyId => "contacts.company_id",
        Field::CreatedAt => "contacts.created_at",
        _ => "",
    };
    let since = |days: i64| now - days * DAY_MICROS;
    let negated = matches!(c.op, Op::IsNot | Op::NotIn);
    match (&c.field, c.op, &c.value) {
        // Every contact has an entry time.
        (Field::CreatedAt, Op::IsEmpty | Op::IsNotEmpty, _) => {
            w.sql(if c.op == Op::IsEmpty { "1 = 0" } else { "1 = 1" });
        }
        (Field::CreatedAt, op, v) => time_on(&mut w, pg, column, op, v, now).ok_or_else(bad)?,
        (Field::Tag, _, v) => {
            let mut sub = Sub::new("t.entity_id", "FROM record_tags t WHERE t.workspace_id = ");
            sub.body.text(ws).sql(" AND t.entity_type = 'contact' AND t.tag IN ").texts(&listed(v).ok_or_else(bad)?);
            w = exists(sub, negated);
        }
        (f, op, v) if !column.is_empty() => match (op, v) {
            (Op::Is, Operand::Text(t)) => {
                w.sql(&format!("{column} = ")).text(t);
            }
            (Op::IsNot, Operand::Text(t)) => {
                w.sql(&format!("({column} IS NULL OR {column} <> ")).text(t).sql(")");
            }
            (Op::In, Operand::Texts(ts)) => {
                w.sql(&format!("{column} IN ")).texts(ts);
            }
            (Op::NotIn, Operand::Texts(ts)) => {
                w.sql(&format!("({column} IS NULL OR {column} NOT IN ")).texts(ts).sql(")");
            }
            (Op::Contains, Operand::Text(t)) => {
                let pattern = format!("%{}%", t.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                w.sql(&format!("lower({column}) LIKE ")).text(&pattern).sql(" ESCAPE '\\'");
            }
            (Op::IsEmpty, _) if matches!(f, Field::OwnerId | Field::CompanyId) => {
                w.sql(&format!("{column} IS NULL"));
            }
            (Op::IsNotEmpty, _) if matches!(f, Field::OwnerId | Field::CompanyId) => {
                w.sql(&format!("{column} IS NOT NULL"));
            }
            (Op::IsEmpty, _) => {
                w.sql(&format!("({column} IS NULL OR {column} = '')"));
            }
            (Op::IsNotEmpty, _) => {
                w.sql(&format!("({column} IS NOT NULL AND {column} <> '')"));
            }
            _ => return Err(bad()),
        },
        // Figures of all time, kept per customer. A contact who never bought has none: their
        // orders and revenue are 0, their scores and group empty (so `is_not` holds for them).
        (Field::Orders | Field::Revenue, op, Operand::Int(v)) if c.days.is_none() => {
            let col = if matches!(c.field, Field::Orders) { "m.orders" } else { "m.revenue_e4" };
            // When 0 satisfies the comparison, those whose figure does not are left out.
            let zero_holds = op.holds(0, *v);
            let cmp = if zero_holds { negated_op(op) } else { op };
            let mut pred = SqlWhere::default();
            pred.sql(&format!("{col} {} ", cmp.sql())).int(*v);
            w = exists(metrics(ws, &pred), zero_holds);
        }
        // Known only when every order has a cost: a customer whose margin is unknown matches
        // no comparison; one who never bought has a margin of 0.
        (Field::GrossMargin, op, Operand::Int(v)) => {
            let zero_holds = op.holds(0, *v);
            let mut pred = SqlWhere::default();
            if zero_holds {
                pred.sql(&format!("(m.orders_without_cost > 0 OR m.revenue_e4 - m.cost_e4 {} ", negated_op(op).sql())).int(*v).sql(")");
            } else {
                pred.sql(&format!("m.orders_without_cost = 0 AND m.revenue_e4 - m.cost_e4 {} ", op.sql())).int(*v);
            }
            w = exists(metrics(ws, &pred), zero_holds);
        }
        // Purchases in a window: those with enough of them; when 0 satisfies the comparison,
        // all but those with too many.
        (Field::Orders, op, Operand::Int(v)) => {
            let zero_holds = op.holds(0, *v);
            let cmp = if zero_holds { negated_op(op) } else { op };
            let mut sub = purchases(ws, Some(since(c.days.ok_or_else(bad)?)), now);
            sub.body.sql(&format!(" GROUP BY o.contact_id HAVING COUNT(*) {} ", cmp.sql())).int(*v);
            w.sql(if zero_holds { "contacts.id NOT IN (SELECT o.contact_id " } else { "contacts.id IN (SELECT o.contact_id " });
            w.append(&sub.body).sql(")");
        }
        (Field::RecencyScore | Field::FrequencyScore | Field::MonetaryScore | Field::Propensity, op, Operand::Int(v)) => {
            let (table, col) = match c.field {
                Field::RecencyScore => ("customer_metrics", "recency_score"),
                Field::FrequencyScore => ("customer_metrics", "frequency_score"),
                Field::MonetaryScore => ("customer_metrics", "monetary_score"),
                _ => ("propensity_scores", "score_e4"),
            };
            let cmp = if op == Op::IsNot { Op::Is } else { op };
            let mut sub = Sub::new("m.contact_id", &format!("FROM {table} m WHERE m.workspace_id = "));
            sub.body.text(ws).sql(&format!(" AND m.{col} {} ", cmp.sql())).int(*v);
            w = exists(sub, op == Op::IsNot);
        }
        (Field::RfmGroup, _, v) => {
            let mut pred = SqlWhere::default();
            pred.sql("m.rfm_group IN ").texts(&listed(v).ok_or_else(bad)?);
            w = exists(metrics(ws, &pred), negated);
        }
        (Field::FirstPurchaseAt | Field::LastPurchaseAt, op, v) => {
            let col = if matches!(c.field, Field::FirstPurchaseAt) { "m.first_purchase_at" } else { "m.last_purchase_at" };
            let (op, negate) = match op {
                Op::NotInLastDays => (Op::InLastDays, true),
                Op::IsEmpty => (Op::IsNotEmpty, true),
                other => (other, false),
            };
            let mut pred = SqlWhere::default();
            if op == Op::IsNotEmpty {
                pred.sql("1 = 1");
            } else {
                time_on(&mut pred, pg, col, op, v, now).ok_or_else(bad)?;
            }
            w = exists(metrics(ws, &pred), negate);
        }
        (Field::LastActivityAt, op, v) => match (op, v) {
            (Op::InLastDays | Op::NotInLastDays, Operand::Days(d)) => {
                w = exists(activities(ws, Some(since(*d)), now), op == Op::NotInLastDays)
            }
            (Op::After, Operand::Time(t)) => {
                let mut sub = activities(ws, None, now);
                sub.body.sql(" AND p.occurred_at > ").int(*t);
                w = exists(sub, false);
            }
            // Some activity, and none since the time.
            (Op::Before, Operand::Time(t)) => {
                let mut after = activities(ws, None, now);
                after.body.sql(" AND p.occurred_at >= ").int(*t);
                w.append(&exists(activities(ws, None, now), false)).sql(" AND ").append(&exists(after, true));
            }
            (Op::IsEmpty | Op::IsNotEmpty, _) => w = exists(activities(ws, None, now), op == Op::IsEmpty),
            _ => return Err(bad()),
        },
        (Field::BoughtProduct, _, Operand::Text(product)) => {
            let mut sub = purchases(ws, c.days.map(since), now);
            sub.body.sql(" AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.product_id = ").text(product).sql(")");
            w = exists(sub, negated);
        }
        (Field::OrderChannel, _, v) => {
            let mut sub = purchases(ws, c.days.map(since), now);
            sub.body.sql(" AND o.channel IN ").texts(&listed(v).ok_or_else(bad)?);
            w = exists(sub, negated);
        }
        (Field::ActivityChannel, _, v) => {
            let mut sub = activities(ws, c.days.map(since), now);
            sub.body.sql(" AND a.kind IN ").texts(&listed(v).ok_or_else(bad)?);
            w = exists(sub, negated);
        }
        _ => return Err(bad()),
    }
    Ok(w)
}

/// The column of `contact_facts` a condition reads, when its field is kept there (figures of
/// all time only: those of a window of days are counted from the orders).
pub fn fact_column(c: &Condition) -> Option<&'static str> {
    Some(match c.field {
        Field::LifecycleStage => "contact_facts.lifecycle_stage",
        Field::OwnerId => "contact_facts.owner_id",
        Field::CreatedAt => "contact_facts.created_at",
        Field::Orders | Field::Revenue | Field::GrossMargin if c.days.is_some() => return None,
        Field::Orders => "contact_facts.orders",
        Field::Revenue => "contact_facts.revenue_e4",
        Field::GrossMargin => "contact_facts.margin_e4",
        Field::RecencyScore => "contact_facts.recency_score",
        Field::FrequencyScore => "contact_facts.frequency_score",
        Field::MonetaryScore => "contact_facts.monetary_score",
        Field::RfmGroup => "contact_facts.rfm_group",
        Field::FirstPurchaseAt => "contact_facts.first_purchase_at",
        Field::LastPurchaseAt => "contact_facts.last_purchase_at",
        _ => return None,
    })
}

/// The condition on a contact's row of facts (`contact_facts`) for a field kept there (see
/// [`fact_column`]): the same members as [`builtin`], found by one scan of a narrow table.
pub fn fact(pg: bool, now: i64, c: &Condition) -> StoreResult<SqlWhere> {
    let bad = || StoreError::Corrupt(format!("segment condition {} {} at {} on facts", c.field.name(), c.op.as_str(), c.path));
    let col = fact_column(c).ok_or_else(bad)?;
    let mut w = SqlWhere::default();
    // Columns that may be empty: an owner, a customer's scores, group and dates.
    let nullable = !matches!(c.field, Field::LifecycleStage | Field::CreatedAt | Field::Orders | Field::Revenue | Field::GrossMargin);
    match (c.op, &c.value) {
        (Op::Is, Operand::Text(t)) => {
            w.sql(&format!("{col} = ")).text(t);
        }
        (Op::In, Operand::Texts(ts)) => {
            w.sql(&format!("{col} IN ")).texts(ts);
        }
        (Op::IsNot, Operand::Text(t)) => {
            w.sql(&format!("({col} IS NULL OR {col} <> ")).text(t).sql(")");
        }
        (Op::NotIn, Operand::Texts(ts)) => {
            w.sql(&format!("({col} IS NULL OR {col} NOT IN ")).texts(ts).sql(")");
        }
        // A score or figure of someone who never bought: no comparison holds but `is_not`
        // (orders and revenue are 0 for them; a margin not known matches none).
        (Op::IsNot, Operand::Int(v)) if nullable => {
            w.sql(&format!("({col} IS NULL OR {col} <> ")).int(*v).sql(")");
        }
        (op @ (Op::Is | Op::IsNot | Op::Gt | Op::Gte | Op::Lt | Op::Lte), Operand::Int(v)) => {
            w.sql(&format!("{col} {} ", op.sql())).int(*v);
        }
        (Op::IsEmpty, _) if c.field == Field::CreatedAt => {
            w.sql("1 = 0");
        }
        (Op::IsNotEmpty, _) if c.field == Field::CreatedAt => {
            w.sql("1 = 1");
        }
        (Op::IsEmpty, _) if nullable => {
            w.sql(&format!("{col} IS NULL"));
        }
        (Op::IsNotEmpty, _) if nullable => {
            w.sql(&format!("{col} IS NOT NULL"));
        }
        // Not bought in the last days: also those who never bought.
        (Op::NotInLastDays, v @ Operand::Days(_)) if nullable => {
            let mut within = SqlWhere::default();
            time_on(&mut within, pg, col, Op::InLastDays, v, now).ok_or_else(bad)?;
            w.sql(&format!("({col} IS NULL OR NOT (")).append(&within).sql("))");
        }
        (op, v) => {
            w.sql("(");
            time_on(&mut w, pg, col, op, v, now).ok_or_else(bad)?;
            w.sql(")");
        }
    }
    Ok(w)
}

/// The contact's row of facts matches `pred`, probed by its key: for reading contacts one at a
/// time in another order (a broad segment's first page, one contact's membership).
pub fn probing_facts(ws: &str, pred: &SqlWhere) -> SqlWhere {
    let mut w = SqlWhere::default();
    w.sql("EXISTS (SELECT 1 FROM contact_facts WHERE contact_facts.workspace_id = ").text(ws);
    w.sql(" AND contact_facts.contact_id = contacts.id AND ").append(pred).sql(")");
    w
}

/// Contacts whose row of facts matches `pred` (conditions from [`fact`]).
pub fn on_facts(ws: &str, pred: &SqlWhere) -> SqlWhere {
    let mut w = SqlWhere::default();
    w.sql("contacts.id IN (SELECT contact_facts.contact_id FROM contact_facts WHERE contact_facts.workspace_id = ");
    w.text(ws).sql(" AND ").append(pred).sql(")");
    w
}

/// The opposite comparison (`>=` for `<`, …).
fn negated_op(op: Op) -> Op {
    match op {
        Op::Is => Op::IsNot,
        Op::IsNot => Op::Is,
        Op::Gt => Op::Lte,
        Op::Gte => Op::Lt,
        Op::Lt => Op::Gte,
        Op::Lte => Op::Gt,
        other => other,
    }
}

/// A condition on a time column (microseconds): before, after, in the last days (up to now),
/// or its anniversary in the next days.
fn time_on(w: &mut SqlWhere, pg: bool, col: &str, op: Op, v: &Operand, now: i64) -> Option<()> {
    match (op, v) {
        (Op::Before, Operand::Time(t)) => {
            w.sql(&format!("{col} < ")).int(*t);
        }
        (Op::After, Operand::Time(t)) => {
            w.sql(&format!("{col} > ")).int(*t);
        }
        (Op::InLastDays, Operand::Days(d)) => {
            w.sql(&format!("{col} >= ")).int(now - d * DAY_MICROS).sql(&format!(" AND {col} <= ")).int(now);
        }
        (Op::NotInLastDays, Operand::Days(d)) => {
            w.sql(&format!("{col} < ")).int(now - d * DAY_MICROS);
        }
        (Op::AnniversaryInNextDays, Operand::Days(d)) => {
            let today = chrono::DateTime::from_timestamp_micros(now)?.date_naive();
            w.append(&crate::listing::anniversary(pg, col, true, &crm_domain::segments::month_days_ahead(today, *d)));
        }
        _ => return None,
    }
    Some(())
}

/// A condition on a custom field's number (days for dates, microseconds for times) in
/// `[lo, hi]`: `expr` is the field's value as its index reads it.
pub fn custom_range(expr: &str, lo: i64, hi: i64) -> SqlWhere {
    let mut w = SqlWhere::default();
    w.sql(&format!("({expr} >= ")).int(lo).sql(&format!(" AND {expr} <= ")).int(hi).sql(")");
    w
}

/// A condition written by another repository (a custom field's presence) as a rule part.
pub fn fragment(sql: &str) -> SqlWhere {
    let mut w = SqlWhere::default();
    w.sql(sql);
    w
}
