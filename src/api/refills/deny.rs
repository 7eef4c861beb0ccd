//! POST /api/v1/refill-requests/{id}/deny — the provider's decision: pending → denied.

use super::DecisionInput;
use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_store::refills::RefillRequest;
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/refill-requests/{id}/deny", tag = "clinical",
    params(("id" = Uuid, Path, description = "refill request id")),
    request_body(content = Option<DecisionInput>, description = "optional: a note"),
    responses((status = 200, body = RefillRequest), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this (providers decide)"), (status = 404, body = crate::api::ErrorBody, description = "REFILL_REQUEST_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "INVALID_STATUS_TRANSITION: decided already; CONFLICT: changed meanwhile"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR")),
    security(("bearer" = [])))]
pub async fn deny_refill_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    body: Option<ApiJson<DecisionInput>>,
) -> ApiResult<Json<RefillRequest>> {
    super::decide(&state, &caller, id, false, body.map(|b| b.0)).await
}
