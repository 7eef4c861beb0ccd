//! Measures the cepstral means streamed utterances start from (`PHONE_CMN_INIT` and
//! `PHONE_CMN_INIT_DITHERED`): PocketSphinx's own test recordings, put through a phone line
//! (down to 8 kHz, µ-law, back up to 16 kHz) and decoded whole, so each is normalized over
//! itself; the mean of their means is printed in `cmninit`'s format.
//!
//! ```text
//! pip download --no-deps --no-binary pocketsphinx pocketsphinx==5.1.1 -d /tmp/ps
//! tar xzf /tmp/ps/pocketsphinx-5.1.1.tar.gz -C /tmp/ps
//! cargo run -p careline-speech --example cmn_init -- /tmp/ps/pocketsphinx-5.1.1/test/data [DITHER]
//! ```
//!
//! The recordings: numbers.raw, something.raw and tidigits/dhd.2934z.raw (not goforward.raw,
//! which the tests decode). DITHER: the decoders' hiss peak (default careline_speech::DITHER).

use careline_speech::{Decoder, Grammar, Model, resample_16k_to_8k, ulaw_8k_to_16k, ulaw_encode};
use std::process::ExitCode;

const RECORDINGS: [&str; 3] = ["numbers.raw", "something.raw", "tidigits/dhd.2934z.raw"];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: cmn_init DATA_DIR [DITHER]");
        return ExitCode::from(2);
    };
    let dither = match args.next().map(|d| d.parse::<i16>()) {
        None => careline_speech::DITHER,
        Some(Ok(d)) => d,
        Some(Err(e)) => {
            eprintln!("DITHER: {e}");
            return ExitCode::from(2);
        }
    };
    let model = match Model::vendored() {
        Ok(m) => m.with_dither(dither),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // Any grammar: the mean is the audio's, whatever the words are matched against.
    let jsgf = Grammar::one_of("any", &["go forward ten meters", "one two three"]).to_jsgf();
    let mut sum = [0f64; 13];
    for name in RECORDINGS {
        let path = format!("{dir}/{name}");
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let pcm: Vec<i16> = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let line: Vec<u8> = resample_16k_to_8k(&pcm)
            .expect("resampling")
            .into_iter()
            .map(ulaw_encode)
            .collect();
        let audio = ulaw_8k_to_16k(&line).expect("resampling");
        let mut d = Decoder::with_grammar(&model, &jsgf).expect("a decoder");
        d.decode(&audio).expect("decoding");
        let mean = d.cepstral_mean().expect("a cepstral mean");
        println!("{name}: {mean}");
        for (s, v) in sum.iter_mut().zip(mean.split(',')) {
            *s += v.trim().parse::<f64>().unwrap_or(f64::NAN) / RECORDINGS.len() as f64;
        }
    }
    let mean: Vec<String> = sum.iter().map(|v| format!("{v:.2}")).collect();
    println!("dither {dither}: cmninit {}", mean.join(","));
    ExitCode::SUCCESS
}
