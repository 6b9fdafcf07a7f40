//! Custom field definitions, the expression indexes that keep filtering and sorting on a field
//! fast, and the SQL that reads a field's value out of a record's `custom` JSON object.
//!
//! A value is read by an expression with its storage key written into the SQL as a literal
//! (SQLite matches an index expression only against the same literal text; a bound parameter
//! never matches under QPSG), so storage keys are made here and checked before they enter SQL.

use crate::cursor::{CmpOp, CustomCondition, SortValue};
use crate::schema::custom_fields;
use crate::{new_id, DbConnection, StoreError, StoreResult};
use crm_domain::custom::{Comparison, FieldConfig, FieldDef, FieldSet, FieldType};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

/// Fields one kind of record may have in a workspace.
pub const MAX_PER_KIND: i64 = 200;
/// Indexed fields one kind of record may have in a workspace: each costs every write to the
/// kind's table about one index entry.
pub const MAX_INDEXED_PER_KIND: i64 = 20;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = custom_fields, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct FieldRow {
    pub id: String,
    pub workspace_id: String,
    /// The kind of record: `contact`, `company`, `deal`, `lead`, `case`.
    pub entity_type: String,
    pub key: String,
    pub storage_key: String,
    pub field_type: String,
    pub label_en: String,
    pub label_fa: Option<String>,
    pub help_en: Option<String>,
    pub help_fa: Option<String>,
    pub position: i64,
    pub required: i32,
    pub unique_values: i32,
    pub indexed: i32,
    pub sensitive: i32,
    /// JSON: [`FieldConfig`].
    pub config: String,
    /// `ready` while the field has its index, `none` otherwise.
    pub index_state: String,
    pub archived: i32,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

impl FieldRow {
    /// The definition as validation needs it.
    pub fn def(&self) -> StoreResult<FieldDef> {
        let corrupt = || StoreError::Corrupt(format!("custom field {}", self.id));
        Ok(FieldDef {
            id: self.id.clone(),
            key: self.key.clone(),
            storage_key: self.storage_key.clone(),
            field_type: FieldType::parse(&self.field_type).ok_or_else(corrupt)?,
            required: self.required != 0,
            unique: self.unique_values != 0,
            sensitive: self.sensitive != 0,
            archived: self.archived != 0,
            config: self.config()?,
        })
    }

    /// What the field's values must satisfy beside their type.
    pub fn config(&self) -> StoreResult<FieldConfig> {
        serde_json::from_str(&self.config).map_err(|_| StoreError::Corrupt(format!("custom field {}", self.id)))
    }
}

/// The live fields of a workspace, of one kind or of all, by kind and position.
pub fn list(conn: &mut DbConnection, ws: &str, entity: Option<&str>) -> StoreResult<Vec<FieldRow>> {
    let mut q = custom_fields::table.filter(custom_fields::workspace_id.eq(ws)).filter(custom_fields::deleted_at.is_null()).into_boxed();
    if let Some(e) = entity {
        q = q.filter(custom_fields::entity_type.eq(e));
    }
    Ok(q.order((custom_fields::entity_type.asc(), custom_fields::position.asc(), custom_fields::id.asc()))
        .select(FieldRow::as_select())
        .load(conn)?)
}

/// The workspaces and kinds that have live fields, across the database.
pub fn kinds_in_use(conn: &mut DbConnection) -> StoreResult<Vec<(String, String)>> {
    Ok(custom_fields::table
        .filter(custom_fields::deleted_at.is_null())
        .select((custom_fields::workspace_id, custom_fields::entity_type))
        .distinct()
        .load(conn)?)
}

/// The fields of one kind, as validation and display need them.
pub fn field_set(conn: &mut DbConnection, ws: &str, entity: &str) -> StoreResult<FieldSet> {
    Ok(FieldSet::new(list(conn, ws, Some(entity))?.iter().map(FieldRow::def).collect::<StoreResult<_>>()?))
}

/// One live field of the workspace.
pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<FieldRow> {
    custom_fields::table
        .filter(custom_fields::workspace_id.eq(ws))
        .filter(custom_fields::id.eq(id))
        .filter(custom_fields::deleted_at.is_null())
        .select(FieldRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// How many live fields (and how many indexed ones) a kind has.
pub fn counts(conn: &mut DbConnection, ws: &str, entity: &str) -> StoreResult<(i64, i64)> {
    let rows: Vec<i32> = custom_fields::table
        .filter(custom_fields::workspace_id.eq(ws))
        .filter(custom_fields::entity_type.eq(entity))
        .filter(custom_fields::deleted_at.is_null())
        .select(custom_fields::indexed)
        .load(conn)?;
    Ok((rows.len() as i64, rows.iter().filter(|i| **i != 0).count() as i64))
}

/// A new storage key: `f` and 12 base32 characters from a fresh id, never made twice.
pub fn new_storage_key() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let id = uuid::Uuid::now_v7();
    let bytes = id.as_bytes();
    // The random tail of a v7 id (the leading time bytes would make keys of one moment alike).
    let mut bits: u128 = u128::from_be_bytes(*bytes);
    let mut key = String::with_capacity(13);
    key.push('f');
    for _ in 0..12 {
        key.push(ALPHABET[(bits & 31) as usize] as char);
        bits >>= 5;
    }
    key
}

/// Whether a storage key is one [`new_storage_key`] makes, so it may be written into SQL.
fn is_storage_key(key: &str) -> bool {
    key.len() == 13 && key.starts_with('f') && key[1..].bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

/// The table a kind of record is stored in.
fn table_of(entity: &str) -> StoreResult<&'static str> {
    Ok(match entity {
        "contact" => "contacts",
        "company" => "companies",
        "deal" => "deals",
        "lead" => "leads",
        "case" => "cases",
        "order" => "orders",
        "activity" => "activities",
        "task" => "tasks",
        "product" => "products",
        other => return Err(StoreError::Corrupt(format!("custom fields on {other}"))),
    })
}

/// The SQL that reads a field's value from its record's `custom` object, with the index's
/// exact text: an integer for numbers, amounts, dates and times, text compared byte by byte
/// otherwise.
pub fn value_sql(pg: bool, storage_key: &str, comparison: Comparison) -> StoreResult<String> {
    if !is_storage_key(storage_key) {
        return Err(StoreError::Corrupt(format!("storage key {storage_key}")));
    }
    Ok(match (pg, comparison) {
        (false, _) => format!("json_extract(custom, '$.{storage_key}')"),
        (true, Comparison::Number) => format!("crm_cf_num(custom, '{storage_key}')"),
        (true, Comparison::Text) => format!("((custom::jsonb ->> '{storage_key}') COLLATE \"C\")"),
    })
}

/// The condition of a filter on a field: `value` compared by `op` (stored encoding), or for a
/// yes/no field its flag, for several choices one option held.
pub fn condition_sql(pg: bool, def: &FieldDef, op: CmpOp, value: &serde_json::Value) -> StoreResult<CustomCondition> {
    let sk = &def.storage_key;
    if !is_storage_key(sk) {
        return Err(StoreError::Corrupt(format!("storage key {sk}")));
    }
    let whole = |sql: String| CustomCondition { sql, value: SortValue::Null, close: "" };
    Ok(match def.field_type {
        FieldType::YesNo => {
            let yes = value.as_bool().unwrap_or(false);
            whole(if pg {
                format!("((custom::jsonb -> '{sk}') = '{yes}'::jsonb)")
            } else {
                format!("(json_extract(custom, '$.{sk}') = {})", i32::from(yes))
            })
        }
        FieldType::Choices => CustomCondition {
            sql: if pg {
                format!("(jsonb_exists(custom::jsonb -> '{sk}', ")
            } else {
                format!("(EXISTS (SELECT 1 FROM json_each(custom, '$.{sk}') WHERE value = ")
            },
            value: SortValue::Text(value.as_str().unwrap_or_default().to_owned()),
            close: "))",
        },
        other => {
            let comparison = other.comparison().ok_or_else(|| StoreError::Corrupt(format!("filter on a {other} field")))?;
            let expr = value_sql(pg, sk, comparison)?;
            let value = match value {
                serde_json::Value::Number(n) if n.is_i64() => SortValue::Int(n.as_i64().unwrap_or_default()),
                serde_json::Value::String(s) => SortValue::Text(s.clone()),
                other => return Err(StoreError::Corrupt(format!("a filter value {other} of custom.{}", def.key))),
            };
            CustomCondition { sql: format!("({expr} {} ", op.sql()), value, close: ")" }
        }
    })
}

/// The condition that a record holds a value of the field (not empty, not null).
pub fn present_sql(pg: bool, storage_key: &str) -> StoreResult<String> {
    if !is_storage_key(storage_key) {
        return Err(StoreError::Corrupt(format!("storage key {storage_key}")));
    }
    Ok(if pg {
        format!("(COALESCE(jsonb_typeof(custom::jsonb -> '{storage_key}'), 'null') <> 'null')")
    } else {
        format!("(json_extract(custom, '$.{storage_key}') IS NOT NULL)")
    })
}

pub use crate::db::is_pg;

/// Builds the index that filters and sorts a field's kind by it, in the running transaction
/// (writes to the kind's table wait for it: about two seconds per million records).
pub fn build_index(conn: &mut DbConnection, entity: &str, def: &FieldDef) -> StoreResult<()> {
    let Some(comparison) = def.field_type.comparison() else { return Ok(()) };
    let table = table_of(entity)?;
    let pg = is_pg(conn);
    let expr = value_sql(pg, &def.storage_key, comparison)?;
    let name = format!("cf_{}", def.storage_key);
    diesel::sql_query(format!("CREATE INDEX IF NOT EXISTS {name} ON {table} (workspace_id, {expr}, id)")).execute(conn)?;
    if !pg {
        diesel::sql_query(format!("ANALYZE {name}")).execute(conn)?;
    }
    Ok(())
}

/// Drops a field's index, if it has one.
pub fn drop_index(conn: &mut DbConnection, def: &FieldDef) -> StoreResult<()> {
    if !is_storage_key(&def.storage_key) {
        return Err(StoreError::Corrupt(format!("storage key {}", def.storage_key)));
    }
    diesel::sql_query(format!("DROP INDEX IF EXISTS cf_{}", def.storage_key)).execute(conn)?;
    Ok(())
}

/// Writes a new field.
pub fn insert(conn: &mut DbConnection, row: &FieldRow) -> StoreResult<()> {
    diesel::insert_into(custom_fields::table).values(row).execute(conn).map_err(|e| key_taken(e, &row.key))?;
    Ok(())
}

/// Writes a changed field if it is still at `expected` (412 otherwise).
pub fn update(conn: &mut DbConnection, row: &FieldRow, expected: i64) -> StoreResult<()> {
    let n = diesel::update(custom_fields::table.filter(custom_fields::id.eq(&row.id)).filter(custom_fields::version.eq(expected)))
        .set(row)
        .execute(conn)
        .map_err(|e| key_taken(e, &row.key))?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected, current: row.version });
    }
    Ok(())
}

fn key_taken(e: diesel::result::Error, key: &str) -> StoreError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => StoreError::Conflict {
            code: "duplicate_key",
            message: format!("this kind of record already has a field with the key \"{key}\""),
            field: Some("key".into()),
        },
        other => other.into(),
    }
}

/// The next position at the end of a kind's fields.
pub fn next_position(conn: &mut DbConnection, ws: &str, entity: &str) -> StoreResult<i64> {
    let max: Option<i64> = custom_fields::table
        .filter(custom_fields::workspace_id.eq(ws))
        .filter(custom_fields::entity_type.eq(entity))
        .select(diesel::dsl::max(custom_fields::position))
        .first(conn)?;
    Ok(max.map_or(0, |m| m + 1))
}

/// A new field row of `entity` in the workspace, created at `now`.
pub fn new_row(ws: &str, entity: &str, key: &str, field_type: FieldType, now: i64) -> FieldRow {
    FieldRow {
        id: new_id(),
        workspace_id: ws.to_owned(),
        entity_type: entity.to_owned(),
        key: key.to_owned(),
        storage_key: new_storage_key(),
        field_type: field_type.as_str().to_owned(),
        label_en: String::new(),
        label_fa: None,
        help_en: None,
        help_fa: None,
        position: 0,
        required: 0,
        unique_values: 0,
        indexed: 0,
        sensitive: 0,
        config: "{}".into(),
        index_state: "none".into(),
        archived: 0,
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Holds a lock on a field's values until the transaction ends (PostgreSQL; SQLite has one
/// writer), so a unique value is checked and written by one writer at a time.
pub fn lock_field(conn: &mut DbConnection, storage_key: &str) -> StoreResult<()> {
    if is_pg(conn) {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1)::bigint)").bind::<Text, _>(storage_key).execute(conn)?;
    }
    Ok(())
}

/// Holds a lock on the search index of a kind's custom values until the transaction ends
/// (PostgreSQL; SQLite has one writer): shared by record writes that index their values,
/// exclusive for indexing every record of the kind again after a field changed, which so
/// neither misses a write committed meanwhile nor has its work undone by one.
pub fn lock_search_index(conn: &mut DbConnection, ws: &str, entity: &str, exclusive: bool) -> StoreResult<()> {
    if is_pg(conn) {
        let sql = if exclusive {
            "SELECT pg_advisory_xact_lock(hashtext($1)::bigint)"
        } else {
            "SELECT pg_advisory_xact_lock_shared(hashtext($1)::bigint)"
        };
        diesel::sql_query(sql).bind::<Text, _>(format!("search:{ws}:{entity}")).execute(conn)?;
    }
    Ok(())
}

/// A live record of the kind, other than `except`, that holds this stored value of a field (a
/// unique field's duplicate), found on the field's index. Takes [`lock_field`] first.
pub fn holder_of(
    conn: &mut DbConnection,
    ws: &str,
    entity: &str,
    def: &FieldDef,
    value: &serde_json::Value,
    except: Option<&str>,
) -> StoreResult<Option<String>> {
    let table = table_of(entity)?;
    let pg = is_pg(conn);
    let comparison = def.field_type.comparison().ok_or_else(|| StoreError::Corrupt(format!("unique {} field", def.field_type)))?;
    let expr = value_sql(pg, &def.storage_key, comparison)?;
    lock_field(conn, &def.storage_key)?;
    let p = if pg { ["$1", "$2", "$3"] } else { ["?", "?", "?"] };
    let sql = format!(
        "SELECT id FROM {table} WHERE workspace_id = {} AND deleted_at IS NULL AND {expr} = {} AND id <> {} LIMIT 1",
        p[0], p[1], p[2]
    );
    let except = except.unwrap_or("");
    let found: Option<Found> = match value {
        serde_json::Value::Number(n) => {
            let n = n.as_i64().ok_or_else(|| StoreError::Corrupt(format!("custom value {n}")))?;
            diesel::sql_query(sql).bind::<Text, _>(ws).bind::<BigInt, _>(n).bind::<Text, _>(except).get_result(conn).optional()?
        }
        other => {
            let text = other.as_str().map(str::to_owned).unwrap_or_else(|| other.to_string());
            diesel::sql_query(sql).bind::<Text, _>(ws).bind::<Text, _>(text).bind::<Text, _>(except).get_result(conn).optional()?
        }
    };
    Ok(found.map(|f| f.id))
}

/// Whether the kind has live records sharing a value of a field (a unique field cannot be
/// made so until they are resolved).
pub fn has_duplicates(conn: &mut DbConnection, ws: &str, entity: &str, def: &FieldDef) -> StoreResult<bool> {
    let table = table_of(entity)?;
    let pg = is_pg(conn);
    let Some(comparison) = def.field_type.comparison() else { return Ok(false) };
    let expr = value_sql(pg, &def.storage_key, comparison)?;
    let p = if pg { "$1" } else { "?" };
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE workspace_id = {p} AND deleted_at IS NULL AND {expr} IS NOT NULL \
         GROUP BY {expr} HAVING count(*) > 1) AS found"
    );
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        found: bool,
    }
    let r: Exists = diesel::sql_query(sql).bind::<Text, _>(ws).get_result(conn)?;
    Ok(r.found)
}

/// Whether a record of a kind (`user` for a member) exists in the workspace.
pub fn reference_exists(conn: &mut DbConnection, ws: &str, kind: &str, id: &str) -> StoreResult<bool> {
    if kind == "user" {
        return match crate::record::refs::require_member(conn, ws, id, "user") {
            Ok(()) => Ok(true),
            Err(StoreError::Invalid(_)) => Ok(false),
            Err(e) => Err(e),
        };
    }
    let table = table_of(kind)?;
    let p = if is_pg(conn) { ["$1", "$2"] } else { ["?", "?"] };
    let sql = format!("SELECT id FROM {table} WHERE workspace_id = {} AND id = {} AND deleted_at IS NULL", p[0], p[1]);
    let found: Option<Found> = diesel::sql_query(sql).bind::<Text, _>(ws).bind::<Text, _>(id).get_result(conn).optional()?;
    Ok(found.is_some())
}

#[derive(QueryableByName)]
struct Holding {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    custom: String,
    #[diesel(sql_type = BigInt)]
    version: i64,
}

/// The records of a kind (in the trash too) that hold a value of a field: id, stored `custom`
/// JSON and version, by id.
pub fn holders(conn: &mut DbConnection, ws: &str, entity: &str, storage_key: &str) -> StoreResult<Vec<(String, String, i64)>> {
    let table = table_of(entity)?;
    if !is_storage_key(storage_key) {
        return Err(StoreError::Corrupt(format!("storage key {storage_key}")));
    }
    let sql = if is_pg(conn) {
        format!(
            "SELECT id, custom, version FROM {table} WHERE workspace_id = $1 AND jsonb_exists(custom::jsonb, '{storage_key}') ORDER BY id"
        )
    } else {
        format!("SELECT id, custom, version FROM {table} WHERE workspace_id = ? AND json_type(custom, '$.{storage_key}') IS NOT NULL ORDER BY id")
    };
    let rows: Vec<Holding> = diesel::sql_query(sql).bind::<Text, _>(ws).load(conn)?;
    Ok(rows.into_iter().map(|h| (h.id, h.custom, h.version)).collect())
}

/// Writes a record's stored `custom` JSON (a field's values converted to its new type) as a
/// new version, if it is still at `expected`: a write that came between is not overwritten
/// (409 `records_changed`).
pub fn set_values(conn: &mut DbConnection, entity: &str, id: &str, custom: &str, expected: i64) -> StoreResult<()> {
    let table = table_of(entity)?;
    let p = if is_pg(conn) { ["$1", "$2", "$3"] } else { ["?", "?", "?"] };
    let n = diesel::sql_query(format!(
        "UPDATE {table} SET custom = {}, version = version + 1 WHERE id = {} AND version = {}",
        p[0], p[1], p[2]
    ))
    .bind::<Text, _>(custom)
    .bind::<Text, _>(id)
    .bind::<BigInt, _>(expected)
    .execute(conn)?;
    if n == 0 {
        return Err(StoreError::Conflict {
            code: "records_changed",
            message: "a record changed while its values were converted; nothing changed, try again".into(),
            field: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_keys_are_fresh_and_safe_in_sql() {
        let a = new_storage_key();
        let b = new_storage_key();
        assert_ne!(a, b);
        assert!(is_storage_key(&a), "{a}");
        assert!(!is_storage_key("f'; drop x--"));
        assert!(value_sql(false, "fabc", Comparison::Text).is_err());
    }
}
