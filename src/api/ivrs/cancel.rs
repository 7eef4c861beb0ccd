//! DELETE /api/v1/ivrs/{id} — cancel a draft or a request not yet decided.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_store::verification::{Decision, VerificationRequest};
use uuid::Uuid;

#[utoipa::path(delete, path = "/api/v1/ivrs/{id}", tag = "verification requests",
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = VerificationRequest), (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<VerificationRequest>> {
    super::decide(
        &state,
        &caller,
        id,
        Permission::VerificationCreate,
        Decision::Cancel { reason: None },
    )
    .await
}
