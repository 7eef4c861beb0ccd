//! PUT /api/v1/providers/{id}/schedule — replace a provider's weekly schedule. Existing
//! appointments stay; only new bookings follow the new hours.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::appointment::ProviderSchedule;
use careline_domain::audit::{AuditAction, AuditType};
use uuid::Uuid;

#[utoipa::path(put, path = "/api/v1/providers/{id}/schedule", tag = "practice",
    params(("id" = Uuid, Path, description = "provider id")),
    request_body = ProviderSchedule,
    responses((status = 200, body = ProviderSchedule), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PROVIDER_NOT_FOUND (or not at the caller's practice)"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR with each wrong day or break; PRACTICE_NOT_CONFIGURED")),
    security(("bearer" = [])))]
pub async fn put_provider_schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(schedule): ApiJson<ProviderSchedule>,
) -> ApiResult<Json<ProviderSchedule>> {
    caller.require(&state, Permission::ScheduleManage).await?;
    let (_, config) = super::own_provider(&state, &caller, id).await?;
    schedule
        .validate(&config.settings)
        .map_err(ApiError::validation)?;
    careline_store::schedules::put(
        &state.store,
        id,
        &schedule,
        Some(caller.user_id()),
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    "provider schedule changed",
                )
                .entity("provider", id),
        )
        .await?;
    Ok(Json(schedule))
}
