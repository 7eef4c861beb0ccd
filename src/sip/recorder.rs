//! A call's recording as the media thread makes it: what CareLine sent and what the caller
//! sent, lined up on one clock and cut into chunks of a few seconds for the database.
//!
//! CareLine's side is one frame per 20 ms tick, so its position is the count of frames sent.
//! The caller's packets are placed by their RTP timestamps, anchored at the first packet's
//! arrival, so jitter and reordering do not shift them and a lost packet leaves silence. A
//! chunk is cut only when the clock is a second past its end, so packets that arrive late still
//! land in it. Runs on the media thread: no I/O, no blocking, bounded memory.

use careline_media::g711::ulaw_encode;
use careline_store::recordings::NewChunk;
use tokio::sync::mpsc::UnboundedSender;

/// Samples per millisecond at 8 kHz.
const PER_MS: u64 = 8;
/// A chunk: five seconds. A crash loses at most the chunk in progress.
pub const CHUNK_SAMPLES: u64 = 5_000 * PER_MS;
/// How long a chunk waits for the caller's late packets before it is cut.
const LAG_SAMPLES: u64 = 1_000 * PER_MS;
/// How far ahead of our clock a caller's packet may claim to be: the delay of the packet the
/// placement was anchored on.
const FUTURE_SAMPLES: u64 = 100 * PER_MS;
/// µ-law silence.
const SILENCE: u8 = 0xFF;

pub struct Recorder {
    out: UnboundedSender<NewChunk>,
    /// µ-law from sample `start` on: what we sent, and what the caller sent.
    ours: Vec<u8>,
    theirs: Vec<u8>,
    start: u64,
    /// Samples of our side so far: the recording's clock.
    clock: u64,
    /// The caller's stream (SSRC), an RTP timestamp of it, and where on our clock it falls.
    anchor: Option<(u32, u32, u64)>,
    seq: i32,
    /// The caller is keying a secret: their side is recorded as silence.
    masked: bool,
}

impl Recorder {
    pub fn new(out: UnboundedSender<NewChunk>) -> Recorder {
        let cap = (CHUNK_SAMPLES + LAG_SAMPLES) as usize + 160;
        Recorder {
            out,
            ours: Vec::with_capacity(cap),
            theirs: Vec::with_capacity(cap),
            start: 0,
            clock: 0,
            anchor: None,
            seq: 0,
            masked: false,
        }
    }

    pub fn mask(&mut self, on: bool) {
        self.masked = on;
    }

    /// One tick of our side (silence while we are not sending).
    pub fn ours(&mut self, frame: &[i16]) {
        self.ours.extend(frame.iter().map(|&s| ulaw_encode(s)));
        self.advance(frame.len());
    }

    /// One tick of our side already in µ-law (the packet just sent, on a PCMU call), so the
    /// media thread does not encode it twice.
    pub fn ours_mulaw(&mut self, frame: &[u8]) {
        self.ours.extend_from_slice(frame);
        self.advance(frame.len());
    }

    fn advance(&mut self, samples: usize) {
        self.clock += samples as u64;
        if self.clock - self.start >= CHUNK_SAMPLES + LAG_SAMPLES {
            self.cut(CHUNK_SAMPLES);
        }
    }

    /// One packet of the caller's audio, decoded.
    pub fn theirs(&mut self, ssrc: u32, timestamp: u32, pcm: &[i16]) {
        let len = pcm.len() as u64;
        let here = self.clock.saturating_sub(len);
        let placed = match self.anchor {
            Some((s, ts, at)) if s == ssrc => {
                let pos = at as i64 + i64::from(timestamp.wrapping_sub(ts) as i32);
                // Audio from the future (a phone whose clock runs fast, or timestamps that
                // jumped), or from long ago (a new timestamp base): start again from where we
                // are. Late audio within the lag lands where it belongs.
                let ahead = pos - here as i64;
                (pos >= 0 && ahead <= FUTURE_SAMPLES as i64 && -ahead <= 2 * LAG_SAMPLES as i64)
                    .then_some(pos as u64)
            }
            _ => None,
        };
        let pos = placed.unwrap_or_else(|| {
            self.anchor = Some((ssrc, timestamp, here));
            here
        });
        if pos < self.start {
            return; // later than its chunk waited for
        }
        let i = (pos - self.start) as usize;
        if self.theirs.len() < i + pcm.len() {
            self.theirs.resize(i + pcm.len(), SILENCE);
        }
        let dst = &mut self.theirs[i..i + pcm.len()];
        if self.masked {
            dst.fill(SILENCE);
        } else {
            for (d, &s) in dst.iter_mut().zip(pcm) {
                *d = ulaw_encode(s);
            }
        }
    }

    /// The rest, when the call's media ends.
    pub fn finish(&mut self) {
        let rest = self.clock - self.start;
        if rest > 0 {
            self.cut(rest);
        }
    }

    fn cut(&mut self, samples: u64) {
        // Our side moves in 20 ms frames, so a chunk is whole milliseconds and its audio is
        // exactly `duration_ms * BYTES_PER_MS` bytes: the store lays a recording out (and
        // serves byte ranges of it) from offsets and durations without unsealing the audio.
        debug_assert_eq!(samples % PER_MS, 0, "a chunk of whole milliseconds");
        let n = samples as usize;
        self.theirs.resize(self.theirs.len().max(n), SILENCE);
        let mut audio = Vec::with_capacity(2 * n);
        for (&t, &o) in self.theirs[..n].iter().zip(&self.ours[..n]) {
            audio.push(t);
            audio.push(o);
        }
        let _ = self.out.send(NewChunk {
            seq: self.seq,
            offset_ms: (self.start / PER_MS) as i64,
            duration_ms: (samples / PER_MS) as i64,
            audio,
        });
        self.ours.drain(..n);
        self.theirs.drain(..n);
        self.start += samples;
        self.seq += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use careline_media::g711::ulaw_decode;
    use tokio::sync::mpsc::unbounded_channel;

    fn tone(level: i16) -> [i16; 160] {
        [level; 160]
    }

    /// (caller, ours) of a chunk, decoded.
    fn sides(c: &NewChunk) -> (Vec<i16>, Vec<i16>) {
        let t = c.audio.chunks(2).map(|p| ulaw_decode(p[0])).collect();
        let o = c.audio.chunks(2).map(|p| ulaw_decode(p[1])).collect();
        (t, o)
    }

    #[test]
    fn chunks_are_five_seconds_and_the_tail_is_kept() {
        let (tx, mut rx) = unbounded_channel();
        let mut r = Recorder::new(tx);
        // 12.5 s of our side.
        for _ in 0..625 {
            r.ours(&tone(1000));
        }
        let first = rx.try_recv().expect("a chunk after 6 s");
        assert_eq!(
            (first.seq, first.offset_ms, first.duration_ms),
            (0, 0, 5000)
        );
        assert_eq!(first.audio.len(), 2 * 40_000);
        let second = rx.try_recv().expect("a second chunk after 11 s");
        assert_eq!((second.seq, second.offset_ms), (1, 5000));
        assert!(rx.try_recv().is_err(), "12.5 s is two whole chunks");
        r.finish();
        let tail = rx.try_recv().expect("the tail");
        assert_eq!(
            (tail.seq, tail.offset_ms, tail.duration_ms),
            (2, 10_000, 2500)
        );
        let (caller, ours) = sides(&tail);
        assert!(caller.iter().all(|&s| s == 0), "the caller said nothing");
        assert!(ours.iter().all(|&s| (s - 1000).abs() < 40));
    }

    #[test]
    fn the_callers_packets_are_placed_by_timestamp_and_late_ones_still_land() {
        let (tx, mut rx) = unbounded_channel();
        let mut r = Recorder::new(tx);
        let ts0 = u32::MAX - 200; // wraps on the second packet
        for tick in 0..50u32 {
            r.ours(&tone(0));
            // Packets 10 and 11 arrive swapped; packet 20 never arrives.
            let n = match tick {
                10 => 11,
                11 => 10,
                20 => continue,
                t => t,
            };
            r.theirs(7, ts0.wrapping_add(n * 160), &tone(2000 + n as i16));
        }
        r.finish();
        let chunk = rx.try_recv().unwrap();
        let (caller, _) = sides(&chunk);
        let at = |packet: usize| caller[packet * 160 + 80];
        for n in [5usize, 10, 11, 30] {
            assert!(
                (at(n) - (2000 + n as i16)).abs() < 80,
                "packet {n} in its place: {}",
                at(n)
            );
        }
        assert_eq!(at(20), 0, "a lost packet is silence");
    }

    #[test]
    fn secrets_are_not_recorded() {
        let (tx, mut rx) = unbounded_channel();
        let mut r = Recorder::new(tx);
        for tick in 0..20u32 {
            r.ours(&tone(0));
            r.mask((5..10).contains(&tick));
            r.theirs(1, tick * 160, &tone(3000));
        }
        r.finish();
        let (caller, _) = sides(&rx.try_recv().unwrap());
        assert!((caller[2 * 160] - 3000).abs() < 100);
        assert!(caller[5 * 160..10 * 160].iter().all(|&s| s == 0));
        assert!((caller[12 * 160] - 3000).abs() < 100);
    }

    #[test]
    fn a_clock_that_runs_fast_does_not_push_audio_past_the_end() {
        let (tx, mut rx) = unbounded_channel();
        let mut r = Recorder::new(tx);
        // The phone's clock runs 1.5 times fast: three packets for every two of ours.
        let mut ts = 0u32;
        for tick in 0..100u32 {
            r.ours(&tone(0));
            for _ in 0..1 + tick % 2 {
                r.theirs(1, ts, &tone(1000));
                ts += 160;
            }
        }
        r.finish();
        let chunk = rx.try_recv().unwrap();
        assert_eq!(
            chunk.duration_ms, 2000,
            "the call's length, not the phone's"
        );
        let (caller, _) = sides(&chunk);
        // More audio than the call had time for: some is overwritten, none is lost to gaps.
        let heard = caller.iter().filter(|&&s| s != 0).count();
        assert!(heard >= 99 * 160, "{heard} of 16000 samples heard");
    }

    #[test]
    fn a_new_stream_or_a_jump_starts_from_the_clock() {
        let (tx, mut rx) = unbounded_channel();
        let mut r = Recorder::new(tx);
        for tick in 0..10u32 {
            r.ours(&tone(0));
            r.theirs(1, 1000 + tick * 160, &tone(1000));
        }
        // After a re-INVITE the phone sends from a new SSRC and timestamp base.
        for tick in 10..20u32 {
            r.ours(&tone(0));
            r.theirs(2, 9_000_000 + tick * 160, &tone(-1000));
        }
        r.finish();
        let chunk = rx.try_recv().unwrap();
        assert_eq!(
            chunk.duration_ms, 400,
            "the caller does not lengthen the recording"
        );
        let (caller, _) = sides(&chunk);
        assert!((caller[15 * 160] + 1000).abs() < 40);
    }

    proptest::proptest! {
        /// Whatever a caller's packets claim (any SSRC, timestamp, length, order), the
        /// recording is as long as the call, its pieces abut, and its buffers stay bounded.
        #[test]
        fn any_stream_gives_a_recording_as_long_as_the_call(
            packets in proptest::collection::vec(
                (0u32..3, proptest::prelude::any::<u32>(), 0usize..1500, proptest::prelude::any::<bool>()),
                0..400,
            )
        ) {
            let (tx, mut rx) = unbounded_channel();
            let mut r = Recorder::new(tx);
            let mut ticks = 0u64;
            for (ssrc, ts, len, tick) in packets {
                if tick {
                    r.ours(&tone(100));
                    ticks += 1;
                }
                r.theirs(ssrc, ts, &vec![500; len]);
                proptest::prop_assert!(r.theirs.len() as u64 <= CHUNK_SAMPLES + LAG_SAMPLES + 3000);
            }
            r.finish();
            let mut next = 0;
            let mut total = 0;
            while let Ok(c) = rx.try_recv() {
                proptest::prop_assert_eq!(c.offset_ms, next);
                proptest::prop_assert_eq!(c.audio.len() as i64, c.duration_ms * 16);
                next += c.duration_ms;
                total += c.duration_ms;
            }
            proptest::prop_assert_eq!(total as u64, ticks * 20);
        }
    }
}
