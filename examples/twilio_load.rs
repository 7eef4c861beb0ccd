// Load generator for the Twilio voice webhooks (a benchmark client, not a test): drives N
// complete demo calls, C at a time, with correctly signed requests, and reports webhook round
// trips per second and latency percentiles per webhook, per endpoint and per call step.
//
//   cargo run --release --example twilio_load -- --url http://127.0.0.1:8080 \
//       --public-url https://careline.example.test --token TOKEN --calls 2000 --concurrency 16
//
// Each call is what Twilio would send for the demo caller (+15025550142 dialing the main
// line): POST /twilio/voice, then the <Gather> action URL of each reply with Digits 1 (order
// status), 03141958 (date of birth), 2468 (PIN) and 10000001 (the order), then POST
// /twilio/status with CallStatus=completed. Every request is signed with
// `careline::twilio::signature::expected_signature` over --public-url plus the path, as
// Twilio signs the public URL it was given. Each call has its own CallSid ("CA" + 32 hex).
//
// An error is a transport failure or timeout, a non-2xx status, or a reply that is not the
// expected TwiML (no <Gather> to follow, or the prompt of the next step missing: the final
// reply must say the order "is on its way"). A call stops at its first error. The last line
// printed is machine-readable (TWILIO_BENCH key=value …, latencies in µs) for load/twilio.sh.
// Exit status: 0 when every webhook succeeded, 1 when any failed, 2 on a usage error.
//
// A closed loop: each of the C workers starts its next call when the previous one ended, and
// sends each webhook when the previous reply arrived (a real caller would pause to listen and
// key). Throughput is therefore C divided by latency; see docs/performance.md.

use careline::twilio::signature::expected_signature;
use clap::Parser;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Parser, Debug, Clone)]
#[command(about = "Drive complete demo calls through CareLine's Twilio webhooks")]
struct Args {
    /// Where the server listens, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// The server's public URL (its CARELINE_PUBLIC_URL): requests are signed over it.
    #[arg(long)]
    public_url: String,
    /// The Twilio auth token (the server's CARELINE_TWILIO_AUTH_TOKEN).
    #[arg(long)]
    token: String,
    /// Complete calls to make in total.
    #[arg(long, default_value_t = 100)]
    calls: u64,
    /// Calls in progress at once.
    #[arg(long, default_value_t = 8)]
    concurrency: u64,
    /// Caller ID: the demo patient's phone.
    #[arg(long, default_value = "+15025550142")]
    from: String,
    /// Dialed number: the demo main line.
    #[arg(long, default_value = "+15025550100")]
    to: String,
    /// Date of birth keyed, MMDDYYYY.
    #[arg(long, default_value = "03141958")]
    dob: String,
    #[arg(long, default_value = "2468")]
    pin: String,
    #[arg(long, default_value = "10000001")]
    order: String,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10)]
    timeout_secs: u64,
    /// Tokio worker threads of this load generator.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Print only the machine-readable line.
    #[arg(long)]
    quiet: bool,
}

/// The webhooks of one call, in order: (label, endpoint).
const STEPS: [(&str, Endpoint); 6] = [
    ("voice (answer, identify caller)", Endpoint::Voice),
    ("gather 1 (menu choice)", Endpoint::Gather),
    ("gather date of birth", Endpoint::Gather),
    ("gather PIN (verify)", Endpoint::Gather),
    ("gather order number (lookup)", Endpoint::Gather),
    ("status completed (hang up)", Endpoint::Status),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Voice,
    Gather,
    Status,
}

impl Endpoint {
    fn name(self) -> &'static str {
        match self {
            Endpoint::Voice => "voice",
            Endpoint::Gather => "gather",
            Endpoint::Status => "status",
        }
    }
}

/// Latencies in µs, one vector per step of the call.
#[derive(Default)]
struct Samples {
    by_step: [Vec<u32>; 6],
}

#[derive(Default)]
struct Failures {
    transport: u64,
    non2xx: u64,
    bad_twiml: u64,
    /// The first few, for the report.
    first: Vec<String>,
}

struct Shared {
    args: Args,
    client: reqwest::Client,
    next_call: AtomicU64,
    samples: Mutex<Samples>,
    failures: Mutex<Failures>,
    calls_ok: AtomicU64,
}

/// Why a step failed.
enum StepError {
    Transport(String),
    Status(u16, String),
    Twiml(String),
}

fn form(sid: &str, args: &Args, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut p = vec![
        (
            "AccountSid".to_string(),
            "AC0123456789abcdef0123456789abcdef".to_string(),
        ),
        ("CallSid".to_string(), sid.to_string()),
        ("From".to_string(), args.from.clone()),
        ("To".to_string(), args.to.clone()),
        ("Direction".to_string(), "inbound".to_string()),
        ("ApiVersion".to_string(), "2010-04-01".to_string()),
    ];
    for (k, v) in extra {
        p.push((k.to_string(), v.to_string()));
    }
    p
}

/// POST a signed form to `path_and_query`; returns the status, the body and the round trip
/// (request sent to body read) in µs.
async fn post(
    shared: &Shared,
    path_and_query: &str,
    params: &[(String, String)],
) -> Result<(u16, String, u32), StepError> {
    let args = &shared.args;
    let signed_url = format!(
        "{}{}",
        args.public_url.trim_end_matches('/'),
        path_and_query
    );
    let signature = expected_signature(args.token.as_bytes(), &signed_url, params);
    let body =
        serde_urlencoded::to_string(params).map_err(|e| StepError::Transport(e.to_string()))?;
    let url = format!("{}{}", args.url.trim_end_matches('/'), path_and_query);
    let started = Instant::now();
    let resp = shared
        .client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| StepError::Transport(e.to_string()))?;
    let status = resp.status().as_u16();
    let text = resp
        .text()
        .await
        .map_err(|e| StepError::Transport(e.to_string()))?;
    let us = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
    Ok((status, text, us))
}

/// The spoken text of a TwiML reply and its <Gather> action's path and query.
fn parse_twiml(twiml: &str, public_url: &str) -> Result<(String, Option<String>), String> {
    let doc = roxmltree::Document::parse(twiml).map_err(|e| format!("not XML: {e}"))?;
    let said = doc
        .descendants()
        .filter(|n| n.has_tag_name("Say"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    let action = match doc.descendants().find(|n| n.has_tag_name("Gather")) {
        None => None,
        Some(g) => {
            let a = g
                .attribute("action")
                .ok_or("a <Gather> without an action")?;
            let base = public_url.trim_end_matches('/');
            let path = a
                .strip_prefix(base)
                .ok_or_else(|| format!("the gather action {a} is not under {base}"))?;
            Some(path.to_string())
        }
    };
    Ok((said, action))
}

fn short(s: &str) -> String {
    let s: String = s.chars().take(240).collect();
    s.replace('\n', " ")
}

/// One complete call. Latencies are kept locally and merged at the end, so a failed call
/// still contributes the steps that succeeded.
async fn one_call(shared: &Shared) -> (Vec<(usize, u32)>, Option<StepError>) {
    let args = &shared.args;
    let sid = format!("CA{}", uuid::Uuid::new_v4().simple());
    let mut lat = Vec::with_capacity(STEPS.len());
    // (digits keyed, a phrase the reply must say): 1 is the main menu's order status.
    let gathers = [
        ("1", "date of birth"),
        (args.dob.as_str(), "PIN"),
        (args.pin.as_str(), "order number"),
        (args.order.as_str(), "on its way"),
    ];

    // voice
    let params = form(&sid, args, &[("CallStatus", "ringing")]);
    let mut path = match post(shared, "/twilio/voice", &params).await {
        Ok((200..=299, body, us)) => {
            lat.push((0, us));
            match parse_twiml(&body, &args.public_url) {
                Ok((said, Some(p))) if said.contains("Welcome") => p,
                Ok(_) => {
                    return (
                        lat,
                        Some(StepError::Twiml(format!(
                            "voice: no welcome and gather: {}",
                            short(&body)
                        ))),
                    );
                }
                Err(e) => return (lat, Some(StepError::Twiml(format!("voice: {e}")))),
            }
        }
        Ok((code, body, _)) => return (lat, Some(StepError::Status(code, short(&body)))),
        Err(e) => return (lat, Some(e)),
    };

    for (i, (digits, expect)) in gathers.iter().enumerate() {
        let step = i + 1;
        let params = form(
            &sid,
            args,
            &[("CallStatus", "in-progress"), ("Digits", digits)],
        );
        match post(shared, &path, &params).await {
            Ok((200..=299, body, us)) => {
                lat.push((step, us));
                match parse_twiml(&body, &args.public_url) {
                    Ok((said, next)) if said.contains(expect) => {
                        if let Some(p) = next {
                            path = p;
                        } else if step < gathers.len() {
                            return (
                                lat,
                                Some(StepError::Twiml(format!(
                                    "{}: no <Gather> to continue: {}",
                                    STEPS[step].0,
                                    short(&body)
                                ))),
                            );
                        }
                    }
                    Ok(_) => {
                        return (
                            lat,
                            Some(StepError::Twiml(format!(
                                "{}: reply lacks {expect:?}: {}",
                                STEPS[step].0,
                                short(&body)
                            ))),
                        );
                    }
                    Err(e) => {
                        return (
                            lat,
                            Some(StepError::Twiml(format!("{}: {e}", STEPS[step].0))),
                        );
                    }
                }
            }
            Ok((code, body, _)) => return (lat, Some(StepError::Status(code, short(&body)))),
            Err(e) => return (lat, Some(e)),
        }
    }

    // status
    let params = form(
        &sid,
        args,
        &[("CallStatus", "completed"), ("CallDuration", "42")],
    );
    match post(shared, "/twilio/status", &params).await {
        Ok((200..=299, _, us)) => {
            lat.push((STEPS.len() - 1, us));
            (lat, None)
        }
        Ok((code, body, _)) => (lat, Some(StepError::Status(code, short(&body)))),
        Err(e) => (lat, Some(e)),
    }
}

async fn worker(shared: Arc<Shared>) {
    loop {
        let n = shared.next_call.fetch_add(1, Ordering::Relaxed);
        if n >= shared.args.calls {
            return;
        }
        let (lat, err) = one_call(&shared).await;
        {
            let mut s = shared.samples.lock().await;
            for (step, us) in lat {
                s.by_step[step].push(us);
            }
        }
        match err {
            None => {
                shared.calls_ok.fetch_add(1, Ordering::Relaxed);
            }
            Some(e) => {
                let mut f = shared.failures.lock().await;
                let msg = match e {
                    StepError::Transport(m) => {
                        f.transport += 1;
                        format!("transport: {m}")
                    }
                    StepError::Status(code, body) => {
                        f.non2xx += 1;
                        format!("HTTP {code}: {body}")
                    }
                    StepError::Twiml(m) => {
                        f.bad_twiml += 1;
                        format!("TwiML: {m}")
                    }
                };
                if f.first.len() < 5 {
                    f.first.push(msg);
                }
            }
        }
    }
}

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Summary {
    n: usize,
    p50: u32,
    p90: u32,
    p99: u32,
    max: u32,
    mean: f64,
}

fn summarise(mut v: Vec<u32>) -> Summary {
    v.sort_unstable();
    let mean = if v.is_empty() {
        0.0
    } else {
        v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64
    };
    Summary {
        n: v.len(),
        p50: pct(&v, 50.0),
        p90: pct(&v, 90.0),
        p99: pct(&v, 99.0),
        max: v.last().copied().unwrap_or(0),
        mean,
    }
}

fn ms(us: u32) -> String {
    format!("{:.2}", f64::from(us) / 1000.0)
}

fn main() {
    let args = Args::parse();
    if args.calls == 0 || args.concurrency == 0 || args.threads == 0 {
        eprintln!("--calls, --concurrency and --threads must be at least 1");
        std::process::exit(2);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = rt.block_on(run(args));
    std::process::exit(code);
}

async fn run(args: Args) -> i32 {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout_secs))
        .pool_max_idle_per_host(args.concurrency as usize)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("HTTP client: {e}");
            return 2;
        }
    };
    let shared = Arc::new(Shared {
        args: args.clone(),
        client,
        next_call: AtomicU64::new(0),
        samples: Mutex::new(Samples::default()),
        failures: Mutex::new(Failures::default()),
        calls_ok: AtomicU64::new(0),
    });
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency.min(args.calls))
        .map(|_| tokio::spawn(worker(shared.clone())))
        .collect();
    for w in workers {
        if let Err(e) = w.await {
            eprintln!("a worker panicked: {e}");
            return 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();

    let samples = std::mem::take(&mut *shared.samples.lock().await);
    let failures = std::mem::take(&mut *shared.failures.lock().await);
    let calls_ok = shared.calls_ok.load(Ordering::Relaxed);
    let errors = failures.transport + failures.non2xx + failures.bad_twiml;

    let all: Vec<u32> = samples.by_step.iter().flatten().copied().collect();
    let per_endpoint = |e: Endpoint| -> Vec<u32> {
        STEPS
            .iter()
            .zip(samples.by_step.iter())
            .filter(|((_, ep), _)| *ep == e)
            .flat_map(|(_, v)| v.iter().copied())
            .collect()
    };
    let overall = summarise(all);
    let voice = summarise(per_endpoint(Endpoint::Voice));
    let gather = summarise(per_endpoint(Endpoint::Gather));
    let status = summarise(per_endpoint(Endpoint::Status));
    let webhooks = overall.n;
    let wps = webhooks as f64 / secs;
    let cps = calls_ok as f64 / secs;

    if !args.quiet {
        println!(
            "twilio_load: {} calls ({} ok), concurrency {}, {} webhooks in {:.2} s",
            args.calls, calls_ok, args.concurrency, webhooks, secs
        );
        println!(
            "  {wps:.1} webhooks/s, {cps:.1} calls/s, {} errors ({} transport, {} non-2xx, {} unexpected TwiML)",
            errors, failures.transport, failures.non2xx, failures.bad_twiml
        );
        println!(
            "  {:<34} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "latency, ms", "n", "p50", "p90", "p99", "max", "mean"
        );
        let line = |name: &str, s: &Summary| {
            println!(
                "  {:<34} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8.2}",
                name,
                s.n,
                ms(s.p50),
                ms(s.p90),
                ms(s.p99),
                ms(s.max),
                s.mean / 1000.0
            );
        };
        line("every webhook", &overall);
        for (name, s) in [("voice", &voice), ("gather", &gather), ("status", &status)] {
            line(&format!("endpoint {name}"), s);
        }
        for (i, (label, _)) in STEPS.iter().enumerate() {
            line(
                &format!("step {label}"),
                &summarise(samples.by_step[i].clone()),
            );
        }
        for m in &failures.first {
            println!("  error: {m}");
        }
    }
    let mut line = format!(
        "TWILIO_BENCH calls={} calls_ok={calls_ok} concurrency={} webhooks={webhooks} secs={secs:.3} webhooks_per_s={wps:.1} calls_per_s={cps:.1} errors={errors} transport={} non2xx={} bad_twiml={}",
        args.calls, args.concurrency, failures.transport, failures.non2xx, failures.bad_twiml
    );
    for (name, s) in [
        ("all", &overall),
        (Endpoint::Voice.name(), &voice),
        (Endpoint::Gather.name(), &gather),
        (Endpoint::Status.name(), &status),
    ] {
        line.push_str(&format!(
            " {name}_n={} {name}_p50_us={} {name}_p90_us={} {name}_p99_us={} {name}_max_us={}",
            s.n, s.p50, s.p90, s.p99, s.max
        ));
    }
    for (i, v) in samples.by_step.iter().enumerate() {
        let s = summarise(v.clone());
        line.push_str(&format!(
            " step{i}_p50_us={} step{i}_p99_us={}",
            s.p50, s.p99
        ));
    }
    println!("{line}");
    if errors > 0 || calls_ok != args.calls {
        1
    } else {
        0
    }
}
