//! The dashboard's clinical pages and the practice configuration page through the real HTTP
//! server, as a browser uses them, on the demo practice (Capitol Eye Care): which roles may
//! open each page (the API's permissions, nothing more), the navigation each role is shown,
//! the CSP scan, and the changes made through the forms (a lab result recorded and released,
//! a refill requested and approved, a message acknowledged, a prior authorization drafted with
//! a bad code shown at its field, the configuration saved, refused at a field, and refused as
//! stale with 409), a refused lab result shown again at its fields with what was typed, and
//! the clinical lists' pages. The real-browser scenario is tests/browser/clinical.spec.js.

mod common;

use common::web::{csp_problems, sign_in};
use common::{TestApp, s};
use serde_json::{Value, json};

async fn demo(db: common::TestDb) -> TestApp {
    careline::demo::seed(&db.store).await.unwrap();
    TestApp::spawn(db).await
}

async fn eleanor(app: &TestApp, token: &str) -> String {
    let (status, patients) = app.get(token, "/api/v1/patients?per_page=200").await;
    assert_eq!(status, 200, "{patients}");
    patients["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["last_name"] == "Brooks")
        .map(|p| s(&p["id"]))
        .expect("Eleanor Brooks")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_opens_the_clinical_pages_its_permissions_allow() {
    let app = demo(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let pages = [
        "/tasks",
        "/refills",
        "/messages",
        "/prior-authorizations",
        "/prior-authorizations/new",
        "/practice",
    ];
    // Each login, and the pages (in the order above) it may open: the API's permissions.
    let allowed: [(&str, [bool; 6]); 7] = [
        ("dr.patel", [true, true, true, true, true, true]),
        ("nurse", [true, true, true, true, true, true]),
        ("reception", [false, false, true, false, false, true]),
        ("manager", [false, false, true, true, false, true]),
        ("admin", [true, true, true, true, true, true]),
        ("specialist", [false, false, false, false, false, false]),
        ("shipping", [false, false, false, false, false, false]),
    ];
    for (login, may) in allowed {
        let b = sign_in(&app, &format!("{login}@demo.careline.test")).await;
        let (_, queue) = b.get("/").await;
        for (page, may) in pages.iter().zip(may) {
            let (status, html) = b.get(page).await;
            assert_eq!(
                status,
                if may { 200 } else { 403 },
                "{login} {page}: {html}"
            );
            assert!(csp_problems(&html).is_empty(), "{login} {page}");
            // The navigation offers exactly the lists the role may open.
            if !page.ends_with("/new") {
                assert_eq!(
                    queue.contains(&format!("href=\"{page}\"")),
                    may,
                    "{login}: nav entry {page}"
                );
            }
        }
    }
    app.stop().await;
}

on_both_engines!(clinical_work_is_done_through_the_pages, |db| async move {
    let app = demo(db).await;
    let admin = app.token("admin@demo.careline.test").await;
    let eleanor = eleanor(&app, &admin).await;
    let nurse = sign_in(&app, "nurse@demo.careline.test").await;
    let patel = sign_in(&app, "dr.patel@demo.careline.test").await;
    let reception = sign_in(&app, "reception@demo.careline.test").await;

    // Eleanor's page: results with their flags and status, her medications with the
    // controlled substance flagged; the nurse records, the provider releases.
    let page = format!("/patients/{eleanor}");
    let (status, html) = nurse.get(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Lab results") && html.contains("Intraocular pressure"));
    assert!(html.contains("abnormal") && html.contains("pending review"));
    assert!(html.contains("Controlled substance, schedule IV"), "{html}");
    assert!(!html.contains(">Release</button>"), "nurses do not release");
    assert!(html.contains("Record a lab result"));
    assert!(
        !html.contains("Verification requests</h2>") && !html.contains("Orders</h2>"),
        "no wound-care sections for a practice's staff"
    );
    let (_, reception_html) = reception.get(&page).await;
    assert!(
        !reception_html.contains("Lab results") && !reception_html.contains("Alprazolam"),
        "nothing clinical for the front desk"
    );
    let (status, location, _) = nurse
        .submit(
            &format!("{page}/lab-results"),
            &[
                ("test_name", "Visual field"),
                ("value", "full"),
                ("unit", ""),
                ("reference_range", ""),
                ("flag", "critical"),
                ("collected_at", "2026-01-05T09:30"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{page}#lab-results").as_str())
    );
    let (_, results) = app
        .get(&admin, &format!("/api/v1/patients/{eleanor}/lab-results"))
        .await;
    let visual = results
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["test_name"] == "Visual field")
        .expect("recorded")
        .clone();
    assert_eq!(visual["flag"], "critical");
    assert_eq!(visual["status"], "pending_review");
    // The practice's wall clock: 09:30 in Austin is 15:30 UTC in January.
    assert_eq!(visual["collected_at"], "2026-01-05T15:30:00Z");
    let release = format!("/lab-results/{}/release", s(&visual["id"]));
    assert_eq!(nurse.submit(&release, &[]).await.0, 403);
    let (_, html) = patel.get(&page).await;
    assert!(html.contains(">Release</button>"));
    let (status, location, _) = patel.submit(&release, &[]).await;
    assert_eq!(status, 303);
    assert!(location.starts_with(&page), "{location}");
    assert_eq!(patel.submit(&release, &[]).await.0, 409, "released once");

    // A refill requested from the patient page lands on the queue, flagged; only the
    // provider decides, and the medication shows the fill.
    let (_, meds) = app
        .get(&admin, &format!("/api/v1/patients/{eleanor}/medications"))
        .await;
    let alprazolam = meds
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"].as_str().unwrap().starts_with("Alprazolam"))
        .unwrap()
        .clone();
    let (status, location, _) = nurse
        .submit(
            &format!("{page}/refill-requests"),
            &[
                ("medication_id", &s(&alprazolam["id"])),
                ("note", "before her procedure"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert!(
        location.starts_with("/refills?status=pending#refill-"),
        "{location}"
    );
    let refill = location.rsplit("#refill-").next().unwrap().to_string();
    let (_, html) = nurse.get("/refills").await;
    assert!(
        html.contains("Controlled substance, schedule IV") && html.contains("before her procedure")
    );
    assert!(!html.contains(">Approve</button>"), "nurses do not decide");
    assert_eq!(
        nurse
            .submit(&format!("/refills/{refill}/approve"), &[])
            .await
            .0,
        403
    );
    let (_, html) = patel.get("/tasks").await;
    assert!(
        html.contains("Review a refill request") && html.contains("Brooks, Eleanor"),
        "{html}"
    );
    let (status, location, _) = patel
        .submit(
            &format!("/refills/{refill}/approve"),
            &[("note", "ok for the procedure"), ("back", "pending")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        location,
        format!("/refills?status=pending&page=1#refill-{refill}")
    );
    let (_, html) = patel.get("/refills?status=approved").await;
    assert!(html.contains("ok for the procedure"), "{html}");
    let (_, meds) = app
        .get(&admin, &format!("/api/v1/patients/{eleanor}/medications"))
        .await;
    let after = meds
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == alprazolam["id"])
        .unwrap()
        .clone();
    assert_eq!(after["refills_remaining"], 0, "{after}");

    // The demo's routine message: shown with its due time, acknowledged once.
    let (_, html) = reception.get("/messages").await;
    assert!(html.contains("eye drops the morning of her exam"), "{html}");
    let message = html
        .split("id=\"message-")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let ack = format!("/messages/{message}/acknowledge");
    assert_eq!(reception.submit(&ack, &[]).await.0, 303);
    assert_eq!(reception.submit(&ack, &[]).await.0, 409);
    let (_, html) = reception.get("/messages?status=acknowledged").await;
    assert!(html.contains(&format!("message-{message}")));

    // A prior authorization: a bad code is named at its field, the form keeps what was
    // typed; then a draft, submitted.
    let (status, _, html) = nurse
        .submit(
            "/prior-authorizations/new",
            &[
                ("patient_id", &eleanor),
                ("payer", "Blue Cross Blue Shield of Texas"),
                ("member_id", "XZB123456781"),
                ("procedure_codes", "67028, 9999"),
                ("icd10_codes", "H35.3211"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"procedure_codes-error\""), "{html}");
    assert!(
        html.contains("&#39;9999&#39; is not a CPT code")
            || html.contains("'9999' is not a CPT code"),
        "{html}"
    );
    assert!(html.contains("value=\"XZB123456781\""));
    let (status, location, _) = nurse
        .submit(
            "/prior-authorizations/new",
            &[
                ("patient_id", &eleanor),
                ("payer", "Blue Cross Blue Shield of Texas"),
                ("member_id", "XZB123456781"),
                ("procedure_codes", "67028"),
                ("icd10_codes", "H35.3211"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/prior-authorizations?status=draft")
    );
    let (_, html) = nurse.get("/prior-authorizations?status=draft").await;
    assert!(html.contains("Submit to payer") && html.contains("67028"));
    let auth = html
        .split("id=\"auth-")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let (status, _, _) = nurse
        .submit(&format!("/prior-authorizations/{auth}/submit"), &[])
        .await;
    assert_eq!(status, 303);
    let (_, p) = app
        .get(&admin, &format!("/api/v1/prior-authorizations/{auth}"))
        .await;
    assert_ne!(p["status"], "draft", "{p}");

    // The payer's approval recorded by staff: a last day before today is shown at the row's
    // field, as typed; a good one shows as "valid until".
    let (status, _, html) = nurse
        .submit(
            &format!("/prior-authorizations/{auth}/approval"),
            &[("valid_until", "2020-01-02")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("valid until must not be before the approval date"),
        "{html}"
    );
    assert!(html.contains("value=\"2020-01-02\""));
    let until = (chrono::Utc::now() + chrono::Duration::days(60)).date_naive();
    let (status, _, _) = nurse
        .submit(
            &format!("/prior-authorizations/{auth}/approval"),
            &[("valid_until", until.to_string().as_str())],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = nurse.get("/prior-authorizations?status=approved").await;
    assert!(
        html.contains(&until.format("%b %-d, %Y").to_string()),
        "{html}"
    );
    assert!(html.contains("Record renewal"));
    app.stop().await;
});

/// The practice configuration form's fields as the page shows them, ready to post back.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in html.split("<input").skip(1) {
        let tag = chunk.split('>').next().unwrap();
        let attr = |a: &str| {
            tag.split(&format!(" {a}=\""))
                .nth(1)
                .map(|r| r.split('"').next().unwrap().to_string())
        };
        let Some(name) = attr("name") else { continue };
        if name == "_csrf" {
            continue;
        }
        if tag.contains("type=\"checkbox\"") {
            if tag.contains(" checked") {
                out.push((name, "on".into()));
            }
            continue;
        }
        out.push((name, attr("value").unwrap_or_default()));
    }
    for chunk in html.split("<textarea").skip(1) {
        let name = chunk
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let body = chunk
            .split_once('>')
            .unwrap()
            .1
            .split("</textarea>")
            .next()
            .unwrap();
        let text = body
            .replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        out.push((name.to_string(), text));
    }
    for chunk in html.split("<select").skip(1) {
        let name = chunk
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let select = chunk.split("</select>").next().unwrap();
        let chosen = select
            .split("<option")
            .skip(1)
            .find(|o| o.contains(" selected"))
            .or_else(|| select.split("<option").nth(1))
            .and_then(|o| o.split("value=\"").nth(1))
            .map(|v| v.split('"').next().unwrap().to_string())
            .unwrap_or_default();
        out.push((name.to_string(), chosen));
    }
    out
}

fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                if k == name {
                    value.to_string()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

on_both_engines!(
    the_practice_configuration_is_edited_with_its_version,
    |db| async move {
        let app = demo(db).await;
        let manager = sign_in(&app, "manager@demo.careline.test").await;
        let nurse = sign_in(&app, "nurse@demo.careline.test").await;
        let manager_token = app.token("manager@demo.careline.test").await;
        let org = careline_store::users::credentials(app.store(), "manager@demo.careline.test")
            .await
            .unwrap()
            .unwrap()
            .user
            .organization_id
            .unwrap();
        let api = format!("/api/v1/organizations/{org}/practice-configuration");
        // An EHR connection with a secret: the page says one is set and never shows it.
        let (_, config) = app.get(&manager_token, &api).await;
        let mut put = config.clone();
        put["ehr"] = json!({"system": "openemr", "base_url": "https://ehr.example.org/fhir",
                            "auth": "smart_backend", "client_id": "careline",
                            "secret": "s3cret-never-shown"});
        let (status, body) = app.put(&manager_token, &api, put).await;
        assert_eq!(status, 200, "{body}");

        let (status, html) = manager.get("/practice").await;
        assert_eq!(status, 200);
        assert!(html.contains("Practice configuration · Capitol Eye Care"));
        assert!(!html.contains("s3cret-never-shown"));
        assert!(html.contains("A secret is stored"));
        assert!(html.contains("Save the configuration"));
        let fields = form_fields(&html);
        let post = |f: Vec<(String, String)>| {
            let manager = &manager;
            async move {
                let refs: Vec<(&str, &str)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                manager.submit("/practice", &refs).await
            }
        };

        // Monday closes at four: saved, the EHR secret kept.
        let (status, location, body) = post(with(&fields, "monday_close", "16:00")).await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/practice?saved=1"),
            "{body}"
        );
        let (_, saved) = app.get(&manager_token, &api).await;
        assert_eq!(saved["business_hours"]["monday"]["close"], "16:00");
        assert_eq!(saved["version"], config["version"].as_i64().unwrap() + 2);
        assert_eq!(
            saved["ehr"]["secret_set"], true,
            "a blank secret keeps the stored one"
        );
        assert_eq!(saved["appointment_types"], config["appointment_types"]);

        // The same form again, now stale: 409 and the conflict said plainly, nothing saved.
        let (status, _, html) = post(with(&fields, "friday_close", "15:00")).await;
        assert_eq!(status, 409, "{html}");
        assert!(html.contains("Changed by someone else") && html.contains("Not saved"));
        assert!(
            html.contains("value=\"15:00\""),
            "the edit is kept in the form"
        );
        let (_, now) = app.get(&manager_token, &api).await;
        assert_eq!(now["version"], saved["version"]);
        assert_eq!(now["business_hours"]["friday"]["close"], "17:00");

        // A fresh form with problems: each at its field (the API's 422), nothing saved.
        let (_, html) = manager.get("/practice").await;
        let fresh = form_fields(&html);
        let bad = with(
            &with(&fresh, "time_zone", "Mars/Olympus"),
            "tuesday_close",
            "",
        );
        let (status, _, html) = post(bad).await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"tuesday-error\""), "{html}");
        let other = fresh.iter().find(|(k, _)| k == "other").unwrap().1.clone();
        let mut types: Value = serde_json::from_str(&other).unwrap();
        types["appointment_types"][0]["duration_minutes"] = json!(7);
        let bad = with(
            &with(&fresh, "time_zone", "Mars/Olympus"),
            "other",
            &types.to_string(),
        );
        let (status, _, html) = post(bad).await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"time_zone-error\""), "{html}");
        assert!(
            html.contains("appointment_types[0].duration_minutes"),
            "{html}"
        );
        assert!(!html.contains("s3cret-never-shown"));

        // The nurse reads it, cannot save it.
        let (status, html) = nurse.get("/practice").await;
        assert_eq!(status, 200);
        assert!(!html.contains("Save the configuration") && html.contains(" disabled"));
        let refs: Vec<(&str, &str)> = fresh
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(nurse.submit("/practice", &refs).await.0, 403);
        app.stop().await;
    }
);

on_both_engines!(
    a_refused_lab_result_comes_back_at_its_fields,
    |db| async move {
        // The API's 422 at its field, on the patient's page with the form open and what was
        // typed kept; a flag or time the page cannot read is said at its field too; nothing is
        // recorded. An archived patient's refusal is said above the form.
        let app = demo(db).await;
        let admin = app.token("admin@demo.careline.test").await;
        let eleanor = eleanor(&app, &admin).await;
        let nurse = sign_in(&app, "nurse@demo.careline.test").await;
        let page = format!("/patients/{eleanor}");
        let (_, before) = app
            .get(&admin, &format!("/api/v1/patients/{eleanor}/lab-results"))
            .await;
        let long_unit = "u".repeat(41);
        let (status, _, html) = nurse
            .submit(
                &format!("{page}/lab-results"),
                &[
                    ("test_name", "Central corneal thickness"),
                    ("value", "540"),
                    ("unit", &long_unit),
                    ("reference_range", "500-570"),
                    ("flag", "abnormal"),
                    ("collected_at", "2099-01-05T09:30"),
                ],
            )
            .await;
        assert_eq!(status, 422, "{html}");
        assert!(csp_problems(&html).is_empty());
        assert!(
            html.contains("<h1>Eleanor Brooks</h1>"),
            "the patient's page"
        );
        assert!(html.contains("id=\"record-lab-result\" open"), "{html}");
        assert!(html.contains("id=\"lab-collected_at-error\""), "{html}");
        assert!(html.contains("must not be in the future"), "{html}");
        assert!(html.contains("id=\"lab-unit-error\""), "{html}");
        assert!(html.contains("must be at most 40 characters"), "{html}");
        assert!(!html.contains("id=\"lab-test_name-error\""));
        for kept in [
            "value=\"Central corneal thickness\"",
            "value=\"540\"",
            "value=\"500-570\"",
            "value=\"2099-01-05T09:30\"",
            "<option value=\"abnormal\" selected>",
        ] {
            assert!(html.contains(kept), "{kept} not kept: {html}");
        }
        // What the page itself reads: a flag it does not know and a time that is not one.
        let (status, _, html) = nurse
            .submit(
                &format!("{page}/lab-results"),
                &[
                    ("test_name", "Tonometry"),
                    ("value", "21"),
                    ("flag", "sky-high"),
                    ("collected_at", "yesterday"),
                ],
            )
            .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"lab-flag-error\""), "{html}");
        assert!(html.contains("id=\"lab-collected_at-error\""), "{html}");
        assert!(html.contains("value=\"Tonometry\""));
        let (_, after) = app
            .get(&admin, &format!("/api/v1/patients/{eleanor}/lab-results"))
            .await;
        assert_eq!(after, before, "nothing was recorded");
        // A plain page, without a refusal, has the form closed and no errors.
        let (_, html) = nurse.get(&page).await;
        assert!(html.contains("id=\"record-lab-result\">"), "{html}");
        assert!(!html.contains("lab-collected_at-error"));
        app.stop().await;
    }
);

/// The rows of a list page: how many, and whether it links to the next and previous pages.
fn rows_and_links(html: &str, row: &str) -> (usize, bool, bool) {
    (
        html.matches(&format!("id=\"{row}-")).count(),
        html.contains("rel=\"next\""),
        html.contains("rel=\"prev\""),
    )
}

on_both_engines!(the_clinical_lists_are_paged, |db| async move {
    // More rows than a page holds on each list: page 1 holds 25 with a link to the next,
    // the last page the rest with a link back, the filter kept in the links; a decision
    // comes back to the page it was made on.
    let app = demo(db).await;
    let admin = app.token("admin@demo.careline.test").await;
    let nurse_token = app.token("nurse@demo.careline.test").await;
    let eleanor = eleanor(&app, &admin).await;
    let (_, meds) = app
        .get(&admin, &format!("/api/v1/patients/{eleanor}/medications"))
        .await;
    for i in 0..27 {
        let (status, body) = app
                .post(
                    &nurse_token,
                    "/api/v1/provider-messages",
                    json!({"patient_id": eleanor, "urgency": "routine", "body": format!("question {i}")}),
                )
                .await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = app
            .post(
                &nurse_token,
                "/api/v1/refill-requests",
                json!({"patient_id": eleanor, "medication_id": meds[0]["id"]}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = app
            .post(
                &nurse_token,
                "/api/v1/prior-authorizations",
                json!({"patient_id": eleanor, "payer": "Aetna", "member_id": format!("W{i:09}"),
                           "procedure_codes": ["67028"], "icd10_codes": ["H35.3211"]}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let patel = sign_in(&app, "dr.patel@demo.careline.test").await;
    for (list, filter, row) in [
        ("/messages", "status=new", "message"),
        ("/refills", "status=pending", "refill"),
        ("/prior-authorizations", "status=draft", "auth"),
    ] {
        let (status, html) = patel.get(&format!("{list}?{filter}")).await;
        assert_eq!(status, 200, "{list}");
        let total: usize = html
            .split(&format!("id=\"{row}s-title\">"))
            .nth(1)
            .and_then(|h| h.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{list}: no total in {html}"));
        assert!(total > 25, "{list}: {total}");
        assert_eq!(rows_and_links(&html, row), (25, true, false), "{list}");
        assert!(html.contains(&format!("Page 1 of {}", total.div_ceil(25))));
        assert!(
            html.contains(&format!("href=\"?{filter}&amp;page=2\"")),
            "{list}: the filter is kept in the link: {html}"
        );
        let (status, html) = patel.get(&format!("{list}?{filter}&page=2")).await;
        assert_eq!(status, 200);
        assert_eq!(
            rows_and_links(&html, row),
            (total - 25, false, true),
            "{list}"
        );
        // Past the end: an empty page, not an error.
        let (status, _) = patel.get(&format!("{list}?{filter}&page=9")).await;
        assert_eq!(status, 200);
    }
    // Dr. Patel's tasks (the routine messages and refills): paged the same way.
    let (_, html) = patel.get("/tasks").await;
    assert!(
        html.contains("rel=\"next\"") && html.contains("Page 1 of "),
        "{html}"
    );
    let (_, html2) = patel.get("/tasks?status=open&page=2").await;
    assert!(html2.contains("rel=\"prev\""), "{html2}");

    // A decision on page 2 comes back to page 2.
    let (_, html) = patel.get("/refills?status=pending&page=2").await;
    let refill = html
        .split("id=\"refill-")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let (status, location, _) = patel
        .submit(
            &format!("/refills/{refill}/deny"),
            &[("back", "pending"), ("page", "2")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        location,
        format!("/refills?status=pending&page=2#refill-{refill}")
    );
    app.stop().await;
});

/// A practice's pages read times by its own clock, not the menu file's: the demo practice
/// moved to America/Los_Angeles while the menu file says America/Chicago. Its appointment's
/// page and its patient's lab results show Pacific time, to the practice's own staff and to
/// an admin of no practice alike; the jobs page, tied to no practice, keeps the menu's zone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_practices_pages_show_its_own_time_zone() {
    use chrono::{DateTime, Utc};
    let dir = tempfile::tempdir().unwrap();
    let menu = include_str!("../crates/careline-call/src/default_ivr.toml").replace(
        "timezone = \"America/New_York\"",
        "timezone = \"America/Chicago\"",
    );
    assert!(menu.contains("America/Chicago"));
    let ivr_file = dir.path().join("ivr.toml");
    std::fs::write(&ivr_file, menu).unwrap();
    let db = common::TestDb::new(common::Engine::Sqlite).await.unwrap();
    careline::demo::seed(&db.store).await.unwrap();
    let manager = common::jobs::user_by_email(&db.store, "manager@demo.careline.test").await;
    let org = manager.organization_id.expect("the manager's practice");
    common::change_practice(&db.store, org, |s| {
        s.time_zone = "America/Los_Angeles".into()
    })
    .await;
    let app = TestApp::spawn_with(
        db,
        careline::config::Config {
            ivr_file: Some(ivr_file),
            ..common::test_config()
        },
    )
    .await;
    let admin_token = app.token("admin@demo.careline.test").await;
    let patient = eleanor(&app, &admin_token).await;
    let (status, list) = app
        .get(
            &admin_token,
            &format!("/api/v1/appointments?patient_id={patient}"),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let appointment = &list["items"][0];
    let starts: DateTime<Utc> = s(&appointment["starts_at"]).parse().unwrap();
    let (status, labs) = app
        .get(
            &admin_token,
            &format!("/api/v1/patients/{patient}/lab-results"),
        )
        .await;
    assert_eq!(status, 200, "{labs}");
    let collected: DateTime<Utc> = s(&labs
        .as_array()
        .or(labs["items"].as_array())
        .expect("lab results")[0]["collected_at"])
    .parse()
    .unwrap();
    let pacific = chrono_tz::America::Los_Angeles;
    let central = chrono_tz::America::Chicago;
    let on_the_appointment = |tz: chrono_tz::Tz| {
        starts
            .with_timezone(&tz)
            .format("%a %-d %b %Y %H:%M %Z")
            .to_string()
    };
    let on_the_patient = |tz: chrono_tz::Tz| {
        collected
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    };

    for who in ["manager@demo.careline.test", "admin@demo.careline.test"] {
        let b = sign_in(&app, who).await;
        let (status, html) = b
            .get(&format!("/appointments/{}", s(&appointment["id"])))
            .await;
        assert_eq!(status, 200, "{who}: {html}");
        assert!(html.contains(&on_the_appointment(pacific)), "{who}: {html}");
        assert!(!html.contains(&on_the_appointment(central)), "{who}");
    }
    // Results are for those who may read them: the patient's doctor, and the admin.
    for who in ["dr.patel@demo.careline.test", "admin@demo.careline.test"] {
        let b = sign_in(&app, who).await;
        let (status, html) = b.get(&format!("/patients/{patient}")).await;
        assert_eq!(status, 200, "{who}: {html}");
        assert!(html.contains(&on_the_patient(pacific)), "{who}: {html}");
        assert!(!html.contains(&on_the_patient(central)), "{who}");
    }

    // The jobs page belongs to no practice: the menu file's zone.
    let (status, jobs) = app.get(&admin_token, "/api/v1/admin/jobs").await;
    assert_eq!(status, 200, "{jobs}");
    let run_at: DateTime<Utc> = s(&jobs["items"][0]["run_at"]).parse().unwrap();
    let admin = sign_in(&app, "admin@demo.careline.test").await;
    let (status, html) = admin.get("/admin/jobs").await;
    assert_eq!(status, 200, "{html}");
    let central_run_at = run_at
        .with_timezone(&central)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string();
    assert!(html.contains(&central_run_at), "{central_run_at}: {html}");
    app.stop().await;
}
