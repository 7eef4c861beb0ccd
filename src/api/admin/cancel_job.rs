//! POST /api/v1/admin/jobs/{id}/cancel — an operator stops a job that has not finished
//! (queued, retrying or running). A running attempt is not interrupted, but its result is not
//! recorded and it is not tried again.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::jobs::{self, Job};
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/cancel", tag = "admin",
    params(("id" = Uuid, Path, description = "job id")),
    responses((status = 200, body = careline_store::jobs::Job), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "JOB_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "INVALID_STATUS_TRANSITION: the job has already finished (succeeded, dead or cancelled)")),
    security(("bearer" = [])))]
pub async fn cancel_job(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Job>> {
    caller.require(&state, Permission::JobManage).await?;
    let job = jobs::cancel(&state.store, id, caller.now).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    format!("background job cancelled ({})", job.kind),
                )
                .entity("job", id),
        )
        .await?;
    Ok(Json(job))
}
