//! Refresh tokens, API keys and failed sign-in attempts.

use crate::schema::{api_keys, login_failures, refresh_tokens};
use crate::{new_id, time, DbConnection, StoreResult};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens, treat_none_as_default_value = false)]
pub struct RefreshRow {
    pub id: String,
    pub family_id: String,
    pub workspace_id: String,
    pub user_id: String,
    pub token_hash: String,
    pub expires_at: i64,
    pub created_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub fn insert_refresh(conn: &mut DbConnection, row: &RefreshRow) -> StoreResult<()> {
    diesel::insert_into(refresh_tokens::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_refresh(conn: &mut DbConnection, hash: &str) -> StoreResult<Option<RefreshRow>> {
    Ok(refresh_tokens::table.filter(refresh_tokens::token_hash.eq(hash)).select(RefreshRow::as_select()).first(conn).optional()?)
}

/// Marks a refresh token used; false when it already was (a replay).
pub fn consume_refresh(conn: &mut DbConnection, id: &str) -> StoreResult<bool> {
    let n = diesel::update(refresh_tokens::table.filter(refresh_tokens::id.eq(id)).filter(refresh_tokens::used_at.is_null()))
        .set(refresh_tokens::used_at.eq(time::now_micros()))
        .execute(conn)?;
    Ok(n == 1)
}

/// Revokes every token of a sign-in session (after logout or a detected replay).
pub fn revoke_family(conn: &mut DbConnection, family_id: &str) -> StoreResult<()> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family_id)).filter(refresh_tokens::revoked_at.is_null()))
        .set(refresh_tokens::revoked_at.eq(time::now_micros()))
        .execute(conn)?;
    Ok(())
}

pub fn record_login_failure(conn: &mut DbConnection, email: &str, ip: &str) -> StoreResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(new_id()),
            login_failures::email.eq(email.trim().to_lowercase()),
            login_failures::ip.eq(ip),
            login_failures::at.eq(time::now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Failed attempts since `since` for this email and for this address, and the oldest of them.
pub fn recent_failures(conn: &mut DbConnection, email: &str, ip: &str, since: i64) -> StoreResult<(i64, i64, Option<i64>)> {
    let email = email.trim().to_lowercase();
    let by_email: i64 =
        login_failures::table.filter(login_failures::email.eq(&email)).filter(login_failures::at.ge(since)).count().get_result(conn)?;
    let by_ip: i64 =
        login_failures::table.filter(login_failures::ip.eq(ip)).filter(login_failures::at.ge(since)).count().get_result(conn)?;
    let oldest: Option<i64> = login_failures::table
        .filter(login_failures::email.eq(&email).or(login_failures::ip.eq(ip)))
        .filter(login_failures::at.ge(since))
        .select(diesel::dsl::min(login_failures::at))
        .first(conn)?;
    Ok((by_email, by_ip, oldest))
}

pub fn clear_failures(conn: &mut DbConnection, email: &str) -> StoreResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::email.eq(email.trim().to_lowercase()))).execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys, treat_none_as_default_value = false)]
pub struct ApiKeyRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub role: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub fn insert_api_key(conn: &mut DbConnection, row: &ApiKeyRow) -> StoreResult<()> {
    diesel::insert_into(api_keys::table).values(row).execute(conn)?;
    Ok(())
}

pub fn list_api_keys(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<ApiKeyRow>> {
    Ok(api_keys::table
        .filter(api_keys::workspace_id.eq(ws))
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .select(ApiKeyRow::as_select())
        .load(conn)?)
}

pub fn find_api_key(conn: &mut DbConnection, hash: &str) -> StoreResult<Option<ApiKeyRow>> {
    Ok(api_keys::table.filter(api_keys::key_hash.eq(hash)).select(ApiKeyRow::as_select()).first(conn).optional()?)
}

/// Revokes a key of the workspace; false when there is no such key.
pub fn revoke_api_key(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Option<ApiKeyRow>> {
    let now = time::now_micros();
    diesel::update(
        api_keys::table.filter(api_keys::workspace_id.eq(ws)).filter(api_keys::id.eq(id)).filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)?;
    Ok(api_keys::table
        .filter(api_keys::workspace_id.eq(ws))
        .filter(api_keys::id.eq(id))
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records use of a key, at most once a minute per key so reads stay reads.
pub fn touch_api_key(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    let now = time::now_micros();
    diesel::update(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::last_used_at.is_null().or(api_keys::last_used_at.lt(now - 60_000_000))),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)?;
    Ok(())
}
