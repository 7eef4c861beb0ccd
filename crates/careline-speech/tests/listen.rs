//! The listener on generated line audio (silence, hiss, white noise, hold music) and on the
//! synthetic callers of tests/fixtures: one utterance per phrase, with its first syllable,
//! none from noise or music, a cut for a caller who never stops.

mod common;

use careline_speech::{
    Decoder, EndReason, Event, Listener, ListenerConfig, Model, resample_8k_to_16k,
};
use common::*;

/// Every event of `audio` pushed in 20 ms frames, with the frame it came at.
fn events(listener: &mut Listener, audio: &[i16]) -> Vec<Event> {
    audio.chunks(160).filter_map(|f| listener.push(f)).collect()
}

fn listener() -> Listener {
    Listener::new(&ListenerConfig::default()).unwrap()
}

fn utterances(ev: &[Event]) -> Vec<&careline_speech::Utterance> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Utterance(u) => Some(u),
            _ => None,
        })
        .collect()
}

fn onsets(ev: &[Event]) -> usize {
    ev.iter()
        .filter(|e| matches!(e, Event::Onset { .. }))
        .count()
}

/// `before` ms of hiss, the fixture, `after` ms of hiss; and the fixture's first frame.
fn on_the_line(name: &str, before: usize, after: usize) -> (Vec<i16>, usize) {
    let speech = fixture(name);
    let mut audio = hiss(before * 8, 7);
    let start = audio.len();
    audio.extend_from_slice(&speech);
    audio.extend(hiss(after * 8, 11));
    (audio, start / 160)
}

#[test]
fn silence_is_no_speech_after_the_no_input_time() {
    for audio in [vec![0i16; 8000 * 8], hiss(8000 * 8, 3)] {
        let mut l = listener();
        l.listen();
        let ev = events(&mut l, &audio);
        assert_eq!(ev, vec![Event::NoSpeech { at_frame: 250 }], "{ev:?}");
    }
}

#[test]
fn each_caller_is_one_utterance_with_its_preroll() {
    for (name, _, _) in callers() {
        let (audio, first) = on_the_line(name, 1000, 1500);
        let mut l = listener();
        l.listen();
        let ev = events(&mut l, &audio);
        eprintln!("{name}: {ev:?}");
        let us = utterances(&ev);
        assert_eq!(us.len(), 1, "{name}: {ev:?}");
        assert_eq!(onsets(&ev), 1, "{name}");
        let u = us[0];
        assert_eq!(u.reason, EndReason::EndOfSpeech);
        // The utterance starts no later than the fixture (whose own first frames are its
        // synthesizer's silence) and keeps everything up to its end.
        assert!(u.started_at_frame as usize <= first, "{name}: {u:?}");
        let fixture_end = first + fixture(name).len() / 160;
        assert!(
            u.last_speech_frame as usize <= fixture_end + 1,
            "{name}: {u:?}"
        );
        // The end-of-speech wait (350 ms) after the last speech.
        assert!(
            u.ended_at_frame - u.last_speech_frame >= 17,
            "{name}: {u:?}"
        );
        assert_eq!(
            u.audio_8k.len(),
            (u.ended_at_frame - u.started_at_frame + 1) as usize * 160
        );
        assert!(!ev.iter().any(|e| matches!(e, Event::NoSpeech { .. })));
    }
}

#[test]
fn the_utterance_audio_is_recognized() {
    let model = Model::vendored().unwrap();
    for (name, grammar, accepted) in callers() {
        let (audio, _) = on_the_line(name, 800, 1000);
        let mut l = listener();
        let ev = events(&mut l, &audio);
        let u = utterances(&ev)[0];
        let mut d = Decoder::with_grammar(&model, &grammar.to_jsgf()).unwrap();
        let hyp = d
            .decode(&resample_8k_to_16k(&u.audio_8k).unwrap())
            .unwrap()
            .expect("a hypothesis");
        assert!(accepted.contains(&hyp.text.as_str()), "{name}: {hyp:?}");
    }
}

#[test]
fn barge_in_comes_after_a_quarter_second_of_speech() {
    let (audio, _) = on_the_line("move", 1000, 1000);
    let mut l = listener();
    let ev = events(&mut l, &audio);
    let onset = ev
        .iter()
        .find_map(|e| match e {
            Event::Onset { at_frame, .. } => Some(*at_frame),
            _ => None,
        })
        .unwrap();
    let started = ev
        .iter()
        .find_map(|e| match e {
            Event::SpeechStarted { at_frame } => Some(*at_frame),
            _ => None,
        })
        .expect("barge-in on a two-second phrase");
    // 250 ms of speech frames: at least 12 frames after the onset, and well before the
    // phrase is over.
    assert!(
        started >= onset + 10 && started <= onset + 40,
        "{onset} {started}"
    );
}

#[test]
fn white_noise_and_hold_music_do_not_make_endless_utterances() {
    let twenty_s = 8000 * 20;
    let cases = [
        ("white noise -30 dBFS", white_noise(twenty_s, -30.0, 5)),
        ("white noise -15 dBFS", white_noise(twenty_s, -15.0, 9)),
        ("hold music -20 dBFS", hold_music(twenty_s, -20.0)),
        ("hold music -10 dBFS over hiss", {
            let mut m = hold_music(twenty_s, -10.0);
            mix(&mut m, &hiss(twenty_s, 4), 0);
            m
        }),
    ];
    for (name, noise) in cases {
        // Noise from the start, and noise starting after a second of quiet line.
        for lead in [0usize, 8000] {
            let mut audio = hiss(lead, 1);
            audio.extend_from_slice(&noise);
            let mut l = listener();
            l.listen();
            let ev = events(&mut l, &audio);
            eprintln!("{name}, after {} ms: {ev:?}", lead / 8);
            // At most the onset of the noise itself, over within its first seconds.
            let us = utterances(&ev);
            assert!(us.len() <= 1, "{name}: {ev:?}");
            for u in &us {
                assert_eq!(u.reason, EndReason::EndOfSpeech, "{name}");
                assert!(
                    u.ended_at_frame < (lead / 160 + 150) as u64,
                    "{name}: {u:?}"
                );
            }
            assert!(onsets(&ev) <= 1, "{name}: {ev:?}");
            // Either the noise's onset made one utterance (which the recognizer then finds
            // no sentence in, and the dialogue asks again), or the caller is reported silent.
            assert_eq!(
                us.len()
                    + ev.iter()
                        .filter(|e| matches!(e, Event::NoSpeech { .. }))
                        .count(),
                1,
                "{name}: {ev:?}"
            );
        }
    }
}

#[test]
fn speech_over_steady_noise_is_still_heard() {
    let speech = fixture("refill");
    let mut audio = white_noise(8000 * 6, -40.0, 2);
    mix(&mut audio, &speech, 8000 * 3);
    let mut l = listener();
    let ev = events(&mut l, &audio);
    eprintln!("{ev:?}");
    let us = utterances(&ev);
    assert_eq!(us.len(), 1, "{ev:?}");
    let u = us[0];
    assert!(
        u.started_at_frame <= 150 && u.ended_at_frame > 150 + 40,
        "{u:?}"
    );
}

#[test]
fn a_caller_who_never_stops_is_cut_at_the_maximum_length() {
    // The callers one after another, without pauses, for 25 s.
    let mut audio = hiss(8000, 1);
    let talk: Vec<i16> = ["move", "refill", "digits", "yes", "no"]
        .iter()
        .flat_map(|n| {
            let f = fixture(n);
            // Trim the synthesizers' own silences, so no pause reaches 350 ms.
            let loud: Vec<usize> = f
                .chunks(160)
                .enumerate()
                .filter(|(_, c)| c.iter().any(|s| s.unsigned_abs() > 1000))
                .map(|(i, _)| i)
                .collect();
            let (a, b) = (loud[0], loud[loud.len() - 1]);
            f[a * 160..(b + 1) * 160].to_vec()
        })
        .collect();
    while audio.len() < 8000 * 26 {
        audio.extend_from_slice(&talk);
    }
    let mut l = listener();
    let ev = events(&mut l, &audio);
    let us = utterances(&ev);
    eprintln!("{us:?}");
    assert!(!us.is_empty());
    let u = us[0];
    assert_eq!(u.reason, EndReason::MaxLength, "{u:?}");
    assert_eq!(u.ended_at_frame - u.started_at_frame + 1, 750);
    // It keeps its 15 seconds and no more.
    assert_eq!(u.audio_8k.len(), 750 * 160);
}

#[test]
fn a_click_is_discarded_not_an_utterance() {
    let mut audio = hiss(8000 * 3, 1);
    // 80 ms of loud noise: enough for an onset, too little for speech.
    mix(&mut audio, &white_noise(640, -12.0, 3), 8000);
    let mut l = listener();
    let ev = events(&mut l, &audio);
    eprintln!("{ev:?}");
    assert!(utterances(&ev).is_empty(), "{ev:?}");
}

#[test]
fn end_of_speech_wait_is_configurable_within_limits() {
    for bad in [150, 1200] {
        let c = ListenerConfig {
            end_silence_ms: bad,
            ..ListenerConfig::default()
        };
        assert!(Listener::new(&c).is_err());
    }
    for wait in [200u32, 600, 1000] {
        let c = ListenerConfig {
            end_silence_ms: wait,
            ..ListenerConfig::default()
        };
        let mut l = Listener::new(&c).unwrap();
        let (audio, _) = on_the_line("refill", 1000, 2000);
        let ev = events(&mut l, &audio);
        let u = utterances(&ev)[0];
        // The smoothing (two of three frames) may add a frame.
        let waited = (u.ended_at_frame - u.last_speech_frame) as u32 * 20;
        assert!(waited >= wait && waited <= wait + 60, "{wait}: {waited}");
    }
}

#[test]
fn speech_before_the_no_input_time_cancels_it() {
    let (audio, _) = on_the_line("yes", 2000, 6000);
    let mut l = listener();
    l.listen();
    let ev = events(&mut l, &audio);
    assert_eq!(utterances(&ev).len(), 1);
    assert!(
        !ev.iter().any(|e| matches!(e, Event::NoSpeech { .. })),
        "{ev:?}"
    );
}

#[test]
fn capturing_covers_exactly_the_utterance_frames() {
    let (audio, _) = on_the_line("move", 1000, 1000);
    let mut l = listener();
    let mut streamed: Vec<i16> = Vec::new();
    let mut whole = None;
    for f in audio.chunks(160) {
        let ev = l.push(f);
        if let Some(Event::Onset { preroll_8k, .. }) = &ev {
            streamed.extend_from_slice(preroll_8k);
        }
        if l.capturing() {
            streamed.extend_from_slice(f);
        }
        if let Some(Event::Utterance(u)) = ev {
            whole = Some(u);
        }
    }
    assert_eq!(streamed, whole.unwrap().audio_8k);
}
