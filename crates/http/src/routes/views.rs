//! `/api/v1/views`: saved list views, kept per person so they follow them to any browser, and
//! optionally shared with the workspace.

use crate::auth::Principal;
use crate::convert::to_json;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use crm_api_types::{Problem, SaveViewRequest, SavedView, ViewDefinition, ViewList};
use crm_store::time::{now_micros, to_datetime};
use crm_store::views::{self as repo, ViewRow};
use crm_store::{DbConnection, StoreError};

/// The caller's user id; an API key keeps no views.
fn person(who: &Principal) -> ApiResult<String> {
    who.person("saved views")
}

fn view_of(row: ViewRow, me: &str, owner_name: Option<String>) -> ApiResult<SavedView> {
    let d: ViewDefinition = serde_json::from_str(&row.definition).map_err(|e| {
        tracing::error!("saved view {} holds an unreadable definition: {e}", row.id);
        ApiError::internal()
    })?;
    Ok(SavedView {
        list: ViewList::parse(&row.list).ok_or_else(ApiError::internal)?,
        mine: row.user_id == me,
        owner_id: row.user_id,
        owner_name,
        id: row.id,
        name: row.name,
        shared: row.shared != 0,
        q: d.q,
        filters: d.filters,
        sort: d.sort,
        columns: d.columns,
        created_at: to_datetime(row.created_at),
        updated_at: to_datetime(row.updated_at),
    })
}

fn views_of(c: &mut DbConnection, rows: Vec<ViewRow>, me: &str) -> ApiResult<Vec<SavedView>> {
    let mut ids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = crm_store::identity::user_names(c, &ids)?;
    rows.into_iter()
        .map(|r| {
            let name = names.iter().find(|(id, _)| *id == r.user_id).map(|(_, n)| n.clone());
            view_of(r, me, name)
        })
        .collect()
}

/// Which views to list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ViewsQuery {
    /// Only the views of this list.
    list: Option<ViewList>,
}

/// Your saved views and those others shared with the workspace, by name.
#[utoipa::path(
    tag = "views",
    operation_id = "list_views",
    params(ViewsQuery),
    responses(
        (status = 200, description = "The views you see", body = [SavedView]),
        (status = 400, description = "An unknown list or parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key has no views", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/views")]
pub async fn list_views(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let me = person(&who)?;
    let mut q = QueryParams::from_request(&req);
    let list = match q.take("list") {
        None => None,
        Some(l) => {
            Some(ViewList::parse(&l).ok_or_else(|| bad("list", "invalid_enum", &format!("is not one of {}", ViewList::expected())))?)
        }
    };
    q.finish()?;
    let ws = who.workspace_id.clone();
    let body = state
        .db(move |c| {
            let rows = repo::visible(c, &ws, &me, list.map(ViewList::as_str))?;
            to_json(&views_of(c, rows, &me)?)
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Save a view of a list: 201 with a new view, 200 when it replaced yours of the same name.
#[utoipa::path(
    tag = "views",
    operation_id = "save_view",
    request_body(content = SaveViewRequest, example = json!({"list": "cases", "name": "Urgent and open", "shared": true, "q": "", "filters": [{"param": "priority", "value": "urgent"}, {"param": "status", "value": "open"}], "sort": "-created_at", "columns": ["number", "subject", "priority", "sla_due_at"]})),
    responses(
        (status = 201, description = "Saved as a new view", body = SavedView),
        (status = 200, description = "Replaced your view of this name", body = SavedView),
        (status = 403, description = "An API key has no views", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You keep 50 views of this list already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/views")]
pub async fn save_view(state: web::Data<AppState>, who: Principal, body: Json<SaveViewRequest>) -> ApiResult<HttpResponse> {
    let me = person(&who)?;
    let input = body.value;
    let (name, definition) = input.check().map_err(ApiError::validation)?;
    let stored = to_json(&definition)?;
    let ws = who.workspace_id.clone();
    let (view, created) = state
        .tx(move |c| {
            let view = repo::NewView { list: input.list.as_str(), name: &name, shared: input.shared, definition: &stored };
            let (row, created) = repo::save(c, &ws, &me, view, now_micros())?;
            let mut views = views_of(c, vec![row], &me)?;
            Ok((views.pop().ok_or_else(ApiError::internal)?, created))
        })
        .await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(HttpResponse::build(status).json(view))
}

/// Delete one of your views.
#[utoipa::path(
    tag = "views",
    operation_id = "delete_view",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Another person's shared view, or an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such view", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/views/{id}")]
pub async fn delete_view(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let me = person(&who)?;
    let (ws, id) = (who.workspace_id.clone(), id.into_inner());
    state
        .tx(move |c| match repo::delete(c, &ws, &me, &id) {
            Err(StoreError::NotFound) => Err(ApiError::not_found("view")),
            other => Ok(other?),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
