//! Helpers shared by every keyset-paged list.

use crate::schema::companies;
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;

/// Applies a keyset cursor and the matching order to a boxed query.
#[macro_export]
macro_rules! keyset {
    ($q:expr, $col:expr, $id:expr, $desc:expr, $after:expr) => {{
        let mut q = $q;
        if let Some((v, id)) = $after {
            if $desc {
                q = q.filter($col.lt(v.clone()).or($col.eq(v).and($id.lt(id))));
            } else {
                q = q.filter($col.gt(v.clone()).or($col.eq(v).and($id.gt(id))));
            }
        }
        if $desc {
            q.order(($col.desc(), $id.desc()))
        } else {
            q.order(($col.asc(), $id.asc()))
        }
    }};
}

/// Adds the conditions on custom fields of a [`crate::cursor::CustomPlan`] to a boxed query of
/// a kind's table.
#[macro_export]
macro_rules! custom_where {
    ($q:expr, $plan:expr) => {{
        use diesel::dsl::sql;
        use diesel::sql_types::{BigInt, Bool, Text};
        use $crate::cursor::SortValue;
        let mut q = $q;
        for c in &$plan.conditions {
            q = match &c.value {
                SortValue::Int(v) => q.filter(sql::<Bool>(&c.sql).bind::<BigInt, _>(*v).sql(c.close)),
                SortValue::Text(t) => q.filter(sql::<Bool>(&c.sql).bind::<Text, _>(t.clone()).sql(c.close)),
                SortValue::Null => q.filter(sql::<Bool>(&c.sql)),
            };
        }
        q
    }};
}

/// Loads one page of a kind's rows sorted by a custom field ([`crate::cursor::CustomSort`]):
/// the rows with a value by value and id (a range on the field's index), then those without
/// one by id. `$query` makes the filtered, selected query (it is used twice).
#[macro_export]
macro_rules! custom_sorted {
    ($conn:expr, $query:expr, $sort:expr, $page:expr) => {{
        use diesel::dsl::sql;
        use diesel::sql_types::{BigInt, Bool, Text};
        use $crate::cursor::SortValue;
        let (sort, page) = ($sort, $page);
        let e = &sort.expr;
        let want = page.limit + 1;
        let after = page.after.as_ref();
        let (dir, from, past) = if sort.desc { ("DESC", "<=", "<") } else { ("ASC", ">=", ">") };
        let mut rows = Vec::new();
        if !matches!(after.map(|c| &c.v), Some(SortValue::Null)) {
            let mut q = $query.filter(sql::<Bool>(&format!("{e} IS NOT NULL")));
            // One range on the index: from the cursor's value on, past its id within it.
            match after.map(|c| (&c.v, c.id.clone())) {
                Some((SortValue::Int(v), id)) => {
                    q = q.filter(sql::<Bool>(&format!("{e} {from} ")).bind::<BigInt, _>(*v)).filter(
                        sql::<Bool>(&format!("({e} {past} "))
                            .bind::<BigInt, _>(*v)
                            .sql(&format!(" OR id {past} "))
                            .bind::<Text, _>(id)
                            .sql(")"),
                    );
                }
                Some((SortValue::Text(v), id)) => {
                    q = q.filter(sql::<Bool>(&format!("{e} {from} ")).bind::<Text, _>(v.clone())).filter(
                        sql::<Bool>(&format!("({e} {past} "))
                            .bind::<Text, _>(v.clone())
                            .sql(&format!(" OR id {past} "))
                            .bind::<Text, _>(id)
                            .sql(")"),
                    );
                }
                _ => {}
            }
            rows = q.order(sql::<BigInt>(&format!("{e} {dir}, id {dir}"))).limit(want).load($conn)?;
        }
        let left = want - rows.len() as i64;
        if left > 0 {
            let mut q = $query.filter(sql::<Bool>(&format!("{e} IS NULL")));
            if let Some(c) = after.filter(|c| c.v == SortValue::Null) {
                q = q.filter(sql::<Bool>(&format!("id {past} ")).bind::<Text, _>(c.id.clone()));
            }
            rows.extend(q.order(sql::<Text>(&format!("id {dir}"))).limit(left).load($conn)?);
        }
        rows
    }};
}

/// Normalises a free-text search: lower case, ASCII digits. A query that looks like a phone
/// number becomes its digits without leading zeros, so `0912 123` finds `+98912123…`.
pub fn search_needle(q: &str) -> Option<String> {
    let t = crm_domain::digits::to_ascii_digits(q.trim()).to_lowercase();
    if t.is_empty() {
        return None;
    }
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let phoneish = t.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phoneish && digits.len() >= 4 {
        let d = digits.trim_start_matches('0');
        return Some(if d.is_empty() { digits } else { d.to_owned() });
    }
    Some(t)
}

/// The words of a list's free-text search (at most eight; whitespace parts, each kept whole
/// for the record's own text and read for its longest word in custom values): a record
/// matches when every word is in its own text or starts a word of its custom values, in any
/// order, so `sara tehran` finds Sara whose custom city is Tehran.
pub fn needle_words(needle: &str) -> impl Iterator<Item = &str> {
    needle.split_whitespace().take(8)
}

/// Narrows a list query to the records matching a free-text search, word by word (see
/// [`needle_words`]): `$text` is the kind's search text column, `$id` its id column.
#[macro_export]
macro_rules! search_where {
    ($q:expr, $text:expr, $id:expr, $ws:expr, $entity:expr, $needle:expr) => {{
        let mut q = $q;
        for word in $crate::listing::needle_words($needle) {
            q = q.filter(
                $text.like($crate::cursor::like_pattern(word)).escape('\\').or($id.eq_any($crate::custom_word_ids!($ws, $entity, word))),
            );
        }
        q
    }};
}

/// The longest word of a list's free-text search and the end of its prefix range, for
/// [`custom_word_ids!`].
/// A needle without a word (only punctuation) gets a range nothing is in.
pub fn word_range(needle: &str) -> (String, String) {
    match crate::terms::words(&[needle]).into_iter().max_by_key(|w| w.chars().count()) {
        Some(word) => {
            let hi = format!("{word}\u{10FFFF}");
            (word, hi)
        }
        None => ("\u{10FFFF}".to_owned(), String::new()),
    }
}

/// Ids of the records of a kind whose custom values hold a word starting with the needle's
/// longest word (`search_custom_terms`), for a list's free-text search beside its own text.
#[macro_export]
macro_rules! custom_word_ids {
    ($ws:expr, $entity:expr, $needle:expr) => {{
        use $crate::schema::search_custom_terms as t;
        let (lo, hi) = $crate::listing::word_range($needle);
        t::table
            .filter(t::workspace_id.eq($ws.to_owned()))
            .filter(t::entity_type.eq($entity))
            .filter(t::term.ge(lo))
            .filter(t::term.lt(hi))
            .select(t::entity_id)
    }};
}

/// Pairs each row of a list with the name of its company, which lists of contacts and deals show
/// beside them (one query for all of them).
pub fn attach_company_names<R>(
    conn: &mut DbConnection,
    ws: &str,
    rows: Vec<R>,
    company_id: impl Fn(&R) -> Option<&str>,
) -> StoreResult<Vec<(R, Option<String>)>> {
    let mut ids: Vec<&str> = rows.iter().filter_map(&company_id).collect();
    ids.sort_unstable();
    ids.dedup();
    // Looked up by primary key alone: with a workspace condition in the WHERE clause SQLite's
    // planner (without statistics) walks every company of the workspace instead. The workspace
    // is still checked, on the rows found.
    let found: Vec<(String, String)> = if ids.is_empty() {
        Vec::new()
    } else {
        let rows: Vec<(String, String, String)> = companies::table
            .filter(companies::id.eq_any(ids))
            .select((companies::id, companies::workspace_id, companies::name))
            .load(conn)?;
        rows.into_iter().filter(|(_, w, _)| w == ws).map(|(id, _, name)| (id, name)).collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let name = company_id(&r).and_then(|c| found.iter().find(|(id, _)| id == c).map(|(_, n)| n.clone()));
            (r, name)
        })
        .collect())
}

/// A condition written as SQL with bound values, built piece by piece (a segment's rules):
/// usable as a filter of any boxed query. Only its builder writes the SQL; values are always
/// bound.
#[derive(Debug, Clone, Default)]
pub struct SqlWhere {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Sql(String),
    Int(i64),
    Text(String),
}

impl SqlWhere {
    /// Appends SQL.
    pub fn sql(&mut self, s: &str) -> &mut Self {
        match self.parts.last_mut() {
            Some(Part::Sql(last)) => last.push_str(s),
            _ => self.parts.push(Part::Sql(s.to_owned())),
        }
        self
    }

    /// Appends a bound integer.
    pub fn int(&mut self, v: i64) -> &mut Self {
        self.parts.push(Part::Int(v));
        self
    }

    /// Appends a bound text.
    pub fn text(&mut self, v: &str) -> &mut Self {
        self.parts.push(Part::Text(v.to_owned()));
        self
    }

    /// Appends `(?, ?, …)` of bound texts.
    pub fn texts(&mut self, vs: &[String]) -> &mut Self {
        self.sql("(");
        for (i, v) in vs.iter().enumerate() {
            if i > 0 {
                self.sql(", ");
            }
            self.text(v);
        }
        self.sql(")")
    }

    /// Appends another condition.
    pub fn append(&mut self, other: &SqlWhere) -> &mut Self {
        for p in &other.parts {
            match p {
                Part::Sql(s) => {
                    self.sql(s);
                }
                other => self.parts.push(other.clone()),
            }
        }
        self
    }
}

impl diesel::expression::Expression for SqlWhere {
    type SqlType = diesel::sql_types::Bool;
}

impl<QS> diesel::expression::AppearsOnTable<QS> for SqlWhere {}
impl<QS> diesel::expression::SelectableExpression<QS> for SqlWhere {}

impl diesel::expression::ValidGrouping<()> for SqlWhere {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryId for SqlWhere {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl SqlWhere {
    /// Writes the pieces: the SQL as it is, the values bound.
    fn walk_parts<'b>(&'b self, out: &mut diesel::query_builder::AstPass<'_, 'b, crate::Db>) -> diesel::QueryResult<()> {
        for p in &self.parts {
            match p {
                Part::Sql(s) => out.push_sql(s),
                Part::Int(v) => out.push_bind_param::<diesel::sql_types::BigInt, _>(v)?,
                Part::Text(t) => out.push_bind_param::<diesel::sql_types::Text, _>(t)?,
            }
        }
        Ok(())
    }
}

impl diesel::query_builder::QueryFragment<crate::Db> for SqlWhere {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, crate::Db>) -> diesel::QueryResult<()> {
        // Conditions come in many shapes (a list's filters): none is kept prepared.
        out.unsafe_to_cache_prepared();
        self.walk_parts(&mut out)
    }
}

/// A whole statement written with [`SqlWhere`]'s pieces (SQL and bound values), to execute: for
/// the few statements diesel's builder cannot write (an insert from a join with an upsert).
/// It is kept prepared by its text, so it is for statements of a few fixed shapes (its values
/// bound, never written into the SQL).
pub struct Statement(pub SqlWhere);

impl diesel::query_builder::QueryId for Statement {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<crate::Db> for Statement {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, crate::Db>) -> diesel::QueryResult<()> {
        self.0.walk_parts(&mut out)
    }
}

impl<Conn> diesel::RunQueryDsl<Conn> for Statement {}

impl SqlWhere {
    /// All of `parts` hold (`any`: one of them).
    pub fn group(parts: &[SqlWhere], any: bool) -> SqlWhere {
        let mut w = SqlWhere::default();
        w.sql("(");
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                w.sql(if any { " OR " } else { " AND " });
            }
            w.append(p);
        }
        w.sql(")");
        w
    }

    /// The condition does not hold (also where it is unknown, as for an empty value).
    pub fn negated(&self) -> SqlWhere {
        let mut w = SqlWhere::default();
        w.sql("((");
        w.append(self);
        w.sql(") IS NOT TRUE)");
        w
    }

    /// `expr IN` the live contacts of workspace `ws` matching `members` (a segment's members),
    /// taking `select` of each (`id`, or `company_id` for their companies), among those of
    /// `owners` only when given (the caller's reach over contacts).
    pub fn among_contacts(expr: &str, select: &str, ws: &str, members: &SqlWhere, owners: Option<&[String]>) -> SqlWhere {
        let mut w = SqlWhere::default();
        w.sql(expr).sql(" IN (SELECT contacts.").sql(select).sql(" FROM contacts WHERE contacts.workspace_id = ");
        w.text(ws).sql(" AND contacts.deleted_at IS NULL");
        match owners {
            None => {}
            Some([]) => {
                w.sql(" AND 1 = 0");
            }
            Some(owners) => {
                w.sql(" AND contacts.owner_id IN ").texts(owners);
            }
        }
        w.sql(" AND ").append(members).sql(")");
        w
    }
}

/// Records linked to the contacts of a segment: the segment's id as asked, and the condition on
/// contacts the use case resolves it into (the segment's rules as they match now, a snapshot's
/// kept members).
#[derive(Debug, Clone, Default)]
pub struct InSegment {
    pub id: Option<String>,
    pub members: Option<SqlWhere>,
    /// The caller's reach over contacts, for records of other kinds: a contact outside it
    /// counts as no member.
    pub reach: Option<crate::reach::Reach>,
}

impl InSegment {
    /// The segment `id`, as a caller asked for it.
    pub fn asked(id: Option<String>) -> InSegment {
        InSegment { id, members: None, reach: None }
    }

    /// Contacts matching `members`.
    pub fn matching(members: SqlWhere) -> InSegment {
        InSegment { id: None, members: Some(members), reach: None }
    }

    /// The condition on contacts, when a segment was asked: its members, or none when no use
    /// case resolved it (a list path that forgot to must not list everything).
    pub fn members(&self) -> Option<SqlWhere> {
        match (&self.members, &self.id) {
            (Some(w), _) => Some(w.clone()),
            (None, Some(_)) => {
                let mut none = SqlWhere::default();
                none.sql("1 = 0");
                Some(none)
            }
            (None, None) => None,
        }
    }

    /// `expr IN` the contacts of the segment (taking `select` of each), when one was asked.
    pub fn condition(&self, expr: &str, select: &str, ws: &str) -> Option<SqlWhere> {
        let members = self.members()?;
        Some(SqlWhere::among_contacts(expr, select, ws, &members, self.reach.as_ref().and_then(crate::reach::Reach::owners)))
    }

    /// `expr IN` the records `link` ties to a contact of the segment, when one was asked.
    pub fn through(&self, expr: &str, link: &Link, ws: &str) -> Option<SqlWhere> {
        let Link { table, record, contact, only } = link;
        let inner = self.condition(&format!("{table}.{contact}"), "id", ws)?;
        let mut w = SqlWhere::default();
        w.sql(expr).sql(" IN (SELECT ").sql(table).sql(".").sql(record).sql(" FROM ").sql(table).sql(" WHERE ");
        w.sql(table).sql(".workspace_id = ").text(ws).sql(" AND ");
        if let Some(only) = only {
            w.sql(only).sql(" AND ");
        }
        w.append(&inner).sql(")");
        Some(w)
    }
}

/// A table linking records to contacts (a deal's contacts, an activity's participants).
pub struct Link {
    pub table: &'static str,
    /// The column of the record's id.
    pub record: &'static str,
    /// The column of the contact's id.
    pub contact: &'static str,
    /// SQL narrowing the rows to those naming contacts, if the table names others too.
    pub only: Option<&'static str>,
}

impl From<&crate::cursor::CustomCondition> for SqlWhere {
    fn from(c: &crate::cursor::CustomCondition) -> Self {
        use crate::cursor::SortValue;
        let mut w = SqlWhere::default();
        w.sql(&c.sql);
        match &c.value {
            SortValue::Int(v) => {
                w.int(*v);
            }
            SortValue::Text(t) => {
                w.text(t);
            }
            SortValue::Null => {}
        }
        w.sql(c.close);
        w
    }
}

/// The day of the year (`MM-DD`, UTC) of a number of days since the epoch (`micros`: of
/// microseconds) is one of `month_days`: an anniversary in a window.
pub fn anniversary(pg: bool, expr: &str, micros: bool, month_days: &[String]) -> SqlWhere {
    let day = match (pg, micros) {
        (false, false) => format!("strftime('%m-%d', ({expr}) * 86400, 'unixepoch')"),
        (false, true) => format!("strftime('%m-%d', ({expr}) / 1000000, 'unixepoch')"),
        (true, false) => format!("to_char(date '1970-01-01' + ({expr})::int, 'MM-DD')"),
        (true, true) => format!("to_char(to_timestamp(({expr}) / 1000000.0) AT TIME ZONE 'UTC', 'MM-DD')"),
    };
    let mut w = SqlWhere::default();
    w.sql(&format!("({day} IN "));
    w.texts(month_days);
    w.sql(")");
    w
}
