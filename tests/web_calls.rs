//! The dashboard's calls section and what it stands on: the call log API (filters, paging,
//! 422s), the log, timeline and live pages per role with the CSP scan, and the recording
//! served in byte ranges (each range the same bytes as that slice of the whole file, 416 past
//! the end, an audit record per play), as the page's audio player asks for it.

mod common;

use careline_domain::Role;
use careline_store::calls::{self, NewCall, NewCallEvent, StepUpdate};
use careline_store::recordings::{self, NewChunk};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::web::{csp_problems, sign_in};
use common::{TestApp, error_code};
use serde_json::{Value, json};

const ENDED: &str = "SIP000000000000000000000000000ended";
const ACTIVE: &str = "CA00000000000000000000000000000active";
const TRANSFERRED: &str = "SIM0000000000000000000000transferred";

fn event(at: DateTime<Utc>, started: DateTime<Utc>, action: &str, result: &str) -> NewCallEvent {
    NewCallEvent {
        at,
        territory_id: None,
        patient_id: None,
        action: action.into(),
        result: result.into(),
        duration_ms: (at - started).num_milliseconds(),
        authentication_method: "dob".into(),
        error_code: None,
        details: None,
    }
}

/// Record a call and its events as one engine step (as tests/calls_api.rs does).
async fn record_call(
    app: &TestApp,
    call_id: &str,
    transport: &str,
    status: &str,
    started_at: DateTime<Utc>,
    events: &[NewCallEvent],
) {
    assert!(
        calls::create_call(
            app.store(),
            NewCall {
                call_id,
                transport,
                to_number: "+15025550100",
                from: Some("+15025550142"),
                config_hash: "test",
                started_at,
            },
        )
        .await
        .unwrap()
    );
    let saved = calls::save_step(
        app.store(),
        call_id,
        StepUpdate {
            expected_step: 0,
            new_step: events.len() as i32,
            inputs_json: b"[]",
            status,
            territory_id: None,
            patient_id: None,
            ended: status == "ended",
            events,
            at: events.last().map_or(started_at, |e| e.at),
        },
    )
    .await
    .unwrap();
    assert!(saved);
}

/// `ms` of a tone on the caller's side and a different one on CareLine's, interleaved µ-law.
fn tone_chunk(seq: i32, offset_ms: i64, ms: i64) -> NewChunk {
    let mut audio = Vec::new();
    for i in 0..ms * 8 {
        let t = i as f32 * 2.0 * std::f32::consts::PI / 8000.0;
        audio.push(careline_media::g711::ulaw_encode(
            ((t * 1000.0).sin() * 12000.0) as i16,
        ));
        audio.push(careline_media::g711::ulaw_encode(
            ((t * 440.0).sin() * 6000.0) as i16,
        ));
    }
    NewChunk {
        seq,
        offset_ms,
        duration_ms: ms,
        audio,
    }
}

/// Three calls a minute apart, the oldest first: an ended SIP call with a recording (5 s, a
/// lost chunk, then 1 s) and an error, an active Twilio call, a transferred simulator call.
async fn three_calls(app: &TestApp, now: DateTime<Utc>) {
    let t0 = now - Duration::minutes(3);
    let at = |s: i64| t0 + Duration::seconds(s);
    record_call(
        app,
        ENDED,
        "sip",
        "ended",
        t0,
        &[
            event(at(0), t0, "call_started", "success"),
            NewCallEvent {
                error_code: Some("AUTHENTICATION_FAILED".into()),
                details: Some(json!({"retry_count": 3})),
                ..event(at(20), t0, "authenticate", "failure")
            },
            event(at(30), t0, "call_ended", "completed"),
        ],
    )
    .await;
    let keep = now + Duration::days(30);
    for chunk in [tone_chunk(0, 0, 5000), tone_chunk(2, 10_000, 1000)] {
        recordings::add_chunk(app.store(), ENDED, &chunk, keep, now)
            .await
            .unwrap();
    }
    let t1 = now - Duration::minutes(2);
    record_call(
        app,
        ACTIVE,
        "twilio",
        "active",
        t1,
        &[event(t1, t1, "call_started", "success")],
    )
    .await;
    let t2 = now - Duration::minutes(1);
    record_call(
        app,
        TRANSFERRED,
        "simulator",
        "transferred",
        t2,
        &[event(t2, t2, "transfer", "agent")],
    )
    .await;
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

fn ids(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_id"].as_str().unwrap())
        .collect()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

on_both_engines!(
    the_call_log_filters_and_pages,
    |db: common::TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (admin, specialist, doctor) = users(&app).await;
        let now = Utc::now();
        three_calls(&app, now).await;

        let (status, page) = app.get(&specialist, "/api/v1/calls").await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 3);
        assert_eq!(ids(&page), [TRANSFERRED, ACTIVE, ENDED], "newest first");
        assert!(page["items"][0].get("from").is_none(), "no caller number");

        for (query, expected) in [
            ("status=in_progress", vec![TRANSFERRED, ACTIVE]),
            ("status=ended", vec![ENDED]),
            ("status=active&transport=twilio", vec![ACTIVE]),
            ("transport=sip", vec![ENDED]),
            ("transport=sip&status=active", vec![]),
        ] {
            let (status, page) = app.get(&admin, &format!("/api/v1/calls?{query}")).await;
            assert_eq!(status, 200, "{query}: {page}");
            assert_eq!(ids(&page), expected, "{query}");
            assert_eq!(page["total"], expected.len(), "{query}");
        }
        // from is inclusive, to exclusive.
        let (from, to) = (
            rfc3339(now - Duration::minutes(2)),
            rfc3339(now - Duration::minutes(1)),
        );
        let (status, page) = app
            .get(&admin, &format!("/api/v1/calls?from={from}&to={to}"))
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(ids(&page), [ACTIVE]);
        // Paging keeps the order and the total.
        let (_, page) = app.get(&admin, "/api/v1/calls?per_page=2&page=2").await;
        assert_eq!((ids(&page), &page["total"]), (vec![ENDED], &json!(3)));

        for (query, field) in [
            ("status=ringing".to_string(), "status"),
            ("transport=pstn".to_string(), "transport"),
            (format!("from={to}&to={from}"), "from"),
        ] {
            let (status, body) = app.get(&admin, &format!("/api/v1/calls?{query}")).await;
            assert_eq!(status, 422, "{query}: {body}");
            assert_eq!(error_code(&body), "VALIDATION_ERROR");
            assert_eq!(
                body["error"]["details"]["fields"][0]["field"], field,
                "{body}"
            );
        }
        let (status, body) = app.get(&doctor, "/api/v1/calls").await;
        assert_eq!(status, 403, "{body}");

        // Listing is audited as a query.
        let (_, logs) = app
            .get(
                &admin,
                "/api/v1/admin/audit-logs?entity_type=call&entity_id=*",
            )
            .await;
        let items = logs["items"].as_array().unwrap();
        assert!(
            items
                .iter()
                .any(|l| l["type"] == "query" && l["description"] == "call list: 3 rows"),
            "{logs}"
        );
        app.stop().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_pages_per_role_with_timeline_player_and_live_list() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let (admin, _, _) = users(&app).await;
    three_calls(&app, Utc::now()).await;

    let specialist = sign_in(&app, "specialist@calls.test").await;
    let (status, home) = specialist.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("<a href=\"/calls\">Calls</a>"), "{home}");
    let pages = [
        "/calls".to_string(),
        "/calls?status=in_progress&transport=twilio&from=2020-01-01&to=2099-12-31".into(),
        "/calls/live".into(),
        format!("/calls/{ENDED}"),
        format!("/calls/{ACTIVE}"),
    ];
    let mut html = Vec::new();
    for page in &pages {
        let (status, body) = specialist.get(page).await;
        assert_eq!(status, 200, "{page}: {body}");
        assert_eq!(csp_problems(&body), Vec::<String>::new(), "{page}");
        assert!(body.contains("aria-current=\"page\">Calls<"), "{page}");
        html.push(body);
    }
    let [log, filtered, live, ended, active] = &html[..] else {
        unreachable!()
    };
    for id in [ENDED, ACTIVE, TRANSFERRED] {
        assert!(log.contains(&format!("href=\"/calls/{id}\"")), "{id}");
    }
    assert!(
        filtered.contains(ACTIVE) && !filtered.contains(ENDED) && !filtered.contains(TRANSFERRED)
    );
    assert!(
        filtered.contains("value=\"in_progress\" selected"),
        "the filter is kept"
    );
    assert!(
        live.contains("id=\"live-calls\" data-live=\"calls\""),
        "{live}"
    );
    assert!(live.contains(ACTIVE) && live.contains(TRANSFERRED) && !live.contains(ENDED));
    // The timeline, the last error and the player (the recording's route, seeking by Range).
    for text in [
        "call started",
        "authenticate",
        "call ended",
        "AUTHENTICATION_FAILED",
        "Caller verification failed",
        "retry_count",
    ] {
        assert!(ended.contains(text), "{text} missing");
    }
    assert!(
        ended.contains(&format!(
            "<audio controls preload=\"none\" src=\"/api/v1/calls/{ENDED}/recording\""
        )),
        "{ended}"
    );
    assert!(!active.contains("<audio"), "no recording, no player");

    // The player's request: the session cookie and a Range, answered in part and audited as a
    // play by this specialist.
    let r = specialist
        .get_range(&format!("/api/v1/calls/{ENDED}/recording"), "bytes=0-")
        .await;
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    assert_eq!(r.headers()["content-range"], "bytes 0-352043/352044");
    let (_, logs) = app
        .get(
            &admin,
            &format!("/api/v1/admin/audit-logs?entity_type=call_recording&entity_id={ENDED}"),
        )
        .await;
    let items = logs["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{logs}");
    assert_eq!(items[0]["type"], "export");
    assert_eq!(items[0]["agent_role"], "ivr_specialist", "{logs}");
    assert_eq!(
        items[0]["description"],
        "call recording played: bytes 0-352043 of 352044"
    );

    // A doctor has no calls: no nav item, and the pages say not allowed.
    let doctor = sign_in(&app, "doctor@calls.test").await;
    let (_, home) = doctor.get("/").await;
    assert!(!home.contains("href=\"/calls\""));
    let detail = format!("/calls/{ENDED}");
    for page in ["/calls", "/calls/live", detail.as_str()] {
        let (status, body) = doctor.get(page).await;
        assert_eq!(status, 403, "{page}");
        assert!(body.contains("FORBIDDEN"), "{body}");
    }
    // A date that is not one is the API's 422, shown as a page.
    let (status, body) = specialist.get("/calls?from=yesterday").await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = specialist.get("/calls/SIPnope").await;
    assert_eq!(status, 404);
    app.stop().await;
}

on_both_engines!(
    recording_ranges_are_slices_of_the_whole_file,
    |db: common::TestDb| async move {
        let app = TestApp::spawn(db).await;
        let (admin, specialist, doctor) = users(&app).await;
        three_calls(&app, Utc::now()).await;
        let path = format!("/api/v1/calls/{ENDED}/recording");
        let get = |range: Option<&str>| {
            let mut rq = app.http.get(app.url(&path)).bearer_auth(&specialist);
            if let Some(r) = range {
                rq = rq.header("range", r);
            }
            rq.send()
        };

        // The whole file: the WAV hound would write of the stored audio, byte for byte.
        let r = get(None).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["accept-ranges"], "bytes");
        assert_eq!(r.headers()["content-length"], "352044");
        let whole = r.bytes().await.unwrap().to_vec();
        let audio = recordings::audio(app.store(), ENDED)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(audio.len(), 11_000 * 16, "5 s, 5 s of silence, 1 s");
        let mut expected = std::io::Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(
            &mut expected,
            hound::WavSpec {
                channels: 2,
                sample_rate: 8000,
                bits_per_sample: 16,
                sample_format: hound::SampleFormat::Int,
            },
        )
        .unwrap();
        for &code in &audio {
            w.write_sample(careline_media::g711::ulaw_decode(code))
                .unwrap();
        }
        w.finalize().unwrap();
        assert!(
            whole == expected.into_inner(),
            "the streamed file is the WAV of the audio"
        );
        let total = whole.len() as u64;
        let mut plays = 1;

        // Header only, across the header's end, odd starts and ends inside a sample, across
        // the end of the first chunk into the lost one's silence and out of it into the last,
        // suffixes, open ends, and an end past the end of the file.
        for (range, first, last) in [
            ("bytes=0-43", 0, 43),
            ("bytes=0-0", 0, 0),
            ("bytes=40-59", 40, 59),
            ("bytes=45-1044", 45, 1044),
            ("bytes=160040-160049", 160_040, 160_049),
            ("bytes=320037-320052", 320_037, 320_052),
            ("bytes=100001-260000", 100_001, 260_000),
            ("bytes=-101", total - 101, total - 1),
            ("bytes=352000-", 352_000, total - 1),
            ("bytes=300000-999999999", 300_000, total - 1),
            ("bytes=-999999", 0, total - 1),
        ] {
            let r = get(Some(range)).await.unwrap();
            assert_eq!(r.status(), 206, "{range}");
            assert_eq!(
                r.headers()["content-range"],
                format!("bytes {first}-{last}/{total}").as_str(),
                "{range}"
            );
            assert_eq!(
                r.headers()["content-length"],
                (last - first + 1).to_string().as_str()
            );
            let part = r.bytes().await.unwrap();
            assert!(
                part[..] == whole[first as usize..=last as usize],
                "{range}: not the same bytes as the whole file's"
            );
            plays += 1;
        }
        // Several ranges, or a header that does not parse: the whole file.
        for range in ["bytes=0-1,5-6", "bytes=9-2", "pages=1-2"] {
            let r = get(Some(range)).await.unwrap();
            assert_eq!(r.status(), 200, "{range}");
            assert!(r.headers().get("content-range").is_none());
            assert!(r.bytes().await.unwrap()[..] == whole[..], "{range}");
            plays += 1;
        }
        // Past the end: 416 with the length, in the API's error form, no audio, no play.
        for range in ["bytes=352044-", "bytes=400000-400010", "bytes=-0"] {
            let r = get(Some(range)).await.unwrap();
            assert_eq!(r.status(), 416, "{range}");
            assert_eq!(r.headers()["content-range"], "bytes */352044");
            let body: Value = r.json().await.unwrap();
            assert_eq!(error_code(&body), "RANGE_NOT_SATISFIABLE", "{body}");
        }
        // The permission comes first: a doctor's range is refused, not answered in part.
        let r = app
            .http
            .get(app.url(&path))
            .bearer_auth(&doctor)
            .header("range", "bytes=0-10")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        // One audit record per answer with audio.
        let (_, logs) = app
            .get(
                &admin,
                &format!(
                    "/api/v1/admin/audit-logs?entity_type=call_recording&entity_id={ENDED}&per_page=100"
                ),
            )
            .await;
        let items = logs["items"].as_array().unwrap();
        assert_eq!(items.len(), plays, "{logs}");
        assert!(items.iter().all(|l| l["type"] == "export"));
        assert!(
            items
                .iter()
                .any(|l| l["description"] == "call recording played: bytes 45-1044 of 352044"),
            "{logs}"
        );
        app.stop().await;
    }
);

/// Times on the pages are the practice's (the menu file's `[practice] timezone`), each with
/// the zone's abbreviation: here Asia/Kolkata (UTC+05:30, no daylight saving), for a call at a
/// fixed moment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_show_times_in_the_practice_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let menu = include_str!("../crates/careline-call/src/default_ivr.toml").replace(
        "timezone = \"America/New_York\"",
        "timezone = \"Asia/Kolkata\"",
    );
    assert!(menu.contains("Asia/Kolkata"));
    let ivr_file = dir.path().join("ivr.toml");
    std::fs::write(&ivr_file, menu).unwrap();
    let config = careline::config::Config {
        ivr_file: Some(ivr_file),
        ..common::test_config()
    };
    let db = common::TestDb::new(common::Engine::Sqlite).await.unwrap();
    let app = TestApp::spawn_with(db, config).await;
    users(&app).await;
    let t0: DateTime<Utc> = "2026-07-01T16:30:00Z".parse().unwrap();
    record_call(
        &app,
        ENDED,
        "sip",
        "ended",
        t0,
        &[
            event(t0, t0, "call_started", "success"),
            event(t0 + Duration::seconds(95), t0, "call_ended", "completed"),
        ],
    )
    .await;
    let admin = sign_in(&app, "admin@calls.test").await;
    let (status, page) = admin.get(&format!("/calls/{ENDED}")).await;
    assert_eq!(status, 200, "{page}");
    // 16:30 UTC is 22:00 in India; the call ended at 22:01:35.
    assert!(page.contains("2026-07-01 22:00 IST"), "{page}");
    assert!(page.contains("2026-07-01 22:01 IST"), "{page}");
    assert!(page.contains("22:01:35 IST"), "{page}");
    assert!(!page.contains("16:30"), "no UTC time left on the page");
    app.stop().await;
}
