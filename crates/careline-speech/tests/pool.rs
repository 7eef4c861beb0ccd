//! The recognizer pool: many calls at once, each call's results right and in its order; a
//! pool that falls behind drops frames instead of making the feeder wait; the sidecar seam
//! says it is not configured.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use careline_speech::{
    Model, Options, PoolConfig, Recognized, Recognizer, RecognizerPool, SidecarRecognizer,
    SpeechError, SphinxRecognizer,
};
use common::*;

fn model() -> Model {
    Model::vendored().unwrap()
}

#[test]
fn fifty_calls_at_once_get_their_own_results_in_order() {
    let model = model();
    let callers = callers();
    let grammars: Vec<Arc<str>> = callers.iter().map(|(_, g, _)| g.to_jsgf().into()).collect();
    let audio: Vec<Vec<i16>> = callers.iter().map(|(n, _, _)| fixture(n)).collect();
    // Room for whole utterances: this test feeds faster than real time.
    let pool = RecognizerPool::with_factory(
        PoolConfig {
            threads: 2,
            queue_frames: 2000,
        },
        Box::new(move || Box::new(SphinxRecognizer::new(&model))),
    );
    let mut calls: Vec<_> = (0..50).map(|_| pool.call()).collect();
    // Each call says three of the phrases, a different sequence per call, and every call's
    // utterances are interleaved frame by frame with everyone else's; results are not
    // awaited until all have been fed.
    let plan = |call: usize, turn: usize| (call + turn * (1 + call % 3)) % callers.len();
    let mut pending = Vec::new();
    for turn in 0..3 {
        let options = if turn == 1 {
            Options::grammar_only()
        } else {
            Options::default()
        };
        for (c, call) in calls.iter_mut().enumerate() {
            call.begin(Arc::clone(&grammars[plan(c, turn)]), options);
        }
        let longest = audio.iter().map(Vec::len).max().unwrap();
        for at in (0..longest).step_by(160) {
            for (c, call) in calls.iter_mut().enumerate() {
                if let Some(frame) = audio[plan(c, turn)].get(at..)
                    && !frame.is_empty()
                {
                    call.feed(&frame[..frame.len().min(160)]);
                }
            }
        }
        for (c, call) in calls.iter_mut().enumerate() {
            pending.push((c, turn, call.end()));
        }
    }
    let mut wrong = Vec::new();
    for (c, turn, p) in pending {
        let heard = p
            .blocking_recv()
            .expect("the pool answers")
            .expect("recognized");
        assert!(!heard.degraded(), "call {c} turn {turn}: {heard:?}");
        let (name, _, accepted) = &callers[plan(c, turn)];
        let r: Recognized = heard.recognized.expect("a sentence");
        assert_eq!(r.confidence.is_some(), turn != 1, "{r:?}");
        if !accepted.contains(&r.text.as_str()) {
            wrong.push(format!("call {c} turn {turn} ({name}): {}", r.text));
        }
    }
    assert_eq!(pool.dropped_frames(), 0);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A recognizer that takes 5 ms a frame: a pool of one thread keeps up with at most four
/// real-time calls.
struct Slow;

impl Recognizer for Slow {
    fn begin(&mut self, _: &str, _: Options) -> Result<(), SpeechError> {
        Ok(())
    }
    fn feed(&mut self, _: &[i16]) -> Result<(), SpeechError> {
        std::thread::sleep(Duration::from_millis(5));
        Ok(())
    }
    fn end(&mut self) -> Result<Option<Recognized>, SpeechError> {
        Ok(Some(Recognized {
            text: "yes".into(),
            alternatives: vec![],
            confidence: None,
            audio_ms: 0,
            decode_ms: 0.0,
        }))
    }
    fn cancel(&mut self) {}
}

#[test]
fn a_pool_that_falls_behind_drops_frames_and_never_blocks_the_feeder() {
    let pool = RecognizerPool::with_factory(
        PoolConfig {
            threads: 1,
            queue_frames: 10,
        },
        Box::new(|| Box::new(Slow)),
    );
    let mut calls: Vec<_> = (0..20).map(|_| pool.call()).collect();
    let frame = [0i16; 160];
    let mut slowest = Duration::ZERO;
    for call in &mut calls {
        call.begin("".into(), Options::default());
    }
    for _ in 0..100 {
        for call in &mut calls {
            let t = Instant::now();
            call.feed(&frame);
            slowest = slowest.max(t.elapsed());
        }
    }
    let pending: Vec<_> = calls.iter_mut().map(|c| c.end()).collect();
    // Feeding is a queue push: far under a millisecond even with every queue full (a
    // generous bound for a loaded machine).
    assert!(slowest < Duration::from_millis(5), "{slowest:?}");
    assert!(pool.dropped_frames() > 0);
    for p in pending {
        let heard = p.blocking_recv().unwrap().unwrap();
        assert!(heard.degraded(), "{heard:?}");
        assert_eq!(heard.recognized.unwrap().text, "yes");
    }
}

#[test]
fn a_cancelled_utterance_gives_no_result_and_the_next_one_works() {
    let pool = RecognizerPool::new(&model(), 1);
    let mut call = pool.call();
    let g: Arc<str> = yes_no().to_jsgf().into();
    call.begin(Arc::clone(&g), Options::default());
    for f in white_noise(1600, -40.0, 1).chunks(160) {
        call.feed(f);
    }
    call.cancel();
    assert!(matches!(
        call.end().blocking_recv().unwrap(),
        Err(SpeechError::NotStarted)
    ));
    call.begin(g, Options::grammar_only());
    for f in fixture("yes").chunks(160) {
        call.feed(f);
    }
    let heard = call.end().blocking_recv().unwrap().unwrap();
    let r = heard.recognized.unwrap();
    assert!(["yes", "yeah"].contains(&r.text.as_str()));
    assert!(r.audio_ms > 500 && r.decode_ms > 0.0, "{r:?}");
    assert!(heard.wait_ms >= 0.0);
}

#[test]
fn alternatives_are_other_sentences_of_the_grammar() {
    let mut r = SphinxRecognizer::new(&model());
    r.begin(
        &intents().to_jsgf(),
        Options {
            confidence: true,
            alternatives: 3,
        },
    )
    .unwrap();
    for f in fixture("move").chunks(160) {
        r.feed(f).unwrap();
    }
    let heard = r.end().unwrap().unwrap();
    eprintln!(
        "confidence {:?}, alternatives {:?}",
        heard.confidence,
        heard
            .alternatives
            .iter()
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
    );
    assert_eq!(heard.text, "i need to move my appointment");
    check_alternatives(&heard);
    // Digits against a grammar of digit strings are where alternatives show.
    let digits = "#JSGF V1.0; grammar digits; public <digits> = <digit>+; \
        <digit> = zero | oh | one | two | three | four | five | six | seven | eight | nine;";
    for name in ["digits", "refill", "yes", "no"] {
        let grammar = if name == "digits" {
            digits.to_owned()
        } else if name == "refill" {
            intents().to_jsgf()
        } else {
            yes_no().to_jsgf()
        };
        let t = Instant::now();
        r.begin(
            &grammar,
            Options {
                confidence: false,
                alternatives: 3,
            },
        )
        .unwrap();
        for f in fixture(name).chunks(160) {
            r.feed(f).unwrap();
        }
        let heard = r.end().unwrap().unwrap();
        eprintln!(
            "{name}: {} alternatives {:?} in {:?}",
            heard.alternatives.len(),
            heard
                .alternatives
                .iter()
                .map(|(_, s)| s)
                .collect::<Vec<_>>(),
            t.elapsed()
        );
    }
}

fn check_alternatives(heard: &Recognized) {
    assert!(heard.alternatives.len() <= 3);
    for (text, fit) in &heard.alternatives {
        assert_ne!(text, &heard.text);
        assert!(intents().phrases().contains(text), "{text}");
        assert!((0.0..=1.0).contains(fit));
    }
}

#[test]
fn the_sidecar_seam_is_not_configured() {
    let pool = RecognizerPool::with_factory(
        PoolConfig::default(),
        Box::new(|| Box::new(SidecarRecognizer::new())),
    );
    let mut call = pool.call();
    call.begin("".into(), Options::default());
    call.feed(&[0; 160]);
    let r = call.end().blocking_recv().unwrap();
    assert!(matches!(r, Err(SpeechError::NotConfigured(_))), "{r:?}");
    assert!(r.unwrap_err().to_string().contains("not configured"));
}
