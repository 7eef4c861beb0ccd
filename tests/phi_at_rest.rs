//! PHI at rest: after a patient is created through the API (and calls and speaks to the voice
//! agent), none of their identifying values can be found anywhere in the raw database — every byte of the SQLite files, or every text,
//! JSON and bytea column of every PostgreSQL table — while the API still returns them
//! decrypted to an authorised caller, and the store's record never prints them.

mod common;

use careline_domain::{Actor, Role};
use common::{Engine, TestApp};
use serde_json::json;

const DOCTOR_EMAIL: &str = "dr.plaintext-control@careline.test";

/// Values distinctive enough that finding one in the raw storage cannot be a coincidence.
const FIRST: &str = "Thaddeus";
const LAST: &str = "Wolverhampton";
const DOB: &str = "1943-09-17";
const PHONE_DIGITS: &str = "2705550187";
const EMAIL: &str = "thaddeus.quillon@example.org";
const LINE1: &str = "8812 Juniper Hollow Road";
const CITY: &str = "Bramblewick";
const NOTES: &str = "Venous stasis ulcer, medial malleolus; Unna boot weekly";
const MEMBER_ID: &str = "ZXQ-88412-WOLVH";
const GROUP: &str = "GRP-KESTREL-5591";
const SUBSCRIBER: &str = "Henrietta Quillon";
// Clinical records (issue 13): a lab result, a medication, a message, a prior authorization.
const LAB_TEST: &str = "Xanthurenic acid panel";
const LAB_VALUE: &str = "7731.25";
const LAB_RANGE: &str = "6120-6140";
const MEDICATION: &str = "Quillonazine 15 mg";
const SIG: &str = "two tablets at moonrise";
const RXNORM: &str = "99887766";
const MESSAGE: &str = "asks about the Bramblewick pharmacy hours";
const PA_MEMBER: &str = "PAQ-55190-KWX";
const ICD: &str = "H35.3211";
// A conversation with the voice agent (issue 15): what the patient said, their date of birth
// said aloud, and their number.
const SPOKEN: &str = "I need a refill of my Quillonazine before the Bramblewick trip";
const SPOKEN_DOB: &str = "september seventeenth nineteen forty three";

/// Each value, and distinctive pieces of it, as the needles to look for.
fn needles() -> Vec<&'static str> {
    vec![
        FIRST,
        LAST,
        DOB,
        "19430917",
        PHONE_DIGITS,
        "555-0187",
        EMAIL,
        "thaddeus.quillon",
        LINE1,
        "Juniper Hollow",
        CITY,
        NOTES,
        "Venous stasis",
        "Unna boot",
        MEMBER_ID,
        "ZXQ-88412",
        GROUP,
        "KESTREL",
        SUBSCRIBER,
        "Henrietta",
        LAB_TEST,
        "Xanthurenic",
        LAB_VALUE,
        LAB_RANGE,
        MEDICATION,
        "Quillonazine",
        SIG,
        "moonrise",
        RXNORM,
        MESSAGE,
        PA_MEMBER,
        "PAQ-55190",
        ICD,
        "H353211",
        SPOKEN,
        "Bramblewick trip",
        SPOKEN_DOB,
        "seventeenth nineteen forty",
    ]
}

/// Needles found (case-insensitively) in a haystack of bytes.
fn found_in(haystack: &[u8]) -> Vec<&'static str> {
    let hay = haystack.to_ascii_lowercase();
    needles()
        .into_iter()
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            hay.windows(n.len()).any(|w| w == n.as_bytes())
        })
        .collect()
}

on_both_engines!(phi_is_never_stored_in_plaintext, |db| async move {
    let app = TestApp::spawn(db).await;
    let doctor = app.user(DOCTOR_EMAIL, Role::Doctor, None).await;
    let t = app.token(DOCTOR_EMAIL).await;

    let (status, created) = app
        .post(
            &t,
            "/api/v1/patients",
            json!({
                "first_name": FIRST,
                "last_name": LAST,
                "date_of_birth": DOB,
                "phone": format!("({}) {}-{}", &PHONE_DIGITS[..3], &PHONE_DIGITS[3..6], &PHONE_DIGITS[6..]),
                "email": EMAIL,
                "address": {"line1": LINE1, "line2": "Suite Kestrel", "city": CITY, "state": "KY", "postal_code": "42101"},
                "clinical_notes": NOTES,
                "insurance": [{
                    "payer_name": "Aetna",
                    "member_id": MEMBER_ID,
                    "group_number": GROUP,
                    "subscriber_name": SUBSCRIBER,
                    "is_primary": true
                }]
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    // Touch the record more ways: an update, a search and a read, so every code path that
    // writes has had its chance to leak.
    let (status, _) = app
        .put(
            &t,
            &format!("/api/v1/patients/{id}"),
            json!({"clinical_notes": NOTES}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, found) = app
        .get(&t, &format!("/api/v1/patients/search?phone={PHONE_DIGITS}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(found.as_array().unwrap().len(), 1);

    // Clinical records about the patient, through the API.
    let now = chrono::Utc::now();
    for (path, body) in [
        (
            "/api/v1/lab-results".to_string(),
            json!({"patient_id": id, "test_name": LAB_TEST, "value": LAB_VALUE, "unit": "mg/L",
                   "reference_range": LAB_RANGE, "flag": "abnormal",
                   "collected_at": now - chrono::Duration::hours(2)}),
        ),
        (
            format!("/api/v1/patients/{id}/medications"),
            json!({"name": MEDICATION, "sig": SIG, "rxnorm_code": RXNORM, "days_supply": 30}),
        ),
        (
            "/api/v1/provider-messages".to_string(),
            json!({"patient_id": id, "urgency": "routine", "body": MESSAGE}),
        ),
        (
            "/api/v1/prior-authorizations".to_string(),
            json!({"patient_id": id, "payer": "Aetna", "member_id": PA_MEMBER,
                   "procedure_codes": ["67028"], "icd10_codes": [ICD]}),
        ),
    ] {
        let (status, created) = app.post(&t, &path, body).await;
        assert_eq!(status, 201, "{path}: {created}");
    }
    let (status, meds) = app
        .get(&t, &format!("/api/v1/patients/{id}/medications"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(meds[0]["name"], MEDICATION);
    let medication_id = meds[0]["id"].as_str().unwrap().to_string();
    let (status, refill) = app
        .post(
            &t,
            "/api/v1/refill-requests",
            json!({"patient_id": id, "medication_id": medication_id, "note": SIG}),
        )
        .await;
    assert_eq!(status, 201, "{refill}");
    let (status, labs) = app
        .get(&t, &format!("/api/v1/patients/{id}/lab-results"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(labs[0]["test_name"], LAB_TEST);
    assert_eq!(labs[0]["value"], LAB_VALUE);

    // The patient calls and speaks: a stored conversation with their words, their date of
    // birth said aloud and their number.
    let calls = careline::calls::Calls::build(app.store(), &common::test_config()).unwrap();
    let call_id = "SIMphi-at-rest-conversation";
    let from = format!("+1{PHONE_DIGITS}");
    let mut turn = calls
        .start("simulator", call_id, Some(&from), "+15025550100", now)
        .await
        .unwrap();
    for words in [SPOKEN, SPOKEN_DOB] {
        turn = calls
            .feed(
                call_id,
                Some(turn.step),
                careline_call::engine::Input::Speech {
                    text: careline_call::engine::Keys::new(words),
                    confidence: Some(0.7),
                },
                now,
            )
            .await
            .unwrap();
    }
    calls
        .feed(call_id, None, careline_call::engine::Input::Hangup, now)
        .await
        .unwrap();
    let conversation = careline_store::voice_interactions::of_call(app.store(), call_id)
        .await
        .unwrap()
        .expect("the call's conversation");
    let admin = Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
    };
    let stored = careline_store::voice_interactions::get(app.store(), &admin, conversation)
        .await
        .unwrap();
    assert!(stored.transcript.expose().contains(SPOKEN));
    assert!(stored.transcript.expose().contains(SPOKEN_DOB));
    assert_eq!(stored.caller_number.unwrap().expose(), &from);

    // The API gives an authorised caller the real values.
    let (status, p) = app.get(&t, &format!("/api/v1/patients/{id}")).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["first_name"], FIRST);
    assert_eq!(p["last_name"], LAST);
    assert_eq!(p["date_of_birth"], DOB);
    assert_eq!(p["phone"], format!("+1{PHONE_DIGITS}"));
    assert_eq!(p["email"], EMAIL);
    assert_eq!(p["address"]["line1"], LINE1);
    assert_eq!(p["address"]["city"], CITY);
    assert_eq!(p["clinical_notes"], NOTES);
    assert_eq!(p["insurance"][0]["member_id"], MEMBER_ID);
    assert_eq!(p["insurance"][0]["group_number"], GROUP);
    assert_eq!(p["insurance"][0]["subscriber_name"], SUBSCRIBER);
    let in_response = found_in(p.to_string().as_bytes());
    for value in [
        FIRST,
        LAST,
        DOB,
        PHONE_DIGITS,
        EMAIL,
        LINE1,
        CITY,
        NOTES,
        MEMBER_ID,
        GROUP,
        SUBSCRIBER,
    ] {
        assert!(
            in_response.contains(&value),
            "{value} missing from the response"
        );
    }

    // The raw storage holds none of them.
    let raw = match app.db.engine {
        Engine::Sqlite | Engine::Postgres => app.db.raw_values().await,
    };
    // Positive control: the scan does see row data (the doctor's email is not PHI and is
    // stored as it is), so an empty result below means something.
    assert!(
        raw.iter().any(|(_, bytes)| bytes
            .windows(DOCTOR_EMAIL.len())
            .any(|w| w == DOCTOR_EMAIL.as_bytes())),
        "the raw scan did not see the users table"
    );
    if app.db.engine == Engine::Postgres {
        let scanned: Vec<&str> = raw.iter().map(|(n, _)| n.as_str()).collect();
        for column in [
            "patients.first_name_enc",
            "patients.clinical_notes_enc",
            "patient_insurance.member_id_enc",
            "lab_results.test_name_enc",
            "medications.name_enc",
            "provider_messages.body_enc",
            "prior_authorizations.member_id_enc",
            "refill_requests.note_enc",
            "voice_interactions.transcript_enc",
            "voice_interactions.caller_number_enc",
            "conversation_turns.text_enc",
        ] {
            assert!(scanned.contains(&column), "{column} was not scanned");
        }
    }
    for (place, bytes) in &raw {
        let leaked = found_in(bytes);
        assert!(
            leaked.is_empty(),
            "plaintext PHI {leaked:?} found in {place}"
        );
    }

    // The store's record prints redacted, so it cannot reach a log line.
    let actor = Actor {
        user_id: doctor,
        role: Role::Doctor,
    };
    let record = careline_store::patients::get(app.store(), &actor, id.parse().unwrap())
        .await
        .unwrap();
    for printed in [format!("{record:?}"), format!("{record:#?}")] {
        let leaked = found_in(printed.as_bytes());
        assert!(leaked.is_empty(), "Debug shows {leaked:?}: {printed}");
        assert!(printed.contains(careline_domain::phi::REDACTED));
    }
    // …while the record itself does hold the values (the check above is not vacuous).
    assert_eq!(record.first_name.expose(), FIRST);
    assert_eq!(record.insurance[0].member_id.expose(), MEMBER_ID);

    app.stop().await;
});
