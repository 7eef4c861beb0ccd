//! Shared by the listener and pool tests: the committed fixtures as 8 kHz linear PCM, the
//! grammars of tests/callers.rs, and generated line audio (hiss, white noise, hold music).
#![allow(dead_code)]

use careline_speech::{Grammar, ulaw_decode};

/// The µ-law bytes of a fixture's `data` chunk (make.sh writes 8 kHz mono µ-law).
pub fn ulaw_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.wav", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[0..4], b"RIFF");
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        if id == b"fmt " {
            let body = &bytes[at + 8..at + 8 + len];
            assert_eq!(u16::from_le_bytes([body[0], body[1]]), 7, "{path}: µ-law");
            assert_eq!(u32::from_le_bytes(body[4..8].try_into().unwrap()), 8000);
        } else if id == b"data" {
            return bytes[at + 8..at + 8 + len].to_vec();
        }
        at += 8 + len + (len & 1);
    }
    panic!("{path}: no data chunk");
}

/// A fixture as 8 kHz linear PCM.
pub fn fixture(name: &str) -> Vec<i16> {
    ulaw_fixture(name).into_iter().map(ulaw_decode).collect()
}

/// Reproducible noise: `n` samples of white noise at about `dbfs` (RMS relative to full
/// scale), from a linear congruential generator seeded with `seed`.
pub fn white_noise(n: usize, dbfs: f32, seed: u32) -> Vec<i16> {
    let mut x = seed;
    // Uniform in [-1, 1) has an RMS of 1/√3.
    let amp = 10f32.powf(dbfs / 20.0) * 3f32.sqrt() * 32768.0;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let u = f32::from((x >> 16) as u16 as i16) / 32768.0;
            (u * amp).clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

/// Line hiss as in the fixtures (about −55 dBFS).
pub fn hiss(n: usize, seed: u32) -> Vec<i16> {
    white_noise(n, -55.0, seed)
}

/// "Hold music": a tune of sine notes, 400 ms each with 10 ms fades, at about `dbfs`.
pub fn hold_music(n: usize, dbfs: f32) -> Vec<i16> {
    let notes = [
        440.0f32, 554.37, 659.25, 880.0, 659.25, 554.37, 493.88, 587.33,
    ];
    let note_len = 3200;
    let amp = 10f32.powf(dbfs / 20.0) * 2f32.sqrt() * 32768.0;
    (0..n)
        .map(|i| {
            let hz = notes[(i / note_len) % notes.len()];
            let k = i % note_len;
            let fade = (k.min(note_len - k) as f32 / 80.0).min(1.0);
            let t = i as f32 / 8000.0;
            ((t * hz * std::f32::consts::TAU).sin() * amp * fade) as i16
        })
        .collect()
}

/// `a` with `b` added from `at`, clipped.
pub fn mix(a: &mut [i16], b: &[i16], at: usize) {
    for (x, y) in a[at..].iter_mut().zip(b) {
        *x = (i32::from(*x) + i32::from(*y)).clamp(-32768, 32767) as i16;
    }
}

pub fn intents() -> Grammar {
    Grammar::one_of(
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
}

pub fn yes_no() -> Grammar {
    Grammar::one_of(
        "confirm",
        &["yes", "yeah", "yes please", "no", "nope", "no thanks"],
    )
}

/// The fixtures with a phrase a grammar holds: name, grammar, the accepted results.
pub fn callers() -> Vec<(&'static str, Grammar, &'static [&'static str])> {
    vec![
        ("refill", intents(), &["i need a refill"]),
        ("move", intents(), &["i need to move my appointment"]),
        ("yes", yes_no(), &["yes", "yeah"]),
        ("no", yes_no(), &["no", "nope"]),
    ]
}
