//! `/api/v1/webhooks`: outbound webhook subscriptions (admins), their delivery log, replay and
//! a test ping.

use crate::auth::Principal;
use crate::conditional::{if_match_optional, with_etag};
use crate::convert::to_json;
use crate::delivery::refused_target;
use crate::error::{ApiError, ApiResult};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::routes::AuditParams;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{
    Page, Problem, Webhook, WebhookAttempt, WebhookCreate, WebhookDelivery, WebhookDeliveryDetail, WebhookPatch, WebhookWithSecret,
};
use crm_domain::{FieldError, ValidationErrors};
use crm_store::cursor::{Sort, SortField};
use crm_store::time::{now_micros, to_datetime};
use crm_store::webhooks::{self as repo, AttemptRow, DeliveryRow, WebhookRow};
use crm_store::StoreError;
use rand::RngCore;
use serde_json::{Map, Value};

fn not_found(what: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::NotFound => ApiError::not_found(what),
        other => other.into(),
    }
}

fn webhook(row: WebhookRow) -> Webhook {
    Webhook {
        events: row.patterns(),
        filter: row.filter_map(),
        secret_hint: row.secret.chars().take(10).collect(),
        id: row.id,
        url: row.url,
        description: row.description,
        enabled: row.enabled != 0,
        allow_private_target: row.allow_private != 0,
        failure_streak: row.failure_streak,
        disabled_reason: row.disabled_reason,
        created_at: to_datetime(row.created_at),
        updated_at: to_datetime(row.updated_at),
        version: row.version,
    }
}

fn delivery(row: DeliveryRow) -> WebhookDelivery {
    WebhookDelivery {
        next_attempt_at: (row.status == repo::PENDING).then(|| to_datetime(row.next_attempt_at)),
        id: row.id,
        webhook_id: row.webhook_id,
        event_id: row.event_id,
        event_type: row.event_type,
        status: row.status,
        attempts: row.attempts,
        last_status: row.last_status,
        last_error: row.last_error,
        replay_of: row.replay_of,
        created_at: to_datetime(row.created_at),
        delivered_at: row.delivered_at.map(to_datetime),
    }
}

fn attempt(row: AttemptRow) -> WebhookAttempt {
    WebhookAttempt {
        at: to_datetime(row.at),
        status_code: row.status_code,
        response: row.response,
        error: row.error,
        duration_ms: row.duration_ms,
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

/// A filter's `segment` names shared segments of the workspace: events pass when their contact
/// is a member of one of them.
fn check_segments(conn: &mut crm_store::DbConnection, ws: &str, filter: Option<&Map<String, Value>>) -> ApiResult<()> {
    let Some(v) = filter.and_then(|f| f.get("segment")) else { return Ok(()) };
    let ids: Vec<&Value> = match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for id in ids {
        let known = match id.as_str() {
            Some(id) => crm_app::segments::is_shared(conn, ws, id)?,
            None => false,
        };
        if !known {
            let e = FieldError::new("filter.segment", "unknown_segment", format!("{id} is no shared segment of this workspace"));
            return Err(ApiError::validation(e.into()));
        }
    }
    Ok(())
}

/// What a subscription will be, checked field by field.
struct Checked {
    url: String,
    description: String,
    events: Vec<String>,
    filter: Option<Map<String, Value>>,
    allow_private: bool,
}

fn only_people_allow_private(who: &Principal) -> ApiResult<()> {
    if who.user_id().is_some() {
        return Ok(());
    }
    Err(ApiError::validation(
        FieldError::new("allow_private_target", "not_allowed", "only an admin signed in as a person may allow private targets").into(),
    ))
}

fn check(c: Checked) -> ApiResult<Checked> {
    let mut errors = ValidationErrors::new();
    let url = c.url.trim().to_owned();
    if url.len() > 2000 {
        errors.push(FieldError::new("url", "too_long", "at most 2,000 characters"));
    } else if let Some(why) = refused_target(&url, c.allow_private) {
        let code = if why.starts_with("loopback") { "private_target" } else { "invalid_url" };
        errors.push(FieldError::new("url", code, why));
    }
    if c.description.chars().count() > 500 {
        errors.push(FieldError::new("description", "too_long", "at most 500 characters"));
    }
    if c.events.is_empty() {
        errors.push(FieldError::new("events", "required", "name at least one event type, `object.*` or `*`"));
    } else if c.events.len() > 60 {
        errors.push(FieldError::new("events", "too_many", "at most 60 entries"));
    }
    for (i, e) in c.events.iter().enumerate() {
        if !crm_domain::webhooks::valid_pattern(e) {
            errors.push(FieldError::new(
                format!("events[{i}]"),
                "unknown_event",
                format!("{e:?} is not an event type; see GET /api/v1/webhook-event-types"),
            ));
        }
    }
    if let Some(f) = &c.filter {
        if f.len() > 20 {
            errors.push(FieldError::new("filter", "too_many", "at most 20 fields"));
        }
        let scalar = |v: &Value| !v.is_object() && !v.is_array();
        for (k, v) in f {
            let ok = match v {
                Value::Array(items) => !items.is_empty() && items.len() <= 100 && items.iter().all(scalar),
                other => scalar(other),
            };
            if !ok {
                errors.push(FieldError::new(format!("filter.{k}"), "invalid_filter", "a value, or a list of up to 100 values"));
            }
        }
    }
    let mut events = c.events;
    events.dedup();
    errors
        .finish(|| Checked { url, description: c.description.trim().to_owned(), events, filter: c.filter, allow_private: c.allow_private })
        .map_err(ApiError::validation)
}

/// Every event type a subscription can name.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_event_types",
    responses((status = 200, description = "Event types", body = Vec<String>)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/webhook-event-types")]
pub async fn list_webhook_event_types(_who: Principal) -> HttpResponse {
    HttpResponse::Ok().json(crm_domain::webhooks::event_types())
}

/// The workspace's webhook subscriptions (admins).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    responses(
        (status = 200, description = "Subscriptions, oldest first", body = Vec<Webhook>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/webhooks")]
pub async fn list_webhooks(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let hooks: Vec<Webhook> = state.db(move |c| Ok(repo::list(c, &who.workspace_id)?.into_iter().map(webhook).collect())).await?;
    Ok(HttpResponse::Ok().json(hooks))
}

/// Subscribe a URL to events (admins). The response holds the signing secret, shown this once.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    request_body(content = WebhookCreate, example = json!({"url": "https://hooks.example.com/crm", "events": ["deal.stage_changed", "contact.*"], "filter": {"pipeline_id": "0193…"}})),
    responses(
        (status = 201, description = "Subscribed; store `secret` now", body = WebhookWithSecret),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid URL (not http(s), or private), unknown event types, bad filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: Json<WebhookCreate>,
) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let input = body.value;
    let enabled = input.enabled.unwrap_or(true);
    if input.allow_private_target {
        only_people_allow_private(&who)?;
    }
    let c = check(Checked {
        url: input.url,
        description: input.description,
        events: input.events,
        filter: input.filter,
        allow_private: input.allow_private_target,
    })?;
    let (ws, created_by) = (who.workspace_id.clone(), who.id().to_owned());
    idempotency::run(&state, &who, &req, &body.raw, move |conn| {
        let now = now_micros();
        let secret = new_secret();
        let row = WebhookRow {
            id: crm_store::new_id(),
            workspace_id: ws.clone(),
            url: c.url.clone(),
            description: c.description.clone(),
            events: serde_json::to_string(&c.events).unwrap_or_else(|_| "[]".into()),
            filter: c.filter.as_ref().map(|f| Value::Object(f.clone()).to_string()),
            secret: secret.clone(),
            enabled: enabled as i32,
            allow_private: c.allow_private as i32,
            failure_streak: 0,
            disabled_reason: None,
            created_by: Some(created_by.clone()),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        check_segments(conn, &ws, c.filter.as_ref())?;
        repo::insert(conn, &row)?;
        let location = format!("/api/v1/webhooks/{}", row.id);
        let body = to_json(&WebhookWithSecret { webhook: webhook(row), secret })?;
        Ok(Stored { status: StatusCode::CREATED, body, location: Some(location), etag: None })
    })
    .await
}

/// One subscription (admins).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The subscription", body = Webhook, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let id = id.into_inner();
    let w = state.db(move |c| Ok(webhook(repo::get(c, &who.workspace_id, &id).map_err(not_found("webhook"))?))).await?;
    Ok(with_etag(w.version, &w))
}

/// Change a subscription (admins); `If-Match` optional. Turning it on again clears the
/// failure streak and resumes its pending deliveries.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you changed")),
    request_body(content = WebhookPatch, example = json!({"enabled": true})),
    responses(
        (status = 200, description = "The changed subscription", body = Webhook, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<WebhookPatch>,
) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let expected = if_match_optional(&req)?;
    let (id, patch) = (id.into_inner(), body.value);
    let w = state
        .tx(move |conn| {
            let mut row = repo::get(conn, &who.workspace_id, &id).map_err(not_found("webhook"))?;
            let allow_private = patch.allow_private_target.unwrap_or(row.allow_private != 0);
            if allow_private && row.allow_private == 0 {
                only_people_allow_private(&who)?;
            }
            let url = patch.url.clone().unwrap_or_else(|| row.url.clone());
            // A person allowed private targets for this URL; an API key may not point it elsewhere.
            let private_ok = allow_private && (who.user_id().is_some() || url.trim() == row.url);
            let c = check(Checked {
                url,
                description: patch.description.clone().unwrap_or_else(|| row.description.clone()),
                events: patch.events.clone().unwrap_or_else(|| row.patterns()),
                filter: patch.filter.clone().unwrap_or_else(|| row.filter_map()),
                allow_private: private_ok,
            })?;
            check_segments(conn, &who.workspace_id, c.filter.as_ref())?;
            row.url = c.url;
            row.description = c.description;
            row.events = serde_json::to_string(&c.events).unwrap_or_else(|_| "[]".into());
            row.filter = c.filter.map(|f| Value::Object(f).to_string());
            row.allow_private = allow_private as i32;
            if let Some(on) = patch.enabled {
                if on && row.enabled == 0 {
                    row.failure_streak = 0;
                    row.disabled_reason = None;
                }
                row.enabled = on as i32;
            }
            row.updated_at = now_micros();
            let base = row.version;
            row.version = base + 1;
            repo::update(conn, &row, base, expected)?;
            Ok(webhook(row))
        })
        .await?;
    Ok(with_etag(w.version, &w))
}

/// Delete a subscription and its delivery log (admins).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let id = id.into_inner();
    state.tx(move |c| repo::delete(c, &who.workspace_id, &id).map_err(not_found("webhook"))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the signing secret (admins). The old one stops working at once.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The new secret, shown this once", body = WebhookWithSecret),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
) -> ApiResult<web::Json<WebhookWithSecret>> {
    who.require_admin()?;
    let id = id.into_inner();
    let out = state
        .tx(move |c| {
            let mut row = repo::get(c, &who.workspace_id, &id).map_err(not_found("webhook"))?;
            let secret = new_secret();
            row.secret = secret.clone();
            row.updated_at = now_micros();
            row.version += 1;
            repo::update(c, &row, row.version - 1, None)?;
            Ok(WebhookWithSecret { webhook: webhook(row), secret })
        })
        .await?;
    Ok(web::Json(out))
}

/// Send a `ping` event to this subscription now, enabled or not (admins).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "ping_webhook",
    params(("id" = String, Path)),
    responses(
        (status = 202, description = "Queued; follow it in the delivery log", body = WebhookDelivery),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let (id, actor) = (id.into_inner(), who.actor());
    let d = state
        .tx(move |c| {
            let row = repo::get(c, &who.workspace_id, &id).map_err(not_found("webhook"))?;
            Ok(delivery(repo::ping(c, &row, &actor, now_micros())?))
        })
        .await?;
    Ok(HttpResponse::Accepted().json(d))
}

/// Filters of the delivery log.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct DeliveryFilters {
    /// `pending`, `succeeded` or `failed`.
    status: Option<String>,
}

/// A subscription's delivery log, newest first (admins).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    params(("id" = String, Path), DeliveryFilters, AuditParams),
    responses(
        (status = 200, description = "One page of deliveries", body = Page<WebhookDelivery>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let mut q = QueryParams::from_request(&req);
    let status = q.take("status");
    if let Some(s) = &status {
        if !repo::STATUSES.contains(&s.as_str()) {
            return Err(bad("status", "invalid_status", "must be pending, succeeded or failed"));
        }
    }
    let page = q.page_spec_with(None, Sort { field: SortField::CreatedAt, desc: true })?;
    q.finish()?;
    let id = id.into_inner();
    let body = state
        .db(move |c| {
            repo::get(c, &who.workspace_id, &id).map_err(not_found("webhook"))?;
            let p = repo::deliveries(c, &who.workspace_id, &id, status.as_deref(), &page)?;
            to_json(&Page { items: p.items.into_iter().map(delivery).collect(), next_cursor: p.next_cursor, total: None })
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// One delivery with the exact payload sent and every attempt (admins).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook_delivery",
    params(("id" = String, Path), ("delivery_id" = String, Path)),
    responses(
        (status = 200, description = "The delivery", body = WebhookDeliveryDetail),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/webhooks/{id}/deliveries/{delivery_id}")]
pub async fn get_webhook_delivery(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<WebhookDeliveryDetail>> {
    who.require_admin()?;
    let (id, delivery_id) = path.into_inner();
    let detail = state
        .db(move |c| {
            let d = repo::delivery(c, &who.workspace_id, &id, &delivery_id).map_err(not_found("delivery"))?;
            let attempts = repo::attempts(c, &who.workspace_id, &d.id)?.into_iter().map(attempt).collect();
            let payload = serde_json::from_str(&d.payload).unwrap_or(Value::Null);
            Ok(WebhookDeliveryDetail { delivery: delivery(d), payload, attempts })
        })
        .await?;
    Ok(web::Json(detail))
}

/// Send a delivery's event again, as a new delivery with the same event id (admins).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "replay_webhook_delivery",
    params(("id" = String, Path), ("delivery_id" = String, Path)),
    responses(
        (status = 202, description = "Queued", body = WebhookDelivery),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/replay")]
pub async fn replay_webhook_delivery(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let (id, delivery_id) = path.into_inner();
    let d = state
        .tx(move |c| Ok(delivery(repo::replay(c, &who.workspace_id, &id, &delivery_id, now_micros()).map_err(not_found("delivery"))?)))
        .await?;
    Ok(HttpResponse::Accepted().json(d))
}
