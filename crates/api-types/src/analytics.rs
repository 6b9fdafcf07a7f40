//! The analytical CRM: customer lifetime value from the BG/NBD and Gamma-Gamma models.

use crate::MoneyDto;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a fit of the customer-lifetime-value models is asked for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClvFitRequest {
    /// The last day of the calibration window (inclusive, UTC); default today. Purchases after
    /// it, up to today, are the holdout the fit is checked against.
    #[serde(default)]
    pub calibration_end: Option<NaiveDate>,
}

/// The fitted BG/NBD model of how often customers buy and when they stop: while a customer, a
/// purchase rate λ ~ Gamma(r, alpha) (alpha in weeks); after each purchase, dropping out with
/// probability p ~ Beta(a, b).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseModel {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    /// The log-likelihood of the calibration data at these parameters.
    pub log_likelihood: f64,
}

/// The fitted Gamma-Gamma model of what customers spend per purchase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpendModel {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
    pub log_likelihood: f64,
    /// Customers with repeat purchases of positive value: those the model is fitted on.
    pub customers: u64,
    /// What a new customer's purchases are expected to be worth, in the base currency.
    pub mean_order_value: MoneyDto,
}

/// How well the fit predicts the purchases after its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClvHoldout {
    /// Length of the holdout, in weeks.
    pub weeks: f64,
    /// Repeat purchases (customer-days) made in it by the calibration's customers.
    pub actual: u64,
    /// Those the model expected.
    pub predicted: f64,
    /// The same per number of repeat purchases in the calibration window (`0` … `6`, `7+`):
    /// the conditional-expectation check of Fader, Hardie & Lee (2005).
    pub by_repeat_purchases: Vec<HoldoutGroup>,
}

/// Customers with the same number of repeat purchases in the calibration window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldoutGroup {
    /// `0` to `6`, or `7+`.
    pub repeat_purchases: String,
    pub customers: u64,
    /// Their mean purchases in the holdout, made and expected.
    pub actual_mean: f64,
    pub predicted_mean: f64,
}

/// The workspace's customer-lifetime-value fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClvFit {
    pub fitted_at: DateTime<Utc>,
    /// The first purchase day of the data.
    pub calibration_start: NaiveDate,
    pub calibration_end: NaiveDate,
    /// Contacts with a purchase in the calibration window.
    pub customers: u64,
    /// Their purchase days after their first.
    pub repeat_purchases: u64,
    pub purchases: PurchaseModel,
    /// `null` when too few customers bought again to fit spend (`spend_problem` says why):
    /// lifetime values are then not given.
    pub spend: Option<SpendModel>,
    pub spend_problem: Option<String>,
    /// `null` when the window ends today.
    pub holdout: Option<ClvHoldout>,
}

/// A contact's figures from the workspace's fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactClv {
    pub contact_id: String,
    /// Whether the contact has bought at all; the other figures are `null` when not.
    pub customer: bool,
    /// Purchase days after the first.
    pub repeat_purchases: u32,
    pub first_purchase: Option<NaiveDate>,
    pub last_purchase: Option<NaiveDate>,
    /// The probability the contact is still a customer.
    pub p_alive: Option<f64>,
    /// The horizon of `expected_purchases`, in weeks.
    pub weeks: f64,
    pub expected_purchases: Option<f64>,
    /// What their next purchases are expected to be worth each, in the base currency.
    pub expected_order_value: Option<MoneyDto>,
    /// The horizon of `clv`, in months, and the monthly discount rate.
    pub months: u32,
    pub discount: f64,
    /// The discounted value of their expected purchases over `months`.
    pub clv: Option<MoneyDto>,
    /// When the fit these come from was made.
    pub fitted_at: DateTime<Utc>,
}

/// A customer's totals over some of their purchases, in the base currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseTotals {
    pub orders: i64,
    pub revenue: MoneyDto,
    /// The cost of the orders whose every line has a cost, and their revenue.
    pub cost: MoneyDto,
    pub costed_revenue: MoneyDto,
    /// Orders with a line without a cost: their cost is not known, so not guessed.
    pub orders_without_cost: i64,
    /// Revenue less cost; `null` while an order has no cost (`orders_without_cost`).
    pub gross_margin: Option<MoneyDto>,
}

/// A customer's RFM scores (1 to 5; 5 best) and group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RfmScores {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
    /// `champions`, `loyal`, `potential_loyalists`, `new_customers`, `promising`,
    /// `need_attention`, `about_to_sleep`, `at_risk`, `cant_lose_them` or `hibernating`.
    pub group: String,
}

/// One month of a customer's purchases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// `YYYY-MM` (UTC), in the calendar asked for.
    pub month: String,
    #[serde(flatten)]
    pub totals: PurchaseTotals,
    /// The month's service; `null` when the contact's `service` is.
    pub service: Option<ServiceFigures>,
}

/// The service a customer took and what it cost, in the base currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceFigures {
    /// Their cases (opened in the period).
    pub cases: i64,
    /// Their share of the time of activities with them (an activity with three contacts is a
    /// third each one's); activities without a duration take none.
    pub activity_hours: f64,
    /// At the workspace's prices of service; `null` while a price it needs is not set.
    pub service_cost: Option<MoneyDto>,
    /// Gross margin less service cost; `null` while either is not known.
    pub net_contribution: Option<MoneyDto>,
}

/// What serving customers costs: a price per case and per hour of activity, in the base
/// currency; `null` until an admin sets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceCosts {
    pub per_case: Option<MoneyDto>,
    pub per_activity_hour: Option<MoneyDto>,
    /// The base currency the prices are in.
    pub currency: String,
}

/// New prices of service: decimal amounts in the base currency, zero or more; `null` (or left
/// out) clears one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceCostsRequest {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "250000"))]
    pub per_case: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "900000"))]
    pub per_activity_hour: Option<String>,
}

/// A contact's customer metrics now, from their orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerMetrics {
    pub contact_id: String,
    /// Whether the contact has bought; the dates and scores are `null` when not.
    pub customer: bool,
    pub first_purchase_at: Option<DateTime<Utc>>,
    pub last_purchase_at: Option<DateTime<Utc>>,
    /// Whole days since the last purchase.
    pub recency_days: Option<i64>,
    pub totals: PurchaseTotals,
    /// Against the workspace's cut points; `null` before the first recompute.
    pub rfm: Option<RfmScores>,
    /// The service they took in all and their net contribution; `null` when your role reads
    /// only some cases or activities (a customer's service adds up all of it).
    pub service: Option<ServiceFigures>,
    /// Month by month, oldest first (months with a purchase, a case or a timed activity):
    /// profitability over time.
    pub months: Vec<MonthFigures>,
}

/// Four thresholds per measure (each at least the one before): a customer scores 1 plus the
/// number of thresholds their frequency or revenue is above, and 5 less the number their days
/// since the last purchase are above.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RfmThresholds {
    pub recency_days: Vec<f64>,
    pub frequency: Vec<f64>,
    /// In the base currency.
    pub monetary: Vec<f64>,
}

/// What `PUT /api/v1/analytics/rfm/thresholds` takes: thresholds, or `null` for the
/// workspace's quintiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RfmThresholdsRequest {
    pub thresholds: Option<RfmThresholds>,
}

/// One cell of the RFM grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RfmCell {
    pub recency: i32,
    pub frequency: i32,
    pub group: String,
    pub customers: i64,
    pub revenue: MoneyDto,
}

/// One named group's customers and revenue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RfmGroup {
    pub group: String,
    pub customers: i64,
    pub revenue: MoneyDto,
}

/// The RFM picture of the customers the caller may read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RfmReport {
    /// Cells of the recency × frequency grid that have customers.
    pub cells: Vec<RfmCell>,
    /// Every group, best first (empty ones too).
    pub groups: Vec<RfmGroup>,
    /// The cut points in use: the workspace's quintiles, or thresholds an admin fixed
    /// (`fixed`); `null` before the first recompute.
    pub thresholds: Option<RfmThresholds>,
    pub fixed: bool,
    /// When every customer's figures were last recomputed.
    pub recomputed_at: Option<DateTime<Utc>>,
}

/// What a full recompute of the customer metrics did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricsRecomputed {
    /// Contacts with a purchase.
    pub customers: usize,
    pub recomputed_at: DateTime<Utc>,
    pub thresholds: Option<RfmThresholds>,
    pub fixed: bool,
}

/// One month of a cohort since its first purchase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortMonthFigures {
    /// Months since the first purchase (0: that month).
    pub index: usize,
    /// Customers of the cohort who bought in this month, and their share of the cohort.
    pub active: i64,
    pub retention: f64,
    /// Revenue up to this month (cumulative), and per customer of the cohort.
    pub revenue: MoneyDto,
    pub revenue_per_customer: MoneyDto,
    /// Gross margin up to this month; `null` once an order without a cost leaves it unknown.
    pub margin: Option<MoneyDto>,
}

/// The customers whose first purchase was in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortFigures {
    /// `YYYY-MM` (UTC) of the first purchase.
    pub month: String,
    pub customers: i64,
    pub months: Vec<CohortMonthFigures>,
    /// With `acquisition_cost`: the first month by which the margin per customer covers it.
    pub break_even_month: Option<usize>,
}

/// Customers by the month of their first purchase, as of the last recompute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortReportDto {
    pub cohorts: Vec<CohortFigures>,
    pub acquisition_cost: Option<MoneyDto>,
    pub recomputed_at: Option<DateTime<Utc>>,
}

/// What `POST /api/v1/analytics/propensity` takes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PropensityTrainRequest {
    /// Days ahead a purchase is predicted for: 7 to 365, 90 when left out.
    #[serde(default)]
    pub horizon_days: Option<i64>,
}

/// A propensity model's quality on one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropensityQuality {
    /// Contacts in the window (a sample of at most 200,000), and those who bought in it.
    pub contacts: usize,
    pub buyers: usize,
    /// Area under the ROC curve (0.5 is chance); `null` without both buyers and non-buyers.
    pub auc: Option<f64>,
    /// The buying rate of the top tenth by score over everyone's.
    pub top_decile_lift: Option<f64>,
    /// The mean predicted probability over the actual buying rate (1 is perfect).
    pub calibration: Option<f64>,
}

/// One feature's weight in a propensity model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropensityWeight {
    pub feature: String,
    /// On the standardised feature: the change in log-odds per standard deviation more of it.
    pub weight: f64,
}

/// The workspace's propensity model: how well it predicted a later window than it learned
/// from, and whether its scores are shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropensityModelDto {
    pub trained_at: DateTime<Utc>,
    pub horizon_days: i64,
    /// Features as of `trained_at − 2·horizon`, buyers in the horizon after: what it learned from.
    pub training: PropensityQuality,
    /// Features as of `trained_at − horizon`, buyers in the horizon after: the holdout it is
    /// judged on.
    pub holdout: PropensityQuality,
    /// Whether the holdout reached AUC ≥ 0.60, top-decile lift ≥ 1.5 and calibration within
    /// 0.5–2; scores are shown only then.
    pub validated: bool,
    /// Why not: `not_enough_data`, `auc_too_low`, `lift_too_low` or `miscalibrated`.
    pub refused: Option<String>,
    pub weights: Vec<PropensityWeight>,
    /// Contacts scored.
    pub scored: usize,
}

/// A factor of a contact's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropensityReason {
    /// The feature (`orders_90d`, `days_since_purchase`, …; `docs/api.md` lists them).
    pub feature: String,
    /// Its value for the contact: a count, days, an amount in the base currency, a probability.
    pub value: f64,
    /// What it adds to the score's log-odds (negative: it lowers the score).
    pub contribution: f64,
    /// In words, in English: "Bought 3 times in the last 90 days".
    pub text: String,
}

/// A contact's probability of buying within the model's horizon, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropensityScore {
    pub contact_id: String,
    pub display_name: String,
    pub owner_id: Option<String>,
    pub probability: f64,
    /// The log-odds of a contact at every feature's mean. It and every feature's contribution
    /// sum to the score's log-odds, ln(p / (1 − p)).
    pub base_log_odds: f64,
    /// The factors that weigh most, largest first.
    pub reasons: Vec<PropensityReason>,
    /// Every feature's contribution (a contact's own score; empty in lists).
    pub contributions: Vec<PropensityReason>,
}

/// The most or least likely buyers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropensityList {
    pub model: PropensityModelDto,
    pub items: Vec<PropensityScore>,
    /// The base currency the reasons' amounts are in.
    pub currency: String,
}

/// A contact's propensity now, and the model it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPropensity {
    pub model: PropensityModelDto,
    pub score: PropensityScore,
    /// The base currency the reasons' amounts are in.
    pub currency: String,
}
