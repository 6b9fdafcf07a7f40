//! The API's operations, one module per resource.

pub mod access;
pub mod activities;
pub mod analytics;
pub mod api_keys;
pub mod assignment;
pub mod auth;
pub mod bulk;
pub mod cases;
pub mod companies;
pub mod contacts;
pub mod deals;
pub mod duplicates;
pub mod emails;
pub mod fields;
pub mod forms;
pub mod imports;
pub mod inbound;
pub mod leads;
pub mod mail;
pub mod metrics;
pub mod notifications;
pub mod orders;
pub mod pipelines;
pub mod products;
pub mod propensity;
pub mod search;
pub mod segments;
pub mod system;
pub mod telephony;
pub mod timeline;
pub mod views;
pub mod webhooks;
pub mod workspace;

use crate::auth::Principal;
use crate::convert::{self, to_json};
use crate::error::ApiResult;
use crate::params::{bad, QueryParams, MAX_LIMIT};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse};
use crm_api_types::Page;
use crm_store::DbConnection;

/// Paging and sorting parameters every list takes.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `created_at`, `updated_at` or `name`; prefix `-` for descending. Default `-created_at`.
    sort: Option<String>,
    /// Also count every match (costs a second query).
    include_total: Option<bool>,
}

/// Filters and sort on custom fields, and the list as a file, in the lists of kinds that have
/// them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CustomParams {
    /// `custom.<key>=v` keeps records whose custom field `<key>` (see `GET /fields`) holds `v`,
    /// in the field's wire form (`2026-12-06`, `12.5`, an option key, `true`); a record of
    /// several choices matches when it holds the option. Numbers, amounts, percentages, dates,
    /// times and texts (byte order) also compare: `custom.<key>[gt|gte|lt|lte]=v`. Up to 20
    /// such filters. Sort by a field with `sort=custom.<key>` (`-custom.<key>` descending):
    /// records without a value come last either way.
    #[param(rename = "custom.{key}")]
    custom: Option<String>,
    /// `csv`, `xlsx` or `jsonl`: the answer is a file (`Content-Disposition: attachment`) with
    /// every record of the list the caller may read, with its filters and sort (`limit` and
    /// `cursor` do not apply), streamed: `text/csv` (UTF-8 with a byte-order mark; a text that
    /// starts like a formula gets a leading `'`), an XLSX workbook of one sheet, or
    /// `application/x-ndjson` (each record as this list returns it). Columns: the record's
    /// fields in name order, `id` first, then `custom.<key>` for each custom field the caller
    /// may read. Default `json`: this page.
    format: Option<String>,
}

/// Paging parameters of an audit trail.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuditParams {
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One page of a record's audit trail, after checking the record is visible.
pub async fn audit_page(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    entity: &'static str,
    id: String,
    exists: fn(&mut DbConnection, &Principal, &str) -> ApiResult<()>,
) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(req);
    let limit = match q.take("limit") {
        None => 50,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| bad("limit", "invalid_limit", "must be a whole number from 1 to 200"))?,
    };
    let cursor = q.take("cursor");
    if cursor.as_deref().is_some_and(|c| c.len() > 64 || !c.chars().all(|ch| ch.is_ascii_hexdigit() || ch == '-')) {
        return Err(bad("cursor", "invalid_cursor", "is not a cursor this list returned"));
    }
    q.finish()?;
    let (ws, who) = (who.workspace_id.clone(), who.clone());
    let body = state
        .db(move |c| {
            exists(c, &who, &id)?;
            let mut rows = crm_store::audit::list(c, &ws, entity, &id, cursor.as_deref(), limit + 1)?;
            let next_cursor = if rows.len() as i64 > limit {
                rows.truncate(limit as usize);
                rows.last().map(|r| r.id.clone())
            } else {
                None
            };
            name_users(c, &mut rows)?;
            // A sensitive field's changes are its readers' only.
            let kind = crm_domain::access::Entity::parse(entity);
            if let Some(kind) = kind.filter(|_| rows.iter().any(|r| r.changes.contains("\"sensitive\":true"))) {
                let set = crm_app::custom::field_set(c, &ws, kind)?;
                for r in &mut rows {
                    r.changes = crm_app::custom::readable_changes(&set, who.role, &r.changes);
                }
            }
            let items = rows.into_iter().map(convert::audit).collect::<ApiResult<Vec<_>>>()?;
            to_json(&Page { items, next_cursor, total: None })
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// A row that records who acted.
pub trait ActedBy {
    /// The acting user's id, when a person acted.
    fn user_id(&self) -> Option<&str>;
    fn set_actor_name(&mut self, name: Option<String>);
}

macro_rules! acted_by {
    ($t:ty) => {
        impl ActedBy for $t {
            fn user_id(&self) -> Option<&str> {
                if self.actor_kind == "user" {
                    self.actor_id.as_deref()
                } else {
                    None
                }
            }
            fn set_actor_name(&mut self, name: Option<String>) {
                self.actor_name = name;
            }
        }
    };
}
acted_by!(crm_store::audit::AuditRow);
acted_by!(crm_store::timeline::TimelineRow);
acted_by!(crm_store::notifications::NotificationRow);

/// Names the users who acted, at read time, so a renamed user shows their current name.
pub fn name_users<T: ActedBy>(c: &mut DbConnection, rows: &mut [T]) -> ApiResult<()> {
    let mut ids: Vec<String> = rows.iter().filter_map(|r| r.user_id().map(str::to_owned)).collect();
    if ids.is_empty() {
        return Ok(());
    }
    ids.sort_unstable();
    ids.dedup();
    let names = crm_store::identity::user_names(c, &ids)?;
    for r in rows.iter_mut() {
        let name = r.user_id().and_then(|id| names.iter().find(|(uid, _)| uid == id)).map(|(_, n)| n.clone());
        if r.user_id().is_some() {
            r.set_actor_name(name);
        }
    }
    Ok(())
}
