//! Who owns what: handing a record over to someone else (with a note for them), and the rules
//! that give new unassigned leads and cases to a team's members in turn (`round_robin`) or to
//! whoever has the least open work (`load`).

use crate::reach::WriteGuard;
use crate::record::check_editable;
use crate::schema::{assignment_rules, cases, companies, contacts, deals, leads, memberships, tasks, team_members};
use crate::{DbConnection, StoreError, StoreResult};
use crm_domain::access::Entity;
use crm_domain::operations::{CaseStatus, LeadStatus};
use crm_domain::{FieldError, Role, ValidationErrors};
use diesel::prelude::*;

/// The records assignment rules apply to.
pub const RULE_ENTITIES: [&str; 2] = ["lead", "case"];
/// How a team's members share new records.
pub const METHODS: [&str; 2] = ["round_robin", "load"];

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = assignment_rules, treat_none_as_default_value = false)]
pub struct RuleRow {
    pub workspace_id: String,
    pub entity: String,
    pub team_id: String,
    pub position: i64,
    pub method: String,
    pub last_user_id: Option<String>,
    pub turn: i64,
    /// What a new record must hold for the rule to take it (JSON the application writes and
    /// reads: `crm_app::assignment`); `[]` takes every record.
    pub conditions: String,
}

/// One rule as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub entity: String,
    pub team_id: String,
    pub method: String,
    /// See [`RuleRow::conditions`].
    pub conditions: String,
}

/// The workspace's rules in the order they are tried.
pub fn rules(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<RuleRow>> {
    Ok(assignment_rules::table
        .filter(assignment_rules::workspace_id.eq(ws))
        .order(assignment_rules::position.asc())
        .select(RuleRow::as_select())
        .load(conn)?)
}

/// Replaces one rule's conditions (after the field they name changed type).
pub fn set_conditions(conn: &mut DbConnection, ws: &str, entity: &str, team_id: &str, conditions: &str) -> StoreResult<()> {
    diesel::update(
        assignment_rules::table
            .filter(assignment_rules::workspace_id.eq(ws))
            .filter(assignment_rules::entity.eq(entity))
            .filter(assignment_rules::team_id.eq(team_id)),
    )
    .set(assignment_rules::conditions.eq(conditions))
    .execute(conn)?;
    Ok(())
}

/// Replaces the rules. A rule kept (same record kind and team) keeps its place in the turn.
pub fn set_rules(conn: &mut DbConnection, ws: &str, new: &[Rule]) -> StoreResult<Vec<RuleRow>> {
    let mut errs = ValidationErrors::new();
    for (i, r) in new.iter().enumerate() {
        crate::record::refs::check_team(conn, ws, &mut errs, &format!("rules[{i}].team_id"), Some(&r.team_id))?;
        if new[..i].iter().any(|o| o.entity == r.entity && o.team_id == r.team_id) {
            errs.push(FieldError::new(format!("rules[{i}].team_id"), "duplicate_rule", "this team already has a rule for these records"));
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let old = rules(conn, ws)?;
    diesel::delete(assignment_rules::table.filter(assignment_rules::workspace_id.eq(ws))).execute(conn)?;
    let rows: Vec<RuleRow> = new
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let kept = old.iter().find(|o| o.entity == r.entity && o.team_id == r.team_id);
            RuleRow {
                workspace_id: ws.to_owned(),
                entity: r.entity.clone(),
                team_id: r.team_id.clone(),
                position: i as i64,
                method: r.method.clone(),
                last_user_id: kept.and_then(|k| k.last_user_id.clone()),
                turn: kept.map_or(0, |k| k.turn),
                conditions: r.conditions.clone(),
            }
        })
        .collect();
    for row in &rows {
        diesel::insert_into(assignment_rules::table).values(row).execute(conn)?;
    }
    rules(conn, ws)
}

/// The team's members who may own records, by id.
fn eligible_members(conn: &mut DbConnection, ws: &str, team: &str) -> StoreResult<Vec<String>> {
    let rows: Vec<(String, String)> = team_members::table
        .inner_join(
            memberships::table
                .on(memberships::user_id.eq(team_members::user_id).and(memberships::workspace_id.eq(team_members::workspace_id))),
        )
        .filter(team_members::workspace_id.eq(ws))
        .filter(team_members::team_id.eq(team))
        .order(team_members::user_id.asc())
        .select((team_members::user_id, memberships::role))
        .load(conn)?;
    Ok(rows.into_iter().filter(|(_, role)| Role::parse(role).is_some_and(Role::can_write_records)).map(|(u, _)| u).collect())
}

/// Open records each of `users` owns: leads not yet qualified or disqualified, cases not yet
/// resolved.
fn open_work(conn: &mut DbConnection, ws: &str, entity: &str, users: &[String]) -> StoreResult<Vec<(String, i64)>> {
    use diesel::dsl::count_star;
    Ok(if entity == "lead" {
        leads::table
            .filter(leads::workspace_id.eq(ws))
            .filter(leads::owner_id.eq_any(users))
            .filter(leads::deleted_at.is_null())
            .filter(leads::status.eq_any([LeadStatus::New.as_str(), LeadStatus::Working.as_str()]))
            .group_by(leads::owner_id)
            .select((leads::owner_id.assume_not_null(), count_star()))
            .load(conn)?
    } else {
        cases::table
            .filter(cases::workspace_id.eq(ws))
            .filter(cases::owner_id.eq_any(users))
            .filter(cases::deleted_at.is_null())
            .filter(cases::status.eq_any([CaseStatus::New.as_str(), CaseStatus::Open.as_str(), CaseStatus::Pending.as_str()]))
            .group_by(cases::owner_id)
            .select((cases::owner_id.assume_not_null(), count_star()))
            .load(conn)?
    })
}

/// Chooses an owner for a new unassigned lead or case, by the first rule for `entity` whose
/// team is `team` (any team when `None`) and whose conditions the record meets (`meets`, given
/// a rule's `conditions`). Returns the member and the rule's team, or `None` when no rule
/// applies or its team has nobody who may own records (the next rule is not tried: a team
/// whose members are all away leaves its records unassigned, for a manager to hand over).
///
/// The rule's `turn` is advanced with a compare-and-set, so concurrent picks on any backend
/// each take their own turn.
pub fn pick(
    conn: &mut DbConnection,
    ws: &str,
    entity: &str,
    team: Option<&str>,
    meets: &dyn Fn(&str) -> bool,
) -> StoreResult<Option<(String, String)>> {
    for _attempt in 0..8 {
        let mut q = assignment_rules::table
            .filter(assignment_rules::workspace_id.eq(ws))
            .filter(assignment_rules::entity.eq(entity))
            .order(assignment_rules::position.asc())
            .select(RuleRow::as_select())
            .into_boxed();
        if let Some(t) = team {
            q = q.filter(assignment_rules::team_id.eq(t));
        }
        let candidates: Vec<RuleRow> = q.load(conn)?;
        let Some(rule) = candidates.into_iter().find(|r| meets(&r.conditions)) else { return Ok(None) };
        let members = eligible_members(conn, ws, &rule.team_id)?;
        if members.is_empty() {
            return Ok(None);
        }
        // Members in turn order, starting after the last one given a record.
        let start = rule.last_user_id.as_ref().and_then(|l| members.iter().position(|m| m > l)).unwrap_or(0);
        let in_turn: Vec<&String> = members[start..].iter().chain(&members[..start]).collect();
        let chosen = if rule.method == "load" {
            let work = open_work(conn, ws, entity, &members)?;
            let load = |u: &String| work.iter().find(|(o, _)| o == u).map_or(0, |(_, n)| *n);
            // min_by_key keeps the first of equals, so ties go by turn.
            in_turn.iter().min_by_key(|u| load(u)).copied()
        } else {
            in_turn.first().copied()
        };
        let Some(chosen) = chosen.cloned() else { return Ok(None) };
        let won = diesel::update(
            assignment_rules::table
                .filter(assignment_rules::workspace_id.eq(ws))
                .filter(assignment_rules::entity.eq(entity))
                .filter(assignment_rules::team_id.eq(&rule.team_id))
                .filter(assignment_rules::turn.eq(rule.turn)),
        )
        .set((assignment_rules::last_user_id.eq(&chosen), assignment_rules::turn.eq(rule.turn + 1)))
        .execute(conn)?;
        if won == 1 {
            return Ok(Some((chosen, rule.team_id)));
        }
    }
    Err(StoreError::Conflict { code: "busy", message: "too many assignments at once; try again".into(), field: None })
}

/// The name the API gives a record's owner field.
pub fn owner_field(entity: Entity) -> &'static str {
    if matches!(entity, Entity::Case | Entity::Task) {
        "assignee_id"
    } else {
        "owner_id"
    }
}

/// Gives a record to `owner` (or to nobody) at `now`, with an optional hand-over note. Returns
/// the record's new version and the changes to record (the owner and the note; none when the
/// record already was the owner's and no note came). Records nothing of it.
#[allow(clippy::too_many_arguments)]
pub fn reassign(
    conn: &mut DbConnection,
    ws: &str,
    entity: Entity,
    id: &str,
    owner: Option<&str>,
    note: Option<&str>,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
) -> StoreResult<(i64, Vec<serde_json::Value>)> {
    macro_rules! current {
        ($t:ident) => {
            $t::table
                .filter($t::workspace_id.eq(ws))
                .filter($t::id.eq(id))
                .select(($t::owner_id, $t::version, $t::deleted_at))
                .first::<(Option<String>, i64, Option<i64>)>(conn)
                .optional()?
        };
    }
    macro_rules! write {
        ($t:ident, $version:expr, $now:expr) => {
            diesel::update($t::table.filter($t::workspace_id.eq(ws)).filter($t::id.eq(id)).filter($t::version.eq($version)))
                .set(($t::owner_id.eq(owner), $t::version.eq($version + 1), $t::updated_at.eq($now)))
                .execute(conn)?
        };
    }
    let found = match entity {
        Entity::Contact => current!(contacts),
        Entity::Company => current!(companies),
        Entity::Deal => current!(deals),
        Entity::Lead => current!(leads),
        Entity::Case => current!(cases),
        Entity::Task => current!(tasks),
        Entity::Activity | Entity::Order | Entity::Product => return Err(StoreError::NotFound),
    };
    let (before, version, deleted_at) = found.ok_or(StoreError::NotFound)?;
    guard.check(before.as_deref())?;
    check_editable(entity.as_str(), deleted_at, version, expected)?;
    if let Some(o) = owner {
        crate::record::refs::require_member(conn, ws, o, "user_id")?;
    }
    let field = owner_field(entity);
    if before.as_deref() == owner && note.is_none() {
        return Ok((version, Vec::new()));
    }
    let written = match entity {
        Entity::Contact => write!(contacts, version, now),
        Entity::Company => write!(companies, version, now),
        Entity::Deal => write!(deals, version, now),
        Entity::Lead => write!(leads, version, now),
        Entity::Case => write!(cases, version, now),
        _ => write!(tasks, version, now),
    };
    if written == 0 {
        return Err(StoreError::Conflict {
            code: "edit_conflict",
            message: "the record changed while it was being handed over; try again".into(),
            field: None,
        });
    }
    let mut changes = Vec::new();
    if before.as_deref() != owner {
        changes.push(serde_json::json!({"field": field, "before": before, "after": owner}));
    }
    if let Some(n) = note {
        changes.push(serde_json::json!({"field": "handover_note", "before": null, "after": n}));
    }
    Ok((version + 1, changes))
}
