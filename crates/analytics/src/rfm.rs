//! RFM: each customer scored 1 to 5 on recency (days since their last purchase; fewer is
//! better), frequency (purchases) and monetary value (revenue), against four cut points per
//! measure: the workspace's quintiles, or thresholds an admin sets. The scores of recency and
//! frequency place a customer in one of ten named groups (the map is documented on [`Group`]).
//!
//! Cut points rather than ranks: a customer's score depends only on their own figures and the
//! cuts, so one customer's scores are kept current after each order without ranking everyone
//! again, and customers with the same figures always score the same (with ranks, ties would be
//! split at random between two scores).

use serde::{Deserialize, Serialize};

/// Four ascending cut points that split a measure into five scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cuts(pub [f64; 4]);

impl Cuts {
    /// The 20th, 40th, 60th and 80th percentiles of `values` (nearest rank: the value at
    /// place ⌈k·n/5⌉ in ascending order); `None` without values.
    pub fn quintiles(values: &mut [f64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable_by(f64::total_cmp);
        let n = values.len();
        let at = |k: usize| values[(k * n).div_ceil(5).max(1) - 1];
        Some(Self([at(1), at(2), at(3), at(4)]))
    }

    /// Whether the points ascend (a threshold an admin sets must).
    pub fn is_ascending(&self) -> bool {
        self.0.iter().all(|c| c.is_finite()) && self.0.windows(2).all(|w| w[0] <= w[1])
    }

    /// 1 plus the number of cut points `v` is above: a higher measure scores higher.
    pub fn score_up(&self, v: f64) -> u8 {
        1 + self.0.iter().filter(|c| v > **c).count() as u8
    }

    /// 5 less the number of cut points `v` is above: a lower measure (fewer days since the last
    /// purchase) scores higher.
    pub fn score_down(&self, v: f64) -> u8 {
        5 - self.0.iter().filter(|c| v > **c).count() as u8
    }
}

/// The cut points of the three measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RfmCuts {
    /// Days since the last purchase.
    pub recency_days: Cuts,
    /// Purchases.
    pub frequency: Cuts,
    /// Revenue in the base currency.
    pub monetary: Cuts,
}

/// A customer's figures as RFM reads them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub recency_days: f64,
    pub frequency: f64,
    pub monetary: f64,
}

/// A customer's scores and group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
    pub group: Group,
}

impl RfmCuts {
    /// The quintiles of the customers' figures; `None` without customers.
    pub fn quintiles(customers: &[Figures]) -> Option<Self> {
        let of = |f: fn(&Figures) -> f64| Cuts::quintiles(&mut customers.iter().map(f).collect::<Vec<_>>());
        Some(Self { recency_days: of(|c| c.recency_days)?, frequency: of(|c| c.frequency)?, monetary: of(|c| c.monetary)? })
    }

    /// A customer's scores against these cuts.
    pub fn score(&self, c: &Figures) -> Scores {
        let recency = self.recency_days.score_down(c.recency_days);
        let frequency = self.frequency.score_up(c.frequency);
        Scores { recency, frequency, monetary: self.monetary.score_up(c.monetary), group: Group::of(recency, frequency) }
    }
}

/// The named groups, by recency (R) and frequency (F) score:
///
/// | group | R | F |
/// | --- | --- | --- |
/// | champions | 5 | 4–5 |
/// | loyal | 3–4 | 4–5 |
/// | potential_loyalists | 4–5 | 2–3 |
/// | new_customers | 5 | 1 |
/// | promising | 4 | 1 |
/// | need_attention | 3 | 3 |
/// | about_to_sleep | 3 | 1–2 |
/// | at_risk | 1–2 | 3–4 |
/// | cant_lose_them | 1–2 | 5 |
/// | hibernating | 1–2 | 1–2 |
///
/// The map is the one most RFM tools share (recency against frequency on a 5 × 5 grid);
/// every cell belongs to exactly one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Champions,
    Loyal,
    PotentialLoyalists,
    NewCustomers,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CantLoseThem,
    Hibernating,
}

impl Group {
    /// Every group, best first.
    pub const ALL: [Group; 10] = [
        Group::Champions,
        Group::Loyal,
        Group::PotentialLoyalists,
        Group::NewCustomers,
        Group::Promising,
        Group::NeedAttention,
        Group::AboutToSleep,
        Group::AtRisk,
        Group::CantLoseThem,
        Group::Hibernating,
    ];

    /// The group's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Champions => "champions",
            Group::Loyal => "loyal",
            Group::PotentialLoyalists => "potential_loyalists",
            Group::NewCustomers => "new_customers",
            Group::Promising => "promising",
            Group::NeedAttention => "need_attention",
            Group::AboutToSleep => "about_to_sleep",
            Group::AtRisk => "at_risk",
            Group::CantLoseThem => "cant_lose_them",
            Group::Hibernating => "hibernating",
        }
    }

    /// The group named `s` in the API.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The group of a recency and a frequency score (each 1 to 5).
    pub fn of(r: u8, f: u8) -> Self {
        let (high_f, mid_f) = (f >= 4, (2..=3).contains(&f));
        match r {
            5 if high_f => Group::Champions,
            3..=4 if high_f => Group::Loyal,
            4 | 5 if mid_f => Group::PotentialLoyalists,
            5 => Group::NewCustomers,
            4 => Group::Promising,
            3 if f == 3 => Group::NeedAttention,
            3 => Group::AboutToSleep,
            _ if f >= 5 => Group::CantLoseThem,
            _ if f >= 3 => Group::AtRisk,
            _ => Group::Hibernating,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_split_ten_values_two_by_two() {
        let cuts = Cuts::quintiles(&mut (1..=10).rev().map(f64::from).collect::<Vec<_>>()).expect("cuts");
        assert_eq!(cuts, Cuts([2.0, 4.0, 6.0, 8.0]));
        let up: Vec<u8> = (1..=10).map(|v| cuts.score_up(f64::from(v))).collect();
        assert_eq!(up, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        let down: Vec<u8> = (1..=10).map(|v| cuts.score_down(f64::from(v))).collect();
        assert_eq!(down, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    }

    #[test]
    fn ties_score_alike() {
        // Most customers bought once: all of them score 1, whoever they are.
        let cuts = Cuts::quintiles(&mut [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 7.0]).expect("cuts");
        assert_eq!(cuts, Cuts([1.0, 1.0, 1.0, 2.0]));
        assert_eq!([1.0, 2.0, 3.0, 7.0].map(|v| cuts.score_up(v)), [1, 4, 5, 5]);
        assert_eq!(Cuts::quintiles(&mut [4.0]), Some(Cuts([4.0; 4])));
        assert_eq!(Cuts::quintiles(&mut []), None);
    }

    #[test]
    fn every_cell_of_the_grid_has_one_group_as_documented() {
        let grid: Vec<String> =
            (1..=5).rev().map(|r| (1..=5).map(|f| format!("{:>3}", &Group::of(r, f).as_str()[..3])).collect::<Vec<_>>().join("")).collect();
        assert_eq!(
            grid,
            [
                "newpotpotchacha", // R 5
                "propotpotloyloy", // R 4
                "aboaboneeloyloy", // R 3
                "hibhibat_at_can", // R 2
                "hibhibat_at_can", // R 1
            ]
        );
    }
}
