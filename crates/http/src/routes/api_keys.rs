//! API keys for integrations: created by admins, shown once, stored hashed.

use crate::auth::principal::API_KEY_PREFIX;
use crate::auth::Principal;
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use crm_api_types::{ApiKey, ApiKeyCreated, CreateApiKeyRequest, Problem};
use crm_domain::FieldError;
use rand::RngCore;

/// Create an API key (admins). The response holds the secret, shown this once.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "create_api_key",
    request_body(content = CreateApiKeyRequest, example = json!({"name": "Shop integration", "role": "integration"})),
    responses(
        (status = 201, description = "Created; store `key` now, it is never shown again", body = ApiKeyCreated),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: Json<CreateApiKeyRequest>,
) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let input = body.value;
    let name = crm_domain::text("name", &input.name, 100).map_err(|e| ApiError::validation(e.into()))?;
    if input.role == crm_domain::Role::Admin && who.user_id().is_none() {
        return Err(ApiError::validation(FieldError::new("role", "not_allowed", "an API key cannot create admin keys").into()));
    }
    let (ws, created_by) = (who.workspace_id.clone(), who.id().to_owned());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let mut secret = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut secret);
        let key = format!("{API_KEY_PREFIX}{}", hex::encode(secret));
        let row = crm_store::auth::ApiKeyRow {
            id: crm_store::new_id(),
            workspace_id: ws.clone(),
            name: name.clone(),
            role: input.role.as_str().to_owned(),
            prefix: key[..12].to_owned(),
            key_hash: crm_store::sha256_hex(&key),
            created_by: Some(created_by.clone()),
            created_at: crm_store::time::now_micros(),
            last_used_at: None,
            revoked_at: None,
        };
        crm_store::auth::insert_api_key(c, &row)?;
        let created = ApiKeyCreated { api_key: convert::api_key(row), key };
        Ok(Stored { status: StatusCode::CREATED, body: to_json(&created)?, location: None, etag: None })
    })
    .await
}

/// List the workspace's API keys (admins); secrets are never shown.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "list_api_keys",
    responses((status = 200, description = "Keys, newest first", body = Vec<ApiKey>), (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/api-keys")]
pub async fn list_api_keys(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let keys: Vec<ApiKey> =
        state.db(move |c| Ok(crm_store::auth::list_api_keys(c, &who.workspace_id)?.into_iter().map(convert::api_key).collect())).await?;
    Ok(HttpResponse::Ok().json(keys))
}

/// Revoke an API key (admins). Calls with it fail from now on.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "revoke_api_key",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The revoked key", body = ApiKey),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let id = id.into_inner();
    let key = state
        .tx(move |c| {
            crm_store::auth::revoke_api_key(c, &who.workspace_id, &id)?.map(convert::api_key).ok_or_else(|| ApiError::not_found("API key"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(key))
}
