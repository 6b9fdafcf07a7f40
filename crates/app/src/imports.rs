//! Imports (issue #30): a person uploads a CSV file of contacts (any delimiter, quoted fields,
//! UTF-8 with or without a byte-order mark, UTF-16 or Windows-1256; detected, with an
//! override), maps its columns to fields (suggested from the headers of our own names, peer
//! CRMs' exports and Persian sheets), tries it in a dry run that says per row what would be
//! created, updated, skipped or rejected and why, runs it, and can undo it.
//!
//! The file is kept in the database in chunks, so any process can run the job; a job is
//! claimed through a lease and commits each batch of rows with their outcomes and its
//! progress, so a job interrupted by a restart resumes at the row after its last batch. A dry
//! run writes each batch and rolls it back, keeping only what the rows did: it meets the same
//! rules as the real run. Every row is written with the importer's access, through the same
//! use cases as a form: its timeline, webhooks and audit follow.

use crate::caller::Caller;
use crate::contacts::Before;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::records;
use crate::uow::UnitOfWork;
use crate::workspace::Facts;
use crm_domain::access::Entity;
use crm_domain::import::{self as rules, Config, Key, Policy, Target};
use crm_domain::records::{EmailPoint, PhonePoint};
use crm_domain::{ContactDraft, Email, EmailLabel, FieldError, Phone, Region, Role, Tag, ValidationErrors};
use crm_store::imports::{self as repo, Counts, ImportRow, LineRow};
use crm_store::record::Actor;
use crm_store::{time, DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

/// The size of the chunks an upload is kept in.
pub const CHUNK: usize = 1 << 20;
/// The largest file an import takes.
pub const MAX_BYTES: i64 = 1 << 30;
/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 1000;
/// Rows written per transaction.
const BATCH: usize = 250;
/// How long a job stays its process's without a batch (microseconds).
const LEASE: i64 = 120_000_000;
/// The longest row read (bytes, decoded).
const MAX_ROW_BYTES: usize = 4 << 20;
/// Sample values shown per column.
const SAMPLES: usize = 5;
/// The longest cell kept of a rejected row (characters).
const MAX_CELL: usize = 2000;

/// A column of the file: its header, a few values from the first rows, and the field its
/// header suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub samples: Vec<String>,
    pub suggested: String,
}

/// An import as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub row: ImportRow,
    pub columns: Vec<Column>,
    pub config: Option<Config>,
}

impl Import {
    fn of(row: ImportRow) -> Import {
        let columns = serde_json::from_str(&row.headers).unwrap_or_default();
        let config = row.config.as_deref().and_then(|c| serde_json::from_str(c).ok());
        Import { row, columns, config }
    }
}

fn problem(field: &str, code: &str, message: impl Into<String>) -> AppError {
    FieldError::new(field, code, message).into()
}

/// Starts an upload of a file of `entity` records, named `file_name`, by a person who may
/// create them.
pub async fn begin(db: &Db, caller: &Caller, entity: &str, file_name: String) -> AppResult<String> {
    if !rules::KINDS.contains(&entity) {
        return Err(AppError::BadParameter {
            name: "entity".into(),
            code: "invalid_enum_value",
            message: format!("must be one of: {}", rules::KINDS.join(", ")),
        });
    }
    let user =
        caller.user_id().map(str::to_owned).ok_or_else(|| forbidden("imports belong to people; an API key has the bulk endpoints"))?;
    caller.require_write()?;
    let caller = caller.clone();
    let entity = entity.to_owned();
    db.write(move |conn| {
        if !caller.writable_kinds(conn)?.contains(&Entity::Contact) {
            return Err(forbidden(format!("the {} role may not create contacts", caller.role())));
        }
        let now = time::now_micros();
        let id = crm_store::new_id();
        let name: String = file_name.chars().take(200).collect();
        repo::insert(
            conn,
            &ImportRow {
                id: id.clone(),
                workspace_id: caller.workspace().to_owned(),
                created_by: Some(user),
                entity,
                file_name: if name.trim().is_empty() { "import.csv".into() } else { name },
                size_bytes: 0,
                encoding: "utf-8".into(),
                delimiter: ",".into(),
                headers: "[]".into(),
                config: None,
                status: "uploading".into(),
                dry_run: 0,
                rows_estimate: None,
                rows_total: None,
                rows_done: 0,
                created: 0,
                updated: 0,
                unchanged: 0,
                skipped: 0,
                rejected: 0,
                lease_until: None,
                error: None,
                started_at: None,
                finished_at: None,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )?;
        Ok(id)
    })
    .await
}

fn forbidden(message: impl Into<String>) -> AppError {
    StoreError::Forbidden { code: "forbidden", message: message.into(), field: None }.into()
}

/// Keeps the next chunk (`seq` from 0) of an upload.
pub async fn append(db: &Db, id: String, seq: i32, data: Vec<u8>) -> AppResult<()> {
    db.write(move |conn| Ok(repo::append_chunk(conn, &id, seq, &data)?)).await
}

/// Forgets an upload that did not finish (cut off, too large).
pub async fn abandon(db: &Db, caller: &Caller, id: String) -> AppResult<()> {
    let ws = caller.workspace().to_owned();
    db.write(move |conn| Ok(repo::delete(conn, &ws, &id)?)).await
}

/// Ends an upload of `size` bytes: reads what the file is (encoding, delimiter, columns with
/// samples and suggestions). An empty file, one with a header and no rows, or one with too
/// many columns is refused and forgotten.
pub async fn complete(db: &Db, caller: &Caller, id: String, size: i64) -> AppResult<Import> {
    let ws = caller.workspace().to_owned();
    let read = db
        .write({
            let (ws, id) = (ws.clone(), id.clone());
            move |conn| {
                let first = repo::chunk(conn, &id, 0)?.unwrap_or_default();
                let found = analyse(&first, size as usize <= first.len(), None, None)?;
                let mut row = repo::get(conn, &ws, &id)?;
                row.headers = serde_json::to_string(&found.columns).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                row.rows_estimate = Some(found.rows_estimate(first.len(), size));
                row.size_bytes = size;
                row.encoding = found.encoding.to_owned();
                row.delimiter = found.delimiter.to_string();
                repo::uploaded(conn, &row, time::now_micros())?;
                Ok(Import::of(repo::get(conn, &ws, &id)?))
            }
        })
        .await;
    if read.is_err() {
        // A file that cannot be imported is not kept.
        abandon(db, caller, id).await?;
    }
    read
}

/// What the start of a file shows.
struct Analysis {
    encoding: &'static str,
    delimiter: char,
    columns: Vec<Column>,
    /// Rows below the header in the part read.
    rows: usize,
}

impl Analysis {
    /// The rows of a file of `size` bytes of which `read` were analysed.
    fn rows_estimate(&self, read: usize, size: i64) -> i64 {
        if read == 0 || size as usize <= read {
            return self.rows as i64;
        }
        (self.rows as f64 * size as f64 / read as f64).round() as i64
    }
}

/// Reads the start of a file (`whole` when it is all of it) as `encoding` with `delimiter`,
/// or as they are detected.
fn analyse(first: &[u8], whole: bool, encoding: Option<&'static str>, delimiter: Option<char>) -> AppResult<Analysis> {
    if first.is_empty() {
        return Err(problem("file", "empty_file", "the file is empty"));
    }
    let sniffed = rules::sniff_encoding(&first[..first.len().min(64 * 1024)]);
    let encoding = encoding.unwrap_or(sniffed.encoding);
    let text = decode_all(first, encoding, !whole);
    let delimiter = delimiter.unwrap_or_else(|| rules::sniff_delimiter(&text[..floor_char(&text, 64 * 1024)]));
    let mut reader = csv_reader(text.as_bytes(), delimiter);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        _ => return Err(problem("file", "empty_file", "the file has no header row")),
    };
    if header.len() > MAX_COLUMNS {
        return Err(problem(
            "file",
            "too_many_columns",
            format!("the file has {} columns; an import takes at most {MAX_COLUMNS}", header.len()),
        ));
    }
    let mut rows: Vec<csv::StringRecord> = Vec::with_capacity(SAMPLES + 1);
    let mut count = 0;
    for r in records.filter_map(Result::ok) {
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        count += 1;
        if rows.len() <= SAMPLES {
            rows.push(r);
        }
    }
    // The last row read from a part of the file may be cut short.
    if !whole && rows.len() > SAMPLES {
        rows.pop();
    }
    rows.truncate(SAMPLES);
    if whole && count == 0 {
        return Err(problem("file", "no_rows", "the file has a header row and no rows below it"));
    }
    let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let suggested = rules::suggest_all(&names);
    let columns = names
        .into_iter()
        .zip(suggested)
        .enumerate()
        .map(|(i, (name, t))| Column {
            samples: rows.iter().filter_map(|r| r.get(i)).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect(),
            name,
            suggested: t.name(),
        })
        .collect();
    Ok(Analysis { encoding, delimiter, columns, rows: count })
}

/// The largest char boundary at or below `at`.
fn floor_char(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn csv_reader<R: Read>(r: R, delimiter: char) -> csv::Reader<R> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter as u8).from_reader(r)
}

fn encoding_of(label: &str) -> &'static encoding_rs::Encoding {
    encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::UTF_8)
}

/// Bytes decoded to UTF-8 (the byte-order mark dropped); `more` when more bytes follow.
fn decode_all(bytes: &[u8], label: &str, more: bool) -> String {
    let mut decoder = encoding_of(label).new_decoder_with_bom_removal();
    let mut out = String::with_capacity(decoder.max_utf8_buffer_length(bytes.len()).unwrap_or(bytes.len() * 3));
    let _ = decoder.decode_to_string(bytes, &mut out, !more);
    out
}

/// The file of an import read from its chunks and decoded to UTF-8, one chunk at a time.
struct Chunks {
    conn: crm_store::PooledConn,
    /// Bytes handed to the CSV reader since the last row it returned.
    since_row: usize,
    id: String,
    next: i32,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let chunk = repo::chunk(&mut self.conn, &self.id, self.next).map_err(std::io::Error::other)?;
            self.next += 1;
            let last = chunk.is_none();
            let bytes = chunk.unwrap_or_default();
            let mut text = String::with_capacity(self.decoder.max_utf8_buffer_length(bytes.len()).unwrap_or(bytes.len() * 3));
            let _ = self.decoder.decode_to_string(&bytes, &mut text, last);
            self.out = text.into_bytes();
            self.pos = 0;
            self.done = last;
        }
        // One row longer than this is a quote left open: the rest of the file would be one cell.
        if self.since_row > MAX_ROW_BYTES {
            return Err(std::io::Error::other(format!(
                "a row runs past {} MiB: a quote opened in it is probably never closed",
                MAX_ROW_BYTES >> 20
            )));
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        self.since_row += n;
        Ok(n)
    }
}

/// The rows of a file, from the one after the header.
struct Rows {
    reader: csv::Reader<Chunks>,
    width: usize,
    /// The number of the last row read (the header is 1).
    row: i64,
}

impl Rows {
    fn open(db: &Db, row: &ImportRow, width: usize) -> AppResult<Rows> {
        let conn = db.pool().get().map_err(|e| StoreError::Connect(e.to_string()))?;
        let chunks = Chunks {
            conn,
            since_row: 0,
            id: row.id.clone(),
            next: 0,
            decoder: encoding_of(&row.encoding).new_decoder_with_bom_removal(),
            out: Vec::new(),
            pos: 0,
            done: false,
        };
        let delimiter = row.delimiter.chars().next().unwrap_or(',');
        let mut reader = csv_reader(chunks, delimiter);
        let mut header = csv::StringRecord::new();
        reader.read_record(&mut header).map_err(|e| problem("file", "unreadable", e.to_string()))?;
        Ok(Rows { reader, width, row: 1 })
    }

    /// Up to `n` rows with their lines; fewer at the end of the file.
    fn next(&mut self, n: usize) -> AppResult<Vec<(i64, Vec<String>)>> {
        let mut out = Vec::with_capacity(n);
        let mut record = csv::StringRecord::new();
        while out.len() < n {
            match self.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    self.reader.get_mut().since_row = 0;
                    // Rows are numbered as a spreadsheet numbers them: the header is row 1, a
                    // cell's line breaks do not count (the CSV reader passes over empty lines).
                    self.row += 1;
                    let line = self.row;
                    let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
                    // A blank line is no row.
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    cells.truncate(self.width.max(cells.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |i| i + 1)));
                    out.push((line, cells));
                }
                Err(e) => return Err(problem("file", "unreadable", format!("after row {}: {e}", self.row))),
            }
        }
        Ok(out)
    }

    /// Passes over `n` rows (those a resumed job already did).
    fn skip(&mut self, n: i64) -> AppResult<()> {
        let mut left = n;
        while left > 0 {
            let got = self.next(BATCH.min(left as usize))?;
            if got.is_empty() {
                break;
            }
            left -= got.len() as i64;
        }
        Ok(())
    }
}

/// The importer's choices for a run, checked against the file.
pub struct RunInput {
    pub dry_run: bool,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub config: Config,
}

/// Queues a dry run or a real run of an upload with the importer's choices; the job starts
/// at once. A run replaces the last run's rows.
pub async fn start(db: &Db, caller: &Caller, id: String, input: RunInput) -> AppResult<Import> {
    let caller = caller.clone();
    db.write(move |conn| {
        let mut row = mine(conn, &caller, &id)?;
        if matches!(row.status.as_str(), "uploading" | "queued" | "running" | "cancelling") {
            return Err(StoreError::Conflict {
                code: "import_busy",
                message: format!("the import is {}; wait for it or cancel it", row.status),
                field: None,
            }
            .into());
        }
        let wrote = row.dry_run == 0 && row.status != "undone" && (row.status == "done" || row.created + row.updated > 0);
        if wrote {
            return Err(StoreError::Conflict {
                code: "import_done",
                message: "the import already ran and wrote contacts; undo it first to run it again".into(),
                field: None,
            }
            .into());
        }
        let mut errors = ValidationErrors::new();
        let encoding = match input.encoding.as_deref() {
            Some(e) => match rules::ENCODINGS.iter().find(|k| k.eq_ignore_ascii_case(e.trim())) {
                Some(k) => Some(*k),
                None => {
                    errors.push(FieldError::new(
                        "encoding",
                        "invalid_enum_value",
                        format!("must be one of: {}", rules::ENCODINGS.join(", ")),
                    ));
                    None
                }
            },
            None => None,
        };
        let delimiter = match input.delimiter.as_deref() {
            Some(d) => match rules::DELIMITERS.iter().find(|k| d == k.to_string() || (d == "tab" && **k == '\t')) {
                Some(k) => Some(*k),
                None => {
                    errors.push(FieldError::new("delimiter", "invalid_enum_value", "must be one of: , ; tab |"));
                    None
                }
            },
            None => None,
        };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        if encoding.is_some_and(|e| e != row.encoding) || delimiter.is_some_and(|d| d.to_string() != row.delimiter) {
            let first = repo::chunk(conn, &row.id, 0)?.unwrap_or_default();
            let found =
                analyse(&first, row.size_bytes as usize <= first.len(), encoding.or(Some(stored_encoding(&row.encoding))), delimiter)?;
            row.encoding = found.encoding.to_owned();
            row.delimiter = found.delimiter.to_string();
            row.headers = serde_json::to_string(&found.columns).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        let columns: Vec<Column> = serde_json::from_str(&row.headers).unwrap_or_default();
        let config = settle(conn, &caller, input.config, &columns)?;
        let json = serde_json::to_string(&config).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        repo::queue(conn, &row, input.dry_run, &json, time::now_micros())?;
        Ok(Import::of(repo::get(conn, caller.workspace(), &row.id)?))
    })
    .await
}

/// The label among [`rules::ENCODINGS`] equal to a stored one.
fn stored_encoding(label: &str) -> &'static str {
    rules::ENCODINGS.iter().find(|k| **k == label).copied().unwrap_or("utf-8")
}

/// The run's choices made whole and checked: a target per column (the suggested one where
/// none is given), each target known, one column per single-valued target, a name column, the
/// key's column, custom fields the importer may write, values mapped to known ones.
fn settle(conn: &mut DbConnection, caller: &Caller, mut config: Config, columns: &[Column]) -> AppResult<Config> {
    let mut errors = ValidationErrors::new();
    if config.columns.len() > columns.len() {
        errors.push(FieldError::new("columns", "invalid_length", format!("the file has {} columns", columns.len())));
    }
    for c in columns.iter().skip(config.columns.len()) {
        config.columns.push(c.suggested.clone());
    }
    let set = crate::custom::field_set(conn, caller.workspace(), Entity::Contact)?;
    let mut targets: Vec<Target> = Vec::with_capacity(config.columns.len());
    for (i, name) in config.columns.iter().enumerate() {
        let field = format!("columns[{i}]");
        match Target::parse(name) {
            None => errors.push(FieldError::new(field, "unknown_target", format!("{name} is not a field contacts can be imported into"))),
            Some(Target::Custom(key)) if set.by_key(&key).is_none_or(|d| !d.readable_by(caller.role())) => {
                errors.push(FieldError::new(field, "unknown_field", format!("contacts have no custom field {key} you may write")))
            }
            Some(t) if !t.takes_many() && targets.contains(&t) => {
                errors.push(FieldError::new(field, "duplicate_target", format!("another column already goes to {name}")))
            }
            Some(t) => targets.push(t),
        }
    }
    let has = |t: &Target| targets.contains(t);
    if !has(&Target::FirstName) && !has(&Target::FullName) {
        errors.push(FieldError::new("columns", "name_required", "map a column to first_name or full_name: every contact has a name"));
    }
    let key_ok = match config.key {
        Key::Email => has(&Target::Email),
        Key::Phone => targets.iter().any(|t| matches!(t, Target::Phone(_))),
        Key::None => true,
    };
    if !key_ok {
        errors.push(FieldError::new("key", "key_unmapped", "no column goes to the key's field"));
    }
    for (target, by) in &config.values {
        for (raw, ours) in by {
            let ok = match target.as_str() {
                "lifecycle_stage" => crm_domain::LifecycleStage::parse(ours).is_some(),
                "source" => crm_domain::Source::parse(ours).is_some(),
                "consent" => crm_domain::Consent::parse(ours).is_some(),
                "owner" => !ours.trim().is_empty(),
                _ => false,
            };
            if !ok {
                errors.push(FieldError::new(
                    format!("values.{target}.{raw}"),
                    "invalid_value",
                    format!("{ours} is not a value of {target}"),
                ));
            }
        }
    }
    for name in config.policies.keys() {
        if name != "phone" && Target::parse(name).is_none_or(|t| matches!(t, Target::Note | Target::Skip)) {
            errors.push(FieldError::new(
                format!("policies.{name}"),
                "unknown_target",
                format!("{name} is not a field a policy applies to"),
            ));
        }
    }
    if let Err(e) = crm_domain::parse_tags("tags", &config.tags) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors.into())
    }
}

/// An import of the caller's (an admin sees every import of the workspace).
fn mine(conn: &mut DbConnection, caller: &Caller, id: &str) -> AppResult<ImportRow> {
    let row = repo::get(conn, caller.workspace(), id).map_err(|_| AppError::Missing("import"))?;
    if caller.role() != Role::Admin && row.created_by.as_deref() != caller.user_id() {
        return Err(AppError::Missing("import"));
    }
    Ok(row)
}

/// One import of the caller's.
pub async fn get(db: &Db, caller: &Caller, id: String) -> AppResult<Import> {
    let caller = caller.clone();
    db.read(move |conn| Ok(Import::of(mine(conn, &caller, &id)?))).await
}

/// The caller's imports (an admin's: the workspace's), newest first.
pub async fn list(db: &Db, caller: &Caller) -> AppResult<Vec<Import>> {
    let caller = caller.clone();
    db.read(move |conn| {
        let by = if caller.role() == Role::Admin { None } else { caller.user_id() };
        Ok(repo::list(conn, caller.workspace(), by, 100)?.into_iter().map(Import::of).collect())
    })
    .await
}

/// Rows of an import's last run after line `after`, of these outcomes (all when empty).
pub async fn lines(db: &Db, caller: &Caller, id: String, outcomes: Vec<String>, after: i64, limit: i64) -> AppResult<Vec<LineRow>> {
    let caller = caller.clone();
    db.read(move |conn| {
        let row = mine(conn, &caller, &id)?;
        let outcomes: Vec<&str> = outcomes.iter().map(String::as_str).collect();
        Ok(repo::lines(conn, &row.id, &outcomes, after, limit)?)
    })
    .await
}

/// The header of the import's file, for a download of its rejected rows.
pub async fn header(db: &Db, caller: &Caller, id: String) -> AppResult<Vec<String>> {
    Ok(get(db, caller, id).await?.columns.into_iter().map(|c| c.name).collect())
}

/// Asks a queued or running job to stop after its batch: a real run keeps what it wrote (its
/// report says so; undo removes it).
pub async fn cancel(db: &Db, caller: &Caller, id: String) -> AppResult<Import> {
    let caller = caller.clone();
    db.write(move |conn| {
        let row = mine(conn, &caller, &id)?;
        let now = time::now_micros();
        if !repo::cancel_queued(conn, &row.id, now)? && !repo::ask_to_stop(conn, &row.id, now)? {
            return Err(StoreError::Conflict {
                code: "import_not_running",
                message: format!("the import is {}, not running", row.status),
                field: None,
            }
            .into());
        }
        Ok(Import::of(repo::get(conn, caller.workspace(), &row.id)?))
    })
    .await
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Undone {
    /// Created records moved to the trash.
    pub removed: i64,
    /// Updated records given back their values.
    pub restored: i64,
    /// Records someone changed since the import, left as they are (unless forced): the first
    /// hundred.
    pub conflicts: Vec<String>,
    /// How many were left.
    pub conflicts_total: i64,
}

/// The conflicts an undo names (the rest are counted).
const CONFLICTS_SHOWN: usize = 100;

/// Undoes a real run: the contacts it created go to the trash, those it updated get back the
/// values it overwrote. A record someone changed since is a conflict, left alone unless
/// `force` (which also undoes the conflicts an earlier undo left). With the importer's access:
/// what they may no longer change is a conflict too. Each page of 500 rows is a transaction of
/// its own, so a large undo does not hold the writer.
pub async fn undo(db: &Db, caller: &Caller, id: String, force: bool) -> AppResult<Undone> {
    let row = {
        let (caller, id) = (caller.clone(), id.clone());
        db.read(move |conn| mine(conn, &caller, &id)).await?
    };
    let ended = matches!(row.status.as_str(), "done" | "cancelled" | "failed");
    if row.dry_run != 0 || !(ended || (row.status == "undone" && force)) {
        let message = if row.status == "undone" {
            "the import is undone; undo it with force=true to undo the contacts changed since too".to_owned()
        } else {
            format!("only a real run that ended can be undone; this import is {}", row.status)
        };
        return Err(StoreError::Conflict { code: "import_not_undoable", message, field: None }.into());
    }
    let outcomes: &'static [&'static str] = match (row.status.as_str(), force) {
        ("undone", _) => &["conflict"],
        (_, true) => &["created", "updated", "conflict"],
        _ => &["created", "updated"],
    };
    let mut out = Undone::default();
    let mut after = 0;
    loop {
        let (caller, id) = (caller.clone(), row.id.clone());
        let (page, last) = db
            .write(move |conn| {
                let lines = repo::lines(conn, &id, outcomes, after, 500)?;
                let mut page = Undone::default();
                let (mut undone, mut conflicts) = (Vec::new(), Vec::new());
                for l in &lines {
                    let Some(record) = l.record_id.clone() else { continue };
                    match crm_store::db::savepoint(conn, |c| undo_line(c, &caller, l, &record, force)) {
                        Ok(true) => {
                            undone.push(l.line);
                            if l.before.is_none() {
                                page.removed += 1;
                            } else {
                                page.restored += 1;
                            }
                        }
                        Ok(false) => {
                            conflicts.push(l.line);
                            page.conflicts.push(record);
                        }
                        Err(e) if is_bad_input(&e) => {
                            conflicts.push(l.line);
                            page.conflicts.push(record);
                        }
                        Err(e) => return Err(e),
                    }
                }
                repo::mark_lines(conn, &id, &undone, "undone")?;
                repo::mark_lines(conn, &id, &conflicts, "conflict")?;
                Ok::<_, AppError>((page, lines.last().map(|l| l.line)))
            })
            .await?;
        out.removed += page.removed;
        out.restored += page.restored;
        out.conflicts_total += page.conflicts.len() as i64;
        out.conflicts.extend(page.conflicts.into_iter().take(CONFLICTS_SHOWN - out.conflicts.len().min(CONFLICTS_SHOWN)));
        match last {
            Some(l) => after = l,
            None => break,
        }
    }
    let id = row.id.clone();
    db.write(move |conn| Ok::<_, AppError>(repo::set_status(conn, &id, "undone", None, time::now_micros())?)).await?;
    Ok(out)
}

/// Undoes one row: false when the record changed since (and not `force`).
fn undo_line(conn: &mut DbConnection, caller: &Caller, l: &LineRow, record: &str, force: bool) -> AppResult<bool> {
    let ws = caller.workspace();
    let (current, _) = match crm_store::contacts::get(conn, ws, record) {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    if !force && Some(current.version) != l.version_after {
        return Ok(false);
    }
    let mut uow = UnitOfWork::new(caller);
    if l.before.is_none() {
        if current.deleted_at.is_none() {
            records::set_deleted_in::<crate::contacts::Contacts>(conn, caller, record, None, true)?;
        }
    } else {
        let before: Before =
            l.before.as_deref().and_then(|b| serde_json::from_str(b).ok()).ok_or_else(|| StoreError::Corrupt("import row".into()))?;
        records::update_with::<crate::contacts::Contacts>(conn, caller, &mut uow, record, None, |_, _| Ok(before.draft()))?;
    }
    uow.commit(conn)?;
    Ok(true)
}

/// Whether an error is the row's (its input or the importer's access) rather than the system's.
fn is_bad_input(e: &AppError) -> bool {
    matches!(
        e,
        AppError::NotFound(_)
            | AppError::Missing(_)
            | AppError::BadParameter { .. }
            | AppError::Store(
                StoreError::Invalid(_) | StoreError::Forbidden { .. } | StoreError::Conflict { .. } | StoreError::PreconditionFailed { .. }
            )
    )
}

/// The problems of a row's error, as `{field, code, message}`.
fn problems_of(e: &AppError) -> Vec<FieldError> {
    match e {
        AppError::Store(StoreError::Invalid(errs)) => errs.0.clone(),
        AppError::Store(StoreError::Forbidden { code, message, field } | StoreError::Conflict { code, message, field }) => {
            vec![FieldError::new(field.clone().unwrap_or_default(), code, message.clone())]
        }
        AppError::BadParameter { name, code, message } => vec![FieldError::new(name.clone(), code, message.clone())],
        other => vec![FieldError::new("", "rejected", other.to_string())],
    }
}

/// Forgets uploads cut off more than an hour ago (their request never finished).
pub async fn sweep(db: &Db) -> AppResult<usize> {
    let before = time::now_micros() - 3_600_000_000;
    db.write(move |conn| Ok::<_, AppError>(repo::sweep_uploads(conn, before)?)).await
}

/// Runs the jobs waiting in any workspace (queued, or left by a process that stopped) one
/// after another; returns how many ran. Every process calls it from its scheduler, and at once
/// when a run is queued.
pub async fn work(db: &Db) -> AppResult<usize> {
    // One worker per process: the jobs queued meanwhile are its next ones.
    use std::sync::atomic::{AtomicBool, Ordering};
    static WORKING: AtomicBool = AtomicBool::new(false);
    /// Frees the worker's place however its work ends: done, failed, panicked or dropped.
    struct Working;
    impl Drop for Working {
        fn drop(&mut self) {
            WORKING.store(false, Ordering::Release);
        }
    }
    if WORKING.swap(true, Ordering::AcqRel) {
        return Ok(0);
    }
    let _place = Working;
    work_all(db).await
}

async fn work_all(db: &Db) -> AppResult<usize> {
    let mut ran = 0;
    loop {
        let now = time::now_micros();
        let Some(job) = db.write(move |conn| Ok::<_, AppError>(repo::claim(conn, now, now + LEASE)?)).await? else { return Ok(ran) };
        ran += 1;
        let id = job.id.clone();
        let mut lease = job.lease_until.unwrap_or_default();
        if let Err(e) = run(db, job, &mut lease).await {
            let message = if is_bad_input(&e) {
                e.to_string()
            } else {
                tracing::error!(import = %id, error = %e, "an import stopped");
                "the import stopped on a server error, which has been logged; run it again to go on from where it stopped".to_owned()
            };
            let _ = db
                .write(move |conn| {
                    // Only a job still this process's is this process's to fail.
                    if repo::hold(conn, &id, lease, lease)?.is_some() {
                        repo::finish(conn, &id, "failed", None, Some(&message), time::now_micros())?;
                    }
                    Ok::<_, AppError>(())
                })
                .await;
        }
    }
}

/// Runs one claimed job to its end (or until it is cancelled, or another process takes it);
/// `lease` follows the lease this process holds.
async fn run(db: &Db, job: ImportRow, lease: &mut i64) -> AppResult<()> {
    let ws = job.workspace_id.clone();
    let user = job.created_by.clone().ok_or_else(|| forbidden("the import has no importer"))?;
    let config: Config =
        job.config.as_deref().and_then(|c| serde_json::from_str(c).ok()).ok_or_else(|| StoreError::Corrupt("import config".into()))?;
    let (role, region) = {
        let (ws, user) = (ws.clone(), user.clone());
        db.read(move |conn| {
            let role = crm_store::identity::role_in(conn, &ws, &user)?;
            Ok::<_, AppError>((role, crate::workspace::region(conn, &ws)?))
        })
        .await?
    };
    let role = role.ok_or_else(|| forbidden("the importer is no longer a member of the workspace"))?;
    let caller = Caller::new(ws.clone(), role, Some(user.clone()), Actor { kind: "user", id: Some(user), name: None });
    let targets: Vec<Target> = config.columns.iter().map(|c| Target::parse(c).unwrap_or(Target::Skip)).collect();
    let columns: Vec<Column> = serde_json::from_str(&job.headers).unwrap_or_default();
    let plan = Plan {
        import_id: job.id.clone(),
        headers: columns.into_iter().map(|c| c.name).collect(),
        targets,
        config,
        region,
        dry_run: job.dry_run != 0,
        file_name: job.file_name.clone(),
    };
    let (source, skip) = (job.clone(), job.rows_done);
    let width = plan.headers.len();
    let dbc = db.clone();
    let mut rows = tokio::task::spawn_blocking(move || {
        let mut rows = Rows::open(&dbc, &source, width)?;
        rows.skip(skip)?;
        Ok::<_, AppError>(rows)
    })
    .await
    .map_err(|e| StoreError::Aborted(e.to_string()))??;
    let mut state = State {
        caller,
        plan,
        batch_keys: HashMap::new(),
        companies: HashMap::new(),
        row_companies: Vec::new(),
        batch_companies: Vec::new(),
        users: None,
        began_writing: false,
        fields: None,
    };
    let mut done = job.rows_done;
    let mut next_analysis = 1_000;
    loop {
        let (back, batch) = tokio::task::spawn_blocking(move || {
            let batch = rows.next(BATCH);
            (rows, batch)
        })
        .await
        .map_err(|e| StoreError::Aborted(e.to_string()))?;
        rows = back;
        let batch = batch?;
        let (id, held, next_lease) = (job.id.clone(), *lease, time::now_micros() + LEASE);
        let (back, step) = db
            .write(move |conn| {
                let mut state = state;
                let now = time::now_micros();
                // The batch is written only while the job is still this process's and wanted.
                let Some(status) = repo::hold(conn, &id, held, next_lease)? else { return Ok((state, Step::Lost)) };
                if status != "running" {
                    repo::finish(conn, &id, "cancelled", None, None, now)?;
                    return Ok((state, Step::Ended));
                }
                if batch.is_empty() {
                    repo::finish(conn, &id, "done", Some(done), None, now)?;
                    return Ok((state, Step::Ended));
                }
                let (lines, counts) = batch_of(conn, &mut state, batch)?;
                repo::progress(conn, &id, &lines, counts, now)?;
                Ok::<_, AppError>((state, Step::Wrote(counts.rows())))
            })
            .await?;
        state = back;
        *lease = next_lease;
        match step {
            Step::Wrote(n) => done += n,
            Step::Lost | Step::Ended => return Ok(()),
        }
        // While the tables grow by a factor of four, their lookups are planned again.
        if !state.plan.dry_run && done >= next_analysis {
            next_analysis = done * 4;
            // Best effort: statistics a moment late slow the job down, they do not stop it.
            if let Err(e) = db.write(|conn| Ok::<_, AppError>(crm_store::db::analyze_tables(conn, IMPORT_TABLES)?)).await {
                tracing::warn!(error = %e, "the import's tables could not be analysed");
            }
        }
    }
}

/// The tables an import of contacts makes grow and reads back (its lookups' tables).
const IMPORT_TABLES: &[&str] = &["contacts", "companies", "contact_points", "record_tags", "search_terms", "contact_facts", "import_rows"];

/// What a batch of a job did.
enum Step {
    /// Wrote this many rows.
    Wrote(i64),
    /// The job ended (done, or cancelled).
    Ended,
    /// Another process holds the job now.
    Lost,
}

/// What a job knows for all its rows.
struct Plan {
    import_id: String,
    headers: Vec<String>,
    targets: Vec<Target>,
    config: Config,
    region: Region,
    dry_run: bool,
    file_name: String,
}

/// A job's state between batches: its plan, the keys the batch's rows wrote (the earlier
/// batches' are found in their rows), the companies found or made by name (and those the row
/// being written made, forgotten when it is rejected), the workspace's members by email and
/// name.
struct State {
    caller: Caller,
    plan: Plan,
    batch_keys: HashMap<String, i64>,
    companies: HashMap<String, String>,
    row_companies: Vec<String>,
    /// The companies the batch being written made (forgotten when the batch goes again).
    batch_companies: Vec<String>,
    users: Option<HashMap<String, String>>,
    /// Whether the row being written has begun writing (a failure after takes the batch back).
    began_writing: bool,
    /// The contacts' fields, read again for each batch.
    fields: Option<Arc<crm_domain::custom::FieldSet>>,
}

/// What rolls a dry run's batch back: the rows' outcomes, kept.
enum DryEnd {
    Rolled(Vec<LineRow>, Counts),
    Failed(AppError),
}

impl From<diesel::result::Error> for DryEnd {
    fn from(e: diesel::result::Error) -> Self {
        DryEnd::Failed(e.into())
    }
}

/// Writes a batch of rows (in a dry run, and rolls it back), each in a savepoint of its own:
/// a rejected row leaves no trace. Returns the rows' outcomes and counts.
fn batch_of(conn: &mut DbConnection, state: &mut State, batch: Vec<(i64, Vec<String>)>) -> AppResult<(Vec<LineRow>, Counts)> {
    if state.plan.dry_run {
        let ended = crm_store::db::savepoint::<std::convert::Infallible, DryEnd>(conn, |c| match rows_of(c, state, &batch) {
            Ok((lines, counts)) => Err(DryEnd::Rolled(lines, counts)),
            Err(e) => Err(DryEnd::Failed(e)),
        });
        // Companies a dry run made are gone with its batch.
        forget_batch_companies(state);
        match ended {
            Ok(never) => match never {},
            Err(DryEnd::Rolled(lines, counts)) => Ok((lines, counts)),
            Err(DryEnd::Failed(e)) => Err(e),
        }
    } else {
        rows_of(conn, state, &batch)
    }
}

/// Writes a batch's rows. Most rows fail, when they fail, before they write anything, so the
/// batch is first written without a savepoint per row (on SQLite each costs a copy of every
/// page the row touches); a row that fails after it began writing takes the batch back, and
/// the batch is written again with a savepoint per row.
fn rows_of(conn: &mut DbConnection, state: &mut State, batch: &[(i64, Vec<String>)]) -> AppResult<(Vec<LineRow>, Counts)> {
    state.batch_companies.clear();
    match crm_store::db::savepoint(conn, |c| rows_in(c, state, batch, Savepoints::PerBatch)) {
        Ok(done) => Ok(done),
        Err(Pass::Redo) => {
            // Companies the taken-back batch made are gone with it.
            forget_batch_companies(state);
            rows_in(conn, state, batch, Savepoints::PerRow).map_err(Pass::into_error)
        }
        Err(Pass::Failed(e)) => Err(e),
    }
}

/// Forgets the companies the batch made (its writes taken back).
fn forget_batch_companies(state: &mut State) {
    for name in state.batch_companies.drain(..) {
        state.companies.remove(&name);
    }
}

/// How a batch's rows are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Savepoints {
    /// The batch in one savepoint: a row that fails after it began writing takes it back.
    PerBatch,
    /// Each row in a savepoint of its own: a rejected row leaves no trace.
    PerRow,
}

/// Why a batch's pass ended early.
enum Pass {
    /// A row failed after it began writing: the batch goes again, a savepoint per row.
    Redo,
    Failed(AppError),
}

impl Pass {
    fn into_error(self) -> AppError {
        match self {
            Pass::Failed(e) => e,
            // Only a pass of one savepoint per batch asks to be redone.
            Pass::Redo => StoreError::Aborted("a batch written row by row asked to be written again".into()).into(),
        }
    }
}

impl From<diesel::result::Error> for Pass {
    fn from(e: diesel::result::Error) -> Self {
        Pass::Failed(e.into())
    }
}

/// A batch's rows, written as `savepoints` says; in one savepoint per batch, failing with
/// [`Pass::Redo`] when a row failed after it began writing.
fn rows_in(
    conn: &mut DbConnection,
    state: &mut State,
    batch: &[(i64, Vec<String>)],
    savepoints: Savepoints,
) -> Result<(Vec<LineRow>, Counts), Pass> {
    let import_id = state.plan.import_id.clone();
    let mut lines = Vec::with_capacity(batch.len());
    let mut counts = Counts::default();
    state.batch_keys.clear();
    state.fields = None;
    for (line, cells) in batch {
        state.row_companies.clear();
        state.began_writing = false;
        let done = match savepoints {
            Savepoints::PerRow => crm_store::db::savepoint(conn, |c| contact_row(c, state, *line, cells)),
            Savepoints::PerBatch => contact_row(conn, state, *line, cells),
        };
        if let Err(e) = &done {
            if savepoints == Savepoints::PerBatch && state.began_writing && is_bad_input(e) {
                return Err(Pass::Redo);
            }
            // Companies the rejected row made are gone with it.
            for name in state.row_companies.drain(..) {
                state.companies.remove(&name);
            }
        }
        let mut out = LineRow {
            import_id: import_id.clone(),
            line: *line,
            outcome: String::new(),
            row_key: None,
            record_id: None,
            version_after: None,
            before: None,
            problems: None,
            cells: None,
        };
        match done {
            Ok(Done::Wrote { outcome, id, version, before, key }) => {
                match outcome {
                    "created" => counts.created += 1,
                    "updated" => counts.updated += 1,
                    _ => counts.unchanged += 1,
                }
                out.outcome = outcome.into();
                out.row_key = key;
                // A dry run keeps what each row would do, not the records it rolled back.
                if !state.plan.dry_run {
                    out.record_id = Some(id);
                    out.version_after = Some(version);
                    out.before = before;
                }
            }
            Ok(Done::Skipped(why)) => {
                counts.skipped += 1;
                out.outcome = "skipped".into();
                out.problems = Some(problems_json(&[why]));
            }
            Err(e) if is_bad_input(&e) => {
                counts.rejected += 1;
                out.outcome = "rejected".into();
                out.problems = Some(problems_json(&problems_of(&e)));
                let kept: Vec<String> = cells.iter().map(|c| c.chars().take(MAX_CELL).collect()).collect();
                out.cells = Some(serde_json::to_string(&kept).unwrap_or_default());
            }
            Err(e) => return Err(Pass::Failed(e)),
        }
        lines.push(out);
    }
    Ok((lines, counts))
}

fn problems_json(problems: &[FieldError]) -> String {
    let v: Vec<Value> = problems.iter().map(|p| serde_json::json!({"field": p.field, "code": p.code, "message": p.message})).collect();
    Value::Array(v).to_string()
}

/// What a row did.
enum Done {
    Wrote { outcome: &'static str, id: String, version: i64, before: Option<String>, key: Option<String> },
    Skipped(FieldError),
}

/// A row's values read into a contact's fields, before it meets the database.
#[derive(Default)]
struct Incoming {
    first_name: Option<String>,
    last_name: Option<String>,
    title: Option<String>,
    company: Option<String>,
    emails: Vec<EmailPoint>,
    phones: Vec<PhonePoint>,
    stage: Option<crm_domain::LifecycleStage>,
    source: Option<crm_domain::Source>,
    consent: Option<crm_domain::Consent>,
    owner: Option<String>,
    tags: Vec<Tag>,
    notes: Vec<String>,
    custom: Map<String, Value>,
}

/// Reads a row's cells by the plan; every problem names its column.
fn read_row(plan: &Plan, cells: &[String], users: &HashMap<String, String>) -> Result<Incoming, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut row = Incoming::default();
    let mut extra = cells.len() > plan.targets.len();
    for (i, raw) in cells.iter().enumerate() {
        let value = raw.trim();
        let Some(target) = plan.targets.get(i) else {
            if !value.is_empty() && extra {
                errors.push(FieldError::new(
                    "",
                    "extra_cells",
                    format!("the row has {} cells; the header has {}", cells.len(), plan.targets.len()),
                ));
                extra = false;
            }
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let header = plan.headers.get(i).map(String::as_str).unwrap_or("");
        let bad = |code: &str, message: String| FieldError::new(header, code, format!("{message} (\"{}\")", short(value)));
        let mapped = |t: &str| plan.config.mapped(t, value);
        match target {
            Target::FirstName => row.first_name = Some(value.to_owned()),
            Target::LastName => row.last_name = Some(value.to_owned()),
            Target::FullName => {
                let (first, last) = rules::split_name(value);
                row.first_name.get_or_insert(first);
                if row.last_name.is_none() {
                    row.last_name = last;
                }
            }
            Target::Title => row.title = Some(value.to_owned()),
            Target::Company => row.company = Some(value.to_owned()),
            Target::Email => {
                for part in rules::split_many(value) {
                    match Email::parse(header, part) {
                        Ok(email) if !row.emails.iter().any(|e| e.email == email) => {
                            row.emails.push(EmailPoint { email, label: EmailLabel::Work, primary: row.emails.is_empty() })
                        }
                        Ok(_) => {}
                        Err(_) => errors.push(bad("invalid_email", "not an email address".into())),
                    }
                }
            }
            Target::Phone(label) => {
                for part in rules::split_many(value) {
                    match Phone::parse(header, part, plan.region) {
                        Ok(phone) if !row.phones.iter().any(|p| p.phone == phone) => {
                            row.phones.push(PhonePoint { phone, label: *label, primary: row.phones.is_empty() })
                        }
                        Ok(_) => {}
                        Err(e) => errors.push(bad("invalid_phone", e.message)),
                    }
                }
            }
            Target::LifecycleStage => {
                match mapped("lifecycle_stage").and_then(crm_domain::LifecycleStage::parse).or_else(|| rules::lifecycle_stage(value)) {
                    Some(s) => row.stage = Some(s),
                    None => errors.push(bad(
                        "unknown_value",
                        format!("not a lifecycle stage: map it to one of {}", crm_domain::LifecycleStage::expected()),
                    )),
                }
            }
            Target::Source => match mapped("source").and_then(crm_domain::Source::parse).or_else(|| rules::source(value)) {
                Some(s) => row.source = Some(s),
                None => errors.push(bad("unknown_value", format!("not a source: map it to one of {}", crm_domain::Source::expected()))),
            },
            Target::Consent => match mapped("consent").and_then(crm_domain::Consent::parse).or_else(|| rules::consent(value)) {
                Some(c) => row.consent = Some(c),
                None => errors.push(bad("unknown_value", format!("not a consent: one of {}, or yes/no", crm_domain::Consent::expected()))),
            },
            Target::OptedOut => match rules::yes_no(value) {
                Some(true) => row.consent = Some(crm_domain::Consent::OptedOut),
                Some(false) => {}
                None => errors.push(bad("invalid_yes_no", "not a yes or no".into())),
            },
            Target::Owner => {
                let key = mapped("owner").unwrap_or(value);
                match users.get(&key.trim().to_lowercase()) {
                    Some(id) => row.owner = Some(id.clone()),
                    None => errors.push(bad("unknown_owner", "no member of the workspace has this email or name".into())),
                }
            }
            Target::Tags => {
                for part in rules::split_many(value) {
                    match Tag::parse(header, part) {
                        Ok(t) if !row.tags.contains(&t) => row.tags.push(t),
                        Ok(_) => {}
                        Err(e) => errors.push(bad(&e.code, e.message)),
                    }
                }
            }
            Target::Note => row.notes.push(format!("{header}: {value}")),
            Target::Custom(key) => {
                row.custom.insert(key.clone(), Value::String(value.to_owned()));
            }
            Target::Skip => {}
        }
    }
    if row.first_name.is_none() {
        errors.push(FieldError::new("first_name", "required", "the row has no name"));
    }
    if errors.is_empty() {
        Ok(row)
    } else {
        Err(errors)
    }
}

fn short(v: &str) -> String {
    let s: String = v.chars().take(60).collect();
    if s.len() < v.len() {
        format!("{s}…")
    } else {
        s
    }
}

/// Custom values as their fields take them: numbers without separators or Persian digits,
/// yes/no as booleans, several choices as a list, dates from Solar Hijri; a problem names the
/// column.
fn custom_values(set: &crm_domain::custom::FieldSet, plan: &Plan, raw: Map<String, Value>) -> Result<Map<String, Value>, ValidationErrors> {
    use crm_domain::custom::FieldType;
    let mut errors = ValidationErrors::new();
    let mut out = Map::new();
    for (key, v) in raw {
        let text = v.as_str().unwrap_or_default().to_owned();
        let column = plan
            .targets
            .iter()
            .position(|t| *t == Target::Custom(key.clone()))
            .and_then(|i| plan.headers.get(i))
            .cloned()
            .unwrap_or_default();
        let Some(def) = set.by_key(&key) else { continue };
        let value = match def.field_type {
            FieldType::Number | FieldType::Percent => rules::number(&text).map(Value::String),
            FieldType::YesNo => rules::yes_no(&text).map(Value::Bool),
            FieldType::Choices => Some(Value::Array(rules::split_many(&text).map(|s| Value::String(s.to_owned())).collect())),
            FieldType::Date => rules::date(&text).map(|d| Value::String(d.to_string())),
            _ => Some(Value::String(text.clone())),
        };
        match value {
            Some(v) => {
                out.insert(key, v);
            }
            None => {
                errors.push(FieldError::new(column, "invalid_value", format!("not a {} (\"{}\")", def.field_type.as_str(), short(&text))))
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The workspace's members by lower-cased email, name and id.
fn members(conn: &mut DbConnection, ws: &str) -> AppResult<HashMap<String, String>> {
    let mut by = HashMap::new();
    for (user, _, _) in crm_store::identity::list_members(conn, ws)? {
        by.insert(user.email.to_lowercase(), user.id.clone());
        by.entry(user.name.trim().to_lowercase()).or_insert_with(|| user.id.clone());
        by.insert(user.id.to_lowercase(), user.id.clone());
    }
    Ok(by)
}

/// Imports one row of a contacts file: creates the contact, or updates the one its key finds
/// (by the run's policies), or skips it as a duplicate of an earlier row.
fn contact_row(conn: &mut DbConnection, state: &mut State, line: i64, cells: &[String]) -> AppResult<Done> {
    let ws = state.caller.workspace().to_owned();
    if state.users.is_none() {
        state.users = Some(members(conn, &ws)?);
    }
    let nobody = HashMap::new();
    let mut row = read_row(&state.plan, cells, state.users.as_ref().unwrap_or(&nobody))?;
    for t in &state.plan.config.tags {
        let tag = Tag::parse("tags", t)?;
        if !row.tags.contains(&tag) {
            row.tags.push(tag);
        }
    }
    let set = match &state.fields {
        Some(set) => set.clone(),
        None => {
            let set = crate::custom::field_set_now(conn, &ws, Entity::Contact)?;
            state.fields = Some(set.clone());
            set
        }
    };
    if !row.custom.is_empty() {
        row.custom = custom_values(&set, &state.plan, std::mem::take(&mut row.custom))?;
    }
    let key = match state.plan.config.key {
        Key::Email => row.emails.first().map(|e| ("email", format!("email:{}", e.email.key()))),
        Key::Phone => row.phones.first().map(|p| ("phone", format!("phone:{}", p.phone.as_str()))),
        Key::None => None,
    };
    let import_id = state.plan.import_id.clone();
    // A later row with the key of an earlier one (in this batch, or one before) is a repeat.
    if let Some((kind, k)) = &key {
        let first = match state.batch_keys.get(k) {
            Some(l) => Some(*l),
            None => repo::line_with_key(conn, &import_id, k)?,
        };
        if let Some(first) = first {
            return Ok(Done::Skipped(FieldError::new(*kind, "duplicate_in_file", format!("row {first} has the same {kind}"))));
        }
    }
    let existing = match &key {
        Some((kind, k)) => find_contact(conn, &ws, kind, k.split_once(':').map_or("", |(_, v)| v))?,
        None => None,
    };
    let caller = state.caller.clone();
    if let Some(current) = &existing {
        // A contact the importer may not change is not written, nor made again.
        if caller.check_visible(conn, Entity::Contact, current.owner_id.as_deref()).is_err() {
            return Err(StoreError::Forbidden {
                code: "key_out_of_reach",
                message: "a contact you may not change has this key".into(),
                field: key.as_ref().map(|(kind, _)| (*kind).to_owned()),
            }
            .into());
        }
        let record = format!("record:{}", current.id);
        let first = match state.batch_keys.get(&record) {
            Some(l) => Some(*l),
            None => repo::line_with_record(conn, &import_id, &current.id)?,
        };
        if let Some(first) = first {
            return Ok(Done::Skipped(FieldError::new("", "duplicate_record_in_file", format!("row {first} wrote the same contact"))));
        }
    }
    let config = state.plan.config.clone();
    // The company, found or made, only when the contact will take it.
    let takes_company = match &existing {
        None => true,
        Some(c) => match config.policy(&Target::Company) {
            Policy::Overwrite => true,
            Policy::FillEmpty => c.company_id.is_none(),
            Policy::Keep => false,
        },
    };
    // What a new contact is refused for is found before anything is written.
    let new_custom = match &existing {
        None => {
            caller.check_create(conn, Entity::Contact, row.owner.as_deref().or(caller.user_id()))?;
            Some(Facts::new(conn, &caller).with_fields(Entity::Contact, set.clone()).custom(
                Entity::Contact,
                Some(&row.custom),
                None,
                None,
            )?)
        }
        Some(_) => None,
    };
    let company_id = match row.company.take() {
        Some(name) if takes_company => Some(company(conn, state, &name)?),
        _ => None,
    };
    let file_name = state.plan.file_name.clone();
    let mut uow = UnitOfWork::new(&caller);
    let notes = std::mem::take(&mut row.notes);
    let key = key.map(|(_, k)| k);
    state.began_writing = true;
    let written = match existing {
        None => {
            let draft = ContactDraft {
                first_name: row.first_name.clone().unwrap_or_default(),
                last_name: row.last_name.clone(),
                title: row.title.clone(),
                company_id,
                emails: row.emails,
                phones: row.phones,
                lifecycle_stage: row.stage.unwrap_or(crm_domain::LifecycleStage::Lead),
                source: row.source.or(Some(crm_domain::Source::Import)),
                consent: row.consent.unwrap_or(crm_domain::Consent::Unknown),
                owner_id: row.owner,
                tags: row.tags,
                custom: new_custom,
            };
            let created = records::create_with::<crate::contacts::Contacts>(conn, &caller, &mut uow, draft)?;
            Done::Wrote { outcome: "created", id: created.0.id.clone(), version: created.0.version, before: None, key: key.clone() }
        }
        Some(current) => {
            let before = Before::of(&current);
            // Custom values are kept by their fields' storage keys.
            let storage: HashMap<String, String> =
                row.custom.keys().filter_map(|k| set.by_key(k).map(|d| (k.clone(), d.storage_key.clone()))).collect();
            let after = records::update_with::<crate::contacts::Contacts>(
                conn,
                &caller,
                &mut uow,
                &current.id,
                Some(current.version),
                |now, facts| {
                    let custom = if row.custom.is_empty() {
                        None
                    } else {
                        let mut input = Map::new();
                        let kept: Map<String, Value> = serde_json::from_str(&now.custom).unwrap_or_default();
                        for (k, v) in &row.custom {
                            let policy = config.policy(&Target::Custom(k.clone()));
                            let ours = storage.get(k).and_then(|sk| kept.get(sk));
                            let empty = ours.is_none_or(|v| v.is_null() || v.as_str() == Some(""));
                            if policy == Policy::Overwrite || (policy == Policy::FillEmpty && empty) {
                                input.insert(k.clone(), v.clone());
                            }
                        }
                        Some(facts.custom(Entity::Contact, Some(&input), Some(&now.custom), Some(&now.id))?)
                    };
                    Ok(merge(&config, &before, row, company_id, custom))
                },
            )?;
            let version = after.0.version;
            let outcome = if version == current.version { "unchanged" } else { "updated" };
            let before = (outcome == "updated").then(|| serde_json::to_string(&before).unwrap_or_default());
            Done::Wrote { outcome, id: after.0.id.clone(), version, before, key: key.clone() }
        }
    };
    if let Done::Wrote { id, .. } = &written {
        if !notes.is_empty() {
            note(conn, &caller, &mut uow, id, &file_name, &notes)?;
        }
    }
    uow.commit(conn)?;
    // Only a row that wrote counts for the rows after it.
    if let Done::Wrote { id, .. } = &written {
        if let Some(k) = key {
            state.batch_keys.insert(k, line);
        }
        state.batch_keys.insert(format!("record:{id}"), line);
    }
    // A note changes no contact: the version written stays the one to undo from.
    Ok(written)
}

/// A contact's fields after an update by the run's policies: single values by their policy,
/// lists (emails, phones, tags) gaining the row's values unless kept.
fn merge(config: &Config, before: &Before, row: Incoming, company_id: Option<String>, custom: Option<Map<String, Value>>) -> ContactDraft {
    let mut d = before.draft();
    fn pick<T>(policy: Policy, ours: &mut Option<T>, theirs: Option<T>) {
        if let Some(v) = theirs {
            if policy == Policy::Overwrite || (policy == Policy::FillEmpty && ours.is_none()) {
                *ours = Some(v);
            }
        }
    }
    let p = |t: Target| config.policy(&t);
    if let Some(first) = row.first_name {
        if p(Target::FirstName) == Policy::Overwrite {
            d.first_name = first;
        }
    }
    pick(p(Target::LastName), &mut d.last_name, row.last_name);
    pick(p(Target::Title), &mut d.title, row.title);
    pick(p(Target::Company), &mut d.company_id, company_id);
    pick(p(Target::Source), &mut d.source, row.source);
    pick(p(Target::Owner), &mut d.owner_id, row.owner);
    if let Some(stage) = row.stage {
        if p(Target::LifecycleStage) == Policy::Overwrite {
            d.lifecycle_stage = stage;
        }
    }
    if let Some(consent) = row.consent {
        let ours_empty = d.consent == crm_domain::Consent::Unknown;
        if p(Target::Consent) == Policy::Overwrite || (p(Target::Consent) == Policy::FillEmpty && ours_empty) {
            d.consent = consent;
        }
    }
    if p(Target::Email) != Policy::Keep {
        for e in row.emails {
            if !d.emails.iter().any(|x| x.email == e.email) {
                d.emails.push(EmailPoint { primary: d.emails.is_empty(), ..e });
            }
        }
    }
    if !matches!(config.policies.get("phone").copied().unwrap_or(config.existing), Policy::Keep) {
        for ph in row.phones {
            if !d.phones.iter().any(|x| x.phone == ph.phone) {
                d.phones.push(PhonePoint { primary: d.phones.is_empty(), ..ph });
            }
        }
    }
    if p(Target::Tags) != Policy::Keep {
        for t in row.tags {
            if !d.tags.contains(&t) {
                d.tags.push(t);
            }
        }
    }
    d.custom = custom;
    d
}

/// The live contact a key finds (the first made, when several share it).
fn find_contact(conn: &mut DbConnection, ws: &str, kind: &str, value: &str) -> AppResult<Option<crm_store::contacts::ContactRow>> {
    let mut found: Option<crm_store::contacts::ContactRow> = None;
    for (entity, id) in crm_store::points::find(conn, ws, kind, value)? {
        if entity != crm_store::contacts::ENTITY {
            continue;
        }
        let (row, _) = crm_store::contacts::get(conn, ws, &id)?;
        if row.deleted_at.is_none() && found.as_ref().is_none_or(|f| row.created_at < f.created_at) {
            found = Some(row);
        }
    }
    Ok(found)
}

/// The company of a name: the live one of the workspace with that name, or a new one.
fn company(conn: &mut DbConnection, state: &mut State, name: &str) -> AppResult<String> {
    let key = name.trim().to_lowercase();
    if let Some(id) = state.companies.get(&key) {
        return Ok(id.clone());
    }
    let ws = state.caller.workspace().to_owned();
    let id = match crm_store::companies::live_by_domain_or_name(conn, &ws, None, Some(name.trim()))? {
        Some(id) => id,
        None => {
            let caller = state.caller.clone();
            let mut uow = UnitOfWork::new(&caller);
            let custom = Facts::new(conn, &caller).custom(Entity::Company, Some(&Map::new()), None, None)?;
            let draft = crm_domain::CompanyDraft {
                name: name.trim().to_owned(),
                domain: None,
                industry: None,
                city: None,
                country: None,
                emails: Vec::new(),
                phones: Vec::new(),
                annual_revenue: None,
                employee_count: None,
                owner_id: None,
                tags: Vec::new(),
                custom: Some(custom),
            };
            state.began_writing = true;
            let created = records::create_with::<crate::companies::Companies>(conn, &caller, &mut uow, draft)?;
            uow.commit(conn)?;
            state.row_companies.push(key.clone());
            state.batch_companies.push(key.clone());
            created.0.id.clone()
        }
    };
    state.companies.insert(key, id.clone());
    Ok(id)
}

/// The columns kept as notes go on the contact's timeline as one note.
fn note(conn: &mut DbConnection, caller: &Caller, uow: &mut UnitOfWork, contact_id: &str, file: &str, lines: &[String]) -> AppResult<()> {
    let draft = crm_domain::operations::ActivityDraft {
        kind: crm_domain::operations::ActivityKind::Note,
        direction: None,
        subject: format!("Imported from {file}").chars().take(200).collect(),
        body: Some(lines.join("\n")),
        occurred_at: uow.now(),
        duration_seconds: None,
        outcome: None,
        owner_id: None,
        company_id: None,
        deal_id: None,
        case_id: None,
        lead_id: None,
        contact_ids: vec![contact_id.to_owned()],
        user_ids: Vec::new(),
        custom: Some(Map::new()),
    };
    records::create_with::<crate::activities::Activities>(conn, caller, uow, draft)?;
    Ok(())
}
