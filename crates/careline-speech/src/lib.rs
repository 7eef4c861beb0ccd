//! Offline speech recognition for CareLine's voice agent: PocketSphinx 5.1.1, compiled from
//! the vendored C sources (vendor/pocketsphinx) with its US English model (model/en-us), driven
//! by a small grammar per dialogue step. No audio leaves the process and nothing is fetched at
//! build or run time.
//!
//! ```no_run
//! use careline_speech::{Decoder, Grammar, Model, ulaw_8k_to_16k};
//! let model = Model::vendored()?; // once per process
//! let grammar = Grammar::one_of("intent", &["i need a refill", "move my appointment"]);
//! let mut decoder = Decoder::with_grammar(&model, &grammar.to_jsgf())?; // once per call
//! # let payload: Vec<u8> = Vec::new();
//! let audio = ulaw_8k_to_16k(&payload)?;
//! if let Some(hyp) = decoder.decode(&audio)? {
//!     println!("{} ({:.2})", hyp.text, hyp.confidence);
//! }
//! # Ok::<(), careline_speech::SpeechError>(())
//! ```
//!
//! Transcripts are PHI: nothing here logs, and PocketSphinx's own logging is switched off.
//! Grammars are the practice's configuration (intents, provider names), but a grammar built
//! from a patient's medication list is PHI too: [`SpeechError::UnknownWords`] names words, so
//! log it accordingly.

mod audio;
mod decoder;
mod ffi;
mod grammar;
mod listen;
mod model;
mod pool;
mod recognizer;

use std::path::PathBuf;

pub use audio::{
    PHONE_RATE, SAMPLE_RATE, Upsampler, resample_8k_to_16k, resample_16k_to_8k, ulaw_8k_to_16k,
    ulaw_decode, ulaw_encode,
};
pub use decoder::{Decoder, Hypothesis};
pub use grammar::{Grammar, jsgf_words, normalize_phrase};
pub use listen::{
    Aggressiveness, ConfigError, EndReason, Event, FRAME_MS, FRAME_SAMPLES, Listener,
    ListenerConfig, Utterance,
};
pub use model::{
    DITHER, Model, PHONE_CMN_INIT, PHONE_CMN_INIT_DITHERED, WIDEBAND_CMN_INIT, vendored_model_dir,
};
pub use pool::{
    CallRecognizer, Heard, PendingResult, PoolConfig, RecognizerFactory, RecognizerPool,
};
pub use recognizer::{Options, Recognized, Recognizer, SidecarRecognizer, SphinxRecognizer};

/// Why recognition could not be set up or run.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("speech model incomplete: {} is missing", .0.display())]
    ModelMissing(PathBuf),
    #[error("pronunciation dictionary {path}: {reason}", path = .0.display(), reason = .1)]
    Dictionary(PathBuf, String),
    #[error("speech recognizer could not start: {0}")]
    Init(String),
    #[error("words not in the pronunciation dictionary: {}", .0.join(", "))]
    UnknownWords(Vec<String>),
    #[error("grammar refused: {0}")]
    Grammar(String),
    #[error("speech decoding failed in {0}")]
    Decode(&'static str),
    #[error("no utterance started")]
    NotStarted,
    #[error("an utterance is in progress")]
    InUtterance,
    #[error("resampling failed: {0}")]
    Resample(String),
    #[error("{0} is not configured")]
    NotConfigured(&'static str),
    #[error("the recognizer pool is overloaded: the utterance was not recognized")]
    Overloaded,
}
