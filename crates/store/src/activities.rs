//! Activities: every interaction with a customer on any channel, with its participants.
//! An outbound activity on a case is the case's first response.

use crate::cursor::{finish_page, Cursor, CustomPlan, PageOf, PageSpec, SortField, Trash};
use crate::reach::{Reach, WriteGuard};
use crate::record::{check_editable, refs, Changed};
use crate::schema::{activities, activity_participants};
use crate::{keyset, new_id, time, Db, DbConnection, StoreResult};
use crm_domain::operations::{ActivityDraft, Direction, RelatedType};
use crm_domain::ValidationErrors;
use diesel::prelude::*;
use serde_json::{Map, Value};

pub const ENTITY: &str = "activity";

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = activities, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ActivityRow {
    pub id: String,
    pub workspace_id: String,
    pub kind: String,
    pub direction: Option<String>,
    pub subject: String,
    pub sort_name: String,
    pub body: Option<String>,
    pub occurred_at: i64,
    pub duration_seconds: Option<i64>,
    pub outcome: Option<String>,
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub case_id: Option<String>,
    pub lead_id: Option<String>,
    pub contacts: String,
    pub users: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    /// The custom fields' values, JSON keyed by storage key (`crm_domain::custom`).
    pub custom: String,
}

crate::keyed_row!(@custom ActivityRow, occurred_at);

crate::record_basics!(activities, ActivityRow);

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub kinds: Vec<String>,
    pub directions: Vec<String>,
    pub owner_ids: Vec<String>,
    pub contact_id: Option<String>,
    pub user_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub case_id: Option<String>,
    pub lead_id: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub trash: Trash,
    /// Linked to the contacts of a segment.
    pub segment: crate::listing::InSegment,
}

fn filtered<'a>(ws: &str, reach: &Reach, f: &ActivityFilter, custom: &CustomPlan) -> activities::BoxedQuery<'a, Db> {
    let mut q = activities::table.filter(activities::workspace_id.eq(ws.to_owned())).into_boxed();
    q = match f.trash {
        Trash::Exclude => q.filter(activities::deleted_at.is_null()),
        Trash::Only => q.filter(activities::deleted_at.is_not_null()),
        Trash::Include => q,
    };
    let owners = reach.narrow(&f.owner_ids);
    if !owners.is_empty() || reach.owners().is_some() {
        q = q.filter(activities::owner_id.eq_any(owners));
    }
    if !f.kinds.is_empty() {
        q = q.filter(activities::kind.eq_any(f.kinds.clone()));
    }
    if !f.directions.is_empty() {
        q = q.filter(activities::direction.eq_any(f.directions.clone()));
    }
    for (kind, id) in [("contact", &f.contact_id), ("user", &f.user_id)] {
        if let Some(id) = id {
            q = q.filter(
                activities::id.eq_any(
                    activity_participants::table
                        .filter(activity_participants::workspace_id.eq(ws.to_owned()))
                        .filter(activity_participants::participant_id.eq(id.clone()))
                        .filter(activity_participants::kind.eq(kind))
                        .select(activity_participants::activity_id),
                ),
            );
        }
    }
    if let Some(c) = &f.company_id {
        q = q.filter(activities::company_id.eq(c.clone()));
    }
    if let Some(c) = &f.deal_id {
        q = q.filter(activities::deal_id.eq(c.clone()));
    }
    if let Some(c) = &f.case_id {
        q = q.filter(activities::case_id.eq(c.clone()));
    }
    if let Some(c) = &f.lead_id {
        q = q.filter(activities::lead_id.eq(c.clone()));
    }
    if let Some(t) = f.from {
        q = q.filter(activities::occurred_at.ge(t));
    }
    if let Some(t) = f.until {
        q = q.filter(activities::occurred_at.lt(t));
    }
    if let Some(w) = f.segment.through("activities.id", &PARTICIPANTS, ws) {
        q = q.filter(w);
    }
    q = crate::custom_where!(q, custom);
    q
}

pub fn list(conn: &mut DbConnection, ws: &str, reach: &Reach, f: &ActivityFilter, page: &PageSpec) -> StoreResult<PageOf<ActivityRow>> {
    let q = filtered(ws, reach, f, &page.custom).select(ActivityRow::as_select()).limit(page.limit + 1);
    let (desc, after) = (page.sort.desc, page.after.as_ref());
    let mut rows: Vec<ActivityRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, reach, f, &page.custom).select(ActivityRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::CreatedAt => keyset!(q, activities::created_at, activities::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::UpdatedAt => keyset!(q, activities::updated_at, activities::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, activities::sort_name, activities::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
            SortField::At => keyset!(q, activities::occurred_at, activities::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
        }
    };
    let total = if page.include_total { Some(filtered(ws, reach, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    Ok(PageOf { items: rows, next_cursor, total })
}

fn check_refs(conn: &mut DbConnection, ws: &str, d: &ActivityDraft) -> StoreResult<()> {
    let mut errs = ValidationErrors::new();
    refs::check(conn, ws, &mut errs, "company_id", RelatedType::Company, d.company_id.as_deref())?;
    refs::check(conn, ws, &mut errs, "deal_id", RelatedType::Deal, d.deal_id.as_deref())?;
    refs::check(conn, ws, &mut errs, "case_id", RelatedType::Case, d.case_id.as_deref())?;
    refs::check(conn, ws, &mut errs, "lead_id", RelatedType::Lead, d.lead_id.as_deref())?;
    for (i, c) in d.contact_ids.iter().enumerate() {
        refs::check(conn, ws, &mut errs, &format!("contact_ids[{i}]"), RelatedType::Contact, Some(c))?;
    }
    for (i, u) in d.user_ids.iter().enumerate() {
        refs::check_member(conn, ws, &mut errs, &format!("user_ids[{i}]"), Some(u))?;
    }
    refs::check_member(conn, ws, &mut errs, "owner_id", d.owner_id.as_deref())?;
    if errs.is_empty() {
        Ok(())
    } else {
        Err(crate::StoreError::Invalid(errs))
    }
}

fn ids_json(ids: &[String]) -> String {
    Value::Array(ids.iter().map(|i| Value::String(i.clone())).collect()).to_string()
}

fn to_row(ws: &str, id: String, d: &ActivityDraft, prev: Option<&ActivityRow>, now: i64) -> ActivityRow {
    ActivityRow {
        id,
        workspace_id: ws.to_owned(),
        kind: d.kind.as_str().to_owned(),
        direction: d.direction.map(|x| x.as_str().to_owned()),
        subject: d.subject.clone(),
        sort_name: d.subject.to_lowercase(),
        body: d.body.clone(),
        occurred_at: d.occurred_at,
        duration_seconds: d.duration_seconds,
        outcome: d.outcome.clone(),
        owner_id: d.owner_id.clone(),
        company_id: d.company_id.clone(),
        deal_id: d.deal_id.clone(),
        case_id: d.case_id.clone(),
        lead_id: d.lead_id.clone(),
        contacts: ids_json(&d.contact_ids),
        users: ids_json(&d.user_ids),
        version: prev.map_or(1, |p| p.version + 1),
        created_at: prev.map_or(now, |p| p.created_at),
        updated_at: now,
        deleted_at: None,
        custom: crate::record::custom_json(d.custom.as_ref(), prev.map(|p| p.custom.as_str())),
    }
}

pub fn fields(r: &ActivityRow) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("kind".into(), r.kind.clone().into());
    m.insert("direction".into(), r.direction.clone().into());
    m.insert("subject".into(), r.subject.clone().into());
    m.insert("body".into(), r.body.clone().into());
    m.insert("occurred_at".into(), time::to_datetime(r.occurred_at).to_rfc3339().into());
    m.insert("duration_seconds".into(), r.duration_seconds.into());
    m.insert("outcome".into(), r.outcome.clone().into());
    m.insert("owner_id".into(), r.owner_id.clone().into());
    m.insert("company_id".into(), r.company_id.clone().into());
    m.insert("deal_id".into(), r.deal_id.clone().into());
    m.insert("case_id".into(), r.case_id.clone().into());
    m.insert("lead_id".into(), r.lead_id.clone().into());
    m.insert("contact_ids".into(), serde_json::from_str(&r.contacts).unwrap_or(Value::Null));
    m.insert("user_ids".into(), serde_json::from_str(&r.users).unwrap_or(Value::Null));
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

fn sync_participants(conn: &mut DbConnection, ws: &str, row: &ActivityRow, d: &ActivityDraft) -> StoreResult<()> {
    diesel::delete(activity_participants::table.filter(activity_participants::activity_id.eq(&row.id))).execute(conn)?;
    let people = d.contact_ids.iter().map(|c| ("contact", c)).chain(d.user_ids.iter().map(|u| ("user", u)));
    for (kind, pid) in people {
        diesel::insert_into(activity_participants::table)
            .values((
                activity_participants::workspace_id.eq(ws),
                activity_participants::activity_id.eq(&row.id),
                activity_participants::kind.eq(kind),
                activity_participants::participant_id.eq(pid),
                activity_participants::occurred_at.eq(row.occurred_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The case an activity answers: an outbound activity logged on a case is its first response
/// (unless it was answered before).
pub fn answers_case(row: &ActivityRow) -> Option<&str> {
    (row.direction.as_deref() == Some(Direction::Outbound.as_str())).then_some(row.case_id.as_deref()).flatten()
}

/// Writes a new activity with its participants. Records nothing of it.
pub fn insert(conn: &mut DbConnection, ws: &str, d: &ActivityDraft, now: i64) -> StoreResult<ActivityRow> {
    check_refs(conn, ws, d)?;
    let row = to_row(ws, new_id(), d, None, now);
    diesel::insert_into(activities::table).values(&row).execute(conn)?;
    sync_participants(conn, ws, &row, d)?;
    Ok(row)
}

/// Writes a change to an activity and its participants: `apply` turns the current row into the
/// new draft. Records nothing of it.
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &ActivityRow) -> StoreResult<ActivityDraft>,
) -> StoreResult<Changed<ActivityRow>> {
    let row = get(conn, ws, id)?;
    guard.check(row.owner_id.as_deref())?;
    check_editable(ENTITY, row.deleted_at, row.version, expected)?;
    let d = apply(conn, &row)?;
    check_refs(conn, ws, &d)?;
    let new_row = to_row(ws, row.id.clone(), &d, Some(&row), now);
    let changes = crate::record::diff(&fields(&row), &fields(&new_row));
    if changes.is_empty() {
        return Ok(Changed::nothing(row.clone(), row));
    }
    write_over(conn, &row, &new_row)?;
    sync_participants(conn, ws, &new_row, &d)?;
    Ok(Changed { before: row, after: new_row, changes })
}

/// Every live activity of every workspace (for building what derives from them once).
pub fn all_live(conn: &mut DbConnection) -> StoreResult<Vec<ActivityRow>> {
    Ok(activities::table.filter(activities::deleted_at.is_null()).select(ActivityRow::as_select()).load(conn)?)
}

/// An activity's contacts among its participants, for lists narrowed to a segment's contacts.
const PARTICIPANTS: crate::listing::Link = crate::listing::Link {
    table: "activity_participants",
    record: "activity_id",
    contact: "participant_id",
    only: Some("activity_participants.kind = 'contact'"),
};
