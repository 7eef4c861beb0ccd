//! Nothing lost on a crash, nothing sent twice: the real `careline serve` process sends 300
//! reminder emails to a real SMTP server (aiosmtpd, a separate process that outlives the
//! crash), is killed with SIGKILL part-way, and started again. Counted at the receiver: no
//! message arrives twice (each carries its job's Message-ID), and every job either delivered
//! its email or is dead with "may have sent" for an operator to settle — none is silently
//! dropped. The jobs are real `appointment.reminder` jobs, as the booking makes them, for the
//! demo patient who chose email.

mod common;

use common::receivers::{free_port, smtp_server};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const JOBS: usize = 300;

struct Server {
    child: Child,
    log: Arc<Mutex<String>>,
    base: String,
}

fn start(dir: &std::path::Path, extra: &[(&str, &str)]) -> Server {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_careline"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CARELINE_DATA_DIR", dir.join("data"))
        .args(["serve", "--demo"])
        .env("CARELINE_BIND", format!("127.0.0.1:{port}"))
        .env("CARELINE_SIP_LISTEN", "127.0.0.1:0")
        .env("CARELINE_SIP_RTP_PORTS", "0")
        .env("CARELINE_LOG_LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
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
    let deadline = Instant::now() + Duration::from_secs(60);
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

impl Server {
    fn stop(mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }

    fn kill9(mut self) {
        self.child.kill().unwrap(); // SIGKILL: no drain, no goodbye.
        let _ = self.child.wait();
    }

    fn token(&self) -> String {
        let r: Value = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": "admin@demo.careline.test", "password": common::PASSWORD}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        r["access_token"].as_str().unwrap().to_string()
    }

    fn call(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> Value {
        let mut req = reqwest::blocking::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().unwrap();
        let status = r.status();
        let v: Value = r.json().unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }
}

/// Message-ID → how many times the SMTP server received it.
fn received(smtp: &common::receivers::SmtpServer) -> BTreeMap<String, usize> {
    let mut by_id = BTreeMap::new();
    for (_, raw) in smtp.received() {
        let id = raw
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap_or("none")
            .trim()
            .to_string();
        *by_id.entry(id).or_insert(0) += 1;
    }
    by_id
}

#[test]
fn killed_mid_send_and_restarted_every_reminder_is_sent_once_or_left_for_an_operator() {
    run(false);
}

/// Two `careline serve` nodes on one PostgreSQL database claim from the same table; one is
/// killed mid-send and the other takes its jobs up when their leases run out.
#[test]
fn two_nodes_on_postgresql_one_killed_no_reminder_is_sent_twice() {
    run(true);
}

fn run(postgres: bool) {
    let Some(smtp) = smtp_server() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pg = if postgres {
        match rt.block_on(common::TestDb::new(common::Engine::Postgres)) {
            Some(db) => Some(db),
            None => {
                eprintln!("CARELINE_TEST_DATABASE_URL not set: PostgreSQL run skipped");
                return;
            }
        }
    } else {
        None
    };
    let dir = tempfile::tempdir().unwrap();
    let mut mail = vec![
        ("CARELINE_SMTP_URL", smtp.url()),
        (
            "CARELINE_EMAIL_FROM",
            "Capitol Eye Care <no-reply@capitoleye.test>".to_string(),
        ),
        ("CARELINE_JOBS_LEASE_SECS", "6".to_string()),
        ("CARELINE_JOBS_CONCURRENCY", "8".to_string()),
    ];
    let mut setup = vec![("CARELINE_JOBS_WORKER", "false".to_string())];
    if let Some(db) = &pg {
        mail.push(("CARELINE_DATABASE_URL", db.url.clone()));
        setup.push(("CARELINE_DATABASE_URL", db.url.clone()));
    }
    let mail: Vec<(&str, &str)> = mail.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let setup: Vec<(&str, &str)> = setup.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // Set up with no worker: Eleanor wants reminders by email; the practice has no quiet
    // hours (the test must not depend on the time of day it runs at).
    let s = start(dir.path(), &setup);
    let token = s.token();
    let get = reqwest::Method::GET;
    let put = reqwest::Method::PUT;
    let found = s.call(
        get.clone(),
        "/api/v1/patients/search?phone=%2B15125550142",
        &token,
        None,
    );
    let first = if found.is_array() {
        &found[0]
    } else {
        &found["items"][0]
    };
    let eleanor = first["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{found}"))
        .to_string();
    s.call(
        put.clone(),
        &format!("/api/v1/patients/{eleanor}"),
        &token,
        Some(json!({"email": "eleanor@example.test", "reminder_channel": "email"})),
    );
    let appts = s.call(
        get.clone(),
        &format!("/api/v1/appointments?patient_id={eleanor}"),
        &token,
        None,
    );
    let appointment = appts["items"][0].clone();
    let org = appointment["organization_id"].as_str().unwrap().to_string();
    let config_path = format!("/api/v1/organizations/{org}/practice-configuration");
    let mut config = s.call(get, &config_path, &token, None);
    config["reminders"]["quiet_hours"] = Value::Null;
    let obj = config.as_object_mut().unwrap();
    let version = obj.remove("version");
    obj.retain(|k, _| careline_domain::practice::PracticeSettings::FIELDS.contains(&k.as_str()));
    let mut body = Value::Object(obj.clone());
    if let Some(v) = version {
        body["version"] = v;
    }
    s.call(put, &config_path, &token, Some(body));
    s.stop();

    // 300 reminders due now, each its own job (as 300 bookings would make them).
    rt.block_on(async {
        let store = match &pg {
            Some(db) => db.store.clone(),
            None => {
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("data/careline.db").display()
                );
                careline_store::Store::connect(&url, Arc::new(careline_crypto::KeyRing::generate()))
                    .await
                    .unwrap()
            }
        };
        let starts_at: chrono::DateTime<chrono::Utc> =
            appointment["starts_at"].as_str().unwrap().parse().unwrap();
        let now = chrono::Utc::now();
        for i in 0..JOBS {
            let job = careline_store::reminders::ReminderJob {
                appointment_id: appointment["id"].as_str().unwrap().parse().unwrap(),
                starts_at,
                lead: careline_domain::reminder::ReminderLead::DayBefore,
                attempt: 1,
                channel: None,
            };
            careline_store::jobs::enqueue_now(
                &store,
                careline_store::jobs::NewJob::new(
                    careline_store::reminders::REMINDER,
                    serde_json::to_value(&job).unwrap(),
                    now,
                )
                .key(job.key(&format!(":crash{i}"))),
                now,
            )
            .await
            .unwrap();
        }
    });

    // Sending (on PostgreSQL by two nodes): one is killed once about a third has arrived.
    let s = start(dir.path(), &mail);
    let other = postgres.then(|| start(dir.path(), &mail));
    let deadline = Instant::now() + Duration::from_secs(60);
    while received(&smtp).values().sum::<usize>() < JOBS / 3 {
        assert!(
            Instant::now() < deadline,
            "too slow:\n{}",
            s.log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    s.kill9();
    let at_kill: usize = received(&smtp).values().sum();
    assert!(
        at_kill < JOBS,
        "killed after everything was sent: no crash tested"
    );

    // The other node (or this one, restarted) takes the dead node's jobs when their leases
    // run out (6 s) and sends the rest.
    let s = match other {
        Some(node) => node,
        None => start(dir.path(), &mail),
    };
    let token = s.token();
    let deadline = Instant::now() + Duration::from_secs(120);
    let (succeeded, dead) = loop {
        let count = |state: &str| {
            s.call(
                reqwest::Method::GET,
                &format!("/api/v1/admin/jobs?kind=appointment.reminder&state={state}&per_page=1"),
                &token,
                None,
            )["total"]
                .as_u64()
                .unwrap() as usize
        };
        let (ok, dead) = (count("succeeded"), count("dead"));
        if ok + dead >= JOBS {
            break (ok, dead);
        }
        assert!(
            Instant::now() < deadline,
            "jobs not finished: {ok} succeeded, {dead} dead\n{}",
            s.log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let dead_jobs = s.call(
        reqwest::Method::GET,
        "/api/v1/admin/jobs?kind=appointment.reminder&state=dead&per_page=100",
        &token,
        None,
    );
    s.stop();
    if let Some(db) = pg {
        rt.block_on(db.cleanup());
    }

    let got = received(&smtp);
    let twice: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
    assert!(!got.contains_key("none"));
    // Every job is accounted for: delivered, or dead in doubt for an operator.
    for j in dead_jobs["items"].as_array().unwrap() {
        let e = j["last_error"].as_str().unwrap_or_default();
        assert!(e.contains("may have sent"), "dead for another reason: {j}");
    }
    assert!(
        got.len() >= succeeded,
        "a job succeeded without its email arriving"
    );
    assert!(got.len() <= JOBS);
    assert_eq!(succeeded + dead, JOBS);
    eprintln!(
        "crash test ({}): {at_kill} emails before SIGKILL, {} after restart ({} distinct); \
         {succeeded} jobs succeeded, {dead} dead in doubt",
        if postgres {
            "two nodes on PostgreSQL"
        } else {
            "one node on SQLite, restarted"
        },
        got.values().sum::<usize>() - at_kill,
        got.len()
    );
}
