//! The acoustic model and pronunciation dictionary a recognizer needs, found and read once per
//! process and shared by every call's [`Decoder`](crate::Decoder).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::SpeechError;

/// The acoustic model's files PocketSphinx opens (its `ps_expand_model_config`). A missing one
/// would make the C code call `exit()` (its `E_FATAL`), so they are checked here first.
const ACOUSTIC_FILES: [&str; 6] = [
    "mdef",
    "means",
    "variances",
    "transition_matrices",
    "noisedict",
    "feat.params",
];

/// The vendored model (model/en-us in this crate), found at compile time: US English, 16 kHz,
/// PocketSphinx 5.1.1's default. Nothing is downloaded at build or run time.
pub fn vendored_model_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/model/en-us"))
}

/// An acoustic model directory and a pronunciation dictionary, read once.
///
/// The dictionary (134,000 words, 3 MB) is parsed into memory here rather than by each
/// decoder: PocketSphinx takes 120–160 ms and several MB to load it per decoder, while a
/// decoder given only its grammar's words starts in under 10 ms. The acoustic model itself is
/// read by each decoder (PocketSphinx 5 cannot share one between decoders), about 8 ms.
///
/// Cheap to clone; `Send` and `Sync`.
#[derive(Clone)]
pub struct Model {
    inner: Arc<Inner>,
    /// Audio recorded with its full 16 kHz band ([`Model::wideband`]) rather than phone audio
    /// upsampled.
    wideband: bool,
    /// PocketSphinx settings given to every decoder made from this model after CareLine's
    /// own ([`with_setting`](Model::with_setting)): for tuning experiments.
    settings: Arc<Vec<(String, String)>>,
    /// The same for the phone loop that measures confidence.
    phone_loop_settings: Arc<Vec<(String, String)>>,
    /// Peak of the hiss added to the audio before decoding, in 16-bit steps.
    dither: i16,
}

/// The hiss decoders add to the audio before decoding by default: ±8. [`Model::with_dither`]
/// sets another, uniform in ±peak of 32,768 (±8: about −76 dBFS RMS, one step of µ-law's
/// finest quantization), from a fixed-seed generator restarted with each utterance, so the
/// same audio always decodes the same way.
///
/// PocketSphinx takes the logarithm of each frame's filter-bank energies: a run of exact
/// zeros (a muted or silence-suppressed stream, a concealed lost packet, a synthesizer's
/// pauses) gives energies of zero, floored, that normalization and the search treat as no
/// sound any real line makes, and decoding derails (docs/performance.md, "Runs of digital
/// silence"). Measured on espeak-ng sentences with exact zeros between words (accuracy
/// example, `--floor none`, 13 intent and 14 yes/no sentences): intent 46 % / yes-no 57 %
/// exact without dither, 77 % / 79 % with ±2, 85 % / 86 % with ±8 (a −60 dBFS line floor:
/// 96 % / 100 %).
///
/// When ±8 was first turned on, every end-to-end spoken call (`tests/speech_calls.rs`: Piper
/// callers over a µ-law stream with line hiss, through the listener and the recognizer pool)
/// heard every request as the same wrong sentence ("send a message to my doctor please"). The
/// cause: streamed utterances start from a cepstral mean measured without dither, and the
/// dither moves phone audio's mean far (it fills the empty band above 4 kHz), so a call's
/// first utterance — the request — was normalized wrongly. Decoders with dither now start
/// from [`PHONE_CMN_INIT_DITHERED`], measured with it, and every end-to-end call passes.
pub const DITHER: i16 = 8;

/// The cepstral mean a streamed utterance starts from, for phone audio upsampled to 16 kHz.
///
/// Streaming normalizes each utterance by a running estimate of its cepstral mean (live CMN),
/// starting from a guess. PocketSphinx's guess ("40,3,-1") is for wideband microphones; audio
/// with nothing above 4 kHz has a very different mean (c1 ≈ +27, c2 ≈ −42), so a call's first
/// streamed utterance was misrecognized with it (tests/recognize.rs:
/// `phone_audio_upsampled_frame_by_frame_decodes_right_too`). These are the means of three of
/// PocketSphinx's test recordings (numbers.raw, something.raw, tidigits/dhd.2934z.raw — not
/// goforward.raw, which the tests decode) passed through 8 kHz µ-law and back, as measured by
/// its batch CMN. Later utterances of a call adapt from the previous ones.
pub const PHONE_CMN_INIT: &str =
    "42.74,27.51,-42.28,39.78,-13.32,-4.39,12.45,-29.02,18.26,-10.44,-6.27,9.77,-15.08";

/// [`PHONE_CMN_INIT`] for decoders that add a dither: the same three recordings through the
/// same line, decoded with ±8 of dither (`Decoder::cepstral_mean` after a whole-utterance
/// decode, averaged). The dither fills the band above 4 kHz, empty in phone audio, so the
/// mean moves far (c1 27.5 → 16.4, c2 −42.3 → −27.3): a stream started from the undithered
/// mean misheard a call's first utterance, which is why the end-to-end calls failed with
/// dither on (see [`DITHER`]).
pub const PHONE_CMN_INIT_DITHERED: &str =
    "45.97,16.41,-27.32,24.95,-2.87,-7.61,8.37,-20.28,9.06,-4.60,-7.18,6.24,-9.24";

/// PocketSphinx's own initial cepstral mean, for wideband (16 kHz microphone) audio.
pub const WIDEBAND_CMN_INIT: &str = "40,3,-1";

struct Inner {
    acoustic_dir: PathBuf,
    /// Word → its pronunciations in dictionary order, each a space-separated phone string.
    /// Alternatives are the dictionary's `word(2)`, `word(3)`… lines.
    dictionary: HashMap<String, Vec<String>>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("acoustic_dir", &self.inner.acoustic_dir)
            .field("words", &self.inner.dictionary.len())
            .field("cmn_init", &self.cmn_init())
            .finish()
    }
}

impl Model {
    /// The vendored US English model ([`vendored_model_dir`]).
    pub fn vendored() -> Result<Model, SpeechError> {
        Model::from_dir(vendored_model_dir())
    }

    /// A model directory laid out as PocketSphinx ships it: the acoustic model in `en-us/`
    /// and the dictionary in `cmudict-en-us.dict`.
    pub fn from_dir(dir: &Path) -> Result<Model, SpeechError> {
        Model::load(&dir.join("en-us"), &dir.join("cmudict-en-us.dict"))
    }

    /// An acoustic model directory and a dictionary file (one `word PH O N E S` per line,
    /// CMUdict style) given separately.
    pub fn load(acoustic_dir: &Path, dictionary: &Path) -> Result<Model, SpeechError> {
        for name in ACOUSTIC_FILES {
            let path = acoustic_dir.join(name);
            if !path.is_file() {
                return Err(SpeechError::ModelMissing(path));
            }
        }
        // Semi-continuous models keep their mixture weights in `sendump`, others in
        // `mixture_weights`; one of the two must be there.
        if !acoustic_dir.join("sendump").is_file()
            && !acoustic_dir.join("mixture_weights").is_file()
        {
            return Err(SpeechError::ModelMissing(acoustic_dir.join("sendump")));
        }
        let text = std::fs::read_to_string(dictionary)
            .map_err(|e| SpeechError::Dictionary(dictionary.to_path_buf(), e.to_string()))?;
        let words = parse_dictionary(&text);
        if words.is_empty() {
            return Err(SpeechError::Dictionary(
                dictionary.to_path_buf(),
                "no words in it".into(),
            ));
        }
        let model = Model {
            inner: Arc::new(Inner {
                acoustic_dir: acoustic_dir.to_path_buf(),
                dictionary: words,
            }),
            wideband: false,
            settings: Arc::default(),
            phone_loop_settings: Arc::default(),
            dither: DITHER,
        };
        // Start one decoder now, so a model PocketSphinx refuses is reported at startup
        // rather than on the first call.
        crate::decoder::RawHandle::new(&model)?;
        Ok(model)
    }

    /// The same model for audio recorded at 16 kHz with its full band (PocketSphinx's own
    /// recordings, a microphone), rather than phone audio upsampled: decoders made from it
    /// start streamed utterances from PocketSphinx's default cepstral mean
    /// ([`WIDEBAND_CMN_INIT`]) instead of [`PHONE_CMN_INIT`]. Whole utterances
    /// ([`Decoder::decode`](crate::Decoder::decode)) are normalized over themselves unless the
    /// decoder has streamed before.
    pub fn wideband(mut self) -> Model {
        self.wideband = true;
        self
    }

    /// The same model, with a PocketSphinx setting (a command-line option's name without
    /// its dash, and its value: `("beam", "1e-40")`) for every grammar decoder made from it
    /// after this call, over CareLine's defaults. For tuning experiments (the examples take
    /// them on their command lines); a setting PocketSphinx does not know makes decoders fail
    /// to start with [`SpeechError::Init`].
    pub fn with_setting(mut self, name: &str, value: &str) -> Model {
        Arc::make_mut(&mut self.settings).push((name.to_owned(), value.to_owned()));
        self
    }

    /// [`with_setting`](Model::with_setting) for the phone loop that measures confidence
    /// ([`Hypothesis::confidence`](crate::Hypothesis::confidence)) instead.
    pub fn with_phone_loop_setting(mut self, name: &str, value: &str) -> Model {
        Arc::make_mut(&mut self.phone_loop_settings).push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same model with decoders adding a hiss of `peak` 16-bit steps instead of
    /// [`DITHER`] (0: none, the audio as it is).
    pub fn with_dither(mut self, peak: i16) -> Model {
        self.dither = peak.max(0);
        self
    }

    /// The peak of the hiss decoders add ([`DITHER`] unless changed).
    pub fn dither(&self) -> i16 {
        self.dither
    }

    pub(crate) fn settings(&self) -> &[(String, String)] {
        &self.settings
    }

    pub(crate) fn phone_loop_settings(&self) -> &[(String, String)] {
        &self.phone_loop_settings
    }

    /// The initial cepstral mean decoders made from this model start from: for phone audio,
    /// the one measured with this model's dither or without.
    pub fn cmn_init(&self) -> &'static str {
        match (self.wideband, self.dither > 0) {
            (true, _) => WIDEBAND_CMN_INIT,
            (false, false) => PHONE_CMN_INIT,
            (false, true) => PHONE_CMN_INIT_DITHERED,
        }
    }

    /// The acoustic model directory.
    pub fn acoustic_dir(&self) -> &Path {
        &self.inner.acoustic_dir
    }

    /// Whether the dictionary has the word (exactly as written; the dictionary is lower case).
    pub fn has_word(&self, word: &str) -> bool {
        self.inner.dictionary.contains_key(word)
    }

    /// The word's pronunciations (phone strings), first the dictionary's main one.
    pub fn pronunciations(&self, word: &str) -> Option<&[String]> {
        self.inner.dictionary.get(word).map(Vec::as_slice)
    }

    /// How many words the dictionary has (alternative pronunciations not counted).
    pub fn word_count(&self) -> usize {
        self.inner.dictionary.len()
    }
}

/// `word PH O N E S` lines; `word(2) …` adds an alternative to `word`. A trailing `#comment`
/// (some CMUdict versions have them) is dropped. Lines that do not parse are skipped, as
/// PocketSphinx's own reader does.
fn parse_dictionary(text: &str) -> HashMap<String, Vec<String>> {
    let mut words: HashMap<String, Vec<String>> = HashMap::with_capacity(140_000);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut parts = line.split_whitespace();
        let Some(word) = parts.next() else { continue };
        let phones: Vec<&str> = parts.collect();
        if phones.is_empty() {
            continue;
        }
        let base = match word.rfind('(') {
            Some(i)
                if word.ends_with(')') && word[i + 1..word.len() - 1].parse::<u32>().is_ok() =>
            {
                &word[..i]
            }
            _ => word,
        };
        words
            .entry(base.to_owned())
            .or_default()
            .push(phones.join(" "));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_join_their_base_word() {
        let d = parse_dictionary("a AH\na(2) EY\nread R IY D\nread(2) R EH D # past\n\nbad\n");
        assert_eq!(d["a"], ["AH", "EY"]);
        assert_eq!(d["read"], ["R IY D", "R EH D"]);
        assert!(!d.contains_key("bad"), "a word without phones is skipped");
    }
}
