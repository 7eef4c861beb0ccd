//! What a CareLine caller hears: every prompt as 8 kHz mono 16-bit PCM, ready for G.711.
//!
//! A prompt comes from the practice's own recording when it has one for that prompt and
//! language (`DIR/{language}/{prompt_key}.wav`, any WAV, converted to 8 kHz once at start-up);
//! otherwise from text-to-speech. The default build's voice is a bank of pre-recorded words and
//! whole menu sentences compiled into the binary ([`bank`]), so it needs no system package and
//! no download; the `flite` and `espeak` features add Debian's synthesisers for text the bank
//! can only join word by word. Rendered prompts are cached, and [`Voice::warm`] renders the
//! static ones at start-up so no call waits for synthesis.
//!
//! See `README.md` beside this crate for the design, how the bank is made, and the measured
//! intelligibility.

pub mod adpcm;
pub mod audio;
pub mod bank;
pub mod cache;
pub mod engine;
pub mod normalize;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use audio::SAMPLE_RATE;
pub use engine::Engine;

use bank::Bank;
use cache::Cache;
use normalize::Token;

/// The least-recently-used tier of the cache: 2 M samples, 4 MB, about four minutes of audio.
/// Static prompts warmed at start-up are kept outside this bound.
pub const CACHE_SAMPLES: usize = 2_000_000;

/// Practice recordings by (language, prompt key).
type Recordings = HashMap<(String, String), Arc<[i16]>>;

/// Why a [`Voice`] could not be made.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("cannot read the recordings directory {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("recording {path}: {source}")]
    Recording {
        path: PathBuf,
        source: audio::AudioError,
    },
    #[error("recording {path} holds no sound")]
    EmptyRecording { path: PathBuf },
}

/// Turns prompts into audio. Cheap to clone: clones share the recordings and the cache.
#[derive(Clone)]
pub struct Voice {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    bank: &'static Bank,
    recordings: Recordings,
    cache: Mutex<Cache>,
    syntheses: AtomicU64,
}

impl std::fmt::Debug for Voice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Voice")
            .field("engine", &self.inner.engine)
            .field("recordings", &self.inner.recordings.len())
            .finish()
    }
}

impl Voice {
    /// The built-in voice: the word bank, or a system synthesiser when a feature enabled one and
    /// its binary is installed ([`Engine::best`]).
    pub fn builtin() -> Voice {
        Voice::with_engine(Engine::best())
    }

    /// A voice that speaks with `engine` and has no recordings.
    pub fn with_engine(engine: Engine) -> Voice {
        Voice::new(engine, HashMap::new())
    }

    /// The built-in voice plus the practice's recordings in `dir`: `dir/{language}/{key}.wav`,
    /// e.g. `dir/en/welcome.wav` or `dir/es/menu.main.welcome.wav`. Every file is read and
    /// converted now, so a bad one is reported at start-up, by name, rather than during a call.
    /// Files not ending in `.wav` are ignored; a missing `dir` is an error.
    pub fn with_recordings(dir: &Path) -> Result<Voice, VoiceError> {
        Voice::with_engine_and_recordings(Engine::best(), dir)
    }

    /// [`Voice::with_recordings`] with a chosen engine.
    pub fn with_engine_and_recordings(engine: Engine, dir: &Path) -> Result<Voice, VoiceError> {
        Ok(Voice::new(engine, load_recordings(dir)?))
    }

    fn new(engine: Engine, recordings: Recordings) -> Voice {
        Voice {
            inner: Arc::new(Inner {
                engine,
                bank: Bank::builtin(),
                recordings,
                cache: Mutex::new(Cache::new(CACHE_SAMPLES)),
                syntheses: AtomicU64::new(0),
            }),
        }
    }

    /// 8 kHz mono 16-bit PCM for one prompt. `key` is the prompt's name in the menu file (e.g.
    /// "welcome", "order_status"), `None` for text with no key. A recording for (language, key)
    /// wins; otherwise TTS. Static prompts (same text again) come from a cache and never
    /// re-synthesise.
    ///
    /// A recording replaces the whole prompt, so it suits prompts without `{placeholders}`; for
    /// one with values (an order number) the recording would not say them.
    pub fn render(&self, text: &str, key: Option<&str>, language: &str) -> Arc<[i16]> {
        if let Some(pcm) = self.recording(key, language) {
            return pcm;
        }
        let cache_key = (language.to_string(), text.to_string());
        if let Some(pcm) = self.lock().get(&cache_key) {
            return pcm;
        }
        // Synthesis runs outside the lock: an engine subprocess takes tens of milliseconds and
        // other calls must not wait for it.
        let pcm = self.synthesize(text, language);
        self.lock().insert(cache_key, pcm.clone());
        pcm
    }

    /// Render every given (text, key, language) ahead of time so no call waits (call at
    /// start-up). These stay cached for the life of the process.
    pub fn warm<'a>(&self, prompts: impl IntoIterator<Item = (&'a str, Option<&'a str>, &'a str)>) {
        for (text, key, language) in prompts {
            if self.recording(key, language).is_some() {
                continue;
            }
            let cache_key = (language.to_string(), text.to_string());
            let cached = {
                let mut cache = self.lock();
                if cache.is_pinned(&cache_key) {
                    continue;
                }
                cache.get(&cache_key)
            };
            let pcm = cached.unwrap_or_else(|| self.synthesize(text, language));
            self.lock().pin(cache_key, pcm);
        }
    }

    /// Words the built-in voice would have to spell out, for `careline menu check` warnings.
    pub fn unknown_words(&self, text: &str) -> Vec<String> {
        self.inner.bank.unknown(&self.tokens(text))
    }

    /// How many times text was synthesised (cache misses): a second render of a static prompt
    /// does not add to it.
    pub fn syntheses(&self) -> u64 {
        self.inner.syntheses.load(Ordering::Relaxed)
    }

    /// The engine that speaks text without a recording.
    pub fn engine(&self) -> Engine {
        self.inner.engine
    }

    /// Whether the practice recorded this prompt in this language.
    pub fn has_recording(&self, key: &str, language: &str) -> bool {
        self.recording(Some(key), language).is_some()
    }

    /// The words and pauses `text` is said as (numbers, dates and amounts as words).
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let bank = self.inner.bank;
        normalize::tokens(text, &|w| bank.has_word(w))
    }

    fn recording(&self, key: Option<&str>, language: &str) -> Option<Arc<[i16]>> {
        let key = key?;
        self.inner
            .recordings
            .get(&(language.to_string(), key.to_string()))
            .cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while holding the lock cannot leave the cache inconsistent in a way that
        // matters (worst case a stale size count), so keep serving rather than poisoning calls.
        self.inner
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn synthesize(&self, text: &str, language: &str) -> Arc<[i16]> {
        self.inner.syntheses.fetch_add(1, Ordering::Relaxed);
        let tokens = self.tokens(text);
        if tokens.is_empty() {
            return Arc::from(Vec::new());
        }
        let spoken = normalize::spoken_text(&tokens);
        if let Some(mut pcm) = engine::synthesize(self.inner.engine, &spoken, language) {
            pcm = audio::trim_silence(&pcm, 10);
            audio::normalise_level(&mut pcm, bank::LEVEL_DBFS);
            // The bank ends every text on a sentence pause; so does an engine, for the same
            // spacing between consecutive prompts whichever voice said them.
            pcm.extend(audio::silence(bank::LONG_PAUSE_MS));
            return pcm.into();
        }
        self.inner.bank.say(&tokens).into()
    }
}

fn load_recordings(dir: &Path) -> Result<Recordings, VoiceError> {
    let io_err = |path: &Path, source| VoiceError::Directory {
        path: path.to_path_buf(),
        source,
    };
    let mut out = HashMap::new();
    for lang_entry in std::fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
        let lang_entry = lang_entry.map_err(|e| io_err(dir, e))?;
        let lang_dir = lang_entry.path();
        if !lang_dir.is_dir() {
            continue;
        }
        let language = lang_entry.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&lang_dir).map_err(|e| io_err(&lang_dir, e))? {
            let path = file.map_err(|e| io_err(&lang_dir, e))?.path();
            let is_wav = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
            if !is_wav || !path.is_file() {
                continue;
            }
            let Some(key) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                continue;
            };
            let pcm = audio::read_wav_file(&path).map_err(|source| VoiceError::Recording {
                path: path.clone(),
                source,
            })?;
            if pcm.is_empty() {
                return Err(VoiceError::EmptyRecording { path });
            }
            out.insert((language.clone(), key), Arc::from(pcm));
        }
    }
    Ok(out)
}
