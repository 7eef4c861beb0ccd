//! Test harness: a real CareLine server on a free port against a fresh database — a SQLite
//! file in a temporary directory, or a throwaway PostgreSQL database when
//! CARELINE_TEST_DATABASE_URL is set (each test creates its own and drops it afterwards).

#![allow(dead_code)]

pub mod jobs;
pub mod receivers;
pub mod speech;
pub mod twilio_phone;
pub mod web;

use careline::config::Config;
use careline::server::Running;
use careline_crypto::KeyRing;
use careline_store::Store;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::sync::Arc;

pub const PASSWORD: &str = "Harbor-Light-2026!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Say once per `cargo test` run which database engines the storage tests ran on: the
/// PostgreSQL half of each test passes by skipping itself when no server is configured, so a
/// green run must not pass for a run on both.
fn announce_engines() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Every test binary of one `cargo test` is a child of the same cargo process: the first
        // to create this marker speaks for the run.
        let marker = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "engines-announced-{}",
            std::os::unix::process::parent_id()
        ));
        if std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&marker)
            .is_err()
        {
            return;
        }
        let message = if std::env::var_os("CARELINE_TEST_DATABASE_URL").is_some() {
            "storage tests run on SQLite and PostgreSQL (CARELINE_TEST_DATABASE_URL is set)"
        } else {
            "storage tests run on SQLite only; their PostgreSQL halves are SKIPPED. \
             Set CARELINE_TEST_DATABASE_URL=postgres://user:password@host/db to run them too"
        };
        // Straight to stderr: the test harness captures eprintln! but not this.
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), "\n=== CareLine: {message} ===\n");
    });
}

/// A fresh, migrated database. Dropping it removes the database.
pub struct TestDb {
    pub store: Store,
    pub keys: Arc<KeyRing>,
    pub url: String,
    pub engine: Engine,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    /// `None` for PostgreSQL when no test URL is configured.
    pub async fn new(engine: Engine) -> Option<TestDb> {
        announce_engines();
        let keys = Arc::new(KeyRing::generate());
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("careline.db").display());
                let store = Store::connect(&url, keys.clone())
                    .await
                    .expect("connect sqlite");
                store.migrate().await.expect("migrate sqlite");
                Some(TestDb {
                    store,
                    keys,
                    url,
                    engine,
                    _dir: Some(dir),
                    pg_admin: None,
                })
            }
            Engine::Postgres => {
                let admin = std::env::var("CARELINE_TEST_DATABASE_URL").ok()?;
                let name = format!("careline_t_{}", uuid::Uuid::new_v4().simple());
                let admin_store = Store::connect(&admin, keys.clone())
                    .await
                    .expect("connect postgres admin");
                use sea_orm::ConnectionTrait;
                admin_store
                    .db()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin_store.close().await.ok();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                let url = format!("{base}/{name}");
                let store = Store::connect(&url, keys.clone())
                    .await
                    .expect("connect postgres");
                store.migrate().await.expect("migrate postgres");
                Some(TestDb {
                    store,
                    keys,
                    url,
                    engine,
                    _dir: None,
                    pg_admin: Some((admin, name)),
                })
            }
        }
    }

    /// Drop the throwaway PostgreSQL database.
    pub async fn cleanup(self) {
        let TestDb {
            store,
            pg_admin,
            keys,
            ..
        } = self;
        store.close().await.ok();
        if let Some((admin, name)) = pg_admin
            && let Ok(s) = Store::connect(&admin, keys).await
        {
            use sea_orm::ConnectionTrait;
            let _ = s
                .db()
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            s.close().await.ok();
        }
    }
}

/// Run a test body on SQLite, then on PostgreSQL when configured.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = common::TestDb::new(common::Engine::Sqlite).await.unwrap();
                ($body)(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match common::TestDb::new(common::Engine::Postgres).await {
                    Some(db) => ($body)(db).await,
                    None => eprintln!("CARELINE_TEST_DATABASE_URL not set: PostgreSQL run skipped"),
                }
            }
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: TestDb,
    running: Option<Running>,
}

pub fn test_config() -> Config {
    Config {
        bind: "127.0.0.1:0".into(),
        login_rate_per_minute: 1000,
        ..Config::default()
    }
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> TestApp {
        Self::spawn_with(db, test_config()).await
    }

    pub async fn spawn_with(db: TestDb, config: Config) -> TestApp {
        let running = careline::server::start(db.store.clone(), config)
            .await
            .expect("start server");
        TestApp {
            base: format!("http://{}", running.addr),
            http: reqwest::Client::new(),
            db,
            running: Some(running),
        }
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        self.db.cleanup().await;
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Create a user straight in the store (fast path for test setup).
    pub async fn user(
        &self,
        email: &str,
        role: careline_domain::Role,
        manager: Option<uuid::Uuid>,
    ) -> uuid::Uuid {
        static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash = HASH
            .get_or_init(|| careline::auth::hash_password(PASSWORD).unwrap())
            .clone();
        careline_store::users::create(
            self.store(),
            careline_store::users::NewUser {
                email: careline_domain::EmailAddress::parse(email).unwrap(),
                password_hash: hash,
                role,
                full_name: email.split('@').next().unwrap().to_string(),
                phone: None,
                npi: None,
                manager_id: manager,
                organization_id: None,
                facility_id: None,
                territory_id: None,
            },
            None,
            chrono::Utc::now(),
        )
        .await
        .expect("create user")
        .id
    }

    pub async fn login_response(&self, email: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Log in and return the access token.
    pub async fn token(&self, email: &str) -> String {
        let r = self.login_response(email, PASSWORD).await;
        assert_eq!(r.status(), 200, "login {email}");
        r.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        split(r).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        split(r).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        split(r).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        split(r).await
    }
}

pub async fn split(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, v)
}

/// Assert the API's error form (`{"status":"error","error":{…}}`) and return its code.
pub fn error_code(body: &Value) -> &str {
    assert_eq!(body["status"], "error", "not the error form: {body}");
    assert!(body["error"]["message"].is_string(), "no message: {body}");
    assert!(
        body["error"]["details"].is_object(),
        "no details object: {body}"
    );
    body["error"]["code"].as_str().expect("code")
}

pub fn patient_body(first: &str, last: &str, dob: &str, phone: &str) -> Value {
    json!({
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "phone": phone,
        "address": {"line1": "1 Elm St", "city": "Louisville", "state": "KY", "postal_code": "40202"},
        "clinical_notes": format!("notes about {first} {last}"),
        "insurance": [{"payer_name": "Aetna", "member_id": format!("MEM-{last}-77"), "is_primary": true}]
    })
}

/// Create a product as `admin`; the created product's JSON.
pub async fn product(app: &TestApp, admin: &str, body: Value) -> Value {
    let (status, p) = app.post(admin, "/api/v1/products", body).await;
    assert_eq!(status, 201, "{p}");
    p
}

/// Create a patient as `token`; the new patient's id.
pub async fn patient(app: &TestApp, token: &str, body: Value) -> String {
    let (status, p) = app.post(token, "/api/v1/patients", body).await;
    assert_eq!(status, 201, "{p}");
    s(&p["id"])
}

/// A JSON string value, or a panic naming what was there instead.
pub fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

/// The id of the size with this label in a product's JSON.
pub fn size_id(product: &Value, label: &str) -> String {
    let size = product["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["size_label"] == label)
        .unwrap_or_else(|| panic!("no size {label} in {product}"));
    s(&size["id"])
}

/// POST a raw body with the given content type.
pub async fn post_raw(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    split(r).await
}

/// Every byte of the SQLite data directory: the database, its WAL and shared-memory files.
pub fn sqlite_bytes(url: &str) -> Vec<(String, Vec<u8>)> {
    let db_path = std::path::PathBuf::from(url.strip_prefix("sqlite://").expect("sqlite url"));
    let dir = db_path.parent().unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    files
}

/// Every text, character, JSON and bytea value of every table in the PostgreSQL database,
/// labelled `table.column`. bytea is read in escape form, where printable bytes stay as they
/// are, so plaintext stored as bytes would show.
pub async fn postgres_values(store: &Store) -> Vec<(String, Vec<u8>)> {
    let db = store.db();
    let backend = db.get_database_backend();
    let columns = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb')",
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
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT {expr} AS v FROM \"{t}\" WHERE \"{c}\" IS NOT NULL"),
            ))
            .await
            .unwrap();
        for r in rows {
            let v: String = r.try_get("", "v").unwrap();
            values.push((format!("{t}.{c}"), v.into_bytes()));
        }
    }
    values
}

impl TestDb {
    /// The raw stored bytes, for checks that PHI never lands in plaintext: every byte of the
    /// SQLite files, or every text, JSON and bytea value of every PostgreSQL table.
    pub async fn raw_values(&self) -> Vec<(String, Vec<u8>)> {
        match self.engine {
            Engine::Sqlite => sqlite_bytes(&self.url),
            Engine::Postgres => postgres_values(&self.store).await,
        }
    }

    /// `raw_values` as one lossy string.
    pub async fn raw_text(&self) -> String {
        self.raw_values()
            .await
            .into_iter()
            .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Change a practice's settings straight in the store (test setup), as its manager would save
/// them on the configuration page.
pub async fn change_practice(
    store: &Store,
    organization_id: uuid::Uuid,
    change: impl FnOnce(&mut careline_domain::practice::PracticeSettings),
) {
    let mut config = careline_store::practice::get(store, organization_id)
        .await
        .unwrap()
        .expect("a configured practice");
    change(&mut config.settings);
    careline_store::practice::put(
        store,
        organization_id,
        &config.settings,
        careline_store::practice::EhrChange::Keep,
        None,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
}

/// The patient whose phone is `phone`, found through the phone's blind index as the phone does.
pub async fn patient_by_phone(
    store: &Store,
    phone: &str,
) -> careline_store::entity::patient::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let idx = careline_store::patients::phone_index(
        store.keys(),
        &careline_domain::PhoneNumber::parse(phone).unwrap(),
    );
    careline_store::entity::patient::Entity::find()
        .filter(careline_store::entity::patient::Column::PhoneIndex.eq(idx))
        .one(store.db())
        .await
        .unwrap()
        .unwrap()
}
