//! Clinical requests end to end through the HTTP API, on the demo practice (Capitol Eye
//! Care: Dr. Patel and her patient Eleanor Brooks, Dr. Chen and his patient Samuel Ortiz, a
//! nurse, a receptionist and a practice manager), beside the wound-care demo doctor (Dr. Lee,
//! patient Maria Gonzalez): lab results and what the phone may say of them, medications and
//! refill requests, messages for providers and their routing, prior authorizations and the
//! local payer simulator, and who may see and do what.

mod common;

use careline_domain::clinical::{LabFlag, MessageUrgency, PhoneLabAnswer};
use careline_domain::{Actor, Role};
use chrono::{Datelike, Duration, TimeZone, Utc, Weekday};
use common::{TestApp, error_code, s};
use serde_json::{Value, json};
use uuid::Uuid;

struct Demo {
    app: TestApp,
    admin: String,
    patel: String,
    chen: String,
    lee: String,
    nurse: String,
    reception: String,
    manager: String,
    patel_id: Uuid,
    chen_id: Uuid,
    practice: Uuid,
    eleanor: String,
    samuel: String,
    maria: String,
}

async fn user_id(app: &TestApp, email: &str) -> careline_store::users::User {
    careline_store::users::credentials(app.store(), email)
        .await
        .unwrap()
        .unwrap()
        .user
}

async fn demo(db: common::TestDb) -> Demo {
    careline::demo::seed(&db.store).await.unwrap();
    let app = TestApp::spawn(db).await;
    let admin = app.token("admin@demo.careline.test").await;
    let (status, patients) = app.get(&admin, "/api/v1/patients?per_page=200").await;
    assert_eq!(status, 200, "{patients}");
    let find = |last: &str| {
        patients["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["last_name"] == last)
            .map(|p| s(&p["id"]))
            .unwrap_or_else(|| panic!("no demo patient {last}"))
    };
    let (eleanor, samuel, maria) = (find("Brooks"), find("Ortiz"), find("Gonzalez"));
    let patel = user_id(&app, "dr.patel@demo.careline.test").await;
    let chen = user_id(&app, "dr.chen@demo.careline.test").await;
    Demo {
        patel: app.token("dr.patel@demo.careline.test").await,
        chen: app.token("dr.chen@demo.careline.test").await,
        lee: app.token("doctor@demo.careline.test").await,
        nurse: app.token("nurse@demo.careline.test").await,
        reception: app.token("reception@demo.careline.test").await,
        manager: app.token("manager@demo.careline.test").await,
        practice: patel.organization_id.unwrap(),
        patel_id: patel.id,
        chen_id: chen.id,
        admin,
        eleanor,
        samuel,
        maria,
        app,
    }
}

fn ids(list: &Value) -> Vec<String> {
    let items = list
        .get("items")
        .and_then(Value::as_array)
        .or(list.as_array())
        .unwrap();
    items.iter().map(|i| s(&i["id"])).collect()
}

on_both_engines!(
    lab_results_are_entered_released_and_disclosed_by_policy,
    |db| async move {
        let d = demo(db).await;
        let app = &d.app;
        // The demo's three results for Eleanor: normal released, abnormal released, one pending.
        let path = format!("/api/v1/patients/{}/lab-results", d.eleanor);
        let (status, demo_results) = app.get(&d.patel, &path).await;
        assert_eq!(status, 200, "{demo_results}");
        let demo_results = demo_results.as_array().unwrap().clone();
        assert_eq!(demo_results.len(), 3, "{demo_results:?}");
        let by = |flag: &str, status: &str| {
            demo_results
                .iter()
                .find(|r| r["flag"] == flag && r["status"] == status)
                .map(|r| s(&r["id"]))
                .unwrap_or_else(|| panic!("no {flag} {status} result"))
        };
        let normal_released = by("normal", "released");
        let abnormal_released = by("abnormal", "released");
        let normal_pending = by("normal", "pending_review");
        assert!(demo_results[0]["test_name"].as_str().is_some());

        // The nurse enters a critical result; she cannot release it, Dr. Patel can, once.
        let (status, critical) = app
            .post(
                &d.nurse,
                "/api/v1/lab-results",
                json!({"patient_id": d.eleanor, "test_name": "Potassium", "value": "6.8",
                   "unit": "mmol/L", "reference_range": "3.5-5.1", "flag": "critical",
                   "collected_at": Utc::now() - Duration::hours(4)}),
            )
            .await;
        assert_eq!(status, 201, "{critical}");
        assert_eq!(critical["status"], "pending_review");
        assert_eq!(critical["value"], "6.8");
        let critical_id = s(&critical["id"]);
        let release = format!("/api/v1/lab-results/{critical_id}/release");
        let (status, body) = app.post(&d.nurse, &release, json!({})).await;
        assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));
        let (status, released) = app.post(&d.patel, &release, json!({})).await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["status"], "released");
        assert_eq!(released["released_by"], d.patel_id.to_string());
        let (status, body) = app.post(&d.patel, &release, json!({})).await;
        assert_eq!(
            (status, error_code(&body)),
            (409, "INVALID_STATUS_TRANSITION")
        );

        // Bad input is named field by field; an unknown patient is refused with a code.
        let (status, body) = app
            .post(
                &d.nurse,
                "/api/v1/lab-results",
                json!({"patient_id": d.eleanor, "test_name": " ", "value": "1", "flag": "normal",
                   "collected_at": Utc::now() + Duration::days(2)}),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        let fields = body["error"]["details"]["fields"].to_string();
        assert!(
            fields.contains("test_name") && fields.contains("collected_at"),
            "{fields}"
        );
        let (status, body) = app
        .post(
            &d.nurse,
            "/api/v1/lab-results",
            json!({"patient_id": Uuid::new_v4(), "test_name": "X", "value": "1", "flag": "normal",
                   "collected_at": Utc::now() - Duration::hours(1)}),
        )
        .await;
        assert_eq!((status, error_code(&body)), (422, "UNKNOWN_PATIENT"));

        // Scope: Dr. Chen (same practice, not her doctor), Dr. Lee (another practice) and a
        // nurse of no practice do not see Eleanor's results; the receptionist may not read any.
        for token in [&d.chen, &d.lee] {
            let (status, body) = app.get(token, &path).await;
            assert_eq!((status, error_code(&body)), (404, "PATIENT_NOT_FOUND"));
        }
        app.user("outside.nurse@clinical.test", Role::Nurse, None)
            .await;
        let outsider = app.token("outside.nurse@clinical.test").await;
        let (status, _) = app.get(&outsider, &path).await;
        assert_eq!(status, 404);
        let (status, body) = app.get(&d.reception, &path).await;
        assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));
        let missing = format!("/api/v1/lab-results/{}/release", Uuid::new_v4());
        let (status, body) = app.post(&d.patel, &missing, json!({})).await;
        assert_eq!((status, error_code(&body)), (404, "LAB_RESULT_NOT_FOUND"));

        // What the phone says under the default policy.
        let store = app.store();
        let eleanor: Uuid = d.eleanor.parse().unwrap();
        let answers = careline_store::lab_results::answer_caller(store, eleanor, true, Utc::now())
            .await
            .unwrap();
        let answer = |id: &str| {
            answers
                .iter()
                .find(|a| a.lab_result_id.to_string() == id)
                .unwrap()
                .clone()
        };
        assert_eq!(answer(&normal_released).answer, PhoneLabAnswer::Normal);
        assert!(answer(&normal_released).test_name.is_some());
        assert_eq!(
            answer(&abnormal_released).answer,
            PhoneLabAnswer::ProviderWillCall
        );
        assert!(answer(&abnormal_released).test_name.is_none());
        assert_eq!(
            answer(&critical_id).answer,
            PhoneLabAnswer::ProviderWillCall
        );
        assert_eq!(
            answer(&normal_pending).answer,
            PhoneLabAnswer::NotAvailableYet
        );
        // A callback task for Dr. Patel about each result she must call about, and only one
        // however often the caller asks.
        careline_store::lab_results::answer_caller(store, eleanor, true, Utc::now())
            .await
            .unwrap();
        for id in [&abnormal_released, &critical_id] {
            let tasks = careline_store::provider_tasks::for_subject(store, id.parse().unwrap())
                .await
                .unwrap();
            assert_eq!(tasks.len(), 1, "{tasks:?}");
            assert_eq!(tasks[0].kind, "lab_callback");
            assert_eq!(tasks[0].provider_user_id, Some(d.patel_id));
        }
        assert!(
            careline_store::provider_tasks::for_subject(store, normal_pending.parse().unwrap())
                .await
                .unwrap()
                .is_empty()
        );
        // Dr. Patel's task list names both callbacks; Dr. Chen's and the front desk's do not.
        let (status, tasks) = d.app.get(&d.patel, "/api/v1/provider-tasks").await;
        assert_eq!(status, 200, "{tasks}");
        let subjects: Vec<String> = tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"] == "lab_callback")
            .map(|t| s(&t["subject_id"]))
            .collect();
        for id in [&abnormal_released, &critical_id] {
            assert!(subjects.contains(id), "{id} not in {tasks}");
        }
        let (_, chen_tasks) = d.app.get(&d.chen, "/api/v1/provider-tasks").await;
        assert!(
            !chen_tasks.to_string().contains(critical_id.as_str()),
            "{chen_tasks}"
        );
        let (status, _) = d.app.get(&d.reception, "/api/v1/provider-tasks").await;
        assert_eq!(status, 403);
        let (status, _) = d
            .app
            .get(&d.patel, "/api/v1/provider-tasks?status=someday")
            .await;
        assert_eq!(status, 422);
        // An unverified caller hears nothing about results.
        let unverified =
            careline_store::lab_results::answer_caller(store, eleanor, false, Utc::now())
                .await
                .unwrap();
        assert!(
            unverified
                .iter()
                .all(|a| a.answer == PhoneLabAnswer::VerifyFirst)
        );

        // The practice relaxes the release rule: a normal result is read out before release;
        // abnormal still is not.
        let mut config = careline_store::practice::get(store, d.practice)
            .await
            .unwrap()
            .unwrap();
        config.settings.lab_result_disclosure.require_release = false;
        careline_store::practice::put(
            store,
            d.practice,
            &config.settings,
            careline_store::practice::EhrChange::Keep,
            None,
            None,
            Utc::now(),
        )
        .await
        .unwrap();
        let (status, shown) = app
            .get(
                &d.manager,
                &format!(
                    "/api/v1/organizations/{}/practice-configuration",
                    d.practice
                ),
            )
            .await;
        assert_eq!(status, 200, "{shown}");
        assert_eq!(
            shown["settings"]["lab_result_disclosure"]["require_release"]
                .as_bool()
                .or(shown["lab_result_disclosure"]["require_release"].as_bool()),
            Some(false),
            "{shown}"
        );
        let relaxed = careline_store::lab_results::answer_caller(store, eleanor, true, Utc::now())
            .await
            .unwrap();
        let find = |id: &str| {
            relaxed
                .iter()
                .find(|a| a.lab_result_id.to_string() == id)
                .unwrap()
                .answer
        };
        assert_eq!(find(&normal_pending), PhoneLabAnswer::Normal);
        assert_eq!(find(&abnormal_released), PhoneLabAnswer::ProviderWillCall);

        // Every read was audited with the records it touched.
        let audit = careline_store::audit::search(
            store,
            &careline_store::audit::AuditFilter {
                agent_user_id: Some(d.patel_id),
                ..Default::default()
            },
            1,
            200,
        )
        .await
        .unwrap();
        let audit = format!("{:?}", audit.items);
        assert!(
            audit.contains("lab results listed") && audit.contains("lab result released"),
            "the reads and the release were not audited: {audit}"
        );
        d.app.stop().await;
    }
);

on_both_engines!(
    refill_requests_are_flagged_and_decided_by_the_provider,
    |db| async move {
        let d = demo(db).await;
        let app = &d.app;
        let meds_path = format!("/api/v1/patients/{}/medications", d.eleanor);
        let (status, meds) = app.get(&d.nurse, &meds_path).await;
        assert_eq!(status, 200, "{meds}");
        let med = |needle: &str| {
            meds.as_array()
                .unwrap()
                .iter()
                .find(|m| m["name"].as_str().unwrap().contains(needle))
                .unwrap_or_else(|| panic!("no {needle}"))
                .clone()
        };
        let alprazolam = med("Alprazolam");
        let latanoprost = med("Latanoprost");
        assert_eq!(alprazolam["controlled_substance"], true);
        assert_eq!(alprazolam["dea_schedule"], "IV");
        assert_eq!(latanoprost["controlled_substance"], false);

        // Medications added by the nurse: one filled five days ago, one with no refills left, and
        // gabapentin, which is not federally controlled.
        let today = Utc::now().date_naive();
        let add = |body: Value| {
            let path = meds_path.clone();
            let token = d.nurse.clone();
            async move {
                let (status, m) = app.post(&token, &path, body).await;
                assert_eq!(status, 201, "{m}");
                m
            }
        };
        let timolol = add(json!({"name": "Timolol 0.5% eye drops", "days_supply": 30,
        "refills_remaining": 2, "last_filled_on": today - Duration::days(5)}))
        .await;
        let brimonidine = add(
            json!({"name": "Brimonidine 0.2% eye drops", "days_supply": 30,
        "refills_remaining": 0, "last_filled_on": today - Duration::days(28)}),
        )
        .await;
        let gabapentin = add(json!({"name": "Gabapentin 300 mg capsule"})).await;
        assert_eq!(gabapentin["controlled_substance"], false);
        let (status, body) = app
            .post(&d.nurse, &meds_path, json!({"name": "", "days_supply": 0}))
            .await;
        assert_eq!((status, error_code(&body)), (422, "VALIDATION_ERROR"));

        let refill = |token: String, medication: &Value| {
            let body = json!({"patient_id": d.eleanor, "medication_id": medication["id"]});
            async move { app.post(&token, "/api/v1/refill-requests", body).await }
        };
        // The receptionist takes a refill of the controlled substance: never automatic, flagged
        // with its schedule, and the caller is told the provider must handle it.
        let (status, controlled) = refill(d.reception.clone(), &alprazolam).await;
        assert_eq!(status, 201, "{controlled}");
        assert_eq!(controlled["status"], "pending");
        assert_eq!(controlled["controlled_substance"], true);
        assert_eq!(controlled["dea_schedule"], "IV");
        assert_eq!(
            controlled["caller_prompt"],
            "refill_controlled_provider_must_handle"
        );
        let tasks = careline_store::provider_tasks::for_subject(
            app.store(),
            s(&controlled["id"]).parse().unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(
            (tasks[0].kind.as_str(), tasks[0].provider_user_id),
            ("refill_review", Some(d.patel_id))
        );

        let (_, early) = refill(d.nurse.clone(), &timolol).await;
        assert_eq!(early["too_early"], true, "{early}");
        assert_eq!(early["controlled_substance"], false);
        assert_eq!(
            early["earliest_refill_on"],
            (today - Duration::days(5) + Duration::days(23)).to_string()
        );
        assert_eq!(early["caller_prompt"], "refill_too_early");
        let (_, empty) = refill(d.nurse.clone(), &brimonidine).await;
        assert_eq!(empty["no_refills_remaining"], true, "{empty}");
        assert_eq!(empty["too_early"], false);
        assert_eq!(empty["caller_prompt"], "refill_none_remaining");
        let (_, ordinary) = refill(d.nurse.clone(), &latanoprost).await;
        assert_eq!(ordinary["too_early"], false, "{ordinary}");
        assert_eq!(ordinary["no_refills_remaining"], false);
        assert_eq!(ordinary["caller_prompt"], "refill_sent_to_provider");

        // The phone takes a request the same way, for the patient it verified.
        let by_phone = careline_store::refills::request(
            app.store(),
            careline_store::refills::RequestedBy::Phone {
                call_id: "SIMclinicalrefill",
            },
            d.eleanor.parse().unwrap(),
            s(&alprazolam["id"]).parse().unwrap(),
            None,
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(by_phone.channel, "phone");
        assert!(by_phone.controlled_substance);
        assert_eq!(
            by_phone.caller_prompt,
            "refill_controlled_provider_must_handle"
        );

        // A medication the patient does not have: 422 with a code.
        let (status, body) = app
            .post(
                &d.nurse,
                "/api/v1/refill-requests",
                json!({"patient_id": d.eleanor, "medication_id": Uuid::new_v4()}),
            )
            .await;
        assert_eq!((status, error_code(&body)), (422, "UNKNOWN_MEDICATION"));
        let (status, body) = app
            .post(
                &d.nurse,
                "/api/v1/refill-requests",
                json!({"patient_id": d.samuel, "medication_id": latanoprost["id"]}),
            )
            .await;
        assert_eq!((status, error_code(&body)), (422, "UNKNOWN_MEDICATION"));

        // The queue, filtered.
        let (status, pending) = app
            .get(
                &d.nurse,
                &format!(
                    "/api/v1/refill-requests?status=pending&patient_id={}",
                    d.eleanor
                ),
            )
            .await;
        assert_eq!(status, 200, "{pending}");
        assert_eq!(pending["total"], 5, "{pending}");
        let (status, body) = app
            .get(&d.nurse, "/api/v1/refill-requests?status=sent")
            .await;
        assert_eq!((status, error_code(&body)), (422, "VALIDATION_ERROR"));

        // Only the provider decides; a decision is final and closes the task.
        let approve = format!("/api/v1/refill-requests/{}/approve", s(&ordinary["id"]));
        let (status, body) = app.post(&d.nurse, &approve, json!({})).await;
        assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));
        let (status, approved) = app
            .post(&d.patel, &approve, json!({"note": "sent to pharmacy"}))
            .await;
        assert_eq!(status, 200, "{approved}");
        assert_eq!(approved["status"], "approved");
        assert_eq!(approved["decided_by"], d.patel_id.to_string());
        let (status, body) = app.post(&d.patel, &approve, json!({})).await;
        assert_eq!(
            (status, error_code(&body)),
            (409, "INVALID_STATUS_TRANSITION")
        );
        let deny = format!("/api/v1/refill-requests/{}/deny", s(&controlled["id"]));
        let (status, denied) = app
            .post(&d.patel, &deny, json!({"note": "see me first"}))
            .await;
        assert_eq!(status, 200, "{denied}");
        assert_eq!(denied["status"], "denied");
        let tasks = careline_store::provider_tasks::for_subject(
            app.store(),
            s(&controlled["id"]).parse().unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(tasks[0].status, "done");

        // Scope: Dr. Chen and Dr. Lee see none of Eleanor's requests and cannot decide them.
        for token in [&d.chen, &d.lee] {
            let (status, list) = app.get(token, "/api/v1/refill-requests").await;
            assert_eq!(status, 200, "{list}");
            assert!(!ids(&list).contains(&s(&early["id"])), "{list}");
            let (status, _) = app
                .post(
                    token,
                    &format!("/api/v1/refill-requests/{}/approve", s(&early["id"])),
                    json!({}),
                )
                .await;
            assert_eq!(status, 404);
            let (status, _) = app.get(token, &meds_path).await;
            assert_eq!(status, 404);
        }
        d.app.stop().await;
    }
);

on_both_engines!(provider_messages_are_routed_by_urgency, |db| async move {
    let d = demo(db).await;
    let app = &d.app;
    let store = app.store();
    let settings = careline_store::practice::get(store, d.practice)
        .await
        .unwrap()
        .unwrap()
        .settings;
    let tz = settings.tz();

    // A routine message goes to Dr. Patel's queue for the next business day.
    let before = Utc::now();
    let (status, routine) = app
        .post(
            &d.reception,
            "/api/v1/provider-messages",
            json!({"patient_id": d.eleanor, "urgency": "routine",
                   "body": "Asks whether to keep her drops before the exam", "callback": "(512) 555-0142"}),
        )
        .await;
    assert_eq!(status, 201, "{routine}");
    assert_eq!(routine["routed_to"], d.patel_id.to_string());
    assert_eq!(routine["urgency"], "routine");
    assert_eq!(routine["emergency"], false);
    assert_eq!(routine["callback"], "+15125550142");
    let due: chrono::DateTime<Utc> = s(&routine["due_at"]).parse().unwrap();
    let due_local = due.with_timezone(&tz);
    assert!(due_local.date_naive() > before.with_timezone(&tz).date_naive());
    assert!(settings.hours_on(due_local.date_naive()).is_some());
    assert_eq!(
        due_local.time(),
        settings.hours_on(due_local.date_naive()).unwrap().open
    );

    // Left on a Friday afternoon: due when the practice opens on its next business day, a
    // Monday (or later, past a holiday), never the weekend.
    let local_today = Utc::now().with_timezone(&tz).date_naive();
    let days_to_friday = (Weekday::Fri.num_days_from_monday() + 7
        - local_today.weekday().num_days_from_monday())
        % 7;
    let friday = local_today + Duration::days(days_to_friday as i64);
    let friday_afternoon = tz
        .from_local_datetime(&friday.and_hms_opt(15, 30, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let r = careline_store::provider_messages::route(
        store,
        d.patel_id,
        MessageUrgency::Routine,
        "please call about my glasses",
        friday_afternoon,
    )
    .await
    .unwrap();
    let mut expected = friday + Duration::days(3);
    while settings.hours_on(expected).is_none() {
        expected += Duration::days(1);
    }
    let due_local = r.due_at.with_timezone(&tz);
    assert_eq!(due_local.date_naive(), expected);
    assert!(!matches!(due_local.weekday(), Weekday::Sat | Weekday::Sun));
    assert_eq!(due_local.time(), settings.hours_on(expected).unwrap().open);
    assert_eq!(r.routed_to, d.patel_id);

    // Urgent: to the on-call provider now, with a task and a live notice. With none set, the
    // patient's doctor; with Dr. Chen on call, Dr. Chen.
    let seq = careline_store::outbox::latest_seq(store).await.unwrap();
    let (status, urgent) = app
        .post(
            &d.nurse,
            "/api/v1/provider-messages",
            json!({"patient_id": d.eleanor, "urgency": "urgent", "body": "Eye pain since this morning"}),
        )
        .await;
    assert_eq!(status, 201, "{urgent}");
    assert_eq!(urgent["routed_to"], d.patel_id.to_string());
    assert_eq!(urgent["due_at"], urgent["created_at"]);
    let tasks =
        careline_store::provider_tasks::for_subject(store, s(&urgent["id"]).parse().unwrap())
            .await
            .unwrap();
    assert_eq!(tasks[0].kind, "urgent_message");
    let events = careline_store::outbox::since(store, seq, 100)
        .await
        .unwrap();
    assert!(
        events.iter().any(|e| e.event == "NOTIFICATION_RECEIVED"
            && e.state.as_deref() == Some("urgent_message")
            && e.recipient_user_id == Some(d.patel_id)),
        "{events:?}"
    );
    let mut config = careline_store::practice::get(store, d.practice)
        .await
        .unwrap()
        .unwrap();
    // The on-call provider must be one of the practice's doctors.
    let mut wrong = config.settings.clone();
    wrong.on_call_provider_user_id = Some(user_id(app, "doctor@demo.careline.test").await.id);
    let (status, body) = app
        .put(
            &d.manager,
            &format!(
                "/api/v1/organizations/{}/practice-configuration",
                d.practice
            ),
            serde_json::to_value(&wrong).unwrap(),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.to_string().contains("on_call_provider_user_id"),
        "{body}"
    );
    config.settings.on_call_provider_user_id = Some(d.chen_id);
    careline_store::practice::put(
        store,
        d.practice,
        &config.settings,
        careline_store::practice::EhrChange::Keep,
        None,
        None,
        Utc::now(),
    )
    .await
    .unwrap();
    // The phone's urgent message goes the same way: to the on-call provider, with a task.
    let phone = careline_store::calls::leave_provider_message(
        store,
        careline_store::calls::NewProviderMessage {
            patient_id: Some(d.eleanor.parse().unwrap()),
            provider_user_id: Some(d.patel_id),
            urgency: "urgent",
            callback: Some("+15125550142"),
            call_id: "SIMclinicalphone",
            idempotency_key: Some("clinical-phone-message"),
            left_at: Utc::now(),
        },
    )
    .await
    .unwrap();
    let (status, from_phone) = app
        .get(&d.nurse, "/api/v1/provider-messages?per_page=200")
        .await;
    assert_eq!(status, 200);
    let from_phone = from_phone["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == phone.to_string())
        .unwrap()
        .clone();
    assert_eq!(
        from_phone["routed_to"],
        d.chen_id.to_string(),
        "{from_phone}"
    );
    assert_eq!(from_phone["call_id"], "SIMclinicalphone");
    assert!(from_phone["body"].is_null());
    let tasks = careline_store::provider_tasks::for_subject(store, phone)
        .await
        .unwrap();
    assert_eq!(
        (tasks.len(), tasks[0].provider_user_id),
        (1, Some(d.chen_id))
    );
    // A routine message that names an emergency is routed as urgent, and says so.
    let (status, emergency) = app
        .post(
            &d.reception,
            "/api/v1/provider-messages",
            json!({"patient_id": d.eleanor, "urgency": "routine", "body": "Her husband says she has CHEST PAIN"}),
        )
        .await;
    assert_eq!(status, 201, "{emergency}");
    assert_eq!(emergency["emergency"], true);
    assert_eq!(emergency["urgency"], "urgent");
    assert_eq!(emergency["routed_to"], d.chen_id.to_string());
    // The practice's own emergency phrase (the starter's "sudden vision loss") counts too.
    let r = careline_store::provider_messages::route(
        store,
        d.patel_id,
        MessageUrgency::Routine,
        "Sudden vision loss in the left eye",
        Utc::now(),
    )
    .await
    .unwrap();
    assert!(r.emergency);

    // Acknowledged once; the task is closed.
    let ack = format!("/api/v1/provider-messages/{}/acknowledge", s(&urgent["id"]));
    let (status, acked) = app.post(&d.patel, &ack, json!({})).await;
    assert_eq!(status, 200, "{acked}");
    assert_eq!(acked["status"], "acknowledged");
    assert_eq!(acked["acknowledged_by"], d.patel_id.to_string());
    let (status, body) = app.post(&d.patel, &ack, json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "INVALID_STATUS_TRANSITION")
    );

    // Scope: the practice's receptionist sees Eleanor's messages but not one about Dr. Lee's
    // patient; a receptionist of no practice sees none; the manager reads but does not write.
    let (status, lees) = app
        .post(
            &d.lee,
            "/api/v1/provider-messages",
            json!({"patient_id": d.maria, "urgency": "routine", "body": "About her dressing"}),
        )
        .await;
    assert_eq!(status, 201, "{lees}");
    let (status, list) = app
        .get(&d.reception, "/api/v1/provider-messages?per_page=200")
        .await;
    assert_eq!(status, 200, "{list}");
    let seen = ids(&list);
    assert!(seen.contains(&s(&routine["id"])));
    assert!(!seen.contains(&s(&lees["id"])));
    let (status, list) = app
        .get(&d.lee, "/api/v1/provider-messages?status=new")
        .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&list), vec![s(&lees["id"])]);
    app.user("outside.desk@clinical.test", Role::Receptionist, None)
        .await;
    let outsider = app.token("outside.desk@clinical.test").await;
    let (status, list) = app.get(&outsider, "/api/v1/provider-messages").await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 0, "{list}");
    let (status, body) = app
        .post(
            &d.manager,
            "/api/v1/provider-messages",
            json!({"patient_id": d.eleanor, "urgency": "routine", "body": "x"}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));
    let (status, _) = app.get(&d.manager, "/api/v1/provider-messages").await;
    assert_eq!(status, 200);
    d.app.stop().await;
});

/// Poll a prior authorization until `until` or a bounded number of tries (no timing
/// assertion: the simulator answers when it answers, within the bound).
/// The request as the payer jobs leave it: a worker runs them (on the system clock) until
/// the request reaches `until`.
async fn poll(app: &TestApp, token: &str, id: &str, until: &str) -> Value {
    let mut registry = careline::jobs::Registry::new();
    careline::payer::register(&mut registry, careline::payer::default_adapter());
    let worker = careline::jobs::Worker::new(
        app.store().clone(),
        registry,
        std::sync::Arc::new(careline_domain::SystemClock),
        careline::jobs::WorkerOptions::default(),
    );
    let mut last = Value::Null;
    for _ in 0..300 {
        worker.run_until_idle().await.unwrap();
        let (status, p) = app
            .get(token, &format!("/api/v1/prior-authorizations/{id}"))
            .await;
        assert_eq!(status, 200, "{p}");
        if p["status"] == until {
            return p;
        }
        last = p;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("prior authorization never reached {until}: {last}");
}

on_both_engines!(
    prior_authorizations_are_validated_and_answered_by_the_simulator,
    |db| async move {
        let d = demo(db).await;
        let app = &d.app;
        let (status, body) = app
        .post(
            &d.nurse,
            "/api/v1/prior-authorizations",
            json!({"patient_id": d.eleanor, "payer": "Medicare", "member_id": "1EG4-TE5-MK73",
                   "procedure_codes": ["67028", "6702", "0330X"], "icd10_codes": ["H35.3211", "35.32"]}),
        )
        .await;
        assert_eq!((status, error_code(&body)), (422, "VALIDATION_ERROR"));
        let fields = body["error"]["details"]["fields"].to_string();
        for f in ["procedure_codes[1]", "procedure_codes[2]", "icd10_codes[1]"] {
            assert!(fields.contains(f), "{f} not in {fields}");
        }
        assert!(!fields.contains("procedure_codes[0]"), "{fields}");
        let (status, body) = app
            .post(
                &d.nurse,
                "/api/v1/prior-authorizations",
                json!({"patient_id": d.eleanor, "payer": "Medicare", "member_id": "1EG4",
                   "procedure_codes": [], "icd10_codes": []}),
            )
            .await;
        assert_eq!(status, 422, "{body}");

        let draft = |member: &str| {
            let body = json!({"patient_id": d.eleanor, "payer": "Medicare", "member_id": member,
            "procedure_codes": ["67028", "0330t", "J2778"], "icd10_codes": ["h353211"]});
            let token = d.nurse.clone();
            async move {
                let (status, p) = app.post(&token, "/api/v1/prior-authorizations", body).await;
                assert_eq!(status, 201, "{p}");
                p
            }
        };
        let approved = draft("1EG4-TE5-MK73").await;
        assert_eq!(approved["status"], "draft");
        assert_eq!(
            approved["procedure_codes"],
            json!(["67028", "0330T", "J2778"])
        );
        assert_eq!(approved["icd10_codes"], json!(["H35.3211"]));
        let denied = draft("1EG4-TE5-MK70").await;

        // The manager reads but may not draft or submit.
        let (status, list) = app
            .get(
                &d.manager,
                &format!("/api/v1/prior-authorizations?patient_id={}", d.eleanor),
            )
            .await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["total"], 2);
        let submit = |id: &Value| format!("/api/v1/prior-authorizations/{}/submit", s(id));
        let (status, _) = app
            .post(&d.manager, &submit(&approved["id"]), json!({}))
            .await;
        assert_eq!(status, 403);

        // Submitted; the simulator pends it with its reference, then decides.
        for (p, outcome) in [(&approved, "approved"), (&denied, "denied")] {
            let (status, submitted) = app.post(&d.nurse, &submit(&p["id"]), json!({})).await;
            assert_eq!(status, 200, "{submitted}");
            assert_eq!(submitted["status"], "submitted");
            assert!(submitted["submitted_at"].is_string());
            let (status, body) = app.post(&d.nurse, &submit(&p["id"]), json!({})).await;
            assert_eq!(
                (status, error_code(&body)),
                (409, "INVALID_STATUS_TRANSITION")
            );
            let done = poll(app, &d.nurse, &s(&p["id"]), outcome).await;
            assert!(
                done["payer_reference"]
                    .as_str()
                    .unwrap()
                    .starts_with("SIM-"),
                "{done}"
            );
            assert!(done["decided_at"].is_string());
        }
        let (status, list) = app
            .get(&d.patel, "/api/v1/prior-authorizations?status=approved")
            .await;
        assert_eq!(status, 200);
        assert_eq!(ids(&list), vec![s(&approved["id"])]);

        // Dr. Chen and Dr. Lee do not see them.
        for token in [&d.chen, &d.lee] {
            let (status, _) = app
                .get(
                    token,
                    &format!("/api/v1/prior-authorizations/{}", s(&approved["id"])),
                )
                .await;
            assert_eq!(status, 404);
            let (_, list) = app.get(token, "/api/v1/prior-authorizations").await;
            assert_eq!(list["total"], 0, "{list}");
        }
        d.app.stop().await;
    }
);

on_both_engines!(clinical_rows_are_scoped_in_the_store, |db| async move {
    // The store's own answers, for the roles the API checks above: a lab result for Samuel
    // (Dr. Chen's) is not Dr. Patel's to release, and the practice's nurse sees both doctors'.
    let d = demo(db).await;
    let store = d.app.store();
    let admin = Actor {
        user_id: user_id(&d.app, "admin@demo.careline.test").await.id,
        role: Role::Admin,
    };
    let r = careline_store::lab_results::create(
        store,
        &admin,
        careline_store::lab_results::NewLabResult {
            patient_id: d.samuel.parse().unwrap(),
            test_name: "Visual field".into(),
            value: "full".into(),
            unit: None,
            reference_range: None,
            flag: LabFlag::Normal,
            collected_at: Utc::now() - Duration::days(1),
            resulted_at: Utc::now(),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let patel = Actor {
        user_id: d.patel_id,
        role: Role::Doctor,
    };
    assert!(matches!(
        careline_store::lab_results::release(store, &patel, r.id, Utc::now()).await,
        Err(careline_store::StoreError::NotFound(_))
    ));
    let (status, list) = d
        .app
        .get(
            &d.nurse,
            &format!("/api/v1/patients/{}/lab-results", d.samuel),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(ids(&list), vec![r.id.to_string()]);
    let (status, _) = d
        .app
        .post(
            &d.chen,
            &format!("/api/v1/lab-results/{}/release", r.id),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let _ = &d.admin;
    d.app.stop().await;
});

on_both_engines!(
    an_approved_refill_is_a_fill_of_the_medication,
    |db| async move {
        // Approving a refill updates the medication in the same transaction: one refill fewer
        // (never below zero) and last filled on the decision's day in the practice's time zone.
        // The decision is made at 03:30 UTC, which is still the evening before in Austin, so a
        // UTC date would be a day off.
        let d = demo(db).await;
        let app = &d.app;
        let store = app.store();
        let meds_path = format!("/api/v1/patients/{}/medications", d.eleanor);
        let (status, brimonidine) = app
            .post(
                &d.nurse,
                &meds_path,
                json!({"name": "Brimonidine 0.2% eye drops", "days_supply": 30,
                       "refills_remaining": 0, "last_filled_on": "2026-10-01"}),
            )
            .await;
        assert_eq!(status, 201, "{brimonidine}");
        let (nurse_token, meds_path) = (d.nurse.as_str(), meds_path.as_str());
        let med = |name: &'static str| async move {
            let (status, meds) = app.get(nurse_token, meds_path).await;
            assert_eq!(status, 200, "{meds}");
            meds.as_array()
                .unwrap()
                .iter()
                .find(|m| m["name"].as_str().unwrap().contains(name))
                .unwrap_or_else(|| panic!("no {name}"))
                .clone()
        };
        let latanoprost = med("Latanoprost").await;
        assert_eq!(latanoprost["refills_remaining"], 3);
        let nurse = Actor {
            user_id: user_id(app, "nurse@demo.careline.test").await.id,
            role: Role::Nurse,
        };
        let patel = Actor {
            user_id: d.patel_id,
            role: Role::Doctor,
        };
        let eleanor: Uuid = d.eleanor.parse().unwrap();
        let asked = Utc.with_ymd_and_hms(2026, 12, 7, 15, 0, 0).unwrap();
        let decided = Utc.with_ymd_and_hms(2026, 12, 8, 3, 30, 0).unwrap();
        let request = |medication: &Value| {
            let id: Uuid = s(&medication["id"]).parse().unwrap();
            async move {
                careline_store::refills::request(
                    store,
                    careline_store::refills::RequestedBy::Staff(&nurse),
                    eleanor,
                    id,
                    None,
                    asked,
                )
                .await
                .unwrap()
            }
        };
        let decide = |id: Uuid, approve: bool| async move {
            careline_store::refills::decide(store, &patel, id, approve, None, decided)
                .await
                .unwrap()
        };

        let r = request(&latanoprost).await;
        assert_eq!(decide(r.id, true).await.status.as_str(), "approved");
        let after = med("Latanoprost").await;
        assert_eq!(after["refills_remaining"], 2, "{after}");
        assert_eq!(after["last_filled_on"], "2026-12-07", "the practice's day");

        // A denial changes nothing.
        let r = request(&latanoprost).await;
        assert_eq!(decide(r.id, false).await.status.as_str(), "denied");
        assert_eq!(med("Latanoprost").await, after);

        // None left: the provider's approval is this fill; the count stays at zero.
        let r = request(&brimonidine).await;
        assert!(r.no_refills_remaining);
        decide(r.id, true).await;
        let b = med("Brimonidine").await;
        assert_eq!(b["refills_remaining"], 0, "{b}");
        assert_eq!(b["last_filled_on"], "2026-12-07");

        // Through the API as well.
        let (status, r) = app
            .post(
                &d.nurse,
                "/api/v1/refill-requests",
                json!({"patient_id": d.eleanor, "medication_id": latanoprost["id"]}),
            )
            .await;
        assert_eq!(status, 201, "{r}");
        let (status, body) = app
            .post(
                &d.patel,
                &format!("/api/v1/refill-requests/{}/approve", s(&r["id"])),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(med("Latanoprost").await["refills_remaining"], 1);
        d.app.stop().await;
    }
);

on_both_engines!(
    one_clinical_row_is_read_by_id_in_the_callers_scope,
    |db| async move {
        // GET /lab-results/{id}, /refill-requests/{id}, /provider-messages/{id} and
        // /prior-authorizations/{id}: the row for those who see it in the list, 404 for
        // another doctor's patient (the scope is in the query, so out of scope is not found,
        // as for appointments and patients), 403 for a role without the permission, 404 with
        // the row's own code for an unknown id, 400 for one that is not an id; each read
        // audited with the row and its patient.
        let d = demo(db).await;
        let app = &d.app;
        let (status, lab) = app
            .post(
                &d.nurse,
                "/api/v1/lab-results",
                json!({"patient_id": d.eleanor, "test_name": "Intraocular pressure", "value": "18",
                       "unit": "mmHg", "flag": "normal", "collected_at": Utc::now() - Duration::hours(2)}),
            )
            .await;
        assert_eq!(status, 201, "{lab}");
        let (status, meds) = app
            .get(
                &d.nurse,
                &format!("/api/v1/patients/{}/medications", d.eleanor),
            )
            .await;
        assert_eq!(status, 200, "{meds}");
        let (status, refill) = app
            .post(
                &d.nurse,
                "/api/v1/refill-requests",
                json!({"patient_id": d.eleanor, "medication_id": meds[0]["id"]}),
            )
            .await;
        assert_eq!(status, 201, "{refill}");
        let (status, message) = app
            .post(
                &d.reception,
                "/api/v1/provider-messages",
                json!({"patient_id": d.eleanor, "urgency": "routine", "body": "Asks about her drops"}),
            )
            .await;
        assert_eq!(status, 201, "{message}");
        let (status, auth) = app
            .post(
                &d.nurse,
                "/api/v1/prior-authorizations",
                json!({"patient_id": d.eleanor, "payer": "Aetna", "member_id": "W123456789",
                       "procedure_codes": ["67028"], "icd10_codes": ["H35.3211"]}),
            )
            .await;
        assert_eq!(status, 201, "{auth}");

        let rows = [
            ("lab-results", &lab, "LAB_RESULT_NOT_FOUND"),
            ("refill-requests", &refill, "REFILL_REQUEST_NOT_FOUND"),
            ("provider-messages", &message, "MESSAGE_NOT_FOUND"),
            (
                "prior-authorizations",
                &auth,
                "PRIOR_AUTHORIZATION_NOT_FOUND",
            ),
        ];
        for (area, row, not_found) in rows {
            let path = format!("/api/v1/{area}/{}", s(&row["id"]));
            // Found: her doctor, the practice's nurse, an admin; the same row as created.
            for token in [&d.patel, &d.nurse, &d.admin] {
                let (status, body) = app.get(token, &path).await;
                assert_eq!(status, 200, "{path}: {body}");
                assert_eq!(body["id"], row["id"], "{path}");
                assert_eq!(body["patient_id"], d.eleanor, "{path}");
            }
            // Out of scope: Dr. Chen (another doctor of the practice) and Dr. Lee (another
            // business) do not see Dr. Patel's patient's rows, and are not told they exist.
            for token in [&d.chen, &d.lee] {
                let (status, body) = app.get(token, &path).await;
                assert_eq!((status, error_code(&body)), (404, not_found), "{path}");
            }
            // Unknown and malformed ids.
            let (status, body) = app
                .get(&d.admin, &format!("/api/v1/{area}/{}", Uuid::now_v7()))
                .await;
            assert_eq!((status, error_code(&body)), (404, not_found), "{area}");
            let (status, body) = app
                .get(&d.admin, &format!("/api/v1/{area}/not-an-id"))
                .await;
            assert_eq!(
                (status, error_code(&body)),
                (400, "INVALID_PATH_PARAMETER"),
                "{area}"
            );
        }
        // The front desk reads messages, not results or refill requests.
        let (status, body) = app
            .get(
                &d.reception,
                &format!("/api/v1/provider-messages/{}", s(&message["id"])),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        for (area, row) in [("lab-results", &lab), ("refill-requests", &refill)] {
            let (status, body) = app
                .get(&d.reception, &format!("/api/v1/{area}/{}", s(&row["id"])))
                .await;
            assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"), "{area}");
        }

        // Each read is a PHI access, audited: the row and its patient as the record's
        // entities, the row in its description too.
        let audit = careline_store::audit::search(
            app.store(),
            &careline_store::audit::AuditFilter {
                agent_user_id: Some(d.patel_id),
                ..Default::default()
            },
            1,
            200,
        )
        .await
        .unwrap();
        // Each names the row first and the patient after it.
        assert!(
            audit.items.iter().any(|a| a
                .other_entities
                .iter()
                .any(|e| e.entity_type == "patient" && e.id == d.eleanor)),
            "the patient is not named"
        );
        let audit = format!("{:?}", audit.items);
        for (what, row) in [
            ("lab result read", &lab),
            ("refill request read", &refill),
            ("provider message read", &message),
            ("prior authorization read", &auth),
        ] {
            assert!(
                audit.contains(&format!("{what}: {}", s(&row["id"]))),
                "no {what:?} naming the row in {audit}"
            );
        }

        // A list is one record naming every row and patient it showed: asked "who saw
        // Eleanor's records", the audit finds the list too.
        let (status, body) = app.get(&d.patel, "/api/v1/refill-requests").await;
        assert_eq!(status, 200, "{body}");
        let seen_her = careline_store::audit::search(
            app.store(),
            &careline_store::audit::AuditFilter {
                entity_type: Some("patient".into()),
                entity_id: Some(d.eleanor.clone()),
                ..Default::default()
            },
            1,
            200,
        )
        .await
        .unwrap();
        let list = seen_her
            .items
            .iter()
            .find(|a| a.description.starts_with("refill requests listed"))
            .expect("the list's record names her");
        let names = |t: &str, id: &str| {
            (list.entity_type.as_deref() == Some(t) && list.entity_id.as_deref() == Some(id))
                || list
                    .other_entities
                    .iter()
                    .any(|e| e.entity_type == t && e.id == id)
        };
        assert!(names("refill_request", &s(&refill["id"])), "{list:?}");
        d.app.stop().await;
    }
);

/// What a subscriber heard, up to the marker addressed to it.
async fn heard_until_marker(
    s: &mut careline::events::Subscription,
) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    loop {
        let e = tokio::time::timeout(std::time::Duration::from_secs(10), s.events.recv())
            .await
            .expect("the marker in time")
            .expect("subscription open");
        if e.object_id == "marker" {
            return out;
        }
        out.push((e.event.clone(), e.object_id.clone(), e.state.clone()));
    }
}

on_both_engines!(
    clinical_changes_are_announced_to_those_who_see_them,
    |db| async move {
        // A refill taken and approved, a result entered and released, a message left and
        // acknowledged and a prior authorization drafted: each is a live event (ids and states
        // only) written with the change, heard by the patient's doctor and by the practice's
        // staff whose role reads that kind of request; never by another doctor.
        use careline::events::{Feed, Hub, Viewer};
        let d = demo(db).await;
        let app = &d.app;
        let store = app.store().clone();
        let hub = Hub::start(store.clone());
        let mut subs = Vec::new();
        for (email, role) in [
            ("dr.patel@demo.careline.test", Role::Doctor),
            ("nurse@demo.careline.test", Role::Nurse),
            ("reception@demo.careline.test", Role::Receptionist),
            ("manager@demo.careline.test", Role::PracticeManager),
            ("dr.chen@demo.careline.test", Role::Doctor),
            ("doctor@demo.careline.test", Role::Doctor),
        ] {
            let id = user_id(app, email).await.id;
            let sub = hub
                .subscribe(Viewer {
                    user_id: id,
                    role,
                    session_id: Uuid::new_v4(),
                    feed: Feed::All,
                })
                .await
                .unwrap();
            subs.push((email, id, sub));
        }
        let seq = careline_store::outbox::latest_seq(&store).await.unwrap();

        let (_, meds) = app
            .get(
                &d.nurse,
                &format!("/api/v1/patients/{}/medications", d.eleanor),
            )
            .await;
        let (status, refill) = app
            .post(
                &d.nurse,
                "/api/v1/refill-requests",
                json!({"patient_id": d.eleanor, "medication_id": meds[0]["id"]}),
            )
            .await;
        assert_eq!(status, 201, "{refill}");
        let refill = s(&refill["id"]);
        let (status, body) = app
            .post(
                &d.patel,
                &format!("/api/v1/refill-requests/{refill}/approve"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, lab) = app
            .post(
                &d.nurse,
                "/api/v1/lab-results",
                json!({"patient_id": d.eleanor, "test_name": "Visual field", "value": "full",
                       "flag": "normal", "collected_at": Utc::now() - Duration::hours(1)}),
            )
            .await;
        assert_eq!(status, 201, "{lab}");
        let lab = s(&lab["id"]);
        let (status, body) = app
            .post(
                &d.patel,
                &format!("/api/v1/lab-results/{lab}/release"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, message) = app
            .post(
                &d.reception,
                "/api/v1/provider-messages",
                json!({"patient_id": d.eleanor, "urgency": "routine", "body": "Wants a call about her drops"}),
            )
            .await;
        assert_eq!(status, 201, "{message}");
        let message = s(&message["id"]);
        let (status, body) = app
            .post(
                &d.reception,
                &format!("/api/v1/provider-messages/{message}/acknowledge"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, auth) = app
            .post(
                &d.nurse,
                "/api/v1/prior-authorizations",
                json!({"patient_id": d.eleanor, "payer": "Aetna", "member_id": "W123456789",
                       "procedure_codes": ["67028"], "icd10_codes": ["H35.3211"]}),
            )
            .await;
        assert_eq!(status, 201, "{auth}");
        let auth = s(&auth["id"]);

        // In the outbox: each change's event, owned by the patient's doctor, saying only the
        // row and its status.
        let written = careline_store::outbox::since(&store, seq, 100)
            .await
            .unwrap();
        let expected = [
            ("REFILL_REQUEST_CHANGED", "refills", &refill, "pending"),
            ("REFILL_REQUEST_CHANGED", "refills", &refill, "approved"),
            ("LAB_RESULT_CHANGED", "lab_results", &lab, "pending_review"),
            ("LAB_RESULT_CHANGED", "lab_results", &lab, "released"),
            (
                "PROVIDER_MESSAGE_CHANGED",
                "provider_messages",
                &message,
                "new",
            ),
            (
                "PROVIDER_MESSAGE_CHANGED",
                "provider_messages",
                &message,
                "acknowledged",
            ),
            (
                "PRIOR_AUTHORIZATION_CHANGED",
                "prior_authorizations",
                &auth,
                "draft",
            ),
        ];
        for (event, channel, id, state) in expected {
            let e = written
                .iter()
                .find(|e| {
                    e.event == event && e.object_id == *id && e.state.as_deref() == Some(state)
                })
                .unwrap_or_else(|| panic!("no {event} {state}: {written:?}"));
            assert_eq!(e.channel, channel);
            assert_eq!(e.scope_doctor_id, Some(d.patel_id), "{e:?}");
            assert_eq!(e.recipient_user_id, None, "{e:?}");
        }

        // Through the hub: a marker addressed to each subscriber ends what they heard.
        let markers: Vec<_> = subs
            .iter()
            .map(|(_, id, _)| {
                careline_store::outbox::NewEvent::new(
                    careline_store::outbox::event::NOTIFICATION_RECEIVED,
                    careline_store::outbox::channel::NOTIFICATIONS,
                    "marker",
                )
                .to_user(*id)
            })
            .collect();
        careline_store::outbox::publish(&store, &markers, Utc::now())
            .await
            .unwrap();
        for (email, _, sub) in &mut subs {
            let heard = heard_until_marker(sub).await;
            let got = |event: &str, id: &str, state: &str| {
                heard
                    .iter()
                    .any(|h| h.0 == event && h.1 == id && h.2.as_deref() == Some(state))
            };
            let (refills, labs, messages, auths) = match *email {
                "dr.patel@demo.careline.test" | "nurse@demo.careline.test" => {
                    (true, true, true, true)
                }
                // The front desk reads messages only; the manager messages and prior
                // authorizations.
                "reception@demo.careline.test" => (false, false, true, false),
                "manager@demo.careline.test" => (false, false, true, true),
                // Dr. Chen (the same practice) and Dr. Lee: not their patient.
                _ => (false, false, false, false),
            };
            assert_eq!(
                got("REFILL_REQUEST_CHANGED", &refill, "approved"),
                refills,
                "{email}: {heard:?}"
            );
            assert_eq!(
                got("LAB_RESULT_CHANGED", &lab, "released"),
                labs,
                "{email}: {heard:?}"
            );
            assert_eq!(
                got("PROVIDER_MESSAGE_CHANGED", &message, "acknowledged"),
                messages,
                "{email}: {heard:?}"
            );
            assert_eq!(
                got("PRIOR_AUTHORIZATION_CHANGED", &auth, "draft"),
                auths,
                "{email}: {heard:?}"
            );
        }
        d.app.stop().await;
    }
);

/// A payer that is down on the first try and undecided on the first question.
#[derive(Default)]
struct Flaky {
    submits: std::sync::atomic::AtomicU32,
    questions: std::sync::atomic::AtomicU32,
}

#[async_trait::async_trait]
impl careline::payer::PayerAdapter for Flaky {
    async fn submit(
        &self,
        _request: &careline_store::prior_auth::PriorAuthorization,
    ) -> Result<String, careline::payer::PayerError> {
        use std::sync::atomic::Ordering;
        match self.submits.fetch_add(1, Ordering::SeqCst) {
            0 => Err(careline::payer::PayerError {
                retryable: true,
                message: "payer gateway timeout before the request was read".into(),
            }),
            _ => Ok("PAY-0042".into()),
        }
    }

    async fn status(
        &self,
        _request: &careline_store::prior_auth::PriorAuthorization,
        _today: chrono::NaiveDate,
    ) -> Result<careline::payer::PayerStatus, careline::payer::PayerError> {
        use std::sync::atomic::Ordering;
        Ok(match self.questions.fetch_add(1, Ordering::SeqCst) {
            0 => careline::payer::PayerStatus::Pending,
            // A payer that gives no end date: the approval never lapses.
            _ => careline::payer::PayerStatus::Approved(None),
        })
    }

    fn name(&self) -> &'static str {
        "flaky-test-payer"
    }

    fn poll_every(&self) -> std::time::Duration {
        std::time::Duration::from_secs(600)
    }
}

on_both_engines!(
    a_prior_authorization_moves_through_the_payer_as_jobs_and_is_sent_once,
    |db| async move {
        use std::sync::atomic::Ordering;
        let d = demo(db).await;
        let app = &d.app;
        let (status, draft) = app
            .post(
                &d.nurse,
                "/api/v1/prior-authorizations",
                json!({"patient_id": d.eleanor, "payer": "Medicare", "member_id": "1EG4-TE5-MK73",
                       "procedure_codes": ["67028"], "icd10_codes": ["H35.3211"]}),
            )
            .await;
        assert_eq!(status, 201, "{draft}");
        let id = s(&draft["id"]);
        let (status, _) = app
            .post(
                &d.nurse,
                &format!("/api/v1/prior-authorizations/{id}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        let payer = std::sync::Arc::new(Flaky::default());
        let mut registry = careline::jobs::Registry::new();
        careline::payer::register(&mut registry, payer.clone());
        let clock = careline_domain::ManualClock::new(Utc::now() + chrono::Duration::seconds(1));
        let worker = careline::jobs::Worker::new(
            app.store().clone(),
            registry,
            std::sync::Arc::new(clock.clone()),
            careline::jobs::WorkerOptions::default(),
        );
        let status_of = || async {
            app.get(&d.nurse, &format!("/api/v1/prior-authorizations/{id}"))
                .await
                .1
        };
        // The payer is down: still submitted, tried again later.
        worker.run_until_idle().await.unwrap();
        assert_eq!(status_of().await["status"], "submitted");
        clock.advance(chrono::Duration::minutes(2));
        worker.run_until_idle().await.unwrap();
        let p = status_of().await;
        assert_eq!(
            (p["status"].as_str(), p["payer_reference"].as_str()),
            (Some("pended"), Some("PAY-0042"))
        );
        // Undecided at the first question; approved at the next, ten minutes on.
        clock.advance(chrono::Duration::minutes(10));
        worker.run_until_idle().await.unwrap();
        assert_eq!(status_of().await["status"], "pended");
        clock.advance(chrono::Duration::minutes(10));
        worker.run_until_idle().await.unwrap();
        assert_eq!(status_of().await["status"], "approved");
        let submit_job = careline_store::jobs::by_key(
            app.store(),
            careline_store::prior_auth::PAYER_SUBMIT,
            &id,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            (submit_job.state.as_str(), submit_job.attempts),
            ("succeeded", 2)
        );
        // Sent once (the first try never reached the payer), asked twice.
        assert_eq!(
            payer.submits.load(Ordering::SeqCst),
            2,
            "one failure, one submission"
        );
        assert_eq!(payer.questions.load(Ordering::SeqCst), 2);
        d.app.stop().await;
    }
);
