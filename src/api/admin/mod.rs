//! `/api/v1/admin`: the audit log for administrators.

pub mod audit_logs;
pub mod verify_chain;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(audit_logs::audit_logs))
        .routes(routes!(verify_chain::verify_chain))
}
