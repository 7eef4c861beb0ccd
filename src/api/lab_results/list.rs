//! GET /api/v1/patients/{id}/lab-results — a patient's results, newest first.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::lab_results::{self, LabResult};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/patients/{id}/lab-results", tag = "clinical",
    params(("id" = Uuid, Path, description = "patient id")),
    responses((status = 200, body = Vec<LabResult>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PATIENT_NOT_FOUND: no such patient among the caller's")),
    security(("bearer" = [])))]
pub async fn list_lab_results(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<LabResult>>> {
    caller.require(&state, Permission::LabResultRead).await?;
    let results = lab_results::for_patient(&state.store, &caller.actor, id).await?;
    let mut event = caller
        .event(
            AuditType::Query,
            AuditAction::R,
            format!("lab results listed ({} shown)", results.len()),
        )
        .entity("patient", id);
    for r in &results {
        event = event.entity("lab_result", r.id);
    }
    state.audit(event).await?;
    Ok(Json(results))
}
