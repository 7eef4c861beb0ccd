//! The OpenAPI document against the server that publishes it: Swagger UI loads it, every
//! parameter is declared where the server reads it, a request built only from the document
//! is accepted, and every status the server answers is one the document lists.

mod common;

use careline_domain::Role;
use common::TestApp;
use serde_json::Value;
use std::collections::BTreeSet;

/// A request body: its content type and bytes.
type Body = (&'static str, Vec<u8>);

async fn served_document(app: &TestApp) -> Value {
    let r = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    doc
}

/// Every (method, path template, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                ops.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

fn params<'a>(op: &'a Value, location: &str) -> Vec<&'a Value> {
    op["parameters"]
        .as_array()
        .map(|ps| ps.iter().filter(|p| p["in"] == location).collect())
        .unwrap_or_default()
}

/// The `{name}`s of a path template.
fn template_variables(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_loads_the_served_document() {
    let db = common::TestDb::new(common::Engine::Sqlite).await.unwrap();
    let app = TestApp::spawn(db).await;
    let r = app
        .http
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let script = r.text().await.unwrap();
    assert!(
        script.contains("\"/api/openapi.json\""),
        "Swagger UI is not given the document's URL:\n{script}"
    );
    // The page itself, and the URL it names answers with the document.
    let r = app.http.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    served_document(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_are_declared_where_the_server_reads_them() {
    let db = common::TestDb::new(common::Engine::Sqlite).await.unwrap();
    let app = TestApp::spawn(db).await;
    let doc = served_document(&app).await;
    let mut query = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let declared: BTreeSet<String> = params(&op, "path")
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            declared,
            template_variables(&path),
            "{method} {path}: path parameters must be exactly the template's variables"
        );
        for p in params(&op, "path") {
            assert_eq!(p["required"], true, "{method} {path}: {p}");
        }
        for p in op["parameters"].as_array().into_iter().flatten() {
            assert!(
                p["in"] == "path" || p["in"] == "query",
                "{method} {path}: the server reads no {} parameters: {p}",
                p["in"]
            );
        }
        for p in params(&op, "query") {
            query.insert((
                method.clone(),
                path.clone(),
                p["name"].as_str().unwrap().to_string(),
                p["required"] == true,
            ));
        }
    }
    // Only the uploaded file's name is a required query parameter; filters and paging are
    // optional (the handlers read them as Option or with a default).
    let required: Vec<_> = query.iter().filter(|q| q.3).collect();
    assert_eq!(
        required,
        vec![&(
            "POST".to_string(),
            "/api/v1/ivrs/{id}/documents".to_string(),
            "filename".to_string(),
            true
        )]
    );
    // The ones issue 11 found declared as path parameters, among others.
    for (method, path, name) in [
        ("GET", "/api/v1/patients", "page"),
        ("GET", "/api/v1/patients", "per_page"),
        ("GET", "/api/v1/patients", "include_archived"),
        ("GET", "/api/v1/orders", "status"),
        ("GET", "/api/v1/orders", "patient_id"),
        ("GET", "/api/v1/ivrs", "status"),
        ("GET", "/api/v1/ivrs", "priority"),
        ("GET", "/api/v1/ivrs", "number"),
        ("GET", "/api/v1/patients/search", "phone"),
        ("GET", "/api/v1/patients/search", "date_of_birth"),
        ("GET", "/api/v1/patients/search", "last_name"),
        ("GET", "/api/v1/patients/search", "patient_number"),
        ("GET", "/api/v1/admin/audit-logs", "type"),
        ("GET", "/api/v1/products", "q"),
        ("GET", "/api/v1/providers", "facility_id"),
        ("GET", "/api/v1/facilities", "organization_id"),
        ("GET", "/api/v1/users", "role"),
        ("GET", "/api/v1/orders/pending-approval", "page"),
        ("GET", "/api/v1/ivrs/pending", "per_page"),
        ("GET", "/api/v1/calls", "status"),
        ("GET", "/api/v1/calls", "transport"),
        ("GET", "/api/v1/calls", "from"),
        ("GET", "/api/v1/calls", "to"),
        ("GET", "/api/v1/calls", "page"),
        ("GET", "/api/v1/calls", "per_page"),
        ("GET", "/api/v1/ivrs", "doctor_id"),
        ("GET", "/api/v1/ivrs", "from"),
        ("GET", "/api/v1/ivrs", "to"),
        ("GET", "/api/v1/ivrs", "sort"),
        ("GET", "/api/v1/ivrs/{id}/documents/{doc_id}", "disposition"),
        ("GET", "/api/v1/appointments/slots", "provider_id"),
        ("GET", "/api/v1/appointments/slots", "appointment_type"),
        ("GET", "/api/v1/appointments", "status"),
        ("GET", "/api/v1/appointments", "from"),
        ("GET", "/api/v1/admin/jobs", "state"),
        ("GET", "/api/v1/admin/jobs", "kind"),
        ("GET", "/api/v1/notifications", "unread"),
        ("GET", "/api/v1/voice-interactions", "patient_id"),
        ("GET", "/api/v1/voice-interactions", "from"),
        ("GET", "/api/v1/voice-interactions", "to"),
        ("GET", "/api/v1/voice-interactions", "intent"),
        ("GET", "/api/v1/voice-interactions", "escalated"),
    ] {
        assert!(
            query
                .iter()
                .any(|q| q.0 == method && q.1 == path && q.2 == name && !q.3),
            "{method} {path}: no optional query parameter {name}"
        );
    }
    // 39 from issue 11, the three of /analytics/ivr-metrics and of /analytics/daily, /ivrs's
    // priority and number, the call log's six (status, transport, from, to, page,
    // per_page), /ivrs's doctor_id, from, to and sort, and a document's disposition (inline
    // for the dashboard's preview); then issue 13's: the appointment book's seven (provider_id,
    // patient_id, status, from, to, page, per_page), the open slots' four, blocked time's from
    // and to, and status, patient_id, page and per_page on each of /refill-requests,
    // /provider-messages and /prior-authorizations, and /provider-tasks's status, page and
    // per_page; then issue 14's /admin/jobs state, kind, page and per_page, and
    // /notifications's unread, page and per_page; then issue 15's /voice-interactions
    // patient_id, from, to, intent, escalated, page and per_page.
    assert_eq!(query.len(), 100, "{query:#?}");

    // The server reads them from the query: a page that is not a number is refused as an
    // invalid query parameter.
    app.user("admin@openapi.test", Role::Admin, None).await;
    let admin = app.token("admin@openapi.test").await;
    let (status, body) = app.get(&admin, "/api/v1/patients?page=first").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(common::error_code(&body), "INVALID_QUERY_PARAMETER");
    app.stop().await;
}

/// A small file of each type the server accepts, as a client would send it.
fn sample(content_type: &str) -> Vec<u8> {
    match content_type {
        "application/pdf" => b"%PDF-1.4\n%%EOF\n".to_vec(),
        "image/jpeg" => vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'],
        "image/png" => vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'],
        "image/tiff" => b"II*\0\x08\0\0\0".to_vec(),
        "text/plain" => b"wound measured 3 cm".to_vec(),
        // What a client sends for a type it knows nothing about: the file as it is.
        _ => b"%PDF-1.4\n%%EOF\n".to_vec(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_upload_built_from_the_document_is_accepted() {
    let db = common::TestDb::new(common::Engine::Sqlite).await.unwrap();
    careline::demo::seed(&db.store).await.unwrap();
    let app = TestApp::spawn(db).await;
    let doctor = app.token("doctor@demo.careline.test").await;
    let (status, list) = app.get(&doctor, "/api/v1/ivrs").await;
    assert_eq!(status, 200, "{list}");
    let request_id = common::s(&list["items"][0]["id"]);

    let doc = served_document(&app).await;
    let template = "/api/v1/ivrs/{id}/documents";
    let op = &doc["paths"][template]["post"];
    let content_types: Vec<String> = op["requestBody"]["content"]
        .as_object()
        .expect("the upload declares its body")
        .keys()
        .cloned()
        .collect();
    assert!(!content_types.is_empty());
    let created = op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .find(|s| s.starts_with('2'))
        .expect("a success status")
        .clone();
    for content_type in content_types {
        // Exactly as a generated client: each declared parameter where it is declared.
        let mut path = template.to_string();
        let mut query = Vec::new();
        for p in op["parameters"].as_array().unwrap() {
            let name = p["name"].as_str().unwrap();
            let value = match name {
                "id" => request_id.clone(),
                "filename" => format!("upload.{}", content_type.replace('/', "-")),
                other => panic!("the upload declares a parameter {other} no client would know"),
            };
            match p["in"].as_str().unwrap() {
                "path" => path = path.replace(&format!("{{{name}}}"), &value),
                "query" => query.push((name.to_string(), value)),
                other => panic!("parameter {name} in {other}"),
            }
        }
        let r = app
            .http
            .post(app.url(&path))
            .query(&query)
            .bearer_auth(&doctor)
            .header("content-type", &content_type)
            .body(sample(&content_type))
            .send()
            .await
            .unwrap();
        let (status, body) = common::split(r).await;
        assert_eq!(
            status.to_string(),
            created,
            "upload as {content_type} built from the document: {body}"
        );
    }
    app.stop().await;
}

// Every role's token, and the probes below, against every operation: whatever the server
// answers must be a status the operation lists. The probes are the requests that reach the
// shared failure paths — no token, a role without the permission, ids that do not exist or do
// not parse, query values of the wrong type, JSON bodies that are malformed, wrong or
// mistyped — plus an empty JSON object, which most handlers refuse as invalid.
on_both_engines!(
    every_status_the_server_answers_is_documented,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let mut tokens = vec![None];
        // Admin first: `tokens[..2]` is anonymous and admin.
        for role in Role::ALL {
            let email = format!("{}@openapi.test", role.as_str().replace('_', "-"));
            app.user(&email, role, None).await;
            tokens.push(Some((role, app.token(&email).await)));
        }
        let doc = served_document(&app).await;
        let mut undocumented = Vec::new();
        let mut seen = BTreeSet::new();
        for (method, template, op) in operations(&doc) {
            // Signing out would end the session the remaining probes use.
            if template == "/api/v1/auth/logout" {
                continue;
            }
            let documented: BTreeSet<String> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            let json_body = op["requestBody"]["content"]["application/json"].is_object();
            let fill = |id: &str| {
                let mut p = template.clone();
                for v in template_variables(&template) {
                    p = p.replace(&format!("{{{v}}}"), id);
                }
                p
            };
            let missing = uuid::Uuid::new_v4().to_string();
            let mut probes: Vec<(String, Option<Body>)> = vec![(fill(&missing), None)];
            if !template_variables(&template).is_empty() {
                probes.push((fill("not-an-id"), None));
            }
            let query: Vec<String> = params(&op, "query")
                .iter()
                .map(|p| format!("{}=%00%FF", p["name"].as_str().unwrap()))
                .collect();
            if !query.is_empty() {
                probes.push((format!("{}?{}", fill(&missing), query.join("&")), None));
            }
            if json_body {
                for body in [
                    ("application/json", b"{}".to_vec()),
                    ("application/json", b"{\"unclosed\": ".to_vec()),
                    ("application/json", b"[1, 2]".to_vec()),
                    ("text/plain", b"{}".to_vec()),
                ] {
                    probes.push((fill(&missing), Some(body)));
                }
            } else if op["requestBody"].is_object() {
                probes.push((fill(&missing), Some(("application/octet-stream", vec![1]))));
            }
            for (n, (path, body)) in probes.iter().enumerate() {
                // Every role tries the plain request (permission and scope answers); the malformed
                // ones fail in the extractors, which do not look at the role, so an admin and an
                // anonymous caller suffice.
                let who = if n == 0 { &tokens[..] } else { &tokens[..2] };
                for token in who {
                    let mut req = app.http.request(method.parse().unwrap(), app.url(path));
                    if let Some((_, t)) = token {
                        req = req.bearer_auth(t);
                    }
                    if let Some((content_type, bytes)) = body {
                        req = req
                            .header("content-type", *content_type)
                            .body(bytes.clone());
                    }
                    let status = req.send().await.unwrap().status().as_u16().to_string();
                    seen.insert(status.clone());
                    if !documented.contains(&status) {
                        undocumented.push(format!(
                            "{method} {path} as {:?} with {:?}: {status}",
                            token.as_ref().map(|t| t.0),
                            body.as_ref().map(|b| b.0)
                        ));
                    }
                }
            }
        }
        assert!(
            undocumented.is_empty(),
            "answers the document does not list:\n{}",
            undocumented.join("\n")
        );
        // The probes did reach the shared failure paths.
        for status in ["400", "401", "403", "404", "415", "422"] {
            assert!(seen.contains(status), "no probe got {status}: {seen:?}");
        }
        app.stop().await;
    }
);
