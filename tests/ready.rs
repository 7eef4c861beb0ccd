//! GET /ready means the server can do its work: the database answers and accepts writes.
//! A read-only database (signing in writes a session and an audit record) is not ready.
//!
//! Read-only is made in ways that hold for root too, where file permissions do not stop a
//! write: SQLite opened with `mode=ro`, PostgreSQL with `default_transaction_read_only`.

mod common;

use careline_store::Store;
use common::{Engine, TestApp, TestDb};
use serde_json::Value;

async fn ready(base: &str) -> (u16, Value) {
    common::split(reqwest::get(format!("{base}/ready")).await.unwrap()).await
}

/// A second server on the same database, through a connection that may not write.
async fn read_only_store(db: &TestDb) -> Store {
    let url = match db.engine {
        Engine::Sqlite => format!("{}?mode=ro", db.url),
        Engine::Postgres => {
            use sea_orm::ConnectionTrait;
            let name = db.url.rsplit('/').next().unwrap();
            // New sessions on this database start read-only, as on a hot standby or with a
            // role whose transactions are read-only.
            db.store
                .db()
                .execute_unprepared(&format!(
                    "ALTER DATABASE {name} SET default_transaction_read_only = on"
                ))
                .await
                .unwrap();
            db.url.clone()
        }
    };
    Store::connect(&url, db.keys.clone()).await.unwrap()
}

on_both_engines!(read_only_database_is_not_ready, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let (status, body) = ready(&app.base).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");

    let store = read_only_store(&app.db).await;
    let running = careline::server::start(store, common::test_config())
        .await
        .unwrap();
    let (status, body) = ready(&format!("http://{}", running.addr)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(common::error_code(&body), "DATABASE_NOT_WRITABLE");
    assert_eq!(
        body["error"]["details"]["database"],
        match app.db.engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    );
    running.stop().await;

    // The writable server is still ready: the probe left no lock behind. (On PostgreSQL the
    // database-wide setting would reach its new connections too.)
    if app.db.engine == Engine::Sqlite {
        let (status, body) = ready(&app.base).await;
        assert_eq!(status, 200, "{body}");
    }
    app.stop().await;
});
