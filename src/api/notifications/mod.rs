//! `/api/v1/notifications`: each signed-in user's own in-app notifications (escalated urgent
//! messages, …), newest first, and marking one read. Nobody sees or marks another's.

pub mod list;
pub mod read;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_notifications))
        .routes(routes!(read::mark_notification_read))
}
