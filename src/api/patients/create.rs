//! POST /api/v1/patients

use super::PatientCreate;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::patients::{self, Patient};

#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", request_body = PatientCreate,
    responses((status = 201, body = Patient), (status = 409, body = crate::api::ErrorBody, description = "DUPLICATE_PATIENT: the same name, date of birth and phone are on file; send different_person: true if this is another person"), (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_patient(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PatientCreate>,
) -> ApiResult<(StatusCode, Json<Patient>)> {
    caller.require(&state, Permission::PatientWrite).await?;
    let input = body.parse(caller.now.date_naive(), &state.calls.config().languages)?;
    let patient = patients::create(&state.store, &caller.actor, input, caller.now)
        .await
        .map_err(ApiError::from)?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::C, "patient created")
                .entity("patient", patient.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(patient)))
}
