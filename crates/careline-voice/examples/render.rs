//! Renders the standard prompts as a caller hears them, for `load/intelligibility.sh`.
//!
//! ```sh
//! cargo run --release -p careline-voice --example render -- OUTDIR [--engine ENGINE]
//! ```
//!
//! ENGINE is `bank` (the default build's voice), `flite` or `espeak` (the optional engines; build
//! with `--features flite` / `--features espeak`), or `raw-flite` / `raw-espeak`: the Debian
//! binary on the prompt's text as the call engine wrote it, whole, with none of this crate's
//! processing, as a reference for what the recogniser makes of plain synthetic speech.
//!
//! For every prompt it writes `OUTDIR/ID.wav`: the voice's 8 kHz audio encoded to G.711 µ-law
//! and decoded again (careline-media's codec, the one calls use), then resampled to 16 kHz for
//! the recogniser. `OUTDIR/manifest.tsv` has `ID<TAB>the words said`. The prompts: every English
//! prompt of the built-in menu without a value in it (ids `static_…`), and the prompts with values
//! filled in as the call engine fills them (`careline_call::speech`): order numbers digit by
//! digit, dates, amounts in dollars and cents, percentages (ids `dynamic_…`).

use std::path::{Path, PathBuf};

use careline_call::menu::CallConfig;
use careline_call::speech;
use careline_media::g711::Law;
use careline_voice::normalize::Token;
use careline_voice::{Engine, SAMPLE_RATE, Voice, audio};
use chrono::NaiveDate;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut engine = "bank".to_string();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--engine" => engine = args.next().expect("--engine needs a value"),
            _ => out = Some(PathBuf::from(a)),
        }
    }
    let out = out.expect("usage: render OUTDIR [--engine bank|flite|espeak|raw-flite|raw-espeak]");
    std::fs::create_dir_all(&out).expect("create OUTDIR");

    let voice = match engine.as_str() {
        #[cfg(feature = "flite")]
        "flite" => Voice::with_engine(Engine::Flite),
        #[cfg(feature = "espeak")]
        "espeak" => Voice::with_engine(Engine::Espeak),
        _ => Voice::with_engine(Engine::Bank),
    };
    let raw = engine.strip_prefix("raw-");
    if raw.is_none() && voice.engine().name() != engine {
        panic!("engine {engine} is not in this build (enable its cargo feature)");
    }
    if raw.is_none() && !voice.engine().available() {
        panic!("engine {engine}: its program is not installed");
    }

    let mut manifest = String::new();
    let mut synthesis = std::time::Duration::ZERO;
    let mut audio_samples = 0usize;
    let prompts = prompts();
    for (id, text) in &prompts {
        let started = std::time::Instant::now();
        let pcm = match raw {
            Some(program) => raw_engine(program, text),
            None => voice.render(text, None, "en").to_vec(),
        };
        synthesis += started.elapsed();
        audio_samples += pcm.len();
        let reference = reference_words(&voice.tokens(text));
        let heard = telephone(&pcm);
        audio::write_wav(&out.join(format!("{id}.wav")), 16_000, &heard).expect("write WAV");
        manifest.push_str(&format!("{id}\t{reference}\n"));
    }
    std::fs::write(out.join("manifest.tsv"), manifest).expect("write manifest");
    eprintln!(
        "{engine}: {} prompts, {:.1} s of audio synthesised in {:.1} ms ({:.2} ms a prompt)",
        prompts.len(),
        audio_samples as f64 / f64::from(SAMPLE_RATE),
        synthesis.as_secs_f64() * 1e3,
        synthesis.as_secs_f64() * 1e3 / prompts.len() as f64
    );
}

/// 8 kHz PCM → µ-law → PCM → 16 kHz: the call's codec, then the recogniser's rate.
fn telephone(pcm: &[i16]) -> Vec<i16> {
    let mut codes = Vec::new();
    Law::Ulaw.encode(pcm, &mut codes);
    let mut decoded = Vec::new();
    Law::Ulaw.decode(&codes, &mut decoded);
    let up = audio::resample(&audio::to_f32(&decoded), SAMPLE_RATE, 16_000).expect("resample");
    audio::to_i16(&up)
}

fn reference_words(tokens: &[Token]) -> String {
    let words: Vec<String> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w.clone()),
            Token::Letter(c) => Some(c.to_ascii_lowercase().to_string()),
            Token::Pause(_) => None,
        })
        .collect();
    words.join(" ")
}

/// The Debian binary on the text as written, at its own rate, converted to 8 kHz.
fn raw_engine(program: &str, text: &str) -> Vec<i16> {
    let path = std::env::temp_dir().join(format!("careline-render-{}.wav", std::process::id()));
    let status = match program {
        "flite" => std::process::Command::new("flite")
            .args(["-voice", "rms", "-t", text, "-o"])
            .arg(&path)
            .status(),
        "espeak" => std::process::Command::new("espeak-ng")
            .args(["-v", "en-us", text, "-w"])
            .arg(&path)
            .status(),
        other => panic!("unknown raw engine {other}"),
    };
    assert!(
        status.is_ok_and(|s| s.success()),
        "{program} failed (is it installed?)"
    );
    let pcm = audio::read_wav_file(Path::new(&path)).expect("read the engine's WAV");
    let _ = std::fs::remove_file(&path);
    pcm
}

fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut text = template.to_string();
    for (name, value) in vars {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

fn prompts() -> Vec<(String, String)> {
    let cfg = CallConfig::default_config();
    let en = &cfg.prompts["en"];
    let mut out = Vec::new();
    let main = &cfg.menus["main"];
    let p = cfg.menu_prompts(main, "en");
    let menu_texts = [
        ("menu_welcome", p.welcome.clone()),
        ("menu_greeting_short", p.greeting_short.clone()),
        ("menu_invalid", p.invalid.clone()),
        ("menu_timeout", p.timeout.clone()),
    ];
    for (id, text) in menu_texts {
        if let Some(t) = text {
            out.push((format!("static_{id}"), t));
        }
    }
    for (i, line) in p.options.iter().enumerate() {
        out.push((format!("static_menu_option_{i}"), line.clone()));
    }
    for (key, text) in en {
        if !text.contains('{') {
            out.push((format!("static_{key}"), text.clone()));
        }
    }

    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    let t = |key: &str| en[key].clone();
    let mut dynamic = |id: &str, text: String| out.push((format!("dynamic_{id}"), text));
    for (i, number) in ["10000001", "20483917", "73516042"].iter().enumerate() {
        let status = [
            "on its way",
            "received and waiting for approval",
            "delivered",
        ][i];
        dynamic(
            &format!("order_status_{i}"),
            fill(
                &t("order_status"),
                &[
                    ("number", speech::digits(number)),
                    ("status", status.into()),
                ],
            ),
        );
    }
    dynamic(
        "order_shipped",
        fill(
            &t("order_shipped"),
            &[
                ("date", speech::date(date(2026, 11, 24))),
                ("carrier", "U P S".into()),
                ("tracking", speech::digits("1Z999AA10123456784")),
            ],
        ),
    );
    dynamic(
        "order_shipped_fedex",
        fill(
            &t("order_shipped"),
            &[
                ("date", speech::date(date(2027, 3, 2))),
                ("carrier", "FedEx".into()),
                ("tracking", speech::digits("612999011234")),
            ],
        ),
    );
    dynamic(
        "order_delivered",
        fill(
            &t("order_delivered"),
            &[("date", speech::date(date(2026, 12, 31)))],
        ),
    );
    dynamic(
        "insurance_approved",
        fill(
            &t("insurance_approved"),
            &[
                ("deductible", speech::money_cents(125_000)),
                ("copay", speech::money_cents(2_550)),
                ("coinsurance", speech::percent(20.0)),
            ],
        ),
    );
    dynamic(
        "insurance_approved_odd",
        fill(
            &t("insurance_approved"),
            &[
                ("deductible", speech::money_cents(99)),
                ("copay", speech::money_cents(4_015)),
                ("coinsurance", speech::percent(12.5)),
            ],
        ),
    );
    dynamic(
        "schedule_confirm",
        fill(
            &t("schedule_confirm"),
            &[
                ("service", "a dressing change visit".into()),
                ("date", speech::date(date(2026, 12, 8))),
            ],
        ),
    );
    dynamic(
        "schedule_done",
        fill(&t("schedule_done"), &[("code", speech::digits("483920"))]),
    );
    dynamic(
        "schedule_too_soon",
        fill(&t("schedule_too_soon"), &[("hours", speech::cardinal(24))]),
    );
    dynamic(
        "schedule_too_far",
        fill(&t("schedule_too_far"), &[("days", speech::cardinal(60))]),
    );
    dynamic(
        "confirm_option",
        fill(
            &t("confirm_option"),
            &[("label", "check order status".into())],
        ),
    );
    dynamic(
        "service_type",
        "For an equipment fitting, press 3.".to_string(),
    );
    dynamic(
        "date_with_year",
        format!(
            "Your appointment is on {}.",
            speech::date_with_year(date(2027, 1, 15))
        ),
    );
    dynamic(
        "amount_cents",
        format!("Your balance is {}.", speech::money_cents(1_234_567)),
    );
    dynamic(
        "percent_fraction",
        format!("Your coinsurance is {}.", speech::percent(33.33)),
    );
    dynamic(
        "phone_number",
        format!("Please call us at {}.", speech::digits("5025550142")),
    );
    out
}
