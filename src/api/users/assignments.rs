//! GET/POST /api/v1/users/{id}/assignments — a user's place in the hierarchy and its history.

use super::get::visible_user;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Permission, Role};
use careline_store::users::{self, Assignment, User};
use serde::Deserialize;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/users/{id}/assignments", tag = "users",
    params(("id" = Uuid, Path, description = "user id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Assignment>), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn get_assignments(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Assignment>>> {
    caller.require(&state, Permission::UserRead).await?;
    visible_user(&state, &caller, id).await?;
    Ok(Json(users::assignment_history(&state.store, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// The new manager; null removes the user from the hierarchy.
    pub manager_id: Option<Uuid>,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/assignments", tag = "users", request_body = AssignBody,
    params(("id" = Uuid, Path, description = "user id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "not found, or outside the caller's scope"), (status = 200, body = User), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn assign_manager(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AssignBody>,
) -> ApiResult<Json<User>> {
    caller.require(&state, Permission::HierarchyManage).await?;
    if let Some(r) = &body.reason
        && (r.chars().count() > 500 || r.chars().any(|c| c.is_control() && c != '\n'))
    {
        return Err(ApiError::validation(vec![(
            "reason".into(),
            "must be at most 500 characters with no control characters".into(),
        )]));
    }
    visible_user(&state, &caller, id).await?;
    // A distributor may only move people to managers inside their own downline.
    if caller.role() != Role::Admin {
        if id == caller.user_id() {
            return Err(ApiError::forbidden("you cannot reassign yourself"));
        }
        match body.manager_id {
            Some(m) if users::is_in_downline(&state.store, caller.user_id(), m).await? => {}
            _ => {
                return Err(ApiError::forbidden(
                    "the new manager must be in your own downline",
                ));
            }
        }
    }
    let u = users::reassign(
        &state.store,
        id,
        body.manager_id,
        Some(caller.user_id()),
        body.reason.as_deref(),
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    "hierarchy assignment changed",
                )
                .entity("user", id),
        )
        .await?;
    Ok(Json(u))
}
