//! Record-level access: who may read and change which owned records. Every list, get, search,
//! count and bulk path asks [`reach`] and filters by it; nothing else decides.

use crate::schema::{access_rules, team_members};
use crate::{DbConnection, StoreError, StoreResult};
use crm_domain::access::{configurable, default_grant, Entity, Grant, Scope};
use crm_domain::Role;
use diesel::prelude::*;

/// The member (or API key) a query runs for.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub role: Role,
    /// `None` for an API key: it owns nothing, so `own` and `team` reach nothing.
    pub user_id: Option<&'a str>,
}

/// The owners whose records are within reach, or every record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    /// Only records owned by these users (none when empty).
    Owners(Vec<String>),
}

impl Reach {
    pub fn allows(&self, owner: Option<&str>) -> bool {
        match self {
            Reach::All => true,
            Reach::Owners(ids) => owner.is_some_and(|o| ids.iter().any(|i| i == o)),
        }
    }

    /// The owner ids to filter by, or `None` for every record.
    pub fn owners(&self) -> Option<&[String]> {
        match self {
            Reach::All => None,
            Reach::Owners(ids) => Some(ids),
        }
    }

    /// Narrows a caller's own owner filter to what they may see.
    pub fn narrow(&self, requested: &[String]) -> Vec<String> {
        match self {
            Reach::All => requested.to_vec(),
            Reach::Owners(ids) if requested.is_empty() => ids.clone(),
            Reach::Owners(ids) => {
                let kept: Vec<String> = requested.iter().filter(|r| ids.contains(r)).cloned().collect();
                if kept.is_empty() {
                    // Asked only for owners out of reach: an impossible owner keeps the result empty.
                    vec![String::new()]
                } else {
                    kept
                }
            }
        }
    }
}

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

/// What a viewer may read of every kind of record at once, for the views that gather items
/// from several kinds (timelines, the feed, notifications, the caller card): each item there is
/// judged by the reach of the kind of record it comes from, not of the record it is shown on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadReach {
    /// In the order of `Entity::ALL`.
    kinds: Vec<Reach>,
}

impl ReadReach {
    /// Every record of every kind (system jobs, admins).
    pub fn everything() -> Self {
        Self { kinds: vec![Reach::All; Entity::ALL.len()] }
    }

    /// The reach on records of `entity`.
    pub fn of(&self, entity: Entity) -> &Reach {
        let i = Entity::ALL.iter().position(|e| *e == entity).unwrap_or(0);
        &self.kinds[i]
    }

    /// The kinds the viewer may not read in full, with their reach.
    pub fn limited(&self) -> impl Iterator<Item = (Entity, &Reach)> {
        Entity::ALL.iter().copied().zip(&self.kinds).filter(|(_, r)| **r != Reach::All)
    }

    /// Whether a record of the kind named `kind` (an entity name; other names are not records
    /// with owners and always pass) owned by `owner` may be read.
    pub fn allows(&self, kind: &str, owner: Option<&str>) -> bool {
        Entity::parse(kind).is_none_or(|e| self.of(e).allows(owner))
    }
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
    let mut scopes = Vec::with_capacity(Entity::ALL.len());
    for entity in Entity::ALL {
        let scope = match overrides.iter().find(|(e, _)| e == entity.as_str()) {
            Some((_, s)) => Scope::parse(s).ok_or_else(|| StoreError::Corrupt("access rule".into()))?,
            None => default_grant(viewer.role, *entity).read,
        };
        scopes.push(scope);
    }
    let team = if scopes.contains(&Scope::Team) { Some(scope_reach(conn, ws, viewer, Scope::Team)?) } else { None };
    let mut kinds = Vec::with_capacity(scopes.len());
    for scope in scopes {
        kinds.push(match (scope, &team) {
            (Scope::Team, Some(team)) => team.clone(),
            (scope, _) => scope_reach(conn, ws, viewer, scope)?,
        });
    }
    Ok(ReadReach { kinds })
}

/// Narrows a boxed query over items that point at a record (`$kind`: the record's kind as an
/// entity name, `$id`: its id) to the items whose record the viewer may read by `$reach`
/// (a [`ReadReach`]): kinds read in full pass, kinds not read at all are left out, and kinds
/// read in part pass when the record's owner is within reach. Items pointing at something that
/// is no owned record (a user, an inbound event) pass. Use `nullable … unless <condition>` for
/// nullable columns: an item that points at nothing, or meets the condition, passes.
#[macro_export]
macro_rules! within_reach {
    ($q:expr, $ws:expr, $kind:expr, $id:expr, $reach:expr) => {
        $crate::within_reach!(@go $q, $ws, $kind, $id, $reach, |kind| $kind.ne(kind), id)
    };
    (nullable $q:expr, $ws:expr, $kind:expr, $id:expr, $reach:expr, unless $pass:expr) => {
        $crate::within_reach!(@go $q, $ws, $kind, $id, $reach, |kind| $pass.or($kind.is_null()).or($kind.ne(kind)), id.nullable())
    };
    (@owned $q:ident, $t:ident, $ws:expr, $id:expr, $owners:ident, $other:expr, $($sel:tt)+) => {
        $q.filter($other.or($id.eq_any(
            $t::table.filter($t::workspace_id.eq($ws.to_owned())).filter($t::owner_id.eq_any($owners)).select($t::$($sel)+),
        )))
    };
    (@go $q:expr, $ws:expr, $kind:expr, $id:expr, $reach:expr, |$k:ident| $other:expr, $($sel:tt)+) => {{
        use $crate::schema::{activities, cases, companies, contacts, deals, leads, orders, tasks};
        use ::crm_domain::access::Entity;
        let mut q = $q;
        for (entity, reach) in $reach.limited() {
            let $k = entity.as_str();
            let owners: Vec<String> = reach.owners().map(<[String]>::to_vec).unwrap_or_default();
            if owners.is_empty() {
                q = q.filter($other);
                continue;
            }
            q = match entity {
                Entity::Contact => $crate::within_reach!(@owned q, contacts, $ws, $id, owners, $other, $($sel)+),
                Entity::Company => $crate::within_reach!(@owned q, companies, $ws, $id, owners, $other, $($sel)+),
                Entity::Lead => $crate::within_reach!(@owned q, leads, $ws, $id, owners, $other, $($sel)+),
                Entity::Deal => $crate::within_reach!(@owned q, deals, $ws, $id, owners, $other, $($sel)+),
                Entity::Activity => $crate::within_reach!(@owned q, activities, $ws, $id, owners, $other, $($sel)+),
                Entity::Task => $crate::within_reach!(@owned q, tasks, $ws, $id, owners, $other, $($sel)+),
                Entity::Case => $crate::within_reach!(@owned q, cases, $ws, $id, owners, $other, $($sel)+),
                Entity::Order => $crate::within_reach!(@owned q, orders, $ws, $id, owners, $other, $($sel)+),
            };
        }
        q
    }};
}

/// What a writer may touch: decided once per request, checked against each record's owner.
#[derive(Debug, Clone)]
pub struct WriteGuard {
    entity: Entity,
    write_scope: Scope,
    read: Reach,
    write: Reach,
}

impl WriteGuard {
    /// Everything (system jobs, demo data).
    pub fn unrestricted(entity: Entity) -> Self {
        Self { entity, write_scope: Scope::All, read: Reach::All, write: Reach::All }
    }

    /// "Not found" when the record is out of read reach; "forbidden" when it may be read but
    /// not changed.
    pub fn check(&self, owner: Option<&str>) -> StoreResult<()> {
        if !self.read.allows(owner) {
            return Err(StoreError::NotFound);
        }
        if !self.write.allows(owner) {
            return Err(StoreError::Forbidden {
                code: "record_forbidden",
                message: format!("your role may only change {} {} records", scope_words(self.write_scope), self.entity),
                field: None,
            });
        }
        Ok(())
    }
}

/// The guard for changes the viewer makes to records of `entity`.
pub fn write_guard(conn: &mut DbConnection, ws: &str, viewer: Viewer<'_>, entity: Entity) -> StoreResult<WriteGuard> {
    let g = grant(conn, ws, viewer.role, entity)?;
    let read = scope_reach(conn, ws, viewer, g.read)?;
    let write = if g.write == g.read { read.clone() } else { scope_reach(conn, ws, viewer, g.write)? };
    Ok(WriteGuard { entity, write_scope: g.write, read, write })
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

fn scope_words(s: Scope) -> &'static str {
    match s {
        Scope::None => "no",
        Scope::Own => "your own",
        Scope::Team => "your team's",
        Scope::All => "all",
    }
}
