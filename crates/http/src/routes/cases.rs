//! `/api/v1/cases` and `/api/v1/sla-policy`: service cases against the SLA.

use crate::auth::Principal;
use crate::conditional::{etag, if_match, if_match_optional, with_etag};
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::export::{self, Format};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::params::QueryParams;
use crate::routes::{audit_page, AuditParams, CustomParams, ListParams};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use crm_api_types::{merge_patch, AuditEntry, Case, CaseCreate, CasePatch, Page, Problem, SlaPolicy};
use crm_app::cases::Cases;
use crm_app::records;
use crm_domain::access::Entity;
use crm_domain::operations::{CaseChannel, CaseStatus, Priority};
use crm_domain::Role;
use crm_store::cases::{self as repo, CaseFilter};
use crm_store::listing::InSegment;
use crm_store::{time, StoreError};

/// Filters of `GET /cases`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct CaseFilters {
    /// Free text: subject or case number.
    q: Option<String>,
    /// Comma-separated: `new`, `open`, `pending`, `resolved`, `closed`.
    status: Option<String>,
    /// Comma-separated: `low`, `normal`, `high`, `urgent`.
    priority: Option<String>,
    /// Comma-separated channels.
    channel: Option<String>,
    /// Comma-separated user ids; `me` is the caller.
    assignee_id: Option<String>,
    team_id: Option<String>,
    contact_id: Option<String>,
    company_id: Option<String>,
    /// The case's id in the system it came from.
    external_id: Option<String>,
    /// `true`: SLA breached now; `false`: within SLA.
    sla_breached: Option<bool>,
    #[param(rename = "created_at[gte]")]
    created_gte: Option<String>,
    #[param(rename = "created_at[lt]")]
    created_lt: Option<String>,
    trash: Option<String>,
    /// Cases of a contact in a segment you see (its id): a dynamic segment's rules as they match now, a snapshot's frozen members.
    segment: Option<String>,
}

/// List cases the caller may see.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_cases",
    params(CaseFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of cases", body = Page<Case>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/cases")]
pub async fn list_cases(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let now = time::now_micros();
    let filter = CaseFilter {
        q: q.take("q"),
        statuses: q.take_list("status", |s| CaseStatus::parse(s).is_some(), &CaseStatus::expected())?,
        priorities: q.take_list("priority", |s| Priority::parse(s).is_some(), &Priority::expected())?,
        channels: q.take_list("channel", |s| CaseChannel::parse(s).is_some(), &CaseChannel::expected())?,
        owner_ids: q.take_users("assignee_id", who.user_id())?,
        team_id: q.take("team_id"),
        contact_id: q.take("contact_id"),
        company_id: q.take("company_id"),
        external_id: q.take("external_id"),
        breached: q.take_opt_bool("sla_breached")?,
        now,
        created_gte: q.take_time("created_at[gte]")?,
        created_lt: q.take_time("created_at[lt]")?,
        trash: q.trash()?,
        segment: InSegment::asked(q.take("segment")),
    };
    let page = q.page_spec_with_custom()?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        return export::records::<Cases, crm_api_types::Case>(&state, &who, format, filter, page, move |s| {
            export::value(convert::shown(s, |r| convert::case(r, now))?)
        })
        .await;
    }
    let p = records::list::<Cases>(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.into_iter().map(|s| convert::shown(s, |r| convert::case(r, now))).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Open a case. Its due times come from the SLA rule of its priority.
#[utoipa::path(
    tag = "cases",
    operation_id = "create_case",
    request_body(content = CaseCreate, example = json!({"subject": "Invoice 1042 charged twice", "channel": "email", "priority": "high", "contact_id": "0193…"})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Created", body = Case, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The role may not open cases (for this assignee)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown references, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/cases")]
pub async fn create_case(state: web::Data<AppState>, who: Principal, req: HttpRequest, body: Json<CaseCreate>) -> ApiResult<HttpResponse> {
    let (input, caller) = (body.value, who.caller());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let created = records::create_in::<Cases>(c, &caller, |facts| {
            let (mut draft, custom) =
                crm_app::custom::together(input.validate(), facts.custom(Entity::Case, Some(&input.custom), None, None))?;
            draft.custom = Some(custom);
            Ok(draft)
        })?;
        let k = convert::shown(created, |r| convert::case(r, time::now_micros()))?;
        Ok(Stored {
            status: StatusCode::CREATED,
            body: to_json(&k)?,
            location: Some(format!("/api/v1/cases/{}", k.id)),
            etag: Some(etag(k.version)),
        })
    })
    .await
}

/// Get one case, with its SLA state now.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_case",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The case", body = Case, headers(("ETag" = String))),
        (status = 404, description = "No such case, or not visible to you", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/cases/{id}")]
pub async fn get_case(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let k = convert::shown(records::get::<Cases>(state.app_db(), &who.caller(), id.into_inner()).await?, |r| {
        convert::case(r, time::now_micros())
    })?;
    Ok(with_etag(k.version, &k))
}

/// Change a case. Status moves follow the workflow (new → open → pending → resolved →
/// closed; resolved or closed cases reopen to open; nothing goes back to new): an illegal
/// move is a 422 naming `status`. Leaving `new` records the first response; resolving records
/// the resolution time; `csat` is accepted once the case is resolved or closed.
#[utoipa::path(
    tag = "cases",
    operation_id = "update_case",
    request_body(content = CasePatch, example = json!({"status": "resolved"})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed case", body = Case, headers(("ETag" = String))),
        (status = 403, description = "You may see but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an illegal status move, or a rating before resolution", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<CasePatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let patch = body.value;
    let changed = records::update::<Cases, _>(state.app_db(), &who.caller(), id.into_inner(), expected, move |current, facts| {
        let base = convert::case(current.clone(), time::now_micros()).map_err(|_| StoreError::Corrupt("case".into()))?;
        let mut draft = merge_patch(&CaseCreate::from(base), &patch)?.validate()?;
        if let Some(custom) = &patch.custom {
            draft.custom = Some(facts.custom(Entity::Case, Some(custom), Some(&current.custom), Some(&current.id))?);
        }
        Ok(draft)
    })
    .await?;
    let k = convert::shown(changed, |r| convert::case(r, time::now_micros()))?;
    Ok(with_etag(k.version, &k))
}

/// Move a case to the trash; `If-Match` is required.
#[utoipa::path(
    tag = "cases",
    operation_id = "delete_case",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses(
        (status = 200, description = "The case, now in the trash", body = Case),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/cases/{id}")]
pub async fn delete_case(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    set_deleted(state, who, id.into_inner(), expected, true).await
}

/// Take a case out of the trash.
#[utoipa::path(
    tag = "cases",
    operation_id = "restore_case",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The restored case", body = Case),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/cases/{id}/restore")]
pub async fn restore_case(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let expected = if_match_optional(&req)?;
    set_deleted(state, who, id.into_inner(), expected, false).await
}

async fn set_deleted(
    state: web::Data<AppState>,
    who: Principal,
    id: String,
    expected: Option<i64>,
    delete: bool,
) -> ApiResult<HttpResponse> {
    let k = convert::shown(records::set_deleted::<Cases>(state.app_db(), &who.caller(), id, expected, delete).await?, |r| {
        convert::case(r, time::now_micros())
    })?;
    Ok(with_etag(k.version, &k))
}

/// The case's audit trail: every status move and change, oldest first.
#[utoipa::path(
    tag = "cases",
    operation_id = "case_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/cases/{id}/audit")]
pub async fn case_audit(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    audit_page(&state, &who, &req, repo::ENTITY, id.into_inner(), |c, who, id| crate::routes::timeline::visible(c, who, "case", id)).await
}

/// The SLA policy: first-response and resolution times per priority (calendar minutes).
#[utoipa::path(
    tag = "cases",
    operation_id = "get_sla_policy",
    responses((status = 200, description = "The policy", body = SlaPolicy)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/sla-policy")]
pub async fn get_sla_policy(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let rules = state.db(move |c| Ok(repo::sla(c, &who.workspace_id)?)).await?;
    Ok(HttpResponse::Ok().json(SlaPolicy { rules }))
}

/// Replace the SLA policy (admins and managers). New cases, and cases whose priority changes,
/// get due times from it; other open cases keep theirs.
#[utoipa::path(
    tag = "cases",
    operation_id = "set_sla_policy",
    request_body(content = SlaPolicy, example = json!({"rules": [
        {"priority": "urgent", "first_response_minutes": 30, "resolution_minutes": 240},
        {"priority": "high", "first_response_minutes": 120, "resolution_minutes": 1440},
        {"priority": "normal", "first_response_minutes": 480, "resolution_minutes": 4320},
        {"priority": "low", "first_response_minutes": 1440, "resolution_minutes": 10080}]})),
    responses(
        (status = 200, description = "The new policy", body = SlaPolicy),
        (status = 403, description = "Not an admin or manager", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or duplicate priorities, or times out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/sla-policy")]
pub async fn set_sla_policy(state: web::Data<AppState>, who: Principal, body: Json<SlaPolicy>) -> ApiResult<HttpResponse> {
    if !matches!(who.role, Role::Admin | Role::Manager) {
        return Err(ApiError::forbidden("only admins and managers set the SLA policy"));
    }
    let rules = body.value.validate().map_err(ApiError::validation)?;
    let rules = state
        .tx(move |c| {
            repo::set_sla(c, &who.workspace_id, &rules)?;
            Ok(repo::sla(c, &who.workspace_id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SlaPolicy { rules }))
}
