//! Optional system synthesisers (cargo features `flite` and `espeak`): Debian's `flite` or
//! `espeak-ng` binary run as a subprocess to say text the word bank can only join word by word.
//!
//! A subprocess rather than linking the C library keeps the default build free of system
//! packages and of the libraries' licences, and a missing or failing binary only means falling
//! back to the bank: [`synthesize`] returns `None` and the caller says the text with the bank.

/// Which voice says text that has no recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// The built-in word bank alone: no system packages, always available.
    Bank,
    /// Debian's `flite` with voice `rms`, the voice the bank was recorded in (English only).
    #[cfg(feature = "flite")]
    Flite,
    /// Debian's `espeak-ng`, voice `en-us` (or the call's language, for others).
    #[cfg(feature = "espeak")]
    Espeak,
}

impl Engine {
    /// The best engine this build has and this machine can run: flite, then espeak-ng, then the
    /// bank.
    pub fn best() -> Engine {
        #[cfg(feature = "flite")]
        if Engine::Flite.available() {
            return Engine::Flite;
        }
        #[cfg(feature = "espeak")]
        if Engine::Espeak.available() {
            return Engine::Espeak;
        }
        Engine::Bank
    }

    /// Whether this engine can speak here (its binary runs).
    pub fn available(self) -> bool {
        match self {
            Engine::Bank => true,
            #[cfg(feature = "flite")]
            Engine::Flite => runs("flite", &["-lv"]),
            #[cfg(feature = "espeak")]
            Engine::Espeak => runs("espeak-ng", &["--version"]),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Bank => "bank",
            #[cfg(feature = "flite")]
            Engine::Flite => "flite",
            #[cfg(feature = "espeak")]
            Engine::Espeak => "espeak",
        }
    }
}

#[cfg(any(feature = "flite", feature = "espeak"))]
fn runs(program: &str, args: &[&str]) -> bool {
    std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Says `text` (already normalised: words, letters as capitals, `,` and `.`) in `language` with
/// `engine`, as 8 kHz PCM. `None` when the engine is the bank, cannot speak the language, or
/// fails; the caller then uses the bank.
pub fn synthesize(engine: Engine, text: &str, language: &str) -> Option<Vec<i16>> {
    match engine {
        Engine::Bank => {
            let _ = (text, language);
            None
        }
        #[cfg(feature = "flite")]
        Engine::Flite => {
            // flite knows English only; another language read with English rules is worse
            // than the bank's fallback, and the bank is English too, so say so in the log.
            if !is_english(language) {
                return None;
            }
            run_to_wav("flite", &["-voice", "rms", "-t", text, "-o"])
        }
        #[cfg(feature = "espeak")]
        Engine::Espeak => {
            let voice = if is_english(language) {
                "en-us"
            } else {
                language
            };
            run_to_wav("espeak-ng", &["-v", voice, text, "-w"])
        }
    }
}

#[cfg(any(feature = "flite", feature = "espeak"))]
fn is_english(language: &str) -> bool {
    language == "en" || language.starts_with("en-") || language.starts_with("en_")
}

/// Runs `program args… FILE` where the last argument names the WAV file to write, and reads
/// it back at 8 kHz. A file rather than stdout: both programs stream WAV to stdout with a
/// placeholder length that strict WAV readers reject.
#[cfg(any(feature = "flite", feature = "espeak"))]
fn run_to_wav(program: &str, args: &[&str]) -> Option<Vec<i16>> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "careline-voice-{}-{}.wav",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let out = std::process::Command::new(program)
        .args(args)
        .arg(&path)
        .stdin(std::process::Stdio::null())
        .output();
    let result = match out {
        Ok(o) if o.status.success() => match std::fs::read(&path) {
            Ok(bytes) => crate::audio::read_wav_bytes(&bytes)
                .map_err(|e| tracing::warn!(program, error = %e, "synthesiser wrote bad audio"))
                .ok(),
            Err(e) => {
                tracing::warn!(program, error = %e, "synthesiser wrote no audio");
                None
            }
        },
        Ok(o) => {
            tracing::warn!(program, status = %o.status, "synthesiser failed");
            None
        }
        Err(e) => {
            tracing::warn!(program, error = %e, "synthesiser could not start");
            None
        }
    };
    let _ = std::fs::remove_file(&path);
    result.filter(|pcm| !pcm.is_empty())
}
