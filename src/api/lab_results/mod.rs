//! Lab results: a patient's results (`GET /api/v1/patients/{id}/lab-results`), entering one
//! (`POST /api/v1/lab-results`), one result (`GET /api/v1/lab-results/{id}`) and a provider's
//! release of one to the patient. Every read is an audited PHI access; scoping happens in the
//! query.

pub mod create;
pub mod get;
pub mod list;
pub mod release;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_lab_results))
        .routes(routes!(create::create_lab_result))
        .routes(routes!(get::get_lab_result))
        .routes(routes!(release::release_lab_result))
}
