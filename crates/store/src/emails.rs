//! Emails by Message-ID: an inbound email becomes an email activity on the sender's contact,
//! and a reply joins its thread (In-Reply-To, then References), carrying the thread's deal
//! and case along, so a customer's answer lands where the conversation is.

use crate::activities::ActivityRow;
use crate::record::Actor;
use crate::schema::{activities, email_messages};
use crate::{DbConnection, StoreError, StoreResult};
use crm_domain::operations::{ActivityDraft, ActivityKind, Direction};
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

/// The thread an email answers, and the activity of the message it answers: the first of
/// `in_reply_to`, then `references` from the newest, that we know.
pub fn parent(
    conn: &mut DbConnection,
    ws: &str,
    in_reply_to: Option<&str>,
    references: &[String],
) -> StoreResult<Option<(EmailRow, ActivityRow)>> {
    let candidates = in_reply_to.into_iter().map(str::to_owned).chain(references.iter().rev().cloned());
    for id in candidates {
        if let Some(row) = find(conn, ws, &id)? {
            let activity: Option<ActivityRow> = activities::table
                .filter(activities::workspace_id.eq(ws))
                .filter(activities::id.eq(&row.activity_id))
                .filter(activities::deleted_at.is_null())
                .select(ActivityRow::as_select())
                .first(conn)
                .optional()?;
            if let Some(a) = activity {
                return Ok(Some((row, a)));
            }
        }
    }
    Ok(None)
}

/// What an inbound email is, once its sender is matched.
pub struct Inbound<'a> {
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub from_address: &'a str,
    pub subject: &'a str,
    pub body: Option<String>,
    pub occurred_at: i64,
    /// The sender's contact and its company, when matched by address.
    pub contact: Option<(String, Option<String>)>,
}

/// Logs an inbound email as an email activity, threaded under `parent` when it answers one we
/// know (taking the thread's deal, case, company and owner; the sender's contact, else the
/// thread's). Fails with `duplicate_email` when the Message-ID was logged meanwhile.
pub fn receive(
    conn: &mut DbConnection,
    ws: &str,
    e: &Inbound<'_>,
    parent: Option<&(EmailRow, ActivityRow)>,
    actor: &Actor,
    now: i64,
) -> StoreResult<(EmailRow, ActivityRow)> {
    let thread_contacts: Vec<String> = parent.map(|(_, a)| serde_json::from_str(&a.contacts).unwrap_or_default()).unwrap_or_default();
    let (contact_ids, company_id) = match &e.contact {
        Some((id, company)) => (vec![id.clone()], company.clone().or_else(|| parent.and_then(|(_, a)| a.company_id.clone()))),
        None => (thread_contacts, parent.and_then(|(_, a)| a.company_id.clone())),
    };
    let owner_id = match parent {
        Some((_, a)) => a.owner_id.clone(),
        None => match &e.contact {
            Some((id, _)) => crate::contacts::get(conn, ws, id)?.0.owner_id,
            None => None,
        },
    };
    let draft = ActivityDraft {
        kind: ActivityKind::Email,
        direction: Some(Direction::Inbound),
        subject: e.subject.to_owned(),
        body: e.body.clone(),
        occurred_at: e.occurred_at,
        duration_seconds: None,
        outcome: None,
        owner_id,
        company_id,
        deal_id: parent.and_then(|(_, a)| a.deal_id.clone()),
        case_id: parent.and_then(|(_, a)| a.case_id.clone()),
        lead_id: None,
        contact_ids,
        user_ids: Vec::new(),
    };
    let activity = crate::activities::create_at(conn, ws, &draft, actor, now)?;
    let row = EmailRow {
        workspace_id: ws.to_owned(),
        message_id: e.message_id.to_owned(),
        activity_id: activity.id.clone(),
        thread_id: parent.map_or_else(|| e.message_id.to_owned(), |(p, _)| p.thread_id.clone()),
        in_reply_to: e.in_reply_to.map(str::to_owned),
        direction: "inbound".into(),
        from_address: e.from_address.to_owned(),
        received_at: now,
    };
    diesel::insert_into(email_messages::table).values(&row).execute(conn).map_err(|err| {
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
    Ok((row, activity))
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
