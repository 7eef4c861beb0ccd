//! POST /api/v1/auth/forgot-password — ask for a link to reset a password. The answer is the
//! same whether or not an account uses the address (and for a deactivated one), and so is the
//! work done: a reset request is stored and its email job enqueued either way; the job sends
//! only to an active account. Limited per email address and per client address.

use super::login::PeerAddress;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::audit::AuditEvent;
use careline_store::{password_resets, users};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPassword {
    pub email: String,
}

/// The one answer to every accepted request.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResetRequested {
    /// Always "accepted".
    pub status: &'static str,
    pub message: &'static str,
}

/// What every accepted request is told, whether or not the address has an account.
pub const ACCEPTED_MESSAGE: &str = "If an account uses this address, an email with a link to \
    reset its password is on its way. The link works for 60 minutes.";

#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth", request_body = ForgotPassword,
    responses(
        (status = 202, description = "Accepted; the same answer whether or not an account uses the address", body = ResetRequested),
        (status = 422, description = "VALIDATION_ERROR: not an email address", body = crate::api::ErrorBody),
        (status = 429, description = "RATE_LIMITED: too many requests for this address or from this client; see Retry-After",
            body = crate::api::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub async fn forgot_password(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    ApiJson(body): ApiJson<ForgotPassword>,
) -> Response {
    match request_reset(&state, address, &body.email, chrono::Utc::now()).await {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(ResetRequested {
                status: "accepted",
                message: ACCEPTED_MESSAGE,
            }),
        )
            .into_response(),
        Err(e) => error_response(e),
    }
}

/// An error, with Retry-After when it is a rate limit.
pub(crate) fn error_response(e: ApiError) -> Response {
    let wait = (e.status == StatusCode::TOO_MANY_REQUESTS)
        .then(|| e.details["retry_after_seconds"].as_i64())
        .flatten();
    let mut res = e.into_response();
    if let Some(w) = wait
        && let Ok(v) = HeaderValue::from_str(&w.max(1).to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Check the limits, store the request and enqueue its email (the API's route and the
/// dashboard's form both come here). `Ok` means "accepted", never "an account exists".
pub(crate) async fn request_reset(
    state: &AppState,
    address: Option<String>,
    email: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let email = careline_domain::EmailAddress::parse(email).map_err(|_| {
        ApiError::validation(vec![(
            "email".into(),
            "is not a valid email address".into(),
        )])
    })?;
    let addr_key = address.clone().unwrap_or_else(|| "unknown".into());
    if let Err(wait) = state.reset_limiter.attempt(email.as_str(), &addr_key, now) {
        state
            .audit(
                AuditEvent::new(
                    AuditType::SecurityAlert,
                    AuditAction::E,
                    "password reset rate limit reached",
                )
                .outcome(careline_domain::audit::AuditOutcome::MinorFailure)
                .address(address),
            )
            .await?;
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "too many password reset requests; wait and try again",
        )
        .details(json!({"retry_after_seconds": wait})));
    }
    let user = users::credentials(&state.store, email.as_str())
        .await?
        .map(|c| c.user);
    let uid = user.as_ref().map(|u| u.id);
    let id = password_resets::request(&state.store, uid, now).await?;
    let what = match &user {
        Some(u) if u.is_active => "password reset requested",
        Some(_) => "password reset requested for a deactivated account: no email",
        None => "password reset requested for an address with no account: no email",
    };
    state
        .audit(
            AuditEvent::new(AuditType::UserAuthentication, AuditAction::E, what)
                .agent(uid, user.as_ref().map(|u| u.role.as_str()))
                .address(address)
                .entity("password_reset", id),
        )
        .await?;
    Ok(())
}
