//! `/api/v1/analytics`: figures about the phone line, computed from the recorded call events,
//! and day by day with the verification requests and orders.

pub mod daily;
pub mod ivr_metrics;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(ivr_metrics::ivr_metrics))
        .routes(routes!(daily::daily))
}
