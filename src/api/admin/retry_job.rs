//! POST /api/v1/admin/jobs/{id}/retry — an operator runs a dead or cancelled job again: queued,
//! due now, with a fresh set of attempts. What it already did outside CareLine (its recorded
//! effects) is not done again. A voided job (`jobs::Job::voided`: a reminder of an
//! appointment since moved or cancelled) is refused with 409 JOB_VOIDED.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::jobs::{self, Job};
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/retry", tag = "admin",
    params(("id" = Uuid, Path, description = "job id")),
    responses((status = 200, body = careline_store::jobs::Job), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "JOB_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "INVALID_STATUS_TRANSITION: only a dead or cancelled job can be retried; JOB_VOIDED: the job was voided (a reminder of an appointment since moved or cancelled), so running it again would do nothing")),
    security(("bearer" = [])))]
pub async fn retry_job(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Job>> {
    caller.require(&state, Permission::JobManage).await?;
    let job = jobs::retry(&state.store, id, caller.now).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    format!("background job retried ({})", job.kind),
                )
                .entity("job", id),
        )
        .await?;
    Ok(Json(job))
}
