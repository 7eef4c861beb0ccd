//! Patients through the real HTTP server: the record's life cycle, search, validation of
//! malformed requests, and row scoping along the sales hierarchy.

mod common;

use careline_domain::Role;
use common::{TestApp, error_code, patient_body, post_raw};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The field names listed in a VALIDATION_ERROR.
fn invalid_fields(body: &Value) -> BTreeSet<String> {
    assert_eq!(error_code(body), "VALIDATION_ERROR", "{body}");
    body["error"]["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no details.fields: {body}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

fn ids(page: &Value) -> BTreeSet<String> {
    let list = page["items"]
        .as_array()
        .or(page.as_array())
        .expect("a list");
    list.iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, p) = app.post(token, "/api/v1/patients", body).await;
    assert_eq!(status, 201, "{p}");
    p
}

on_both_engines!(a_patient_record_through_its_life, |db| async move {
    let app = TestApp::spawn(db).await;
    let doctor = app.user("dr.hale@careline.test", Role::Doctor, None).await;
    let t = app.token("dr.hale@careline.test").await;

    let p = create(
        &app,
        &t,
        patient_body("Mirela", "Osgood", "1948-07-02", "502-555-0101"),
    )
    .await;
    let id = p["id"].as_str().unwrap().to_string();
    let number = p["patient_number"].as_str().unwrap().to_string();
    assert_eq!(p["doctor_id"], doctor.to_string());
    assert_eq!(p["first_name"], "Mirela");
    assert_eq!(p["last_name"], "Osgood");
    assert_eq!(p["date_of_birth"], "1948-07-02");
    assert_eq!(p["phone"], "+15025550101");
    assert_eq!(p["status"], "active");
    assert_eq!(p["address"]["city"], "Louisville");
    assert_eq!(p["insurance"][0]["member_id"], "MEM-Osgood-77");
    assert!(number.chars().all(|c| c.is_ascii_digit()) && !number.is_empty());

    let (status, got) = app.get(&t, &format!("/api/v1/patients/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["id"], p["id"]);
    assert_eq!(got["clinical_notes"], "notes about Mirela Osgood");

    let (status, updated) = app
        .put(
            &t,
            &format!("/api/v1/patients/{id}"),
            json!({"phone": "(502) 555-0199", "last_name": "Osgood-Rey"}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["phone"], "+15025550199");
    assert_eq!(updated["last_name"], "Osgood-Rey");
    assert_eq!(updated["first_name"], "Mirela", "fields not sent are kept");
    assert_eq!(updated["insurance"][0]["member_id"], "MEM-Osgood-77");

    let (status, found) = app
        .get(&t, "/api/v1/patients/search?phone=5025550199")
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(ids(&found), BTreeSet::from([id.clone()]));
    let (_, found) = app
        .get(&t, "/api/v1/patients/search?phone=5025550101")
        .await;
    assert_eq!(
        found,
        json!([]),
        "the old phone no longer finds the patient"
    );

    let (_, found) = app
        .get(
            &t,
            "/api/v1/patients/search?date_of_birth=1948-07-02&last_name=Osgood-Rey",
        )
        .await;
    assert_eq!(ids(&found), BTreeSet::from([id.clone()]));
    // The last-name half of the index ignores case and punctuation.
    let (_, found) = app
        .get(
            &t,
            "/api/v1/patients/search?date_of_birth=1948-07-02&last_name=osgood%20rey",
        )
        .await;
    assert_eq!(ids(&found), BTreeSet::from([id.clone()]));
    let (_, found) = app
        .get(
            &t,
            "/api/v1/patients/search?date_of_birth=1948-07-02&last_name=Osgood",
        )
        .await;
    assert_eq!(
        found,
        json!([]),
        "the old last name no longer finds the patient"
    );
    let (_, found) = app
        .get(
            &t,
            "/api/v1/patients/search?date_of_birth=1948-07-03&last_name=Osgood-Rey",
        )
        .await;
    assert_eq!(found, json!([]));

    let (_, found) = app
        .get(
            &t,
            &format!("/api/v1/patients/search?patient_number={number}"),
        )
        .await;
    assert_eq!(ids(&found), BTreeSet::from([id.clone()]));
    let (status, body) = app.get(&t, "/api/v1/patients/search").await;
    assert_eq!(status, 422, "a search needs a key: {body}");

    let (status, archived) = app.delete(&t, &format!("/api/v1/patients/{id}")).await;
    assert_eq!(status, 200, "{archived}");
    assert_eq!(archived["status"], "archived");
    assert!(archived["archived_at"].is_string());

    let (_, list) = app.get(&t, "/api/v1/patients").await;
    assert_eq!(list["total"], 0);
    assert!(ids(&list).is_empty());
    let (_, list) = app.get(&t, "/api/v1/patients?include_archived=true").await;
    assert_eq!(list["total"], 1);
    assert_eq!(ids(&list), BTreeSet::from([id.clone()]));
    // Still readable by id for the retention period.
    let (status, got) = app.get(&t, &format!("/api/v1/patients/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["status"], "archived");

    let (status, body) = app
        .put(
            &t,
            &format!("/api/v1/patients/{id}"),
            json!({"first_name": "Mira"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    error_code(&body);
    let (status, body) = app.delete(&t, &format!("/api/v1/patients/{id}")).await;
    assert_eq!(status, 409, "archiving twice: {body}");
    let (_, got) = app.get(&t, &format!("/api/v1/patients/{id}")).await;
    assert_eq!(
        got["first_name"], "Mirela",
        "the refused update changed nothing"
    );

    let (status, history) = app.get(&t, &format!("/api/v1/patients/{id}/history")).await;
    assert_eq!(status, 200, "{history}");
    let entries = history.as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "updated", "archived"]);
    let updated_fields: BTreeSet<&str> = entries[1]["changed_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(updated_fields, BTreeSet::from(["last_name", "phone"]));
    assert!(entries.iter().all(|h| h["actor_id"] == doctor.to_string()));
    let text = history.to_string();
    for value in ["Osgood", "Mirela", "5025550199", "5025550101", "1948-07-02"] {
        assert!(
            !text.contains(value),
            "history holds the value {value}: {text}"
        );
    }

    app.stop().await;
});

on_both_engines!(
    a_request_with_several_mistakes_lists_them_all,
    |db| async move {
        let app = TestApp::spawn(db).await;
        app.user("dr.check@careline.test", Role::Doctor, None).await;
        let t = app.token("dr.check@careline.test").await;

        let (status, body) = app
        .post(
            &t,
            "/api/v1/patients",
            json!({
                "first_name": "   ",
                "last_name": "Valid",
                "date_of_birth": "2199-01-01",
                "phone": "12",
                "email": "not-an-email",
                "preferred_language": "en US!",
                "address": {"line1": "", "city": "Louisville", "state": "KY", "postal_code": "40202"},
                "insurance": [{"payer_name": "Aetna", "member_id": "  "}]
            }),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            invalid_fields(&body),
            [
                "first_name",
                "date_of_birth",
                "phone",
                "email",
                "preferred_language",
                "address.line1",
                "insurance[0].member_id"
            ]
            .into_iter()
            .map(String::from)
            .collect()
        );
        let (_, list) = app.get(&t, "/api/v1/patients").await;
        assert_eq!(list["total"], 0, "nothing was created");

        // The same checks on update.
        let p = create(
            &app,
            &t,
            patient_body("Ada", "Byrne", "1950-05-05", "5025550111"),
        )
        .await;
        let path = format!("/api/v1/patients/{}", p["id"].as_str().unwrap());
        let (status, body) = app
            .put(
                &t,
                &path,
                json!({"last_name": "", "date_of_birth": "31/31/1950", "phone": "phone"}),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            invalid_fields(&body),
            ["last_name", "date_of_birth", "phone"]
                .into_iter()
                .map(String::from)
                .collect()
        );

        app.stop().await;
    }
);

on_both_engines!(
    malformed_requests_get_clear_client_errors,
    |db| async move {
        let app = TestApp::spawn(db).await;
        app.user("dr.strict@careline.test", Role::Doctor, None)
            .await;
        let t = app.token("dr.strict@careline.test").await;
        let valid = patient_body("Lena", "Marsh", "1961-02-03", "5025550120");

        let (status, body) = post_raw(
            &app,
            &t,
            "/api/v1/patients",
            "application/json",
            b"{\"first_name\": ".to_vec(),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "MALFORMED_JSON");

        let mut wrong_type = valid.clone();
        wrong_type["first_name"] = json!(5);
        let (status, body) = app.post(&t, "/api/v1/patients", wrong_type).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(error_code(&body), "VALIDATION_ERROR");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("first_name"),
            "{body}"
        );

        let mut unknown = valid.clone();
        unknown["ssn"] = json!("123-45-6789");
        let (status, body) = app.post(&t, "/api/v1/patients", unknown).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(error_code(&body), "VALIDATION_ERROR");
        assert!(
            body["error"]["message"].as_str().unwrap().contains("ssn"),
            "{body}"
        );

        let mut missing = valid.clone();
        missing.as_object_mut().unwrap().remove("last_name");
        let (status, body) = app.post(&t, "/api/v1/patients", missing).await;
        assert_eq!(status, 422, "{body}");

        let mut huge = valid.clone();
        huge["clinical_notes"] = json!("x".repeat(1024 * 1024 + 10));
        let (status, body) = app.post(&t, "/api/v1/patients", huge).await;
        assert_eq!(status, 413, "{body}");
        assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");

        let text = serde_json::to_vec(&valid).unwrap();
        let (status, body) =
            post_raw(&app, &t, "/api/v1/patients", "text/plain", text.clone()).await;
        assert_eq!(status, 415, "{body}");
        assert_eq!(error_code(&body), "UNSUPPORTED_MEDIA_TYPE");

        let (status, body) = app.get(&t, "/api/v1/patients/not-a-uuid").await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "INVALID_PATH_PARAMETER");
        let (status, body) = app.put(&t, "/api/v1/patients/12345", json!({})).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "INVALID_PATH_PARAMETER");

        let unknown_id = uuid::Uuid::now_v7();
        for (status, body) in [
            app.get(&t, &format!("/api/v1/patients/{unknown_id}")).await,
            app.put(
                &t,
                &format!("/api/v1/patients/{unknown_id}"),
                json!({"first_name": "X"}),
            )
            .await,
            app.delete(&t, &format!("/api/v1/patients/{unknown_id}"))
                .await,
            app.get(&t, &format!("/api/v1/patients/{unknown_id}/history"))
                .await,
        ] {
            assert_eq!(status, 404, "{body}");
            assert_eq!(error_code(&body), "PATIENT_NOT_FOUND");
        }

        let (status, body) = app.get(&t, "/api/v1/patients?page=first").await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "INVALID_QUERY_PARAMETER");

        // Bytes a database refuses in text (NUL) are a client mistake, not a server failure:
        // in a field stored as it is, in an encrypted one, and in a search term.
        let mut nul = valid.clone();
        nul["insurance"][0]["payer_name"] = json!("Aet\u{0}na");
        nul["insurance"][0]["plan_type"] = json!("PPO\u{0}");
        let (status, body) = app.post(&t, "/api/v1/patients", nul).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            invalid_fields(&body),
            ["insurance[0].payer_name", "insurance[0].plan_type"]
                .into_iter()
                .map(String::from)
                .collect()
        );
        for bad in ["%00", "12ab", "", "1234567890123456789012345"] {
            let (status, body) = app
                .get(&t, &format!("/api/v1/patients/search?patient_number={bad}"))
                .await;
            assert_eq!(status, 422, "{bad}: {body}");
            assert_eq!(
                invalid_fields(&body),
                BTreeSet::from(["patient_number".to_string()])
            );
        }

        // After all that, a good request still works and exactly one patient exists.
        create(&app, &t, valid).await;
        let (_, list) = app.get(&t, "/api/v1/patients").await;
        assert_eq!(list["total"], 1);

        // A page far past the end is simply empty, however large the number.
        for page in ["2", "100000000000000000", "18446744073709551615"] {
            let (status, list) = app
                .get(&t, &format!("/api/v1/patients?per_page=200&page={page}"))
                .await;
            assert_eq!(status, 200, "page {page}: {list}");
            assert_eq!(list["total"], 1);
            assert!(ids(&list).is_empty());
        }

        app.stop().await;
    }
);

on_both_engines!(rows_are_scoped_along_the_hierarchy, |db| async move {
    let app = TestApp::spawn(db).await;
    let master = app
        .user("master@careline.test", Role::MasterDistributor, None)
        .await;
    let dist = app
        .user("dist@careline.test", Role::Distributor, Some(master))
        .await;
    let sales_a = app
        .user("sales.a@careline.test", Role::Salesperson, Some(dist))
        .await;
    let sales_b = app
        .user("sales.b@careline.test", Role::Salesperson, Some(dist))
        .await;
    app.user("doc.a@careline.test", Role::Doctor, Some(sales_a))
        .await;
    app.user("doc.b@careline.test", Role::Doctor, Some(sales_b))
        .await;
    app.user("admin@careline.test", Role::Admin, None).await;
    app.user("ivr@careline.test", Role::IvrSpecialist, None)
        .await;
    app.user("ship@careline.test", Role::ShippingLogistics, None)
        .await;

    let doc_a = app.token("doc.a@careline.test").await;
    let doc_b = app.token("doc.b@careline.test").await;
    let mut a_ids = BTreeSet::new();
    for (i, name) in ["Abel", "Agnes", "Amos"].iter().enumerate() {
        let p = create(
            &app,
            &doc_a,
            patient_body(name, "Aldana", "1955-01-01", &format!("50255502{i:02}")),
        )
        .await;
        a_ids.insert(p["id"].as_str().unwrap().to_string());
    }
    let mut b_ids = BTreeSet::new();
    let mut b_first = None;
    for (i, name) in ["Bea", "Bruno"].iter().enumerate() {
        let p = create(
            &app,
            &doc_b,
            patient_body(name, "Aldana", "1955-01-01", &format!("50255503{i:02}")),
        )
        .await;
        b_first.get_or_insert_with(|| p["id"].as_str().unwrap().to_string());
        b_ids.insert(p["id"].as_str().unwrap().to_string());
    }
    let b_first = b_first.unwrap();
    let all: BTreeSet<String> = a_ids.union(&b_ids).cloned().collect();

    // Doctor A: exactly their own three.
    let (status, list) = app.get(&doc_a, "/api/v1/patients").await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 3);
    assert_eq!(ids(&list), a_ids);
    let (status, body) = app
        .get(&doc_a, &format!("/api/v1/patients/{b_first}"))
        .await;
    assert_eq!(
        status, 404,
        "another doctor's patient does not exist for you: {body}"
    );
    assert_eq!(error_code(&body), "PATIENT_NOT_FOUND");
    for (status, body) in [
        app.put(
            &doc_a,
            &format!("/api/v1/patients/{b_first}"),
            json!({"first_name": "Hijack"}),
        )
        .await,
        app.delete(&doc_a, &format!("/api/v1/patients/{b_first}"))
            .await,
        app.get(&doc_a, &format!("/api/v1/patients/{b_first}/history"))
            .await,
    ] {
        assert_eq!(status, 404, "{body}");
    }
    let (status, found) = app
        .get(&doc_a, "/api/v1/patients/search?phone=5025550300")
        .await;
    assert_eq!(status, 200);
    assert_eq!(found, json!([]));
    // The same DOB and last name are shared by all five; each doctor finds only their own.
    let (_, found) = app
        .get(
            &doc_a,
            "/api/v1/patients/search?date_of_birth=1955-01-01&last_name=Aldana",
        )
        .await;
    assert_eq!(ids(&found), a_ids);
    // B's patient is untouched by A's attempts.
    let (_, b_patient) = app
        .get(&doc_b, &format!("/api/v1/patients/{b_first}"))
        .await;
    assert_eq!(b_patient["first_name"], "Bea");
    assert_eq!(b_patient["status"], "active");

    // Pages for doctor A: totals are scoped, pages never include B's rows.
    let mut seen = BTreeSet::new();
    for page in 1..=3 {
        let (status, list) = app
            .get(&doc_a, &format!("/api/v1/patients?per_page=2&page={page}"))
            .await;
        assert_eq!(status, 200);
        assert_eq!(list["total"], 3);
        let rows = ids(&list);
        assert_eq!(rows.len(), [2, 1, 0][page - 1], "page {page}");
        assert!(rows.is_disjoint(&b_ids));
        seen.extend(rows);
    }
    assert_eq!(seen, a_ids);

    let expect = [
        ("doc.b@careline.test", &b_ids),
        ("sales.a@careline.test", &a_ids),
        ("sales.b@careline.test", &b_ids),
        ("dist@careline.test", &all),
        ("master@careline.test", &all),
        ("admin@careline.test", &all),
        ("ivr@careline.test", &all),
    ];
    for (email, want) in expect {
        let t = app.token(email).await;
        let (status, list) = app.get(&t, "/api/v1/patients").await;
        assert_eq!(status, 200, "{email}: {list}");
        assert_eq!(list["total"], want.len(), "{email}");
        assert_eq!(&ids(&list), want, "{email}");
    }
    // Salesperson A sees A's patients by id but not B's.
    let sales_a_token = app.token("sales.a@careline.test").await;
    let (status, _) = app
        .get(&sales_a_token, &format!("/api/v1/patients/{b_first}"))
        .await;
    assert_eq!(status, 404);
    let a_first = a_ids.iter().next().unwrap();
    let (status, _) = app
        .get(&sales_a_token, &format!("/api/v1/patients/{a_first}"))
        .await;
    assert_eq!(status, 200);
    // Read-only roles in the hierarchy cannot change patients.
    let (status, body) = app
        .put(
            &sales_a_token,
            &format!("/api/v1/patients/{a_first}"),
            json!({"first_name": "X"}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_code(&body), "FORBIDDEN");

    let ship = app.token("ship@careline.test").await;
    for (status, body) in [
        app.get(&ship, "/api/v1/patients").await,
        app.get(&ship, &format!("/api/v1/patients/{a_first}")).await,
        app.get(&ship, "/api/v1/patients/search?phone=5025550200")
            .await,
    ] {
        assert_eq!(status, 403, "{body}");
        assert_eq!(error_code(&body), "FORBIDDEN");
    }

    app.stop().await;
});

on_both_engines!(who_may_create_a_patient_for_which_doctor, |db| async move {
    let app = TestApp::spawn(db).await;
    let doctor = app.user("dr.own@careline.test", Role::Doctor, None).await;
    let other_doctor = app.user("dr.other@careline.test", Role::Doctor, None).await;
    let sales = app
        .user("sales.c@careline.test", Role::Salesperson, None)
        .await;
    app.user("admin2@careline.test", Role::Admin, None).await;
    app.user("ivr2@careline.test", Role::IvrSpecialist, None)
        .await;
    let admin = app.token("admin2@careline.test").await;
    let dr = app.token("dr.own@careline.test").await;

    let body = patient_body("Cora", "Vance", "1970-10-10", "5025550400");
    let (status, resp) = app.post(&admin, "/api/v1/patients", body.clone()).await;
    assert_eq!(status, 422, "{resp}");
    assert_eq!(
        invalid_fields(&resp),
        BTreeSet::from(["doctor_id".to_string()])
    );

    for not_a_doctor in [sales, uuid::Uuid::now_v7()] {
        let mut b = body.clone();
        b["doctor_id"] = json!(not_a_doctor);
        let (status, resp) = app.post(&admin, "/api/v1/patients", b).await;
        assert_eq!(status, 422, "{resp}");
        assert_eq!(
            invalid_fields(&resp),
            BTreeSet::from(["doctor_id".to_string()])
        );
    }

    let mut b = body.clone();
    b["doctor_id"] = json!(doctor);
    let (status, p) = app.post(&admin, "/api/v1/patients", b).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["doctor_id"], doctor.to_string());
    // It belongs to that doctor.
    let (_, list) = app.get(&dr, "/api/v1/patients").await;
    assert_eq!(list["total"], 1);

    let mut b = body.clone();
    b["doctor_id"] = json!(other_doctor);
    let (status, resp) = app.post(&dr, "/api/v1/patients", b).await;
    assert_eq!(status, 403, "{resp}");
    assert_eq!(error_code(&resp), "FORBIDDEN");
    // (Another person: the same one again would be refused as a duplicate.)
    let mut b = body.clone();
    b["doctor_id"] = json!(doctor);
    b["first_name"] = json!("Rosalind");
    let (status, _) = app.post(&dr, "/api/v1/patients", b).await;
    assert_eq!(status, 201, "naming yourself is fine");

    // Roles without write permission cannot create at all.
    let ivr = app.token("ivr2@careline.test").await;
    let (status, resp) = app.post(&ivr, "/api/v1/patients", body.clone()).await;
    assert_eq!(status, 403, "{resp}");

    let other = app.token("dr.other@careline.test").await;
    let (_, list) = app.get(&other, "/api/v1/patients").await;
    assert_eq!(list["total"], 0, "nothing landed with the other doctor");

    app.stop().await;
});

on_both_engines!(
    concurrent_updates_all_succeed_and_stay_consistent,
    |db| async move {
        let app = TestApp::spawn(db).await;
        app.user("dr.busy@careline.test", Role::Doctor, None).await;
        let t = app.token("dr.busy@careline.test").await;
        let mut patients = Vec::new();
        for i in 0..8 {
            let p = create(
                &app,
                &t,
                patient_body(
                    "Noor",
                    &format!("Kade{i}"),
                    "1966-06-06",
                    &format!("50255505{i:02}"),
                ),
            )
            .await;
            patients.push(p["id"].as_str().unwrap().to_string());
        }

        // Two kinds of update on each patient at the same time: one renames, one corrects the
        // date of birth. Both feed the DOB + last-name search index.
        let mut tasks = tokio::task::JoinSet::new();
        for round in 0..3 {
            for id in &patients {
                for body in [
                    json!({"last_name": format!("Rowe{round}")}),
                    json!({"date_of_birth": format!("1967-0{}-0{}", round + 1, round + 1)}),
                ] {
                    let (http, url, t) = (
                        app.http.clone(),
                        app.url(&format!("/api/v1/patients/{id}")),
                        t.clone(),
                    );
                    tasks.spawn(async move {
                        let r = http
                            .put(url)
                            .bearer_auth(t)
                            .json(&body)
                            .send()
                            .await
                            .unwrap();
                        let status = r.status().as_u16();
                        (status, r.text().await.unwrap_or_default())
                    });
                }
            }
        }
        while let Some(done) = tasks.join_next().await {
            let (status, text) = done.unwrap();
            assert_eq!(status, 200, "a concurrent update failed: {text}");
        }

        // Whatever order they landed in, each patient is found by its own DOB and last name.
        for id in &patients {
            let (_, p) = app.get(&t, &format!("/api/v1/patients/{id}")).await;
            let (dob, last) = (
                p["date_of_birth"].as_str().unwrap(),
                p["last_name"].as_str().unwrap(),
            );
            let (_, found) = app
                .get(
                    &t,
                    &format!("/api/v1/patients/search?date_of_birth={dob}&last_name={last}"),
                )
                .await;
            assert!(ids(&found).contains(id), "{id} not found by {dob} + {last}");
            let (_, history) = app.get(&t, &format!("/api/v1/patients/{id}/history")).await;
            assert_eq!(
                history.as_array().unwrap().len(),
                7,
                "one create and six updates"
            );
        }

        app.stop().await;
    }
);

on_both_engines!(
    duplicates_and_unspoken_languages_are_refused,
    |db| async move {
        let app = TestApp::spawn(db).await;
        app.user("dr.penn@careline.test", Role::Doctor, None).await;
        let t = app.token("dr.penn@careline.test").await;
        let body = patient_body("Iris", "Calloway", "1970-06-01", "502-555-0188");
        let first = create(&app, &t, body.clone()).await;
        // The same name (in any case), date of birth and phone again: refused, naming the
        // record that exists.
        let mut again = body.clone();
        again["first_name"] = json!("IRIS");
        let (status, err) = app.post(&t, "/api/v1/patients", again.clone()).await;
        assert_eq!(status, 409, "{err}");
        assert_eq!(error_code(&err), "DUPLICATE_PATIENT");
        assert!(
            err.to_string()
                .contains(first["patient_number"].as_str().unwrap()),
            "{err}"
        );
        // Unless the user says it is a different person.
        again["different_person"] = json!(true);
        let second = create(&app, &t, again).await;
        assert_ne!(first["id"], second["id"]);
        // Another phone is another person as far as this check goes.
        let mut other = body.clone();
        other["phone"] = json!("502-555-0189");
        create(&app, &t, other).await;

        // A language the phone has no prompts in.
        let mut klingon = patient_body("Worf", "Mogh", "1965-01-01", "502-555-0190");
        klingon["preferred_language"] = json!("klingon");
        let (status, err) = app.post(&t, "/api/v1/patients", klingon).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(
            invalid_fields(&err),
            BTreeSet::from(["preferred_language".to_string()])
        );
        let (status, err) = app
            .put(
                &t,
                &format!("/api/v1/patients/{}", first["id"].as_str().unwrap()),
                json!({"preferred_language": "tlh"}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        app.stop().await;
    }
);

on_both_engines!(search_by_post_keeps_terms_out_of_the_url, |db| async move {
    let app = TestApp::spawn(db).await;
    app.user("dr.post@careline.test", Role::Doctor, None).await;
    app.user("dr.other@careline.test", Role::Doctor, None).await;
    app.user("admin.post@careline.test", Role::Admin, None)
        .await;
    let t = app.token("dr.post@careline.test").await;
    let other = app.token("dr.other@careline.test").await;
    let admin = app.token("admin.post@careline.test").await;
    let p = create(
        &app,
        &t,
        patient_body("Anouk", "Verhoeven", "1952-04-09", "502-555-0144"),
    )
    .await;
    let id = p["id"].as_str().unwrap().to_string();
    let number = p["patient_number"].as_str().unwrap().to_string();

    // The same three searches as the GET, with the terms in the body; the same answers.
    for body in [
        json!({"phone": "(502) 555-0144"}),
        json!({"date_of_birth": "1952-04-09", "last_name": "verhoeven"}),
        json!({"patient_number": number}),
    ] {
        let (status, found) = app.post(&t, "/api/v1/patients/search", body.clone()).await;
        assert_eq!(status, 200, "{body}: {found}");
        assert_eq!(ids(&found), BTreeSet::from([id.clone()]), "{body}");
        // Scoped like the GET: another doctor finds nothing.
        let (status, found) = app.post(&other, "/api/v1/patients/search", body).await;
        assert_eq!((status, found), (200, json!([])));
    }
    let (_, by_get) = app
        .get(&t, "/api/v1/patients/search?phone=5025550144")
        .await;
    let (_, by_post) = app
        .post(
            &t,
            "/api/v1/patients/search",
            json!({"phone": "5025550144"}),
        )
        .await;
    assert_eq!(by_get, by_post);

    // Refused as the GET refuses: no key, a term that does not parse; and unknown fields.
    let (status, body) = app.post(&t, "/api/v1/patients/search", json!({})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), BTreeSet::from(["query".to_string()]));
    let (status, body) = app
        .post(&t, "/api/v1/patients/search", json!({"phone": "call me"}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), BTreeSet::from(["phone".to_string()]));
    let (status, body) = app
        .post(&t, "/api/v1/patients/search", json!({"name": "Anouk"}))
        .await;
    assert_eq!(status, 422, "{body}");

    // Audited as a search, without the terms.
    let (_, audit) = app
        .get(&admin, "/api/v1/admin/audit-logs?type=query&per_page=100")
        .await;
    let searches: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["description"].as_str())
        .filter(|d| d.starts_with("patient search"))
        .collect();
    // Two by POST, one by GET.
    assert_eq!(
        searches
            .iter()
            .filter(|d| **d == "patient search by phone: 1 found")
            .count(),
        3,
        "{searches:?}"
    );
    assert!(
        searches.contains(&"patient search by date_of_birth+last_name: 1 found"),
        "{searches:?}"
    );
    let text = audit.to_string();
    // (Whole terms: a bare "0144" also turns up in hashes and microseconds by chance.)
    for term in ["5550144", "555-0144", "1952-04-09", "erhoeven"] {
        assert!(
            !text.contains(term),
            "a search term in the audit log: {term}"
        );
    }

    // The document offers the POST and marks the GET deprecated, saying why.
    let doc = careline::api::openapi();
    let doc = serde_json::to_value(&doc).unwrap();
    let search = &doc["paths"]["/api/v1/patients/search"];
    assert_eq!(search["get"]["deprecated"], true, "{search}");
    assert!(
        search["get"]["description"]
            .as_str()
            .unwrap()
            .contains("query string"),
        "{search}"
    );
    assert!(search["post"]["deprecated"].is_null() || search["post"]["deprecated"] == false);
    assert!(search["post"]["requestBody"].is_object());
    app.stop().await;
});
