//! `/api/v1/users`: accounts and the sales hierarchy. Admins manage everyone; distributors see
//! and arrange their own downline.

pub mod assignments;
pub mod create;
pub mod get;
pub mod list;
pub mod notification_preferences;
pub mod role;
pub mod staff_details;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_users, create::create_user))
        .routes(routes!(get::get_user, get::deactivate_user))
        .routes(routes!(
            assignments::get_assignments,
            assignments::assign_manager
        ))
        .routes(routes!(role::change_role))
        .routes(routes!(staff_details::set_staff_details))
        .routes(routes!(
            notification_preferences::get_user_preferences,
            notification_preferences::put_user_preferences
        ))
        .routes(routes!(list::list_roles))
}
