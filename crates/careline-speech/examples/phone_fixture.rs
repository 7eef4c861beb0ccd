//! Turns a synthesizer's WAV (any rate, 16-bit PCM) into what a caller's audio looks like on a
//! phone line: 8 kHz G.711 µ-law in a WAV file, with a little line hiss. Used by
//! tests/fixtures/make.sh; the tests read the result with no synthesizer installed.
//!
//! `cargo run -p careline-speech --example phone_fixture -- in.wav out.wav`

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, FixedAsync, Resampler, SincInterpolationParameters};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = &args[..] else {
        eprintln!("usage: phone_fixture IN.wav OUT.wav");
        std::process::exit(2);
    };
    let mut reader = hound::WavReader::open(input).expect("a readable WAV file");
    let spec = reader.spec();
    assert_eq!(spec.bits_per_sample, 16, "16-bit PCM expected");
    let channels = usize::from(spec.channels);
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    let mono: Vec<f32> = samples
        .chunks_exact(channels)
        .map(|f| f.iter().map(|&s| f32::from(s)).sum::<f32>() / channels as f32 / 32768.0)
        .collect();
    let narrow = to_8k(&mono, spec.sample_rate);
    // About −55 dBFS of hiss, reproducible, so the silences are a line's and not digital zero.
    let mut x: u32 = 12345;
    let ulaw: Vec<u8> = narrow
        .iter()
        .map(|&s| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let hiss = f32::from((x >> 16) as u16 as i16) / 32768.0 * 0.002;
            let v = ((s + hiss) * 32768.0).round().clamp(-32768.0, 32767.0) as i16;
            careline_speech::ulaw_encode(v)
        })
        .collect();
    std::fs::write(output, ulaw_wav(&ulaw)).expect("writing the fixture");
}

fn to_8k(mono: &[f32], rate: u32) -> Vec<f32> {
    if rate == 8000 {
        return mono.to_vec();
    }
    let params = SincInterpolationParameters::default();
    let mut r = Async::<f32>::new_sinc(
        8000.0 / f64::from(rate),
        1.0,
        &params,
        1024,
        1,
        FixedAsync::Input,
    )
    .unwrap();
    let adapter = InterleavedSlice::new(mono, 1, mono.len()).unwrap();
    r.process_all(&adapter, mono.len(), None)
        .unwrap()
        .take_data()
}

/// A WAV file of 8 kHz mono µ-law (format tag 7), which hound cannot write.
fn ulaw_wav(data: &[u8]) -> Vec<u8> {
    let mut w = Vec::with_capacity(58 + data.len());
    let len = u32::try_from(data.len()).unwrap();
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(50 + len + (len & 1)).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&18u32.to_le_bytes());
    w.extend_from_slice(&7u16.to_le_bytes()); // WAVE_FORMAT_MULAW
    w.extend_from_slice(&1u16.to_le_bytes()); // mono
    w.extend_from_slice(&8000u32.to_le_bytes());
    w.extend_from_slice(&8000u32.to_le_bytes()); // bytes per second
    w.extend_from_slice(&1u16.to_le_bytes()); // block align
    w.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    w.extend_from_slice(&0u16.to_le_bytes()); // no extension
    // Non-PCM formats need a fact chunk: the number of samples.
    w.extend_from_slice(b"fact");
    w.extend_from_slice(&4u32.to_le_bytes());
    w.extend_from_slice(&len.to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&len.to_le_bytes());
    w.extend_from_slice(data);
    if len & 1 == 1 {
        w.push(0);
    }
    w
}
