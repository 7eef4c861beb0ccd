//! Benchmark (not a test): the CPU the recognizer spends on each dialogue step's real grammar
//! (careline-call's `understanding::grammar`, with the demo practice's names), streamed in
//! 20 ms frames as the pool does: CPU per second of audio and the wait from the last frame to
//! the result, with and without the phone-loop confidence. Small enough to run under
//! `valgrind --tool=callgrind`, whose instruction counts compare variants on a busy machine
//! where wall-clock figures do not.
//!
//!   cargo run --release -p careline-speech --example steps -- [options] [KIND=WAV]...
//!     --rounds N           decodes of each utterance (default 5; 1 under callgrind)
//!     --confidence C       on, off or both (default both)
//!     --only KIND[,KIND]   step kinds to run (intent, yes_no, digits, date_of_birth, date_time)
//!     --set NAME=VALUE     a PocketSphinx setting for the grammar decoder (repeatable)
//!     --phone-set NAME=VALUE   the same for the confidence's phone loop
//!
//! Without `KIND=WAV` arguments it decodes the fixtures (tests/fixtures: "i need to move my
//! appointment" and "i need a refill" with the intent grammar, "yes" with yes/no, "one two
//! three four" with digits). A WAV is 8 kHz µ-law as tests/speech/synth.py writes them.

#[path = "../tests/support/suite.rs"]
mod suite;

use std::time::Instant;

use careline_call::understanding::grammar;
use careline_speech::{Decoder, Upsampler, ulaw_decode};
use chrono::NaiveDate;
use suite::{Kind, Practice};

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.wav"))
}

fn kind(name: &str) -> Kind {
    Kind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .unwrap_or_else(|| panic!("unknown step kind {name:?}"))
}

/// This thread's CPU time, in ms (Linux).
fn thread_cpu_ms() -> f64 {
    let mut ts = std::mem::MaybeUninit::<[i64; 2]>::uninit();
    // CLOCK_THREAD_CPUTIME_ID = 3; timespec is two 64-bit fields on 64-bit Linux.
    unsafe extern "C" {
        fn clock_gettime(clk: i32, ts: *mut [i64; 2]) -> i32;
    }
    let ts = unsafe {
        clock_gettime(3, ts.as_mut_ptr());
        ts.assume_init()
    };
    ts[0] as f64 * 1000.0 + ts[1] as f64 / 1e6
}

fn main() {
    let mut rounds = 5;
    let mut conf = vec![true, false];
    let mut only: Option<Vec<Kind>> = None;
    let mut sets: Vec<(String, String)> = Vec::new();
    let mut phone_sets: Vec<(String, String)> = Vec::new();
    let mut cases: Vec<(Kind, std::path::PathBuf)> = Vec::new();
    let mut it = std::env::args().skip(1);
    let pair = |v: String| -> (String, String) {
        let (n, v) = v.split_once('=').expect("NAME=VALUE");
        (n.to_string(), v.to_string())
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rounds" => rounds = it.next().and_then(|v| v.parse().ok()).expect("a number"),
            "--confidence" => {
                conf = match it.next().as_deref() {
                    Some("on") => vec![true],
                    Some("off") => vec![false],
                    _ => vec![true, false],
                }
            }
            "--only" => only = Some(it.next().expect("kinds").split(',').map(kind).collect()),
            "--set" => sets.push(pair(it.next().expect("NAME=VALUE"))),
            "--phone-set" => phone_sets.push(pair(it.next().expect("NAME=VALUE"))),
            other => {
                let (k, path) = other.split_once('=').expect("KIND=WAV");
                cases.push((kind(k), path.into()));
            }
        }
    }
    if cases.is_empty() {
        cases = vec![
            (Kind::Intent, fixture("move")),
            (Kind::Intent, fixture("refill")),
            (Kind::YesNo, fixture("yes")),
            (Kind::Digits, fixture("digits")),
        ];
    }
    if let Some(only) = &only {
        cases.retain(|(k, _)| only.contains(k));
    }
    let work = std::env::temp_dir().join("careline-speech-steps");
    let (mut model, _) = suite::model_for_suite(&work).expect("the model loads");
    for (n, v) in &sets {
        model = model.with_setting(n, v);
    }
    for (n, v) in &phone_sets {
        model = model.with_phone_loop_setting(n, v);
    }
    let practice = Practice::demo(NaiveDate::from_ymd_opt(2026, 3, 11).expect("a date"));
    println!(
        "{:<14} {:<28} {:>6} {:>4} {:>12} {:>12} {:>10}  heard",
        "step", "audio", "secs", "conf", "CPU ms/s", "finish ms", "frames"
    );
    for (k, path) in &cases {
        let jsgf = grammar(&practice.step(*k));
        let ulaw = suite::read_ulaw_wav(path).expect("a µ-law WAV");
        let pcm: Vec<i16> = ulaw.iter().map(|&b| ulaw_decode(b)).collect();
        let secs = pcm.len() as f64 / 8000.0;
        let mut d = Decoder::with_grammar(&model, &jsgf).expect("the grammar loads");
        for &c in &conf {
            let (mut cpu, mut fin) = (Vec::new(), Vec::new());
            let mut heard = String::new();
            for _ in 0..rounds {
                let mut up = Upsampler::new().expect("an upsampler");
                let t0 = thread_cpu_ms();
                d.start_with(c).expect("start");
                for f in pcm.chunks(160) {
                    d.feed(&up.push(f).expect("upsampled")).expect("fed");
                }
                let t1 = thread_cpu_ms();
                let w = Instant::now();
                d.feed(&up.finish().expect("upsampled")).expect("fed");
                let h = d.finish().expect("finished");
                fin.push(w.elapsed().as_secs_f64() * 1000.0);
                cpu.push((thread_cpu_ms() - t0) / secs);
                let _ = t1;
                heard = h
                    .map(|h| format!("{:?} ({:.2})", h.text, h.confidence))
                    .unwrap_or_else(|| "nothing".into());
            }
            cpu.sort_by(f64::total_cmp);
            fin.sort_by(f64::total_cmp);
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            println!(
                "{:<14} {:<28} {:>6.2} {:>4} {:>12.1} {:>12.1} {:>10}  {heard}",
                k.name(),
                name,
                secs,
                if c { "on" } else { "off" },
                cpu[cpu.len() / 2],
                fin[fin.len() / 2],
                d.frames(),
            );
        }
    }
}
