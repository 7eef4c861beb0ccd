//! `/api/v1/provider-messages`: messages for providers (the phone's and staff's), routed by
//! urgency (routine: the provider's queue for the next business day; urgent: the on-call
//! provider now), one message, and acknowledging one.

pub mod acknowledge;
pub mod create;
pub mod get;
pub mod list;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(
            create::create_provider_message,
            list::list_provider_messages
        ))
        .routes(routes!(get::get_provider_message))
        .routes(routes!(acknowledge::acknowledge_provider_message))
}
