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

fn not_enough(e: FitError) -> AppError {
    StoreError::Conflict { code: "not_enough_data", message: format!("customer lifetime value cannot be fitted yet: {e}"), field: None }
        .into()
}

/// Fits the models on the workspace's purchases up to day `end` (days since 1970, UTC; default
/// today) and keeps the fit, in place of the last. Purchases after `end` are the holdout the fit
/// is checked against. Admins, managers and analysts fit.
pub async fn fit(db: &Db, caller: &Caller, end: Option<i64>) -> AppResult<ClvFit> {
    if !matches!(caller.role(), Role::Admin | Role::Manager | Role::Analyst) {
        return Err(StoreError::Forbidden {
            code: "forbidden",
            message: "admins, managers and analysts fit the models".into(),
            field: None,
        }
        .into());
    }
    let reader = caller.clone();
    // The fit reads and computes on a pooled connection; only keeping it is a write.
    let fitted = db
        .read(move |conn| {
            let ws = reader.workspace();
            let currency = crate::workspace::settings(conn, ws)?.base.code().to_owned();
            let now = crm_store::time::now_micros();
            let today = day_of(now);
            let end = end.unwrap_or(today);
            if end > today {
                let problem = FieldError::new("calibration_end", "in_future", "the calibration window must end today or before");
                return Err(StoreError::Invalid(problem.into()).into());
            }
            let purchases: Vec<(String, i64, f64)> =
                repo::purchases(conn, ws)?.into_iter().map(|(c, at, e4)| (c, day_of(at), e4 as f64 / 10_000.0)).collect();
            compute(&purchases, end, today, now, currency)
        })
        .await?;
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

/// The fit of `purchases` (contact, day, value) up to day `end`, checked on those after it up to
/// `today`.
fn compute(purchases: &[(String, i64, f64)], end: i64, today: i64, now: i64, currency: String) -> AppResult<ClvFit> {
    let by_customer = clv::histories(purchases, end);
    let mut ids: Vec<&String> = by_customer.keys().collect();
    ids.sort_unstable();
    let all: Vec<History> = ids.iter().map(|id| by_customer[*id]).collect();
    let bg = BgNbd::fit(&all).map_err(not_enough)?;
    let (spend, spend_problem) = match GammaGamma::fit(&all) {
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
        let after = clv::purchases_after(purchases, end, today);
        // Customers by repeat purchases in the window: 0 to 6, and 7 or more.
        let mut groups: Vec<(u64, f64, f64)> = vec![(0, 0.0, 0.0); 8];
        let (mut actual, mut predicted) = (0_u64, 0.0);
        for id in &ids {
            let h = by_customer[*id];
            let made = u64::from(after.get(*id).copied().unwrap_or(0));
            let expected = bg.model.expected_purchases(&h, weeks).unwrap_or(0.0);
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
        calibration_start: purchases.iter().map(|p| p.1).filter(|d| *d <= end).min().unwrap_or(end),
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
        let fit = kept(conn, ws)?;
        let today = day_of(crm_store::time::now_micros());
        let purchases: Vec<((), i64, f64)> =
            repo::purchases_of(conn, ws, &id)?.into_iter().map(|(at, e4)| ((), day_of(at), e4 as f64 / 10_000.0)).collect();
        let history = clv::histories(&purchases, today).remove(&());
        let (bg, gg) = (fit.purchase_model(), fit.spend_model());
        let p_alive = history.map(|h| bg.p_alive(&h));
        let expected_purchases = history.and_then(|h| bg.expected_purchases(&h, weeks));
        let expected_order_value = history.zip(gg).map(|(h, g)| g.expected_value(&h));
        let clv = history.zip(gg).and_then(|(h, g)| clv::clv(&bg, &g, &h, months, discount));
        let days = purchases.iter().map(|p| p.1).filter(|d| *d <= today);
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

/// A value in the base currency as money (rounded to the currency's smallest unit of 10⁻⁴).
pub fn money(value: f64, currency: &str) -> Option<Money> {
    let currency = Currency::parse("currency", currency).ok()?;
    value.is_finite().then(|| Money::from_e4((value * 10_000.0).round() as i64, currency))
}
