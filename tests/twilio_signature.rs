//! Checks our Twilio request signatures against Twilio's own helper library (the Python
//! package `twilio`). It covers many URLs and parameter sets: the documented example, sorting
//! edge cases, unicode, empty values and the port variants.
//!
//! Without the package the check is skipped with a note, so `cargo test` works on a machine
//! with only Rust. CI installs it and sets `CARELINE_REQUIRE_TWILIO_PY=1` (`.ci/run`), which
//! makes a missing package a failure.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use careline::twilio::signature::{expected_signature, is_valid};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::json;

const REQUIRE_VAR: &str = "CARELINE_REQUIRE_TWILIO_PY";

struct Case {
    token: String,
    url: String,
    params: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct PyResult {
    signature: String,
    checks: Vec<PyCheck>,
}

#[derive(Deserialize)]
struct PyCheck {
    signature: String,
    valid: bool,
}

fn case(token: &str, url: &str, params: &[(&str, &str)]) -> Case {
    Case {
        token: token.into(),
        url: url.into(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// Hand-picked cases: each one exercises a rule of Twilio's algorithm or a quirk of its URL
/// handling.
fn fixed_cases() -> Vec<Case> {
    let docs = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ];
    let sorting = [
        ("a", "1"),
        ("A", "2"),
        ("a1", ""),
        ("a", "0"),
        ("A1", "x"),
        ("a", "1"),
        ("_", "u"),
        ("", "empty name"),
        ("b", ""),
    ];
    let unicode = [
        ("SpeechResult", "Ünïcode — café 日本語 📞"),
        ("日本", "値"),
        ("e\u{301}", "combining"),
        ("é", "precomposed"),
        ("Body", "a b&c=d+e%20f\nnew line"),
    ];
    let mut cases = vec![
        case(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &docs,
        ),
        case(
            "12345",
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            &docs,
        ),
        case(
            "12345",
            "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
            &docs,
        ),
        case("12345", "http://mycompany.com/myapp.php", &docs),
        case("12345", "http://mycompany.com:80/myapp.php", &docs),
        case("tok", "https://example.com/voice", &sorting),
        case("tok", "https://example.com/voice", &unicode),
        case("tok", "https://example.com/voice", &[]),
        case("", "https://example.com/voice", &[("a", "")]),
        case("ünï", "https://example.com/ünï?q=日本", &unicode),
    ];
    for url in [
        "HTTPS://Example.COM/Voice",
        "https://example.com/voice?",
        "https://example.com/voice?#",
        "https://example.com/voice#frag",
        "https://example.com/voice;",
        "https://example.com/a;b/c;",
        "https://example.com/a;;",
        "https://example.com",
        "https://example.com?x=1",
        " https://example.com/lead",
        "https://exa\tmple.com/x\n",
        "https://user:pw@example.com/x",
        "https://user:pw@example.com:8443/x",
        "https://[::1]:8443/x",
        "https://[::1]/x",
        "https://example.com:/x",
        "https://example.com:0/x",
        "https://example.com:008443/x",
        "https://example.com:65535/x",
        "https://example.com:65536/x",
        "https://example.com:80a/x",
        "https://example.com:+80/x",
    ] {
        cases.push(case("tok", url, &docs));
    }
    cases
}

/// Random-ish cases from a fixed seed, so that a failure reproduces.
fn random_cases(count: usize) -> Vec<Case> {
    let mut rng = StdRng::seed_from_u64(0x7711_0c41);
    let schemes = ["https", "http", "HTTPS", "Http"];
    let hosts = [
        "careline.example.com",
        "Voice.Example.org",
        "10.0.0.7",
        "user@host.test",
    ];
    let ports = ["", ":443", ":80", ":8080", ":8443", ":1"];
    let paths = [
        "",
        "/",
        "/twilio/voice",
        "/twilio/voice/menu/2",
        "/ünïcode/路径",
        "/a;b",
        "/x%20y",
    ];
    let queries = [
        "",
        "?",
        "?call=42",
        "?a=1&b=2&a=0",
        "?q=日本&z",
        "?bodySHA256=abc",
    ];
    let names = [
        "a", "A", "a1", "A1", "b", "_", "", "Digits", "CallSid", "From", "To", "ü", "日本",
    ];
    let values = [
        "",
        "1",
        "10",
        "2",
        "+15025550142",
        "a b",
        "x&y=z",
        "é",
        "📞",
        "1",
        "CA00ff",
    ];
    let token_chars: Vec<char> = "abcdef0123456789ÄΩ".chars().collect();

    (0..count)
        .map(|_| {
            let token_len = rng.gen_range(0..40);
            let token = (0..token_len)
                .map(|_| *token_chars.choose(&mut rng).unwrap())
                .collect();
            let url = format!(
                "{}://{}{}{}{}",
                schemes.choose(&mut rng).unwrap(),
                hosts.choose(&mut rng).unwrap(),
                ports.choose(&mut rng).unwrap(),
                paths.choose(&mut rng).unwrap(),
                queries.choose(&mut rng).unwrap(),
            );
            let param_count = rng.gen_range(0..8);
            let params = (0..param_count)
                .map(|_| {
                    (
                        names.choose(&mut rng).unwrap().to_string(),
                        values.choose(&mut rng).unwrap().to_string(),
                    )
                })
                .collect();
            Case { token, url, params }
        })
        .collect()
}

/// `Err` says why Twilio's library cannot be used here.
fn twilio_python_available() -> Result<(), String> {
    match Command::new("python3")
        .args(["-c", "import twilio"])
        .output()
    {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        Err(err) => Err(format!("cannot run python3: {err}")),
    }
}

fn run_python(cases: &[Case]) -> Vec<PyResult> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/twilio/cross_check.py");
    let request = json!({
        "cases": cases
            .iter()
            .map(|c| json!({"token": c.token, "url": c.url, "params": c.params}))
            .collect::<Vec<_>>(),
    });
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python3");
    // The script reads all of stdin before it writes anything, so writing everything first
    // cannot deadlock.
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(request.to_string().as_bytes())
        .expect("write cases to python3");
    let out = child.wait_with_output().expect("wait for python3");
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python3 wrote JSON results")
}

#[test]
fn signatures_agree_with_twilio_python_library() {
    if let Err(why) = twilio_python_available() {
        if std::env::var(REQUIRE_VAR).as_deref() == Ok("1") {
            panic!(
                "Twilio's Python helper library is needed to cross-check our signatures \
                 ({REQUIRE_VAR}=1): run `pip install twilio`. ({why})"
            );
        }
        eprintln!(
            "NOTE: skipped the cross-check against Twilio's Python library (pip install \
             twilio to run it; {REQUIRE_VAR}=1 makes this a failure): {why}"
        );
        return;
    }

    let mut cases = fixed_cases();
    cases.extend(random_cases(300));
    let results = run_python(&cases);
    assert_eq!(results.len(), cases.len());

    let (mut accepted, mut rejected) = (0, 0);
    for (case, result) in cases.iter().zip(&results) {
        let token = case.token.as_bytes();
        assert_eq!(
            expected_signature(token, &case.url, &case.params),
            result.signature,
            "compute_signature differs for url {:?}, params {:?}",
            case.url,
            case.params
        );
        for check in &result.checks {
            assert_eq!(
                is_valid(token, &case.url, &case.params, &check.signature),
                check.valid,
                "validate differs for url {:?}, params {:?}, signature {:?}",
                case.url,
                case.params,
                check.signature
            );
            if check.valid {
                accepted += 1;
            } else {
                rejected += 1;
            }
        }
    }
    // Agreement means little unless both answers came up many times.
    assert!(
        accepted > cases.len() && rejected > cases.len(),
        "{accepted} accepted, {rejected} rejected"
    );
}
