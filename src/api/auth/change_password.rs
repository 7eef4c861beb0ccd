//! POST /api/v1/auth/change-password — needs the current password; on success every other
//! session of the user is ended.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::auth;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_store::users;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/change-password", tag = "auth", request_body = ChangePassword,
    responses((status = 204), (status = 401, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ChangePassword>,
) -> ApiResult<StatusCode> {
    let user = users::get(&state.store, caller.user_id())
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let hash = users::password_hash(&state.store, user.id).await?;
    let current = body.current_password.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&hash, &current))
        .await
        .map_err(|e| ApiError::internal("password check", e))?;
    if !ok {
        state
            .audit(
                caller
                    .event(
                        AuditType::UserAuthentication,
                        AuditAction::U,
                        "password change refused: wrong current password",
                    )
                    .outcome(AuditOutcome::MinorFailure),
            )
            .await?;
        return Err(ApiError::unauthorized(
            "INVALID_CREDENTIALS",
            "the current password is incorrect",
        ));
    }
    let problems = careline_domain::password::check(&body.new_password, &user.email);
    if !problems.is_empty() {
        return Err(ApiError::validation(
            problems
                .into_iter()
                .map(|m| ("new_password".to_string(), m))
                .collect(),
        ));
    }
    if body.new_password == body.current_password {
        return Err(ApiError::validation(vec![(
            "new_password".into(),
            "must differ from the current password".into(),
        )]));
    }
    let new = body.new_password.clone();
    let new_hash = tokio::task::spawn_blocking(move || auth::hash_password(&new))
        .await
        .map_err(|e| ApiError::internal("password hash", e))?
        .map_err(|e| ApiError::internal("password hash", e))?;
    users::set_password(&state.store, user.id, new_hash, caller.now).await?;
    users::revoke_all_sessions(&state.store, user.id, "password changed", caller.now).await?;
    // Reset links emailed before the change stop working with it.
    careline_store::password_resets::void_open(&state.store, user.id, caller.now).await?;
    state.sessions.clear();
    state.events.end_user(user.id);
    state
        .audit(
            caller
                .event(
                    AuditType::UserAuthentication,
                    AuditAction::U,
                    "password changed; all sessions ended",
                )
                .entity("user", user.id),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
