//! GET /api/v1/calls/{call_id}/events — a call's events (IVRCallEvent: each step's action,
//! result and timing) in the order they happened.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::calls::{self, CallEventRow};

#[utoipa::path(get, path = "/api/v1/calls/{call_id}/events", tag = "calls",
    params(("call_id" = String, Path, description = "the call's id: Twilio's CallSid, or for SIP CareLine's own SIP… id (logged with the SIP Call-ID when the call starts)")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<CallEventRow>), (status = 404, body = crate::api::ErrorBody, description = "NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn call_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(call_id): ApiPath<String>,
) -> ApiResult<Json<Vec<CallEventRow>>> {
    caller.require(&state, Permission::CallRead).await?;
    // A call with no events yet is an empty list; a call that does not exist is a 404.
    calls::call_summary(&state.store, &call_id).await?;
    let events = calls::call_events(&state.store, &call_id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    format!("call events read: {} events", events.len()),
                )
                .entity("call", &call_id),
        )
        .await?;
    Ok(Json(events))
}
