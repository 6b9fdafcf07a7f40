//! The call center: call events from the telephone system (`POST /api/v1/telephony/events`),
//! the caller card pushed live to the agent's browser, and the agent's current call.

use crate::auth::Principal;
use crate::convert;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use crm_api_types::{CallEvent, CallerCard, CardCase, CardCompany, CardContact, CardDeal, Problem};
use crm_domain::access::Entity;
use crm_domain::operations::{ActivityDraft, ActivityKind, Direction};
use crm_domain::{FieldError, Phone, Role, ValidationErrors};
use crm_store::access::read_reach_all;
use crm_store::calls::{self as repo, stage, CallRow};
use crm_store::cursor::{PageSpec, Sort, SortField};
use crm_store::reach::Viewer;
use crm_store::time::{now_micros, to_datetime, to_micros};
use crm_store::DbConnection;

/// What telephone systems send when a caller withholds their number.
const WITHHELD: [&str; 6] = ["", "anonymous", "private", "unknown", "restricted", "withheld"];

/// The card of a call as `viewer` may see it.
pub fn card(c: &mut DbConnection, viewer: Viewer<'_>, row: &CallRow) -> ApiResult<CallerCard> {
    let ws = row.workspace_id.as_str();
    let reach = read_reach_all(c, ws, viewer)?;
    let candidates = repo::people(c, ws, &row.contacts(), reach.of(Entity::Contact))?;
    let single = (candidates.len() == 1).then(|| candidates[0].clone());
    let company_id = single.as_ref().and_then(|p| p.company_id.clone()).or_else(|| row.company_id.clone());
    let company = match company_id {
        Some(id) => repo::company(c, ws, &id)?.filter(|(_, _, owner)| reach.of(Entity::Company).allows(owner.as_deref())),
        None => None,
    };
    let contact_id = single.as_ref().map(|p| p.id.as_str());
    let company_key = company.as_ref().map(|(id, _, _)| id.as_str());
    let known = contact_id.is_some() || company_key.is_some();
    let (revenue_e4, order_count) = if known { repo::lifetime_revenue(c, ws, contact_id, company_key)? } else { (0, 0) };
    let base = convert::base_currency(c, ws)?;
    let open_deals = repo::open_deals(c, ws, contact_id, company_key, 10)?
        .into_iter()
        .filter(|d| reach.of(Entity::Deal).allows(d.owner_id.as_deref()))
        .take(5)
        .map(|d| {
            let amount = match (d.amount_e4, crm_domain::Currency::parse("currency", &d.currency)) {
                (Some(a), Ok(cur)) => Some(convert::money_of(a, cur)),
                _ => None,
            };
            CardDeal { id: d.id, name: d.name, stage: d.stage, amount }
        })
        .collect();
    let open_cases = repo::open_cases(c, ws, contact_id, company_key, 10)?
        .into_iter()
        .filter(|k| reach.of(Entity::Case).allows(k.owner_id.as_deref()))
        .take(5)
        .map(|k| CardCase { id: k.id, number: k.number, subject: k.subject, status: k.status, priority: k.priority })
        .collect();
    let subject = match (contact_id, company_key) {
        (Some(id), _) => Some(("contact", id)),
        (None, Some(id)) => Some(("company", id)),
        _ => None,
    };
    let recent = match subject {
        Some((ty, id)) => {
            let spec = PageSpec {
                sort: Sort { field: SortField::At, desc: true },
                limit: 5,
                after: None,
                include_total: false,
                ..PageSpec::default()
            };
            let filter = crm_store::timeline::TimelineFilter { kinds: Vec::new(), channels: Vec::new() };
            let mut rows = crm_store::timeline::page(c, ws, ty, id, &filter, &spec, &reach)?.items;
            crate::routes::name_users(c, &mut rows)?;
            rows.into_iter().map(convert::timeline_item).collect::<ApiResult<Vec<_>>>()?
        }
        None => Vec::new(),
    };
    let number = if row.direction == "outbound" { row.to_number.clone() } else { row.from_number.clone() };
    Ok(CallerCard {
        id: row.id.clone(),
        call_id: row.call_id.clone(),
        status: row.status.clone(),
        direction: row.direction.clone(),
        number,
        agent_id: row.agent_id.clone(),
        rang_at: row.rang_at.map(to_datetime),
        answered_at: row.answered_at.map(to_datetime),
        ended_at: row.ended_at.map(to_datetime),
        activity_id: row.activity_id.clone(),
        unknown: candidates.is_empty() && company.is_none(),
        segment: single.as_ref().map(|p| p.lifecycle_stage.clone()),
        candidates: candidates
            .into_iter()
            .map(|p| CardContact { id: p.id, name: p.name, title: p.title, company_id: p.company_id, lifecycle_stage: p.lifecycle_stage })
            .collect(),
        company: company.map(|(id, name, _)| CardCompany { id, name }),
        lifetime_revenue: known.then(|| convert::money_of(revenue_e4, base)),
        order_count,
        open_deals,
        open_cases,
        recent,
    })
}

/// The customer's number: E.164, `None` when withheld, or a field error.
fn number(c: &mut DbConnection, ws: &str, field: &str, raw: Option<&str>) -> ApiResult<Option<String>> {
    let raw = raw.map(str::trim).unwrap_or("");
    if WITHHELD.contains(&raw.to_ascii_lowercase().as_str()) {
        return Ok(None);
    }
    Phone::parse_asking(field, raw, || convert::region(c, ws))?
        .map(|p| Some(p.as_str().to_owned()))
        .map_err(|e| ApiError::validation(e.into()))
}

/// The agent the event names, if any, checked to be a member.
fn agent(c: &mut DbConnection, ws: &str, e: &CallEvent) -> ApiResult<Option<(String, Role)>> {
    let unknown = |field: &str| ApiError::validation(FieldError::new(field, "unknown_agent", "no member of this workspace").into());
    let id = match (&e.agent_id, &e.agent_email) {
        (Some(id), _) => id.clone(),
        (None, Some(email)) => crm_store::identity::find_user_by_email(c, email.trim())?.ok_or_else(|| unknown("agent_email"))?.id,
        (None, None) => return Ok(None),
    };
    let role =
        crm_store::identity::role_in(c, ws, &id)?.ok_or_else(|| unknown(if e.agent_id.is_some() { "agent_id" } else { "agent_email" }))?;
    Ok(Some((id, role)))
}

fn check(e: &CallEvent) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if e.call_id.trim().is_empty() || e.call_id.chars().count() > 200 || e.call_id.chars().any(char::is_control) {
        errors.push(FieldError::new("call_id", "invalid_call_id", "1 to 200 printable characters"));
    }
    if stage(&e.event) == 0 {
        errors.push(FieldError::new("event", "invalid_event", "ringing, answered or ended"));
    }
    if e.direction.as_deref().is_some_and(|d| d != "inbound" && d != "outbound") {
        errors.push(FieldError::new("direction", "invalid_direction", "inbound or outbound"));
    }
    errors.finish(|| ())
}

/// Logs the call activity of an ended call (once).
fn log_activity(c: &mut DbConnection, row: &mut CallRow, who: &Principal, now: i64) -> ApiResult<()> {
    if row.activity_id.is_some() {
        return Ok(());
    }
    let contacts = row.contacts();
    let single = (contacts.len() == 1).then(|| contacts[0].clone());
    let number = if row.direction == "outbound" { row.to_number.clone() } else { row.from_number.clone() };
    let inbound = row.direction != "outbound";
    let who_text = number.unwrap_or_else(|| "a withheld number".into());
    let subject = if inbound { format!("Call from {who_text}") } else { format!("Call to {who_text}") };
    let started = row.rang_at.or(row.answered_at).or(row.ended_at).unwrap_or(now);
    let duration = match (row.answered_at, row.ended_at) {
        (Some(a), Some(e)) if e >= a => (e - a) / 1_000_000,
        _ => 0,
    };
    let draft = ActivityDraft {
        custom: crm_app::custom::defaults(c, &row.workspace_id, crm_domain::access::Entity::Activity)?,
        kind: ActivityKind::Call,
        direction: Some(if inbound { Direction::Inbound } else { Direction::Outbound }),
        subject,
        body: None,
        occurred_at: started,
        duration_seconds: Some(duration),
        outcome: row.answered_at.is_none().then(|| "no_answer".to_owned()),
        owner_id: row.agent_id.clone(),
        company_id: if single.is_none() { row.company_id.clone() } else { None },
        deal_id: None,
        case_id: None,
        lead_id: None,
        contact_ids: single.into_iter().collect(),
        user_ids: row.agent_id.clone().into_iter().collect(),
    };
    // The phone system logs the call for its agent: the workspace's system writes it, signed
    // by whoever reported the event.
    let pbx = crm_app::Caller::system(row.workspace_id.clone(), who.actor());
    let mut uow = crm_app::UnitOfWork::at(&pbx, now);
    let activity = crm_app::records::create_with::<crm_app::activities::Activities>(c, &pbx, &mut uow, draft)?;
    uow.commit(c)?;
    row.activity_id = Some(activity.id);
    Ok(())
}

/// Report a call event (ringing, answered, ended), as PBXs and cloud telephony send them; an
/// API key is the usual sender. On `ringing` the number is normalised and matched, and the
/// agent's open browser gets the caller card at once (`call` on `GET /api/v1/stream`). On
/// `ended` a call activity with the talk time exists (`activity_id`), ready for the agent's
/// outcome and notes. Events may come twice or out of order: a call never moves backwards
/// and a repeated event changes nothing.
#[utoipa::path(
    tag = "telephony",
    operation_id = "call_event",
    request_body(content = CallEvent, example = json!({"call_id": "pbx-7731", "event": "ringing", "from": "0912 123 4567", "to": "+982188776655", "agent_email": "agent@example.com"})),
    responses(
        (status = 201, description = "A new call; its card", body = CallerCard),
        (status = 200, description = "The call's card after this event", body = CallerCard),
        (status = 403, description = "A read-only role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid event, malformed number, unknown agent", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/telephony/events")]
pub async fn call_event(state: web::Data<AppState>, who: Principal, body: Json<CallEvent>) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let e = body.value;
    check(&e).map_err(ApiError::validation)?;
    let (card, created) = state
        .tx(move |c| {
            let ws = who.workspace_id.clone();
            let now = now_micros();
            let at = e.at.map(to_micros).unwrap_or(now);
            let direction = e.direction.clone().unwrap_or_else(|| "inbound".into());
            let (customer_field, customer_raw) =
                if direction == "outbound" { ("to", e.to.as_deref()) } else { ("from", e.from.as_deref()) };
            let customer = number(c, &ws, customer_field, customer_raw)?;
            let agent = agent(c, &ws, &e)?;
            let existing = repo::find(c, &ws, e.call_id.trim())?;
            let created = existing.is_none();
            let mut row = match existing {
                Some(row) => row,
                None => {
                    let (contacts, company) = match &customer {
                        Some(n) => repo::match_number(c, &ws, n)?,
                        None => (Vec::new(), None),
                    };
                    let other = if direction == "outbound" { e.from.clone() } else { e.to.clone() };
                    let (from_number, to_number) =
                        if direction == "outbound" { (other, customer.clone()) } else { (customer.clone(), other) };
                    CallRow {
                        id: crm_store::new_id(),
                        workspace_id: ws.clone(),
                        call_id: e.call_id.trim().to_owned(),
                        direction: direction.clone(),
                        from_number,
                        to_number,
                        agent_id: None,
                        status: e.event.clone(),
                        contact_ids: serde_json::to_string(&contacts).unwrap_or_else(|_| "[]".into()),
                        company_id: company,
                        rang_at: None,
                        answered_at: None,
                        ended_at: None,
                        activity_id: None,
                        created_at: now,
                        updated_at: now,
                    }
                }
            };
            // Fill in what this event tells; a late, older event fills gaps but never moves
            // the call backwards.
            let slot = match e.event.as_str() {
                "ringing" => &mut row.rang_at,
                "answered" => &mut row.answered_at,
                _ => &mut row.ended_at,
            };
            slot.get_or_insert(at);
            if stage(&e.event) > stage(&row.status) {
                row.status = e.event.clone();
            }
            if row.agent_id.is_none() {
                row.agent_id = agent.as_ref().map(|(id, _)| id.clone());
            }
            if row.status == "ended" {
                log_activity(c, &mut row, &who, now)?;
            }
            row.updated_at = now;
            if created {
                repo::insert(c, &row)?;
            } else {
                repo::save(c, &row)?;
            }
            let agent_role = match &row.agent_id {
                Some(id) => crm_store::identity::role_in(c, &ws, id)?,
                None => None,
            };
            if let (Some(id), Some(role)) = (&row.agent_id, agent_role) {
                let for_agent = card(c, Viewer { role, user_id: Some(id) }, &row)?;
                let payload = serde_json::to_value(&for_agent).map_err(|_| ApiError::internal())?;
                crm_store::live::push(c, &ws, id, "call", &payload, now)?;
            }
            let viewer = Viewer { role: who.role, user_id: who.user_id() };
            Ok((card(c, viewer, &row)?, created))
        })
        .await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(HttpResponse::build(status).json(card))
}

/// The caller's current call: the newest call for them as agent that has not ended (204 when
/// there is none). The agent console shows it after a reload.
#[utoipa::path(
    tag = "telephony",
    operation_id = "current_call",
    responses(
        (status = 200, description = "The live call's card", body = CallerCard),
        (status = 204, description = "No call in progress"),
        (status = 403, description = "API keys take no calls", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/telephony/current-call")]
pub async fn current_call(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let user = who.user_id().map(str::to_owned).ok_or_else(|| ApiError::forbidden("API keys take no calls"))?;
    let card = state
        .db(move |c| {
            let Some(row) = repo::current(c, &who.workspace_id, &user)? else { return Ok(None) };
            Ok(Some(card(c, Viewer { role: who.role, user_id: Some(&user) }, &row)?))
        })
        .await?;
    Ok(match card {
        Some(card) => HttpResponse::Ok().json(card),
        None => HttpResponse::NoContent().finish(),
    })
}
