//! Customer metrics and RFM: each contact's purchases, revenue, cost and gross margin in the
//! base currency, the service they took (cases, hours of activity) priced at the workspace's
//! rates and the net contribution left, their RFM scores and group, and the same month by
//! month.
//!
//! A purchase is a live revenue order (placed, paid or fulfilled) naming the contact, as for
//! customer lifetime value. Revenue is the order's total in the base currency; its cost is the
//! sum of its lines' costs at the order's own rate. An order with a line without a cost has no
//! cost: it is counted (`orders_without_cost`) and left out of the margin, never guessed.
//!
//! Kept: a full recompute (on demand) writes every customer's figures and the RFM cut points
//! (the workspace's quintiles, unless an admin fixed thresholds); each order written keeps its
//! customer's figures current at once, scored against the cut points in use. Recency ages
//! between recomputes: a customer's recency score is as of their last order or recompute.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crm_analytics::rfm::{Cuts, Figures};
pub use crm_analytics::rfm::{Group, RfmCuts};
use crm_domain::access::Entity;
use crm_domain::{FieldError, Role};
use crm_store::analytics::{self as history, Purchase};
use crm_store::facts;
use crm_store::metrics::{self as repo, Cell, MetricsRow};
use crm_store::{DbConnection, StoreError, StoreResult};

const DAY_MICROS: i64 = 86_400_000_000;

/// Purchases read per page: enough to keep round trips few, few enough to stay small. (The
/// CDNOW test's 6,919 orders take two pages, so a customer cut between pages is tested.)
const PAGE: i64 = 5_000;

/// A customer's totals over some of their purchases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub orders: i64,
    pub revenue_e4: i64,
    pub costed_revenue_e4: i64,
    pub cost_e4: i64,
    pub orders_without_cost: i64,
}

impl Totals {
    fn add(&mut self, p: &Purchase) {
        self.orders += 1;
        self.revenue_e4 = self.revenue_e4.saturating_add(p.base_total_e4);
        match p.base_cost_e4() {
            Some(cost) => {
                self.costed_revenue_e4 = self.costed_revenue_e4.saturating_add(p.base_total_e4);
                self.cost_e4 = self.cost_e4.saturating_add(cost);
            }
            None => self.orders_without_cost += 1,
        }
    }

    /// Revenue less cost, when every order has a cost.
    pub fn gross_margin_e4(&self) -> Option<i64> {
        (self.orders_without_cost == 0).then(|| self.revenue_e4.saturating_sub(self.cost_e4))
    }
}

/// A customer's figures before they are scored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bought {
    contact_id: String,
    first: i64,
    last: i64,
    totals: Totals,
}

impl Bought {
    /// The figures of one customer's purchases (any order); `None` without purchases.
    fn of(contact_id: String, purchases: &[Purchase]) -> Option<Self> {
        let first = purchases.iter().map(|p| p.ordered_at).min()?;
        let last = purchases.iter().map(|p| p.ordered_at).max()?;
        let mut totals = Totals::default();
        purchases.iter().for_each(|p| totals.add(p));
        Some(Self { contact_id, first, last, totals })
    }

    fn figures(&self, now: i64) -> Figures {
        Figures {
            recency_days: ((now - self.last).max(0) / DAY_MICROS) as f64,
            frequency: self.totals.orders as f64,
            monetary: self.totals.revenue_e4 as f64 / 10_000.0,
        }
    }

    fn row(self, ws: &str, cuts: Option<&RfmCuts>, now: i64) -> MetricsRow {
        let scores = cuts.map(|c| c.score(&self.figures(now)));
        let t = self.totals;
        MetricsRow {
            workspace_id: ws.to_owned(),
            contact_id: self.contact_id,
            first_purchase_at: self.first,
            last_purchase_at: self.last,
            orders: t.orders,
            revenue_e4: t.revenue_e4,
            costed_revenue_e4: t.costed_revenue_e4,
            cost_e4: t.cost_e4,
            orders_without_cost: t.orders_without_cost,
            recency_score: scores.map(|s| i32::from(s.recency)),
            frequency_score: scores.map(|s| i32::from(s.frequency)),
            monetary_score: scores.map(|s| i32::from(s.monetary)),
            rfm_group: scores.map(|s| s.group.as_str().to_owned()),
            updated_at: now,
        }
    }
}

/// The workspace's RFM cut points in use and whether an admin fixed them.
fn cuts(conn: &mut DbConnection, ws: &str) -> StoreResult<(Option<RfmCuts>, bool, Option<i64>)> {
    let (json, fixed, at) = repo::state(conn, ws)?;
    let cuts = json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("rfm cuts: {e}")))).transpose()?;
    Ok((cuts, fixed, at))
}

/// Customers moving between cells of the kept RFM grid within one transaction: per cell, the
/// change in customers and revenue. Applied once, at the end, in the cells' order, so two
/// writers never lock the same cells in opposite orders (and a customer who stays in their
/// cell writes only the revenue change).
#[derive(Debug, Default)]
pub struct CellMoves(std::collections::BTreeMap<(i32, i32), (i64, f64)>);

impl CellMoves {
    /// Adds (`sign` 1) or takes (−1) a customer's figures to or from their cell.
    fn add(&mut self, row: Option<&MetricsRow>, sign: i64) {
        if let Some((recency, frequency, revenue_e4)) = row.and_then(|r| Some((r.recency_score?, r.frequency_score?, r.revenue_e4))) {
            let cell = self.0.entry((recency, frequency)).or_insert((0, 0.0));
            cell.0 += sign;
            cell.1 += sign as f64 * revenue_e4 as f64;
        }
    }

    /// Writes the changes, a cell at a time in (recency, frequency) order.
    pub fn apply(self, conn: &mut DbConnection, ws: &str) -> StoreResult<()> {
        for ((recency, frequency), (customers, revenue_e4)) in self.0 {
            if customers != 0 || revenue_e4 != 0.0 {
                repo::shift_cell(conn, ws, recency, frequency, customers, revenue_e4)?;
            }
        }
        Ok(())
    }
}

/// Keeps one customer's figures current after an order of theirs was written, inside its
/// transaction: scored against the cut points in use (none before the first recompute). Their
/// move in the kept grid goes into `moves`.
pub fn refresh(conn: &mut DbConnection, ws: &str, contact_id: &str, now: i64, moves: &mut CellMoves) -> StoreResult<()> {
    // On PostgreSQL, writers of one customer's orders take turns (the later reads the earlier's
    // order once it committed), and all of them wait for a full recompute writing.
    crm_store::db::advisory_lock(conn, &format!("metrics:{ws}"), false)?;
    crm_store::db::advisory_lock(conn, &format!("metrics:{ws}:{contact_id}"), true)?;
    let bought = Bought::of(contact_id.to_owned(), &history::purchases_of(conn, ws, contact_id)?);
    let (cuts, _, _) = cuts(conn, ws)?;
    let row = bought.map(|b| b.row(ws, cuts.as_ref(), now));
    let before = repo::get(conn, ws, contact_id)?;
    repo::put(conn, ws, contact_id, row.as_ref())?;
    facts::put_figures(conn, ws, contact_id, &kept_figures(row.as_ref()))?;
    if repo::contact_live(conn, ws, contact_id)? {
        moves.add(before.as_ref(), -1);
        moves.add(row.as_ref(), 1);
    }
    Ok(())
}

/// Keeps the RFM grid right when a contact went to the trash (`live` false) or came back: a
/// customer counts in it only while live.
pub fn contact_moved(conn: &mut DbConnection, ws: &str, contact_id: &str, live: bool, moves: &mut CellMoves) -> StoreResult<()> {
    crm_store::db::advisory_lock(conn, &format!("metrics:{ws}"), false)?;
    crm_store::db::advisory_lock(conn, &format!("metrics:{ws}:{contact_id}"), true)?;
    moves.add(repo::get(conn, ws, contact_id)?.as_ref(), if live { 1 } else { -1 });
    Ok(())
}

/// Keeps a contact's row of facts (segments count on it) as the contact now is: its own
/// columns while live, none in the trash. Waits for a full recompute writing, as orders do.
pub fn contact_written(conn: &mut DbConnection, ws: &str, row: &crm_store::contacts::ContactRow) -> StoreResult<()> {
    crm_store::db::advisory_lock(conn, &format!("metrics:{ws}"), false)?;
    let own = row.deleted_at.is_none().then(|| facts::ContactFacts {
        lifecycle_stage: &row.lifecycle_stage,
        owner_id: row.owner_id.as_deref(),
        created_at: row.created_at,
    });
    facts::put_contact(conn, ws, &row.id, own)
}

/// A customer's figures as their facts hold them (those of someone who never bought when none).
fn kept_figures(row: Option<&MetricsRow>) -> facts::Figures {
    let Some(r) = row else { return facts::Figures { margin_e4: Some(0), ..Default::default() } };
    facts::Figures {
        orders: r.orders,
        revenue_e4: r.revenue_e4,
        margin_e4: (r.orders_without_cost == 0).then(|| r.revenue_e4.saturating_sub(r.cost_e4)),
        first_purchase_at: Some(r.first_purchase_at),
        last_purchase_at: Some(r.last_purchase_at),
        recency_score: r.recency_score,
        frequency_score: r.frequency_score,
        monetary_score: r.monetary_score,
        rfm_group: r.rfm_group.clone(),
    }
}

/// What a full recompute did.
#[derive(Debug, Clone, PartialEq)]
pub struct Recomputed {
    pub customers: usize,
    pub at: i64,
    pub cuts: Option<RfmCuts>,
    pub fixed: bool,
}

/// Admins, managers and analysts run the long analytical jobs (`what`: "recompute the metrics").
pub(crate) fn may_analyse(caller: &Caller, what: &str) -> AppResult<()> {
    if matches!(caller.role(), Role::Admin | Role::Manager | Role::Analyst) {
        Ok(())
    } else {
        Err(StoreError::Forbidden { code: "forbidden", message: format!("admins, managers and analysts {what}"), field: None }.into())
    }
}

/// Recomputes every customer's figures and RFM scores from their orders (admins, managers and
/// analysts): the purchases are read a page at a time into one small total per customer, the
/// cut points are the quintiles of those figures (unless fixed), and every row is written in
/// one transaction.
pub async fn recompute(db: &Db, caller: &Caller) -> AppResult<Recomputed> {
    may_analyse(caller, "recompute the metrics")?;
    let _running = crate::analytics::Exclusive::start(caller.workspace(), "metrics", "recompute_in_progress")?;
    recompute_held(db, caller).await
}

/// [`recompute`] once the workspace's place is held.
async fn recompute_held(db: &Db, caller: &Caller) -> AppResult<Recomputed> {
    let ws = caller.workspace().to_owned();
    let now = crm_store::time::now_micros();
    let (bought, cohorts, (kept, fixed, _)) = db
        .read({
            let ws = ws.clone();
            move |conn| {
                let mut cohorts = Cohorts::default();
                let bought = everyone(conn, &ws, &mut cohorts)?;
                Ok::<_, AppError>((bought, cohorts, cuts(conn, &ws)?))
            }
        })
        .await?;
    let cuts = if fixed { kept } else { RfmCuts::quintiles(&bought.iter().map(|b| b.figures(now)).collect::<Vec<_>>()) };
    let customers = bought.len();
    db.write({
        let ws = ws.clone();
        move |conn| keep_all(conn, &ws, &bought, &cohorts, cuts, fixed, now)
    })
    .await?;
    // The facts segments count on take the new figures in a transaction of their own: at a
    // million contacts on SQLite that adds 11 s to the recompute, in the one that wrote them
    // 20 s. An order written in between writes its customer's facts itself, from the same
    // figures.
    db.write(move |conn| refresh_facts(conn, &ws)).await?;
    Ok(Recomputed { customers, at: now, cuts, fixed })
}

/// Writes every customer's figures (read as of `now`) in place of the last, and the cut points;
/// then reads again the customers whose orders were written since `now`, so none is lost to a
/// write between the read and this. Order writes wait meanwhile (see [`refresh`]).
fn keep_all(
    conn: &mut DbConnection,
    ws: &str,
    bought: &[Bought],
    cohorts: &Cohorts,
    cuts: Option<RfmCuts>,
    fixed: bool,
    now: i64,
) -> AppResult<()> {
    crm_store::db::advisory_lock(conn, &format!("metrics:{ws}"), true)?;
    repo::clear(conn, ws)?;
    // Rows are made a few thousand at a time: a million at once would not be small.
    for chunk in bought.chunks(5_000) {
        let rows: Vec<MetricsRow> = chunk.iter().map(|b| b.clone().row(ws, cuts.as_ref(), now)).collect();
        repo::append(conn, &rows)?;
    }
    let json = cuts.map(|c| serde_json::to_string(&c)).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    repo::save_state(conn, ws, json.as_deref(), fixed, Some(now))?;
    repo::rebuild_cells(conn, ws)?;
    let cohorts = serde_json::to_string(cohorts).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    repo::save_cohorts(conn, ws, &cohorts)?;
    let mut moves = CellMoves::default();
    for contact in history::customers_written_since(conn, ws, now)? {
        refresh(conn, ws, &contact, crm_store::time::now_micros(), &mut moves)?;
    }
    moves.apply(conn, ws)?;
    Ok(())
}

/// Every live contact's facts take their kept figures, while order writes wait.
fn refresh_facts(conn: &mut DbConnection, ws: &str) -> AppResult<()> {
    crm_store::db::advisory_lock(conn, &format!("metrics:{ws}"), true)?;
    Ok(facts::refresh_figures(conn, ws)?)
}

/// [`recompute`] on one connection, as of `now`: for the demo data, which is written in one
/// transaction. Returns the customers.
pub fn recompute_in(conn: &mut DbConnection, ws: &str, now: i64) -> AppResult<usize> {
    let mut cohorts = Cohorts::default();
    let bought = everyone(conn, ws, &mut cohorts)?;
    let (kept, fixed, _) = cuts(conn, ws)?;
    let cuts = if fixed { kept } else { RfmCuts::quintiles(&bought.iter().map(|b| b.figures(now)).collect::<Vec<_>>()) };
    keep_all(conn, ws, &bought, &cohorts, cuts, fixed, now)?;
    refresh_facts(conn, ws)?;
    Ok(bought.len())
}

/// Every customer's figures, read a page of purchases at a time, one customer after another.
fn everyone(conn: &mut DbConnection, ws: &str, cohorts: &mut Cohorts) -> AppResult<Vec<Bought>> {
    let mut out = Vec::new();
    for_each_customer(conn, ws, |theirs| {
        cohorts.add(theirs);
        out.extend(Bought::of(theirs[0].contact_id.clone(), theirs));
    })?;
    Ok(out)
}

/// Reads the workspace's purchases a page at a time ([`PAGE`] orders) and hands each
/// customer's, oldest first, to `each` (a customer cut between two pages comes whole), so a
/// million customers' orders are never in memory at once.
pub(crate) fn for_each_customer(conn: &mut DbConnection, ws: &str, mut each: impl FnMut(&[Purchase])) -> AppResult<()> {
    let mut theirs: Vec<Purchase> = Vec::new();
    let mut cursor: Option<history::PurchaseKey> = None;
    loop {
        let page = history::purchase_page(conn, ws, cursor.as_ref(), PAGE)?;
        let full = page.len() as i64 == PAGE;
        cursor = page.last().map(|p| (p.contact_id.clone(), p.ordered_at, p.id.clone()));
        for p in page {
            if theirs.first().is_some_and(|t| t.contact_id != p.contact_id) {
                each(&theirs);
                theirs.clear();
            }
            theirs.push(p);
        }
        if !full {
            break;
        }
    }
    if !theirs.is_empty() {
        each(&theirs);
    }
    Ok(())
}

/// One month of a cohort: the customers who bought in it, and what the cohort bought then.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CohortMonth {
    pub active: i64,
    pub totals: CohortTotals,
}

/// A cohort month's totals, in the base currency ×10⁴.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CohortTotals {
    pub revenue_e4: i64,
    pub costed_revenue_e4: i64,
    pub cost_e4: i64,
    pub orders_without_cost: i64,
}

/// The customers whose first purchase was in one month (UTC), and each month since.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cohort {
    /// `YYYY-MM`.
    pub month: String,
    pub customers: i64,
    /// Month 0 is the month of the first purchase.
    pub months: Vec<CohortMonth>,
}

/// Every cohort of the workspace, oldest first, built one customer at a time.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cohorts(pub Vec<Cohort>);

/// Months since year 0 of a time (UTC), for counting months between two times.
fn month_number(micros: i64) -> Option<i64> {
    use chrono::Datelike;
    let t = chrono::DateTime::from_timestamp_micros(micros)?;
    Some(i64::from(t.year()) * 12 + i64::from(t.month0()))
}

impl Cohorts {
    /// Adds one customer's purchases (oldest first).
    fn add(&mut self, theirs: &[Purchase]) {
        let Some(first) = theirs.first().and_then(|p| month_number(p.ordered_at)) else { return };
        let label = format!("{:04}-{:02}", first.div_euclid(12), first.rem_euclid(12) + 1);
        let at = match self.0.binary_search_by(|c| c.month.cmp(&label)) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, Cohort { month: label, customers: 0, months: Vec::new() });
                i
            }
        };
        let cohort = &mut self.0[at];
        cohort.customers += 1;
        let mut last_active = None;
        for p in theirs {
            let Some(k) = month_number(p.ordered_at).map(|m| (m - first).max(0) as usize) else { continue };
            if cohort.months.len() <= k {
                cohort.months.resize(k + 1, CohortMonth::default());
            }
            let m = &mut cohort.months[k];
            if last_active != Some(k) {
                m.active += 1;
                last_active = Some(k);
            }
            let t = &mut m.totals;
            t.revenue_e4 = t.revenue_e4.saturating_add(p.base_total_e4);
            match p.base_cost_e4() {
                Some(cost) => {
                    t.costed_revenue_e4 = t.costed_revenue_e4.saturating_add(p.base_total_e4);
                    t.cost_e4 = t.cost_e4.saturating_add(cost);
                }
                None => t.orders_without_cost += 1,
            }
        }
    }
}

/// Sets RFM thresholds an admin chose (`Some`), or goes back to the workspace's quintiles
/// (`None`), then recomputes every customer's scores. Each measure's four points must ascend
/// (422 naming the measure).
pub async fn set_thresholds(db: &Db, caller: &Caller, fixed: Option<RfmCuts>) -> AppResult<Recomputed> {
    if caller.role() != Role::Admin {
        return Err(StoreError::Forbidden { code: "forbidden", message: "admins set the RFM thresholds".into(), field: None }.into());
    }
    if let Some(c) = &fixed {
        let mut errs = crm_domain::ValidationErrors::new();
        for (name, cuts) in
            [("thresholds.recency_days", c.recency_days), ("thresholds.frequency", c.frequency), ("thresholds.monetary", c.monetary)]
        {
            if !cuts.is_ascending() {
                errs.push(FieldError::new(name, "not_ascending", "give four thresholds, each at least the one before"));
            }
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs).into());
        }
    }
    // Held before the thresholds are kept, so a recompute running cannot write over them.
    let _running = crate::analytics::Exclusive::start(caller.workspace(), "metrics", "recompute_in_progress")?;
    let ws = caller.workspace().to_owned();
    db.write(move |conn| {
        let json = fixed.map(|c| serde_json::to_string(&c)).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        repo::save_state(conn, &ws, json.as_deref(), fixed.is_some(), None)?;
        Ok::<_, AppError>(())
    })
    .await?;
    recompute_held(db, caller).await
}

/// Customer figures sum every order of a customer: only a role that reads every order sees
/// them (a rep reading their team's orders would otherwise learn other teams' sales).
pub(crate) fn require_all_orders(conn: &mut DbConnection, caller: &Caller) -> AppResult<()> {
    if caller.reach(conn, Entity::Order)?.owners().is_none() {
        return Ok(());
    }
    Err(StoreError::Forbidden {
        code: "orders_out_of_reach",
        message: "customer figures add up all of a customer's orders, and your role reads only some orders".into(),
        field: None,
    }
    .into())
}

/// What serving customers costs, in the base currency (×10⁴): per case and per hour of
/// activity; `None` until an admin sets it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceRates {
    pub per_case_e4: Option<i64>,
    pub per_activity_hour_e4: Option<i64>,
}

/// The service a customer took over some time: their cases, and their share of the time of
/// activities with them (an activity with three contacts is a third each one's).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Service {
    pub cases: i64,
    pub activity_seconds: f64,
}

impl Service {
    /// At `rates`; `None` while a rate it needs is not set (a case with no price per case).
    pub fn cost_e4(&self, rates: ServiceRates) -> Option<i64> {
        let cases = if self.cases == 0 { 0.0 } else { (self.cases as f64) * rates.per_case_e4? as f64 };
        let hours = if self.activity_seconds == 0.0 { 0.0 } else { self.activity_seconds / 3600.0 * rates.per_activity_hour_e4? as f64 };
        Some((cases + hours).round() as i64)
    }

    /// What `totals` leave after this service: gross margin less service cost, when both are
    /// known.
    pub fn net_contribution_e4(&self, totals: &Totals, rates: ServiceRates) -> Option<i64> {
        Some(totals.gross_margin_e4()?.saturating_sub(self.cost_e4(rates)?))
    }
}

/// One month of a customer's purchases and service.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    /// `YYYY-MM` (UTC).
    pub month: String,
    pub totals: Totals,
    pub service: Service,
}

/// A contact's figures now, from their orders, and month by month.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactMetrics {
    pub first_purchase_at: Option<i64>,
    pub last_purchase_at: Option<i64>,
    pub totals: Totals,
    pub recency_days: Option<i64>,
    /// Against the cut points in use; none before the first recompute or without purchases.
    pub scores: Option<crm_analytics::rfm::Scores>,
    /// Their service in all; `None` when the caller's role reads only some cases or
    /// activities (a customer's service adds up all of it).
    pub service: Option<Service>,
    pub rates: ServiceRates,
    /// Months with a purchase, a case or a timed activity, oldest first.
    pub months: Vec<Month>,
    /// In the base currency.
    pub currency: String,
    pub recomputed_at: Option<i64>,
}

/// The month of a time (UTC) as `YYYY-MM`, in the Solar Hijri calendar when `solar`.
fn month_of(micros: i64, solar: bool) -> String {
    let Some(t) = chrono::DateTime::from_timestamp_micros(micros) else { return String::new() };
    match crm_domain::calendar::Jalali::from_gregorian(t.date_naive()).filter(|_| solar) {
        Some(j) => format!("{:04}-{:02}", j.year, j.month),
        None => t.format("%Y-%m").to_string(),
    }
}

/// Per month (`YYYY-MM`): its purchases and its service.
type MonthMap = std::collections::BTreeMap<String, (Totals, Service)>;

/// Adds a customer's cases and timed activities (each activity's time shared among its
/// contacts) to their months; returns their service of all time.
fn add_service(conn: &mut DbConnection, ws: &str, contact_id: &str, solar: bool, months: &mut MonthMap) -> StoreResult<Service> {
    let mut all = Service::default();
    for at in history::cases_of(conn, ws, contact_id)? {
        months.entry(month_of(at, solar)).or_default().1.cases += 1;
        all.cases += 1;
    }
    for a in history::timed_activities_of(conn, ws, contact_id)? {
        let share = a.duration_seconds as f64 / a.contacts as f64;
        months.entry(month_of(a.occurred_at, solar)).or_default().1.activity_seconds += share;
        all.activity_seconds += share;
    }
    Ok(all)
}

/// A contact's figures now (whoever may read the contact reads them: a customer's metrics
/// follow the customer), month by month in the Gregorian or (`solar`) the Solar Hijri calendar;
/// their service only to roles that read every case and activity.
pub async fn contact(db: &Db, caller: &Caller, id: String, solar: bool) -> AppResult<ContactMetrics> {
    let caller = caller.clone();
    db.read(move |conn| {
        let ws = caller.workspace();
        let (row, _) = crm_store::contacts::get(conn, ws, &id).map_err(AppError::not_found_as(Entity::Contact))?;
        caller.check_visible(conn, Entity::Contact, row.owner_id.as_deref())?;
        require_all_orders(conn, &caller)?;
        let bought = history::purchases_of(conn, ws, &id)?;
        let (cuts, _, recomputed_at) = cuts(conn, ws)?;
        let currency = crate::workspace::settings(conn, ws)?.base.code().to_owned();
        let mut months = MonthMap::new();
        for p in &bought {
            months.entry(month_of(p.ordered_at, solar)).or_default().0.add(p);
        }
        let serves = caller.reach(conn, Entity::Case)?.owners().is_none() && caller.reach(conn, Entity::Activity)?.owners().is_none();
        let service = if serves { Some(add_service(conn, ws, &id, solar, &mut months)?) } else { None };
        let months = months
            .into_iter()
            .map(|(month, (totals, s))| Month { month, totals, service: if serves { s } else { Service::default() } })
            .collect();
        let rates = service_rates_in(conn, ws)?;
        let now = crm_store::time::now_micros();
        let b = Bought::of(id, &bought);
        Ok(ContactMetrics {
            first_purchase_at: b.as_ref().map(|b| b.first),
            last_purchase_at: b.as_ref().map(|b| b.last),
            totals: b.as_ref().map(|b| b.totals).unwrap_or_default(),
            recency_days: b.as_ref().map(|b| (now - b.last).max(0) / DAY_MICROS),
            scores: b.as_ref().zip(cuts.as_ref()).map(|(b, c)| c.score(&b.figures(now))),
            service,
            rates,
            months,
            currency,
            recomputed_at,
        })
    })
    .await
}

/// The RFM picture of the customers the caller may read.
#[derive(Debug, Clone, PartialEq)]
pub struct Rfm {
    pub cells: Vec<Cell>,
    /// Per group: customers and revenue (×10⁴), every group, best first.
    pub groups: Vec<(Group, i64, f64)>,
    pub cuts: Option<RfmCuts>,
    pub fixed: bool,
    pub recomputed_at: Option<i64>,
    pub currency: String,
}

/// The RFM grid and groups over the customers the caller may read.
pub async fn rfm(db: &Db, caller: &Caller) -> AppResult<Rfm> {
    let caller = caller.clone();
    db.read(move |conn| {
        let ws = caller.workspace();
        let reach = caller.reach(conn, Entity::Contact)?;
        require_all_orders(conn, &caller)?;
        // The whole workspace's grid is kept; a narrower reach groups its own customers.
        let cells = match reach.owners() {
            None => repo::cells(conn, ws)?,
            Some(_) => repo::grid(conn, ws, &reach)?,
        };
        let mut groups: Vec<(Group, i64, f64)> = Group::ALL.iter().map(|g| (*g, 0, 0.0)).collect();
        for c in &cells {
            let g = Group::of(c.recency as u8, c.frequency as u8);
            if let Some(slot) = groups.iter_mut().find(|s| s.0 == g) {
                slot.1 += c.customers;
                slot.2 += c.revenue_e4;
            }
        }
        let (cuts, fixed, recomputed_at) = cuts(conn, ws)?;
        let currency = crate::workspace::settings(conn, ws)?.base.code().to_owned();
        Ok(Rfm { cells, groups, cuts, fixed, recomputed_at, currency })
    })
    .await
}

/// Four cut points from the API's list, or the problem naming `field`.
pub fn cuts_from(field: &str, points: &[f64]) -> Result<Cuts, FieldError> {
    match points {
        [a, b, c, d] => Ok(Cuts([*a, *b, *c, *d])),
        _ => Err(FieldError::new(field, "invalid_length", "give four thresholds")),
    }
}

/// The workspace's cohorts as of the last recompute, and when that was.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortReport {
    pub cohorts: Cohorts,
    pub recomputed_at: Option<i64>,
    pub currency: String,
}

/// The cohorts of the last recompute. They count every customer of the workspace, so only a
/// role that reads every contact and every order sees them.
pub async fn cohorts(db: &Db, caller: &Caller) -> AppResult<CohortReport> {
    let caller = caller.clone();
    db.read(move |conn| {
        let ws = caller.workspace();
        require_all_orders(conn, &caller)?;
        if caller.reach(conn, Entity::Contact)?.owners().is_some() {
            return Err(StoreError::Forbidden {
                code: "contacts_out_of_reach",
                message: "cohorts count every customer of the workspace, and your role reads only some contacts".into(),
                field: None,
            }
            .into());
        }
        let cohorts = match repo::cohorts(conn, ws)? {
            Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("cohorts: {e}")))?,
            None => Cohorts::default(),
        };
        let (_, _, recomputed_at) = cuts(conn, ws)?;
        let currency = crate::workspace::settings(conn, ws)?.base.code().to_owned();
        Ok(CohortReport { cohorts, recomputed_at, currency })
    })
    .await
}

impl Cohort {
    /// The cohort's totals up to each month since its first (cumulative).
    pub fn cumulative(&self) -> Vec<CohortTotals> {
        let mut sum = CohortTotals::default();
        self.months
            .iter()
            .map(|m| {
                sum.revenue_e4 = sum.revenue_e4.saturating_add(m.totals.revenue_e4);
                sum.costed_revenue_e4 = sum.costed_revenue_e4.saturating_add(m.totals.costed_revenue_e4);
                sum.cost_e4 = sum.cost_e4.saturating_add(m.totals.cost_e4);
                sum.orders_without_cost += m.totals.orders_without_cost;
                sum
            })
            .collect()
    }

    /// The first month since acquisition by which the cohort's gross margin per customer covers
    /// `cost_e4`, the cost of acquiring one customer; `None` when it has not yet, or when an
    /// order without a cost leaves the margin unknown by then.
    pub fn break_even(&self, cost_e4: i64) -> Option<usize> {
        let n = i128::from(self.customers.max(1));
        self.cumulative()
            .iter()
            .take_while(|t| t.orders_without_cost == 0)
            .position(|t| i128::from(t.revenue_e4) - i128::from(t.cost_e4) >= i128::from(cost_e4) * n)
    }
}

fn service_rates_in(conn: &mut DbConnection, ws: &str) -> StoreResult<ServiceRates> {
    let (per_case_e4, per_activity_hour_e4) = repo::service_rates(conn, ws)?;
    Ok(ServiceRates { per_case_e4, per_activity_hour_e4 })
}

/// The workspace's prices of service, with its base currency: settings, not customer data, so
/// every member reads them.
pub async fn service_rates(db: &Db, caller: &Caller) -> AppResult<(ServiceRates, String)> {
    let ws = caller.workspace().to_owned();
    db.read(move |conn| {
        let rates = service_rates_in(conn, &ws)?;
        Ok((rates, crate::workspace::settings(conn, &ws)?.base.code().to_owned()))
    })
    .await
}

/// Sets the workspace's prices of service (admins): decimal amounts in the base currency
/// (`None` clears one), each zero or more.
pub async fn set_service_rates(
    db: &Db,
    caller: &Caller,
    per_case: Option<String>,
    per_activity_hour: Option<String>,
) -> AppResult<(ServiceRates, String)> {
    if caller.role() != Role::Admin {
        return Err(StoreError::Forbidden { code: "forbidden", message: "admins set the prices of service".into(), field: None }.into());
    }
    let ws = caller.workspace().to_owned();
    db.write(move |conn| {
        let base = crate::workspace::settings(conn, &ws)?.base;
        let mut errs = crm_domain::ValidationErrors::new();
        let mut price = |name: &str, raw: Option<String>| -> Option<i64> {
            let raw = raw?;
            match crm_domain::Money::parse(name, raw.trim(), base) {
                Ok(m) if m.amount_e4() >= 0 => Some(m.amount_e4()),
                Ok(_) => {
                    errs.push(FieldError::new(name, "negative", "a price is zero or more"));
                    None
                }
                Err(e) => {
                    errs.push(e);
                    None
                }
            }
        };
        let rates =
            ServiceRates { per_case_e4: price("per_case", per_case), per_activity_hour_e4: price("per_activity_hour", per_activity_hour) };
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs).into());
        }
        repo::save_service_rates(conn, &ws, rates.per_case_e4, rates.per_activity_hour_e4)?;
        Ok::<_, AppError>((rates, base.code().to_owned()))
    })
    .await
}
