//! Record-level access policy: which role may read and change which owned records. Every list,
//! get, search, count and bulk path asks it for a [`Reach`] (the values are shared
//! infrastructure, in [`crate::reach`]) and filters by it; nothing else decides.

use crate::reach::{scope_words, slot, Reach, ReadReach, Viewer, WriteGuard};
use crate::schema::{access_rules, team_members};
use crate::{DbConnection, StoreError, StoreResult};
use crm_domain::access::{configurable, default_grant, Entity, Grant, Scope};
use crm_domain::Role;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_rules, treat_none_as_default_value = false)]
pub struct RuleRow {
    pub workspace_id: String,
    pub role: String,
    pub entity: String,
    pub read_scope: String,
    pub write_scope: String,
}

/// The grant of a role on an entity: the workspace's override or the default.
pub fn grant(conn: &mut DbConnection, ws: &str, role: Role, entity: Entity) -> StoreResult<Grant> {
    if !configurable(role) {
        return Ok(default_grant(role, entity));
    }
    let row: Option<(String, String)> = access_rules::table
        .filter(access_rules::workspace_id.eq(ws))
        .filter(access_rules::role.eq(role.as_str()))
        .filter(access_rules::entity.eq(entity.as_str()))
        .select((access_rules::read_scope, access_rules::write_scope))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((r, w)) => Grant::new(
            Scope::parse(&r).ok_or_else(|| StoreError::Corrupt("access rule".into()))?,
            Scope::parse(&w).ok_or_else(|| StoreError::Corrupt("access rule".into()))?,
        ),
        None => default_grant(role, entity),
    })
}

/// Every role × entity grant in force in a workspace.
pub fn policy(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<(Role, Entity, Grant)>> {
    let rows: Vec<RuleRow> = access_rules::table.filter(access_rules::workspace_id.eq(ws)).select(RuleRow::as_select()).load(conn)?;
    let mut out = Vec::with_capacity(Role::ALL.len() * Entity::ALL.len());
    for role in Role::ALL {
        for entity in Entity::ALL {
            let over = rows.iter().find(|r| r.role == role.as_str() && r.entity == entity.as_str());
            let g = match over {
                Some(r) if configurable(*role) => {
                    Grant::new(Scope::parse(&r.read_scope).unwrap_or(Scope::None), Scope::parse(&r.write_scope).unwrap_or(Scope::None))
                }
                _ => default_grant(*role, *entity),
            };
            out.push((*role, *entity, g));
        }
    }
    Ok(out)
}

/// Sets one grant (callers check it is consistent and the role configurable).
pub fn set_grant(conn: &mut DbConnection, ws: &str, role: Role, entity: Entity, g: Grant) -> StoreResult<()> {
    diesel::delete(
        access_rules::table
            .filter(access_rules::workspace_id.eq(ws))
            .filter(access_rules::role.eq(role.as_str()))
            .filter(access_rules::entity.eq(entity.as_str())),
    )
    .execute(conn)?;
    if g != default_grant(role, entity) {
        diesel::insert_into(access_rules::table)
            .values(&RuleRow {
                workspace_id: ws.to_owned(),
                role: role.as_str().to_owned(),
                entity: entity.as_str().to_owned(),
                read_scope: g.read.as_str().to_owned(),
                write_scope: g.write.as_str().to_owned(),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// The users whose records `scope` covers for `viewer`.
pub fn scope_reach(conn: &mut DbConnection, ws: &str, viewer: Viewer<'_>, scope: Scope) -> StoreResult<Reach> {
    Ok(match (scope, viewer.user_id) {
        (Scope::All, _) => Reach::All,
        (Scope::None, _) | (_, None) => Reach::Owners(Vec::new()),
        (Scope::Own, Some(me)) => Reach::Owners(vec![me.to_owned()]),
        (Scope::Team, Some(me)) => {
            let (tm, mine) = diesel::alias!(team_members as tm, team_members as mine);
            let mut ids: Vec<String> = tm
                .filter(tm.field(team_members::workspace_id).eq(ws))
                .filter(
                    tm.field(team_members::team_id).eq_any(
                        mine.filter(mine.field(team_members::workspace_id).eq(ws))
                            .filter(mine.field(team_members::user_id).eq(me))
                            .select(mine.field(team_members::team_id)),
                    ),
                )
                .select(tm.field(team_members::user_id))
                .load(conn)?;
            ids.push(me.to_owned());
            ids.sort_unstable();
            ids.dedup();
            Reach::Owners(ids)
        }
    })
}

/// Those of `users` (members of the workspace) who may read a record of `entity` owned by
/// `owner`, in three queries whatever their number: roles, the grants of those roles, and the
/// members among them who share a team with the owner.
pub fn readers<'u>(conn: &mut DbConnection, ws: &str, users: &[&'u str], entity: Entity, owner: Option<&str>) -> StoreResult<Vec<&'u str>> {
    use crate::schema::memberships;
    let roles: Vec<(String, String)> = memberships::table
        .filter(memberships::workspace_id.eq(ws))
        .filter(memberships::user_id.eq_any(users))
        .select((memberships::user_id, memberships::role))
        .load(conn)?;
    let mut grants: Vec<(Role, Scope)> = Vec::with_capacity(4);
    let mut scoped: Vec<(&'u str, Scope)> = Vec::with_capacity(users.len());
    for user in users {
        let Some(role) = roles.iter().find(|(u, _)| u == user).and_then(|(_, r)| Role::parse(r)) else { continue };
        let scope = match grants.iter().find(|(r, _)| *r == role) {
            Some((_, s)) => *s,
            None => {
                let s = grant(conn, ws, role, entity)?.read;
                grants.push((role, s));
                s
            }
        };
        scoped.push((user, scope));
    }
    let team_scoped: Vec<&str> = scoped.iter().filter(|(_, s)| *s == Scope::Team).map(|(u, _)| *u).collect();
    let mates: Vec<String> = match owner {
        Some(owner) if !team_scoped.is_empty() => {
            let (tm, theirs) = diesel::alias!(team_members as tm, team_members as theirs);
            tm.filter(tm.field(team_members::workspace_id).eq(ws))
                .filter(tm.field(team_members::user_id).eq_any(&team_scoped))
                .filter(
                    tm.field(team_members::team_id).eq_any(
                        theirs
                            .filter(theirs.field(team_members::workspace_id).eq(ws))
                            .filter(theirs.field(team_members::user_id).eq(owner))
                            .select(theirs.field(team_members::team_id)),
                    ),
                )
                .select(tm.field(team_members::user_id))
                .load(conn)?
        }
        _ => Vec::new(),
    };
    Ok(scoped
        .into_iter()
        .filter(|(user, scope)| match scope {
            Scope::All => true,
            Scope::None => false,
            Scope::Own => owner == Some(*user),
            Scope::Team => owner == Some(*user) || mates.iter().any(|m| m == user),
        })
        .map(|(user, _)| user)
        .collect())
}

/// Which records of `entity` the viewer may read.
pub fn read_reach(conn: &mut DbConnection, ws: &str, viewer: Viewer<'_>, entity: Entity) -> StoreResult<Reach> {
    let g = grant(conn, ws, viewer.role, entity)?;
    scope_reach(conn, ws, viewer, g.read)
}

/// What the viewer may read of every kind, in at most two queries: the role's grants and, when
/// one of them is `team`, the viewer's team mates.
pub fn read_reach_all(conn: &mut DbConnection, ws: &str, viewer: Viewer<'_>) -> StoreResult<ReadReach> {
    let overrides: Vec<(String, String)> = if configurable(viewer.role) {
        access_rules::table
            .filter(access_rules::workspace_id.eq(ws))
            .filter(access_rules::role.eq(viewer.role.as_str()))
            .select((access_rules::entity, access_rules::read_scope))
            .load(conn)?
    } else {
        Vec::new()
    };
    let mut scopes = [Scope::None; Entity::ALL.len()];
    for entity in Entity::ALL {
        scopes[slot(*entity)] = match overrides.iter().find(|(e, _)| e == entity.as_str()) {
            Some((_, s)) => Scope::parse(s).ok_or_else(|| StoreError::Corrupt("access rule".into()))?,
            None => default_grant(viewer.role, *entity).read,
        };
    }
    let team = if scopes.contains(&Scope::Team) { Some(scope_reach(conn, ws, viewer, Scope::Team)?) } else { None };
    let mut kinds = Vec::with_capacity(scopes.len());
    for scope in scopes {
        kinds.push(match (scope, &team) {
            (Scope::Team, Some(team)) => team.clone(),
            (scope, _) => scope_reach(conn, ws, viewer, scope)?,
        });
    }
    let kinds = kinds.try_into().map_err(|_| StoreError::Corrupt("access kinds".into()))?;
    Ok(ReadReach::new(kinds))
}

/// The guard for changes the viewer makes to records of `entity`.
pub fn write_guard(conn: &mut DbConnection, ws: &str, viewer: Viewer<'_>, entity: Entity) -> StoreResult<WriteGuard> {
    let g = grant(conn, ws, viewer.role, entity)?;
    let read = scope_reach(conn, ws, viewer, g.read)?;
    let write = if g.write == g.read { read.clone() } else { scope_reach(conn, ws, viewer, g.write)? };
    Ok(WriteGuard::new(entity, g.write, read, write))
}

/// Fails unless the viewer may create a record of `entity` owned by `owner`.
pub fn check_create(conn: &mut DbConnection, ws: &str, viewer: Viewer<'_>, entity: Entity, owner: Option<&str>) -> StoreResult<()> {
    let g = grant(conn, ws, viewer.role, entity)?;
    if g.write == Scope::None {
        return Err(StoreError::Forbidden {
            code: "record_forbidden",
            message: format!("your role may not create {entity} records"),
            field: None,
        });
    }
    if !scope_reach(conn, ws, viewer, g.write)?.allows(owner) {
        return Err(StoreError::Forbidden {
            code: "owner_forbidden",
            message: format!("your role may only create {entity} records owned by {}", scope_words(g.write)),
            field: Some("owner_id".into()),
        });
    }
    Ok(())
}
