//! GET /api/v1/providers/{id}/schedule — a provider's weekly hours, breaks and the types
//! they see.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::appointment::ProviderSchedule;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/providers/{id}/schedule", tag = "practice",
    params(("id" = Uuid, Path, description = "provider id")),
    responses((status = 200, body = ProviderSchedule, description = "the schedule; a provider without one works no hours (every day absent)"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PROVIDER_NOT_FOUND (or not at the caller's practice)"), (status = 422, body = crate::api::ErrorBody, description = "PRACTICE_NOT_CONFIGURED")),
    security(("bearer" = [])))]
pub async fn get_provider_schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ProviderSchedule>> {
    caller.require(&state, Permission::ScheduleRead).await?;
    super::own_provider(&state, &caller, id).await?;
    let schedule = careline_store::schedules::get(state.store.db(), id)
        .await?
        .unwrap_or_default();
    Ok(Json(schedule))
}
