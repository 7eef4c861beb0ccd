//! POST /api/v1/refill-requests — take a refill request down for one of the patient's
//! medications. It is never processed automatically: it becomes a task for the provider.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::refills::{self, RefillRequest, RequestedBy};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefillInput {
    pub patient_id: Uuid,
    /// One of the patient's active medications.
    pub medication_id: Uuid,
    /// PHI: what the patient said (pharmacy, how many left…).
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/refill-requests", tag = "clinical", request_body = RefillInput,
    responses((status = 201, body = RefillRequest, description = "Taken down for the provider; see controlled_substance, no_refills_remaining, too_early and caller_prompt"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "UNKNOWN_PATIENT: no such active patient among the caller's; UNKNOWN_MEDICATION: the patient has no such active medication; VALIDATION_ERROR")),
    security(("bearer" = [])))]
pub async fn create_refill_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<RefillInput>,
) -> ApiResult<(StatusCode, Json<RefillRequest>)> {
    caller.require(&state, Permission::RefillRequest).await?;
    if body.note.as_ref().is_some_and(|n| n.len() > 1000) {
        return Err(ApiError::validation(vec![(
            "note".into(),
            "must be at most 1000 characters".into(),
        )]));
    }
    let r = refills::request(
        &state.store,
        RequestedBy::Staff(&caller.actor),
        body.patient_id,
        body.medication_id,
        body.note.as_deref(),
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::C, "refill request taken")
                .entity("refill_request", r.id)
                .entity("medication", r.medication_id)
                .entity("patient", r.patient_id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(r)))
}
