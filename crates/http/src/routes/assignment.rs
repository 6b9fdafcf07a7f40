//! Hand-overs (`POST /api/v1/{records}/{id}/assign`) and the rules that assign new leads and
//! cases (`/api/v1/assignment-rules`).

use crate::auth::Principal;
use crate::conditional::{if_match_optional, with_etag};
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::state::AppState;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use crm_api_types::{AssignmentRule, AssignmentRules, Handover, HandoverRequest, Problem, RuleCondition};
use crm_app::assignment::{Condition, RuleInput, ShownRule};
use crm_domain::access::Entity;

async fn handover(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    entity: Entity,
    id: String,
    body: HandoverRequest,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let expected = if_match_optional(&req)?;
    let (user, note) = body.validate().map_err(ApiError::validation)?;
    let version = crm_app::assignment::hand_over(state.app_db(), &who.caller(), entity, id.clone(), user.clone(), note, expected).await?;
    let out = Handover { record_type: entity.as_str().to_owned(), record_id: id, user_id: user, version };
    Ok(with_etag(out.version, &out))
}

macro_rules! handover_route {
    ($name:ident, $path:literal, $entity:expr, $what:literal, $tag:literal) => {
        #[doc = concat!("Hand the ", $what, " over to someone else (or to nobody), with a note for them.")]
        ///
        /// The new owner is notified (with the note) and the change is audited; `If-Match` is
        /// optional, and when given a stale version is answered 412.
        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("assign_", $what),
            params(("id" = String, Path)),
            request_body(content = HandoverRequest, example = json!({"user_id": "0193…", "note": "Back from holiday on the 3rd; they want the quote by Friday."})),
            responses(
                (status = 200, description = "Handed over", body = Handover),
                (status = 403, description = "You may see but not change this record, or your role is read-only", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record, or not visible to you", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "The record is in the trash", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "If-Match names an old version", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "No `user_id`, someone outside the workspace, or a note over 2,000 characters", body = Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = []), ("api_key" = []))
        )]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            who: Principal,
            req: HttpRequest,
            id: web::Path<String>,
            body: Json<HandoverRequest>,
        ) -> ApiResult<HttpResponse> {
            handover(state, who, req, $entity, id.into_inner(), body.value).await
        }
    };
}

handover_route!(assign_contact, "/contacts/{id}/assign", Entity::Contact, "contact", "contacts");
handover_route!(assign_company, "/companies/{id}/assign", Entity::Company, "company", "companies");
handover_route!(assign_lead, "/leads/{id}/assign", Entity::Lead, "lead", "leads");
handover_route!(assign_deal, "/deals/{id}/assign", Entity::Deal, "deal", "deals");
handover_route!(assign_case, "/cases/{id}/assign", Entity::Case, "case", "cases");
handover_route!(assign_task, "/tasks/{id}/assign", Entity::Task, "task", "tasks");

/// The rules in their wire form, conditions by the fields' keys now.
fn to_api(shown: Vec<ShownRule>) -> AssignmentRules {
    let text = |v: serde_json::Value| match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    let rules = shown
        .into_iter()
        .map(|ShownRule { row: r, conditions }| {
            let conditions = conditions
                .into_iter()
                .map(|(field, values)| RuleCondition { field, values: values.into_iter().map(text).collect() })
                .collect();
            AssignmentRule { entity: r.entity, team_id: r.team_id, method: r.method, last_user_id: r.last_user_id, conditions }
        })
        .collect();
    AssignmentRules { rules }
}

/// The rules that assign new unassigned leads and cases to a team's members.
#[utoipa::path(
    tag = "workspace",
    operation_id = "get_assignment_rules",
    responses((status = 200, description = "The rules in the order they are tried", body = AssignmentRules)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/assignment-rules")]
pub async fn get_assignment_rules(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let rules = crm_app::assignment::rules(state.app_db(), &who.caller()).await?;
    Ok(HttpResponse::Ok().json(to_api(rules)))
}

/// Replace the assignment rules (admins and managers). A rule kept for the same team carries
/// on from whoever was last in turn.
#[utoipa::path(
    tag = "workspace",
    operation_id = "set_assignment_rules",
    request_body(content = AssignmentRules, example = json!({"rules": [
        {"entity": "case", "team_id": "0193…support", "method": "load"},
        {"entity": "lead", "team_id": "0193…north", "method": "round_robin", "conditions": [{"field": "custom.region", "values": ["north"]}]},
        {"entity": "lead", "team_id": "0193…sales", "method": "round_robin"}]})),
    responses(
        (status = 200, description = "The new rules", body = AssignmentRules),
        (status = 403, description = "Not an admin or manager", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, method, team or condition field, a value the field cannot hold, or two rules for one team and kind", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/assignment-rules")]
pub async fn set_assignment_rules(state: web::Data<AppState>, who: Principal, body: Json<AssignmentRules>) -> ApiResult<HttpResponse> {
    body.value.validate().map_err(ApiError::validation)?;
    let asked = body
        .value
        .rules
        .into_iter()
        .map(|r| RuleInput {
            entity: r.entity,
            team_id: r.team_id,
            method: r.method,
            conditions: r.conditions.into_iter().map(|c| Condition { field: c.field.unwrap_or_default(), values: c.values }).collect(),
        })
        .collect();
    let rules = crm_app::assignment::set_rules(state.app_db(), &who.caller(), asked).await?;
    Ok(HttpResponse::Ok().json(to_api(rules)))
}
