//! Companies: rows, filters, keyset pages and audited writes. Callers wrap writes in
//! [`crate::write_tx`].

use crate::cursor::{finish_page, Cursor, CustomPlan, PageOf, PageSpec, SortField, Trash};
use crate::reach::{Reach, WriteGuard};
use crate::record::Changed;
use crate::schema::{companies, contacts, record_tags};
use crate::{keyset, listing, new_id, points, Db, DbConnection, StoreError, StoreResult};
use crm_domain::CompanyDraft;
use diesel::prelude::*;
use serde_json::{Map, Value};

pub const ENTITY: &str = "company";

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = companies, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CompanyRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub sort_name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub emails: String,
    pub phones: String,
    pub annual_revenue_e4: Option<i64>,
    pub annual_revenue_currency: Option<String>,
    pub employee_count: Option<i64>,
    pub owner_id: Option<String>,
    pub tags: String,
    pub search_text: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    /// The custom fields' values, JSON keyed by storage key (`crm_domain::custom`).
    pub custom: String,
}

crate::keyed_row!(@custom CompanyRow);

/// A company with its number of live contacts.
pub type CompanyWithCount = (CompanyRow, i64);

#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    pub q: Option<String>,
    pub owner_ids: Vec<String>,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub tag: Option<String>,
    pub created_gte: Option<i64>,
    pub created_lt: Option<i64>,
    pub updated_gte: Option<i64>,
    pub trash: Trash,
    /// Linked to the contacts of a segment.
    pub segment: crate::listing::InSegment,
}

fn filtered<'a>(ws: &str, reach: &Reach, f: &CompanyFilter, custom: &CustomPlan) -> companies::BoxedQuery<'a, Db> {
    let mut q = companies::table.filter(companies::workspace_id.eq(ws.to_owned())).into_boxed();
    q = match f.trash {
        Trash::Exclude => q.filter(companies::deleted_at.is_null()),
        Trash::Only => q.filter(companies::deleted_at.is_not_null()),
        Trash::Include => q,
    };
    let owners = reach.narrow(&f.owner_ids);
    if !owners.is_empty() || reach.owners().is_some() {
        q = q.filter(companies::owner_id.eq_any(owners));
    }
    if let Some(d) = &f.domain {
        q = q.filter(companies::domain.eq(d.to_lowercase()));
    }
    if let Some(i) = &f.industry {
        q = q.filter(companies::industry.eq(i.clone()));
    }
    if let Some(t) = &f.tag {
        q = q.filter(
            companies::id.eq_any(
                record_tags::table
                    .filter(record_tags::workspace_id.eq(ws.to_owned()))
                    .filter(record_tags::entity_type.eq(ENTITY))
                    .filter(record_tags::tag.eq(t.clone()))
                    .select(record_tags::entity_id),
            ),
        );
    }
    if let Some(t) = f.created_gte {
        q = q.filter(companies::created_at.ge(t));
    }
    if let Some(t) = f.created_lt {
        q = q.filter(companies::created_at.lt(t));
    }
    if let Some(t) = f.updated_gte {
        q = q.filter(companies::updated_at.ge(t));
    }
    if let Some(needle) = f.q.as_deref().and_then(listing::search_needle) {
        q = crate::search_where!(q, companies::search_text, companies::id, ws, ENTITY, &needle);
    }
    if let Some(w) = f.segment.condition("companies.id", "company_id", ws) {
        q = q.filter(w);
    }
    q = crate::custom_where!(q, custom);
    q
}

/// A page of companies, each with the number of its contacts within `contact_reach` (so the
/// count never reveals contacts the caller may not see).
pub fn list(
    conn: &mut DbConnection,
    ws: &str,
    reach: &Reach,
    contact_reach: &Reach,
    f: &CompanyFilter,
    page: &PageSpec,
) -> StoreResult<PageOf<CompanyWithCount>> {
    let q = filtered(ws, reach, f, &page.custom).select(CompanyRow::as_select()).limit(page.limit + 1);
    let desc = page.sort.desc;
    let after = page.after.as_ref();
    let mut rows: Vec<CompanyRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, reach, f, &page.custom).select(CompanyRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::CreatedAt | SortField::At => {
                keyset!(q, companies::created_at, companies::id, desc, after.and_then(Cursor::int_key)).load(conn)?
            }
            SortField::UpdatedAt => keyset!(q, companies::updated_at, companies::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, companies::sort_name, companies::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
        }
    };
    let total = if page.include_total { Some(filtered(ws, reach, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let counts: Vec<(Option<String>, i64)> = if ids.is_empty() {
        Vec::new()
    } else {
        let q = contacts::table
            .filter(contacts::workspace_id.eq(ws))
            .filter(contacts::company_id.eq_any(ids))
            .filter(contacts::deleted_at.is_null());
        let count = (contacts::company_id, diesel::dsl::count_star());
        match contact_reach.owners() {
            None => q.group_by(contacts::company_id).select(count).load(conn)?,
            Some(owners) => q.filter(contacts::owner_id.eq_any(owners)).group_by(contacts::company_id).select(count).load(conn)?,
        }
    };
    let items = rows
        .into_iter()
        .map(|r| {
            let n = counts.iter().find(|(c, _)| c.as_deref() == Some(r.id.as_str())).map(|(_, n)| *n).unwrap_or(0);
            (r, n)
        })
        .collect();
    Ok(PageOf { items, next_cursor, total })
}

/// The words a company is found by: name, domain and city.
pub fn index(conn: &mut DbConnection, ws: &str, row: &CompanyRow) -> StoreResult<()> {
    crate::terms::sync(conn, ws, ENTITY, &row.id, &search_texts(row))
}

fn search_texts(row: &CompanyRow) -> [&str; 3] {
    [row.name.as_str(), row.domain.as_deref().unwrap_or(""), row.city.as_deref().unwrap_or("")]
}

/// These companies of the workspace (in no particular order).
pub fn many(conn: &mut DbConnection, ws: &str, ids: &[String]) -> StoreResult<Vec<CompanyRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<CompanyRow> = companies::table.filter(companies::id.eq_any(ids)).select(CompanyRow::as_select()).load(conn)?;
    Ok(rows.into_iter().filter(|r| r.workspace_id == ws).collect())
}

/// The oldest live company with this web domain.
pub fn by_domain(conn: &mut DbConnection, ws: &str, domain: &str) -> StoreResult<Option<CompanyRow>> {
    Ok(companies::table
        .filter(companies::workspace_id.eq(ws))
        .filter(companies::domain.eq(domain))
        .filter(companies::deleted_at.is_null())
        .order(companies::created_at.asc())
        .select(CompanyRow::as_select())
        .first(conn)
        .optional()?)
}

/// The number of live contacts of a company within `reach`.
pub fn contact_count(conn: &mut DbConnection, ws: &str, id: &str, reach: &Reach) -> StoreResult<i64> {
    let mut q = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::company_id.eq(id))
        .filter(contacts::deleted_at.is_null())
        .into_boxed();
    if let Some(owners) = reach.owners() {
        q = q.filter(contacts::owner_id.eq_any(owners.to_vec()));
    }
    Ok(q.count().get_result(conn)?)
}

/// One company with its number of contacts (all of them: callers narrow it with
/// [`contact_count`] for what a viewer may see).
pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<CompanyWithCount> {
    let row: CompanyRow = companies::table
        .filter(companies::workspace_id.eq(ws))
        .filter(companies::id.eq(id))
        .select(CompanyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let n: i64 = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::company_id.eq(id))
        .filter(contacts::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    Ok((row, n))
}

fn to_row(ws: &str, id: String, d: &CompanyDraft, version: i64, created_at: i64, now: i64) -> CompanyRow {
    let search_text = crm_domain::records::search_text(
        &[&d.name, d.domain.as_deref().unwrap_or(""), d.city.as_deref().unwrap_or("")],
        &d.emails,
        &d.phones,
    );
    CompanyRow {
        id,
        workspace_id: ws.to_owned(),
        name: d.name.clone(),
        sort_name: d.name.to_lowercase(),
        domain: d.domain.clone(),
        industry: d.industry.clone(),
        city: d.city.clone(),
        country: d.country.clone(),
        emails: points::emails_json(&d.emails),
        phones: points::phones_json(&d.phones),
        annual_revenue_e4: d.annual_revenue.map(|m| m.amount_e4()),
        annual_revenue_currency: d.annual_revenue.map(|m| m.currency().code().to_owned()),
        employee_count: d.employee_count,
        owner_id: d.owner_id.clone(),
        tags: points::tags_json(&d.tags),
        search_text,
        version,
        created_at,
        updated_at: now,
        deleted_at: None,
        custom: crate::record::custom_json(d.custom.as_ref(), None),
    }
}

/// The audited fields of a company as JSON.
pub fn fields(r: &CompanyRow) -> Map<String, Value> {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let revenue = match (r.annual_revenue_e4, &r.annual_revenue_currency) {
        (Some(a), Some(c)) => serde_json::json!({"amount_e4": a, "currency": c}),
        _ => Value::Null,
    };
    let mut m = Map::new();
    m.insert("name".into(), Value::from(r.name.clone()));
    m.insert("domain".into(), Value::from(r.domain.clone()));
    m.insert("industry".into(), Value::from(r.industry.clone()));
    m.insert("city".into(), Value::from(r.city.clone()));
    m.insert("country".into(), Value::from(r.country.clone()));
    m.insert("emails".into(), parse(&r.emails));
    m.insert("phones".into(), parse(&r.phones));
    m.insert("annual_revenue".into(), revenue);
    m.insert("employee_count".into(), Value::from(r.employee_count));
    m.insert("owner_id".into(), Value::from(r.owner_id.clone()));
    m.insert("tags".into(), parse(&r.tags));
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

/// Writes a new company with its contact points and search words; checks its owner belongs
/// to the workspace. Records nothing of it (the caller's unit of work does).
pub fn insert(conn: &mut DbConnection, ws: &str, d: &CompanyDraft, now: i64) -> StoreResult<CompanyWithCount> {
    if let Some(o) = &d.owner_id {
        crate::record::refs::require_member(conn, ws, o, "owner_id")?;
    }
    let row = to_row(ws, new_id(), d, 1, now, now);
    diesel::insert_into(companies::table).values(&row).execute(conn)?;
    // A new company has no points or words to replace.
    points::add(conn, ws, ENTITY, &row.id, &d.emails, &d.phones, &d.tags)?;
    crate::terms::add(conn, ws, ENTITY, &row.id, &search_texts(&row))?;
    Ok((row, 0))
}

/// Writes a change to a company (and its name into its contacts' search words): `apply` turns
/// the current row into the new draft. Returns the change (`record::Changed`). Records nothing of it.
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &CompanyRow) -> StoreResult<CompanyDraft>,
) -> StoreResult<Changed<CompanyRow, CompanyWithCount>> {
    let (row, count) = get(conn, ws, id)?;
    guard.check(row.owner_id.as_deref())?;
    crate::record::check_editable(ENTITY, row.deleted_at, row.version, expected)?;
    let d = apply(conn, &row)?;
    if d.owner_id != row.owner_id {
        if let Some(o) = &d.owner_id {
            crate::record::refs::require_member(conn, ws, o, "owner_id")?;
        }
    }
    let mut new_row = to_row(ws, row.id.clone(), &d, row.version + 1, row.created_at, now);
    if d.custom.is_none() {
        new_row.custom.clone_from(&row.custom);
    }
    let changes = crate::record::diff(&fields(&row), &fields(&new_row));
    if changes.is_empty() {
        return Ok(Changed::nothing(row.clone(), (row, count)));
    }
    let n = diesel::update(companies::table.filter(companies::id.eq(id)).filter(companies::version.eq(row.version)))
        .set(&new_row)
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected: row.version, current: row.version + 1 });
    }
    points::sync(conn, ws, ENTITY, id, &d.emails, &d.phones, &d.tags)?;
    if new_row.search_text != row.search_text {
        index(conn, ws, &new_row)?;
    }
    Ok(Changed { before: row, after: (new_row, count), changes })
}

/// Moves a company to the trash (`delete`) or back. Returns the company and the move (none
/// when it already was where asked). Records nothing of it.
pub fn trash(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    delete: bool,
) -> StoreResult<(CompanyWithCount, Option<crate::record::TrashMove>)> {
    let (mut row, count) = get(conn, ws, id)?;
    let moved = crate::move_row_to_trash!(companies, conn, id, &mut row, guard, expected, delete)?;
    Ok(((row, count), moved))
}

/// The oldest live company with this domain, else with exactly this name (case aside): the
/// company a converted lead joins.
pub fn live_by_domain_or_name(conn: &mut DbConnection, ws: &str, domain: Option<&str>, name: Option<&str>) -> StoreResult<Option<String>> {
    // The oldest is picked here, not by `ORDER BY created_at`, which can lead SQLite to walk the
    // workspace's companies by their creation instead of finding the few of that name.
    let oldest = |found: Vec<(String, i64)>| found.into_iter().min_by_key(|(id, at)| (*at, id.clone())).map(|(id, _)| id);
    let live = companies::table.filter(companies::workspace_id.eq(ws)).filter(companies::deleted_at.is_null());
    if let Some(d) = domain {
        let found = live.filter(companies::domain.eq(d)).select((companies::id, companies::created_at)).load(conn)?;
        if let Some(id) = oldest(found) {
            return Ok(Some(id));
        }
    }
    match name {
        Some(n) => {
            Ok(oldest(live.filter(companies::sort_name.eq(n.to_lowercase())).select((companies::id, companies::created_at)).load(conn)?))
        }
        None => Ok(None),
    }
}

/// Puts every company in the search index again (see `contacts::reindex`).
pub fn reindex(conn: &mut DbConnection) -> StoreResult<usize> {
    let rows: Vec<CompanyRow> = companies::table.select(CompanyRow::as_select()).load(conn)?;
    for r in &rows {
        index(conn, &r.workspace_id, r)?;
    }
    Ok(rows.len())
}
