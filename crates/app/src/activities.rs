//! Activities: calls, emails, meetings, notes and visits on every channel, on the shared record
//! use cases ([`crate::records`]). Their repository keeps their timeline items and the
//! notifications of those they mention in step, and an outbound one on a case records the
//! case's first response in the caller's name.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::records::{Kind, Written};
use crate::uow::{Event, UnitOfWork};
use crm_domain::access::Entity;
use crm_domain::operations::ActivityDraft;
use crm_store::activities::{self as repo, ActivityFilter, ActivityRow};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::notifications::{self, Notice};
use crm_store::reach::Reach;
use crm_store::record::Actor;
use crm_store::{DbConnection, StoreResult};

/// The activities kind of record.
#[derive(Debug)]
pub struct Activities;

impl Kind for Activities {
    const ENTITY: Entity = Entity::Activity;
    type Row = ActivityRow;
    type Read = ActivityRow;
    type Draft = ActivityDraft;
    type Filter = ActivityFilter;

    crate::stored_in!(crm_store::activities);
    fn custom(row: &ActivityRow) -> Option<&str> {
        Some(&row.custom)
    }

    fn row(read: &ActivityRow) -> &ActivityRow {
        read
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &ActivityDraft) -> StoreResult<ActivityRow> {
        repo::insert(conn, uow.workspace(), draft, uow.now())
    }
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        reach: &Reach,
        filter: ActivityFilter,
        page: &PageSpec,
    ) -> AppResult<PageOf<ActivityRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
    fn after_write(conn: &mut DbConnection, uow: &mut UnitOfWork, written: Written<'_, ActivityRow>) -> AppResult<()> {
        let (before, after) = match written {
            Written::Created(after) => {
                if let Some(case_id) = repo::answers_case(after) {
                    crate::cases::answer(conn, uow, case_id, after.occurred_at.min(after.created_at))?;
                }
                (None, after)
            }
            Written::Changed { before, after } => (Some(before), after),
            Written::TrashMoved(after) => {
                uow.record(Event::ActivityWritten { before: None, after: Box::new(after.clone()), mentions: false });
                return Ok(());
            }
        };
        uow.record(Event::ActivityWritten { before: before.cloned().map(Box::new), after: Box::new(after.clone()), mentions: true });
        Ok(())
    }
}

/// Tells the people newly @mentioned in an activity (its subject or body), about the record
/// it is on: its deal, else case, company, first contact or lead.
pub(crate) fn tell_mentioned(
    conn: &mut DbConnection,
    ws: &str,
    row: &ActivityRow,
    before: Option<&ActivityRow>,
    actor: &Actor,
    at: i64,
) -> StoreResult<()> {
    let text = |r: &ActivityRow| format!("{}\n{}", r.subject, r.body.as_deref().unwrap_or(""));
    let old = before.map(|b| notifications::mentions(&text(b))).unwrap_or_default();
    let new: Vec<(&'static str, String)> = notifications::mentions(&text(row)).into_iter().filter(|m| !old.contains(m)).collect();
    if new.is_empty() {
        return Ok(());
    }
    let contacts: Vec<String> = serde_json::from_str(&row.contacts).unwrap_or_default();
    let subject = (row.deal_id.as_deref().map(|d| ("deal", d)))
        .or(row.case_id.as_deref().map(|c| ("case", c)))
        .or(row.company_id.as_deref().map(|c| ("company", c)))
        .or(contacts.first().map(|c| ("contact", c.as_str())))
        .or(row.lead_id.as_deref().map(|l| ("lead", l)));
    let Some((subject_type, subject_id)) = subject else { return Ok(()) };
    let users = notifications::mentioned_users(conn, ws, &new)?;
    let n =
        Notice { kind: "mentioned", subject_type, subject_id, detail: Some(&row.subject), source: Some(("activity", &row.id)), actor, at };
    crate::notify::notify(conn, ws, &users, &n)?;
    Ok(())
}
