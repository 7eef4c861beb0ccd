//! One call's recognizer: a PocketSphinx decoder with the grammar of the current dialogue step,
//! fed 16 kHz audio whole or in frames.

use std::collections::HashSet;
use std::ffi::{CStr, CString, c_int};
use std::sync::{Mutex, Once};

use crate::SpeechError;
use crate::ffi;
use crate::grammar::jsgf_words;
use crate::model::Model;

/// PocketSphinx parses numbers (configuration, grammar weights, model parameters) with a
/// `strtod` of its own (util/dtoa.c) that keeps a static allocator without locks, so decoders
/// are created and given grammars one at a time, process-wide. Decoding itself touches no
/// shared state and runs in parallel.
static SETUP: Mutex<()> = Mutex::new(());

/// PocketSphinx logs to stderr by default, and its log lines include the words it heard.
/// Transcripts are PHI, so its logging is switched off entirely (a NULL callback) before the
/// first decoder exists; our own errors say what went wrong instead.
static SILENCE: Once = Once::new();

fn silence_pocketsphinx() {
    SILENCE.call_once(|| unsafe {
        ffi::err_set_callback(None, std::ptr::null_mut());
        ffi::err_set_loglevel(ffi::ERR_FATAL);
    });
}

fn cstring(s: &str) -> Result<CString, SpeechError> {
    CString::new(s).map_err(|_| SpeechError::Grammar("a NUL character in the grammar".into()))
}

/// An owned `ps_decoder_t` with nothing in its dictionary but the model's fillers (silence,
/// noise): words are added per grammar from the [`Model`]'s dictionary.
pub(crate) struct RawHandle(*mut ffi::RawDecoder);

impl RawHandle {
    pub(crate) fn new(model: &Model) -> Result<RawHandle, SpeechError> {
        RawHandle::with_settings(model, model.settings())
    }

    /// [`new`](RawHandle::new) with `extra` PocketSphinx settings after CareLine's own.
    fn with_settings(model: &Model, extra: &[(String, String)]) -> Result<RawHandle, SpeechError> {
        silence_pocketsphinx();
        let _guard = SETUP.lock().unwrap_or_else(|e| e.into_inner());
        let hmm = model
            .acoustic_dir()
            .to_str()
            .ok_or_else(|| SpeechError::Init("the model path is not UTF-8".into()))?;
        let settings = [
            ("hmm", hmm),
            // Set again here because ps_init applies it, globally, from its configuration.
            ("loglevel", "FATAL"),
            // The phone's audio, upsampled (the acoustic model's rate).
            ("samprate", "16000"),
            ("cmninit", model.cmn_init()),
            // The answer is the search's own best path into the grammar's final state. With
            // `bestpath` (PocketSphinx's default) it is instead rescored over a word lattice
            // built at the end of the utterance: for the intent grammar that took more
            // instructions than all its frames together (callgrind, examples/steps.rs:
            // 8,490 million for four utterances against 1,508 for their frames), all of it
            // after the caller stopped speaking, and its path need not end the sentence
            // ("i need to move my appointment to"). The accuracy suite scored no worse
            // without it (docs/performance.md).
            ("bestpath", "no"),
        ];
        unsafe {
            let config = ffi::ps_config_init(std::ptr::null());
            if config.is_null() {
                return Err(SpeechError::Init("ps_config_init failed".into()));
            }
            let extra = extra.iter().map(|(n, v)| (n.as_str(), v.as_str()));
            for (name, value) in settings.into_iter().chain(extra) {
                let (n, v) = (cstring(name)?, cstring(value)?);
                if ffi::ps_config_set_str(config, n.as_ptr(), v.as_ptr()).is_null() {
                    ffi::ps_config_free(config);
                    return Err(SpeechError::Init(format!("bad setting {name}={value}")));
                }
            }
            let ps = ffi::ps_init(config);
            // The decoder keeps its own reference to the configuration.
            ffi::ps_config_free(config);
            if ps.is_null() {
                return Err(SpeechError::Init(format!(
                    "PocketSphinx could not load the acoustic model in {}",
                    model.acoustic_dir().display()
                )));
            }
            Ok(RawHandle(ps))
        }
    }
}

impl RawHandle {
    /// A decoder whose only search is a phone loop: any sequence of the model's phones, with
    /// no language model (`ps_add_allphone` with NULL).
    pub(crate) fn phone_loop(model: &Model) -> Result<RawHandle, SpeechError> {
        let h = RawHandle::with_settings(model, model.phone_loop_settings())?;
        let name = cstring("phones")?;
        let _guard = SETUP.lock().unwrap_or_else(|e| e.into_inner());
        unsafe {
            if ffi::ps_add_allphone(h.0, name.as_ptr(), std::ptr::null_mut()) != 0
                || ffi::ps_activate_search(h.0, name.as_ptr()) != 0
            {
                return Err(SpeechError::Init(
                    "the phone loop could not be set up".into(),
                ));
            }
        }
        Ok(h)
    }

    fn start(&self) -> Result<(), SpeechError> {
        if unsafe { ffi::ps_start_utt(self.0) } < 0 {
            return Err(SpeechError::Decode("ps_start_utt"));
        }
        Ok(())
    }

    fn process(&self, samples: &[i16], full_utt: bool) -> Result<(), SpeechError> {
        let r = unsafe {
            ffi::ps_process_raw(
                self.0,
                samples.as_ptr(),
                samples.len(),
                0,
                c_int::from(full_utt),
            )
        };
        if r < 0 {
            return Err(SpeechError::Decode("ps_process_raw"));
        }
        Ok(())
    }

    fn cepstral_mean(&self) -> Option<String> {
        let p = unsafe { ffi::ps_get_cmn(self.0, 0) };
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    fn end(&self) -> Result<(), SpeechError> {
        if unsafe { ffi::ps_end_utt(self.0) } < 0 {
            return Err(SpeechError::Decode("ps_end_utt"));
        }
        Ok(())
    }

    /// The best path's words (fillers removed) and score, if there is one.
    fn hypothesis(&self) -> Option<(String, i32)> {
        let mut score: i32 = 0;
        let text = unsafe { ffi::ps_get_hyp(self.0, &mut score) };
        if text.is_null() {
            return None;
        }
        // Copied at once: the string belongs to the decoder and changes with the next call.
        Some((words_only(unsafe { CStr::from_ptr(text) }), score))
    }

    fn frames(&self) -> usize {
        usize::try_from(unsafe { ffi::ps_get_n_frames(self.0) }).unwrap_or(0)
    }

    /// Up to `n` sentences other than `best` from the N-best list of the last utterance, each
    /// with its fit relative to the list's top path: exp of the per-frame difference of their
    /// lattice scores, 1.0 = as good as the best. Distinct sentences only: FSG lattices hold
    /// each sentence more than once (different silences, alternative pronunciations). At most
    /// a few dozen paths are looked at, so a long utterance cannot make this slow.
    fn nbest(&self, best: &str, n: usize, frames: usize) -> Vec<(String, f32)> {
        const MAX_PATHS: usize = 100;
        let mut out: Vec<(String, f32)> = Vec::new();
        let mut top: Option<i32> = None;
        unsafe {
            let mut it = ffi::ps_nbest(self.0);
            let mut looked = 0;
            while !it.is_null() {
                let mut score = 0;
                let hyp = ffi::ps_nbest_hyp(it, &mut score);
                if !hyp.is_null() {
                    let words = words_only(CStr::from_ptr(hyp));
                    let top = *top.get_or_insert(score);
                    if !words.is_empty() && words != best && !out.iter().any(|(w, _)| *w == words) {
                        let rel = (f64::from(score - top) / frames as f64 * SCORE_TO_LN).exp();
                        out.push((words, rel.clamp(0.0, 1.0) as f32));
                    }
                }
                looked += 1;
                if out.len() >= n || looked >= MAX_PATHS {
                    ffi::ps_nbest_free(it);
                    break;
                }
                // Frees the iterator itself when the list is exhausted.
                it = ffi::ps_nbest_next(it);
            }
        }
        out
    }
}

impl Drop for RawHandle {
    fn drop(&mut self) {
        unsafe {
            ffi::ps_free(self.0);
        }
    }
}

/// Path scores are in PocketSphinx's log base 1.0001, shifted right by 10 bits (hmm.h's
/// SENSCR_SHIFT): one unit is 1024 · ln(1.0001) nats.
const SCORE_TO_LN: f64 = 1024.0 * 0.000_099_995_000_333_308_3;

/// A hypothesis string without fillers (`<sil>`, `[NOISE]`, `<s>`), single-spaced.
fn words_only(text: &CStr) -> String {
    text.to_string_lossy()
        .split_whitespace()
        .filter(|w| !w.starts_with('<') && !w.starts_with('['))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What was recognized in one utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothesis {
    /// The words of the grammar's best path, separated by single spaces (fillers and silence
    /// removed). Never empty: a best path of silence alone gives no hypothesis.
    pub text: String,
    /// PocketSphinx's path score (`ps_get_hyp`): the log-likelihood of the best path,
    /// acoustic and grammar weights together, in its internal unit (1024 × ln 1.0001 ≈ 0.1
    /// nat); ≤ 0, more negative for longer or worse-matching audio. Only comparable between
    /// hypotheses of the same audio.
    pub score: i32,
    /// How well the audio fits `text` compared with the best fit of *any* sequence of English
    /// phones, 0.0–1.0: exp of the per-frame log-likelihood ratio between the grammar's best
    /// path and an unconstrained phone loop run on the same audio (the geometric mean, over
    /// its 10 ms frames, of P(audio | this sentence) / P(audio | best phones)).
    ///
    /// It falls when the caller said something the grammar does not hold, which a posterior
    /// among the grammar's own sentences cannot show. Measured here: PocketSphinx's goforward
    /// recording (tests/recognize.rs) 0.67–0.84 with the right sentence in the grammar, 0.55–0.65
    /// with only sentences one word off, 0.06–0.10 with unrelated ones; synthetic callers
    /// through µ-law (tests/callers.rs) 0.45–0.93 when right, 0.02–0.04 against a grammar
    /// without their phrase (or no hypothesis at all). The value also carries the grammar's
    /// own weights (more alternatives, a little lower), so thresholds belong to each dialogue
    /// step and should come from a larger test set than these.
    ///
    /// 0.0 (nothing claimed) when the utterance was started without the phone loop
    /// ([`Decoder::start_with`]`(false)`).
    ///
    /// (PocketSphinx's own `ps_get_prob` was tried first: its grammar lattices hold each
    /// sentence twice, so it gave about 0.5 for right and wrong sentences alike.)
    pub confidence: f32,
}

/// What [`Decoder::finish_with`] found.
pub(crate) struct Detailed {
    pub(crate) text: String,
    pub(crate) score: i32,
    pub(crate) confidence: Option<f32>,
    pub(crate) alternatives: Vec<(String, f32)>,
}

/// Where the decoder is in an utterance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    InUtterance,
}

/// A recognizer for one call: one PocketSphinx decoder searching the current grammar, and a
/// second one beside it fed the same audio with a free phone loop, the yardstick for
/// [`Hypothesis::confidence`] (made at the first utterance that asks for it; an utterance can
/// do without, [`Decoder::start_with`]). The two run frame by frame together, so the confidence costs no
/// wait at the end of speech, but the phone loop is the larger cost: measured on a loaded
/// 2-core machine (examples/bench.rs), 0.84 ms of CPU per 20 ms frame with it, 0.28 ms for
/// the grammar alone. Downsampling its frames (`-ds 2`) or fewer Gaussians (`-topn 2`) made it
/// cheaper but pushed every confidence towards 1.0, so neither is used.
///
/// `Send` (a call's audio worker may move it between threads) but not `Sync`: PocketSphinx
/// decoders are not safe to use from two threads at once, so `&mut self` throughout.
pub struct Decoder {
    raw: RawHandle,
    /// The phone loop, made the first time an utterance asks for a confidence (so a call
    /// that never does pays neither its start-up nor its memory).
    phones: Option<RawHandle>,
    /// Whether the current (or last) utterance runs the phone loop beside the grammar.
    measure: bool,
    model: Model,
    /// Words already added to this decoder's dictionary (PocketSphinx refuses a second add).
    words: HashSet<String>,
    /// Which of two search names holds the current grammar: a new grammar goes under the
    /// other name and the old one is removed after the switch, because PocketSphinx frees a
    /// replaced search even while it is the active one.
    search: bool,
    has_grammar: bool,
    state: State,
    /// The dither's generator (xorshift32), restarted with each utterance.
    dither_state: u32,
    /// The audio with its dither, handed to PocketSphinx.
    dithered: Vec<i16>,
}

/// Where each utterance's dither starts (any non-zero value).
const DITHER_SEED: u32 = 0x2545_F491;

// SAFETY: the decoder's C state is reached only through this struct, which has no shared
// references to it (`&mut self` for every call, no `Sync`); the C library's process-wide state
// is either set once (logging) or guarded by SETUP (number parsing at setup).
unsafe impl Send for Decoder {}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("words", &self.words.len())
            .field("state", &self.state)
            .finish()
    }
}

impl Decoder {
    /// A decoder listening for `jsgf` (a JSGF V1.0 grammar; [`Grammar`](crate::Grammar) makes
    /// one from phrases). Fails with [`SpeechError::UnknownWords`] naming every grammar word
    /// the dictionary lacks, or [`SpeechError::Grammar`] if the grammar does not parse.
    pub fn with_grammar(model: &Model, jsgf: &str) -> Result<Decoder, SpeechError> {
        let mut d = Decoder {
            raw: RawHandle::new(model)?,
            phones: None,
            measure: true,
            model: model.clone(),
            words: HashSet::new(),
            search: false,
            has_grammar: false,
            state: State::Idle,
            dither_state: DITHER_SEED,
            dithered: Vec::new(),
        };
        d.set_grammar(jsgf)?;
        Ok(d)
    }

    /// Replaces the grammar (the next dialogue step). Not during an utterance. On error the
    /// previous grammar stays in force.
    pub fn set_grammar(&mut self, jsgf: &str) -> Result<(), SpeechError> {
        if self.state == State::InUtterance {
            return Err(SpeechError::InUtterance);
        }
        let words = jsgf_words(jsgf)?;
        if words.is_empty() {
            return Err(SpeechError::Grammar("the grammar has no words".into()));
        }
        let unknown: Vec<String> = words
            .iter()
            .filter(|w| !self.model.has_word(w))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(SpeechError::UnknownWords(unknown));
        }
        let jsgf = cstring(jsgf)?;
        let _guard = SETUP.lock().unwrap_or_else(|e| e.into_inner());
        let ps = self.raw.0;
        for word in &words {
            if self.words.contains(word) {
                continue;
            }
            let prons = self.model.pronunciations(word).unwrap_or_default();
            for (i, phones) in prons.iter().enumerate() {
                // Alternatives go in under the dictionary's own spelling, `word(2)`, which
                // PocketSphinx links to the base word.
                let entry = if i == 0 {
                    word.clone()
                } else {
                    format!("{word}({})", i + 1)
                };
                let (w, p) = (cstring(&entry)?, cstring(phones)?);
                // A failed alternative is skipped: the base word is what must be there, and
                // that is checked next.
                unsafe { ffi::ps_add_word(ps, w.as_ptr(), p.as_ptr(), 0) };
            }
            self.words.insert(word.clone());
        }
        // Every word must now be known to PocketSphinx itself: a word it lacks would make it
        // refuse the grammar with only a log line to say why.
        let missing: Vec<String> = words.iter().filter(|w| !lookup(ps, w)).cloned().collect();
        if !missing.is_empty() {
            return Err(SpeechError::UnknownWords(missing));
        }
        let name = cstring(if self.search { "step-a" } else { "step-b" })?;
        let old = cstring(if self.search { "step-b" } else { "step-a" })?;
        unsafe {
            if ffi::ps_add_jsgf_string(ps, name.as_ptr(), jsgf.as_ptr()) != 0 {
                return Err(SpeechError::Grammar(
                    "PocketSphinx could not parse the grammar (JSGF syntax)".into(),
                ));
            }
            if ffi::ps_activate_search(ps, name.as_ptr()) != 0 {
                return Err(SpeechError::Grammar(
                    "the grammar could not be activated".into(),
                ));
            }
            if self.has_grammar {
                ffi::ps_remove_search(ps, old.as_ptr());
            }
        }
        self.search = !self.search;
        self.has_grammar = true;
        Ok(())
    }

    /// Recognizes one whole utterance of 16 kHz mono audio. `None` when no sentence of the
    /// grammar was found, only silence or noise (tests/recognize.rs: silence and line hiss
    /// both give `None`). Results depend a little on the decoder's earlier utterances (its
    /// normalization adapts to the line), so the same audio can decode differently on a fresh
    /// decoder and on one that has heard the call so far.
    pub fn decode(&mut self, samples_16k: &[i16]) -> Result<Option<Hypothesis>, SpeechError> {
        self.start()?;
        // Whole utterance in one call: PocketSphinx normalizes it over itself (the model's
        // batch CMN), until this decoder has streamed an utterance; from then on it keeps to
        // live CMN (feat.c). Either way a decoder carries state from earlier utterances
        // (measured: decoding the same audio twice can differ), so it adapts to a call's line.
        self.process(samples_16k, true)?;
        self.finish()
    }

    /// Starts an utterance to be fed in frames ([`feed`](Decoder::feed)) and ended with
    /// [`finish`](Decoder::finish), for recognition while the caller is still speaking.
    /// The confidence is measured ([`start_with`](Decoder::start_with)`(true)`).
    pub fn start(&mut self) -> Result<(), SpeechError> {
        self.start_with(true)
    }

    /// [`start`](Decoder::start), choosing whether this utterance runs the phone loop that
    /// [`Hypothesis::confidence`] needs, about three times the CPU per frame of the grammar
    /// alone. Without it the hypothesis's `confidence` is 0.0 (nothing claimed): for steps
    /// whose answer is read back to the caller anyway (digits, a date of birth).
    pub fn start_with(&mut self, confidence: bool) -> Result<(), SpeechError> {
        if self.state == State::InUtterance {
            return Err(SpeechError::InUtterance);
        }
        if confidence && self.phones.is_none() {
            self.phones = Some(RawHandle::phone_loop(&self.model)?);
        }
        self.raw.start()?;
        if confidence
            && let Some(phones) = &self.phones
            && let Err(e) = phones.start()
        {
            let _ = self.raw.end();
            return Err(e);
        }
        self.measure = confidence;
        self.state = State::InUtterance;
        self.dither_state = DITHER_SEED;
        Ok(())
    }

    /// The phone loop, if this utterance runs it.
    fn measuring(&self) -> Option<&RawHandle> {
        self.phones.as_ref().filter(|_| self.measure)
    }

    /// Feeds the next 16 kHz samples of the utterance (any length: 320 is 20 ms).
    pub fn feed(&mut self, samples_16k: &[i16]) -> Result<(), SpeechError> {
        if samples_16k.is_empty() && self.state == State::InUtterance {
            return Ok(());
        }
        self.process(samples_16k, false)
    }

    fn process(&mut self, samples: &[i16], full_utt: bool) -> Result<(), SpeechError> {
        if self.state != State::InUtterance {
            return Err(SpeechError::NotStarted);
        }
        let peak = i32::from(self.model.dither());
        let mut dithered = std::mem::take(&mut self.dithered);
        let samples = if peak > 0 {
            dithered.clear();
            let span = 2 * peak as u32 + 1;
            let mut x = self.dither_state;
            dithered.extend(samples.iter().map(|&s| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let d = (x % span) as i32 - peak;
                (i32::from(s) + d).clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
            }));
            self.dither_state = x;
            &dithered[..]
        } else {
            samples
        };
        let r = self.raw.process(samples, full_utt).and_then(|()| {
            self.measuring()
                .map_or(Ok(()), |p| p.process(samples, full_utt))
        });
        self.dithered = dithered;
        if r.is_err() {
            // Leave the decoder ready for the next utterance.
            let _ = self.raw.end();
            if let Some(p) = self.measuring() {
                let _ = p.end();
            }
            self.state = State::Idle;
        }
        r
    }

    /// Ends the utterance without a result (the audio turned out not to be speech).
    pub fn cancel(&mut self) {
        if self.state == State::InUtterance {
            let _ = self.raw.end();
            if let Some(p) = self.measuring() {
                let _ = p.end();
            }
            self.state = State::Idle;
        }
    }

    /// The cepstral mean the next streamed utterance starts from (after a whole-utterance
    /// [`decode`](Decoder::decode), that utterance's own), in the format of
    /// [`PHONE_CMN_INIT`](crate::PHONE_CMN_INIT): how the model's starting means were measured.
    pub fn cepstral_mean(&self) -> Option<String> {
        self.raw.cepstral_mean()
    }

    /// Ends the utterance (at the end of the caller's speech) and returns what was heard, or
    /// `None` as for [`decode`](Decoder::decode).
    pub fn finish(&mut self) -> Result<Option<Hypothesis>, SpeechError> {
        Ok(self.finish_with(0)?.map(|d| Hypothesis {
            text: d.text,
            score: d.score,
            confidence: d.confidence.unwrap_or(0.0),
        }))
    }

    /// [`finish`](Decoder::finish) with up to `alternatives` other sentences of the grammar
    /// from PocketSphinx's N-best list, and the confidence left out (`None`) when the
    /// utterance did not run the phone loop.
    pub(crate) fn finish_with(
        &mut self,
        alternatives: usize,
    ) -> Result<Option<Detailed>, SpeechError> {
        if self.state != State::InUtterance {
            return Err(SpeechError::NotStarted);
        }
        self.state = State::Idle;
        let ended = self.raw.end();
        if let Some(p) = self.measuring() {
            p.end()?;
        }
        ended?;
        let Some((text, score)) = self.raw.hypothesis() else {
            return Ok(None);
        };
        if text.is_empty() {
            return Ok(None);
        }
        let frames = self.raw.frames().max(1);
        let confidence = self.measuring().map(|phones| match phones.hypothesis() {
            Some((_, free)) => {
                let per_frame = f64::from(score - free) / frames as f64 * SCORE_TO_LN;
                per_frame.exp().clamp(0.0, 1.0) as f32
            }
            // The phone loop always has a path through audio the grammar matched; if it
            // somehow has none, claim nothing.
            None => 0.0,
        });
        let alternatives = if alternatives > 0 {
            self.raw.nbest(&text, alternatives, frames)
        } else {
            Vec::new()
        };
        Ok(Some(Detailed {
            text,
            score,
            confidence,
            alternatives,
        }))
    }

    /// How many 10 ms frames of the current or last utterance were searched.
    pub fn frames(&self) -> usize {
        self.raw.frames()
    }
}

fn lookup(ps: *mut ffi::RawDecoder, word: &str) -> bool {
    let Ok(w) = CString::new(word) else {
        return false;
    };
    unsafe {
        let phones = ffi::ps_lookup_word(ps, w.as_ptr());
        if phones.is_null() {
            return false;
        }
        ffi::ckd_free(phones.cast());
        true
    }
}
