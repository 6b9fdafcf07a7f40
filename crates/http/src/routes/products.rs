//! `/api/v1/products`: the catalogue deals and orders are priced from.

use crate::auth::Principal;
use crate::conditional::{etag, if_match, with_etag};
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::export::{self, Format};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::params::QueryParams;
use crate::routes::{audit_page, AuditParams, CustomParams, ListParams};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{AuditEntry, Page, Problem, Product, ProductCreate, ProductPatch};
use crm_app::{AppError, UnitOfWork};
use crm_domain::access::Entity;
use crm_store::products::{self as repo, ProductFilter};

/// Filters of `GET /products`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ProductFilters {
    /// Name or SKU contains.
    q: Option<String>,
    category: Option<String>,
    /// `true` or `false`.
    active: Option<bool>,
}

fn not_found(e: crm_store::StoreError) -> ApiError {
    match e {
        crm_store::StoreError::NotFound => ApiError::not_found("product"),
        other => other.into(),
    }
}

/// List products.
#[utoipa::path(
    tag = "products",
    operation_id = "list_products",
    params(ProductFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of products", body = Page<Product>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/products")]
pub async fn list_products(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let active = match q.take("active") {
        None => None,
        Some(v) => Some(match v.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(crate::params::bad("active", "invalid_bool", "must be true or false")),
        }),
    };
    let filter = ProductFilter { q: q.take("q"), category: q.take("category"), active };
    let page = q.page_spec_with_custom()?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        let caller = who.caller();
        let custom = crm_app::custom::readable_keys(state.app_db(), &caller, Entity::Product).await?;
        let db = state.app_db().clone();
        return export::respond(format, "products", export::columns::<Product>(&custom), move |mut sink| async move {
            crm_app::products::export(&db, &caller, filter, page, move |batch, last| {
                let values = batch.into_iter().map(|s| export::value(convert::shown(s, convert::product)?)).collect::<ApiResult<Vec<_>>>();
                sink(values.map_err(|e| crm_store::StoreError::Corrupt(format!("export: {e:?}")))?, last)
            })
            .await
        })
        .await;
    }
    let p = crm_app::products::list(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.into_iter().map(|s| convert::shown(s, convert::product)).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Add a product to the catalogue.
#[utoipa::path(
    tag = "products",
    operation_id = "create_product",
    request_body(content = ProductCreate, example = json!({"sku": "SRV-PRO", "name": "Pro plan (annual)", "category": "Subscriptions", "unit_price": {"amount": "1200.00", "currency": "USD"}, "unit_cost": {"amount": "300.00", "currency": "USD"}})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Created", body = Product, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The role may not change the catalogue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The SKU is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: Json<ProductCreate>,
) -> ApiResult<HttpResponse> {
    let input = body.value;
    let caller = who.caller();
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let mut uow = UnitOfWork::new(&caller);
        let shown = crm_app::products::create_with(c, &caller, &mut uow, input.validate(), Some(&input.custom))?;
        uow.commit(c)?;
        let p = convert::shown(shown, convert::product)?;
        Ok(Stored {
            status: StatusCode::CREATED,
            body: to_json(&p)?,
            location: Some(format!("/api/v1/products/{}", p.id)),
            etag: Some(etag(p.version)),
        })
    })
    .await
}

/// Get one product.
#[utoipa::path(
    tag = "products",
    operation_id = "get_product",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The product", body = Product, headers(("ETag" = String))),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/products/{id}")]
pub async fn get_product(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let shown = crm_app::products::get(state.app_db(), &who.caller(), id.into_inner()).await?;
    let p = convert::shown(shown, convert::product)?;
    Ok(with_etag(p.version, &p))
}

/// Change some fields of a product; `If-Match` required.
#[utoipa::path(
    tag = "products",
    operation_id = "update_product",
    request_body(content = ProductPatch, example = json!({"active": false})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed product", body = Product, headers(("ETag" = String))),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The SKU is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/products/{id}")]
pub async fn update_product(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<ProductPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut patch = body.value;
    let custom = patch.custom.take();
    let changed = crm_app::products::update(state.app_db(), &who.caller(), id.into_inner(), expected, custom, move |row| {
        let current = convert::product(row.clone()).map_err(|_| {
            crm_domain::ValidationErrors(vec![crm_domain::FieldError::new("id", "corrupt", "the stored product cannot be read")])
        })?;
        patch.apply_to(ProductCreate::from(current)).validate()
    })
    .await
    .map_err(|e| match e {
        AppError::Store(e) => not_found(e),
        other => other.into(),
    })?;
    let p = convert::shown(changed, convert::product)?;
    Ok(with_etag(p.version, &p))
}

/// The product's audit trail, oldest first.
#[utoipa::path(
    tag = "products",
    operation_id = "product_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/products/{id}/audit")]
pub async fn product_audit(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    audit_page(&state, &who, &req, Entity::Product.as_str(), id.into_inner(), |c, who, id| {
        crm_app::products::require_read(c, &who.caller())?;
        repo::get(c, &who.workspace_id, id).map_err(not_found)?;
        Ok(())
    })
    .await
}
