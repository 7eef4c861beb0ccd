//! Receivers of what CareLine sends, for the notification and reminder tests: a real SMTP
//! server (aiosmtpd from PyPI, tests/smtp/server.py) and a local stand-in of Twilio's Messages
//! and Calls APIs (Twilio cannot be reached from here; the stand-in speaks its documented
//! request and answer format and records what CareLine sent).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------
// Email: a real SMTP server.

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub maildir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether aiosmtpd is installed; when it is not, a note (the test skips its email part), or
/// a failure where CI requires it (CARELINE_REQUIRE_SMTPD=1).
pub fn smtpd_available() -> bool {
    let available = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var("CARELINE_REQUIRE_SMTPD").as_deref() != Ok("1"),
            "aiosmtpd is required here: pip install aiosmtpd"
        );
        eprintln!("NOTE: aiosmtpd is not installed (pip install aiosmtpd): skipped");
    }
    available
}

/// aiosmtpd on a free port, or None (with a note) when it is not installed and CI does not
/// require it.
pub fn smtp_server() -> Option<SmtpServer> {
    smtpd_available().then(|| smtp_server_on(None))
}

/// aiosmtpd on `port` (a free one when `None`: a test that starts the server late, after
/// CareLine was told its port, names it). Call [`smtpd_available`] first.
pub fn smtp_server_on(port: Option<u16>) -> SmtpServer {
    let maildir = tempfile::tempdir().unwrap();
    let port = port.unwrap_or_else(free_port);
    let mut child = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/server.py"))
        .arg(port.to_string())
        .arg(maildir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the SMTP server did not start");
    SmtpServer {
        child,
        port,
        maildir,
    }
}

/// A message the server received: envelope recipients, and the subject and text body as
/// their reader sees them.
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// A raw message's subject and body, decoded by Python's own email parser (lettre sends long
/// lines quoted-printable).
fn subject_and_body(raw: &str) -> (String, String) {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import email, json, sys\n\
             m = email.message_from_binary_file(sys.stdin.buffer)\n\
             print(json.dumps({'subject': m['subject'], \
             'body': m.get_payload(decode=True).decode()}))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(raw.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["subject"].as_str().unwrap().to_string(),
        v["body"].as_str().unwrap().to_string(),
    )
}

/// A raw message as its reader sees it: the subject on the first line, then the body.
pub fn decoded(raw: &str) -> String {
    let (subject, body) = subject_and_body(raw);
    format!("{subject}\n{body}\n")
}

impl SmtpServer {
    /// The messages received so far, in order: (envelope recipients, raw message). A message
    /// still being written (its envelope not yet complete) is not counted yet.
    pub fn received(&self) -> Vec<(Vec<String>, String)> {
        let mut out = Vec::new();
        for n in 1.. {
            let base = self.maildir.path().join(n.to_string());
            let (Ok(envelope), Ok(raw)) = (
                std::fs::read_to_string(base.with_extension("json")),
                std::fs::read_to_string(base.with_extension("eml")),
            ) else {
                break;
            };
            let Ok(envelope) = serde_json::from_str::<serde_json::Value>(&envelope) else {
                break;
            };
            let to = envelope["to"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            out.push((to, raw));
        }
        out
    }

    /// [`SmtpServer::received`], each message decoded.
    pub fn messages(&self) -> Vec<Mail> {
        self.received()
            .into_iter()
            .map(|(to, raw)| {
                let (subject, body) = subject_and_body(&raw);
                Mail { to, subject, body }
            })
            .collect()
    }

    /// The `smtp_url` setting that reaches this server.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=opportunistic", self.port)
    }
}

// ---------------------------------------------------------------------------------------------
// SMS: a stand-in of Twilio's Messages API.
//
// STAND-IN, NOT TWILIO. It accepts what Twilio documents for `POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json` (and `Calls.json`: To, From, Url,
// StatusCallback) (form fields To, From, Body,
// StatusCallback; HTTP basic auth with the account sid and auth token) and answers as Twilio
// does: 201 with a message resource, or an error resource `{code, message, more_info,
// status}`. Twilio's magic test number +15005550001 ("invalid number") is refused with 21211;
// +15005550009 is rate-limited (429, code 20429); +15005550010 gets a 500; +15005550020 an
// unreadable 201 (a broken proxy, not Twilio) — the message is kept all the same, as Twilio
// would have it. `GET …/Messages.json?To=&From=` lists the messages kept, newest first, with
// Twilio's RFC 2822 `date_created` read off the stand-in's clock (a test's moved clock, or
// the wall clock).

pub const SID: &str = "AC00000000000000000000000000000001";
pub const TOKEN: &str = "stand-in-auth-token";

#[derive(Debug, Clone)]
pub struct Received {
    pub authorization: Option<String>,
    pub account: String,
    /// `Messages` or `Calls`.
    pub resource: &'static str,
    pub form: std::collections::HashMap<String, String>,
    /// When it arrived, by the stand-in's clock.
    pub at: chrono::DateTime<chrono::Utc>,
}

pub async fn twilio_stand_in() -> (String, Arc<Mutex<Vec<Received>>>) {
    twilio_stand_in_at(Arc::new(careline_domain::SystemClock)).await
}

/// The stand-in with its clock: `date_created` of what it keeps is this clock's time.
pub async fn twilio_stand_in_at(
    clock: Arc<dyn careline_domain::Clock>,
) -> (String, Arc<Mutex<Vec<Received>>>) {
    use axum::extract::{Form, Path, Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    #[derive(Clone)]
    struct Stand {
        log: Arc<Mutex<Vec<Received>>>,
        clock: Arc<dyn careline_domain::Clock>,
    }
    /// Keeps what CareLine sent; the request's number in the log (from 1).
    fn record(
        stand: &Stand,
        resource: &'static str,
        account: String,
        headers: &HeaderMap,
        form: &std::collections::HashMap<String, String>,
    ) -> usize {
        let mut log = stand.log.lock().unwrap();
        log.push(Received {
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            account: account.trim_end_matches(".json").to_string(),
            resource,
            form: form.clone(),
            at: stand.clock.now(),
        });
        log.len()
    }
    // The Messages list, filtered by To and From as Twilio filters it.
    async fn list_messages(
        State(stand): State<Stand>,
        Query(q): Query<std::collections::HashMap<String, String>>,
    ) -> axum::response::Response {
        let log = stand.log.lock().unwrap();
        let messages: Vec<serde_json::Value> = log
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, r)| r.resource == "Messages")
            .filter(|(_, r)| q.get("To").is_none_or(|t| r.form.get("To") == Some(t)))
            .filter(|(_, r)| q.get("From").is_none_or(|f| r.form.get("From") == Some(f)))
            .map(|(i, r)| {
                serde_json::json!({
                    "sid": format!("SM{:032x}", i + 1),
                    "to": r.form.get("To"),
                    "from": r.form.get("From"),
                    "body": r.form.get("Body"),
                    "status": "sent",
                    "date_created": r.at.to_rfc2822(),
                })
            })
            .collect();
        axum::Json(serde_json::json!({
            "messages": messages, "page": 0, "page_size": 50, "next_page_uri": null,
        }))
        .into_response()
    }
    async fn messages(
        State(stand): State<Stand>,
        Path(account): Path<String>,
        headers: HeaderMap,
        Form(form): Form<std::collections::HashMap<String, String>>,
    ) -> axum::response::Response {
        let to = form.get("To").cloned().unwrap_or_default();
        let n = record(&stand, "Messages", account, &headers, &form);
        let error = |status: StatusCode, code: u32, message: &str| {
            (
                status,
                axum::Json(serde_json::json!({
                    "code": code, "message": message, "status": status.as_u16(),
                    "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
                })),
            )
                .into_response()
        };
        match to.as_str() {
            "+15005550001" => error(
                StatusCode::BAD_REQUEST,
                21211,
                "The 'To' number +15005550001 is not a valid phone number.",
            ),
            "+15005550009" => error(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests"),
            "+15005550010" => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                20500,
                "Internal Server Error",
            ),
            // Not a Twilio behaviour: a broken answer, to see CareLine treat it as in doubt.
            "+15005550020" => (StatusCode::CREATED, "<html>proxy page</html>").into_response(),
            _ => (
                StatusCode::CREATED,
                axum::Json(serde_json::json!({
                    "sid": format!("SM{n:032x}"),
                    "account_sid": SID,
                    "to": to,
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "status": "queued",
                    "num_segments": "1",
                    "direction": "outbound-api",
                })),
            )
                .into_response(),
        }
    }
    // The Calls resource: a call is queued with its sid (Twilio dials it afterwards).
    async fn calls(
        State(stand): State<Stand>,
        Path(account): Path<String>,
        headers: HeaderMap,
        Form(form): Form<std::collections::HashMap<String, String>>,
    ) -> axum::response::Response {
        let n = record(&stand, "Calls", account, &headers, &form);
        (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({
                "sid": format!("CA{n:032x}"),
                "account_sid": SID,
                "to": form.get("To"),
                "from": form.get("From"),
                "status": "queued",
                "direction": "outbound-api",
            })),
        )
            .into_response()
    }
    let log: Arc<Mutex<Vec<Received>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            axum::routing::post(messages).get(list_messages),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Calls.json",
            axum::routing::post(calls),
        )
        .with_state(Stand {
            log: log.clone(),
            clock,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), log)
}
