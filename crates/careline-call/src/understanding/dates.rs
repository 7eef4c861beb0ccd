//! Dates a caller asks for, resolved against the `today` passed in (never the clock).
//!
//! The rules, in the order they are tried at each word:
//! - "today" (also "tonight"), "tomorrow", "the day after tomorrow": that day.
//! - A weekday alone or with "this", "on" or "coming" ("Tuesday", "this Friday"): the coming
//!   one, 1–7 days ahead; today never counts (a caller who means today says "today").
//! - "next Tuesday" and "Tuesday next week": the Tuesday of next calendar week (weeks start on
//!   Monday). So on a Monday "next Tuesday" is 8 days ahead, on a Saturday 3 days ahead —
//!   the same day "this Tuesday" gives then. The read-back confirms it with the caller.
//! - "a week from Monday", "two weeks from Friday", "a week from today/tomorrow": that day
//!   (read by the rules above) plus 7 days per week. "a week from now" is today plus 7.
//! - "in N days": today plus N. "in a week", "in N weeks", "in a couple of weeks": the
//!   calendar week (Monday–Sunday) containing today plus 7·N days, as a range.
//! - "next week": next calendar week, Monday–Sunday. "this week": today–Sunday. "later this
//!   week": tomorrow–Sunday (nothing on a Sunday). "the week after next": the calendar week
//!   after next. "next month": its first to last day. "this month": today–month end.
//!   A range is the span the caller named; the scheduler keeps only the days the practice
//!   works, and a range's `first` is the week's start when one day is wanted.
//! - "December 3rd", "December third", "December the third", "the third of December",
//!   "3rd of December", "December 3": that day this year, or next year if it has passed
//!   (today is not past). A year may follow ("December third twenty twenty six"), then it is
//!   used as said. February 29th goes to the next leap year.
//! - "the fourteenth", "on the 14th": the 14th of this month if it is today or later, else of
//!   the next month that has that day. "the" or "on" must come first, and "the first
//!   available …" is not a date.
//!
//! Anything else is not a date (`None`), never a guess.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::numbers::{below_hundred_at, cardinal_at, ordinal_at};
use super::{MONTHS, as_strs, words};

/// A date the caller named: one day or an inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DateSpec {
    Day { date: NaiveDate },
    Range { first: NaiveDate, last: NaiveDate },
}

impl DateSpec {
    /// The first day it covers.
    pub fn first(&self) -> NaiveDate {
        match self {
            DateSpec::Day { date } => *date,
            DateSpec::Range { first, .. } => *first,
        }
    }

    /// The last day it covers.
    pub fn last(&self) -> NaiveDate {
        match self {
            DateSpec::Day { date } => *date,
            DateSpec::Range { last, .. } => *last,
        }
    }
}

pub(crate) const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

pub(crate) fn weekday_word(w: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(n, _)| *n == w).map(|(_, d)| *d)
}

/// 1–12 from a month name, case-insensitively against `speech`'s table.
pub(crate) fn month_word(w: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(w))
        .map(|i| i as u32 + 1)
}

fn plus(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        d.checked_add_days(Days::new(days as u64))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

fn day(d: Option<NaiveDate>) -> Option<DateSpec> {
    d.map(|date| DateSpec::Day { date })
}

fn range(first: Option<NaiveDate>, last: Option<NaiveDate>) -> Option<DateSpec> {
    match (first, last) {
        (Some(first), Some(last)) if first <= last => Some(DateSpec::Range { first, last }),
        _ => None,
    }
}

/// The Monday of the calendar week holding `d`.
fn week_start(d: NaiveDate) -> Option<NaiveDate> {
    plus(d, -i64::from(d.weekday().num_days_from_monday()))
}

/// The calendar week (Monday–Sunday) holding `d`.
fn week_of(d: Option<NaiveDate>) -> Option<DateSpec> {
    let start = week_start(d?)?;
    range(Some(start), plus(start, 6))
}

/// The coming `wd`, 1–7 days after `today`.
fn coming(today: NaiveDate, wd: Weekday) -> Option<NaiveDate> {
    let ahead = (i64::from(wd.num_days_from_monday())
        - i64::from(today.weekday().num_days_from_monday())
        + 7)
        % 7;
    plus(today, if ahead == 0 { 7 } else { ahead })
}

/// `wd` in the calendar week after today's.
fn next_week_day(today: NaiveDate, wd: Weekday) -> Option<NaiveDate> {
    plus(week_start(today)?, 7 + i64::from(wd.num_days_from_monday()))
}

/// A count of weeks or days: "a", "one", "two", "a couple of", "a couple", "2".
fn count_at(t: &[&str], i: usize) -> Option<(i64, usize)> {
    match t.get(i) {
        Some(&"a" | &"an") if t.get(i + 1) == Some(&"couple") => {
            Some((2, if t.get(i + 2) == Some(&"of") { 3 } else { 2 }))
        }
        Some(&"a" | &"an") => Some((1, 1)),
        _ => {
            let (v, used) = cardinal_at(t, i)?;
            (v <= 60).then_some((v as i64, used))
        }
    }
}

/// A single day named at `t[i..]` for "a week from …": today, tomorrow or a weekday phrase.
fn anchor_at(t: &[&str], i: usize, today: NaiveDate) -> Option<(NaiveDate, usize)> {
    match *t.get(i)? {
        "today" => Some((today, 1)),
        "now" => Some((today, 1)),
        "tomorrow" => Some((plus(today, 1)?, 1)),
        _ => match weekday_at(t, i, today)? {
            (DateSpec::Day { date }, used) => Some((date, used)),
            _ => None,
        },
    }
}

/// "Tuesday", "this Tuesday", "coming Tuesday", "next Tuesday", "Tuesday next week".
fn weekday_at(t: &[&str], i: usize, today: NaiveDate) -> Option<(DateSpec, usize)> {
    let mut k = i;
    let mut next = false;
    match t.get(k) {
        Some(&"next") => {
            next = true;
            k += 1;
        }
        Some(&"this") => {
            k += 1;
            if t.get(k) == Some(&"coming") {
                k += 1;
            }
        }
        Some(&"coming") => k += 1,
        _ => {}
    }
    let wd = weekday_word(t.get(k)?)?;
    k += 1;
    if !next && t.get(k) == Some(&"next") && t.get(k + 1) == Some(&"week") {
        next = true;
        k += 2;
    }
    let d = if next {
        next_week_day(today, wd)
    } else {
        coming(today, wd)
    };
    Some((day(d)?, k - i))
}

/// Day 1–31 said as an ordinal or, where a month is named, a number.
fn day_number_at(t: &[&str], i: usize, cardinal_ok: bool) -> Option<(u32, usize)> {
    if let Some((d, used)) = ordinal_at(t, i) {
        return (1..=31).contains(&d).then_some((d, used));
    }
    if cardinal_ok {
        let (d, used) = below_hundred_at(t, i).or_else(|| {
            let (v, u) = cardinal_at(t, i)?;
            (u == 1).then_some((v, u))
        })?;
        return (1..=31).contains(&d).then_some((d as u32, used));
    }
    None
}

/// A year said after a date: "twenty twenty six", "two thousand twenty six", "2026".
pub(crate) fn year_at(t: &[&str], i: usize) -> Option<(i32, usize)> {
    // "two thousand [and] twenty six" or a numeral.
    if let Some((v, used)) = cardinal_at(t, i)
        && (1000..=2999).contains(&v)
        && (used > 1 || t[i].len() == 4)
    {
        return Some((v as i32, used));
    }
    // Pairs: "nineteen fifty eight", "twenty oh five", "nineteen hundred".
    let (high, used) = below_hundred_at(t, i)?;
    if !(10..=29).contains(&high) {
        return None;
    }
    let k = i + used;
    match t.get(k) {
        Some(&"hundred") => Some(((high * 100) as i32, used + 1)),
        Some(&"oh" | &"o") => {
            let d = t.get(k + 1).and_then(|w| super::numbers::digit_word(w))?;
            (d > 0).then_some(((high * 100) as i32 + d as i32, used + 2))
        }
        _ => {
            let (low, n) = below_hundred_at(t, k)?;
            (10..=99)
                .contains(&low)
                .then_some(((high * 100 + low) as i32, used + n))
        }
    }
}

/// `month`/`dom` this year if not past, else the next year that has it (or `year` as said).
fn month_day(today: NaiveDate, month: u32, dom: u32, year: Option<i32>) -> Option<DateSpec> {
    if let Some(y) = year {
        return day(NaiveDate::from_ymd_opt(y, month, dom));
    }
    (0..=8)
        .filter_map(|ahead| NaiveDate::from_ymd_opt(today.year().checked_add(ahead)?, month, dom))
        .find(|d| *d >= today)
        .map(|date| DateSpec::Day { date })
}

/// The `dom`th of this month if not past, else of the next month that has that day.
fn day_of_month(today: NaiveDate, dom: u32) -> Option<DateSpec> {
    let mut y = today.year();
    let mut m = today.month();
    for _ in 0..13 {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, dom)
            && d >= today
        {
            return day(Some(d));
        }
        if m == 12 {
            m = 1;
            y = y.checked_add(1)?;
        } else {
            m += 1;
        }
    }
    None
}

/// A year after an appointment date, taken only when it is this year or one of the next two
/// (so "December third twelve thirty" keeps its time).
fn optional_year(t: &[&str], k: usize, today: NaiveDate) -> (Option<i32>, usize) {
    match year_at(t, k) {
        Some((y, used)) if (today.year()..=today.year().saturating_add(2)).contains(&y) => {
            (Some(y), used)
        }
        _ => (None, 0),
    }
}

/// The date at `t[i..]`, if one starts there: (date, words used).
pub(crate) fn date_at(t: &[&str], i: usize, today: NaiveDate) -> Option<(DateSpec, usize)> {
    let w = *t.get(i)?;
    let at = |p: &str| super::starts_with(t, i, p);
    match w {
        "today" | "tonight" => return Some((day(Some(today))?, 1)),
        "tomorrow" => return Some((day(plus(today, 1))?, 1)),
        _ => {}
    }
    if at("the day after tomorrow") {
        return Some((day(plus(today, 2))?, 4));
    }
    if at("day after tomorrow") {
        return Some((day(plus(today, 2))?, 3));
    }
    if at("next week") {
        return Some((week_of(plus(today, 7))?, 2));
    }
    if at("the week after next") {
        return Some((week_of(plus(today, 14))?, 4));
    }
    if at("later this week") {
        let sunday = plus(week_start(today)?, 6);
        return Some((range(plus(today, 1), sunday)?, 3));
    }
    if at("this week") && !(i > 0 && t[i - 1] == "later") {
        let sunday = plus(week_start(today)?, 6);
        return Some((range(Some(today), sunday)?, 2));
    }
    if at("next month") || at("this month") {
        let (y, m) = if w == "next" {
            if today.month() == 12 {
                (today.year().checked_add(1)?, 1)
            } else {
                (today.year(), today.month() + 1)
            }
        } else {
            (today.year(), today.month())
        };
        let first = NaiveDate::from_ymd_opt(y, m, 1)?;
        let (ny, nm) = if m == 12 {
            (y.checked_add(1)?, 1)
        } else {
            (y, m + 1)
        };
        let last = plus(NaiveDate::from_ymd_opt(ny, nm, 1)?, -1);
        let first = if w == "this" { today } else { first };
        return Some((range(Some(first), last)?, 2));
    }
    // "in N days", "in a week", "in N weeks", "in a couple of weeks"
    if w == "in"
        && let Some((n, used)) = count_at(t, i + 1)
    {
        let k = i + 1 + used;
        match t.get(k) {
            Some(&"day" | &"days") => return Some((day(plus(today, n))?, k + 1 - i)),
            Some(&"week" | &"weeks") => return Some((week_of(plus(today, 7 * n))?, k + 1 - i)),
            _ => {}
        }
    }
    // "a week from Monday", "two weeks from today"
    if let Some((n, used)) = count_at(t, i) {
        let k = i + used;
        if matches!(t.get(k), Some(&"week" | &"weeks")) && t.get(k + 1) == Some(&"from") {
            let (anchor, n2) = anchor_at(t, k + 2, today)?;
            return Some((day(plus(anchor, 7 * n))?, k + 2 + n2 - i));
        }
    }
    if let Some(found) = weekday_at(t, i, today) {
        return Some(found);
    }
    // "December 3rd", "December the third", "December 3", "December third 2026"
    if let Some(month) = month_word(w) {
        let mut k = i + 1;
        if t.get(k) == Some(&"the") {
            k += 1;
        }
        let (dom, used) = day_number_at(t, k, true)?;
        k += used;
        let (year, yused) = optional_year(t, k, today);
        return Some((month_day(today, month, dom, year)?, k + yused - i));
    }
    // "the third of December", "3rd of December", "the fourteenth"
    let mut k = i;
    let had_the = matches!(w, "the" | "on");
    if had_the {
        k += 1;
        if w == "on" && t.get(k) == Some(&"the") {
            k += 1;
        }
    }
    let (dom, used) = day_number_at(t, k, false)?;
    k += used;
    if t.get(k) == Some(&"of")
        && let Some(month) = t.get(k + 1).and_then(|m| month_word(m))
    {
        k += 2;
        let (year, yused) = optional_year(t, k, today);
        return Some((month_day(today, month, dom, year)?, k + yused - i));
    }
    if had_the
        && !matches!(
            t.get(k),
            Some(
                &"available"
                    | &"appointment"
                    | &"opening"
                    | &"time"
                    | &"one"
                    | &"thing"
                    | &"slot"
                    | &"week"
                    | &"of"
            )
        )
    {
        return Some((day_of_month(today, dom)?, k - i));
    }
    None
}

/// The first date named anywhere in `t`: (date, first word, end word).
pub(crate) fn find_date(t: &[&str], today: NaiveDate) -> Option<(DateSpec, usize, usize)> {
    (0..t.len()).find_map(|i| date_at(t, i, today).map(|(d, used)| (d, i, i + used)))
}

/// The date in what the caller said, by the rules above: the first one named wins.
pub fn parse_date(text: &str, today: NaiveDate) -> Option<DateSpec> {
    let w = words(text);
    find_date(&as_strs(&w), today).map(|(d, _, _)| d)
}
