//! Segments: saved rules over contacts (`crm_domain::segments`), dynamic (whoever matches when
//! read) or a snapshot (the members when it was last evaluated), private to their maker or
//! shared with the workspace. A segment filters every list (`segment=`: its members, or the
//! records linked to them), previews its count while it is edited, and keeps who entered and
//! left at each evaluation.
//!
//! Access: a rule on purchases needs every order in the caller's reach and a rule on activities
//! every activity (a figure adds up all of a customer's history); members are always narrowed
//! to the contacts the caller may read.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crm_domain::access::Entity;
use crm_domain::custom::{FieldDef, FieldType};
use crm_domain::segments::{self as rules, Condition, Field, Op, Operand, Rule};
use crm_domain::{FieldError, Role};
use crm_store::contacts::{self as contacts_repo, ContactFilter};
use crm_store::cursor::{CmpOp, Trash};
use crm_store::listing::{InSegment, SqlWhere};
use crm_store::segments::{self as repo, Change, Moved, SegmentRow, DAY_MICROS};
use crm_store::{custom_fields, time, DbConnection, StoreError};
use serde_json::Value;

/// Whether a segment's members follow its rules or were frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dynamic,
    Snapshot,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Dynamic => "dynamic",
            Kind::Snapshot => "snapshot",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Dynamic, Kind::Snapshot].into_iter().find(|k| k.as_str() == s)
    }
}

/// What a segment is made of.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub description: Option<String>,
    /// The rule tree as the API takes it (checked here).
    pub rules: Value,
    pub kind: Kind,
    pub shared: bool,
}

/// What a change of a segment sets; what it leaves out stays.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub name: Option<String>,
    /// `Some("")` clears it.
    pub description: Option<String>,
    pub rules: Option<Value>,
    pub kind: Option<Kind>,
    pub shared: Option<bool>,
}

/// A segment as its reader sees it: the count of the last evaluation only for a reader who
/// reads every contact.
#[derive(Debug, Clone)]
pub struct Segment {
    pub row: SegmentRow,
    pub rules: Value,
    pub members: Option<i64>,
    pub mine: bool,
    pub editable: bool,
}

const NAME_CHARS: usize = 120;
const DESCRIPTION_CHARS: usize = 2_000;

fn missing() -> AppError {
    AppError::Missing("segment")
}

/// Reads a segment the caller sees (their own or a shared one).
fn visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> AppResult<SegmentRow> {
    let row = repo::get(conn, caller.workspace(), id)?.ok_or_else(missing)?;
    if row.shared != 0 || (row.owner_id.is_some() && row.owner_id.as_deref() == caller.user_id()) {
        Ok(row)
    } else {
        Err(missing())
    }
}

/// The maker changes their segment; admins and managers any shared one.
fn may_change(caller: &Caller, row: &SegmentRow) -> bool {
    let maker = row.owner_id.is_some() && row.owner_id.as_deref() == caller.user_id();
    maker || (row.shared != 0 && matches!(caller.role(), Role::Admin | Role::Manager))
}

/// Whether the caller reads every contact (and so sees kept counts and who entered and left).
fn reads_all(conn: &mut DbConnection, caller: &Caller) -> AppResult<bool> {
    Ok(caller.reach(conn, Entity::Contact)?.owners().is_none())
}

/// A segment as `caller` sees it; `all`: [`reads_all`].
fn shown(caller: &Caller, row: SegmentRow, all: bool) -> AppResult<Segment> {
    let rules = serde_json::from_str(&row.rules).map_err(|e| StoreError::Corrupt(format!("segment {} rules: {e}", row.id)))?;
    Ok(Segment {
        members: all.then_some(row.members),
        mine: row.owner_id.is_some() && row.owner_id.as_deref() == caller.user_id(),
        editable: may_change(caller, &row),
        rules,
        row,
    })
}

/// The segments the caller sees, by name.
pub async fn list(db: &Db, caller: &Caller) -> AppResult<Vec<Segment>> {
    let caller = caller.clone();
    db.read(move |conn| {
        let rows = repo::visible(conn, caller.workspace(), caller.user_id())?;
        let all = reads_all(conn, &caller)?;
        rows.into_iter().map(|r| shown(&caller, r, all)).collect()
    })
    .await
}

/// One segment the caller sees.
pub async fn get(db: &Db, caller: &Caller, id: String) -> AppResult<Segment> {
    let caller = caller.clone();
    db.read(move |conn| {
        let row = visible(conn, &caller, &id)?;
        shown(&caller, row, reads_all(conn, &caller)?)
    })
    .await
}

/// How many contacts the caller may read match `rules` now (the count while editing).
pub async fn preview(db: &Db, caller: &Caller, rules: Value) -> AppResult<i64> {
    let caller = caller.clone();
    db.read(move |conn| {
        let rule = rules::parse("rules", &rules)?;
        let reach = caller.reach(conn, Entity::Contact)?;
        // A rule on facts only is counted on them alone: one scan of a narrow table.
        let matching = match compile_parts(conn, &caller, &rule, &mut Ctx::reading())? {
            Compiled::Facts(pred) => return Ok(crm_store::facts::count(conn, caller.workspace(), reach.owners(), &pred)?),
            Compiled::Contacts(w) => w,
        };
        let filter = ContactFilter { segment: InSegment::matching(matching), trash: Trash::Exclude, ..ContactFilter::default() };
        Ok(contacts_repo::count(conn, caller.workspace(), &reach, &filter)?)
    })
    .await
}

fn check_spec(spec: &Spec) -> AppResult<(String, Option<String>, Rule)> {
    let mut errors = crm_domain::ValidationErrors::new();
    let name = errors.collect(crm_domain::text("name", &spec.name, NAME_CHARS));
    let description = match &spec.description {
        Some(d) => errors.collect(crm_domain::optional_text("description", d, DESCRIPTION_CHARS)).flatten(),
        None => None,
    };
    let rule = match rules::parse("rules", &spec.rules) {
        Ok(r) => Some(r),
        Err(e) => {
            e.0.into_iter().for_each(|f| errors.push(f));
            None
        }
    };
    let rule = errors.finish(|| rule)?.ok_or_else(|| StoreError::Corrupt("segment rules".into()))?;
    Ok((name.unwrap_or_default(), description, rule))
}

/// The segment as written and who entered and left, the counts only for a caller who reads
/// every contact (the others would learn of contacts they cannot read).
fn written(conn: &mut DbConnection, caller: &Caller, id: &str, moved: Moved) -> AppResult<(Segment, Option<Moved>)> {
    let row = repo::get(conn, caller.workspace(), id)?.ok_or_else(missing)?;
    let all = reads_all(conn, caller)?;
    Ok((shown(caller, row, all)?, all.then_some(moved)))
}

/// Makes a segment and evaluates its members. An API key's segments are shared.
pub async fn create(db: &Db, caller: &Caller, spec: Spec) -> AppResult<(Segment, Option<Moved>)> {
    let caller = caller.clone();
    db.write(move |conn| {
        let (name, description, rule) = check_spec(&spec)?;
        let id = crm_store::new_id();
        let shared = spec.shared || caller.user_id().is_none();
        let matching = compile(conn, &caller, &rule, &mut Ctx::of(&id, shared))?;
        let now = time::now_micros();
        let row = SegmentRow {
            id,
            workspace_id: caller.workspace().to_owned(),
            name,
            description,
            rules: spec.rules.to_string(),
            kind: spec.kind.as_str().into(),
            shared: i32::from(shared),
            owner_id: caller.user_id().map(str::to_owned),
            members: 0,
            evaluated_at: now,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        repo::insert(conn, &row)?;
        let moved = evaluate_in(conn, &row, &matching, now)?;
        written(conn, &caller, &row.id, moved)
    })
    .await
}

/// Fails when another segment is built on `id`; `doing` says what would break it.
fn not_built_on(conn: &mut DbConnection, caller: &Caller, id: &str, doing: &str) -> AppResult<()> {
    if crate::assignment::named_segments(conn, caller.workspace(), "case")?.iter().any(|s| s == id) {
        return Err(StoreError::Conflict {
            code: "used_by_assignment_rules",
            message: format!("case assignment rules route by this segment; change them before you {doing}"),
            field: None,
        }
        .into());
    }
    for other in repo::mentioning(conn, caller.workspace(), id)? {
        let Ok(rule) = rules::parse("rules", &serde_json::from_str(&other.rules).unwrap_or(Value::Null)) else { continue };
        let names_it = rule.conditions().iter().any(|c| c.field == Field::Segment && matches!(&c.value, Operand::Text(t) if t == id));
        if names_it {
            // Another person's private segment is not named.
            let which =
                if visible(conn, caller, &other.id).is_ok() { format!("the segment \"{}\"", other.name) } else { "another segment".into() };
            return Err(StoreError::Conflict {
                code: "segment_in_use",
                message: format!("{which} is built on this one; change it before you {doing}"),
                field: None,
            }
            .into());
        }
    }
    Ok(())
}

/// Changes a segment if it is still at `expected` (`None`: whatever it is now): what the patch
/// leaves out stays. New rules or a new kind evaluate it again.
pub async fn change(db: &Db, caller: &Caller, id: String, expected: Option<i64>, patch: Patch) -> AppResult<(Segment, Option<Moved>)> {
    let caller = caller.clone();
    db.write(move |conn| {
        let current = visible(conn, &caller, &id)?;
        if !may_change(&caller, &current) {
            return Err(forbidden("only its maker (or, when shared, an admin or manager) changes a segment"));
        }
        if let Some(expected) = expected.filter(|e| *e != current.version) {
            return Err(StoreError::PreconditionFailed { expected, current: current.version }.into());
        }
        let spec = Spec {
            name: patch.name.unwrap_or_else(|| current.name.clone()),
            description: patch.description.or_else(|| current.description.clone()),
            rules: match patch.rules {
                Some(r) => r,
                None => serde_json::from_str(&current.rules).map_err(|e| StoreError::Corrupt(format!("segment {id} rules: {e}")))?,
            },
            kind: patch.kind.or_else(|| Kind::parse(&current.kind)).unwrap_or(Kind::Dynamic),
            shared: patch.shared.unwrap_or(current.shared != 0) || current.owner_id.is_none(),
        };
        let (name, description, rule) = check_spec(&spec)?;
        if !spec.shared && current.shared != 0 {
            not_built_on(conn, &caller, &id, "make it private")?;
        }
        let matching = compile(conn, &caller, &rule, &mut Ctx::of(&id, spec.shared))?;
        let now = time::now_micros();
        let rules = spec.rules.to_string();
        let again = rules != current.rules || spec.kind.as_str() != current.kind;
        let row = SegmentRow {
            name,
            description,
            rules,
            kind: spec.kind.as_str().into(),
            shared: i32::from(spec.shared),
            version: current.version + 1,
            updated_at: now,
            ..current.clone()
        };
        repo::update(conn, &row, current.version)?;
        let moved = if again { evaluate_in(conn, &row, &matching, now)? } else { Moved::default() };
        written(conn, &caller, &id, moved)
    })
    .await
}

/// Deletes a segment that no other segment's rules name.
pub async fn delete(db: &Db, caller: &Caller, id: String, expected: Option<i64>) -> AppResult<()> {
    let caller = caller.clone();
    db.write(move |conn| {
        let current = visible(conn, &caller, &id)?;
        if !may_change(&caller, &current) {
            return Err(forbidden("only its maker (or, when shared, an admin or manager) deletes a segment"));
        }
        if let Some(expected) = expected.filter(|e| *e != current.version) {
            return Err(StoreError::PreconditionFailed { expected, current: current.version }.into());
        }
        not_built_on(conn, &caller, &id, "delete it")?;
        repo::delete(conn, caller.workspace(), &id)?;
        Ok(())
    })
    .await
}

/// Evaluates a segment again (those who may change it): a dynamic segment's members as they
/// are now, a snapshot frozen anew; who entered and left is kept.
pub async fn evaluate(db: &Db, caller: &Caller, id: String) -> AppResult<(Segment, Option<Moved>)> {
    let caller = caller.clone();
    db.write(move |conn| {
        let row = visible(conn, &caller, &id)?;
        if !may_change(&caller, &row) {
            return Err(forbidden("only its maker (or, when shared, an admin or manager) evaluates a segment"));
        }
        let rule = stored_rule(&row)?;
        let matching = compile(conn, &caller, &rule, &mut Ctx::of(&id, row.shared != 0))?;
        let moved = evaluate_in(conn, &row, &matching, time::now_micros())?;
        written(conn, &caller, &id, moved)
    })
    .await
}

fn evaluate_in(conn: &mut DbConnection, row: &SegmentRow, matching: &SqlWhere, now: i64) -> AppResult<Moved> {
    let ids = contacts_repo::ids_matching(conn, &row.workspace_id, matching)?;
    Ok(repo::replace_members(conn, &row.id, &ids, now)?)
}

fn stored_rule(row: &SegmentRow) -> AppResult<Rule> {
    let v: Value = serde_json::from_str(&row.rules).map_err(|e| StoreError::Corrupt(format!("segment {} rules: {e}", row.id)))?;
    Ok(rules::parse("rules", &v)?)
}

/// Who entered and left a segment, newest first (of one contact when asked), among the
/// contacts the caller may read, with their names (none for a contact since deleted for good).
pub async fn history(
    db: &Db,
    caller: &Caller,
    id: String,
    contact: Option<String>,
    after: Option<(i64, String)>,
    limit: i64,
) -> AppResult<Vec<(Change, Option<String>)>> {
    let caller = caller.clone();
    db.read(move |conn| {
        visible(conn, &caller, &id)?;
        let reach = caller.reach(conn, Entity::Contact)?;
        let changes = repo::changes(conn, caller.workspace(), &id, contact.as_deref(), reach.owners(), after, limit)?;
        let mut ids: Vec<String> = changes.iter().map(|c| c.contact_id.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        let names: std::collections::HashMap<String, String> =
            contacts_repo::many(conn, caller.workspace(), &ids)?.into_iter().map(|(c, _)| (c.id, c.display_name)).collect();
        Ok(changes
            .into_iter()
            .map(|c| {
                let name = names.get(&c.contact_id).cloned();
                (c, name)
            })
            .collect())
    })
    .await
}

/// Resolves the segment a list of `entity` was asked for (`segment=`) into the condition on its
/// contacts (a dynamic segment's rules as they match now, a snapshot's kept members): the
/// segment must be one the caller sees; for records other than contacts the members are also
/// narrowed to the contacts the caller may read (a contact list has that reach already).
pub fn resolve_filter(conn: &mut DbConnection, caller: &Caller, entity: Entity, filter: &mut InSegment) -> AppResult<()> {
    let Some(id) = filter.id.take() else { return Ok(()) };
    let row = visible(conn, caller, &id).map_err(|e| match e {
        AppError::Missing(_) => {
            AppError::BadParameter { name: "segment".into(), code: "unknown_segment", message: format!("no segment {id} that you can see") }
        }
        other => other,
    })?;
    // A rule the segment holds that no longer reads (a field deleted since, a model refused)
    // is this parameter's problem.
    let matching = member_of(conn, caller, &row, &mut Ctx::reading()).map_err(|e| match e {
        AppError::Store(StoreError::Invalid(errors)) => match errors.0.into_iter().next() {
            Some(inner) => AppError::BadParameter {
                name: "segment".into(),
                code: "segment_unreadable",
                message: format!("the segment \"{}\" has a rule that no longer reads ({}: {})", row.name, inner.field, inner.message),
            },
            None => missing(),
        },
        other => other,
    })?;
    // A contact list of a broad segment's members reads contacts in its order and probes each
    // one's facts (a page of 50 takes a few hundred probes); a narrow one's members, and the
    // members other records are linked to, are found first.
    let broad = entity == Entity::Contact && row.members >= BROAD;
    filter.members = Some(if broad { matching.probing(caller.workspace()) } else { matching.on_contacts(caller.workspace()) });
    if entity != Entity::Contact {
        filter.reach = Some(caller.reach(conn, Entity::Contact)?);
    }
    Ok(())
}

/// The condition "bought `product`" (its id) on contacts, for lists filtered by product
/// (`product_id`); the caller must read every order.
pub fn bought(conn: &mut DbConnection, caller: &Caller, product: &str) -> AppResult<SqlWhere> {
    let c = Condition {
        path: "product_id".into(),
        field: Field::BoughtProduct,
        op: Op::Is,
        value: Operand::Text(product.to_owned()),
        days: None,
    };
    Ok(condition(conn, caller, &c, &mut Ctx::reading())?.on_contacts(caller.workspace()))
}

/// The condition of membership of a segment: its rules (a snapshot's rules are compiled too,
/// so that its reach and cycles are checked like a dynamic one's, but its kept members count).
fn member_of(conn: &mut DbConnection, caller: &Caller, row: &SegmentRow, ctx: &mut Ctx) -> AppResult<Compiled> {
    ctx.stack.push(row.id.clone());
    let rule = stored_rule(row)?;
    let w = compile_parts(conn, caller, &rule, ctx);
    ctx.stack.pop();
    if row.kind == Kind::Snapshot.as_str() {
        w?;
        return Ok(Compiled::Contacts(repo::kept_member(&row.id)));
    }
    w
}

/// Conditions a segment may reach through the segments it is built on.
const MAX_EXPANDED: usize = 200;

/// What a compilation carries through the segments it expands.
struct Ctx {
    /// The segments being compiled: a segment may not be built on itself.
    stack: Vec<String>,
    /// Conditions compiled so far, across segments.
    conditions: usize,
    /// The segment being saved is shared: it may be built on shared segments only.
    shared: bool,
}

impl Ctx {
    fn of(id: &str, shared: bool) -> Ctx {
        Ctx { stack: vec![id.to_owned()], conditions: 0, shared }
    }

    fn reading() -> Ctx {
        Ctx { stack: Vec::new(), conditions: 0, shared: false }
    }
}

/// Whether `id` is a shared segment of the workspace.
pub fn is_shared(conn: &mut DbConnection, ws: &str, id: &str) -> AppResult<bool> {
    Ok(repo::get(conn, ws, id)?.is_some_and(|r| r.shared != 0))
}

/// Which of the shared segments `ids` the contact is a member of now, as the workspace reads
/// them (for routing its records). A segment whose rules no longer read holds no one.
pub fn member_of_which(conn: &mut DbConnection, ws: &str, contact_id: &str, ids: &[String]) -> AppResult<Vec<String>> {
    let system = Caller::system(ws.to_owned(), crm_store::record::Actor::system());
    let mut members = Vec::new();
    for id in ids {
        let Some(row) = repo::get(conn, ws, id)?.filter(|r| r.shared != 0) else { continue };
        let matching = match member_of(conn, &system, &row, &mut Ctx::reading()) {
            Ok(w) => w.probing(ws),
            Err(AppError::Store(StoreError::Invalid(_))) => continue,
            Err(e) => return Err(e),
        };
        if contacts_repo::matches(conn, ws, contact_id, &matching)? {
            members.push(row.id);
        }
    }
    Ok(members)
}

/// [`member_of_which`] as the store's webhook filters ask it (registered by [`crate::Db::new`]).
pub fn webhook_check(conn: &mut DbConnection, ws: &str, contact_id: &str, ids: &[String]) -> crm_store::StoreResult<bool> {
    member_of_which(conn, ws, contact_id, ids).map(|m| !m.is_empty()).map_err(AppError::into_store)
}

fn forbidden(message: &str) -> AppError {
    StoreError::Forbidden { code: "forbidden", message: message.into(), field: None }.into()
}

fn rule_error(c: &Condition, part: &str, code: &str, message: String) -> AppError {
    FieldError::new(format!("{}.{part}", c.path), code, message).into()
}

/// A compiled rule: a condition on a contact's row of facts (`contact_facts`, when every
/// condition in it reads only fields kept there) or on the contact.
enum Compiled {
    Facts(SqlWhere),
    Contacts(SqlWhere),
}

/// Members (at the last evaluation) from which a segment counts as broad.
const BROAD: i64 = 20_000;

impl Compiled {
    /// As a condition on one contact at a time: an index probe of the contact's facts. Only for
    /// queries that read contacts themselves (a contact list, one contact's membership).
    fn probing(self, ws: &str) -> SqlWhere {
        match self {
            Compiled::Facts(pred) => repo::probing_facts(ws, &pred),
            Compiled::Contacts(w) => w,
        }
    }

    /// As a condition on the contact.
    fn on_contacts(self, ws: &str) -> SqlWhere {
        match self {
            Compiled::Facts(pred) => repo::on_facts(ws, &pred),
            Compiled::Contacts(w) => w,
        }
    }
}

/// The SQL of a rule tree for the caller, as a condition on the contact. `ctx.stack` holds the
/// segments being compiled (a segment may not name itself, directly or through others).
fn compile(conn: &mut DbConnection, caller: &Caller, rule: &Rule, ctx: &mut Ctx) -> AppResult<SqlWhere> {
    Ok(compile_parts(conn, caller, rule, ctx)?.on_contacts(caller.workspace()))
}

/// Compiles `rule`, keeping the conditions on facts together: a group of them only is one
/// condition on facts; in a group with others they are one subquery of facts beside them.
fn compile_parts(conn: &mut DbConnection, caller: &Caller, rule: &Rule, ctx: &mut Ctx) -> AppResult<Compiled> {
    match rule {
        Rule::All(rs) | Rule::Any(rs) => {
            let any = matches!(rule, Rule::Any(_));
            let (mut facts, mut others) = (Vec::new(), Vec::new());
            for r in rs {
                match compile_parts(conn, caller, r, ctx)? {
                    Compiled::Facts(w) => facts.push(w),
                    Compiled::Contacts(w) => others.push(w),
                }
            }
            if others.is_empty() {
                return Ok(Compiled::Facts(SqlWhere::group(&facts, any)));
            }
            if !facts.is_empty() {
                others.push(repo::on_facts(caller.workspace(), &SqlWhere::group(&facts, any)));
            }
            Ok(Compiled::Contacts(SqlWhere::group(&others, any)))
        }
        Rule::Condition(c) => condition(conn, caller, c, ctx),
    }
}

fn condition(conn: &mut DbConnection, caller: &Caller, c: &Condition, ctx: &mut Ctx) -> AppResult<Compiled> {
    let ws = caller.workspace();
    ctx.conditions += 1;
    if ctx.conditions > MAX_EXPANDED {
        return Err(rule_error(
            c,
            "value",
            "too_many_rules",
            format!("with the segments it is built on, a segment has at most {MAX_EXPANDED} conditions"),
        ));
    }
    let pg = custom_fields::is_pg(conn);
    for (reads, entity, what) in
        [(c.field.reads_orders(), Entity::Order, "order"), (c.field.reads_activities(), Entity::Activity, "activity")]
    {
        if reads && caller.reach(conn, entity)?.owners().is_some() {
            return Err(StoreError::Forbidden {
                code: "rule_out_of_reach",
                message: format!("{} reads every {what} of a customer, and your role reads only some", c.field.name()),
                field: Some(format!("{}.field", c.path)),
            }
            .into());
        }
    }
    match &c.field {
        Field::Custom(key) => custom(conn, caller, c, key).map(Compiled::Contacts),
        Field::Segment => {
            let Operand::Text(id) = &c.value else { return Err(rule_error(c, "value", "invalid_value", "give a segment id".into())) };
            if ctx.stack.contains(id) {
                return Err(rule_error(c, "value", "segment_cycle", "a segment may not be built on itself".into()));
            }
            let other = visible(conn, caller, id)
                .map_err(|_| rule_error(c, "value", "unknown_segment", format!("no segment {id} that you can see")))?;
            if ctx.shared && other.shared == 0 {
                return Err(rule_error(
                    c,
                    "value",
                    "segment_private",
                    format!("\"{}\" is private: a shared segment is built on shared segments only", other.name),
                ));
            }
            // A problem inside the other segment's rules is this condition's problem.
            let w = member_of(conn, caller, &other, ctx).map_err(|e| match e {
                AppError::Store(StoreError::Invalid(errors)) => match errors.0.into_iter().next() {
                    Some(inner) => rule_error(c, "value", &inner.code, format!("in the segment \"{}\": {}", other.name, inner.message)),
                    None => missing(),
                },
                other => other,
            })?;
            Ok(match w {
                Compiled::Facts(pred) => Compiled::Facts(if c.op == Op::IsNot { pred.negated() } else { pred }),
                Compiled::Contacts(w) => Compiled::Contacts(if c.op == Op::IsNot { w.negated() } else { w }),
            })
        }
        Field::Propensity => {
            let model = crm_store::propensity::model(conn, ws)?;
            if model.as_ref().is_none_or(|m| m.refused.is_some()) {
                return Err(rule_error(
                    c,
                    "field",
                    "propensity_not_validated",
                    "no validated propensity model: train one (its holdout must pass) before segmenting on it".into(),
                ));
            }
            Ok(Compiled::Contacts(repo::builtin(pg, ws, time::now_micros(), c)?))
        }
        _ => {
            let now = time::now_micros();
            Ok(match repo::fact_column(c) {
                Some(_) => Compiled::Facts(repo::fact(pg, now, c)?),
                None => Compiled::Contacts(repo::builtin(pg, ws, now, c)?),
            })
        }
    }
}

/// A condition on a custom field of contacts, checked against the field's type.
fn custom(conn: &mut DbConnection, caller: &Caller, c: &Condition, key: &str) -> AppResult<SqlWhere> {
    let ws = caller.workspace();
    let pg = custom_fields::is_pg(conn);
    let set = crate::custom::field_set(conn, ws, Entity::Contact)?;
    let def: FieldDef =
        set.by_key(key).cloned().ok_or_else(|| rule_error(c, "field", "unknown_field", format!("contacts have no custom field {key}")))?;
    if !def.readable_by(caller.role()) {
        return Err(StoreError::Forbidden {
            code: "field_forbidden",
            message: format!("the {} role may not read custom.{key}", caller.role()),
            field: Some(format!("{}.field", c.path)),
        }
        .into());
    }
    let timed = matches!(def.field_type, FieldType::Date | FieldType::Datetime);
    let ranged = def.field_type.comparison().is_some()
        && !matches!(def.field_type, FieldType::Choice | FieldType::User | FieldType::Record | FieldType::YesNo);
    let op_error = |what: &str| rule_error(c, "op", "invalid_operator", format!("a {} field {what}", def.field_type));
    match c.op {
        Op::IsEmpty | Op::IsNotEmpty => {
            let w = repo::fragment(&custom_fields::present_sql(pg, &def.storage_key)?);
            return Ok(if c.op == Op::IsEmpty { w.negated() } else { w });
        }
        Op::InLastDays | Op::InNextDays | Op::AnniversaryInNextDays => {
            if !timed {
                return Err(op_error("has no dates"));
            }
            let Operand::Days(days) = c.value else { return Err(rule_error(c, "value", "invalid_value", "give a number of days".into())) };
            let micros = def.field_type == FieldType::Datetime;
            let expr = custom_fields::value_sql(pg, &def.storage_key, crm_domain::custom::Comparison::Number)?;
            let now = time::now_micros();
            let today = chrono::DateTime::from_timestamp_micros(now).map(|t| t.date_naive()).unwrap_or_default();
            if c.op == Op::AnniversaryInNextDays {
                return Ok(crm_store::listing::anniversary(pg, &expr, micros, &rules::month_days_ahead(today, days)));
            }
            let (from, to) = if c.op == Op::InLastDays { (-days, 0) } else { (0, days) };
            let (lo, hi) = if micros {
                (now + from * DAY_MICROS, now + to * DAY_MICROS)
            } else {
                let today_days = now.div_euclid(DAY_MICROS);
                (today_days + from, today_days + to)
            };
            return Ok(repo::custom_range(&expr, lo, hi));
        }
        Op::Gt | Op::Gte | Op::Lt | Op::Lte if !ranged => return Err(op_error("is compared by equality only")),
        _ if def.field_type == FieldType::LongText => return Err(op_error("is not compared")),
        _ => {}
    }
    let raw = match &c.value {
        Operand::Raw(Value::String(s)) => s.clone(),
        Operand::Raw(Value::Bool(b)) => b.to_string(),
        Operand::Raw(Value::Number(n)) => n.to_string(),
        _ => return Err(rule_error(c, "value", "invalid_value", "give the value to compare with".into())),
    };
    let value = match def.field_type {
        FieldType::YesNo => match raw.as_str() {
            "true" => Value::from(true),
            "false" => Value::from(false),
            _ => return Err(rule_error(c, "value", "invalid_boolean", "must be true or false".into())),
        },
        _ => {
            let region = crate::workspace::region(conn, ws)?;
            def.stored_bound(&raw, region).map_err(|e| rule_error(c, "value", &e.code, e.message))?
        }
    };
    let cmp = match c.op {
        Op::Gt => CmpOp::Gt,
        Op::Gte => CmpOp::Gte,
        Op::Lt => CmpOp::Lt,
        Op::Lte => CmpOp::Lte,
        _ => CmpOp::Eq,
    };
    let w = SqlWhere::from(&custom_fields::condition_sql(pg, &def, cmp, &value)?);
    Ok(if c.op == Op::IsNot { w.negated() } else { w })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_rfm_groups_of_rules_are_the_analytics_groups() {
        let names: Vec<&str> = crm_analytics::rfm::Group::ALL.iter().map(|g| g.as_str()).collect();
        assert_eq!(crm_domain::segments::RFM_GROUPS, names);
    }
}
