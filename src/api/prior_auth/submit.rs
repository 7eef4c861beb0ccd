//! POST /api/v1/prior-authorizations/{id}/submit — draft → submitted; a durable job hands it
//! to the payer adapter. The payer answers later (pended, then approved or denied); poll the
//! request.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::prior_auth::{self, PriorAuthorization};
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/prior-authorizations/{id}/submit", tag = "clinical",
    params(("id" = Uuid, Path, description = "prior authorization id")),
    responses((status = 200, body = PriorAuthorization, description = "Submitted; the payer's answers arrive asynchronously"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PRIOR_AUTHORIZATION_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "INVALID_STATUS_TRANSITION: not a draft; CONFLICT: changed meanwhile")),
    security(("bearer" = [])))]
pub async fn submit_prior_authorization(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PriorAuthorization>> {
    caller.require(&state, Permission::PriorAuthWrite).await?;
    let p = prior_auth::submit(&state.store, &caller.actor, id, caller.now).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::U,
                    "prior authorization submitted",
                )
                .entity("prior_authorization", id)
                .entity("patient", p.patient_id),
        )
        .await?;
    // The payer job enqueued with the submission hands it over (`payer`).
    Ok(Json(p))
}
