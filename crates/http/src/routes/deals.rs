//! `/api/v1/deals`: opportunities moving through a pipeline.

use crate::access;
use crate::auth::Principal;
use crate::conditional::{etag, if_match, if_match_optional, not_modified, with_etag};
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::export::{self, Format};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::routes::{audit_page, AuditParams, CustomParams, ListParams};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{AuditEntry, Deal, DealCreate, DealPatch, Page, Problem, StageVisit};
use crm_app::deals::Deals;
use crm_app::records;
use crm_domain::access::Entity;
use crm_domain::deals::StageKind;
use crm_domain::Currency;
use crm_store::deals::{self as repo, DealFilter};
use crm_store::listing::InSegment;

/// Filters of `GET /deals` (besides paging, see [`ListParams`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct DealFilters {
    /// Free text: deal or company name.
    q: Option<String>,
    pipeline_id: Option<String>,
    /// Comma-separated stage ids.
    stage_id: Option<String>,
    /// Comma-separated: `open`, `won`, `lost`.
    status: Option<String>,
    /// Comma-separated user ids; `me` is the caller.
    owner_id: Option<String>,
    company_id: Option<String>,
    contact_id: Option<String>,
    /// The deal's id in the system it came from.
    external_id: Option<String>,
    /// Close date on or after, `YYYY-MM-DD`.
    #[param(rename = "close_date[gte]")]
    close_gte: Option<String>,
    /// Close date before, `YYYY-MM-DD`.
    #[param(rename = "close_date[lt]")]
    close_lt: Option<String>,
    #[param(rename = "created_at[gte]")]
    created_gte: Option<String>,
    #[param(rename = "created_at[lt]")]
    created_lt: Option<String>,
    /// `exclude` (default), `only` (the trash) or `include`.
    trash: Option<String>,
    /// Deals naming a contact in a segment you see (its id): a dynamic segment's rules as they match now, a snapshot's frozen members.
    segment: Option<String>,
}

fn date_param(q: &mut QueryParams, key: &str) -> ApiResult<Option<String>> {
    match q.take(key) {
        None => Ok(None),
        Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| bad(key, "invalid_date", "must be a date written YYYY-MM-DD")),
    }
}

fn parse_filter(q: &mut QueryParams, who: &Principal) -> ApiResult<DealFilter> {
    let owner_ids = q.take_users("owner_id", who.user_id())?;
    Ok(DealFilter {
        q: q.take("q"),
        pipeline_id: q.take("pipeline_id"),
        stage_ids: q.take_list("stage_id", |_| true, "")?,
        statuses: q.take_list("status", |s| StageKind::parse(s).is_some(), "open, won or lost")?,
        owner_ids,
        company_id: q.take("company_id"),
        contact_id: q.take("contact_id"),
        external_id: q.take("external_id"),
        close_gte: date_param(q, "close_date[gte]")?,
        close_lt: date_param(q, "close_date[lt]")?,
        created_gte: q.take_time("created_at[gte]")?,
        created_lt: q.take_time("created_at[lt]")?,
        trash: q.trash()?,
        segment: InSegment::asked(q.take("segment")),
    })
}

fn not_found(e: crm_store::StoreError) -> ApiError {
    match e {
        crm_store::StoreError::NotFound => ApiError::not_found("deal"),
        other => other.into(),
    }
}

/// List deals the caller may see, filtered, sorted and paged by cursor.
#[utoipa::path(
    tag = "deals",
    operation_id = "list_deals",
    params(DealFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of deals", body = Page<Deal>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/deals")]
pub async fn list_deals(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let filter = parse_filter(&mut q, &who)?;
    let page = q.page_spec_with_custom()?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        return export::records::<Deals, crm_api_types::Deal>(&state, &who, format, filter, page, |s| {
            export::value(convert::shown(s, convert::deal)?)
        })
        .await;
    }
    let p = records::list::<Deals>(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.into_iter().map(|s| convert::shown(s, convert::deal)).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Create a deal. Without a pipeline it goes to the default one, without a stage to the
/// first open stage. The stage's rules apply: a missing required field is a 422 naming it.
#[utoipa::path(
    tag = "deals",
    operation_id = "create_deal",
    request_body(content = DealCreate, example = json!({"name": "Pars Trading: 40 seats", "currency": "USD", "close_date": "2026-12-20",
        "line_items": [{"name": "Pro seat (annual)", "quantity": "40", "unit_price": "120.00", "discount_percent": "10", "unit_cost": "30.00"}]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Created", body = Deal, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The role may not create deals (for this owner)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown references or a stage rule broken, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/deals")]
pub async fn create_deal(state: web::Data<AppState>, who: Principal, req: HttpRequest, body: Json<DealCreate>) -> ApiResult<HttpResponse> {
    let (input, caller) = (body.value, who.caller());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let created = records::create_in::<Deals>(c, &caller, |facts| {
            let (mut draft, custom) = crm_app::custom::together(
                input.validate(facts.settings()?.base),
                facts.custom(Entity::Deal, Some(&input.custom), None, None),
            )?;
            draft.custom = Some(custom);
            Ok(draft)
        })?;
        let d = convert::shown(created, convert::deal)?;
        Ok(Stored {
            status: StatusCode::CREATED,
            body: to_json(&d)?,
            location: Some(format!("/api/v1/deals/{}", d.id)),
            etag: Some(etag(d.version)),
        })
    })
    .await
}

/// Get one deal.
#[utoipa::path(
    tag = "deals",
    operation_id = "get_deal",
    params(("id" = String, Path), ("If-None-Match" = Option<String>, Header, description = "ETag you have; 304 when unchanged")),
    responses(
        (status = 200, description = "The deal", body = Deal, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag you sent"),
        (status = 404, description = "No such deal, or not visible to you", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/deals/{id}")]
pub async fn get_deal(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let deal = convert::shown(records::get::<Deals>(state.app_db(), &who.caller(), id.into_inner()).await?, convert::deal)?;
    if not_modified(&req, deal.version) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag(deal.version))).finish());
    }
    Ok(with_etag(deal.version, &deal))
}

/// Change a deal. Moving it to a stage checks that stage's rules (required fields; a loss
/// reason from the pipeline's list for the lost stage) and records the move in the stage
/// history. `If-Match` is required.
#[utoipa::path(
    tag = "deals",
    operation_id = "update_deal",
    request_body(content = DealPatch, example = json!({"stage_id": "0193…", "loss_reason": "Price"})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed deal", body = Deal, headers(("ETag" = String))),
        (status = 403, description = "You may see but not change this deal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The deal is in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or a stage rule broken", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/deals/{id}")]
pub async fn update_deal(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<DealPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let patch = body.value;
    let deal = records::update::<Deals, _>(state.app_db(), &who.caller(), id.into_inner(), expected, move |row, facts| {
        let current = convert::deal(row.clone()).map_err(|_| crm_store::StoreError::Corrupt("deal".into()))?;
        // A deal always has a currency, so the workspace's base currency (the default for a
        // new deal) is not needed here.
        let own = Currency::parse("currency", &current.currency).map_err(|_| crm_store::StoreError::Corrupt("deal currency".into()))?;
        let mut draft = patch.apply_to(DealCreate::from(current)).validate(own)?;
        if let Some(custom) = &patch.custom {
            let (stored, id) = (&row.0.custom, &row.0.id);
            draft.custom = Some(facts.custom(Entity::Deal, Some(custom), Some(stored), Some(id))?);
        }
        Ok(draft)
    })
    .await?;
    // Built after the transaction: on SQLite, writers queue for the time it is open.
    let deal = convert::shown(deal, convert::deal)?;
    Ok(with_etag(deal.version, &deal))
}

/// Move a deal to the trash; `If-Match` is required.
#[utoipa::path(
    tag = "deals",
    operation_id = "delete_deal",
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you saw, or *")),
    responses(
        (status = 200, description = "The deal, now in the trash", body = Deal, headers(("ETag" = String))),
        (status = 404, description = "No such deal", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/deals/{id}")]
pub async fn delete_deal(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    set_deleted(state, who, id.into_inner(), expected, true).await
}

/// Take a deal out of the trash.
#[utoipa::path(
    tag = "deals",
    operation_id = "restore_deal",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The restored deal", body = Deal, headers(("ETag" = String))),
        (status = 404, description = "No such deal", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/deals/{id}/restore")]
pub async fn restore_deal(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
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
    let deal = convert::shown(records::set_deleted::<Deals>(state.app_db(), &who.caller(), id, expected, delete).await?, convert::deal)?;
    Ok(with_etag(deal.version, &deal))
}

/// Every stage the deal has been in, with when it entered and left (for funnel and
/// cycle-time analytics).
#[utoipa::path(
    tag = "deals",
    operation_id = "deal_stage_history",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Stage visits, oldest first", body = Vec<StageVisit>),
        (status = 404, description = "No such deal", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/deals/{id}/stage-history")]
pub async fn deal_stage_history(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let visits: Vec<StageVisit> = state
        .db(move |c| {
            let found = repo::get(c, &who.workspace_id, &id).map_err(not_found)?;
            access::visible(c, &who, Entity::Deal, found.0.owner_id.as_deref())?;
            Ok(repo::history(c, &who.workspace_id, &id)?
                .into_iter()
                .map(|(pipeline_id, stage_id, stage_name, entered, left)| StageVisit {
                    pipeline_id,
                    stage_id,
                    stage_name,
                    entered_at: crm_store::time::to_datetime(entered),
                    left_at: left.map(crm_store::time::to_datetime),
                })
                .collect())
        })
        .await?;
    Ok(HttpResponse::Ok().json(visits))
}

/// The deal's audit trail: every change, who made it, field by field, oldest first.
#[utoipa::path(
    tag = "deals",
    operation_id = "deal_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 404, description = "No such deal", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/deals/{id}/audit")]
pub async fn deal_audit(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    audit_page(&state, &who, &req, repo::ENTITY, id, |c, who, id| crate::routes::timeline::visible(c, who, "deal", id)).await
}
