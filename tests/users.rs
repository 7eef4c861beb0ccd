//! Account management input checks: what an admin types when creating a user, and what a
//! distributor types when moving someone in the hierarchy, is validated like the rest of the
//! API (422 naming the field), never a server error.

mod common;

use careline_domain::Role;
use common::{PASSWORD, TestApp, error_code};
use serde_json::{Value, json};

fn fields(body: &Value) -> Vec<String> {
    assert_eq!(error_code(body), "VALIDATION_ERROR", "{body}");
    body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

on_both_engines!(new_accounts_are_validated, |db| async move {
    let app = TestApp::spawn(db).await;
    app.user("root@careline.test", Role::Admin, None).await;
    let t = app.token("root@careline.test").await;
    let new = |email: &str, name: &str, phone: Value| json!({"email": email, "password": PASSWORD, "role": "doctor", "full_name": name, "phone": phone});

    let (status, body) = app
        .post(
            &t,
            "/api/v1/users",
            new("a@careline.test", "Dr A", json!("call the front desk")),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["phone"]);
    let (status, body) = app
        .post(
            &t,
            "/api/v1/users",
            new("b@careline.test", "Dr\u{0}B", json!(null)),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["full_name"]);

    // A valid phone is stored in the same form as a profile's.
    let (status, user) = app
        .post(
            &t,
            "/api/v1/users",
            new("c@careline.test", "Dr C", json!("(502) 555-0165")),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["phone"], "+15025550165");
    let (status, user) = app
        .post(
            &t,
            "/api/v1/users",
            new("d@careline.test", "Dr D", json!("")),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    assert!(user["phone"].is_null());

    // Only the two valid accounts (and the admin) exist.
    let (_, list) = app.get(&t, "/api/v1/users").await;
    assert_eq!(list["total"], 3, "{list}");
    let (status, list) = app
        .get(&t, "/api/v1/users?per_page=200&page=18446744073709551615")
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"], json!([]));

    app.stop().await;
});

on_both_engines!(assignment_reasons_are_validated, |db| async move {
    let app = TestApp::spawn(db).await;
    app.user("root2@careline.test", Role::Admin, None).await;
    let sales = app.user("rep@careline.test", Role::Salesperson, None).await;
    let doctor = app.user("doc@careline.test", Role::Doctor, None).await;
    let t = app.token("root2@careline.test").await;
    let path = format!("/api/v1/users/{doctor}/assignments");

    let (status, body) = app
        .post(
            &t,
            &path,
            json!({"manager_id": sales, "reason": "moved\u{0}"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["reason"]);
    let (_, doc) = app.get(&t, &format!("/api/v1/users/{doctor}")).await;
    assert!(
        doc["manager_id"].is_null(),
        "the refused move changed nothing"
    );

    let (status, doc) = app
        .post(
            &t,
            &path,
            json!({"manager_id": sales, "reason": "territory change"}),
        )
        .await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["manager_id"], sales.to_string());
    let (_, history) = app.get(&t, &path).await;
    assert_eq!(history[0]["reason"], "territory change");

    app.stop().await;
});

on_both_engines!(an_npi_belongs_to_one_account, |db| async move {
    let app = TestApp::spawn(db).await;
    app.user("root@careline.test", Role::Admin, None).await;
    let t = app.token("root@careline.test").await;
    let doctor = |email: &str| json!({"email": email, "password": PASSWORD, "role": "doctor", "full_name": "Dr Vale", "npi": "1234567893"});
    let (status, body) = app
        .post(&t, "/api/v1/users", doctor("vale@careline.test"))
        .await;
    assert_eq!(status, 201, "{body}");
    // A second account with the same NPI could act as the first provider.
    let (status, body) = app
        .post(&t, "/api/v1/users", doctor("vale2@careline.test"))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "NPI_IN_USE", "{body}");
    let (_, list) = app.get(&t, "/api/v1/users").await;
    assert_eq!(list["total"], 2, "{list}");
    app.stop().await;
});

on_both_engines!(an_admin_changes_a_role_within_the_rules, |db| async move {
    let app = TestApp::spawn(db).await;
    let root = app.user("root@careline.test", Role::Admin, None).await;
    let master = app
        .user("master@careline.test", Role::MasterDistributor, None)
        .await;
    let dist = app
        .user("dist@careline.test", Role::Distributor, Some(master))
        .await;
    let sales = app
        .user("sales@careline.test", Role::Salesperson, Some(dist))
        .await;
    let doctor = app
        .user("doc@careline.test", Role::Doctor, Some(sales))
        .await;
    let specialist = app
        .user("spec@careline.test", Role::IvrSpecialist, None)
        .await;
    let t = app.token("root@careline.test").await;
    let doctor_token = app.token("doc@careline.test").await;
    let role = |id: uuid::Uuid| format!("/api/v1/users/{id}/role");

    // Not one of the seven roles.
    let (status, body) = app.put(&t, &role(doctor), json!({"role": "root"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "VALIDATION_ERROR");
    // A salesperson reports to a distributor: keeping the doctor's manager (a salesperson)
    // would break the hierarchy.
    let (status, body) = app
        .put(&t, &role(doctor), json!({"role": "salesperson"}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["manager_id"]);
    // Nor may a specialist, who reports to nobody, keep a manager.
    let (status, body) = app
        .put(
            &t,
            &role(doctor),
            json!({"role": "ivr_specialist", "manager_id": sales}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["manager_id"]);
    // Refusals changed nothing, and the doctor is still signed in.
    let (_, u) = app.get(&t, &format!("/api/v1/users/{doctor}")).await;
    assert_eq!(
        (u["role"].as_str(), u["manager_id"].clone()),
        (Some("doctor"), json!(sales))
    );
    assert_eq!(app.get(&doctor_token, "/api/v1/auth/me").await.0, 200);

    // With a manager that suits the new role: done, in the hierarchy too.
    let (status, u) = app
        .put(
            &t,
            &role(doctor),
            json!({"role": "salesperson", "manager_id": dist}),
        )
        .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(u["role"], "salesperson");
    assert_eq!(u["manager_id"], json!(dist));
    let (_, history) = app
        .get(&t, &format!("/api/v1/users/{doctor}/assignments"))
        .await;
    assert_eq!(
        history.as_array().unwrap().last().unwrap()["reason"],
        "role changed"
    );
    // Their sessions ended with the old role.
    let (status, body) = app.get(&doctor_token, "/api/v1/auth/me").await;
    assert_eq!(status, 401, "{body}");
    // And the change is audited, naming both roles.
    let (_, audit) = app
        .get(
            &t,
            &format!("/api/v1/admin/audit-logs?entity_type=user&entity_id={doctor}"),
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["description"]
                .as_str()
                .unwrap()
                .contains("from doctor to salesperson")),
        "{audit}"
    );
    // Asking again for the role they have changes nothing (and ends nothing).
    let new_token = app.token("doc@careline.test").await;
    let (status, u) = app
        .put(&t, &role(doctor), json!({"role": "salesperson"}))
        .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(app.get(&new_token, "/api/v1/auth/me").await.0, 200);

    // Someone with reports keeps their role until the reports move.
    let (status, body) = app.put(&t, &role(dist), json!({"role": "doctor"})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_code(&body), "USER_HAS_REPORTS");

    // Out of the hierarchy and in again; null places nobody over them.
    let (status, u) = app
        .put(
            &t,
            &role(specialist),
            json!({"role": "doctor", "manager_id": sales}),
        )
        .await;
    assert_eq!(status, 200, "{u}");
    let (status, u) = app
        .put(
            &t,
            &role(specialist),
            json!({"role": "shipping_logistics", "manager_id": null}),
        )
        .await;
    assert_eq!(status, 200, "{u}");
    assert!(u["manager_id"].is_null());

    // Not one's own role; not a user that does not exist.
    let (status, body) = app.put(&t, &role(root), json!({"role": "doctor"})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_code(&body), "CANNOT_CHANGE_OWN_ROLE");
    let (status, body) = app
        .put(&t, &role(uuid::Uuid::now_v7()), json!({"role": "doctor"}))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(error_code(&body), "USER_NOT_FOUND");
    // Only admins: a distributor may arrange their downline but not change roles.
    let dist_token = app.token("dist@careline.test").await;
    let (status, body) = app
        .put(&dist_token, &role(sales), json!({"role": "doctor"}))
        .await;
    assert_eq!(status, 403, "{body}");

    // The last active admin keeps the role, whoever asks (the store's rule; through the API
    // the caller is always another admin).
    let refused = careline_store::users::change_role(
        app.store(),
        root,
        Role::Doctor,
        None,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            refused,
            careline_store::StoreError::Rule {
                code: "LAST_ADMIN",
                ..
            }
        ),
        "{refused:?}"
    );
    // With a second admin, one may demote the other.
    let second = app.user("root2@careline.test", Role::Admin, None).await;
    let t2 = app.token("root2@careline.test").await;
    let (status, u) = app
        .put(&t2, &role(root), json!({"role": "ivr_specialist"}))
        .await;
    assert_eq!(status, 200, "{u}");
    let (status, body) = app.put(&t, &role(second), json!({"role": "doctor"})).await;
    assert_eq!(status, 401, "the demoted admin's session ended: {body}");

    app.stop().await;
});

on_both_engines!(two_admins_demoting_each_other_leave_one, |db| async move {
    let app = TestApp::spawn(db).await;
    let a = app.user("a@careline.test", Role::Admin, None).await;
    let b = app.user("b@careline.test", Role::Admin, None).await;
    let store = app.store().clone();
    let demote = |id| {
        let store = store.clone();
        tokio::spawn(async move {
            careline_store::users::change_role(
                &store,
                id,
                Role::Doctor,
                None,
                None,
                chrono::Utc::now(),
            )
            .await
        })
    };
    let (ra, rb) = tokio::join!(demote(a), demote(b));
    let results = [ra.unwrap(), rb.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results.iter().any(|r| matches!(
        r,
        Err(careline_store::StoreError::Rule {
            code: "LAST_ADMIN",
            ..
        })
    )));
    let t = app
        .token(if results[0].is_ok() {
            "b@careline.test"
        } else {
            "a@careline.test"
        })
        .await;
    let (_, admins) = app.get(&t, "/api/v1/users?role=admin").await;
    assert_eq!(admins["total"], 1, "{admins}");
    app.stop().await;
});
