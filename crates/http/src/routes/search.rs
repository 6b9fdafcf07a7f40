//! `/api/v1/search` and `/api/v1/phone-lookup`: find anyone, by anything, within what the
//! caller may see.

use crate::access;
use crate::auth::Principal;
use crate::convert::{self, to_json};
use crate::error::ApiResult;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::{get, web, HttpRequest, HttpResponse};
use crm_api_types::{PhoneLookup, Problem, SearchHit, SearchResults};
use crm_domain::access::Entity;
use crm_domain::{Email, Phone};
use crm_store::{cases, companies, contacts, deals, leads, points, terms};

/// Parameters of `GET /search`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SearchParams {
    /// Name, email, phone in any format (`+98 912 123 4567`, `09121234567`, `0098…`), company;
    /// also the values of custom text, email, phone and URL fields that are not sensitive.
    q: String,
    /// Comma-separated kinds: `contact,company,deal,lead,case` (default all).
    types: Option<String>,
    /// Hits per kind, 1 to 50 (default 10).
    limit: Option<i64>,
}

/// The `limit` best hits of one kind: highest score, then alphabetical.
fn best(mut hits: Vec<SearchHit>, limit: i64) -> Vec<SearchHit> {
    hits.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase())));
    hits.truncate(limit as usize);
    hits
}

fn rank(title: &str, needle: &str) -> i64 {
    let t = title.to_lowercase();
    if t.starts_with(needle) {
        80
    } else if t.split_whitespace().any(|w| w.starts_with(needle)) {
        60
    } else {
        40
    }
}

/// Search contacts, companies, deals, leads and cases at once, ranked. Only records the caller may read
/// are searched.
#[utoipa::path(
    tag = "search",
    operation_id = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Hits, best first", body = SearchResults),
        (status = 400, description = "q missing or a parameter malformed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/search")]
pub async fn search(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let query =
        q.take("q").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).ok_or_else(|| bad("q", "required", "say what to search for"))?;
    if query.chars().count() > 200 {
        return Err(bad("q", "too_long", "at most 200 characters"));
    }
    let types =
        q.take_list("types", |t| matches!(t, "contact" | "company" | "deal" | "lead" | "case"), "contact, company, deal, lead or case")?;
    let limit = match q.take("limit") {
        None => 10,
        Some(l) => {
            l.parse::<i64>().ok().filter(|n| (1..=50).contains(n)).ok_or_else(|| bad("limit", "invalid_limit", "must be 1 to 50"))?
        }
    };
    q.finish()?;
    let wants = move |t: &str| types.is_empty() || types.iter().any(|x| x == t);
    let body = state
        .db(move |c| {
            let ws = who.workspace_id.clone();
            let needle = query.trim().to_lowercase();
            let mut hits: Vec<SearchHit> = Vec::new();
            // An email or a phone number is answered from the index of contact points alone;
            // anything else from the word index (each query word starts a word of the record).
            // Both are exact lookups in an index, so a search costs the same at any size.
            let email = Email::parse("q", &query).ok().map(|e| e.key());
            let phone = if email.is_none() { Phone::parse_asking("q", &query, || convert::region(c, &ws))?.ok() } else { None };
            let by_point = email.is_some() || phone.is_some();
            // A record's own emails and phones, and those of its custom email and phone fields.
            let mut exact = match (&email, &phone) {
                (Some(e), _) => [points::find(c, &ws, "email", e)?, points::find(c, &ws, points::CUSTOM_EMAIL, e)?].concat(),
                (None, Some(p)) => {
                    [points::find(c, &ws, "phone", p.as_str())?, points::find(c, &ws, points::CUSTOM_PHONE, p.as_str())?].concat()
                }
                _ => Vec::new(),
            };
            exact.sort_unstable();
            exact.dedup();
            // Candidates of one kind: by point, or by words (more when the caller sees few records,
            // so the ones in reach are still among them).
            let candidates = |c: &mut crm_store::DbConnection, kind: &str, reach: &crm_store::reach::Reach| -> ApiResult<Vec<String>> {
                if by_point {
                    return Ok(exact.iter().filter(|(t, _)| t == kind).map(|(_, id)| id.clone()).collect());
                }
                let n = if reach.owners().is_some() { 500 } else { limit * 2 };
                Ok(terms::matching(c, &ws, kind, &query, n)?)
            };
            let mut kind_hits: Vec<SearchHit>;
            if wants("contact") {
                let reach = access::reach(c, &who, Entity::Contact)?;
                kind_hits = Vec::new();
                let ids = candidates(c, "contact", &reach)?;
                for (r, company) in contacts::many(c, &ws, &ids)? {
                    if r.deleted_at.is_none() && reach.allows(r.owner_id.as_deref()) {
                        let score = if by_point { 100 } else { rank(&r.display_name, &needle) };
                        kind_hits.push(SearchHit {
                            kind: "contact".into(),
                            id: r.id,
                            title: r.display_name,
                            subtitle: company.or(r.title),
                            score,
                        });
                    }
                }
                hits.extend(best(kind_hits, limit));
            }
            if wants("company") {
                let reach = access::reach(c, &who, Entity::Company)?;
                kind_hits = Vec::new();
                let ids = candidates(c, "company", &reach)?;
                for r in companies::many(c, &ws, &ids)? {
                    if r.deleted_at.is_none() && reach.allows(r.owner_id.as_deref()) {
                        let score = if by_point { 100 } else { rank(&r.name, &needle) };
                        kind_hits.push(SearchHit { kind: "company".into(), id: r.id, title: r.name, subtitle: r.domain.or(r.city), score });
                    }
                }
                hits.extend(best(kind_hits, limit));
            }
            // Deals and cases have no emails or phones of their own: by point, their custom ones.
            if wants("deal") {
                let reach = access::reach(c, &who, Entity::Deal)?;
                kind_hits = Vec::new();
                let ids = candidates(c, "deal", &reach)?;
                for (r, company) in deals::many(c, &ws, &ids)? {
                    if r.deleted_at.is_none() && reach.allows(r.owner_id.as_deref()) {
                        let score = if by_point { 100 } else { rank(&r.name, &needle) };
                        kind_hits.push(SearchHit { kind: "deal".into(), id: r.id, title: r.name, subtitle: company, score });
                    }
                }
                hits.extend(best(kind_hits, limit));
            }
            if wants("lead") {
                let reach = access::reach(c, &who, Entity::Lead)?;
                let rows = if by_point {
                    let mut rows = leads::by_point(c, &ws, &reach, email.as_deref(), phone.as_ref().map(|p| p.as_str()), limit)?;
                    let more: Vec<String> =
                        candidates(c, "lead", &reach)?.into_iter().filter(|id| !rows.iter().any(|r| r.id == *id)).collect();
                    rows.extend(
                        leads::many(c, &ws, &more)?.into_iter().filter(|r| r.deleted_at.is_none() && reach.allows(r.owner_id.as_deref())),
                    );
                    rows
                } else {
                    let ids = candidates(c, "lead", &reach)?;
                    leads::many(c, &ws, &ids)?
                        .into_iter()
                        .filter(|r| r.deleted_at.is_none() && reach.allows(r.owner_id.as_deref()))
                        .collect()
                };
                kind_hits = rows
                    .into_iter()
                    .map(|r| {
                        let score = if by_point { 100 } else { rank(&r.display_name, &needle) };
                        SearchHit { kind: "lead".into(), id: r.id, title: r.display_name, subtitle: r.company_name.or(r.email), score }
                    })
                    .collect();
                hits.extend(best(kind_hits, limit));
            }
            if wants("case") {
                let reach = access::reach(c, &who, Entity::Case)?;
                kind_hits = Vec::new();
                let ids = candidates(c, "case", &reach)?;
                for r in cases::many(c, &ws, &ids)? {
                    if r.deleted_at.is_none() && reach.allows(r.owner_id.as_deref()) {
                        let score =
                            if by_point || query.trim_start_matches('#') == r.number.to_string() { 100 } else { rank(&r.subject, &needle) };
                        let subtitle = Some(format!("#{} · {}", r.number, r.status));
                        kind_hits.push(SearchHit { kind: "case".into(), id: r.id, title: r.subject, subtitle, score });
                    }
                }
                hits.extend(best(kind_hits, limit));
            }
            hits.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase())));
            to_json(&SearchResults { query, hits })
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Parameters of `GET /phone-lookup`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct LookupParams {
    /// A phone number in any format; national numbers are read in the workspace's region.
    number: String,
}

/// Every contact and company with this phone number, after normalisation to E.164 (the
/// call-center lookup), in their own phones or a custom phone field that is not sensitive. Only
/// records the caller may read.
#[utoipa::path(
    tag = "search",
    operation_id = "phone_lookup",
    params(LookupParams),
    responses(
        (status = 200, description = "Matches (possibly none)", body = PhoneLookup),
        (status = 400, description = "Not a phone number", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/phone-lookup")]
pub async fn phone_lookup(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let raw = q.take("number").ok_or_else(|| bad("number", "required", "give the number to look up"))?;
    q.finish()?;
    let body = state
        .db(move |c| {
            let ws = who.workspace_id.clone();
            let number =
                Phone::parse_asking("number", &raw, || convert::region(c, &ws))?.map_err(|e| bad("number", "invalid_phone", &e.message))?;
            let contact_reach = access::reach(c, &who, Entity::Contact)?;
            let mut company_reach = None;
            let mut out = PhoneLookup { number: number.as_str().to_owned(), contacts: Vec::new(), companies: Vec::new() };
            // The record's own phones first, then its custom phone fields' (each record once).
            let mut held = crm_store::contacts::holders(c, &ws, "phone", number.as_str())?;
            held.extend(crm_store::contacts::holders(c, &ws, points::CUSTOM_PHONE, number.as_str())?);
            let mut seen = std::collections::HashSet::new();
            held.retain(|(kind, id, _)| seen.insert((kind.clone(), id.clone())));
            for (kind, id, contact) in held {
                match (kind.as_str(), contact) {
                    ("contact", Some(row)) if row.0.deleted_at.is_none() && contact_reach.allows(row.0.owner_id.as_deref()) => {
                        out.contacts.push(convert::contact(row)?);
                    }
                    ("company", _) => {
                        let row = companies::get(c, &ws, &id)?;
                        let reach = match &company_reach {
                            Some(reach) => reach,
                            None => company_reach.insert(access::reach(c, &who, Entity::Company)?),
                        };
                        if row.0.deleted_at.is_none() && reach.allows(row.0.owner_id.as_deref()) {
                            out.companies.push(convert::company(crm_app::companies::counted_within(c, &ws, &contact_reach, row)?)?);
                        }
                    }
                    _ => {}
                }
            }
            to_json(&out)
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}
