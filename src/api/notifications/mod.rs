//! `/api/v1/notifications`: each signed-in user's own in-app notifications (escalated urgent
//! messages, …), newest first, and marking one read. Nobody sees or marks another's. And
//! `/api/v1/me/notification-preferences`: how each user wants notices to reach them.

pub mod list;
pub mod preferences;
pub mod read;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_notifications))
        .routes(routes!(read::mark_notification_read))
        .routes(routes!(
            preferences::get_my_preferences,
            preferences::put_my_preferences
        ))
}
