//! GET /api/v1/appointments/{id}/deliveries — the reminders sent for an appointment: each
//! text, email and call, its attempt and where it stands (ids and statuses, never the number,
//! address or text).

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::appointments;
use careline_store::deliveries::{self, Delivery};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/appointments/{id}/deliveries", tag = "appointments",
    params(("id" = Uuid, Path, description = "appointment id")),
    responses((status = 200, body = Vec<Delivery>, description = "Oldest first"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "APPOINTMENT_NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn appointment_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Delivery>>> {
    caller.require(&state, Permission::AppointmentRead).await?;
    // Scope: only an appointment the caller may see.
    let a = appointments::get(&state.store, &caller.actor, id).await?;
    let list = deliveries::for_appointment(&state.store, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    "appointment reminders read",
                )
                .entity("appointment", id)
                .entity("patient", a.patient_id),
        )
        .await?;
    Ok(Json(list))
}
