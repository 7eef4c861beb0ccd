//! GET /api/v1/refill-requests/{id} — one refill request, if it is about one of the caller's
//! patients.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::refills::{self, RefillRequest};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/refill-requests/{id}", tag = "clinical",
    params(("id" = Uuid, Path, description = "refill request id")),
    responses((status = 200, body = RefillRequest), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "REFILL_REQUEST_NOT_FOUND: no such request among the caller's patients'")),
    security(("bearer" = [])))]
pub async fn get_refill_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RefillRequest>> {
    caller.require(&state, Permission::RefillRead).await?;
    let r = refills::get(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    format!("refill request read: {id}"),
                )
                .entity("refill_request", id)
                .entity("patient", r.patient_id),
        )
        .await?;
    Ok(Json(r))
}
