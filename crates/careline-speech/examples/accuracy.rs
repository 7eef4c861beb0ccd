//! The voice agent's intent-accuracy suite (issue 15): sentences generated from each dialogue
//! step's grammar (careline-call's `expand`, fixed seed), spoken by test voices that are not
//! CareLine's own (tests/speech/synth.py: Piper's joe, espeak-ng, optionally flite), put on an
//! 8 kHz µ-law line clean and with hiss, recognized with the step's grammar, understood by the
//! step's parser, and scored against the grammar's tags.
//!
//! ```text
//! tests/speech/install.sh      # once: espeak-ng, flite, sox, piper-tts + joe voice
//! cargo run --release -p careline-speech --example accuracy -- [options]
//!   --intent N         intent-step sentences (default 100)
//!   --n N              sentences for each other step kind (default 30)
//!   --kinds a,b        step kinds (intent,yes_no,digits,date_of_birth,date_time,provider,medication)
//!   --voice V          repeatable (default piper-joe, espeak-en-us+m3; also flite-slt, …)
//!   --snr C            repeatable: clean or a signal-to-noise ratio in dB (default clean and 20)
//!   --seed S           sentence sample and noise seed (default 24301)
//!   --today YYYY-MM-DD the day relative dates resolve against (default 2026-03-11; never the clock)
//!   --work DIR         audio and results (default $TMPDIR/careline-speech-accuracy; the
//!                      synthesized speech is cached there between runs)
//!   --errors N         misrecognitions listed per step kind (default 12; all go to
//!                      DIR/results.jsonl)
//!   --jobs N           decoding threads (default 1, so the timings are one decoder's)
//!   --floor DBFS       the line's hiss floor (default -60); `none` leaves digital silence
//!                      around the speech, which PocketSphinx decodes badly (docs/performance.md)
//!   --sentences KIND=FILE  sample KIND's sentences from the tagged JSGF grammar in FILE instead of
//!                      the step's own (still decoded with the step's own grammar): how callers
//!                      who say more than the grammar holds are heard, e.g. the intent
//!                      grammar of an earlier version, with its dates and times
//!   --grammar KIND=FILE    decode KIND with the tagged JSGF grammar in FILE (its tags removed)
//!                      and sample its sentences from it too, instead of the step's own: to
//!                      compare grammars on the same audio
//!   --print-grammar KIND   print the step's tagged grammar and exit
//!   --dither N         the decoders' hiss in 16-bit steps (default careline_speech::DITHER; 0: none)
//!   --set NAME=VALUE   a PocketSphinx setting for the grammar decoders (repeatable), to compare
//!                      search settings; --phone-set the same for the confidence's phone loop
//! ```
//!
//! Prints one row per step kind, voice and line condition: utterances, exact answers (the
//! intent; for other steps the whole value: yes/no, the digit string, the date of birth, the
//! date and time, the name), slot accuracy (slots said, heard with the same value, over those
//! said plus any heard that were not), answers right in every part, how many got no
//! hypothesis at all, mean confidence of right and wrong answers, and decode time p50/p95
//! (whole utterance, grammar and phone loop together). Accuracy is a figure, not a test: the
//! exit code is non-zero only when something is not set up (3: a voice missing; 2: the model
//! or a grammar refused; 1: synthesis failed).
//!
//! Words of the demo practice's names that the dictionary lacks ("priya", "latanoprost",
//! "alprazolam") are added for the run from `SUITE_LEXICON` (tests/support/suite.rs) and named
//! on stderr: the product has no pronunciations for them yet.

#[path = "../tests/support/suite.rs"]
mod suite;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use careline_call::understanding::grammar::{Sentence, expand, strip_tags};
use careline_call::understanding::{grammar, tagged_grammar};
use careline_speech::{Decoder, Model, ulaw_8k_to_16k};
use chrono::NaiveDate;
use suite::{Answer, Kind, Practice, Score};

struct Args {
    intent: usize,
    n: usize,
    kinds: Vec<Kind>,
    voices: Vec<String>,
    snrs: Vec<String>,
    seed: u64,
    today: NaiveDate,
    work: PathBuf,
    errors: usize,
    jobs: usize,
    synth_args: Vec<String>,
    sets: Vec<(String, String)>,
    phone_sets: Vec<(String, String)>,
    sentence_grammars: BTreeMap<Kind, String>,
    grammars: BTreeMap<Kind, String>,
    dither: Option<i16>,
}

fn usage(msg: &str) -> ! {
    eprintln!("accuracy: {msg}\n(see the head of examples/accuracy.rs for the options)");
    std::process::exit(2);
}

fn args() -> Args {
    let mut a = Args {
        intent: 100,
        n: 30,
        kinds: Kind::ALL.to_vec(),
        voices: Vec::new(),
        snrs: Vec::new(),
        seed: 24301,
        today: NaiveDate::from_ymd_opt(2026, 3, 11).expect("a date"),
        work: std::env::temp_dir().join("careline-speech-accuracy"),
        errors: 12,
        jobs: 1,
        synth_args: Vec::new(),
        sets: Vec::new(),
        phone_sets: Vec::new(),
        sentence_grammars: BTreeMap::new(),
        grammars: BTreeMap::new(),
        dither: None,
    };
    let kind = |k: &str| {
        Kind::ALL
            .into_iter()
            .find(|x| x.name() == k.trim())
            .unwrap_or_else(|| usage(&format!("unknown step kind {k:?}")))
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        let num = |v: String| -> usize {
            v.parse()
                .unwrap_or_else(|_| usage(&format!("{flag}: a number")))
        };
        match flag.as_str() {
            "--intent" => a.intent = num(value()),
            "--n" => a.n = num(value()),
            "--kinds" => a.kinds = value().split(',').map(kind).collect(),
            "--voice" => a.voices.push(value()),
            "--snr" => a
                .snrs
                .extend(value().split(',').map(|s| s.trim().to_string())),
            "--seed" => a.seed = num(value()) as u64,
            "--today" => {
                a.today = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--today: YYYY-MM-DD"))
            }
            "--work" => a.work = PathBuf::from(value()),
            "--errors" => a.errors = num(value()),
            "--jobs" => a.jobs = num(value()).max(1),
            "--floor" => a.synth_args.extend(["--floor".to_string(), value()]),
            "--sentences" | "--grammar" => {
                let v = value();
                let Some((k, file)) = v.split_once('=') else {
                    usage(&format!("{flag}: KIND=FILE"))
                };
                let g = std::fs::read_to_string(file)
                    .unwrap_or_else(|e| usage(&format!("{flag} {file}: {e}")));
                if flag == "--grammar" {
                    a.grammars.insert(kind(k), g.clone());
                }
                a.sentence_grammars.entry(kind(k)).or_insert(g);
            }
            "--dither" => a.dither = Some(num(value()) as i16),
            "--print-grammar" => {
                let k = kind(&value());
                print!("{}", tagged_grammar(&Practice::demo(a.today).step(k)));
                std::process::exit(0);
            }
            "--set" | "--phone-set" => {
                let v = value();
                let Some((n, v)) = v.split_once('=') else {
                    usage(&format!("{flag}: NAME=VALUE"))
                };
                let to = if flag == "--set" {
                    &mut a.sets
                } else {
                    &mut a.phone_sets
                };
                to.push((n.to_string(), v.to_string()));
            }
            "-h" | "--help" => usage("options"),
            other => usage(&format!("unknown option {other}")),
        }
    }
    if a.voices.is_empty() {
        a.voices = suite::DEFAULT_VOICES
            .iter()
            .map(|s| s.to_string())
            .collect();
    }
    if a.snrs.is_empty() {
        a.snrs = vec!["clean".to_string(), "20".to_string()];
    }
    for s in &a.snrs {
        if s != "clean" && s.parse::<f64>().is_err() {
            usage(&format!("--snr {s}: clean or a number of dB"));
        }
    }
    a
}

/// One generated utterance and what it should be understood as.
struct Utterance {
    id: String,
    kind: Kind,
    text: String,
    want: Answer,
}

/// `n` distinct sentences of `kind`'s grammar, sampled with `seed`. The intent step's are
/// spread evenly over its intents (`n` rounded up to a multiple of their number): sampled from
/// the whole grammar, sentences with dates in them would crowd out the rest.
fn sentences(
    kind: Kind,
    practice: &Practice,
    from: Option<&String>,
    n: usize,
    seed: u64,
) -> Result<Vec<Sentence>, String> {
    let g = from
        .cloned()
        .unwrap_or_else(|| tagged_grammar(&practice.step(kind)));
    if kind != Kind::Intent {
        return sample(&g, n, seed);
    }
    let (head, public) = g
        .split_once("public <utterance> =")
        .ok_or("the intent grammar has no public <utterance> rule")?;
    // `<schedule> {schedule} | <reschedule> {reschedule} | …` in the public rule.
    let alternatives: Vec<&str> = public
        .split('|')
        .filter_map(|alt| {
            let alt = alt.trim().trim_start_matches("[<pre>] (");
            alt.starts_with('<')
                .then(|| alt.split(')').next().unwrap_or(alt).trim())
        })
        .collect();
    if alternatives.is_empty() {
        return Err("no intents found in the public rule".into());
    }
    let each = n.div_ceil(alternatives.len());
    let mut out = Vec::new();
    for (i, alt) in alternatives.iter().enumerate() {
        let one = format!("{head}public <utterance> = [<pre>] ({alt}) [please];\n");
        out.extend(sample(&one, each, seed.wrapping_add(i as u64 * 104_729))?);
    }
    Ok(out)
}

/// `n` distinct sentences of a tagged grammar.
fn sample(g: &str, n: usize, seed: u64) -> Result<Vec<Sentence>, String> {
    let pool = n.saturating_mul(4).max(n + 16);
    let mut all = expand(g, pool, seed)?;
    if all.len() < pool {
        // The grammar has fewer sentences than asked for, so `expand` listed them all in
        // grammar order: shuffle them the same way every run.
        let mut x = seed | 1;
        for i in (1..all.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            all.swap(i, (x % (i as u64 + 1)) as usize);
        }
    }
    let mut seen = HashSet::new();
    Ok(all
        .into_iter()
        .filter(|s| seen.insert(s.text.clone()))
        .take(n)
        .collect())
}

/// What happened to one utterance in one voice and line condition.
struct Outcome {
    heard: Option<String>,
    confidence: f32,
    got: Answer,
    score: Score,
    ms: f64,
}

#[derive(Default)]
struct Tally {
    n: usize,
    exact: usize,
    all: usize,
    none: usize,
    slots_right: usize,
    slots_total: usize,
    conf_right: Vec<f32>,
    conf_wrong: Vec<f32>,
    ms: Vec<f64>,
}

impl Tally {
    fn add(&mut self, o: &Outcome) {
        self.n += 1;
        self.exact += usize::from(o.score.exact);
        self.all += usize::from(o.score.all_right());
        self.slots_right += o.score.slots_right;
        self.slots_total += o.score.slots_total;
        self.ms.push(o.ms);
        match (&o.heard, o.score.exact) {
            (None, _) => self.none += 1,
            (Some(_), true) => self.conf_right.push(o.confidence),
            (Some(_), false) => self.conf_wrong.push(o.confidence),
        }
    }

    fn merge(&mut self, o: &Tally) {
        self.n += o.n;
        self.exact += o.exact;
        self.all += o.all;
        self.none += o.none;
        self.slots_right += o.slots_right;
        self.slots_total += o.slots_total;
        self.conf_right.extend(&o.conf_right);
        self.conf_wrong.extend(&o.conf_wrong);
        self.ms.extend(&o.ms);
    }

    fn row(&self, label: &str) -> String {
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "—".to_string()
            } else {
                format!("{:.1} %", 100.0 * a as f64 / b as f64)
            }
        };
        let mean = |v: &[f32]| {
            if v.is_empty() {
                "—".to_string()
            } else {
                format!("{:.2}", v.iter().sum::<f32>() / v.len() as f32)
            }
        };
        let mut ms = self.ms.clone();
        ms.sort_by(f64::total_cmp);
        let q = |p: f64| {
            if ms.is_empty() {
                "—".to_string()
            } else {
                let i = ((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1;
                format!("{:.0}", ms[i])
            }
        };
        format!(
            "| {label} | {} | {} | {} | {} | {} | {} ({}) | {} ({}) | {} | {} |",
            self.n,
            pct(self.exact, self.n),
            pct(self.slots_right, self.slots_total),
            pct(self.all, self.n),
            self.none,
            mean(&self.conf_right),
            self.conf_right.len(),
            mean(&self.conf_wrong),
            self.conf_wrong.len(),
            q(0.5),
            q(0.95),
        )
    }
}

fn decode_one(
    model: &Model,
    jsgf: &str,
    wav: &std::path::Path,
) -> Result<(Option<(String, f32)>, f64), String> {
    let ulaw = suite::read_ulaw_wav(wav)?;
    let audio = ulaw_8k_to_16k(&ulaw).map_err(|e| e.to_string())?;
    // A fresh decoder per utterance, so results do not depend on the order they are heard in
    // (a decoder adapts to what it has heard).
    let mut d = Decoder::with_grammar(model, jsgf).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let hyp = d.decode(&audio).map_err(|e| e.to_string())?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    Ok((hyp.map(|h| (h.text, h.confidence)), ms))
}

fn main() -> ExitCode {
    let started = Instant::now();
    let a = args();
    let practice = Practice::demo(a.today);

    let (model, added) = match suite::model_for_suite(&a.work) {
        Ok((mut m, added)) => {
            for (n, v) in &a.sets {
                m = m.with_setting(n, v);
            }
            for (n, v) in &a.phone_sets {
                m = m.with_phone_loop_setting(n, v);
            }
            if let Some(d) = a.dither {
                m = m.with_dither(d);
            }
            (m, added)
        }
        Err(e) => {
            eprintln!("accuracy: the speech model did not load: {e}");
            return ExitCode::from(2);
        }
    };
    if !added.is_empty() {
        eprintln!(
            "accuracy: not in the pronunciation dictionary, added for this run: {} \
             (the demo practice's names; the product cannot load these grammars without them)",
            added.join(", ")
        );
    }

    // Utterances, and the grammars they are heard with.
    let mut utterances: Vec<Utterance> = Vec::new();
    let mut jsgf: BTreeMap<Kind, String> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut invalid = 0;
    for (k, kind) in a.kinds.iter().copied().enumerate() {
        let n = if kind == Kind::Intent { a.intent } else { a.n };
        let list = match sentences(
            kind,
            &practice,
            a.sentence_grammars.get(&kind),
            n,
            a.seed.wrapping_add(k as u64 * 7919),
        ) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("accuracy: the {} grammar does not read: {e}", kind.name());
                return ExitCode::from(2);
            }
        };
        let g = match a.grammars.get(&kind) {
            Some(tagged) => strip_tags(tagged),
            None => grammar(&practice.step(kind)),
        };
        if let Err(e) = Decoder::with_grammar(&model, &g) {
            eprintln!(
                "accuracy: the recognizer refuses the {} grammar: {e}",
                kind.name()
            );
            return ExitCode::from(2);
        }
        jsgf.insert(kind, g);
        let mut i = 0;
        for s in &list {
            let spoken = practice.answer(kind, &s.text);
            let tagged = practice.tagged_primary(kind, s);
            // The date-of-birth grammar also holds eight digits that are no date ("nine four
            // four nine…"), and dates after today: nothing to score them against.
            if tagged.is_none() && spoken.primary.is_none() {
                invalid += 1;
                continue;
            }
            if tagged != spoken.primary {
                disagreements.push(format!(
                    "{}: {:?} tags say {:?}, its parse says {}",
                    kind.name(),
                    s.text,
                    tagged,
                    spoken
                ));
            }
            i += 1;
            utterances.push(Utterance {
                id: format!("{}-{:03}", kind.name(), i - 1),
                kind,
                text: s.text.clone(),
                want: Answer {
                    primary: tagged,
                    slots: spoken.slots,
                },
            });
        }
    }
    eprintln!(
        "accuracy: {} utterances × {} voices × {} line conditions ({invalid} generated sentences \
         with no valid answer, such as a date of birth of eight digits that are no date, left out)",
        utterances.len(),
        a.voices.len(),
        a.snrs.len()
    );

    // Speech.
    let t = Instant::now();
    let items: Vec<(String, String)> = utterances
        .iter()
        .map(|u| (u.id.clone(), u.text.clone()))
        .collect();
    let audio = a.work.join("audio");
    match suite::synthesize(
        &items,
        &audio,
        &a.voices,
        &a.snrs,
        a.seed,
        false,
        &a.synth_args,
    ) {
        Ok(out) => eprint!("{out}"),
        Err(e @ suite::SynthError::Setup(_)) => {
            eprintln!("accuracy: {e}\n(run tests/speech/install.sh)");
            return ExitCode::from(3);
        }
        Err(e) => {
            eprintln!("accuracy: {e}");
            return ExitCode::from(1);
        }
    }
    let synth_s = t.elapsed().as_secs_f64();

    // Recognition and understanding.
    let t = Instant::now();
    let mut jobs: Vec<(usize, usize, usize)> = Vec::new(); // (voice, condition, utterance)
    for v in 0..a.voices.len() {
        for c in 0..a.snrs.len() {
            for u in 0..utterances.len() {
                jobs.push((v, c, u));
            }
        }
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let run = |&(v, c, u): &(usize, usize, usize)| -> Result<Outcome, String> {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(100) {
            eprintln!("accuracy: {n} of {} decoded", jobs.len());
        }
        let utt = &utterances[u];
        let wav = audio
            .join(&a.voices[v])
            .join(suite::condition_dir(&a.snrs[c]))
            .join(format!("{}.wav", utt.id));
        let (hyp, ms) = decode_one(&model, &jsgf[&utt.kind], &wav)?;
        let got = match &hyp {
            Some((text, _)) => practice.answer(utt.kind, text),
            None => Answer::default(),
        };
        let score = suite::score(&utt.want, &got);
        Ok(Outcome {
            confidence: hyp.as_ref().map_or(0.0, |h| h.1),
            heard: hyp.map(|h| h.0),
            got,
            score,
            ms,
        })
    };
    let chunk = jobs.len().div_ceil(a.jobs).max(1);
    let results: Vec<Result<Outcome, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&run).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a decoding thread"))
            .collect()
    });
    let decode_s = t.elapsed().as_secs_f64();

    // Tables and the misrecognitions.
    let mut by_row: BTreeMap<(Kind, usize, usize), Tally> = BTreeMap::new();
    let mut by_condition: BTreeMap<(usize, usize), Tally> = BTreeMap::new();
    let mut by_intent: BTreeMap<(String, usize), Tally> = BTreeMap::new();
    let mut errors: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    let mut log = String::new();
    for (job, r) in jobs.iter().zip(&results) {
        let (v, c, u) = *job;
        let utt = &utterances[u];
        let o = match r {
            Ok(o) => o,
            Err(e) => {
                eprintln!("accuracy: {}: {e}", utt.id);
                return ExitCode::from(1);
            }
        };
        by_row.entry((utt.kind, v, c)).or_default().add(o);
        by_condition.entry((v, c)).or_default().add(o);
        if utt.kind == Kind::Intent {
            let intent = utt.want.primary.clone().unwrap_or_default();
            by_intent.entry((intent, c)).or_default().add(o);
        }
        log += &serde_json::json!({
            "id": utt.id, "kind": utt.kind.name(), "voice": a.voices[v], "line": a.snrs[c],
            "text": utt.text, "heard": o.heard, "confidence": o.confidence,
            "want": utt.want.to_string(), "got": o.got.to_string(),
            "exact": o.score.exact, "all_right": o.score.all_right(), "decode_ms": o.ms,
        })
        .to_string();
        log.push('\n');
        if !o.score.all_right() {
            errors.entry(utt.kind).or_default().push(format!(
                "  {} {} {}: said {:?} → heard {} ({:.2}): got {} | want {}",
                utt.id,
                a.voices[v],
                a.snrs[c],
                utt.text,
                o.heard
                    .as_deref()
                    .map_or("nothing".to_string(), |h| format!("{h:?}")),
                o.confidence,
                o.got,
                utt.want
            ));
        }
    }
    let _ = std::fs::write(a.work.join("results.jsonl"), log);

    let line = |c: &str| {
        if c == "clean" {
            "clean".to_string()
        } else {
            format!("{c} dB SNR")
        }
    };
    println!(
        "\n| step | voice | line | n | exact | slots | all right | no hyp | conf right (n) | conf wrong (n) | decode p50 ms | p95 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for ((kind, v, c), t) in &by_row {
        println!(
            "{}",
            t.row(&format!(
                "{} | {} | {}",
                kind.name(),
                a.voices[*v],
                line(&a.snrs[*c])
            ))
        );
    }
    let mut total = Tally::default();
    for ((v, c), t) in &by_condition {
        println!(
            "{}",
            t.row(&format!(
                "**all steps** | {} | {}",
                a.voices[*v],
                line(&a.snrs[*c])
            ))
        );
        total.merge(t);
    }
    println!("{}", total.row("**all** | all | all"));

    if !by_intent.is_empty() {
        println!("\nThe intent step by intent (all voices):\n");
        println!(
            "| intent | line | n | exact | slots | all right | no hyp | conf right (n) | conf wrong (n) | decode p50 ms | p95 ms |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        for ((intent, c), t) in &by_intent {
            println!("{}", t.row(&format!("{intent} | {}", line(&a.snrs[*c]))));
        }
    }
    if !disagreements.is_empty() {
        println!(
            "\n{} generated sentences whose own parse disagrees with their tags (a grammar/parser mismatch, not recognition):",
            disagreements.len()
        );
        for d in &disagreements {
            println!("  {d}");
        }
    }
    for (kind, list) in &errors {
        println!(
            "\n{}: {} utterance(s) not right in every part{}",
            kind.name(),
            list.len(),
            if list.len() > a.errors {
                format!(", first {}", a.errors)
            } else {
                String::new()
            }
        );
        for e in list.iter().take(a.errors) {
            println!("{e}");
        }
    }
    println!(
        "\n{} utterances × {} voices × {} line conditions = {} decodes; seed {}, today {}; \
         synthesis {:.0} s, decoding {:.0} s ({} thread(s)), wall {:.0} s; every result in {}",
        utterances.len(),
        a.voices.len(),
        a.snrs.len(),
        jobs.len(),
        a.seed,
        a.today,
        synth_s,
        decode_s,
        a.jobs,
        started.elapsed().as_secs_f64(),
        a.work.join("results.jsonl").display()
    );
    ExitCode::SUCCESS
}
