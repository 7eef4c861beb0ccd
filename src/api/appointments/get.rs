//! GET /api/v1/appointments/{id}

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::appointments::{self, Appointment};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "appointments",
    params(("id" = Uuid, Path, description = "appointment id")),
    responses((status = 200, body = Appointment), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "APPOINTMENT_NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn get_appointment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Appointment>> {
    caller.require(&state, Permission::AppointmentRead).await?;
    let a = appointments::get(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::R, "appointment read")
                .entity("appointment", id)
                .entity("patient", a.patient_id),
        )
        .await?;
    Ok(Json(a))
}
