//! `/api/v1/leads`: people who may become customers, and their conversion.

use crate::access;
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
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{merge_patch, AuditEntry, DealCreate, Lead, LeadConversion, LeadConvert, LeadCreate, LeadPatch, Page, Problem};
use crm_app::leads::Leads;
use crm_app::records;
use crm_app::workspace::Facts;
use crm_app::AppResult;
use crm_domain::access::Entity;
use crm_domain::deals::DealDraft;
use crm_domain::operations::LeadStatus;
use crm_domain::Source;
use crm_store::leads::{self as repo, LeadFilter, LeadRow};
use crm_store::listing::InSegment;
use crm_store::StoreError;

/// Filters of `GET /leads`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct LeadFilters {
    /// Free text: name, email, phone digits, company.
    q: Option<String>,
    /// Comma-separated: `new`, `working`, `qualified`, `disqualified`.
    status: Option<String>,
    /// Comma-separated user ids; `me` is the caller.
    owner_id: Option<String>,
    /// Comma-separated sources.
    source: Option<String>,
    form_id: Option<String>,
    /// `true`: converted leads only; `false`: not converted.
    converted: Option<bool>,
    #[param(rename = "created_at[gte]")]
    created_gte: Option<String>,
    #[param(rename = "created_at[lt]")]
    created_lt: Option<String>,
    /// `exclude` (default), `only` or `include`.
    trash: Option<String>,
    /// Leads converted into a contact in a segment you see (its id): a dynamic segment's rules as they match now, a snapshot's frozen members.
    segment: Option<String>,
}

fn not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("lead"),
        other => other.into(),
    }
}

/// List leads the caller may see.
#[utoipa::path(
    tag = "leads",
    operation_id = "list_leads",
    params(LeadFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of leads", body = Page<Lead>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/leads")]
pub async fn list_leads(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let filter = LeadFilter {
        q: q.take("q"),
        statuses: q.take_list("status", |s| LeadStatus::parse(s).is_some(), &LeadStatus::expected())?,
        owner_ids: q.take_users("owner_id", who.user_id())?,
        sources: q.take_list("source", |s| Source::parse(s).is_some(), &Source::expected())?,
        form_id: q.take("form_id"),
        converted: q.take_opt_bool("converted")?,
        created_gte: q.take_time("created_at[gte]")?,
        created_lt: q.take_time("created_at[lt]")?,
        trash: q.trash()?,
        segment: InSegment::asked(q.take("segment")),
    };
    let page = q.page_spec_with_custom()?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        return export::records::<Leads, crm_api_types::Lead>(&state, &who, format, filter, page, |s| {
            export::value(convert::shown(s, convert::lead)?)
        })
        .await;
    }
    let p = records::list::<Leads>(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.into_iter().map(|s| convert::shown(s, convert::lead)).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Capture a lead.
#[utoipa::path(
    tag = "leads",
    operation_id = "create_lead",
    request_body(content = LeadCreate, example = json!({"first_name": "Nima", "last_name": "Rahimi", "email": "nima@parsdata.ir",
        "phone": "0912 345 6789", "company_name": "Pars Data", "source": "event"})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Created", body = Lead, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The role may not create leads (for this owner)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/leads")]
pub async fn create_lead(state: web::Data<AppState>, who: Principal, req: HttpRequest, body: Json<LeadCreate>) -> ApiResult<HttpResponse> {
    let (input, caller) = (body.value, who.caller());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let created = records::create_in::<Leads>(c, &caller, |facts| {
            let (mut draft, custom) = crm_app::custom::together(
                input.validate(facts.settings()?.region),
                facts.custom(Entity::Lead, Some(&input.custom), None, None),
            )?;
            draft.custom = Some(custom);
            Ok(draft)
        })?;
        let l = convert::shown(created, convert::lead)?;
        Ok(Stored {
            status: StatusCode::CREATED,
            body: to_json(&l)?,
            location: Some(format!("/api/v1/leads/{}", l.id)),
            etag: Some(etag(l.version)),
        })
    })
    .await
}

/// Get one lead.
#[utoipa::path(
    tag = "leads",
    operation_id = "get_lead",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The lead", body = Lead, headers(("ETag" = String))),
        (status = 404, description = "No such lead, or not visible to you", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/leads/{id}")]
pub async fn get_lead(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let lead = convert::shown(records::get::<Leads>(state.app_db(), &who.caller(), id.into_inner()).await?, convert::lead)?;
    Ok(with_etag(lead.version, &lead))
}

/// Change a lead; `If-Match` is required. Disqualifying needs a reason.
#[utoipa::path(
    tag = "leads",
    operation_id = "update_lead",
    request_body(content = LeadPatch, example = json!({"status": "disqualified", "disqualify_reason": "No budget this year"})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed lead", body = Lead, headers(("ETag" = String))),
        (status = 403, description = "You may see but not change this lead", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "In the trash, or converted (its status stays qualified)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/leads/{id}")]
pub async fn update_lead(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<LeadPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let patch = body.value;
    let changed = records::update::<Leads, _>(state.app_db(), &who.caller(), id.into_inner(), expected, move |current, facts| {
        let base = convert::lead(current.clone()).map_err(|_| StoreError::Corrupt("lead".into()))?;
        let mut draft = merge_patch(&LeadCreate::from(base), &patch)?.validate(facts.settings()?.region)?;
        if let Some(custom) = &patch.custom {
            draft.custom = Some(facts.custom(Entity::Lead, Some(custom), Some(&current.custom), Some(&current.id))?);
        }
        Ok(draft)
    })
    .await?;
    let lead = convert::shown(changed, convert::lead)?;
    Ok(with_etag(lead.version, &lead))
}

/// Convert a lead into a contact and a company (matched to existing ones by email, phone,
/// the email's domain or the company name, so nothing is duplicated) and optionally a deal,
/// in one transaction. Converting again answers with what the lead became and creates nothing.
#[utoipa::path(
    tag = "leads",
    operation_id = "convert_lead",
    request_body(content = LeadConvert, example = json!({"create_deal": true, "deal_amount": "12000", "close_date": "2027-01-31"})),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "What the lead became", body = LeadConversion),
        (status = 403, description = "You may see but not change this lead", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The lead is disqualified or in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid deal fields, or a stage rule of the deal's stage broken", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/leads/{id}/convert")]
pub async fn convert_lead(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<LeadConvert>,
) -> ApiResult<HttpResponse> {
    let input = body.value;
    let deal = move |lead: &LeadRow, facts: &mut Facts<'_>| -> AppResult<Option<DealDraft>> {
        if !input.create_deal {
            return Ok(None);
        }
        let who_for = lead.company_name.clone().unwrap_or_else(|| lead.display_name.clone());
        let create = DealCreate {
            name: input.deal_name.unwrap_or_else(|| format!("{who_for}: new deal")),
            pipeline_id: input.pipeline_id,
            stage_id: input.stage_id,
            amount: input.deal_amount,
            currency: input.currency,
            close_date: input.close_date,
            ..Default::default()
        };
        Ok(Some(create.validate(facts.settings()?.base)?))
    };
    let conv = crm_app::leads::convert(state.app_db(), &who.caller(), id.into_inner(), deal).await?;
    Ok(HttpResponse::Ok().json(LeadConversion {
        lead: convert::lead(conv.lead)?,
        contact_id: conv.contact_id,
        contact_created: conv.contact_created,
        company_id: conv.company_id,
        company_created: conv.company_created,
        deal_id: conv.deal_id,
        already_converted: conv.already_converted,
    }))
}

/// Move a lead to the trash; `If-Match` is required.
#[utoipa::path(
    tag = "leads",
    operation_id = "delete_lead",
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you saw, or *")),
    responses(
        (status = 200, description = "The lead, now in the trash", body = Lead, headers(("ETag" = String))),
        (status = 404, description = "No such lead", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/leads/{id}")]
pub async fn delete_lead(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    set_deleted(state, who, id.into_inner(), expected, true).await
}

/// Take a lead out of the trash.
#[utoipa::path(
    tag = "leads",
    operation_id = "restore_lead",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The restored lead", body = Lead, headers(("ETag" = String))),
        (status = 404, description = "No such lead", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/leads/{id}/restore")]
pub async fn restore_lead(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
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
    let lead = convert::shown(records::set_deleted::<Leads>(state.app_db(), &who.caller(), id, expected, delete).await?, convert::lead)?;
    Ok(with_etag(lead.version, &lead))
}

/// The lead's audit trail, oldest first.
#[utoipa::path(
    tag = "leads",
    operation_id = "lead_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 404, description = "No such lead", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/leads/{id}/audit")]
pub async fn lead_audit(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    audit_page(&state, &who, &req, repo::ENTITY, id.into_inner(), |c, who, id| {
        let found = repo::get(c, &who.workspace_id, id).map_err(not_found)?;
        access::visible(c, who, Entity::Lead, found.owner_id.as_deref())
    })
    .await
}
