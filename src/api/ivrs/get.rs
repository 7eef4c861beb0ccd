//! GET /api/v1/ivrs/{id}

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::verification::{self, VerificationRequest};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/ivrs/{id}", tag = "verification requests",
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = VerificationRequest), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn get_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<VerificationRequest>> {
    caller.require(&state, Permission::VerificationRead).await?;
    let vr = verification::get(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::R, "verification request read")
                .entity("verification_request", id),
        )
        .await?;
    Ok(Json(vr))
}
