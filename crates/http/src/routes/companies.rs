//! `/api/v1/companies`: the organisations customers belong to.

use crate::auth::Principal;
use crate::conditional::{etag, if_match, if_match_optional, not_modified, with_etag};
use crate::convert::{self, to_json};
use crate::error::ApiResult;
use crate::export::{self, Format};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::params::QueryParams;
use crate::routes::{audit_page, AuditParams, CustomParams, ListParams};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{AuditEntry, Company, CompanyCreate, CompanyPatch, Page, Problem};
use crm_app::companies::Companies;
use crm_app::records;
use crm_domain::access::Entity;
use crm_store::companies::{self as repo, CompanyFilter};
use crm_store::listing::InSegment;

/// Filters of `GET /companies` (besides paging, see [`ListParams`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct CompanyFilters {
    /// Free text: name, domain, city, email or phone digits.
    q: Option<String>,
    /// Comma-separated user ids; `me` is the caller.
    owner_id: Option<String>,
    /// Exact web domain, e.g. `example.com`.
    domain: Option<String>,
    industry: Option<String>,
    tag: Option<String>,
    #[param(rename = "created_at[gte]")]
    created_gte: Option<String>,
    #[param(rename = "created_at[lt]")]
    created_lt: Option<String>,
    #[param(rename = "updated_at[gte]")]
    updated_gte: Option<String>,
    /// `exclude` (default), `only` (the trash) or `include`.
    trash: Option<String>,
    /// Companies with a contact in a segment you see (its id): a dynamic segment's rules as they match now, a snapshot's frozen members.
    segment: Option<String>,
}

fn parse_filter(q: &mut QueryParams, who: &Principal) -> ApiResult<CompanyFilter> {
    let owner_ids = q.take_users("owner_id", who.user_id())?;
    Ok(CompanyFilter {
        q: q.take("q"),
        owner_ids,
        domain: q.take("domain"),
        industry: q.take("industry"),
        tag: q.take("tag").map(|t| t.to_lowercase()),
        created_gte: q.take_time("created_at[gte]")?,
        created_lt: q.take_time("created_at[lt]")?,
        updated_gte: q.take_time("updated_at[gte]")?,
        trash: q.trash()?,
        segment: InSegment::asked(q.take("segment")),
    })
}

/// List companies, filtered, sorted and paged by cursor.
#[utoipa::path(
    tag = "companies",
    operation_id = "list_companies",
    params(CompanyFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of companies", body = Page<Company>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/companies")]
pub async fn list_companies(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let filter = parse_filter(&mut q, &who)?;
    let page = q.page_spec_with_custom()?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        return export::records::<Companies, crm_api_types::Company>(&state, &who, format, filter, page, |s| {
            export::value(convert::shown(s, convert::company)?)
        })
        .await;
    }
    let p = records::list::<Companies>(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.into_iter().map(|s| convert::shown(s, convert::company)).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

fn stored(status: StatusCode, c: &Company) -> ApiResult<Stored> {
    Ok(Stored { status, body: to_json(c)?, location: Some(format!("/api/v1/companies/{}", c.id)), etag: Some(etag(c.version)) })
}

/// Create a company. Phones are stored in E.164; money as a decimal string and currency.
#[utoipa::path(
    tag = "companies",
    operation_id = "create_company",
    request_body(content = CompanyCreate, example = json!({"name": "Pars Trading Co.", "domain": "parstrading.ir", "city": "Tehran", "phones": [{"number": "021 8877 6655", "label": "work"}], "annual_revenue": {"amount": "250000000000", "currency": "IRR"}})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Created", body = Company, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role is read-only", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/companies")]
pub async fn create_company(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: Json<CompanyCreate>,
) -> ApiResult<HttpResponse> {
    let (input, caller) = (body.value, who.caller());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let created = records::create_in::<Companies>(c, &caller, |facts| {
            let (mut draft, custom) = crm_app::custom::together(
                input.validate(facts.settings()?.region),
                facts.custom(Entity::Company, Some(&input.custom), None, None),
            )?;
            draft.custom = Some(custom);
            Ok(draft)
        })?;
        stored(StatusCode::CREATED, &convert::shown(created, convert::company)?)
    })
    .await
}

/// Get one company. Companys in the trash are returned with `deleted_at` set.
#[utoipa::path(
    tag = "companies",
    operation_id = "get_company",
    params(("id" = String, Path), ("If-None-Match" = Option<String>, Header, description = "ETag you have; 304 when unchanged")),
    responses(
        (status = 200, description = "The company", body = Company, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag you sent"),
        (status = 404, description = "No such company in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/companies/{id}")]
pub async fn get_company(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let company = convert::shown(records::get::<Companies>(state.app_db(), &who.caller(), id.into_inner()).await?, convert::company)?;
    if not_modified(&req, company.version) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag(company.version))).finish());
    }
    Ok(with_etag(company.version, &company))
}

/// Change some fields of a company. Absent fields stay, `null` clears, lists replace.
/// `If-Match` with the ETag you read is required: a stale write is 412, never lost silently.
#[utoipa::path(
    tag = "companies",
    operation_id = "update_company",
    request_body(content = CompanyPatch, example = json!({"industry": "Retail", "city": null})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed company", body = Company, headers(("ETag" = String))),
        (status = 404, description = "No such company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The company is in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/companies/{id}")]
pub async fn update_company(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<CompanyPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let patch = body.value;
    let changed = records::update::<Companies, _>(state.app_db(), &who.caller(), id.into_inner(), expected, move |row, facts| {
        // The patch goes over what the API shows, so absent fields keep exactly what a client read.
        let current = convert::company((row.clone(), 0)).map_err(|_| crm_store::StoreError::Corrupt("company".into()))?;
        let mut draft = patch.apply_to(CompanyCreate::from(current)).validate(facts.settings()?.region)?;
        if let Some(custom) = &patch.custom {
            draft.custom = Some(facts.custom(Entity::Company, Some(custom), Some(&row.custom), Some(&row.id))?);
        }
        Ok(draft)
    })
    .await?;
    let company = convert::shown(changed, convert::company)?;
    Ok(with_etag(company.version, &company))
}

/// Move a company to the trash. It can be restored; `If-Match` is required.
#[utoipa::path(
    tag = "companies",
    operation_id = "delete_company",
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you saw, or *")),
    responses(
        (status = 200, description = "The company, now in the trash", body = Company, headers(("ETag" = String))),
        (status = 404, description = "No such company", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/companies/{id}")]
pub async fn delete_company(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    set_deleted(state, who, id.into_inner(), expected, true).await
}

/// Take a company out of the trash.
#[utoipa::path(
    tag = "companies",
    operation_id = "restore_company",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The restored company", body = Company, headers(("ETag" = String))),
        (status = 404, description = "No such company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/companies/{id}/restore")]
pub async fn restore_company(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
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
    let company =
        convert::shown(records::set_deleted::<Companies>(state.app_db(), &who.caller(), id, expected, delete).await?, convert::company)?;
    Ok(with_etag(company.version, &company))
}

/// The company's audit trail: every change, who made it, field by field, oldest first.
#[utoipa::path(
    tag = "companies",
    operation_id = "company_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 404, description = "No such company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/companies/{id}/audit")]
pub async fn company_audit(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    audit_page(&state, &who, &req, repo::ENTITY, id, |c, who, id| crate::routes::timeline::visible(c, who, "company", id)).await
}
