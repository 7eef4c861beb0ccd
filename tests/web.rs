//! The staff dashboard through the real HTTP server, as a browser uses it: signing in with a
//! form and a cookie, CSRF on every change, the Content-Security-Policy and the HTML it
//! protects, the work queue per role, and a request approved and an order shipped through
//! the pages (the same checks and audit as the API). The real-browser scenarios are in
//! tests/browser/.

mod common;

use careline_domain::Role;
use common::web::{client, csp_problems, post_login, set_cookie, sign_in};
use common::{PASSWORD, TestApp, patient, patient_body, post_raw, product, s, size_id};
use serde_json::{Value, json};

/// The people and things a dashboard test starts from: an admin, a specialist, shipping, a
/// master distributor over doctor A, and doctor B elsewhere; one product, one patient each.
struct World {
    app: TestApp,
    admin: String,
    doctor_a: String,
    doctor_b: String,
    patient_a: String,
    patient_b: String,
    foam: String,
    foam_small: String,
}

async fn world(app: TestApp) -> World {
    app.user("admin@web.test", Role::Admin, None).await;
    app.user("specialist@web.test", Role::IvrSpecialist, None)
        .await;
    app.user("shipping@web.test", Role::ShippingLogistics, None)
        .await;
    let master = app
        .user("master@web.test", Role::MasterDistributor, None)
        .await;
    let dist = app
        .user("distributor@web.test", Role::Distributor, Some(master))
        .await;
    let sales = app
        .user("sales@web.test", Role::Salesperson, Some(dist))
        .await;
    app.user("doctor.a@web.test", Role::Doctor, Some(sales))
        .await;
    app.user("doctor.b@web.test", Role::Doctor, None).await;
    let admin = app.token("admin@web.test").await;
    let doctor_a = app.token("doctor.a@web.test").await;
    let doctor_b = app.token("doctor.b@web.test").await;
    let foam = product(
        &app,
        &admin,
        json!({
            "sku": "FOAM-100", "name": "Silicone foam dressing", "category": "foam",
            "sizes": [{"size_label": "2 in x 2 in", "sku": "FOAM-100-22", "unit_price_cents": 450}]
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
        foam: s(&foam["id"]),
        foam_small: size_id(&foam, "2 in x 2 in"),
        app,
        admin,
        doctor_a,
        doctor_b,
        patient_a,
        patient_b,
    }
}

/// A submitted request of `token`'s doctor for `patient`.
async fn submitted(w: &World, token: &str, patient: &str, priority: &str) -> Value {
    let (status, vr) = w
        .app
        .post(
            token,
            "/api/v1/ivrs",
            json!({
                "patient_id": patient,
                "priority": priority,
                "diagnosis_codes": ["E11.621"],
                "medical_justification": "Diabetic foot ulcer, left heel",
                "products": [{"product_id": w.foam, "sizes": [{"product_size_id": w.foam_small, "quantity": 10}]}]
            }),
        )
        .await;
    assert_eq!(status, 201, "{vr}");
    let id = s(&vr["id"]);
    let (status, vr) = w
        .app
        .post(token, &format!("/api/v1/ivrs/{id}/submit"), json!({}))
        .await;
    assert_eq!(status, 200, "{vr}");
    vr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_sets_a_strict_http_only_session_cookie() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    app.user("admin@web.test", Role::Admin, None).await;

    // Without a session every page leads to the sign-in form.
    let r = client().get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");

    let r = post_login(&app, "admin@web.test", PASSWORD).await;
    assert_eq!(r.status(), 303);
    let (_, header) = set_cookie(&r, "careline_session").expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(header.contains(attribute), "{attribute} missing: {header}");
    }
    assert!(
        !header.contains("Secure"),
        "plain http: a Secure cookie would never come back: {header}"
    );

    // A wrong password gets the form again with the API's one answer for every refusal.
    let r = post_login(&app, "admin@web.test", "wrong-password-1").await;
    assert_eq!(r.status(), 401);
    assert!(set_cookie(&r, "careline_session").is_none());
    let html = r.text().await.unwrap();
    assert!(html.contains("email or password is incorrect"), "{html}");
    assert!(
        html.contains("value=\"admin@web.test\""),
        "the email is kept"
    );
    let r = post_login(&app, "nobody@web.test", PASSWORD).await;
    assert_eq!(r.status(), 401);

    // The sign-in form itself needs its double-submit token.
    let r = client()
        .post(app.url("/login"))
        .form(&[
            ("email", "admin@web.test"),
            ("password", PASSWORD),
            ("_csrf", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_cannot_sign_in_on_the_dashboard_either() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    app.user("admin@web.test", Role::Admin, None).await;
    for _ in 0..5 {
        let r = post_login(&app, "admin@web.test", "wrong-password-1").await;
        assert_eq!(r.status(), 401);
    }
    let r = post_login(&app, "admin@web.test", PASSWORD).await;
    assert_eq!(r.status(), 401, "the right password during the lockout");
    assert!(set_cookie(&r, "careline_session").is_none());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_need_the_csrf_token_and_this_sites_origin() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    app.user("admin@web.test", Role::Admin, None).await;
    let b = sign_in(&app, "admin@web.test").await;

    // Sign-out without the token: refused, and the session lives on.
    let r = b
        .http
        .post(app.url("/logout"))
        .header("cookie", format!("careline_session={}", b.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("CSRF_TOKEN_INVALID"));
    // With another session's token: refused.
    let other = sign_in(&app, "admin@web.test").await;
    let r = b
        .http
        .post(app.url("/logout"))
        .header("cookie", format!("careline_session={}", b.cookie))
        .form(&[("_csrf", other.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // With the right token but from another site: refused.
    let r = b
        .http
        .post(app.url("/logout"))
        .header("cookie", format!("careline_session={}", b.cookie))
        .header("origin", "https://evil.example")
        .form(&[("_csrf", b.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(b.get("/").await.0, 200, "still signed in");

    // The API with the cookie: reads work, changes need the header.
    let me = b
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", format!("careline_session={}", b.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let change = |token: Option<&str>| {
        let mut rq = b
            .http
            .put(app.url("/api/v1/auth/me"))
            .header("cookie", format!("careline_session={}", b.cookie))
            .json(&json!({"full_name": "Ada Admin"}));
        if let Some(t) = token {
            rq = rq.header("x-csrf-token", t);
        }
        rq.send()
    };
    let r = change(None).await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "CSRF_TOKEN_INVALID"
    );
    assert_eq!(change(Some(&b.csrf)).await.unwrap().status(), 200);

    // The cookie is not a bearer token, and a bearer token is not a cookie.
    let (status, _) = app.get(&b.cookie, "/api/v1/auth/me").await;
    assert_eq!(status, 401);
    let bearer = app.token("admin@web.test").await;
    let r = client()
        .get(app.url("/"))
        .header("cookie", format!("careline_session={bearer}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "refused to the sign-in page");

    // Signing out with the token ends the session for every page.
    let r = b.post("/logout", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    assert_eq!(b.get("/").await.0, 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_carries_the_csp_and_breaks_none_of_it() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let w = world(app).await;
    let vr = submitted(&w, &w.doctor_a, &w.patient_a, "urgent").await;
    let id = s(&vr["id"]);
    let pages = [
        "/".to_string(),
        "/requests".into(),
        "/requests?status=submitted&priority=urgent".into(),
        format!("/requests/{id}"),
        "/orders".into(),
    ];
    for email in ["admin@web.test", "specialist@web.test", "doctor.a@web.test"] {
        let b = sign_in(&w.app, email).await;
        for page in &pages {
            let r = b
                .http
                .get(w.app.url(page))
                .header("cookie", format!("careline_session={}", b.cookie))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{email} {page}");
            let csp = r.headers()["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{csp}"
            );
            assert_eq!(
                r.headers()["cache-control"],
                "no-store",
                "PHI pages are not cached"
            );
            assert_eq!(r.headers()["x-frame-options"], "DENY");
            let html = r.text().await.unwrap();
            assert_eq!(csp_problems(&html), Vec::<String>::new(), "{email} {page}");
        }
    }
    // The scan itself catches what it is for.
    assert_eq!(
        csp_problems("<div onclick=\"x()\" style=\"color:red\"><script>alert(1)</script>").len(),
        4
    );
    // No page ships more than 150 KB of JavaScript: every script it could load, together.
    let b = sign_in(&w.app, "admin@web.test").await;
    let (_, html) = b.get("/").await;
    let mut total = 0;
    for src in html.split("<script src=\"").skip(1) {
        let path = src.split('"').next().unwrap();
        let (status, body) = b.get(path).await;
        assert_eq!(status, 200, "{path}");
        total += body.len();
    }
    assert!(
        total > 0 && total < 150 * 1024,
        "{total} bytes of JavaScript"
    );
    w.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_lands_on_its_own_work_queue() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let w = world(app).await;
    let routine = submitted(&w, &w.doctor_a, &w.patient_a, "routine").await;
    let urgent = submitted(&w, &w.doctor_a, &w.patient_a, "urgent").await;
    let other = submitted(&w, &w.doctor_b, &w.patient_b, "routine").await;
    let number = |v: &Value| s(&v["request_number"]);

    // The specialist: requests waiting for review, urgent first.
    let (_, html) = sign_in(&w.app, "specialist@web.test").await.get("/").await;
    assert!(html.contains("waiting for review"), "{html}");
    let (u, r) = (
        html.find(&number(&urgent)).expect("urgent shown"),
        html.find(&number(&routine)).expect("routine shown"),
    );
    assert!(u < r, "urgent before routine");
    assert!(html.contains(&number(&other)));
    assert!(!html.contains("Orders waiting for approval"));

    // Doctor A: their own requests only, never doctor B's.
    let (_, html) = sign_in(&w.app, "doctor.a@web.test").await.get("/").await;
    assert!(html.contains("Your verification requests"));
    assert!(html.contains(&number(&urgent)) && html.contains(&number(&routine)));
    assert!(
        !html.contains(&number(&other)),
        "another practice's request"
    );
    assert!(!html.contains("waiting for review"));
    // …and doctor B's request is not found for them, as in the API.
    let (status, _) = sign_in(&w.app, "doctor.a@web.test")
        .await
        .get(&format!("/requests/{}", s(&other["id"])))
        .await;
    assert_eq!(status, 404);

    // The master distributor approves orders in their downline; shipping ships.
    let (_, html) = sign_in(&w.app, "master@web.test").await.get("/").await;
    assert!(html.contains("Orders waiting for approval"), "{html}");
    let (_, html) = sign_in(&w.app, "shipping@web.test").await.get("/").await;
    assert!(html.contains("Orders ready to ship"), "{html}");
    assert!(
        !html.contains("Verification requests</a>"),
        "no requests section in the nav"
    );

    // The admin: everything, and the system's health.
    let (_, html) = sign_in(&w.app, "admin@web.test").await.get("/").await;
    assert!(
        html.contains("System health") && html.contains("reachable"),
        "{html}"
    );
    assert!(html.contains("waiting for review") && html.contains("Orders waiting for approval"));
    let _ = &w.admin;
    w.app.stop().await;
}

on_both_engines!(
    a_request_is_approved_and_its_order_shipped_through_the_pages,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        let vr = submitted(&w, &w.doctor_a, &w.patient_a, "urgent").await;
        let id = s(&vr["id"]);
        let specialist = sign_in(&w.app, "specialist@web.test").await;

        // The detail page shows the patient (an audited PHI read) and the products.
        let (status, html) = specialist.get(&format!("/requests/{id}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Odalys Brennan") && html.contains("Silicone foam dressing"));
        assert!(html.contains("Start review"));

        let r = specialist
            .post(&format!("/requests/{id}/start-review"), &[])
            .await;
        assert_eq!(r.status(), 303, "{:?}", r.text().await);
        // A bad amount is a clear 422 page, and nothing changes.
        let r = specialist
            .post(
                &format!("/requests/{id}/approve"),
                &[("deductible", "lots")],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("deductible"));
        let r = specialist
            .post(
                &format!("/requests/{id}/approve"),
                &[
                    ("deductible", "1,250.00"),
                    ("copay", "20"),
                    ("coinsurance_percent", "20"),
                    ("out_of_pocket_max", "5000"),
                    ("response", "Covered under Part B"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, api) = w.app.get(&w.doctor_a, &format!("/api/v1/ivrs/{id}")).await;
        assert_eq!(api["status"], "approved");
        assert_eq!(api["coverage"]["deductible_cents"], 125_000);
        // The same move again is the API's 409, shown as a page.
        let r = specialist
            .post(&format!("/requests/{id}/start-review"), &[])
            .await;
        assert_eq!(r.status(), 409);

        // A message in the thread, seen by the doctor.
        let r = specialist
            .post(
                &format!("/requests/{id}/messages"),
                &[("body", "Please send the wound photo")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let doctor = sign_in(&w.app, "doctor.a@web.test").await;
        let (_, html) = doctor.get(&format!("/requests/{id}")).await;
        assert!(html.contains("Please send the wound photo"));
        assert!(
            !html.contains("Approve with coverage"),
            "the doctor does not review"
        );

        // The order: placed through the API, approved, processed and shipped on the pages.
        let (status, order) = w
            .app
            .post(&w.doctor_a, "/api/v1/orders", json!({"ivr_request_id": id}))
            .await;
        assert_eq!(status, 201, "{order}");
        let number = s(&order["order_number"]);
        let master = sign_in(&w.app, "master@web.test").await;
        let r = master.post(&format!("/orders/{number}/approve"), &[]).await;
        assert_eq!(r.status(), 303);
        let shipping = sign_in(&w.app, "shipping@web.test").await;
        assert_eq!(
            shipping
                .post(&format!("/orders/{number}/process"), &[])
                .await
                .status(),
            303
        );
        let (_, html) = shipping.get(&format!("/orders/{number}")).await;
        assert!(html.contains("Mark shipped"));
        let r = shipping
            .post(
                &format!("/orders/{number}/ship"),
                &[
                    ("carrier", "UPS"),
                    ("tracking_number", "1Z999AA10123456784"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{:?}", r.text().await);
        let (_, html) = doctor.get(&format!("/orders/{number}")).await;
        assert!(html.contains("1Z999AA10123456784") && html.contains("shipped"));

        // Every page action left the API's audit records (agent, entity, no PHI).
        let (_, audit) = w
            .app
            .get(
                &w.admin,
                "/api/v1/admin/audit-logs?entity_type=verification_request&per_page=200",
            )
            .await;
        let text = audit.to_string();
        assert!(text.contains("approve -> approved"), "{text}");
        assert!(!text.contains("Odalys"), "no PHI in the audit trail");
        w.app.stop().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patients_are_searched_by_post_and_no_url_carries_phi() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let w = world(app).await;
    let doctor = sign_in(&w.app, "doctor.a@web.test").await;
    let phi = [
        "Odalys",
        "Brennan",
        "1951-03-14",
        "5025550131",
        "502-555-0131",
    ];
    let no_phi_in_links = |html: &str| {
        for chunk in html
            .split("href=\"")
            .skip(1)
            .chain(html.split("action=\"").skip(1))
        {
            let url = chunk.split('"').next().unwrap();
            for p in phi {
                assert!(!url.contains(p), "PHI {p} in a URL: {url}");
            }
        }
    };

    // By phone: found, in the POST's own answer.
    let r = doctor
        .post("/patients/search", &[("phone", "502-555-0131")])
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Brennan, Odalys"), "{html}");
    assert!(html.contains(&format!("/patients/{}", w.patient_a)));
    no_phi_in_links(&html);
    // By date of birth and last name; another doctor's patient is never found.
    let r = doctor
        .post(
            "/patients/search",
            &[("date_of_birth", "1946-11-02"), ("last_name", "Marwick")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("0 found"));
    // A bad phone number is shown on the form with what was typed.
    let r = doctor.post("/patients/search", &[("phone", "12")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\"") && html.contains("value=\"12\""),
        "{html}"
    );

    // The detail page (an audited read) and an edit through the form.
    let (status, html) = doctor.get(&format!("/patients/{}", w.patient_a)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Odalys Brennan") && html.contains("Aetna"));
    no_phi_in_links(&html);
    let (_, form) = doctor.get(&format!("/patients/{}/edit", w.patient_a)).await;
    assert!(form.contains("value=\"Louisville\""));
    let edit = [
        ("first_name", "Odalys"),
        ("last_name", "Brennan"),
        ("date_of_birth", "1951-03-14"),
        ("phone", "502-555-0199"),
        ("email", ""),
        ("line1", "9 Oak Ave"),
        ("line2", ""),
        ("city", "Louisville"),
        ("state", "KY"),
        ("postal_code", "40202"),
        ("preferred_language", "en"),
        ("clinical_notes", "moved house"),
    ];
    let r = doctor
        .post(&format!("/patients/{}", w.patient_a), &edit)
        .await;
    assert_eq!(r.status(), 303, "{:?}", r.text().await);
    let (_, api) = w
        .app
        .get(&w.doctor_a, &format!("/api/v1/patients/{}", w.patient_a))
        .await;
    assert_eq!(api["phone"], "+15025550199");
    assert_eq!(api["address"]["line1"], "9 Oak Ave");
    // A date of birth in the future is the API's 422, on the form, nothing saved.
    let mut bad = edit;
    bad[2] = ("date_of_birth", "2999-01-01");
    let r = doctor
        .post(&format!("/patients/{}", w.patient_a), &bad)
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("date_of_birth"));

    // Doctor B cannot open doctor A's patient; the page says not found, as the API does.
    let other = sign_in(&w.app, "doctor.b@web.test").await;
    assert_eq!(
        other.get(&format!("/patients/{}", w.patient_a)).await.0,
        404
    );
    let _ = (&w.patient_b, &w.doctor_b);

    // Each view was audited as the API's patient read, and the audit holds no PHI.
    let (_, audit) = w
        .app
        .get(
            &w.admin,
            &format!(
                "/api/v1/admin/audit-logs?entity_id={}&per_page=200",
                w.patient_a
            ),
        )
        .await;
    let text = audit.to_string();
    assert!(text.contains("patient read"), "{text}");
    for p in phi {
        assert!(!text.contains(p), "PHI {p} in the audit trail");
    }
    w.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_manages_users_and_checks_the_audit_chain() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let w = world(app).await;
    let admin = sign_in(&w.app, "admin@web.test").await;

    // Add a doctor under the salesperson, through the form.
    let (_, page) = admin.get("/admin/users").await;
    let sales_id = page
        .split("<option value=\"")
        .skip(1)
        .find(|o| o.contains(">sales ("))
        .and_then(|o| o.split('"').next())
        .expect("the salesperson is offered as a manager")
        .to_string();
    let r = admin
        .post(
            "/admin/users",
            &[
                ("full_name", "Dr. Nia Okafor"),
                ("email", "nia@web.test"),
                ("role", "doctor"),
                ("password", PASSWORD),
                ("npi", ""),
                ("manager_id", &sales_id),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{:?}", r.text().await);
    let (_, page) = admin.get("/admin/users?role=doctor").await;
    assert!(page.contains("Dr. Nia Okafor") && page.contains("nia@web.test"));
    // The same email again: the API's 409, shown above the form.
    let r = admin
        .post(
            "/admin/users",
            &[
                ("full_name", "Again"),
                ("email", "nia@web.test"),
                ("role", "doctor"),
                ("password", "Lantern-Field-2026!"),
            ],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("role=\"alert\""));
    // The new doctor can sign in, and is in the salesperson's downline.
    let (_, users) = w.app.get(&w.admin, "/api/v1/users?role=doctor").await;
    let nia = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "nia@web.test")
        .unwrap()
        .clone();
    assert_eq!(s(&nia["manager_id"]), sales_id);
    let nia_browser = sign_in(&w.app, "nia@web.test").await;

    // Deactivated: the session ends at once and signing in is refused.
    let r = admin
        .post(&format!("/admin/users/{}/deactivate", s(&nia["id"])), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        nia_browser.get("/").await.0,
        303,
        "sent to the sign-in page"
    );
    assert_eq!(
        post_login(&w.app, "nia@web.test", PASSWORD).await.status(),
        401
    );

    // The audit log page, filtered, and the chain verified on request.
    let (status, page) = admin.get("/admin/audit?type=user-authentication").await;
    assert_eq!(status, 200);
    assert!(page.contains("login"), "{page}");
    assert!(!page.contains("intact"));
    let (_, page) = admin.get("/admin/audit?verify=1").await;
    assert!(page.contains("intact"), "{page}");
    // Bad filters are the API's 422.
    assert_eq!(admin.get("/admin/audit?action=Z").await.0, 422);

    // Others may not: the specialist has neither users nor the audit log.
    let specialist = sign_in(&w.app, "specialist@web.test").await;
    assert_eq!(specialist.get("/admin/audit").await.0, 403);
    assert_eq!(specialist.get("/admin/users").await.0, 403);
    let (_, queue) = specialist.get("/").await;
    assert!(
        !queue.contains("/admin/audit"),
        "not offered in the navigation"
    );
    w.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_changes_a_role_on_the_users_page() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let w = world(app).await;
    let admin = sign_in(&w.app, "admin@web.test").await;
    let (_, users) = w.app.get(&w.admin, "/api/v1/users?per_page=50").await;
    let id_of = |email: &str| {
        users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == email)
            .map(|u| s(&u["id"]))
            .unwrap()
    };
    let (doctor, dist, admin_id) = (
        id_of("doctor.a@web.test"),
        id_of("distributor@web.test"),
        id_of("admin@web.test"),
    );
    let (status, page) = admin.get("/admin/users").await;
    assert_eq!(status, 200);
    assert!(csp_problems(&page).is_empty(), "{:?}", csp_problems(&page));
    // A role form on every row but the admin's own, each with the session's CSRF token.
    assert!(page.contains(&format!("action=\"/admin/users/{doctor}/role\"")));
    assert!(!page.contains(&format!("action=\"/admin/users/{admin_id}/role\"")));
    let doctor_browser = sign_in(&w.app, "doctor.a@web.test").await;

    // Refused: a salesperson cannot keep a salesperson as manager. The list comes back with
    // the API's status and the reason in that user's row.
    let r = admin
        .post(
            &format!("/admin/users/{doctor}/role"),
            &[("role", "salesperson"), ("manager_id", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    let result = page
        .split(&format!("id=\"result-{doctor}\">"))
        .nth(1)
        .expect("the row's result")
        .split("</p>")
        .next()
        .unwrap();
    assert!(result.contains("must report to a distributor"), "{result}");
    assert!(page.contains("class=\"result error\""));

    // Done: under the distributor. The row says so, and the doctor's session has ended.
    let r = admin
        .post(
            &format!("/admin/users/{doctor}/role"),
            &[("role", "salesperson"), ("manager_id", &dist)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(&format!(
            "id=\"result-{doctor}\">Now Salesperson; their sessions have ended.</p>"
        )),
        "{page}"
    );
    assert_eq!(
        doctor_browser.get("/").await.0,
        303,
        "sent to the sign-in page"
    );
    let (_, u) = w
        .app
        .get(&w.admin, &format!("/api/v1/users/{doctor}"))
        .await;
    assert_eq!(
        (u["role"].as_str(), s(&u["manager_id"])),
        (Some("salesperson"), dist.clone())
    );

    // The form needs the CSRF token like every change.
    let r = admin
        .http
        .post(format!("{}/admin/users/{doctor}/role", admin.base))
        .header("cookie", format!("careline_session={}", admin.cookie))
        .form(&[("role", "doctor")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The admin's own role cannot be changed from here either (the API's 409, in the row).
    let r = admin
        .post(
            &format!("/admin/users/{admin_id}/role"),
            &[("role", "doctor")],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("cannot change your own role")
    );
    w.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_show_the_window_as_charts_a_table_and_csv() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let w = world(app).await;
    submitted(&w, &w.doctor_a, &w.patient_a, "urgent").await;
    submitted(&w, &w.doctor_b, &w.patient_b, "routine").await;
    let admin = sign_in(&w.app, "admin@web.test").await;
    let (status, html) = admin.get("/analytics").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("data-chart=").count(), 5, "five charts");
    // The charts, like the summary and the table, refetch themselves on DASHBOARD_UPDATE.
    assert!(
        html.contains("id=\"charts\" data-live=\"dashboard\""),
        "{html}"
    );
    assert!(html.contains("Authentication success") && html.contains("Day by day"));
    assert_eq!(csp_problems(&html), Vec::<String>::new());

    // The CSV: a header and one line per day of the default week, with the two requests.
    let r = admin
        .http
        .get(w.app.url("/analytics.csv"))
        .header("cookie", format!("careline_session={}", admin.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 8, "{csv}");
    assert!(lines[0].starts_with("day,calls,"));
    // Summed over the week, so a run across midnight UTC counts them too.
    let submitted: u64 = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(7).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(submitted, 2, "requests submitted this week: {csv}");
    // A chosen window, and a bad one.
    let (status, html) = admin.get("/analytics?from=2026-01-01&to=2026-01-03").await;
    assert_eq!(status, 200);
    assert!(html.contains("2026-01-01 to 2026-01-03"));
    assert_eq!(
        admin
            .get("/analytics?from=2026-01-01&to=2026-03-01")
            .await
            .0,
        400
    );
    assert_eq!(admin.get("/analytics?from=yesterday").await.0, 422);

    // A doctor has no analytics.
    let doctor = sign_in(&w.app, "doctor.a@web.test").await;
    assert_eq!(doctor.get("/analytics").await.0, 403);
    w.app.stop().await;
}

// The request list's filters as a specialist uses them: by doctor, by the day it was created,
// oldest or newest first; each row names its doctor. On both engines, because each filter and
// order is served by its own index (and the review queue by a partial one).
on_both_engines!(
    the_request_list_filters_by_doctor_and_day_and_sorts_both_ways,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        let first = submitted(&w, &w.doctor_a, &w.patient_a, "routine").await;
        let second = submitted(&w, &w.doctor_b, &w.patient_b, "routine").await;
        let (a, b) = (s(&first["request_number"]), s(&second["request_number"]));
        let doctor_a = s(&first["doctor_id"]);
        let specialist = sign_in(&w.app, "specialist@web.test").await;

        // Every doctor is offered, and each row names its doctor.
        let (status, html) = specialist.get("/requests").await;
        assert_eq!(status, 200, "{html}");
        assert!(
            html.contains(&format!("<option value=\"{doctor_a}\"")),
            "{html}"
        );
        assert!(html.contains("2 requests"), "{html}");
        // Newest first by default, oldest first on request.
        assert!(html.find(&b).unwrap() < html.find(&a).unwrap());
        let (_, html) = specialist.get("/requests?sort=oldest").await;
        assert!(html.find(&a).unwrap() < html.find(&b).unwrap(), "{html}");

        // One doctor's.
        let (_, html) = specialist
            .get(&format!("/requests?doctor={doctor_a}"))
            .await;
        assert!(html.contains(&a) && !html.contains(&b), "{html}");
        assert!(html.contains("1 requests"), "{html}");

        // By day: both were created today, so a window ending two days ago and one starting
        // tomorrow hold none, and one around today holds both. (Computed from today, so the
        // test never depends on the date it runs.)
        let today = chrono::Utc::now().date_naive();
        let day = |d: i64| (today + chrono::Duration::days(d)).to_string();
        let (_, html) = specialist.get(&format!("/requests?from={}", day(1))).await;
        assert!(html.contains("0 requests") && !html.contains(&a), "{html}");
        let (_, html) = specialist.get(&format!("/requests?to={}", day(-2))).await;
        assert!(html.contains("0 requests"), "{html}");
        let (_, html) = specialist
            .get(&format!("/requests?from={}&to={}", day(-1), day(1)))
            .await;
        assert!(html.contains(&a) && html.contains(&b), "{html}");
        // The pager keeps the filters.
        assert!(html.contains(&format!("from={}", day(-1))) || !html.contains("rel=\"next\""));

        // A doctor sees only their own, with no doctor to choose.
        let (_, html) = sign_in(&w.app, "doctor.a@web.test")
            .await
            .get("/requests")
            .await;
        assert!(html.contains(&a) && !html.contains(&b), "{html}");
        assert!(!html.contains("name=\"doctor\""), "{html}");

        // Bad values are refused with the field named, on the page and in the API.
        let (status, html) = specialist.get("/requests?from=yesterday").await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("from"), "{html}");
        let (status, html) = specialist.get("/requests?doctor=nobody").await;
        assert_eq!(status, 422, "{html}");
        let (status, body) = w.app.get(&w.admin, "/api/v1/ivrs?sort=sideways").await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "VALIDATION_ERROR", "{body}");
        let (status, body) = w
            .app
            .get(
                &w.admin,
                "/api/v1/ivrs?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            )
            .await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = w
            .app
            .get(
                &w.admin,
                &format!("/api/v1/ivrs?doctor_id={doctor_a}&sort=oldest"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["total"], 1, "{body}");
        assert_eq!(body["items"][0]["request_number"], a.as_str(), "{body}");
    }
);

/// The new request form's fields for one product line (the rest left empty).
fn request_form<'a>(
    patient: &'a str,
    codes: &'a str,
    size: &'a str,
    quantity: &'a str,
    intent: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("patient_id", patient),
        ("priority", "urgent"),
        ("diagnosis_codes", codes),
        ("size", size),
        ("quantity", quantity),
        ("size", ""),
        ("quantity", ""),
        (
            "medical_justification",
            "Diabetic foot ulcer, left heel, 3 cm",
        ),
        ("doctor_comment", "Please call the clinic with the answer"),
        ("intent", intent),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doctor_creates_a_request_through_the_form() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let w = world(app).await;
    let doctor = sign_in(&w.app, "doctor.a@web.test").await;

    // The form offers the doctor's own patients (names in the page body only) and the
    // catalogue's sizes; the requests list links to it.
    let (_, list) = doctor.get("/requests").await;
    assert!(list.contains("href=\"/requests/new\""), "{list}");
    let r = doctor.get_raw("/requests/new").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert_eq!(csp_problems(&html), Vec::<String>::new());
    assert!(html.contains("Brennan, Odalys"), "{html}");
    assert!(!html.contains("Marwick"), "another doctor's patient");
    assert!(html.contains(&format!("value=\"{}\"", w.foam_small)));
    assert!(html.contains("label for=\"size-1\"") && html.contains("label for=\"quantity-1\""));
    // The patient's page links to the form with the patient (an id, never a name) chosen.
    let (_, page) = doctor.get(&format!("/patients/{}", w.patient_a)).await;
    assert!(page.contains(&format!("href=\"/requests/new?patient={}\"", w.patient_a)));
    let (_, html) = doctor
        .get(&format!("/requests/new?patient={}", w.patient_a))
        .await;
    assert!(html.contains(&format!("value=\"{}\" selected", w.patient_a)));

    // A bad code and a bad quantity: the form again, each problem beside its field, the
    // summary at the top, and everything typed still there. Nothing is created.
    let r = doctor
        .post(
            "/requests/new",
            &request_form(&w.patient_a, "E11.621, XYZ", &w.foam_small, "0", "submit"),
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert_eq!(csp_problems(&html), Vec::<String>::new());
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(
        html.contains("id=\"diagnosis_codes-error\"") && html.contains("is not an ICD-10 code"),
        "{html}"
    );
    assert!(
        html.contains("id=\"quantity-1-error\">must be 1 to 1000"),
        "{html}"
    );
    assert!(
        html.contains("href=\"#quantity-1\""),
        "the summary links to the field"
    );
    assert!(html.contains("value=\"E11.621, XYZ\""));
    assert!(html.contains(&format!("value=\"{}\" selected", w.patient_a)));
    assert!(html.contains(&format!("value=\"{}\" selected", w.foam_small)));
    assert!(html.contains("Please call the clinic with the answer"));
    assert!(html.contains("Diabetic foot ulcer, left heel, 3 cm"));
    assert!(html.contains("<option value=\"urgent\" selected>"));
    // No product line at all; and submitting without a code (the API's words for both).
    let r = doctor
        .post(
            "/requests/new",
            &request_form(&w.patient_a, "", "", "", "submit"),
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("choose at least one product and size"),
        "{html}"
    );
    assert!(html.contains("at least one diagnosis code is needed to submit"));
    // Another doctor's patient: the API's own refusal, shown beside the patient field.
    let r = doctor
        .post(
            "/requests/new",
            &request_form(&w.patient_b, "E11.621", &w.foam_small, "10", "submit"),
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"patient_id-error\">no such patient among yours"),
        "{html}"
    );
    let (_, mine) = w.app.get(&w.doctor_a, "/api/v1/ivrs").await;
    assert_eq!(mine["total"], 0, "nothing was created: {mine}");

    // Submitted at once: 303 to the new request, which is the API's, as typed.
    let r = doctor
        .post(
            "/requests/new",
            &request_form(
                &w.patient_a,
                "E11.621, L97.412",
                &w.foam_small,
                "10",
                "submit",
            ),
        )
        .await;
    assert_eq!(r.status(), 303, "{:?}", r.text().await);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id = location
        .strip_prefix("/requests/")
        .expect("the request's page");
    let (status, vr) = w.app.get(&w.doctor_a, &format!("/api/v1/ivrs/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(vr["status"], "submitted");
    assert_eq!(vr["priority"], "urgent");
    assert_eq!(vr["diagnosis_codes"], json!(["E11.621", "L97.412"]));
    assert_eq!(vr["products"][0]["sizes"][0]["quantity"], 10);
    assert_eq!(s(&vr["patient_id"]), w.patient_a);
    let (status, page) = doctor.get(&location).await;
    assert_eq!(status, 200);
    assert!(page.contains("Silicone foam dressing") && page.contains("submitted"));
    // Saved as a draft: no code needed yet.
    let r = doctor
        .post(
            "/requests/new",
            &request_form(&w.patient_a, "", &w.foam_small, "2", "draft"),
        )
        .await;
    assert_eq!(r.status(), 303, "{:?}", r.text().await);
    let id = r.headers()["location"].to_str().unwrap()["/requests/".len()..].to_string();
    let (_, vr) = w.app.get(&w.doctor_a, &format!("/api/v1/ivrs/{id}")).await;
    assert_eq!(vr["status"], "draft");

    // The API's create audited it, with no PHI.
    let (_, audit) = w
        .app
        .get(
            &w.admin,
            "/api/v1/admin/audit-logs?entity_type=verification_request&per_page=200",
        )
        .await;
    let text = audit.to_string();
    assert!(text.contains("verification request created"), "{text}");
    assert!(!text.contains("Odalys") && !text.contains("Brennan"));

    // A specialist may not create: the refusal page, for the form and for a post; no link.
    let specialist = sign_in(&w.app, "specialist@web.test").await;
    let (status, html) = specialist.get("/requests/new").await;
    assert_eq!(status, 403);
    assert!(html.contains("FORBIDDEN"), "{html}");
    let r = specialist
        .post(
            "/requests/new",
            &request_form(&w.patient_a, "E11.621", &w.foam_small, "1", "submit"),
        )
        .await;
    assert_eq!(r.status(), 403);
    let (_, list) = specialist.get("/requests").await;
    assert!(!list.contains("/requests/new"));
    let shipping = sign_in(&w.app, "shipping@web.test").await;
    assert_eq!(shipping.get("/requests/new").await.0, 403);
    // Without the CSRF field the post is refused before anything happens.
    let r = doctor
        .http
        .post(w.app.url("/requests/new"))
        .header("cookie", format!("careline_session={}", doctor.cookie))
        .form(&request_form(
            &w.patient_a,
            "E11.621",
            &w.foam_small,
            "1",
            "submit",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (_, mine) = w.app.get(&w.doctor_a, "/api/v1/ivrs").await;
    assert_eq!(mine["total"], 2);
    w.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdfs_and_images_are_previewed_inline_for_those_who_may_read_them() {
    let app = TestApp::spawn(common::TestDb::new(common::Engine::Sqlite).await.unwrap()).await;
    let w = world(app).await;
    let vr = submitted(&w, &w.doctor_a, &w.patient_a, "routine").await;
    let id = s(&vr["id"]);
    let mut png = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];
    png.extend_from_slice(&[0; 24]);
    let mut docs = std::collections::HashMap::new();
    for (name, content_type, body) in [
        ("photo.png", "image/png", png.clone()),
        (
            "letter.pdf",
            "application/pdf",
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        ),
        ("notes.txt", "text/plain", b"plain notes".to_vec()),
        ("scan.tif", "image/tiff", b"II*\0rest".to_vec()),
    ] {
        let (status, doc) = post_raw(
            &w.app,
            &w.doctor_a,
            &format!("/api/v1/ivrs/{id}/documents?filename={name}"),
            content_type,
            body,
        )
        .await;
        assert_eq!(status, 201, "{doc}");
        docs.insert(name, s(&doc["id"]));
    }
    let url = |doc: &str| format!("/api/v1/ivrs/{id}/documents/{}", docs[doc]);

    // The page shows the PNG in an <img> and the PDF in a frame; text and TIFF are links only.
    let doctor = sign_in(&w.app, "doctor.a@web.test").await;
    let (status, html) = doctor.get(&format!("/requests/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(csp_problems(&html), Vec::<String>::new());
    assert!(
        html.contains(&format!(
            "<img class=\"preview\" src=\"{}?disposition=inline\"",
            url("photo.png")
        )),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<iframe class=\"preview\" src=\"{}?disposition=inline\"",
        url("letter.pdf")
    )));
    for doc in ["notes.txt", "scan.tif"] {
        assert!(html.contains(&format!("href=\"{}\"", url(doc))));
        assert!(!html.contains(&format!("{}?disposition=inline", url(doc))));
    }

    // Inline: the stored type, inline, no sniffing, framable by this site only.
    for (doc, content_type) in [
        ("photo.png", "image/png"),
        ("letter.pdf", "application/pdf"),
    ] {
        let r = doctor
            .get_raw(&format!("{}?disposition=inline", url(doc)))
            .await;
        assert_eq!(r.status(), 200, "{doc}");
        let h = r.headers();
        assert_eq!(h["content-type"], content_type);
        assert!(
            h["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("inline;")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "SAMEORIGIN");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'self'"),
            "{csp}"
        );
    }
    let r = doctor.get_raw(&url("photo.png")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"),
        "a download stays an attachment"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
    // Asked inline, a type that is not previewable is still an attachment.
    for doc in ["notes.txt", "scan.tif"] {
        let r = doctor
            .get_raw(&format!("{}?disposition=inline", url(doc)))
            .await;
        assert_eq!(r.status(), 200);
        let h = r.headers();
        assert!(
            h["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;"),
            "{doc}"
        );
        assert!(h.get("x-frame-options").is_none());
    }
    assert_eq!(
        doctor
            .get_raw(&format!("{}?disposition=embed", url("photo.png")))
            .await
            .status(),
        400
    );
    // Each inline view is audited as a read of that document.
    let (_, audit) = w
        .app
        .get(
            &w.admin,
            &format!("/api/v1/admin/audit-logs?entity_id={}", docs["photo.png"]),
        )
        .await;
    assert!(
        audit.to_string().contains("document shown inline"),
        "{audit}"
    );

    // Whoever may not read the request gets no preview: another doctor (out of scope) is
    // told it does not exist, shipping (no verification access) is refused.
    let other = sign_in(&w.app, "doctor.b@web.test").await;
    let inline = format!("{}?disposition=inline", url("photo.png"));
    assert_eq!(other.get_raw(&inline).await.status(), 404);
    assert_eq!(other.get(&format!("/requests/{id}")).await.0, 404);
    let shipping = sign_in(&w.app, "shipping@web.test").await;
    assert_eq!(shipping.get_raw(&inline).await.status(), 403);
    let _ = &w.doctor_b;

    // Uploading from the page: the file as the body, its name in a header (never the URL),
    // the CSRF header; the API's answer comes back as it is.
    let upload = |content_type: &str, csrf: Option<&str>, body: Vec<u8>| {
        let mut rq = doctor
            .http
            .post(w.app.url(&format!("/requests/{id}/documents")))
            .header("cookie", format!("careline_session={}", doctor.cookie))
            .header("content-type", content_type)
            .header("x-filename", "wound%20photo%20%C3%A9.png")
            .body(body);
        if let Some(t) = csrf {
            rq = rq.header("x-csrf-token", t);
        }
        rq.send()
    };
    let r = upload("image/png", Some(&doctor.csrf), png.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["filename"], "wound photo é.png");
    let (_, html) = doctor.get(&format!("/requests/{id}")).await;
    assert!(html.contains("wound photo é.png"));
    assert!(html.contains(&format!("{}?disposition=inline", s(&doc["id"]))));
    let r = upload("image/png", None, png.clone()).await.unwrap();
    assert_eq!(r.status(), 403, "no CSRF header");
    let r = upload("image/svg+xml", Some(&doctor.csrf), b"<svg/>".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), 415, "SVG is never stored, so never shown");
    let r = upload("image/png", Some(&doctor.csrf), b"GIF89a".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "content that is not what it says");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
    w.app.stop().await;
}
