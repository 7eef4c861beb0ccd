//! The voice as the SIP transport uses it: the built-in menu fully covered by the bank, audio at
//! 8 kHz whose length follows the text, practice recordings of any format converted correctly,
//! recordings winning over TTS, and the cache serving static prompts without re-synthesis.

use std::f64::consts::PI;
use std::path::Path;

use careline_call::menu::CallConfig;
use careline_call::speech;
use careline_voice::bank::{Bank, phrase_key};
use careline_voice::normalize::{Pause, Token, spoken_text};
use careline_voice::{Engine, SAMPLE_RATE, Voice, VoiceError};
use chrono::NaiveDate;

/// Every English text the built-in menu can say, with `{placeholders}` left in.
fn menu_texts() -> Vec<(String, String)> {
    let cfg = CallConfig::default_config();
    let mut out: Vec<(String, String)> = cfg.prompts["en"]
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for menu in cfg.menus.values() {
        let p = cfg.menu_prompts(menu, "en");
        let id = &menu.id;
        for (k, v) in [
            ("welcome", p.welcome),
            ("greeting_short", p.greeting_short),
            ("invalid", p.invalid),
            ("timeout", p.timeout),
        ] {
            if let Some(v) = v {
                out.push((format!("menu.{id}.{k}"), v));
            }
        }
        for (i, line) in p.options.into_iter().enumerate() {
            out.push((format!("menu.{id}.options.{i}"), line));
        }
    }
    for s in &cfg.practice.service_types {
        out.push((format!("service {}", s.code), s.name["en"].clone()));
    }
    out
}

fn bank_voice() -> Voice {
    Voice::with_engine(Engine::Bank)
}

#[test]
fn every_word_of_the_built_in_menu_is_in_the_bank() {
    let voice = bank_voice();
    for (key, text) in menu_texts() {
        // Placeholder names ("{deductible}") are not said; only check what is.
        let said: Vec<String> = text
            .split(['{', '}'])
            .step_by(2)
            .flat_map(|part| voice.unknown_words(part))
            .collect();
        assert!(said.is_empty(), "{key}: the bank would spell {said:?}");
    }
}

#[test]
fn every_static_sentence_of_the_built_in_menu_is_one_recording() {
    // Whole sentences are recorded as such, for natural rhythm; a change to the menu file
    // without regenerating the bank shows up here.
    let voice = bank_voice();
    let bank = Bank::builtin();
    for (key, text) in menu_texts() {
        for part in text.split(['{', '}']).step_by(2) {
            let tokens = voice.tokens(part);
            for sentence in tokens.split(|t| *t == Token::Pause(Pause::Long)) {
                let sentence: Vec<Token> = sentence
                    .iter()
                    .skip_while(|t| matches!(t, Token::Pause(_)))
                    .cloned()
                    .collect();
                let words = sentence
                    .iter()
                    .filter(|t| !matches!(t, Token::Pause(_)))
                    .count();
                if words >= 2 {
                    let k = phrase_key(&sentence);
                    assert!(bank.get(&k).is_some(), "{key}: no recording of {k:?}");
                }
            }
        }
    }
}

#[test]
fn dynamic_values_are_all_in_the_bank() {
    let voice = bank_voice();
    let mut texts = Vec::new();
    for n in (0..=1000).chain([1_000_000, 2_500_000, 999_999_999]) {
        texts.push(speech::cardinal(n));
        texts.push(speech::ordinal(n));
    }
    let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    for _ in 0..366 {
        texts.push(speech::date_with_year(day));
        day = day.succ_opt().expect("date");
    }
    for cents in [0, 1, 99, 100, 2550, 125_000, 1_234_567, -500] {
        texts.push(speech::money_cents(cents));
    }
    for p in [0.0, 12.5, 20.0, 33.333, 100.0] {
        texts.push(speech::percent(p));
    }
    for (h, m) in [(0, 0), (9, 5), (12, 0), (17, 30), (23, 59)] {
        texts.push(speech::time_of_day(h, m));
    }
    texts.push(speech::digits(
        "1Z999AA10123456784 ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    ));
    for status in [
        "received and waiting for approval",
        "approved and being prepared",
        "being prepared for shipping",
        "on its way",
        "delivered",
        "cancelled",
        "not on file",
        "U P S",
        "the Postal Service",
        "D H L",
        "FedEx",
        "an unknown percentage",
        "check order status",
        "schedule service",
        "verify insurance",
        "contact provider",
        "transfer to agent",
        "repeat",
    ] {
        texts.push(status.to_string());
    }
    for t in texts {
        let unknown = voice.unknown_words(&t);
        assert!(
            unknown.is_empty(),
            "{t:?}: the bank would spell {unknown:?}"
        );
    }
}

#[test]
fn unknown_words_are_reported_and_still_spoken() {
    let voice = bank_voice();
    assert_eq!(
        voice.unknown_words("Welcome to Zyxwv Clinic, zyxwv!"),
        vec!["zyxwv".to_string()]
    );
    let pcm = voice.render("Zyxwv", None, "en");
    // Spelled: five letters, each at least a tenth of a second.
    assert!(pcm.len() > 5 * SAMPLE_RATE as usize / 10, "{}", pcm.len());
}

#[test]
fn audio_is_8_khz_and_its_length_follows_the_text() {
    let voice = bank_voice();
    let short = voice.render("Order 1 0 0 is on its way.", Some("order_status"), "en");
    let long = voice.render(
        "Order 1 0 0 0, 0 0 0 1 is on its way. It shipped on Tuesday, November twenty-fourth.",
        Some("order_status"),
        "en",
    );
    let secs = |n: usize| n as f64 / f64::from(SAMPLE_RATE);
    // Natural speech runs at two to four words a second; with pauses, allow 1.5 to 5.
    assert!(
        (1.5..5.0).contains(&(7.0 / secs(short.len()))),
        "{}",
        secs(short.len())
    );
    assert!(long.len() > short.len() * 3 / 2);
    assert!(
        short.iter().any(|&s| s.unsigned_abs() > 3000),
        "speech is audible"
    );
    assert!(voice.render("", None, "en").is_empty());
    assert!(voice.render(" ,. ", None, "en").is_empty());
}

#[test]
fn a_second_render_of_a_static_prompt_comes_from_the_cache() {
    let voice = bank_voice();
    let text = "Please enter your order number, followed by the pound key.";
    let a = voice.render(text, Some("order_enter_number"), "en");
    assert_eq!(voice.syntheses(), 1);
    let b = voice.render(text, Some("order_enter_number"), "en");
    assert_eq!(voice.syntheses(), 1);
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    // Clones share the cache.
    let clone = voice.clone();
    clone.render(text, None, "en");
    assert_eq!(voice.syntheses(), 1);
}

#[test]
fn warmed_prompts_survive_any_number_of_dynamic_texts() {
    let voice = bank_voice();
    let texts = menu_texts();
    let static_texts: Vec<&(String, String)> =
        texts.iter().filter(|(_, t)| !t.contains('{')).collect();
    voice.warm(
        static_texts
            .iter()
            .map(|(k, t)| (t.as_str(), Some(k.as_str()), "en")),
    );
    let warmed = voice.syntheses();
    // One synthesis a distinct text: menus share some ("Invalid selection").
    let distinct: std::collections::HashSet<&str> =
        static_texts.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(warmed as usize, distinct.len());
    // Enough distinct order numbers to overflow the bounded part of the cache several times.
    for n in 0..100u64 {
        let text = format!(
            "Order {} is on its way. Your tracking number is {}.",
            speech::digits(&(10_000_000 + n).to_string()),
            speech::digits(&format!("1Z{:016}", n * 7919)),
        );
        voice.render(&text, Some("order_status"), "en");
    }
    let after_dynamic = voice.syntheses();
    for (k, t) in &static_texts {
        voice.render(t, Some(k), "en");
    }
    assert_eq!(
        voice.syntheses(),
        after_dynamic,
        "a warmed prompt was synthesised again"
    );
}

#[test]
fn the_voice_is_shared_across_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Voice>();
    let voice = bank_voice();
    std::thread::scope(|s| {
        for i in 0..4 {
            let v = voice.clone();
            s.spawn(move || {
                for n in 0..20 {
                    let pcm = v.render(&format!("Press {} for {}", n % 10, i), None, "en");
                    assert!(!pcm.is_empty());
                }
            });
        }
    });
    // 4 threads × 10 distinct texts each; a race may synthesise a text twice, never less.
    assert!(voice.syntheses() >= 40);
}

#[test]
fn the_call_engines_values_normalise_to_what_a_person_says() {
    let voice = bank_voice();
    let say = |t: &str| spoken_text(&voice.tokens(t));
    assert_eq!(
        say(&format!(
            "Order {} is on its way.",
            speech::digits("10000001")
        )),
        "order one zero zero zero, zero zero zero one is on its way."
    );
    let d = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    assert_eq!(
        say(&speech::date_with_year(d)),
        "tuesday, november twenty fourth, twenty twenty six."
    );
    assert_eq!(
        say(&speech::money_cents(125_050)),
        "one thousand two hundred fifty dollars and fifty cents."
    );
    assert_eq!(say(&speech::percent(12.5)), "twelve point five percent.");
    assert_eq!(say(&speech::time_of_day(17, 30)), "five thirty P M.");
    assert_eq!(say("Press 0 at any time"), "press zero at any time.");
    assert_eq!(say("dial 9 1 1."), "dial nine one one.");
    // What a practice might type itself.
    assert_eq!(
        say("Copay: $25.50"),
        "copay, twenty five dollars and fifty cents."
    );
    assert_eq!(
        say("Open 9:00 AM to 5:30 PM"),
        "open nine A M to five thirty P M."
    );
    assert_eq!(
        say("Due 12/01/2026"),
        "due december first twenty twenty six."
    );
    assert_eq!(say("We're 100% sure"), "we're one hundred percent sure.");
}

// ---- practice recordings ----

fn tone(freq: f64, rate: u32, secs: f64, amp: f64) -> impl Iterator<Item = f64> {
    let n = (f64::from(rate) * secs).round() as usize;
    (0..n).map(move |i| amp * (2.0 * PI * freq * i as f64 / f64::from(rate)).sin())
}

fn write_wav(path: &Path, spec: hound::WavSpec, samples: impl Iterator<Item = f64>) {
    let mut w = hound::WavWriter::create(path, spec).expect("create WAV");
    for s in samples {
        for _ in 0..spec.channels {
            match (spec.sample_format, spec.bits_per_sample) {
                (hound::SampleFormat::Float, _) => w.write_sample(s as f32),
                (_, 8) => w.write_sample((s * 127.0) as i8),
                (_, 16) => w.write_sample((s * 32767.0) as i16),
                (_, bits) => w.write_sample((s * ((1i64 << (bits - 1)) - 1) as f64) as i32),
            }
            .expect("write sample");
        }
    }
    w.finalize().expect("finalize WAV");
}

fn spec(rate: u32, channels: u16, bits: u16, float: bool) -> hound::WavSpec {
    hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    }
}

/// Frequency from zero crossings, skipping the resampler's edge transients.
fn frequency(pcm: &[i16]) -> f64 {
    let mid = &pcm[400..pcm.len() - 400];
    let crossings = mid.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
    crossings as f64 / 2.0 / (mid.len() as f64 / f64::from(SAMPLE_RATE))
}

fn rms(pcm: &[i16]) -> f64 {
    let mid = &pcm[400..pcm.len() - 400];
    (mid.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / mid.len() as f64).sqrt()
}

#[test]
fn recordings_of_any_format_are_converted_to_8_khz() {
    let dir = tempfile::tempdir().expect("tempdir");
    let en = dir.path().join("en");
    std::fs::create_dir_all(&en).expect("mkdir");
    // One second of 1 kHz at half scale, in every common format.
    let cases = [
        ("cd_stereo", spec(44_100, 2, 16, false)),
        ("wide_8bit", spec(16_000, 1, 8, false)),
        ("studio_24bit", spec(48_000, 1, 24, false)),
        ("float", spec(22_050, 2, 32, true)),
        ("already_8k", spec(8_000, 1, 16, false)),
        ("int32", spec(32_000, 1, 32, false)),
    ];
    for (name, s) in cases {
        write_wav(
            &en.join(format!("{name}.wav")),
            s,
            tone(1000.0, s.sample_rate, 1.0, 0.5),
        );
    }
    let voice = Voice::with_engine_and_recordings(Engine::Bank, dir.path()).expect("loads");
    for (name, s) in cases {
        let pcm = voice.render("ignored", Some(name), "en");
        let frames = pcm.len() as i64;
        assert!((frames - 8000).abs() <= 1, "{name}: {frames} frames");
        let f = frequency(&pcm);
        assert!((f - 1000.0).abs() < 10.0, "{name}: {f} Hz");
        // Level kept: a half-scale sine has RMS 0.354 of full scale (8-bit: its own rounding).
        let level = rms(&pcm) / 32768.0;
        assert!((level - 0.354).abs() < 0.02, "{name} ({s:?}): RMS {level}");
    }
    assert_eq!(voice.syntheses(), 0, "recordings are not synthesised");
}

#[test]
fn content_above_4_khz_is_filtered_not_folded_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let en = dir.path().join("en");
    std::fs::create_dir_all(&en).expect("mkdir");
    // 6 kHz would alias to 2 kHz at 8 kHz without an anti-aliasing filter.
    write_wav(
        &en.join("high.wav"),
        spec(44_100, 1, 16, false),
        tone(6000.0, 44_100, 1.0, 0.5),
    );
    // 3.4 kHz, the top of the telephone band, must pass.
    write_wav(
        &en.join("band_edge.wav"),
        spec(44_100, 1, 16, false),
        tone(3400.0, 44_100, 1.0, 0.5),
    );
    let voice = Voice::with_engine_and_recordings(Engine::Bank, dir.path()).expect("loads");
    let high = voice.render("", Some("high"), "en");
    let attenuation_db = 20.0 * (rms(&high) / (0.354 * 32768.0)).log10();
    assert!(
        attenuation_db < -60.0,
        "6 kHz only {attenuation_db:.1} dB down"
    );
    let edge = voice.render("", Some("band_edge"), "en");
    let edge_db = 20.0 * (rms(&edge) / (0.354 * 32768.0)).log10();
    assert!(edge_db > -1.0, "3.4 kHz lost {edge_db:.1} dB");
}

#[test]
fn a_recording_beats_tts_for_its_key_and_language_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let en = dir.path().join("en");
    std::fs::create_dir_all(&en).expect("mkdir");
    write_wav(
        &en.join("welcome.wav"),
        spec(16_000, 1, 16, false),
        tone(440.0, 16_000, 0.25, 0.3),
    );
    std::fs::write(en.join("notes.txt"), "not audio, ignored").expect("write");
    let voice = Voice::with_engine_and_recordings(Engine::Bank, dir.path()).expect("loads");
    let text = "Welcome to Healthcare Services";
    assert!(voice.has_recording("welcome", "en"));
    assert_eq!(voice.render(text, Some("welcome"), "en").len(), 2000);
    assert_eq!(voice.syntheses(), 0);
    // Another key, another language, or no key: the built-in voice.
    let tts = voice.render(text, None, "en");
    assert!(tts.len() > 8000);
    assert_eq!(voice.render(text, Some("goodbye"), "en").len(), tts.len());
    assert_eq!(voice.render(text, Some("welcome"), "es").len(), tts.len());
    // Warming skips recorded prompts.
    let before = voice.syntheses();
    voice.warm([(text, Some("welcome"), "en")]);
    assert_eq!(voice.syntheses(), before);
}

#[test]
fn a_malformed_recording_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let en = dir.path().join("en");
    std::fs::create_dir_all(&en).expect("mkdir");
    std::fs::write(en.join("broken_prompt.wav"), b"RIFF\x10\0\0\0WAVEjunkjunk").expect("write");
    let err = Voice::with_recordings(dir.path()).expect_err("must fail");
    assert!(matches!(err, VoiceError::Recording { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("broken_prompt.wav"), "{msg}");

    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(empty.path().join("en")).expect("mkdir");
    write_wav(
        &empty.path().join("en/silent.wav"),
        spec(8000, 1, 16, false),
        std::iter::empty(),
    );
    let msg = Voice::with_recordings(empty.path())
        .expect_err("empty file")
        .to_string();
    assert!(msg.contains("silent.wav"), "{msg}");

    let missing = dir.path().join("no-such-dir");
    let msg = Voice::with_recordings(&missing)
        .expect_err("missing dir")
        .to_string();
    assert!(msg.contains("no-such-dir"), "{msg}");
}

#[cfg(feature = "flite")]
#[test]
fn flite_speaks_whole_text_when_installed() {
    if !Engine::Flite.available() {
        eprintln!("flite is not installed; skipping");
        return;
    }
    let voice = Voice::with_engine(Engine::Flite);
    let pcm = voice.render("Your Louisville office will call you.", None, "en");
    assert!(pcm.len() > SAMPLE_RATE as usize);
}

#[cfg(feature = "espeak")]
#[test]
fn espeak_speaks_whole_text_when_installed() {
    if !Engine::Espeak.available() {
        eprintln!("espeak-ng is not installed; skipping");
        return;
    }
    let voice = Voice::with_engine(Engine::Espeak);
    let pcm = voice.render("Your Louisville office will call you.", None, "en");
    assert!(pcm.len() > SAMPLE_RATE as usize);
}
