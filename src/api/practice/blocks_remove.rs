//! DELETE /api/v1/providers/{id}/blocked-time/{block_id}

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use uuid::Uuid;

#[utoipa::path(delete, path = "/api/v1/providers/{id}/blocked-time/{block_id}", tag = "practice",
    params(("id" = Uuid, Path, description = "provider id"), ("block_id" = Uuid, Path, description = "blocked time id")),
    responses((status = 204, description = "removed"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PROVIDER_NOT_FOUND, BLOCKED_TIME_NOT_FOUND"), (status = 422, body = crate::api::ErrorBody, description = "PRACTICE_NOT_CONFIGURED")),
    security(("bearer" = [])))]
pub async fn remove_blocked_time(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, block_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    caller.require(&state, Permission::ScheduleManage).await?;
    super::own_provider(&state, &caller, id).await?;
    careline_store::schedules::remove_block(&state.store, id, block_id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::D,
                    "provider blocked time removed",
                )
                .entity("provider", id),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
