//! Synthetic callers on a phone line (tests/fixtures/make.sh: flite and espeak-ng voices that
//! are not CareLine's own, 8 kHz µ-law with hiss) recognized with the kind of grammar each
//! dialogue step will have.

use std::sync::OnceLock;

use careline_speech::{
    Decoder, Grammar, Hypothesis, Model, Upsampler, ulaw_8k_to_16k, ulaw_decode,
};

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::vendored().expect("the vendored model loads"))
}

/// The µ-law bytes of a fixture: its `data` chunk, after checking the format is what
/// make.sh writes (format 7, mono, 8 kHz).
fn ulaw_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.wav", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WAVE");
    let mut at = 12;
    let mut format_ok = false;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let body = &bytes[at + 8..at + 8 + len];
        if id == b"fmt " {
            let tag = u16::from_le_bytes([body[0], body[1]]);
            let channels = u16::from_le_bytes([body[2], body[3]]);
            let rate = u32::from_le_bytes(body[4..8].try_into().unwrap());
            format_ok = tag == 7 && channels == 1 && rate == 8000;
        } else if id == b"data" {
            assert!(format_ok, "{path}: not 8 kHz mono µ-law");
            return body.to_vec();
        }
        at += 8 + len + (len & 1);
    }
    panic!("{path}: no data chunk");
}

fn hear(grammar: &Grammar, fixture: &str) -> Hypothesis {
    let audio = ulaw_8k_to_16k(&ulaw_fixture(fixture)).unwrap();
    let mut d = Decoder::with_grammar(model(), &grammar.to_jsgf()).unwrap();
    let hyp = d.decode(&audio).unwrap().expect("a hypothesis");
    eprintln!("{fixture}: {hyp:?}");
    hyp
}

fn intents() -> Grammar {
    Grammar::one_of(
        "intent",
        &[
            "i need a refill",
            "refill",
            "lab results",
            "my lab results",
            "i need to move my appointment",
            "move my appointment",
            "cancel my appointment",
            "book an appointment",
            "representative",
            "a person",
        ],
    )
}

fn yes_no() -> Grammar {
    Grammar::one_of(
        "confirm",
        &["yes", "yeah", "yes please", "no", "nope", "no thanks"],
    )
}

/// Digits, one or more: handwritten JSGF, as a caller of this crate may also write.
const DIGITS: &str = "#JSGF V1.0;
grammar digits;
public <digits> = <digit>+;
<digit> = zero | oh | one | two | three | four | five | six | seven | eight | nine;
";

#[test]
fn intents_are_recognized() {
    assert_eq!(hear(&intents(), "refill").text, "i need a refill");
    assert_eq!(
        hear(&intents(), "move").text,
        "i need to move my appointment"
    );
}

#[test]
fn yes_and_no_are_recognized() {
    let yes = hear(&yes_no(), "yes").text;
    assert!(["yes", "yeah"].contains(&yes.as_str()), "{yes}");
    let no = hear(&yes_no(), "no").text;
    assert!(["no", "nope"].contains(&no.as_str()), "{no}");
}

/// Digit strings are the weak spot. A fresh decoder gets this one exactly, and the test pins
/// that; but measured on five synthetic digit strings (flite slt/awb, espeak-ng), only two
/// stayed exact over repeated decodes by one decoder: "four" became "five" or "oh", an
/// "eight" was inserted after "one", and a fixed-length grammar (four `<digit>`s) did not
/// cure it. Their confidence stayed at 0.11–0.24, so the dialogue should read digits back.
#[test]
fn digits_are_recognized_exactly() {
    let audio = ulaw_8k_to_16k(&ulaw_fixture("digits")).unwrap();
    let mut d = Decoder::with_grammar(model(), DIGITS).unwrap();
    let hyp = d.decode(&audio).unwrap().expect("a hypothesis");
    assert_eq!(hyp.text, "one two three four");
}

#[test]
fn a_phrase_outside_the_grammar_gets_none_or_low_confidence() {
    let right = hear(&intents(), "move");
    for (grammar, fixture) in [
        (yes_no(), "move"),
        (yes_no(), "refill"),
        (intents(), "digits"),
    ] {
        let audio = ulaw_8k_to_16k(&ulaw_fixture(fixture)).unwrap();
        let mut d = Decoder::with_grammar(model(), &grammar.to_jsgf()).unwrap();
        let hyp = d.decode(&audio).unwrap();
        eprintln!("{fixture} against {:?}: {hyp:?}", grammar.phrases());
        if let Some(h) = hyp {
            assert!(
                h.confidence < 0.3 && h.confidence < right.confidence,
                "{h:?}"
            );
        }
    }
}

#[test]
fn streamed_phone_frames_give_the_same_intents() {
    // 20 ms µ-law frames, upsampled as they come and fed: the media path.
    for (fixture, expected) in [
        ("refill", "i need a refill"),
        ("move", "i need to move my appointment"),
    ] {
        let mut d = Decoder::with_grammar(model(), &intents().to_jsgf()).unwrap();
        let mut up = Upsampler::new().unwrap();
        d.start().unwrap();
        for frame in ulaw_fixture(fixture).chunks(160) {
            let linear: Vec<i16> = frame.iter().map(|&b| ulaw_decode(b)).collect();
            d.feed(&up.push(&linear).unwrap()).unwrap();
        }
        d.feed(&up.finish().unwrap()).unwrap();
        let hyp = d.finish().unwrap().expect("a hypothesis");
        eprintln!("{fixture} streamed: {hyp:?}");
        assert_eq!(hyp.text, expected);
    }
}
