//! POST /api/v1/ivrs/{id}/escalate — hand up for a senior decision.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_store::verification::{Decision, VerificationRequest};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateBody {
    pub reason: String,
    /// A specific reviewer, if any.
    pub escalated_to: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/ivrs/{id}/escalate", tag = "verification requests", request_body = EscalateBody,
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "not found, or outside the caller's scope"), (status = 200, body = VerificationRequest), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn escalate_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<EscalateBody>,
) -> ApiResult<Json<VerificationRequest>> {
    let mut problems = Vec::new();
    super::short_text("reason", &b.reason, 5000, &mut problems);
    super::invalid(problems)?;
    super::decide(
        &state,
        &caller,
        id,
        Permission::VerificationReview,
        Decision::Escalate {
            reason: b.reason,
            to: b.escalated_to,
        },
    )
    .await
}
