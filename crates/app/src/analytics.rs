//! Customer lifetime value: the workspace's BG/NBD and Gamma-Gamma fit on its own orders
//! (`crm_analytics::clv`), kept until the next, and each contact's figures from it.
//!
//! A purchase is a live revenue order (placed, paid or fulfilled) naming a contact, valued at
//! its total in the base currency; one purchase per contact per day (UTC), a day's orders
//! summed. Admins, managers and analysts fit; every member reads the fit (parameters and
//! totals, nothing of one customer) and the figures of the contacts they may read, as the
//! analytics issue asks: a customer's metrics follow the customer.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crm_analytics::clv::{self, BgNbd, FitError, GammaGamma, History};
use crm_domain::access::Entity;
use crm_domain::{Currency, FieldError, Money, Role};
use crm_store::analytics as repo;
use crm_store::{DbConnection, StoreError};
use serde::{Deserialize, Serialize};

const DAY_MICROS: i64 = 86_400_000_000;

/// The BG/NBD parameters and their log-likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PurchaseFit {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub log_likelihood: f64,
}

/// The Gamma-Gamma parameters, their log-likelihood and the customers they were fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpendFit {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
    pub log_likelihood: f64,
    pub customers: u64,
}

/// Customers with the same number of repeat purchases in the window, and their purchases in
/// the holdout, made and expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutGroup {
    pub label: String,
    pub customers: u64,
    pub actual_mean: f64,
    pub predicted_mean: f64,
}

/// The purchases after the window against those the fit expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holdout {
    pub weeks: f64,
    pub actual: u64,
    pub predicted: f64,
    pub groups: Vec<HoldoutGroup>,
}

/// A workspace's fit, as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvFit {
    /// Microseconds since 1970.
    pub fitted_at: i64,
    /// Days since 1970 (UTC).
    pub calibration_start: i64,
    pub calibration_end: i64,
    pub customers: u64,
    pub repeat_purchases: u64,
    pub purchases: PurchaseFit,
    pub spend: Option<SpendFit>,
    pub spend_problem: Option<String>,
    pub holdout: Option<Holdout>,
    /// The base currency values are in.
    pub currency: String,
}

impl ClvFit {
    fn purchase_model(&self) -> BgNbd {
        let p = self.purchases;
        BgNbd { r: p.r, alpha: p.alpha, a: p.a, b: p.b }
    }

    fn spend_model(&self) -> Option<GammaGamma> {
        self.spend.map(|s| GammaGamma { p: s.p, q: s.q, gamma: s.gamma })
    }

    /// What a new customer's purchases are expected to be worth.
    pub fn mean_order_value(&self) -> Option<f64> {
        self.spend_model().map(|g| g.expected_value(&History { x: 0, t_x: 0.0, t: 0.0, mean_value: 0.0 }))
    }
}

/// A contact's figures from the fit (`None` where they have never bought, or spend was not fitted).
#[derive(Debug, Clone, PartialEq)]
pub struct ContactClv {
    pub history: Option<History>,
    pub first_purchase: Option<i64>,
    pub last_purchase: Option<i64>,
    pub p_alive: Option<f64>,
    pub expected_purchases: Option<f64>,
    pub expected_order_value: Option<f64>,
    pub clv: Option<f64>,
    pub fit: ClvFit,
}

fn day_of(micros: i64) -> i64 {
    micros.div_euclid(DAY_MICROS)
}

fn unfit(e: FitError) -> AppError {
    StoreError::Conflict { code: e.code(), message: format!("customer lifetime value cannot be fitted: {e}"), field: None }.into()
}

/// What the fit needs of the workspace's purchases: each customer's history up to the end of
/// the window and their purchase days after it, in the same order, and the first purchase day.
/// No customer ids: the fit does not need them.
struct Calibration {
    histories: Vec<History>,
    after: Vec<u32>,
    start: Option<i64>,
}

impl Calibration {
    /// One customer's purchases `(day, value)`, emptied for the next.
    fn add(&mut self, days: &mut Vec<(i64, f64)>, end: i64, today: i64) {
        let (history, after) = clv::history(days, end, today);
        if let Some(h) = history {
            let first = days.first().map_or(end, |d| d.0);
            self.start = Some(self.start.map_or(first, |s| s.min(first)));
            self.histories.push(h);
            self.after.push(after);
        }
        days.clear();
    }
}

fn calibration(conn: &mut DbConnection, ws: &str, end: i64, today: i64) -> AppResult<Calibration> {
    let mut out = Calibration { histories: Vec::new(), after: Vec::new(), start: None };
    let mut days: Vec<(i64, f64)> = Vec::new();
    crate::metrics::for_each_customer(conn, ws, |theirs| {
        days.extend(theirs.iter().map(|p| (day_of(p.ordered_at), p.base_total_e4 as f64 / 10_000.0)));
        out.add(&mut days, end, today);
    })?;
    Ok(out)
}

/// Long analytical jobs running on this server, as `job:workspace`: one at a time of each per
/// workspace, since each reads every order and a second at once would only repeat it.
static RUNNING: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// A job's place in [`RUNNING`], given up when dropped.
pub(crate) struct Exclusive(String);

impl Exclusive {
    /// Takes the place of `job` (`fit`, `metrics`) of the workspace, or 409 `code`.
    pub(crate) fn start(ws: &str, job: &'static str, code: &'static str) -> AppResult<Self> {
        let key = format!("{job}:{ws}");
        let mut running = RUNNING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if running.contains(&key) {
            return Err(StoreError::Conflict {
                code,
                message: "this is already running for the workspace; its result replaces the last when done".into(),
                field: None,
            }
            .into());
        }
        running.push(key.clone());
        Ok(Self(key))
    }
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        RUNNING.lock().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|w| *w != self.0);
    }
}

/// Fits the models on the workspace's purchases up to day `end` (days since 1970, UTC; default
/// today) and keeps the fit, in place of the last. Purchases after `end` are the holdout the fit
/// is checked against. Admins, managers and analysts fit.
///
/// The purchases are read a page at a time into one small history per customer; the
/// connection goes back to the pool before the optimiser runs (on the blocking pool), and only
/// keeping the fit is a write.
pub async fn fit(db: &Db, caller: &Caller, end: Option<i64>) -> AppResult<ClvFit> {
    if !matches!(caller.role(), Role::Admin | Role::Manager | Role::Analyst) {
        return Err(StoreError::Forbidden {
            code: "forbidden",
            message: "admins, managers and analysts fit the models".into(),
            field: None,
        }
        .into());
    }
    let _running = Exclusive::start(caller.workspace(), "fit", "fit_in_progress")?;
    let reader = caller.clone();
    let now = crm_store::time::now_micros();
    let today = day_of(now);
    let end = end.unwrap_or(today);
    if end > today {
        let problem = FieldError::new("calibration_end", "in_future", "the calibration window must end today or before");
        return Err(StoreError::Invalid(problem.into()).into());
    }
    let (data, currency) = db
        .read(move |conn| {
            let ws = reader.workspace();
            let currency = crate::workspace::settings(conn, ws)?.base.code().to_owned();
            Ok::<_, AppError>((calibration(conn, ws, end, today)?, currency))
        })
        .await?;
    let fitted = tokio::task::spawn_blocking(move || compute(data, end, today, now, currency))
        .await
        .map_err(|e| AppError::from(StoreError::Aborted(e.to_string())))??;
    let kept = fitted.clone();
    let ws = caller.workspace().to_owned();
    db.write(move |conn| {
        let body = serde_json::to_string(&kept).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        repo::save_clv_fit(conn, &ws, &body, kept.fitted_at)?;
        Ok::<_, AppError>(())
    })
    .await?;
    Ok(fitted)
}

/// [`fit`] on one connection, with the window ending `weeks_before` weeks before today (so
/// there is a holdout to check it on): for the demo data, written in one transaction.
pub fn fit_in(conn: &mut DbConnection, ws: &str, weeks_before: i64) -> AppResult<ClvFit> {
    let now = crm_store::time::now_micros();
    let today = day_of(now);
    let end = today - weeks_before * 7;
    let currency = crate::workspace::settings(conn, ws)?.base.code().to_owned();
    let fitted = compute(calibration(conn, ws, end, today)?, end, today, now, currency)?;
    let body = serde_json::to_string(&fitted).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    repo::save_clv_fit(conn, ws, &body, fitted.fitted_at)?;
    Ok(fitted)
}

/// The fit of the histories up to day `end`, checked on the purchases after it up to `today`.
fn compute(data: Calibration, end: i64, today: i64, now: i64, currency: String) -> AppResult<ClvFit> {
    let all = &data.histories;
    let bg = BgNbd::fit(all).map_err(unfit)?;
    let (spend, spend_problem) = match GammaGamma::fit(all) {
        Ok(g) => (
            Some(SpendFit {
                p: g.model.p,
                q: g.model.q,
                gamma: g.model.gamma,
                log_likelihood: g.log_likelihood,
                customers: g.customers as u64,
            }),
            None,
        ),
        Err(e) => (None, Some(e.to_string())),
    };
    let holdout = (end < today).then(|| {
        let weeks = (today - end) as f64 / 7.0;
        // Customers by repeat purchases in the window: 0 to 6, and 7 or more.
        let mut groups: Vec<(u64, f64, f64)> = vec![(0, 0.0, 0.0); 8];
        let (mut actual, mut predicted) = (0_u64, 0.0);
        for (h, made) in all.iter().zip(&data.after) {
            let made = u64::from(*made);
            let expected = bg.model.expected_purchases(h, weeks).unwrap_or(0.0);
            let g = &mut groups[(h.x as usize).min(7)];
            g.0 += 1;
            g.1 += made as f64;
            g.2 += expected;
            actual += made;
            predicted += expected;
        }
        Holdout {
            weeks,
            actual,
            predicted,
            groups: groups
                .into_iter()
                .enumerate()
                .filter(|(_, g)| g.0 > 0)
                .map(|(x, (n, made, expected))| HoldoutGroup {
                    label: if x == 7 { "7+".into() } else { x.to_string() },
                    customers: n,
                    actual_mean: made / n as f64,
                    predicted_mean: expected / n as f64,
                })
                .collect(),
        }
    });
    Ok(ClvFit {
        fitted_at: now,
        calibration_start: data.start.unwrap_or(end),
        calibration_end: end,
        customers: all.len() as u64,
        repeat_purchases: all.iter().map(|h| u64::from(h.x)).sum(),
        purchases: PurchaseFit { r: bg.model.r, alpha: bg.model.alpha, a: bg.model.a, b: bg.model.b, log_likelihood: bg.log_likelihood },
        spend,
        spend_problem,
        holdout,
        currency,
    })
}

fn kept(conn: &mut DbConnection, ws: &str) -> AppResult<ClvFit> {
    let body = repo::clv_fit(conn, ws)?.ok_or_else(|| StoreError::Conflict {
        code: "no_clv_fit",
        message: "no customer lifetime value fit yet: POST /api/v1/analytics/clv makes one".into(),
        field: None,
    })?;
    Ok(serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("clv fit: {e}")))?)
}

/// The workspace's last fit.
pub async fn last_fit(db: &Db, caller: &Caller) -> AppResult<ClvFit> {
    let caller = caller.clone();
    db.read(move |conn| kept(conn, caller.workspace())).await
}

/// A contact's figures from the last fit: the probability they are still a customer, their
/// expected purchases in the next `weeks`, the value of each, and their lifetime value over
/// `months` discounted at `discount` a month, all as of today.
pub async fn contact(db: &Db, caller: &Caller, id: String, weeks: f64, months: u32, discount: f64) -> AppResult<ContactClv> {
    let caller = caller.clone();
    db.read(move |conn| {
        let ws = caller.workspace();
        let (row, _) = crm_store::contacts::get(conn, ws, &id).map_err(AppError::not_found_as(Entity::Contact))?;
        caller.check_visible(conn, Entity::Contact, row.owner_id.as_deref())?;
        crate::metrics::require_all_orders(conn, &caller)?;
        let fit = kept(conn, ws)?;
        let today = day_of(crm_store::time::now_micros());
        let mut purchases: Vec<(i64, f64)> =
            repo::purchases_of(conn, ws, &id)?.into_iter().map(|p| (day_of(p.ordered_at), p.base_total_e4 as f64 / 10_000.0)).collect();
        let (history, _) = clv::history(&mut purchases, today, today);
        let (bg, gg) = (fit.purchase_model(), fit.spend_model());
        let p_alive = history.map(|h| bg.p_alive(&h));
        let expected_purchases = match history {
            Some(h) => Some(bg.expected_purchases(&h, weeks).ok_or_else(|| diverged("weeks"))?),
            None => None,
        };
        let expected_order_value = history.zip(gg).map(|(h, g)| g.expected_value(&h));
        let clv = match history.zip(gg) {
            Some((h, g)) => Some(clv::clv(&bg, &g, &h, months, discount).ok_or_else(|| diverged("months"))?),
            None => None,
        };
        let days = purchases.iter().map(|p| p.0).filter(|d| *d <= today);
        Ok(ContactClv {
            history,
            first_purchase: days.clone().min(),
            last_purchase: days.max(),
            p_alive,
            expected_purchases,
            expected_order_value,
            clv,
            fit,
        })
    })
    .await
}

/// The problem when a figure's series does not settle over the horizon `field` names.
fn diverged(field: &str) -> AppError {
    let problem =
        FieldError::new(field, "not_computable", "the expected purchases do not settle over a horizon this long; try a shorter one");
    StoreError::Invalid(problem.into()).into()
}

/// A value in the base currency as money (rounded to the currency's smallest unit of 10⁻⁴).
pub fn money(value: f64, currency: &str) -> Option<Money> {
    let currency = Currency::parse("currency", currency).ok()?;
    value.is_finite().then(|| Money::from_e4((value * 10_000.0).round() as i64, currency))
}
