//! A date of birth as callers say it, for verification.
//!
//! Accepted shapes (words such as "my date of birth is", "born on", "the", "of" are skipped):
//! - a month name with the day before or after it and a year: "March fourteenth nineteen fifty
//!   eight", "the fourteenth of March nineteen fifty eight", "March 14 1958";
//! - numbers for month, day and year in US order: "three fourteen fifty eight", "oh three
//!   fourteen nineteen fifty eight", "12 5 1990";
//! - digits only, eight (MMDDYYYY) or six (MMDDYY): "oh three one four one nine five eight".
//!
//! Years: "nineteen fifty eight", "two thousand five", "twenty oh five", "1958", four digit
//! words, or two digits ("fifty eight", "oh five"), which mean the latest such year not after
//! `today` (with today in 2026, "58" is 1958 and "05" is 2005).
//!
//! Refused (`None`): dates that do not exist (February 30th), dates after `today`, dates more
//! than 130 years ago, and words that fit more than one date. A month said as numbers is one
//! number word ("twelve") or "oh" and a digit ("oh three"), never two digit words, so "one two
//! nineteen ninety" is January 2nd 1990, not December 19th (only six or eight digit words in a
//! row are read as MMDDYY or MMDDYYYY).

use chrono::{Datelike, NaiveDate};

use super::dates::{month_word, year_at};
use super::numbers::{below_hundred_at, digit_word, digits_of, numeral, ordinal_at};
use super::{FILLERS, as_strs, words};

const NOISE: &[&str] = &[
    "my", "date", "of", "birth", "birthday", "is", "it's", "its", "it", "i", "was", "born", "on",
    "in", "dob", "the", "and", "that's", "um", "uh",
];

/// A month said as a number: "three", "oh three", "03", "12".
fn month_number(t: &[&str]) -> Option<u32> {
    let v = match t {
        [w] => numeral(w)
            .filter(|_| w.len() <= 2)
            .or_else(|| match below_hundred_at(t, 0) {
                Some((v, 1)) => Some(v),
                _ => None,
            })?,
        [z, d] if matches!(*z, "oh" | "o" | "zero") => u64::from(digit_word(d)?),
        _ => return None,
    };
    (1..=12).contains(&v).then_some(v as u32)
}

/// A day of the month: "fourteenth", "twenty first", "fourteen", "oh four", "14", "14th".
fn day_number(t: &[&str]) -> Option<u32> {
    let v = match t {
        [] => return None,
        [z, d] if matches!(*z, "oh" | "o" | "zero") => digit_word(d)?,
        _ => match ordinal_at(t, 0) {
            Some((v, used)) if used == t.len() => v,
            _ => match t {
                [w] if numeral(w).is_some() && w.len() <= 2 => numeral(w)? as u32,
                _ => match below_hundred_at(t, 0) {
                    Some((v, used)) if used == t.len() => v as u32,
                    _ => return None,
                },
            },
        },
    };
    (1..=31).contains(&v).then_some(v)
}

/// A whole year, four digits said any way, or two digits resolved against `today`.
fn year_all(t: &[&str], today: NaiveDate) -> Option<i32> {
    if let Some((y, used)) = year_at(t, 0)
        && used == t.len()
    {
        return Some(y);
    }
    let two = match t {
        [w] if w.len() == 2 && numeral(w).is_some() => numeral(w)?,
        [a, b] if matches!(*a, "oh" | "o" | "zero") => u64::from(digit_word(b)?),
        _ if !t.is_empty() && t.iter().all(|w| digit_word(w).is_some()) => {
            let d = digits_of(t)?;
            match d.len() {
                4 => return d.parse().ok(),
                2 => d.parse().ok()?,
                _ => return None,
            }
        }
        _ => match below_hundred_at(t, 0) {
            Some((v, used)) if used == t.len() && v >= 10 => v,
            _ => return None,
        },
    };
    let two = two as i32;
    let this_century = today.year() - today.year().rem_euclid(100);
    let y = this_century + two;
    Some(if y > today.year() { y - 100 } else { y })
}

fn valid(y: i32, m: u32, d: u32, today: NaiveDate) -> Option<NaiveDate> {
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    (date <= today && today.year() - y <= 130).then_some(date)
}

/// Every reading of `t` as a date of birth.
fn readings(t: &[&str], today: NaiveDate) -> Vec<NaiveDate> {
    let mut found = Vec::new();
    // Digits only: MMDDYYYY or MMDDYY.
    if t.iter().all(|w| {
        digit_word(w).is_some()
            || w.bytes().all(|b| b.is_ascii_digit())
            || matches!(*w, "double" | "triple")
    }) && let Some(d) = digits_of(t)
    {
        let num = |a: usize, b: usize| d.get(a..b).and_then(|s| s.parse::<u32>().ok());
        let date = match d.len() {
            8 => (|| valid(num(4, 8)? as i32, num(0, 2)?, num(2, 4)?, today))(),
            6 => (|| {
                let yy = d.get(4..6)?;
                let y = year_all(&[yy], today)?;
                valid(y, num(0, 2)?, num(2, 4)?, today)
            })(),
            _ => None,
        };
        // Six or eight digits have one reading; other counts may be numbers in groups
        // ("one two oh five": January 2nd 2005).
        if matches!(d.len(), 6 | 8) {
            return date.into_iter().collect();
        }
    }
    // A month name: the day before it or after it, the year after both.
    if let Some(p) = t.iter().position(|w| month_word(w).is_some()) {
        let m = month_word(t[p]).unwrap_or(1);
        if p > 0 {
            if let (Some(d), Some(y)) = (day_number(&t[..p]), year_all(&t[p + 1..], today))
                && let Some(date) = valid(y, m, d, today)
            {
                found.push(date);
            }
        } else {
            for split in p + 2..t.len() {
                if let (Some(d), Some(y)) =
                    (day_number(&t[p + 1..split]), year_all(&t[split..], today))
                    && let Some(date) = valid(y, m, d, today)
                {
                    found.push(date);
                }
            }
        }
        return found;
    }
    // Numbers: month, day, year.
    for a in 1..=2.min(t.len()) {
        let Some(m) = month_number(&t[..a]) else {
            continue;
        };
        for b in a + 1..t.len() {
            if let (Some(d), Some(y)) = (day_number(&t[a..b]), year_all(&t[b..], today))
                && let Some(date) = valid(y, m, d, today)
            {
                found.push(date);
            }
        }
    }
    found
}

/// The date of birth in what the caller said, by the rules above; `None` when there is none,
/// it is impossible or in the future, or the words fit more than one date.
pub fn parse_dob(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let w: Vec<String> = words(text)
        .into_iter()
        .filter(|w| !FILLERS.contains(&w.as_str()) && !NOISE.contains(&w.as_str()))
        .collect();
    let t = as_strs(&w);
    let mut found = readings(&t, today);
    found.sort();
    found.dedup();
    match found.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}
