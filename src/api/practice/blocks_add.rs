//! POST /api/v1/providers/{id}/blocked-time — block off time (no new bookings in it;
//! appointments already in it stay and are listed for staff to move).

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::schedules::{self, Block};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Shown to staff (not PHI: "conference", "surgery day").
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/providers/{id}/blocked-time", tag = "practice",
    params(("id" = Uuid, Path, description = "provider id")),
    request_body = BlockInput,
    responses((status = 201, body = Block), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PROVIDER_NOT_FOUND (or not at the caller's practice)"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: ends before it starts, longer than a year, reason too long; PRACTICE_NOT_CONFIGURED")),
    security(("bearer" = [])))]
pub async fn add_blocked_time(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BlockInput>,
) -> ApiResult<(StatusCode, Json<Block>)> {
    caller.require(&state, Permission::ScheduleManage).await?;
    super::own_provider(&state, &caller, id).await?;
    let mut problems = Vec::new();
    if body.ends_at <= body.starts_at {
        problems.push(("ends_at".to_string(), "must be after starts_at".to_string()));
    } else if body.ends_at - body.starts_at > chrono::Duration::days(366) {
        problems.push((
            "ends_at".to_string(),
            "blocks at most a year at a time".to_string(),
        ));
    }
    if body.reason.as_ref().is_some_and(|r| r.len() > 200) {
        problems.push((
            "reason".to_string(),
            "must be at most 200 characters".to_string(),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let block = schedules::add_block(
        &state.store,
        id,
        body.starts_at,
        body.ends_at,
        body.reason.filter(|r| !r.trim().is_empty()),
        Some(caller.user_id()),
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::C,
                    "provider time blocked",
                )
                .entity("provider", id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(block)))
}
