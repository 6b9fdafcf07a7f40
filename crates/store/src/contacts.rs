//! Contacts: rows, filters, keyset pages, and writes that keep indexes and the audit trail
//! in step. Callers wrap writes in [`crate::write_tx`].

use crate::cursor::{finish_page, Cursor, CustomPlan, PageOf, PageSpec, SortField, Trash};
use crate::reach::{Reach, WriteGuard};
use crate::record::Changed;
use crate::schema::{companies, contacts, record_tags};
use crate::{keyset, listing, new_id, points, Db, DbConnection, StoreError, StoreResult};
use crm_domain::ContactDraft;
use diesel::prelude::*;
use serde_json::{Map, Value};

pub const ENTITY: &str = "contact";

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ContactRow {
    pub id: String,
    pub workspace_id: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub display_name: String,
    pub sort_name: String,
    pub title: Option<String>,
    pub company_id: Option<String>,
    pub emails: String,
    pub phones: String,
    pub lifecycle_stage: String,
    pub source: Option<String>,
    pub consent: String,
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

crate::keyed_row!(@custom ContactRow);

/// A contact with the name of its company.
pub type ContactWithCompany = (ContactRow, Option<String>);

/// Filters of the contact list; all of them combine with AND.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub q: Option<String>,
    pub lifecycle_stages: Vec<String>,
    pub owner_ids: Vec<String>,
    pub company_id: Option<String>,
    pub tag: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_gte: Option<i64>,
    pub created_lt: Option<i64>,
    pub updated_gte: Option<i64>,
    pub trash: Trash,
    /// Members of a segment (the contacts' reach is the list's own).
    pub segment: listing::InSegment,
}

fn filtered<'a>(ws: &str, reach: &Reach, f: &ContactFilter, custom: &CustomPlan) -> contacts::BoxedQuery<'a, Db> {
    use crate::schema::contact_points as cp;
    let mut q = contacts::table.filter(contacts::workspace_id.eq(ws.to_owned())).into_boxed();
    q = match f.trash {
        Trash::Exclude => q.filter(contacts::deleted_at.is_null()),
        Trash::Only => q.filter(contacts::deleted_at.is_not_null()),
        Trash::Include => q,
    };
    if !f.lifecycle_stages.is_empty() {
        q = q.filter(contacts::lifecycle_stage.eq_any(f.lifecycle_stages.clone()));
    }
    let owners = reach.narrow(&f.owner_ids);
    if !owners.is_empty() || reach.owners().is_some() {
        q = q.filter(contacts::owner_id.eq_any(owners));
    }
    if let Some(c) = &f.company_id {
        q = q.filter(contacts::company_id.eq(c.clone()));
    }
    if let Some(t) = &f.tag {
        q = q.filter(
            contacts::id.eq_any(
                record_tags::table
                    .filter(record_tags::workspace_id.eq(ws.to_owned()))
                    .filter(record_tags::entity_type.eq(ENTITY))
                    .filter(record_tags::tag.eq(t.clone()))
                    .select(record_tags::entity_id),
            ),
        );
    }
    for (kind, value) in [("email", &f.email), ("phone", &f.phone)] {
        if let Some(v) = value {
            q = q.filter(
                contacts::id.eq_any(
                    cp::table
                        .filter(cp::workspace_id.eq(ws.to_owned()))
                        .filter(cp::kind.eq(kind))
                        .filter(cp::value.eq(v.clone()))
                        .filter(cp::entity_type.eq(ENTITY))
                        .select(cp::entity_id),
                ),
            );
        }
    }
    if let Some(t) = f.created_gte {
        q = q.filter(contacts::created_at.ge(t));
    }
    if let Some(t) = f.created_lt {
        q = q.filter(contacts::created_at.lt(t));
    }
    if let Some(t) = f.updated_gte {
        q = q.filter(contacts::updated_at.ge(t));
    }
    if let Some(needle) = f.q.as_deref().and_then(listing::search_needle) {
        q = crate::search_where!(q, contacts::search_text, contacts::id, ws, ENTITY, &needle);
    }
    q = crate::custom_where!(q, custom);
    if let Some(w) = f.segment.members() {
        q = q.filter(w);
    }
    q
}

/// How many contacts match.
pub fn count(conn: &mut DbConnection, ws: &str, reach: &Reach, f: &ContactFilter) -> StoreResult<i64> {
    Ok(filtered(ws, reach, f, &CustomPlan::default()).count().get_result(conn)?)
}

/// Whether the live contact `id` matches `w` (is a member of a segment).
pub fn matches(conn: &mut DbConnection, ws: &str, id: &str, w: &listing::SqlWhere) -> StoreResult<bool> {
    let n: i64 = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::id.eq(id))
        .filter(contacts::deleted_at.is_null())
        .filter(w.clone())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The ids of every live contact matching `w` (a segment's members).
pub fn ids_matching(conn: &mut DbConnection, ws: &str, w: &listing::SqlWhere) -> StoreResult<Vec<String>> {
    Ok(contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::deleted_at.is_null())
        .filter(w.clone())
        .select(contacts::id)
        .load(conn)?)
}

/// One page of contacts.
pub fn list(
    conn: &mut DbConnection,
    ws: &str,
    reach: &Reach,
    f: &ContactFilter,
    page: &PageSpec,
) -> StoreResult<PageOf<ContactWithCompany>> {
    let q = filtered(ws, reach, f, &page.custom).select(ContactRow::as_select()).limit(page.limit + 1);
    let desc = page.sort.desc;
    let after = page.after.as_ref();
    let mut rows: Vec<ContactRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, reach, f, &page.custom).select(ContactRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::CreatedAt | SortField::At => {
                keyset!(q, contacts::created_at, contacts::id, desc, after.and_then(Cursor::int_key)).load(conn)?
            }
            SortField::UpdatedAt => keyset!(q, contacts::updated_at, contacts::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, contacts::sort_name, contacts::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
        }
    };
    let total = if page.include_total { Some(filtered(ws, reach, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    let items = with_company_names(conn, ws, rows)?;
    Ok(PageOf { items, next_cursor, total })
}

fn with_company_names(conn: &mut DbConnection, ws: &str, rows: Vec<ContactRow>) -> StoreResult<Vec<ContactWithCompany>> {
    crate::listing::attach_company_names(conn, ws, rows, |r| r.company_id.as_deref())
}

/// One contact (also when in the trash) with its company's name.
pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<ContactWithCompany> {
    // The hottest read runs on the concrete connection, where diesel keeps the prepared
    // statement; through the multi-backend wrapper it is prepared again on every call.
    macro_rules! query {
        () => {
            contacts::table
                .left_join(companies::table)
                .filter(contacts::workspace_id.eq(ws))
                .filter(contacts::id.eq(id))
                .select((ContactRow::as_select(), companies::name.nullable()))
                .limit(1)
        };
    }
    let found = crate::db::per_backend!(conn, |c| query!().get_result(c).optional()?);
    found.ok_or(StoreError::NotFound)
}

fn company_name(conn: &mut DbConnection, ws: &str, company_id: Option<&str>) -> StoreResult<Option<String>> {
    let Some(cid) = company_id else { return Ok(None) };
    let name: Option<String> = companies::table
        .filter(companies::workspace_id.eq(ws))
        .filter(companies::id.eq(cid))
        .filter(companies::deleted_at.is_null())
        .select(companies::name)
        .first(conn)
        .optional()?;
    match name {
        Some(n) => Ok(Some(n)),
        None => Err(crm_domain::FieldError::new("company_id", "unknown_company", "no such company in this workspace").into()),
    }
}

fn to_row(ws: &str, id: String, d: &ContactDraft, company: Option<&str>, version: i64, created_at: i64, now: i64) -> ContactRow {
    let display_name = d.display_name();
    let search_text =
        crm_domain::records::search_text(&[&display_name, d.title.as_deref().unwrap_or(""), company.unwrap_or("")], &d.emails, &d.phones);
    ContactRow {
        id,
        workspace_id: ws.to_owned(),
        first_name: d.first_name.clone(),
        last_name: d.last_name.clone(),
        sort_name: d.sort_name(),
        display_name,
        title: d.title.clone(),
        company_id: d.company_id.clone(),
        emails: points::emails_json(&d.emails),
        phones: points::phones_json(&d.phones),
        lifecycle_stage: d.lifecycle_stage.as_str().to_owned(),
        source: d.source.map(|s| s.as_str().to_owned()),
        consent: d.consent.as_str().to_owned(),
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

/// The audited fields of a contact as JSON.
pub fn fields(r: &ContactRow) -> Map<String, Value> {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let mut m = Map::new();
    m.insert("first_name".into(), Value::from(r.first_name.clone()));
    m.insert("last_name".into(), Value::from(r.last_name.clone()));
    m.insert("title".into(), Value::from(r.title.clone()));
    m.insert("company_id".into(), Value::from(r.company_id.clone()));
    m.insert("emails".into(), parse(&r.emails));
    m.insert("phones".into(), parse(&r.phones));
    m.insert("lifecycle_stage".into(), Value::from(r.lifecycle_stage.clone()));
    m.insert("source".into(), Value::from(r.source.clone()));
    m.insert("consent".into(), Value::from(r.consent.clone()));
    m.insert("owner_id".into(), Value::from(r.owner_id.clone()));
    m.insert("tags".into(), parse(&r.tags));
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

/// Inserts ready-made rows without audit or checks: benchmark data only.
pub fn insert_raw(conn: &mut DbConnection, rows: &[ContactRow]) -> StoreResult<()> {
    crate::db::insert_rows!(conn, contacts::table, rows, 500);
    Ok(())
}

/// Writes a new contact with its contact points and search words; checks its company and
/// owner belong to the workspace. Records nothing of it (the caller's unit of work does).
pub fn insert(conn: &mut DbConnection, ws: &str, d: &ContactDraft, now: i64) -> StoreResult<ContactWithCompany> {
    let company = company_name(conn, ws, d.company_id.as_deref())?;
    if let Some(o) = &d.owner_id {
        crate::record::refs::require_member(conn, ws, o, "owner_id")?;
    }
    let row = to_row(ws, new_id(), d, company.as_deref(), 1, now, now);
    diesel::insert_into(contacts::table).values(&row).execute(conn)?;
    // A new contact has no points or words to replace.
    points::add(conn, ws, ENTITY, &row.id, &d.emails, &d.phones, &d.tags)?;
    let emails: Vec<serde_json::Value> = serde_json::from_str(&row.emails).unwrap_or_default();
    crate::terms::add(conn, ws, ENTITY, &row.id, &search_texts(&row, company.as_deref(), &emails))?;
    Ok((row, company))
}

/// Writes a change to a contact: `apply` turns the current row into the new draft. Returns the change (`record::Changed`). Records nothing of it.
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &ContactRow) -> StoreResult<ContactDraft>,
) -> StoreResult<Changed<ContactRow, ContactWithCompany>> {
    let (row, old_company) = get(conn, ws, id)?;
    guard.check(row.owner_id.as_deref())?;
    crate::record::check_editable(ENTITY, row.deleted_at, row.version, expected)?;
    let d = apply(conn, &row)?;
    let company = if d.company_id == row.company_id { old_company } else { company_name(conn, ws, d.company_id.as_deref())? };
    if d.owner_id != row.owner_id {
        if let Some(o) = &d.owner_id {
            crate::record::refs::require_member(conn, ws, o, "owner_id")?;
        }
    }
    let mut new_row = to_row(ws, row.id.clone(), &d, company.as_deref(), row.version + 1, row.created_at, now);
    if d.custom.is_none() {
        new_row.custom.clone_from(&row.custom);
    }
    let changes = crate::record::diff(&fields(&row), &fields(&new_row));
    if changes.is_empty() {
        return Ok(Changed::nothing(row.clone(), (row, company)));
    }
    let n = diesel::update(contacts::table.filter(contacts::id.eq(id)).filter(contacts::version.eq(row.version)))
        .set(&new_row)
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected: row.version, current: row.version + 1 });
    }
    points::sync(conn, ws, ENTITY, id, &d.emails, &d.phones, &d.tags)?;
    if new_row.search_text != row.search_text {
        index(conn, ws, &new_row, company.as_deref())?;
    }
    Ok(Changed { before: row, after: (new_row, company), changes })
}

/// Moves a contact to the trash (`delete`) or back (`restore`). Returns the contact and the
/// move (none when it already was where asked). Records nothing of it.
pub fn trash(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    delete: bool,
) -> StoreResult<(ContactWithCompany, Option<crate::record::TrashMove>)> {
    let (mut row, company) = get(conn, ws, id)?;
    let moved = crate::move_row_to_trash!(contacts, conn, id, &mut row, guard, expected, delete)?;
    Ok(((row, company), moved))
}

/// These contacts of the workspace with their company names, in one query (search).
pub fn many(conn: &mut DbConnection, ws: &str, ids: &[String]) -> StoreResult<Vec<ContactWithCompany>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ContactRow> = contacts::table.filter(contacts::id.eq_any(ids)).select(ContactRow::as_select()).load(conn)?;
    let rows: Vec<ContactRow> = rows.into_iter().filter(|r| r.workspace_id == ws).collect();
    crate::listing::attach_company_names(conn, ws, rows, |r| r.company_id.as_deref())
}

/// The words a contact is found by: name, title, company and email addresses.
pub fn index(conn: &mut DbConnection, ws: &str, row: &ContactRow, company: Option<&str>) -> StoreResult<()> {
    let emails: Vec<serde_json::Value> = serde_json::from_str(&row.emails).unwrap_or_default();
    crate::terms::sync(conn, ws, ENTITY, &row.id, &search_texts(row, company, &emails))
}

/// The texts a contact is found by: name, title, company and email addresses (`emails`, its
/// stored emails read).
fn search_texts<'a>(row: &'a ContactRow, company: Option<&'a str>, emails: &'a [serde_json::Value]) -> Vec<&'a str> {
    let mut texts: Vec<&str> = vec![&row.display_name, row.title.as_deref().unwrap_or(""), company.unwrap_or("")];
    texts.extend(emails.iter().filter_map(|e| e["address"].as_str()));
    texts
}

/// Rewrites the search text of a company's contacts after the company was renamed.
pub fn refresh_company_name(conn: &mut DbConnection, ws: &str, company_id: &str, old: &str, new: &str) -> StoreResult<()> {
    let rows: Vec<ContactRow> = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::company_id.eq(company_id))
        .select(ContactRow::as_select())
        .load(conn)?;
    let (old_l, new_l) = (old.to_lowercase(), new.to_lowercase());
    for row in rows {
        let updated = row.search_text.replacen(&format!(" {old_l} "), &format!(" {new_l} "), 1);
        diesel::update(contacts::table.filter(contacts::id.eq(&row.id))).set(contacts::search_text.eq(updated)).execute(conn)?;
        index(conn, ws, &row, Some(new))?;
    }
    Ok(())
}

/// The oldest live contact with the first of these contact points that matches any (e.g.
/// `[("email", key), ("phone", e164)]`).
pub fn live_by_points(conn: &mut DbConnection, ws: &str, points_in_order: &[(&str, Option<&str>)]) -> StoreResult<Option<String>> {
    for (kind, value) in points_in_order {
        let Some(value) = value else { continue };
        let ids: Vec<String> = points::find(conn, ws, kind, value)?.into_iter().filter(|(e, _)| e == ENTITY).map(|(_, id)| id).collect();
        let live: Option<String> = contacts::table
            .filter(contacts::workspace_id.eq(ws))
            .filter(contacts::id.eq_any(&ids))
            .filter(contacts::deleted_at.is_null())
            .order(contacts::created_at.asc())
            .select(contacts::id)
            .first(conn)
            .optional()?;
        if live.is_some() {
            return Ok(live);
        }
    }
    Ok(None)
}

/// A record with a given email or phone: its type and id and, for a contact, the contact with
/// its company's name.
pub type Holder = (String, String, Option<ContactWithCompany>);

/// The records with this exact email key or E.164 phone, each contact read in the same query
/// (a caller-ID lookup is one round trip when the number is a contact's). A point whose
/// contact is gone comes without it.
pub fn holders(conn: &mut DbConnection, ws: &str, kind: &str, value: &str) -> StoreResult<Vec<Holder>> {
    use crate::schema::contact_points as cp;
    let rows: Vec<(String, String, Option<ContactRow>, Option<String>)> = cp::table
        .left_join(
            contacts::table
                .on(contacts::id.eq(cp::entity_id).and(cp::entity_type.eq("contact")).and(contacts::workspace_id.eq(cp::workspace_id))),
        )
        .left_join(companies::table.on(companies::id.nullable().eq(contacts::company_id)))
        .filter(cp::workspace_id.eq(ws))
        .filter(cp::kind.eq(kind))
        .filter(cp::value.eq(value))
        .select((cp::entity_type, cp::entity_id, Option::<ContactRow>::as_select(), companies::name.nullable()))
        .limit(200)
        .load(conn)?;
    Ok(rows.into_iter().map(|(t, id, contact, company)| (t, id, contact.map(|c| (c, company)))).collect())
}

/// Puts every contact in the search index again (for a database from before the index
/// existed); returns how many. Run it in a transaction.
pub fn reindex(conn: &mut DbConnection) -> StoreResult<usize> {
    let rows: Vec<(ContactRow, Option<String>)> =
        contacts::table.left_join(companies::table).select((ContactRow::as_select(), companies::name.nullable())).load(conn)?;
    for (r, company) in &rows {
        index(conn, &r.workspace_id, r, company.as_deref())?;
    }
    Ok(rows.len())
}
