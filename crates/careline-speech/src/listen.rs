//! Voice activity and end of speech on a call: [`Listener`], a state machine fed the phone's
//! 20 ms frames that says when the caller started talking (barge-in), when they stopped (an
//! [`Utterance`]), and when they said nothing at all.
//!
//! Speech is told from non-speech per frame by WebRTC's voice activity detector (the
//! `webrtc-vad` crate, libfvad's C code built by `cc`; 8 kHz, a few µs a frame), and, because
//! that detector alone takes a steady tone or hiss for a talker, by the frame's energy
//! standing out from the quietest frame of the last second: speech comes and goes with its
//! syllables, while line noise and hold music hold their level, so after at most a second of
//! them nothing more counts as speech.

use std::collections::VecDeque;

use webrtc_vad::{SampleRate, Vad, VadMode};

/// Milliseconds in one frame.
pub const FRAME_MS: u32 = 20;

/// Samples in one 20 ms frame of 8 kHz phone audio.
pub const FRAME_SAMPLES: usize = 160;

/// How aggressively WebRTC's detector calls frames non-speech (its modes 0–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggressiveness {
    Quality,
    LowBitrate,
    Aggressive,
    VeryAggressive,
}

/// The [`Listener`]'s timings, in milliseconds (rounded to whole 20 ms frames).
#[derive(Debug, Clone, PartialEq)]
pub struct ListenerConfig {
    /// Speech heard this long (in total, since its start) is a barge-in:
    /// [`Event::SpeechStarted`]. Default 250.
    pub barge_in_ms: u32,
    /// Non-speech this long ends an utterance. Default 350; 200–1000 accepted.
    pub end_silence_ms: u32,
    /// After [`Listener::listen`], no speech for this long is [`Event::NoSpeech`]. Default 5000.
    pub no_input_ms: u32,
    /// An utterance is cut here even if the caller goes on ([`EndReason::MaxLength`]).
    /// Default 15000.
    pub max_utterance_ms: u32,
    /// Audio kept from before the first speech frame, so the first syllable's soft start is
    /// not lost. Default 300.
    pub preroll_ms: u32,
    /// Less speech than this in an utterance (a click, a cough, a breath) is
    /// [`Event::Discarded`]. Default 100.
    pub min_speech_ms: u32,
    /// WebRTC's mode. Default [`Aggressiveness::Aggressive`].
    pub aggressiveness: Aggressiveness,
    /// How far above the quietest frame of the last second a frame's energy must be to count
    /// as speech, in dB. Default 9.
    pub margin_db: f32,
}

impl Default for ListenerConfig {
    fn default() -> ListenerConfig {
        ListenerConfig {
            barge_in_ms: 250,
            end_silence_ms: 350,
            no_input_ms: 5000,
            max_utterance_ms: 15_000,
            preroll_ms: 300,
            min_speech_ms: 100,
            aggressiveness: Aggressiveness::Aggressive,
            margin_db: 9.0,
        }
    }
}

/// A [`ListenerConfig`] the listener refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("listener setting {name} = {value} ms is out of range ({range})")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: u32,
    pub range: &'static str,
}

/// Why an utterance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// The caller stopped: `end_silence_ms` of non-speech.
    EndOfSpeech,
    /// The caller went on past `max_utterance_ms`. The listener then waits for a pause
    /// before it starts another utterance.
    MaxLength,
}

/// One stretch of caller speech, ended.
#[derive(Clone, PartialEq)]
pub struct Utterance {
    /// The audio, 8 kHz linear PCM: the pre-roll, the speech, and the trailing non-speech
    /// that ended it (whole frames). `resample_8k_to_16k` makes it the model's rate.
    pub audio_8k: Vec<i16>,
    /// The frame (counted from the listener's first, 0) of the first audio sample.
    pub started_at_frame: u64,
    /// The frame at which the end was declared, the last one in `audio_8k`.
    pub ended_at_frame: u64,
    /// The last frame that counted as speech: the caller stopped talking after it, so the
    /// caller's wait began `ended_at_frame - last_speech_frame` frames before the event.
    pub last_speech_frame: u64,
    /// How many frames counted as speech.
    pub speech_frames: u32,
    pub reason: EndReason,
}

/// The audio is PHI (a voice): `Debug` shows only its length and the frame numbers.
impl std::fmt::Debug for Utterance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Utterance")
            .field("samples", &self.audio_8k.len())
            .field("started_at_frame", &self.started_at_frame)
            .field("ended_at_frame", &self.ended_at_frame)
            .field("last_speech_frame", &self.last_speech_frame)
            .field("speech_frames", &self.speech_frames)
            .field("reason", &self.reason)
            .finish()
    }
}

/// What a frame told the [`Listener`]. (`Debug` leaves the audio out.)
#[derive(Clone, PartialEq)]
pub enum Event {
    /// Possible speech: an utterance has begun. `preroll_8k` is its audio before the frame
    /// just pushed; that frame and every later one until the [`Utterance`](Event::Utterance)
    /// or [`Discarded`](Event::Discarded) (both included) belong to it too
    /// ([`Listener::capturing`]). A streaming recognizer begins here.
    Onset { at_frame: u64, preroll_8k: Vec<i16> },
    /// `barge_in_ms` of speech since the onset: the caller is talking over the prompt, which
    /// should stop (SIP: stop playout; Twilio: `clear`). An utterance with less speech than
    /// that ends without this event (a short "no" still counts).
    SpeechStarted { at_frame: u64 },
    /// The utterance ended.
    Utterance(Utterance),
    /// The onset was not speech after all (less than `min_speech_ms`): abandon it.
    Discarded { at_frame: u64 },
    /// No speech for `no_input_ms` after [`Listener::listen`]. Reported once per `listen`.
    NoSpeech { at_frame: u64 },
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Onset {
                at_frame,
                preroll_8k,
            } => f
                .debug_struct("Onset")
                .field("at_frame", at_frame)
                .field("preroll_samples", &preroll_8k.len())
                .finish(),
            Event::SpeechStarted { at_frame } => f
                .debug_struct("SpeechStarted")
                .field("at_frame", at_frame)
                .finish(),
            Event::Utterance(u) => f.debug_tuple("Utterance").field(u).finish(),
            Event::Discarded { at_frame } => f
                .debug_struct("Discarded")
                .field("at_frame", at_frame)
                .finish(),
            Event::NoSpeech { at_frame } => f
                .debug_struct("NoSpeech")
                .field("at_frame", at_frame)
                .finish(),
        }
    }
}

/// WebRTC's detector, movable between threads: libfvad keeps all its state in the instance
/// it allocates and has no globals, so an instance may be used from any one thread at a time.
struct SendVad(Vad);

// SAFETY: see above; `Listener` uses it only through `&mut self`.
unsafe impl Send for SendVad {}

enum State {
    /// Between utterances.
    Idle,
    /// In an utterance.
    Capturing {
        start_frame: u64,
        speech_frames: u32,
        last_speech_frame: u64,
        /// Frames of (smoothed) non-speech since the last speech.
        silent_run: u32,
        barge_in_sent: bool,
    },
    /// After an utterance cut at its maximum length: waiting for the caller to pause.
    Draining { silent_run: u32 },
}

/// Voice activity and end of speech for one call: fed the phone's 20 ms frames (8 kHz, 160
/// samples, linear PCM) in order, it returns at most one [`Event`] per frame. A plain state
/// machine: no threads, no clock (time is the frame count), a few µs a frame, so it runs on
/// the media path itself. `Send`, one per call.
///
/// It listens all the time (speech during a prompt is a barge-in); [`listen`](Listener::listen)
/// only starts the no-input timer, normally when a prompt has finished playing.
pub struct Listener {
    vad: SendVad,
    frame: u64,
    state: State,
    /// The last frames heard, for the pre-roll: (speech?, samples).
    recent: VecDeque<(bool, [i16; FRAME_SAMPLES])>,
    /// Energies (dB) of the last second of frames, for the noise floor.
    energies: VecDeque<f32>,
    /// The last three raw speech decisions, for smoothing the end of speech.
    raw: [bool; 3],
    audio: Vec<i16>,
    capturing: bool,
    /// Frame at which `NoSpeech` is due, while armed.
    no_input_at: Option<u64>,
    barge_in: u32,
    end_silence: u32,
    no_input: u32,
    max_utterance: u32,
    preroll: usize,
    min_speech: u32,
    margin_db: f32,
}

/// Frames looked at for an onset, and how many of them must be speech.
const ONSET_WINDOW: usize = 5;
const ONSET_SPEECH: usize = 3;
/// Frames over which the quietest energy is the noise floor (one second).
const FLOOR_FRAMES: usize = 50;
/// Below this frame energy nothing is speech (digital silence, a muted line), in dB relative
/// to a full-scale square wave.
const ABSOLUTE_FLOOR_DB: f32 = -60.0;

fn frames(ms: u32) -> u32 {
    ms.div_ceil(FRAME_MS).max(1)
}

fn check(
    name: &'static str,
    value: u32,
    lo: u32,
    hi: u32,
    range: &'static str,
) -> Result<(), ConfigError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError { name, value, range })
    }
}

/// Mean power of the frame in dB full scale (a full-scale square wave is 0 dB).
fn energy_db(frame: &[i16]) -> f32 {
    let sum: f64 = frame.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    let mean = sum / frame.len().max(1) as f64 / (32768.0 * 32768.0);
    (10.0 * (mean + 1e-12).log10()) as f32
}

impl Listener {
    pub fn new(config: &ListenerConfig) -> Result<Listener, ConfigError> {
        check(
            "end_silence_ms",
            config.end_silence_ms,
            200,
            1000,
            "200–1000",
        )?;
        check("barge_in_ms", config.barge_in_ms, 20, 2000, "20–2000")?;
        check("no_input_ms", config.no_input_ms, 500, 60_000, "500–60000")?;
        check(
            "max_utterance_ms",
            config.max_utterance_ms,
            1000,
            120_000,
            "1000–120000",
        )?;
        check("preroll_ms", config.preroll_ms, 0, 1000, "0–1000")?;
        check("min_speech_ms", config.min_speech_ms, 20, 1000, "20–1000")?;
        let mode = match config.aggressiveness {
            Aggressiveness::Quality => VadMode::Quality,
            Aggressiveness::LowBitrate => VadMode::LowBitrate,
            Aggressiveness::Aggressive => VadMode::Aggressive,
            Aggressiveness::VeryAggressive => VadMode::VeryAggressive,
        };
        let preroll = if config.preroll_ms == 0 {
            0
        } else {
            frames(config.preroll_ms) as usize
        };
        Ok(Listener {
            vad: SendVad(Vad::new_with_rate_and_mode(SampleRate::Rate8kHz, mode)),
            frame: 0,
            state: State::Idle,
            recent: VecDeque::with_capacity(preroll + ONSET_WINDOW),
            energies: VecDeque::with_capacity(FLOOR_FRAMES),
            raw: [false; 3],
            audio: Vec::new(),
            capturing: false,
            no_input_at: None,
            barge_in: frames(config.barge_in_ms),
            end_silence: frames(config.end_silence_ms),
            no_input: frames(config.no_input_ms),
            max_utterance: frames(config.max_utterance_ms),
            preroll,
            min_speech: frames(config.min_speech_ms),
            margin_db: config.margin_db,
        })
    }

    /// Starts the no-input timer from the next frame: [`Event::NoSpeech`] if no utterance
    /// begins (or one under way does not turn out to be speech) within `no_input_ms`.
    pub fn listen(&mut self) {
        self.no_input_at = Some(self.frame + u64::from(self.no_input));
    }

    /// Stops the no-input timer (the call moved on without waiting for an answer).
    pub fn stop_listening(&mut self) {
        self.no_input_at = None;
    }

    /// Frames pushed so far (the next frame's number).
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// Whether the frame just pushed belongs to an utterance (from the one that gave
    /// [`Event::Onset`] through the one that ended it): a streaming recognizer is fed it.
    pub fn capturing(&self) -> bool {
        self.capturing
    }

    /// Whether an utterance is under way.
    pub fn in_utterance(&self) -> bool {
        matches!(self.state, State::Capturing { .. })
    }

    /// The next 20 ms frame. A frame of another length is padded with silence or cut to 160
    /// samples (RTP packets of other durations should be re-framed by the caller).
    pub fn push(&mut self, frame: &[i16]) -> Option<Event> {
        let mut samples = [0i16; FRAME_SAMPLES];
        let n = frame.len().min(FRAME_SAMPLES);
        samples[..n].copy_from_slice(&frame[..n]);
        let now = self.frame;
        self.frame += 1;

        let speech = self.is_speech(&samples);
        self.raw = [self.raw[1], self.raw[2], speech];
        // Smoothed for the end of speech: a lone blip in a pause does not keep the utterance
        // open, nor does a lone dropout end it.
        let smoothed = self.raw.iter().filter(|&&s| s).count() >= 2;

        if self.preroll + ONSET_WINDOW > 0 {
            if self.recent.len() == self.preroll + ONSET_WINDOW {
                self.recent.pop_front();
            }
            self.recent.push_back((speech, samples));
        }

        self.capturing = false;
        let event = match self.state {
            State::Idle => {
                let window = self.recent.len().min(ONSET_WINDOW);
                let voiced = self
                    .recent
                    .iter()
                    .rev()
                    .take(window)
                    .filter(|(s, _)| *s)
                    .count();
                (speech && voiced >= ONSET_SPEECH).then(|| self.onset(now))
            }
            State::Capturing {
                start_frame,
                ref mut speech_frames,
                ref mut last_speech_frame,
                ref mut silent_run,
                ref mut barge_in_sent,
            } => {
                self.capturing = true;
                self.audio.extend_from_slice(&samples);
                if speech {
                    *speech_frames += 1;
                    *last_speech_frame = now;
                }
                *silent_run = if smoothed { 0 } else { *silent_run + 1 };
                let length = now + 1 - start_frame;
                if *silent_run >= self.end_silence {
                    Some(self.end(now, EndReason::EndOfSpeech))
                } else if length >= u64::from(self.max_utterance) {
                    Some(self.end(now, EndReason::MaxLength))
                } else if !*barge_in_sent && *speech_frames >= self.barge_in {
                    *barge_in_sent = true;
                    Some(Event::SpeechStarted { at_frame: now })
                } else {
                    None
                }
            }
            State::Draining { ref mut silent_run } => {
                *silent_run = if smoothed { 0 } else { *silent_run + 1 };
                if *silent_run >= self.end_silence {
                    self.state = State::Idle;
                }
                None
            }
        };
        if event.is_some() {
            return event;
        }
        match self.no_input_at {
            Some(at) if now >= at && matches!(self.state, State::Idle | State::Draining { .. }) => {
                self.no_input_at = None;
                Some(Event::NoSpeech { at_frame: now })
            }
            _ => None,
        }
    }

    /// Speech by WebRTC's detector and standing out from the last second's noise floor.
    fn is_speech(&mut self, samples: &[i16; FRAME_SAMPLES]) -> bool {
        let energy = energy_db(samples);
        let floor = self.energies.iter().copied().fold(f32::INFINITY, f32::min);
        if self.energies.len() == FLOOR_FRAMES {
            self.energies.pop_front();
        }
        self.energies.push_back(energy);
        if energy < ABSOLUTE_FLOOR_DB || energy <= floor + self.margin_db {
            // Still run the detector, so its own adaptation sees every frame.
            let _ = self.vad.0.is_voice_segment(samples);
            return false;
        }
        self.vad.0.is_voice_segment(samples).unwrap_or(false)
    }

    fn onset(&mut self, now: u64) -> Event {
        // The first speech frame of the onset window, and `preroll` frames before it.
        let len = self.recent.len();
        let window_start = len.saturating_sub(ONSET_WINDOW);
        let first_speech = (window_start..len)
            .find(|&i| self.recent[i].0)
            .unwrap_or(len - 1);
        let from = first_speech.saturating_sub(self.preroll);
        let mut preroll = Vec::with_capacity((len - 1 - from) * FRAME_SAMPLES);
        for (_, f) in self.recent.range(from..len - 1) {
            preroll.extend_from_slice(f);
        }
        let start_frame = now - (len - 1 - from) as u64;
        let speech_before = self.recent.range(from..len - 1).filter(|(s, _)| *s).count() as u32;
        self.audio.clear();
        self.audio.extend_from_slice(&preroll);
        self.audio.extend_from_slice(&self.recent[len - 1].1);
        self.capturing = true;
        self.state = State::Capturing {
            start_frame,
            speech_frames: speech_before + 1,
            last_speech_frame: now,
            silent_run: 0,
            barge_in_sent: false,
        };
        Event::Onset {
            at_frame: now,
            preroll_8k: preroll,
        }
    }

    fn end(&mut self, now: u64, reason: EndReason) -> Event {
        let State::Capturing {
            start_frame,
            speech_frames,
            last_speech_frame,
            ..
        } = self.state
        else {
            unreachable!("end() outside an utterance");
        };
        self.state = match reason {
            EndReason::EndOfSpeech => State::Idle,
            EndReason::MaxLength => State::Draining { silent_run: 0 },
        };
        let audio = std::mem::take(&mut self.audio);
        if speech_frames < self.min_speech {
            return Event::Discarded { at_frame: now };
        }
        // An answer, so the no-input timer is done with.
        self.no_input_at = None;
        Event::Utterance(Utterance {
            audio_8k: audio,
            started_at_frame: start_frame,
            ended_at_frame: now,
            last_speech_frame,
            speech_frames,
            reason,
        })
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("frame", &self.frame)
            .field("in_utterance", &self.in_utterance())
            .finish()
    }
}
