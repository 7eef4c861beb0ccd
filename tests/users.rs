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
