//! `/api/v1/provider-tasks`: the work clinical requests leave for providers (call a patient
//! back about a result, decide a refill, answer a message), for the providers and nurses who
//! do it.

pub mod list;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(list::list_provider_tasks))
}
