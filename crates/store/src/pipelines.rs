//! Pipelines and their ordered stages, defined by each workspace.

use crate::error::check_version;
use crate::schema::{deals, pipeline_stages, pipelines};
use crate::{new_id, time, DbConnection, StoreError, StoreResult};
use crm_domain::deals::{DealField, PipelineDraft, RequiredCustom, StageKind};
use crm_domain::FieldError;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pipelines, treat_none_as_default_value = false)]
pub struct PipelineRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub position: i64,
    pub is_default: i32,
    pub loss_reasons: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = pipeline_stages, treat_none_as_default_value = false)]
pub struct StageRow {
    pub id: String,
    pub workspace_id: String,
    pub pipeline_id: String,
    pub name: String,
    pub position: i64,
    pub probability: i64,
    pub kind: String,
    pub required_fields: String,
}

/// How a stage's rules name a custom field beside the built-in fields in `required_fields`:
/// `custom:<storage key>:<key>`. Deals hold values by storage key; the key names the field in
/// problems and on the wire, and is rewritten when the field's key changes
/// ([`rename_required_custom`]).
const CUSTOM: &str = "custom:";

impl StageRow {
    pub fn kind(&self) -> StageKind {
        StageKind::parse(&self.kind).unwrap_or(StageKind::Open)
    }

    pub fn required(&self) -> Vec<DealField> {
        serde_json::from_str::<Vec<String>>(&self.required_fields).unwrap_or_default().iter().filter_map(|f| DealField::parse(f)).collect()
    }

    /// The custom fields a deal must have a value in to enter the stage.
    pub fn required_custom(&self) -> Vec<RequiredCustom> {
        serde_json::from_str::<Vec<String>>(&self.required_fields)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f.strip_prefix(CUSTOM)?.split_once(':'))
            .map(|(sk, key)| RequiredCustom { storage_key: sk.to_owned(), key: key.to_owned() })
            .collect()
    }
}

impl PipelineRow {
    pub fn loss_reasons(&self) -> Vec<String> {
        serde_json::from_str(&self.loss_reasons).unwrap_or_default()
    }
}

/// A pipeline with its stages in order.
pub type PipelineWithStages = (PipelineRow, Vec<StageRow>);

pub fn list(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<PipelineWithStages>> {
    let ps: Vec<PipelineRow> = pipelines::table
        .filter(pipelines::workspace_id.eq(ws))
        .order((pipelines::position.asc(), pipelines::created_at.asc()))
        .select(PipelineRow::as_select())
        .load(conn)?;
    let stages: Vec<StageRow> = pipeline_stages::table
        .filter(pipeline_stages::workspace_id.eq(ws))
        .order((pipeline_stages::pipeline_id.asc(), pipeline_stages::position.asc()))
        .select(StageRow::as_select())
        .load(conn)?;
    Ok(ps
        .into_iter()
        .map(|p| {
            let s = stages.iter().filter(|s| s.pipeline_id == p.id).cloned().collect();
            (p, s)
        })
        .collect())
}

pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<PipelineWithStages> {
    // One query: every pipeline has stages (an open, a won and a lost one at least).
    let rows: Vec<(PipelineRow, StageRow)> = pipeline_stages::table
        .inner_join(pipelines::table.on(pipelines::id.eq(pipeline_stages::pipeline_id)))
        .filter(pipeline_stages::pipeline_id.eq(id))
        .order(pipeline_stages::position.asc())
        .select((PipelineRow::as_select(), StageRow::as_select()))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let (p, first) = rows.next().ok_or(StoreError::NotFound)?;
    if p.workspace_id != ws {
        return Err(StoreError::NotFound);
    }
    let mut stages = Vec::with_capacity(8);
    stages.push(first);
    stages.extend(rows.map(|(_, s)| s));
    Ok((p, stages))
}

/// Pipelines as last read for a deal's rules, by id. A pipeline's stages change only with its
/// version (see [`replace`]), so a caller that read the current version in its own query (with
/// the deal it changes) skips reading the stages again, on any node of a cluster.
static SEEN: std::sync::Mutex<Option<std::collections::HashMap<String, std::sync::Arc<PipelineWithStages>>>> = std::sync::Mutex::new(None);

/// Like [`get`], from memory when `version` (read in the caller's snapshot) is the version
/// last read.
pub fn get_at(conn: &mut DbConnection, ws: &str, id: &str, version: Option<i64>) -> StoreResult<std::sync::Arc<PipelineWithStages>> {
    let seen = || SEEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(v) = version {
        let hit = seen().as_ref().and_then(|m| m.get(id)).filter(|p| p.0.version == v && p.0.workspace_id == ws).cloned();
        if let Some(p) = hit {
            return Ok(p);
        }
    }
    let p = std::sync::Arc::new(get(conn, ws, id)?);
    let mut seen = seen();
    let map = seen.get_or_insert_with(Default::default);
    if map.len() >= 4096 {
        map.clear();
    }
    map.insert(id.to_owned(), p.clone());
    Ok(p)
}

/// The workspace's default pipeline.
pub fn default_id(conn: &mut DbConnection, ws: &str) -> StoreResult<Option<String>> {
    Ok(pipelines::table
        .filter(pipelines::workspace_id.eq(ws))
        .order((pipelines::is_default.desc(), pipelines::position.asc()))
        .select(pipelines::id)
        .first(conn)
        .optional()?)
}

/// One stage, wherever it is.
pub fn stage(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Option<StageRow>> {
    Ok(pipeline_stages::table
        .filter(pipeline_stages::id.eq(id))
        .select(StageRow::as_select())
        .first::<StageRow>(conn)
        .optional()?
        .filter(|s| s.workspace_id == ws))
}

fn stage_rows(ws: &str, pipeline_id: &str, d: &PipelineDraft) -> Vec<StageRow> {
    d.stages
        .iter()
        .enumerate()
        .map(|(i, s)| StageRow {
            id: s.id.clone().unwrap_or_else(new_id),
            workspace_id: ws.to_owned(),
            pipeline_id: pipeline_id.to_owned(),
            name: s.name.clone(),
            position: i as i64,
            probability: s.probability,
            kind: s.kind.as_str().to_owned(),
            required_fields: serde_json::to_string(
                &s.required_fields
                    .iter()
                    .map(|f| f.as_str().to_owned())
                    .chain(s.required_custom.iter().map(|r| format!("{CUSTOM}{}:{}", r.storage_key, r.key)))
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_else(|_| "[]".into()),
        })
        .collect()
}

/// Names a custom field anew in every stage rule that requires it (`key`: its new key), or
/// drops it from them (`None`: archived or deleted, so it holds no deal back). The pipelines
/// concerned get a new version, so copies kept in memory are read again.
pub fn rename_required_custom(conn: &mut DbConnection, ws: &str, storage_key: &str, key: Option<&str>) -> StoreResult<()> {
    let marker = format!("{CUSTOM}{storage_key}:");
    let stages: Vec<StageRow> = pipeline_stages::table
        .filter(pipeline_stages::workspace_id.eq(ws))
        .filter(pipeline_stages::required_fields.like(format!("%{marker}%")))
        .select(StageRow::as_select())
        .load(conn)?;
    let now = time::now_micros();
    let mut touched: Vec<String> = Vec::new();
    for s in stages {
        let rules: Vec<String> = serde_json::from_str::<Vec<String>>(&s.required_fields)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| match (r.starts_with(&marker), key) {
                (false, _) => Some(r),
                (true, Some(k)) => Some(format!("{marker}{k}")),
                (true, None) => None,
            })
            .collect();
        let json = serde_json::to_string(&rules).unwrap_or_else(|_| "[]".into());
        diesel::update(pipeline_stages::table.filter(pipeline_stages::id.eq(&s.id)))
            .set(pipeline_stages::required_fields.eq(json))
            .execute(conn)?;
        if !touched.contains(&s.pipeline_id) {
            touched.push(s.pipeline_id);
        }
    }
    for id in touched {
        diesel::update(pipelines::table.filter(pipelines::id.eq(&id)))
            .set((pipelines::version.eq(pipelines::version + 1), pipelines::updated_at.eq(now)))
            .execute(conn)?;
    }
    Ok(())
}

fn name_taken(e: diesel::result::Error) -> StoreError {
    let e = StoreError::from(e);
    if e.is_unique_violation() {
        StoreError::Conflict { code: "pipeline_exists", message: "another pipeline has this name".into(), field: Some("name".into()) }
    } else {
        e
    }
}

fn make_default(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<()> {
    diesel::update(pipelines::table.filter(pipelines::workspace_id.eq(ws)).filter(pipelines::id.ne(id)))
        .set(pipelines::is_default.eq(0))
        .execute(conn)?;
    diesel::update(pipelines::table.filter(pipelines::id.eq(id))).set(pipelines::is_default.eq(1)).execute(conn)?;
    Ok(())
}

pub fn create(conn: &mut DbConnection, ws: &str, d: &PipelineDraft) -> StoreResult<PipelineWithStages> {
    if d.stages.iter().any(|s| s.id.is_some()) {
        return Err(FieldError::new("stages", "unexpected_id", "new stages have no id").into());
    }
    let now = time::now_micros();
    let count: i64 = pipelines::table.filter(pipelines::workspace_id.eq(ws)).count().get_result(conn)?;
    let row = PipelineRow {
        id: new_id(),
        workspace_id: ws.to_owned(),
        name: d.name.clone(),
        position: count,
        is_default: i32::from(d.is_default || count == 0),
        loss_reasons: serde_json::to_string(&d.loss_reasons).unwrap_or_else(|_| "[]".into()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(pipelines::table).values(&row).execute(conn).map_err(name_taken)?;
    let stages = stage_rows(ws, &row.id, d);
    for s in &stages {
        diesel::insert_into(pipeline_stages::table).values(s).execute(conn)?;
    }
    if row.is_default == 1 {
        make_default(conn, ws, &row.id)?;
    }
    Ok((row, stages))
}

/// Replaces a pipeline's name, stages and loss reasons. Stages named by id are kept (renamed,
/// moved); a stage left out that still holds deals is refused.
pub fn replace(conn: &mut DbConnection, ws: &str, id: &str, expected: Option<i64>, d: &PipelineDraft) -> StoreResult<PipelineWithStages> {
    let (row, old) = get(conn, ws, id)?;
    check_version(row.version, expected)?;
    for (i, s) in d.stages.iter().enumerate() {
        if let Some(sid) = &s.id {
            if !old.iter().any(|o| &o.id == sid) {
                return Err(FieldError::new(format!("stages[{i}].id"), "unknown_stage", "no such stage in this pipeline").into());
            }
        }
    }
    for o in &old {
        if !d.stages.iter().any(|s| s.id.as_deref() == Some(o.id.as_str())) {
            let n: i64 = deals::table.filter(deals::workspace_id.eq(ws)).filter(deals::stage_id.eq(&o.id)).count().get_result(conn)?;
            if n > 0 {
                return Err(StoreError::Conflict {
                    code: "stage_in_use",
                    message: format!("stage \"{}\" still holds {n} deals; move them first", o.name),
                    field: Some("stages".into()),
                });
            }
            diesel::delete(pipeline_stages::table.filter(pipeline_stages::id.eq(&o.id))).execute(conn)?;
        }
    }
    let now = time::now_micros();
    for s in stage_rows(ws, id, d) {
        if old.iter().any(|o| o.id == s.id) {
            diesel::update(pipeline_stages::table.filter(pipeline_stages::id.eq(&s.id))).set(&s).execute(conn)?;
        } else {
            diesel::insert_into(pipeline_stages::table).values(&s).execute(conn)?;
        }
    }
    let n = diesel::update(pipelines::table.filter(pipelines::id.eq(id)).filter(pipelines::version.eq(row.version)))
        .set((
            pipelines::name.eq(&d.name),
            pipelines::loss_reasons.eq(serde_json::to_string(&d.loss_reasons).unwrap_or_else(|_| "[]".into())),
            pipelines::version.eq(row.version + 1),
            pipelines::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(name_taken)?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected: row.version, current: row.version + 1 });
    }
    if d.is_default {
        make_default(conn, ws, id)?;
    }
    get(conn, ws, id)
}
