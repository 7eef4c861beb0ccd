//! Clock times and parts of the day a caller asks for.
//!
//! Clock times: "nine thirty", "nine oh five", "nine o'clock", "9:30", "half past nine",
//! "quarter past nine", "quarter to ten", "ten to ten", "twenty past nine", "noon", "midnight",
//! each optionally followed by "a m"/"p m" or "in the morning/afternoon/evening", "at night",
//! "tonight".
//!
//! Which half of the day an hour is in:
//! 1. "a m"/"p m" (or "in the morning", "in the afternoon", "in the evening", "at night") said
//!    with the time decides;
//! 2. else a part of the day said anywhere in the same sentence ("Tuesday afternoon at three"):
//!    morning means a m, afternoon and evening mean p m;
//! 3. else clinic hours: 7–11 are a m, 12 is noon, 1–6 are p m ("at nine" → 9:00, "at three" →
//!    15:00). A numeral of 13–23 (or 0) is a 24-hour clock time as said.
//!
//! Parts of the day are windows: morning 8:00–12:00, afternoon 12:00–17:00, evening
//! 17:00–20:00. "early" takes the first half of the window, "late" the second half ("early
//! afternoon" 12:00–14:30, "late morning" 10:00–12:00); "early" alone is early morning and
//! "late" alone late afternoon (the ends of the clinic day). "lunchtime" is 12:00–13:00,
//! "first thing" 8:00–9:00.
//!
//! In a sentence a bare hour counts as a time only after "at", "around", "by", "after",
//! "before" or "for"; in a time step ([`parse_time`]) it counts alone.

use chrono::NaiveTime;

use super::numbers::{below_hundred_at, digit_word, numeral};
use super::{as_strs, starts_with, words};

/// A time of day: a clock time or a window [from, to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeSpec {
    At { time: NaiveTime },
    Window { from: NaiveTime, to: NaiveTime },
}

/// A part of the day the caller named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartOfDay {
    Morning,
    Afternoon,
    Evening,
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h % 24, m % 60, 0).unwrap_or(NaiveTime::MIN)
}

impl PartOfDay {
    /// Its window, in minutes after midnight.
    fn minutes(self) -> (u32, u32) {
        match self {
            PartOfDay::Morning => (8 * 60, 12 * 60),
            PartOfDay::Afternoon => (12 * 60, 17 * 60),
            PartOfDay::Evening => (17 * 60, 20 * 60),
        }
    }

    /// The whole window: morning 8:00–12:00, afternoon 12:00–17:00, evening 17:00–20:00.
    pub fn window(self) -> TimeSpec {
        let (a, b) = self.minutes();
        window(a, b)
    }
}

fn window(a: u32, b: u32) -> TimeSpec {
    TimeSpec::Window {
        from: hm(a / 60, a % 60),
        to: hm(b / 60, b % 60),
    }
}

fn part_word(w: &str) -> Option<PartOfDay> {
    match w {
        "morning" => Some(PartOfDay::Morning),
        "afternoon" => Some(PartOfDay::Afternoon),
        "evening" | "night" | "tonight" => Some(PartOfDay::Evening),
        _ => None,
    }
}

/// A part of the day at `t[i..]`: (window, part, words used). "early"/"late" may come first.
pub(crate) fn part_at(t: &[&str], i: usize) -> Option<(TimeSpec, Option<PartOfDay>, usize)> {
    let w = *t.get(i)?;
    if starts_with(t, i, "first thing") {
        return Some((window(8 * 60, 9 * 60), Some(PartOfDay::Morning), 2));
    }
    if matches!(w, "lunchtime" | "lunch")
        && !matches!(t.get(i.wrapping_sub(1)), Some(&"after" | &"before"))
    {
        return Some((window(12 * 60, 13 * 60), Some(PartOfDay::Afternoon), 1));
    }
    let edge = match w {
        "early" => Some(true),
        "late" => Some(false),
        _ => None,
    };
    let (k, edge) = match edge {
        Some(e) => {
            let mut k = i + 1;
            if matches!(t.get(k), Some(&"in")) && t.get(k + 1) == Some(&"the") {
                k += 2;
            }
            (k, Some(e))
        }
        None => (i, None),
    };
    let part = t.get(k).and_then(|p| part_word(p));
    let used = if part.is_some() { k + 1 - i } else { 1 };
    let part = match (part, edge) {
        (Some(p), _) => p,
        (None, Some(true)) => PartOfDay::Morning,
        (None, Some(false)) => PartOfDay::Afternoon,
        (None, None) => return None,
    };
    // "night"/"tonight" keep their own meaning for clock times; as a window they are evening.
    let (a, b) = part.minutes();
    let mid = (a + b) / 2;
    let spec = match edge {
        Some(true) => window(a, mid),
        Some(false) => window(mid, b),
        None => window(a, b),
    };
    Some((spec, Some(part), used))
}

/// An hour 0–23 said as a word (1–12) or a numeral.
fn hour_at(t: &[&str], i: usize) -> Option<(u32, usize, bool)> {
    let w = *t.get(i)?;
    if let Some(v) = numeral(w) {
        return (v <= 23 && w.len() <= 2).then_some((v as u32, 1, true));
    }
    let (v, used) = below_hundred_at(t, i)?;
    // "twelve", "eleven" are one word; "twenty one" is not an hour people say.
    (used == 1 && (1..=12).contains(&v)).then_some((v as u32, 1, false))
}

/// Minutes after an hour: "thirty", "forty five", "oh five", "05", "o'clock" (0).
fn minutes_at(t: &[&str], i: usize) -> Option<(u32, usize)> {
    let w = *t.get(i)?;
    if w == "o'clock" || w == "oclock" {
        return Some((0, 1));
    }
    if (w == "o" || w == "oh") && t.get(i + 1) == Some(&"clock") {
        return Some((0, 2));
    }
    if w == "oh" || w == "o" {
        let d = t.get(i + 1).and_then(|d| digit_word(d))?;
        return (d > 0).then_some((d, 2));
    }
    if let Some(v) = numeral(w) {
        return (w.len() == 2 && v < 60).then_some((v as u32, 1));
    }
    let (v, used) = below_hundred_at(t, i)?;
    (10..60).contains(&v).then_some((v as u32, used))
}

/// A meridiem at `t[i..]`: (is pm, part, words used).
fn meridiem_at(t: &[&str], i: usize) -> Option<(bool, usize)> {
    let at = |p: &str| starts_with(t, i, p);
    match *t.get(i)? {
        "am" => Some((false, 1)),
        "pm" => Some((true, 1)),
        "tonight" => Some((true, 1)),
        _ if at("in the morning") => Some((false, 3)),
        _ if at("in the afternoon") || at("in the evening") => Some((true, 3)),
        _ if at("at night") => Some((true, 2)),
        _ => None,
    }
}

/// A clock time at `t[i..]` before the half of the day is settled: (hour, minute, is pm if said,
/// 24-hour numeral, words used).
struct Clock {
    hour: u32,
    minute: u32,
    pm: Option<bool>,
    exact: bool,
    used: usize,
    /// Only an hour was said ("nine", "9 am" counts as more).
    bare: bool,
}

fn clock_at(t: &[&str], i: usize) -> Option<Clock> {
    let w = *t.get(i)?;
    let fixed = |hour, used| Clock {
        hour,
        minute: 0,
        pm: None,
        exact: true,
        used,
        bare: false,
    };
    match w {
        "noon" | "midday" => return Some(fixed(12, 1)),
        "midnight" => return Some(fixed(0, 1)),
        _ => {}
    }
    // "half past nine", "quarter to ten", "twenty past nine", "ten to ten"
    let (before, used) = match w {
        "half" => (Some(30), 1),
        "quarter" => (Some(15), 1),
        "a" if t.get(i + 1) == Some(&"quarter") => (Some(15), 2),
        _ => match below_hundred_at(t, i) {
            Some((v, u)) if (1..30).contains(&v) => {
                let k = i + u;
                let said_minutes = matches!(t.get(k), Some(&"minutes" | &"minute"));
                let k = if said_minutes { k + 1 } else { k };
                if (said_minutes || v % 5 == 0)
                    && matches!(t.get(k), Some(&"past" | &"after" | &"to" | &"till" | &"of"))
                {
                    (Some(v as u32), k - i)
                } else {
                    (None, 0)
                }
            }
            _ => (None, 0),
        },
    };
    if let Some(m) = before {
        let k = i + used;
        let dir = *t.get(k)?;
        let (h, hu, _) = hour_at(t, k + 1)?;
        let mut c = match dir {
            "past" | "after" if m != 30 || w == "half" => Clock {
                hour: h,
                minute: m,
                pm: None,
                exact: false,
                used: k + 1 + hu - i,
                bare: false,
            },
            "to" | "till" | "of" if w != "half" => {
                let h = if h == 0 { 23 } else { h - 1 };
                Clock {
                    hour: h,
                    minute: 60 - m,
                    pm: None,
                    exact: false,
                    used: k + 1 + hu - i,
                    bare: false,
                }
            }
            _ => return None,
        };
        if c.hour == 0 && dir != "past" && dir != "after" {
            c.hour = 12;
        }
        if let Some((pm, mu)) = meridiem_at(t, i + c.used) {
            c.pm = Some(pm);
            c.used += mu;
        }
        return Some(c);
    }
    let (hour, hu, numeric) = hour_at(t, i)?;
    let mut c = Clock {
        hour,
        minute: 0,
        pm: None,
        exact: numeric && (hour == 0 || hour > 12),
        used: hu,
        bare: true,
    };
    if let Some((m, mu)) = minutes_at(t, i + hu) {
        c.minute = m;
        c.used += mu;
        c.bare = false;
    }
    if let Some((pm, mu)) = meridiem_at(t, i + c.used) {
        c.pm = Some(pm);
        c.used += mu;
        c.bare = false;
    }
    Some(c)
}

/// The clock time `c` in 24 hours, by the rules in this module's documentation.
fn resolve(c: &Clock, part: Option<PartOfDay>) -> NaiveTime {
    if c.exact {
        return hm(c.hour, c.minute);
    }
    let h12 = c.hour % 12;
    let pm =
        c.pm.or(part.map(|p| p != PartOfDay::Morning))
            .unwrap_or(!(7..=11).contains(&c.hour));
    hm(if pm { h12 + 12 } else { h12 }, c.minute)
}

/// What the caller said about the time of day, found anywhere in `t` (words outside `skip`):
/// the time (a clock time, else the part-of-day window), the part of the day, and the words
/// it took. `standalone` lets a bare hour count without "at".
pub(crate) fn find_time(
    t: &[&str],
    skip: Option<(usize, usize)>,
    standalone: bool,
) -> (Option<TimeSpec>, Option<PartOfDay>, Vec<(usize, usize)>) {
    let outside = |i: usize| skip.is_none_or(|(a, b)| i < a || i >= b);
    let mut part = None;
    let mut window = None;
    let mut spans = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if outside(i)
            && let Some((w, p, used)) = part_at(t, i)
        {
            // "in the morning" right after a clock time belongs to the clock; still a part.
            if window.is_none() {
                window = Some(w);
                part = p;
            }
            spans.push((i, i + used));
            i += used;
        } else {
            i += 1;
        }
    }
    let mut clock = None;
    let mut i = 0;
    while i < t.len() {
        if outside(i)
            && !spans.iter().any(|(a, b)| i >= *a && i < *b)
            && let Some(c) = clock_at(t, i)
        {
            let cue = i > 0
                && matches!(
                    t[i - 1],
                    "at" | "around" | "by" | "after" | "before" | "for" | "about"
                );
            if !c.bare || cue || standalone {
                spans.push((i, i + c.used));
                clock = Some(c);
                break;
            }
        }
        i += 1;
    }
    match clock {
        Some(c) => {
            let time = resolve(&c, part);
            (Some(TimeSpec::At { time }), part, spans)
        }
        None => (window, part, spans),
    }
}

/// The time in what the caller said: a clock time, else a part-of-day window; `None` when
/// neither is there. A bare hour counts ("nine" → 9:00, "three" → 15:00).
pub fn parse_time(text: &str) -> Option<TimeSpec> {
    let w = words(text);
    find_time(&as_strs(&w), None, true).0
}
