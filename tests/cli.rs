//! The `careline` binary as an operator uses it: logs free of PHI even at trace level,
//! `user add` reading the password from stdin, one-line errors with non-zero exits.

mod sip_peer;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn careline(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_careline"));
    c.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CARELINE_DATA_DIR", dir.join("data"));
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    log: std::sync::Arc<std::sync::Mutex<String>>,
    base: String,
}

impl Server {
    fn start(dir: &std::path::Path, extra: &[(&str, &str)]) -> Server {
        let port = free_port();
        let mut cmd = careline(dir);
        cmd.args(["serve", "--demo"])
            .env("CARELINE_BIND", format!("127.0.0.1:{port}"))
            .env("CARELINE_SIP_LISTEN", "127.0.0.1:0")
            .env("CARELINE_SIP_RTP_PORTS", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        for stream in [
            Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().unwrap()),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = reqwest::blocking::get(format!("{base}/ready"))
                && r.status() == 200
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "server did not become ready:\n{}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Server { child, log, base }
    }

    /// Where `serve` listens for SIP, from its start-up line.
    fn sip(&self) -> std::net::SocketAddr {
        let log = self.log.lock().unwrap();
        let line = log
            .lines()
            .find(|l| l.contains("SIP is listening"))
            .unwrap_or_else(|| panic!("no SIP start-up line in:\n{log}"));
        let at = line.find("127.0.0.1:").expect("the SIP address");
        line[at..]
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':'))
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    fn stop(mut self) -> String {
        // SIGTERM: the server drains and exits.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(100));
        self.log.lock().unwrap().clone()
    }
}

#[test]
fn phi_never_reaches_the_logs_even_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            ("CARELINE_LOG_LEVEL", "trace"),
            ("CARELINE_LOG_FORMAT", "json"),
        ],
    );
    let http = reqwest::blocking::Client::new();
    let login: Value = http
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"email": "doctor@demo.careline.test", "password": "Harbor-Light-2026!"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let secrets = [
        "Zebulon",
        "Quixwortham",
        "1961-04-27",
        "5025559876",
        "MEM-ZQ-4417",
        "Tamarack Lane",
        "necrotic eschar",
    ];
    let created: Value = http
        .post(format!("{}/api/v1/patients", server.base))
        .bearer_auth(token)
        .json(&json!({
            "first_name": "Zebulon", "last_name": "Quixwortham", "date_of_birth": "1961-04-27",
            "phone": "(502) 555-9876",
            "address": {"line1": "12 Tamarack Lane", "city": "Louisville", "state": "KY", "postal_code": "40202"},
            "clinical_notes": "necrotic eschar on left heel",
            "insurance": [{"payer_name": "Aetna", "member_id": "MEM-ZQ-4417", "is_primary": true}]
        }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = created["id"].as_str().expect("patient created").to_string();
    assert_eq!(
        created["last_name"], "Quixwortham",
        "the API must return the decrypted value"
    );
    for url in [
        format!("/api/v1/patients/{id}"),
        "/api/v1/patients/search?phone=5025559876".to_string(),
        "/api/v1/patients/search?date_of_birth=1961-04-27&last_name=Quixwortham".to_string(),
        "/api/v1/patients".to_string(),
    ] {
        let r = http
            .get(format!("{}{url}", server.base))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{url}");
    }
    // A failing request whose input is PHI: the error goes to the caller, not the log.
    let r = http
        .put(format!("{}/api/v1/patients/{id}", server.base))
        .bearer_auth(token)
        .json(&json!({"phone": "Quixwortham 5025559876", "date_of_birth": "1961-04-27x"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 422);
    // A phone call from the patient, who keys in the date of birth: neither the number nor
    // the keys reach the log, though every SIP message passes through a library that logs
    // them whole at info level.
    let sip = server.sip();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut peer = sip_peer::Peer::new(sip).await;
        let offer = peer.offer(&[0, 101], "sendrecv");
        let r = peer.invite("+15025559876", "+15025550100", &offer).await;
        assert_eq!(r.status(), Some(200), "{r:?}");
        peer.ack().await;
        for k in "104271961".chars() {
            assert_eq!(peer.info_key(k).await, 200);
        }
        assert_eq!(peer.bye().await.status(), Some(200));
    });
    let log = server.stop();
    assert!(
        log.lines().count() > 10,
        "expected trace output, got:\n{log}"
    );
    assert!(
        log.contains("\"level\":\"TRACE\"") || log.contains("\"level\":\"DEBUG\""),
        "trace level was not on"
    );
    for s in secrets {
        assert!(!log.contains(s), "PHI value {s:?} appeared in the log");
    }
}

#[test]
fn user_add_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = careline(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "Owner@Clinic.Example",
            "--role",
            "admin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Juniper-Kettle-91!\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("created owner@clinic.example (admin)"),
        "{stdout}"
    );

    // The account works: serve and sign in with that password.
    let server = Server::start(dir.path(), &[]);
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"email": "owner@clinic.example", "password": "Juniper-Kettle-91!"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    server.stop();

    // Same email again: a conflict, said in one line.
    let mut child = careline(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "owner@clinic.example",
            "--role",
            "doctor",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Juniper-Kettle-91!\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or("");
    assert!(
        last.starts_with("error: ") && last.contains("already exists"),
        "{err}"
    );
}

fn run_err(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> String {
    let (ok, _, err) = run(dir, args, env, stdin);
    assert!(!ok, "expected failure for {args:?}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "expected one error line, got:\n{err}");
    errors[0].to_string()
}

#[test]
fn mistakes_get_one_clear_line_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        run_err(
            d,
            &["user", "add", "--email", "a@b.co", "--role", "janitor"],
            &[],
            b"x\n"
        )
        .contains("unknown role 'janitor'")
    );
    assert!(
        run_err(
            d,
            &["user", "add", "--email", "a@b.co", "--role", "doctor"],
            &[],
            b"short\n"
        )
        .contains("at least 12 characters")
    );
    assert!(
        run_err(
            d,
            &["user", "add", "--email", "a@b.co", "--role", "doctor"],
            &[],
            b""
        )
        .contains("no password")
    );
    assert!(run_err(d, &["serve"], &[("CARELINE_BIND", "not-an-address")], b"").contains("bind"));
    assert!(
        run_err(
            d,
            &["serve"],
            &[("CARELINE_DATABASE_URL", "mysql://x")],
            b""
        )
        .contains("database_url")
    );
    assert!(
        run_err(
            d,
            &["serve"],
            &[("CARELINE_ACCESS_TOKEN_TTL_SECS", "soon")],
            b""
        )
        // The variable the user set, not the key it maps to.
        .contains("CARELINE_ACCESS_TOKEN_TTL_SECS")
    );
    assert!(
        run_err(d, &["serve", "--config", "/nonexistent.toml"], &[], b"")
            .contains("does not exist")
    );
    assert!(run_err(d, &["audit", "verify"], &[], b"").contains("no key file"));
    assert!(run_err(d, &["seed"], &[], b"").contains("--demo"));
}

#[test]
fn menu_check_names_each_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = d.join("good.toml");
    std::fs::write(&good, careline_call::menu::DEFAULT_FILE).unwrap();
    let out = careline(d)
        .args(["menu", "check"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The main menu, the practice's ("appointments and your care") and a practice line's own.
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(": ok (3 menus, start 'main', practice lines start 'practice_line'"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let bad = d.join("bad.toml");
    std::fs::write(
        &bad,
        r#"languages = ["en", "es"]

[menus.main]
prompts = { welcome = "Hi", options = ["Press 1"], invalid = "No", timeout = "Nothing" }
options.1 = { action = "fly_away" }
options.2 = { action = "menu", next_menu = "billing" }
options.3 = { action = "lab_results" }

[menus.orphan]
prompts = { welcome = "a", options = ["b"], invalid = "c", timeout = "d" }
options.1 = { action = "repeat" }
on_max_failures = "repeat"
on_max_timeouts = "repeat"
"#,
    )
    .unwrap();
    // A broken configured menu file must not stop `menu check` from explaining it.
    let out = careline(d)
        .args(["menu", "check"])
        .arg(&bad)
        .env("CARELINE_IVR_FILE", &bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    let name = bad.display().to_string();
    for expected in [
        format!("{name}:5: menu 'main' option 1: unknown action 'fly_away'"),
        format!("{name}:6: menu 'main' option 2: next_menu 'billing' is not defined"),
        format!("{name}:7: menu 'main' option 3: lab_results needs requires_auth = true"),
        format!("{name}:9: menu 'orphan' is unreachable"),
        format!("{name}:9: menu 'orphan' is a loop with no exit"),
        "has no prompts for language 'es'".to_string(),
    ] {
        assert!(
            report.contains(&expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    // And `serve` refuses it with one line.
    assert!(run_err(d, &["serve"], &[("CARELINE_IVR_FILE", &name)], b"").contains("ivr_file"));
}

#[test]
fn menu_check_warns_of_words_the_voice_would_spell() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let check = |file: &std::path::Path, env: &[(&str, &std::path::Path)]| {
        let mut cmd = careline(d);
        cmd.args(["menu", "check"]).arg(file);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "a warning is not a failure:\n{stdout}"
        );
        stdout
    };

    // The built-in menu: every word is in the voice.
    let default = d.join("default.toml");
    std::fs::write(&default, careline_call::menu::DEFAULT_FILE).unwrap();
    let report = check(&default, &[]);
    assert!(!report.contains("warning"), "{report}");

    let clinic = d.join("clinic.toml");
    std::fs::write(
        &clinic,
        r#"[menus.main]
prompts = { welcome = "Welcome to Zyxwv Clinic", options = ["Press 1 for Order Status"], invalid = "Invalid selection", timeout = "No input received" }
options.1 = { action = "check_order_status", requires_auth = true }
options.0 = { action = "transfer_to_agent" }
"#,
    )
    .unwrap();
    let report = check(&clinic, &[]);
    let warning = report
        .lines()
        .find(|l| l.starts_with("warning:") && l.contains("\"Zyxwv\""))
        .unwrap_or_else(|| panic!("no warning naming Zyxwv in:\n{report}"));
    assert!(warning.contains("(menus.main welcome)"), "{warning}");
    assert!(
        warning.contains("prompt_recordings: en/menu.main.welcome.wav"),
        "{warning}"
    );
    assert!(warning.contains("--features flite"), "{warning}");
    assert!(report.contains(": ok (1 menus"), "{report}");

    // A recording of the welcome replaces the voice for it, so nothing is spelled.
    let recordings = d.join("prompts");
    std::fs::create_dir_all(recordings.join("en")).unwrap();
    std::fs::write(recordings.join("en/menu.main.welcome.wav"), b"").unwrap();
    let report = check(&clinic, &[("CARELINE_PROMPT_RECORDINGS", &recordings)]);
    assert!(!report.contains("Zyxwv"), "{report}");

    // Another language: one line, not a list of words.
    let mut es = String::from("languages = [\"en\", \"es\"]\n");
    es.push_str(&std::fs::read_to_string(&clinic).unwrap().replace(
        "prompts = {",
        "prompts_by_language.es = { welcome = \"Bienvenido\", options = [\"Pulse 1\"], \
         invalid = \"No\", timeout = \"Nada\" }\nprompts = {",
    ));
    es.push_str("\n[prompts.es]\n");
    for key in careline_call::menu::PROMPT_KEYS {
        es.push_str(&format!("{key} = \"Espere por favor\"\n"));
    }
    let es_file = d.join("es.toml");
    std::fs::write(&es_file, es).unwrap();
    let report = check(&es_file, &[]);
    let lines: Vec<&str> = report.lines().filter(|l| l.contains("\"es\"")).collect();
    assert_eq!(lines.len(), 1, "{report}");
    assert!(lines[0].contains("English only"), "{report}");
    assert!(!report.contains("Bienvenido"), "{report}");
}

#[test]
fn a_scripted_call_from_the_terminal_and_its_replay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed = careline(d).args(["seed", "--demo"]).output().unwrap();
    assert!(
        seed.status.success(),
        "{}",
        String::from_utf8_lossy(&seed.stderr)
    );
    let out = careline(d)
        .args([
            "call",
            "--from",
            "+15025550142",
            "--keys",
            "1 03141958 2468# 10000001# 0",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("say    Welcome to Healthcare Services"),
        "{text}"
    );
    assert!(text.contains("is on its way"), "{text}");
    assert!(text.contains("event  check_order_status success"), "{text}");
    // 0 asks for a person; no agent_number is configured, so (as on Twilio) nobody answers.
    assert!(text.contains("No representative is available"), "{text}");
    let call_id = text
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .to_string();
    assert!(call_id.starts_with("SIM"), "{text}");

    let replay = careline(d)
        .args(["call", "replay", &call_id])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&replay.stdout).to_string();
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    assert!(shown.contains("is on its way"), "{shown}");
    assert!(shown.contains("entry ********"), "keys are masked: {shown}");
    assert!(!shown.contains("03141958"), "{shown}");
    let revealed = careline(d)
        .args(["call", "replay", &call_id, "--show-keys"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&revealed.stdout).contains("entry 03141958"));
    // An unknown call is one clear error.
    assert!(run_err(d, &["call", "replay", "SIMnope"], &[], b"").contains("no call with id"));
}

#[test]
fn phone_numbers_and_tokens_in_the_environment_are_text() {
    // Environment values are otherwise read as TOML: "+15025550123" would be a number.
    let dir = tempfile::tempdir().unwrap();
    let migrated = careline(dir.path()).arg("migrate").output().unwrap();
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let out = careline(dir.path())
        .args(["config", "check"])
        .env("CARELINE_AGENT_NUMBER", "+15025550123")
        .env("CARELINE_TWILIO_AUTH_TOKEN", "0123456789")
        .env("CARELINE_PUBLIC_URL", "https://ivr.example.test")
        // Prefixed, but not settings of the configuration: must not stop it.
        .env("CARELINE_METRICS_TOKEN", "scrape-secret")
        .env("CARELINE_REQUIRE_TWILIO_PY", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Twilio on"), "{text}");
    assert!(
        !text.contains("0123456789"),
        "the token is never printed: {text}"
    );
}

/// What a command printed: exit success, standard output, standard error.
fn run(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &[u8],
) -> (bool, String, String) {
    let mut cmd = careline(dir);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_spoken_call_from_the_terminal_moves_an_appointment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed = careline(d).args(["seed", "--demo"]).output().unwrap();
    assert!(seed.status.success());
    // Eleanor calls the practice's line and says what she wants; her date of birth in words.
    let out = careline(d)
        .args([
            "call",
            "--from",
            "+15125550142",
            "--to",
            "+15125550100",
            "--say",
            "I need to move my appointment | june ninth nineteen fifty one | move it | yes",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("> \"I need to move my appointment\""),
        "{text}"
    );
    assert!(
        text.contains(", or words"),
        "prompts say they take words: {text}"
    );
    assert!(text.contains("event  speech understood"), "{text}");
    assert!(text.contains("Your appointment is moved to"), "{text}");
    assert!(text.contains("event  move_appointment success"), "{text}");
    // The call is stored as a conversation, and the softphone says where to read it.
    assert!(
        text.contains("its conversation is stored: /conversations/"),
        "{text}"
    );
    // Words that mean nothing are asked again.
    let out = careline(d)
        .args([
            "call",
            "--from",
            "+15125550142",
            "--to",
            "+15125550100",
            "--say",
            "purple elephants",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("Sorry, I didn't catch that."), "{text}");
    assert!(text.contains("event  speech not_understood"), "{text}");
}

#[test]
fn the_simulator_says_when_nobody_can_take_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, _, err) = run(d, &["seed", "--demo"], &[], b"");
    assert!(ok, "{err}");
    // No agent_number: Twilio says nobody is available and hangs up; so must the simulator.
    let (ok, text, err) = run(d, &["call", "--keys", "0"], &[], b"");
    assert!(ok, "{text}\n{err}");
    assert!(
        text.contains(
            "say    No representative is available right now. Please call back during office hours."
        ),
        "{text}"
    );
    assert!(
        text.contains("not transferred (") && text.contains("): no agent_number is configured"),
        "{text}"
    );
    assert!(!text.contains("transferred to"), "{text}");
    // The call's record says so too, as a SIP call's does.
    assert!(text.contains("event  transfer no_target"), "{text}");
    // With an agent line, the caller is handed to it.
    let (ok, text, err) = run(
        d,
        &["call", "--keys", "0"],
        &[("CARELINE_AGENT_NUMBER", "+15025550199")],
        b"",
    );
    assert!(ok, "{text}\n{err}");
    assert!(
        text.contains("transferred to the agent line +15025550199"),
        "{text}"
    );
    assert!(!text.contains("No representative"), "{text}");
}

#[test]
fn commands_say_what_they_did() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A first `migrate` makes development keys: the same loud warning `serve` gives.
    let (ok, out, err) = run(d, &["migrate"], &[], b"");
    assert!(ok, "{err}");
    assert!(err.contains("DEVELOPMENT KEYS GENERATED"), "{err}");
    let applied = out
        .strip_prefix("applied ")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no count of applied migrations in {out:?}"));
    assert!(applied > 0, "{out}");
    let (ok, out, err) = run(d, &["migrate"], &[], b"");
    assert!(ok, "{err}");
    assert!(
        out.contains("already up to date") && out.contains("nothing applied"),
        "{out}"
    );
    assert!(
        !err.contains("DEVELOPMENT KEYS"),
        "only when they are made: {err}"
    );

    let (ok, out, err) = run(d, &["seed", "--demo"], &[], b"");
    assert!(ok, "{err}");
    assert!(out.contains("Demo data loaded."), "{out}");
    let (ok, out, err) = run(d, &["seed", "--demo"], &[], b"");
    assert!(ok, "{err}");
    assert!(
        !out.contains("Demo data loaded"),
        "nothing was loaded: {out}"
    );
    assert!(out.contains("already loaded; nothing added"), "{out}");

    // An unreachable database: the configuration is still shown, the database line says
    // why, and the check fails with one error line.
    let url = "postgres://careline:hunter2@127.0.0.1:1/careline";
    let (ok, out, err) = run(
        d,
        &["config", "check"],
        &[("CARELINE_DATABASE_URL", url)],
        b"",
    );
    assert!(!ok, "{out}");
    assert!(out.contains("  bind      127.0.0.1:8080"), "{out}");
    assert!(out.contains("  keys      "), "{out}");
    assert!(
        out.contains(
            "  database  postgres://careline:***@127.0.0.1:1/careline (database not reachable: \
             could not connect to PostgreSQL at 127.0.0.1:1 as careline:"
        ),
        "{out}"
    );
    let errors: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].starts_with("error: database not reachable"),
        "{err}"
    );
    assert!(!out.contains("hunter2") && !err.contains("hunter2"));
}

/// A command's failure: exactly one line on standard error, returned.
fn one_error_line(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let (ok, out, err) = run(dir, args, env, b"");
    assert!(!ok, "expected failure for {args:?}:\n{out}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

#[test]
fn configuration_errors_name_what_the_user_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("careline.toml");
    // A misspelt key: named as written, where it was written, not as Figment's
    // "default.log_levl".
    std::fs::write(&file, "log_levl = \"debug\"\n").unwrap();
    let e = one_error_line(d, &["config", "check"], &[]);
    assert!(
        e.contains("unknown key log_levl in careline.toml (did you mean log_level?)"),
        "{e}"
    );
    assert!(!e.contains("default."), "{e}");
    std::fs::remove_file(&file).unwrap();
    let e = one_error_line(d, &["config", "check"], &[("CARELINE_LOG_LEVL", "debug")]);
    assert!(
        e.contains(
            "unknown setting CARELINE_LOG_LEVL (environment) (did you mean CARELINE_LOG_LEVEL?)"
        ),
        "{e}"
    );
    // The test suite's switches (CARELINE_REQUIRE_*) are not settings, and CI exports them
    // around every command the tests start: they must not stop one. (The check itself then
    // fails on this empty directory's missing keys and database, which is not the point.)
    let (_, _, err) = run(
        d,
        &["config", "check"],
        &[("CARELINE_REQUIRE_SOMETHING_NEW", "1")],
        b"",
    );
    assert!(err.contains("no key file"), "{err}");
    assert!(!err.contains("CARELINE_REQUIRE"), "{err}");
    let e = one_error_line(
        d,
        &["config", "check"],
        &[("CARELINE_ACCESS_TOKEN_TTL_SECS", "soon")],
    );
    assert!(e.contains("CARELINE_ACCESS_TOKEN_TTL_SECS"), "{e}");
    assert!(!e.contains("default."), "{e}");

    // A syntax error: one line with its line number (the parser draws it over several).
    std::fs::write(&file, "bind = \"127.0.0.1:8080\"\nlog_level = \n").unwrap();
    let e = one_error_line(d, &["config", "check"], &[]);
    assert!(e.contains("careline.toml line 2:"), "{e}");
    let other = d.join("other.toml");
    std::fs::write(&other, "[oops\n").unwrap();
    let e = one_error_line(
        d,
        &["config", "check", "--config", other.to_str().unwrap()],
        &[],
    );
    assert!(e.contains("other.toml line 1:"), "{e}");
    std::fs::remove_file(&file).unwrap();

    // A database URL that is not one: quoted as given, without its password.
    let e = one_error_line(
        d,
        &["config", "check"],
        &[("CARELINE_DATABASE_URL", "::::")],
    );
    assert!(e.contains("(got '::::')"), "{e}");
    let e = one_error_line(
        d,
        &["config", "check"],
        &[("CARELINE_DATABASE_URL", "mysql://app:hunter2@db/careline")],
    );
    assert!(e.contains("(got 'mysql://app:***@db/careline')"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
}

#[test]
fn a_failed_postgres_login_is_said_plainly() {
    // Needs a PostgreSQL server: the test suite's (CARELINE_TEST_DATABASE_URL). A role that
    // does not exist, so the login fails whether the server checks passwords or trusts local
    // users; and `config check`, which writes nothing even if it got in.
    let Ok(admin) = std::env::var("CARELINE_TEST_DATABASE_URL") else {
        eprintln!("CARELINE_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    };
    let after_scheme = admin.split_once("://").map(|(_, r)| r).unwrap_or("");
    let host = after_scheme
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(after_scheme)
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    let url = format!("postgres://careline_nobody:wrong-password@{host}/postgres");
    let dir = tempfile::tempdir().unwrap();
    let e = one_error_line(
        dir.path(),
        &["config", "check"],
        &[("CARELINE_DATABASE_URL", &url)],
    );
    let place = if host.contains(':') {
        host.clone()
    } else {
        format!("{host}:5432")
    };
    // The server's own reason: "password authentication failed for user …" or "role … does
    // not exist", depending on how it authenticates.
    assert!(
        e.contains(&format!(
            "could not connect to PostgreSQL at {place} as careline_nobody: "
        )) && (e.contains("password authentication failed") || e.contains("does not exist")),
        "{e}"
    );
    assert!(!e.contains(" at line "), "{e}");
    assert!(!e.contains("wrong-password"), "{e}");
}

#[test]
fn menu_check_refuses_options_that_fail_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("ivr.toml");
    let name = file.display().to_string();
    std::fs::write(
        &file,
        r#"[menus.main]
prompts = { welcome = "Hi", options = ["Press 1"], invalid = "No", timeout = "Nothing" }
options.0 = { action = "transfer_to_agent" }
options.1 = { action = "check_order_status" }
options.2 = { action = "schedule_service", requires_auth = true }
options.3 = { action = "verify_insurance" }
"#,
    )
    .unwrap();
    let (ok, out, _) = run(d, &["menu", "check", &name], &[], b"");
    assert!(!ok, "{out}");
    for expected in [
        format!("{name}:4: menu 'main' option 1: check_order_status needs requires_auth = true"),
        format!(
            "{name}:5: menu 'main' option 2: schedule_service needs at least one [[practice.service_types]]"
        ),
        format!("{name}:6: menu 'main' option 3: verify_insurance needs requires_auth = true"),
    ] {
        assert!(out.contains(&expected), "missing {expected:?} in:\n{out}");
    }
    // `serve` loads the same rules: it refuses the file (found as ivr.toml beside it).
    let e = one_error_line(d, &["serve"], &[]);
    assert!(e.contains("ivr_file") && e.contains("requires_auth"), "{e}");

    // Binding the agent key to something else works, with a warning naming the line.
    std::fs::write(
        &file,
        r#"[menus.main.prompts]
welcome = "Hi"
options = ["Press 1 for a person", "Press 0 at any time to speak with a representative"]
invalid = "No"
timeout = "Nothing"

[menus.main.options]
1 = { action = "transfer_to_agent" }
0 = { action = "hangup" }
"#,
    )
    .unwrap();
    let (ok, out, err) = run(d, &["menu", "check", &name], &[], b"");
    assert!(ok, "{out}\n{err}");
    assert!(out.contains(": ok (1 menus"), "{out}");
    assert!(
        out.contains(&format!(
            "warning: {name}:9: menu 'main' option 0: 0 is the agent key"
        )),
        "{out}"
    );
}

#[test]
fn user_add_names_the_manager_flag() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pw = b"Juniper-Kettle-91!\n";
    let (ok, _, err) = run(
        d,
        &[
            "user",
            "add",
            "--email",
            "boss@clinic.example",
            "--role",
            "admin",
        ],
        &[],
        pw,
    );
    assert!(ok, "{err}");
    let e = run_err(
        d,
        &[
            "user",
            "add",
            "--email",
            "rep@clinic.example",
            "--role",
            "salesperson",
            "--manager",
            "boss@clinic.example",
        ],
        &[],
        pw,
    );
    assert!(
        e.contains("--manager boss@clinic.example: a salesperson must report to a distributor"),
        "{e}"
    );
    assert!(!e.contains("manager_id"), "{e}");
    let e = run_err(
        d,
        &[
            "user",
            "add",
            "--email",
            "rep@clinic.example",
            "--role",
            "salesperson",
            "--manager",
            "nobody@clinic.example",
        ],
        &[],
        pw,
    );
    assert!(
        e.contains("--manager: no user with email nobody@clinic.example"),
        "{e}"
    );
}

#[test]
fn a_bad_sip_setting_stops_every_command_with_one_line() {
    // The SIP settings are checked by the command line, not by the configuration itself (which
    // depends on nothing of ours): `serve`, `config check` and the rest still refuse them.
    let dir = tempfile::tempdir().unwrap();
    for args in [&["config", "check"][..], &["migrate"][..], &["serve"][..]] {
        let err = run_err(
            dir.path(),
            args,
            &[("CARELINE_SIP_AGENT_URI", "tel:+15025550100")],
            b"",
        );
        assert!(err.contains("sip_agent_uri"), "{args:?}: {err}");
    }
}
