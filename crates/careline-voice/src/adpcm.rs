//! IMA ADPCM (4 bits a sample), the word bank's storage format.
//!
//! Why: the bank is compiled into the binary, and at 8 kHz 4-bit ADPCM is half the size of
//! µ-law for speech quality close to the telephone's own (the same family as G.726 at 32 kbit/s,
//! which networks use as toll quality). The audio goes out as µ-law anyway.
//!
//! The algorithm is the Interactive Multimedia Association's (1992), as in IMA/DVI WAV files:
//! each 4-bit code is a sign and three magnitude bits of the difference from the prediction, in
//! units of an adaptive step. Codes are packed two to a byte, first sample in the low nibble.
//! A block starts with the step index that suits its first samples; the prediction starts at 0,
//! which is right because every bank unit starts with a fade-in from silence.

const STEPS: [i32; 89] = [
    7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66,
    73, 80, 88, 97, 107, 118, 130, 143, 157, 173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449,
    494, 544, 598, 658, 724, 796, 876, 963, 1060, 1166, 1282, 1411, 1552, 1707, 1878, 2066, 2272,
    2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493,
    10442, 11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767,
];

const INDEX_CHANGE: [i32; 8] = [-1, -1, -1, -1, 2, 4, 6, 8];

#[derive(Clone, Copy)]
struct State {
    predictor: i32,
    index: i32,
}

impl State {
    fn decode(&mut self, code: u8) -> i16 {
        let step = STEPS[self.index as usize];
        let mut diff = step >> 3;
        if code & 4 != 0 {
            diff += step;
        }
        if code & 2 != 0 {
            diff += step >> 1;
        }
        if code & 1 != 0 {
            diff += step >> 2;
        }
        if code & 8 != 0 {
            self.predictor -= diff;
        } else {
            self.predictor += diff;
        }
        self.predictor = self.predictor.clamp(-32768, 32767);
        self.index = (self.index + INDEX_CHANGE[usize::from(code & 7)]).clamp(0, 88);
        self.predictor as i16
    }

    fn encode(&mut self, sample: i16) -> u8 {
        let step = STEPS[self.index as usize];
        let mut diff = i32::from(sample) - self.predictor;
        let mut code = 0u8;
        if diff < 0 {
            code = 8;
            diff = -diff;
        }
        let mut probe = step;
        for bit in [4u8, 2, 1] {
            if diff >= probe {
                code |= bit;
                diff -= probe;
            }
            probe >>= 1;
        }
        // Decode our own code so the encoder tracks exactly what the decoder will have.
        self.decode(code);
        code
    }
}

/// Encodes a block: one byte of starting step index, then the codes.
pub fn encode(pcm: &[i16]) -> Vec<u8> {
    // Start the step near the size of the first differences rather than at the smallest,
    // so a block that does not start in silence does not smear its first milliseconds.
    let first_diff = pcm
        .iter()
        .take(8)
        .zip(std::iter::once(&0).chain(pcm.iter()))
        .map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs())
        .max()
        .unwrap_or(0);
    let index = STEPS
        .iter()
        .position(|&s| s * 2 >= first_diff)
        .unwrap_or(88) as i32;
    let mut state = State {
        predictor: 0,
        index,
    };
    let mut out = Vec::with_capacity(1 + pcm.len().div_ceil(2));
    out.push(index as u8);
    for pair in pcm.chunks(2) {
        let low = state.encode(pair[0]);
        let high = pair.get(1).map_or(0, |&s| state.encode(s));
        out.push(low | (high << 4));
    }
    out
}

/// Decodes `samples` samples from a block made by [`encode`].
pub fn decode(block: &[u8], samples: usize) -> Vec<i16> {
    let Some((&index, codes)) = block.split_first() else {
        return Vec::new();
    };
    let mut state = State {
        predictor: 0,
        index: i32::from(index.min(88)),
    };
    let mut out = Vec::with_capacity(samples);
    for &byte in codes {
        for code in [byte & 0x0f, byte >> 4] {
            if out.len() == samples {
                return out;
            }
            out.push(state.decode(code));
        }
    }
    out
}

/// The bytes [`encode`] makes for `samples` samples.
pub fn encoded_len(samples: usize) -> usize {
    1 + samples.div_ceil(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snr_db(a: &[i16], b: &[i16]) -> f64 {
        let signal: f64 = a.iter().map(|&s| f64::from(s).powi(2)).sum();
        let noise: f64 = a
            .iter()
            .zip(b)
            .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
            .sum();
        10.0 * (signal / noise).log10()
    }

    #[test]
    fn speech_like_audio_survives_with_good_snr() {
        // Two formant-like tones with a syllable-rate envelope, at telephone speech level.
        let pcm: Vec<i16> = (0..16000)
            .map(|i| {
                let t = i as f64 / 8000.0;
                let env = (std::f64::consts::PI * 4.0 * t).sin().abs();
                let s = (2.0 * std::f64::consts::PI * 500.0 * t).sin() * 0.6
                    + (2.0 * std::f64::consts::PI * 1500.0 * t).sin() * 0.3;
                (s * env * 6000.0) as i16
            })
            .collect();
        let block = encode(&pcm);
        assert_eq!(block.len(), encoded_len(pcm.len()));
        let back = decode(&block, pcm.len());
        assert_eq!(back.len(), pcm.len());
        let snr = snr_db(&pcm, &back);
        assert!(snr > 20.0, "SNR {snr:.1} dB");
    }

    #[test]
    fn odd_lengths_and_empty_blocks() {
        let pcm = [100i16, -200, 300];
        assert_eq!(decode(&encode(&pcm), 3).len(), 3);
        assert!(decode(&[], 5).is_empty());
        assert!(decode(&encode(&[]), 0).is_empty());
    }
}
