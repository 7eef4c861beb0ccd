//! Spoken-language understanding for the voice agent: what a caller's recognized words mean
//! (an intent with its slots, a date, a time, a date of birth, yes or no, digits), and the
//! grammar each dialogue step gives the recognizer, kept in step with these parsers.
//!
//! Everything here is pure and total: no I/O, no clock (dates resolve against a `today` passed
//! in), the same words always give the same answer, and no input panics. Text comes in as the
//! recognizer wrote it; [`words`] reduces it to lowercase words first, so "9:30 A.M." and
//! "nine thirty a m" reach the parsers alike.
//!
//! - [`numbers`]: spoken numbers, digit strings and ordinals.
//! - [`dates`]: dates and ranges of dates ("next Tuesday", "the fourteenth", "next week").
//! - [`times`]: clock times and parts of the day ("half past nine", "morning").
//! - [`dob`]: a date of birth as people say it.
//! - [`yes_no`]: yes and no and their variants.
//! - [`intent`]: what the caller wants, with the slots said in the same sentence.
//! - [`grammar`]: JSGF grammars per dialogue step, their vocabulary, and an expander that lists
//!   or samples their sentences (tests and the accuracy suite use it).

pub mod dates;
pub mod dob;
pub mod grammar;
pub mod intent;
pub mod numbers;
pub mod times;
pub mod yes_no;

pub use dates::{DateSpec, parse_date};
pub use dob::parse_dob;
pub use grammar::{Step, grammar, tagged_grammar, vocabulary};
pub use intent::{Context, Intent, Slots, Understanding, understand};
pub use numbers::{parse_digits, parse_number, parse_ordinal};
pub use times::{PartOfDay, TimeSpec, parse_time};
pub use yes_no::{YesNo, parse_yes_no};

/// Text as the lowercase words the parsers read.
///
/// Curly apostrophes become straight ones; letters and digits are kept, apostrophes only inside
/// a word ("can't", "o'clock"); everything else separates words ("9:30" → "9", "30";
/// "follow-up" → "follow", "up"). A run of digits and a run of letters are separate words
/// ("9am" → "9", "am") except a numeral's ordinal suffix ("3rd", "14th" stay whole). "a m" and
/// "p m" (how "A.M." and "P.M." arrive) become "am" and "pm". Non-ASCII letters are dropped.
pub fn words(text: &str) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_digits = false;
    let flush = |cur: &mut String, raw: &mut Vec<String>| {
        let w = cur.trim_matches('\'').to_string();
        if !w.is_empty() {
            raw.push(w);
        }
        cur.clear();
    };
    for c in text.chars() {
        let c = match c {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            other => other.to_ascii_lowercase(),
        };
        if c.is_ascii_digit() {
            if !cur_digits {
                flush(&mut cur, &mut raw);
            }
            cur_digits = true;
            cur.push(c);
        } else if c.is_ascii_lowercase() || (c == '\'' && !cur_digits && !cur.is_empty()) {
            if cur_digits {
                flush(&mut cur, &mut raw);
            }
            cur_digits = false;
            cur.push(c);
        } else {
            flush(&mut cur, &mut raw);
            cur_digits = false;
        }
    }
    flush(&mut cur, &mut raw);

    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let w = &raw[i];
        let next = raw.get(i + 1).map(String::as_str);
        let is_num = w.bytes().all(|b| b.is_ascii_digit());
        if is_num && matches!(next, Some("st" | "nd" | "rd" | "th")) {
            out.push(format!("{w}{}", next.unwrap_or_default()));
            i += 2;
        } else if (w == "a" || w == "p") && next == Some("m") {
            out.push(format!("{w}m"));
            i += 2;
        } else {
            out.push(w.clone());
            i += 1;
        }
    }
    out
}

/// Words that carry no meaning in any step: hesitations and politeness.
pub(crate) const FILLERS: &[&str] = &["um", "uh", "er", "erm", "hmm", "mm", "please"];

/// Borrowed views of owned words, the form the parsers scan.
pub(crate) fn as_strs(words: &[String]) -> Vec<&str> {
    words.iter().map(String::as_str).collect()
}

/// Whether `t[i..]` starts with the words of `phrase` (space separated).
pub(crate) fn starts_with(t: &[&str], i: usize, phrase: &str) -> bool {
    phrase
        .split(' ')
        .enumerate()
        .all(|(k, p)| t.get(i + k) == Some(&p))
}

/// Where `phrase` (space separated words) first occurs in `t`, as a word range.
pub(crate) fn find_phrase(t: &[&str], phrase: &str) -> Option<(usize, usize)> {
    let n = phrase.split(' ').count();
    (0..t.len())
        .find(|&i| starts_with(t, i, phrase))
        .map(|i| (i, i + n))
}

pub(crate) use crate::speech::{MONTHS, ONES, TENS};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_normalises() {
        assert_eq!(words("9:30 A.M."), vec!["9", "30", "am"]);
        assert_eq!(words("Can’t breathe!"), vec!["can't", "breathe"]);
        assert_eq!(words("the 3rd, 9am"), vec!["the", "3rd", "9", "am"]);
        assert_eq!(words("follow-up 'please'"), vec!["follow", "up", "please"]);
        assert_eq!(words("  "), Vec::<String>::new());
        assert_eq!(words("é"), Vec::<String>::new());
        assert_eq!(words("o'clock"), vec!["o'clock"]);
    }
}
