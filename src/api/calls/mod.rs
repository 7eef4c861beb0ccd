//! `/api/v1/calls`: phone calls as recorded by the call engine: a call's summary with its last
//! error, and its events in order. No PHI: the caller's number stays sealed.

pub mod events;
pub mod get;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(get::get_call))
        .routes(routes!(events::call_events))
}
