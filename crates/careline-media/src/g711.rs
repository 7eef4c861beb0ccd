//! G.711 µ-law (PCMU, payload type 0) and A-law (PCMA, payload type 8): 16-bit linear PCM
//! to 8-bit codes and back, as in ITU-T G.711 (the segment search of the public-domain Sun
//! reference, `g711.c`).

const SEG_END_ULAW: [i32; 8] = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
const SEG_END_ALAW: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 8159;

fn segment(value: i32, ends: &[i32; 8]) -> usize {
    ends.iter().position(|&end| value <= end).unwrap_or(8)
}

/// One linear sample to µ-law.
pub fn ulaw_encode(sample: i16) -> u8 {
    let mut v = i32::from(sample) >> 2;
    let mask: i32 = if v < 0 {
        v = -v;
        0x7F
    } else {
        0xFF
    };
    v = v.min(ULAW_CLIP) + (ULAW_BIAS >> 2);
    let seg = segment(v, &SEG_END_ULAW);
    if seg >= 8 {
        return (0x7F ^ mask) as u8;
    }
    let code = ((seg as i32) << 4) | ((v >> (seg + 1)) & 0x0F);
    (code ^ mask) as u8
}

/// One µ-law code to linear.
pub fn ulaw_decode(code: u8) -> i16 {
    let u = i32::from(!code);
    let mut t = ((u & 0x0F) << 3) + ULAW_BIAS;
    t <<= (u & 0x70) >> 4;
    (if u & 0x80 != 0 {
        ULAW_BIAS - t
    } else {
        t - ULAW_BIAS
    }) as i16
}

/// One linear sample to A-law.
pub fn alaw_encode(sample: i16) -> u8 {
    let mut v = i32::from(sample) >> 3;
    let mask: i32 = if v >= 0 {
        0xD5
    } else {
        v = -v - 1;
        0x55
    };
    let seg = segment(v, &SEG_END_ALAW);
    if seg >= 8 {
        return (0x7F ^ mask) as u8;
    }
    let mut code = (seg as i32) << 4;
    code |= if seg < 2 {
        (v >> 1) & 0x0F
    } else {
        (v >> seg) & 0x0F
    };
    (code ^ mask) as u8
}

/// One A-law code to linear.
pub fn alaw_decode(code: u8) -> i16 {
    let a = i32::from(code) ^ 0x55;
    let mut t = (a & 0x0F) << 4;
    let seg = (a & 0x70) >> 4;
    t += match seg {
        0 => 8,
        _ => 0x108,
    };
    if seg > 1 {
        t <<= seg - 1;
    }
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

/// The two G.711 laws, by their RTP static payload types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// PCMU, payload type 0.
    Ulaw,
    /// PCMA, payload type 8.
    Alaw,
}

impl Law {
    pub fn payload_type(self) -> u8 {
        match self {
            Law::Ulaw => 0,
            Law::Alaw => 8,
        }
    }

    pub fn encode(self, pcm: &[i16], out: &mut Vec<u8>) {
        out.extend(pcm.iter().map(|&s| match self {
            Law::Ulaw => ulaw_encode(s),
            Law::Alaw => alaw_encode(s),
        }));
    }

    pub fn decode(self, codes: &[u8], out: &mut Vec<i16>) {
        out.extend(codes.iter().map(|&c| match self {
            Law::Ulaw => ulaw_decode(c),
            Law::Alaw => alaw_decode(c),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xAA), 32256);
        assert_eq!(alaw_decode(0x2A), -32256);
    }

    #[test]
    fn every_code_decodes_to_a_value_that_encodes_back_to_it() {
        for c in 0..=255u8 {
            // µ-law has two zeros (0x7F and 0xFF): both decode to 0, which encodes as 0xFF.
            let u = ulaw_decode(c);
            let back = ulaw_encode(u);
            assert!(
                back == c || (u == 0 && back == 0xFF),
                "µ {c:#x} -> {u} -> {back:#x}"
            );
            let a = alaw_decode(c);
            assert_eq!(alaw_encode(a), c, "A {c:#x} -> {a}");
        }
    }

    #[test]
    fn the_quantisation_error_stays_within_the_segment_step() {
        for s in (i16::MIN..=i16::MAX).step_by(7) {
            let u = i32::from(ulaw_decode(ulaw_encode(s)));
            let a = i32::from(alaw_decode(alaw_encode(s)));
            let s = i32::from(s);
            // The largest step is 1024 (µ) and 1024 (A) in the top segment: half of it, plus
            // clipping near full scale.
            assert!((u - s).abs() <= 1024, "µ {s} -> {u}");
            assert!((a - s).abs() <= 1024, "A {s} -> {a}");
            // Small signals keep their detail: the finest steps are 8 (µ) and 16 (A).
            if s.abs() < 64 {
                assert!((u - s).abs() <= 8, "µ {s} -> {u}");
                assert!((a - s).abs() <= 16, "A {s} -> {a}");
            }
        }
    }

    #[test]
    fn encoding_keeps_the_sign_and_order() {
        let mut last = i32::MIN;
        for s in (i16::MIN..=i16::MAX).step_by(97) {
            let u = i32::from(ulaw_decode(ulaw_encode(s)));
            assert!(u >= last, "µ-law must be monotonic");
            last = u;
            if s > 100 {
                assert!(u > 0);
            }
            if s < -100 {
                assert!(u < 0);
            }
        }
    }
}
