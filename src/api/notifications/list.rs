//! GET /api/v1/notifications — the caller's own notifications, newest first, paged; only the
//! unread ones with `unread=true`. Every signed-in role has its own.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_store::staff_notifications::{self, StaffNotification};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// A page of the caller's notifications, with their unread count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    pub items: Vec<StaffNotification>,
    /// How many match the filter.
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// How many of the caller's notifications are unread, whatever the filter.
    pub unread: u64,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = NotificationPage)),
    security(("bearer" = [])))]
pub async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<NotificationPage>> {
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let user = caller.actor.user_id;
    let result = staff_notifications::list(
        &state.store,
        user,
        q.unread.unwrap_or(false),
        page,
        per_page,
    )
    .await?;
    let unread = staff_notifications::unread_count(&state.store, user).await?;
    Ok(Json(NotificationPage {
        items: result.items,
        total: result.total,
        page: result.page,
        per_page: result.per_page,
        unread,
    }))
}
