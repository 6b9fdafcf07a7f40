//! `/api/v1/segments`: saved rules over contacts, their count while editing, evaluation and
//! membership history. The members are `GET /contacts?segment={id}`.

use crate::auth::Principal;
use crate::conditional::{if_match, if_match_optional, with_etag};
use crate::error::ApiResult;
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{
    Page, Problem, Segment, SegmentChange, SegmentEvaluated, SegmentKind, SegmentPatch, SegmentPreview, SegmentPreviewRequest, SegmentWrite,
};
use crm_app::segments::{self as use_case, Kind, Patch, Spec};
use crm_store::segments::Moved;
use crm_store::time::to_datetime;

fn spec(w: SegmentWrite) -> Spec {
    Spec { name: w.name, description: w.description, rules: w.rules, kind: kind(w.kind), shared: w.shared }
}

fn segment_out(s: use_case::Segment) -> Segment {
    let r = s.row;
    Segment {
        kind: if r.kind == Kind::Snapshot.as_str() { SegmentKind::Snapshot } else { SegmentKind::Dynamic },
        id: r.id,
        name: r.name,
        description: r.description,
        rules: s.rules,
        shared: r.shared != 0,
        owner_id: r.owner_id,
        mine: s.mine,
        editable: s.editable,
        members: s.members,
        evaluated_at: to_datetime(r.evaluated_at),
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
    }
}

fn evaluated(s: use_case::Segment, moved: Option<Moved>) -> SegmentEvaluated {
    SegmentEvaluated { segment: segment_out(s), entered: moved.map(|m| m.entered), left: moved.map(|m| m.left) }
}

fn kind(k: SegmentKind) -> Kind {
    match k {
        SegmentKind::Dynamic => Kind::Dynamic,
        SegmentKind::Snapshot => Kind::Snapshot,
    }
}

/// The segments you see: yours and the shared ones, by name.
#[utoipa::path(
    tag = "segments",
    operation_id = "list_segments",
    responses(
        (status = 200, description = "Your segments and the shared ones", body = [Segment]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/segments")]
pub async fn list_segments(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let all = use_case::list(state.app_db(), &who.caller()).await?;
    Ok(HttpResponse::Ok().json(all.into_iter().map(segment_out).collect::<Vec<_>>()))
}

/// Make a segment; its members are evaluated at once (a snapshot keeps them).
#[utoipa::path(
    tag = "segments",
    operation_id = "create_segment",
    request_body(content = SegmentWrite, example = json!({"name": "Loyal Tehran buyers", "kind": "dynamic", "shared": true,
        "rules": {"all": [{"field": "lifecycle_stage", "op": "is", "value": "customer"},
                          {"any": [{"field": "rfm_group", "op": "in", "value": ["champions", "loyal"]},
                                   {"field": "orders", "op": "gte", "value": 3, "days": 90}]}]}})),
    responses(
        (status = 201, description = "Made, with its members evaluated", body = SegmentEvaluated, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "A rule reads purchases or activities beyond your role's reach, or a field you may not read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A segment of this name exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule names an unknown field, takes a wrong value, or refers to itself; each named by its path", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/segments")]
pub async fn create_segment(state: web::Data<AppState>, who: Principal, body: Json<SegmentWrite>) -> ApiResult<HttpResponse> {
    let (s, moved) = use_case::create(state.app_db(), &who.caller(), spec(body.value)).await?;
    let out = evaluated(s, moved);
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, crate::conditional::etag(out.segment.version)))
        .insert_header((header::LOCATION, format!("/api/v1/segments/{}", out.segment.id)))
        .json(out))
}

/// How many contacts you may read the rules match now: the count while the rules are edited.
#[utoipa::path(
    tag = "segments",
    operation_id = "preview_segment",
    request_body(content = SegmentPreviewRequest, example = json!({"rules": {"all": [{"field": "tag", "op": "is", "value": "vip"}, {"field": "last_purchase_at", "op": "not_in_last_days", "value": 90}]}})),
    responses(
        (status = 200, description = "The count", body = SegmentPreview),
        (status = 403, description = "A rule beyond your role's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule that cannot be read, named by its path", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/segments/preview")]
pub async fn preview_segment(state: web::Data<AppState>, who: Principal, body: Json<SegmentPreviewRequest>) -> ApiResult<HttpResponse> {
    let count = use_case::preview(state.app_db(), &who.caller(), body.value.rules).await?;
    Ok(HttpResponse::Ok().json(SegmentPreview { count }))
}

/// One segment.
#[utoipa::path(
    tag = "segments",
    operation_id = "get_segment",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The segment", body = Segment, headers(("ETag" = String))),
        (status = 404, description = "No such segment that you see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/segments/{id}")]
pub async fn get_segment(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let s = segment_out(use_case::get(state.app_db(), &who.caller(), id.into_inner()).await?);
    Ok(with_etag(s.version, &s))
}

/// Change a segment (its maker; admins and managers a shared one): what the body leaves out
/// stays. New rules or a new kind evaluate it again. `If-Match` is required.
#[utoipa::path(
    tag = "segments",
    operation_id = "update_segment",
    request_body(content = SegmentPatch, example = json!({"rules": {"field": "tag", "op": "in", "value": ["vip", "partner"]}})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "Changed (and evaluated again when its rules or kind changed)", body = SegmentEvaluated, headers(("ETag" = String))),
        (status = 403, description = "Not yours to change, or a rule beyond your reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such segment that you see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A segment of this name exists, or made private while others are built on it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule that cannot be read, named by its path", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/segments/{id}")]
pub async fn update_segment(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<SegmentPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let p = body.value;
    let patch = Patch { name: p.name, description: p.description, rules: p.rules, kind: p.kind.map(kind), shared: p.shared };
    let (s, moved) = use_case::change(state.app_db(), &who.caller(), id.into_inner(), expected, patch).await?;
    let out = evaluated(s, moved);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, crate::conditional::etag(out.segment.version))).json(out))
}

/// Delete a segment no other segment is built on.
#[utoipa::path(
    tag = "segments",
    operation_id = "delete_segment",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 204, description = "Deleted, with its members and history"),
        (status = 403, description = "Not yours to delete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such segment that you see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another segment is built on it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/segments/{id}")]
pub async fn delete_segment(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let expected = if_match_optional(&req)?;
    use_case::delete(state.app_db(), &who.caller(), id.into_inner(), expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Evaluate a segment again: a dynamic segment's members as they are now, a snapshot frozen
/// anew. Who entered and left is kept (`GET /segments/{id}/history`).
#[utoipa::path(
    tag = "segments",
    operation_id = "evaluate_segment",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Evaluated", body = SegmentEvaluated),
        (status = 403, description = "Not yours to evaluate, or a rule beyond your role's reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such segment that you see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/segments/{id}/evaluate")]
pub async fn evaluate_segment(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let (s, moved) = use_case::evaluate(state.app_db(), &who.caller(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(evaluated(s, moved)))
}

/// Paging and filters of a segment's history.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct HistoryParams {
    /// Only this contact's entries and exits.
    contact_id: Option<String>,
    /// 1 to 200; 50 by default.
    limit: Option<i64>,
    /// `next_cursor` of the page before.
    cursor: Option<String>,
}

/// Who entered and left a segment at each evaluation, newest first, among the contacts you may
/// read.
#[utoipa::path(
    tag = "segments",
    operation_id = "segment_history",
    params(("id" = String, Path), HistoryParams),
    responses(
        (status = 200, description = "One page of entries and exits", body = Page<SegmentChange>),
        (status = 400, description = "A malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such segment that you see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/segments/{id}/history")]
pub async fn segment_history(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let contact = q.take("contact_id");
    let limit = match q.take("limit") {
        None => 50,
        Some(l) => {
            l.parse::<i64>().ok().filter(|l| (1..=200).contains(l)).ok_or_else(|| bad("limit", "out_of_range", "must be from 1 to 200"))?
        }
    };
    let after = match q.take("cursor") {
        None => None,
        Some(c) => Some(
            c.split_once('.')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.to_owned())))
                .ok_or_else(|| bad("cursor", "invalid_cursor", "is not a cursor this list returned"))?,
        ),
    };
    q.finish()?;
    let mut rows = use_case::history(state.app_db(), &who.caller(), id.into_inner(), contact, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more.then(|| rows.last().map(|(r, _)| format!("{}.{}", r.at, r.contact_id))).flatten();
    let items = rows
        .into_iter()
        .map(|(r, contact_name)| SegmentChange { at: to_datetime(r.at), contact_id: r.contact_id, contact_name, entered: r.entered != 0 })
        .collect();
    Ok(HttpResponse::build(StatusCode::OK).json(Page { items, next_cursor, total: None }))
}
