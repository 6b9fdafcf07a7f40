//! Workspaces, users, memberships, teams and instance settings.

use crate::schema::{memberships, settings, team_members, teams, users, workspaces};
use crate::{new_id, time, DbConnection, StoreError, StoreResult};
use crm_domain::Role;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = workspaces, treat_none_as_default_value = false)]
pub struct WorkspaceRow {
    pub id: String,
    pub name: String,
    pub default_region: String,
    pub base_currency: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub locale: String,
    pub created_at: i64,
}

/// Reads an instance setting, creating it with `init()` the first time. Safe when several
/// server processes start at once: the first insert wins and everyone reads it.
pub fn setting_or_init(conn: &mut DbConnection, key: &str, init: impl FnOnce() -> String) -> StoreResult<String> {
    if let Some(v) = settings::table.find(key).select(settings::value).first::<String>(conn).optional()? {
        return Ok(v);
    }
    let inserted = diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(init())))
        .execute(conn)
        .map_err(StoreError::from);
    match inserted {
        Ok(_) => {}
        Err(e) if e.is_unique_violation() => {}
        Err(e) => return Err(e),
    }
    Ok(settings::table.find(key).select(settings::value).first::<String>(conn)?)
}

pub fn user_count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

/// Writes a new workspace with its counters (see `crm_app::workspace::create` for the rest of
/// what a workspace starts with).
pub fn create_workspace(conn: &mut DbConnection, name: &str, region: &str, currency: &str) -> StoreResult<WorkspaceRow> {
    let row = WorkspaceRow {
        id: new_id(),
        name: name.to_owned(),
        default_region: region.to_owned(),
        base_currency: currency.to_owned(),
        created_at: time::now_micros(),
    };
    diesel::insert_into(workspaces::table).values(&row).execute(conn)?;
    crate::numbers::init(conn, &row.id, "case", 0)?;
    crate::numbers::init(conn, &row.id, "order", 0)?;
    Ok(row)
}

/// Every workspace's id (for work done once per workspace at an upgrade).
pub fn workspace_ids(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    Ok(workspaces::table.select(workspaces::id).order(workspaces::id.asc()).load(conn)?)
}

pub fn get_workspace(conn: &mut DbConnection, id: &str) -> StoreResult<WorkspaceRow> {
    workspaces::table.find(id).select(WorkspaceRow::as_select()).first(conn).optional()?.ok_or(StoreError::NotFound)
}

/// Creates a user; a taken email is a conflict on `email`.
pub fn create_user(conn: &mut DbConnection, email: &str, name: &str, password_hash: &str, locale: &str) -> StoreResult<UserRow> {
    let row = UserRow {
        id: new_id(),
        email: email.to_lowercase(),
        name: name.to_owned(),
        password_hash: password_hash.to_owned(),
        locale: locale.to_owned(),
        created_at: time::now_micros(),
    };
    match diesel::insert_into(users::table).values(&row).execute(conn).map_err(StoreError::from) {
        Ok(_) => Ok(row),
        Err(e) if e.is_unique_violation() => {
            Err(StoreError::Conflict { code: "email_taken", message: "a user with this email exists".into(), field: Some("email".into()) })
        }
        Err(e) => Err(e),
    }
}

pub fn add_member(conn: &mut DbConnection, ws: &str, user_id: &str, role: Role) -> StoreResult<()> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::workspace_id.eq(ws),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role.as_str()),
            memberships::created_at.eq(time::now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn create_team(conn: &mut DbConnection, ws: &str, name: &str, member_ids: &[String]) -> StoreResult<String> {
    let id = new_id();
    diesel::insert_into(teams::table)
        .values((teams::id.eq(&id), teams::workspace_id.eq(ws), teams::name.eq(name), teams::created_at.eq(time::now_micros())))
        .execute(conn)?;
    for u in member_ids {
        diesel::insert_into(team_members::table)
            .values((team_members::team_id.eq(&id), team_members::user_id.eq(u), team_members::workspace_id.eq(ws)))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table.filter(users::email.eq(email.trim().to_lowercase())).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn get_user(conn: &mut DbConnection, id: &str) -> StoreResult<UserRow> {
    users::table.find(id).select(UserRow::as_select()).first(conn).optional()?.ok_or(StoreError::NotFound)
}

/// Sets the language a user reads the app in.
pub fn set_locale(conn: &mut DbConnection, id: &str, locale: &str) -> StoreResult<()> {
    let n = diesel::update(users::table.find(id)).set(users::locale.eq(locale)).execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The workspaces a user belongs to, oldest membership first: (workspace, role).
pub fn memberships_of(conn: &mut DbConnection, user_id: &str) -> StoreResult<Vec<(WorkspaceRow, Role)>> {
    let rows: Vec<(WorkspaceRow, String)> = memberships::table
        .inner_join(workspaces::table.on(workspaces::id.eq(memberships::workspace_id)))
        .filter(memberships::user_id.eq(user_id))
        .order(memberships::created_at.asc())
        .select((WorkspaceRow::as_select(), memberships::role))
        .load(conn)?;
    rows.into_iter().map(|(w, r)| Role::parse(&r).map(|r| (w, r)).ok_or_else(|| StoreError::Corrupt(format!("role {r}")))).collect()
}

/// The role of a user in a workspace, if they are a member.
pub fn role_in(conn: &mut DbConnection, ws: &str, user_id: &str) -> StoreResult<Option<Role>> {
    let r: Option<String> = memberships::table.find((ws, user_id)).select(memberships::role).first(conn).optional()?;
    Ok(r.and_then(|r| Role::parse(&r)))
}

/// A workspace's members with their role and team ids, by name.
pub fn list_members(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<(UserRow, Role, Vec<String>)>> {
    let rows: Vec<(UserRow, String)> = memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(memberships::workspace_id.eq(ws))
        .order(users::name.asc())
        .select((UserRow::as_select(), memberships::role))
        .load(conn)?;
    let links: Vec<(String, String)> =
        team_members::table.filter(team_members::workspace_id.eq(ws)).select((team_members::user_id, team_members::team_id)).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(u, r)| {
            let teams = links.iter().filter(|(uid, _)| *uid == u.id).map(|(_, t)| t.clone()).collect();
            (u, Role::parse(&r).unwrap_or(Role::Analyst), teams)
        })
        .collect())
}

/// A workspace's teams with their member ids, by name.
pub fn list_teams(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<(String, String, Vec<String>)>> {
    let ts: Vec<(String, String)> =
        teams::table.filter(teams::workspace_id.eq(ws)).order(teams::name.asc()).select((teams::id, teams::name)).load(conn)?;
    let links: Vec<(String, String)> =
        team_members::table.filter(team_members::workspace_id.eq(ws)).select((team_members::team_id, team_members::user_id)).load(conn)?;
    Ok(ts
        .into_iter()
        .map(|(id, name)| {
            let members = links.iter().filter(|(t, _)| *t == id).map(|(_, u)| u.clone()).collect();
            (id, name, members)
        })
        .collect())
}

/// Names of the given users, for showing who did something.
pub fn user_names(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(users::table.filter(users::id.eq_any(ids)).select((users::id, users::name)).load(conn)?)
}
