//! GET /api/v1/patients/{id}/history — who changed what, and when (field names only).

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::patients::{self, HistoryEntry};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/patients/{id}/history", tag = "patients",
    params(("id" = Uuid, Path, description = "patient id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<HistoryEntry>), (status = 404, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn patient_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    caller.require(&state, Permission::PatientRead).await?;
    let h = patients::history(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::R, "patient history read")
                .entity("patient", id),
        )
        .await?;
    Ok(Json(h))
}
