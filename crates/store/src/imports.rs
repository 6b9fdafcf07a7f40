//! Imports (`imports`, `import_chunks`, `import_rows`): an uploaded file in chunks, the job that
//! reads it with its lease and progress, and what each of its rows did.

use crate::schema::{import_chunks, import_rows, imports};
use crate::{DbConnection, StoreError, StoreResult};
use diesel::prelude::*;

/// An import as kept.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = imports)]
pub struct ImportRow {
    pub id: String,
    pub workspace_id: String,
    pub created_by: Option<String>,
    pub entity: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub encoding: String,
    pub delimiter: String,
    /// The header row, as a JSON array of strings.
    pub headers: String,
    /// The mapping and choices of the last run (JSON the application writes and reads).
    pub config: Option<String>,
    /// `uploading`, `uploaded`, `queued`, `running`, `cancelling`, `done`, `failed`, `cancelled`,
    /// `undone`.
    pub status: String,
    pub dry_run: i32,
    /// The rows the file holds, estimated from its first chunk (exact for a small file).
    pub rows_estimate: Option<i64>,
    /// The rows read, once a run read the whole file.
    pub rows_total: Option<i64>,
    pub rows_done: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: i64,
    pub rejected: i64,
    pub lease_until: Option<i64>,
    pub error: Option<String>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What one row of the file did.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = import_rows)]
pub struct LineRow {
    pub import_id: String,
    /// The row's line in the file (the header is line 1).
    pub line: i64,
    /// `created`, `updated`, `unchanged`, `skipped` or `rejected`.
    pub outcome: String,
    /// The key the row found its record by (`email:…`, `phone:…`), when it wrote one.
    pub row_key: Option<String>,
    pub record_id: Option<String>,
    pub version_after: Option<i64>,
    /// The record's fields before an update (JSON), for undo.
    pub before: Option<String>,
    /// `[{field, value, code, message}]` for a skipped or rejected row.
    pub problems: Option<String>,
    /// The row's cells (JSON array) when rejected, to download, fix and import again.
    pub cells: Option<String>,
}

/// Keeps a new import.
pub fn insert(conn: &mut DbConnection, row: &ImportRow) -> StoreResult<()> {
    diesel::insert_into(imports::table).values(row).execute(conn)?;
    Ok(())
}

/// An import of the workspace.
pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<ImportRow> {
    imports::table
        .filter(imports::workspace_id.eq(ws))
        .filter(imports::id.eq(id))
        .select(ImportRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The workspace's imports, newest first (only `created_by`'s when given).
pub fn list(conn: &mut DbConnection, ws: &str, created_by: Option<&str>, limit: i64) -> StoreResult<Vec<ImportRow>> {
    let mut q = imports::table.filter(imports::workspace_id.eq(ws)).into_boxed();
    if let Some(user) = created_by {
        q = q.filter(imports::created_by.eq(user));
    }
    Ok(q.order_by((imports::created_at.desc(), imports::id.desc())).limit(limit).select(ImportRow::as_select()).load(conn)?)
}

/// Adds the next chunk of an upload.
pub fn append_chunk(conn: &mut DbConnection, import_id: &str, seq: i32, data: &[u8]) -> StoreResult<()> {
    diesel::insert_into(import_chunks::table)
        .values((import_chunks::import_id.eq(import_id), import_chunks::seq.eq(seq), import_chunks::data.eq(data)))
        .execute(conn)?;
    Ok(())
}

/// A chunk of the file, none past its end.
pub fn chunk(conn: &mut DbConnection, import_id: &str, seq: i32) -> StoreResult<Option<Vec<u8>>> {
    Ok(import_chunks::table
        .filter(import_chunks::import_id.eq(import_id))
        .filter(import_chunks::seq.eq(seq))
        .select(import_chunks::data)
        .first(conn)
        .optional()?)
}

/// The upload is whole: its size, what the file was read as (`row`'s encoding, delimiter,
/// headers and estimated rows).
pub fn uploaded(conn: &mut DbConnection, row: &ImportRow, now: i64) -> StoreResult<()> {
    diesel::update(imports::table.filter(imports::id.eq(&row.id)))
        .set((
            imports::rows_estimate.eq(row.rows_estimate),
            imports::size_bytes.eq(row.size_bytes),
            imports::encoding.eq(&row.encoding),
            imports::delimiter.eq(&row.delimiter),
            imports::headers.eq(&row.headers),
            imports::status.eq("uploaded"),
            imports::updated_at.eq(now),
            imports::version.eq(imports::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Queues a run (a dry run when `dry_run`) with its choices, forgetting the last run's rows
/// and counts; the file is read as `encoding` with `delimiter` from now on.
pub fn queue(conn: &mut DbConnection, row: &ImportRow, dry_run: bool, config: &str, now: i64) -> StoreResult<()> {
    diesel::delete(import_rows::table.filter(import_rows::import_id.eq(&row.id))).execute(conn)?;
    diesel::update(imports::table.filter(imports::id.eq(&row.id)))
        .set((
            imports::encoding.eq(&row.encoding),
            imports::delimiter.eq(&row.delimiter),
            imports::headers.eq(&row.headers),
            imports::rows_estimate.eq(row.rows_estimate),
            imports::config.eq(config),
            imports::status.eq("queued"),
            imports::dry_run.eq(i32::from(dry_run)),
            imports::rows_total.eq(None::<i64>),
            imports::rows_done.eq(0),
            imports::created.eq(0),
            imports::updated.eq(0),
            imports::unchanged.eq(0),
            imports::skipped.eq(0),
            imports::rejected.eq(0),
            imports::lease_until.eq(None::<i64>),
            imports::error.eq(None::<String>),
            imports::started_at.eq(None::<i64>),
            imports::finished_at.eq(None::<i64>),
            imports::updated_at.eq(now),
            imports::version.eq(imports::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Claims a queued or running job whose lease ran out (its process stopped), until
/// `lease_until`: none when no job waits. Only one process wins a job. A job asked to stop whose
/// process stopped first is ended as cancelled.
pub fn claim(conn: &mut DbConnection, now: i64, lease_until: i64) -> StoreResult<Option<ImportRow>> {
    use diesel::sql_types::{BigInt, Nullable};
    let expired = || imports::lease_until.is_null().or(imports::lease_until.lt(now));
    diesel::update(imports::table.filter(imports::status.eq("cancelling")).filter(expired()))
        .set((
            imports::status.eq("cancelled"),
            imports::lease_until.eq(None::<i64>),
            imports::finished_at.eq(now),
            imports::version.eq(imports::version + 1),
        ))
        .execute(conn)?;
    let waiting: Vec<(String, String)> = imports::table
        .filter(imports::status.eq_any(["queued", "running"]))
        .filter(expired())
        .order_by(imports::created_at)
        .select((imports::id, imports::status))
        .limit(5)
        .load(conn)?;
    for (id, status) in waiting {
        let won = diesel::update(imports::table.filter(imports::id.eq(&id)).filter(imports::status.eq(&status)).filter(expired()))
            .set((
                imports::lease_until.eq(lease_until),
                imports::status.eq("running"),
                imports::started_at.eq(diesel::dsl::sql::<Nullable<BigInt>>("COALESCE(started_at, ").bind::<BigInt, _>(now).sql(")")),
            ))
            .execute(conn)?;
        if won == 1 {
            return Ok(imports::table.filter(imports::id.eq(&id)).select(ImportRow::as_select()).first(conn).optional()?);
        }
    }
    Ok(None)
}

/// Holds a job for its next batch: extends its lease (`held` → `until`) while it is still this
/// process's, and returns its status (`running`, or `cancelling` when someone asked it to stop).
/// None when another process took it over. On PostgreSQL the update locks the job's row until
/// the batch commits, so no other process claims it meanwhile.
pub fn hold(conn: &mut DbConnection, id: &str, held: i64, until: i64) -> StoreResult<Option<String>> {
    let kept = diesel::update(imports::table.filter(imports::id.eq(id)).filter(imports::lease_until.eq(held)))
        .set(imports::lease_until.eq(until))
        .execute(conn)?;
    if kept == 0 {
        return Ok(None);
    }
    Ok(Some(imports::table.filter(imports::id.eq(id)).select(imports::status).first(conn)?))
}

/// The counts a batch of rows adds to its job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: i64,
    pub rejected: i64,
}

impl Counts {
    /// The rows counted.
    pub fn rows(&self) -> i64 {
        self.created + self.updated + self.unchanged + self.skipped + self.rejected
    }
}

/// Records a batch of a job this process holds ([`hold`]): its rows' outcomes and the job's
/// progress.
pub fn progress(conn: &mut DbConnection, id: &str, lines: &[LineRow], counts: Counts, now: i64) -> StoreResult<()> {
    crate::db::insert_rows!(conn, import_rows::table, lines, 500);
    diesel::update(imports::table.filter(imports::id.eq(id)))
        .set((
            imports::rows_done.eq(imports::rows_done + counts.rows()),
            imports::created.eq(imports::created + counts.created),
            imports::updated.eq(imports::updated + counts.updated),
            imports::unchanged.eq(imports::unchanged + counts.unchanged),
            imports::skipped.eq(imports::skipped + counts.skipped),
            imports::rejected.eq(imports::rejected + counts.rejected),
            imports::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The line of an earlier row of the job that wrote a record by this key, if one did.
pub fn line_with_key(conn: &mut DbConnection, import_id: &str, key: &str) -> StoreResult<Option<i64>> {
    Ok(import_rows::table
        .filter(import_rows::import_id.eq(import_id))
        .filter(import_rows::row_key.eq(key))
        .select(import_rows::line)
        .first(conn)
        .optional()?)
}

/// The line of an earlier row of the job that wrote this record, if one did.
pub fn line_with_record(conn: &mut DbConnection, import_id: &str, record_id: &str) -> StoreResult<Option<i64>> {
    Ok(import_rows::table
        .filter(import_rows::import_id.eq(import_id))
        .filter(import_rows::record_id.eq(record_id))
        .select(import_rows::line)
        .first(conn)
        .optional()?)
}

/// Ends a queued job as cancelled; false when it already started.
pub fn cancel_queued(conn: &mut DbConnection, id: &str, now: i64) -> StoreResult<bool> {
    Ok(diesel::update(imports::table.filter(imports::id.eq(id)).filter(imports::status.eq("queued")))
        .set((
            imports::status.eq("cancelled"),
            imports::finished_at.eq(now),
            imports::updated_at.eq(now),
            imports::version.eq(imports::version + 1),
        ))
        .execute(conn)?
        == 1)
}

/// Asks a running job to stop after its batch; false when it is not running.
pub fn ask_to_stop(conn: &mut DbConnection, id: &str, now: i64) -> StoreResult<bool> {
    Ok(diesel::update(imports::table.filter(imports::id.eq(id)).filter(imports::status.eq("running")))
        .set((imports::status.eq("cancelling"), imports::updated_at.eq(now), imports::version.eq(imports::version + 1)))
        .execute(conn)?
        == 1)
}

/// Forgets uploads that never finished (their request was cut off) before `before`.
pub fn sweep_uploads(conn: &mut DbConnection, before: i64) -> StoreResult<usize> {
    let stale: Vec<(String, String)> = imports::table
        .filter(imports::status.eq("uploading"))
        .filter(imports::created_at.lt(before))
        .select((imports::workspace_id, imports::id))
        .limit(100)
        .load(conn)?;
    for (ws, id) in &stale {
        delete(conn, ws, id)?;
    }
    Ok(stale.len())
}

/// Ends a job (`done`, `failed`, `cancelled`): its total rows when read to the end, why it
/// failed.
pub fn finish(conn: &mut DbConnection, id: &str, status: &str, rows_total: Option<i64>, error: Option<&str>, now: i64) -> StoreResult<()> {
    diesel::update(imports::table.filter(imports::id.eq(id)))
        .set((
            imports::status.eq(status),
            imports::rows_total.eq(rows_total),
            imports::error.eq(error),
            imports::lease_until.eq(None::<i64>),
            imports::finished_at.eq(now),
            imports::updated_at.eq(now),
            imports::version.eq(imports::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets a job's status (`cancelling`, `undone`, a failed upload's `failed`).
pub fn set_status(conn: &mut DbConnection, id: &str, status: &str, error: Option<&str>, now: i64) -> StoreResult<()> {
    diesel::update(imports::table.filter(imports::id.eq(id)))
        .set((imports::status.eq(status), imports::error.eq(error), imports::updated_at.eq(now), imports::version.eq(imports::version + 1)))
        .execute(conn)?;
    Ok(())
}

/// Rows of the last run in line order after `after`, of these outcomes (all when empty).
pub fn lines(conn: &mut DbConnection, import_id: &str, outcomes: &[&str], after: i64, limit: i64) -> StoreResult<Vec<LineRow>> {
    let mut q = import_rows::table.filter(import_rows::import_id.eq(import_id)).filter(import_rows::line.gt(after)).into_boxed();
    if !outcomes.is_empty() {
        q = q.filter(import_rows::outcome.eq_any(outcomes.to_vec()));
    }
    Ok(q.order_by(import_rows::line).limit(limit).select(LineRow::as_select()).load(conn)?)
}

/// Marks rows undone (`undone`) or left alone because someone changed the record since
/// (`conflict`).
pub fn mark_lines(conn: &mut DbConnection, import_id: &str, lines: &[i64], outcome: &str) -> StoreResult<()> {
    diesel::update(import_rows::table.filter(import_rows::import_id.eq(import_id)).filter(import_rows::line.eq_any(lines)))
        .set(import_rows::outcome.eq(outcome))
        .execute(conn)?;
    Ok(())
}

/// Forgets an import: its file, rows and job.
pub fn delete(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<()> {
    diesel::delete(import_rows::table.filter(import_rows::import_id.eq(id))).execute(conn)?;
    diesel::delete(import_chunks::table.filter(import_chunks::import_id.eq(id))).execute(conn)?;
    diesel::delete(imports::table.filter(imports::workspace_id.eq(ws)).filter(imports::id.eq(id))).execute(conn)?;
    Ok(())
}
