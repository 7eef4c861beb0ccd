//! The audit trail: what requests leave behind, the admin view and its filters, the absence
//! of PHI, the hash chain's tamper detection (in the store and through `careline audit
//! verify`), and the group-commit writer under concurrent load.

mod common;

use careline_crypto::KeyRing;
use careline_domain::Role;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::Store;
use careline_store::audit::{self, AuditEvent, AuditFilter};
use common::{Engine, TestApp, error_code, patient_body};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;
use std::sync::Arc;

const LOGS: &str = "/api/v1/admin/audit-logs";

fn items(page: &Value) -> &Vec<Value> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
}

/// Run a statement written with `?` placeholders on either engine; it must touch one row.
async fn exec(store: &Store, sql: &str, values: Vec<sea_orm::Value>) {
    let (backend, sql) = match store.engine() {
        careline_store::Engine::Sqlite => (DbBackend::Sqlite, sql.to_string()),
        careline_store::Engine::Postgres => {
            let mut n = 0;
            let numbered = sql
                .split('?')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.to_string()
                    } else {
                        n += 1;
                        format!("${n}{part}")
                    }
                })
                .collect::<String>();
            (DbBackend::Postgres, numbered)
        }
    };
    let res = store
        .db()
        .execute_raw(Statement::from_sql_and_values(backend, &sql, values))
        .await
        .unwrap();
    assert_eq!(res.rows_affected(), 1, "{sql}");
}

/// Every seq in the chain, oldest first.
async fn all_seqs(store: &Store) -> Vec<i64> {
    let total = audit::count(store).await.unwrap();
    let mut seqs: Vec<i64> = audit::search(store, &AuditFilter::default(), 1, total.max(1))
        .await
        .unwrap()
        .items
        .iter()
        .map(|r| r.seq)
        .collect();
    seqs.reverse();
    seqs
}

async fn some_events(store: &Store, n: usize) {
    let events: Vec<AuditEvent> = (0..n)
        .map(|i| {
            AuditEvent::new(
                AuditType::Administration,
                AuditAction::U,
                format!("test event {i}"),
            )
            .entity("user", uuid::Uuid::now_v7())
        })
        .collect();
    // One at a time, so the chain spans several transactions.
    for e in events {
        audit::append(store, &[e]).await.unwrap();
    }
}

on_both_engines!(requests_leave_records_admins_can_filter, |db| async move {
    let app = TestApp::spawn(db).await;
    let admin = app.user("auditor@careline.test", Role::Admin, None).await;
    let doctor = app
        .user("dr.audited@careline.test", Role::Doctor, None)
        .await;
    app.user("ivr.audited@careline.test", Role::IvrSpecialist, None)
        .await;

    let dt = app.token("dr.audited@careline.test").await;
    let (status, p) = app
        .post(
            &dt,
            "/api/v1/patients",
            patient_body("Ottoline", "Fairweather", "1939-12-24", "5025550777"),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    let pid = p["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&dt, &format!("/api/v1/patients/{pid}")).await.0,
        200
    );
    assert_eq!(app.get(&dt, "/api/v1/patients").await.0, 200);
    let (status, found) = app
        .get(&dt, "/api/v1/patients/search?phone=5025550777")
        .await;
    assert_eq!(status, 200);
    assert_eq!(found.as_array().unwrap().len(), 1);
    let (status, _) = app
        .get(
            &dt,
            "/api/v1/patients/search?date_of_birth=1939-12-24&last_name=Fairweather",
        )
        .await;
    assert_eq!(status, 200);

    let at = app.token("auditor@careline.test").await;
    let (status, page) = app.get(&at, &format!("{LOGS}?per_page=200")).await;
    assert_eq!(status, 200, "{page}");
    let records = items(&page);
    assert_eq!(page["total"].as_u64().unwrap() as usize, records.len());
    for r in records {
        for key in [
            "seq",
            "id",
            "recorded",
            "type",
            "action",
            "outcome",
            "agent_user_id",
            "agent_role",
            "agent_address",
            "entity_type",
            "entity_id",
            "description",
            "prev_hash",
            "hash",
        ] {
            assert!(r.get(key).is_some(), "record without {key}: {r}");
        }
    }
    let find = |pred: &dyn Fn(&Value) -> bool, what: &str| -> Value {
        records
            .iter()
            .find(|r| pred(r))
            .unwrap_or_else(|| panic!("no record of {what} in {page}"))
            .clone()
    };
    let doctor_s = doctor.to_string();
    let login = find(
        &|r| {
            r["type"] == "user-authentication"
                && r["description"] == "login"
                && r["agent_user_id"] == doctor_s
        },
        "the doctor's login",
    );
    assert_eq!(login["action"], "E");
    assert_eq!(login["outcome"], 0);
    assert_eq!(login["agent_role"], "doctor");
    assert_eq!(login["agent_address"], "127.0.0.1");
    assert_eq!(login["entity_type"], "session");
    let created = find(
        &|r| r["type"] == "rest" && r["action"] == "C" && r["entity_id"] == pid,
        "the patient's creation",
    );
    assert_eq!(created["agent_user_id"], doctor_s);
    assert_eq!(created["entity_type"], "patient");
    let read = find(
        &|r| r["type"] == "rest" && r["action"] == "R" && r["entity_id"] == pid,
        "the patient's read",
    );
    assert_eq!(read["outcome"], 0);
    find(
        &|r| {
            r["type"] == "query"
                && r["action"] == "R"
                && r["description"]
                    .as_str()
                    .unwrap()
                    .starts_with("patient list")
        },
        "the list",
    );
    find(
        &|r| r["type"] == "query" && r["description"] == "patient search by phone: 1 found",
        "the phone search",
    );
    find(
        &|r| {
            r["type"] == "query"
                && r["description"] == "patient search by date_of_birth+last_name: 1 found"
        },
        "the DOB search",
    );

    // No PHI anywhere in the records: not the patient's values, not the search terms.
    let text = page.to_string();
    for phi in [
        "Ottoline",
        "Fairweather",
        "1939-12-24",
        "5025550777",
        "555-0777",
        "MEM-Fairweather",
        "notes about",
    ] {
        assert!(!text.contains(phi), "audit records hold {phi}");
    }

    // Filters.
    let (_, auth) = app
        .get(
            &at,
            &format!("{LOGS}?type=user-authentication&per_page=200"),
        )
        .await;
    assert!(
        items(&auth)
            .iter()
            .all(|r| r["type"] == "user-authentication")
    );
    let logins = items(&auth)
        .iter()
        .filter(|r| r["description"] == "login")
        .count();
    assert_eq!(logins, 2, "the doctor's and the admin's logins: {auth}");

    let (_, reads) = app.get(&at, &format!("{LOGS}?action=R&per_page=200")).await;
    assert!(items(&reads).iter().all(|r| r["action"] == "R"));
    assert!(items(&reads).len() >= 4, "{reads}");

    let (_, about) = app
        .get(
            &at,
            &format!("{LOGS}?entity_type=patient&entity_id={pid}&per_page=200"),
        )
        .await;
    let mut actions: Vec<&str> = items(&about)
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    actions.sort();
    assert_eq!(actions, ["C", "R"], "{about}");
    assert_eq!(about["total"], 2);

    let (_, by_doctor) = app
        .get(&at, &format!("{LOGS}?agent_user_id={doctor}&per_page=200"))
        .await;
    assert!(
        items(&by_doctor)
            .iter()
            .all(|r| r["agent_user_id"] == doctor_s)
    );
    // login, create, read, list, two searches
    assert_eq!(by_doctor["total"], 6, "{by_doctor}");

    let (_, combined) = app
        .get(
            &at,
            &format!("{LOGS}?agent_user_id={doctor}&type=query&per_page=200"),
        )
        .await;
    assert_eq!(combined["total"], 3, "{combined}");

    let (_, paged) = app.get(&at, &format!("{LOGS}?per_page=2&page=2")).await;
    assert_eq!(items(&paged).len(), 2);
    assert!(paged["total"].as_u64().unwrap() > 4);

    let (_, far) = app
        .get(
            &at,
            &format!("{LOGS}?per_page=200&page=18446744073709551615"),
        )
        .await;
    assert!(items(&far).is_empty(), "{far}");

    for bad in [
        "type=bogus",
        "action=Z",
        "outcome=3",
        "entity_id=%00",
        "entity_type=pa%00tient",
    ] {
        let (status, body) = app.get(&at, &format!("{LOGS}?{bad}")).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(error_code(&body), "VALIDATION_ERROR");
    }
    let (status, body) = app.get(&at, &format!("{LOGS}?agent_user_id=nope")).await;
    assert_eq!(status, 400, "{body}");

    // Only admins read the log; the refusal is itself recorded.
    let it = app.token("ivr.audited@careline.test").await;
    for t in [&dt, &it] {
        let (status, body) = app.get(t, LOGS).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(error_code(&body), "FORBIDDEN");
    }
    let (_, alerts) = app
        .get(
            &at,
            &format!("{LOGS}?type=security-alert&agent_user_id={doctor}"),
        )
        .await;
    assert_eq!(alerts["total"], 1, "{alerts}");
    assert!(
        items(&alerts)[0]["description"]
            .as_str()
            .unwrap()
            .contains("denied")
    );
    // Reading the log is audited too.
    let (_, admin_reads) = app
        .get(&at, &format!("{LOGS}?agent_user_id={admin}&type=query"))
        .await;
    assert!(admin_reads["total"].as_u64().unwrap() >= 5);

    let report = audit::verify_chain(app.store()).await.unwrap();
    assert_eq!(report.first_broken, None);

    app.stop().await;
});

on_both_engines!(the_chain_names_the_first_tampered_record, |db| async move {
    let app = TestApp::spawn(db).await;
    app.user("dr.chain@careline.test", Role::Doctor, None).await;
    let t = app.token("dr.chain@careline.test").await;
    let (_, p) = app
        .post(
            &t,
            "/api/v1/patients",
            patient_body("Ivo", "Brandt", "1970-01-01", "5025550888"),
        )
        .await;
    let pid = p["id"].as_str().unwrap();
    for _ in 0..3 {
        app.get(&t, &format!("/api/v1/patients/{pid}")).await;
    }
    some_events(app.store(), 6).await;
    let store = app.store();

    let seqs = all_seqs(store).await;
    assert!(seqs.len() >= 10);
    let report = audit::verify_chain(store).await.unwrap();
    assert_eq!(report.first_broken, None);
    assert_eq!(report.records_checked, seqs.len() as u64);

    // Edit one record in the middle.
    let edited = seqs[seqs.len() / 2];
    let original = audit::search(store, &AuditFilter::default(), 1, 500)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|r| r.seq == edited)
        .unwrap();
    exec(
        store,
        "UPDATE audit_logs SET description = 'x' WHERE seq = ?",
        vec![edited.into()],
    )
    .await;
    let report = audit::verify_chain(store).await.unwrap();
    let (at, why) = report.first_broken.expect("the edit is noticed");
    assert_eq!(at, edited, "{why}");

    // Putting the original text back restores the chain: the hash covers exactly the content.
    exec(
        store,
        "UPDATE audit_logs SET description = ? WHERE seq = ?",
        vec![original.description.clone().into(), edited.into()],
    )
    .await;
    assert_eq!(audit::verify_chain(store).await.unwrap().first_broken, None);

    // Changing who acted is noticed as well.
    let reattributed = seqs[2];
    let record = audit::search(store, &AuditFilter::default(), 1, 500)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|r| r.seq == reattributed)
        .unwrap();
    assert_eq!(record.agent_role.as_deref(), Some("doctor"));
    exec(
        store,
        "UPDATE audit_logs SET agent_role = 'admin' WHERE seq = ?",
        vec![reattributed.into()],
    )
    .await;
    assert_eq!(
        audit::verify_chain(store)
            .await
            .unwrap()
            .first_broken
            .map(|b| b.0),
        Some(reattributed)
    );
    exec(
        store,
        "UPDATE audit_logs SET agent_role = 'doctor' WHERE seq = ?",
        vec![reattributed.into()],
    )
    .await;
    assert_eq!(audit::verify_chain(store).await.unwrap().first_broken, None);

    // Delete a record in the middle: the one after it no longer links.
    let deleted = seqs[seqs.len() / 2 + 1];
    let next = seqs[seqs.len() / 2 + 2];
    exec(
        store,
        "DELETE FROM audit_logs WHERE seq = ?",
        vec![deleted.into()],
    )
    .await;
    let report = audit::verify_chain(store).await.unwrap();
    let (at, why) = report.first_broken.expect("the deletion is noticed");
    assert_eq!(at, next, "{why}");

    app.stop().await;
});

on_both_engines!(
    a_record_names_every_entity_it_disclosed_and_is_found_by_each,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let store = app.store();
        let (a, b, c) = (
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
        );
        // A list of two refill requests of two patients, as the list routes write it.
        let e = AuditEvent::new(AuditType::Query, AuditAction::R, "refills listed (2 shown)")
            .entity("refill_request", a)
            .entity("patient", b)
            .entity("refill_request", c)
            .entity("patient", b)
            .entity("refill_request", a);
        audit::append(store, &[e]).await.unwrap();
        some_events(store, 2).await;
        let found = |entity_type: Option<&str>, id: uuid::Uuid| {
            let f = AuditFilter {
                entity_type: entity_type.map(str::to_string),
                entity_id: Some(id.to_string()),
                ..AuditFilter::default()
            };
            async move { audit::search(store, &f, 1, 50).await.unwrap().items }
        };
        // Found by the first entity and by the later ones, with or without the type.
        for (t, id) in [
            (None, a),
            (Some("refill_request"), a),
            (None, b),
            (Some("patient"), b),
            (Some("refill_request"), c),
        ] {
            let items = found(t, id).await;
            assert_eq!(items.len(), 1, "{t:?} {id}");
            let r = &items[0];
            assert_eq!(r.entity_id.as_deref(), Some(a.to_string().as_str()));
            // Each named once, in the order given.
            let others: Vec<(String, String)> = r
                .other_entities
                .iter()
                .map(|e| (e.entity_type.clone(), e.id.clone()))
                .collect();
            assert_eq!(
                others,
                [
                    ("patient".to_string(), b.to_string()),
                    ("refill_request".to_string(), c.to_string())
                ]
            );
        }
        // A type that does not go with the id: nothing.
        assert!(found(Some("patient"), c).await.is_empty());
        // The others are covered by the chain: editing them is noticed.
        assert_eq!(audit::verify_chain(store).await.unwrap().first_broken, None);
        let seq = found(None, b).await[0].seq;
        exec(
            store,
            "UPDATE audit_logs SET other_entities = '[]' WHERE seq = ?",
            vec![seq.into()],
        )
        .await;
        assert_eq!(
            audit::verify_chain(store)
                .await
                .unwrap()
                .first_broken
                .map(|b| b.0),
            Some(seq)
        );
        app.stop().await;
    }
);

/// `careline audit verify` against a data directory: 0 and "intact" on a sound chain, 2 and
/// the broken record's seq on stderr after tampering.
fn run_verify(data_dir: &std::path::Path, database_url: Option<&str>) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_careline"));
    cmd.args(["audit", "verify"])
        .current_dir(data_dir)
        .env("CARELINE_DATA_DIR", data_dir)
        .env("CARELINE_LOG_LEVEL", "warn")
        .env_remove("CARELINE_CONFIG")
        .env_remove("CARELINE_KEYS")
        .env_remove("CARELINE_KEYS_FILE")
        .env_remove("CARELINE_DATABASE_URL");
    if let Some(url) = database_url {
        cmd.env("CARELINE_DATABASE_URL", url);
    }
    cmd.output().expect("run careline")
}

on_both_engines!(the_command_line_verifies_the_chain, |db| async move {
    let db: common::TestDb = db;
    let data_dir = tempfile::tempdir().unwrap();
    let keys_path = data_dir.path().join("keys.json");
    // SQLite: a data directory of its own, laid out as `careline serve` would leave it.
    // PostgreSQL: the test database, named by CARELINE_DATABASE_URL.
    let (store, url) = match db.engine {
        Engine::Sqlite => {
            let keys = KeyRing::generate();
            keys.save_new(&keys_path).unwrap();
            let url = format!("sqlite://{}", data_dir.path().join("careline.db").display());
            let store = Store::connect(&url, Arc::new(KeyRing::load(&keys_path).unwrap()))
                .await
                .unwrap();
            store.migrate().await.unwrap();
            (store, None)
        }
        Engine::Postgres => {
            db.keys.save_new(&keys_path).unwrap();
            (db.store.clone(), Some(db.url.clone()))
        }
    };
    some_events(&store, 7).await;

    let out = run_verify(data_dir.path(), url.as_deref());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("intact"), "{stdout}");
    assert!(stdout.contains("7 records"), "{stdout}");

    let seqs = all_seqs(&store).await;
    let tampered = seqs[3];
    exec(
        &store,
        "UPDATE audit_logs SET description = 'nothing to see' WHERE seq = ?",
        vec![tampered.into()],
    )
    .await;
    let out = run_verify(data_dir.path(), url.as_deref());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stderr.contains(&format!("broken at record {tampered}:")),
        "{stderr}"
    );
    assert!(!stdout.contains("intact"), "{stdout}");

    // With the wrong keys every record fails to verify, from the first.
    if db.engine == Engine::Sqlite {
        std::fs::remove_file(&keys_path).unwrap();
        KeyRing::generate().save_new(&keys_path).unwrap();
        let out = run_verify(data_dir.path(), None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("broken at record {}:", seqs[0])),
            "{stderr}"
        );
    }

    if db.engine == Engine::Sqlite {
        store.close().await.ok();
    }
    db.cleanup().await;
});

on_both_engines!(concurrent_requests_lose_no_records, |db| async move {
    let app = TestApp::spawn(db).await;
    app.user("dr.load@careline.test", Role::Doctor, None).await;
    let t = app.token("dr.load@careline.test").await;
    let (_, p) = app
        .post(
            &t,
            "/api/v1/patients",
            patient_body("Wren", "Halloway", "1981-08-08", "5025550999"),
        )
        .await;
    let pid = p["id"].as_str().unwrap().to_string();
    let reads = AuditFilter {
        event_type: Some("rest".into()),
        action: Some("R".into()),
        entity_type: Some("patient".into()),
        entity_id: Some(pid.clone()),
        ..Default::default()
    };
    let other_node = AuditFilter {
        event_type: Some("administration".into()),
        ..Default::default()
    };
    let before = audit::search(app.store(), &reads, 1, 1)
        .await
        .unwrap()
        .total;
    let other_before = audit::search(app.store(), &other_node, 1, 1)
        .await
        .unwrap()
        .total;

    // A second process appending to the same chain at the same time (another node, or the
    // command line), through its own connection pool.
    let second = Store::connect(&app.db.url, app.db.keys.clone())
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let second = second.clone();
        tasks.spawn(async move {
            some_events(&second, 3).await;
            (200u16, String::new())
        });
    }
    for _ in 0..200 {
        let (http, url, t) = (
            app.http.clone(),
            app.url(&format!("/api/v1/patients/{pid}")),
            t.clone(),
        );
        tasks.spawn(async move {
            let r = http.get(url).bearer_auth(t).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap_or_default())
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (status, body) = done.unwrap();
        assert_eq!(status, 200, "{body}");
    }

    let after = audit::search(app.store(), &reads, 1, 1)
        .await
        .unwrap()
        .total;
    assert_eq!(after - before, 200, "one record per read, no more, no less");
    let other_after = audit::search(app.store(), &other_node, 1, 1)
        .await
        .unwrap()
        .total;
    assert_eq!(other_after - other_before, 60);
    let report = audit::verify_chain(app.store()).await.unwrap();
    assert_eq!(report.first_broken, None, "the chain forked or broke");
    assert_eq!(
        report.records_checked,
        audit::count(app.store()).await.unwrap()
    );
    second.close().await.ok();

    app.stop().await;
});
