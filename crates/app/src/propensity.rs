//! Propensity to buy: for every live contact, the probability of a purchase (a revenue order)
//! within the next N days (the horizon, 90 by default), from a logistic regression trained on
//! the workspace's own history, with the factors that weigh most in each score.
//!
//! Training reads every contact's history once, one contact after another: their purchases,
//! activities (every channel) and cases, merged from four streams in contact id order a page
//! at a time. From each it takes three snapshots of [`FEATURES`]:
//! - as of T − 2N, labelled by whether they bought in the N days after: the training window;
//! - as of T − N, labelled likewise: the holdout, later than anything trained on, where the
//!   model's AUC, top-decile lift and calibration are measured;
//! - as of now: what is scored.
//!
//! A contact counts in a window only if their story had started by then (see
//! [`History::started`]). The training and holdout
//! windows keep a sample of at most [`SAMPLE`] contacts (by a hash of their id, so the same
//! ones each time). A model whose holdout quality is below the bar of
//! [`crm_analytics::propensity::Quality::verdict`] is kept with its quality and the reason, but
//! its scores are never shown (409 `model_not_validated`).
//!
//! Not features, deliberately: the contact's lifecycle stage and tags, whose values today would
//! tell the model what happened after the window's start (a buyer becomes a "customer"); and
//! the lifetime-value fit's P(alive), whose parameters are fitted on purchases inside the label
//! windows and which is 1 for anyone who bought only once, however long ago.
//!
//! The figures count every order, activity and case of a contact, so only a role that reads
//! all of them sees scores (403 `orders_out_of_reach`, `activities_out_of_reach`,
//! `cases_out_of_reach`).

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
pub use crm_analytics::propensity::Quality;
use crm_analytics::propensity::{FitError, Model, Rows};
use crm_domain::access::Entity;
use crm_domain::FieldError;
use crm_store::analytics::{self as purchases, Purchase};
use crm_store::listing::{InSegment, SqlWhere};
use crm_store::propensity::{self as repo, ContactBasics, Happening, ModelRow, ScoreRow};
use crm_store::{DbConnection, StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

const DAY: i64 = 86_400_000_000;
/// Rows read per page from each stream.
const PAGE: i64 = 5_000;
/// At most this many contacts train and judge the model.
const SAMPLE: i64 = 200_000;
/// Days since a purchase or an activity for someone who never had one.
const NEVER: f32 = 3_650.0;
/// The factors kept beside each score.
const REASONS: usize = 3;

/// The default horizon and the range an admin may choose.
pub const DEFAULT_HORIZON: i64 = 90;
pub const HORIZONS: std::ops::RangeInclusive<i64> = 7..=365;

/// How a feature's value enters the model.
#[derive(Clone, Copy)]
enum Scale {
    /// ln(1 + x): counts, days and money, whose first few matter most.
    Log,
    /// sign(x)·ln(1 + |x|): a difference of counts.
    SignedLog,
}

/// The features, in the order of a row: their names (also the API's and the web app's words
/// for them) and scales.
pub const FEATURES: [&str; 15] = [
    "days_since_purchase",
    "orders_30d",
    "orders_90d",
    "orders_365d",
    "revenue_365d",
    "average_order",
    "customer_days",
    "order_trend",
    "activities_30d",
    "activities_90d",
    "activities_all",
    "days_since_activity",
    "cases_365d",
    "cases_all",
    "contact_days",
];
const SCALES: [Scale; 15] = [
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::SignedLog,
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::Log,
    Scale::Log,
];
const WIDTH: usize = FEATURES.len();

type Raw = [f32; WIDTH];

fn input(raw: &Raw) -> Raw {
    let mut out = *raw;
    for (v, s) in out.iter_mut().zip(SCALES) {
        *v = match s {
            Scale::Log => v.max(0.0).ln_1p(),
            Scale::SignedLog => v.signum() * v.abs().ln_1p(),
        };
    }
    out
}

/// One contact's history, as the features read it.
struct History<'a> {
    created_at: i64,
    purchases: &'a [Purchase],
    activities: &'a [i64],
    cases: &'a [i64],
}

fn count_since(times: impl Iterator<Item = i64>, from: i64, to: i64) -> f32 {
    times.filter(|t| *t >= from && *t < to).count() as f32
}

impl History<'_> {
    /// The raw features as of `at` (only what happened before it), with a horizon of
    /// `horizon` days.
    ///
    /// Not features: whether they ever bought (`days_since_purchase` says it) and their orders
    /// of all time (they move with the last year's and with `customer_days`). Features that
    /// move together trade large weights of opposite signs, and a reason such as "bought 42
    /// times in all" lowering a regular buyer's score would mislead.
    fn features(&self, at: i64, horizon: i64) -> Raw {
        let before: Vec<&Purchase> = self.purchases.iter().filter(|p| p.ordered_at < at).collect();
        let times = || before.iter().map(|p| p.ordered_at);
        // Capped at NEVER: a purchase twelve years ago is not older than none.
        let days = |t: i64| (((at - t).max(0) / DAY) as f32).min(NEVER);
        let orders = before.len() as f32;
        let revenue = |from: i64| before.iter().filter(|p| p.ordered_at >= from).map(|p| p.base_total_e4 as f64 / 10_000.0).sum::<f64>();
        let first = times().min();
        let last = times().max();
        let acts = || self.activities.iter().copied().filter(|t| *t < at);
        [
            last.map_or(NEVER, days),
            count_since(times(), at - 30 * DAY, at),
            count_since(times(), at - 90 * DAY, at),
            count_since(times(), at - 365 * DAY, at),
            revenue(at - 365 * DAY) as f32,
            if orders > 0.0 { (revenue(i64::MIN) / f64::from(orders)) as f32 } else { 0.0 },
            first.map_or(0.0, days),
            count_since(times(), at - horizon * DAY, at) - count_since(times(), at - 2 * horizon * DAY, at - horizon * DAY),
            count_since(acts(), at - 30 * DAY, at),
            count_since(acts(), at - 90 * DAY, at),
            acts().count() as f32,
            acts().max().map_or(NEVER, days),
            count_since(self.cases.iter().copied(), at - 365 * DAY, at),
            self.cases.iter().filter(|t| **t < at).count() as f32,
            days(self.started()),
        ]
    }

    /// When the contact's story starts: their first purchase, activity or case, or when they
    /// were entered, whichever is first (records imported from another system keep their
    /// history's dates, not the day of the import).
    fn started(&self) -> i64 {
        let firsts = [self.purchases.first().map(|p| p.ordered_at), self.activities.first().copied(), self.cases.first().copied()];
        firsts.into_iter().flatten().fold(self.created_at, i64::min)
    }

    /// Whether they bought in the `horizon` days from `at`.
    fn bought(&self, at: i64, horizon: i64) -> bool {
        self.purchases.iter().any(|p| p.ordered_at >= at && p.ordered_at < at + horizon * DAY)
    }
}

/// One stream of rows in contact id order, read a page at a time.
struct Pages<T> {
    buf: VecDeque<T>,
    last: Option<T>,
    done: bool,
}

impl<T: Clone> Pages<T> {
    fn new() -> Self {
        Self { buf: VecDeque::new(), last: None, done: false }
    }

    /// Puts into `out` the rows of `contact`, dropping those of ids before it (not contacts).
    fn take(
        &mut self,
        conn: &mut DbConnection,
        contact: &str,
        id_of: impl Fn(&T) -> &str,
        mut fetch: impl FnMut(&mut DbConnection, Option<&T>) -> StoreResult<Vec<T>>,
        out: &mut Vec<T>,
    ) -> StoreResult<()> {
        out.clear();
        loop {
            if self.buf.is_empty() {
                if self.done {
                    return Ok(());
                }
                let page = fetch(conn, self.last.as_ref())?;
                self.done = (page.len() as i64) < PAGE;
                self.last = page.last().cloned();
                self.buf.extend(page);
                continue;
            }
            let Some(front) = self.buf.front() else { return Ok(()) };
            match id_of(front).cmp(contact) {
                std::cmp::Ordering::Less => {
                    self.buf.pop_front();
                }
                std::cmp::Ordering::Equal => out.extend(self.buf.pop_front()),
                std::cmp::Ordering::Greater => return Ok(()),
            }
        }
    }
}

/// Every live contact with their history, one after another.
fn for_each_contact(conn: &mut DbConnection, ws: &str, mut each: impl FnMut(&ContactBasics, &History)) -> AppResult<()> {
    let (mut orders, mut acts, mut cases) = (Pages::<Purchase>::new(), Pages::<Happening>::new(), Pages::<Happening>::new());
    let (mut theirs, mut their_acts, mut their_cases) = (Vec::new(), Vec::new(), Vec::new());
    let (mut act_times, mut case_times) = (Vec::new(), Vec::new());
    let mut after: Option<String> = None;
    loop {
        let page = repo::contact_page(conn, ws, after.as_deref(), PAGE)?;
        for c in &page {
            orders.take(
                conn,
                &c.id,
                |p| &p.contact_id,
                |conn, last| {
                    let key = last.map(|p| (p.contact_id.clone(), p.ordered_at, p.id.clone()));
                    purchases::purchase_page(conn, ws, key.as_ref(), PAGE)
                },
                &mut theirs,
            )?;
            acts.take(conn, &c.id, |h| &h.0, |conn, last| repo::activity_page(conn, ws, last, PAGE), &mut their_acts)?;
            cases.take(conn, &c.id, |h| &h.0, |conn, last| repo::case_page(conn, ws, last, PAGE), &mut their_cases)?;
            act_times.clear();
            act_times.extend(their_acts.iter().map(|h| h.1));
            case_times.clear();
            case_times.extend(their_cases.iter().map(|h| h.1));
            each(c, &History { created_at: c.created_at, purchases: &theirs, activities: &act_times, cases: &case_times });
        }
        if (page.len() as i64) < PAGE {
            return Ok(());
        }
        after = page.last().map(|c| c.id.clone());
    }
}

/// A small, stable hash of an id (FNV-1a), for sampling the same contacts each time.
fn sampled(id: &str, every: u64) -> bool {
    let h = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    h % every == 0
}

/// The model's report: its quality on both windows, the features' weights, and whether its
/// scores may be shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub trained_at: i64,
    pub horizon_days: i64,
    /// On the window it was fitted on (as of T − 2N) and on the later holdout (as of T − N).
    pub training: Quality,
    pub holdout: Quality,
    /// Why its scores are not shown; `None` when validated.
    pub refused: Option<String>,
    /// Per feature: its weight on the standardised value (positive: more of it, more likely).
    pub weights: Vec<(String, f64)>,
    /// Contacts scored.
    pub scored: usize,
}

/// What is kept of the model: the model itself and the features it was trained on (a model of
/// other features is out of date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Kept {
    model: Model,
    features: Vec<String>,
}

/// Scores and their reasons count every order, activity and case of a contact: only a role
/// that reads all of them sees them.
fn require_all_history(conn: &mut DbConnection, caller: &Caller) -> AppResult<()> {
    crate::metrics::require_all_orders(conn, caller)?;
    for (entity, code, what) in [(Entity::Activity, "activities_out_of_reach", "activities"), (Entity::Case, "cases_out_of_reach", "cases")]
    {
        if caller.reach(conn, entity)?.owners().is_some() {
            return Err(StoreError::Forbidden {
                code,
                message: format!("propensity scores count all of a contact's {what}, and your role reads only some"),
                field: None,
            }
            .into());
        }
    }
    Ok(())
}

/// Trains the workspace's model over `horizon` days, judges it on the holdout and scores every
/// live contact (admins, managers and analysts). Too little history is 409 `not_enough_data`;
/// a model below the bar is kept with its reason and no scores.
pub async fn train(db: &Db, caller: &Caller, horizon: Option<i64>) -> AppResult<Report> {
    crate::metrics::may_analyse(caller, "train the propensity model")?;
    let horizon = horizon.unwrap_or(DEFAULT_HORIZON);
    if !HORIZONS.contains(&horizon) {
        let problem = FieldError::new("horizon_days", "out_of_range", "give a horizon of 7 to 365 days");
        return Err(StoreError::Invalid(problem.into()).into());
    }
    let _running = crate::analytics::Exclusive::start(caller.workspace(), "propensity", "training_in_progress")?;
    let ws = caller.workspace().to_owned();
    let now = crm_store::time::now_micros();
    db.read({
        let caller = caller.clone();
        move |conn| require_all_history(conn, &caller)
    })
    .await?;
    let (report, scores) = db.read(move |conn| read_and_fit(conn, &ws, horizon, now)).await?;
    let ws = caller.workspace().to_owned();
    db.write(move |conn| keep(conn, &ws, &report, scores).map(|()| report)).await
}

/// [`train`] on one connection, as of `now`: for the demo data. A refusal is kept, not an error.
pub fn train_in(conn: &mut DbConnection, ws: &str, now: i64) -> AppResult<Report> {
    let (report, scores) = read_and_fit(conn, ws, DEFAULT_HORIZON, now)?;
    keep(conn, ws, &report, scores)?;
    Ok(report)
}

/// A validated model and every live contact's features now (their ids as bytes: a million
/// `String`s would cost more than the features).
type Scoring = (Model, Vec<([u8; 36], Raw)>);

/// The model fitted and judged, and what to score (none when it is refused).
type Fitted = (Report, Option<Scoring>);

fn read_and_fit(conn: &mut DbConnection, ws: &str, horizon: i64, now: i64) -> AppResult<Fitted> {
    let live = repo::live_contacts(conn, ws)?;
    let every = (live / SAMPLE + 1) as u64;
    let (train_at, holdout_at) = (now - 2 * horizon * DAY, now - horizon * DAY);
    let (mut training, mut holdout) = (Rows::new(WIDTH), Rows::new(WIDTH));
    let mut everyone: Vec<([u8; 36], Raw)> = Vec::with_capacity(usize::try_from(live).unwrap_or(0));
    let mut bad_id = None;
    for_each_contact(conn, ws, |c, h| {
        if sampled(&c.id, every) {
            if h.started() < train_at {
                training.push(&input(&h.features(train_at, horizon)), h.bought(train_at, horizon));
            }
            if h.started() < holdout_at {
                holdout.push(&input(&h.features(holdout_at, horizon)), h.bought(holdout_at, horizon));
            }
        }
        match <[u8; 36]>::try_from(c.id.as_bytes()) {
            Ok(id) => everyone.push((id, h.features(now, horizon))),
            Err(_) => bad_id = Some(c.id.clone()),
        }
    })?;
    if let Some(id) = bad_id {
        return Err(StoreError::Corrupt(format!("contact id {id} is not a UUID")).into());
    }
    let model = Model::fit(&training).map_err(|e| match e {
        FitError::NotEnoughData { positives, negatives } => StoreError::Conflict {
            code: "not_enough_data",
            message: format!(
                "too little history to learn from: {positives} contacts bought and {negatives} did not in the {horizon} days after {}; at least {} of each are needed",
                chrono::DateTime::from_timestamp_micros(train_at).map(|t| t.date_naive().to_string()).unwrap_or_default(),
                crm_analytics::propensity::MIN_CLASS
            ),
            field: None,
        },
        FitError::DidNotConverge => {
            StoreError::Conflict { code: "fit_did_not_converge", message: "the propensity model did not converge".into(), field: None }
        }
    })?;
    let report = Report {
        trained_at: now,
        horizon_days: horizon,
        training: model.quality(&training),
        holdout: model.quality(&holdout),
        refused: None,
        weights: FEATURES.iter().zip(&model.weights).map(|(f, w)| ((*f).to_owned(), *w)).collect(),
        scored: 0,
    };
    let refused = report.holdout.verdict().map(str::to_owned);
    let scored = if refused.is_some() { 0 } else { everyone.len() };
    let report = Report { refused: refused.clone(), scored, ..report };
    Ok((report, refused.is_none().then_some((model, everyone))))
}

fn json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()).into())
}

/// A factor of a score: the feature, its value (as the feature counts it: orders, days, money
/// in the base currency, a probability) and its contribution to the log-odds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reason(pub usize, pub f32, pub f64);

fn reasons(model: &Model, raw: &Raw) -> Vec<Reason> {
    let mut all: Vec<Reason> = model.contributions(&input(raw)).iter().enumerate().map(|(i, c)| Reason(i, raw[i], *c)).collect();
    all.sort_unstable_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
    all.truncate(REASONS);
    all
}

fn keep(conn: &mut DbConnection, ws: &str, report: &Report, scores: Option<Scoring>) -> AppResult<()> {
    let model = scores.as_ref().map(|(m, _)| Kept { model: m.clone(), features: FEATURES.iter().map(|f| (*f).to_owned()).collect() });
    repo::save_model(
        conn,
        &ModelRow {
            workspace_id: ws.to_owned(),
            trained_at: report.trained_at,
            horizon_days: report.horizon_days as i32,
            model: json(&model)?,
            quality: json(report)?,
            refused: report.refused.clone(),
        },
    )?;
    let Some((model, everyone)) = scores else { return Ok(()) };
    for chunk in everyone.chunks(5_000) {
        let rows = chunk
            .iter()
            .map(|(id, raw)| {
                Ok(ScoreRow {
                    workspace_id: ws.to_owned(),
                    contact_id: String::from_utf8_lossy(id).into_owned(),
                    score_e4: (model.probability(&input(raw)) * 10_000.0).round() as i32,
                    reasons: json(&reasons(&model, raw))?,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        repo::append_scores(conn, &rows)?;
    }
    Ok(())
}

fn no_model() -> AppError {
    StoreError::Conflict {
        code: "no_propensity_model",
        message: "no propensity model yet: POST /api/v1/analytics/propensity trains one".into(),
        field: None,
    }
    .into()
}

fn kept_report(conn: &mut DbConnection, ws: &str) -> AppResult<(Report, Option<Kept>)> {
    let row = repo::model(conn, ws)?.ok_or_else(no_model)?;
    let report: Report = serde_json::from_str(&row.quality).map_err(|e| StoreError::Corrupt(format!("propensity report: {e}")))?;
    let model: Option<Kept> = serde_json::from_str(&row.model).map_err(|e| StoreError::Corrupt(format!("propensity model: {e}")))?;
    Ok((report, model))
}

/// The workspace's model report.
pub async fn report(db: &Db, caller: &Caller) -> AppResult<Report> {
    let caller = caller.clone();
    db.read(move |conn| {
        require_all_history(conn, &caller)?;
        Ok(kept_report(conn, caller.workspace())?.0)
    })
    .await
}

/// The validated model, or 409 `model_not_validated` naming why not.
fn validated(conn: &mut DbConnection, ws: &str) -> AppResult<(Report, Model)> {
    let (report, kept) = kept_report(conn, ws)?;
    match (&report.refused, kept) {
        (None, Some(k)) if k.features == FEATURES => Ok((report, k.model)),
        (None, _) => Err(StoreError::Conflict {
            code: "model_out_of_date",
            message: "the propensity model was trained on other features: train it again".into(),
            field: None,
        }
        .into()),
        (Some(why), _) => Err(StoreError::Conflict {
            code: "model_not_validated",
            message: format!("the propensity model did not pass its holdout check ({why}): its scores are not shown"),
            field: None,
        }
        .into()),
    }
}

/// A contact's probability of buying and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub contact_id: String,
    pub display_name: String,
    pub owner_id: Option<String>,
    pub probability: f64,
    /// The log-odds of the average contact: with the contributions of every feature (the
    /// reasons are the largest of them) it makes the score's log-odds.
    pub base_log_odds: f64,
    pub reasons: Vec<Reason>,
    /// Every feature's contribution (a contact's own score only).
    pub contributions: Vec<(usize, f32, f64)>,
}

/// A contact's score now (and the base currency), from their history as it is (so an order written a moment ago
/// counts), with every feature's contribution. Whoever may read the contact and every order
/// reads it.
pub async fn contact(db: &Db, caller: &Caller, id: String) -> AppResult<(Report, Score, String)> {
    let caller = caller.clone();
    db.read(move |conn| {
        let ws = caller.workspace();
        let (row, _) = crm_store::contacts::get(conn, ws, &id).map_err(AppError::not_found_as(Entity::Contact))?;
        caller.check_visible(conn, Entity::Contact, row.owner_id.as_deref())?;
        require_all_history(conn, &caller)?;
        let (report, model) = validated(conn, ws)?;
        let theirs = purchases::purchases_of(conn, ws, &id)?;
        let (activities, cases) = repo::happenings_of(conn, ws, &id)?;
        let h = History { created_at: row.created_at, purchases: &theirs, activities: &activities, cases: &cases };
        let raw = h.features(crm_store::time::now_micros(), report.horizon_days);
        let contributions: Vec<(usize, f32, f64)> =
            model.contributions(&input(&raw)).iter().enumerate().map(|(i, c)| (i, raw[i], *c)).collect();
        let score = Score {
            contact_id: id,
            display_name: row.display_name,
            owner_id: row.owner_id,
            probability: model.probability(&input(&raw)),
            base_log_odds: model.intercept,
            reasons: reasons(&model, &raw),
            contributions,
        };
        let currency = crate::workspace::settings(conn, ws)?.base.code().to_owned();
        Ok((report, score, currency))
    })
    .await
}

/// Which likely buyers a list shows.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// The most likely first (else the least).
    pub most: bool,
    /// One owner's contacts.
    pub owner: Option<String>,
    /// Members of a segment the caller sees (its id).
    pub segment: Option<String>,
    /// Contacts who bought this product (its id).
    pub product: Option<String>,
    pub limit: i64,
}

/// The most (or least) likely buyers in reach as of the last training, narrowed as `ranking`
/// asks. Also the base currency the reasons' amounts are in.
pub async fn ranked(db: &Db, caller: &Caller, ranking: Ranking) -> AppResult<(Report, Vec<Score>, String)> {
    let caller = caller.clone();
    db.read(move |conn| {
        let ws = caller.workspace();
        let reach = caller.reach(conn, Entity::Contact)?;
        require_all_history(conn, &caller)?;
        let (report, model) = validated(conn, ws)?;
        let mut among = Vec::new();
        if let Some(id) = ranking.segment {
            let mut segment = InSegment::asked(Some(id));
            crate::segments::resolve_filter(conn, &caller, Entity::Contact, &mut segment)?;
            among.extend(segment.members);
        }
        if let Some(product) = &ranking.product {
            crm_store::products::get(conn, ws, product).map_err(|e| match e {
                StoreError::NotFound => AppError::BadParameter {
                    name: "product_id".into(),
                    code: "unknown_product",
                    message: format!("no product {product} in this workspace"),
                },
                other => other.into(),
            })?;
            among.push(crate::segments::bought(conn, &caller, product)?);
        }
        let among = (!among.is_empty()).then(|| SqlWhere::group(&among, false));
        let scores = repo::ranked(conn, ws, &reach, ranking.owner.as_deref(), among.as_ref(), ranking.most, ranking.limit)?
            .into_iter()
            .map(|r| {
                let reasons: Vec<Reason> =
                    serde_json::from_str(&r.reasons).map_err(|e| StoreError::Corrupt(format!("propensity reasons: {e}")))?;
                Ok(Score {
                    contact_id: r.contact_id,
                    display_name: r.display_name,
                    owner_id: r.owner_id,
                    probability: f64::from(r.score_e4) / 10_000.0,
                    base_log_odds: model.intercept,
                    reasons,
                    contributions: Vec::new(),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let currency = crate::workspace::settings(conn, ws)?.base.code().to_owned();
        Ok((report, scores, currency))
    })
    .await
}
