//! The reference fit: on the CDNOW sample (2,357 customers; `tests/data/README.md` names its
//! source), with purchases up to 1997-09-30 as the calibration window, BG/NBD and Gamma-Gamma
//! must reproduce the published parameters (Fader, Hardie & Lee 2005; Fader & Hardie, note 025)
//! within 1% each, and the per-customer figures lifetimes 0.11.3 gives at its fit.

use crm_analytics::clv::{clv, histories, purchases_after, BgNbd, GammaGamma, History};
use std::collections::HashMap;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn day(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (customer, day, dollars) of every line of the sample.
fn purchases() -> Vec<(u32, i64, f64)> {
    let text = include_str!("data/CDNOW_sample.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let date = cols[2];
            let (y, m, d) = (date[..4].parse().expect("year"), date[4..6].parse().expect("month"), date[6..].parse().expect("day"));
            (cols[1].parse().expect("customer"), day(y, m, d), cols[4].parse().expect("dollars"))
        })
        .collect()
}

fn close(got: f64, want: f64, tolerance: f64, what: &str) {
    let off = ((got - want) / want).abs();
    assert!(off <= tolerance, "{what}: {got} against {want} ({:.3}% off)", off * 100.0);
}

struct Sample {
    by_customer: HashMap<u32, History>,
    all: Vec<History>,
    holdout: HashMap<u32, u32>,
}

fn sample() -> Sample {
    let p = purchases();
    assert_eq!(p.len(), 6_919);
    let end = day(1997, 9, 30);
    let by_customer = histories(&p, end);
    let mut ids: Vec<u32> = by_customer.keys().copied().collect();
    ids.sort_unstable();
    let all = ids.iter().map(|id| by_customer[id]).collect();
    Sample { by_customer, all, holdout: purchases_after(&p, end, day(1998, 6, 30)) }
}

#[test]
fn the_calibration_summary_is_hardies() {
    let s = sample();
    assert_eq!(s.all.len(), 2_357);
    assert_eq!(s.all.iter().map(|h| u64::from(h.x)).sum::<u64>(), 2_457, "repeat purchase days");
    assert_eq!(s.all.iter().filter(|h| h.x > 0).count(), 946);
    let one = s.by_customer[&1];
    assert_eq!(one.x, 2);
    assert!((one.t_x - 30.43).abs() < 0.005 && (one.t - 38.86).abs() < 0.005, "{one:?}");
    assert_eq!(s.holdout.values().map(|n| u64::from(*n)).sum::<u64>(), 1_882, "holdout repeat purchase days");
}

#[test]
fn bg_nbd_and_gamma_gamma_reproduce_the_published_fit() {
    let s = sample();
    let bg = BgNbd::fit(&s.all).expect("BG/NBD fits");
    let m = bg.model;
    for (got, want, name) in [(m.r, 0.243, "r"), (m.alpha, 4.414, "alpha"), (m.a, 0.793, "a"), (m.b, 2.426, "b")] {
        close(got, want, 0.01, name);
    }
    assert!((bg.log_likelihood + 9_582.43).abs() < 0.05, "log-likelihood {}", bg.log_likelihood);

    let gg = GammaGamma::fit(&s.all).expect("Gamma-Gamma fits");
    let g = gg.model;
    for (got, want, name) in [(g.p, 6.25, "p"), (g.q, 3.74, "q"), (g.gamma, 15.44, "gamma")] {
        close(got, want, 0.01, name);
    }
    assert_eq!(gg.customers, 946);
    assert!((gg.log_likelihood + 4_055.92).abs() < 0.05, "log-likelihood {}", gg.log_likelihood);

    eprintln!(
        "BG/NBD {m:?} LL {:.3} in {} iterations; Gamma-Gamma {g:?} LL {:.3} in {}",
        bg.log_likelihood, bg.iterations, gg.log_likelihood, gg.iterations
    );

    // The fit check: purchases predicted for the 39 holdout weeks against those made.
    let predicted: f64 = s.all.iter().map(|h| m.expected_purchases(h, 39.0).expect("converges")).sum();
    close(predicted, 1_653.4, 0.005, "predicted holdout purchases");

    // Per customer, as lifetimes computes them (12 months, 1% a month).
    for (id, alive, expected, value, lifetime) in
        [(1, 0.72662, 1.22599, 24.6539, 36.274), (3, 1.0, 0.19479, 35.1704, 8.3445), (1516, 0.96885, 20.7489, 39.8903, 972.05)]
    {
        let h = s.by_customer[&id];
        close(m.p_alive(&h), alive, 0.01, &format!("P(alive) of {id}"));
        close(m.expected_purchases(&h, 39.0).expect("converges"), expected, 0.01, &format!("E[X(39)] of {id}"));
        close(g.expected_value(&h), value, 0.01, &format!("E(M) of {id}"));
        close(clv(&m, &g, &h, 12, 0.01).expect("converges"), lifetime, 0.01, &format!("CLV of {id}"));
    }
}
