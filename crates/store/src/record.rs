//! What every owned, versioned, soft-deleted record shares, as infrastructure every repository
//! uses: who acts ([`Actor`]), what a change did ([`Changed`], its field changes [`diff`] and
//! [`Change`]), get by id, the checks before a write (the version, the trash, that what a draft
//! names exists and its owner is a member: [`refs`]), and moving to and from the trash.

use crate::{StoreError, StoreResult};
use serde_json::{Map, Value};

/// Who is acting.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `user`, `api_key`, `web_form` or `system`.
    pub kind: &'static str,
    pub id: Option<String>,
    pub name: Option<String>,
}

impl Actor {
    pub fn system() -> Self {
        Self { kind: "system", id: None, name: Some("system".into()) }
    }

    /// The user id, when a person acts.
    pub fn user_id(&self) -> Option<&str> {
        if self.kind == "user" {
            self.id.as_deref()
        } else {
            None
        }
    }
}

/// The stored `custom` object of a written record: the draft's when it sets one, else the
/// current row's (empty for a new record).
pub fn custom_json(draft: Option<&Map<String, Value>>, current: Option<&str>) -> String {
    match (draft, current) {
        (Some(values), _) => Value::Object(values.clone()).to_string(),
        (None, Some(current)) => current.to_owned(),
        (None, None) => "{}".into(),
    }
}

/// A row's stored `custom` object among its audited fields (the application names its values).
pub fn custom_field(stored: &str) -> Value {
    serde_json::from_str(stored).unwrap_or_else(|_| Value::Object(Map::new()))
}

/// The fields that differ between two snapshots, as `[{field, before, after}]`.
pub fn diff(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for (k, a) in after {
        let b = before.get(k).unwrap_or(&Value::Null);
        if b != a {
            out.push(serde_json::json!({ "field": k, "before": b, "after": a }));
        }
    }
    out
}

/// Every field of a new record as a change from `null`.
pub fn created(after: &Map<String, Value>) -> Vec<Value> {
    after
        .iter()
        .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
        .map(|(k, v)| serde_json::json!({ "field": k, "before": Value::Null, "after": v }))
        .collect()
}

/// The change of a move to or from the trash (`deleted_at` before and after) and its action.
pub fn trash_change(before: Option<i64>, after: Option<i64>) -> (&'static str, Value) {
    let change = serde_json::json!({"field": "deleted_at", "before": before.map(crate::time::to_datetime), "after": after.map(crate::time::to_datetime)});
    (if after.is_some() { "deleted" } else { "restored" }, change)
}

/// One audited change to a record.
#[derive(Clone, Copy)]
pub struct Change<'a> {
    pub entity: &'a str,
    pub id: &'a str,
    pub action: &'a str,
    pub changes: &'a [Value],
    pub at: i64,
    /// Keep fields a dedicated item would tell of (when there is none, for older history).
    pub all_fields: bool,
}

/// `deleted_at` before and after a move to or from the trash.
pub type TrashMove = (Option<i64>, Option<i64>);

/// What a change to a record did: its row before, the record after (as its reads return it),
/// and the audited fields that changed (`[{field, before, after}]`; none: nothing was written).
#[derive(Debug, Clone)]
pub struct Changed<Row, Read = Row> {
    pub before: Row,
    pub after: Read,
    pub changes: Vec<serde_json::Value>,
}

impl<Row, Read> Changed<Row, Read> {
    /// Nothing changed: the record stays as it was.
    pub fn nothing(before: Row, after: Read) -> Self {
        Self { before, after, changes: Vec::new() }
    }
}

/// What a move to or from the trash reads and changes of a record's row.
#[derive(Debug)]
pub struct Trashable<'a> {
    pub owner_id: Option<&'a str>,
    pub deleted_at: &'a mut Option<i64>,
    pub version: &'a mut i64,
    pub updated_at: &'a mut i64,
}

/// Moves a record to the trash (`delete`) or back, once the guard and the version allow: `write`
/// runs the UPDATE (`deleted_at`, the version read, now) and answers how many rows it changed,
/// none meaning someone else changed the record first. Returns the move, none when the record
/// already was where asked. Records nothing of it.
pub fn move_trash(
    row: Trashable<'_>,
    guard: &crate::reach::WriteGuard,
    expected: Option<i64>,
    delete: bool,
    write: impl FnOnce(Option<i64>, i64, i64) -> diesel::QueryResult<usize>,
) -> StoreResult<Option<TrashMove>> {
    guard.check(row.owner_id)?;
    crate::error::check_version(*row.version, expected)?;
    if row.deleted_at.is_some() == delete {
        return Ok(None);
    }
    let now = crate::time::now_micros();
    let deleted_at = delete.then_some(now);
    if write(deleted_at, *row.version, now)? == 0 {
        return Err(StoreError::PreconditionFailed { expected: *row.version, current: *row.version + 1 });
    }
    let moved = (*row.deleted_at, deleted_at);
    *row.deleted_at = deleted_at;
    *row.version += 1;
    *row.updated_at = now;
    Ok(Some(moved))
}

/// Fails when the record is in the trash or the caller's version is stale.
pub fn check_editable(what: &str, deleted_at: Option<i64>, version: i64, expected: Option<i64>) -> StoreResult<()> {
    if deleted_at.is_some() {
        return Err(StoreError::Conflict {
            code: "record_deleted",
            message: format!("the {what} is in the trash; restore it first"),
            field: None,
        });
    }
    crate::error::check_version(version, expected)
}

/// Generates `by_external_id` (the record with an id from another system, in the trash or
/// not) and `check_external_id` (409 `duplicate_external_id` when another record has it) for
/// a table with a unique `(workspace_id, external_id)`.
#[macro_export]
macro_rules! external_ids {
    ($table:ident, $row:ty, $entity:expr) => {
        pub fn by_external_id(conn: &mut $crate::DbConnection, ws: &str, external_id: &str) -> $crate::StoreResult<Option<$row>> {
            Ok($table::table
                .filter($table::workspace_id.eq(ws))
                .filter($table::external_id.eq(external_id))
                .select(<$row>::as_select())
                .first(conn)
                .optional()?)
        }

        fn check_external_id(conn: &mut $crate::DbConnection, ws: &str, id: &str, external_id: Option<&str>) -> $crate::StoreResult<()> {
            match external_id {
                Some(e) if by_external_id(conn, ws, e)?.is_some_and(|other| other.id != id) => {
                    Err($crate::error::duplicate_external_id($entity))
                }
                _ => Ok(()),
            }
        }
    };
}

/// Moves `row` (read for this, of `$table`) to the trash (`delete`) or back with
/// [`move_trash`]: one UPDATE of `deleted_at`, `version` and `updated_at` at the version read.
/// Evaluates to `StoreResult<Option<TrashMove>>`. A macro because diesel's tables are modules.
#[macro_export]
macro_rules! move_row_to_trash {
    ($table:ident, $conn:expr, $id:expr, $row:expr, $guard:expr, $expected:expr, $delete:expr) => {{
        let r = $row;
        let trashable = $crate::record::Trashable {
            owner_id: r.owner_id.as_deref(),
            deleted_at: &mut r.deleted_at,
            version: &mut r.version,
            updated_at: &mut r.updated_at,
        };
        $crate::record::move_trash(trashable, $guard, $expected, $delete, |deleted_at, version, now| {
            diesel::update($table::table.filter($table::id.eq($id)).filter($table::version.eq(version)))
                .set(($table::deleted_at.eq(deleted_at), $table::version.eq(version + 1), $table::updated_at.eq(now)))
                .execute($conn)
        })
    }};
}

/// Generates `get` (by id, within the workspace), `many` and `trash` (to the trash and back,
/// optimistic, recording nothing) for a table whose row type has `owner_id`, `version`,
/// `updated_at` and `deleted_at`, and the private `write_over` (a change at the version read).
#[macro_export]
macro_rules! record_basics {
    ($table:ident, $row:ty) => {
        /// One record of the workspace, deleted or not.
        pub fn get(conn: &mut $crate::DbConnection, ws: &str, id: &str) -> $crate::StoreResult<$row> {
            $table::table
                .filter($table::workspace_id.eq(ws))
                .filter($table::id.eq(id))
                .select(<$row>::as_select())
                .first(conn)
                .optional()?
                .ok_or($crate::StoreError::NotFound)
        }

        /// These records of the workspace, in one query (in no particular order).
        pub fn many(conn: &mut $crate::DbConnection, ws: &str, ids: &[String]) -> $crate::StoreResult<Vec<$row>> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let rows: Vec<$row> = $table::table.filter($table::id.eq_any(ids)).select(<$row>::as_select()).load(conn)?;
            Ok(rows.into_iter().filter(|r| r.workspace_id == ws).collect())
        }

        /// Moves the record to the trash (`delete`) or back. Returns the record and the move
        /// (none when it already was where asked). Records nothing of it.
        pub fn trash(
            conn: &mut $crate::DbConnection,
            ws: &str,
            id: &str,
            expected: Option<i64>,
            guard: &$crate::reach::WriteGuard,
            delete: bool,
        ) -> $crate::StoreResult<($row, Option<$crate::record::TrashMove>)> {
            let mut row = get(conn, ws, id)?;
            let moved = $crate::move_row_to_trash!($table, conn, id, &mut row, guard, expected, delete)?;
            Ok((row, moved))
        }

        /// Writes `new` over `old` if nobody changed it in between.
        fn write_over(conn: &mut $crate::DbConnection, old: &$row, new: &$row) -> $crate::StoreResult<()> {
            let n = diesel::update($table::table.filter($table::id.eq(&old.id)).filter($table::version.eq(old.version)))
                .set(new)
                .execute(conn)?;
            if n == 0 {
                return Err($crate::StoreError::PreconditionFailed { expected: old.version, current: old.version + 1 });
            }
            Ok(())
        }
    };
}

/// Checks that referenced records exist, live, in the workspace; each missing one becomes a
/// field error (`unknown_<kind>`).
pub mod refs {
    use crate::schema::{cases, companies, contacts, deals, leads, memberships, teams};
    use crate::{DbConnection, StoreResult};
    use crm_domain::operations::RelatedType;
    use crm_domain::{FieldError, ValidationErrors};
    use diesel::prelude::*;

    pub fn exists(conn: &mut DbConnection, ws: &str, kind: RelatedType, id: &str) -> StoreResult<bool> {
        macro_rules! live {
            ($t:ident) => {
                $t::table
                    .filter($t::workspace_id.eq(ws))
                    .filter($t::id.eq(id))
                    .filter($t::deleted_at.is_null())
                    .count()
                    .get_result::<i64>(conn)?
                    > 0
            };
        }
        Ok(match kind {
            RelatedType::Contact => live!(contacts),
            RelatedType::Company => live!(companies),
            RelatedType::Deal => live!(deals),
            RelatedType::Lead => live!(leads),
            RelatedType::Case => live!(cases),
        })
    }

    /// Adds `unknown_<kind>` on `field` unless the record exists.
    pub fn check(
        conn: &mut DbConnection,
        ws: &str,
        errs: &mut ValidationErrors,
        field: &str,
        kind: RelatedType,
        id: Option<&str>,
    ) -> StoreResult<()> {
        if let Some(id) = id {
            if !exists(conn, ws, kind, id)? {
                errs.push(FieldError::new(field, &format!("unknown_{kind}"), format!("no such {kind} in this workspace")));
            }
        }
        Ok(())
    }

    /// Adds `unknown_team` unless the team exists.
    pub fn check_team(conn: &mut DbConnection, ws: &str, errs: &mut ValidationErrors, field: &str, id: Option<&str>) -> StoreResult<()> {
        if let Some(id) = id {
            let n: i64 = teams::table.filter(teams::workspace_id.eq(ws)).filter(teams::id.eq(id)).count().get_result(conn)?;
            if n == 0 {
                errs.push(FieldError::new(field, "unknown_team", "no such team in this workspace"));
            }
        }
        Ok(())
    }

    /// Fails with `unknown_user` on `field` unless `user_id` is a member of the workspace (the
    /// owner of a record, the member of a team).
    pub fn require_member(conn: &mut DbConnection, ws: &str, user_id: &str, field: &str) -> StoreResult<()> {
        let n: i64 = memberships::table
            .filter(memberships::workspace_id.eq(ws))
            .filter(memberships::user_id.eq(user_id))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(FieldError::new(field, "unknown_user", "is not a member of this workspace").into());
        }
        Ok(())
    }

    /// Adds `unknown_user` unless the user is a member of the workspace.
    pub fn check_member(conn: &mut DbConnection, ws: &str, errs: &mut ValidationErrors, field: &str, id: Option<&str>) -> StoreResult<()> {
        if let Some(id) = id {
            if let Err(crate::StoreError::Invalid(v)) = require_member(conn, ws, id, field) {
                for e in v.0 {
                    errs.push(e);
                }
            }
        }
        Ok(())
    }
}
