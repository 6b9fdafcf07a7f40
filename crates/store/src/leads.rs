//! Leads: rows, filters, keyset pages, writes, and conversion into a customer.

use crate::cursor::{finish_page, Cursor, CustomPlan, PageOf, PageSpec, SortField, Trash};
use crate::reach::{Reach, WriteGuard};
use crate::record::{check_editable, Changed};
use crate::schema::leads;
use crate::{keyset, listing, new_id, points, time, Db, DbConnection, StoreError, StoreResult};
use crm_domain::operations::{LeadDraft, LeadStatus};
use crm_domain::records::{EmailPoint, PhonePoint};
use crm_domain::{EmailLabel, PhoneLabel};
use diesel::prelude::*;
use serde_json::{json, Map, Value};

pub const ENTITY: &str = "lead";

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = leads, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct LeadRow {
    pub id: String,
    pub workspace_id: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub display_name: String,
    pub sort_name: String,
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub title: Option<String>,
    pub status: String,
    pub disqualify_reason: Option<String>,
    pub source: Option<String>,
    pub form_id: Option<String>,
    pub owner_id: Option<String>,
    pub notes: Option<String>,
    pub converted_at: Option<i64>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub tags: String,
    pub search_text: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    /// The custom fields' values, JSON keyed by storage key (`crm_domain::custom`).
    pub custom: String,
}

crate::keyed_row!(@custom LeadRow);
crate::record_basics!(leads, LeadRow);

#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub q: Option<String>,
    pub statuses: Vec<String>,
    pub owner_ids: Vec<String>,
    pub sources: Vec<String>,
    pub form_id: Option<String>,
    pub converted: Option<bool>,
    pub created_gte: Option<i64>,
    pub created_lt: Option<i64>,
    pub trash: Trash,
    /// Linked to the contacts of a segment.
    pub segment: crate::listing::InSegment,
}

fn filtered<'a>(ws: &str, reach: &Reach, f: &LeadFilter, custom: &CustomPlan) -> leads::BoxedQuery<'a, Db> {
    let mut q = leads::table.filter(leads::workspace_id.eq(ws.to_owned())).into_boxed();
    q = match f.trash {
        Trash::Exclude => q.filter(leads::deleted_at.is_null()),
        Trash::Only => q.filter(leads::deleted_at.is_not_null()),
        Trash::Include => q,
    };
    let owners = reach.narrow(&f.owner_ids);
    if !owners.is_empty() || reach.owners().is_some() {
        q = q.filter(leads::owner_id.eq_any(owners));
    }
    if !f.statuses.is_empty() {
        q = q.filter(leads::status.eq_any(f.statuses.clone()));
    }
    if !f.sources.is_empty() {
        q = q.filter(leads::source.eq_any(f.sources.clone()));
    }
    if let Some(id) = &f.form_id {
        q = q.filter(leads::form_id.eq(id.clone()));
    }
    match f.converted {
        Some(true) => q = q.filter(leads::converted_at.is_not_null()),
        Some(false) => q = q.filter(leads::converted_at.is_null()),
        None => {}
    }
    if let Some(t) = f.created_gte {
        q = q.filter(leads::created_at.ge(t));
    }
    if let Some(t) = f.created_lt {
        q = q.filter(leads::created_at.lt(t));
    }
    if let Some(needle) = f.q.as_deref().and_then(listing::search_needle) {
        q = crate::search_where!(q, leads::search_text, leads::id, ws, ENTITY, &needle);
    }
    if let Some(w) = f.segment.condition("leads.contact_id", "id", ws) {
        q = q.filter(w);
    }
    q = crate::custom_where!(q, custom);
    q
}

pub fn list(conn: &mut DbConnection, ws: &str, reach: &Reach, f: &LeadFilter, page: &PageSpec) -> StoreResult<PageOf<LeadRow>> {
    let q = filtered(ws, reach, f, &page.custom).select(LeadRow::as_select()).limit(page.limit + 1);
    let (desc, after) = (page.sort.desc, page.after.as_ref());
    let mut rows: Vec<LeadRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, reach, f, &page.custom).select(LeadRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::UpdatedAt => keyset!(q, leads::updated_at, leads::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, leads::sort_name, leads::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
            _ => keyset!(q, leads::created_at, leads::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
        }
    };
    let total = if page.include_total { Some(filtered(ws, reach, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    Ok(PageOf { items: rows, next_cursor, total })
}

fn to_row(ws: &str, id: String, d: &LeadDraft, prev: Option<&LeadRow>, form_id: Option<String>, now: i64) -> LeadRow {
    let display_name = d.display_name();
    let emails: Vec<EmailPoint> = d.email.iter().map(|e| EmailPoint { email: e.clone(), label: EmailLabel::Work, primary: true }).collect();
    let phones: Vec<PhonePoint> =
        d.phone.iter().map(|p| PhonePoint { phone: p.clone(), label: PhoneLabel::Mobile, primary: true }).collect();
    let search_text = crm_domain::records::search_text(
        &[&display_name, d.company_name.as_deref().unwrap_or(""), d.title.as_deref().unwrap_or("")],
        &emails,
        &phones,
    );
    LeadRow {
        id,
        workspace_id: ws.to_owned(),
        first_name: d.first_name.clone(),
        last_name: d.last_name.clone(),
        sort_name: display_name.to_lowercase(),
        display_name,
        email: d.email.as_ref().map(|e| e.as_str().to_owned()),
        email_key: d.email.as_ref().map(|e| e.key()),
        phone: d.phone.as_ref().map(|p| p.as_str().to_owned()),
        company_name: d.company_name.clone(),
        title: d.title.clone(),
        status: d.status.as_str().to_owned(),
        disqualify_reason: d.disqualify_reason.clone(),
        source: d.source.map(|s| s.as_str().to_owned()),
        form_id: prev.map_or(form_id, |p| p.form_id.clone()),
        owner_id: d.owner_id.clone(),
        notes: d.notes.clone(),
        converted_at: prev.and_then(|p| p.converted_at),
        contact_id: prev.and_then(|p| p.contact_id.clone()),
        company_id: prev.and_then(|p| p.company_id.clone()),
        deal_id: prev.and_then(|p| p.deal_id.clone()),
        tags: points::tags_json(&d.tags),
        search_text,
        version: prev.map_or(1, |p| p.version + 1),
        created_at: prev.map_or(now, |p| p.created_at),
        updated_at: now,
        deleted_at: None,
        custom: crate::record::custom_json(d.custom.as_ref(), prev.map(|p| p.custom.as_str())),
    }
}

pub fn fields(r: &LeadRow) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("first_name".into(), r.first_name.clone().into());
    m.insert("last_name".into(), r.last_name.clone().into());
    m.insert("email".into(), r.email.clone().into());
    m.insert("phone".into(), r.phone.clone().into());
    m.insert("company_name".into(), r.company_name.clone().into());
    m.insert("title".into(), r.title.clone().into());
    m.insert("status".into(), r.status.clone().into());
    m.insert("disqualify_reason".into(), r.disqualify_reason.clone().into());
    m.insert("source".into(), r.source.clone().into());
    m.insert("owner_id".into(), r.owner_id.clone().into());
    m.insert("notes".into(), r.notes.clone().into());
    m.insert("contact_id".into(), r.contact_id.clone().into());
    m.insert("company_id".into(), r.company_id.clone().into());
    m.insert("deal_id".into(), r.deal_id.clone().into());
    m.insert("tags".into(), serde_json::from_str(&r.tags).unwrap_or(Value::Null));
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

/// Writes a new lead and its search words; checks its owner belongs to the workspace. Records
/// nothing of it.
pub fn insert(conn: &mut DbConnection, ws: &str, d: &LeadDraft, form_id: Option<String>, now: i64) -> StoreResult<LeadRow> {
    if let Some(o) = &d.owner_id {
        crate::record::refs::require_member(conn, ws, o, "owner_id")?;
    }
    let row = to_row(ws, new_id(), d, None, form_id, now);
    diesel::insert_into(leads::table).values(&row).execute(conn)?;
    index(conn, ws, &row)?;
    Ok(row)
}

/// Writes a change to a lead: `apply` turns the current row into the new draft; a converted
/// lead stays qualified. Returns the change (`record::Changed`). Records nothing of it.
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &LeadRow) -> StoreResult<LeadDraft>,
) -> StoreResult<Changed<LeadRow>> {
    let row = get(conn, ws, id)?;
    guard.check(row.owner_id.as_deref())?;
    check_editable(ENTITY, row.deleted_at, row.version, expected)?;
    let d = apply(conn, &row)?;
    if d.owner_id != row.owner_id {
        if let Some(o) = &d.owner_id {
            crate::record::refs::require_member(conn, ws, o, "owner_id")?;
        }
    }
    if row.converted_at.is_some() && d.status != LeadStatus::Qualified {
        return Err(StoreError::Conflict {
            code: "lead_converted",
            message: "a converted lead stays qualified; work the contact and deal it became".into(),
            field: Some("status".into()),
        });
    }
    let new_row = to_row(ws, row.id.clone(), &d, Some(&row), None, now);
    let changes = crate::record::diff(&fields(&row), &fields(&new_row));
    if changes.is_empty() {
        return Ok(Changed::nothing(row.clone(), row));
    }
    write_over(conn, &row, &new_row)?;
    if new_row.search_text != row.search_text {
        index(conn, ws, &new_row)?;
    }
    Ok(Changed { before: row, after: new_row, changes })
}

/// The words a lead is found by: name, company, title and email.
pub fn index(conn: &mut DbConnection, ws: &str, row: &LeadRow) -> StoreResult<()> {
    let texts = [
        row.display_name.as_str(),
        row.company_name.as_deref().unwrap_or(""),
        row.title.as_deref().unwrap_or(""),
        row.email.as_deref().unwrap_or(""),
    ];
    crate::terms::sync(conn, ws, ENTITY, &row.id, &texts)
}

/// Marks a lead converted at `now` into the contact, company and deal it became (qualified,
/// one version on): returns its row after and the changes (with `converted_at`).
pub fn mark_converted(
    conn: &mut DbConnection,
    row: &LeadRow,
    contact_id: &str,
    company_id: Option<&str>,
    deal_id: Option<&str>,
    now: i64,
) -> StoreResult<(LeadRow, Vec<Value>)> {
    let mut new_row = row.clone();
    new_row.status = LeadStatus::Qualified.as_str().to_owned();
    new_row.converted_at = Some(now);
    new_row.contact_id = Some(contact_id.to_owned());
    new_row.company_id = company_id.map(str::to_owned);
    new_row.deal_id = deal_id.map(str::to_owned);
    new_row.version = row.version + 1;
    new_row.updated_at = now;
    write_over(conn, row, &new_row)?;
    let mut changes = crate::record::diff(&fields(row), &fields(&new_row));
    changes.push(json!({"field": "converted_at", "before": null, "after": time::to_datetime(now).to_rfc3339()}));
    Ok((new_row, changes))
}

/// The newest live lead with this email (lowercased), whoever owns it: the record a bulk
/// upsert by email writes to.
pub fn live_by_email(conn: &mut DbConnection, ws: &str, email_key: &str) -> StoreResult<Option<LeadRow>> {
    Ok(leads::table
        .filter(leads::workspace_id.eq(ws))
        .filter(leads::email_key.eq(email_key))
        .filter(leads::deleted_at.is_null())
        .order((leads::created_at.desc(), leads::id.desc()))
        .select(LeadRow::as_select())
        .first(conn)
        .optional()?)
}

/// Leads whose email or phone is exactly this (for search).
pub fn by_point(
    conn: &mut DbConnection,
    ws: &str,
    reach: &Reach,
    email_key: Option<&str>,
    phone: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<LeadRow>> {
    let mut q = leads::table.filter(leads::workspace_id.eq(ws)).filter(leads::deleted_at.is_null()).into_boxed();
    if let Some(owners) = reach.owners() {
        q = q.filter(leads::owner_id.eq_any(owners.to_vec()));
    }
    q = match (email_key, phone) {
        (Some(e), _) => q.filter(leads::email_key.eq(e.to_owned())),
        (None, Some(p)) => q.filter(leads::phone.eq(p.to_owned())),
        (None, None) => return Ok(Vec::new()),
    };
    Ok(q.select(LeadRow::as_select()).limit(limit).load(conn)?)
}

/// Puts every lead in the search index again (see `contacts::reindex`).
pub fn reindex(conn: &mut DbConnection) -> StoreResult<usize> {
    let rows: Vec<LeadRow> = leads::table.select(LeadRow::as_select()).load(conn)?;
    for r in &rows {
        index(conn, &r.workspace_id, r)?;
    }
    Ok(rows.len())
}
