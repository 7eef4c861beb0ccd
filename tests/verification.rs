//! Verification requests through the real HTTP server: the doctor drafts, edits and submits;
//! specialists review, approve with coverage, reject, ask for information or escalate. Covers
//! the state machine as users meet it (409 on illegal moves, 422 on bad input), the review
//! queue's order, row scoping along the sales hierarchy, the doctor ↔ specialist
//! conversation, encrypted supporting documents, templates and bulk approval.

mod common;

use careline::config::Config;
use careline_domain::Role;
use common::{Engine, TestApp, error_code, patient, patient_body, post_raw, product, s, size_id};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The people, products and patients every test starts from.
///
/// Hierarchy: master → distributor → sales → doctor A, and master → distributor2 → sales2 →
/// doctor B. The admin and the specialist see everything.
struct World {
    app: TestApp,
    admin: String,
    specialist: String,
    specialist_id: String,
    master: String,
    sales: String,
    doctor_a: String,
    doctor_a_id: String,
    doctor_b: String,
    patient_a: String,
    patient_b: String,
    foam: String,
    foam_small: String,
    foam_large: String,
    alginate: String,
    alginate_4x4: String,
}

async fn world(app: TestApp) -> World {
    app.user("admin@vr.test", Role::Admin, None).await;
    let specialist_id = app
        .user("specialist@vr.test", Role::IvrSpecialist, None)
        .await;
    let master = app
        .user("master@vr.test", Role::MasterDistributor, None)
        .await;
    let dist = app
        .user("distributor@vr.test", Role::Distributor, Some(master))
        .await;
    let sales = app
        .user("sales@vr.test", Role::Salesperson, Some(dist))
        .await;
    let doctor_a_id = app
        .user("doctor.a@vr.test", Role::Doctor, Some(sales))
        .await;
    let dist2 = app
        .user("distributor2@vr.test", Role::Distributor, Some(master))
        .await;
    let sales2 = app
        .user("sales2@vr.test", Role::Salesperson, Some(dist2))
        .await;
    app.user("doctor.b@vr.test", Role::Doctor, Some(sales2))
        .await;

    let admin = app.token("admin@vr.test").await;
    let doctor_a = app.token("doctor.a@vr.test").await;
    let doctor_b = app.token("doctor.b@vr.test").await;

    let foam = product(
        &app,
        &admin,
        json!({
            "sku": "FOAM-100", "name": "Silicone foam dressing", "category": "foam",
            "hcpcs_code": "A6212",
            "sizes": [
                {"size_label": "2 in x 2 in", "sku": "FOAM-100-22", "unit_price_cents": 450},
                {"size_label": "4 in x 4 in", "sku": "FOAM-100-44", "unit_price_cents": 900}
            ]
        }),
    )
    .await;
    let alginate = product(
        &app,
        &admin,
        json!({
            "sku": "ALG-200", "name": "Calcium alginate", "category": "alginate",
            "sizes": [{"size_label": "4 in x 4 in", "sku": "ALG-200-44", "unit_price_cents": 1200}]
        }),
    )
    .await;

    let patient_a = patient(
        &app,
        &doctor_a,
        patient_body("Odalys", "Brennan", "1951-03-14", "502-555-0131"),
    )
    .await;
    let patient_b = patient(
        &app,
        &doctor_b,
        patient_body("Tobias", "Marwick", "1946-11-02", "502-555-0177"),
    )
    .await;

    World {
        specialist: app.token("specialist@vr.test").await,
        specialist_id: specialist_id.to_string(),
        master: app.token("master@vr.test").await,
        sales: app.token("sales@vr.test").await,
        doctor_a_id: doctor_a_id.to_string(),
        foam: s(&foam["id"]),
        foam_small: size_id(&foam, "2 in x 2 in"),
        foam_large: size_id(&foam, "4 in x 4 in"),
        alginate: s(&alginate["id"]),
        alginate_4x4: size_id(&alginate, "4 in x 4 in"),
        app,
        admin,
        doctor_a,
        doctor_b,
        patient_a,
        patient_b,
    }
}

/// A complete request for doctor A's patient: two diagnosis codes, two sizes of foam.
fn request_body(w: &World) -> Value {
    json!({
        "patient_id": w.patient_a,
        "diagnosis_codes": ["E11.621", "L97.412"],
        "medical_justification": "Diabetic foot ulcer, left heel, 3 cm, moderate exudate",
        "doctor_comment": "Patient prefers weekly deliveries",
        "products": [{
            "product_id": w.foam,
            "sizes": [
                {"product_size_id": w.foam_small, "quantity": 10},
                {"product_size_id": w.foam_large, "quantity": 4}
            ]
        }]
    })
}

async fn create(w: &World, token: &str, body: Value) -> Value {
    let (status, vr) = w.app.post(token, "/api/v1/ivrs", body).await;
    assert_eq!(status, 201, "{vr}");
    vr
}

/// POST /api/v1/ivrs/{id}/{action}.
async fn act(w: &World, token: &str, id: &str, action: &str, body: Value) -> (u16, Value) {
    w.app
        .post(token, &format!("/api/v1/ivrs/{id}/{action}"), body)
        .await
}

/// Like `act`, but the move must succeed; returns the request after it.
async fn step(w: &World, token: &str, id: &str, action: &str, body: Value) -> Value {
    let (status, vr) = act(w, token, id, action, body).await;
    assert_eq!(status, 200, "{action}: {vr}");
    vr
}

async fn submitted(w: &World, body: Value) -> String {
    let vr = create(w, &w.doctor_a, body).await;
    let id = s(&vr["id"]);
    let vr = step(w, &w.doctor_a, &id, "submit", json!({})).await;
    assert_eq!(vr["status"], "submitted");
    id
}

async fn fetch(w: &World, token: &str, id: &str) -> Value {
    let (status, vr) = w.app.get(token, &format!("/api/v1/ivrs/{id}")).await;
    assert_eq!(status, 200, "{vr}");
    vr
}

fn coverage() -> Value {
    json!({
        "deductible_cents": 50_000,
        "copay_cents": 2_500,
        "coinsurance_percent": 20,
        "out_of_pocket_max_cents": 300_000,
        "prior_auth_required": true,
        "prior_auth_number": "PA-884120",
        "coverage_notes": "Covered under DME benefit"
    })
}

fn plain_coverage() -> Value {
    json!({
        "deductible_cents": 0, "copay_cents": 1_000, "coinsurance_percent": 10,
        "out_of_pocket_max_cents": 100_000, "prior_auth_required": false, "prior_auth_number": null
    })
}

/// The field names listed in a VALIDATION_ERROR.
fn invalid_fields(body: &Value) -> BTreeSet<String> {
    assert_eq!(error_code(body), "VALIDATION_ERROR", "{body}");
    body["error"]["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no details.fields: {body}"))
        .iter()
        .map(|f| s(&f["field"]))
        .collect()
}

fn fields(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// A 409 INVALID_STATUS_TRANSITION naming the current status and the refused action.
fn assert_illegal(status: u16, body: &Value, current: &str, action: &str) {
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_code(body), "INVALID_STATUS_TRANSITION", "{body}");
    assert_eq!(
        body["error"]["details"]["current_status"], current,
        "{body}"
    );
    assert_eq!(body["error"]["details"]["action"], action, "{body}");
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .or(list.as_array())
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| s(&v["id"]))
        .collect()
}

/// (from, to, actor) of each entry of a request's history.
async fn history(w: &World, token: &str, id: &str) -> Vec<(Value, String, String)> {
    let (status, h) = w
        .app
        .get(token, &format!("/api/v1/ivrs/{id}/history"))
        .await;
    assert_eq!(status, 200, "{h}");
    h.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from_status"].clone(),
                s(&e["to_status"]),
                s(&e["actor_id"]),
            )
        })
        .collect()
}

fn hist(from: Option<&str>, to: &str, actor: &str) -> (Value, String, String) {
    (
        from.map_or(Value::Null, |f| json!(f)),
        to.to_string(),
        actor.to_string(),
    )
}

on_both_engines!(a_request_from_draft_to_approval, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let (doc, spec) = (w.doctor_a_id.clone(), w.specialist_id.clone());

    let vr = create(&w, &w.doctor_a, request_body(&w)).await;
    let id = s(&vr["id"]);
    assert_eq!(vr["status"], "draft");
    assert_eq!(vr["request_number"], "VR-500001", "{vr}");
    assert_eq!(vr["patient_id"], w.patient_a.as_str());
    assert_eq!(vr["doctor_id"], doc.as_str());
    assert_eq!(vr["priority"], "routine");
    assert_eq!(vr["diagnosis_codes"], json!(["E11.621", "L97.412"]));
    assert_eq!(
        vr["medical_justification"],
        "Diabetic foot ulcer, left heel, 3 cm, moderate exudate"
    );
    assert!(vr["submitted_at"].is_null() && vr["decided_at"].is_null());
    assert!(vr["assigned_specialist_id"].is_null() && vr["coverage"].is_null());
    let products = vr["products"].as_array().unwrap();
    assert_eq!(products.len(), 1, "{vr}");
    assert_eq!(products[0]["product_id"], w.foam.as_str());
    assert_eq!(products[0]["product_name"], "Silicone foam dressing");
    assert_eq!(products[0]["hcpcs_code"], "A6212");
    let sizes: BTreeSet<(String, String, String, i64)> = products[0]["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| {
            (
                s(&z["product_size_id"]),
                s(&z["size_label"]),
                s(&z["sku"]),
                z["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        BTreeSet::from([
            (
                w.foam_small.clone(),
                "2 in x 2 in".to_string(),
                "FOAM-100-22".to_string(),
                10
            ),
            (
                w.foam_large.clone(),
                "4 in x 4 in".to_string(),
                "FOAM-100-44".to_string(),
                4
            ),
        ])
    );

    // Request numbers count up.
    let other = create(&w, &w.doctor_a, request_body(&w)).await;
    assert_eq!(other["request_number"], "VR-500002");

    // The doctor edits the draft: one code fewer, alginate added, urgent.
    let (status, edited) = w
        .app
        .put(
            &w.doctor_a,
            &format!("/api/v1/ivrs/{id}"),
            json!({
                "priority": "urgent",
                "diagnosis_codes": ["E11.621"],
                "products": [
                    {"product_id": w.foam, "sizes": [{"product_size_id": w.foam_small, "quantity": 12}]},
                    {"product_id": w.alginate, "sizes": [{"product_size_id": w.alginate_4x4, "quantity": 6}]}
                ]
            }),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["status"], "draft");
    assert_eq!(edited["priority"], "urgent");
    assert_eq!(edited["diagnosis_codes"], json!(["E11.621"]));
    assert!(edited["version"].as_i64().unwrap() > vr["version"].as_i64().unwrap());
    let lines: BTreeSet<(String, String, i64)> = edited["products"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["sizes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|z| {
                    (
                        s(&p["product_id"]),
                        s(&z["size_label"]),
                        z["quantity"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        lines,
        BTreeSet::from([
            (w.foam.clone(), "2 in x 2 in".to_string(), 12),
            (w.alginate.clone(), "4 in x 4 in".to_string(), 6),
        ])
    );
    // The edit is what a later read shows; untouched fields kept.
    let read = fetch(&w, &w.doctor_a, &id).await;
    assert_eq!(read["priority"], "urgent");
    assert_eq!(read["doctor_comment"], "Patient prefers weekly deliveries");

    // Drafts are not in the specialists' queue.
    let (status, queue) = w.app.get(&w.specialist, "/api/v1/ivrs/pending").await;
    assert_eq!(status, 200, "{queue}");
    assert!(!ids(&queue).contains(&id));

    let vr = step(&w, &w.doctor_a, &id, "submit", json!({})).await;
    assert_eq!(vr["status"], "submitted");
    assert!(vr["submitted_at"].is_string());

    let (status, queue) = w.app.get(&w.specialist, "/api/v1/ivrs/pending").await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(ids(&queue), vec![id.clone()], "{queue}");
    // The queue is the specialists'; the doctor is refused.
    let (status, body) = w.app.get(&w.doctor_a, "/api/v1/ivrs/pending").await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));

    let vr = step(&w, &w.specialist, &id, "start-review", json!({})).await;
    assert_eq!(vr["status"], "in_review");
    assert_eq!(vr["assigned_specialist_id"], spec.as_str());
    // In review is still waiting on a specialist.
    let (_, queue) = w.app.get(&w.specialist, "/api/v1/ivrs/pending").await;
    assert!(ids(&queue).contains(&id));

    let vr = step(
        &w,
        &w.specialist,
        &id,
        "approve",
        json!({"coverage": coverage(), "response": "Approved: 20% coinsurance after deductible"}),
    )
    .await;
    assert_eq!(vr["status"], "approved");
    assert!(vr["decided_at"].is_string(), "{vr}");
    let c = &vr["coverage"];
    assert_eq!(c["deductible_cents"], 50_000);
    assert_eq!(c["copay_cents"], 2_500);
    assert_eq!(c["coinsurance_percent"], 20);
    assert_eq!(c["out_of_pocket_max_cents"], 300_000);
    assert_eq!(c["prior_auth_required"], true);
    assert_eq!(c["prior_auth_number"], "PA-884120");
    assert_eq!(c["coverage_notes"], "Covered under DME benefit");
    assert_eq!(c["approved_by"], spec.as_str());

    // Decided requests leave the queue.
    let (_, queue) = w.app.get(&w.specialist, "/api/v1/ivrs/pending").await;
    assert!(!ids(&queue).contains(&id));

    // Every transition, in order, with who made it.
    assert_eq!(
        history(&w, &w.doctor_a, &id).await,
        vec![
            hist(None, "draft", &doc),
            hist(Some("draft"), "submitted", &doc),
            hist(Some("submitted"), "in_review", &spec),
            hist(Some("in_review"), "approved", &spec),
        ]
    );

    // The doctor sees the decision and the coverage.
    let seen = fetch(&w, &w.doctor_a, &id).await;
    assert_eq!(seen["status"], "approved");
    assert_eq!(seen["coverage"]["prior_auth_number"], "PA-884120");
    assert_eq!(seen["coverage"]["coinsurance_percent"], 20);
    assert_eq!(
        seen["ivr_response"],
        "Approved: 20% coinsurance after deductible"
    );
    w.app.stop().await;
});

on_both_engines!(the_queue_is_urgent_first_then_oldest, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let with_priority = |p: &str| {
        let mut b = request_body(&w);
        b["priority"] = json!(p);
        b
    };
    // Submitted in this order.
    let r1 = submitted(&w, with_priority("routine")).await;
    let r2 = submitted(&w, with_priority("urgent")).await;
    let r3 = submitted(&w, with_priority("routine")).await;
    let r4 = submitted(&w, with_priority("urgent")).await;
    create(&w, &w.doctor_a, with_priority("urgent")).await; // a draft: not queued
    // Being picked up does not move a request in the queue.
    step(&w, &w.specialist, &r1, "start-review", json!({})).await;

    let (status, queue) = w.app.get(&w.specialist, "/api/v1/ivrs/pending").await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(ids(&queue), vec![r2, r4, r1, r3], "{queue}");
    assert_eq!(queue["total"], 4);
    w.app.stop().await;
});

on_both_engines!(illegal_moves_are_refused_with_409, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let vr = create(&w, &w.doctor_a, request_body(&w)).await;
    let id = s(&vr["id"]);
    let cov = json!({"coverage": coverage()});

    // Approving a draft.
    let (status, body) = act(&w, &w.specialist, &id, "approve", cov.clone()).await;
    assert_illegal(status, &body, "draft", "approve");
    assert_eq!(fetch(&w, &w.doctor_a, &id).await["status"], "draft");

    step(&w, &w.doctor_a, &id, "submit", json!({})).await;
    // Editing a submitted request.
    let (status, body) = w
        .app
        .put(
            &w.doctor_a,
            &format!("/api/v1/ivrs/{id}"),
            json!({"priority": "urgent"}),
        )
        .await;
    assert_illegal(status, &body, "submitted", "edit");
    assert_eq!(fetch(&w, &w.doctor_a, &id).await["priority"], "routine");
    // Submitting twice.
    let (status, body) = act(&w, &w.doctor_a, &id, "submit", json!({})).await;
    assert_illegal(status, &body, "submitted", "submit");

    step(&w, &w.specialist, &id, "start-review", json!({})).await;
    step(&w, &w.specialist, &id, "approve", cov.clone()).await;

    // Nothing moves an approved request.
    let attempts: Vec<(&str, &str, Value, &str)> = vec![
        ("submit", "submit", json!({}), "doctor"),
        ("start-review", "start review of", json!({}), "specialist"),
        ("approve", "approve", cov.clone(), "specialist"),
        (
            "reject",
            "reject",
            json!({"reason_code": "not_covered"}),
            "specialist",
        ),
        (
            "request-info",
            "request information on",
            json!({"message": "one more thing"}),
            "specialist",
        ),
        (
            "escalate",
            "escalate",
            json!({"reason": "second opinion"}),
            "specialist",
        ),
    ];
    for (path, action, body, who) in attempts {
        let token = if who == "doctor" {
            &w.doctor_a
        } else {
            &w.specialist
        };
        let (status, resp) = act(&w, token, &id, path, body).await;
        assert_illegal(status, &resp, "approved", action);
    }
    let (status, body) = w
        .app
        .put(
            &w.doctor_a,
            &format!("/api/v1/ivrs/{id}"),
            json!({"priority": "urgent"}),
        )
        .await;
    assert_illegal(status, &body, "approved", "edit");
    let (status, body) = w
        .app
        .delete(&w.doctor_a, &format!("/api/v1/ivrs/{id}"))
        .await;
    assert_illegal(status, &body, "approved", "cancel");

    let after = fetch(&w, &w.doctor_a, &id).await;
    assert_eq!(after["status"], "approved");
    assert_eq!(after["priority"], "routine");
    assert_eq!(after["coverage"]["prior_auth_number"], "PA-884120");
    assert_eq!(history(&w, &w.doctor_a, &id).await.len(), 4);
    w.app.stop().await;
});

on_both_engines!(incomplete_or_invalid_input_is_422, |db| async move {
    let w = world(TestApp::spawn(db).await).await;

    // A draft may be empty, but cannot be submitted so.
    let empty = create(&w, &w.doctor_a, json!({"patient_id": w.patient_a})).await;
    let empty_id = s(&empty["id"]);
    let (status, body) = act(&w, &w.doctor_a, &empty_id, "submit", json!({})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        invalid_fields(&body),
        fields(&["diagnosis_codes", "products"])
    );
    assert_eq!(fetch(&w, &w.doctor_a, &empty_id).await["status"], "draft");

    // Prior authorization required but no number.
    let id = submitted(&w, request_body(&w)).await;
    let mut cov = coverage();
    cov["prior_auth_number"] = Value::Null;
    let (status, body) = act(&w, &w.specialist, &id, "approve", json!({"coverage": cov})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        invalid_fields(&body),
        fields(&["coverage.prior_auth_number"])
    );
    let still = fetch(&w, &w.doctor_a, &id).await;
    assert_eq!(still["status"], "submitted");
    assert!(still["coverage"].is_null());

    // A malformed ICD-10 code is named by its position, on create and on edit.
    let mut bad = request_body(&w);
    bad["diagnosis_codes"] = json!(["E11.621", "banana"]);
    let (status, body) = w.app.post(&w.doctor_a, "/api/v1/ivrs", bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["diagnosis_codes[1]"]));
    let (status, body) = w
        .app
        .put(
            &w.doctor_a,
            &format!("/api/v1/ivrs/{empty_id}"),
            json!({"diagnosis_codes": ["12345"]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["diagnosis_codes[0]"]));

    // A size that belongs to another product.
    let mut wrong = request_body(&w);
    wrong["products"] = json!([{
        "product_id": w.foam,
        "sizes": [{"product_size_id": w.alginate_4x4, "quantity": 2}]
    }]);
    let (status, body) = w.app.post(&w.doctor_a, "/api/v1/ivrs", wrong.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        invalid_fields(&body),
        fields(&["products[0].sizes[0].product_size_id"])
    );
    let (status, body) = w
        .app
        .put(
            &w.doctor_a,
            &format!("/api/v1/ivrs/{empty_id}"),
            json!({"products": wrong["products"]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        invalid_fields(&body),
        fields(&["products[0].sizes[0].product_size_id"])
    );
    // The refused edit left the draft as it was.
    assert_eq!(
        fetch(&w, &w.doctor_a, &empty_id).await["products"],
        json!([])
    );

    // An unknown facility is named, not an internal error.
    let mut elsewhere = request_body(&w);
    elsewhere["facility_id"] = json!(uuid::Uuid::new_v4());
    let (status, body) = w.app.post(&w.doctor_a, "/api/v1/ivrs", elsewhere).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["facility_id"]));

    // Refused creations created nothing.
    let (_, list) = w.app.get(&w.doctor_a, "/api/v1/ivrs").await;
    assert_eq!(list["total"], 2, "{list}");
    w.app.stop().await;
});

on_both_engines!(asking_the_doctor_for_more_information, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let (doc, spec) = (w.doctor_a_id.clone(), w.specialist_id.clone());
    let id = submitted(&w, request_body(&w)).await;
    step(&w, &w.specialist, &id, "start-review", json!({})).await;

    let question = "Please attach a wound photo and the latest A1C";
    let vr = step(
        &w,
        &w.specialist,
        &id,
        "request-info",
        json!({"message": question}),
    )
    .await;
    assert_eq!(vr["status"], "info_requested");

    // The question reaches the doctor as a message.
    let (status, msgs) = w
        .app
        .get(&w.doctor_a, &format!("/api/v1/ivrs/{id}/messages"))
        .await;
    assert_eq!(status, 200, "{msgs}");
    let msgs = msgs.as_array().unwrap();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0]["kind"], "info_request");
    assert_eq!(msgs[0]["body"], question);
    assert_eq!(msgs[0]["sender_id"], spec.as_str());

    // Waiting on the doctor: not in the specialists' queue.
    let (_, queue) = w.app.get(&w.specialist, "/api/v1/ivrs/pending").await;
    assert!(!ids(&queue).contains(&id));

    // The doctor answers by editing and resubmitting.
    let (status, edited) = w
        .app
        .put(
            &w.doctor_a,
            &format!("/api/v1/ivrs/{id}"),
            json!({"medical_justification": "Photo attached; A1C 8.1% on 2026-01-20"}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["status"], "info_requested");
    assert_eq!(
        edited["medical_justification"],
        "Photo attached; A1C 8.1% on 2026-01-20"
    );
    let vr = step(&w, &w.doctor_a, &id, "submit", json!({})).await;
    assert_eq!(vr["status"], "submitted");
    let (_, queue) = w.app.get(&w.specialist, "/api/v1/ivrs/pending").await;
    assert!(ids(&queue).contains(&id));

    assert_eq!(
        history(&w, &w.doctor_a, &id).await,
        vec![
            hist(None, "draft", &doc),
            hist(Some("draft"), "submitted", &doc),
            hist(Some("submitted"), "in_review", &spec),
            hist(Some("in_review"), "info_requested", &spec),
            hist(Some("info_requested"), "submitted", &doc),
        ]
    );
    w.app.stop().await;
});

on_both_engines!(reject_escalate_and_cancel, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let spec = w.specialist_id.clone();

    // Reject: the reason code must be a code; a good one decides the request.
    let rejected = submitted(&w, request_body(&w)).await;
    let (status, body) = act(
        &w,
        &w.specialist,
        &rejected,
        "reject",
        json!({"reason_code": "Not covered!"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["reason_code"]));
    let vr = step(
        &w,
        &w.specialist,
        &rejected,
        "reject",
        json!({"reason_code": "not_covered"}),
    )
    .await;
    assert_eq!(vr["status"], "rejected");
    assert!(vr["decided_at"].is_string());
    assert!(vr["coverage"].is_null());
    let (_, h) = w
        .app
        .get(&w.doctor_a, &format!("/api/v1/ivrs/{rejected}/history"))
        .await;
    let last = h.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["to_status"], "rejected");
    assert_eq!(last["note"], "not_covered");
    assert_eq!(last["actor_id"], spec.as_str());
    assert_eq!(
        fetch(&w, &w.doctor_a, &rejected).await["status"],
        "rejected"
    );

    // Escalate, then approve: the escalation is resolved by the decision.
    let escalated = submitted(&w, request_body(&w)).await;
    step(&w, &w.specialist, &escalated, "start-review", json!({})).await;
    let vr = step(
        &w,
        &w.specialist,
        &escalated,
        "escalate",
        json!({"reason": "Needs the medical director"}),
    )
    .await;
    assert_eq!(vr["status"], "escalated");
    let (_, queue) = w.app.get(&w.specialist, "/api/v1/ivrs/pending").await;
    assert!(ids(&queue).contains(&escalated), "escalated stays queued");
    let open = escalations(&w, &escalated).await;
    assert_eq!(open, vec![false], "one open escalation");
    let vr = step(
        &w,
        &w.specialist,
        &escalated,
        "approve",
        json!({"coverage": plain_coverage()}),
    )
    .await;
    assert_eq!(vr["status"], "approved");
    assert_eq!(vr["coverage"]["copay_cents"], 1_000);
    assert_eq!(escalations(&w, &escalated).await, vec![true], "resolved");
    let h = history(&w, &w.doctor_a, &escalated).await;
    let tail: Vec<String> = h[h.len() - 2..].iter().map(|e| e.1.clone()).collect();
    assert_eq!(tail, vec!["escalated", "approved"]);

    // The doctor cancels a draft.
    let draft = create(&w, &w.doctor_a, request_body(&w)).await;
    let draft_id = s(&draft["id"]);
    let (status, vr) = w
        .app
        .delete(&w.doctor_a, &format!("/api/v1/ivrs/{draft_id}"))
        .await;
    assert_eq!(status, 200, "{vr}");
    assert_eq!(vr["status"], "cancelled");
    assert_eq!(
        fetch(&w, &w.doctor_a, &draft_id).await["status"],
        "cancelled"
    );
    let (status, body) = act(&w, &w.doctor_a, &draft_id, "submit", json!({})).await;
    assert_illegal(status, &body, "cancelled", "submit");
    w.app.stop().await;
});

/// Whether each escalation of a request is resolved, oldest first. Escalations have no
/// endpoint of their own, so this reads the table.
async fn escalations(w: &World, id: &str) -> Vec<bool> {
    use careline_store::entity::ivr_escalation;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    ivr_escalation::Entity::find()
        .filter(ivr_escalation::Column::IvrRequestId.eq(uuid::Uuid::parse_str(id).unwrap()))
        .order_by_asc(ivr_escalation::Column::CreatedAt)
        .all(w.app.store().db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.resolved_at.is_some())
        .collect()
}

on_both_engines!(two_reviewers_approving_at_once, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let id = submitted(&w, request_body(&w)).await;
    step(&w, &w.specialist, &id, "start-review", json!({})).await;
    // A second specialist, so the two calls are two people.
    w.app
        .user("specialist2@vr.test", Role::IvrSpecialist, None)
        .await;
    let other = w.app.token("specialist2@vr.test").await;

    let mut second = coverage();
    second["prior_auth_number"] = json!("PA-SECOND");
    let (a, b) = tokio::join!(
        act(
            &w,
            &w.specialist,
            &id,
            "approve",
            json!({"coverage": coverage()})
        ),
        act(&w, &other, &id, "approve", json!({"coverage": second})),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.1, b.1);
    let (winner, loser) = if a.0 == 200 {
        (&a.1, &b.1)
    } else {
        (&b.1, &a.1)
    };
    assert!(
        matches!(error_code(loser), "INVALID_STATUS_TRANSITION" | "CONFLICT"),
        "{loser}"
    );

    // One approval, and the coverage is the winner's.
    let h = history(&w, &w.doctor_a, &id).await;
    assert_eq!(h.iter().filter(|e| e.1 == "approved").count(), 1, "{h:?}");
    let vr = fetch(&w, &w.doctor_a, &id).await;
    assert_eq!(vr["status"], "approved");
    assert_eq!(
        vr["coverage"]["prior_auth_number"],
        winner["coverage"]["prior_auth_number"]
    );
    w.app.stop().await;
});

on_both_engines!(each_user_sees_only_their_requests, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let a = create(&w, &w.doctor_a, request_body(&w)).await;
    let a_id = s(&a["id"]);
    let mut b_body = request_body(&w);
    b_body["patient_id"] = json!(w.patient_b);
    let b = create(&w, &w.doctor_b, b_body).await;
    let b_id = s(&b["id"]);

    // Doctor B cannot read or write on A's request: it does not exist for them.
    for path in [
        format!("/api/v1/ivrs/{a_id}"),
        format!("/api/v1/ivrs/{a_id}/history"),
        format!("/api/v1/ivrs/{a_id}/messages"),
        format!("/api/v1/ivrs/{a_id}/documents"),
    ] {
        let (status, body) = w.app.get(&w.doctor_b, &path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(
            error_code(&body),
            "VERIFICATION_REQUEST_NOT_FOUND",
            "{path}"
        );
    }
    let (status, body) = w
        .app
        .post(
            &w.doctor_b,
            &format!("/api/v1/ivrs/{a_id}/messages"),
            json!({"body": "hello from B"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "VERIFICATION_REQUEST_NOT_FOUND")
    );
    let (status, body) = act(&w, &w.doctor_b, &a_id, "submit", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "VERIFICATION_REQUEST_NOT_FOUND")
    );
    let (status, body) = w
        .app
        .delete(&w.doctor_b, &format!("/api/v1/ivrs/{a_id}"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "VERIFICATION_REQUEST_NOT_FOUND")
    );
    assert_eq!(fetch(&w, &w.doctor_a, &a_id).await["status"], "draft");
    let (_, msgs) = w
        .app
        .get(&w.doctor_a, &format!("/api/v1/ivrs/{a_id}/messages"))
        .await;
    assert_eq!(msgs, json!([]), "B's message must not have landed");

    // Doctor A cannot file a request for doctor B's patient.
    let mut cross = request_body(&w);
    cross["patient_id"] = json!(w.patient_b);
    let (status, body) = w.app.post(&w.doctor_a, "/api/v1/ivrs", cross).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["patient_id"]));

    // A's salesperson sees A's requests only; the specialist, admin and master see both.
    let (status, list) = w.app.get(&w.sales, "/api/v1/ivrs").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(ids(&list), vec![a_id.clone()]);
    assert_eq!(list["total"], 1);
    let (status, _) = w.app.get(&w.sales, &format!("/api/v1/ivrs/{b_id}")).await;
    assert_eq!(status, 404);
    let (status, _) = w.app.get(&w.sales, &format!("/api/v1/ivrs/{a_id}")).await;
    assert_eq!(status, 200);
    for token in [&w.specialist, &w.admin, &w.master] {
        let (status, list) = w.app.get(token, "/api/v1/ivrs").await;
        assert_eq!(status, 200, "{list}");
        let seen: BTreeSet<String> = ids(&list).into_iter().collect();
        assert_eq!(seen, BTreeSet::from([a_id.clone(), b_id.clone()]));
        assert_eq!(list["total"], 2);
    }
    let (status, _) = w
        .app
        .get(&w.specialist, &format!("/api/v1/ivrs/{b_id}"))
        .await;
    assert_eq!(status, 200);
    w.app.stop().await;
});

on_both_engines!(doctor_and_specialist_exchange_messages, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let (doc, spec) = (w.doctor_a_id.clone(), w.specialist_id.clone());
    let id = submitted(&w, request_body(&w)).await;
    let path = format!("/api/v1/ivrs/{id}/messages");

    let said = [
        (&w.doctor_a, &doc, "Is the 4 in size covered as well?"),
        (&w.specialist, &spec, "Yes, up to 4 per month."),
        (&w.doctor_a, &doc, "Thank you, that works."),
    ];
    for (token, sender, text) in said {
        let (status, m) = w.app.post(token, &path, json!({"body": text})).await;
        assert_eq!(status, 201, "{m}");
        assert_eq!(m["body"], text);
        assert_eq!(m["kind"], "message");
        assert_eq!(m["sender_id"], sender.as_str());
    }
    let (status, body) = w.app.post(&w.doctor_a, &path, json!({"body": "  "})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["body"]));

    for token in [&w.doctor_a, &w.specialist] {
        let (status, list) = w.app.get(token, &path).await;
        assert_eq!(status, 200, "{list}");
        let got: Vec<(String, String)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (s(&m["sender_id"]), s(&m["body"])))
            .collect();
        let want: Vec<(String, String)> = said
            .iter()
            .map(|(_, sender, text)| (sender.to_string(), text.to_string()))
            .collect();
        assert_eq!(got, want);
    }
    w.app.stop().await;
});

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every stored text and byte value of the PostgreSQL database (bytea in escape form, where
/// printable bytes stay as they are), labelled `table.column`.
async fn postgres_values(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.store().db();
    let backend = db.get_database_backend();
    let columns = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND data_type IN ('text', 'character varying', 'bytea', 'json', 'jsonb')",
        ))
        .await
        .unwrap();
    assert!(columns.len() > 20, "the schema was not found");
    let mut values = Vec::new();
    for row in columns {
        let t: String = row.try_get("", "t").unwrap();
        let c: String = row.try_get("", "c").unwrap();
        let d: String = row.try_get("", "d").unwrap();
        let expr = if d == "bytea" {
            format!("encode(\"{c}\", 'escape')")
        } else {
            format!("\"{c}\"::text")
        };
        for r in db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT {expr} AS v FROM \"{t}\" WHERE \"{c}\" IS NOT NULL"),
            ))
            .await
            .unwrap()
        {
            let v: String = r.try_get("", "v").unwrap();
            values.push((format!("{t}.{c}"), v.into_bytes()));
        }
    }
    values
}

on_both_engines!(
    supporting_documents_are_checked_and_encrypted,
    |db| async move {
        let app = TestApp::spawn_with(
            db,
            Config {
                max_document_bytes: 1024,
                ..common::test_config()
            },
        )
        .await;
        let w = world(app).await;
        let id = submitted(&w, request_body(&w)).await;
        let path = format!("/api/v1/ivrs/{id}/documents");
        const MARKER: &str = "Quillfeather wound photo 2026 left heel";
        let pdf: Vec<u8> = format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {MARKER}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes();

        let (status, doc) = post_raw(
            &w.app,
            &w.doctor_a,
            &format!("{path}?filename=wound.pdf"),
            "application/pdf",
            pdf.clone(),
        )
        .await;
        assert_eq!(status, 201, "{doc}");
        use sha2::Digest;
        assert_eq!(doc["sha256"], hex::encode(sha2::Sha256::digest(&pdf)));
        assert_eq!(doc["filename"], "wound.pdf");
        assert_eq!(doc["content_type"], "application/pdf");
        assert_eq!(doc["size_bytes"], pdf.len());
        assert_eq!(doc["uploaded_by"], w.doctor_a_id.as_str());
        let doc_id = s(&doc["id"]);

        // Listed for the specialist too.
        let (status, list) = w.app.get(&w.specialist, &path).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(ids(&list), vec![doc_id.clone()]);
        assert_eq!(list[0]["filename"], "wound.pdf");

        // Downloaded byte for byte, with its type.
        let r = w
            .app
            .http
            .get(w.app.url(&format!("{path}/{doc_id}")))
            .bearer_auth(&w.specialist)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/pdf")
        );
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        // Not for another doctor.
        let (status, body) = w.app.get(&w.doctor_b, &format!("{path}/{doc_id}")).await;
        assert_eq!(
            (status, error_code(&body)),
            (404, "VERIFICATION_REQUEST_NOT_FOUND")
        );

        // A PDF labelled as PNG, an unsupported type, and a file over the limit are refused.
        let (status, body) = post_raw(
            &w.app,
            &w.doctor_a,
            &format!("{path}?filename=wound.png"),
            "image/png",
            pdf.clone(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(invalid_fields(&body), fields(&["body"]));
        let (status, body) = post_raw(
            &w.app,
            &w.doctor_a,
            &format!("{path}?filename=wound.zip"),
            "application/zip",
            b"PK\x03\x04zipdata".to_vec(),
        )
        .await;
        assert_eq!(
            (status, error_code(&body)),
            (415, "UNSUPPORTED_MEDIA_TYPE"),
            "{body}"
        );
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(2048, b'x');
        let (status, body) = post_raw(
            &w.app,
            &w.doctor_a,
            &format!("{path}?filename=big.pdf"),
            "application/pdf",
            big,
        )
        .await;
        assert_eq!(
            (status, error_code(&body)),
            (413, "PAYLOAD_TOO_LARGE"),
            "{body}"
        );
        let (_, list) = w.app.get(&w.doctor_a, &path).await;
        assert_eq!(ids(&list), vec![doc_id.clone()], "refused uploads stored");

        // At rest: neither the content nor the file name is readable in the database.
        let needles: [&[u8]; 2] = [MARKER.as_bytes(), b"wound.pdf"];
        match w.app.db.engine {
            Engine::Sqlite => {
                let path =
                    std::path::PathBuf::from(w.app.db.url.strip_prefix("sqlite://").unwrap());
                let mut total = 0;
                for entry in std::fs::read_dir(path.parent().unwrap()).unwrap() {
                    let file = entry.unwrap().path();
                    if !file.is_file() {
                        continue;
                    }
                    let bytes = std::fs::read(&file).unwrap();
                    total += bytes.len();
                    for n in needles {
                        assert!(
                            !contains(&bytes, n),
                            "{} holds {:?} in plaintext",
                            file.display(),
                            String::from_utf8_lossy(n)
                        );
                    }
                }
                assert!(total > 0, "no database files found");
            }
            Engine::Postgres => {
                let values = postgres_values(&w.app).await;
                assert!(
                    values.iter().any(|(c, _)| c == "ivr_documents.content_enc"),
                    "the stored document was not found"
                );
                for (column, v) in &values {
                    for n in needles {
                        assert!(
                            !contains(v, n),
                            "{column} holds {:?} in plaintext",
                            String::from_utf8_lossy(n)
                        );
                    }
                }
            }
        }
        w.app.stop().await;
    }
);

on_both_engines!(templates_fill_in_a_request, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let justification = "Chronic diabetic foot ulcer failing 4 weeks of standard care";
    let (status, t) = w
        .app
        .post(
            &w.specialist,
            "/api/v1/ivrs/templates",
            json!({
                "name": "Diabetic foot ulcer",
                "service_type": "DFU advanced dressing authorization",
                "default_diagnosis_codes": ["e11621", "L97.412"],
                "default_products": [w.foam],
                "justification_template": justification
            }),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["default_diagnosis_codes"], json!(["E11.621", "L97.412"]));
    let tid = s(&t["id"]);

    let (status, list) = w.app.get(&w.doctor_a, "/api/v1/ivrs/templates").await;
    assert_eq!(status, 200, "{list}");
    assert!(ids(&list).contains(&tid));

    let vr = create(
        &w,
        &w.doctor_a,
        json!({
            "patient_id": w.patient_a,
            "template_id": tid,
            "products": [{"product_id": w.foam, "sizes": [{"product_size_id": w.foam_large, "quantity": 2}]}]
        }),
    )
    .await;
    assert_eq!(vr["template_id"], tid.as_str());
    assert_eq!(vr["diagnosis_codes"], json!(["E11.621", "L97.412"]));
    assert_eq!(vr["medical_justification"], justification);
    assert_eq!(vr["service_type"], "DFU advanced dressing authorization");
    // Complete enough to submit as it is.
    let id = s(&vr["id"]);
    assert_eq!(
        step(&w, &w.doctor_a, &id, "submit", json!({})).await["status"],
        "submitted"
    );

    // Given values win over the template's.
    let vr = create(
        &w,
        &w.doctor_a,
        json!({
            "patient_id": w.patient_a,
            "template_id": tid,
            "diagnosis_codes": ["L89.154"],
            "medical_justification": "Stage 4 sacral pressure injury",
            "products": []
        }),
    )
    .await;
    assert_eq!(vr["diagnosis_codes"], json!(["L89.154"]));
    assert_eq!(
        vr["medical_justification"],
        "Stage 4 sacral pressure injury"
    );

    // Templates are the specialists'; an unknown one is refused.
    let (status, body) = w
        .app
        .post(
            &w.doctor_a,
            "/api/v1/ivrs/templates",
            json!({"name": "Mine", "service_type": "x"}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));
    let (status, body) = w
        .app
        .post(
            &w.doctor_a,
            "/api/v1/ivrs",
            json!({"patient_id": w.patient_a, "template_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["template_id"]));
    w.app.stop().await;
});

on_both_engines!(bulk_approval_reports_each_request, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let r1 = submitted(&w, request_body(&w)).await;
    let r2 = submitted(&w, request_body(&w)).await;
    let r3 = submitted(&w, request_body(&w)).await;
    step(&w, &w.specialist, &r2, "start-review", json!({})).await;
    let draft = s(&create(&w, &w.doctor_a, request_body(&w)).await["id"]);

    let (status, results) = w
        .app
        .post(
            &w.specialist,
            "/api/v1/ivrs/bulk-approve",
            json!({"ids": [r1, draft, r2, r3], "coverage": plain_coverage()}),
        )
        .await;
    assert_eq!(status, 200, "{results}");
    let results = results.as_array().unwrap();
    let got: Vec<(String, bool, Value)> = results
        .iter()
        .map(|r| (s(&r["id"]), r["approved"] == true, r["code"].clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (r1.clone(), true, Value::Null),
            (draft.clone(), false, json!("INVALID_STATUS_TRANSITION")),
            (r2.clone(), true, Value::Null),
            (r3.clone(), true, Value::Null),
        ]
    );
    for id in [&r1, &r2, &r3] {
        let vr = fetch(&w, &w.doctor_a, id).await;
        assert_eq!(vr["status"], "approved");
        assert_eq!(vr["coverage"]["copay_cents"], 1_000);
    }
    assert_eq!(fetch(&w, &w.doctor_a, &draft).await["status"], "draft");

    // Bad coverage refuses the whole call before anything changes.
    let r4 = submitted(&w, request_body(&w)).await;
    let mut bad = plain_coverage();
    bad["coinsurance_percent"] = json!(140);
    let (status, body) = w
        .app
        .post(
            &w.specialist,
            "/api/v1/ivrs/bulk-approve",
            json!({"ids": [r4], "coverage": bad}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        invalid_fields(&body),
        fields(&["coverage.coinsurance_percent"])
    );
    assert_eq!(fetch(&w, &w.doctor_a, &r4).await["status"], "submitted");
    w.app.stop().await;
});

on_both_engines!(doctors_find_products_whatever_the_case, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    // A doctor picking products for a request searches the catalogue by name, SKU or HCPCS
    // code, typed in any case.
    for (q, want) in [
        ("foam", vec![w.foam.clone()]),
        ("Silicone FOAM", vec![w.foam.clone()]),
        ("a6212", vec![w.foam.clone()]),
        ("alg-200", vec![w.alginate.clone()]),
        ("CALCIUM", vec![w.alginate.clone()]),
        ("gauze", vec![]),
    ] {
        let (status, page) = w
            .app
            .get(
                &w.doctor_a,
                &format!("/api/v1/products?q={}", q.replace(' ', "%20")),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(ids(&page), want, "q={q}: {page}");
        assert_eq!(page["total"], want.len(), "q={q}");
    }
    w.app.stop().await;
});

// `careline serve` refreshes SQLite's planner statistics at start and hourly; without them the
// planner sorted the whole review queue instead of reading its partial index in order (at
// 100,000 requests, 50 ms a page; docs/performance.md). This checks the refresh really writes
// statistics for the requests table (a wrong `PRAGMA optimize` mask silently does nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optimizing_writes_planner_statistics_for_the_requests_table() {
    use sea_orm::{ConnectionTrait, Statement};
    let w = world(TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await)
        .await;
    let vr = create(&w, &w.doctor_a, request_body(&w)).await;
    let (status, _) = w
        .app
        .post(
            &w.doctor_a,
            &format!("/api/v1/ivrs/{}/submit", s(&vr["id"])),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let db = &w.app.db;
    let stats = |db: &common::TestDb| {
        let store = db.store.clone();
        async move {
            store
                .db()
                .query_one_raw(Statement::from_string(
                    sea_orm::DbBackend::Sqlite,
                    "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'",
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap()
        }
    };
    assert_eq!(stats(db).await, 0, "a new database has no statistics yet");
    db.store.optimize().await.unwrap();
    assert_eq!(stats(db).await, 1, "optimize wrote none");
    let rows = db
        .store
        .db()
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM sqlite_stat1 \
             WHERE idx = 'ix_ivr_requests_review_queue'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(rows, 1, "no statistics for the review queue's index");
}
