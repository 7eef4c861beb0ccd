//! DTMF in its three forms: RFC 4733 telephone-events carried in RTP, deduplicated so an
//! event's repeated packets give one key; the bodies of SIP INFO requests; and in-band tones
//! found with the Goertzel algorithm, with the checks that keep speech and music from being
//! taken for keys.

/// The keypad keys of RFC 4733 §3.2 (events 0–15).
const KEYS: [char; 16] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D',
];

/// A telephone-event payload (RFC 4733 §2.3): event, end bit, volume, duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    pub event: u8,
    pub end: bool,
    /// Power level in -dBm0 (0-63).
    pub volume: u8,
    /// In timestamp units (samples at 8 kHz).
    pub duration: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    TooShort(usize),
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventError::TooShort(n) => write!(f, "telephone-event payload of {n} bytes (needs 4)"),
        }
    }
}

impl TelephoneEvent {
    /// Parse the first four bytes of an RTP payload. Longer payloads (redundant events, RFC
    /// 2198 is not negotiated) are read for their first event only.
    pub fn parse(payload: &[u8]) -> Result<TelephoneEvent, EventError> {
        let [event, flags, d0, d1, ..] = *payload else {
            return Err(EventError::TooShort(payload.len()));
        };
        Ok(TelephoneEvent {
            event,
            end: flags & 0x80 != 0,
            volume: flags & 0x3F,
            duration: u16::from_be_bytes([d0, d1]),
        })
    }

    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            (if self.end { 0x80 } else { 0 }) | (self.volume & 0x3F),
            d[0],
            d[1],
        ]
    }

    /// The key this event is, if it is a keypad event (flash and other tones are not keys).
    pub fn key(self) -> Option<char> {
        KEYS.get(usize::from(self.event)).copied()
    }
}

/// Turns the stream of telephone-event packets of one RTP stream into keys, each once. An
/// event is sent as several packets with the same RTP timestamp (updates while the key is
/// held, then the end packet three times); a new key has a new timestamp.
#[derive(Debug, Default)]
pub struct EventReceiver {
    last_timestamp: Option<u32>,
}

impl EventReceiver {
    /// The key to report for this packet, if it starts a new event.
    pub fn receive(&mut self, rtp_timestamp: u32, event: TelephoneEvent) -> Option<char> {
        if self.last_timestamp == Some(rtp_timestamp) {
            return None;
        }
        self.last_timestamp = Some(rtp_timestamp);
        event.key()
    }
}

/// The key a SIP INFO request carries, by its Content-Type:
/// - `application/dtmf-relay` (Cisco's, the common one): `Signal=5` and `Duration=160` lines;
///   some peers send `Signal=10` for `*` and `11` for `#`.
/// - `application/dtmf` (the draft's): the key alone, or its event number.
///
/// Anything else, or a body that names no key, is `None` (the transport answers 415 or 400).
pub fn info_key(content_type: &str, body: &[u8]) -> Option<char> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let body = std::str::from_utf8(body).ok()?;
    let value = match media.as_str() {
        "application/dtmf-relay" => body.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            k.trim().eq_ignore_ascii_case("signal").then(|| v.trim())
        })?,
        "application/dtmf" => body.trim(),
        _ => return None,
    };
    key_of(value)
}

/// `5`, `*`, `#`, `A`… or an RFC 4733 event number (`10` is `*`, `11` is `#`).
fn key_of(value: &str) -> Option<char> {
    let mut chars = value.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        let c = c.to_ascii_uppercase();
        if KEYS.contains(&c) {
            return Some(c);
        }
    }
    let n: usize = value.parse().ok()?;
    KEYS.get(n).copied()
}

/// Row and column frequencies of the keypad, Hz.
const ROWS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
const COLS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const PAD: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];

/// Samples per analysis block at 8 kHz: 205 gives bins close to every DTMF frequency
/// (the classic choice, 25.6 ms).
pub const BLOCK: usize = 205;

/// The power of one frequency in a block (Goertzel).
fn goertzel(samples: &[f32], freq: f32, rate: f32) -> f32 {
    let k = (0.5 + samples.len() as f32 * freq / rate).floor();
    let w = 2.0 * std::f32::consts::PI * k / samples.len() as f32;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f32, 0.0f32);
    for &x in samples {
        let s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// Finds keys in 8 kHz audio. Feed it audio in any chunk sizes; it reports a key once when a
/// tone pair has held for two blocks (about 51 ms, inside the 40 ms minimum of ITU-T Q.24
/// with margin) and needs a block without it before the same key counts again.
///
/// What keeps speech out: both tones must stand well above every other row and column
/// frequency, together hold most of the block's energy, be within the allowed twist of each
/// other, and have no strong second harmonic (voices are rich in harmonics; DTMF tones are
/// pure).
#[derive(Debug, Default)]
pub struct ToneDetector {
    block: Vec<f32>,
    candidate: Option<char>,
    held: u32,
    reported: Option<char>,
}

impl ToneDetector {
    pub fn new() -> ToneDetector {
        ToneDetector {
            block: Vec::with_capacity(BLOCK),
            ..ToneDetector::default()
        }
    }

    /// Feed samples; returns the keys that began in them.
    pub fn feed(&mut self, samples: &[i16]) -> Vec<char> {
        let mut keys = Vec::new();
        for &s in samples {
            self.block.push(f32::from(s));
            if self.block.len() == BLOCK {
                let found = classify(&self.block);
                self.block.clear();
                if let Some(k) = self.step(found) {
                    keys.push(k);
                }
            }
        }
        keys
    }

    fn step(&mut self, found: Option<char>) -> Option<char> {
        if found.is_some() && found == self.candidate {
            self.held += 1;
        } else {
            self.candidate = found;
            self.held = u32::from(found.is_some());
        }
        match found {
            None => {
                self.reported = None;
                None
            }
            Some(k) if self.held >= 2 && self.reported != Some(k) => {
                self.reported = Some(k);
                Some(k)
            }
            Some(_) => None,
        }
    }
}

/// The key a block holds, if it holds one cleanly.
fn classify(block: &[f32]) -> Option<char> {
    const RATE: f32 = 8000.0;
    let energy: f32 = block.iter().map(|x| x * x).sum();
    // Quieter than about -45 dBm0 is silence or line noise.
    if energy < BLOCK as f32 * 100.0 * 100.0 {
        return None;
    }
    let rows = ROWS.map(|f| goertzel(block, f, RATE));
    let cols = COLS.map(|f| goertzel(block, f, RATE));
    let strongest = |p: &[f32; 4]| {
        let (i, &max) = p
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((0, &0.0));
        (i, max)
    };
    let (r, row_power) = strongest(&rows);
    let (c, col_power) = strongest(&cols);
    // Twist: the column tone may be up to 8 dB above the row tone (normal twist) or 4 dB
    // below it (reverse twist).
    if col_power > row_power * 6.3 || row_power > col_power * 2.5 {
        return None;
    }
    // Each tone 6 dB (power x4) above any other tone of its group.
    let clear = |p: &[f32; 4], i: usize, max: f32| {
        p.iter().enumerate().all(|(j, &v)| j == i || v * 4.0 < max)
    };
    if !clear(&rows, r, row_power) || !clear(&cols, c, col_power) {
        return None;
    }
    // The two tones carry most of the block's energy. Goertzel power of a sinusoid of
    // amplitude A over N samples is about (A N / 2)^2, and its energy is A^2 N / 2, so
    // energy = 2 * power / N.
    let tone_energy = 2.0 * (row_power + col_power) / BLOCK as f32;
    if tone_energy < 0.7 * energy {
        return None;
    }
    // Speech has harmonics; a DTMF tone has none worth the name.
    let second_row = goertzel(block, 2.0 * ROWS[r], RATE);
    let second_col = goertzel(block, 2.0 * COLS[c], RATE);
    if second_row * 10.0 > row_power || second_col * 10.0 > col_power {
        return None;
    }
    Some(PAD[r][c])
}

/// A DTMF key as audio: both tones at -6 dBm0-ish amplitude, `ms` long, at 8 kHz. For tests
/// and for sending keys in-band.
pub fn synthesize(key: char, ms: u32, amplitude: f32) -> Vec<i16> {
    let Some((r, c)) = PAD
        .iter()
        .enumerate()
        .find_map(|(r, row)| row.iter().position(|&k| k == key).map(|c| (r, c)))
    else {
        return Vec::new();
    };
    let n = (8 * ms) as usize;
    (0..n)
        .map(|i| {
            let t = i as f32 / 8000.0;
            let v = amplitude
                * ((2.0 * std::f32::consts::PI * ROWS[r] * t).sin()
                    + (2.0 * std::f32::consts::PI * COLS[c] * t).sin());
            v.clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g711::Law;

    #[test]
    fn info_bodies_of_both_types_give_keys() {
        assert_eq!(
            info_key("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n"),
            Some('5')
        );
        assert_eq!(
            info_key("Application/DTMF-Relay; x=y", b"signal= #\nDuration=100"),
            Some('#')
        );
        assert_eq!(
            info_key("application/dtmf-relay", b"Signal=10\r\n"),
            Some('*')
        );
        assert_eq!(
            info_key("application/dtmf-relay", b"Signal=11\r\n"),
            Some('#')
        );
        assert_eq!(info_key("application/dtmf", b"7"), Some('7'));
        assert_eq!(info_key("application/dtmf", b"11\r\n"), Some('#'));
        assert_eq!(info_key("application/dtmf-relay", b"Duration=160"), None);
        assert_eq!(info_key("application/dtmf-relay", b"Signal=x"), None);
        assert_eq!(info_key("application/dtmf", b"99"), None);
        assert_eq!(info_key("text/plain", b"5"), None);
        assert_eq!(info_key("application/dtmf", &[0xFF, 0xFE]), None);
    }

    #[test]
    fn telephone_events_parse_and_round_trip() {
        let e = TelephoneEvent::parse(&[11, 0x8A, 0x03, 0x20]).unwrap();
        assert_eq!(
            e,
            TelephoneEvent {
                event: 11,
                end: true,
                volume: 10,
                duration: 800
            }
        );
        assert_eq!(e.key(), Some('#'));
        assert_eq!(TelephoneEvent::parse(&e.to_bytes()).unwrap(), e);
        assert_eq!(
            TelephoneEvent::parse(&[1, 2, 3]),
            Err(EventError::TooShort(3))
        );
        // Flash (16) and beyond are not keys.
        assert_eq!(TelephoneEvent::parse(&[16, 0, 0, 0]).unwrap().key(), None);
    }

    #[test]
    fn an_event_sent_as_many_packets_is_one_key() {
        let mut rx = EventReceiver::default();
        let ev = |event, end, duration| TelephoneEvent {
            event,
            end,
            volume: 10,
            duration,
        };
        let mut keys = Vec::new();
        // '5' held for 3 updates, then the end packet three times; then '0' likewise.
        for (ts, e) in [
            (1000, ev(5, false, 160)),
            (1000, ev(5, false, 320)),
            (1000, ev(5, false, 480)),
            (1000, ev(5, true, 640)),
            (1000, ev(5, true, 640)),
            (1000, ev(5, true, 640)),
            (5000, ev(0, true, 400)),
            (5000, ev(0, true, 400)),
            (5000, ev(0, true, 400)),
        ] {
            keys.extend(rx.receive(ts, e));
        }
        assert_eq!(keys, vec!['5', '0']);
        // The same key pressed again is a new timestamp: a new key.
        assert_eq!(rx.receive(9000, ev(0, false, 160)), Some('0'));
    }

    fn detect(audio: &[i16]) -> Vec<char> {
        let mut d = ToneDetector::new();
        // In 20 ms packets, as RTP delivers them.
        audio.chunks(160).flat_map(|c| d.feed(c)).collect()
    }

    fn silence(ms: u32) -> Vec<i16> {
        vec![0; (8 * ms) as usize]
    }

    #[test]
    fn every_key_is_found_once_even_through_g711() {
        let keys = "0123456789*#ABCD";
        let mut audio = Vec::new();
        for k in keys.chars() {
            audio.extend(synthesize(k, 80, 6000.0));
            audio.extend(silence(60));
        }
        assert_eq!(detect(&audio).into_iter().collect::<String>(), keys);
        for law in [Law::Ulaw, Law::Alaw] {
            let mut coded = Vec::new();
            law.encode(&audio, &mut coded);
            let mut back = Vec::new();
            law.decode(&coded, &mut back);
            assert_eq!(
                detect(&back).into_iter().collect::<String>(),
                keys,
                "{law:?}"
            );
        }
    }

    #[test]
    fn a_held_key_is_one_key_and_a_repeat_needs_a_gap() {
        let mut audio = synthesize('7', 600, 6000.0);
        audio.extend(silence(60));
        audio.extend(synthesize('7', 80, 6000.0));
        assert_eq!(detect(&audio), vec!['7', '7']);
    }

    #[test]
    fn too_short_quiet_or_lopsided_tones_are_not_keys() {
        // 30 ms: shorter than two blocks.
        assert!(detect(&synthesize('5', 30, 6000.0)).is_empty());
        // Very quiet.
        assert!(detect(&synthesize('5', 200, 20.0)).is_empty());
        // One tone alone (a dial tone-like 941 Hz).
        let one: Vec<i16> = (0..1600)
            .map(|i| {
                (6000.0 * (2.0 * std::f32::consts::PI * 941.0 * i as f32 / 8000.0).sin()) as i16
            })
            .collect();
        assert!(detect(&one).is_empty());
    }

    /// A crude voiced sound: a gliding fundamental with many harmonics and a formant-like
    /// emphasis, the kind of signal that fools a detector that only looks for two peaks.
    fn voice(ms: u32, f0: f32) -> Vec<i16> {
        let n = (8 * ms) as usize;
        let mut phase = 0.0f32;
        (0..n)
            .map(|i| {
                let t = i as f32 / 8000.0;
                let f = f0 * (1.0 + 0.08 * (2.0 * std::f32::consts::PI * 3.0 * t).sin());
                phase += 2.0 * std::f32::consts::PI * f / 8000.0;
                let mut v = 0.0;
                for h in 1..=25 {
                    let hf = f * h as f32;
                    if hf > 3800.0 {
                        break;
                    }
                    // Formants near 700 and 1200 Hz, where DTMF rows and columns are.
                    let gain = 1.0 / h as f32
                        + 1.5 * (-((hf - 700.0) / 150.0).powi(2)).exp()
                        + 1.2 * (-((hf - 1220.0) / 180.0).powi(2)).exp();
                    v += gain * (h as f32 * phase).sin();
                }
                (2500.0 * v).clamp(-32768.0, 32767.0) as i16
            })
            .collect()
    }

    #[test]
    fn speech_like_sound_is_not_taken_for_keys() {
        for f0 in [90.0, 120.0, 160.0, 210.0, 260.0] {
            let found = detect(&voice(2000, f0));
            assert!(found.is_empty(), "f0 {f0}: {found:?}");
        }
    }

    #[test]
    fn noise_is_not_keys() {
        // A deterministic pseudo-random noise.
        let mut x: u32 = 12345;
        let noise: Vec<i16> = (0..16000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                ((x >> 16) as i16) / 4
            })
            .collect();
        assert!(detect(&noise).is_empty());
    }
}
