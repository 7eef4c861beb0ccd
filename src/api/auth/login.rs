//! POST /api/v1/auth/login

use super::{TokenPair, access_token};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, client_address};
use crate::auth;
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::{HeaderMap, StatusCode};
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_store::audit::AuditEvent;
use careline_store::users;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// The client's address, taken from the connection.
pub struct PeerAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PeerAddress(client_address(parts)))
    }
}

/// Every refused sign-in gets this one answer — unknown email, wrong password, locked or
/// deactivated account — so the answer never tells whether an account exists. The message
/// names the lockout so that a locked-out user knows to wait.
fn invalid() -> ApiError {
    ApiError::unauthorized(
        "INVALID_CREDENTIALS",
        "email or password is incorrect, or the account is locked for a while after too many \
         failed sign-ins",
    )
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::api::ErrorBody),
              (status = 429, body = crate::api::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Json<TokenPair>> {
    let now = chrono::Utc::now();
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let refresh = careline_crypto::random_token();
    let (user, session) = sign_in(&state, address, user_agent, &body, &refresh, now).await?;
    let token = access_token(&state, &user, session.id, now)?;
    Ok(Json(TokenPair {
        access_token: token,
        token_type: "Bearer",
        expires_in: state.config.access_token_ttl_secs,
        refresh_token: refresh,
        refresh_expires_in: state.config.refresh_token_ttl_secs,
        user,
    }))
}

/// Check a sign-in (rate limit, lockout, password, active account) and open a session whose
/// refresh token is `refresh`; every outcome is audited. The API's login and the dashboard's
/// sign-in form both come through here, so they lock out and refuse alike.
pub(crate) async fn sign_in(
    state: &AppState,
    address: Option<String>,
    user_agent: Option<String>,
    body: &LoginBody,
    refresh: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<(users::User, users::Session)> {
    let addr_key = address.clone().unwrap_or_else(|| "unknown".into());
    let failed = |desc: String, user: Option<uuid::Uuid>| {
        AuditEvent::new(AuditType::UserAuthentication, AuditAction::E, desc)
            .outcome(AuditOutcome::MinorFailure)
            .agent(user, None)
            .address(address.clone())
    };
    if let Err(wait) = state.login_limiter.attempt(&addr_key, now) {
        state
            .audit(failed("login rate limit reached".into(), None))
            .await?;
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "too many sign-in attempts; wait and try again",
        )
        .details(json!({"retry_after_seconds": wait})));
    }
    let creds = users::credentials(&state.store, &body.email).await?;
    let Some(creds) = creds else {
        let pw = body.password.clone();
        let _ = tokio::task::spawn_blocking(move || auth::burn_verification_time(&pw)).await;
        state
            .audit(failed("login failed: unknown account".into(), None))
            .await?;
        return Err(invalid());
    };
    let uid = creds.user.id;
    if creds.locked_until.is_some_and(|until| until > now) {
        // Spend the time a password check would, as for an unknown account: a quick refusal
        // would tell that the account exists and is locked.
        let pw = body.password.clone();
        let _ = tokio::task::spawn_blocking(move || auth::burn_verification_time(&pw)).await;
        state
            .audit(failed("login refused: account locked".into(), Some(uid)))
            .await?;
        return Err(invalid());
    }
    let (hash, pw) = (creds.password_hash.clone(), body.password.clone());
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&hash, &pw))
        .await
        .map_err(|e| ApiError::internal("password check", e))?;
    if !ok {
        let locked = users::record_failed_login(
            &state.store,
            uid,
            state.config.login_max_failures,
            chrono::Duration::seconds(state.config.login_lockout_secs),
            now,
        )
        .await?;
        state
            .audit(failed("login failed: wrong password".into(), Some(uid)))
            .await?;
        if locked.is_some() {
            state
                .audit(
                    AuditEvent::new(
                        AuditType::SecurityAlert,
                        AuditAction::E,
                        "account locked after repeated failed logins",
                    )
                    .outcome(AuditOutcome::SeriousFailure)
                    .agent(Some(uid), None)
                    .address(address.clone())
                    .entity("user", uid),
                )
                .await?;
        }
        return Err(invalid());
    }
    if !creds.user.is_active {
        state
            .audit(failed(
                "login refused: account deactivated".into(),
                Some(uid),
            ))
            .await?;
        return Err(invalid());
    }
    users::record_successful_login(&state.store, uid, now).await?;
    let session = users::create_session(
        &state.store,
        uid,
        careline_crypto::sha256_hex(refresh.as_bytes()),
        now + chrono::Duration::seconds(state.config.refresh_token_ttl_secs),
        user_agent,
        address.clone(),
        now,
    )
    .await?;
    state.sessions.load(&session, now);
    state
        .audit(
            AuditEvent::new(AuditType::UserAuthentication, AuditAction::E, "login")
                .agent(Some(uid), Some(creds.user.role.as_str()))
                .address(address)
                .entity("session", session.id),
        )
        .await?;
    Ok((creds.user, session))
}
