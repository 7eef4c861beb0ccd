//! `/api/v1/calls`: phone calls as recorded by the call engine: the call log, a call's summary with its last
//! error, and its events in order (no PHI: the caller's number stays sealed); and a recorded
//! call's audio, which is PHI and has permissions of its own.

pub mod events;
pub mod get;
pub mod list;
pub mod recording;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_calls))
        .routes(routes!(get::get_call))
        .routes(routes!(events::call_events))
        .routes(routes!(
            recording::get_recording,
            recording::delete_recording
        ))
}
