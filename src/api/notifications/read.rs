//! POST /api/v1/notifications/{id}/read — mark one of the caller's own notifications read
//! (again: no change). Someone else's answers 404, as one that does not exist.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_store::staff_notifications::{self, StaffNotification};
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = Uuid, Path, description = "notification id")),
    responses((status = 200, body = StaffNotification), (status = 404, body = crate::api::ErrorBody, description = "NOTIFICATION_NOT_FOUND: none of the caller's has this id")),
    security(("bearer" = [])))]
pub async fn mark_notification_read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StaffNotification>> {
    let n =
        staff_notifications::mark_read(&state.store, caller.actor.user_id, id, caller.now).await?;
    Ok(Json(n))
}
