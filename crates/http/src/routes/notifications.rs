//! `/api/v1/notifications` (a person's inbox) and following records.

use crate::auth::Principal;
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::QueryParams;
use crate::routes::timeline::visible;
use crate::routes::{name_users, AuditParams};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use crm_api_types::{Following, MarkRead, MarkedRead, Notification, Page, Problem, UnreadCount};
use crm_store::cursor::{Sort, SortField};
use crm_store::notifications as repo;
use crm_store::time;

/// The caller's user id; API keys have no inbox.
fn person(who: &Principal) -> ApiResult<String> {
    who.person("notifications and follows")
}

/// Filters of the inbox.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct InboxFilters {
    /// `true`: only unread notifications.
    unread: Option<bool>,
}

/// The caller's notifications, newest first: @mentions, assignments and changes to records
/// they follow, only about records they may read.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_notifications",
    params(InboxFilters, AuditParams),
    responses(
        (status = 200, description = "One page of notifications", body = Page<Notification>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key has no inbox", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/notifications")]
pub async fn list_notifications(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let user = person(&who)?;
    let mut q = QueryParams::from_request(&req);
    let unread = q.take_bool("unread")?;
    let newest_first = Sort { field: SortField::At, desc: true };
    let page = q.page_spec_with(Some("at"), newest_first)?;
    q.finish()?;
    let body = state
        .db(move |c| {
            let reach = crate::access::reach_all(c, &who)?;
            let mut p = repo::inbox(c, &who.workspace_id, &user, &reach, unread, &page)?;
            name_users(c, &mut p.items)?;
            let items: Vec<Notification> = p.items.into_iter().map(convert::notification).collect();
            to_json(&Page { items, next_cursor: p.next_cursor, total: None })
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// How many of the caller's notifications are unread (for the bell).
#[utoipa::path(
    tag = "notifications",
    operation_id = "unread_notifications",
    responses(
        (status = 200, description = "The unread count", body = UnreadCount),
        (status = 403, description = "An API key has no inbox", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/notifications/unread-count")]
pub async fn unread_notifications(state: web::Data<AppState>, who: Principal) -> ApiResult<web::Json<UnreadCount>> {
    let user = person(&who)?;
    let unread = state
        .db(move |c| {
            let reach = crate::access::reach_all(c, &who)?;
            Ok(repo::unread_count(c, &who.workspace_id, &user, &reach)?)
        })
        .await?;
    Ok(web::Json(UnreadCount { unread }))
}

/// Mark notifications read: `{"ids": [...]}` or `{"all": true}`. Ids that are not the
/// caller's, or already read, are left alone.
#[utoipa::path(
    tag = "notifications",
    operation_id = "mark_notifications_read",
    request_body(content = MarkRead, example = json!({"ids": ["0193…"]})),
    responses(
        (status = 200, description = "How many were marked, and how many stay unread", body = MarkedRead),
        (status = 403, description = "An API key has no inbox", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither ids nor all, or too many ids", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/notifications/read")]
pub async fn mark_notifications_read(state: web::Data<AppState>, who: Principal, body: Json<MarkRead>) -> ApiResult<web::Json<MarkedRead>> {
    let user = person(&who)?;
    let input = body.value;
    if input.all != input.ids.is_empty() {
        return Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "ids", "give either ids or all: true"));
    }
    if input.ids.len() > 500 {
        return Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "ids", "at most 500 ids per call"));
    }
    let result = state
        .tx(move |c| {
            let ids = (!input.all).then_some(input.ids.as_slice());
            let marked = repo::mark_read(c, &who.workspace_id, &user, ids, time::now_micros())? as i64;
            let reach = crate::access::reach_all(c, &who)?;
            let unread = repo::unread_count(c, &who.workspace_id, &user, &reach)?;
            Ok(MarkedRead { marked, unread })
        })
        .await?;
    Ok(web::Json(result))
}

async fn follow(
    state: web::Data<AppState>,
    who: Principal,
    subject: &'static str,
    id: String,
    on: Option<bool>,
) -> ApiResult<web::Json<Following>> {
    let user = person(&who)?;
    let following = state
        .tx(move |c| {
            visible(c, &who, subject, &id)?;
            if let Some(on) = on {
                repo::set_following(c, &who.workspace_id, &user, subject, &id, on, time::now_micros())?;
            }
            Ok(repo::is_following(c, &who.workspace_id, &user, &id)?)
        })
        .await?;
    Ok(web::Json(Following { following }))
}

macro_rules! follow_routes {
    ($get:ident, $put:ident, $del:ident, $path:literal, $subject:literal, $tag:literal) => {
        #[doc = concat!("Whether the caller follows this ", $subject, ".")]
        #[utoipa::path(tag = $tag, operation_id = stringify!($get), params(("id" = String, Path)),
            responses((status = 200, description = "Following or not", body = Following),
                (status = 404, description = "No such record, or not visible to you", body = Problem, content_type = "application/problem+json")),
            security(("bearer" = [])))]
        #[get($path)]
        pub async fn $get(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<web::Json<Following>> {
            follow(state, who, $subject, id.into_inner(), None).await
        }

        #[doc = concat!("Follow this ", $subject, ": everything on its timeline becomes a notification.")]
        #[utoipa::path(tag = $tag, operation_id = stringify!($put), params(("id" = String, Path)),
            responses((status = 200, description = "Now following", body = Following),
                (status = 403, description = "An API key cannot follow", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record, or not visible to you", body = Problem, content_type = "application/problem+json")),
            security(("bearer" = [])))]
        #[put($path)]
        pub async fn $put(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<web::Json<Following>> {
            follow(state, who, $subject, id.into_inner(), Some(true)).await
        }

        #[doc = concat!("Stop following this ", $subject, ".")]
        #[utoipa::path(tag = $tag, operation_id = stringify!($del), params(("id" = String, Path)),
            responses((status = 200, description = "No longer following", body = Following),
                (status = 404, description = "No such record, or not visible to you", body = Problem, content_type = "application/problem+json")),
            security(("bearer" = [])))]
        #[delete($path)]
        pub async fn $del(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<web::Json<Following>> {
            follow(state, who, $subject, id.into_inner(), Some(false)).await
        }
    };
}

follow_routes!(contact_following, follow_contact, unfollow_contact, "/contacts/{id}/follow", "contact", "contacts");
follow_routes!(company_following, follow_company, unfollow_company, "/companies/{id}/follow", "company", "companies");
follow_routes!(deal_following, follow_deal, unfollow_deal, "/deals/{id}/follow", "deal", "deals");
follow_routes!(case_following, follow_case, unfollow_case, "/cases/{id}/follow", "case", "cases");
