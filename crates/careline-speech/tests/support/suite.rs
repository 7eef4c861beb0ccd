//! The speech accuracy suite's shared parts (examples/accuracy.rs and tests/voices.rs): the
//! dialogue steps with the demo practice's names, synthetic callers made by
//! tests/speech/synth.py, and what a recognized sentence means, in one comparable form.
//!
//! Everything compares [`Answer`]s: what the step's parser (`understand`, `parse_yes_no`,
//! `parse_digits`, `parse_dob`, `parse_date`/`parse_time`, `match_name`) made of a sentence.
//! The example takes the expected answer from the grammar's tags (and checks the spoken
//! sentence's own parse agrees); the test from a hand-written expectation.

#![allow(dead_code)] // each user takes a different part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use careline_call::understanding::grammar::Sentence;
use careline_call::understanding::intent::match_name;
use careline_call::understanding::{
    Context, Intent, Step, TimeSpec, YesNo, parse_date, parse_digits, parse_dob, parse_time,
    parse_yes_no, understand, words,
};
use careline_speech::{Model, vendored_model_dir};
use chrono::{Datelike, NaiveDate};

/// The demo practice's providers (src/demo/practice.rs: Capitol Eye Care).
pub const DEMO_PROVIDERS: &[&str] = &["Dr. Priya Patel", "Dr. Marcus Chen"];
/// The demo patient's medications (src/demo/clinical.rs: Eleanor Brooks).
pub const DEMO_MEDICATIONS: &[&str] = &[
    "Latanoprost 0.005% ophthalmic solution",
    "Alprazolam 0.25 mg tablet",
];

/// Words of the demo practice's names that the vendored dictionary (CMUdict) lacks, with
/// pronunciations written for the suite. Without them `Decoder::with_grammar` refuses the
/// intent, provider and medication grammars (`UnknownWords`): see [`model_for_suite`].
pub const SUITE_LEXICON: &[(&str, &str)] = &[
    ("priya", "P R IY Y AH"),
    ("latanoprost", "L AH T AE N AH P R AA S T"),
    ("alprazolam", "AE L P R AE Z AH L AE M"),
];

/// The caller voices the suite uses by default: Piper's joe and an espeak-ng variant.
pub const DEFAULT_VOICES: &[&str] = &["piper-joe", "espeak-en-us+m3"];

/// A kind of dialogue step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Intent,
    YesNo,
    Digits,
    DateOfBirth,
    DateTime,
    Provider,
    Medication,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Intent,
        Kind::YesNo,
        Kind::Digits,
        Kind::DateOfBirth,
        Kind::DateTime,
        Kind::Provider,
        Kind::Medication,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Intent => "intent",
            Kind::YesNo => "yes_no",
            Kind::Digits => "digits",
            Kind::DateOfBirth => "date_of_birth",
            Kind::DateTime => "date_time",
            Kind::Provider => "provider",
            Kind::Medication => "medication",
        }
    }
}

/// The names the steps hear and the day dates are resolved against (never the clock).
pub struct Practice {
    pub today: NaiveDate,
    pub providers: Vec<String>,
    pub medications: Vec<String>,
}

impl Practice {
    pub fn demo(today: NaiveDate) -> Practice {
        Practice {
            today,
            providers: DEMO_PROVIDERS.iter().map(|s| s.to_string()).collect(),
            medications: DEMO_MEDICATIONS.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn step(&self, kind: Kind) -> Step<'_> {
        match kind {
            Kind::Intent => Step::Intent {
                providers: &self.providers,
            },
            Kind::YesNo => Step::YesNo,
            Kind::Digits => Step::Digits,
            Kind::DateOfBirth => Step::DateOfBirth,
            Kind::DateTime => Step::DateTime,
            Kind::Provider => Step::Provider {
                names: &self.providers,
            },
            Kind::Medication => Step::Medication {
                names: &self.medications,
            },
        }
    }

    fn context(&self) -> Context<'_> {
        Context {
            providers: &self.providers,
            medications: &self.medications,
            ..Context::new(self.today)
        }
    }

    /// What the step's parser makes of `text`.
    pub fn answer(&self, kind: Kind, text: &str) -> Answer {
        let mut slots = BTreeMap::new();
        let primary = match kind {
            Kind::Intent => {
                let u = understand(text, &self.context());
                let s = &u.slots;
                let mut put = |k: &'static str, v: Option<String>| {
                    if let Some(v) = v {
                        slots.insert(k, v);
                    }
                };
                put("date", s.date.map(|d| format!("{d:?}")));
                put("time", s.time.map(time_str));
                put("part", s.part_of_day.map(|p| format!("{p:?}")));
                put("provider", s.provider.clone());
                put("urgent", s.urgent.map(|u| u.to_string()));
                u.intent.map(|i| i.as_str().to_string())
            }
            Kind::YesNo => parse_yes_no(text).map(|y| yes_no_str(y).to_string()),
            Kind::Digits => parse_digits(text),
            Kind::DateOfBirth => {
                let d = parse_dob(text, self.today);
                if let Some(d) = d {
                    slots.insert("year", d.year().to_string());
                    slots.insert("month", d.month().to_string());
                    slots.insert("day", d.day().to_string());
                }
                d.map(|d| d.to_string())
            }
            Kind::DateTime => {
                let date = parse_date(text, self.today).map(|d| format!("{d:?}"));
                let time = parse_time(text).map(time_str);
                if let Some(d) = &date {
                    slots.insert("date", d.clone());
                }
                if let Some(t) = &time {
                    slots.insert("time", t.clone());
                }
                (date.is_some() || time.is_some()).then(|| {
                    format!(
                        "{} {}",
                        date.as_deref().unwrap_or("-"),
                        time.as_deref().unwrap_or("-")
                    )
                })
            }
            Kind::Provider => choice(text, &self.providers, &["any", "anyone", "no preference"]),
            Kind::Medication => choice(text, &self.medications, &["none", "neither"]),
        };
        Answer { primary, slots }
    }

    /// The answer the grammar's tags say the sentence has: its primary part only (tags say
    /// that a date or time was said, not which; slots come from the sentence's own parse).
    pub fn tagged_primary(&self, kind: Kind, s: &Sentence) -> Option<String> {
        let has = |t: &str| s.tags.iter().any(|x| x == t);
        let value = |key: &str| -> Option<u32> {
            s.tags
                .iter()
                .rev()
                .find_map(|t| t.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        };
        match kind {
            Kind::Intent => s
                .tags
                .iter()
                .find_map(|t| Intent::from_name(t))
                .map(|i| i.as_str().to_string()),
            Kind::YesNo => Some(if has("yes") { "yes" } else { "no" }.to_string()),
            Kind::Digits => Some(s.tags.concat()),
            Kind::DateOfBirth => {
                // As careline-call's tests/grammars.rs reads the same tags.
                let date = if has("digits") {
                    let d: String = s.tags.iter().filter(|t| t.len() == 1).cloned().collect();
                    let n = |a: usize, b: usize| d.get(a..b)?.parse::<u32>().ok();
                    NaiveDate::from_ymd_opt(n(4, 8)? as i32, n(0, 2)?, n(2, 4)?)
                } else {
                    let y = value("y").unwrap_or(0) as i32;
                    let year = match value("c") {
                        Some(c) => c as i32 * 100 + y,
                        None if 2000 + y <= self.today.year() => 2000 + y,
                        None => 1900 + y,
                    };
                    NaiveDate::from_ymd_opt(year, value("m")?, value("d")?)
                };
                date.filter(|d| *d <= self.today && self.today.year() - d.year() <= 130)
                    .map(|d| d.to_string())
            }
            // Tags only say which parts were said; the sentence's parse gives the values, if
            // it found the same parts.
            Kind::DateTime => {
                let agrees = parse_date(&s.text, self.today).is_some() == has("date")
                    && match parse_time(&s.text) {
                        Some(TimeSpec::At { .. }) => has("time"),
                        Some(TimeSpec::Window { .. }) => has("part") && !has("time"),
                        None => !has("time") && !has("part"),
                    };
                if agrees {
                    self.answer(kind, &s.text).primary
                } else {
                    None
                }
            }
            Kind::Provider => Some(match value("n") {
                Some(i) => self.providers.get(i as usize)?.clone(),
                None => "none".to_string(),
            }),
            Kind::Medication => Some(match value("n") {
                Some(i) => self.medications.get(i as usize)?.clone(),
                None => "none".to_string(),
            }),
        }
    }
}

fn yes_no_str(y: YesNo) -> &'static str {
    match y {
        YesNo::Yes => "yes",
        YesNo::No => "no",
    }
}

fn time_str(t: TimeSpec) -> String {
    match t {
        TimeSpec::At { time } => format!("at {}", time.format("%H:%M")),
        TimeSpec::Window { from, to } => {
            format!("{}-{}", from.format("%H:%M"), to.format("%H:%M"))
        }
    }
}

/// A name from `names`, "none" for the step's no-choice words, else nothing.
fn choice(text: &str, names: &[String], none: &[&str]) -> Option<String> {
    if let Some(n) = match_name(text, names) {
        return Some(n);
    }
    let w = words(text).join(" ");
    none.iter()
        .any(|p| format!(" {w} ").contains(&format!(" {p} ")))
        .then(|| "none".to_string())
}

/// What a sentence meant at one step: the main answer (the intent, yes or no, the digits, the
/// date of birth, the date and time, the name) and the details said with it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    pub primary: Option<String>,
    pub slots: BTreeMap<&'static str, String>,
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.primary.as_deref().unwrap_or("(nothing)"))?;
        for (k, v) in &self.slots {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

/// How the heard answer compares with the expected one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Score {
    /// The main answer is right.
    pub exact: bool,
    /// Slots of the expected answer heard with the same value.
    pub slots_right: usize,
    /// Slots of the expected answer, plus slots heard that it does not have.
    pub slots_total: usize,
}

impl Score {
    pub fn all_right(&self) -> bool {
        self.exact && self.slots_right == self.slots_total
    }
}

pub fn score(want: &Answer, got: &Answer) -> Score {
    let right = want
        .slots
        .iter()
        .filter(|(k, v)| got.slots.get(*k) == Some(v))
        .count();
    let extra = got
        .slots
        .keys()
        .filter(|k| !want.slots.contains_key(*k))
        .count();
    Score {
        exact: want.primary.is_some() && want.primary == got.primary,
        slots_right: right,
        slots_total: want.slots.len() + extra,
    }
}

/// The vendored model, its dictionary extended with [`SUITE_LEXICON`] (written to
/// `work/suite.dict`). Returns the words added.
pub fn model_for_suite(work: &Path) -> Result<(Model, Vec<&'static str>), String> {
    let dir = vendored_model_dir();
    let dict = dir.join("cmudict-en-us.dict");
    let base = Model::from_dir(dir).map_err(|e| e.to_string())?;
    let added: Vec<&'static str> = SUITE_LEXICON
        .iter()
        .filter(|(w, _)| !base.has_word(w))
        .map(|(w, _)| *w)
        .collect();
    if added.is_empty() {
        return Ok((base, added));
    }
    let mut text =
        std::fs::read_to_string(&dict).map_err(|e| format!("{}: {e}", dict.display()))?;
    for (w, p) in SUITE_LEXICON.iter().filter(|(w, _)| added.contains(w)) {
        text.push_str(&format!("{w} {p}\n"));
    }
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let path = work.join("suite.dict");
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    let model = Model::load(&dir.join("en-us"), &path).map_err(|e| e.to_string())?;
    Ok((model, added))
}

/// tests/speech/synth.py at the workspace root, or `CARELINE_SYNTH`.
pub fn synth_script() -> PathBuf {
    match std::env::var_os("CARELINE_SYNTH") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/speech/synth.py"),
    }
}

/// Why synthesis did not happen.
#[derive(Debug)]
pub enum SynthError {
    /// A voice or tool is not installed (synth.py's exit code 3), or python3 is missing.
    Setup(String),
    Failed(String),
}

impl std::fmt::Display for SynthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SynthError::Setup(m) => write!(f, "voices not installed: {m}"),
            SynthError::Failed(m) => write!(f, "synthesis failed: {m}"),
        }
    }
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn run_synth(args: &[String]) -> Result<String, SynthError> {
    let script = synth_script();
    let out = Command::new(python())
        .arg(&script)
        .args(args)
        .output()
        .map_err(|e| {
            SynthError::Setup(format!("cannot run {} {}: {e}", python(), script.display()))
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    match out.status.code() {
        Some(0) => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        Some(3) => Err(SynthError::Setup(stderr)),
        _ => Err(SynthError::Failed(format!("{}: {stderr}", out.status))),
    }
}

/// Whether these voices can speak here (synth.py --check).
pub fn check_voices(voices: &[String]) -> Result<String, SynthError> {
    let mut args = vec!["--check".to_string()];
    for v in voices {
        args.extend(["--voice".to_string(), v.clone()]);
    }
    run_synth(&args)
}

/// Speaks `(id, text)` pairs in each voice into `out/<voice>/<condition>/<id>.wav`; a
/// condition is "clean" or an SNR in dB ("20" → directory `snr20`).
pub fn synthesize(
    items: &[(String, String)],
    out: &Path,
    voices: &[String],
    conditions: &[String],
    seed: u64,
    deterministic: bool,
    extra: &[String],
) -> Result<String, SynthError> {
    std::fs::create_dir_all(out).map_err(|e| SynthError::Failed(e.to_string()))?;
    let list = out.join("sentences.jsonl");
    let mut jsonl = String::new();
    for (id, text) in items {
        jsonl += &serde_json::json!({ "id": id, "text": text }).to_string();
        jsonl.push('\n');
    }
    std::fs::write(&list, jsonl).map_err(|e| SynthError::Failed(e.to_string()))?;
    let mut args = vec![
        "--in".to_string(),
        list.display().to_string(),
        "--out".to_string(),
        out.display().to_string(),
        "--seed".to_string(),
        seed.to_string(),
    ];
    for v in voices {
        args.extend(["--voice".to_string(), v.clone()]);
    }
    for c in conditions {
        args.extend(["--snr".to_string(), c.clone()]);
    }
    if deterministic {
        args.push("--deterministic".to_string());
    }
    args.extend(extra.iter().cloned());
    run_synth(&args)
}

/// The directory name synth.py gives a condition.
pub fn condition_dir(condition: &str) -> String {
    if condition == "clean" {
        "clean".to_string()
    } else {
        format!("snr{condition}")
    }
}

/// The µ-law bytes of an 8 kHz mono µ-law WAV (format 7), after checking its format.
pub fn read_ulaw_wav(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(format!("{}: not a WAV file", path.display()));
    }
    let mut at = 12;
    let mut format_ok = false;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let body = bytes
            .get(at + 8..at + 8 + len)
            .ok_or_else(|| format!("{}: truncated", path.display()))?;
        if id == b"fmt " && body.len() >= 8 {
            let tag = u16::from_le_bytes([body[0], body[1]]);
            let channels = u16::from_le_bytes([body[2], body[3]]);
            let rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
            format_ok = tag == 7 && channels == 1 && rate == 8000;
        } else if id == b"data" {
            if !format_ok {
                return Err(format!("{}: not 8 kHz mono µ-law", path.display()));
            }
            return Ok(body.to_vec());
        }
        at += 8 + len + (len & 1);
    }
    Err(format!("{}: no data chunk", path.display()))
}
