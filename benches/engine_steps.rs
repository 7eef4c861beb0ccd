// Benchmark (not a test) of the pure call engine on one thread: steps/s of a scripted call, and
// replays/s of a 12-input call, which is what every Twilio webhook does to rebuild its state.
//
//   cargo bench --bench engine_steps                  (taskset -c 0 … to pin it to one core)
//
// No I/O, no clock reads inside the engine, no database: this is the engine's own cost, the
// floor under every webhook. Each measurement runs a warm-up and then BENCH_ROUNDS rounds
// (default 7) of about BENCH_ROUND_MS milliseconds each (default 1000), and prints the
// median and the best (minimum) time per operation. docs/performance.md, "Phone: call engine
// and Twilio webhooks".

use careline_call::engine::{
    Answer, Call, Caller, Input, Insurance, Keys, Millis, OrderInfo, Output, Request, Subject,
    Territory, TimedInput,
};
use careline_call::menu::CallConfig;
use chrono::{NaiveDate, TimeZone, Utc};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const PATIENT: Uuid = Uuid::from_u128(0x1111);
const TERRITORY: Uuid = Uuid::from_u128(0xaaaa);

/// Tuesday 2026-11-24 15:00 UTC, 10:00 in New York (the default practice's time zone).
fn start_time() -> Millis {
    Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0)
        .unwrap()
        .timestamp_millis()
}

fn territory() -> Territory {
    Territory {
        id: TERRITORY,
        name: "Louisville".into(),
        number: Some("+15025550100".into()),
    }
}

fn caller(has_pin: bool) -> Answer {
    Answer::Caller {
        territory: Some(territory()),
        caller: Caller::Patient {
            id: PATIENT,
            has_pin,
            locked: false,
            language: Some("en".into()),
        },
        practice: None,
    }
}

fn verified() -> Answer {
    Answer::Verified {
        ok: true,
        locked: false,
        subject: Some(Subject::Patient(PATIENT)),
        territory: Some(territory()),
    }
}

fn order_found() -> Answer {
    Answer::Order {
        order: Some(OrderInfo {
            number: "10000001".into(),
            status: "shipped".into(),
            shipped_on: NaiveDate::from_ymd_opt(2026, 11, 20),
            delivered_on: None,
            carrier: Some("UPS".into()),
            tracking: Some("1Z999AA10123456784".into()),
        }),
    }
}

fn insurance() -> Answer {
    Answer::Insurance {
        insurance: Insurance::Approved {
            deductible_cents: Some(25_000),
            copay_cents: Some(2_000),
            coinsurance_percent: Some(20.0),
            prior_auth_required: true,
        },
    }
}

fn started() -> Input {
    Input::Started {
        call_id: "CA00000000000000000000000000000001".into(),
        from: Some("+15025550142".into()),
        to: "+15025550100".into(),
    }
}

fn keys(k: &str) -> Input {
    Input::Keys { keys: Keys::new(k) }
}

fn gathered(k: &str) -> Input {
    Input::Gathered { keys: Keys::new(k) }
}

fn answer(a: Answer) -> Input {
    Input::Answer { answer: a }
}

/// Timestamp inputs one second apart, as a caller would send them.
fn timed(inputs: Vec<Input>) -> Vec<TimedInput> {
    let t0 = start_time();
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| TimedInput {
            at: t0 + 1000 * i as i64,
            input,
        })
        .collect()
}

/// The scripted call keyed one key entry at a time (the simulator's and SIP's way): order
/// status, then insurance, then hang up. 10 inputs, 10 `handle` calls.
fn scripted_call() -> Vec<TimedInput> {
    timed(vec![
        started(),
        answer(caller(false)),
        keys("1"),
        keys("03141958"),
        answer(verified()),
        keys("10000001#"),
        answer(order_found()),
        keys("3"),
        answer(insurance()),
        Input::Hangup,
    ])
}

/// A 12-input call as the Twilio transport records it (whole entries from `<Gather>`, the
/// demo patient with a PIN): what a webhook late in a call replays before its own input.
fn twilio_call_12() -> Vec<TimedInput> {
    timed(vec![
        started(),
        answer(caller(true)),
        gathered("1"),
        gathered("03141958"),
        gathered("2468"),
        answer(verified()),
        gathered("10000001"),
        answer(order_found()),
        gathered("3"),
        answer(insurance()),
        gathered(""),
        Input::Hangup,
    ])
}

fn said(out: &[Output], text: &str) -> bool {
    out.iter()
        .any(|o| matches!(o, Output::Say { text: t, .. } if t.contains(text)))
}

fn has_event(out: &[Output], action: &str, result: &str) -> bool {
    out.iter()
        .any(|o| matches!(o, Output::Event(e) if e.action == action && e.result == result))
}

/// Run both scripts once and check that they take the path we mean to time, so a changed menu
/// or engine fails loudly here instead of timing an early transfer.
fn check_scripts(cfg: &Arc<CallConfig>) {
    let mut call = Call::new(cfg.clone());
    let outs: Vec<Vec<Output>> = scripted_call()
        .into_iter()
        .map(|i| call.handle(i))
        .collect();
    assert!(said(&outs[1], "Welcome to Healthcare Services"), "{outs:?}");
    assert!(
        outs[3]
            .iter()
            .any(|o| matches!(o, Output::Request(Request::VerifyPatient { pin: None, .. }))),
        "{:?}",
        outs[3]
    );
    assert!(has_event(&outs[6], "check_order_status", "success"));
    assert!(said(&outs[6], "on its way"), "{:?}", outs[6]);
    assert!(has_event(&outs[8], "verify_insurance", "success"));
    assert!(has_event(&outs[9], "call_ended", "caller_hangup"));
    assert!(call.is_ended());

    let steps = Call::replay(cfg.clone(), &twilio_call_12());
    assert_eq!(steps.len(), 12);
    assert!(said(&steps[4].1, "order number") || said(&steps[5].1, "order number"));
    assert!(has_event(&steps[7].1, "check_order_status", "success"));
    assert!(has_event(&steps[9].1, "verify_insurance", "success"));
    assert!(has_event(&steps[11].1, "call_ended", "caller_hangup"));
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default)
}

struct Stats {
    /// Nanoseconds per operation in each round.
    per_op_ns: Vec<f64>,
}

impl Stats {
    fn median(&self) -> f64 {
        let mut v = self.per_op_ns.clone();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }
    fn min(&self) -> f64 {
        self.per_op_ns.iter().copied().fold(f64::INFINITY, f64::min)
    }
    fn max(&self) -> f64 {
        self.per_op_ns.iter().copied().fold(0.0, f64::max)
    }
}

/// Time `batch` (which does `ops_per_batch` operations) in rounds of about `round`. The batch
/// count per round is calibrated during a warm-up of the same length.
fn measure(ops_per_batch: u64, round: Duration, rounds: u64, mut batch: impl FnMut()) -> Stats {
    // Warm-up, which also calibrates how many batches fill a round.
    let t = Instant::now();
    let mut n = 0u64;
    while t.elapsed() < round {
        batch();
        n += 1;
    }
    let per_batch = t.elapsed().as_secs_f64() / n as f64;
    let batches = ((round.as_secs_f64() / per_batch) as u64).max(1);
    let mut per_op_ns = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..batches {
            batch();
        }
        let ns = t.elapsed().as_nanos() as f64;
        per_op_ns.push(ns / (batches * ops_per_batch) as f64);
    }
    Stats { per_op_ns }
}

fn rate(ns: f64) -> String {
    let per_s = 1e9 / ns;
    // Thousands separators, as docs/performance.md prints figures.
    let s = format!("{per_s:.0}");
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn report(name: &str, unit: &str, s: &Stats) {
    println!(
        "{name:<34} median {:>9.0} ns/{unit} ({:>10} {unit}s/s)   best {:>9.0} ns/{unit} ({:>10} {unit}s/s)   worst round {:.0} ns",
        s.median(),
        rate(s.median()),
        s.min(),
        rate(s.min()),
        s.max(),
    );
}

fn main() {
    let rounds = env_u64("BENCH_ROUNDS", 7);
    let round = Duration::from_millis(env_u64("BENCH_ROUND_MS", 1000));
    let cfg = Arc::new(CallConfig::default_config());
    check_scripts(&cfg);

    let script = scripted_call();
    let twilio = twilio_call_12();
    let twilio_json = serde_json::to_vec(&twilio).expect("inputs serialise");

    println!(
        "engine_steps: {rounds} rounds of ~{} ms after a warm-up of the same length, one thread",
        round.as_millis()
    );
    println!(
        "  allowed CPUs {} (taskset -c 0 cargo bench --bench engine_steps to pin)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    // 1. Whole calls, input by input: one step = one `Call::handle`, including `Call::new`
    //    and cloning the input (a transport builds each input anyway).
    let steps_per_call = script.len() as u64;
    let calls = measure(steps_per_call, round, rounds, || {
        let mut call = Call::new(cfg.clone());
        for i in &script {
            black_box(call.handle(black_box(i.clone())));
        }
        black_box(call.is_ended());
    });
    report(
        &format!("handle (scripted call, {steps_per_call} steps)"),
        "step",
        &calls,
    );
    let per_call = Stats {
        per_op_ns: calls
            .per_op_ns
            .iter()
            .map(|ns| ns * steps_per_call as f64)
            .collect(),
    };
    report("  the same, per whole call", "call", &per_call);

    // 2. `Call::replay` of a 12-input Twilio call: a webhook's rebuild of the call's state.
    let replays = measure(1, round, rounds, || {
        black_box(Call::replay(cfg.clone(), black_box(&twilio)));
    });
    report("Call::replay (12 inputs)", "replay", &replays);

    // 3. What the runner does before that replay: decode the recorded inputs from JSON.
    let decodes = measure(1, round, rounds, || {
        let v: Vec<TimedInput> = serde_json::from_slice(black_box(&twilio_json)).unwrap();
        black_box(v);
    });
    report(
        &format!("decode inputs JSON (12, {} B)", twilio_json.len()),
        "decode",
        &decodes,
    );
}
