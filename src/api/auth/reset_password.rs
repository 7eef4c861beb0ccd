//! POST /api/v1/auth/reset-password — set a new password with the token from a reset email.
//! A token works once, for 60 minutes from its email; using it ends every session of the
//! user, clears a failed-login lockout and makes the user's other reset links void. Unknown,
//! expired and used tokens get one and the same answer.

use super::login::PeerAddress;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::ApiJson;
use crate::auth;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_store::audit::AuditEvent;
use careline_store::password_resets::{self, Redeemed};
use careline_store::users;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The token from the reset email's link.
    pub token: String,
    pub new_password: String,
}

/// The one answer to a token that cannot be used.
pub(crate) fn invalid_token() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_RESET_TOKEN",
        "this password reset link is not valid: it is unknown, has expired or was already used; \
         ask for a new one",
    )
}

#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth", request_body = ResetPassword,
    responses(
        (status = 204, description = "The password is set; every session of the user has ended"),
        (status = 400, description = "INVALID_RESET_TOKEN: unknown, expired or already used (or MALFORMED_JSON)", body = crate::api::ErrorBody),
        (status = 422, description = "VALIDATION_ERROR: the new password breaks the password policy", body = crate::api::ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    ApiJson(body): ApiJson<ResetPassword>,
) -> ApiResult<StatusCode> {
    reset(&state, address, &body, chrono::Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Use a reset token (the API's route and the dashboard's form both come here).
pub(crate) async fn reset(
    state: &AppState,
    address: Option<String>,
    body: &ResetPassword,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let refused = |why: &'static str| {
        AuditEvent::new(AuditType::UserAuthentication, AuditAction::U, why)
            .outcome(AuditOutcome::MinorFailure)
            .address(address.clone())
    };
    let user = match password_resets::holder(&state.store, &body.token, now).await? {
        Some(uid) => users::get(&state.store, uid).await?.filter(|u| u.is_active),
        None => None,
    };
    let Some(user) = user else {
        state
            .audit(refused(
                "password reset refused: unknown, expired or used link",
            ))
            .await?;
        return Err(invalid_token());
    };
    let problems = careline_domain::password::check(&body.new_password, &user.email);
    if !problems.is_empty() {
        return Err(ApiError::validation(
            problems
                .into_iter()
                .map(|m| ("new_password".to_string(), m))
                .collect(),
        ));
    }
    let new = body.new_password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&new))
        .await
        .map_err(|e| ApiError::internal("password hash", e))?
        .map_err(|e| ApiError::internal("password hash", e))?;
    match password_resets::redeem(&state.store, &body.token, user.id, hash, now).await? {
        Redeemed::Done {
            user_id, reset_id, ..
        } => {
            state.sessions.clear();
            state.events.end_user(user_id);
            state
                .audit(
                    AuditEvent::new(
                        AuditType::UserAuthentication,
                        AuditAction::U,
                        "password reset with an emailed link; all sessions ended",
                    )
                    .agent(Some(user_id), Some(user.role.as_str()))
                    .address(address)
                    .entity("user", user_id)
                    .entity("password_reset", reset_id),
                )
                .await?;
            Ok(())
        }
        // Used (or expired) between the check and now: a concurrent use won.
        Redeemed::Invalid => {
            state
                .audit(refused(
                    "password reset refused: the link was used meanwhile",
                ))
                .await?;
            Err(invalid_token())
        }
    }
}
