//! Every sentence of every step's grammar is understood as its tags say, so the recognizer and
//! the parsers agree; the vocabulary is plain words; nothing panics on any input.

use careline_call::understanding::grammar::{Sentence, expand, grammar_words, strip_tags};
use careline_call::understanding::intent::match_name;
use careline_call::understanding::{
    Context, Intent, Step, TimeSpec, YesNo, grammar, parse_date, parse_digits, parse_dob,
    parse_number, parse_ordinal, parse_time, parse_yes_no, tagged_grammar, understand, vocabulary,
};
use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 11).expect("date")
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn sentences(step: &Step, n: usize) -> Vec<Sentence> {
    let s = expand(&tagged_grammar(step), n, 0x5EED).expect("grammar reads");
    assert!(!s.is_empty());
    s
}

fn has(s: &Sentence, tag: &str) -> bool {
    s.tags.iter().any(|t| t == tag)
}

fn tag_value(s: &Sentence, key: &str) -> Option<u32> {
    s.tags
        .iter()
        .rev()
        .find_map(|t| t.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
}

#[test]
fn intent_grammar_sentences_are_understood() {
    let providers = names(&["Dr. Maria Lee", "Dr. James Okafor"]);
    let ctx = Context {
        providers: &providers,
        ..Context::new(today())
    };
    let step = Step::Intent {
        providers: &providers,
    };
    for s in sentences(&step, 3000) {
        let u = understand(&s.text, &ctx);
        let want: Vec<Intent> = s.tags.iter().filter_map(|t| Intent::from_name(t)).collect();
        assert_eq!(want.len(), 1, "{s:?}");
        assert_eq!(u.intent, Some(want[0]), "{s:?}");
        assert_eq!(u.slots.date.is_some(), has(&s, "date"), "{s:?}: {u:?}");
        assert_eq!(
            u.slots.provider.is_some(),
            has(&s, "provider"),
            "{s:?}: {u:?}"
        );
        assert_eq!(
            u.slots.part_of_day.is_some(),
            has(&s, "part"),
            "{s:?}: {u:?}"
        );
        match u.slots.time {
            Some(TimeSpec::At { .. }) => assert!(has(&s, "time"), "{s:?}: {u:?}"),
            Some(TimeSpec::Window { .. }) => {
                assert!(has(&s, "part") && !has(&s, "time"), "{s:?}: {u:?}")
            }
            None => assert!(!has(&s, "time") && !has(&s, "part"), "{s:?}: {u:?}"),
        }
        if has(&s, "urgent") {
            assert_eq!(u.slots.urgent, Some(true), "{s:?}");
        }
    }
}

#[test]
fn yes_no_grammar_sentences_are_understood() {
    for s in sentences(&Step::YesNo, 10_000) {
        let want = if has(&s, "yes") {
            YesNo::Yes
        } else {
            YesNo::No
        };
        assert_eq!(parse_yes_no(&s.text), Some(want), "{s:?}");
    }
}

#[test]
fn digit_grammar_sentences_are_understood() {
    for s in sentences(&Step::Digits, 2000) {
        let want: String = s.tags.concat();
        assert_eq!(parse_digits(&s.text), Some(want), "{s:?}");
    }
}

#[test]
fn date_of_birth_grammar_sentences_are_understood() {
    for s in sentences(&Step::DateOfBirth, 4000) {
        let want = if has(&s, "digits") {
            let d: String = s.tags.iter().filter(|t| t.len() == 1).cloned().collect();
            let n = |a: usize, b: usize| d[a..b].parse::<u32>().expect("digits");
            NaiveDate::from_ymd_opt(n(4, 8) as i32, n(0, 2), n(2, 4))
        } else {
            let m = tag_value(&s, "m").expect("month");
            let d = tag_value(&s, "d").expect("day");
            let y = tag_value(&s, "y").unwrap_or(0) as i32;
            let year = match tag_value(&s, "c") {
                Some(c) => c as i32 * 100 + y,
                // Two digits: the latest such year not after today.
                None if 2000 + y <= today().year() => 2000 + y,
                None => 1900 + y,
            };
            NaiveDate::from_ymd_opt(year, m, d)
        }
        .filter(|d| *d <= today() && today().year() - d.year() <= 130);
        assert_eq!(parse_dob(&s.text, today()), want, "{s:?}");
    }
}

#[test]
fn date_time_grammar_sentences_are_understood() {
    for s in sentences(&Step::DateTime, 3000) {
        assert_eq!(
            parse_date(&s.text, today()).is_some(),
            has(&s, "date"),
            "{s:?}"
        );
        match parse_time(&s.text) {
            Some(TimeSpec::At { .. }) => assert!(has(&s, "time"), "{s:?}"),
            Some(TimeSpec::Window { .. }) => {
                assert!(has(&s, "part") && !has(&s, "time"), "{s:?}")
            }
            None => assert!(!has(&s, "time") && !has(&s, "part"), "{s:?}"),
        }
    }
}

#[test]
fn choice_grammar_sentences_are_understood() {
    let providers = names(&[
        "Dr. Maria Lee",
        "Dr. Anita Patel",
        "Dr. Raj Patel",
        "James O'Brien, NP",
        "Dr. Lee",
    ]);
    let meds = names(&[
        "Metformin 500 mg",
        "Lisinopril 10 mg tablet",
        "Vitamin D3",
        "500 mg",
    ]);
    for (step, list) in [
        (Step::Provider { names: &providers }, &providers),
        (Step::Medication { names: &meds }, &meds),
    ] {
        for s in sentences(&step, 5000) {
            let want = tag_value(&s, "n").map(|i| list[i as usize].clone());
            assert_eq!(match_name(&s.text, list), want, "{s:?}");
        }
    }
    // No names at all still gives a grammar the recognizer can load.
    let g = grammar(&Step::Medication { names: &[] });
    assert!(grammar_words(&g).is_ok(), "{g}");
}

#[test]
fn grammars_are_well_formed_and_untagged() {
    let providers = names(&["Dr. Maria Lee"]);
    let steps = [
        Step::Intent { providers: &[] },
        Step::Intent {
            providers: &providers,
        },
        Step::YesNo,
        Step::Digits,
        Step::DateOfBirth,
        Step::DateTime,
        Step::Provider { names: &providers },
        Step::Medication { names: &providers },
    ];
    for step in &steps {
        let g = grammar(step);
        assert!(g.starts_with("#JSGF V1.0;\n"), "{g}");
        assert!(g.contains("public <utterance> ="), "{g}");
        assert_eq!(g.matches("public ").count(), 1, "{g}");
        assert!(!g.contains('{') && !g.contains('}'), "{g}");
        assert_eq!(g, strip_tags(&tagged_grammar(step)));
        // Untagged, the grammar has the same sentences as tagged.
        let plain: Vec<String> = expand(&g, 50, 7)
            .expect("reads")
            .into_iter()
            .map(|s| s.text)
            .collect();
        let tagged: Vec<String> = expand(&tagged_grammar(step), 50, 7)
            .expect("reads")
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(plain, tagged);
        for w in grammar_words(&g).expect("reads") {
            assert!(plain_word(&w), "{w:?} in {g}");
        }
    }
}

fn plain_word(w: &str) -> bool {
    !w.is_empty()
        && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'\'')
        && w.bytes().filter(|b| *b == b'\'').count() <= 1
        && !w.starts_with('\'')
        && !w.ends_with('\'')
}

#[test]
fn vocabulary_is_plain_lowercase_words() {
    let v = vocabulary();
    assert!(v.len() > 150, "{}", v.len());
    for w in &v {
        assert!(plain_word(w), "{w:?}");
    }
    for w in [
        "um",
        "uh",
        "please",
        "i'd",
        "want",
        "need",
        "tuesday",
        "fourteenth",
        "nineteen",
        "yeah",
        "nope",
        "o'clock",
        "refill",
    ] {
        assert!(v.contains(w), "{w}");
    }
}

#[test]
fn expansion_is_deterministic_and_exhaustive_when_small() {
    let g = "#JSGF V1.0;\ngrammar t;\npublic <utterance> = (a | b) [c] {x};\n";
    let all = expand(g, 100, 1).expect("reads");
    let texts: Vec<&str> = all.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["a", "a c", "b", "b c"]);
    assert_eq!(all[0].tags, ["x"]);
    let big = tagged_grammar(&Step::DateTime);
    assert_eq!(expand(&big, 20, 3), expand(&big, 20, 3));
    assert!(expand("public <utterance> = (a", 5, 1).is_err());
    assert!(expand("nothing here", 5, 1).is_err());
}

proptest! {
    #[test]
    fn nothing_panics_on_any_text(s in ".*", y in 1i32..9999, m in 1u32..=12, d in 1u32..=28) {
        let today = NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today());
        let providers = vec![s.clone(), "Dr. Lee".to_string()];
        let ctx = Context { providers: &providers, medications: &providers, appointment_types: &providers, ..Context::new(today) };
        let u = understand(&s, &ctx);
        prop_assert!((0.0..=1.0).contains(&u.score));
        let _ = parse_date(&s, today);
        let _ = parse_dob(&s, today);
        let _ = parse_time(&s);
        let _ = parse_yes_no(&s);
        let _ = parse_digits(&s);
        let _ = parse_number(&s);
        let _ = parse_ordinal(&s);
        let _ = match_name(&s, &providers);
        let _ = expand(&s, 5, 1);
        let _ = grammar_words(&s);
        let g = grammar(&Step::Provider { names: &providers });
        prop_assert!(grammar_words(&g).is_ok());
    }

    #[test]
    fn nothing_panics_on_word_salad(words in proptest::collection::vec(proptest::sample::select(vec![
        "the", "of", "oh", "twenty", "first", "a", "week", "from", "in", "next", "this", "monday",
        "december", "at", "nine", "thirty", "quarter", "to", "half", "past", "am", "pm", "morning",
        "early", "late", "double", "hundred", "thousand", "nineteen", "two", "zero", "30", "99",
        "31st", "cancel", "book", "not", "yes", "no", "tomorrow", "days", "weeks", "couple",
    ]), 0..12)) {
        let s = words.join(" ");
        for today in [today(), NaiveDate::MIN, NaiveDate::MAX] {
            let _ = understand(&s, &Context::new(today));
            let _ = parse_date(&s, today);
            let _ = parse_dob(&s, today);
        }
        let _ = parse_time(&s);
        let _ = parse_digits(&s);
        let _ = parse_number(&s);
    }
}
