//! Web forms: a form on the workspace's site turns a visitor's submission into a lead, at most
//! as many an hour from one address as the form allows.

use crate::caller::Caller;
use crate::error::AppResult;
use crate::leads::Leads;
use crate::records::created_in;
use crate::uow::UnitOfWork;
use crm_domain::operations::LeadDraft;
use crm_store::forms::{self as repo, WebFormRow};
use crm_store::record::Actor;
use crm_store::{time, DbConnection};

/// What became of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A lead was created.
    Accepted(String),
    /// The honeypot was filled: answered like success, nothing stored.
    Spam,
    /// Over the form's hourly limit for this client; retry after this many seconds.
    Limited(i64),
}

/// Takes a submission from `client` in the caller's transaction: unless it is over the hourly
/// limit it is logged, and unless it is spam (`lead` none) its lead is created with the form
/// as its source, signed by the form and written as the workspace's system. Spam counts
/// towards the limit.
pub fn submit(conn: &mut DbConnection, form: &WebFormRow, client: &str, lead: Option<&LeadDraft>) -> AppResult<Outcome> {
    let now = time::now_micros();
    if let Some(wait) = repo::admit(conn, form, client, lead.is_some(), now)? {
        return Ok(Outcome::Limited(wait));
    }
    let Some(draft) = lead else { return Ok(Outcome::Spam) };
    let actor = Actor { kind: "web_form", id: Some(form.id.clone()), name: Some(form.name.clone()) };
    let mut uow = UnitOfWork::at(&Caller::system(form.workspace_id.clone(), actor), now);
    let row = crate::leads::insert(conn, &mut uow, draft, Some(form.id.clone()))?;
    created_in::<Leads>(conn, &mut uow, &row)?;
    uow.commit(conn)?;
    Ok(Outcome::Accepted(row.id))
}
