//! Propensity to buy: `/api/v1/analytics/propensity` (train, the model),
//! `/api/v1/analytics/propensity/contacts` (the most and least likely buyers) and
//! `/api/v1/contacts/{id}/propensity`.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use crm_api_types::{
    ContactPropensity, Problem, PropensityList, PropensityModelDto, PropensityQuality, PropensityReason, PropensityScore,
    PropensityTrainRequest, PropensityWeight,
};
use crm_app::propensity::{self, Ranking, Reason, Report, Score, FEATURES};

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn model(r: &Report) -> PropensityModelDto {
    let quality = |q: &propensity::Quality| PropensityQuality {
        contacts: q.rows,
        buyers: q.positives,
        auc: finite(q.auc),
        top_decile_lift: finite(q.top_decile_lift),
        calibration: finite(q.calibration),
    };
    PropensityModelDto {
        trained_at: DateTime::<Utc>::from_timestamp_micros(r.trained_at).unwrap_or_default(),
        horizon_days: r.horizon_days,
        training: quality(&r.training),
        holdout: quality(&r.holdout),
        validated: r.refused.is_none(),
        refused: r.refused.clone(),
        weights: r.weights.iter().map(|(feature, weight)| PropensityWeight { feature: feature.clone(), weight: *weight }).collect(),
        scored: r.scored,
    }
}

/// A factor in words a salesperson reads.
fn text(feature: &str, value: f64, horizon: i64, currency: &str) -> String {
    let n = value.round() as i64;
    let times = |n: i64| if n == 1 { "once".to_owned() } else { format!("{n} times") };
    match feature {
        "days_since_purchase" if value >= 3650.0 => "No purchase in the last ten years".into(),
        "days_since_purchase" => format!("Last bought {n} days ago"),
        "orders_30d" => format!("Bought {} in the last 30 days", times(n)),
        "orders_90d" => format!("Bought {} in the last 90 days", times(n)),
        "orders_365d" => format!("Bought {} in the last year", times(n)),
        "revenue_365d" => format!("Spent {n} {currency} in the last year"),
        "average_order" => format!("Orders average {n} {currency}"),
        "customer_days" => format!("First bought {n} days ago"),
        "order_trend" if n >= 0 => format!("{n} more orders in the last {horizon} days than in the {horizon} before"),
        "order_trend" => format!("{} fewer orders in the last {horizon} days than in the {horizon} before", -n),
        "activities_30d" => format!("{n} activities in the last 30 days"),
        "activities_90d" => format!("{n} activities in the last 90 days"),
        "activities_all" => format!("{n} activities in all"),
        "days_since_activity" if value >= 3650.0 => "No activity in the last ten years".into(),
        "days_since_activity" => format!("Last activity {n} days ago"),
        "cases_365d" => format!("{n} service cases in the last year"),
        "cases_all" => format!("{n} service cases in all"),
        "contact_days" => format!("Known for {n} days"),
        other => format!("{other}: {value}"),
    }
}

fn reason(r: &Reason, horizon: i64, currency: &str) -> PropensityReason {
    let feature = FEATURES.get(r.0).copied().unwrap_or("unknown");
    let value = f64::from(r.1);
    PropensityReason { feature: feature.to_owned(), value, contribution: r.2, text: text(feature, value, horizon, currency) }
}

fn score(s: &Score, horizon: i64, currency: &str) -> PropensityScore {
    PropensityScore {
        contact_id: s.contact_id.clone(),
        display_name: s.display_name.clone(),
        owner_id: s.owner_id.clone(),
        probability: s.probability,
        base_log_odds: s.base_log_odds,
        reasons: s.reasons.iter().map(|r| reason(r, horizon, currency)).collect(),
        contributions: s.contributions.iter().map(|(i, v, c)| reason(&Reason(*i, *v, *c), horizon, currency)).collect(),
    }
}

/// Train the propensity model and score every contact.
///
/// A logistic regression learns from the workspace's own history who buys (a live placed, paid
/// or fulfilled order) within `horizon_days` (default 90): features as of two horizons ago
/// (purchases, spend, activities on every channel, service cases, time known) against the purchases of the horizon after. It is judged on the next
/// horizon (a time-based holdout): its scores are shown only when it reaches AUC ≥ 0.60,
/// top-decile lift ≥ 1.5 and calibration within 0.5–2 (`validated`); otherwise it is kept with
/// the reason (`refused`). Admins, managers and analysts. 409 `not_enough_data` with fewer than
/// 100 buyers or 100 non-buyers to learn from, `training_in_progress` while one runs.
#[utoipa::path(
    tag = "analytics",
    operation_id = "train_propensity",
    request_body(content = PropensityTrainRequest, example = json!({"horizon_days": 90})),
    responses(
        (status = 200, description = "Trained and judged (scores kept only when validated)", body = PropensityModelDto),
        (status = 403, description = "The role may not train, or reads only some orders", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too little history (`not_enough_data`), no convergence, or a training running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A horizon outside 7–365 days", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/analytics/propensity")]
pub async fn train_propensity(state: web::Data<AppState>, who: Principal, body: Json<PropensityTrainRequest>) -> ApiResult<HttpResponse> {
    let r = propensity::train(state.app_db(), &who.caller(), body.value.horizon_days).await?;
    Ok(HttpResponse::Ok().json(model(&r)))
}

/// The propensity model: its quality on the window it learned from and on the holdout.
#[utoipa::path(
    tag = "analytics",
    operation_id = "propensity_model",
    responses(
        (status = 200, description = "The model", body = PropensityModelDto),
        (status = 403, description = "The role reads only some orders, activities or cases (`orders_out_of_reach`, …)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No model yet (`no_propensity_model`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/analytics/propensity")]
pub async fn propensity_model(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let r = propensity::report(state.app_db(), &who.caller()).await?;
    Ok(HttpResponse::Ok().json(model(&r)))
}

/// The most or least likely buyers, with why.
///
/// Contacts you may read, by their score at the last training, `order=most` (default) or
/// `least`, optionally narrowed to one owner's (`owner_id`), a segment's members (`segment`) or
/// those who bought a product (`product_id`), `limit` 1–200 (default 50). Each with the
/// three factors that weigh most in their score, in words. 409 `model_not_validated` when the
/// model did not pass its holdout check: its scores are never shown.
#[utoipa::path(
    tag = "analytics",
    operation_id = "propensity_contacts",
    params(
        ("order" = Option<String>, Query, description = "`most` (default) or `least` likely first"),
        ("owner_id" = Option<String>, Query, description = "Only this person's contacts (`me`: yours)"),
        ("segment" = Option<String>, Query, description = "Only members of this segment you see (its id)"),
        ("product_id" = Option<String>, Query, description = "Only contacts who bought this product (its id)"),
        ("limit" = Option<i64>, Query, description = "1–200, default 50"),
    ),
    responses(
        (status = 200, description = "The contacts, with the model", body = PropensityList),
        (status = 400, description = "A malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role reads only some orders, activities or cases (`orders_out_of_reach`, …)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No model, or one not validated (`model_not_validated`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/analytics/propensity/contacts")]
pub async fn propensity_contacts(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let most = match q.take("order").as_deref() {
        None | Some("most") => true,
        Some("least") => false,
        Some(_) => return Err(bad("order", "invalid_order", "most or least")),
    };
    let owner = q.take("owner_id").map(|u| if u == "me" { who.user_id().unwrap_or("").to_owned() } else { u });
    let (segment, product) = (q.take("segment"), q.take("product_id"));
    let limit = match q.take("limit") {
        None => 50,
        Some(l) => l.parse::<i64>().ok().filter(|l| (1..=200).contains(l)).ok_or_else(|| bad("limit", "invalid_limit", "1 to 200"))?,
    };
    q.finish()?;
    let (r, scores, currency) = propensity::ranked(state.app_db(), &who.caller(), Ranking { most, owner, segment, product, limit }).await?;
    let items = scores.iter().map(|s| score(s, r.horizon_days, &currency)).collect();
    Ok(HttpResponse::Ok().json(PropensityList { model: model(&r), items, currency }))
}

/// A contact's probability of buying, now, and why.
///
/// From the contact's history as it is at this moment (an order written a second ago counts)
/// and the validated model: the probability of a purchase within the model's horizon, the three
/// factors that weigh most and every feature's contribution; `base_log_odds` plus the
/// contributions is the score's log-odds. Whoever may read the contact and every order,
/// activity and case.
#[utoipa::path(
    tag = "analytics",
    operation_id = "contact_propensity",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The score and its reasons", body = ContactPropensity),
        (status = 403, description = "The role reads only some orders, activities or cases (`orders_out_of_reach`, …)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No model, or one not validated (`model_not_validated`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/contacts/{id}/propensity")]
pub async fn contact_propensity(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let (r, s, currency) = propensity::contact(state.app_db(), &who.caller(), id.into_inner()).await?;
    let score = score(&s, r.horizon_days, &currency);
    Ok(HttpResponse::Ok().json(ContactPropensity { model: model(&r), score, currency }))
}
