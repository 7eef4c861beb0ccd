//! GET /api/v1/patients/{id}/medications — the patient's active medications.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::medications::{self, Medication};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/patients/{id}/medications", tag = "clinical",
    params(("id" = Uuid, Path, description = "patient id")),
    responses((status = 200, body = Vec<Medication>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PATIENT_NOT_FOUND: no such patient among the caller's")),
    security(("bearer" = [])))]
pub async fn list_medications(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Medication>>> {
    caller.require(&state, Permission::MedicationRead).await?;
    let meds = medications::for_patient(&state.store, &caller.actor, id).await?;
    let mut event = caller
        .event(
            AuditType::Query,
            AuditAction::R,
            format!("medications listed ({} shown)", meds.len()),
        )
        .entity("patient", id);
    for m in &meds {
        event = event.entity("medication", m.id);
    }
    state.audit(event).await?;
    Ok(Json(meds))
}
