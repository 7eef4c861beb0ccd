//! Callers' voices for the voice agent's end-to-end tests: sentences synthesized at test time
//! by Piper (the joe voice, from PyPI) or espeak-ng through `tests/speech/synth.py`, which puts
//! them on a phone line (300–3400 Hz, 8 kHz μ-law, line hiss). Never CareLine's own prompt
//! voice, never hand-picked recordings. When the voices are not installed the tests skip,
//! unless CARELINE_REQUIRE_SPEECH=1 (as `.ci/run` sets after `tests/speech/install.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether the voices are here; panics when they must be and are not.
pub fn voices_available() -> bool {
    let script = synth_script();
    let ok = Command::new("python3")
        .arg(&script)
        .args([
            "--check",
            "--voice",
            "piper-joe",
            "--voice",
            "espeak-en-us+m3",
        ])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok && std::env::var("CARELINE_REQUIRE_SPEECH").as_deref() == Ok("1") {
        panic!(
            "CARELINE_REQUIRE_SPEECH=1 but the test voices are missing: run tests/speech/install.sh"
        );
    }
    if !ok {
        eprintln!("test voices not installed (tests/speech/install.sh): speech test skipped");
    }
    ok
}

fn synth_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/speech/synth.py")
}

/// Each sentence spoken by `voice` (`piper-joe`, `espeak-en-us+m3`…) with line hiss at
/// `snr` dB (or clean), as 8 kHz μ-law bytes, in order. Deterministic: the same audio every run.
pub fn say(voice: &str, snr: Option<u32>, sentences: &[&str]) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("sentences.jsonl");
    let lines: Vec<String> = sentences
        .iter()
        .enumerate()
        .map(|(i, s)| serde_json::json!({"id": format!("s{i}"), "text": s}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let condition = snr.map_or("clean".to_string(), |d| d.to_string());
    let run = Command::new("python3")
        .arg(synth_script())
        .arg("--in")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--voice", voice, "--snr", &condition, "--deterministic"])
        .output()
        .expect("python3 runs");
    assert!(
        run.status.success(),
        "synth.py failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let folder = match snr {
        Some(d) => format!("snr{d}"),
        None => "clean".into(),
    };
    (0..sentences.len())
        .map(|i| ulaw_wav(&out.join(voice).join(&folder).join(format!("s{i}.wav"))))
        .collect()
}

/// The μ-law samples of a WAV file (format 7) written by synth.py.
fn ulaw_wav(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..4], b"RIFF", "{}", path.display());
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        if id == b"data" {
            return bytes[at + 8..(at + 8 + len).min(bytes.len())].to_vec();
        }
        at += 8 + len + (len & 1);
    }
    panic!("{}: no data chunk", path.display());
}

/// Line hiss (about −60 dBFS) as μ-law, `ms` long: what a phone line carries between words.
pub fn hiss(ms: usize) -> Vec<u8> {
    let mut seed: u32 = 0x2545_f491;
    (0..ms * 8)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let s = ((seed >> 16) as i16) / 1000;
            careline_media::g711::ulaw_encode(s)
        })
        .collect()
}

/// How much of the end of `audio` (8 kHz μ-law) is silence or line noise, in ms: the frames
/// after the last one within 26 dB of the loudest. The synthesized sentences end in a pause, so
/// the caller stopped *speaking* this long before the clip stopped playing.
pub fn trailing_quiet_ms(audio: &[u8]) -> u64 {
    let rms: Vec<f64> = audio
        .chunks(160)
        .map(|f| {
            let sum: f64 = f
                .iter()
                .map(|&b| f64::from(careline_media::g711::ulaw_decode(b)).powi(2))
                .sum();
            (sum / f.len() as f64).sqrt()
        })
        .collect();
    let loudest = rms.iter().copied().fold(0.0, f64::max);
    let last_voiced = rms.iter().rposition(|&r| r >= loudest / 20.0).unwrap_or(0);
    ((rms.len() - 1 - last_voiced) * 20) as u64
}
