//! POST /api/v1/ivrs/{id}/approve — record the coverage found and approve.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::{Coverage, Permission};
use careline_store::verification::{Decision, VerificationRequest};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    pub coverage: Coverage,
    /// The answer the doctor sees.
    pub response: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/ivrs/{id}/approve", tag = "verification requests", request_body = ApproveBody,
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "not found, or outside the caller's scope"), (status = 200, body = VerificationRequest), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<ApproveBody>,
) -> ApiResult<Json<VerificationRequest>> {
    super::decide(
        &state,
        &caller,
        id,
        Permission::VerificationReview,
        Decision::Approve {
            coverage: b.coverage,
            response: b.response,
        },
    )
    .await
}
