//! Outgoing mail: the workspace's SMTP settings, its email templates, and the record of an
//! email sent (an outbound email activity plus its Message-ID, so replies thread onto it).

use crate::error::check_version;
use crate::schema::{email_settings, email_templates};
use crate::{new_id, DbConnection, StoreError, StoreResult};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = email_settings, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct SettingsRow {
    pub workspace_id: String,
    pub host: String,
    pub port: i64,
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: Option<String>,
    pub version: i64,
    pub updated_at: i64,
}

pub fn settings(conn: &mut DbConnection, ws: &str) -> StoreResult<Option<SettingsRow>> {
    Ok(email_settings::table.filter(email_settings::workspace_id.eq(ws)).select(SettingsRow::as_select()).first(conn).optional()?)
}

/// Saves the settings; `password` `None` keeps the stored one. `expected` is the version the
/// caller saw (0: none saved yet).
pub fn save_settings(
    conn: &mut DbConnection,
    mut row: SettingsRow,
    keep_password: bool,
    expected: Option<i64>,
) -> StoreResult<SettingsRow> {
    let current = settings(conn, &row.workspace_id)?;
    check_version(current.as_ref().map_or(0, |c| c.version), expected)?;
    match current {
        None => {
            row.version = 1;
            diesel::insert_into(email_settings::table).values(&row).execute(conn)?;
        }
        Some(c) => {
            if keep_password {
                row.password = c.password;
            }
            row.version = c.version + 1;
            let n = diesel::update(
                email_settings::table
                    .filter(email_settings::workspace_id.eq(&row.workspace_id))
                    .filter(email_settings::version.eq(c.version)),
            )
            .set(&row)
            .execute(conn)?;
            if n == 0 {
                return Err(StoreError::PreconditionFailed { expected: c.version, current: c.version + 1 });
            }
        }
    }
    Ok(row)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = email_templates, treat_none_as_default_value = false)]
pub struct TemplateRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn templates(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<TemplateRow>> {
    Ok(email_templates::table
        .filter(email_templates::workspace_id.eq(ws))
        .order((email_templates::name.asc(), email_templates::id.asc()))
        .select(TemplateRow::as_select())
        .load(conn)?)
}

pub fn template(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<TemplateRow> {
    email_templates::table
        .filter(email_templates::workspace_id.eq(ws))
        .filter(email_templates::id.eq(id))
        .select(TemplateRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

fn duplicate_name(e: diesel::result::Error) -> StoreError {
    let e = StoreError::from(e);
    if e.is_unique_violation() {
        StoreError::Conflict { code: "duplicate_name", message: "another template has this name".into(), field: Some("name".into()) }
    } else {
        e
    }
}

pub fn create_template(conn: &mut DbConnection, ws: &str, name: &str, subject: &str, body: &str, now: i64) -> StoreResult<TemplateRow> {
    let row = TemplateRow {
        id: new_id(),
        workspace_id: ws.to_owned(),
        name: name.to_owned(),
        subject: subject.to_owned(),
        body: body.to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(email_templates::table).values(&row).execute(conn).map_err(duplicate_name)?;
    Ok(row)
}

#[allow(clippy::too_many_arguments)]
pub fn update_template(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    name: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> StoreResult<TemplateRow> {
    let mut row = template(conn, ws, id)?;
    check_version(row.version, expected)?;
    if (row.name.as_str(), row.subject.as_str(), row.body.as_str()) == (name, subject, body) {
        return Ok(row);
    }
    let version = row.version;
    (row.name, row.subject, row.body, row.version, row.updated_at) =
        (name.to_owned(), subject.to_owned(), body.to_owned(), version + 1, now);
    let n = diesel::update(email_templates::table.filter(email_templates::id.eq(id)).filter(email_templates::version.eq(version)))
        .set(&row)
        .execute(conn)
        .map_err(duplicate_name)?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected: version, current: version + 1 });
    }
    Ok(row)
}

pub fn delete_template(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<()> {
    let n = diesel::delete(email_templates::table.filter(email_templates::workspace_id.eq(ws)).filter(email_templates::id.eq(id)))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
