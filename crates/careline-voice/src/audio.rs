//! Audio plumbing: reading WAV files of any common format, band-limited conversion to 8 kHz mono,
//! and the small clean-ups (silence trimming, level, fades) the word bank and synthesisers need.

use std::io::{Read, Seek};
use std::path::Path;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, FixedAsync, Resampler, SincInterpolationParameters};

/// The rate of everything this crate returns: the telephone's, G.711's.
pub const SAMPLE_RATE: u32 = 8000;

/// Why audio could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("not a readable WAV file: {0}")]
    Wav(#[from] hound::Error),
    #[error("unsupported WAV format: {0}")]
    Format(String),
    #[error("resampling failed: {0}")]
    Resample(String),
}

/// Reads a WAV file and returns its audio as 8 kHz mono 16-bit PCM.
pub fn read_wav_file(path: &Path) -> Result<Vec<i16>, AudioError> {
    let reader = hound::WavReader::open(path)?;
    decode(reader)
}

/// As [`read_wav_file`], from bytes in memory (a synthesiser's output).
pub fn read_wav_bytes(bytes: &[u8]) -> Result<Vec<i16>, AudioError> {
    let reader = hound::WavReader::new(std::io::Cursor::new(bytes))?;
    decode(reader)
}

fn decode<R: Read + Seek>(mut reader: hound::WavReader<R>) -> Result<Vec<i16>, AudioError> {
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    if channels == 0 || spec.sample_rate == 0 {
        return Err(AudioError::Format(format!(
            "{channels} channels at {} Hz",
            spec.sample_rate
        )));
    }
    // Every format to f32 in [-1, 1): integers scaled by their full range, so 8-bit unsigned
    // (hound re-centres it), 16-, 24- and 32-bit signed all come out at the same level.
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => reader.samples::<f32>().collect::<Result<_, _>>()?,
        (hound::SampleFormat::Int, bits @ 8..=32) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()?
        }
        (format, bits) => {
            return Err(AudioError::Format(format!("{bits}-bit {format:?} samples")));
        }
    };
    // Channels averaged, not summed: a stereo file with the voice in both keeps its level.
    let mono: Vec<f32> = interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    let pcm = resample(&mono, spec.sample_rate, SAMPLE_RATE)?;
    Ok(to_i16(&pcm))
}

/// Converts mono audio from one rate to another with a windowed-sinc resampler (rubato's, 256
/// taps, Blackman-Harris window, cutoff chosen by rubato just under the lower Nyquist), so
/// content above 4 kHz is filtered out rather than folded back into the telephone band. The
/// output is exactly `len * to / from` frames long (rounded up), aligned with the input.
pub fn resample(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, AudioError> {
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    let params = SincInterpolationParameters::default();
    let mut resampler = Async::<f32>::new_sinc(
        f64::from(to) / f64::from(from),
        1.0,
        &params,
        1024,
        1,
        FixedAsync::Input,
    )
    .map_err(|e| AudioError::Resample(e.to_string()))?;
    let adapter = InterleavedSlice::new(input, 1, input.len())
        .map_err(|e| AudioError::Resample(e.to_string()))?;
    let out = resampler
        .process_all(&adapter, input.len(), None)
        .map_err(|e| AudioError::Resample(e.to_string()))?;
    Ok(out.take_data())
}

/// Float samples to 16-bit, clipped rather than wrapped.
pub fn to_i16(samples: &[f32]) -> Vec<i16> {
    samples
        .iter()
        .map(|&s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// 16-bit samples to float.
pub fn to_f32(samples: &[i16]) -> Vec<f32> {
    samples.iter().map(|&s| f32::from(s) / 32768.0).collect()
}

/// Writes 16-bit mono PCM as a WAV file.
pub fn write_wav(path: &Path, rate: u32, samples: &[i16]) -> Result<(), hound::Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    for &s in samples {
        w.write_sample(s)?;
    }
    w.finalize()
}

/// 10 ms at 8 kHz: the frame the level functions measure in.
const FRAME_10MS: usize = (SAMPLE_RATE / 100) as usize;

/// Mean energy of each 10 ms frame.
fn frame_energies(pcm: &[i16]) -> Vec<f64> {
    pcm.chunks(FRAME_10MS)
        .map(|c| c.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / c.len() as f64)
        .collect()
}

/// Cuts the silence before the first and after the last sound, keeping `margin_ms` of it.
/// "Silence" is any 10 ms frame more than 40 dB below the loudest frame, so a synthesiser's
/// near-silent breath noise is cut too.
pub fn trim_silence(pcm: &[i16], margin_ms: u32) -> Vec<i16> {
    let frame = FRAME_10MS;
    let energies = frame_energies(pcm);
    let loudest = energies.iter().copied().fold(0.0, f64::max);
    if loudest == 0.0 {
        return Vec::new();
    }
    let threshold = loudest * 1e-4;
    let first = energies.iter().position(|&e| e > threshold).unwrap_or(0);
    let last = energies.iter().rposition(|&e| e > threshold).unwrap_or(0);
    let margin = (SAMPLE_RATE * margin_ms / 1000) as usize;
    let start = (first * frame).saturating_sub(margin);
    let end = ((last + 1) * frame + margin).min(pcm.len());
    pcm[start..end].to_vec()
}

/// Scales audio so its speech (the frames within 30 dB of the loudest) has RMS `target_dbfs`,
/// but never so far that a peak clips. Units recorded separately then play at one level.
pub fn normalise_level(pcm: &mut [i16], target_dbfs: f64) {
    let energies = frame_energies(pcm);
    let loudest = energies.iter().copied().fold(0.0, f64::max);
    let active: Vec<f64> = energies
        .into_iter()
        .filter(|&e| e > loudest * 1e-3)
        .collect();
    if active.is_empty() {
        return;
    }
    let rms = (active.iter().sum::<f64>() / active.len() as f64).sqrt() / 32768.0;
    let peak = pcm.iter().map(|&s| f64::from(s).abs()).fold(0.0, f64::max) / 32768.0;
    let wanted = 10f64.powf(target_dbfs / 20.0) / rms;
    let gain = wanted.min(0.98 / peak);
    for s in pcm.iter_mut() {
        *s = (f64::from(*s) * gain).round().clamp(-32768.0, 32767.0) as i16;
    }
}

/// Fades the first and last `ms` milliseconds in and out, so units joined end to end do not
/// click where a waveform was cut mid-cycle.
pub fn fade_edges(pcm: &mut [i16], ms: u32) {
    let n = ((SAMPLE_RATE * ms / 1000) as usize).min(pcm.len() / 2);
    let len = pcm.len();
    for i in 0..n {
        let g = i as f32 / n as f32;
        pcm[i] = (f32::from(pcm[i]) * g) as i16;
        pcm[len - 1 - i] = (f32::from(pcm[len - 1 - i]) * g) as i16;
    }
}

/// `ms` milliseconds of silence at 8 kHz.
pub fn silence(ms: u32) -> impl Iterator<Item = i16> {
    std::iter::repeat_n(0, (SAMPLE_RATE * ms / 1000) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_keeps_the_sound_and_a_margin() {
        let mut pcm = vec![0i16; 4000];
        pcm.extend((0..800).map(|i| if i % 2 == 0 { 8000 } else { -8000 }));
        pcm.extend(vec![3i16; 4000]);
        let t = trim_silence(&pcm, 10);
        assert_eq!(t.len(), 800 + 2 * 80);
        assert!(trim_silence(&[0; 100], 10).is_empty());
    }

    #[test]
    fn level_is_normalised_without_clipping() {
        let mut quiet: Vec<i16> = (0..8000)
            .map(|i| ((i as f32 * 0.3).sin() * 300.0) as i16)
            .collect();
        normalise_level(&mut quiet, -20.0);
        let rms = (quiet.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / 8000.0).sqrt();
        let db = 20.0 * (rms / 32768.0).log10();
        assert!((db + 20.0).abs() < 0.5, "{db} dBFS");
    }
}
