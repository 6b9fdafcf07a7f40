//! Customer metrics and RFM: `/api/v1/analytics/metrics/recompute`, `/api/v1/analytics/rfm`
//! and `/api/v1/contacts/{id}/metrics`.

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use crm_api_types::{
    CohortFigures, CohortMonthFigures, CohortReportDto, CustomerMetrics, MetricsRecomputed, MoneyDto, MonthFigures, Problem,
    PurchaseTotals, RfmCell, RfmGroup, RfmReport, RfmScores, RfmThresholds, RfmThresholdsRequest, ServiceCosts, ServiceCostsRequest,
    ServiceFigures,
};
use crm_app::metrics::{self, Group, RfmCuts, Service, ServiceRates, Totals};
use crm_domain::{Currency, Money, ValidationErrors};

fn at(micros: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_default()
}

fn money(e4: i64, currency: &str) -> MoneyDto {
    match Currency::parse("currency", currency) {
        Ok(c) => crate::convert::money_of(e4, c),
        // The base currency was valid when it was set; were it not, the amount still reads right.
        Err(_) => MoneyDto { amount: format!("{}", e4 as f64 / 10_000.0), currency: currency.to_owned() },
    }
}

fn totals(t: &Totals, currency: &str) -> PurchaseTotals {
    PurchaseTotals {
        orders: t.orders,
        revenue: money(t.revenue_e4, currency),
        cost: money(t.cost_e4, currency),
        costed_revenue: money(t.costed_revenue_e4, currency),
        orders_without_cost: t.orders_without_cost,
        gross_margin: t.gross_margin_e4().map(|m| money(m, currency)),
    }
}

fn service(s: &Service, t: &Totals, rates: ServiceRates, currency: &str) -> ServiceFigures {
    ServiceFigures {
        cases: s.cases,
        activity_hours: (s.activity_seconds / 36.0).round() / 100.0,
        service_cost: s.cost_e4(rates).map(|c| money(c, currency)),
        net_contribution: s.net_contribution_e4(t, rates).map(|n| money(n, currency)),
    }
}

fn service_costs((rates, currency): &(ServiceRates, String)) -> ServiceCosts {
    ServiceCosts {
        per_case: rates.per_case_e4.map(|r| money(r, currency)),
        per_activity_hour: rates.per_activity_hour_e4.map(|r| money(r, currency)),
        currency: currency.clone(),
    }
}

fn thresholds(c: &RfmCuts) -> RfmThresholds {
    RfmThresholds { recency_days: c.recency_days.0.to_vec(), frequency: c.frequency.0.to_vec(), monetary: c.monetary.0.to_vec() }
}

fn recomputed(r: &metrics::Recomputed) -> MetricsRecomputed {
    MetricsRecomputed { customers: r.customers, recomputed_at: at(r.at), thresholds: r.cuts.as_ref().map(thresholds), fixed: r.fixed }
}

/// Recompute every customer's metrics and RFM scores from the orders.
///
/// Each contact with a purchase (a live placed, paid or fulfilled order): purchases, revenue,
/// cost and gross margin in the base currency, and RFM scores against the workspace's
/// quintiles (or the thresholds an admin fixed). One order's customer is kept current at once
/// without this; a recompute brings every recency score up to today and the quintiles up to
/// date. Admins, managers and analysts; 409 `recompute_in_progress` while one runs.
#[utoipa::path(
    tag = "analytics",
    operation_id = "recompute_metrics",
    responses(
        (status = 200, description = "Recomputed", body = MetricsRecomputed),
        (status = 403, description = "The role may not recompute", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A recompute of the workspace is running (`recompute_in_progress`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/analytics/metrics/recompute")]
pub async fn recompute_metrics(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let r = metrics::recompute(state.app_db(), &who.caller()).await?;
    Ok(HttpResponse::Ok().json(recomputed(&r)))
}

/// Fix the RFM thresholds, or go back to the workspace's quintiles.
///
/// Four thresholds per measure, each at least the one before (422 `not_ascending` or
/// `invalid_length` naming the measure); `{"thresholds": null}` scores by quintiles again.
/// Every customer is scored again at once. Admins only.
#[utoipa::path(
    tag = "analytics",
    operation_id = "set_rfm_thresholds",
    request_body(content = RfmThresholdsRequest, example = json!({"thresholds": {"recency_days": [30, 90, 180, 365], "frequency": [1, 2, 4, 8], "monetary": [100, 500, 2000, 10000]}})),
    responses(
        (status = 200, description = "Set, and every customer scored again", body = MetricsRecomputed),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A recompute of the workspace is running (`recompute_in_progress`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A measure without four ascending thresholds", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/analytics/rfm/thresholds")]
pub async fn set_rfm_thresholds(state: web::Data<AppState>, who: Principal, body: Json<RfmThresholdsRequest>) -> ApiResult<HttpResponse> {
    let fixed = match body.value.thresholds {
        None => None,
        Some(t) => {
            let mut errs = ValidationErrors::new();
            let mut take = |name: &str, points: &[f64]| match metrics::cuts_from(name, points) {
                Ok(c) => Some(c),
                Err(e) => {
                    errs.push(e);
                    None
                }
            };
            let (r, f, m) = (
                take("thresholds.recency_days", &t.recency_days),
                take("thresholds.frequency", &t.frequency),
                take("thresholds.monetary", &t.monetary),
            );
            match (r, f, m) {
                (Some(recency_days), Some(frequency), Some(monetary)) => Some(RfmCuts { recency_days, frequency, monetary }),
                _ => return Err(ApiError::validation(errs)),
            }
        }
    };
    let r = metrics::set_thresholds(state.app_db(), &who.caller(), fixed).await?;
    Ok(HttpResponse::Ok().json(recomputed(&r)))
}

/// The RFM grid and groups of the customers you may read.
///
/// Cells of the recency × frequency grid with their customers and revenue, and the ten named
/// groups (`docs/api.md` defines them) with theirs, over the contacts the caller may read, as
/// of the last recompute and each customer's last order.
#[utoipa::path(
    tag = "analytics",
    operation_id = "rfm_report",
    responses(
        (status = 200, description = "The grid and the groups", body = RfmReport),
        (status = 403, description = "The role reads only some orders (`orders_out_of_reach`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/analytics/rfm")]
pub async fn rfm_report(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let r = metrics::rfm(state.app_db(), &who.caller()).await?;
    let cur = r.currency.as_str();
    let report = RfmReport {
        cells: r
            .cells
            .iter()
            .map(|c| RfmCell {
                recency: c.recency,
                frequency: c.frequency,
                group: Group::of(c.recency as u8, c.frequency as u8).as_str().to_owned(),
                customers: c.customers,
                revenue: money(c.revenue_e4 as i64, cur),
            })
            .collect(),
        groups: r
            .groups
            .iter()
            .map(|(g, n, revenue)| RfmGroup { group: g.as_str().to_owned(), customers: *n, revenue: money(*revenue as i64, cur) })
            .collect(),
        thresholds: r.cuts.as_ref().map(thresholds),
        fixed: r.fixed,
        recomputed_at: r.recomputed_at.map(at),
    };
    Ok(HttpResponse::Ok().json(report))
}

/// A contact's customer metrics now, and month by month.
///
/// Purchases, revenue, cost and gross margin in the base currency (`null` margin while an
/// order has no cost), the service they took (cases, hours of activity) at the workspace's
/// prices and the net contribution left, days since the last purchase, RFM scores and group,
/// and the same per month (`calendar=solar_hijri` for Solar Hijri months): profitability over
/// time. Whoever may read the contact reads them (404 otherwise); the service only roles that
/// read every case and activity.
#[utoipa::path(
    tag = "analytics",
    operation_id = "contact_metrics",
    params(("id" = String, Path), ("calendar" = Option<String>, Query, description = "The calendar of `months`: `gregorian` (default) or `solar_hijri`")),
    responses(
        (status = 200, description = "The contact's metrics", body = CustomerMetrics),
        (status = 403, description = "The role reads only some orders (`orders_out_of_reach`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "An unknown calendar", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/contacts/{id}/metrics")]
pub async fn contact_metrics(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let solar = match q.take("calendar").as_deref() {
        None | Some("gregorian") => false,
        Some("solar_hijri") => true,
        Some(_) => return Err(bad("calendar", "invalid_calendar", "gregorian or solar_hijri")),
    };
    q.finish()?;
    let id = id.into_inner();
    let m = metrics::contact(state.app_db(), &who.caller(), id.clone(), solar).await?;
    let cur = m.currency.as_str();
    let out = CustomerMetrics {
        contact_id: id,
        customer: m.totals.orders > 0,
        first_purchase_at: m.first_purchase_at.map(at),
        last_purchase_at: m.last_purchase_at.map(at),
        recency_days: m.recency_days,
        totals: totals(&m.totals, cur),
        rfm: m.scores.map(|s| RfmScores {
            recency: s.recency,
            frequency: s.frequency,
            monetary: s.monetary,
            group: s.group.as_str().to_owned(),
        }),
        service: m.service.map(|s| service(&s, &m.totals, m.rates, cur)),
        months: m
            .months
            .iter()
            .map(|mo| MonthFigures {
                month: mo.month.clone(),
                totals: totals(&mo.totals, cur),
                service: m.service.map(|_| service(&mo.service, &mo.totals, m.rates, cur)),
            })
            .collect(),
    };
    Ok(HttpResponse::Ok().json(out))
}

/// Customers by the month of their first purchase: cumulative revenue and margin by month
/// since, retention, and the break-even month.
///
/// As of the last recompute. `acquisition_cost` (a decimal in the base currency) is what one
/// customer cost to win; each cohort's `break_even_month` is the first month by which its
/// gross margin per customer covers it. Cohorts count every customer, so only roles that read
/// every contact and every order see them (403 `contacts_out_of_reach` or
/// `orders_out_of_reach`).
#[utoipa::path(
    tag = "analytics",
    operation_id = "cohorts",
    params(("acquisition_cost" = Option<String>, Query, description = "What one customer cost to win, in the base currency")),
    responses(
        (status = 200, description = "The cohorts, oldest first", body = CohortReportDto),
        (status = 400, description = "A malformed cost", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role reads only some contacts or orders", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/analytics/cohorts")]
pub async fn cohorts(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let cost = q.take("acquisition_cost");
    q.finish()?;
    let r = metrics::cohorts(state.app_db(), &who.caller()).await?;
    let cur = r.currency.as_str();
    let cost_e4 = match cost {
        None => None,
        Some(c) => {
            let currency = Currency::parse("currency", cur).map_err(|e| bad("acquisition_cost", "invalid_amount", &e.message))?;
            let m =
                Money::parse("acquisition_cost", c.trim(), currency).map_err(|e| bad("acquisition_cost", "invalid_amount", &e.message))?;
            if m.amount_e4() < 0 {
                return Err(bad("acquisition_cost", "invalid_amount", "a cost is not negative"));
            }
            Some(m.amount_e4())
        }
    };
    let report = CohortReportDto {
        cohorts: r
            .cohorts
            .0
            .iter()
            .map(|c| {
                let n = c.customers.max(1);
                CohortFigures {
                    month: c.month.clone(),
                    customers: c.customers,
                    months: c
                        .cumulative()
                        .iter()
                        .zip(&c.months)
                        .enumerate()
                        .map(|(index, (sum, m))| CohortMonthFigures {
                            index,
                            active: m.active,
                            retention: m.active as f64 / n as f64,
                            revenue: money(sum.revenue_e4, cur),
                            revenue_per_customer: money(sum.revenue_e4 / n, cur),
                            margin: (sum.orders_without_cost == 0).then(|| money(sum.revenue_e4.saturating_sub(sum.cost_e4), cur)),
                        })
                        .collect(),
                    break_even_month: cost_e4.and_then(|cost| c.break_even(cost)),
                }
            })
            .collect(),
        acquisition_cost: cost_e4.map(|c| money(c, cur)),
        recomputed_at: r.recomputed_at.map(at),
    };
    Ok(HttpResponse::Ok().json(report))
}

/// The prices of service.
///
/// What serving a customer costs, in the base currency: per case and per hour of activity
/// (`null` until an admin sets them); every member reads them. A customer's service cost is their cases and their share
/// of the activities' time at these prices; their net contribution is gross margin less it.
#[utoipa::path(
    tag = "analytics",
    operation_id = "service_costs",
    responses((status = 200, description = "The prices", body = ServiceCosts)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/analytics/service-costs")]
pub async fn get_service_costs(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let r = metrics::service_rates(state.app_db(), &who.caller()).await?;
    Ok(HttpResponse::Ok().json(service_costs(&r)))
}

/// Set the prices of service (admins).
///
/// Decimal amounts in the base currency, zero or more; `null` or left out clears a price (and
/// the service costs that need it read `null` again).
#[utoipa::path(
    tag = "analytics",
    operation_id = "set_service_costs",
    request_body(content = ServiceCostsRequest, example = json!({"per_case": "250000", "per_activity_hour": "900000"})),
    responses(
        (status = 200, description = "The prices now", body = ServiceCosts),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A price that is not an amount, or negative", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/analytics/service-costs")]
pub async fn set_service_costs(state: web::Data<AppState>, who: Principal, body: Json<ServiceCostsRequest>) -> ApiResult<HttpResponse> {
    let b = body.value;
    let r = metrics::set_service_rates(state.app_db(), &who.caller(), b.per_case, b.per_activity_hour).await?;
    Ok(HttpResponse::Ok().json(service_costs(&r)))
}
