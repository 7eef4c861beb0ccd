//! GET /api/v1/ivrs

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Permission, VerificationStatus};
use careline_store::verification::{self, ListFilter, VerificationRequest};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// draft, submitted, in_review, info_requested, escalated, approved, rejected, cancelled
    pub status: Option<String>,
    pub patient_id: Option<Uuid>,
    /// routine or urgent
    pub priority: Option<String>,
    /// Only requests whose number starts with this.
    pub number: Option<String>,
    /// Only this doctor's requests (within what the caller may see).
    pub doctor_id: Option<Uuid>,
    /// RFC 3339: requests created at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339: requests created before this moment.
    pub to: Option<DateTime<Utc>>,
    /// newest (the default) or oldest: by when the request was created.
    pub sort: Option<String>,
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
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from >= to
    {
        problems.push(("from".into(), "must be before to".into()));
    }
    let oldest_first = match q.sort.as_deref().map(str::trim) {
        None | Some("") | Some("newest") => false,
        Some("oldest") => true,
        Some(_) => {
            problems.push(("sort".into(), "must be newest or oldest".into()));
            false
        }
    };
    super::invalid(problems)?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let filter = ListFilter {
        status,
        patient_id: q.patient_id,
        pending_only: false,
        priority,
        number_prefix: number,
        doctor_id: q.doctor_id,
        created_from: q.from,
        created_before: q.to,
        oldest_first,
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
