//! GET /api/v1/organizations/{id}/practice-configuration

use super::PracticeConfigView;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/organizations/{id}/practice-configuration", tag = "practice",
    params(("id" = Uuid, Path, description = "the practice's organization id")),
    responses((status = 200, body = PracticeConfigView), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "ORGANIZATION_NOT_FOUND (or not the caller's practice), PRACTICE_CONFIGURATION_NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn get_practice_configuration(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PracticeConfigView>> {
    caller.require(&state, Permission::PracticeRead).await?;
    super::own_practice(&state, &caller, id).await?;
    let config = careline_store::practice::get(&state.store, id)
        .await?
        .ok_or_else(|| ApiError::not_found("practice configuration"))?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    "practice configuration read",
                )
                .entity("organization", id),
        )
        .await?;
    Ok(Json(config.into()))
}
