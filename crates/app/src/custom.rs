//! Custom fields: admins define them per kind of record; every write of a record checks its
//! `custom` values against them, and every read shows the values its reader may see.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crm_domain::access::Entity;
use crm_domain::custom::Comparison;
use crm_domain::custom::{FieldDef, FieldSet, FieldSpec, FieldType};
use crm_domain::{FieldError, Region, Role, ValidationErrors};
use crm_store::cursor::{CmpOp, CustomSort, PageSpec, SortValue};
use crm_store::custom_fields::{self as repo, FieldRow};
use crm_store::{time, DbConnection, StoreError, StoreResult};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a process keeps a kind's fields for reads before reading them again. Writes read
/// them in their own transaction ([`field_set_now`]); a read may show a record by definitions
/// up to this old (a field just made sensitive, through another API node, is hidden within it).
const FRESH: Duration = Duration::from_secs(2);

type FieldCache = HashMap<(String, Entity), (Instant, Arc<FieldSet>)>;

/// The kinds' fields read recently, per workspace: every read and write of a record needs
/// them, and reading them each time costs more than the record itself.
fn cache() -> &'static Mutex<FieldCache> {
    static CACHE: OnceLock<Mutex<FieldCache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The fields of a kind of record in the workspace as they are in this transaction, for
/// writes: a write never checks its values against definitions another write has changed.
pub fn field_set_now(conn: &mut DbConnection, ws: &str, entity: Entity) -> StoreResult<Arc<FieldSet>> {
    Ok(Arc::new(repo::field_set(conn, ws, entity.as_str())?))
}

/// The fields of a kind of record in the workspace (read at most [`FRESH`] ago), for reads.
pub fn field_set(conn: &mut DbConnection, ws: &str, entity: Entity) -> StoreResult<Arc<FieldSet>> {
    let key = (ws.to_owned(), entity);
    if let Some((at, set)) = cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
        if at.elapsed() < FRESH {
            return Ok(set);
        }
    }
    let set = Arc::new(repo::field_set(conn, ws, entity.as_str())?);
    if let Ok(mut c) = cache().lock() {
        c.insert(key, (Instant::now(), set.clone()));
    }
    Ok(set)
}

/// Forgets the workspace's fields read so far (after a change to them is committed).
fn forget(ws: &str) {
    if let Ok(mut c) = cache().lock() {
        c.retain(|(w, _), _| w != ws);
    }
}

/// The stored `custom` object a write leaves: `input` checked against the kind's fields and laid
/// over `current` (none for a new record, which gets the defaults and must have every required
/// field). A sensitive field the role may not read it may not write either (403 naming it); a
/// user or record a value names must exist in the workspace, and a unique field's value must
/// be no other live record's.
pub fn accept(
    conn: &mut DbConnection,
    set: &FieldSet,
    caller: &Caller,
    input: Option<&Map<String, Value>>,
    current: Option<&str>,
    region: Region,
) -> AppResult<Map<String, Value>> {
    let current = current.map(stored).transpose()?;
    for key in input.into_iter().flat_map(Map::keys) {
        if set.by_key(key).is_some_and(|f| !f.readable_by(caller.role())) {
            return Err(StoreError::Forbidden {
                code: "field_forbidden",
                message: format!("the {} role may not write custom.{key}", caller.role()),
                field: Some(format!("custom.{key}")),
            }
            .into());
        }
    }
    let accepted = set.accept(input, current.as_ref(), region).map_err(StoreError::Invalid)?;
    let ws = caller.workspace();
    let mut errs = ValidationErrors::new();
    for r in &accepted.references {
        if !repo::reference_exists(conn, ws, &r.kind, &r.id)? {
            errs.push(FieldError::new(&r.field, "unknown_reference", format!("no such {} in this workspace", r.kind)));
        }
    }
    errs.finish(|| ()).map_err(StoreError::Invalid)?;
    Ok(accepted.values)
}

/// The custom values a record the system writes starts with (see `FieldSet::defaults`), or
/// `None` when no field of the kind has a default.
pub fn defaults(conn: &mut DbConnection, ws: &str, entity: Entity) -> AppResult<Option<Map<String, Value>>> {
    let set = field_set_now(conn, ws, entity)?;
    if set.fields().iter().all(|f| f.config.default.is_none()) {
        return Ok(None);
    }
    let region = crate::workspace::region(conn, ws)?;
    Ok(Some(set.defaults(region)))
}

/// A record's draft and its custom values, or every problem of both, named together (a form
/// with a wrong built-in field and a missing custom one hears of both at once).
pub fn together<D>(draft: Result<D, ValidationErrors>, custom: AppResult<Map<String, Value>>) -> AppResult<(D, Map<String, Value>)> {
    match (draft, custom) {
        (Ok(d), Ok(c)) => Ok((d, c)),
        (Err(mut a), Err(AppError::Store(StoreError::Invalid(b)))) => {
            a.0.extend(b.0);
            Err(StoreError::Invalid(a).into())
        }
        (Err(a), Ok(_)) => Err(StoreError::Invalid(a).into()),
        (_, Err(e)) => Err(e),
    }
}

/// After [`accept`], inside the write: a unique field's new value must be no other live
/// record's (`id`: the record written, none while it is created).
pub fn check_unique(
    conn: &mut DbConnection,
    set: &FieldSet,
    ws: &str,
    entity: Entity,
    values: &Map<String, Value>,
    current: Option<&str>,
    id: Option<&str>,
) -> AppResult<()> {
    let current = current.map(stored).transpose()?.unwrap_or_default();
    for f in set.fields().iter().filter(|f| f.unique) {
        let Some(v) = values.get(&f.storage_key) else { continue };
        if current.get(&f.storage_key) == Some(v) {
            continue;
        }
        if let Some(holder) = repo::holder_of(conn, ws, entity.as_str(), f, v, id)? {
            tracing::debug!(holder, "duplicate value of custom.{}", f.key);
            return Err(StoreError::Conflict {
                code: "duplicate_value",
                message: format!("another {} already has this {}", entity.as_str(), f.key),
                field: Some(f.path()),
            }
            .into());
        }
    }
    Ok(())
}

/// A record's stored `custom` object as a role sees it.
pub fn show(set: &FieldSet, stored_json: &str, role: Role) -> Map<String, Value> {
    match stored(stored_json) {
        Ok(values) => set.show(&values, role),
        Err(_) => {
            tracing::error!("a record's custom values are not a JSON object ({} bytes)", stored_json.len());
            Map::new()
        }
    }
}

fn stored(json: &str) -> StoreResult<Map<String, Value>> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt("custom values".into()))
}

/// The kinds of record search finds (`/api/v1/search`), by their custom values too.
pub const SEARCHED_KINDS: [Entity; 5] = [Entity::Contact, Entity::Company, Entity::Deal, Entity::Lead, Entity::Case];

/// Keeps the search words of a record's custom values (text, email, phone and URL fields that
/// are not sensitive) after a write: `before` is its stored object before (none for a new
/// record), `after` the one written.
pub fn index_words(conn: &mut DbConnection, ws: &str, entity: Entity, id: &str, before: Option<&str>, after: &str) -> AppResult<()> {
    if !SEARCHED_KINDS.contains(&entity) || before == Some(after) || (before.is_none() && after == "{}") {
        return Ok(());
    }
    repo::lock_search_index(conn, ws, entity.as_str(), false)?;
    let set = field_set_now(conn, ws, entity)?;
    if before.is_none() && !set.has_searched() {
        return Ok(());
    }
    let values = stored(after)?;
    index(conn, ws, entity.as_str(), id, &set, &values)
}

/// Keeps one record's custom values in search: their words, and their emails and phones as
/// points an email- or phone-shaped search finds exactly.
fn index(conn: &mut DbConnection, ws: &str, entity: &str, id: &str, set: &FieldSet, values: &Map<String, Value>) -> AppResult<()> {
    crm_store::terms::sync_custom(conn, ws, entity, id, &set.searched_texts(values))?;
    let (emails, phones) = set.searched_points(values);
    crm_store::points::sync_custom(conn, ws, entity, id, &emails, &phones)?;
    Ok(())
}

/// Indexes the custom values of every record of a kind for search again (after a field's type,
/// sensitivity or existence changed).
fn reindex_words(conn: &mut DbConnection, ws: &str, entity: &str) -> AppResult<usize> {
    if !SEARCHED_KINDS.iter().any(|k| k.as_str() == entity) {
        return Ok(0);
    }
    repo::lock_search_index(conn, ws, entity, true)?;
    crm_store::terms::clear_custom(conn, ws, entity)?;
    crm_store::points::clear_custom(conn, ws, entity)?;
    let set = repo::field_set(conn, ws, entity)?;
    // Every record holding a value search reads, each once.
    let mut holders: HashMap<String, String> = HashMap::new();
    for f in set.fields().iter().filter(|f| f.is_searched()) {
        for (id, json, _) in repo::holders(conn, ws, entity, &f.storage_key)? {
            holders.entry(id).or_insert(json);
        }
    }
    for (id, json) in &holders {
        index(conn, ws, entity, id, &set, &stored(json)?)?;
    }
    Ok(holders.len())
}

/// Indexes the custom values of every record of the database for search; returns how many
/// records have some. Run it in a transaction.
pub fn rebuild_words(conn: &mut DbConnection) -> AppResult<usize> {
    let mut n = 0;
    for (ws, entity) in repo::kinds_in_use(conn)? {
        n += reindex_words(conn, &ws, &entity)?;
    }
    Ok(n)
}

/// Names the custom values among a new record's audited fields: `custom.<key>` with its wire
/// value in place of the stored object.
pub fn name_fields(conn: &mut DbConnection, ws: &str, entity: Entity, fields: &mut Map<String, Value>) -> StoreResult<()> {
    let Some(Value::Object(values)) = fields.remove("custom") else { return Ok(()) };
    if values.is_empty() {
        return Ok(());
    }
    let set = field_set_now(conn, ws, entity)?;
    // A sensitive value stays out of the record's history: it is read on the record itself,
    // by its readers only.
    for f in set.fields().iter().filter(|f| !f.sensitive) {
        if let Some(value) = f.show(&values) {
            fields.insert(f.path(), value);
        }
    }
    Ok(())
}

/// An audit entry's changes (JSON) without those of sensitive fields the role may not read
/// (admins read all, also those of fields since deleted).
pub fn readable_changes(set: &FieldSet, role: Role, changes_json: &str) -> String {
    if role == Role::Admin {
        return changes_json.to_owned();
    }
    let Ok(mut changes) = serde_json::from_str::<Vec<Value>>(changes_json) else { return "[]".to_owned() };
    changes.retain(|c| {
        if !is_sensitive_change(c) {
            return true;
        }
        let key = c["field"].as_str().and_then(|f| f.strip_prefix("custom.")).unwrap_or_default();
        set.by_key(key).is_some_and(|f| f.readable_by(role))
    });
    Value::from(changes).to_string()
}

/// Whether a change is one of a sensitive field (see [`FieldSet::changes`]).
pub fn is_sensitive_change(change: &Value) -> bool {
    change.get("sensitive").is_some()
}

/// Names the custom values among a record's changes: one change per field (`custom.<key>`,
/// wire values) in place of the change of the stored object.
pub fn name_changes(conn: &mut DbConnection, ws: &str, entity: Entity, changes: &mut Vec<Value>) -> StoreResult<()> {
    let Some(at) = changes.iter().position(|c| c["field"] == "custom") else { return Ok(()) };
    let change = changes.remove(at);
    let object = |v: &Value| v.as_object().cloned().unwrap_or_default();
    let set = field_set_now(conn, ws, entity)?;
    let named = set.changes(&object(&change["before"]), &object(&change["after"]));
    changes.splice(at..at, named);
    Ok(())
}

/// Resolves the custom filters and sort a list was asked for against the kind's fields into the
/// SQL the list applies (`page.custom`): an unknown key, a type that does not filter or sort, or
/// a malformed value is a 400 naming the parameter; a sensitive field the caller may not read
/// may not be filtered or sorted on either (a filter would tell its values).
pub fn plan(conn: &mut DbConnection, caller: &Caller, entity: Entity, page: &mut PageSpec) -> AppResult<()> {
    let ask = std::mem::take(&mut page.custom_ask);
    if ask.filters.is_empty() && ask.sort.is_none() {
        return Ok(());
    }
    let set = field_set(conn, caller.workspace(), entity)?;
    let pg = repo::is_pg(conn);
    let bad = |name: String, code: &'static str, message: String| AppError::BadParameter { name, code, message };
    let field = |key: &str, name: &str| -> AppResult<FieldDef> {
        let def = set
            .by_key(key)
            .ok_or_else(|| bad(name.to_owned(), "unknown_field", format!("no custom field {key} on this kind of record")))?;
        if !def.readable_by(caller.role()) {
            return Err(StoreError::Forbidden {
                code: "field_forbidden",
                message: format!("the {} role may not read custom.{key}", caller.role()),
                field: Some(name.to_owned()),
            }
            .into());
        }
        Ok(def.clone())
    };
    let mut region = None;
    for (key, op, raw) in ask.filters {
        let name = match op {
            CmpOp::Eq => format!("custom.{key}"),
            _ => format!("custom.{key}[{}]", op_name(op)),
        };
        let def = field(&key, &name)?;
        let ranged =
            def.field_type.comparison().is_some() && !matches!(def.field_type, FieldType::Choice | FieldType::User | FieldType::Record);
        match def.field_type {
            FieldType::LongText => return Err(bad(name, "not_filterable", "a long text is not filtered".into())),
            _ if op != CmpOp::Eq && !ranged => {
                return Err(bad(name, "invalid_operator", format!("a {} field is filtered by equality only", def.field_type)))
            }
            _ => {}
        }
        let value = match def.field_type {
            FieldType::YesNo => match raw.as_str() {
                "true" => Value::from(true),
                "false" => Value::from(false),
                _ => return Err(bad(name, "invalid_boolean", "must be true or false".into())),
            },
            FieldType::Phone => {
                let r = match region {
                    Some(r) => r,
                    None => *region.insert(crate::workspace::region(conn, caller.workspace())?),
                };
                def.stored_bound(&raw, r).map_err(|e| bad(name.clone(), "invalid_value", e.message))?
            }
            _ => def.stored_bound(&raw, Region::IR).map_err(|e| bad(name.clone(), "invalid_value", e.message))?,
        };
        page.custom.conditions.push(repo::condition_sql(pg, &def, op, &value)?);
    }
    if let Some((key, desc)) = ask.sort {
        let name = format!("{}custom.{key}", if desc { "-" } else { "" });
        let def = field(&key, "sort")?;
        let comparison = def
            .field_type
            .comparison()
            .ok_or_else(|| bad("sort".into(), "not_sortable", format!("a {} field does not sort", def.field_type)))?;
        // A cursor of another type (tampered, or from a field since made again with another
        // type) would compare a number with a text.
        let fits = match page.after.as_ref().map(|c| &c.v) {
            None | Some(SortValue::Null) => true,
            Some(SortValue::Int(_)) => comparison == Comparison::Number,
            Some(SortValue::Text(_)) => comparison == Comparison::Text,
        };
        if !fits {
            return Err(bad("cursor".into(), "invalid_cursor", "is not a cursor this list returned with the same sort".into()));
        }
        page.custom.sort =
            Some(CustomSort { expr: repo::value_sql(pg, &def.storage_key, comparison)?, storage_key: def.storage_key, desc, name });
    }
    Ok(())
}

fn op_name(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "eq",
        CmpOp::Gt => "gt",
        CmpOp::Gte => "gte",
        CmpOp::Lt => "lt",
        CmpOp::Lte => "lte",
    }
}

/// Fails unless the caller is an admin: only they define fields.
fn require_admin(caller: &Caller) -> AppResult<()> {
    if caller.role() == Role::Admin {
        return Ok(());
    }
    Err(StoreError::Forbidden { code: "admin_only", message: "only an admin defines custom fields".into(), field: None }.into())
}

/// A live field of the workspace, if it is still at the version the caller saw (`None`: any).
fn at_version(conn: &mut DbConnection, ws: &str, id: &str, expected: Option<i64>) -> AppResult<FieldRow> {
    let row = repo::get(conn, ws, id)?;
    match expected.filter(|v| *v != row.version) {
        Some(v) => Err(StoreError::PreconditionFailed { expected: v, current: row.version }.into()),
        None => Ok(row),
    }
}

/// An admin's change to one field, in one write transaction: `work` gets the field as it is,
/// if it is still at the version the caller saw. The cached definitions are dropped after,
/// whatever the outcome.
async fn change_field<T: Send + 'static>(
    db: &Db,
    caller: &Caller,
    id: String,
    expected: Option<i64>,
    work: impl FnOnce(&mut DbConnection, &str, FieldRow) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    require_admin(caller)?;
    let ws = caller.workspace().to_owned();
    let out = db
        .write({
            let ws = ws.clone();
            move |conn| {
                let current = at_version(conn, &ws, &id, expected)?;
                work(conn, &ws, current)
            }
        })
        .await;
    forget(&ws);
    out
}

/// The workspace's live fields, of one kind or of all. Every member reads them (forms and
/// lists are built from them); a sensitive field is described to everyone, its values are not.
pub async fn list(db: &Db, caller: &Caller, entity: Option<Entity>) -> AppResult<Vec<FieldRow>> {
    let ws = caller.workspace().to_owned();
    db.read(move |conn| Ok::<_, AppError>(repo::list(conn, &ws, entity.map(Entity::as_str))?)).await
}

/// The keys of a kind's fields the caller may read, in their order: the custom columns of an
/// export.
pub async fn readable_keys(db: &Db, caller: &Caller, entity: Entity) -> AppResult<Vec<String>> {
    let caller = caller.clone();
    db.read(move |conn| {
        let set = field_set(conn, caller.workspace(), entity)?;
        Ok::<_, AppError>(set.fields().iter().filter(|f| f.readable_by(caller.role())).map(|f| f.key.clone()).collect())
    })
    .await
}

/// One live field.
pub async fn get(db: &Db, caller: &Caller, id: String) -> AppResult<FieldRow> {
    let ws = caller.workspace().to_owned();
    db.read(move |conn| Ok::<_, AppError>(repo::get(conn, &ws, &id)?)).await
}

/// Defines a field at the end of its kind's list; builds its index when it is indexed. A
/// unique field must be indexed.
pub async fn define(db: &Db, caller: &Caller, entity: Entity, spec: FieldSpec) -> AppResult<FieldRow> {
    require_admin(caller)?;
    let ws = caller.workspace().to_owned();
    let defined = db
        .write({
            let ws = ws.clone();
            move |conn| define_in(conn, &ws, entity, &spec, time::now_micros())
        })
        .await;
    forget(&ws);
    defined
}

/// [`define`] in the caller's transaction, for the workspace itself (its demo data).
pub fn define_in(conn: &mut DbConnection, ws: &str, entity: Entity, spec: &FieldSpec, now: i64) -> AppResult<FieldRow> {
    let (count, indexed) = repo::counts(conn, ws, entity.as_str())?;
    if count >= repo::MAX_PER_KIND {
        return Err(too_many("key", format!("a kind of record has at most {} custom fields", repo::MAX_PER_KIND)));
    }
    if (spec.indexed || spec.unique) && indexed >= repo::MAX_INDEXED_PER_KIND {
        return Err(too_many("indexed", format!("a kind of record has at most {} indexed fields", repo::MAX_INDEXED_PER_KIND)));
    }
    let mut row = repo::new_row(ws, entity.as_str(), &spec.key, spec.field_type, now);
    row.position = repo::next_position(conn, ws, entity.as_str())?;
    write_spec(&mut row, spec, false);
    repo::insert(conn, &row)?;
    sync_index(conn, &row, false)?;
    Ok(row)
}

fn too_many(field: &str, message: String) -> AppError {
    StoreError::Invalid(FieldError::new(field, "too_many_fields", message).into()).into()
}

fn write_spec(row: &mut FieldRow, spec: &FieldSpec, archived: bool) {
    row.key.clone_from(&spec.key);
    row.label_en.clone_from(&spec.label_en);
    row.label_fa.clone_from(&spec.label_fa);
    row.help_en.clone_from(&spec.help_en);
    row.help_fa.clone_from(&spec.help_fa);
    row.required = i32::from(spec.required);
    row.unique_values = i32::from(spec.unique);
    row.indexed = i32::from(spec.indexed || spec.unique);
    row.sensitive = i32::from(spec.sensitive);
    row.archived = i32::from(archived);
    row.index_state = if row.indexed != 0 { "ready" } else { "none" }.into();
    row.config = serde_json::to_string(&spec.config).unwrap_or_else(|_| "{}".into());
}

/// Builds or drops the field's index to match its `indexed` flag (`had`: whether it had one).
fn sync_index(conn: &mut DbConnection, row: &FieldRow, had: bool) -> AppResult<()> {
    let def = row.def()?;
    match (had, row.indexed != 0) {
        (false, true) => repo::build_index(conn, &row.entity_type, &def)?,
        (true, false) => repo::drop_index(conn, &def)?,
        _ => {}
    }
    Ok(())
}

/// Changes a field if it is still at `expected`: `apply` gives the new definition and whether
/// it is archived. A field made unique must hold no duplicate yet (409 naming the field).
pub async fn change<F>(db: &Db, caller: &Caller, id: String, expected: Option<i64>, apply: F) -> AppResult<FieldRow>
where
    F: FnOnce(&FieldRow) -> AppResult<(FieldSpec, bool, Option<i64>)> + Send + 'static,
{
    change_field(db, caller, id, expected, move |conn, ws, current| {
        let (spec, archived, position) = apply(&current)?;
        let mut row = current.clone();
        write_spec(&mut row, &spec, archived);
        if let Some(p) = position {
            row.position = p;
        }
        let made_unique = row.unique_values != 0 && current.unique_values == 0;
        if made_unique {
            // Writers of the field's values wait, so none slips a duplicate in after the check.
            repo::lock_field(conn, &row.storage_key)?;
        }
        if made_unique && repo::has_duplicates(conn, ws, &row.entity_type, &row.def()?)? {
            return Err(StoreError::Conflict {
                code: "duplicate_values",
                message: "records already share values of this field; make them differ first".into(),
                field: Some("unique".into()),
            }
            .into());
        }
        if row.indexed != 0 && current.indexed == 0 {
            let (_, indexed) = repo::counts(conn, ws, &row.entity_type)?;
            if indexed >= repo::MAX_INDEXED_PER_KIND {
                return Err(too_many("indexed", format!("a kind of record has at most {} indexed fields", repo::MAX_INDEXED_PER_KIND)));
            }
        }
        if row.sensitive != 0 && current.sensitive == 0 {
            crate::assignment::check_sensitive(conn, ws, &row.storage_key)?;
        }
        row.version = current.version + 1;
        row.updated_at = time::now_micros();
        repo::update(conn, &row, current.version)?;
        sync_index(conn, &row, current.indexed != 0)?;
        if row.def()?.is_searched() != current.def()?.is_searched() {
            reindex_words(conn, ws, &row.entity_type)?;
        }
        // Stage rules name a deal field by its key, and stop requiring one archived.
        let archived_now = row.archived != 0 && current.archived == 0;
        if row.entity_type == Entity::Deal.as_str() && (row.key != current.key || archived_now) {
            let key = (row.archived == 0).then_some(row.key.as_str());
            crm_store::pipelines::rename_required_custom(conn, ws, &row.storage_key, key)?;
        }
        Ok(row)
    })
    .await
}

/// Deletes a field: its values leave every record's `custom` object as the API shows it at
/// once (they stay in storage under a key no field will use again) and its index is dropped.
pub async fn delete(db: &Db, caller: &Caller, id: String, expected: Option<i64>) -> AppResult<()> {
    change_field(db, caller, id, expected, move |conn, ws, mut row| {
        let version = row.version;
        let had_index = row.indexed != 0;
        row.version += 1;
        row.deleted_at = Some(time::now_micros());
        row.indexed = 0;
        repo::update(conn, &row, version)?;
        sync_index(conn, &row, had_index)?;
        if row.def()?.is_searched() {
            reindex_words(conn, ws, &row.entity_type)?;
        }
        if row.entity_type == Entity::Deal.as_str() {
            crm_store::pipelines::rename_required_custom(conn, ws, &row.storage_key, None)?;
        }
        Ok::<_, AppError>(())
    })
    .await
}

/// What changing a field's type does to the records that hold a value of it.
#[derive(Debug)]
pub struct TypeChange {
    /// Records holding a value (in the trash too).
    pub records: usize,
    pub converted: usize,
    /// The first [`MAX_REPORTED`] values that cannot be converted: record id, value, why.
    pub failures: Vec<(String, Value, String)>,
    pub unconvertible: usize,
    /// Whether the change was made (never on a dry run).
    pub applied: bool,
    pub field: FieldRow,
}

/// Unconvertible values a type change reports one by one.
pub const MAX_REPORTED: usize = 100;

/// Changes a field's type (admins), converting every record's value where it can: `spec` is the
/// field with its new type and what that type needs (options, currency, target). A dry run
/// writes nothing and reports what would become of the values; otherwise, when some value
/// cannot be converted, nothing changes (409 `unconvertible_values`) unless `clear` says to
/// clear those values. Each converted record's version goes up (its values look different); a
/// record written meanwhile fails the change (409 `records_changed`), which changes nothing.
pub async fn change_type(
    db: &Db,
    caller: &Caller,
    id: String,
    expected: Option<i64>,
    spec: impl FnOnce(&FieldRow) -> AppResult<FieldSpec> + Send + 'static,
    dry_run: bool,
    clear: bool,
) -> AppResult<TypeChange> {
    change_field(db, caller, id, expected, move |conn, ws, current| {
        let spec = spec(&current)?;
        let old = current.def()?;
        let new = spec.def(&current.id, &current.storage_key);
        let region = crate::workspace::region(conn, ws)?;
        let holders = repo::holders(conn, ws, &current.entity_type, &current.storage_key)?;
        let mut converted = Vec::with_capacity(holders.len());
        let (mut failures, mut unconvertible) = (Vec::new(), 0);
        for (record, json, version) in &holders {
            let values = stored(json)?;
            match new.convert_from(&old, &values, region) {
                Ok(v) => converted.push((record, v, *version)),
                Err(e) => {
                    unconvertible += 1;
                    if failures.len() < MAX_REPORTED {
                        failures.push((record.clone(), old.show(&values).unwrap_or(Value::Null), e.message));
                    }
                    let mut cleared = values;
                    cleared.remove(&old.storage_key);
                    cleared.remove(&format!("{}_c", old.storage_key));
                    converted.push((record, cleared, *version));
                }
            }
        }
        let report = |field: FieldRow, applied: bool, failures, unconvertible| TypeChange {
            records: holders.len(),
            converted: holders.len() - unconvertible,
            failures,
            unconvertible,
            applied,
            field,
        };
        // Rules routing records by the field carry on with its values in the new type (a dry
        // run only checks they can).
        crate::assignment::retype_conditions(conn, ws, &old, &new, region, !dry_run)?;
        if dry_run {
            return Ok(report(current, false, failures, unconvertible));
        }
        if unconvertible > 0 && !clear {
            return Err(StoreError::Conflict {
                code: "unconvertible_values",
                message: format!(
                    "{unconvertible} values cannot become a {}; see them in a dry run, or send clear_unconvertible to clear them",
                    spec.field_type
                ),
                field: Some("type".into()),
            }
            .into());
        }
        if current.indexed != 0 {
            repo::drop_index(conn, &old)?;
        }
        for (record, values, version) in &converted {
            repo::set_values(conn, &current.entity_type, record, &Value::Object(values.clone()).to_string(), *version)?;
        }
        let mut row = current.clone();
        row.field_type = spec.field_type.as_str().to_owned();
        write_spec(&mut row, &spec, current.archived != 0);
        if row.unique_values != 0 {
            // Values that differed may be equal now ("7" and "07" as numbers).
            repo::lock_field(conn, &row.storage_key)?;
            if repo::has_duplicates(conn, ws, &row.entity_type, &new)? {
                return Err(StoreError::Conflict {
                    code: "duplicate_values",
                    message: "converted, records would share values of this unique field; make them differ first".into(),
                    field: Some("type".into()),
                }
                .into());
            }
        }
        row.version = current.version + 1;
        row.updated_at = time::now_micros();
        repo::update(conn, &row, current.version)?;
        sync_index(conn, &row, false)?;
        if old.is_searched() || new.is_searched() {
            reindex_words(conn, ws, &row.entity_type)?;
        }
        Ok(report(row, true, failures, unconvertible))
    })
    .await
}
