//! `/api/v1/auth`: login, refresh (rotating), logout, the caller's own profile and password,
//! and the password reset by email (forgot-password, reset-password).

pub mod change_password;
pub mod forgot_password;
pub mod login;
pub mod logout;
pub mod me;
pub mod refresh;
pub mod reset_password;

use crate::state::AppState;
use careline_store::users::User;
use serde::Serialize;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(login::login))
        .routes(routes!(refresh::refresh))
        .routes(routes!(logout::logout))
        .routes(routes!(me::get_me, me::update_me))
        .routes(routes!(change_password::change_password))
        .routes(routes!(forgot_password::forgot_password))
        .routes(routes!(reset_password::reset_password))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Use once at /api/v1/auth/refresh; a new one comes back each time.
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub user: User,
}

/// Issue an access token for a session.
pub(crate) fn access_token(
    state: &AppState,
    user: &User,
    sid: uuid::Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, crate::api::error::ApiError> {
    let now = now.timestamp();
    state
        .tokens
        .issue(&crate::auth::Claims {
            sub: user.id,
            role: user.role.as_str().to_string(),
            sid,
            iat: now,
            exp: now + state.config.access_token_ttl_secs,
            kind: None,
        })
        .map_err(|e| crate::api::error::ApiError::internal("token signing", e))
}
