//! Benchmark (not a test) of recognition on this machine: model load, decoder start, grammar
//! switch, whole-utterance decode time per utterance (median and p95) with its real-time
//! factor, and for streaming the cost of each 20 ms frame and the wait from the last frame
//! to the result (what the caller waits for after they stop speaking).
//!
//!   cargo run --release -p careline-speech --example bench [rounds]
//!
//! Audio: PocketSphinx's goforward recording through 8 kHz µ-law, and the synthetic callers
//! of tests/fixtures, all upsampled to 16 kHz first (upsampling is timed on its own).

use std::time::{Duration, Instant};

use careline_speech::{
    Decoder, Grammar, Model, Upsampler, resample_16k_to_8k, ulaw_8k_to_16k, ulaw_encode,
};

fn fixture_ulaw(name: &str) -> Vec<u8> {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/{name}.wav",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // make.sh writes RIFF, fmt (18 bytes), fact, data: the samples start at byte 58.
    assert_eq!(&bytes[50..54], b"data");
    bytes[58..].to_vec()
}

fn goforward_ulaw() -> Vec<u8> {
    let pcm: Vec<i16> = std::fs::read(format!(
        "{}/tests/fixtures/goforward.raw",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .chunks_exact(2)
    .map(|b| i16::from_le_bytes([b[0], b[1]]))
    .collect();
    resample_16k_to_8k(&pcm)
        .unwrap()
        .into_iter()
        .map(ulaw_encode)
        .collect()
}

/// This process's resident memory (Linux), in KiB.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median and 95th percentile (nearest rank) of the durations.
fn median_p95(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let p95 = v[((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1];
    (v[v.len() / 2], p95)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);

    let t = Instant::now();
    let model = Model::vendored().unwrap();
    println!(
        "model load (dictionary parse + one test decoder): {:.0} ms",
        ms(t.elapsed())
    );

    let intents = Grammar::one_of(
        "intent",
        &[
            "i need a refill",
            "refill",
            "lab results",
            "my lab results",
            "i need to move my appointment",
            "move my appointment",
            "cancel my appointment",
            "book an appointment",
            "representative",
            "a person",
        ],
    )
    .to_jsgf();
    let yes_no = Grammar::one_of(
        "confirm",
        &["yes", "yeah", "yes please", "no", "nope", "no thanks"],
    )
    .to_jsgf();
    let digits = "#JSGF V1.0; grammar digits; public <digits> = <digit>+; \
        <digit> = zero | oh | one | two | three | four | five | six | seven | eight | nine;";
    let movement = Grammar::one_of(
        "move",
        &[
            "go backward ten meters",
            "go forward two meters",
            "go forward ten meters",
            "go forward ten feet",
            "go forward",
            "turn left",
            "stop",
            "i need a refill",
        ],
    )
    .to_jsgf();

    let mut starts = Vec::new();
    for _ in 0..rounds.min(20) {
        let t = Instant::now();
        let d = Decoder::with_grammar(&model, &intents).unwrap();
        starts.push(t.elapsed());
        drop(d);
    }
    let (m, p) = median_p95(starts);
    println!(
        "decoder start with a grammar (per call): median {:.1} ms, p95 {:.1} ms",
        ms(m),
        ms(p)
    );

    let before = rss_kib();
    let many: Vec<Decoder> = (0..20)
        .map(|_| Decoder::with_grammar(&model, &intents).unwrap())
        .collect();
    if let (Some(b), Some(a)) = (before, rss_kib()) {
        println!(
            "memory per decoder (resident, 20 decoders): {:.1} MiB",
            (a.saturating_sub(b)) as f64 / 20.0 / 1024.0
        );
    }
    drop(many);

    let mut d = Decoder::with_grammar(&model, &intents).unwrap();
    let mut switches = Vec::new();
    for i in 0..rounds {
        let g = if i % 2 == 0 { &yes_no } else { &intents };
        let t = Instant::now();
        d.set_grammar(g).unwrap();
        switches.push(t.elapsed());
    }
    let (m, p) = median_p95(switches);
    println!(
        "grammar switch (per dialogue step): median {:.2} ms, p95 {:.2} ms",
        ms(m),
        ms(p)
    );

    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "goforward (PocketSphinx test, via µ-law)",
            movement.as_str(),
            goforward_ulaw(),
        ),
        (
            "refill (flite slt)",
            intents.as_str(),
            fixture_ulaw("refill"),
        ),
        ("move (espeak-ng)", intents.as_str(), fixture_ulaw("move")),
        ("yes (flite awb)", yes_no.as_str(), fixture_ulaw("yes")),
        ("digits (flite slt)", digits, fixture_ulaw("digits")),
    ];

    println!();
    println!("whole utterance, {rounds} rounds each (upsampled to 16 kHz beforehand):");
    println!(
        "{:<42} {:>7} {:>9} {:>9} {:>7}  result",
        "utterance", "audio", "median", "p95", "RTF"
    );
    let mut all_rtf = Vec::new();
    for (name, grammar, ulaw) in &cases {
        let audio = ulaw_8k_to_16k(ulaw).unwrap();
        let secs = audio.len() as f64 / 16000.0;
        let mut d = Decoder::with_grammar(&model, grammar).unwrap();
        let mut times = Vec::new();
        let mut text = String::new();
        for _ in 0..rounds {
            let t = Instant::now();
            let h = d.decode(&audio).unwrap();
            times.push(t.elapsed());
            text = h
                .map(|h| format!("{} ({:.2})", h.text, h.confidence))
                .unwrap_or_default();
        }
        let (m, p) = median_p95(times);
        let rtf = m.as_secs_f64() / secs;
        all_rtf.push(rtf);
        println!(
            "{name:<42} {:>5.2} s {:>6.1} ms {:>6.1} ms {:>7.3}  {text}",
            secs,
            ms(m),
            ms(p),
            rtf
        );
    }

    println!();
    println!("streaming 20 ms frames (µ-law → Upsampler → feed), {rounds} rounds each:");
    println!(
        "{:<42} {:>14} {:>14} {:>16} {:>16}",
        "utterance", "frame median", "frame p95", "finish median", "finish p95"
    );
    for (name, grammar, ulaw) in &cases {
        let mut d = Decoder::with_grammar(&model, grammar).unwrap();
        let (mut frames, mut finishes) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let mut up = Upsampler::new().unwrap();
            d.start().unwrap();
            for chunk in ulaw.chunks(160) {
                let t = Instant::now();
                let linear: Vec<i16> = chunk
                    .iter()
                    .map(|&b| careline_speech::ulaw_decode(b))
                    .collect();
                d.feed(&up.push(&linear).unwrap()).unwrap();
                frames.push(t.elapsed());
            }
            let t = Instant::now();
            d.feed(&up.finish().unwrap()).unwrap();
            let _ = d.finish().unwrap();
            finishes.push(t.elapsed());
        }
        let (fm, fp) = median_p95(frames);
        let (em, ep) = median_p95(finishes);
        println!(
            "{name:<42} {:>11.3} ms {:>11.3} ms {:>13.2} ms {:>13.2} ms",
            ms(fm),
            ms(fp),
            ms(em),
            ms(ep)
        );
    }

    let mut up_times = Vec::new();
    let frame = [0u8; 160].map(|_| 0x7f);
    let mut up = Upsampler::new().unwrap();
    for _ in 0..rounds * 50 {
        let linear: Vec<i16> = frame
            .iter()
            .map(|&b| careline_speech::ulaw_decode(b))
            .collect();
        let t = Instant::now();
        std::hint::black_box(up.push(&linear).unwrap());
        up_times.push(t.elapsed());
    }
    let (m, p) = median_p95(up_times);
    println!();
    println!(
        "upsampling one 20 ms frame 8→16 kHz: median {:.1} µs, p95 {:.1} µs",
        m.as_secs_f64() * 1e6,
        p.as_secs_f64() * 1e6
    );
    all_rtf.sort_by(f64::total_cmp);
    println!(
        "whole-utterance real-time factor across utterances: {:.3}–{:.3}",
        all_rtf[0],
        all_rtf[all_rtf.len() - 1]
    );
}
