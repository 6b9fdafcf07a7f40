//! `POST /api/v1/events`: events other systems saw a customer do, placed on the customer's
//! timeline once per source and event id.

use crate::auth::Principal;
use crate::convert;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::routes::timeline::visible;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use crm_api_types::{InboundEvent, InboundReceipt, Problem};
use crm_domain::{Email, FieldError, Phone, ValidationErrors};
use crm_store::inbound::{self as repo, InboundRow};
use crm_store::time::{now_micros, to_micros};
use serde_json::json;

/// Largest `properties`, serialised.
const MAX_PROPERTIES: usize = 16 * 1024;

fn word(s: &str, max: usize, first: impl Fn(char) -> bool, rest: impl Fn(char) -> bool) -> bool {
    let mut chars = s.chars();
    s.len() <= max && chars.next().is_some_and(first) && chars.all(rest)
}

/// Field-level checks that need no database.
fn check(e: &InboundEvent, now: i64) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if e.id.trim().is_empty() || e.id.chars().count() > 200 || e.id.chars().any(char::is_control) {
        errors.push(FieldError::new("id", "invalid_event_id", "1 to 200 printable characters, unique per source"));
    }
    let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !word(&e.source, 64, lower, |c| lower(c) || matches!(c, '-' | '_' | '.')) {
        errors.push(FieldError::new("source", "invalid_source", "lower-case letters, digits, - _ . (at most 64), e.g. shop"));
    }
    if !word(&e.event_type, 64, |c| c.is_ascii_lowercase(), |c| lower(c) || matches!(c, '_' | '.')) {
        errors.push(FieldError::new("type", "invalid_type", "a lower-case name such as order_placed or page_visited"));
    }
    if e.occurred_at.is_some_and(|t| to_micros(t) > now + 24 * 3600 * 1_000_000) {
        errors.push(FieldError::new("occurred_at", "in_future", "more than a day ahead; send the time it happened, in UTC"));
    }
    let c = &e.customer;
    if c.contact_id.is_none() && c.email.is_none() && c.phone.is_none() {
        errors.push(FieldError::new("customer", "required", "give contact_id, email or phone"));
    }
    if let Some(email) = &c.email {
        if let Err(err) = Email::parse("customer.email", email) {
            errors.push(err);
        }
    }
    if e.title.as_ref().is_some_and(|t| t.chars().count() > 200) {
        errors.push(FieldError::new("title", "too_long", "at most 200 characters"));
    }
    if e.properties.as_ref().is_some_and(|p| serde_json::to_string(p).map_or(0, |s| s.len()) > MAX_PROPERTIES) {
        errors.push(FieldError::new("properties", "too_large", "at most 16 KiB of JSON"));
    }
    errors.finish(|| ())
}

fn not_matched() -> ApiError {
    ApiError::field(
        StatusCode::UNPROCESSABLE_ENTITY,
        "customer_not_found",
        "customer",
        "no contact you may see has this id, email or phone; create the contact first, then send the event again",
    )
}

/// The contact (and its company) the event is about.
fn customer(c: &mut crm_store::DbConnection, who: &Principal, e: &InboundEvent) -> ApiResult<(String, Option<String>)> {
    let ws = who.workspace_id.as_str();
    let mut id = e.customer.contact_id.clone();
    if id.is_none() {
        let email = e.customer.email.as_deref().and_then(|m| Email::parse("customer.email", m).ok()).map(|m| m.key());
        let phone = match &e.customer.phone {
            Some(raw) => {
                Some(Phone::parse("customer.phone", raw, convert::region(c, ws)?).map_err(|err| ApiError::validation(err.into()))?)
            }
            None => None,
        };
        id = crm_store::contacts::live_by_points(c, ws, &[("email", email.as_deref()), ("phone", phone.as_ref().map(Phone::as_str))])?;
    }
    let Some(id) = id else { return Err(not_matched()) };
    let found = repo::live_contact(c, ws, &id)?.ok_or_else(not_matched)?;
    visible(c, who, "contact", &id).map_err(|e| if e.status == StatusCode::NOT_FOUND { not_matched() } else { e })?;
    Ok(found)
}

fn receipt(row: &InboundRow, duplicate: bool) -> InboundReceipt {
    InboundReceipt { id: row.id.clone(), contact_id: row.contact_id.clone(), company_id: row.company_id.clone(), duplicate }
}

/// Report something a customer did elsewhere: an order placed in a shop, a page visited, a
/// form submitted, an email opened, clicked or replied to. It lands on the contact's (and its
/// company's) timeline as an `event` item. The same `source` + `id` again answers 200 with
/// `duplicate: true` and changes nothing.
#[utoipa::path(
    tag = "timeline",
    operation_id = "ingest_event",
    request_body(content = InboundEvent, example = json!({
        "id": "evt_8Jd2", "source": "shop", "type": "order_placed", "occurred_at": "2026-11-20T09:30:00Z",
        "customer": {"email": "sara@example.com"}, "title": "Order #1043 · 2 items",
        "properties": {"order_number": "1043", "total": "129.00", "currency": "EUR"}
    })),
    responses(
        (status = 201, description = "Placed on the customer's timeline", body = InboundReceipt),
        (status = 200, description = "Already received; nothing changed", body = InboundReceipt),
        (status = 403, description = "A read-only role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no visible contact matches (`customer_not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/events")]
pub async fn ingest_event(state: web::Data<AppState>, who: Principal, body: Json<InboundEvent>) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let e = body.value;
    let now = now_micros();
    check(&e, now).map_err(ApiError::validation)?;
    let (source, event_id, ws) = (e.source.clone(), e.id.clone(), who.workspace_id.clone());
    let actor = who.actor();
    let result = state
        .tx(move |c| {
            if let Some(row) = repo::find(c, &who.workspace_id, &e.source, &e.id)? {
                return Ok((receipt(&row, true), false));
            }
            let (contact_id, company_id) = customer(c, &who, &e)?;
            let row = InboundRow {
                workspace_id: who.workspace_id.clone(),
                source: e.source.clone(),
                event_id: e.id.clone(),
                id: crm_store::new_id(),
                event_type: e.event_type.clone(),
                contact_id,
                company_id,
                occurred_at: e.occurred_at.map(to_micros).unwrap_or(now),
                received_at: now,
                body: serde_json::to_string(&e).unwrap_or_default(),
            };
            let data = json!({
                "type": e.event_type, "source": e.source, "event_id": e.id,
                "title": e.title, "properties": e.properties,
            });
            crm_app::inbound::record(c, &row, &actor, data)?;
            Ok((receipt(&row, false), true))
        })
        .await;
    let (receipt, created) = match result {
        Ok(r) => r,
        // The same event sent twice at once: the other request stored it.
        Err(err) if err.status == StatusCode::CONFLICT => {
            let row = state.db(move |c| Ok(repo::find(c, &ws, &source, &event_id)?)).await?.ok_or(err)?;
            (receipt(&row, true), false)
        }
        Err(err) => return Err(err),
    };
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(HttpResponse::build(status).json(receipt))
}
