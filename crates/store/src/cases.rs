//! Service cases: numbered per workspace, moved through the status workflow, timed against
//! the workspace's SLA policy (first response and resolution), rated after resolution.

use crate::cursor::{finish_page, Cursor, CustomPlan, PageOf, PageSpec, SortField, Trash};
use crate::reach::{Reach, WriteGuard};
use crate::record::{check_editable, refs, Changed};
use crate::schema::{cases, sla_policies};
use crate::{keyset, listing, new_id, points, time, Db, DbConnection, StoreError, StoreResult};
use crm_domain::operations::{default_sla, CaseDraft, CaseStatus, Priority, RelatedType, SlaRule};
use crm_domain::{FieldError, ValidationErrors};
use diesel::prelude::*;
use serde_json::{Map, Value};

pub const ENTITY: &str = "case";

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cases, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CaseRow {
    pub id: String,
    pub workspace_id: String,
    pub number: i64,
    pub subject: String,
    pub sort_name: String,
    pub description: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub channel: String,
    pub priority: String,
    pub status: String,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub first_response_due_at: i64,
    pub resolution_due_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reopen_count: i64,
    pub csat: Option<i64>,
    pub csat_comment: Option<String>,
    pub tags: String,
    pub search_text: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub external_id: Option<String>,
    /// The custom fields' values, JSON keyed by storage key (`crm_domain::custom`).
    pub custom: String,
}

impl CaseRow {
    /// A deadline missed at `now`.
    pub fn sla_breached(&self, now: i64) -> bool {
        use crm_domain::operations::breached;
        breached(self.first_response_due_at, self.first_response_at, now) || breached(self.resolution_due_at, self.resolved_at, now)
    }
}

crate::keyed_row!(@custom CaseRow);
crate::record_basics!(cases, CaseRow);

/// The workspace's SLA rules, one per priority (the defaults until an admin sets them).
pub fn sla(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<SlaRule>> {
    let rows: Vec<(String, i64, i64, Option<i64>)> = sla_policies::table
        .filter(sla_policies::workspace_id.eq(ws))
        .select((
            sla_policies::priority,
            sla_policies::first_response_minutes,
            sla_policies::resolution_minutes,
            sla_policies::warn_minutes,
        ))
        .load(conn)?;
    Ok(default_sla()
        .into_iter()
        .map(|d| match rows.iter().find(|(p, ..)| p == d.priority.as_str()) {
            Some((_, f, r, w)) => SlaRule { priority: d.priority, first_response_minutes: *f, resolution_minutes: *r, warn_minutes: *w },
            None => d,
        })
        .collect())
}

/// Replaces the SLA rules. Due times of open cases are not moved: a case keeps the promise it
/// was given.
pub fn set_sla(conn: &mut DbConnection, ws: &str, rules: &[SlaRule]) -> StoreResult<()> {
    diesel::delete(sla_policies::table.filter(sla_policies::workspace_id.eq(ws))).execute(conn)?;
    for r in rules {
        diesel::insert_into(sla_policies::table)
            .values((
                sla_policies::workspace_id.eq(ws),
                sla_policies::priority.eq(r.priority.as_str()),
                sla_policies::first_response_minutes.eq(r.first_response_minutes),
                sla_policies::resolution_minutes.eq(r.resolution_minutes),
                sla_policies::warn_minutes.eq(r.warn_minutes),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub q: Option<String>,
    pub statuses: Vec<String>,
    pub priorities: Vec<String>,
    pub channels: Vec<String>,
    pub owner_ids: Vec<String>,
    pub team_id: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    /// Only cases whose SLA is (true) or is not (false) breached at `now`.
    pub breached: Option<bool>,
    pub now: i64,
    pub created_gte: Option<i64>,
    pub created_lt: Option<i64>,
    pub external_id: Option<String>,
    pub trash: Trash,
    /// Linked to the contacts of a segment.
    pub segment: crate::listing::InSegment,
}

fn filtered<'a>(ws: &str, reach: &Reach, f: &CaseFilter, custom: &CustomPlan) -> cases::BoxedQuery<'a, Db> {
    let mut q = cases::table.filter(cases::workspace_id.eq(ws.to_owned())).into_boxed();
    q = match f.trash {
        Trash::Exclude => q.filter(cases::deleted_at.is_null()),
        Trash::Only => q.filter(cases::deleted_at.is_not_null()),
        Trash::Include => q,
    };
    let owners = reach.narrow(&f.owner_ids);
    if !owners.is_empty() || reach.owners().is_some() {
        q = q.filter(cases::owner_id.eq_any(owners));
    }
    if !f.statuses.is_empty() {
        q = q.filter(cases::status.eq_any(f.statuses.clone()));
    }
    if !f.priorities.is_empty() {
        q = q.filter(cases::priority.eq_any(f.priorities.clone()));
    }
    if !f.channels.is_empty() {
        q = q.filter(cases::channel.eq_any(f.channels.clone()));
    }
    if let Some(t) = &f.team_id {
        q = q.filter(cases::team_id.eq(t.clone()));
    }
    if let Some(c) = &f.contact_id {
        q = q.filter(cases::contact_id.eq(c.clone()));
    }
    if let Some(c) = &f.company_id {
        q = q.filter(cases::company_id.eq(c.clone()));
    }
    if let Some(e) = &f.external_id {
        q = q.filter(cases::external_id.eq(e.clone()));
    }
    if let Some(b) = f.breached {
        let now = f.now;
        let late_response = cases::first_response_at
            .is_null()
            .and(cases::first_response_due_at.lt(now))
            .or(cases::first_response_at.is_not_null().and(cases::first_response_at.assume_not_null().gt(cases::first_response_due_at)));
        let late_resolution = cases::resolved_at
            .is_null()
            .and(cases::resolution_due_at.lt(now))
            .or(cases::resolved_at.is_not_null().and(cases::resolved_at.assume_not_null().gt(cases::resolution_due_at)));
        let breached = late_response.or(late_resolution);
        q = if b { q.filter(breached) } else { q.filter(diesel::dsl::not(breached)) };
    }
    if let Some(t) = f.created_gte {
        q = q.filter(cases::created_at.ge(t));
    }
    if let Some(t) = f.created_lt {
        q = q.filter(cases::created_at.lt(t));
    }
    if let Some(needle) = f.q.as_deref().and_then(listing::search_needle) {
        q = crate::search_where!(q, cases::search_text, cases::id, ws, ENTITY, &needle);
    }
    if let Some(w) = f.segment.condition("cases.contact_id", "id", ws) {
        q = q.filter(w);
    }
    q = crate::custom_where!(q, custom);
    q
}

pub fn list(conn: &mut DbConnection, ws: &str, reach: &Reach, f: &CaseFilter, page: &PageSpec) -> StoreResult<PageOf<CaseRow>> {
    let q = filtered(ws, reach, f, &page.custom).select(CaseRow::as_select()).limit(page.limit + 1);
    let (desc, after) = (page.sort.desc, page.after.as_ref());
    let mut rows: Vec<CaseRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, reach, f, &page.custom).select(CaseRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::UpdatedAt => keyset!(q, cases::updated_at, cases::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, cases::sort_name, cases::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
            SortField::CreatedAt | SortField::At => {
                keyset!(q, cases::created_at, cases::id, desc, after.and_then(Cursor::int_key)).load(conn)?
            }
        }
    };
    let total = if page.include_total { Some(filtered(ws, reach, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    Ok(PageOf { items: rows, next_cursor, total })
}

fn check_refs(conn: &mut DbConnection, ws: &str, d: &CaseDraft) -> StoreResult<()> {
    let mut errs = ValidationErrors::new();
    refs::check(conn, ws, &mut errs, "contact_id", RelatedType::Contact, d.contact_id.as_deref())?;
    refs::check(conn, ws, &mut errs, "company_id", RelatedType::Company, d.company_id.as_deref())?;
    refs::check_member(conn, ws, &mut errs, "assignee_id", d.owner_id.as_deref())?;
    refs::check_team(conn, ws, &mut errs, "team_id", d.team_id.as_deref())?;
    if errs.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errs))
    }
}

fn due_times(rules: &[SlaRule], priority: Priority, created_at: i64) -> (i64, i64) {
    let rule = rules.iter().find(|r| r.priority == priority).copied().unwrap_or(SlaRule {
        priority,
        first_response_minutes: 8 * 60,
        resolution_minutes: 3 * 24 * 60,
        warn_minutes: None,
    });
    (created_at + rule.first_response_minutes * 60_000_000, created_at + rule.resolution_minutes * 60_000_000)
}

fn search_text(d: &CaseDraft, number: i64) -> String {
    format!("#{number} {number} {} ", d.subject.to_lowercase())
}

/// The row a draft becomes, applying the workflow's timestamps for a move from `prev`.
fn to_row(ws: &str, d: &CaseDraft, prev: &CaseRow, rules: &[SlaRule], now: i64) -> StoreResult<CaseRow> {
    let from = CaseStatus::parse(&prev.status).unwrap_or(CaseStatus::New);
    let to = d.status;
    if !from.can_move_to(to) {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
        return Err(FieldError::new(
            "status",
            "illegal_transition",
            format!("a {from} case can move to {}, not to {to}", allowed.join(", ")),
        )
        .into());
    }
    let csat_changed = d.csat != prev.csat || d.csat_comment != prev.csat_comment;
    if csat_changed && d.csat.is_some() && !to.is_done() {
        return Err(FieldError::new("csat", "csat_before_resolution", "a case is rated once it is resolved or closed").into());
    }
    let mut row = prev.clone();
    let reopened = from.is_done() && to == CaseStatus::Open;
    if to != CaseStatus::New && row.first_response_at.is_none() {
        row.first_response_at = Some(now);
    }
    if reopened {
        row.reopen_count += 1;
        row.resolved_at = None;
        row.closed_at = None;
    }
    if to.is_done() && row.resolved_at.is_none() {
        row.resolved_at = Some(now);
    }
    if to == CaseStatus::Closed && row.closed_at.is_none() {
        row.closed_at = Some(now);
    }
    if d.priority.as_str() != prev.priority {
        (row.first_response_due_at, row.resolution_due_at) = due_times(rules, d.priority, prev.created_at);
    }
    row.workspace_id = ws.to_owned();
    row.subject = d.subject.clone();
    row.sort_name = d.subject.to_lowercase();
    row.description = d.description.clone();
    row.contact_id = d.contact_id.clone();
    row.company_id = d.company_id.clone();
    row.channel = d.channel.as_str().to_owned();
    row.priority = d.priority.as_str().to_owned();
    row.status = to.as_str().to_owned();
    row.owner_id = d.owner_id.clone();
    row.team_id = d.team_id.clone();
    row.csat = d.csat;
    row.csat_comment = d.csat_comment.clone();
    row.tags = points::tags_json(&d.tags);
    row.external_id = d.external_id.clone();
    row.search_text = search_text(d, row.number);
    row.custom = crate::record::custom_json(d.custom.as_ref(), Some(&prev.custom));
    row.updated_at = now;
    Ok(row)
}

/// The audited fields of a case.
pub fn fields(r: &CaseRow) -> Map<String, Value> {
    let t = |v: Option<i64>| Value::from(v.map(|x| time::to_datetime(x).to_rfc3339()));
    let mut m = Map::new();
    m.insert("subject".into(), r.subject.clone().into());
    m.insert("description".into(), r.description.clone().into());
    m.insert("contact_id".into(), r.contact_id.clone().into());
    m.insert("company_id".into(), r.company_id.clone().into());
    m.insert("channel".into(), r.channel.clone().into());
    m.insert("priority".into(), r.priority.clone().into());
    m.insert("status".into(), r.status.clone().into());
    m.insert("assignee_id".into(), r.owner_id.clone().into());
    m.insert("team_id".into(), r.team_id.clone().into());
    m.insert("first_response_at".into(), t(r.first_response_at));
    m.insert("resolved_at".into(), t(r.resolved_at));
    m.insert("closed_at".into(), t(r.closed_at));
    m.insert("csat".into(), r.csat.into());
    m.insert("csat_comment".into(), r.csat_comment.clone().into());
    m.insert("tags".into(), serde_json::from_str(&r.tags).unwrap_or(Value::Null));
    m.insert("external_id".into(), r.external_id.clone().into());
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

crate::external_ids!(cases, CaseRow, "case");

/// Writes a new case: numbered, due times from the SLA rule of its priority, its search terms
/// kept in step. Records nothing of it.
pub fn insert(conn: &mut DbConnection, ws: &str, d: &CaseDraft, now: i64) -> StoreResult<CaseRow> {
    check_refs(conn, ws, d)?;
    check_external_id(conn, ws, "", d.external_id.as_deref())?;
    let rules = sla(conn, ws)?;
    let number = crate::numbers::next(conn, ws, "case")?;
    let (first_response_due_at, resolution_due_at) = due_times(&rules, d.priority, now);
    // A new case starts as `new`; the draft's status is then reached through the workflow.
    let blank = CaseRow {
        id: new_id(),
        workspace_id: ws.to_owned(),
        number,
        subject: String::new(),
        sort_name: String::new(),
        description: None,
        contact_id: None,
        company_id: None,
        channel: d.channel.as_str().to_owned(),
        priority: d.priority.as_str().to_owned(),
        status: CaseStatus::New.as_str().to_owned(),
        owner_id: None,
        team_id: None,
        first_response_due_at,
        resolution_due_at,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        reopen_count: 0,
        csat: None,
        csat_comment: None,
        tags: "[]".into(),
        search_text: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        custom: "{}".into(),
        external_id: None,
    };
    let row = to_row(ws, d, &blank, &rules, now)?;
    diesel::insert_into(cases::table).values(&row).execute(conn).map_err(|e| crate::error::unique_as_duplicate(e, "case"))?;
    crate::terms::sync(conn, ws, ENTITY, &row.id, &[&row.subject, &row.number.to_string()])?;
    Ok(row)
}

/// Writes a change to a case: `apply` turns the current row into the new draft, whose status
/// must be a legal move of the workflow (which sets the response and resolution times). Keeps
/// its reminders and search terms in step. Records nothing of it.
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &CaseRow) -> StoreResult<CaseDraft>,
) -> StoreResult<Changed<CaseRow>> {
    change_at(conn, ws, id, expected, guard, now, apply)
}

fn change_at(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &CaseRow) -> StoreResult<CaseDraft>,
) -> StoreResult<Changed<CaseRow>> {
    let row = get(conn, ws, id)?;
    guard.check(row.owner_id.as_deref())?;
    check_editable(ENTITY, row.deleted_at, row.version, expected)?;
    let d = apply(conn, &row)?;
    check_refs(conn, ws, &d)?;
    if d.external_id != row.external_id {
        check_external_id(conn, ws, id, d.external_id.as_deref())?;
    }
    let rules = sla(conn, ws)?;
    let mut new_row = to_row(ws, &d, &row, &rules, now)?;
    let changes = crate::record::diff(&fields(&row), &fields(&new_row));
    if changes.is_empty() {
        return Ok(Changed::nothing(row.clone(), row));
    }
    new_row.version = row.version + 1;
    write_over(conn, &row, &new_row).map_err(|e| if e.is_unique_violation() { crate::error::duplicate_external_id("case") } else { e })?;
    if new_row.subject != row.subject {
        crate::terms::sync(conn, ws, ENTITY, id, &[&new_row.subject, &new_row.number.to_string()])?;
    }
    Ok(Changed { before: row, after: new_row, changes })
}

/// Writes the first answer to a case at `at` (an outbound activity), changed at `now`, unless
/// it was answered before or is in the trash (then nothing). Records nothing of it.
pub fn first_response(conn: &mut DbConnection, ws: &str, id: &str, at: i64, now: i64) -> StoreResult<Option<Changed<CaseRow>>> {
    let row = get(conn, ws, id)?;
    if row.first_response_at.is_some() || row.deleted_at.is_some() {
        return Ok(None);
    }
    let mut new_row = row.clone();
    new_row.first_response_at = Some(at.max(row.created_at));
    new_row.version = row.version + 1;
    new_row.updated_at = now;
    write_over(conn, &row, &new_row)?;
    let changes = crate::record::diff(&fields(&row), &fields(&new_row));
    Ok(Some(Changed { before: row, after: new_row, changes }))
}

/// Puts every case in the search index again (see `contacts::reindex`).
pub fn reindex(conn: &mut DbConnection) -> StoreResult<usize> {
    let rows: Vec<(String, String, String, i64)> =
        cases::table.select((cases::id, cases::workspace_id, cases::subject, cases::number)).load(conn)?;
    for (id, ws, subject, number) in &rows {
        crate::terms::sync(conn, ws, ENTITY, id, &[subject, &number.to_string()])?;
    }
    Ok(rows.len())
}
