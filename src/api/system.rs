//! GET /health (the process is up) and GET /ready (its database answers and accepts writes).

use crate::api::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_store::Store;
use serde::Serialize;
use std::time::Duration;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

#[utoipa::path(get, path = "/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Ready {
    pub status: &'static str,
    pub database: &'static str,
}

/// How long a readiness probe may take before the answer is "not ready". Load balancers give
/// up on a check after a few seconds; answering in time says more than hanging until they do.
const READY_TIMEOUT: Duration = Duration::from_secs(5);

/// Ready means able to serve: the database answers *and accepts writes*, because signing in
/// writes (sessions, audit). A read-only database — a SQLite file opened `mode=ro` or not
/// writable by the process, a PostgreSQL replica or `default_transaction_read_only` — used to
/// answer 200 here and then fail every login with 500.
#[utoipa::path(get, path = "/ready", tag = "system",
    responses((status = 200, body = Ready),
              (status = 503, body = crate::api::ErrorBody, description = "DATABASE_UNAVAILABLE (cannot reach it) or DATABASE_NOT_WRITABLE (it refuses writes)")))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    let engine = state.store.engine().name();
    let not_ready = |code: &'static str, message: &str| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
            .details(serde_json::json!({ "database": engine }))
    };
    match tokio::time::timeout(READY_TIMEOUT, check_database(&state.store)).await {
        Ok(Ok(())) => Ok(Json(Ready {
            status: "ready",
            database: engine,
        })),
        Ok(Err(Unready::Unreachable(e))) => {
            tracing::warn!(error = %e, "readiness check: the database does not answer");
            Err(not_ready(
                "DATABASE_UNAVAILABLE",
                "the database cannot be reached",
            ))
        }
        Ok(Err(Unready::ReadOnly(e))) => {
            tracing::warn!(error = %e, "readiness check: the database refuses writes");
            Err(not_ready(
                "DATABASE_NOT_WRITABLE",
                "the database does not accept writes",
            ))
        }
        Err(_) => {
            tracing::warn!("readiness check: the database did not answer in time");
            Err(not_ready(
                "DATABASE_UNAVAILABLE",
                "the database did not answer in time",
            ))
        }
    }
}

enum Unready {
    Unreachable(careline_store::StoreError),
    ReadOnly(careline_store::StoreError),
}

/// Ping, then make a write the database must accept and roll it back. The write is an UPDATE
/// of no rows: it changes nothing, yet both engines refuse it when writing is not allowed —
/// SQLite when it takes the write lock (SQLITE_READONLY), PostgreSQL in a read-only
/// transaction or without UPDATE rights on the table. It goes through `begin_write`, so on
/// SQLite the probe queues with this process's writers like any other write.
async fn check_database(store: &Store) -> Result<(), Unready> {
    use sea_orm::ConnectionTrait;
    store.ping().await.map_err(Unready::Unreachable)?;
    let (txn, _gate) = careline_store::begin_write(store)
        .await
        .map_err(Unready::ReadOnly)?;
    txn.execute_unprepared("UPDATE counters SET value = value WHERE 1 = 0")
        .await
        .map_err(|e| Unready::ReadOnly(e.into()))?;
    txn.rollback()
        .await
        .map_err(|e| Unready::ReadOnly(e.into()))?;
    Ok(())
}
