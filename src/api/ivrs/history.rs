//! GET /api/v1/ivrs/{id}/history — every status change, who made it and why.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::verification::{self, StatusChange};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/ivrs/{id}/history", tag = "verification requests",
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<StatusChange>), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn request_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<StatusChange>>> {
    caller.require(&state, Permission::VerificationRead).await?;
    let h = verification::history(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    "verification request history read",
                )
                .entity("verification_request", id),
        )
        .await?;
    Ok(Json(h))
}
