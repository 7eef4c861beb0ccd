//! The voice agent on live calls: a caller's audio, frame by frame, through voice activity
//! detection and the recognizer pool, into the engine's `Input::Speech`. Transport-neutral:
//! the Twilio Media Streams socket and the SIP media path each hold a [`CallEars`] and feed it
//! the 20 ms frames they receive; what it hears comes back as [`Heard`].
//!
//! Nothing here waits: a frame is a few microseconds of voice activity detection and a
//! non-blocking hand-off to the pool's worker threads (`careline_speech::RecognizerPool`), so
//! the media path is never delayed by recognition. The words recognized are PHI: they go to
//! the engine and the sealed call record, never to a log.

pub mod voice;

use careline_call::engine::{Input, Keys, Listen};
use careline_speech::{
    CallRecognizer, Event, Listener, ListenerConfig, Model, Options, PendingResult, PoolConfig,
    RecognizerPool, SphinxRecognizer,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The process's recognizer: the model, loaded once, and the worker threads every call's
/// utterances are decoded on.
pub struct Ears {
    pool: RecognizerPool,
    listener: ListenerConfig,
    /// Grammars compiled to JSGF text once per distinct step (most steps' grammars are the
    /// same for every call).
    grammars: Mutex<HashMap<Listen, Arc<str>>>,
    /// The pronunciation dictionary's owner, to leave out names it cannot say.
    model: Model,
}

impl std::fmt::Debug for Ears {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ears").field("pool", &self.pool).finish()
    }
}

/// Grammars kept at most; beyond it (medication lists differ per caller) the cache starts over.
const GRAMMAR_CACHE: usize = 256;

impl Ears {
    /// Loads the vendored model and starts `threads` recognizer threads (0: one per core).
    pub fn start(threads: usize, end_silence_ms: u32) -> Result<Ears, String> {
        let model = Model::vendored().map_err(|e| format!("speech model: {e}"))?;
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            threads
        };
        let listener = ListenerConfig {
            end_silence_ms,
            ..ListenerConfig::default()
        };
        // Checked here so a bad setting fails at start-up, not on the first call.
        Listener::new(&listener).map_err(|e| format!("speech_end_silence_ms: {e}"))?;
        let pool = RecognizerPool::with_factory(
            PoolConfig {
                threads,
                ..PoolConfig::default()
            },
            Box::new({
                let model = model.clone();
                move || Box::new(SphinxRecognizer::new(&model))
            }),
        );
        Ok(Ears {
            pool,
            listener,
            grammars: Mutex::new(HashMap::new()),
            model,
        })
    }

    /// A new call's ears.
    pub fn call(&self) -> CallEars {
        CallEars {
            listener: Listener::new(&self.listener).expect("checked at start"),
            recognizer: self.pool.call(),
            expecting: None,
            capturing: false,
            playing: false,
        }
    }

    /// Frames dropped because the recognizer threads were behind (a metric).
    pub fn dropped_frames(&self) -> u64 {
        self.pool.dropped_frames()
    }

    /// The step with the names the dictionary has no pronunciation for left out: drug names
    /// mostly ("alprazolam"), which would make the recognizer refuse the whole grammar, so
    /// that nothing said at the step was understood and the caller went to a person. Those
    /// names are chosen with their key, as the prompt offers; a name with a word not written
    /// in letters is left out too.
    fn sayable(&self, listen: &Listen) -> Listen {
        match listen {
            Listen::Choice { names } => Listen::Choice {
                names: names
                    .iter()
                    .filter(|n| {
                        n.to_lowercase()
                            .split(|c: char| !c.is_alphanumeric() && c != '\'')
                            .filter(|w| !w.is_empty())
                            .all(|w| self.model.has_word(w))
                    })
                    .cloned()
                    .collect(),
            },
            other => other.clone(),
        }
    }

    /// What a step listens with: its grammar, and whether confidence is worth its cost there.
    pub fn expectation(&self, listen: &Listen) -> Expectation {
        let grammar = {
            let mut cache = self.grammars.lock().unwrap_or_else(|p| p.into_inner());
            if cache.len() >= GRAMMAR_CACHE {
                cache.clear();
            }
            cache
                .entry(listen.clone())
                .or_insert_with(|| self.sayable(listen).grammar().into())
                .clone()
        };
        Expectation {
            grammar,
            options: options_for(listen),
        }
    }
}

/// Confidence (a phone loop decoded beside the grammar, about three times the CPU) where the
/// answer changes something and is not read back: the caller's request and a yes or no. A
/// date of birth, digits and dates are checked against the records or read back anyway.
fn options_for(listen: &Listen) -> Options {
    match listen {
        Listen::Intent | Listen::YesNo => Options::default(),
        _ => Options::grammar_only(),
    }
}

/// A step's grammar and recognition options.
#[derive(Debug, Clone)]
pub struct Expectation {
    grammar: Arc<str>,
    options: Options,
}

/// What a call's ears made of a frame.
#[derive(Debug)]
pub enum Heard {
    /// The caller has been talking long enough to count (250 ms): an answer is coming, so the
    /// question's timeout waits; `over_prompt`: a prompt is playing, and stops if it allows
    /// barge-in.
    Speaking { over_prompt: bool },
    /// An utterance ended; its recognition arrives on `pending`. `stopped_at` is when the
    /// caller stopped talking (the end-of-speech wait before this frame), the start of the
    /// caller's wait for a reply.
    Utterance {
        pending: PendingResult,
        stopped_at: Instant,
    },
}

/// One call's voice activity detection and its handle to the recognizer pool.
pub struct CallEars {
    listener: Listener,
    recognizer: CallRecognizer,
    /// The current step's grammar; `None` while nothing is asked (speech is then ignored).
    expecting: Option<Expectation>,
    /// An utterance is being fed to the recognizer.
    capturing: bool,
    /// A prompt is playing: speech is barge-in, not yet an answer.
    playing: bool,
}

impl std::fmt::Debug for CallEars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallEars")
            .field("capturing", &self.capturing)
            .field("playing", &self.playing)
            .finish()
    }
}

impl CallEars {
    /// The step now asked listens this way (`None`: keys only, or nothing asked). An
    /// utterance already under way keeps the grammar it began with.
    pub fn expect(&mut self, expectation: Option<Expectation>) {
        self.expecting = expectation;
    }

    /// Whether a prompt is playing (set by the transport as it starts and finishes them).
    pub fn set_playing(&mut self, playing: bool) {
        self.playing = playing;
    }

    /// Whether an utterance is under way (the engine's timeout should wait for it).
    pub fn busy(&self) -> bool {
        self.capturing || self.listener.in_utterance()
    }

    /// A key was pressed: whatever was being heard (the key's own tone, perhaps) is dropped.
    pub fn interrupt(&mut self) {
        if std::mem::take(&mut self.capturing) {
            self.recognizer.cancel();
        }
    }

    /// One 20 ms frame of the caller's audio (8 kHz linear PCM, 160 samples).
    pub fn hear(&mut self, frame: &[i16]) -> Option<Heard> {
        let event = self.listener.push(frame);
        if self.capturing && !matches!(event, Some(Event::Onset { .. })) {
            self.recognizer.feed(frame);
        }
        match event? {
            Event::Onset { preroll_8k, .. } => {
                let Some(e) = &self.expecting else {
                    return None;
                };
                if std::mem::replace(&mut self.capturing, true) {
                    self.recognizer.cancel();
                }
                self.recognizer.begin(e.grammar.clone(), e.options);
                for chunk in preroll_8k.chunks(careline_speech::FRAME_SAMPLES) {
                    self.recognizer.feed(chunk);
                }
                self.recognizer.feed(frame);
                None
            }
            Event::SpeechStarted { .. } => self.capturing.then_some(Heard::Speaking {
                over_prompt: self.playing,
            }),
            Event::Utterance(u) => {
                if !std::mem::take(&mut self.capturing) {
                    return None;
                }
                let waited =
                    (u.ended_at_frame - u.last_speech_frame) * u64::from(careline_speech::FRAME_MS);
                let stopped_at = Instant::now()
                    .checked_sub(std::time::Duration::from_millis(waited))
                    .unwrap_or_else(Instant::now);
                Some(Heard::Utterance {
                    pending: self.recognizer.end(),
                    stopped_at,
                })
            }
            Event::Discarded { .. } => {
                if std::mem::take(&mut self.capturing) {
                    self.recognizer.cancel();
                }
                None
            }
            Event::NoSpeech { .. } => None,
        }
    }
}

/// What the engine is told of a recognition: the words and the confidence, or, when nothing
/// in the step's grammar matched (or the recognizer failed), an empty sentence, which the
/// engine takes as not understood (asked again once, then a person). `None`: the result was
/// lost with the pool (shutting down) and the caller is simply asked again by the timeout.
pub fn input_of(
    result: Result<Result<careline_speech::Heard, careline_speech::SpeechError>, impl Sized>,
) -> Option<Input> {
    let heard = match result {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => {
            crate::metrics::global().speech_utterance("failed");
            // The error names no words the caller said (unknown grammar words are the
            // practice's or a medication list's: those are logged by kind only).
            tracing::warn!(error_kind = error_kind(&e), "speech not recognized");
            return Some(not_understood());
        }
        Err(_) => return None,
    };
    let metrics = crate::metrics::global();
    if heard.degraded() {
        metrics.speech_utterance("degraded");
    }
    Some(match heard.recognized {
        Some(r) => {
            metrics.speech_utterance("recognized");
            Input::Speech {
                text: Keys::new(r.text),
                confidence: r.confidence,
            }
        }
        None => {
            metrics.speech_utterance("no_match");
            not_understood()
        }
    })
}

fn not_understood() -> Input {
    Input::Speech {
        text: Keys::new(""),
        confidence: Some(0.0),
    }
}

fn error_kind(e: &careline_speech::SpeechError) -> &'static str {
    use careline_speech::SpeechError as E;
    match e {
        E::UnknownWords(_) => "unknown_words",
        E::Overloaded => "overloaded",
        E::NotStarted => "not_started",
        _ => "recognizer",
    }
}

/// What a transport needs to hold a spoken conversation: ears (the recognizer) and a voice
/// (the practice's prompts, rendered and cached).
pub struct VoiceAgent {
    pub ears: Ears,
    pub voice: careline_voice::Voice,
}

impl std::fmt::Debug for VoiceAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceAgent")
            .field("ears", &self.ears)
            .finish_non_exhaustive()
    }
}

impl VoiceAgent {
    /// Loads the model, starts the recognizer threads and renders the menus' fixed prompts:
    /// a second or two, so it runs at start-up (or on a blocking thread), never in a call.
    pub fn start(
        config: &crate::config::Config,
        menus: &careline_call::menu::CallConfig,
    ) -> Result<VoiceAgent, String> {
        let ears = Ears::start(config.speech_threads, config.speech_end_silence_ms)?;
        let voice = voice::voice(config, menus)?;
        Ok(VoiceAgent { ears, voice })
    }
}

/// The agent speaks with its voice: SIP takes it as its speaker.
impl voice::Speaker for VoiceAgent {
    fn render(&self, text: &str, key: Option<&str>, language: &str) -> Arc<[i16]> {
        self.voice.render(text, key, language)
    }
}
