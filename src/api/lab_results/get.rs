//! GET /api/v1/lab-results/{id} — one result, if it is about one of the caller's patients.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::lab_results::{self, LabResult};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/lab-results/{id}", tag = "clinical",
    params(("id" = Uuid, Path, description = "lab result id")),
    responses((status = 200, body = LabResult), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "LAB_RESULT_NOT_FOUND: no such result among the caller's patients'")),
    security(("bearer" = [])))]
pub async fn get_lab_result(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<LabResult>> {
    caller.require(&state, Permission::LabResultRead).await?;
    let r = lab_results::get(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    format!("lab result read: {id}"),
                )
                .entity("lab_result", id)
                .entity("patient", r.patient_id),
        )
        .await?;
    Ok(Json(r))
}
