//! Propensity to buy: the probability that a contact buys within the next N days, from an
//! L2-regularised logistic regression trained per workspace on its own history.
//!
//! The model is fitted by iteratively reweighted least squares (Newton's method on the
//! penalised log-likelihood, each step halved until the likelihood rises): with a few dozen
//! features the Hessian is a small dense matrix, solved by Cholesky, and each iteration is one
//! pass over the rows. No crate is needed for
//! that, and none of the Rust machine-learning crates keeps a model this small this simply.
//!
//! Features are standardised (mean 0, standard deviation 1) before fitting, so the penalty
//! treats them alike and a customer's log-odds split exactly into a base (the intercept: the
//! log-odds of a customer whose every feature is at the mean) plus one signed contribution per
//! feature, `w·(x − mean)/sd`. Those contributions are the explanation shown beside a score.
//!
//! Quality is measured on a later window than the one trained on (a time-based holdout): the
//! area under the ROC curve, the lift of the top decile and the calibration (mean predicted
//! probability over the actual rate). [`Quality::verdict`] says whether a model may be shown.

use serde::{Deserialize, Serialize};

/// A fitted model: per feature its mean, standard deviation and weight (on the standardised
/// value), and the intercept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub intercept: f64,
    pub means: Vec<f64>,
    pub sds: Vec<f64>,
    pub weights: Vec<f64>,
}

/// Rows of features, one after another (`width` values each), with their labels.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub width: usize,
    pub values: Vec<f32>,
    pub labels: Vec<bool>,
}

impl Rows {
    pub fn new(width: usize) -> Self {
        Self { width, values: Vec::new(), labels: Vec::new() }
    }

    pub fn push(&mut self, features: &[f32], label: bool) {
        debug_assert_eq!(features.len(), self.width);
        self.values.extend_from_slice(features);
        self.labels.push(label);
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn positives(&self) -> usize {
        self.labels.iter().filter(|l| **l).count()
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.width..(i + 1) * self.width]
    }
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    /// Too few buyers or non-buyers to learn from.
    NotEnoughData { positives: usize, negatives: usize },
    /// Newton's method did not settle (or the system was singular).
    DidNotConverge,
}

/// The penalty on the squared weights (standardised features): enough to keep correlated
/// features from trading large opposite weights, small beside thousands of rows.
pub const L2: f64 = 1.0;

/// The fewest buyers and non-buyers a window must have for a model to be fitted on it.
pub const MIN_CLASS: usize = 100;

/// The fewest buyers and non-buyers the holdout must have for a model to be judged on it. With
/// 50 of each the AUC's standard error is about 0.06 (Hanley and McNeil), so a model no better
/// than chance passes the bar of [`MIN_AUC`] about one time in twenty-five (and must pass the
/// lift and calibration bars too); more history narrows it.
pub const MIN_HOLDOUT_CLASS: usize = 50;

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Model {
    /// Fits the model on `rows` by penalised IRLS.
    pub fn fit(rows: &Rows) -> Result<Model, FitError> {
        let (n, k) = (rows.len(), rows.width);
        let positives = rows.positives();
        if positives < MIN_CLASS || n - positives < MIN_CLASS {
            return Err(FitError::NotEnoughData { positives, negatives: n - positives });
        }
        let mut means = vec![0.0; k];
        let mut sds = vec![0.0; k];
        for i in 0..n {
            for (m, x) in means.iter_mut().zip(rows.row(i)) {
                *m += f64::from(*x);
            }
        }
        means.iter_mut().for_each(|m| *m /= n as f64);
        for i in 0..n {
            for ((s, m), x) in sds.iter_mut().zip(&means).zip(rows.row(i)) {
                *s += (f64::from(*x) - m).powi(2);
            }
        }
        // A feature that never varies gets no weight: its sd is kept as 0 and its standardised
        // value is always 0.
        sds.iter_mut().for_each(|s| *s = if *s > 0.0 { (*s / n as f64).sqrt() } else { 0.0 });
        let mut model = Model { intercept: 0.0, means, sds, weights: vec![0.0; k] };
        // Parameters: intercept first, then one weight per feature.
        let d = k + 1;
        let base_rate = positives as f64 / n as f64;
        let mut beta = vec![0.0; d];
        beta[0] = (base_rate / (1.0 - base_rate)).ln();
        let mut z = vec![0.0; d];
        let mut current = model.objective(rows, &beta);
        for _ in 0..100 {
            let mut grad = vec![0.0; d];
            let mut hess = vec![0.0; d * d];
            for i in 0..n {
                model.standardise(rows.row(i), &mut z[1..]);
                z[0] = 1.0;
                let p = sigmoid(dot(&beta, &z));
                let y = if rows.labels[i] { 1.0 } else { 0.0 };
                let w = (p * (1.0 - p)).max(1e-10);
                for a in 0..d {
                    grad[a] += (y - p) * z[a];
                    let wa = w * z[a];
                    for b in a..d {
                        hess[a * d + b] += wa * z[b];
                    }
                }
            }
            // The penalty (not on the intercept), then the lower triangle mirrored.
            for a in 1..d {
                grad[a] -= L2 * beta[a];
                hess[a * d + a] += L2;
            }
            for a in 0..d {
                for b in 0..a {
                    hess[a * d + b] = hess[b * d + a];
                }
            }
            let step = cholesky_solve(&mut hess, &grad, d).ok_or(FitError::DidNotConverge)?;
            // Newton's step, halved until the penalised likelihood rises: a full step from far
            // away overshoots when buyers are rare and features move together.
            let mut t = 1.0;
            let (next, value) = loop {
                let next: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + t * s).collect();
                let value = model.objective(rows, &next);
                if value >= current || t < 1e-10 {
                    break (next, value);
                }
                t /= 2.0;
            };
            let size = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
            if !size.is_finite() || !value.is_finite() {
                return Err(FitError::DidNotConverge);
            }
            if value < current {
                // No step along Newton's direction helps: an optimum only if the gradient is flat.
                let flat = grad.iter().map(|g| g.abs()).fold(0.0, f64::max) < 1e-6 * n as f64;
                if !flat {
                    return Err(FitError::DidNotConverge);
                }
                model.intercept = beta[0];
                model.weights = beta[1..].to_vec();
                return Ok(model);
            }
            let settled = size < 1e-7 || (value - current).abs() < 1e-10 * current.abs().max(1.0);
            beta = next;
            current = value;
            if settled {
                model.intercept = beta[0];
                model.weights = beta[1..].to_vec();
                return Ok(model);
            }
        }
        Err(FitError::DidNotConverge)
    }

    /// The penalised log-likelihood of `beta` (intercept, then weights) on `rows`.
    fn objective(&self, rows: &Rows, beta: &[f64]) -> f64 {
        let mut z = vec![0.0; beta.len() - 1];
        let mut sum = 0.0;
        for i in 0..rows.len() {
            self.standardise(rows.row(i), &mut z);
            let eta = beta[0] + dot(&beta[1..], &z);
            // y·η − ln(1 + e^η), the softplus written so it cannot overflow.
            let softplus = eta.max(0.0) + (-eta.abs()).exp().ln_1p();
            sum += if rows.labels[i] { eta } else { 0.0 } - softplus;
        }
        sum - 0.5 * L2 * beta[1..].iter().map(|b| b * b).sum::<f64>()
    }

    fn standardise(&self, x: &[f32], out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = if self.sds[j] > 0.0 { (f64::from(x[j]) - self.means[j]) / self.sds[j] } else { 0.0 };
        }
    }

    /// Each feature's signed contribution to the log-odds of `x`: with the intercept they sum
    /// to [`Model::log_odds`].
    pub fn contributions(&self, x: &[f32]) -> Vec<f64> {
        let mut z = vec![0.0; self.weights.len()];
        self.standardise(x, &mut z);
        z.iter().zip(&self.weights).map(|(z, w)| z * w).collect()
    }

    pub fn log_odds(&self, x: &[f32]) -> f64 {
        self.intercept + self.contributions(x).iter().sum::<f64>()
    }

    pub fn probability(&self, x: &[f32]) -> f64 {
        sigmoid(self.log_odds(x))
    }

    /// How well the model ranks and predicts `rows` (a later window than it was fitted on).
    pub fn quality(&self, rows: &Rows) -> Quality {
        let scored: Vec<(f64, bool)> = (0..rows.len()).map(|i| (self.probability(rows.row(i)), rows.labels[i])).collect();
        Quality::of(scored)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// Solves `a·x = b` for a symmetric positive definite `a` (`d`×`d`, row-major, overwritten by
/// its Cholesky factor); `None` when it is not positive definite.
fn cholesky_solve(a: &mut [f64], b: &[f64], d: usize) -> Option<Vec<f64>> {
    for j in 0..d {
        let mut s = a[j * d + j];
        for k in 0..j {
            s -= a[j * d + k] * a[j * d + k];
        }
        if s <= 0.0 || !s.is_finite() {
            return None;
        }
        let l = s.sqrt();
        a[j * d + j] = l;
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = s / l;
        }
    }
    let mut y = vec![0.0; d];
    for i in 0..d {
        let s: f64 = (0..i).map(|k| a[i * d + k] * y[k]).sum();
        y[i] = (b[i] - s) / a[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let s: f64 = (i + 1..d).map(|k| a[k * d + i] * x[k]).sum();
        x[i] = (y[i] - s) / a[i * d + i];
    }
    Some(x)
}

/// A model's quality on a holdout window. A figure that is undefined (no buyers, or no
/// non-buyers) is NaN, kept as JSON `null`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub rows: usize,
    pub positives: usize,
    /// Area under the ROC curve: the chance a random buyer scores above a random non-buyer.
    #[serde(with = "nan_as_null")]
    pub auc: f64,
    /// The buying rate of the top tenth by score over the buying rate of everyone.
    #[serde(with = "nan_as_null")]
    pub top_decile_lift: f64,
    /// The mean predicted probability over the actual buying rate (1 is perfect).
    #[serde(with = "nan_as_null")]
    pub calibration: f64,
}

/// JSON has no NaN: an undefined figure is `null` and reads back as NaN.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// The least a model must reach on its holdout to be shown.
pub const MIN_AUC: f64 = 0.6;
pub const MIN_LIFT: f64 = 1.5;
pub const CALIBRATION: (f64, f64) = (0.5, 2.0);

impl Quality {
    /// The quality of `scored` (probability, bought) pairs.
    pub fn of(mut scored: Vec<(f64, bool)>) -> Quality {
        let n = scored.len();
        let positives = scored.iter().filter(|s| s.1).count();
        let negatives = n - positives;
        // Highest first; the AUC by ranks (Mann-Whitney), ties sharing their mean rank.
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        let same = |a: f64, b: f64| a.total_cmp(&b).is_eq();
        let mut rank_sum = 0.0;
        let mut i = 0;
        while i < n {
            let mut j = i + 1;
            while j < n && same(scored[j].0, scored[i].0) {
                j += 1;
            }
            // Ranks counted from the lowest score: places n−j+1 … n−i share their mean.
            let mean_rank = ((n - j + 1) + (n - i)) as f64 / 2.0;
            rank_sum += mean_rank * scored[i..j].iter().filter(|s| s.1).count() as f64;
            i = j;
        }
        let auc = if positives == 0 || negatives == 0 {
            f64::NAN
        } else {
            (rank_sum - (positives * (positives + 1)) as f64 / 2.0) / (positives as f64 * negatives as f64)
        };
        let rate = positives as f64 / n.max(1) as f64;
        // The top tenth; a block of equal scores across its edge counts by the share inside it.
        let top = (n / 10).max(1).min(n);
        let top_rate = match scored.get(top - 1) {
            None => 0.0,
            Some(&(edge, _)) => {
                let above = scored.iter().take_while(|s| !same(s.0, edge)).count();
                let tied: Vec<bool> = scored[above..].iter().take_while(|s| same(s.0, edge)).map(|s| s.1).collect();
                let buyers_above = scored[..above].iter().filter(|s| s.1).count() as f64;
                let buyers_tied = tied.iter().filter(|b| **b).count() as f64;
                (buyers_above + buyers_tied * (top - above) as f64 / tied.len() as f64) / top as f64
            }
        };
        let mean_p = scored.iter().map(|s| s.0).sum::<f64>() / n.max(1) as f64;
        Quality {
            rows: n,
            positives,
            auc,
            top_decile_lift: if rate > 0.0 { top_rate / rate } else { f64::NAN },
            calibration: if rate > 0.0 { mean_p / rate } else { f64::NAN },
        }
    }

    /// Why the model may not be shown (a stable code), or `None` when it may.
    pub fn verdict(&self) -> Option<&'static str> {
        if self.positives < MIN_HOLDOUT_CLASS || self.rows - self.positives < MIN_HOLDOUT_CLASS {
            Some("not_enough_data")
        } else if self.auc.is_nan() || self.auc < MIN_AUC {
            Some("auc_too_low")
        } else if self.top_decile_lift.is_nan() || self.top_decile_lift < MIN_LIFT {
            Some("lift_too_low")
        } else if !(CALIBRATION.0..=CALIBRATION.1).contains(&self.calibration) {
            Some("miscalibrated")
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (no crate needed for a test's noise).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn simulated(n: usize, seed: u64) -> Rows {
        // True model: log-odds = −1 + 1.5·x0 − 1·x1, x2 irrelevant, x3 constant.
        let mut rng = Lcg(seed);
        let mut rows = Rows::new(4);
        for _ in 0..n {
            let x = [rng.next() * 2.0 - 1.0, rng.next() * 2.0 - 1.0, rng.next(), 3.0];
            let p = sigmoid(-1.0 + 1.5 * x[0] - x[1]);
            let y = rng.next() < p;
            rows.push(&x.map(|v| v as f32), y);
        }
        rows
    }

    #[test]
    fn recovers_a_known_logistic_model() {
        let rows = simulated(20_000, 7);
        let m = Model::fit(&rows).expect("fits");
        // Back on the raw scale: w/sd.
        let raw: Vec<f64> = m.weights.iter().zip(&m.sds).map(|(w, s)| if *s > 0.0 { w / s } else { 0.0 }).collect();
        assert!((raw[0] - 1.5).abs() < 0.1, "{raw:?}");
        assert!((raw[1] + 1.0).abs() < 0.1, "{raw:?}");
        assert!(raw[2].abs() < 0.15, "{raw:?}");
        assert_eq!((m.sds[3], m.weights[3]), (0.0, 0.0), "a constant feature gets no weight");
        let q = m.quality(&simulated(20_000, 8));
        assert!(q.auc > 0.7 && q.auc < 0.8, "{q:?}");
        assert!((q.calibration - 1.0).abs() < 0.05, "{q:?}");
        assert_eq!(q.verdict(), None, "{q:?}");
    }

    #[test]
    fn rare_buyers_and_features_that_move_together_still_converge() {
        // 1.5% buy; three near-copies of one sparse count (a full Newton step overshoots here).
        let mut rng = Lcg(11);
        let mut rows = Rows::new(4);
        for _ in 0..10_000 {
            let active = rng.next() < 0.03;
            let n = if active { 1.0 + (rng.next() * 3.0).floor() } else { 0.0 };
            let y = rng.next() < if active { 0.3 } else { 0.006 };
            rows.push(&[n as f32, (n * 0.99) as f32, if n > 0.0 { 1.0 } else { 0.0 }, rng.next() as f32], y);
        }
        let m = Model::fit(&rows).expect("converges");
        assert!(m.intercept < -3.0, "{m:?}");
        assert!(m.weights.iter().all(|w| w.abs() < 5.0), "{m:?}");
        assert!(m.quality(&rows).auc > 0.7);
    }

    #[test]
    fn contributions_sum_to_the_log_odds() {
        let rows = simulated(2_000, 3);
        let m = Model::fit(&rows).expect("fits");
        let x = [0.4f32, -0.2, 0.9, 3.0];
        let sum = m.intercept + m.contributions(&x).iter().sum::<f64>();
        // The log-odds on the raw scale, from the weights (w/sd) and centres by hand.
        let by_hand =
            m.intercept + (0..4).filter(|j| m.sds[*j] > 0.0).map(|j| m.weights[j] / m.sds[j] * (f64::from(x[j]) - m.means[j])).sum::<f64>();
        assert!((sum - by_hand).abs() < 1e-9, "{sum} against {by_hand}");
        let p = m.probability(&x);
        assert!(((p / (1.0 - p)).ln() - by_hand).abs() < 1e-9);
    }

    #[test]
    fn auc_counts_ties_as_half() {
        let q = Quality::of(vec![(0.9, true), (0.5, false), (0.5, true), (0.1, false)]);
        // Pairs (buyer, non-buyer): 0.9>0.5 ✓, 0.9>0.1 ✓, 0.5=0.5 ½, 0.5>0.1 ✓ → 3.5/4.
        assert!((q.auc - 0.875).abs() < 1e-12, "{q:?}");
        // Top tenth (one row): a buyer; the rate is ½, so the lift is 2.
        assert!((q.top_decile_lift - 2.0).abs() < 1e-12, "{q:?}");
    }

    #[test]
    fn ties_at_the_top_decile_share_its_buyers_and_nan_does_not_hang() {
        // Twenty rows with the same score, half buyers: the top two share the block's rate.
        let q = Quality::of((0..20).map(|i| (0.5, i % 2 == 0)).collect());
        assert!((q.top_decile_lift - 1.0).abs() < 1e-12, "{q:?}");
        assert!((q.auc - 0.5).abs() < 1e-12, "{q:?}");
        let q = Quality::of(vec![(f64::NAN, true), (f64::NAN, false), (0.2, true), (0.1, false)]);
        assert_eq!(q.rows, 4);
    }

    #[test]
    fn undefined_figures_keep_as_null_and_read_back() {
        let q = Quality::of((0..200).map(|i| (f64::from(i), false)).collect());
        assert!(q.auc.is_nan() && q.calibration.is_nan());
        let json = serde_json::to_string(&q).expect("writes");
        assert!(json.contains("\"auc\":null"), "{json}");
        let back: Quality = serde_json::from_str(&json).expect("reads back");
        assert!(back.auc.is_nan() && back.rows == 200);
    }

    #[test]
    fn too_few_buyers_is_said() {
        let mut rows = Rows::new(1);
        (0..500).for_each(|i| rows.push(&[i as f32], i < 99));
        assert_eq!(Model::fit(&rows), Err(FitError::NotEnoughData { positives: 99, negatives: 401 }));
        // The holdout is judged with 50 of each, not with 49.
        let q = Quality::of((0..500).map(|i| (f64::from(i) / 500.0, i >= 451)).collect());
        assert_eq!((q.positives, q.verdict()), (49, Some("not_enough_data")));
        let q = Quality::of((0..500).map(|i| (f64::from(i) / 500.0, i >= 450)).collect());
        assert_ne!(q.verdict(), Some("not_enough_data"), "{q:?}");
    }

    #[test]
    fn a_model_that_ranks_at_random_is_refused() {
        let q = Quality::of((0..1000).map(|i| ((i % 7) as f64 / 10.0, i % 3 == 0)).collect());
        assert_eq!(q.verdict(), Some("auc_too_low"), "{q:?}");
    }
}
