//! A patient's medications: the active list (`GET /api/v1/patients/{id}/medications`) and
//! adding one. Each is checked against the shipped list of controlled substances when added.

pub mod add;
pub mod list;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_medications, add::add_medication))
}
