//! Tasks: what someone has to do by when, with "my open tasks" and "overdue" queries.

use crate::cursor::{finish_page, Cursor, CustomPlan, PageOf, PageSpec, SortField, Trash};
use crate::reach::{Reach, WriteGuard};
use crate::record::{check_editable, refs, Changed};
use crate::schema::tasks;
use crate::{keyset, new_id, time, Db, DbConnection, StoreResult};
use crm_domain::operations::{TaskDraft, TaskStatus};
use crm_domain::ValidationErrors;
use diesel::prelude::*;
use serde_json::{Map, Value};

pub const ENTITY: &str = "task";

/// `due_sort` of a task without a due time: after every dated one.
const NO_DUE: i64 = i64::MAX;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = tasks, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct TaskRow {
    pub id: String,
    pub workspace_id: String,
    pub title: String,
    pub sort_name: String,
    pub notes: Option<String>,
    pub due_at: Option<i64>,
    pub due_sort: i64,
    pub reminder_at: Option<i64>,
    pub owner_id: Option<String>,
    pub priority: String,
    pub status: String,
    pub related_type: Option<String>,
    pub related_id: Option<String>,
    pub completed_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    /// The custom fields' values, JSON keyed by storage key (`crm_domain::custom`).
    pub custom: String,
}

impl TaskRow {
    /// Open and past due at `now`.
    pub fn overdue(&self, now: i64) -> bool {
        TaskStatus::parse(&self.status).is_some_and(TaskStatus::is_open) && self.due_at.is_some_and(|d| d < now)
    }
}

crate::keyed_row!(@custom TaskRow, due_sort);

crate::record_basics!(tasks, TaskRow);

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub owner_ids: Vec<String>,
    pub statuses: Vec<String>,
    pub priorities: Vec<String>,
    /// Open tasks whose due time has passed (at `now`).
    pub overdue: bool,
    pub due_gte: Option<i64>,
    pub due_lt: Option<i64>,
    pub related_id: Option<String>,
    pub now: i64,
    pub trash: Trash,
    /// Linked to the contacts of a segment.
    pub segment: crate::listing::InSegment,
}

fn filtered<'a>(ws: &str, reach: &Reach, f: &TaskFilter, custom: &CustomPlan) -> tasks::BoxedQuery<'a, Db> {
    let mut q = tasks::table.filter(tasks::workspace_id.eq(ws.to_owned())).into_boxed();
    q = match f.trash {
        Trash::Exclude => q.filter(tasks::deleted_at.is_null()),
        Trash::Only => q.filter(tasks::deleted_at.is_not_null()),
        Trash::Include => q,
    };
    let owners = reach.narrow(&f.owner_ids);
    if !owners.is_empty() || reach.owners().is_some() {
        q = q.filter(tasks::owner_id.eq_any(owners));
    }
    if !f.statuses.is_empty() {
        q = q.filter(tasks::status.eq_any(f.statuses.clone()));
    }
    if !f.priorities.is_empty() {
        q = q.filter(tasks::priority.eq_any(f.priorities.clone()));
    }
    if f.overdue {
        q = q.filter(tasks::status.eq_any([TaskStatus::Open.as_str(), TaskStatus::InProgress.as_str()])).filter(tasks::due_sort.lt(f.now));
    }
    if let Some(t) = f.due_gte {
        q = q.filter(tasks::due_sort.ge(t));
    }
    if let Some(t) = f.due_lt {
        q = q.filter(tasks::due_sort.lt(t));
    }
    if let Some(r) = &f.related_id {
        q = q.filter(tasks::related_id.eq(r.clone()));
    }
    if let Some(w) = f.segment.condition("tasks.related_id", "id", ws).map(|w| {
        let mut on_contact = crate::listing::SqlWhere::default();
        on_contact.sql("tasks.related_type = 'contact'");
        crate::listing::SqlWhere::group(&[on_contact, w], false)
    }) {
        q = q.filter(w);
    }
    q = crate::custom_where!(q, custom);
    q
}

pub fn list(conn: &mut DbConnection, ws: &str, reach: &Reach, f: &TaskFilter, page: &PageSpec) -> StoreResult<PageOf<TaskRow>> {
    let q = filtered(ws, reach, f, &page.custom).select(TaskRow::as_select()).limit(page.limit + 1);
    let (desc, after) = (page.sort.desc, page.after.as_ref());
    let mut rows: Vec<TaskRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, reach, f, &page.custom).select(TaskRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::CreatedAt => keyset!(q, tasks::created_at, tasks::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::UpdatedAt => keyset!(q, tasks::updated_at, tasks::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, tasks::sort_name, tasks::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
            SortField::At => keyset!(q, tasks::due_sort, tasks::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
        }
    };
    let total = if page.include_total { Some(filtered(ws, reach, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    Ok(PageOf { items: rows, next_cursor, total })
}

fn check_refs(conn: &mut DbConnection, ws: &str, d: &TaskDraft) -> StoreResult<()> {
    let mut errs = ValidationErrors::new();
    refs::check_member(conn, ws, &mut errs, "assignee_id", d.owner_id.as_deref())?;
    if let Some((kind, id)) = &d.related {
        refs::check(conn, ws, &mut errs, "related_id", *kind, Some(id))?;
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(crate::StoreError::Invalid(errs))
    }
}

fn to_row(ws: &str, id: String, d: &TaskDraft, prev: Option<&TaskRow>, now: i64) -> TaskRow {
    let done = d.status == TaskStatus::Done;
    let completed_at = match prev {
        Some(p) if done && p.completed_at.is_some() => p.completed_at,
        _ if done => Some(now),
        _ => None,
    };
    TaskRow {
        id,
        workspace_id: ws.to_owned(),
        title: d.title.clone(),
        sort_name: d.title.to_lowercase(),
        notes: d.notes.clone(),
        due_at: d.due_at,
        due_sort: d.due_at.unwrap_or(NO_DUE),
        reminder_at: d.reminder_at,
        owner_id: d.owner_id.clone(),
        priority: d.priority.as_str().to_owned(),
        status: d.status.as_str().to_owned(),
        related_type: d.related.as_ref().map(|(k, _)| k.as_str().to_owned()),
        related_id: d.related.as_ref().map(|(_, id)| id.clone()),
        completed_at,
        version: prev.map_or(1, |p| p.version + 1),
        created_at: prev.map_or(now, |p| p.created_at),
        updated_at: now,
        deleted_at: None,
        custom: crate::record::custom_json(d.custom.as_ref(), prev.map(|p| p.custom.as_str())),
    }
}

pub fn fields(r: &TaskRow) -> Map<String, Value> {
    let t = |v: Option<i64>| Value::from(v.map(|x| time::to_datetime(x).to_rfc3339()));
    let mut m = Map::new();
    m.insert("title".into(), r.title.clone().into());
    m.insert("notes".into(), r.notes.clone().into());
    m.insert("due_at".into(), t(r.due_at));
    m.insert("reminder_at".into(), t(r.reminder_at));
    m.insert("assignee_id".into(), r.owner_id.clone().into());
    m.insert("priority".into(), r.priority.clone().into());
    m.insert("status".into(), r.status.clone().into());
    m.insert("related_type".into(), r.related_type.clone().into());
    m.insert("related_id".into(), r.related_id.clone().into());
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

/// Writes a new task; checks what it names exists. Records nothing of it.
pub fn insert(conn: &mut DbConnection, ws: &str, d: &TaskDraft, now: i64) -> StoreResult<TaskRow> {
    check_refs(conn, ws, d)?;
    let row = to_row(ws, new_id(), d, None, now);
    diesel::insert_into(tasks::table).values(&row).execute(conn)?;
    Ok(row)
}

/// Writes a change to a task: `apply` turns the current row into the new
/// draft. Returns the change (`record::Changed`). Records
/// nothing of it.
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &TaskRow) -> StoreResult<TaskDraft>,
) -> StoreResult<Changed<TaskRow>> {
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
    Ok(Changed { before: row, after: new_row, changes })
}
