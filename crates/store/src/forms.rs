//! Public web forms that create leads, and the submission log that rate-limits them.

use crate::schema::{form_submissions, web_forms};
use crate::{new_id, DbConnection, StoreError, StoreResult};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = web_forms, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct WebFormRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub form_key: String,
    pub source: String,
    pub owner_id: Option<String>,
    pub active: i32,
    pub max_per_hour: i64,
    pub submissions: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn list(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<WebFormRow>> {
    Ok(web_forms::table
        .filter(web_forms::workspace_id.eq(ws))
        .order((web_forms::created_at.asc(), web_forms::id.asc()))
        .select(WebFormRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<WebFormRow> {
    web_forms::table
        .filter(web_forms::workspace_id.eq(ws))
        .filter(web_forms::id.eq(id))
        .select(WebFormRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

pub fn by_key(conn: &mut DbConnection, key: &str) -> StoreResult<Option<WebFormRow>> {
    Ok(web_forms::table.filter(web_forms::form_key.eq(key)).select(WebFormRow::as_select()).first(conn).optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &WebFormRow) -> StoreResult<()> {
    if let Some(o) = &row.owner_id {
        crate::record::refs::require_member(conn, &row.workspace_id, o, "owner_id")?;
    }
    diesel::insert_into(web_forms::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes a changed form if nobody changed it in between.
pub fn replace(conn: &mut DbConnection, old: &WebFormRow, new: &WebFormRow) -> StoreResult<()> {
    if new.owner_id != old.owner_id {
        if let Some(o) = &new.owner_id {
            crate::record::refs::require_member(conn, &new.workspace_id, o, "owner_id")?;
        }
    }
    let n = diesel::update(web_forms::table.filter(web_forms::id.eq(&old.id)).filter(web_forms::version.eq(old.version)))
        .set(new)
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected: old.version, current: old.version + 1 });
    }
    Ok(())
}

/// Logs a submission from `client` (`accepted`: not spam) at `now`, unless the client is over
/// the form's hourly limit: then nothing is logged and the answer is how many seconds to wait.
/// Spam counts towards the limit.
pub fn admit(conn: &mut DbConnection, form: &WebFormRow, client: &str, accepted: bool, now: i64) -> StoreResult<Option<i64>> {
    let hour = 3_600_000_000;
    let recent: Vec<i64> = form_submissions::table
        .filter(form_submissions::form_id.eq(&form.id))
        .filter(form_submissions::client.eq(client))
        .filter(form_submissions::at.gt(now - hour))
        .order(form_submissions::at.asc())
        .select(form_submissions::at)
        .limit(form.max_per_hour)
        .load(conn)?;
    if recent.len() as i64 >= form.max_per_hour {
        let oldest = recent.first().copied().unwrap_or(now);
        return Ok(Some(((oldest + hour - now) / 1_000_000).max(1)));
    }
    diesel::insert_into(form_submissions::table)
        .values((
            form_submissions::id.eq(new_id()),
            form_submissions::form_id.eq(&form.id),
            form_submissions::client.eq(client),
            form_submissions::outcome.eq(if accepted { "accepted" } else { "spam" }),
            form_submissions::at.eq(now),
        ))
        .execute(conn)?;
    // The log only needs the last hour.
    diesel::delete(form_submissions::table.filter(form_submissions::form_id.eq(&form.id)).filter(form_submissions::at.lt(now - 2 * hour)))
        .execute(conn)?;
    if accepted {
        diesel::update(web_forms::table.filter(web_forms::id.eq(&form.id)))
            .set(web_forms::submissions.eq(web_forms::submissions + 1))
            .execute(conn)?;
    }
    Ok(None)
}
