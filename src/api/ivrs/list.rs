//! GET /api/v1/ivrs

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Permission, VerificationStatus};
use careline_store::verification::{self, ListFilter, VerificationRequest};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// draft, submitted, in_review, info_requested, escalated, approved, rejected, cancelled
    pub status: Option<String>,
    pub patient_id: Option<Uuid>,
    /// routine or urgent
    pub priority: Option<String>,
    /// Only requests whose number starts with this.
    pub number: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/ivrs", tag = "verification requests", params(RequestQuery),
    responses((status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: a filter value is not one of the allowed ones"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = crate::api::Page<VerificationRequest>)), security(("bearer" = [])))]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RequestQuery>,
) -> ApiResult<Json<careline_store::Page<VerificationRequest>>> {
    caller.require(&state, Permission::VerificationRead).await?;
    let status = q
        .status
        .map(|s| s.parse::<VerificationStatus>())
        .transpose()
        .map_err(|e| ApiError::validation(vec![("status".into(), e)]))?;
    let mut problems = Vec::new();
    let priority = super::priority(&q.priority, &mut problems);
    let number = q
        .number
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if number
        .as_deref()
        .is_some_and(|n| n.len() > 32 || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        problems.push(("number".into(), "must be letters, digits and dashes".into()));
    }
    super::invalid(problems)?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let filter = ListFilter {
        status,
        patient_id: q.patient_id,
        pending_only: false,
        priority,
        number_prefix: number,
    };
    let result = verification::list(&state.store, &caller.actor, &filter, page, per_page).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("verification request list: {} rows", result.items.len()),
                )
                .entity("verification_request", "*"),
        )
        .await?;
    Ok(Json(result))
}
