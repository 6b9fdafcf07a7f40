//! `/api/v1/analytics/clv` and `/api/v1/contacts/{id}/clv`: customer lifetime value from the
//! BG/NBD and Gamma-Gamma models fitted on the workspace's orders.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Days, NaiveDate, Utc};
use crm_api_types::{ClvFit, ClvFitRequest, ClvHoldout, ContactClv, HoldoutGroup, MoneyDto, Problem, PurchaseModel, SpendModel};
use crm_app::analytics::{self as clv, money};

fn date(day: i64) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    u64::try_from(day).ok().and_then(|d| epoch.checked_add_days(Days::new(d))).unwrap_or(epoch)
}

fn day(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()
}

fn dto(value: f64, currency: &str) -> Option<MoneyDto> {
    money(value, currency).map(|m| MoneyDto { amount: m.amount_string(), currency: currency.to_owned() })
}

fn wire(f: &clv::ClvFit) -> ClvFit {
    ClvFit {
        fitted_at: DateTime::<Utc>::from_timestamp_micros(f.fitted_at).unwrap_or_default(),
        calibration_start: date(f.calibration_start),
        calibration_end: date(f.calibration_end),
        customers: f.customers,
        repeat_purchases: f.repeat_purchases,
        purchases: PurchaseModel {
            r: f.purchases.r,
            alpha: f.purchases.alpha,
            a: f.purchases.a,
            b: f.purchases.b,
            log_likelihood: f.purchases.log_likelihood,
        },
        spend: f.spend.and_then(|s| {
            Some(SpendModel {
                p: s.p,
                q: s.q,
                gamma: s.gamma,
                log_likelihood: s.log_likelihood,
                customers: s.customers,
                mean_order_value: dto(f.mean_order_value()?, &f.currency)?,
            })
        }),
        spend_problem: f.spend_problem.clone(),
        holdout: f.holdout.as_ref().map(|h| ClvHoldout {
            weeks: h.weeks,
            actual: h.actual,
            predicted: h.predicted,
            by_repeat_purchases: h
                .groups
                .iter()
                .map(|g| HoldoutGroup {
                    repeat_purchases: g.label.clone(),
                    customers: g.customers,
                    actual_mean: g.actual_mean,
                    predicted_mean: g.predicted_mean,
                })
                .collect(),
        }),
    }
}

/// Fit the customer-lifetime-value models on the workspace's orders.
///
/// BG/NBD (how often each customer buys and when they stop) and Gamma-Gamma (what they spend
/// per purchase) by maximum likelihood, on every live revenue order naming a contact, one
/// purchase per contact per day. Purchases up to `calibration_end` fit the models; those after
/// it, up to today, check them (`holdout`). The fit is kept for the contacts' figures until the
/// next. Admins, managers and analysts. 409 with a code saying why when there is no fit:
/// `not_enough_data` while too few customers have bought again, `fit_did_not_converge` when
/// the optimiser does not settle, `implausible_fit` when it settles where the model means
/// nothing (the reason names the parameter), `fit_in_progress` while another fit of the
/// workspace runs. The last fit kept stays as it was.
#[utoipa::path(
    tag = "analytics",
    operation_id = "fit_clv",
    request_body(content = ClvFitRequest, example = json!({"calibration_end": "2026-09-30"})),
    responses(
        (status = 200, description = "The fit, now kept", body = ClvFit),
        (status = 403, description = "The role may not fit the models", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No fit: `not_enough_data`, `fit_did_not_converge`, `implausible_fit` or `fit_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The window ends in the future", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/analytics/clv")]
pub async fn fit_clv(state: web::Data<AppState>, who: Principal, body: Json<ClvFitRequest>) -> ApiResult<HttpResponse> {
    let fit = clv::fit(state.app_db(), &who.caller(), body.value.calibration_end.map(day)).await?;
    Ok(HttpResponse::Ok().json(wire(&fit)))
}

/// The workspace's last customer-lifetime-value fit.
#[utoipa::path(
    tag = "analytics",
    operation_id = "get_clv_fit",
    responses(
        (status = 200, description = "The last fit", body = ClvFit),
        (status = 409, description = "No fit yet (`no_clv_fit`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/analytics/clv")]
pub async fn get_clv_fit(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let fit = clv::last_fit(state.app_db(), &who.caller()).await?;
    Ok(HttpResponse::Ok().json(wire(&fit)))
}

/// Parameters of `GET /contacts/{id}/clv`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ContactClvParams {
    /// Horizon of the expected purchases, in weeks (1 to 520, default 52).
    weeks: Option<f64>,
    /// Horizon of the lifetime value, in months (1 to 120, default 12).
    months: Option<u32>,
    /// Monthly discount rate of the lifetime value (0 to 0.5, default 0.01).
    discount: Option<f64>,
}

/// A contact's customer lifetime value, from the workspace's last fit.
///
/// The probability they are still a customer, their expected purchases over `weeks`, what
/// each is expected to be worth, and the discounted value of their purchases over `months`, as
/// of today. A contact who never bought has `customer: false` and no figures.
#[utoipa::path(
    tag = "analytics",
    operation_id = "contact_clv",
    params(("id" = String, Path), ContactClvParams),
    responses(
        (status = 200, description = "The contact's figures", body = ContactClv),
        (status = 400, description = "A parameter is out of range", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No fit yet (`no_clv_fit`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The expected purchases do not settle over the horizon (`not_computable`, naming `weeks` or `months`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/contacts/{id}/clv")]
pub async fn contact_clv(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let number = |q: &mut QueryParams, name: &str, default: f64, low: f64, high: f64| -> ApiResult<f64> {
        match q.take(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|n| (low..=high).contains(n))
                .ok_or_else(|| bad(name, "out_of_range", &format!("must be a number from {low} to {high}"))),
        }
    };
    let weeks = number(&mut q, "weeks", 52.0, 1.0, 520.0)?;
    let months = number(&mut q, "months", 12.0, 1.0, 120.0)?;
    if months.fract() != 0.0 {
        return Err(bad("months", "out_of_range", "must be a whole number from 1 to 120"));
    }
    let discount = number(&mut q, "discount", 0.01, 0.0, 0.5)?;
    q.finish()?;
    let id = id.into_inner();
    let c = clv::contact(state.app_db(), &who.caller(), id.clone(), weeks, months as u32, discount).await?;
    let currency = c.fit.currency.clone();
    let body = ContactClv {
        contact_id: id,
        customer: c.history.is_some(),
        repeat_purchases: c.history.map_or(0, |h| h.x),
        first_purchase: c.first_purchase.map(date),
        last_purchase: c.last_purchase.map(date),
        p_alive: c.p_alive,
        weeks,
        expected_purchases: c.expected_purchases,
        expected_order_value: c.expected_order_value.and_then(|v| dto(v, &currency)),
        months: months as u32,
        discount,
        clv: c.clv.and_then(|v| dto(v, &currency)),
        fitted_at: DateTime::<Utc>::from_timestamp_micros(c.fit.fitted_at).unwrap_or_default(),
    };
    Ok(HttpResponse::Ok().json(body))
}
