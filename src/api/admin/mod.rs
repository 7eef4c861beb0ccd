//! `/api/v1/admin`: the audit log and the background jobs, for administrators.

pub mod audit_logs;
pub mod cancel_job;
pub mod list_jobs;
pub mod retry_job;
pub mod verify_chain;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(audit_logs::audit_logs))
        .routes(routes!(verify_chain::verify_chain))
        .routes(routes!(list_jobs::list_jobs))
        .routes(routes!(retry_job::retry_job))
        .routes(routes!(cancel_job::cancel_job))
}
