//! Benchmark (not a test): simulated callers on one media thread, each speaking the fixture
//! phrases in real time (a 20 ms frame per caller per tick) with pauses of line hiss between,
//! recognized with the dialogue steps' real grammars (intent, yes/no, digits: careline-call),
//! through a Listener each and a RecognizerPool. Reports, per run, the wait from the
//! listener's end of speech to the recognized result (p50/p95/p99), the same plus the
//! end-of-speech wait itself (what the caller waits), how long the media thread's tick took,
//! frames dropped, and how many results were right.
//!
//!   cargo run --release -p careline-speech --example listen_bench -- [callers] [seconds] [threads]
//!   cargo run --release -p careline-speech --example listen_bench -- sweep [seconds] [threads]
//!
//! Without `sweep`: one run with the phone-loop confidence and one without. With `sweep`:
//! 10, 20… 50, 75… callers each way until p99 passes 600 ms; the last count under it is printed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use careline_call::understanding::{
    self, Context, Intent, Step, YesNo, parse_digits, parse_yes_no, understand,
};
use careline_speech::{
    Event, Listener, ListenerConfig, Model, Options, RecognizerPool, ulaw_decode,
};

fn fixture(name: &str) -> Vec<i16> {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/{name}.wav",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // make.sh writes RIFF, fmt (18 bytes), fact, data: the samples start at byte 58.
    assert_eq!(&bytes[50..54], b"data");
    bytes[58..].iter().map(|&b| ulaw_decode(b)).collect()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// One phrase a caller says: its grammar and what counts as right.
struct Phrase {
    audio: Vec<i16>,
    grammar: Arc<str>,
    /// Whether what was heard means what was said (the step's own parser).
    right: fn(&str) -> bool,
}

/// The fixtures with the dialogue steps' real grammars (careline-call's `understanding`):
/// the intent step (no providers, as the engine asks today), yes/no and digits, each heard
/// right when the step's parser makes of it what was said.
fn phrases() -> Vec<Phrase> {
    let g = |step: &Step| -> Arc<str> { understanding::grammar(step).into() };
    let intents = g(&Step::Intent { providers: &[] });
    let yes_no = g(&Step::YesNo);
    let digits = g(&Step::Digits);
    fn intent(text: &str) -> Option<Intent> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 11).expect("a date");
        understand(text, &Context::new(today)).intent
    }
    vec![
        Phrase {
            audio: fixture("refill"),
            grammar: intents.clone(),
            right: |t| intent(t) == Some(Intent::PrescriptionRefill),
        },
        Phrase {
            audio: fixture("move"),
            grammar: intents,
            right: |t| intent(t) == Some(Intent::Reschedule),
        },
        Phrase {
            audio: fixture("yes"),
            grammar: yes_no.clone(),
            right: |t| parse_yes_no(t) == Some(YesNo::Yes),
        },
        Phrase {
            audio: fixture("no"),
            grammar: yes_no,
            right: |t| parse_yes_no(t) == Some(YesNo::No),
        },
        Phrase {
            audio: fixture("digits"),
            grammar: digits,
            right: |t| parse_digits(t).as_deref() == Some("1234"),
        },
    ]
}

/// A caller's whole call: hiss, a phrase, hiss, a phrase… and where each phrase ends.
struct Script {
    audio: Vec<i16>,
    /// (last frame of the phrase, phrase index), in order.
    phrases: Vec<(u64, usize)>,
}

fn script(rng: &mut Rng, phrases: &[Phrase], seconds: u32) -> Script {
    let total = seconds as usize * 8000;
    let mut audio = Vec::with_capacity(total + 8000 * 4);
    let mut marks = Vec::new();
    loop {
        // A pause of 0.6–2.6 s (the prompt, the caller thinking), as line hiss.
        let pause = 4800 + rng.below(16_000) as usize;
        let mut seed = rng.next();
        audio.extend((0..pause).map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (f32::from((seed >> 16) as u16 as i16) * 0.002) as i16
        }));
        let which = rng.below(phrases.len() as u32) as usize;
        let p = &phrases[which].audio;
        if audio.len() + p.len() + 8000 > total {
            break;
        }
        audio.extend_from_slice(p);
        marks.push(((audio.len() / 160) as u64, which));
    }
    audio.resize(total.div_ceil(160) * 160, 0);
    Script {
        audio,
        phrases: marks,
    }
}

struct Caller {
    script: Script,
    listener: Listener,
    call: careline_speech::CallRecognizer,
    expected: usize,
    pending: Vec<(
        careline_speech::PendingResult,
        usize,
        f64, /* end-of-speech wait, ms */
    )>,
}

#[derive(Default)]
struct Run {
    wait_ms: Vec<f64>,
    caller_ms: Vec<f64>,
    tick_ms: Vec<f64>,
    right: usize,
    wrong: usize,
    none: usize,
    degraded: usize,
    errors: usize,
    late_ticks: usize,
    /// Frames handed to the pool, and the process's CPU time over the run (ms).
    fed: u64,
    cpu_ms: f64,
}

/// This process's CPU time (user + system), in ms (Linux).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 (utime, stime) are 11 and 12 after the ')'; 100 ticks a second.
    (ticks(11) + ticks(12)) * 10.0
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[(((v.len() as f64) * p).ceil() as usize).clamp(1, v.len()) - 1]
}

fn run(
    model: &Model,
    phrases: &[Phrase],
    callers: usize,
    seconds: u32,
    threads: usize,
    options: Options,
) -> Run {
    let pool = RecognizerPool::new(model, threads);
    let mut rng = Rng(42);
    let mut cs: Vec<Caller> = (0..callers)
        .map(|_| Caller {
            script: script(&mut rng, phrases, seconds),
            listener: Listener::new(&ListenerConfig::default()).unwrap(),
            call: pool.call(),
            expected: 0,
            pending: Vec::new(),
        })
        .collect();
    let mut out = Run::default();
    let cpu0 = cpu_ms();
    let ticks = seconds as u64 * 50 + 50; // a second more for the last results
    let start = Instant::now();
    let frame_len = Duration::from_millis(20);
    for tick in 0..ticks {
        let due = start + frame_len * tick as u32;
        let now = Instant::now();
        if now < due {
            std::thread::sleep(due - now);
        } else if now - due > frame_len {
            out.late_ticks += 1;
        }
        let t = Instant::now();
        for c in &mut cs {
            let at = tick as usize * 160;
            let frame: &[i16] = c.script.audio.get(at..at + 160).unwrap_or(&[0; 160]);
            let ev = c.listener.push(frame);
            if let Some(Event::Onset {
                at_frame,
                preroll_8k,
            }) = &ev
            {
                // The phrase this speech belongs to: the first not yet over.
                let which = c
                    .script
                    .phrases
                    .iter()
                    .find(|(end, _)| *end + 5 >= *at_frame)
                    .map_or(0, |&(_, w)| w);
                c.expected = which;
                c.call.begin(Arc::clone(&phrases[which].grammar), options);
                for f in preroll_8k.chunks(160) {
                    c.call.feed(f);
                    out.fed += 1;
                }
            }
            if c.listener.capturing() {
                c.call.feed(frame);
                out.fed += 1;
            }
            match ev {
                Some(Event::Utterance(u)) => {
                    let lag = (u.ended_at_frame - u.last_speech_frame) as f64 * 20.0;
                    c.pending.push((c.call.end(), c.expected, lag));
                }
                Some(Event::Discarded { .. }) => c.call.cancel(),
                _ => {}
            }
        }
        out.tick_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        // Collect what has arrived (its wait was timed by the pool, not by this poll).
        for c in &mut cs {
            c.pending.retain_mut(|(p, which, lag)| match p.try_recv() {
                Ok(Ok(heard)) => {
                    out.wait_ms.push(f64::from(heard.wait_ms));
                    out.caller_ms.push(f64::from(heard.wait_ms) + *lag);
                    if heard.degraded() {
                        out.degraded += 1;
                    }
                    match heard.recognized {
                        Some(r) if (phrases[*which].right)(&r.text) => out.right += 1,
                        Some(_) => out.wrong += 1,
                        None => out.none += 1,
                    }
                    false
                }
                Ok(Err(_)) => {
                    out.errors += 1;
                    false
                }
                Err(tokio::sync::oneshot::error::TryRecvError::Empty) => true,
                Err(_) => {
                    out.errors += 1;
                    false
                }
            });
        }
    }
    // Anything still out after the extra second is waited for, and counted as it comes.
    for c in &mut cs {
        for (p, which, lag) in c.pending.drain(..) {
            let t = Instant::now();
            match p.blocking_recv() {
                Ok(Ok(heard)) => {
                    let w = f64::from(heard.wait_ms).max(t.elapsed().as_secs_f64() * 1000.0);
                    out.wait_ms.push(w);
                    out.caller_ms.push(w + lag);
                    match heard.recognized {
                        Some(r) if (phrases[which].right)(&r.text) => out.right += 1,
                        Some(_) => out.wrong += 1,
                        None => out.none += 1,
                    }
                }
                _ => out.errors += 1,
            }
        }
    }
    out.cpu_ms = cpu_ms() - cpu0;
    out
}

fn report(callers: usize, conf: bool, r: &mut Run) -> f64 {
    let n = r.wait_ms.len();
    let (p50, p95, p99) = (
        pct(&mut r.wait_ms, 0.5),
        pct(&mut r.wait_ms, 0.95),
        pct(&mut r.wait_ms, 0.99),
    );
    let (c50, c99) = (pct(&mut r.caller_ms, 0.5), pct(&mut r.caller_ms, 0.99));
    let (t99, tmax) = (
        pct(&mut r.tick_ms, 0.99),
        r.tick_ms.iter().copied().fold(0.0, f64::max),
    );
    println!(
        "{callers:>4} callers, confidence {:<3} | {n:>4} utterances | end of speech -> result p50 {p50:>6.1} p95 {p95:>6.1} p99 {p99:>7.1} ms | caller's wait (+ end wait) p50 {c50:>6.1} p99 {c99:>7.1} ms | right {} wrong {} none {} degraded {} errors {} | media tick p99 {t99:.2} max {tmax:.2} ms, late {} | CPU {:.1} ms per second of utterance audio",
        if conf { "on" } else { "off" },
        r.right,
        r.wrong,
        r.none,
        r.degraded,
        r.errors,
        r.late_ticks,
        r.cpu_ms / (r.fed as f64 / 50.0).max(1.0),
    );
    p99
}

/// N-best alternatives asked for: `ALTERNATIVES=3` for three (each builds a word lattice at
/// the end of speech).
fn alternatives() -> usize {
    std::env::var("ALTERNATIVES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sweep = args.first().is_some_and(|a| a == "sweep");
    let rest = if sweep { &args[1..] } else { &args[..] };
    let num = |i: usize, d: usize| rest.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let model = Model::vendored().unwrap();
    let phrases = phrases();
    if sweep {
        let seconds = num(0, 20) as u32;
        let threads = num(1, 2);
        for conf in [true, false] {
            let options = Options {
                confidence: conf,
                alternatives: alternatives(),
            };
            let mut best = 0;
            let mut n = 10;
            loop {
                let mut r = run(&model, &phrases, n, seconds, threads, options);
                let p99 = report(n, conf, &mut r);
                if p99 >= 600.0 || r.degraded > 0 || r.errors > 0 {
                    break;
                }
                best = n;
                n += if n < 50 { 10 } else { 25 };
            }
            println!(
                "confidence {}: largest tested count with p99 < 600 ms and nothing dropped: {best}",
                if conf { "on" } else { "off" }
            );
        }
    } else {
        let callers = num(0, 50);
        let seconds = num(1, 30) as u32;
        let threads = num(2, 2);
        for conf in [true, false] {
            let options = Options {
                confidence: conf,
                alternatives: alternatives(),
            };
            let mut r = run(&model, &phrases, callers, seconds, threads, options);
            report(callers, conf, &mut r);
        }
    }
}
