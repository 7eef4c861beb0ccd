//! POST /api/v1/ivrs/bulk-approve — approve several requests with the same coverage. Each is
//! decided on its own; the answer says, per request, whether it was approved or why not.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Coverage, Permission};
use careline_store::verification::{self, Decision};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkApproveBody {
    /// At most 100 per call.
    pub ids: Vec<Uuid>,
    pub coverage: Coverage,
    pub response: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub id: Uuid,
    pub approved: bool,
    /// The error code when not approved.
    pub code: Option<String>,
    pub message: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/ivrs/bulk-approve", tag = "verification requests", request_body = BulkApproveBody,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<BulkResult>), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn bulk_approve(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<BulkApproveBody>,
) -> ApiResult<Json<Vec<BulkResult>>> {
    caller
        .require(&state, Permission::VerificationReview)
        .await?;
    if b.ids.is_empty() || b.ids.len() > 100 {
        return Err(ApiError::validation(vec![(
            "ids".into(),
            "give 1 to 100 request ids".into(),
        )]));
    }
    let problems: Vec<(String, String)> = b
        .coverage
        .problems()
        .into_iter()
        .map(|(f, m)| (format!("coverage.{f}"), m))
        .collect();
    super::invalid(problems)?;
    let mut out = Vec::with_capacity(b.ids.len());
    for id in b.ids {
        let decision = Decision::Approve {
            coverage: b.coverage.clone(),
            response: b.response.clone(),
        };
        match verification::decide(&state.store, &caller.actor, id, decision, caller.now).await {
            Ok(_) => {
                state
                    .audit(
                        caller
                            .event(
                                AuditType::Rest,
                                AuditAction::U,
                                "verification request approved (bulk)",
                            )
                            .entity("verification_request", id),
                    )
                    .await?;
                out.push(BulkResult {
                    id,
                    approved: true,
                    code: None,
                    message: None,
                });
            }
            Err(e) => {
                let e = ApiError::from(e);
                if e.status.is_server_error() {
                    return Err(e);
                }
                out.push(BulkResult {
                    id,
                    approved: false,
                    code: Some(e.code.to_string()),
                    message: Some(e.message),
                });
            }
        }
    }
    Ok(Json(out))
}
