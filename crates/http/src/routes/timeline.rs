//! `/api/v1/{contacts,companies,deals,cases}/{id}/timeline`: one story per customer record
//! across every channel.

use crate::access;
use crate::auth::Principal;
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::params::{bad, QueryParams};
use crate::routes::{name_users, AuditParams};
use crate::state::AppState;
use actix_web::{get, web, HttpRequest, HttpResponse};
use crm_api_types::{FeedItem, Page, Problem, TimelineItem, TIMELINE_KINDS};
use crm_domain::access::Entity;
use crm_store::cursor::{Sort, SortField};
use crm_store::timeline::{self as repo, TimelineFilter};
use crm_store::{DbConnection, StoreError};

/// Filters of a timeline.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct TimelineFilters {
    /// Comma-separated kinds: `activity`, `note`, `email`, `stage_change`, `order`,
    /// `case_event`, `field_change`, `created`.
    kind: Option<String>,
    /// Comma-separated channels: activity kinds (`call`, `email`, `meeting`, `sms`, `chat`,
    /// `web_visit`, `letter`, `store_visit`, `field_visit`, `note`), order channels and case
    /// channels.
    channel: Option<String>,
}

/// Checks the subject is visible to the caller: an unknown record and one the caller may not
/// read are both 404.
pub(crate) fn visible(c: &mut DbConnection, who: &Principal, subject: &str, id: &str) -> ApiResult<()> {
    let (entity, owner) = subject_owner(c, who, subject, id)?;
    access::visible(c, who, entity, owner.as_deref())
}

/// The kind and owner of a record with a timeline (404 when there is none).
fn subject_owner(c: &mut DbConnection, who: &Principal, subject: &str, id: &str) -> ApiResult<(Entity, Option<String>)> {
    let ws = who.workspace_id.as_str();
    let not_found = |e: StoreError| match e {
        StoreError::NotFound => ApiError::not_found(subject),
        other => other.into(),
    };
    let (entity, owner) = match subject {
        "contact" => (Entity::Contact, crm_store::contacts::get(c, ws, id).map_err(not_found)?.0.owner_id),
        "company" => (Entity::Company, crm_store::companies::get(c, ws, id).map_err(not_found)?.0.owner_id),
        "deal" => (Entity::Deal, crm_store::deals::get(c, ws, id).map_err(not_found)?.0.owner_id),
        _ => (Entity::Case, crm_store::cases::get(c, ws, id).map_err(not_found)?.owner_id),
    };
    Ok((entity, owner))
}

async fn timeline_page(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    subject: &'static str,
    id: String,
) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let filter = TimelineFilter {
        kinds: q.take_list("kind", |k| TIMELINE_KINDS.contains(&k), &TIMELINE_KINDS.join(", "))?,
        channels: q.take_list("channel", |c| c.len() <= 40, "channel names")?,
    };
    let newest_first = Sort { field: SortField::At, desc: true };
    let page = q.page_spec_with(Some("at"), newest_first)?;
    if page.sort != newest_first {
        return Err(bad("sort", "invalid_sort", "a timeline is always newest first (-at)"));
    }
    if page.include_total {
        return Err(bad("include_total", "unsupported", "a timeline has no total; page through it with next_cursor"));
    }
    q.finish()?;
    let body = state
        .db(move |c| {
            let (entity, owner) = subject_owner(c, &who, subject, &id)?;
            let reach = access::reach_all(c, &who)?;
            if !reach.of(entity).allows(owner.as_deref()) {
                return Err(ApiError::not_found(subject));
            }
            let mut p = repo::page(c, &who.workspace_id, subject, &id, &filter, &page, &reach)?;
            name_users(c, &mut p.items)?;
            let items = p.items.into_iter().map(convert::timeline_item).collect::<ApiResult<Vec<_>>>()?;
            to_json(&Page { items, next_cursor: p.next_cursor, total: None })
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

macro_rules! timeline_route {
    ($name:ident, $path:literal, $subject:literal, $tag:literal, $op:literal) => {
        #[doc = concat!("The ", $subject, "'s timeline: activities on every channel, notes, emails, stage changes, orders, case events and field changes, newest first.")]
        #[utoipa::path(
            tag = $tag,
            operation_id = $op,
            params(("id" = String, Path), TimelineFilters, AuditParams),
            responses(
                (status = 200, description = "One page of the timeline, newest first", body = Page<TimelineItem>),
                (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record, or not visible to you", body = Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = []), ("api_key" = []))
        )]
        #[get($path)]
        pub async fn $name(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
            timeline_page(state, who, req, $subject, id.into_inner()).await
        }
    };
}

timeline_route!(contact_timeline, "/contacts/{id}/timeline", "contact", "contacts", "contact_timeline");
timeline_route!(company_timeline, "/companies/{id}/timeline", "company", "companies", "company_timeline");
timeline_route!(deal_timeline, "/deals/{id}/timeline", "deal", "deals", "deal_timeline");
timeline_route!(case_timeline, "/cases/{id}/timeline", "case", "cases", "case_timeline");

/// Filters of the activity feed.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct FeedParams {
    /// `mine` (default: what you did, or on records you own), `team` (you and the people in
    /// your teams) or `all` (everything you may read). API keys own nothing: only `all`.
    scope: Option<String>,
    /// Comma-separated kinds, as on a timeline.
    kind: Option<String>,
    /// Comma-separated channels, as on a timeline.
    channel: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The activity feed: what happened to the workspace's contacts, companies, deals and cases on
/// every channel, newest first, within what you may read.
///
/// An item on several records (a call about a deal with its contact) is listed once. Items you
/// may not see are skipped, and one call looks at no more than 2,000 items, so a page can come
/// back short with a `next_cursor`: follow it until it is null.
#[utoipa::path(
    tag = "timeline",
    operation_id = "activity_feed",
    params(FeedParams),
    responses(
        (status = 200, description = "One page of the feed, newest first", body = Page<FeedItem>),
        (status = 400, description = "A parameter is malformed or unknown, or `mine`/`team` asked with an API key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/feed")]
pub async fn activity_feed(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let scope = q.take("scope").unwrap_or_else(|| "mine".into());
    if !matches!(scope.as_str(), "mine" | "team" | "all") {
        return Err(bad("scope", "invalid_scope", "one of mine, team, all"));
    }
    if scope != "all" && who.user_id().is_none() {
        return Err(bad("scope", "unsupported", "an API key owns nothing: ask for scope=all"));
    }
    let filter = TimelineFilter {
        kinds: q.take_list("kind", |k| TIMELINE_KINDS.contains(&k), &TIMELINE_KINDS.join(", "))?,
        channels: q.take_list("channel", |c| c.len() <= 40, "channel names")?,
    };
    let newest_first = Sort { field: SortField::At, desc: true };
    let page = q.page_spec_with(Some("at"), newest_first)?;
    if page.sort != newest_first || page.include_total {
        return Err(bad("sort", "invalid_sort", "the feed is always newest first, without a total"));
    }
    q.finish()?;
    let body = state
        .db(move |c| {
            let ws = who.workspace_id.clone();
            let read = access::reach_all(c, &who)?;
            let people = match scope.as_str() {
                "mine" => Some(vec![who.user_id().unwrap_or_default().to_owned()]),
                "team" => match crm_store::access::scope_reach(c, &ws, who.viewer(), crm_domain::access::Scope::Team)? {
                    crm_store::reach::Reach::Owners(ids) => Some(ids),
                    crm_store::reach::Reach::All => None,
                },
                _ => None,
            };
            let scope = crm_store::timeline::FeedScope { read, people };
            let after = page.after.as_ref().and_then(crm_store::cursor::Cursor::int_key);
            let p = crm_store::timeline::feed_page(c, &ws, &scope, &filter, after, page.limit as usize)?;
            let (mut rows, titles): (Vec<_>, Vec<_>) = p.items.into_iter().map(|r| (r.item, r.subject_title)).unzip();
            name_users(c, &mut rows)?;
            let items = rows
                .into_iter()
                .zip(titles)
                .map(|(row, subject_title)| {
                    let (subject_type, subject_id) = (row.subject_type.clone(), row.subject_id.clone());
                    Ok(FeedItem { subject_type, subject_id, subject_title, item: convert::timeline_item(row)? })
                })
                .collect::<ApiResult<Vec<_>>>()?;
            to_json(&Page { items, next_cursor: p.next_cursor, total: None })
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}
