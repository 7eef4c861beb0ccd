//! POST /api/v1/lab-results/{id}/release — the provider releases a result to the patient:
//! pending_review → released. Only then may the phone mention it.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::lab_results::{self, LabResult};
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/lab-results/{id}/release", tag = "clinical",
    params(("id" = Uuid, Path, description = "lab result id")),
    responses((status = 200, body = LabResult), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this (providers release)"), (status = 404, body = crate::api::ErrorBody, description = "LAB_RESULT_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "INVALID_STATUS_TRANSITION: released already; CONFLICT: changed meanwhile")),
    security(("bearer" = [])))]
pub async fn release_lab_result(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<LabResult>> {
    caller.require(&state, Permission::LabResultRelease).await?;
    let r = lab_results::release(&state.store, &caller.actor, id, caller.now).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::U, "lab result released")
                .entity("lab_result", id)
                .entity("patient", r.patient_id),
        )
        .await?;
    Ok(Json(r))
}
