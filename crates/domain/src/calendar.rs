//! The Solar Hijri (Jalali) calendar used in Iran: conversion to and from the Gregorian
//! calendar, exact for Jalali years -61 to 3177 (the arithmetic of jalaali-js, after Kazimierz
//! Borkowski's breaks of the 2,820-year cycle).

use chrono::{Datelike, NaiveDate};

/// A Solar Hijri date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Jalali {
    pub year: i32,
    /// 1 (Farvardin) to 12 (Esfand).
    pub month: u32,
    pub day: u32,
}

const BREAKS: [i32; 20] = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178];

/// The Gregorian year in which a Jalali year starts, the March day of its Nowruz, and how many
/// years have passed since the last leap year (0 means this one is leap).
fn jal_cal(jy: i32) -> Option<(i32, u32, i32)> {
    if jy < BREAKS[0] || jy >= BREAKS[BREAKS.len() - 1] {
        return None;
    }
    let gy = jy + 621;
    let mut leap_j = -14;
    let mut jp = BREAKS[0];
    let mut jump = 0;
    for &jm in &BREAKS[1..] {
        jump = jm - jp;
        if jy < jm {
            break;
        }
        leap_j += jump / 33 * 8 + (jump % 33) / 4;
        jp = jm;
    }
    let mut n = jy - jp;
    leap_j += n / 33 * 8 + (n % 33 + 3) / 4;
    if jump % 33 == 4 && jump - n == 4 {
        leap_j += 1;
    }
    let leap_g = gy / 4 - (gy / 100 + 1) * 3 / 4 - 150;
    let march = 20 + leap_j - leap_g;
    if jump - n < 6 {
        n = n - jump + (jump + 4) / 33 * 33;
    }
    let mut leap = ((n + 1) % 33 - 1) % 4;
    if leap == -1 {
        leap = 4;
    }
    Some((gy, march as u32, leap))
}

impl Jalali {
    /// The Jalali date of a Gregorian date.
    pub fn from_gregorian(date: NaiveDate) -> Option<Self> {
        let gy = date.year();
        let mut jy = gy - 621;
        let (_, march, leap) = jal_cal(jy)?;
        let nowruz = NaiveDate::from_ymd_opt(gy, 3, march)?;
        let mut k = (date - nowruz).num_days() as i32;
        if k >= 0 {
            if k <= 185 {
                return Some(Self { year: jy, month: 1 + (k / 31) as u32, day: (k % 31) as u32 + 1 });
            }
            k -= 186;
        } else {
            jy -= 1;
            k += 179;
            if leap == 1 {
                k += 1;
            }
        }
        Some(Self { year: jy, month: 7 + (k / 30) as u32, day: (k % 30) as u32 + 1 })
    }

    /// The Gregorian date of this Jalali date, `None` when it does not exist.
    pub fn to_gregorian(self) -> Option<NaiveDate> {
        if !(1..=12).contains(&self.month) || self.day < 1 || self.day > Self::month_length(self.year, self.month)? {
            return None;
        }
        let (gy, march, _) = jal_cal(self.year)?;
        let nowruz = NaiveDate::from_ymd_opt(gy, 3, march)?;
        let (m, d) = (self.month as i64, self.day as i64);
        let offset = (m - 1) * 31 - (m / 7) * (m - 7) + d - 1;
        nowruz.checked_add_signed(chrono::Duration::days(offset))
    }

    /// Whether the Jalali year has 366 days.
    pub fn is_leap(year: i32) -> Option<bool> {
        jal_cal(year).map(|(_, _, leap)| leap == 0)
    }

    /// Days in a month: 31 in the first six, 30 in the next five, 29 or 30 in Esfand.
    pub fn month_length(year: i32, month: u32) -> Option<u32> {
        match month {
            1..=6 => Some(31),
            7..=11 => Some(30),
            12 => Some(if Self::is_leap(year)? { 30 } else { 29 }),
            _ => None,
        }
    }

    /// Parses `1405/01/01` or `1405-1-1`, in Persian or Latin digits.
    pub fn parse(s: &str) -> Option<Self> {
        let s = crate::digits::to_ascii_digits(s.trim());
        let mut parts = s.split(['/', '-']);
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        let d = Self { year, month, day };
        d.to_gregorian().map(|_| d)
    }
}

impl std::fmt::Display for Jalali {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}/{:02}/{:02}", self.year, self.month, self.day)
    }
}

/// Month names of the Solar Hijri calendar, in Persian.
pub const MONTHS_FA: [&str; 12] = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"];

#[cfg(test)]
mod tests {
    use super::*;

    fn g(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn known_dates_convert_both_ways() {
        let known = [
            (g(1979, 2, 11), Jalali { year: 1357, month: 11, day: 22 }),
            (g(2024, 3, 20), Jalali { year: 1403, month: 1, day: 1 }),
            (g(2025, 3, 21), Jalali { year: 1404, month: 1, day: 1 }),
            (g(2025, 3, 20), Jalali { year: 1403, month: 12, day: 30 }),
            (g(2026, 11, 22), Jalali { year: 1405, month: 9, day: 1 }),
            (g(2000, 1, 1), Jalali { year: 1378, month: 10, day: 11 }),
        ];
        for (greg, jal) in known {
            assert_eq!(Jalali::from_gregorian(greg), Some(jal), "{greg}");
            assert_eq!(jal.to_gregorian(), Some(greg), "{jal}");
        }
    }

    #[test]
    fn every_day_of_two_centuries_round_trips() {
        let mut d = g(1900, 1, 1);
        let mut last = Jalali::from_gregorian(d).expect("jalali");
        while d < g(2100, 1, 1) {
            d = d.succ_opt().expect("next");
            let j = Jalali::from_gregorian(d).expect("jalali");
            assert!(j > last, "{d} goes forward");
            assert_eq!(j.to_gregorian(), Some(d));
            last = j;
        }
    }

    #[test]
    fn leap_years_and_parsing() {
        assert_eq!(Jalali::is_leap(1403), Some(true));
        assert_eq!(Jalali::is_leap(1404), Some(false));
        assert_eq!(Jalali::parse("۱۴۰۵/۰۹/۰۱"), Some(Jalali { year: 1405, month: 9, day: 1 }));
        assert_eq!(Jalali::parse("1404/12/30"), None, "1404 is not leap");
        assert_eq!(Jalali::parse("1405/13/01"), None);
    }
}
