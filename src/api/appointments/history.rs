//! GET /api/v1/appointments/{id}/history — every change: who, when, what, by which channel.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::appointments::{self, Change};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/appointments/{id}/history", tag = "appointments",
    params(("id" = Uuid, Path, description = "appointment id")),
    responses((status = 200, body = Vec<Change>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "APPOINTMENT_NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn appointment_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Change>>> {
    caller.require(&state, Permission::AppointmentRead).await?;
    let changes = appointments::history(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::R, "appointment history read")
                .entity("appointment", id),
        )
        .await?;
    Ok(Json(changes))
}
