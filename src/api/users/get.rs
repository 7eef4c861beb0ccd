//! GET /api/v1/users/{id} and DELETE /api/v1/users/{id} (deactivate).

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Permission, Role};
use careline_store::users::{self, User};
use uuid::Uuid;

/// A user the caller may see: admins see all, hierarchy roles their downline, others themselves.
pub async fn visible_user(state: &AppState, caller: &Caller, id: Uuid) -> Result<User, ApiError> {
    let allowed = caller.role() == Role::Admin
        || id == caller.user_id()
        || (caller.role().in_hierarchy()
            && users::is_in_downline(&state.store, caller.user_id(), id).await?);
    if !allowed {
        return Err(ApiError::not_found("user"));
    }
    users::get(&state.store, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Uuid, Path, description = "user id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = User), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<User>> {
    caller.require(&state, Permission::UserRead).await?;
    Ok(Json(visible_user(&state, &caller, id).await?))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Uuid, Path, description = "user id")),
    responses((status = 409, body = crate::api::ErrorBody, description = "CONFLICT: you cannot deactivate your own account"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 204), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn deactivate_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    caller.require(&state, Permission::UserManage).await?;
    if id == caller.user_id() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "CONFLICT",
            "you cannot deactivate your own account",
        ));
    }
    users::set_active(&state.store, id, false, caller.now).await?;
    users::revoke_all_sessions(&state.store, id, "account deactivated", caller.now).await?;
    state.sessions.clear();
    state.events.end_user(id);
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::D,
                    "user deactivated",
                )
                .entity("user", id),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
