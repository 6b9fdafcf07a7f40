//! `/api/v1/contacts`: the people the business deals with.

use crate::auth::Principal;
use crate::conditional::{etag, if_match, if_match_optional, not_modified, with_etag};
use crate::convert::{self, to_json};
use crate::error::ApiResult;
use crate::export::{self, Format};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::routes::{audit_page, AuditParams, CustomParams, ListParams};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{AuditEntry, Contact, ContactCreate, ContactPatch, Page, Problem};
use crm_app::contacts::Contacts;
use crm_app::records;
use crm_domain::access::Entity;
use crm_domain::{Email, LifecycleStage};
use crm_store::contacts::{self as repo, ContactFilter};
use crm_store::listing::InSegment;

/// Filters of `GET /contacts` (besides paging, see [`ListParams`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ContactFilters {
    /// Free text: name, email, phone digits (any format), title or company name.
    q: Option<String>,
    /// Comma-separated stages: `lead,prospect`.
    lifecycle_stage: Option<String>,
    /// Comma-separated user ids; `me` is the caller.
    owner_id: Option<String>,
    company_id: Option<String>,
    tag: Option<String>,
    /// Exact email address.
    email: Option<String>,
    /// A phone number in any format; matched after normalisation to E.164.
    phone: Option<String>,
    /// Created at or after (RFC 3339).
    #[param(rename = "created_at[gte]")]
    created_gte: Option<String>,
    /// Created before (RFC 3339).
    #[param(rename = "created_at[lt]")]
    created_lt: Option<String>,
    /// Changed at or after (RFC 3339): sync only what changed.
    #[param(rename = "updated_at[gte]")]
    updated_gte: Option<String>,
    /// `exclude` (default), `only` (the trash) or `include`.
    trash: Option<String>,
    /// Members of a segment you see (its id): a dynamic segment's rules as they match now, a
    /// snapshot's frozen members.
    segment: Option<String>,
}

fn parse_filter(q: &mut QueryParams, who: &Principal) -> ApiResult<ContactFilter> {
    let owner_ids = q.take_users("owner_id", who.user_id())?;
    Ok(ContactFilter {
        q: q.take("q"),
        lifecycle_stages: q.take_list("lifecycle_stage", |s| LifecycleStage::parse(s).is_some(), &LifecycleStage::expected())?,
        owner_ids,
        company_id: q.take("company_id"),
        tag: q.take("tag").map(|t| t.to_lowercase()),
        email: match q.take("email") {
            None => None,
            Some(e) => Some(Email::parse("email", &e).map_err(|e| bad("email", "invalid_email", &e.message))?.key()),
        },
        phone: q.take("phone"),
        created_gte: q.take_time("created_at[gte]")?,
        created_lt: q.take_time("created_at[lt]")?,
        updated_gte: q.take_time("updated_at[gte]")?,
        trash: q.trash()?,
        segment: InSegment::asked(q.take("segment")),
    })
}

/// List contacts, filtered, sorted and paged by cursor.
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_contacts",
    params(ContactFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of contacts", body = Page<Contact>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/contacts")]
pub async fn list_contacts(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let filter = parse_filter(&mut q, &who)?;
    let page = q.page_spec_with_custom()?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        return export::records::<Contacts, crm_api_types::Contact>(&state, &who, format, filter, page, |s| {
            export::value(convert::contact_out(&s)?)
        })
        .await;
    }
    let p = records::list::<Contacts>(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.iter().map(convert::contact_out).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

fn stored(status: StatusCode, c: &Contact) -> ApiResult<Stored> {
    Ok(Stored { status, body: to_json(c)?, location: Some(format!("/api/v1/contacts/{}", c.id)), etag: Some(etag(c.version)) })
}

/// Create a contact. Phones may be written in any common format; they are stored in E.164,
/// national numbers read in the workspace's default region.
#[utoipa::path(
    tag = "contacts",
    operation_id = "create_contact",
    request_body(content = ContactCreate, example = json!({"first_name": "Sara", "last_name": "Karimi", "emails": [{"address": "sara@example.com"}], "phones": [{"number": "0912 123 4567"}], "lifecycle_stage": "prospect", "tags": ["vip"]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Created", body = Contact, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role is read-only", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: Json<ContactCreate>,
) -> ApiResult<HttpResponse> {
    let (input, caller) = (body.value, who.caller());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let created = records::create_in::<Contacts>(c, &caller, |facts| {
            let (mut draft, custom) = crm_app::custom::together(
                input.validate(facts.settings()?.region),
                facts.custom(Entity::Contact, Some(&input.custom), None, None),
            )?;
            draft.custom = Some(custom);
            Ok(draft)
        })?;
        stored(StatusCode::CREATED, &convert::shown(created, convert::contact)?)
    })
    .await
}

/// Get one contact. Contacts in the trash are returned with `deleted_at` set.
#[utoipa::path(
    tag = "contacts",
    operation_id = "get_contact",
    params(("id" = String, Path), ("If-None-Match" = Option<String>, Header, description = "ETag you have; 304 when unchanged")),
    responses(
        (status = 200, description = "The contact", body = Contact, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag you sent"),
        (status = 404, description = "No such contact in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/contacts/{id}")]
pub async fn get_contact(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let found = records::get::<Contacts>(state.app_db(), &who.caller(), id.into_inner()).await?;
    let (version, body) = (found.0.version, to_json(&convert::contact_out(&found)?)?);
    if not_modified(&req, version) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag(version))).finish());
    }
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(version))).content_type("application/json").body(body))
}

/// Change some fields of a contact. Absent fields stay, `null` clears, lists replace.
/// `If-Match` with the ETag you read is required: a stale write is 412, never lost silently.
#[utoipa::path(
    tag = "contacts",
    operation_id = "update_contact",
    request_body(content = ContactPatch, example = json!({"lifecycle_stage": "customer", "title": null})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed contact", body = Contact, headers(("ETag" = String))),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The contact is in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<ContactPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let patch = body.value;
    let changed = records::update::<Contacts, _>(state.app_db(), &who.caller(), id.into_inner(), expected, move |row, facts| {
        // A row that cannot be shown cannot be patched either: the patch goes over what the
        // API shows, so absent fields keep exactly what a client read.
        let current = convert::contact((row.clone(), None)).map_err(|_| crm_store::StoreError::Corrupt("contact".into()))?;
        let mut draft = patch.apply_to(ContactCreate::from(current)).validate(facts.settings()?.region)?;
        if let Some(custom) = &patch.custom {
            draft.custom = Some(facts.custom(Entity::Contact, Some(custom), Some(&row.custom), Some(&row.id))?);
        }
        Ok(draft)
    })
    .await?;
    let contact = convert::shown(changed, convert::contact)?;
    Ok(with_etag(contact.version, &contact))
}

/// Move a contact to the trash. It can be restored; `If-Match` is required.
#[utoipa::path(
    tag = "contacts",
    operation_id = "delete_contact",
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you saw, or *")),
    responses(
        (status = 200, description = "The contact, now in the trash", body = Contact, headers(("ETag" = String))),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/contacts/{id}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    set_deleted(state, who, id.into_inner(), expected, true).await
}

/// Take a contact out of the trash.
#[utoipa::path(
    tag = "contacts",
    operation_id = "restore_contact",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The restored contact", body = Contact, headers(("ETag" = String))),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/contacts/{id}/restore")]
pub async fn restore_contact(
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
    let contact =
        convert::shown(records::set_deleted::<Contacts>(state.app_db(), &who.caller(), id, expected, delete).await?, convert::contact)?;
    Ok(with_etag(contact.version, &contact))
}

/// The contact's audit trail: every change, who made it, field by field, oldest first.
#[utoipa::path(
    tag = "contacts",
    operation_id = "contact_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/contacts/{id}/audit")]
pub async fn contact_audit(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    audit_page(&state, &who, &req, repo::ENTITY, id, |c, who, id| crate::routes::timeline::visible(c, who, "contact", id)).await
}
