//! The appointment book through the API, on both engines: each booking rule refused with its
//! own code, fifty clients racing for one slot (exactly one wins), the lifecycle with its
//! history, idempotent booking, and practice scoping. Times are computed from the clock and
//! the practice's time zone, never pinned, so the tests hold on any day.

mod common;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use common::{TestApp, error_code};
use serde_json::{Value, json};

const TZ: chrono_tz::Tz = chrono_tz::America::Chicago;

/// The demo practice, made open every day 8 to 5 with one holiday, and both its providers
/// working every day 9 to 5 with lunch 12 to 1, so any day the tests pick is a working day.
struct Practice {
    app: TestApp,
    admin: String,
    reception: String,
    org: String,
    patel: String,
    chen: String,
    eleanor: String,
    samuel: String,
    /// A working day at least three days ahead; the holiday is the day after it.
    day: NaiveDate,
}

fn at(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    TZ.from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()))
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

async fn practice(db: common::TestDb) -> Practice {
    careline::demo::seed(&db.store).await.unwrap();
    let app = TestApp::spawn(db).await;
    let admin = app.token("admin@demo.careline.test").await;
    let reception = app.token("reception@demo.careline.test").await;
    let (_, me) = app.get(&reception, "/api/v1/auth/me").await;
    let org = me["organization_id"]
        .as_str()
        .expect("receptionist's practice")
        .to_string();
    let day = (Utc::now() + Duration::days(3))
        .with_timezone(&TZ)
        .date_naive();
    let (status, mut config) = app
        .get(
            &admin,
            &format!("/api/v1/organizations/{org}/practice-configuration"),
        )
        .await;
    assert_eq!(status, 200, "{config}");
    let open = json!({"open": "08:00", "close": "17:00"});
    for d in [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ] {
        config["business_hours"][d] = open.clone();
    }
    config["holiday_schedule"] =
        json!([{"date": day + Duration::days(1), "name": "Staff training"}]);
    let (status, body) = app
        .put(
            &admin,
            &format!("/api/v1/organizations/{org}/practice-configuration"),
            config,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, providers) = app.get(&admin, "/api/v1/providers").await;
    let provider = |name: &str| {
        providers
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["full_name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (patel, chen) = (provider("Dr. Priya Patel"), provider("Dr. Marcus Chen"));
    let work =
        json!({"start": "09:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "13:00"}]});
    let week: Value = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .iter()
    .map(|d| (d.to_string(), work.clone()))
    .collect::<serde_json::Map<_, _>>()
    .into();
    for p in [&patel, &chen] {
        let (status, body) = app
            .put(
                &admin,
                &format!("/api/v1/providers/{p}/schedule"),
                week.clone(),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, patients) = app.get(&reception, "/api/v1/patients").await;
    let patient = |last: &str| {
        patients["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["last_name"] == last)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    Practice {
        eleanor: patient("Brooks"),
        samuel: patient("Ortiz"),
        app,
        admin,
        reception,
        org,
        patel,
        chen,
        day,
    }
}

impl Practice {
    async fn book(
        &self,
        provider: &str,
        patient: &str,
        ty: &str,
        start: DateTime<Utc>,
    ) -> (u16, Value) {
        self.app
            .post(
                &self.reception,
                "/api/v1/appointments",
                json!({"provider_id": provider, "patient_id": patient, "appointment_type": ty, "starts_at": start}),
            )
            .await
    }
}

on_both_engines!(each_broken_rule_has_its_own_code, |db| async move {
    let p = practice(db).await;
    let day = p.day;
    let refused = |status: u16, body: &Value| (status, error_code(body).to_string());
    // (what, provider, type, start, status, code)
    type Case<'a> = (&'a str, &'a str, &'a str, DateTime<Utc>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "past",
            &p.patel,
            "routine_exam",
            Utc::now() - Duration::hours(1),
            422,
            "APPOINTMENT_IN_PAST",
        ),
        // Routine exams need 24 hours' notice; an urgent visit does not.
        (
            "too soon",
            &p.patel,
            "routine_exam",
            Utc::now() + Duration::hours(2),
            422,
            "BOOKING_TOO_SOON",
        ),
        (
            "too far",
            &p.patel,
            "routine_exam",
            Utc::now() + Duration::days(70),
            422,
            "BOOKING_TOO_FAR_AHEAD",
        ),
        (
            "off the grid",
            &p.patel,
            "routine_exam",
            at(day, 10, 5),
            422,
            "SLOT_NOT_ALIGNED",
        ),
        (
            "holiday",
            &p.patel,
            "routine_exam",
            at(day + Duration::days(1), 10, 0),
            422,
            "PRACTICE_CLOSED",
        ),
        (
            "after closing",
            &p.patel,
            "routine_exam",
            at(day, 16, 45),
            422,
            "OUTSIDE_PRACTICE_HOURS",
        ),
        (
            "before the provider starts",
            &p.patel,
            "routine_exam",
            at(day, 8, 0),
            422,
            "PROVIDER_UNAVAILABLE",
        ),
        (
            "lunch",
            &p.patel,
            "routine_exam",
            at(day, 11, 45),
            422,
            "PROVIDER_UNAVAILABLE",
        ),
        (
            "unknown type",
            &p.patel,
            "eye_surgery",
            at(day, 10, 0),
            422,
            "UNKNOWN_APPOINTMENT_TYPE",
        ),
        (
            "unknown provider",
            "00000000-0000-7000-8000-000000000000",
            "routine_exam",
            at(day, 10, 0),
            422,
            "UNKNOWN_PROVIDER",
        ),
    ];
    for (what, provider, ty, start, status, code) in cases {
        let (s, body) = p.book(provider, &p.eleanor, ty, start).await;
        assert_eq!(
            refused(s, &body),
            (status, code.to_string()),
            "{what}: {body}"
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.len() > 20 && !message.contains("Refusal"),
            "{what}: a message for people: {message}"
        );
    }
    // Nothing was written by any refusal.
    let (_, list) = p
        .app
        .get(
            &p.admin,
            &format!(
                "/api/v1/appointments?patient_id={}&status=requested",
                p.eleanor
            ),
        )
        .await;
    let before = list["total"].as_u64().unwrap();

    let (s, ok) = p
        .book(&p.patel, &p.eleanor, "routine_exam", at(day, 10, 0))
        .await;
    assert_eq!(s, 201, "{ok}");
    let number = ok["confirmation_number"].as_str().unwrap();
    assert_eq!(number.len(), 8);
    assert_eq!(ok["status"], "requested");
    assert_eq!(ok["created_via"], "staff");
    // The provider is taken for the next half hour; the patient cannot be in two places.
    let (s, body) = p
        .book(&p.patel, &p.samuel, "follow_up", at(day, 10, 15))
        .await;
    assert_eq!(
        refused(s, &body),
        (409, "SLOT_UNAVAILABLE".into()),
        "{body}"
    );
    let (s, body) = p
        .book(&p.chen, &p.eleanor, "follow_up", at(day, 10, 15))
        .await;
    assert_eq!(
        refused(s, &body),
        (422, "PATIENT_DOUBLE_BOOKED".into()),
        "{body}"
    );
    // Right after it, both are free.
    let (s, body) = p
        .book(&p.patel, &p.samuel, "follow_up", at(day, 10, 30))
        .await;
    assert_eq!(s, 201, "{body}");
    let (_, list) = p
        .app
        .get(
            &p.admin,
            &format!(
                "/api/v1/appointments?patient_id={}&status=requested",
                p.eleanor
            ),
        )
        .await;
    assert_eq!(list["total"].as_u64().unwrap(), before + 1);

    // The slots offered are the ones that can be booked, and the booked time is gone.
    let (s, slots) = p
        .app
        .get(&p.reception, &format!("/api/v1/appointments/slots?provider_id={}&appointment_type=routine_exam&from={day}&to={day}", p.patel))
        .await;
    assert_eq!(s, 200, "{slots}");
    let shown: Vec<String> = slots["starts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap()
                .parse::<DateTime<Utc>>()
                .unwrap()
                .with_timezone(&TZ)
                .format("%H:%M")
                .to_string()
        })
        .collect();
    assert_eq!(
        shown.first().map(String::as_str),
        Some("09:00"),
        "{shown:?}"
    );
    for gone in [
        "09:45", "10:00", "10:15", "10:30", "11:45", "12:00", "12:30", "16:45",
    ] {
        assert!(
            !shown.contains(&gone.to_string()),
            "{gone} offered: {shown:?}"
        );
    }
    for open in ["09:30", "10:45", "13:00", "16:30"] {
        assert!(
            shown.contains(&open.to_string()),
            "{open} not offered: {shown:?}"
        );
    }
    let (s, body) = p
        .app
        .get(&p.reception, &format!("/api/v1/appointments/slots?provider_id={}&appointment_type=routine_exam&from={day}&to={}", p.patel, day + Duration::days(100)))
        .await;
    assert_eq!(refused(s, &body), (422, "VALIDATION_ERROR".into()));
    p.app.stop().await;
});

on_both_engines!(
    fifty_clients_racing_for_one_slot_one_wins,
    |db| async move {
        let p = practice(db).await;
        // Fifty patients, each booked by their own request, at the same or an overlapping time.
        let doctor =
            careline_store::users::credentials(&p.app.db.store, "dr.patel@demo.careline.test")
                .await
                .unwrap()
                .unwrap()
                .user
                .id;
        let mut patients = Vec::new();
        for n in 0..50 {
            let (s, body) = p
            .app
            .post(
                &p.reception,
                "/api/v1/patients",
                json!({"first_name": "Racer", "last_name": format!("Number{n}"), "date_of_birth": "1980-01-01", "doctor_id": doctor}),
            )
            .await;
            assert_eq!(s, 201, "{body}");
            patients.push(body["id"].as_str().unwrap().to_string());
        }
        let start = at(p.day, 14, 0);
        let requests = patients.iter().enumerate().map(|(n, patient)| {
            let offset = if n % 2 == 0 { 0 } else { 15 };
            p.book(
                &p.patel,
                patient,
                "routine_exam",
                start + Duration::minutes(offset),
            )
        });
        let results = futures_util::future::join_all(requests).await;
        let won: Vec<&Value> = results
            .iter()
            .filter(|(s, _)| *s == 201)
            .map(|(_, b)| b)
            .collect();
        let lost: Vec<&(u16, Value)> = results.iter().filter(|(s, _)| *s != 201).collect();
        assert_eq!(won.len(), 1, "exactly one booking wins: {results:?}");
        for (s, body) in &lost {
            assert_eq!((*s, error_code(body)), (409, "SLOT_UNAVAILABLE"), "{body}");
        }
        // The database holds one appointment in that hour for the provider.
        let (_, list) = p
            .app
            .get(
                &p.admin,
                &format!(
                    "/api/v1/appointments?provider_id={}&from={}&to={}",
                    p.patel,
                    (start - Duration::minutes(30))
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    (start + Duration::minutes(60))
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            )
            .await;
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["items"][0]["id"], won[0]["id"]);
        p.app.stop().await;
    }
);

on_both_engines!(an_appointment_keeps_every_change, |db| async move {
    let p = practice(db).await;
    let day = p.day;
    let key = uuid::Uuid::new_v4().to_string();
    let body = json!({"provider_id": p.chen, "patient_id": p.samuel, "appointment_type": "routine_exam",
        "starts_at": at(day, 9, 0), "idempotency_key": key, "special_instructions": "Bring your glasses"});
    let (s, first) = p
        .app
        .post(&p.reception, "/api/v1/appointments", body.clone())
        .await;
    assert_eq!(s, 201, "{first}");
    // A double submit returns the same booking.
    let (s, again) = p.app.post(&p.reception, "/api/v1/appointments", body).await;
    assert_eq!((s, &again["id"]), (201, &first["id"]), "{again}");
    let id = first["id"].as_str().unwrap();
    let step = |action: &'static str, body: Value| {
        let path = format!("/api/v1/appointments/{id}/{action}");
        let app = &p.app;
        let token = p.reception.clone();
        async move { app.post(&token, &path, body).await }
    };
    let (s, a) = step("confirm", json!({})).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("confirmed")), "{a}");
    let (s, a) = step("confirm", json!({})).await;
    assert_eq!(
        (s, error_code(&a)),
        (409, "INVALID_STATUS_TRANSITION"),
        "{a}"
    );
    let (s, a) = step("complete", json!({})).await;
    assert_eq!((s, error_code(&a)), (422, "APPOINTMENT_NOT_STARTED"), "{a}");
    // Moved to the afternoon: the morning is free again at once.
    let (s, a) = step(
        "reschedule",
        json!({"starts_at": at(day, 14, 0), "reason": "patient asked"}),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(
        a["starts_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        at(day, 14, 0)
    );
    assert_eq!(a["status"], "confirmed");
    let (s, b) = p
        .book(&p.chen, &p.eleanor, "routine_exam", at(day, 9, 0))
        .await;
    assert_eq!(s, 201, "{b}");
    // Cancelling with no body at all, then the afternoon is free too.
    let r = p
        .app
        .http
        .post(p.app.url(&format!("/api/v1/appointments/{id}/cancel")))
        .bearer_auth(&p.reception)
        .send()
        .await
        .unwrap();
    let (s, a) = common::split(r).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("cancelled")), "{a}");
    let (s, a) = step("reschedule", json!({"starts_at": at(day, 15, 0)})).await;
    assert_eq!(
        (s, error_code(&a)),
        (409, "INVALID_STATUS_TRANSITION"),
        "{a}"
    );
    let (s, b) = p
        .book(&p.chen, &p.eleanor, "follow_up", at(day, 14, 0))
        .await;
    assert_eq!(s, 201, "{b}");

    let (s, history) = p
        .app
        .get(&p.reception, &format!("/api/v1/appointments/{id}/history"))
        .await;
    assert_eq!(s, 200, "{history}");
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["book", "confirm", "reschedule", "cancel"]);
    let moved = &history[2];
    assert_eq!(moved["channel"], "staff");
    assert_eq!(moved["reason"], "patient asked");
    assert_eq!(
        moved["from_starts_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        at(day, 9, 0)
    );
    assert_eq!(history[3]["from_status"], "confirmed");
    assert_eq!(history[3]["to_status"], "cancelled");
    let (_, got) = p
        .app
        .get(&p.reception, &format!("/api/v1/appointments/{id}"))
        .await;
    assert_eq!(got["special_instructions"], "Bring your glasses");
    assert_eq!(got["openemr_sync_status"], "pending");
    p.app.stop().await;
});

on_both_engines!(practices_see_only_their_own_book, |db| async move {
    let p = practice(db).await;
    let (s, a) = p
        .book(&p.patel, &p.eleanor, "routine_exam", at(p.day, 11, 0))
        .await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_str().unwrap();
    for (who, status) in [
        ("nurse@demo.careline.test", 200),
        ("manager@demo.careline.test", 200),
        ("dr.patel@demo.careline.test", 200),
        // Dr. Chen is not Eleanor's doctor nor her provider here.
        ("dr.chen@demo.careline.test", 404),
        // The wound-care business's people are not in this practice.
        ("doctor@demo.careline.test", 404),
    ] {
        let token = p.app.token(who).await;
        let (s, body) = p
            .app
            .get(&token, &format!("/api/v1/appointments/{id}"))
            .await;
        assert_eq!(s, status, "{who}: {body}");
    }
    let sales = p.app.token("sales@demo.careline.test").await;
    let (s, body) = p.app.get(&sales, "/api/v1/appointments").await;
    assert_eq!((s, error_code(&body)), (403, "FORBIDDEN"));
    // A doctor of another business cannot book with this practice's providers.
    let lee = p.app.token("doctor@demo.careline.test").await;
    let (s, body) = p
        .app
        .get(
            &lee,
            &format!(
                "/api/v1/appointments/slots?provider_id={}&appointment_type=routine_exam",
                p.patel
            ),
        )
        .await;
    assert_eq!((s, error_code(&body)), (422, "UNKNOWN_PROVIDER"), "{body}");

    // The configuration: read by the practice, changed only by its manager, every field checked.
    let path = format!("/api/v1/organizations/{}/practice-configuration", p.org);
    let (s, config) = p.app.get(&p.reception, &path).await;
    assert_eq!(s, 200, "{config}");
    let version = config["version"].as_i64().unwrap();
    let (s, body) = p.app.put(&p.reception, &path, config.clone()).await;
    assert_eq!((s, error_code(&body)), (403, "FORBIDDEN"));
    let manager = p.app.token("manager@demo.careline.test").await;
    let mut bad = config.clone();
    bad["time_zone"] = json!("Mars/Olympus");
    bad["appointment_types"][0]["duration_minutes"] = json!(20);
    bad["business_hours"]["monday"] = json!({"open": "17:00", "close": "08:00"});
    let (s, body) = p.app.put(&manager, &path, bad).await;
    assert_eq!((s, error_code(&body)), (422, "VALIDATION_ERROR"), "{body}");
    let text = body.to_string();
    for field in [
        "time_zone",
        "appointment_types[0].duration_minutes",
        "business_hours.monday",
    ] {
        assert!(text.contains(field), "{field} not named: {body}");
    }
    let mut typo = config.clone();
    typo["buisness_hours"] = json!({});
    let (s, body) = p.app.put(&manager, &path, typo).await;
    assert_eq!(
        (s, error_code(&body)),
        (422, "VALIDATION_ERROR"),
        "a misspelt field is refused: {body}"
    );
    let mut good = config.clone();
    good["voice_agent_greeting"] = json!("Welcome to Capitol Eye Care.");
    good["ehr"] = json!({"system": "openemr", "base_url": "https://ehr.example.org/apis/default/fhir", "auth": "smart_backend", "client_id": "careline", "secret": "s3cret-value"});
    let (s, saved) = p.app.put(&manager, &path, good.clone()).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["version"].as_i64().unwrap(), version + 1);
    assert_eq!(saved["ehr"]["secret_set"], true);
    assert!(
        !saved.to_string().contains("s3cret-value"),
        "the secret is write-only"
    );
    // A stale version is refused rather than overwriting the change.
    let (s, body) = p.app.put(&manager, &path, good).await;
    assert_eq!((s, error_code(&body)), (409, "VERSION_CONFLICT"), "{body}");
    // The secret is sealed in the database.
    assert!(!p.app.db.raw_text().await.contains("s3cret-value"));
    // Another practice's configuration is not there for this manager.
    let other = careline_store::directory::create_organization(
        &p.app.db.store,
        "Elsewhere",
        "practice",
        Utc::now(),
    )
    .await
    .unwrap();
    let (s, _) = p
        .app
        .get(
            &manager,
            &format!("/api/v1/organizations/{}/practice-configuration", other.id),
        )
        .await;
    assert_eq!(s, 404);
    p.app.stop().await;
});
