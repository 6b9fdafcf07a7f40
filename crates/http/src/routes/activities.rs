//! `/api/v1/activities` and `/api/v1/tasks`: interactions on every channel, and to-dos.

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
use crm_api_types::{merge_patch, Activity, ActivityCreate, ActivityPatch, AuditEntry, Page, Problem, Task, TaskCreate, TaskPatch};
use crm_app::activities::Activities;
use crm_app::records;
use crm_app::tasks::Tasks;
use crm_domain::access::Entity;
use crm_domain::operations::{ActivityKind, Direction, Priority, TaskStatus};
use crm_store::activities::{self as repo, ActivityFilter};
use crm_store::cursor::{Sort, SortField};
use crm_store::listing::InSegment;
use crm_store::tasks::{self as tasks_repo, TaskFilter};
use crm_store::{time, StoreError};

fn not_found(what: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::NotFound => ApiError::not_found(what),
        other => other.into(),
    }
}

/// Filters of `GET /activities`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ActivityFilters {
    /// Comma-separated channels: `call`, `email`, `meeting`, `sms`, `chat`, `web_visit`, `letter`, `store_visit`, `field_visit`, `note`.
    kind: Option<String>,
    /// Comma-separated: `inbound`, `outbound`, `internal`.
    direction: Option<String>,
    /// Comma-separated user ids; `me` is the caller.
    owner_id: Option<String>,
    /// Activities this contact took part in.
    contact_id: Option<String>,
    /// Activities this user took part in; `me` is the caller.
    user_id: Option<String>,
    company_id: Option<String>,
    deal_id: Option<String>,
    case_id: Option<String>,
    lead_id: Option<String>,
    #[param(rename = "occurred_at[gte]")]
    from: Option<String>,
    #[param(rename = "occurred_at[lt]")]
    until: Option<String>,
    trash: Option<String>,
    /// Activities with a contact in a segment you see (its id): a dynamic segment's rules as they match now, a snapshot's frozen members.
    segment: Option<String>,
}

/// List activities the caller may see, newest first by default (`sort=-occurred_at`; also
/// `occurred_at`, `created_at`, `updated_at`, `name`).
#[utoipa::path(
    tag = "activities",
    operation_id = "list_activities",
    params(ActivityFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of activities", body = Page<Activity>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/activities")]
pub async fn list_activities(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let filter = ActivityFilter {
        kinds: q.take_list("kind", |s| ActivityKind::parse(s).is_some(), &ActivityKind::expected())?,
        directions: q.take_list("direction", |s| Direction::parse(s).is_some(), &Direction::expected())?,
        owner_ids: q.take_users("owner_id", who.user_id())?,
        contact_id: q.take("contact_id"),
        user_id: q.take("user_id").map(|u| if u == "me" { who.user_id().unwrap_or("").to_owned() } else { u }),
        company_id: q.take("company_id"),
        deal_id: q.take("deal_id"),
        case_id: q.take("case_id"),
        lead_id: q.take("lead_id"),
        from: q.take_time("occurred_at[gte]")?,
        until: q.take_time("occurred_at[lt]")?,
        trash: q.trash()?,
        segment: InSegment::asked(q.take("segment")),
    };
    let page = q.page_spec_with_custom_at(Some("occurred_at"), Sort { field: SortField::At, desc: true })?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        return export::records::<Activities, crm_api_types::Activity>(&state, &who, format, filter, page, |s| {
            export::value(convert::shown(s, convert::activity)?)
        })
        .await;
    }
    let p = records::list::<Activities>(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.into_iter().map(|s| convert::shown(s, convert::activity)).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Log an activity. An outbound activity on a case records the case's first response.
#[utoipa::path(
    tag = "activities",
    operation_id = "create_activity",
    request_body(content = ActivityCreate, example = json!({"kind": "call", "direction": "outbound", "subject": "Discovery call",
        "duration_seconds": 540, "outcome": "connected", "contact_ids": ["0193…"], "deal_id": "0193…"})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Logged", body = Activity, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The role may not log activities (for this owner)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown related records, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/activities")]
pub async fn create_activity(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: Json<ActivityCreate>,
) -> ApiResult<HttpResponse> {
    let (input, caller) = (body.value, who.caller());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let created = records::create_in::<Activities>(c, &caller, |facts| {
            let (mut draft, custom) = crm_app::custom::together(
                input.validate(chrono::Utc::now()),
                facts.custom(Entity::Activity, Some(&input.custom), None, None),
            )?;
            draft.custom = Some(custom);
            Ok(draft)
        })?;
        let a = convert::shown(created, convert::activity)?;
        Ok(Stored {
            status: StatusCode::CREATED,
            body: to_json(&a)?,
            location: Some(format!("/api/v1/activities/{}", a.id)),
            etag: Some(etag(a.version)),
        })
    })
    .await
}

/// Get one activity.
#[utoipa::path(
    tag = "activities",
    operation_id = "get_activity",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The activity", body = Activity, headers(("ETag" = String))),
        (status = 404, description = "No such activity, or not visible to you", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/activities/{id}")]
pub async fn get_activity(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let a = convert::shown(records::get::<Activities>(state.app_db(), &who.caller(), id.into_inner()).await?, convert::activity)?;
    Ok(with_etag(a.version, &a))
}

/// Change an activity (e.g. set the outcome after a call); `If-Match` is required.
#[utoipa::path(
    tag = "activities",
    operation_id = "update_activity",
    request_body(content = ActivityPatch, example = json!({"outcome": "interested", "body": "Wants a quote for 40 seats"})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed activity", body = Activity, headers(("ETag" = String))),
        (status = 403, description = "You may see but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/activities/{id}")]
pub async fn update_activity(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<ActivityPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let patch = body.value;
    let changed = records::update::<Activities, _>(state.app_db(), &who.caller(), id.into_inner(), expected, move |current, facts| {
        let base = convert::activity(current.clone()).map_err(|_| StoreError::Corrupt("activity".into()))?;
        let mut draft = merge_patch(&ActivityCreate::from(base), &patch)?.validate(chrono::Utc::now())?;
        if let Some(custom) = &patch.custom {
            draft.custom = Some(facts.custom(Entity::Activity, Some(custom), Some(&current.custom), Some(&current.id))?);
        }
        Ok(draft)
    })
    .await?;
    let a = convert::shown(changed, convert::activity)?;
    Ok(with_etag(a.version, &a))
}

/// Move an activity to the trash; `If-Match` is required.
#[utoipa::path(
    tag = "activities",
    operation_id = "delete_activity",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses(
        (status = 200, description = "The activity, now in the trash", body = Activity),
        (status = 404, description = "No such activity", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/activities/{id}")]
pub async fn delete_activity(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let a = convert::shown(
        records::set_deleted::<Activities>(state.app_db(), &who.caller(), id.into_inner(), expected, true).await?,
        convert::activity,
    )?;
    Ok(with_etag(a.version, &a))
}

/// Filters of `GET /tasks`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct TaskFilters {
    /// Comma-separated user ids; `me` is the caller (`assignee_id=me&status=open,in_progress`: my open tasks).
    assignee_id: Option<String>,
    /// Comma-separated: `open`, `in_progress`, `done`, `cancelled`.
    status: Option<String>,
    /// Comma-separated: `low`, `normal`, `high`, `urgent`.
    priority: Option<String>,
    /// `true`: open tasks past their due time.
    overdue: Option<bool>,
    #[param(rename = "due_at[gte]")]
    due_gte: Option<String>,
    #[param(rename = "due_at[lt]")]
    due_lt: Option<String>,
    /// Tasks about this record.
    related_id: Option<String>,
    trash: Option<String>,
    /// Tasks on a contact in a segment you see (its id): a dynamic segment's rules as they match now, a snapshot's frozen members.
    segment: Option<String>,
}

/// List tasks the caller may see, soonest due first by default (`sort=due_at`; undated last).
#[utoipa::path(
    tag = "tasks",
    operation_id = "list_tasks",
    params(TaskFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of tasks", body = Page<Task>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/tasks")]
pub async fn list_tasks(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let now = time::now_micros();
    let filter = TaskFilter {
        owner_ids: q.take_users("assignee_id", who.user_id())?,
        statuses: q.take_list("status", |s| TaskStatus::parse(s).is_some(), &TaskStatus::expected())?,
        priorities: q.take_list("priority", |s| Priority::parse(s).is_some(), &Priority::expected())?,
        overdue: q.take_bool("overdue")?,
        due_gte: q.take_time("due_at[gte]")?,
        due_lt: q.take_time("due_at[lt]")?,
        related_id: q.take("related_id"),
        now,
        trash: q.trash()?,
        segment: InSegment::asked(q.take("segment")),
    };
    let page = q.page_spec_with_custom_at(Some("due_at"), Sort { field: SortField::At, desc: false })?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        return export::records::<Tasks, crm_api_types::Task>(&state, &who, format, filter, page, move |s| {
            export::value(convert::shown(s, |r| convert::task(r, now))?)
        })
        .await;
    }
    let p = records::list::<Tasks>(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.into_iter().map(|t| convert::shown(t, |r| convert::task(r, now))).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Create a task, assigned to the caller unless another assignee is named.
#[utoipa::path(
    tag = "tasks",
    operation_id = "create_task",
    request_body(content = TaskCreate, example = json!({"title": "Send the revised quote", "due_at": "2026-12-01T09:00:00Z",
        "priority": "high", "related_type": "deal", "related_id": "0193…"})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Created", body = Task, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The role may not create tasks (for this assignee)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or an unknown related record", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/tasks")]
pub async fn create_task(state: web::Data<AppState>, who: Principal, req: HttpRequest, body: Json<TaskCreate>) -> ApiResult<HttpResponse> {
    let (input, caller) = (body.value, who.caller());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let created = records::create_in::<Tasks>(c, &caller, |facts| {
            let (mut draft, custom) =
                crm_app::custom::together(input.validate(), facts.custom(Entity::Task, Some(&input.custom), None, None))?;
            draft.custom = Some(custom);
            Ok(draft)
        })?;
        let t = convert::shown(created, |r| convert::task(r, time::now_micros()))?;
        Ok(Stored {
            status: StatusCode::CREATED,
            body: to_json(&t)?,
            location: Some(format!("/api/v1/tasks/{}", t.id)),
            etag: Some(etag(t.version)),
        })
    })
    .await
}

/// Get one task.
#[utoipa::path(
    tag = "tasks",
    operation_id = "get_task",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The task", body = Task, headers(("ETag" = String))),
        (status = 404, description = "No such task, or not visible to you", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/tasks/{id}")]
pub async fn get_task(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let t = convert::shown(records::get::<Tasks>(state.app_db(), &who.caller(), id.into_inner()).await?, |r| {
        convert::task(r, time::now_micros())
    })?;
    Ok(with_etag(t.version, &t))
}

/// Change a task (complete it: `{"status": "done"}`); `If-Match` is required.
#[utoipa::path(
    tag = "tasks",
    operation_id = "update_task",
    request_body(content = TaskPatch, example = json!({"status": "done"})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed task", body = Task, headers(("ETag" = String))),
        (status = 403, description = "You may see but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/tasks/{id}")]
pub async fn update_task(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<TaskPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let (patch, now) = (body.value, time::now_micros());
    let changed = records::update::<Tasks, _>(state.app_db(), &who.caller(), id.into_inner(), expected, move |current, facts| {
        let base = convert::task(current.clone(), now).map_err(|_| StoreError::Corrupt("task".into()))?;
        let mut draft = merge_patch(&TaskCreate::from(base), &patch)?.validate()?;
        if let Some(custom) = &patch.custom {
            draft.custom = Some(facts.custom(Entity::Task, Some(custom), Some(&current.custom), Some(&current.id))?);
        }
        Ok(draft)
    })
    .await?;
    let t = convert::shown(changed, |r| convert::task(r, now))?;
    Ok(with_etag(t.version, &t))
}

/// Move a task to the trash; `If-Match` is required.
#[utoipa::path(
    tag = "tasks",
    operation_id = "delete_task",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses(
        (status = 200, description = "The task, now in the trash", body = Task),
        (status = 404, description = "No such task", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/tasks/{id}")]
pub async fn delete_task(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let row = records::set_deleted::<Tasks>(state.app_db(), &who.caller(), id.into_inner(), expected, true).await?;
    let t = convert::shown(row, |r| convert::task(r, time::now_micros()))?;
    Ok(with_etag(t.version, &t))
}

/// Take an activity out of the trash.
#[utoipa::path(
    tag = "activities",
    operation_id = "restore_activity",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The restored activity", body = Activity),
        (status = 404, description = "No such activity", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/activities/{id}/restore")]
pub async fn restore_activity(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let expected = if_match_optional(&req)?;
    let a = convert::shown(
        records::set_deleted::<Activities>(state.app_db(), &who.caller(), id.into_inner(), expected, false).await?,
        convert::activity,
    )?;
    Ok(with_etag(a.version, &a))
}

/// The activity's audit trail, oldest first.
#[utoipa::path(
    tag = "activities",
    operation_id = "activity_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/activities/{id}/audit")]
pub async fn activity_audit(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    audit_page(&state, &who, &req, repo::ENTITY, id.into_inner(), |c, who, id| {
        let found = repo::get(c, &who.workspace_id, id).map_err(not_found("activity"))?;
        access::visible(c, who, Entity::Activity, found.owner_id.as_deref())
    })
    .await
}

/// The task's audit trail, oldest first.
#[utoipa::path(
    tag = "tasks",
    operation_id = "task_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/tasks/{id}/audit")]
pub async fn task_audit(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    audit_page(&state, &who, &req, tasks_repo::ENTITY, id.into_inner(), |c, who, id| {
        let found = tasks_repo::get(c, &who.workspace_id, id).map_err(not_found("task"))?;
        access::visible(c, who, Entity::Task, found.owner_id.as_deref())
    })
    .await
}
