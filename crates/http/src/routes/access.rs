//! `/api/v1/access-policy`: who may read and change which records.

use crate::auth::Principal;
use crate::convert::to_json;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use crm_api_types::{AccessGrant, AccessPolicy, AccessPolicyUpdate, Problem};
use crm_domain::access::{configurable, Entity, Grant, Scope};
use crm_domain::{FieldError, ValidationErrors};
use crm_store::DbConnection;

fn load(c: &mut DbConnection, ws: &str) -> ApiResult<String> {
    let grants = crm_store::access::policy(c, ws)?
        .into_iter()
        .map(|(role, entity, g)| AccessGrant { role, entity, read: g.read, write: g.write, configurable: configurable(role) })
        .collect();
    to_json(&AccessPolicy { grants })
}

/// The record-level access policy: for each role and kind of record, which records members
/// with that role may read and change (`own`, `team`, `all` or `none`).
#[utoipa::path(
    tag = "workspace",
    operation_id = "get_access_policy",
    responses((status = 200, description = "Every grant in force", body = AccessPolicy)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/access-policy")]
pub async fn get_access_policy(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let body = state.db(move |c| load(c, &who.workspace_id)).await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Change grants (admins only). Grants not named stay as they are; a grant equal to the
/// built-in default removes the override.
#[utoipa::path(
    tag = "workspace",
    operation_id = "update_access_policy",
    request_body(content = AccessPolicyUpdate, example = json!({"grants": [{"role": "sales_rep", "entity": "deal", "read": "own", "write": "own"}]})),
    responses(
        (status = 200, description = "Every grant now in force", body = AccessPolicy),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A grant writes beyond what it reads, or names a fixed role", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/access-policy")]
pub async fn update_access_policy(state: web::Data<AppState>, who: Principal, body: Json<AccessPolicyUpdate>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let mut errors = ValidationErrors::default();
    for (i, g) in body.value.grants.iter().enumerate() {
        if !configurable(g.role) {
            errors.push(FieldError::new(format!("grants[{i}].role"), "role_not_configurable", "admins always read and change everything"));
        } else if !Grant::new(g.read, g.write).is_consistent() {
            errors.push(FieldError::new(format!("grants[{i}].write"), "write_beyond_read", "write may not be wider than read"));
        } else if g.entity == Entity::Product {
            // Products have no owner, so `own` and `team` would read as `none`: say so instead.
            for (name, scope) in [("read", g.read), ("write", g.write)] {
                if matches!(scope, Scope::Own | Scope::Team) {
                    errors.push(FieldError::new(format!("grants[{i}].{name}"), "unowned_kind", "products have no owner: none or all"));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let grants = body.value.grants;
    let body = state
        .tx(move |c| {
            for g in &grants {
                crm_store::access::set_grant(c, &who.workspace_id, g.role, g.entity, Grant::new(g.read, g.write))?;
            }
            load(c, &who.workspace_id)
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}
