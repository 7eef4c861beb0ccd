//! Spoken numbers, digit strings and ordinals, read back from words.
//!
//! The word tables are [`crate::speech`]'s (the reverse direction), so what CareLine says and
//! what it understands use the same words. Rules:
//! - A cardinal is read strictly, as [`crate::speech::cardinal`] writes it, with an optional
//!   "and" after "hundred"/"thousand" and "a" for one ("a hundred"): "twenty three" → 23,
//!   "one hundred five" → 105. Adjacent numbers that do not form one number ("nine thirty")
//!   are two numbers, never added together.
//! - A digit string is read one item at a time: a digit word ("zero" and "oh" are 0), "double"
//!   or "triple" before a digit word, a numeral, or a number below one hundred said as a
//!   number ("twenty three" → "23", "fourteen" → "14"); "hundred" and "thousand" after a
//!   digit add "00" and "000" ("five hundred" → "500").
//! - An ordinal is an ordinal word ("fourteenth"), tens and an ordinal unit ("twenty first"),
//!   or a numeral with its suffix ("21st"), optionally after "the".

use super::{FILLERS, ONES, TENS, as_strs, words};
use crate::speech;

/// 0–19 from its word ("zero" … "nineteen"), from `speech`'s table.
pub(crate) fn ones_word(w: &str) -> Option<u64> {
    ONES.iter().position(|o| *o == w).map(|v| v as u64)
}

/// 20, 30 … 90 from its word.
pub(crate) fn tens_word(w: &str) -> Option<u64> {
    TENS.iter()
        .position(|t| !t.is_empty() && *t == w)
        .map(|v| 10 * v as u64)
}

/// A single digit from a digit word or a one-digit numeral; "oh" and "o" are zero.
pub(crate) fn digit_word(w: &str) -> Option<u32> {
    match w {
        "oh" | "o" => Some(0),
        _ if w.len() == 1 && w.as_bytes()[0].is_ascii_digit() => {
            Some(u32::from(w.as_bytes()[0] - b'0'))
        }
        _ => ones_word(w).filter(|v| *v < 10).map(|v| v as u32),
    }
}

/// A whole numeral ("1958"), up to 18 digits so it always fits.
pub(crate) fn numeral(w: &str) -> Option<u64> {
    if !w.is_empty() && w.len() <= 18 && w.bytes().all(|b| b.is_ascii_digit()) {
        w.parse().ok()
    } else {
        None
    }
}

/// A number below one hundred said as words at `t[i..]`: (value, words used).
pub(crate) fn below_hundred_at(t: &[&str], i: usize) -> Option<(u64, usize)> {
    let w = *t.get(i)?;
    if let Some(v) = ones_word(w) {
        return Some((v, 1));
    }
    let tens = tens_word(w)?;
    match t.get(i + 1).and_then(|u| ones_word(u)) {
        Some(u) if (1..10).contains(&u) => Some((tens + u, 2)),
        _ => Some((tens, 1)),
    }
}

/// 1–999 as words at `t[i..]` ("a hundred" counts as one hundred).
fn below_thousand_at(t: &[&str], i: usize) -> Option<(u64, usize)> {
    let (head, used) = match t.get(i) {
        Some(&"a") if t.get(i + 1) == Some(&"hundred") => (1, 1),
        _ => below_hundred_at(t, i)?,
    };
    if (1..10).contains(&head) && t.get(i + used) == Some(&"hundred") {
        let mut k = i + used + 1;
        if t.get(k) == Some(&"and") && below_hundred_at(t, k + 1).is_some() {
            k += 1;
        }
        match below_hundred_at(t, k) {
            Some((rest, n)) if rest > 0 => Some((head * 100 + rest, k + n - i)),
            _ => Some((head * 100, k - i)),
        }
    } else if head == 1 && t.get(i) == Some(&"a") {
        None
    } else {
        Some((head, used))
    }
}

/// The longest cardinal at `t[i..]`: (value, words used). Numerals count; values stay below
/// one million.
pub(crate) fn cardinal_at(t: &[&str], i: usize) -> Option<(u64, usize)> {
    if let Some(v) = t.get(i).and_then(|w| numeral(w)) {
        return Some((v, 1));
    }
    let (head, used) = match t.get(i) {
        Some(&"a") if t.get(i + 1) == Some(&"thousand") => (1, 1),
        _ => below_thousand_at(t, i)?,
    };
    if head > 0 && t.get(i + used) == Some(&"thousand") {
        let mut k = i + used + 1;
        if t.get(k) == Some(&"and") && below_thousand_at(t, k + 1).is_some() {
            k += 1;
        }
        match below_thousand_at(t, k) {
            Some((rest, n)) if rest > 0 => Some((head * 1000 + rest, k + n - i)),
            _ => Some((head * 1000, k - i)),
        }
    } else {
        Some((head, used))
    }
}

/// An ordinal word below one hundred that stands alone: "first" … "nineteenth", "twentieth" …
/// "ninetieth" (from [`speech::ordinal`]), or a numeral with its suffix ("14th").
pub(crate) fn ordinal_word(w: &str) -> Option<u32> {
    if let Some(stem) = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| w.strip_suffix(s))
        && let Some(v) = numeral(stem)
    {
        return u32::try_from(v).ok();
    }
    (1..20u64)
        .chain((2..10).map(|t| t * 10))
        .find(|n| speech::ordinal(*n) == w)
        .map(|n| n as u32)
}

/// An ordinal at `t[i..]` without "the": "fourteenth", "twenty first", "21st".
pub(crate) fn ordinal_at(t: &[&str], i: usize) -> Option<(u32, usize)> {
    let w = *t.get(i)?;
    if let Some(tens) = tens_word(w)
        && let Some(unit) = t.get(i + 1).and_then(|u| ordinal_word(u))
        && (1..10).contains(&unit)
        && !t[i + 1].starts_with(|c: char| c.is_ascii_digit())
    {
        return Some((tens as u32 + unit, 2));
    }
    ordinal_word(w).map(|v| (v, 1))
}

/// The words of `text` without fillers.
fn meaningful(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| !FILLERS.contains(&w.as_str()))
        .collect()
}

/// A spoken number: "twenty three" → 23, "one hundred five" → 105, "two thousand twenty six" →
/// 2026, "42" → 42. When the words are not one cardinal, they are read as a digit string
/// ([`parse_digits`]): "oh four" → 4, "double five" → 55, "one two three" → 123. `None` for
/// anything else, or a value too large for a `u64`.
pub fn parse_number(text: &str) -> Option<u64> {
    let w = meaningful(text);
    let t = as_strs(&w);
    if let Some((v, used)) = cardinal_at(&t, 0)
        && used == t.len()
    {
        return Some(v);
    }
    let digits = digits_of(&t)?;
    if digits.len() > 19 {
        return None;
    }
    digits.parse().ok()
}

/// Words that may surround a spoken digit string without changing it.
const DIGIT_NOISE: &[&str] = &[
    "my", "number", "is", "it's", "its", "it", "the", "id", "code", "member", "account", "pin",
    "that's", "and", "dash", "i", "think", "zip",
];

/// A spoken digit string: "one two three four" → "1234", "oh four" → "04", "double five" → "55",
/// "triple nine" → "999", "five five five twenty three hundred" → "5552300", "12 34" → "1234".
///
/// Fillers and words that introduce a number ("my", "number", "is", "the", "code"…) are
/// skipped; any other word makes the whole answer `None` rather than a guess, as does a string
/// without digits.
pub fn parse_digits(text: &str) -> Option<String> {
    let w: Vec<String> = meaningful(text)
        .into_iter()
        .filter(|w| !DIGIT_NOISE.contains(&w.as_str()))
        .collect();
    digits_of(&as_strs(&w))
}

pub(crate) fn digits_of(t: &[&str]) -> Option<String> {
    let mut out = String::new();
    let mut i = 0;
    while i < t.len() {
        let w = t[i];
        if let Some(times) = match w {
            "double" => Some(2),
            "triple" => Some(3),
            _ => None,
        } {
            let d = t.get(i + 1).and_then(|n| digit_word(n))?;
            for _ in 0..times {
                out.push(char::from(b'0' + d as u8));
            }
            i += 2;
        } else if let Some(d) = digit_word(w) {
            out.push(char::from(b'0' + d as u8));
            i += 1;
        } else if w.bytes().all(|b| b.is_ascii_digit()) && !w.is_empty() {
            out.push_str(w);
            i += 1;
        } else if (w == "hundred" || w == "thousand") && !out.is_empty() {
            out.push_str(if w == "hundred" { "00" } else { "000" });
            i += 1;
        } else if let Some((v, used)) = below_hundred_at(t, i) {
            out.push_str(&v.to_string());
            i += used;
        } else {
            return None;
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

/// An ordinal: "the fourteenth" → 14, "twenty first" → 21, "twenty-first" → 21, "3rd" → 3,
/// "thirtieth" → 30. Every word must belong to it ("the" and fillers aside).
pub fn parse_ordinal(text: &str) -> Option<u32> {
    let w = meaningful(text);
    let mut t = as_strs(&w);
    if t.first() == Some(&"the") {
        t.remove(0);
    }
    match ordinal_at(&t, 0) {
        Some((v, used)) if used == t.len() => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cardinals_read_back_what_speech_writes() {
        for n in (0..=20_000u64).chain([99_999, 100_000, 123_456, 999_999]) {
            let spoken = speech::cardinal(n);
            assert_eq!(parse_number(&spoken), Some(n), "{spoken}");
        }
    }

    #[test]
    fn ordinals_read_back_what_speech_writes() {
        for n in 1..=99u32 {
            let spoken = speech::ordinal_day(n);
            assert_eq!(parse_ordinal(&spoken), Some(n), "{spoken}");
            assert_eq!(parse_ordinal(&format!("the {spoken}")), Some(n), "{spoken}");
        }
    }

    #[test]
    fn digit_strings() {
        assert_eq!(parse_digits("one two three four").as_deref(), Some("1234"));
        assert_eq!(parse_digits("oh four").as_deref(), Some("04"));
        assert_eq!(parse_digits("zero zero seven").as_deref(), Some("007"));
        assert_eq!(parse_digits("double five one").as_deref(), Some("551"));
        assert_eq!(parse_digits("triple nine").as_deref(), Some("999"));
        assert_eq!(parse_digits("my pin is 12 34").as_deref(), Some("1234"));
        assert_eq!(parse_digits("five hundred").as_deref(), Some("500"));
        assert_eq!(parse_digits("one two banana"), None);
        assert_eq!(parse_digits("double"), None);
        assert_eq!(parse_digits(""), None);
        assert_eq!(parse_number("oh four"), Some(4));
        assert_eq!(parse_number("double five"), Some(55));
        assert_eq!(parse_number("one hundred and five"), Some(105));
        assert_eq!(parse_number("a hundred"), Some(100));
        assert_eq!(parse_number("a"), None);
        assert_eq!(parse_number("nine thirty"), Some(930));
    }
}
