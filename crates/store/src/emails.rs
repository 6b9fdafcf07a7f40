//! Emails by Message-ID: an inbound email becomes an email activity on the sender's contact,
//! and a reply joins its thread (In-Reply-To, then References), carrying the thread's deal
//! and case along, so a customer's answer lands where the conversation is.

use crate::schema::{activities, email_messages};
use crate::{DbConnection, StoreError, StoreResult};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_messages, treat_none_as_default_value = false)]
pub struct EmailRow {
    pub workspace_id: String,
    pub message_id: String,
    pub activity_id: String,
    pub thread_id: String,
    pub in_reply_to: Option<String>,
    pub direction: String,
    pub from_address: String,
    pub received_at: i64,
}

/// A Message-ID without its angle brackets and surrounding space, or `None` when empty.
pub fn normalise_id(raw: &str) -> Option<String> {
    let id = raw.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty()).then(|| id.to_owned())
}

/// The email already logged with this Message-ID.
pub fn find(conn: &mut DbConnection, ws: &str, message_id: &str) -> StoreResult<Option<EmailRow>> {
    Ok(email_messages::table
        .filter(email_messages::workspace_id.eq(ws))
        .filter(email_messages::message_id.eq(message_id))
        .select(EmailRow::as_select())
        .first(conn)
        .optional()?)
}

/// The email a new one answers, when its activity is live: the first of `in_reply_to`, then
/// `references` from the newest, that we know.
pub fn parent(conn: &mut DbConnection, ws: &str, in_reply_to: Option<&str>, references: &[String]) -> StoreResult<Option<EmailRow>> {
    let candidates = in_reply_to.into_iter().map(str::to_owned).chain(references.iter().rev().cloned());
    for id in candidates {
        let live = activities::table
            .filter(activities::workspace_id.eq(ws))
            .filter(activities::id.eq(email_messages::activity_id))
            .filter(activities::deleted_at.is_null());
        let found: Option<EmailRow> = email_messages::table
            .filter(email_messages::workspace_id.eq(ws))
            .filter(email_messages::message_id.eq(&id))
            .filter(diesel::dsl::exists(live))
            .select(EmailRow::as_select())
            .first(conn)
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Logs an email's message under the activity it became: fails with `duplicate_email` when
/// its Message-ID was logged meanwhile.
pub fn insert(conn: &mut DbConnection, row: &EmailRow) -> StoreResult<()> {
    diesel::insert_into(email_messages::table).values(row).execute(conn).map_err(|err| {
        let err = StoreError::from(err);
        if err.is_unique_violation() {
            StoreError::Conflict {
                code: "duplicate_email",
                message: "this Message-ID was received already".into(),
                field: Some("message_id".into()),
            }
        } else {
            err
        }
    })?;
    Ok(())
}

/// The emails of a thread, oldest first.
pub fn thread(conn: &mut DbConnection, ws: &str, thread_id: &str) -> StoreResult<Vec<EmailRow>> {
    Ok(email_messages::table
        .filter(email_messages::workspace_id.eq(ws))
        .filter(email_messages::thread_id.eq(thread_id))
        .order((email_messages::received_at.asc(), email_messages::message_id.asc()))
        .select(EmailRow::as_select())
        .load(conn)?)
}
