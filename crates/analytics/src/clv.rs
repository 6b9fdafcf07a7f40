//! Customer lifetime value from purchase histories: how often a customer buys while still a
//! customer and when they quietly stop (the BG/NBD model, Fader, Hardie & Lee 2005, "Counting
//! your customers the easy way"), and what they spend per purchase (the Gamma-Gamma model,
//! Fader & Hardie, "The Gamma-Gamma model of monetary value", note 025). Both are fitted by
//! maximum likelihood on the workspace's own history; `docs/research/clv-bgnbd.md` gives the
//! formulas, their sources and the choices made here.
//!
//! Time is in weeks, counted as days / 7. A history has one purchase per customer per day (the
//! values of a day summed); `x` counts the repeat purchases, those after the first.

use argmin::core::{CostFunction, Error as SolverError, Executor, State, TerminationReason};
use argmin::solver::neldermead::NelderMead;
use statrs::function::gamma::ln_gamma;
use std::collections::HashMap;
use std::hash::Hash;

/// Weeks in a month, for a horizon in months.
pub const WEEKS_PER_MONTH: f64 = 4.345;

/// A customer's purchases in a calibration window, as the models read them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct History {
    /// Repeat purchases: days with a purchase after the first.
    pub x: u32,
    /// Weeks from the first purchase to the last.
    pub t_x: f64,
    /// Weeks from the first purchase to the end of the window.
    pub t: f64,
    /// Mean value of the repeat purchases (0 when there are none): the first purchase is left
    /// out, as the Gamma-Gamma model asks.
    pub mean_value: f64,
}

/// Each customer's history up to day `end` (inclusive) from their purchases `(customer, day,
/// value)`, days numbered consecutively (such as days since 1970). Purchases after `end` are
/// left out (a holdout window).
pub fn histories<K: Hash + Eq + Clone>(purchases: &[(K, i64, f64)], end: i64) -> HashMap<K, History> {
    let mut days: HashMap<K, Vec<(i64, f64)>> = HashMap::new();
    for (customer, day, value) in purchases.iter().filter(|p| p.1 <= end) {
        days.entry(customer.clone()).or_default().push((*day, *value));
    }
    days.into_iter().filter_map(|(customer, mut d)| Some((customer, history(&mut d, end, end).0?))).collect()
}

/// One customer's history up to day `end` (inclusive) from their purchases `(day, value)` in any
/// order, and the days they bought on after `end` up to `until` (inclusive): what
/// [`histories`] and [`purchases_after`] give for every customer, for a caller that reads the
/// purchases one customer at a time. The history is `None` when nothing was bought by `end`.
pub fn history(purchases: &mut [(i64, f64)], end: i64, until: i64) -> (Option<History>, u32) {
    purchases.sort_unstable_by_key(|p| p.0);
    let (mut first, mut last, mut x, mut repeat) = (None, 0, 0_u32, 0.0);
    let (mut after, mut last_after) = (0_u32, None);
    for &(day, value) in purchases.iter() {
        if day > end {
            if day <= until && last_after != Some(day) {
                after += 1;
                last_after = Some(day);
            }
            continue;
        }
        match first {
            None => {
                first = Some(day);
                last = day;
            }
            // The first day's purchases are the first purchase, whatever their number.
            Some(f) if day == f => {}
            Some(_) => {
                if day != last {
                    x += 1;
                    last = day;
                }
                repeat += value;
            }
        }
    }
    let history = first.map(|first| History {
        x,
        t_x: weeks(last - first),
        t: weeks(end - first),
        mean_value: if x > 0 { repeat / f64::from(x) } else { 0.0 },
    });
    (history, after)
}

/// The repeat purchases (distinct days) each customer made after day `end` up to `until`
/// (inclusive): what a fit on the window before `end` is checked against.
pub fn purchases_after<K: Hash + Eq + Clone>(purchases: &[(K, i64, f64)], end: i64, until: i64) -> HashMap<K, u32> {
    let mut days: HashMap<K, Vec<i64>> = HashMap::new();
    for (customer, day, _) in purchases.iter().filter(|p| p.1 > end && p.1 <= until) {
        days.entry(customer.clone()).or_default().push(*day);
    }
    days.into_iter()
        .map(|(customer, mut d)| {
            d.sort_unstable();
            d.dedup();
            (customer, d.len() as u32)
        })
        .collect()
}

fn weeks(days: i64) -> f64 {
    days as f64 / 7.0
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    /// Too few customers (or, for spend, too few with repeat purchases) to fit on.
    TooFewCustomers { have: usize, need: usize },
    /// The optimiser stopped before it settled.
    DidNotConverge,
    /// It settled on parameters the model cannot mean (one of them at 0 or unbounded).
    Implausible(String),
}

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FitError::TooFewCustomers { have, need } => write!(f, "{have} customers to fit on; the model needs at least {need}"),
            FitError::DidNotConverge => write!(f, "the fit did not converge"),
            FitError::Implausible(why) => write!(f, "the fit is implausible: {why}"),
        }
    }
}

impl std::error::Error for FitError {}

impl FitError {
    /// A stable code for the reason, as the API names it.
    pub fn code(&self) -> &'static str {
        match self {
            FitError::TooFewCustomers { .. } => "not_enough_data",
            FitError::DidNotConverge => "fit_did_not_converge",
            FitError::Implausible(_) => "implausible_fit",
        }
    }
}

/// A fitted model with how well it fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fitted<M> {
    pub model: M,
    /// The log-likelihood of the data at the fitted parameters.
    pub log_likelihood: f64,
    /// Customers the fit used.
    pub customers: usize,
    /// Optimiser iterations, restarts included.
    pub iterations: u64,
}

/// The BG/NBD model: while alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each
/// purchase they drop out with probability p ~ Beta(a, b).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

impl BgNbd {
    /// The log-likelihood of the histories (Fader, Hardie & Lee 2005, individual likelihood),
    /// in the finite-sum form: x is whole, so no lnΓ is needed, and the sums are shared by every
    /// customer with the same x.
    pub fn log_likelihood(&self, histories: &[History]) -> f64 {
        let each: Vec<(History, f64)> = histories.iter().map(|h| (*h, 1.0)).collect();
        self.weighted_log_likelihood(&each)
    }

    /// The log-likelihood of histories each counted `weight` times.
    fn weighted_log_likelihood(&self, histories: &[(History, f64)]) -> f64 {
        let Self { r, alpha, a, b } = *self;
        let most = histories.iter().map(|h| h.0.x).max().unwrap_or(0) as usize;
        // Σ_{k<x} ln(r+k) + ln((b+k)/(a+b+k)), for each x up to the largest.
        let mut by_x = Vec::with_capacity(most + 1);
        let mut sum = 0.0;
        by_x.push(sum);
        for k in 0..most {
            let k = k as f64;
            sum += (r + k).ln() + ((b + k) / (a + b + k)).ln();
            by_x.push(sum);
        }
        let base = r * alpha.ln();
        histories
            .iter()
            .map(|(h, weight)| {
                let x = f64::from(h.x);
                let gone = -(r + x) * (alpha + h.t).ln();
                let tail = if h.x > 0 {
                    let alive = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + h.t_x).ln();
                    log_sum_exp(gone, alive)
                } else {
                    gone
                };
                weight * (base + by_x[h.x as usize] + tail)
            })
            .sum()
    }

    /// The probability the customer is still a customer at the end of their window (Fader &
    /// Hardie, note 021): 1 for a customer who never bought again.
    pub fn p_alive(&self, h: &History) -> f64 {
        if h.x == 0 {
            return 1.0;
        }
        let x = f64::from(h.x);
        let l = self.a.ln() - (self.b + x - 1.0).ln() + (self.r + x) * ((self.alpha + h.t).ln() - (self.alpha + h.t_x).ln());
        1.0 / (1.0 + l.exp())
    }

    /// The purchases the customer is expected to make in the next `weeks` (FHL 2005, eq. 10, with
    /// Euler's transformation of its 2F1, which converges faster); `None` when the series does not
    /// converge.
    pub fn expected_purchases(&self, h: &History, weeks: f64) -> Option<f64> {
        if weeks <= 0.0 {
            return Some(0.0);
        }
        let Self { r, alpha, a, b } = *self;
        let x = f64::from(h.x);
        let z = weeks / (alpha + h.t + weeks);
        let series = hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)?;
        let grows = (a + b + x - 1.0) / (a - 1.0) * (1.0 - (1.0 - z).powf(a - 1.0) * series);
        let alive = if h.x > 0 { a / (b + x - 1.0) * ((alpha + h.t) / (alpha + h.t_x)).powf(r + x) } else { 0.0 };
        Some(grows / (1.0 + alive))
    }

    fn plausible(&self) -> Result<(), FitError> {
        plausible(&[("r", self.r), ("alpha", self.alpha), ("a", self.a), ("b", self.b)])?;
        if (self.a - 1.0).abs() < 1e-6 {
            return Err(FitError::Implausible("a is 1, where expected purchases are undefined".into()));
        }
        Ok(())
    }

    /// Fits the model by maximum likelihood: Nelder-Mead on the logarithms of the parameters
    /// (which keeps them positive), from every parameter at 1, then once more from the best
    /// point with a smaller simplex.
    pub fn fit(histories: &[History]) -> Result<Fitted<BgNbd>, FitError> {
        const NEED: usize = 20;
        if histories.len() < NEED || histories.iter().all(|h| h.x == 0) {
            return Err(FitError::TooFewCustomers { have: histories.iter().filter(|h| h.x > 0).count(), need: NEED });
        }
        let groups = group(histories.iter().map(|h| ((h.x, h.t_x.to_bits(), h.t.to_bits()), *h)));
        let cost = MeanNegativeLogLikelihood {
            groups: &groups,
            customers: histories.len() as f64,
            log_likelihood: |p, g| BgNbd { r: p[0], alpha: p[1], a: p[2], b: p[3] }.weighted_log_likelihood(g),
        };
        let (p, iterations) = minimise(cost, 4)?;
        let model = BgNbd { r: p[0], alpha: p[1], a: p[2], b: p[3] };
        model.plausible()?;
        Ok(Fitted { model, log_likelihood: model.weighted_log_likelihood(&groups), customers: histories.len(), iterations })
    }
}

/// The Gamma-Gamma model: a customer's purchases are Gamma(p, ν) around their own mean, and
/// ν ~ Gamma(q, γ) across customers; spend is taken as independent of how often they buy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

impl GammaGamma {
    /// The log-likelihood of the mean repeat values (note 025, eq. 1a), over the customers with
    /// repeat purchases of positive value (the others say nothing of spend).
    pub fn log_likelihood(&self, histories: &[History]) -> f64 {
        let each: Vec<(History, f64)> = spenders(histories).map(|h| (*h, 1.0)).collect();
        self.weighted_log_likelihood(&each)
    }

    /// The log-likelihood of spenders' histories each counted `weight` times.
    fn weighted_log_likelihood(&self, spenders: &[(History, f64)]) -> f64 {
        let Self { p, q, gamma } = *self;
        let fixed = -ln_gamma(q) + q * gamma.ln();
        spenders
            .iter()
            .map(|(h, weight)| {
                let (x, m) = (f64::from(h.x), h.mean_value);
                weight
                    * (ln_gamma(p * x + q) - ln_gamma(p * x) + fixed + (p * x - 1.0) * m.ln() + p * x * x.ln()
                        - (p * x + q) * (gamma + m * x).ln())
            })
            .sum()
    }

    /// The value a customer's future purchases are expected to have (note 025, eq. 5): their
    /// own mean weighted against the population's, which is all there is for a customer without
    /// repeat purchases.
    pub fn expected_value(&self, h: &History) -> f64 {
        let Self { p, q, gamma } = *self;
        if h.x == 0 || h.mean_value <= 0.0 {
            return p * gamma / (q - 1.0);
        }
        let x = f64::from(h.x);
        (gamma + h.mean_value * x) * p / (p * x + q - 1.0)
    }

    /// Fits the model by maximum likelihood, as [`BgNbd::fit`] does, on values divided by their
    /// mean: γ is a scale of spend, and values in rials or cents would put it far from where
    /// the optimiser starts (and past the bounds it is checked against). Scaling values by s
    /// scales γ by s and lowers the log-likelihood by ln s per customer, both undone after.
    pub fn fit(histories: &[History]) -> Result<Fitted<GammaGamma>, FitError> {
        const NEED: usize = 10;
        let have = spenders(histories).count();
        if have < NEED {
            return Err(FitError::TooFewCustomers { have, need: NEED });
        }
        let scale = spenders(histories).map(|h| h.mean_value).sum::<f64>() / have as f64;
        if !scale.is_finite() || scale <= 0.0 {
            return Err(FitError::Implausible(format!("mean spend {scale}")));
        }
        let groups = group(spenders(histories).map(|h| {
            let scaled = History { mean_value: h.mean_value / scale, ..*h };
            ((scaled.x, scaled.mean_value.to_bits(), 0), scaled)
        }));
        let cost = MeanNegativeLogLikelihood {
            groups: &groups,
            customers: have as f64,
            log_likelihood: |p, g| GammaGamma { p: p[0], q: p[1], gamma: p[2] }.weighted_log_likelihood(g),
        };
        let (p, iterations) = minimise(cost, 3)?;
        let scaled = GammaGamma { p: p[0], q: p[1], gamma: p[2] };
        plausible(&[("p", scaled.p), ("q", scaled.q), ("gamma", scaled.gamma)])?;
        if scaled.q <= 1.0 {
            return Err(FitError::Implausible("q is at most 1, where the mean spend is unbounded".into()));
        }
        let log_likelihood = scaled.weighted_log_likelihood(&groups) - have as f64 * scale.ln();
        Ok(Fitted { model: GammaGamma { gamma: scaled.gamma * scale, ..scaled }, log_likelihood, customers: have, iterations })
    }
}

fn spenders(histories: &[History]) -> impl Iterator<Item = &History> {
    histories.iter().filter(|h| h.x > 0 && h.mean_value > 0.0)
}

/// What a likelihood reads of a history: x and two figures' bits.
type HistoryKey = (u32, u64, u64);

/// Histories with the same key (what the likelihood reads of them) as one, with their count:
/// a workspace's customers share far fewer histories than there are customers, since time is
/// counted in days. Sorted by key, so a fit does not depend on the order customers came in.
fn group(keyed: impl Iterator<Item = (HistoryKey, History)>) -> Vec<(History, f64)> {
    let mut by_key: HashMap<HistoryKey, (History, f64)> = HashMap::new();
    for (key, h) in keyed {
        by_key.entry(key).or_insert((h, 0.0)).1 += 1.0;
    }
    let mut groups: Vec<_> = by_key.into_iter().collect();
    groups.sort_unstable_by_key(|g| g.0);
    groups.into_iter().map(|g| g.1).collect()
}

/// The customer's expected purchases over the next `months`, each month's valued at the
/// expected spend and discounted at `discount` a month: the customer's lifetime value over
/// that horizon. `None` when a series does not converge.
pub fn clv(bg: &BgNbd, gg: &GammaGamma, h: &History, months: u32, discount: f64) -> Option<f64> {
    let value = gg.expected_value(h);
    let mut before = 0.0;
    let mut total = 0.0;
    for k in 1..=months {
        let now = bg.expected_purchases(h, f64::from(k) * WEEKS_PER_MONTH)?;
        total += value * (now - before) / (1.0 + discount).powi(k as i32);
        before = now;
    }
    Some(total)
}

fn plausible(params: &[(&str, f64)]) -> Result<(), FitError> {
    match params.iter().find(|(_, v)| !(1e-6..=1e6).contains(v)) {
        Some((name, v)) => Err(FitError::Implausible(format!("{name} = {v:e}"))),
        None => Ok(()),
    }
}

fn log_sum_exp(u: f64, v: f64) -> f64 {
    u.max(v) + (-(u - v).abs()).exp().ln_1p()
}

/// Gauss's hypergeometric series 2F1(a, b; c; z) for 0 ≤ z < 1, summed until a term no longer
/// changes the sum; `None` when a million terms are not enough. Its terms shrink about as zⁿ,
/// so a million is enough for z up to 1 − 4·10⁻⁵: for expected purchases, a horizon of ten
/// years with α + T down to a fiftieth of a week, far below what a fit gives. A few
/// milliseconds at worst; most calls stop within a few hundred terms.
fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    let (mut term, mut sum) = (1.0_f64, 1.0_f64);
    for n in 0..1_000_000 {
        let n = f64::from(n);
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-15 * sum.abs() {
            return Some(sum);
        }
    }
    None
}

/// The mean negative log-likelihood of a model at the exponentials of the parameters (which
/// keeps them positive): `log_likelihood` builds the model from them and scores the groups.
#[derive(Clone, Copy)]
struct MeanNegativeLogLikelihood<'a> {
    groups: &'a [(History, f64)],
    customers: f64,
    log_likelihood: LogLikelihood,
}

/// A model's log-likelihood of weighted histories at the given parameters.
type LogLikelihood = fn(&[f64], &[(History, f64)]) -> f64;

impl CostFunction for MeanNegativeLogLikelihood<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, log: &Vec<f64>) -> Result<f64, SolverError> {
        let p: Vec<f64> = log.iter().map(|v| v.exp()).collect();
        Ok(finite(-(self.log_likelihood)(&p, self.groups) / self.customers))
    }
}

/// The optimiser must never see NaN (argmin's Nelder-Mead panics on an error from the cost):
/// a point where the likelihood is undefined is as bad as can be.
fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        f64::INFINITY
    }
}

/// Minimises `cost` over `dims` log-parameters: from 0 (every parameter 1) with a simplex of
/// side 0.5, then again from the best point with side 0.1, which settles what the first run left
/// on a ridge. Returns the parameters (exponentiated) and the iterations.
fn minimise<C>(cost: C, dims: usize) -> Result<(Vec<f64>, u64), FitError>
where
    C: CostFunction<Param = Vec<f64>, Output = f64> + Copy,
{
    let mut start = vec![0.0; dims];
    let mut iterations = 0;
    for side in [0.5, 0.1] {
        let simplex: Vec<Vec<f64>> = std::iter::once(start.clone())
            .chain((0..dims).map(|i| {
                let mut v = start.clone();
                v[i] += side;
                v
            }))
            .collect();
        let solver = NelderMead::new(simplex).with_sd_tolerance(1e-12).map_err(|_| FitError::DidNotConverge)?;
        let run = Executor::new(cost, solver).configure(|s| s.max_iters(10_000)).run().map_err(|_| FitError::DidNotConverge)?;
        let state = run.state();
        iterations += state.get_iter();
        if !matches!(state.get_termination_reason(), Some(TerminationReason::SolverConverged)) {
            return Err(FitError::DidNotConverge);
        }
        start = state.get_best_param().cloned().ok_or(FitError::DidNotConverge)?;
    }
    Ok((start.iter().map(|v| v.exp()).collect(), iterations))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_series_matches_closed_forms() {
        // 2F1(1, 1; 2; z) = −ln(1−z)/z.
        let z = 0.5;
        let got = hyp2f1(1.0, 1.0, 2.0, z).expect("converges");
        assert!((got - (-(1.0_f64 - z).ln() / z)).abs() < 1e-12, "{got}");
        // 2F1(a, b; b; z) = (1−z)^−a.
        let got = hyp2f1(0.7, 3.0, 3.0, 0.3).expect("converges");
        assert!((got - (1.0_f64 - 0.3).powf(-0.7)).abs() < 1e-12, "{got}");
        // Close to 1, where ten thousand terms were not enough.
        let z = 0.9999;
        let got = hyp2f1(1.0, 1.0, 2.0, z).expect("converges near 1");
        assert!((got - (-(1.0_f64 - z).ln() / z)).abs() < 1e-9, "{got}");
    }

    #[test]
    fn a_history_read_one_customer_at_a_time_is_the_same() {
        let mut a = vec![(14, 40.0), (0, 10.0), (7, 20.0), (0, 5.0), (30, 99.0), (35, 1.0), (30, 2.0)];
        let (h, after) = history(&mut a, 21, 40);
        assert_eq!(h, Some(History { x: 2, t_x: 2.0, t: 3.0, mean_value: 30.0 }));
        assert_eq!(after, 2, "days 30 and 35, day 30 once");
        assert_eq!(history(&mut [(30, 1.0)], 21, 40), (None, 1));
    }

    #[test]
    fn spend_in_rials_fits_as_spend_in_tomans_with_gamma_scaled() {
        // Forty customers whose repeat purchases average between 60 and 140 tomans.
        let tomans: Vec<History> =
            (0..40).map(|i| History { x: 1 + i % 5, t_x: 10.0, t: 20.0, mean_value: 60.0 + f64::from((i * 37) % 80) }).collect();
        let rials: Vec<History> = tomans.iter().map(|h| History { mean_value: h.mean_value * 10_000_000.0, ..*h }).collect();
        let small = GammaGamma::fit(&tomans).expect("fits in tomans");
        let large = GammaGamma::fit(&rials).expect("fits in rials: γ is scaled, not out of bounds");
        assert!((small.model.p - large.model.p).abs() < 1e-4 * small.model.p, "{small:?} {large:?}");
        assert!((small.model.q - large.model.q).abs() < 1e-4 * small.model.q, "{small:?} {large:?}");
        assert!((small.model.gamma * 10_000_000.0 - large.model.gamma).abs() < 1e-4 * large.model.gamma, "{small:?} {large:?}");
        let shift = small.log_likelihood - large.log_likelihood;
        assert!((shift - 40.0 * 10_000_000.0_f64.ln()).abs() < 1e-3, "log-likelihood moves by n·ln s: {shift}");
    }

    #[test]
    fn a_history_counts_one_purchase_a_day_and_leaves_the_first_out_of_spend() {
        let purchases = [("a", 0, 10.0), ("a", 0, 5.0), ("a", 7, 20.0), ("a", 14, 40.0), ("a", 30, 99.0), ("b", 3, 8.0)];
        let h = histories(&purchases, 21);
        assert_eq!(h["a"], History { x: 2, t_x: 2.0, t: 3.0, mean_value: 30.0 });
        assert_eq!(h["b"], History { x: 0, t_x: 0.0, t: 18.0 / 7.0, mean_value: 0.0 });
        assert_eq!(purchases_after(&purchases, 21, 40), HashMap::from([("a", 1)]));
    }

    #[test]
    fn a_customer_who_never_came_back_is_alive_and_a_long_silent_one_less_so() {
        let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        assert_eq!(m.p_alive(&History { x: 0, t_x: 0.0, t: 30.0, mean_value: 0.0 }), 1.0);
        let recent = m.p_alive(&History { x: 5, t_x: 29.0, t: 30.0, mean_value: 0.0 });
        let silent = m.p_alive(&History { x: 5, t_x: 2.0, t: 30.0, mean_value: 0.0 });
        assert!(recent > 0.8 && silent < 0.2, "{recent} {silent}");
    }
}
