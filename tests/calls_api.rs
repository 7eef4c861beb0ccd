//! The call records API (`/api/v1/calls/…`), the IVR metrics (`/api/v1/analytics/ivr-metrics`)
//! and the Prometheus exposition (`/metrics`), over calls written straight into the store the
//! way the call engine writes them.

mod common;

use careline_domain::Role;
use careline_store::calls::{self, NewCall, NewCallEvent, StepUpdate};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::{TestApp, error_code};
use serde_json::{Value, json};

const ANSWERED: &str = "CA0000000000000000000000000000answered";
const FAILED: &str = "CA00000000000000000000000000000failed";

fn event(
    at: DateTime<Utc>,
    started: DateTime<Utc>,
    action: &str,
    result: &str,
    error_code: Option<&str>,
    details: Option<Value>,
) -> NewCallEvent {
    NewCallEvent {
        at,
        territory_id: None,
        patient_id: None,
        action: action.into(),
        result: result.into(),
        duration_ms: (at - started).num_milliseconds(),
        authentication_method: "dob".into(),
        error_code: error_code.map(str::to_string),
        details,
    }
}

/// Record a call and its events as one engine step.
async fn record_call(app: &TestApp, call_id: &str, ended: bool, events: &[NewCallEvent]) {
    let started_at = events.first().map_or_else(Utc::now, |e| e.at);
    let last_at = events.last().map_or(started_at, |e| e.at);
    let created = calls::create_call(
        app.store(),
        NewCall {
            call_id,
            transport: "twilio",
            to_number: "+15025550100",
            from: Some("+15025550142"),
            config_hash: "test",
            started_at,
        },
    )
    .await
    .unwrap();
    assert!(created);
    let saved = calls::save_step(
        app.store(),
        call_id,
        StepUpdate {
            expected_step: 0,
            new_step: events.len() as i32,
            inputs_json: b"[]",
            status: if ended { "ended" } else { "active" },
            territory_id: None,
            patient_id: None,
            ended,
            events,
            at: last_at,
        },
    )
    .await
    .unwrap();
    assert!(saved);
}

/// Two calls ending a minute before `now`: one verified, looked up an order, was transferred
/// and lasted 60 s; one failed verification (a plain failure, then the AUTHENTICATION_FAILED
/// summary that repeats it).
async fn two_calls(app: &TestApp, now: DateTime<Utc>) {
    let t0 = now - Duration::minutes(2);
    let at = |s: i64| t0 + Duration::seconds(s);
    record_call(
        app,
        ANSWERED,
        true,
        &[
            event(at(0), t0, "call_started", "success", None, None),
            event(at(10), t0, "authenticate", "success", None, None),
            event(at(30), t0, "check_order_status", "success", None, None),
            event(at(50), t0, "transfer", "agent", None, None),
            NewCallEvent {
                duration_ms: 60_000,
                ..event(at(60), t0, "call_ended", "completed", None, None)
            },
        ],
    )
    .await;
    record_call(
        app,
        FAILED,
        false,
        &[
            event(at(1), at(1), "call_started", "success", None, None),
            event(at(20), at(1), "authenticate", "failure", None, None),
            event(
                at(21),
                at(1),
                "authenticate",
                "failure",
                Some("AUTHENTICATION_FAILED"),
                Some(json!({"call_id": FAILED, "retry_count": 3, "transfer_to_agent": true})),
            ),
        ],
    )
    .await;
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

async fn users(app: &TestApp) -> (String, String, String) {
    app.user("admin@calls.test", Role::Admin, None).await;
    app.user("specialist@calls.test", Role::IvrSpecialist, None)
        .await;
    app.user("doctor@calls.test", Role::Doctor, None).await;
    (
        app.token("admin@calls.test").await,
        app.token("specialist@calls.test").await,
        app.token("doctor@calls.test").await,
    )
}

on_both_engines!(ivr_metrics_over_windows, |db: common::TestDb| async move {
    let app = TestApp::spawn(db).await;
    let (admin, specialist, _) = users(&app).await;
    let now = Utc::now();
    two_calls(&app, now).await;

    // The default window: the last hour.
    let (status, m) = app.get(&specialist, "/api/v1/analytics/ivr-metrics").await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["calls"], 2, "{m}");
    assert!((f(&m["calls_per_minute"]) - 2.0 / 60.0).abs() < 1e-3, "{m}");
    assert_eq!(f(&m["average_call_duration"]), 60.0, "{m}");
    // One success and one plain failure; the AUTHENTICATION_FAILED summary is not counted again.
    assert_eq!(f(&m["authentication_success_rate"]), 0.5, "{m}");
    assert_eq!(f(&m["menu_completion_rate"]), 0.5, "{m}");
    assert_eq!(f(&m["transfer_rate"]), 0.5, "{m}");
    assert_eq!(f(&m["error_rate"]), 0.5, "{m}");
    let from: DateTime<Utc> = m["from"].as_str().unwrap().parse().unwrap();
    let to: DateTime<Utc> = m["to"].as_str().unwrap().parse().unwrap();
    assert_eq!(to - from, Duration::hours(1));

    // A window ending at a given time.
    let to = rfc3339(now);
    let (status, m) = app
        .get(
            &admin,
            &format!("/api/v1/analytics/ivr-metrics?window=15m&to={to}"),
        )
        .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["calls"], 2, "{m}");
    assert!((f(&m["calls_per_minute"]) - 2.0 / 15.0).abs() < 1e-9, "{m}");
    assert_eq!(m["to"], json!(to.parse::<DateTime<Utc>>().unwrap()), "{m}");

    // An explicit range before the calls holds none of them.
    let (status, m) = app
        .get(
            &admin,
            &format!(
                "/api/v1/analytics/ivr-metrics?from={}&to={}",
                rfc3339(now - Duration::days(2)),
                rfc3339(now - Duration::days(1))
            ),
        )
        .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["calls"], 0, "{m}");
    assert_eq!(f(&m["error_rate"]), 0.0, "{m}");

    // Bad windows: 400 INVALID_QUERY_PARAMETER, naming the parameter.
    let from = rfc3339(now - Duration::hours(2));
    let to = rfc3339(now - Duration::hours(3));
    let long_ago = rfc3339(now - Duration::days(40));
    for (query, field) in [
        ("window=soon".to_string(), Some("window")),
        ("window=0m".to_string(), Some("window")),
        ("window=32d".to_string(), Some("window")),
        (format!("window=1h&from={from}"), Some("window")),
        (format!("from={from}&to={to}"), Some("from")),
        (format!("from={long_ago}"), Some("from")),
        // Not a timestamp at all: rejected while parsing the query.
        ("from=yesterday".to_string(), None),
    ] {
        let (status, body) = app
            .get(&admin, &format!("/api/v1/analytics/ivr-metrics?{query}"))
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(error_code(&body), "INVALID_QUERY_PARAMETER", "{query}");
        if let Some(field) = field {
            assert_eq!(
                body["error"]["details"]["fields"][0]["field"], field,
                "{query}: {body}"
            );
        }
    }

    // The read is audited as a query.
    let (status, logs) = app
        .get(
            &admin,
            "/api/v1/admin/audit-logs?entity_type=ivr_metrics&per_page=100",
        )
        .await;
    assert_eq!(status, 200, "{logs}");
    let items = logs["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{logs}");
    assert!(items.iter().all(|r| r["type"] == "query"), "{logs}");
    app.stop().await;
});

on_both_engines!(call_records, |db: common::TestDb| async move {
    let app = TestApp::spawn(db).await;
    let (admin, specialist, doctor) = users(&app).await;
    two_calls(&app, Utc::now()).await;

    // A call that met an error shows the last one in the API's error form.
    let (status, c) = app
        .get(&specialist, &format!("/api/v1/calls/{FAILED}"))
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["call_id"], FAILED);
    assert_eq!(c["status"], "active");
    assert_eq!(c["steps"], 3);
    assert_eq!(
        c["error"],
        json!({
            "status": "error",
            "error": {
                "code": "AUTHENTICATION_FAILED",
                "message": "Caller verification failed",
                "details": {"call_id": FAILED, "retry_count": 3, "transfer_to_agent": true}
            }
        })
    );
    // The caller's number is sealed and never served.
    assert!(!c.to_string().contains("5550142"), "{c}");

    // A call without errors has a null error.
    let (status, c) = app.get(&admin, &format!("/api/v1/calls/{ANSWERED}")).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["status"], "ended");
    assert!(c["ended_at"].is_string(), "{c}");
    assert!(c["error"].is_null(), "{c}");

    // Events in the order they happened.
    let (status, events) = app
        .get(&specialist, &format!("/api/v1/calls/{ANSWERED}/events"))
        .await;
    assert_eq!(status, 200, "{events}");
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "call_started",
            "authenticate",
            "check_order_status",
            "transfer",
            "call_ended"
        ]
    );
    let last = &events[4];
    assert_eq!(last["duration"], 60_000);
    assert_eq!(last["call_id"], ANSWERED);
    assert!(last["error_code"].is_null());
    let (status, events) = app
        .get(&admin, &format!("/api/v1/calls/{FAILED}/events"))
        .await;
    assert_eq!(status, 200, "{events}");
    assert_eq!(events[2]["error_code"], "AUTHENTICATION_FAILED");
    assert_eq!(events[2]["details"]["retry_count"], 3);

    // An unknown call is a 404 in the standard form, on both routes.
    for path in ["/api/v1/calls/CAnope", "/api/v1/calls/CAnope/events"] {
        let (status, body) = app.get(&admin, path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(error_code(&body), "CALL_NOT_FOUND", "{path}");
    }

    // Doctors may not read call records or metrics.
    for path in [
        format!("/api/v1/calls/{FAILED}"),
        format!("/api/v1/calls/{FAILED}/events"),
        "/api/v1/analytics/ivr-metrics".to_string(),
    ] {
        let (status, body) = app.get(&doctor, &path).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(error_code(&body), "FORBIDDEN", "{path}");
    }

    // Each read of a call is audited against the call.
    let (status, logs) = app
        .get(
            &admin,
            &format!("/api/v1/admin/audit-logs?entity_type=call&entity_id={FAILED}&per_page=100"),
        )
        .await;
    assert_eq!(status, 200, "{logs}");
    assert_eq!(logs["items"].as_array().unwrap().len(), 2, "{logs}");
    app.stop().await;
});

on_both_engines!(prometheus_exposition, |db: common::TestDb| async move {
    let app = TestApp::spawn(db).await;
    let now = Utc::now();
    record_call(
        &app,
        "CA00000000000000000000000000000metrics",
        false,
        &[event(
            now - Duration::seconds(30),
            now,
            "call_started",
            "success",
            None,
            None,
        )],
    )
    .await;
    // Families show once they have a series.
    let metrics = careline::metrics::global();
    metrics.record_event(
        "authenticate",
        "failure",
        Some("AUTHENTICATION_FAILED"),
        9_000,
    );
    metrics.observe_webhook("voice", 0.002);

    // The test client is on loopback, and no metrics token is configured.
    let r = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let body = r.text().await.unwrap();
    assert!(body.ends_with("# EOF\n"), "{body}");
    assert!(
        body.contains("# TYPE careline_ivr_calls_started counter"),
        "{body}"
    );
    assert!(
        body.contains("# TYPE careline_ivr_call_duration_seconds histogram"),
        "{body}"
    );
    assert!(
        body.contains("careline_twilio_webhook_seconds_count{endpoint=\"voice\"}"),
        "{body}"
    );
    assert!(
        body.contains("careline_ivr_call_errors_total{code=\"AUTHENTICATION_FAILED\"}"),
        "{body}"
    );
    // One call started in the last five minutes, from the database.
    assert!(
        body.contains("\ncareline_ivr_calls_per_minute 0.2\n"),
        "{body}"
    );
    for gauge in [
        "careline_ivr_average_call_duration_seconds",
        "careline_ivr_authentication_success_rate",
        "careline_ivr_menu_completion_rate",
        "careline_ivr_transfer_rate",
        "careline_ivr_error_rate",
    ] {
        assert!(
            body.contains(&format!("# TYPE {gauge} gauge")),
            "{gauge}: {body}"
        );
    }
    app.stop().await;
});

/// `ms` of a 1 kHz tone as the caller's side and silence as CareLine's, interleaved µ-law
/// the way the media thread cuts a recording.
fn tone_chunk(seq: i32, offset_ms: i64, ms: i64) -> careline_store::recordings::NewChunk {
    let mut audio = Vec::new();
    for i in 0..ms * 8 {
        let s = ((i as f32) * 2.0 * std::f32::consts::PI * 1000.0 / 8000.0).sin() * 12000.0;
        audio.push(careline_media::g711::ulaw_encode(s as i16));
        audio.push(0xFF);
    }
    careline_store::recordings::NewChunk {
        seq,
        offset_ms,
        duration_ms: ms,
        audio,
    }
}

on_both_engines!(
    recordings_are_wav_sealed_audited_and_deleted,
    |db: common::TestDb| async move {
        use careline_store::recordings;
        const REC: &str = "SIP0000000000000000000000000recorded";
        let app = TestApp::spawn(db).await;
        let (admin, specialist, doctor) = users(&app).await;
        record_call(&app, REC, true, &[]).await;
        let keep = Utc::now() + Duration::days(30);
        let first = tone_chunk(0, 0, 5000);
        recordings::add_chunk(app.store(), REC, &first, keep, Utc::now())
            .await
            .unwrap();
        // Chunk 1 was lost (a crash mid-call): the gap plays as silence, the rest stays in place.
        recordings::add_chunk(
            app.store(),
            REC,
            &tone_chunk(2, 10_000, 1000),
            keep,
            Utc::now(),
        )
        .await
        .unwrap();
        // A repeated write of a chunk keeps one copy.
        recordings::add_chunk(app.store(), REC, &first, keep, Utc::now())
            .await
            .unwrap();

        let (status, c) = app.get(&specialist, &format!("/api/v1/calls/{REC}")).await;
        assert_eq!(status, 200, "{c}");
        assert_eq!(c["recording"]["chunks"], 2, "{c}");
        assert_eq!(c["recording"]["duration_ms"], 6000, "{c}");

        // The audio is sealed: no run of it is in the database as written.
        use sea_orm::EntityTrait;
        let rows = careline_store::entity::call_recording::Entity::find()
            .all(app.store().db())
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        let window = &first.audio[4000..4032];
        for r in &rows {
            assert!(
                !r.audio_enc.windows(window.len()).any(|w| w == window),
                "plain audio in call_recordings.audio_enc"
            );
        }

        let r = app
            .http
            .get(app.url(&format!("/api/v1/calls/{REC}/recording")))
            .bearer_auth(&specialist)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "audio/wav");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let bytes = r.bytes().await.unwrap();
        let mut wav = hound::WavReader::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let spec = wav.spec();
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (2, 8000, 16)
        );
        let samples: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(
            samples.len(),
            11 * 8000 * 2,
            "11 s: two chunks and the gap between"
        );
        let caller = |from_s: f32, to_s: f32| {
            let (a, b) = ((from_s * 8000.0) as usize, (to_s * 8000.0) as usize);
            samples[2 * a..2 * b]
                .chunks(2)
                .map(|p| f64::from(p[0]).abs())
                .sum::<f64>()
                / (b - a) as f64
        };
        assert!(caller(1.0, 2.0) > 5000.0, "the caller's tone on the left");
        assert!(caller(6.0, 9.0) < 10.0, "the lost chunk is silence");
        assert!(caller(10.2, 10.8) > 5000.0, "the last chunk in its place");
        assert!(
            samples.chunks(2).all(|p| p[1] == 0),
            "CareLine's side (silence here) on the right"
        );

        // Listening is for admins and verification specialists; deleting for admins.
        for (method, who) in [
            ("GET", &doctor),
            ("DELETE", &doctor),
            ("DELETE", &specialist),
        ] {
            let path = format!("/api/v1/calls/{REC}/recording");
            let (status, body) = if method == "GET" {
                app.get(who, &path).await
            } else {
                app.delete(who, &path).await
            };
            assert_eq!(status, 403, "{method} {body}");
            assert_eq!(error_code(&body), "FORBIDDEN");
        }

        // The listen is in the audit trail as an export of the recording.
        let (status, logs) = app
            .get(
                &admin,
                &format!("/api/v1/admin/audit-logs?entity_type=call_recording&entity_id={REC}"),
            )
            .await;
        assert_eq!(status, 200, "{logs}");
        let items = logs["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{logs}");
        assert_eq!(items[0]["type"], "export", "{logs}");

        let (status, body) = app
            .delete(&admin, &format!("/api/v1/calls/{REC}/recording"))
            .await;
        assert_eq!(status, 204, "{body}");
        let (status, body) = app
            .get(&admin, &format!("/api/v1/calls/{REC}/recording"))
            .await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(error_code(&body), "RECORDING_NOT_FOUND");
        let (_, c) = app.get(&admin, &format!("/api/v1/calls/{REC}")).await;
        assert!(c["recording"].is_null(), "{c}");
        let (status, body) = app.get(&admin, "/api/v1/calls/SIPnope/recording").await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(error_code(&body), "CALL_NOT_FOUND");
        app.stop().await;
    }
);

on_both_engines!(
    recordings_past_retention_are_deleted,
    |db: common::TestDb| async move {
        use careline_store::recordings;
        let app = TestApp::spawn(db).await;
        let (admin, _, _) = users(&app).await;
        let now = Utc::now();
        for (call, expires) in [
            (
                "SIP00000000000000000000000000000old",
                now - Duration::hours(1),
            ),
            (
                "SIP00000000000000000000000000000new",
                now + Duration::days(29),
            ),
        ] {
            record_call(&app, call, true, &[]).await;
            for seq in 0..3 {
                recordings::add_chunk(
                    app.store(),
                    call,
                    &tone_chunk(seq, i64::from(seq) * 100, 100),
                    expires,
                    Utc::now(),
                )
                .await
                .unwrap();
            }
        }
        let audit = careline_store::audit::AuditWriter::spawn(app.store().clone());
        let gone = careline::calls::retention::purge(app.store(), &audit, now)
            .await
            .unwrap();
        assert_eq!(gone, 1);
        assert!(
            recordings::info(app.store(), "SIP00000000000000000000000000000old")
                .await
                .unwrap()
                .is_none()
        );
        let kept = recordings::info(app.store(), "SIP00000000000000000000000000000new")
            .await
            .unwrap()
            .expect("a recording still in retention stays");
        assert_eq!(kept.chunks, 3);
        // Nothing more to do the second time, and nothing more audited.
        assert_eq!(
            careline::calls::retention::purge(app.store(), &audit, now)
                .await
                .unwrap(),
            0
        );
        let (status, logs) = app
            .get(&admin, "/api/v1/admin/audit-logs?per_page=100")
            .await;
        assert_eq!(status, 200, "{logs}");
        let purges: Vec<&Value> = logs["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["description"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("call recordings past retention deleted"))
            })
            .collect();
        assert_eq!(purges.len(), 1, "{logs}");
        assert_eq!(
            purges[0]["description"],
            "call recordings past retention deleted: 1 calls, 3 pieces"
        );
        app.stop().await;
    }
);
