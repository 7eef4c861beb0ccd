// Benchmark (not a test): the voice agent under load, end to end over Twilio Media Streams.
// Starts CareLine in this process (SQLite in a temporary directory, demo data, speech on),
// then keeps N callers talking at once for S seconds. Each caller places a call the way Twilio
// would (signed POST /twilio/voice, then the WebSocket at /twilio/media), listens to the
// welcome, says "I need to move my appointment", waits for the date-of-birth question, says
// Eleanor's date of birth, waits for the next question, hangs up and calls again. Audio is
// real time: a 20 ms μ-law frame per caller every 20 ms, line hiss between sentences.
//
//   tests/speech/install.sh     # the caller voices (Piper, espeak-ng), once
//   cargo run --release --example speech_load -- [callers] [seconds] [end_silence_ms]
//
// Reports, over every reply to a sentence, the time from the end of the caller's voice (the
// last frame of the sentence within 26 dB of its loudest, as sent) to the first reply audio
// received: p50/p95/p99. That wait
// includes the end-of-speech silence the listener needs (end_silence_ms, default 350), the
// recognition, the engine's step (a database write) and rendering the reply. It also prints
// the server's own histogram (careline_speech_reply: from the last frame heard as speech)
// and how many sentences were understood. The machine's load average is printed beside the
// figures: these machines are shared.

#[path = "../tests/common/speech.rs"]
#[allow(dead_code)]
mod speech;
#[path = "../tests/common/twilio_phone.rs"]
#[allow(dead_code)]
mod twilio_phone;

use careline::twilio::signature::expected_signature;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use twilio_phone::TwilioStream;

const TOKEN: &str = "bench-twilio-auth-token";
const PUBLIC: &str = "https://careline.example.test";
const SIGNED_STREAM: &str = "wss://careline.example.test/twilio/media";
/// CareLine's turn is over when nothing more comes for this long.
const QUIET: Duration = Duration::from_millis(1500);

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[(((v.len() as f64) * p).ceil() as usize).clamp(1, v.len()) - 1]
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let callers: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(30);
    let end_silence: u32 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(350);
    if !speech::voices_available() {
        eprintln!("run tests/speech/install.sh first");
        std::process::exit(2);
    }
    let said = speech::say(
        "piper-joe",
        Some(25),
        &[
            "I need to move my appointment",
            "the ninth of june nineteen fifty one",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let mut config = careline::config::Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".into(),
        ..Default::default()
    };
    config.twilio_auth_token = Some(TOKEN.into());
    config.public_url = Some(PUBLIC.into());
    config.speech = true;
    config.speech_end_silence_ms = end_silence;
    config.jobs_worker = false;
    let (store, _) = careline::server::open_store(&config, true).await.unwrap();
    store.migrate().await.unwrap();
    careline::demo::seed(&store).await.unwrap();
    let running = careline::server::start(store, config).await.unwrap();
    running.state.voice_agent().await.unwrap();
    let base = format!("http://{}", running.addr);
    let ws = format!("ws://{}/twilio/media", running.addr);
    let waits = Arc::new(Mutex::new(Vec::<f64>::new()));
    let counts = Arc::new(Mutex::new((0u64, 0u64, 0u64))); // calls, replies, failures
    let until = Instant::now() + Duration::from_secs(seconds);
    println!(
        "speech_load: {callers} callers, {seconds} s, end_silence {end_silence} ms, load before {}",
        load()
    );
    let mut tasks = Vec::new();
    for c in 0..callers {
        let (said, waits, counts, base, ws) = (
            said.clone(),
            waits.clone(),
            counts.clone(),
            base.clone(),
            ws.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Callers start spread over two seconds, as calls do.
            tokio::time::sleep(Duration::from_millis((c as u64 * 2000) / callers as u64)).await;
            let http = reqwest::Client::new();
            while Instant::now() < until {
                let sid = format!("CA{}", uuid::Uuid::new_v4().simple());
                let params = vec![
                    ("CallSid".to_string(), sid.clone()),
                    ("From".to_string(), "+15125550142".to_string()),
                    ("To".to_string(), "+15125550100".to_string()),
                ];
                let sig = expected_signature(
                    TOKEN.as_bytes(),
                    &format!("{PUBLIC}/twilio/voice"),
                    &params,
                );
                let ok = http
                    .post(format!("{base}/twilio/voice"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("X-Twilio-Signature", sig)
                    .body(serde_urlencoded::to_string(&params).unwrap())
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if !ok {
                    counts.lock().unwrap().2 += 1;
                    continue;
                }
                let mut phone = TwilioStream::open(&ws, SIGNED_STREAM, TOKEN, &sid).await;
                // The whole welcome (the practice's greeting, then its menu) before speaking.
                phone.turn(Duration::from_secs(60), QUIET).await;
                for audio in &said {
                    phone.say(audio.clone());
                    let reply = phone.turn(Duration::from_secs(60), QUIET).await;
                    match (reply.first_audio, phone.spoke_until()) {
                        (Some(first), Some(spoke)) if !reply.closed => {
                            // From the end of the voice, not of the clip's closing pause (the
                            // listener's end-of-speech wait may end inside that pause).
                            let voice_ended =
                                spoke - Duration::from_millis(speech::trailing_quiet_ms(audio));
                            let ms =
                                first.saturating_duration_since(voice_ended).as_secs_f64() * 1000.0;
                            waits.lock().unwrap().push(ms);
                            counts.lock().unwrap().1 += 1;
                        }
                        _ => {
                            let mut c = counts.lock().unwrap();
                            c.2 += 1;
                            if c.2 <= 3 {
                                eprintln!("no reply: {reply:?}");
                            }
                        }
                    }
                }
                phone.hang_up();
                counts.lock().unwrap().0 += 1;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut w = waits.lock().unwrap().clone();
    let (calls, replies, failures) = *counts.lock().unwrap();
    println!(
        "replies {replies} over {calls} calls, failures {failures}; from the end of the caller's voice to the reply: p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms; load after {}",
        pct(&mut w, 0.50),
        pct(&mut w, 0.95),
        pct(&mut w, 0.99),
        pct(&mut w, 1.0),
        load()
    );
    // The server's own view: utterances by outcome, and its reply histogram.
    let mut text = String::new();
    let _ = prometheus_client::encoding::text::encode(
        &mut text,
        careline::metrics::global().registry(),
    );
    for line in text.lines().filter(|l| {
        l.starts_with("careline_speech_utterances")
            || l.starts_with("careline_speech_barge_ins")
            || l.starts_with("careline_speech_reply_seconds_count")
            || l.starts_with("careline_speech_reply_seconds_sum")
    }) {
        println!("  {line}");
    }
    running.stop().await;
}
