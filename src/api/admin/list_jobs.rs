//! GET /api/v1/admin/jobs — background jobs, newest first, filtered by state and kind, for
//! operators (docs/jobs.md). Payloads hold ids only, never PHI.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::jobs::{self, Job, JobFilter, JobState};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// queued, running, retrying, succeeded, dead or cancelled
    pub state: Option<String>,
    /// A job kind, e.g. recordings.purge
    pub kind: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin", params(JobQuery),
    responses((status = 200, body = crate::api::Page<careline_store::jobs::Job>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: an unknown state, or a kind that is no job kind")),
    security(("bearer" = [])))]
pub async fn list_jobs(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<JobQuery>,
) -> ApiResult<Json<careline_store::Page<Job>>> {
    caller.require(&state, Permission::JobManage).await?;
    let mut problems = Vec::new();
    let job_state = match q.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match JobState::parse(s) {
            Some(st) => Some(st),
            None => {
                problems.push((
                    "state".to_string(),
                    "must be queued, running, retrying, succeeded, dead or cancelled".to_string(),
                ));
                None
            }
        },
    };
    let kind = q
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string);
    if let Some(k) = &kind
        && (k.len() > 100 || k.chars().any(char::is_control))
    {
        problems.push((
            "kind".to_string(),
            "must be at most 100 characters with no control characters".to_string(),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = jobs::list(
        &state.store,
        &JobFilter {
            state: job_state,
            kind,
        },
        page,
        per_page,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("background jobs listed ({} shown)", result.items.len()),
                )
                .entity("job", "*"),
        )
        .await?;
    Ok(Json(result))
}
