//! Email as activities: an email a customer sent, or one sent to them, is an email activity
//! (on the contact, and the company, deal and case of its conversation) with its Message-ID
//! beside it, so a reply joins the thread (In-Reply-To, then References) and carries the
//! thread's deal and case along.

use crate::activities::Activities;
use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::create_with;
use crate::uow::UnitOfWork;
use crm_domain::access::Entity;
use crm_domain::operations::{ActivityDraft, ActivityKind, Direction};
use crm_store::activities::ActivityRow;
use crm_store::emails::{self as repo, EmailRow};
use crm_store::DbConnection;

/// An email a customer sent, once its sender is matched.
#[derive(Debug)]
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

/// An email that left through SMTP, to be logged.
#[derive(Debug)]
pub struct Sent<'a> {
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    /// The thread it joins (the answered email's), else its own Message-ID.
    pub thread_id: &'a str,
    pub from_address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub contact_id: &'a str,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub case_id: Option<String>,
    pub owner_id: Option<String>,
}

/// The email a new one answers and its activity, when both are live: the first of
/// `in_reply_to`, then `references` from the newest, that we know.
pub fn parent(
    conn: &mut DbConnection,
    ws: &str,
    in_reply_to: Option<&str>,
    references: &[String],
) -> AppResult<Option<(EmailRow, ActivityRow)>> {
    let Some(row) = repo::parent(conn, ws, in_reply_to, references)? else { return Ok(None) };
    let activity = crm_store::activities::get(conn, ws, &row.activity_id)?;
    Ok(Some((row, activity)))
}

/// Logs an email a customer sent as an inbound email activity, threaded under `parent` when it
/// answers one we know (taking the thread's deal, case, company and owner; the sender's
/// contact, else the thread's), in the caller's transaction. The activity belongs to the
/// conversation's owner, so the workspace's mailbox (`mailbox`: the workspace's system, signed
/// by whoever posted the email) writes it. Fails with `duplicate_email` when the Message-ID was
/// logged meanwhile.
pub fn receive(
    conn: &mut DbConnection,
    mailbox: &Caller,
    e: &Inbound<'_>,
    parent: Option<&(EmailRow, ActivityRow)>,
    now: i64,
) -> AppResult<(EmailRow, ActivityRow)> {
    let ws = mailbox.workspace();
    let thread_contacts: Vec<String> = parent.map(|(_, a)| serde_json::from_str(&a.contacts).unwrap_or_default()).unwrap_or_default();
    let (contact_ids, company_id) = match &e.contact {
        Some((id, company)) => (vec![id.clone()], company.clone().or_else(|| parent.and_then(|(_, a)| a.company_id.clone()))),
        None => (thread_contacts, parent.and_then(|(_, a)| a.company_id.clone())),
    };
    let owner_id = match parent {
        Some((_, a)) => a.owner_id.clone(),
        None => match &e.contact {
            Some((id, _)) => crm_store::contacts::get(conn, ws, id)?.0.owner_id,
            None => None,
        },
    };
    let draft = ActivityDraft {
        custom: None,
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
    let thread_id = parent.map_or_else(|| e.message_id.to_owned(), |(p, _)| p.thread_id.clone());
    let message =
        Message { message_id: e.message_id, in_reply_to: e.in_reply_to, thread_id, from_address: e.from_address, direction: "inbound" };
    log(conn, mailbox, draft, message, now)
}

/// Logs an email that was sent as an outbound email activity on its contact (and company, deal,
/// case), with its Message-ID so a reply joins the thread, in the caller's transaction.
/// Answering a case counts as its first response. The email has left already, so the mailbox
/// (`mailbox`: the workspace's system, signed by the sender) logs it whatever the sender's
/// role may create.
pub fn log_sent(conn: &mut DbConnection, mailbox: &Caller, e: &Sent<'_>, now: i64) -> AppResult<(EmailRow, ActivityRow)> {
    let draft = ActivityDraft {
        custom: None,
        kind: ActivityKind::Email,
        direction: Some(Direction::Outbound),
        subject: e.subject.to_owned(),
        body: Some(e.body.to_owned()).filter(|b| !b.is_empty()),
        occurred_at: now,
        duration_seconds: None,
        outcome: Some("sent".into()),
        owner_id: e.owner_id.clone(),
        company_id: e.company_id.clone(),
        deal_id: e.deal_id.clone(),
        case_id: e.case_id.clone(),
        lead_id: None,
        contact_ids: vec![e.contact_id.to_owned()],
        user_ids: Vec::new(),
    };
    let message = Message {
        message_id: e.message_id,
        in_reply_to: e.in_reply_to,
        thread_id: e.thread_id.to_owned(),
        from_address: e.from_address,
        direction: "outbound",
    };
    log(conn, mailbox, draft, message, now)
}

/// The message an email activity carries.
struct Message<'a> {
    message_id: &'a str,
    in_reply_to: Option<&'a str>,
    thread_id: String,
    from_address: &'a str,
    /// `inbound` or `outbound`.
    direction: &'static str,
}

/// Writes an email's activity and its message, both at `now`, in one unit of work.
fn log(
    conn: &mut DbConnection,
    mailbox: &Caller,
    mut draft: ActivityDraft,
    m: Message<'_>,
    now: i64,
) -> AppResult<(EmailRow, ActivityRow)> {
    draft.custom = crate::custom::defaults(conn, mailbox.workspace(), Entity::Activity)?;
    let mut uow = UnitOfWork::at(mailbox, now);
    let activity = create_with::<Activities>(conn, mailbox, &mut uow, draft)?;
    let row = EmailRow {
        workspace_id: mailbox.workspace().to_owned(),
        message_id: m.message_id.to_owned(),
        activity_id: activity.id.clone(),
        thread_id: m.thread_id,
        in_reply_to: m.in_reply_to.map(str::to_owned),
        direction: m.direction.into(),
        from_address: m.from_address.to_owned(),
        received_at: now,
    };
    repo::insert(conn, &row)?;
    uow.commit(conn)?;
    Ok((row, activity))
}
