//! `/api/v1/pipelines`: each workspace's sales processes and their stages.

use crate::auth::Principal;
use crate::conditional::{if_match, with_etag};
use crate::convert;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::state::AppState;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use crm_api_types::{Pipeline, PipelineInput, Problem};
use crm_domain::custom::FieldSet;
use crm_domain::deals::{PipelineDraft, RequiredCustom};
use crm_domain::{FieldError, ValidationErrors};
use crm_store::pipelines as repo;
use crm_store::DbConnection;

fn not_found(e: crm_store::StoreError) -> ApiError {
    match e {
        crm_store::StoreError::NotFound => ApiError::not_found("pipeline"),
        other => other.into(),
    }
}

fn require_manager(who: &Principal) -> ApiResult<()> {
    if matches!(who.role, crm_domain::Role::Admin | crm_domain::Role::Manager) {
        Ok(())
    } else {
        Err(ApiError::forbidden("only admins and managers define pipelines"))
    }
}

/// The custom fields of deals, which name what stages require.
fn deal_fields(c: &mut DbConnection, ws: &str) -> ApiResult<FieldSet> {
    Ok(crm_store::custom_fields::field_set(c, ws, "deal")?)
}

/// Turns the keys of the custom fields each stage requires into storage keys, which survive a
/// rename; a key that names no live field of deals is a problem of its stage.
fn resolve_custom(draft: &mut PipelineDraft, fields: &FieldSet) -> ApiResult<()> {
    let mut errs = ValidationErrors::new();
    for (i, s) in draft.stages.iter_mut().enumerate() {
        let mut keys: Vec<RequiredCustom> = Vec::with_capacity(s.required_custom.len());
        for (j, r) in s.required_custom.iter().enumerate() {
            match fields.by_key(&r.key).filter(|f| !f.archived) {
                Some(f) if !keys.iter().any(|k| k.storage_key == f.storage_key) => {
                    keys.push(RequiredCustom { key: f.key.clone(), storage_key: f.storage_key.clone() })
                }
                Some(_) => {}
                None => errs.push(FieldError::new(
                    format!("stages[{i}].required_custom_fields[{j}]"),
                    "unknown_field",
                    "no custom field of deals has this key (GET /api/v1/fields?entity=deal lists them)",
                )),
            }
        }
        s.required_custom = keys;
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.into())
    }
}

/// Every pipeline with its stages in order.
#[utoipa::path(
    tag = "pipelines",
    operation_id = "list_pipelines",
    responses((status = 200, description = "Pipelines", body = Vec<Pipeline>)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/pipelines")]
pub async fn list_pipelines(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let list: Vec<Pipeline> = state.db(move |c| Ok(repo::list(c, &who.workspace_id)?.into_iter().map(convert::pipeline).collect())).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One pipeline.
#[utoipa::path(
    tag = "pipelines",
    operation_id = "get_pipeline",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The pipeline", body = Pipeline, headers(("ETag" = String))),
        (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/pipelines/{id}")]
pub async fn get_pipeline(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let p = state.db(move |c| Ok(convert::pipeline(repo::get(c, &who.workspace_id, &id).map_err(not_found)?))).await?;
    Ok(with_etag(p.version, &p))
}

/// Create a pipeline: ordered stages with win probabilities, exactly one won and one lost
/// stage, fields each stage requires, and the reasons a lost deal may give.
#[utoipa::path(
    tag = "pipelines",
    operation_id = "create_pipeline",
    request_body(content = PipelineInput, example = json!({"name": "Enterprise", "stages": [
        {"name": "Discovery", "probability": 10},
        {"name": "Proposal", "probability": 50, "required_fields": ["amount", "close_date"], "required_custom_fields": ["competitor"]},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"}
    ], "loss_reasons": ["Price", "Competitor"]})),
    responses(
        (status = 201, description = "Created", body = Pipeline),
        (status = 403, description = "Only admins and managers", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid stages or fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/pipelines")]
pub async fn create_pipeline(state: web::Data<AppState>, who: Principal, body: Json<PipelineInput>) -> ApiResult<HttpResponse> {
    require_manager(&who)?;
    let mut draft = body.value.validate()?;
    let p = state
        .tx(move |c| {
            let fields = deal_fields(c, &who.workspace_id)?;
            resolve_custom(&mut draft, &fields)?;
            Ok(convert::pipeline(repo::create(c, &who.workspace_id, &draft)?))
        })
        .await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/pipelines/{}", p.id))).json(p))
}

/// Replace a pipeline. Stages sent with their `id` are kept (renamed, reordered, rules
/// changed); stages left out are removed unless deals are still in them (409).
#[utoipa::path(
    tag = "pipelines",
    operation_id = "replace_pipeline",
    request_body = PipelineInput,
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The pipeline", body = Pipeline, headers(("ETag" = String))),
        (status = 404, description = "No such pipeline", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A removed stage still holds deals", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid stages or fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/pipelines/{id}")]
pub async fn replace_pipeline(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<PipelineInput>,
) -> ApiResult<HttpResponse> {
    require_manager(&who)?;
    let expected = if_match(&req)?;
    let mut draft = body.value.validate()?;
    let id = id.into_inner();
    let p = state
        .tx(move |c| {
            let fields = deal_fields(c, &who.workspace_id)?;
            resolve_custom(&mut draft, &fields)?;
            Ok(convert::pipeline(repo::replace(c, &who.workspace_id, &id, expected, &draft).map_err(not_found)?))
        })
        .await?;
    Ok(with_etag(p.version, &p))
}
