//! Hand-overs: giving a record to someone else (or to nobody), with a note the new owner is
//! told with and the audit trail keeps.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::uow::{Event, UnitOfWork};
use crm_domain::access::Entity;
use crm_domain::custom::{FieldDef, FieldType};
use crm_domain::operations::{CaseChannel, Priority};
use crm_domain::{FieldError, Region, Role, Source, ValidationErrors};
use crm_store::assignment as repo;
use crm_store::{DbConnection, StoreError};
use serde_json::{Map, Value};

/// Hands a record the caller may change over to `owner` (a member, or nobody), with an
/// optional note; `expected` is the version the caller saw, when they sent one. Returns the
/// record's version after it. Handing a record to its owner without a note changes nothing.
pub async fn hand_over(
    db: &Db,
    caller: &Caller,
    entity: Entity,
    id: String,
    owner: Option<String>,
    note: Option<String>,
    expected: Option<i64>,
) -> AppResult<i64> {
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| {
        let guard = caller.guard(conn, entity)?;
        let mut uow = UnitOfWork::new(&caller);
        let (version, changes) =
            repo::reassign(conn, caller.workspace(), entity, &id, owner.as_deref(), note.as_deref(), expected, &guard, uow.now())
                .map_err(AppError::not_found_as(entity))?;
        if changes.is_empty() {
            return Ok(version);
        }
        if entity == Entity::Task {
            let task = crm_store::tasks::get(conn, caller.workspace(), &id)?;
            crate::reminders::task_written(conn, &task)?;
        }
        if entity == Entity::Contact {
            // Segments count owners on the contact's kept facts.
            let (contact, _) = crm_store::contacts::get(conn, caller.workspace(), &id)?;
            crate::metrics::contact_written(conn, caller.workspace(), &contact)?;
        }
        uow.record(Event::Updated { entity, id, changes, note });
        uow.commit(conn)?;
        Ok(version)
    })
    .await
}

/// A rule as an admin writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInput {
    pub entity: String,
    pub team_id: String,
    pub method: String,
    pub conditions: Vec<Condition>,
}

/// A rule as read: as stored, and its conditions by the fields' keys now (see
/// [`show_conditions`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ShownRule {
    pub row: repo::RuleRow,
    pub conditions: Vec<(Option<String>, Vec<Value>)>,
}

fn shown(conn: &mut DbConnection, ws: &str) -> AppResult<Vec<ShownRule>> {
    let mut out = Vec::new();
    for row in repo::rules(conn, ws)? {
        let conditions = show_conditions(conn, ws, &row.entity, &row.conditions)?;
        out.push(ShownRule { row, conditions });
    }
    Ok(out)
}

/// The rules as an audit entry shows them: kind, team, method and conditions by key.
fn audited(rules: &[ShownRule]) -> Value {
    Value::Array(
        rules
            .iter()
            .map(|r| {
                let conditions: Vec<Value> = r.conditions.iter().map(|(f, v)| serde_json::json!({"field": f, "values": v})).collect();
                serde_json::json!({"entity": r.row.entity, "team_id": r.row.team_id, "method": r.row.method, "conditions": conditions})
            })
            .collect(),
    )
}

/// The workspace's assignment rules in the order they are tried.
pub async fn rules(db: &Db, caller: &Caller) -> AppResult<Vec<ShownRule>> {
    let caller = caller.clone();
    db.read(move |conn| shown(conn, caller.workspace())).await
}

/// Replaces the assignment rules (admins and managers), each condition checked against the
/// record kind's fields (422 naming `rules[i].conditions[j]…`); a rule kept for the same team
/// carries on from whoever was last in turn. The change is in the workspace's audit trail
/// (entity `workspace`, action `assignment_rules_changed`, the rules before and after).
pub async fn set_rules(db: &Db, caller: &Caller, asked: Vec<RuleInput>) -> AppResult<Vec<ShownRule>> {
    if !matches!(caller.role(), Role::Admin | Role::Manager) {
        return Err(StoreError::Forbidden {
            code: "forbidden",
            message: "only admins and managers set assignment rules".into(),
            field: None,
        }
        .into());
    }
    let caller = caller.clone();
    db.write(move |conn| {
        let ws = caller.workspace();
        lock_rules(conn, ws)?;
        let mut errs = ValidationErrors::new();
        let mut rules = Vec::with_capacity(asked.len());
        for (i, r) in asked.into_iter().enumerate() {
            let conditions = store_conditions(conn, &caller, &r.entity, i, &r.conditions, &mut errs)?;
            rules.push(repo::Rule { entity: r.entity, team_id: r.team_id, method: r.method, conditions });
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs).into());
        }
        let before = shown(conn, ws)?;
        repo::set_rules(conn, ws, &rules)?;
        let after = shown(conn, ws)?;
        let (was, now) = (audited(&before), audited(&after));
        if was != now {
            let change = serde_json::json!({"field": "assignment_rules", "before": was, "after": now});
            let entry = crm_store::audit::entry(
                ws,
                "workspace",
                ws,
                "assignment_rules_changed",
                caller.actor(),
                vec![change],
                crm_store::time::now_micros(),
            );
            crm_store::audit::insert_entries(conn, vec![entry])?;
        }
        Ok(after)
    })
    .await
}

/// One condition of an assignment rule as an admin writes it: a field of the new record
/// (`custom.<key>`; `source` of a lead; `priority` or `channel` of a case) and values in their
/// wire form, any of which it must hold (a several-choices field: any of its options).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    pub values: Vec<String>,
}

/// A condition as stored: the field (`custom:<storage key>`, which survives a rename of the
/// key, or a built-in field's name) and its stored values; kept as `{"f": …, "v": […]}`.
#[derive(Debug)]
struct StoredCondition {
    f: String,
    v: Vec<Value>,
}

impl StoredCondition {
    fn json(&self) -> Value {
        serde_json::json!({"f": self.f, "v": self.v})
    }

    /// A rule's stored conditions (none when unreadable, which no rule writes).
    fn parse(stored: &str) -> Option<Vec<Self>> {
        let Ok(Value::Array(items)) = serde_json::from_str(stored) else { return None };
        items
            .into_iter()
            .map(|mut c| {
                let f = c.get("f")?.as_str()?.to_owned();
                let Value::Array(v) = c.get_mut("v")?.take() else { return None };
                Some(Self { f, v })
            })
            .collect()
    }
}

/// The built-in fields a rule for a kind may name.
fn built_in(entity: &str) -> &'static [&'static str] {
    match entity {
        "lead" => &["source"],
        "case" => &["priority", "channel"],
        _ => &[],
    }
}

/// Custom field types a condition takes: those compared by equality.
fn conditional(t: FieldType) -> bool {
    use FieldType::*;
    matches!(t, Text | Choice | Choices | YesNo | User | Record | Email | Phone | Url)
}

/// Checks a rule's conditions (`at`: the rule's index, to name problems
/// `rules[at].conditions[j].…`) and returns them as stored. A sensitive field may not be named:
/// the owner a rule gives a record would tell its value.
pub fn store_conditions(
    conn: &mut DbConnection,
    caller: &Caller,
    entity: &str,
    at: usize,
    conditions: &[Condition],
    errs: &mut ValidationErrors,
) -> AppResult<String> {
    if conditions.is_empty() {
        return Ok("[]".into());
    }
    if conditions.len() > 10 {
        errs.push(FieldError::new(format!("rules[{at}].conditions"), "too_many", "at most 10 conditions"));
    }
    let kind = Entity::parse(entity).filter(|e| matches!(e, Entity::Lead | Entity::Case));
    let set = match kind {
        Some(k) => crate::custom::field_set_now(conn, caller.workspace(), k)?,
        None => return Ok("[]".into()),
    };
    let region = crate::workspace::region(conn, caller.workspace())?;
    let mut out = Vec::with_capacity(conditions.len());
    for (j, c) in conditions.iter().enumerate() {
        let name = format!("rules[{at}].conditions[{j}]");
        if c.values.is_empty() || c.values.len() > 50 {
            errs.push(FieldError::new(format!("{name}.values"), "invalid_length", "give 1 to 50 values"));
            continue;
        }
        if c.field.is_empty() {
            errs.push(FieldError::new(format!("{name}.field"), "required", "name a field"));
        } else if let Some(key) = c.field.strip_prefix("custom.") {
            let Some(def) = set.by_key(key).filter(|d| d.readable_by(caller.role())) else {
                errs.push(FieldError::new(
                    format!("{name}.field"),
                    "unknown_field",
                    format!("no custom field {key} on this kind of record"),
                ));
                continue;
            };
            if def.sensitive {
                errs.push(FieldError::new(
                    format!("{name}.field"),
                    "not_allowed",
                    "a sensitive field cannot route records: who gets a record would tell its value",
                ));
                continue;
            }
            if !conditional(def.field_type) {
                errs.push(FieldError::new(
                    format!("{name}.field"),
                    "not_allowed",
                    format!("a {} field cannot be a rule's condition; use a choice, yes/no, text or link", def.field_type),
                ));
                continue;
            }
            let mut v = Vec::with_capacity(c.values.len());
            for (k, raw) in c.values.iter().enumerate() {
                if def.field_type == FieldType::YesNo && !matches!(raw.as_str(), "true" | "false") {
                    errs.push(FieldError::new(format!("{name}.values[{k}]"), "invalid_value", "must be true or false"));
                    continue;
                }
                match def.stored_bound(raw, region) {
                    Ok(s) => v.push(s),
                    Err(e) => errs.push(FieldError::new(format!("{name}.values[{k}]"), "invalid_value", e.message)),
                }
            }
            out.push(StoredCondition { f: format!("custom:{}", def.storage_key), v });
        } else if c.field == "segment" && entity == "case" {
            // The case's contact is a member of one of these shared segments.
            for (k, id) in c.values.iter().enumerate() {
                if !crate::segments::is_shared(conn, caller.workspace(), id)? {
                    errs.push(FieldError::new(
                        format!("{name}.values[{k}]"),
                        "unknown_segment",
                        format!("no shared segment {id}: a routing rule is the workspace's, so its segments are shared"),
                    ));
                }
            }
            out.push(StoredCondition { f: c.field.clone(), v: c.values.iter().map(|s| Value::from(s.as_str())).collect() });
        } else if built_in(entity).contains(&c.field.as_str()) {
            let known = |raw: &str| match c.field.as_str() {
                "source" => Source::parse(raw).is_some(),
                "priority" => Priority::parse(raw).is_some(),
                _ => CaseChannel::parse(raw).is_some(),
            };
            for (k, raw) in c.values.iter().enumerate().filter(|(_, raw)| !known(raw)) {
                errs.push(FieldError::new(format!("{name}.values[{k}]"), "invalid_value", format!("\"{raw}\" is no {}", c.field)));
            }
            out.push(StoredCondition { f: c.field.clone(), v: c.values.iter().map(|s| Value::from(s.as_str())).collect() });
        } else {
            let segment = (entity == "case").then(|| "segment".to_owned());
            let names =
                built_in(entity).iter().map(|n| n.to_string()).chain(segment).chain(["custom.<key>".to_owned()]).collect::<Vec<_>>();
            errs.push(FieldError::new(format!("{name}.field"), "unknown_field", format!("must be one of: {}", names.join(", "))));
        }
    }
    Ok(Value::Array(out.iter().map(StoredCondition::json).collect()).to_string())
}

/// The workspace's rules and the fields they name change one at a time (on PostgreSQL, where
/// writers run at once): a field made sensitive or given a new type while rules are saved
/// would otherwise slip past the other's check.
fn lock_rules(conn: &mut DbConnection, ws: &str) -> AppResult<()> {
    Ok(crm_store::db::advisory_lock(conn, &format!("assignment:{ws}"), true)?)
}

fn used_by_rules(field: &str, message: String) -> AppError {
    StoreError::Conflict { code: "used_by_assignment_rules", message, field: Some(field.into()) }.into()
}

/// The 1-based places of the workspace's rules whose conditions name the custom field stored
/// under `storage_key`, for a message.
fn naming(rules: &[repo::RuleRow], storage_key: &str) -> Vec<String> {
    let f = format!("custom:{storage_key}");
    rules
        .iter()
        .enumerate()
        .filter(|(_, r)| StoredCondition::parse(&r.conditions).is_some_and(|cs| cs.iter().any(|c| c.f == f)))
        .map(|(i, _)| (i + 1).to_string())
        .collect()
}

/// Refuses to make a field sensitive while a rule routes records by it (the owner a rule gives
/// a record would tell its value): 409 `used_by_assignment_rules` naming the rules.
pub fn check_sensitive(conn: &mut DbConnection, ws: &str, storage_key: &str) -> AppResult<()> {
    lock_rules(conn, ws)?;
    let rules = repo::rules(conn, ws)?;
    let places = naming(&rules, storage_key);
    if places.is_empty() {
        return Ok(());
    }
    Err(used_by_rules(
        "sensitive",
        format!("assignment rules {} route records by this field; change their conditions before making it sensitive", places.join(", ")),
    ))
}

/// Carries the conditions that name a field over to its new type (`old` to `new`), converting
/// each value as the records' values are: a `choice` condition on `north` becomes a `text`
/// condition on `North`. When the new type cannot be a condition, or a value cannot be
/// converted, nothing changes: 409 `used_by_assignment_rules` naming the rules (and the value).
/// Without `write`, only checks.
pub fn retype_conditions(conn: &mut DbConnection, ws: &str, old: &FieldDef, new: &FieldDef, region: Region, write: bool) -> AppResult<()> {
    lock_rules(conn, ws)?;
    let rules = repo::rules(conn, ws)?;
    let places = naming(&rules, &old.storage_key);
    if places.is_empty() {
        return Ok(());
    }
    if !conditional(new.field_type) {
        return Err(used_by_rules(
            "type",
            format!(
                "assignment rules {} route records by this field, and a {} field cannot be a condition; change their conditions first",
                places.join(", "),
                new.field_type
            ),
        ));
    }
    let f = format!("custom:{}", old.storage_key);
    for (i, rule) in rules.iter().enumerate() {
        let Some(mut conditions) = StoredCondition::parse(&rule.conditions) else { continue };
        if !conditions.iter().any(|c| c.f == f) {
            continue;
        }
        for c in conditions.iter_mut().filter(|c| c.f == f) {
            let mut values = Vec::with_capacity(c.v.len());
            for v in &c.v {
                let converted = new.convert_from(old, &Map::from_iter([(old.storage_key.clone(), v.clone())]), region);
                match converted.ok().and_then(|mut m| m.remove(&new.storage_key)) {
                    // A condition holds single values: several choices' one option is itself.
                    Some(Value::Array(items)) => values.extend(items),
                    Some(one) => values.push(one),
                    None => {
                        return Err(used_by_rules(
                            "type",
                            format!(
                                "assignment rule {} routes records by the value {v}, which cannot become a {}; change the rule first",
                                i + 1,
                                new.field_type
                            ),
                        ))
                    }
                }
            }
            let mut seen = Vec::with_capacity(values.len());
            values.retain(|v| {
                if seen.contains(v) {
                    false
                } else {
                    seen.push(v.clone());
                    true
                }
            });
            c.v = values;
        }
        if write {
            let stored = Value::Array(conditions.iter().map(StoredCondition::json).collect()).to_string();
            repo::set_conditions(conn, ws, &rule.entity, &rule.team_id, &stored)?;
        }
    }
    Ok(())
}

/// A rule's stored conditions in their wire form, for reading: each field by its key now
/// (`None` for a custom field since deleted: the condition holds for no new record).
pub fn show_conditions(conn: &mut DbConnection, ws: &str, entity: &str, stored: &str) -> AppResult<Vec<(Option<String>, Vec<Value>)>> {
    let stored = StoredCondition::parse(stored).ok_or_else(|| StoreError::Corrupt("assignment conditions".into()))?;
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let set = match Entity::parse(entity) {
        Some(k) if stored.iter().any(|c| c.f.starts_with("custom:")) => Some(crate::custom::field_set_now(conn, ws, k)?),
        _ => None,
    };
    Ok(stored
        .into_iter()
        .map(|c| match c.f.strip_prefix("custom:") {
            Some(storage_key) => match set.as_ref().and_then(|s| s.fields().iter().find(|f| f.storage_key == storage_key)) {
                Some(def) => {
                    // A stored condition holds single values, one option of several too.
                    let values = c.v.into_iter().filter_map(|v| def.show(&Map::from_iter([(def.storage_key.clone(), v)]))).collect();
                    (Some(def.path()), values)
                }
                None => (None, c.v),
            },
            None => (Some(c.f), c.v),
        })
        .collect())
}

/// The segments named by the workspace's rules for `entity` (to learn which of them a new
/// record's contact is in before the rules are met).
pub fn named_segments(conn: &mut DbConnection, ws: &str, entity: &str) -> AppResult<Vec<String>> {
    let mut ids: Vec<String> = repo::rules(conn, ws)?
        .iter()
        .filter(|r| r.entity == entity)
        .filter_map(|r| StoredCondition::parse(&r.conditions))
        .flatten()
        .filter(|c| c.f == "segment")
        .flat_map(|c| c.v.into_iter().filter_map(|v| v.as_str().map(str::to_owned)))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Whether a new record meets a rule's stored conditions (all of them): `built_in` are its
/// built-in values by name (`segment` once for each segment its contact is in), `custom` its
/// stored custom values.
pub fn meets(stored: &str, built_in: &[(&str, &str)], custom: Option<&Map<String, Value>>) -> bool {
    if stored == "[]" {
        return true;
    }
    let Some(conditions) = StoredCondition::parse(stored) else { return false };
    conditions.iter().all(|c| match c.f.strip_prefix("custom:") {
        Some(storage_key) => match custom.and_then(|m| m.get(storage_key)) {
            Some(Value::Array(held)) => held.iter().any(|h| c.v.contains(h)),
            Some(v) => c.v.contains(v),
            None => false,
        },
        None => built_in.iter().any(|(name, v)| *name == c.f && c.v.iter().any(|x| x.as_str() == Some(v))),
    })
}
