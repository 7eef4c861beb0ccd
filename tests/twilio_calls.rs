//! The Twilio transport over real HTTP: signed webhooks drive a demo call to the order status
//! and back, TwiML comes back well-formed, repeated and late webhooks change nothing, and a
//! missing or wrong signature is refused and audited. One request is signed by Twilio's own
//! Python helper library.

mod common;

use careline::twilio::signature::expected_signature;
use common::*;

const TOKEN: &str = "test-twilio-auth-token";
const PUBLIC: &str = "https://careline.example.test";
const AGENT: &str = "+15025550123";

async fn twilio_app(db: TestDb) -> TestApp {
    twilio_app_with_agent(db, Some(AGENT)).await
}

async fn twilio_app_with_agent(db: TestDb, agent: Option<&str>) -> TestApp {
    careline::demo::seed(&db.store).await.expect("demo seed");
    let mut config = test_config();
    config.twilio_auth_token = Some(TOKEN.into());
    config.public_url = Some(PUBLIC.into());
    config.agent_number = agent.map(str::to_string);
    TestApp::spawn_with(db, config).await
}

fn params(call_sid: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut p = vec![
        (
            "AccountSid".to_string(),
            "AC0123456789abcdef0123456789abcdef".to_string(),
        ),
        ("CallSid".to_string(), call_sid.to_string()),
        ("From".to_string(), "+15025550142".to_string()),
        ("To".to_string(), "+15025550100".to_string()),
        ("Direction".to_string(), "inbound".to_string()),
    ];
    for (k, v) in extra {
        p.push((k.to_string(), v.to_string()));
    }
    p
}

/// POST a form; `sign` chooses the X-Twilio-Signature header.
async fn post(
    app: &TestApp,
    path: &str,
    params: &[(String, String)],
    signature: Option<String>,
) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(params).unwrap());
    if let Some(s) = signature {
        req = req.header("X-Twilio-Signature", s);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn signed(app: &TestApp, path: &str, params: &[(String, String)]) -> (u16, String) {
    let sig = expected_signature(TOKEN.as_bytes(), &format!("{PUBLIC}{path}"), params);
    post(app, path, params, Some(sig)).await
}

/// The gather action URL's path and query in a TwiML reply.
fn gather_path(twiml: &str) -> String {
    let doc = roxmltree::Document::parse(twiml).expect("well-formed TwiML");
    let gather = doc
        .descendants()
        .find(|n| n.has_tag_name("Gather"))
        .unwrap_or_else(|| panic!("no Gather in {twiml}"));
    let action = gather.attribute("action").unwrap();
    assert!(action.starts_with(PUBLIC), "{action}");
    action[PUBLIC.len()..].to_string()
}

fn said(twiml: &str) -> String {
    let doc = roxmltree::Document::parse(twiml).expect("well-formed TwiML");
    doc.descendants()
        .filter(|n| n.has_tag_name("Say"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn event_count(app: &TestApp, call_id: &str) -> usize {
    careline_store::calls::call_events(app.store(), call_id)
        .await
        .unwrap()
        .len()
}

on_both_engines!(
    a_signed_call_reaches_the_order_status_and_ends,
    |db| async move {
        let app = twilio_app(db).await;
        let sid = "CA00000000000000000000000000000001";
        let (status, twiml) = signed(&app, "/twilio/voice", &params(sid, &[])).await;
        assert_eq!(status, 200, "{twiml}");
        assert!(twiml.starts_with("<?xml"));
        // The menu prompts nest inside the Gather, so a key interrupts them.
        let doc = roxmltree::Document::parse(&twiml).unwrap();
        let gather = doc
            .descendants()
            .find(|n| n.has_tag_name("Gather"))
            .unwrap();
        assert!(gather.children().any(|c| c.has_tag_name("Say")));
        assert_eq!(gather.attribute("numDigits"), Some("1"));
        assert!(said(&twiml).contains("Welcome to Healthcare Services"));

        let mut path = gather_path(&twiml);
        for (digits, expect) in [
            ("1", "date of birth"),
            ("03141958", "PIN"),
            ("2468", "order number"),
            ("10000001", "is on its way"),
        ] {
            let (status, twiml) = signed(&app, &path, &params(sid, &[("Digits", digits)])).await;
            assert_eq!(status, 200, "{twiml}");
            assert!(said(&twiml).contains(expect), "after {digits}: {twiml}");
            path = gather_path(&twiml);
        }
        let (status, _) = signed(
            &app,
            "/twilio/status",
            &params(sid, &[("CallStatus", "completed"), ("CallDuration", "42")]),
        )
        .await;
        assert_eq!(status, 204);
        let summary = careline_store::calls::call_summary(app.store(), sid)
            .await
            .unwrap();
        assert_eq!(summary.status, "ended");
        assert_eq!(summary.transport, "twilio");
        let events = careline_store::calls::call_events(app.store(), sid)
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.action == "check_order_status" && e.result == "success")
        );
        assert!(events.iter().any(|e| e.action == "call_ended"));
        app.stop().await;
    }
);

on_both_engines!(repeated_and_late_webhooks_change_nothing, |db| async move {
    let app = twilio_app(db).await;
    let sid = "CA00000000000000000000000000000002";
    let (_, first) = signed(&app, "/twilio/voice", &params(sid, &[])).await;
    // Twilio retries the first webhook: same reply, no second call.
    let (status, again) = signed(&app, "/twilio/voice", &params(sid, &[])).await;
    assert_eq!(status, 200);
    assert_eq!(first, again);
    let menu_path = gather_path(&first);
    let (_, dob_prompt) = signed(&app, &menu_path, &params(sid, &[("Digits", "1")])).await;
    let events = event_count(&app, sid).await;
    // The same gather posted twice (a retry): the second gets the same prompt and adds
    // nothing.
    let (_, retry) = signed(&app, &menu_path, &params(sid, &[("Digits", "1")])).await;
    assert_eq!(said(&retry), said(&dob_prompt));
    assert_eq!(event_count(&app, sid).await, events);
    // A late one with other digits is not taken either.
    let (_, late) = signed(&app, &menu_path, &params(sid, &[("Digits", "3")])).await;
    assert_eq!(said(&late), said(&dob_prompt));
    assert_eq!(event_count(&app, sid).await, events);
    // The call goes on from where it was.
    let (_, next) = signed(
        &app,
        &gather_path(&dob_prompt),
        &params(sid, &[("Digits", "03141958")]),
    )
    .await;
    assert!(said(&next).contains("PIN"), "{next}");
    app.stop().await;
});

on_both_engines!(
    missing_or_wrong_signatures_are_refused_and_audited,
    |db| async move {
        let app = twilio_app(db).await;
        let sid = "CA00000000000000000000000000000003";
        let p = params(sid, &[]);
        let (status, body) = post(&app, "/twilio/voice", &p, None).await;
        assert_eq!(status, 403, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["status"], "error");
        assert_eq!(v["error"]["code"], "INVALID_SIGNATURE");
        let (status, _) = post(
            &app,
            "/twilio/voice",
            &p,
            Some("bm90IGEgc2lnbmF0dXJl".into()),
        )
        .await;
        assert_eq!(status, 403);
        // Signed, then a parameter changed on the way.
        let sig = expected_signature(TOKEN.as_bytes(), &format!("{PUBLIC}/twilio/voice"), &p);
        let mut tampered = p.clone();
        tampered[2].1 = "+15025550177".into();
        let (status, _) = post(&app, "/twilio/voice", &tampered, Some(sig.clone())).await;
        assert_eq!(status, 403);
        // Signed for another path.
        let (status, _) = post(&app, "/twilio/gather?step=1", &p, Some(sig)).await;
        assert_eq!(status, 403);
        // No call was created, and each refusal is in the audit trail.
        assert!(
            careline_store::calls::call_summary(app.store(), sid)
                .await
                .is_err()
        );
        app.user("admin@tw.test", careline_domain::Role::Admin, None)
            .await;
        let t = app.token("admin@tw.test").await;
        let (status, logs) = app
            .get(
                &t,
                "/api/v1/admin/audit-logs?type=security-alert&per_page=50",
            )
            .await;
        assert_eq!(status, 200, "{logs}");
        let n = logs["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|r| {
                        r["description"]
                            .as_str()
                            .unwrap_or("")
                            .contains("Twilio webhook refused")
                    })
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(n, 4, "{logs}");
        app.stop().await;
    }
);

on_both_engines!(a_transfer_dials_the_agent_line, |db| async move {
    let app = twilio_app(db).await;
    let sid = "CA00000000000000000000000000000004";
    let (_, twiml) = signed(&app, "/twilio/voice", &params(sid, &[])).await;
    let (_, twiml) = signed(&app, &gather_path(&twiml), &params(sid, &[("Digits", "0")])).await;
    let doc = roxmltree::Document::parse(&twiml).unwrap();
    let dial = doc
        .descendants()
        .find(|n| n.has_tag_name("Dial"))
        .expect(&twiml);
    assert_eq!(dial.text(), Some(AGENT));
    app.stop().await;
});

on_both_engines!(
    a_request_signed_by_twilios_python_library_is_accepted,
    |db| async move {
        let available = std::process::Command::new("python3")
            .args(["-c", "import twilio"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            assert!(
                std::env::var("CARELINE_REQUIRE_TWILIO_PY").as_deref() != Ok("1"),
                "Twilio's Python library is required here: pip install twilio"
            );
            eprintln!(
                "NOTE: Twilio's Python library is not installed (pip install twilio): skipped"
            );
            return;
        }
        let app = twilio_app(db).await;
        let sid = "CA00000000000000000000000000000005";
        let p = params(sid, &[]);
        let script = "import json,sys\nfrom twilio.request_validator import RequestValidator\n\
                  d=json.load(sys.stdin)\n\
                  print(RequestValidator(d['token']).compute_signature(d['url'], dict(d['params'])))";
        let input = serde_json::json!({"token": TOKEN, "url": format!("{PUBLIC}/twilio/voice"), "params": p});
        let mut child = std::process::Command::new("python3")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "Twilio's Python library is needed (pip install twilio): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sig = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let (status, twiml) = post(&app, "/twilio/voice", &p, Some(sig)).await;
        assert_eq!(status, 200, "{twiml}");
        assert!(said(&twiml).contains("Welcome"));
        app.stop().await;
    }
);

on_both_engines!(without_a_token_the_transport_is_off, |db| async move {
    let app = TestApp::spawn(db).await;
    let (status, body) = post(&app, "/twilio/voice", &params("CA1", &[]), Some("x".into())).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("TWILIO_NOT_CONFIGURED"));
    app.stop().await;
});

on_both_engines!(
    concurrent_copies_of_a_webhook_advance_the_call_once,
    |db| async move {
        let app = twilio_app(db).await;
        let sid = "CA00000000000000000000000000000006";
        let (_, twiml) = signed(&app, "/twilio/voice", &params(sid, &[])).await;
        let path = gather_path(&twiml);
        let before = event_count(&app, sid).await;
        // Five nodes (or five retries) get the same gather at once.
        let form = params(sid, &[("Digits", "1")]);
        let replies =
            futures_util::future::join_all((0..5).map(|_| signed(&app, &path, &form))).await;
        for (status, twiml) in &replies {
            assert_eq!(*status, 200, "{twiml}");
            assert!(said(twiml).contains("date of birth"), "{twiml}");
        }
        // One menu selection was recorded, not five.
        let events = careline_store::calls::call_events(app.store(), sid)
            .await
            .unwrap();
        let selections = events
            .iter()
            .filter(|e| e.action == "menu_selection")
            .count();
        assert_eq!(selections, 1, "{events:#?}");
        assert_eq!(events.len(), before + 1);
        let summary = careline_store::calls::call_summary(app.store(), sid)
            .await
            .unwrap();
        assert_eq!(summary.steps, 3, "started, caller answer, one entry");
        app.stop().await;
    }
);

/// A date the default practice books today: a weekday at least three days ahead, not one of
/// its closed dates, as MMDDYYYY.
fn bookable_date() -> String {
    use chrono::{Datelike, Duration, Weekday};
    let cfg = careline_call::menu::CallConfig::default_config();
    let today = chrono::Utc::now()
        .with_timezone(&cfg.practice.timezone)
        .date_naive();
    let mut d = today + Duration::days(3);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
        || cfg.practice.closed_dates.contains(&d)
    {
        d += Duration::days(1);
    }
    d.format("%m%d%Y").to_string()
}

on_both_engines!(concurrent_copies_of_a_booking_book_once, |db| async move {
    let app = twilio_app(db).await;
    let sid = "CA00000000000000000000000000000007";
    let (_, mut twiml) = signed(&app, "/twilio/voice", &params(sid, &[])).await;
    for digits in ["2", "03141958", "2468", "1"] {
        let p = gather_path(&twiml);
        twiml = signed(&app, &p, &params(sid, &[("Digits", digits)]))
            .await
            .1;
    }
    let date = bookable_date();
    let p = gather_path(&twiml);
    twiml = signed(&app, &p, &params(sid, &[("Digits", date.as_str())]))
        .await
        .1;
    assert!(said(&twiml).contains("Press 1 to confirm"), "{twiml}");
    let confirm_path = gather_path(&twiml);
    let form = params(sid, &[("Digits", "1")]);
    let replies =
        futures_util::future::join_all((0..4).map(|_| signed(&app, &confirm_path, &form))).await;
    // Every copy reads back the same confirmation code, and one appointment exists.
    let codes: Vec<String> = replies
        .iter()
        .map(|(s, t)| {
            assert_eq!(*s, 200, "{t}");
            said(t)
        })
        .collect();
    assert!(codes[0].contains("confirmation code is"), "{}", codes[0]);
    assert!(codes.iter().all(|c| *c == codes[0]), "{codes:#?}");
    use sea_orm::{EntityTrait, PaginatorTrait};
    let n = careline_store::entity::service_appointment::Entity::find()
        .count(app.store().db())
        .await
        .unwrap();
    assert_eq!(n, 1);
    let jobs = careline_store::calls::pending_jobs(app.store())
        .await
        .unwrap();
    assert_eq!(
        jobs.iter()
            .filter(|j| j.kind == "confirmation_call")
            .count(),
        1
    );
    app.stop().await;
});

on_both_engines!(
    with_no_agent_line_the_caller_hears_so_and_the_record_says_so,
    |db: TestDb| async move {
        let app = twilio_app_with_agent(db, None).await;
        let sid = "CA00000000000000000000000000000abc";
        let (_, twiml) = signed(&app, "/twilio/voice", &params(sid, &[])).await;
        let (status, twiml) =
            signed(&app, &gather_path(&twiml), &params(sid, &[("Digits", "0")])).await;
        assert_eq!(status, 200, "{twiml}");
        assert!(
            said(&twiml).contains("No representative is available"),
            "{twiml}"
        );
        assert!(!twiml.contains("<Dial"), "{twiml}");
        let events = careline_store::calls::call_events(app.store(), sid)
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.action == "transfer" && e.result == "no_target"),
            "{events:?}"
        );
        app.stop().await;
    }
);

on_both_engines!(
    a_patient_books_a_practice_appointment_over_twilio,
    |db| async move {
        let app = twilio_app(db).await;
        let sid = "CA00000000000000000000000000000c0e";
        // Eleanor Brooks calls Capitol Eye Care's line.
        let eleanor = |extra: &[(&str, &str)]| {
            let mut p: Vec<(String, String)> = params(sid, &[])
                .into_iter()
                .filter(|(k, _)| k != "From" && k != "To")
                .collect();
            p.push(("From".into(), "+15125550142".into()));
            p.push((
                "To".into(),
                careline::demo::practice::DEMO_PRACTICE_LINE.into(),
            ));
            p.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            p
        };
        let (status, twiml) = signed(&app, "/twilio/voice", &eleanor(&[])).await;
        assert_eq!(status, 200, "{twiml}");
        assert!(
            said(&twiml).contains("Thank you for calling Capitol Eye Care."),
            "the practice's own greeting: {twiml}"
        );
        assert!(
            said(&twiml).contains("Press 1 to book an appointment"),
            "the practice line's own menu: {twiml}"
        );
        let mut path = gather_path(&twiml);
        for (digits, expect) in [
            ("1", "date of birth"),
            ("06091951", "For routine eye exam, press 1."),
            ("1", "To take this time, press 1."),
            ("1", "Your confirmation number is"),
        ] {
            let (status, twiml) = signed(&app, &path, &eleanor(&[("Digits", digits)])).await;
            assert_eq!(status, 200, "{twiml}");
            assert!(said(&twiml).contains(expect), "after {digits}: {twiml}");
            path = gather_path(&twiml);
        }
        let events = careline_store::calls::call_events(app.store(), sid)
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.action == "book_appointment" && e.result == "success"),
            "{events:#?}"
        );
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let booked = careline_store::entity::appointment::Entity::find()
            .filter(careline_store::entity::appointment::Column::VoiceBookingSession.eq(sid))
            .all(app.store().db())
            .await
            .unwrap();
        assert_eq!(booked.len(), 1);
        assert_eq!(booked[0].created_via, "voice_agent");
        app.stop().await;
    }
);
