//! The seed's password reset, end to end on both engines: a request through the API, the
//! durable job that emails the link run by a worker on a clock the test moves, a real SMTP
//! server (aiosmtpd, tests/smtp/server.py) receiving the email, and the link's token setting a
//! new password once. Also: the same answer for unknown and deactivated addresses, the rate
//! limits, an expired link, an SMTP server that is down, no SMTP configured, the token nowhere
//! in the database or the logs, and the dashboard's forms.

mod common;

use careline::config::Config;
use careline::jobs::{Registry, Worker};
use careline_domain::{ManualClock, Role};
use careline_store::jobs::{self, JobFilter, JobState};
use careline_store::password_resets::{self, EMAIL_JOB, Redeemed};
use chrono::{Duration, Utc};
use common::jobs::worker_on;
use common::receivers::{SmtpServer, free_port, smtp_server_on, smtpd_available};
use common::web::{client, set_cookie};
use common::{PASSWORD, TestApp, TestDb, error_code, test_config};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, OnceLock};

const NEW_PASSWORD: &str = "Quiet-Meadow-7731!";

// ---------------------------------------------------------------------------------------------
// Every log line of this test binary, at debug level, to look for tokens in.

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        captured
    })
}

fn logged_text() -> String {
    String::from_utf8_lossy(&logs().0.lock().unwrap()).into_owned()
}

/// The token of the reset link in an email body.
fn token_in(body: &str) -> String {
    let marker = "https://careline.test/reset-password?token=";
    let at = body
        .find(marker)
        .unwrap_or_else(|| panic!("no link in {body}"))
        + marker.len();
    body[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The server and its worker.

fn config_for(smtp_port: u16) -> Config {
    Config {
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
        email_from: Some("CareLine <no-reply@careline.test>".into()),
        public_url: Some("https://careline.test/".into()),
        ..test_config()
    }
}

/// A worker for the reset email kind, on a clock the test moves (set to the wall clock: the
/// API stamps requests with it).
fn worker(app: &TestApp, config: &Config) -> (Worker, ManualClock) {
    let clock = ManualClock::new(Utc::now() + Duration::seconds(1));
    let registry = careline::jobs::password_reset::registered(Registry::new(), config);
    (worker_on(app.store(), registry, &clock), clock)
}

/// A server that emails through a fresh SMTP server; `None` (the database dropped, a note
/// said) when aiosmtpd is not installed and CI does not require it.
async fn app_with_mail(db: TestDb) -> Option<(TestApp, SmtpServer, Config)> {
    if !smtpd_available() {
        db.cleanup().await;
        return None;
    }
    let smtp = smtp_server_on(None);
    let config = config_for(smtp.port);
    let app = TestApp::spawn_with(db, config.clone()).await;
    Some((app, smtp, config))
}

/// Ask for a reset of `email` and run the worker: the token of the link in the first email.
async fn emailed_token(app: &TestApp, config: &Config, smtp: &SmtpServer, email: &str) -> String {
    assert_eq!(forgot(app, email).await.status(), 202);
    let (w, _) = worker(app, config);
    w.run_until_idle().await.unwrap();
    token_in(&smtp.messages()[0].body)
}

async fn forgot(app: &TestApp, email: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/auth/forgot-password"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

async fn reset(app: &TestApp, token: &str, password: &str) -> (u16, Value) {
    common::split(
        app.http
            .post(app.url("/api/v1/auth/reset-password"))
            .json(&json!({ "token": token, "new_password": password }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn reset_jobs(app: &TestApp) -> Vec<jobs::Job> {
    jobs::list(
        app.store(),
        &JobFilter {
            state: None,
            kind: Some(EMAIL_JOB.into()),
        },
        1,
        100,
    )
    .await
    .unwrap()
    .items
}

// ---------------------------------------------------------------------------------------------

on_both_engines!(
    an_emailed_link_sets_a_new_password_once,
    |db: TestDb| async move {
        if !smtpd_available() {
            return db.cleanup().await;
        }
        logs();
        let smtp = smtp_server_on(None);
        let config = config_for(smtp.port);
        let app = TestApp::spawn_with(db, config.clone()).await;
        let email = "dana.reyes@clinic.test";
        app.user(email, Role::Nurse, None).await;
        // A session that the reset must end, and a lockout it must clear.
        let r = app.login_response(email, PASSWORD).await;
        assert_eq!(r.status(), 200);
        let refresh = r.json::<Value>().await.unwrap()["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
        for _ in 0..5 {
            assert_eq!(app.login_response(email, "wrong").await.status(), 401);
        }
        assert_eq!(
            app.login_response(email, PASSWORD).await.status(),
            401,
            "locked"
        );

        let r = forgot(&app, email).await;
        assert_eq!(r.status(), 202);
        let accepted: Value = r.json().await.unwrap();
        assert_eq!(accepted["status"], "accepted");
        // Nothing is sent in the request: the job does it.
        assert!(smtp.messages().is_empty());
        let queued = reset_jobs(&app).await;
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].state, "queued");
        let payload = queued[0].payload.as_object().unwrap();
        assert_eq!(
            payload.keys().collect::<Vec<_>>(),
            vec!["reset_id"],
            "ids only"
        );

        let (w, clock) = worker(&app, &config);
        assert_eq!(w.run_until_idle().await.unwrap(), 1);
        let mail = smtp.messages();
        assert_eq!(mail.len(), 1, "exactly one email");
        assert_eq!(mail[0].to, vec![email.to_string()]);
        assert_eq!(mail[0].subject, "Reset your CareLine password");
        assert!(
            mail[0].body.contains("Hello dana.reyes"),
            "{}",
            mail[0].body
        );
        assert!(
            mail[0].body.contains("within 60 minutes"),
            "{}",
            mail[0].body
        );
        let token = token_in(&mail[0].body);
        assert_eq!(token.len(), 64, "32 random bytes");
        let job = &reset_jobs(&app).await[0];
        assert_eq!(job.state, "succeeded");
        // Running the worker again sends nothing more.
        clock.advance(Duration::minutes(5));
        w.run_until_idle().await.unwrap();
        assert_eq!(smtp.messages().len(), 1);

        // The token is nowhere in the database, nor in the logs; its hash is.
        let raw = app.db.raw_text().await;
        assert!(!raw.contains(&token), "the token is stored in the clear");
        assert!(
            raw.contains(&password_resets::token_hash(&token)),
            "the hash is stored"
        );
        let logged = logged_text();
        assert!(
            logged.contains("password reset email sent"),
            "the logs are captured"
        );
        assert!(!logged.contains(&token), "the token was logged");

        // The password policy first, as change-password applies it.
        let (status, body) = reset(&app, &token, "short").await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(error_code(&body), "VALIDATION_ERROR");
        assert_eq!(
            body["error"]["details"]["fields"][0]["field"],
            "new_password"
        );

        let (status, body) = reset(&app, &token, NEW_PASSWORD).await;
        assert_eq!(status, 204, "{body}");
        assert_eq!(app.login_response(email, PASSWORD).await.status(), 401);
        assert_eq!(
            app.login_response(email, NEW_PASSWORD).await.status(),
            200,
            "the new password works and the lockout is gone"
        );
        // The session from before the reset has ended.
        let r = app
            .http
            .post(app.url("/api/v1/auth/refresh"))
            .json(&json!({ "refresh_token": refresh }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);

        // Once only.
        let (status, body) = reset(&app, &token, "Another-Field-5512!").await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "INVALID_RESET_TOKEN");
        let (status, body) = reset(&app, &"0".repeat(64), "Another-Field-5512!").await;
        assert_eq!(status, 400);
        assert_eq!(
            error_code(&body),
            "INVALID_RESET_TOKEN",
            "unknown: the same answer"
        );
        assert_eq!(app.login_response(email, NEW_PASSWORD).await.status(), 200);

        // Audited, without the token.
        let audit = app.db.raw_text().await;
        assert!(!audit.contains(&token));
        assert!(!logged_text().contains(&token), "the token was logged");
        app.stop().await;
    }
);

on_both_engines!(
    unknown_and_deactivated_addresses_get_the_same_answer_and_no_email,
    |db: TestDb| async move {
        let Some((app, smtp, config)) = app_with_mail(db).await else {
            return;
        };
        let active = "active@clinic.test";
        let gone = "gone@clinic.test";
        app.user(active, Role::Nurse, None).await;
        let gone_id = app.user(gone, Role::Nurse, None).await;
        careline_store::users::set_active(app.store(), gone_id, false, Utc::now())
            .await
            .unwrap();

        let mut answers = Vec::new();
        for email in [active, "nobody@clinic.test", gone] {
            let r = forgot(&app, email).await;
            let status = r.status().as_u16();
            answers.push((status, r.text().await.unwrap()));
        }
        assert!(
            answers.iter().all(|a| *a == answers[0]),
            "different answers: {answers:?}"
        );
        assert_eq!(answers[0].0, 202);
        // The same work stored for each: a request and its job.
        assert_eq!(reset_jobs(&app).await.len(), 3);

        let (w, _) = worker(&app, &config);
        assert_eq!(w.run_until_idle().await.unwrap(), 3);
        let mail = smtp.messages();
        assert_eq!(mail.len(), 1, "only the active account gets an email");
        assert_eq!(mail[0].to, vec![active.to_string()]);
        assert!(
            reset_jobs(&app)
                .await
                .iter()
                .all(|j| j.state == "succeeded")
        );

        // Not an address at all: a 422, which says nothing about accounts.
        let r = forgot(&app, "not an address").await;
        assert_eq!(r.status(), 422);
        app.stop().await;
    }
);

on_both_engines!(
    requests_are_limited_per_address_and_per_client,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        for _ in 0..careline::auth::RESET_PER_EMAIL_PER_HOUR {
            assert_eq!(forgot(&app, "flood@clinic.test").await.status(), 202);
        }
        let r = forgot(&app, "FLOOD@clinic.test").await;
        assert_eq!(r.status(), 429, "the same address, written otherwise");
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait > 3000 && wait <= 3600, "{wait}");
        let (_, body) = common::split(r).await;
        assert_eq!(error_code(&body), "RATE_LIMITED");
        // Other addresses from the same client, up to the client's own limit.
        let left = careline::auth::RESET_PER_ADDRESS_PER_HOUR
            - careline::auth::RESET_PER_EMAIL_PER_HOUR
            - 1;
        for i in 0..left {
            let r = forgot(&app, &format!("other{i}@clinic.test")).await;
            assert_eq!(r.status(), 202, "request {i}");
        }
        let r = forgot(&app, "fresh@clinic.test").await;
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        app.stop().await;
    }
);

on_both_engines!(
    an_expired_or_superseded_link_is_refused,
    |db: TestDb| async move {
        let Some((app, smtp, config)) = app_with_mail(db).await else {
            return;
        };
        let email = "sam.ortiz@clinic.test";
        let uid = app.user(email, Role::Receptionist, None).await;
        assert_eq!(forgot(&app, email).await.status(), 202);
        let (w, clock) = worker(&app, &config);
        w.run_until_idle().await.unwrap();
        let sent_at = careline_domain::Clock::now(&clock);
        let first = token_in(&smtp.messages()[0].body);

        // 59 minutes after the email it still works; 61 minutes after, it does not.
        let store = app.store();
        assert_eq!(
            password_resets::holder(store, &first, sent_at + Duration::minutes(59))
                .await
                .unwrap(),
            Some(uid)
        );
        let late = sent_at + Duration::minutes(61);
        assert_eq!(
            password_resets::holder(store, &first, late).await.unwrap(),
            None
        );
        assert_eq!(
            password_resets::redeem(store, &first, uid, "x".into(), late)
                .await
                .unwrap(),
            Redeemed::Invalid
        );

        // A second link; using it voids the first.
        assert_eq!(forgot(&app, email).await.status(), 202);
        clock.advance(Duration::seconds(5));
        w.run_until_idle().await.unwrap();
        let mail = smtp.messages();
        assert_eq!(mail.len(), 2);
        let second = token_in(&mail[1].body);
        assert_ne!(first, second);
        let (status, body) = reset(&app, &second, NEW_PASSWORD).await;
        assert_eq!(status, 204, "{body}");
        let (status, body) = reset(&app, &first, "Another-Field-5512!").await;
        assert_eq!(status, 400);
        assert_eq!(error_code(&body), "INVALID_RESET_TOKEN");
        app.stop().await;
    }
);

on_both_engines!(
    a_password_change_voids_the_links_already_sent,
    |db: TestDb| async move {
        let Some((app, smtp, config)) = app_with_mail(db).await else {
            return;
        };
        let email = "changer@clinic.test";
        app.user(email, Role::Nurse, None).await;
        let token = emailed_token(&app, &config, &smtp, email).await;
        let access = app.token(email).await;
        let (status, body) = app
            .post(
                &access,
                "/api/v1/auth/change-password",
                json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(status, 204, "{body}");
        let (status, body) = reset(&app, &token, "Another-Field-5512!").await;
        assert_eq!(status, 400);
        assert_eq!(error_code(&body), "INVALID_RESET_TOKEN");
        assert_eq!(app.login_response(email, NEW_PASSWORD).await.status(), 200);
        app.stop().await;
    }
);

on_both_engines!(
    two_uses_of_one_link_at_once_let_one_win,
    |db: TestDb| async move {
        let Some((app, smtp, config)) = app_with_mail(db).await else {
            return;
        };
        let email = "race@clinic.test";
        app.user(email, Role::Nurse, None).await;
        let token = emailed_token(&app, &config, &smtp, email).await;
        let (a, b) = tokio::join!(
            reset(&app, &token, "First-Winner-4410!"),
            reset(&app, &token, "Second-Winner-8820!")
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [204, 400], "{a:?} {b:?}");
        let winner = if a.0 == 204 {
            "First-Winner-4410!"
        } else {
            "Second-Winner-8820!"
        };
        assert_eq!(app.login_response(email, winner).await.status(), 200);
        app.stop().await;
    }
);

on_both_engines!(
    an_smtp_server_that_is_down_is_retried_and_shown,
    |db: TestDb| async move {
        if !smtpd_available() {
            return db.cleanup().await;
        }
        let port = free_port();
        let config = config_for(port);
        let app = TestApp::spawn_with(db, config.clone()).await;
        let email = "patient.staff@clinic.test";
        app.user(email, Role::Nurse, None).await;
        assert_eq!(forgot(&app, email).await.status(), 202);
        let (w, clock) = worker(&app, &config);
        assert_eq!(w.run_until_idle().await.unwrap(), 1);
        let job = &reset_jobs(&app).await[0];
        assert_eq!(job.state, "retrying", "{job:?}");
        let error = job.last_error.as_deref().unwrap_or("");
        assert!(error.contains("password reset email"), "{error}");

        // The server comes up; the next attempt sends, once.
        let smtp = smtp_server_on(Some(port));
        clock.advance(Duration::minutes(2));
        assert_eq!(w.run_until_idle().await.unwrap(), 1);
        let mail = smtp.messages();
        assert_eq!(mail.len(), 1);
        let token = token_in(&mail[0].body);
        assert_eq!(reset_jobs(&app).await[0].state, "succeeded");
        let (status, body) = reset(&app, &token, NEW_PASSWORD).await;
        assert_eq!(status, 204, "{body}");
        app.stop().await;
    }
);

on_both_engines!(
    without_smtp_the_job_fails_for_operators_to_see,
    |db: TestDb| async move {
        let config = test_config();
        let app = TestApp::spawn_with(db, config.clone()).await;
        let email = "no.mail@clinic.test";
        app.user(email, Role::Nurse, None).await;
        assert_eq!(forgot(&app, email).await.status(), 202);
        let (w, _) = worker(&app, &config);
        assert_eq!(w.run_until_idle().await.unwrap(), 1);
        let dead = jobs::list(
            app.store(),
            &JobFilter {
                state: Some(JobState::Dead),
                kind: Some(EMAIL_JOB.into()),
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(dead.items.len(), 1);
        let error = dead.items[0].last_error.as_deref().unwrap_or("");
        assert!(error.contains("smtp_url"), "{error}");
        app.stop().await;
    }
);

// ---------------------------------------------------------------------------------------------
// The dashboard's forms.

/// The double-submit cookie a pre-session page sets, and the page's `_csrf` field.
async fn form_page(http: &reqwest::Client, url: &str) -> (u16, String, String) {
    let r = http.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let (cookie, _) = set_cookie(&r, "careline_login_csrf").expect("csrf cookie");
    let html = r.text().await.unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let csrf = html
        .find(marker)
        .map(|at| {
            html[at + marker.len()..]
                .split('"')
                .next()
                .unwrap()
                .to_string()
        })
        .unwrap_or_default();
    (status, cookie, csrf + "\u{0}" + &html)
}

fn split_page(v: &str) -> (String, String) {
    let (csrf, html) = v.split_once('\u{0}').unwrap();
    (csrf.to_string(), html.to_string())
}

on_both_engines!(
    the_dashboard_forms_reset_a_password,
    |db: TestDb| async move {
        let Some((app, smtp, config)) = app_with_mail(db).await else {
            return;
        };
        let email = "web.user@clinic.test";
        app.user(email, Role::Nurse, None).await;
        let http = client();

        // The sign-in page links to the form.
        let (_, _, page) = form_page(&http, &app.url("/login")).await;
        let (_, html) = split_page(&page);
        assert!(html.contains("href=\"/forgot-password\""), "{html}");

        // Without the CSRF token: refused.
        let r = http
            .post(app.url("/forgot-password"))
            .form(&[("email", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        // The same sentence for an account and for no account.
        let mut sentences = Vec::new();
        for address in [email, "nobody@clinic.test"] {
            let (status, cookie, page) = form_page(&http, &app.url("/forgot-password")).await;
            assert_eq!(status, 200);
            let (csrf, _) = split_page(&page);
            let r = http
                .post(app.url("/forgot-password"))
                .header("cookie", format!("careline_login_csrf={cookie}"))
                .form(&[("email", address), ("_csrf", &csrf)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let html = r.text().await.unwrap();
            let at = html.find("id=\"reset-notice\"").expect("the notice");
            sentences.push(html[at..].split("</p>").next().unwrap().to_string());
        }
        assert_eq!(sentences[0], sentences[1]);

        let (w, _) = worker(&app, &config);
        w.run_until_idle().await.unwrap();
        let mail = smtp.messages();
        assert_eq!(mail.len(), 1);
        let token = token_in(&mail[0].body);

        // The link's page; two passwords that differ, then a weak one: errors inline, the
        // typed values kept.
        let page_url = app.url(&format!("/reset-password?token={token}"));
        let (status, cookie, page) = form_page(&http, &page_url).await;
        assert_eq!(status, 200);
        let (csrf, html) = split_page(&page);
        assert!(html.contains(&format!("value=\"{token}\"")));
        let post = |fields: Vec<(&'static str, String)>, cookie: String| {
            let http = http.clone();
            let url = app.url("/reset-password");
            async move {
                http.post(url)
                    .header("cookie", format!("careline_login_csrf={cookie}"))
                    .form(&fields)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let r = post(
            vec![
                ("_csrf", csrf.clone()),
                ("token", token.clone()),
                ("new_password", NEW_PASSWORD.into()),
                ("confirm_password", "Something-Else-1!".into()),
            ],
            cookie.clone(),
        )
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("not the same"), "{html}");
        assert!(
            html.contains("value=\"Something-Else-1!\""),
            "typed values kept"
        );
        let r = post(
            vec![
                ("_csrf", csrf.clone()),
                ("token", token.clone()),
                ("new_password", "weak".into()),
                ("confirm_password", "weak".into()),
            ],
            cookie.clone(),
        )
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("at least 12 characters"), "{html}");

        let r = post(
            vec![
                ("_csrf", csrf.clone()),
                ("token", token.clone()),
                ("new_password", NEW_PASSWORD.into()),
                ("confirm_password", NEW_PASSWORD.into()),
            ],
            cookie.clone(),
        )
        .await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login?reset=done");
        let (_, _, page) = form_page(&http, &app.url("/login?reset=done")).await;
        let (_, html) = split_page(&page);
        assert!(html.contains("id=\"login-notice\""), "{html}");
        assert_eq!(app.login_response(email, NEW_PASSWORD).await.status(), 200);

        // The link again: the page says it cannot be used and offers a new one.
        let r = post(
            vec![
                ("_csrf", csrf.clone()),
                ("token", token.clone()),
                ("new_password", "Another-Field-5512!".into()),
                ("confirm_password", "Another-Field-5512!".into()),
            ],
            cookie,
        )
        .await;
        assert_eq!(r.status(), 400);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"/forgot-password\""), "{html}");
        app.stop().await;
    }
);
