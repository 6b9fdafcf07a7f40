//! Duplicate contacts: `/api/v1/duplicates` (scan, the review queue, dismiss, bulk merge),
//! `POST /api/v1/contacts/{id}/merge`, and `/api/v1/merges` (what merged, and undo).

use crate::auth::Principal;
use crate::conditional::if_match_optional;
use crate::convert;
use crate::error::ApiResult;
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use crm_api_types::{
    DuplicateEvidence, DuplicateMergeItem, DuplicateMergeRequest, DuplicateMergeResult, DuplicatePage, DuplicatePair, DuplicateScan, Merge,
    MergeList, MergeMoved, MergeRequest, Problem,
};
use crm_app::merges::{self as use_case, MergeInput};
use crm_domain::duplicates::Evidence;
use crm_store::time::to_datetime;

fn merge_out(m: use_case::Merge) -> Merge {
    let l = &m.links;
    let n = |v: usize| v as i64;
    Merge {
        moved: MergeMoved {
            deals: n(l.deals.len()),
            activities: n(l.activities.len()),
            orders: n(l.orders.len()),
            cases: n(l.cases.len()),
            leads: n(l.leads.len()),
            tasks: n(l.tasks.len()),
            timeline: n(l.timeline.len()),
            inbound_events: n(l.inbound.len()),
            followers: n(l.follows.len()),
            segments: n(l.segments.len()),
        },
        id: m.row.id,
        survivor_id: m.row.survivor_id,
        merged_id: m.row.merged_id,
        created_by: m.row.created_by,
        created_at: to_datetime(m.row.created_at),
        undone_at: m.row.undone_at.map(to_datetime),
        undone_by: m.row.undone_by,
    }
}

fn pair_out(p: use_case::Pair) -> ApiResult<DuplicatePair> {
    Ok(DuplicatePair {
        evidence: p
            .evidence
            .into_iter()
            .map(|e| match e {
                Evidence::Email(v) => DuplicateEvidence { kind: "email".into(), value: v },
                Evidence::Phone(v) => DuplicateEvidence { kind: "phone".into(), value: v },
                Evidence::Name(v) => DuplicateEvidence { kind: "name".into(), value: v },
            })
            .collect(),
        first: convert::shown(p.first, convert::contact)?,
        second: convert::shown(p.second, convert::contact)?,
        id: p.row.id,
        status: p.row.status,
        found_at: to_datetime(p.row.found_at),
        decided_at: p.row.decided_at.map(to_datetime),
        merge_id: p.row.merge_id,
    })
}

/// Look for duplicate contacts: live contacts with the same email, the same phone (in E.164),
/// or names that read the same within one company (Persian and Arabic letters, zero-width
/// non-joiners and digits folded; one letter apart in names of six letters or more). Each
/// contact is paired with the oldest it looks like. New pairs join the review queue, pairs you
/// dismissed stay dismissed, and open pairs that no longer look alike leave it.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "scan_duplicates",
    responses(
        (status = 200, description = "What the scan found", body = DuplicateScan),
        (status = 403, description = "A role that may not change contacts", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/duplicates/scan")]
pub async fn scan_duplicates(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let s = use_case::scan(state.app_db(), &who.caller()).await?;
    Ok(HttpResponse::Ok().json(DuplicateScan {
        found: s.found as i64,
        new: s.new as i64,
        dropped: s.dropped as i64,
        open: s.open,
        seconds: s.seconds,
    }))
}

/// The review queue: pairs of contacts that look like one person, with the evidence and both
/// contacts, in the order the scan found them (same email, then same name, then same phone).
/// Pairs with a contact outside your reach are left out of your queue.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "list_duplicates",
    params(
        ("status" = Option<String>, Query, description = "`open` (the default), `dismissed` or `merged`"),
        ("q" = Option<String>, Query, description = "Only pairs with a contact whose name or an email holds this text"),
        ("after" = Option<String>, Query, description = "`next_after` of the previous page"),
        ("limit" = Option<i64>, Query, description = "At most this many pairs (1–200, default 50)"),
    ),
    responses(
        (status = 200, description = "Pairs", body = DuplicatePage),
        (status = 400, description = "An unknown status or a bad limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/duplicates")]
pub async fn list_duplicates(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let status = q.take("status").unwrap_or_else(|| "open".into());
    if !["open", "dismissed", "merged"].contains(&status.as_str()) {
        return Err(bad("status", "invalid_value", "expected open, dismissed or merged"));
    }
    let (after, text) = (q.take("after"), q.take("q"));
    let limit = match q.take("limit") {
        None => 50,
        Some(l) => {
            l.parse::<usize>().ok().filter(|l| (1..=200).contains(l)).ok_or_else(|| bad("limit", "out_of_range", "must be 1 to 200"))?
        }
    };
    q.finish()?;
    let filter = use_case::QueueFilter { status, after, q: text };
    let (pairs, more) = use_case::queue(state.app_db(), &who.caller(), filter, limit).await?;
    let items = pairs.into_iter().map(pair_out).collect::<ApiResult<Vec<_>>>()?;
    let next_after = if more { items.last().map(|p| p.id.clone()) } else { None };
    Ok(HttpResponse::Ok().json(DuplicatePage { items, next_after }))
}

async fn decide(state: &AppState, who: &Principal, id: String, dismiss: bool) -> ApiResult<HttpResponse> {
    let row = use_case::decide(state.app_db(), &who.caller(), id, dismiss).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"id": row.id, "status": row.status})))
}

/// Mark a pair as two different people: it leaves the queue, and later scans leave it out.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "dismiss_duplicate",
    params(("id" = String, Path, description = "The pair's id")),
    responses(
        (status = 200, description = "Dismissed: `{id, status}`"),
        (status = 404, description = "No such pair, or a contact of it outside your reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The pair was merged (undo the merge instead)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/duplicates/{id}/dismiss")]
pub async fn dismiss_duplicate(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    decide(&state, &who, id.into_inner(), true).await
}

/// Put a dismissed pair back in the queue.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "reopen_duplicate",
    params(("id" = String, Path, description = "The pair's id")),
    responses(
        (status = 200, description = "Open again: `{id, status}`"),
        (status = 404, description = "No such pair, or a contact of it outside your reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The pair was merged (undo the merge instead)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/duplicates/{id}/reopen")]
pub async fn reopen_duplicate(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    decide(&state, &who, id.into_inner(), false).await
}

/// Merge pairs of the queue as proposed, up to 1,000 in one call: in each, the older contact
/// survives and values follow the default rules of a merge. Each pair merges in a savepoint of
/// one transaction, so a pair that cannot merge (a contact an earlier pair merged away, a
/// decided pair) is reported with its reason and the others go on.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "merge_duplicates",
    request_body(content = DuplicateMergeRequest, example = json!({"pairs": ["0193…", "0193…"]})),
    responses(
        (status = 200, description = "What each pair did", body = DuplicateMergeResult),
        (status = 422, description = "No pairs, or more than 1,000", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/duplicates/merge")]
pub async fn merge_duplicates(state: web::Data<AppState>, who: Principal, body: Json<DuplicateMergeRequest>) -> ApiResult<HttpResponse> {
    let done = use_case::merge_pairs(state.app_db(), &who.caller(), body.value.pairs).await?;
    let mut out = DuplicateMergeResult { merged: 0, failed: 0, items: Vec::with_capacity(done.len()) };
    for b in done {
        let item = match b.outcome {
            Ok(merge_id) => {
                out.merged += 1;
                DuplicateMergeItem { pair_id: b.pair_id, merge_id: Some(merge_id), code: None, message: None }
            }
            Err(e) => {
                out.failed += 1;
                let e = crate::error::ApiError::from(e);
                DuplicateMergeItem { pair_id: b.pair_id, merge_id: None, code: Some(e.code.to_owned()), message: Some(e.detail) }
            }
        };
        out.items.push(item);
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Merge another contact into this one: this contact keeps the values you pick field by field
/// (and both contacts' emails, phones and tags); the other's deals, activities, orders, cases,
/// converted leads, tasks, timeline, inbound events, followers and snapshot-segment places move
/// here; the other goes to the trash. One transaction, kept to undo (`POST
/// /api/v1/merges/{id}/undo`). `If-Match` (optional) names the version of this contact you saw.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "merge_contact",
    params(("id" = String, Path, description = "The contact that stays"), ("If-Match" = Option<String>, Header, description = "ETag of this contact as you saw it")),
    request_body(content = MergeRequest, example = json!({"other_id": "0193…", "values": {"first_name": "other", "owner_id": "survivor"}})),
    responses(
        (status = 201, description = "Merged", body = Merge),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A contact you may not change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A contact is in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "A contact changed since you saw it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The same contact twice, or an unknown field picked", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/contacts/{id}/merge")]
pub async fn merge_contact(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<MergeRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.value;
    let input = MergeInput {
        survivor_id: id.into_inner(),
        other_id: b.other_id,
        survivor_version: if_match_optional(&req)?,
        other_version: b.other_version,
        picks: b.values,
    };
    let merge = merge_out(use_case::merge(state.app_db(), &who.caller(), input).await?);
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/merges/{}", merge.id))).json(merge))
}

/// Merges, newest first: a contact's (surviving or merged), or the workspace's. Merges with a
/// contact outside your reach are left out.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "list_merges",
    params(
        ("contact_id" = Option<String>, Query, description = "Only this contact's merges (its 200 latest, in one page)"),
        ("before" = Option<String>, Query, description = "`next_before` of the previous page"),
        ("limit" = Option<i64>, Query, description = "At most this many (1–200, default 50)"),
    ),
    responses(
        (status = 200, description = "Merges", body = MergeList),
        (status = 400, description = "A bad limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/merges")]
pub async fn list_merges(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let contact = q.take("contact_id");
    let before = q.take("before");
    let limit = match q.take("limit") {
        None => 50,
        Some(l) => {
            l.parse::<i64>().ok().filter(|l| (1..=200).contains(l)).ok_or_else(|| bad("limit", "out_of_range", "must be 1 to 200"))?
        }
    };
    q.finish()?;
    let (merges, more) = use_case::list(state.app_db(), &who.caller(), contact, before, limit as usize).await?;
    let items: Vec<Merge> = merges.into_iter().map(merge_out).collect();
    let next_before = if more { items.last().map(|m| m.id.clone()) } else { None };
    Ok(HttpResponse::Ok().json(MergeList { items, next_before }))
}

/// A merge: who merged what, when, and what it moved.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "get_merge",
    params(("id" = String, Path, description = "The merge's id")),
    responses(
        (status = 200, description = "The merge", body = Merge),
        (status = 404, description = "No such merge, or a contact of it outside your reach", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/merges/{id}")]
pub async fn get_merge(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(merge_out(use_case::get(state.app_db(), &who.caller(), id.into_inner()).await?)))
}

/// Undo a merge (unmerge): the merged contact comes back from the trash, the surviving one gets
/// back its values from before the merge, and every link the merge moved goes back (what was
/// moved elsewhere since stays). If the surviving contact changed since the merge, the undo is
/// refused (409 `changed_since`) unless `force=true`.
#[utoipa::path(
    tag = "duplicates",
    operation_id = "undo_merge",
    params(
        ("id" = String, Path, description = "The merge's id"),
        ("force" = Option<bool>, Query, description = "Give the survivor its values from before the merge even if it changed since"),
    ),
    responses(
        (status = 200, description = "Undone", body = Merge),
        (status = 404, description = "No such merge, or a contact of it outside your reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Undone already, the survivor in the trash, or changed since (without force)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/merges/{id}/undo")]
pub async fn undo_merge(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let force = q.take_bool("force")?;
    q.finish()?;
    Ok(HttpResponse::Ok().json(merge_out(use_case::undo(state.app_db(), &who.caller(), id.into_inner(), force).await?)))
}
