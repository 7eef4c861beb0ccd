//! Yes or no, as callers say them.
//!
//! Negative phrases are looked for first, so "not right" and "that's not correct" are no even
//! though "right" and "correct" are yes words. When the words say both ("yes no", "yeah, no"),
//! the answer is `None` and the step asks again: a confirmation must not be guessed.

use super::{as_strs, starts_with, words};

/// A confirmation's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    Yes,
    No,
}

/// Phrases that mean no; longer ones first so they win over the yes words inside them.
pub(crate) const NO_PHRASES: &[&str] = &[
    "that's not right",
    "that is not right",
    "that's not correct",
    "that is not correct",
    "that's wrong",
    "that is wrong",
    "no thank you",
    "no thanks",
    "not really",
    "not right",
    "not correct",
    "not now",
    "i don't",
    "i do not",
    "don't",
    "do not",
    "incorrect",
    "wrong",
    "negative",
    "nope",
    "nah",
    "no",
    "cancel that",
];

/// Phrases that mean yes.
pub(crate) const YES_PHRASES: &[&str] = &[
    "that's right",
    "that is right",
    "that's correct",
    "that is correct",
    "sounds good",
    "go ahead",
    "of course",
    "please do",
    "yes please",
    "uh huh",
    "i do",
    "yes",
    "yeah",
    "yep",
    "yup",
    "ya",
    "sure",
    "correct",
    "right",
    "okay",
    "ok",
    "absolutely",
    "affirmative",
    "definitely",
    "alright",
];

/// Phrases that say the caller does not know: neither yes nor no.
const UNSURE: &[&str] = &["not sure", "don't know", "do not know", "no idea", "maybe"];

/// Which answers the words give, scanning phrases left to right (each word used once). Unsure
/// phrases count as both, so they never give an answer.
pub(crate) fn answers(t: &[&str]) -> (bool, bool) {
    let (mut yes, mut no) = (false, false);
    let mut i = 0;
    'scan: while i < t.len() {
        if let Some(p) = UNSURE.iter().find(|p| starts_with(t, i, p)) {
            yes = true;
            no = true;
            i += p.split(' ').count();
            continue;
        }
        for (list, flag) in [(NO_PHRASES, &mut no), (YES_PHRASES, &mut yes)] {
            if let Some(p) = list.iter().find(|p| starts_with(t, i, p)) {
                *flag = true;
                i += p.split(' ').count();
                continue 'scan;
            }
        }
        i += 1;
    }
    (yes, no)
}

/// Yes, no, or `None` when the words say neither or both.
pub fn parse_yes_no(text: &str) -> Option<YesNo> {
    let w = words(text);
    match answers(&as_strs(&w)) {
        (true, false) => Some(YesNo::Yes),
        (false, true) => Some(YesNo::No),
        _ => None,
    }
}
