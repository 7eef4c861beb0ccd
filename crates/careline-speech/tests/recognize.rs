//! Recognition of a real recording, clean and through a phone line, with grammars: the
//! vendored PocketSphinx, its model and this crate's wrapper, end to end.

use std::sync::OnceLock;

use careline_speech::{
    Decoder, Grammar, Hypothesis, Model, SpeechError, Upsampler, resample_16k_to_8k,
    ulaw_8k_to_16k, ulaw_decode, ulaw_encode,
};

/// The model as CareLine uses it: for phone audio upsampled to 16 kHz.
fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::vendored().expect("the vendored model loads"))
}

/// For the wideband recording as it is (only matters when streaming: see PHONE_CMN_INIT).
fn wideband() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| model().clone().wideband())
}

/// PocketSphinx's own test recording (test/data/goforward.raw in its sdist): a man saying
/// "go forward ten meters", 16 kHz, 16-bit little-endian mono, 2.8 s.
fn goforward() -> Vec<i16> {
    include_bytes!("fixtures/goforward.raw")
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// The right sentence among near misses that share most of its words and sounds.
fn movement_grammar() -> Grammar {
    Grammar::one_of(
        "move",
        &[
            "go backward ten meters",
            "go forward two meters",
            "go forward ten meters",
            "go forward ten feet",
            "go forward",
            "turn left",
            "stop",
            "i need a refill",
        ],
    )
}

/// What a phone line does to it: down to 8 kHz, µ-law on the wire.
fn on_the_wire(pcm_16k: &[i16]) -> Vec<u8> {
    let narrow = resample_16k_to_8k(pcm_16k).unwrap();
    narrow.into_iter().map(ulaw_encode).collect()
}

fn decode(model: &Model, grammar: &Grammar, audio: &[i16]) -> Option<Hypothesis> {
    let mut d = Decoder::with_grammar(model, &grammar.to_jsgf()).unwrap();
    d.decode(audio).unwrap()
}

/// A quiet line's hiss (about −50 dBFS), reproducible.
fn hiss(samples: usize) -> Vec<i16> {
    let mut x: u32 = 1;
    (0..samples)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((x >> 16) as i16) / 256
        })
        .collect()
}

#[test]
fn the_right_sentence_wins_among_distractors() {
    let hyp = decode(wideband(), &movement_grammar(), &goforward()).expect("a hypothesis");
    assert_eq!(hyp.text, "go forward ten meters");
    assert!(hyp.score < 0);
    assert!(hyp.confidence > 0.5, "{hyp:?}");
}

#[test]
fn phone_quality_audio_still_decodes_right() {
    let phone = ulaw_8k_to_16k(&on_the_wire(&goforward())).unwrap();
    let hyp = decode(model(), &movement_grammar(), &phone).expect("a hypothesis");
    assert_eq!(hyp.text, "go forward ten meters");
    assert!(hyp.confidence > 0.5, "{hyp:?}");
}

#[test]
fn phone_audio_upsampled_frame_by_frame_decodes_right_too() {
    // As the media path will do it: 20 ms µ-law frames, upsampled and fed as they come.
    let wire = on_the_wire(&goforward());
    let mut up = Upsampler::new().unwrap();
    let mut d = Decoder::with_grammar(model(), &movement_grammar().to_jsgf()).unwrap();
    d.start().unwrap();
    for frame in wire.chunks(160) {
        let linear: Vec<i16> = frame.iter().map(|&b| ulaw_decode(b)).collect();
        d.feed(&up.push(&linear).unwrap()).unwrap();
    }
    d.feed(&up.finish().unwrap()).unwrap();
    let hyp = d.finish().unwrap().expect("a hypothesis");
    assert_eq!(hyp.text, "go forward ten meters");
    assert!(hyp.confidence > 0.5, "{hyp:?}");
}

#[test]
fn confidence_falls_when_the_grammar_lacks_what_was_said() {
    let audio = goforward();
    let right = decode(wideband(), &movement_grammar(), &audio).unwrap();
    let near = decode(
        wideband(),
        &Grammar::one_of("near", &["go forward two meters", "go backward ten meters"]),
        &audio,
    )
    .unwrap();
    let unrelated = decode(
        wideband(),
        &Grammar::one_of(
            "intent",
            &["i need a refill", "move my appointment", "yes", "no"],
        ),
        &audio,
    )
    .unwrap();
    eprintln!("{right:?}\n{near:?}\n{unrelated:?}");
    assert!(near.confidence < right.confidence, "{near:?} vs {right:?}");
    assert!(unrelated.confidence < 0.3, "{unrelated:?}");
}

#[test]
fn streaming_in_20_ms_frames_equals_the_whole_utterance() {
    let audio = goforward();
    let mut d = Decoder::with_grammar(wideband(), &movement_grammar().to_jsgf()).unwrap();
    let whole = d.decode(&audio).unwrap().expect("a hypothesis");
    let mut s = Decoder::with_grammar(wideband(), &movement_grammar().to_jsgf()).unwrap();
    s.start().unwrap();
    for frame in audio.chunks(320) {
        s.feed(frame).unwrap();
    }
    let streamed = s.finish().unwrap().expect("a hypothesis");
    eprintln!("whole {whole:?}\nstreamed {streamed:?}");
    // The same words. The scores differ a little: a whole utterance is normalized over all
    // of itself (the model's batch CMN), a stream as it goes (live CMN).
    assert_eq!(streamed.text, whole.text);
    assert!((streamed.confidence - whole.confidence).abs() < 0.1);
}

#[test]
fn silence_and_hiss_give_none() {
    let mut d = Decoder::with_grammar(wideband(), &movement_grammar().to_jsgf()).unwrap();
    assert_eq!(d.decode(&vec![0i16; 32_000]).unwrap(), None);
    assert_eq!(d.decode(&hiss(32_000)).unwrap(), None);
    // And the decoder still works afterwards.
    let hyp = d.decode(&goforward()).unwrap().expect("a hypothesis");
    assert_eq!(hyp.text, "go forward ten meters");
}

#[test]
fn an_unknown_word_is_named() {
    let g = Grammar::one_of(
        "meds",
        &["refill my aspirin", "refill my zyxqorbanol please"],
    );
    let err = Decoder::with_grammar(model(), &g.to_jsgf()).unwrap_err();
    match &err {
        SpeechError::UnknownWords(words) => assert_eq!(words, &["zyxqorbanol"]),
        other => panic!("wrong error: {other}"),
    }
    assert!(err.to_string().contains("zyxqorbanol"), "{err}");
    // Handwritten JSGF is checked the same way, capitals included (the dictionary is lower
    // case, and PocketSphinx matches exactly).
    let jsgf = "#JSGF V1.0; grammar g; public <a> = go (Forward | sideways) <n>; <n> = ten;";
    let err = Decoder::with_grammar(model(), jsgf).unwrap_err();
    assert_eq!(
        err.to_string(),
        "words not in the pronunciation dictionary: Forward"
    );
}

#[test]
fn a_syntax_error_is_a_grammar_error() {
    let jsgf = "#JSGF V1.0; grammar g; public <a> = go (forward | backward;";
    let err = Decoder::with_grammar(model(), jsgf).unwrap_err();
    assert!(matches!(err, SpeechError::Grammar(_)), "{err}");
}

#[test]
fn the_grammar_changes_with_the_dialogue_step() {
    let mut d = Decoder::with_grammar(wideband(), &movement_grammar().to_jsgf()).unwrap();
    let audio = goforward();
    assert_eq!(
        d.decode(&audio).unwrap().unwrap().text,
        "go forward ten meters"
    );
    let yes_no = Grammar::one_of("confirm", &["yes", "no", "yeah", "nope"]);
    d.set_grammar(&yes_no.to_jsgf()).unwrap();
    let hyp = d.decode(&audio).unwrap();
    assert!(
        hyp.as_ref()
            .is_none_or(|h| yes_no.phrases().contains(&h.text)),
        "{hyp:?}"
    );
    // A refused grammar leaves the previous one in force.
    assert!(
        d.set_grammar("#JSGF V1.0; grammar g; public <a> = qqqzzz;")
            .is_err()
    );
    d.set_grammar(&movement_grammar().to_jsgf()).unwrap();
    assert_eq!(
        d.decode(&audio).unwrap().unwrap().text,
        "go forward ten meters"
    );
}

#[test]
fn misuse_is_an_error_not_a_crash() {
    let mut d = Decoder::with_grammar(model(), &movement_grammar().to_jsgf()).unwrap();
    assert!(matches!(d.feed(&[0; 320]), Err(SpeechError::NotStarted)));
    assert!(matches!(d.finish(), Err(SpeechError::NotStarted)));
    d.start().unwrap();
    assert!(matches!(d.start(), Err(SpeechError::InUtterance)));
    assert!(matches!(
        d.set_grammar(&movement_grammar().to_jsgf()),
        Err(SpeechError::InUtterance)
    ));
    assert!(matches!(d.decode(&[0; 320]), Err(SpeechError::InUtterance)));
    // Nothing fed at all.
    assert_eq!(d.finish().unwrap(), None);
    assert!(
        Decoder::with_grammar(model(), &Grammar::one_of::<&str>("empty", &[]).to_jsgf()).is_err()
    );
}

#[test]
fn decoders_run_on_several_threads_at_once() {
    let audio = goforward();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut d =
                        Decoder::with_grammar(wideband(), &movement_grammar().to_jsgf()).unwrap();
                    d.decode(&audio).unwrap().unwrap().text
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), "go forward ten meters");
        }
    });
}

#[test]
fn a_missing_model_is_reported_not_fatal() {
    let dir = std::env::temp_dir().join("careline-speech-no-model");
    let err = Model::from_dir(&dir).unwrap_err();
    assert!(matches!(err, SpeechError::ModelMissing(_)), "{err}");
}

#[test]
fn decoders_move_between_threads_and_models_are_shared() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    send::<Decoder>();
    send_sync::<Model>();
}

/// A decoder that adds dither starts its streams from a mean measured with that dither: the
/// dither fills phone audio's empty band above 4 kHz, which moves the mean far, and a stream
/// started from the wrong one misheard a call's first utterance (every spoken request, in the
/// end-to-end calls). Checked on a recording none of the starting means was measured on.
#[test]
fn a_dithered_stream_starts_from_a_mean_measured_with_dither() {
    let distance = |a: &str, b: &str| -> f64 {
        a.split(',')
            .zip(b.split(','))
            .map(|(x, y)| {
                (x.trim().parse::<f64>().unwrap() - y.trim().parse::<f64>().unwrap()).powi(2)
            })
            .sum::<f64>()
            .sqrt()
    };
    let line = ulaw_8k_to_16k(&on_the_wire(&goforward())).unwrap();
    for peak in [0, 8] {
        let m = model().clone().with_dither(peak);
        let mut d = Decoder::with_grammar(&m, &movement_grammar().to_jsgf()).unwrap();
        d.decode(&line).unwrap();
        let own = d.cepstral_mean().unwrap();
        let chosen = distance(m.cmn_init(), &own);
        let other = distance(
            if peak > 0 {
                careline_speech::PHONE_CMN_INIT
            } else {
                careline_speech::PHONE_CMN_INIT_DITHERED
            },
            &own,
        );
        eprintln!("dither {peak}: {own}; start {chosen:.1} away, the other {other:.1}");
        assert!(chosen < other, "dither {peak}: {chosen} vs {other}");
    }
}
