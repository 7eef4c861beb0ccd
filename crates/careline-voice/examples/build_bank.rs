//! Makes the built-in voice's word bank, `data/bank.clvb`, with Debian's flite (voice rms).
//!
//! A development tool, not part of any build: it needs `apt-get install flite` and writes a file
//! that is committed, so building and running CareLine never need flite. Run from the workspace:
//!
//! ```sh
//! cargo run -p careline-voice --example build_bank
//! ```
//!
//! What goes in: every sentence of the built-in menu (crates/careline-call/src/default_ivr.toml)
//! as one recording, split around `{placeholders}`; every word in it; the words and phrases of
//! `tools/vocabulary.txt`; the letters A–Z. Each unit is synthesised on its own, converted to
//! 8 kHz, trimmed of silence, brought to one speech level and faded at its edges.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use careline_call::menu::CallConfig;
use careline_voice::audio;
use careline_voice::bank::{self, Codec, letter_key, phrase_key};
use careline_voice::normalize::{self, Pause, Token};

/// The flite voice: the one the recogniser understood best of Debian's five
/// (README.md, "Choosing the voice").
const VOICE: &str = "rms";

/// Silence kept before and after a phrase, in ms (read from the environment while tuning).
static PHRASE_MARGIN_MS: std::sync::LazyLock<u32> = std::sync::LazyLock::new(|| {
    std::env::var("PHRASE_MARGIN_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
});

/// Words flite says wrongly on their own, given as its phones instead: alone it says the article
/// "a" as the letter ("ay") where running speech has "uh", and it spells "thousandth".
const PHONES: [(&str, &str); 2] = [("a", "ax"), ("thousandth", "th aw z ax n d th")];

fn main() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = crate_dir.join("data/bank.clvb");

    // Key → text for flite. A BTreeMap so the file is the same on every run.
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    let every_word = |_: &str| true;

    let mut texts: Vec<String> = Vec::new();
    let cfg = CallConfig::default_config();
    texts.extend(cfg.prompts["en"].values().cloned());
    for menu in cfg.menus.values() {
        let p = cfg.menu_prompts(menu, "en");
        texts.extend(p.welcome);
        texts.extend(p.greeting_short);
        texts.extend(p.options);
        texts.extend(p.invalid);
        texts.extend(p.timeout);
    }
    for s in &cfg.practice.service_types {
        texts.extend(s.name.get("en").cloned());
    }
    // The engine's own sentence for each bookable service.
    texts.push("For {name}, press {digit}.".to_string());

    let vocabulary = std::fs::read_to_string(crate_dir.join("tools/vocabulary.txt"))
        .expect("read tools/vocabulary.txt");
    let mut words: Vec<String> = Vec::new();
    for line in vocabulary.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_prefix("= ") {
            Some(phrase) => texts.push(phrase.to_string()),
            None => words.extend(line.split_whitespace().map(str::to_string)),
        }
    }

    for text in &texts {
        for fragment in text.split(['{', '}']).step_by(2) {
            let tokens = normalize::tokens(fragment, &every_word);
            for sentence in tokens.split(|t| *t == Token::Pause(Pause::Long)) {
                let sentence = trim_pauses(sentence);
                for t in sentence {
                    if let Token::Word(w) = t {
                        words.push(w.clone());
                    }
                }
                if sentence.len() >= 2 {
                    units.insert(
                        phrase_key(sentence),
                        normalize::spoken_text(&with_full_stop(sentence)),
                    );
                }
            }
        }
    }
    for w in words {
        for t in normalize::tokens(&w, &every_word) {
            if let Token::Word(w) = t {
                units.insert(w.clone(), w);
            }
        }
    }
    for c in 'A'..='Z' {
        units.insert(letter_key(c), c.to_string());
    }

    let todo: Vec<(String, String)> = units.into_iter().collect();
    let done = Mutex::new(Vec::with_capacity(todo.len()));
    let next = Mutex::new(0usize);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        for worker in 0..workers {
            let (todo, done, next) = (&todo, &done, &next);
            s.spawn(move || {
                loop {
                    let i = {
                        let mut n = next.lock().expect("lock");
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some((key, text)) = todo.get(i) else {
                        break;
                    };
                    let pcm = render(key, text, worker);
                    done.lock()
                        .expect("lock")
                        .push((key.clone(), codec(key), pcm));
                }
            });
        }
    });
    let entries = done.into_inner().expect("lock");
    let file = bank::encode(&entries);
    std::fs::write(&out, &file).expect("write the bank");
    let samples: usize = entries.iter().map(|(_, _, p)| p.len()).sum();
    let phrases = entries.iter().filter(|(k, _, _)| k.contains(' ')).count();
    println!(
        "{}: {} entries ({} phrases), {:.1} s of audio, {} bytes",
        out.display(),
        entries.len(),
        phrases,
        samples as f64 / f64::from(audio::SAMPLE_RATE),
        file.len()
    );
}

/// Phrases in µ-law (lossless on the way to a call), words in ADPCM (half the size); see the
/// bank module. `BANK_CODEC=ulaw` or `adpcm` stores everything one way, for measuring.
fn codec(key: &str) -> Codec {
    match std::env::var("BANK_CODEC").as_deref() {
        Ok("ulaw") => Codec::Ulaw,
        Ok("adpcm") => Codec::Adpcm,
        _ if key.contains(' ') => Codec::Ulaw,
        _ => Codec::Adpcm,
    }
}

fn trim_pauses(tokens: &[Token]) -> &[Token] {
    let start = tokens
        .iter()
        .position(|t| !matches!(t, Token::Pause(_)))
        .unwrap_or(tokens.len());
    let end = tokens
        .iter()
        .rposition(|t| !matches!(t, Token::Pause(_)))
        .map_or(start, |i| i + 1);
    &tokens[start..end]
}

fn with_full_stop(tokens: &[Token]) -> Vec<Token> {
    let mut v = tokens.to_vec();
    v.push(Token::Pause(Pause::Long));
    v
}

/// One unit through flite, at 8 kHz, trimmed and levelled.
fn render(key: &str, text: &str, worker: usize) -> Vec<i16> {
    let path: PathBuf =
        std::env::temp_dir().join(format!("careline-bank-{}-{worker}.wav", std::process::id()));
    let mut cmd = Command::new("flite");
    cmd.args(["-voice", VOICE]);
    if let Some((_, phones)) = PHONES.iter().find(|(w, _)| *w == key) {
        cmd.args(["-p", phones]);
    } else {
        cmd.args(["-t", text]);
    }
    let status = cmd
        .arg("-o")
        .arg(&path)
        .status()
        .expect("run flite (apt-get install flite)");
    assert!(status.success(), "flite failed on {text:?}");
    let pcm = audio::read_wav_file(&path).expect("flite's WAV");
    let _ = std::fs::remove_file(&path);
    // Keep more around a phrase: its first plosive's closure and release are quiet, and a tight
    // cut loses them ("please" heard as "the"). Words joined one by one need tight edges.
    let margin_ms = if key.contains(' ') {
        *PHRASE_MARGIN_MS
    } else {
        5
    };
    let mut pcm = audio::trim_silence(&pcm, margin_ms);
    assert!(!pcm.is_empty(), "flite said nothing for {text:?}");
    audio::normalise_level(&mut pcm, bank::LEVEL_DBFS);
    audio::fade_edges(&mut pcm, 4);
    pcm
}
