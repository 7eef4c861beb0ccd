//! PUT /api/v1/patients/{id}

use super::PatientUpdate;
use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::patients::{self, Patient};
use uuid::Uuid;

#[utoipa::path(put, path = "/api/v1/patients/{id}", tag = "patients", request_body = PatientUpdate,
    params(("id" = Uuid, Path, description = "patient id")),
    responses((status = 409, body = crate::api::ErrorBody, description = "CONFLICT: an archived patient cannot be changed"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Patient), (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_patient(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PatientUpdate>,
) -> ApiResult<Json<Patient>> {
    caller.require(&state, Permission::PatientWrite).await?;
    let patch = body.parse(caller.now.date_naive(), &state.calls.config().languages)?;
    let patient = patients::update(&state.store, &caller.actor, id, patch, caller.now).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::U, "patient updated")
                .entity("patient", id),
        )
        .await?;
    Ok(Json(patient))
}
