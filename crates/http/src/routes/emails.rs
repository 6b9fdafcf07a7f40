//! `POST /api/v1/emails/inbound`: emails from a mail provider's inbound hook, logged on the
//! sender's contact and threaded by Message-ID.

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::json::BulkJson;
use crate::routes::timeline::visible;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use crm_api_types::{html_to_text, InboundEmail, InboundEmailReceipt, Problem};
use crm_app::emails::Inbound;
use crm_app::Caller;
use crm_domain::{Email, FieldError, ValidationErrors};
use crm_store::emails::{self as repo, EmailRow};
use crm_store::time::{now_micros, to_micros};

/// Largest plain-text body.
const MAX_TEXT: usize = 256 * 1024;
/// Largest HTML body.
const MAX_HTML: usize = 1024 * 1024;

/// The checked parts of an inbound email: Message-ID, In-Reply-To, References, sender, body.
type Checked = (String, Option<String>, Vec<String>, Email, Option<String>);

fn check(e: &InboundEmail, now: i64) -> Result<Checked, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let printable = |s: &str| s.len() <= 998 && !s.chars().any(char::is_control);
    let message_id = repo::normalise_id(&e.message_id).filter(|m| printable(m));
    if message_id.is_none() {
        errs.push(FieldError::new("message_id", "invalid_message_id", "the Message-ID header, 1 to 998 printable characters"));
    }
    let from = Email::parse("from.address", &e.from.address).map_err(|err| errs.push(err)).ok();
    if e.subject.as_ref().is_some_and(|s| s.chars().count() > 500) {
        errs.push(FieldError::new("subject", "too_long", "at most 500 characters"));
    }
    if e.text.as_ref().is_some_and(|t| t.len() > MAX_TEXT) {
        errs.push(FieldError::new("text", "too_large", "at most 256 KiB of text; keep the rest in your mail system"));
    }
    if e.html.as_ref().is_some_and(|t| t.len() > MAX_HTML) {
        errs.push(FieldError::new("html", "too_large", "at most 1 MiB of HTML"));
    }
    if e.references.len() > 100 {
        errs.push(FieldError::new("references", "too_many", "at most 100 Message-IDs"));
    }
    if e.date.is_some_and(|t| to_micros(t) > now + 24 * 3600 * 1_000_000) {
        errs.push(FieldError::new("date", "in_future", "more than a day ahead"));
    }
    let in_reply_to = e.in_reply_to.as_deref().and_then(repo::normalise_id);
    let references = e.references.iter().filter_map(|r| repo::normalise_id(r)).collect();
    let body = match (&e.text, &e.html) {
        (Some(t), _) if !t.trim().is_empty() => Some(t.trim().to_owned()),
        (_, Some(h)) => Some(html_to_text(h)).filter(|t| !t.is_empty()),
        _ => None,
    };
    match (message_id, from) {
        (Some(m), Some(f)) if errs.is_empty() => Ok((m, in_reply_to, references, f, body)),
        _ => Err(errs),
    }
}

fn receipt(row: &EmailRow, a: &crm_store::activities::ActivityRow, duplicate: bool) -> InboundEmailReceipt {
    InboundEmailReceipt {
        activity_id: row.activity_id.clone(),
        thread_id: row.thread_id.clone(),
        contact_ids: serde_json::from_str(&a.contacts).unwrap_or_default(),
        company_id: a.company_id.clone(),
        deal_id: a.deal_id.clone(),
        case_id: a.case_id.clone(),
        duplicate,
    }
}

/// The receipt of an email logged before.
fn earlier(c: &mut crm_store::DbConnection, ws: &str, message_id: &str) -> ApiResult<Option<InboundEmailReceipt>> {
    let Some(row) = repo::find(c, ws, message_id)? else { return Ok(None) };
    let a = crm_store::activities::get(c, ws, &row.activity_id)?;
    Ok(Some(receipt(&row, &a, true)))
}

/// Log an email a customer sent: what a mail provider's inbound hook posts, parsed. It becomes
/// an inbound `email` activity on the contact with the sender's address (and its company). A
/// reply (In-Reply-To or References naming an email logged before) joins that conversation:
/// same thread, and the thread's deal and case, even when sent from an address we do not know.
/// The same Message-ID again answers 200 with `duplicate: true` and changes nothing.
#[utoipa::path(
    tag = "activities",
    operation_id = "receive_email",
    request_body(content = InboundEmail, example = json!({
        "message_id": "<CAF9x2@mail.example.com>", "in_reply_to": "<quote-1043@crm.example>",
        "from": {"address": "sara@example.com", "name": "Sara Karimi"}, "to": [{"address": "sales@ourco.example"}],
        "subject": "Re: Your quote", "text": "Thanks, the numbers work for us. Can we start on the 1st?",
        "date": "2026-11-20T09:30:00Z"
    })),
    responses(
        (status = 201, description = "Logged", body = InboundEmailReceipt),
        (status = 200, description = "Received before; nothing changed", body = InboundEmailReceipt),
        (status = 403, description = "A read-only role", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The request is over 8 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (a body over its limit is `too_large`), or neither the sender nor the thread is known (`customer_not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/emails/inbound")]
pub async fn receive_email(state: web::Data<AppState>, who: Principal, body: BulkJson<InboundEmail>) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let e = body.0.value;
    let now = now_micros();
    let (message_id, in_reply_to, references, from, text) = check(&e, now).map_err(ApiError::validation)?;
    let (ws, id) = (who.workspace_id.clone(), message_id.clone());
    let actor = who.actor();
    let result = state
        .tx(move |c| {
            let ws = who.workspace_id.as_str();
            if let Some(r) = earlier(c, ws, &message_id)? {
                return Ok(r);
            }
            let key = from.key();
            let mut contact = None;
            if let Some(id) = crm_store::contacts::live_by_points(c, ws, &[("email", Some(key.as_str()))])? {
                if visible(c, &who, "contact", &id).is_ok() {
                    contact = crm_store::inbound::live_contact(c, ws, &id)?;
                }
            }
            let parent = crm_app::emails::parent(c, ws, in_reply_to.as_deref(), &references)?;
            if contact.is_none() && parent.is_none() {
                return Err(ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "customer_not_found",
                    "from.address",
                    "no contact you may see has this address and the email answers none we know; create the contact, then post it again",
                ));
            }
            let subject = e.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("(no subject)");
            let inbound = Inbound {
                message_id: &message_id,
                in_reply_to: in_reply_to.as_deref(),
                from_address: &key,
                subject,
                body: text,
                occurred_at: e.date.map(to_micros).unwrap_or(now),
                contact,
            };
            let mailbox = Caller::system(ws.to_owned(), actor);
            let (row, activity) = crm_app::emails::receive(c, &mailbox, &inbound, parent.as_ref(), now)?;
            Ok(receipt(&row, &activity, false))
        })
        .await;
    let receipt = match result {
        Ok(r) => r,
        // The same email posted twice at once: the other request logged it.
        Err(err) if err.status == StatusCode::CONFLICT => state.db(move |c| earlier(c, &ws, &id)).await?.ok_or(err)?,
        Err(err) => return Err(err),
    };
    let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok(HttpResponse::build(status).json(receipt))
}
