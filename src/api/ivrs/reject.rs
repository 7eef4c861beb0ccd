//! POST /api/v1/ivrs/{id}/reject

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
pub struct RejectBody {
    /// e.g. not_covered, not_medically_necessary, missing_documentation, patient_not_eligible
    pub reason_code: String,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/ivrs/{id}/reject", tag = "verification requests", request_body = RejectBody,
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "not found, or outside the caller's scope"), (status = 200, body = VerificationRequest), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn reject_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<RejectBody>,
) -> ApiResult<Json<VerificationRequest>> {
    let mut problems = Vec::new();
    let code = b.reason_code.trim().to_ascii_lowercase();
    if code.is_empty()
        || code.len() > 64
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        problems.push((
            "reason_code".into(),
            "must be a short code such as not_covered".into(),
        ));
    }
    super::invalid(problems)?;
    super::decide(
        &state,
        &caller,
        id,
        Permission::VerificationReview,
        Decision::Reject {
            reason_code: code,
            reason: b.reason,
        },
    )
    .await
}
