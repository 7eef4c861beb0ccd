//! Telephone audio to what the recognizer wants: 8 kHz (G.711 µ-law on the wire) to 16 kHz
//! linear PCM. The acoustic model was trained on 16 kHz audio with filters up to 6.8 kHz, so
//! phone audio is upsampled (band-limited, with nothing invented above 4 kHz) rather than fed
//! at 8 kHz with a mismatched front end.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, FixedAsync, Resampler, SincInterpolationParameters};

use crate::SpeechError;

/// The recognizer's sample rate.
pub const SAMPLE_RATE: u32 = 16_000;

/// The telephone's sample rate.
pub const PHONE_RATE: u32 = 8_000;

/// The G.711 codec, from the media crate: one implementation for the whole program.
pub use careline_media::g711::{ulaw_decode, ulaw_encode};

fn sinc(ratio: f64, chunk: usize) -> Result<Async<f32>, SpeechError> {
    // rubato's defaults (256-tap windowed sinc, Blackman-Harris), as careline-voice uses.
    Async::<f32>::new_sinc(
        ratio,
        1.0,
        &SincInterpolationParameters::default(),
        chunk,
        1,
        FixedAsync::Input,
    )
    .map_err(|e| SpeechError::Resample(e.to_string()))
}

fn to_f32(samples: &[i16]) -> Vec<f32> {
    samples.iter().map(|&s| f32::from(s) / 32768.0).collect()
}

fn to_i16(samples: &[f32]) -> Vec<i16> {
    samples
        .iter()
        .map(|&s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

fn resample_whole(samples: &[i16], ratio: f64) -> Result<Vec<i16>, SpeechError> {
    if samples.is_empty() {
        return Ok(Vec::new());
    }
    let input = to_f32(samples);
    let mut r = sinc(ratio, 1024)?;
    let adapter = InterleavedSlice::new(&input, 1, input.len())
        .map_err(|e| SpeechError::Resample(e.to_string()))?;
    let out = r
        .process_all(&adapter, input.len(), None)
        .map_err(|e| SpeechError::Resample(e.to_string()))?;
    Ok(to_i16(&out.take_data()))
}

/// A whole recording from 8 kHz to 16 kHz: twice as many samples, aligned with the input
/// (the resampler's delay is trimmed).
pub fn resample_8k_to_16k(samples_8k: &[i16]) -> Result<Vec<i16>, SpeechError> {
    resample_whole(samples_8k, 2.0)
}

/// A whole recording from 16 kHz to 8 kHz, band-limited to 4 kHz (for tests and tools that
/// make phone audio out of wideband recordings).
pub fn resample_16k_to_8k(samples_16k: &[i16]) -> Result<Vec<i16>, SpeechError> {
    resample_whole(samples_16k, 0.5)
}

/// µ-law bytes at 8 kHz (a Twilio media payload, an RTP PCMU payload) to 16 kHz linear PCM.
pub fn ulaw_8k_to_16k(ulaw: &[u8]) -> Result<Vec<i16>, SpeechError> {
    let linear: Vec<i16> = ulaw.iter().map(|&b| ulaw_decode(b)).collect();
    resample_8k_to_16k(&linear)
}

/// 8 kHz to 16 kHz in pieces, as the audio arrives (20 ms frames of 160 samples), with the
/// filter's state carried from one piece to the next so the joins are seamless. The output
/// lags the input by the filter's delay (a few milliseconds, as leading silence);
/// [`finish`](Upsampler::finish) flushes the rest.
pub struct Upsampler {
    resampler: Async<f32>,
    pending: Vec<f32>,
}

/// Input samples per resampler step: 20 ms at 8 kHz.
const CHUNK: usize = 160;

impl Upsampler {
    pub fn new() -> Result<Upsampler, SpeechError> {
        Ok(Upsampler {
            resampler: sinc(2.0, CHUNK)?,
            pending: Vec::with_capacity(2 * CHUNK),
        })
    }

    /// The 16 kHz samples ready after these 8 kHz ones (a multiple of 320 samples; the
    /// remainder waits for the next call).
    pub fn push(&mut self, samples_8k: &[i16]) -> Result<Vec<i16>, SpeechError> {
        self.pending
            .extend(samples_8k.iter().map(|&s| f32::from(s) / 32768.0));
        let mut out = Vec::with_capacity(self.pending.len() * 2);
        let mut used = 0;
        while self.pending.len() - used >= CHUNK {
            self.step(used, CHUNK, &mut out)?;
            used += CHUNK;
        }
        self.pending.drain(..used);
        Ok(to_i16(&out))
    }

    /// The rest: pending input (padded with silence) and the filter's delay worth of output.
    pub fn finish(&mut self) -> Result<Vec<i16>, SpeechError> {
        let mut out = Vec::new();
        let delay_in = self.resampler.output_delay().div_ceil(2);
        let mut left = self.pending.len() + delay_in;
        self.pending.resize(CHUNK, 0.0);
        while left > 0 {
            let n = left.min(CHUNK);
            self.step(0, CHUNK, &mut out)?;
            self.pending.iter_mut().for_each(|s| *s = 0.0);
            left -= n;
        }
        self.pending.clear();
        self.resampler.reset();
        Ok(to_i16(&out))
    }

    fn step(&mut self, from: usize, len: usize, out: &mut Vec<f32>) -> Result<(), SpeechError> {
        let adapter = InterleavedSlice::new(&self.pending[from..from + len], 1, len)
            .map_err(|e| SpeechError::Resample(e.to_string()))?;
        let chunk = self
            .resampler
            .process(&adapter, None)
            .map_err(|e| SpeechError::Resample(e.to_string()))?;
        out.extend_from_slice(&chunk.take_data());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f32, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = i as f32 / rate as f32;
                ((t * hz * std::f32::consts::TAU).sin() * 8000.0) as i16
            })
            .collect()
    }

    #[test]
    fn upsampling_doubles_the_length_and_keeps_a_tone() {
        let x = tone(8000, 440.0, 8000);
        let y = resample_8k_to_16k(&x).unwrap();
        assert_eq!(y.len(), 16000);
        // The same tone at 16 kHz, compared away from the edges, at the best of a few
        // sample offsets: rubato aligns to within a sample, which a recognizer's 10 ms
        // frames never notice.
        let expect = tone(16000, 440.0, 16000);
        let (lag, err) = (-3i32..=3)
            .map(|lag| {
                let e = (1000..15000)
                    .map(|i| f64::from(y[i] - expect[(i as i32 + lag) as usize]).abs())
                    .sum::<f64>()
                    / 14000.0;
                (lag, e)
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        eprintln!("best lag {lag}, mean error {err}");
        assert!(lag.abs() <= 1 && err < 80.0, "lag {lag}, mean error {err}");
    }

    #[test]
    fn streaming_upsampling_matches_the_whole_signal_after_its_delay() {
        let x = tone(8000, 300.0, 4000);
        let whole = resample_8k_to_16k(&x).unwrap();
        let mut up = Upsampler::new().unwrap();
        let mut streamed = Vec::new();
        for frame in x.chunks(160) {
            streamed.extend(up.push(frame).unwrap());
        }
        streamed.extend(up.finish().unwrap());
        let delay = Upsampler::new().unwrap().resampler.output_delay();
        assert!(streamed.len() >= whole.len() + delay);
        let diff = (0..whole.len())
            .map(|i| (i32::from(whole[i]) - i32::from(streamed[i + delay])).abs())
            .max()
            .unwrap();
        assert!(diff <= 2, "largest difference {diff}");
    }

    #[test]
    fn ulaw_bytes_come_out_at_16k() {
        let x: Vec<u8> = tone(8000, 500.0, 800)
            .into_iter()
            .map(ulaw_encode)
            .collect();
        assert_eq!(ulaw_8k_to_16k(&x).unwrap().len(), 1600);
    }
}
