//! `/api/v1/imports`: upload a CSV file of contacts, see its columns and what their headers
//! suggest, try a dry run, run it as a background job with progress, read what each row did
//! (the rejected ones as a CSV to fix and import again), cancel, undo.

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::export::{self, Format};
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use crm_api_types::{
    Import, ImportColumn, ImportLine, ImportLines, ImportList, ImportProblem, ImportProgress, ImportRun, ImportUndone, Problem,
};
use crm_app::imports::{self as use_case, RunInput};
use crm_store::time::{now_micros, to_datetime};
use futures_util::StreamExt;
use serde_json::Value;

fn import_out(i: use_case::Import) -> Import {
    let r = i.row;
    let rate = r.started_at.filter(|_| r.rows_done > 0).map(|started| {
        let until = r.finished_at.unwrap_or_else(now_micros);
        r.rows_done as f64 / ((until - started).max(1) as f64 / 1e6)
    });
    let total = r.rows_total.or(r.rows_estimate.map(|e| e.max(r.rows_done)));
    let running = matches!(r.status.as_str(), "queued" | "running" | "cancelling");
    let left = match (rate, total) {
        (Some(rate), Some(total)) if running && rate > 0.0 => Some((total - r.rows_done).max(0) as f64 / rate),
        _ => None,
    };
    Import {
        progress: ImportProgress {
            rows_done: r.rows_done,
            rows_total: total,
            total_exact: r.rows_total.is_some(),
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            skipped: r.skipped,
            rejected: r.rejected,
            rows_per_second: rate,
            seconds_left: left,
        },
        columns: i.columns.into_iter().map(|c| ImportColumn { name: c.name, samples: c.samples, suggested: c.suggested }).collect(),
        config: i.config,
        id: r.id,
        entity: r.entity,
        file_name: r.file_name,
        size_bytes: r.size_bytes,
        encoding: r.encoding,
        delimiter: r.delimiter,
        status: r.status,
        dry_run: r.dry_run != 0,
        error: r.error,
        created_by: r.created_by,
        created_at: to_datetime(r.created_at),
        started_at: r.started_at.map(to_datetime),
        finished_at: r.finished_at.map(to_datetime),
    }
}

/// Upload a file to import: the request body is the file (CSV: any delimiter, quoted fields,
/// UTF-8 with or without a byte-order mark, UTF-16 or Windows-1256, up to 1 GiB), streamed to
/// the database in chunks. The answer says what the file was read as and what each column's
/// header suggests; nothing is imported until a run.
#[utoipa::path(
    tag = "imports",
    operation_id = "upload_import",
    params(
        ("entity" = Option<String>, Query, description = "The kind of record the file holds: `contact` (the default)"),
        ("file_name" = Option<String>, Query, description = "The file's name, shown in the list of imports"),
    ),
    request_body(content = String, content_type = "text/csv", description = "The file, as it is"),
    responses(
        (status = 201, description = "Uploaded and read: encoding, delimiter, columns with samples and suggestions", body = Import),
        (status = 400, description = "The upload was cut off", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key (imports belong to people; integrations have the bulk endpoints) or a role that may not create contacts", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 1 GiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty file, a header with no rows, or more than 1,000 columns", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/imports")]
pub async fn upload_import(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    mut body: web::Payload,
) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let entity = q.take("entity").unwrap_or_else(|| "contact".into());
    let file_name = q.take("file_name").unwrap_or_else(|| "import.csv".into());
    q.finish()?;
    who.person("imports")?;
    let caller = who.caller();
    let db = state.app_db();
    let id = use_case::begin(db, &caller, &entity, file_name).await?;
    let mut buf: Vec<u8> = Vec::with_capacity(use_case::CHUNK);
    let (mut seq, mut size) = (0i32, 0i64);
    while let Some(item) = body.next().await {
        let failed = match item {
            Err(e) => Some(ApiError::field(StatusCode::BAD_REQUEST, "upload_cut", "file", format!("the upload was cut off: {e}"))),
            Ok(bytes) => {
                size += bytes.len() as i64;
                buf.extend_from_slice(&bytes);
                (size > use_case::MAX_BYTES)
                    .then(|| ApiError::field(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large", "file", "an import takes files up to 1 GiB"))
            }
        };
        if let Some(e) = failed {
            use_case::abandon(db, &caller, id).await?;
            return Err(e);
        }
        while buf.len() >= use_case::CHUNK {
            let rest = buf.split_off(use_case::CHUNK);
            if let Err(e) = use_case::append(db, id.clone(), seq, std::mem::replace(&mut buf, rest)).await {
                use_case::abandon(db, &caller, id).await?;
                return Err(e.into());
            }
            seq += 1;
        }
    }
    if !buf.is_empty() {
        if let Err(e) = use_case::append(db, id.clone(), seq, buf).await {
            use_case::abandon(db, &caller, id).await?;
            return Err(e.into());
        }
    }
    let import = use_case::complete(db, &caller, id, size).await?;
    let location = format!("/api/v1/imports/{}", import.row.id);
    Ok(HttpResponse::Created().insert_header(("Location", location)).json(import_out(import)))
}

/// Your imports (an admin sees the workspace's), newest first.
#[utoipa::path(
    tag = "imports",
    operation_id = "list_imports",
    responses(
        (status = 200, description = "Imports", body = ImportList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/imports")]
pub async fn list_imports(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    who.person("imports")?;
    let items = use_case::list(state.app_db(), &who.caller()).await?;
    Ok(HttpResponse::Ok().json(ImportList { items: items.into_iter().map(import_out).collect() }))
}

/// An import: its file, columns, last run and that run's progress (poll it while it runs:
/// rows done, rate, time left).
#[utoipa::path(
    tag = "imports",
    operation_id = "get_import",
    params(("id" = String, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import", body = Import),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/imports/{id}")]
pub async fn get_import(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.person("imports")?;
    let import = use_case::get(state.app_db(), &who.caller(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(import_out(import)))
}

async fn start(state: &AppState, who: &Principal, id: String, run: ImportRun, dry_run: bool) -> ApiResult<HttpResponse> {
    who.person("imports")?;
    let config = run.config();
    let input = RunInput { dry_run, encoding: run.encoding, delimiter: run.delimiter, config };
    let import = use_case::start(state.app_db(), &who.caller(), id, input).await?;
    let db = state.app_db().clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = use_case::work(&db).await {
            tracing::warn!("imports: {e}");
        }
    });
    Ok(HttpResponse::Accepted().json(import_out(import)))
}

/// Try the file: every row is written as the real run would write it (the same checks, the
/// importer's access) and rolled back; what each row would do is kept (`GET …/rows`). Runs in
/// the background: poll the import for its progress.
#[utoipa::path(
    tag = "imports",
    operation_id = "dry_run_import",
    params(("id" = String, Path, description = "The import's id")),
    request_body(content = ImportRun, example = json!({"columns": ["first_name", "last_name", "email", "phone.mobile", "company", "note"],
        "key": "email", "existing": "fill_empty", "policies": {"lifecycle_stage": "overwrite"},
        "values": {"lifecycle_stage": {"Gold": "customer"}}, "tags": ["import-2026-12"]})),
    responses(
        (status = 202, description = "Queued; it starts at once", body = Import),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The import is running, or already ran (undo it first)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A column mapped to an unknown field, two columns to one field, no name column, the key's column missing, an unknown encoding or delimiter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/imports/{id}/dry-run")]
pub async fn dry_run_import(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<ImportRun>,
) -> ApiResult<HttpResponse> {
    start(&state, &who, id.into_inner(), body.value, true).await
}

/// Import the file: a background job that writes the rows in batches (each batch in one
/// transaction with its progress, so a restart resumes after the last batch), creating
/// contacts, updating those the key finds by the policies, skipping repeats of a key within
/// the file and rejecting rows with problems. Poll the import for its progress.
#[utoipa::path(
    tag = "imports",
    operation_id = "run_import",
    params(("id" = String, Path, description = "The import's id")),
    request_body(content = ImportRun),
    responses(
        (status = 202, description = "Queued; it starts at once", body = Import),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The import is running, or already ran (undo it first)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The choices do not fit the file", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/imports/{id}/run")]
pub async fn run_import(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<ImportRun>,
) -> ApiResult<HttpResponse> {
    start(&state, &who, id.into_inner(), body.value, false).await
}

/// Stop a queued or running import after its current batch. A real run keeps what it wrote
/// (its counts say what); undo removes it.
#[utoipa::path(
    tag = "imports",
    operation_id = "cancel_import",
    params(("id" = String, Path, description = "The import's id")),
    responses(
        (status = 200, description = "Cancelled, or stopping after its batch", body = Import),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not running", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/imports/{id}/cancel")]
pub async fn cancel_import(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.person("imports")?;
    let import = use_case::cancel(state.app_db(), &who.caller(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(import_out(import)))
}

/// Undo an import that ran: the contacts it created go to the trash, those it updated get back
/// the values it overwrote. Contacts someone changed since are listed as conflicts and left
/// alone, unless `force=true`.
#[utoipa::path(
    tag = "imports",
    operation_id = "undo_import",
    params(
        ("id" = String, Path, description = "The import's id"),
        ("force" = Option<bool>, Query, description = "Undo contacts changed since the import too"),
    ),
    responses(
        (status = 200, description = "Undone", body = ImportUndone),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a real run that ended", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/imports/{id}/undo")]
pub async fn undo_import(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.person("imports")?;
    let mut q = QueryParams::from_request(&req);
    let force = q.take_bool("force")?;
    q.finish()?;
    let done = use_case::undo(state.app_db(), &who.caller(), id.into_inner(), force).await?;
    Ok(HttpResponse::Ok().json(ImportUndone {
        removed: done.removed,
        restored: done.restored,
        conflicts: done.conflicts,
        conflicts_total: done.conflicts_total,
    }))
}

const OUTCOMES: &[&str] = &["created", "updated", "unchanged", "skipped", "rejected", "undone", "conflict"];

fn line_out(l: crm_store::imports::LineRow) -> ImportLine {
    let problems: Vec<Value> = l.problems.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
    ImportLine {
        line: l.line,
        outcome: l.outcome,
        record_id: l.record_id,
        problems: problems
            .iter()
            .map(|p| ImportProblem {
                field: p["field"].as_str().unwrap_or_default().to_owned(),
                code: p["code"].as_str().unwrap_or_default().to_owned(),
                message: p["message"].as_str().unwrap_or_default().to_owned(),
            })
            .collect(),
        cells: l.cells.as_deref().and_then(|c| serde_json::from_str(c).ok()),
    }
}

/// What each row of the last run did, in line order: `outcome=rejected,skipped` for the
/// problems. `after` is the last line of the previous page.
#[utoipa::path(
    tag = "imports",
    operation_id = "import_rows",
    params(
        ("id" = String, Path, description = "The import's id"),
        ("outcome" = Option<String>, Query, description = "Comma-separated: created, updated, unchanged, skipped, rejected, undone, conflict"),
        ("after" = Option<i64>, Query, description = "Rows after this line"),
        ("limit" = Option<i64>, Query, description = "At most this many rows (1–1000, default 100)"),
    ),
    responses(
        (status = 200, description = "Rows", body = ImportLines),
        (status = 400, description = "An unknown outcome or a bad number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/imports/{id}/rows")]
pub async fn import_rows(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.person("imports")?;
    let mut q = QueryParams::from_request(&req);
    let outcomes = q.take_list("outcome", |o| OUTCOMES.contains(&o), &OUTCOMES.join(", "))?;
    let number = |v: Option<String>, name: &str| -> ApiResult<Option<i64>> {
        v.map(|s| s.parse::<i64>().map_err(|_| bad(name, "invalid_number", "must be a whole number"))).transpose()
    };
    let after = number(q.take("after"), "after")?.unwrap_or(0);
    let limit = number(q.take("limit"), "limit")?.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(bad("limit", "out_of_range", "must be 1 to 1000"));
    }
    q.finish()?;
    let rows = use_case::lines(state.app_db(), &who.caller(), id.into_inner(), outcomes, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<ImportLine> = rows.into_iter().take(limit as usize).map(line_out).collect();
    let next_after = if more { items.last().map(|l| l.line) } else { None };
    Ok(HttpResponse::Ok().json(ImportLines { items, next_after }))
}

/// The rows the last run rejected, as a CSV with the file's columns and two more (`Import
/// line`, `Import problem`): fix them and upload the file again. Cells that start like a
/// formula are neutralised.
#[utoipa::path(
    tag = "imports",
    operation_id = "import_rejected_csv",
    params(("id" = String, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The rejected rows", content_type = "text/csv"),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/imports/{id}/rejected.csv")]
pub async fn import_rejected(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.person("imports")?;
    let (db, caller, id) = (state.app_db().clone(), who.caller(), id.into_inner());
    let header = use_case::header(&db, &caller, id.clone()).await?;
    // Repeated headers get a number, so each column keeps its own cells.
    let mut columns: Vec<String> = Vec::with_capacity(header.len() + 2);
    for h in header {
        let mut name = h.clone();
        let mut n = 1;
        while columns.contains(&name) {
            n += 1;
            name = format!("{h} ({n})");
        }
        columns.push(name);
    }
    columns.push("Import line".into());
    columns.push("Import problem".into());
    let keys = columns.clone();
    export::respond(Format::Csv, "rejected", columns, move |sink| async move {
        let mut sink = sink;
        let mut after = 0;
        loop {
            let rows = use_case::lines(&db, &caller, id.clone(), vec!["rejected".into()], after, 500).await?;
            let last = rows.len() < 500;
            after = rows.last().map_or(after, |l| l.line);
            let records: Vec<Value> = rows
                .into_iter()
                .map(|l| {
                    let line = line_out(l);
                    let mut o = serde_json::Map::new();
                    for (k, c) in keys.iter().zip(line.cells.unwrap_or_default()) {
                        o.insert(k.clone(), Value::String(c));
                    }
                    o.insert("Import line".into(), Value::from(line.line));
                    let why: Vec<String> = line
                        .problems
                        .iter()
                        .map(|p| if p.field.is_empty() { p.message.clone() } else { format!("{}: {}", p.field, p.message) })
                        .collect();
                    o.insert("Import problem".into(), Value::String(why.join("; ")));
                    Value::Object(o)
                })
                .collect();
            // The sink waits for the reader: off the worker.
            let (back, sent) = tokio::task::spawn_blocking(move || {
                let sent = sink(records, last);
                (sink, sent)
            })
            .await
            .map_err(|e| crm_app::AppError::from(crm_store::StoreError::Aborted(e.to_string())))?;
            sink = back;
            let keep_going = sent?;
            if last || !keep_going {
                return Ok(());
            }
        }
    })
    .await
}
