//! POST /api/v1/auth/refresh — trade a refresh token for a new pair. Each refresh token works
//! once; presenting a used one again revokes the session (it was copied by someone).

use super::{TokenPair, access_token, login::PeerAddress};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_store::audit::AuditEvent;
use careline_store::users::{self, Refresh};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    pub refresh_token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshBody,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::api::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Json<TokenPair>> {
    let now = chrono::Utc::now();
    let presented = careline_crypto::sha256_hex(body.refresh_token.trim().as_bytes());
    let new_token = careline_crypto::random_token();
    let outcome = users::rotate_refresh(
        &state.store,
        &presented,
        careline_crypto::sha256_hex(new_token.as_bytes()),
        state.idle_timeout(),
        now,
    )
    .await?;
    match outcome {
        Refresh::Rotated(session) => {
            let user = users::get(&state.store, session.user_id)
                .await?
                .filter(|u| u.is_active)
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "SESSION_EXPIRED",
                        "the session has ended; sign in again",
                    )
                })?;
            state.sessions.load(&session, now);
            let token = access_token(&state, &user, session.id, now)?;
            state
                .audit(
                    AuditEvent::new(
                        AuditType::UserAuthentication,
                        AuditAction::E,
                        "token refreshed",
                    )
                    .agent(Some(user.id), Some(user.role.as_str()))
                    .address(address)
                    .entity("session", session.id),
                )
                .await?;
            let remaining = (session.expires_at - now).num_seconds();
            Ok(Json(TokenPair {
                access_token: token,
                token_type: "Bearer",
                expires_in: state.config.access_token_ttl_secs,
                refresh_token: new_token,
                refresh_expires_in: remaining,
                user,
            }))
        }
        Refresh::Reused(sid) => {
            state.sessions.revoke(sid, now);
            state.events.end_session(sid);
            state
                .audit(
                    AuditEvent::new(
                        AuditType::SecurityAlert,
                        AuditAction::E,
                        "refresh token reused; session revoked",
                    )
                    .outcome(AuditOutcome::SeriousFailure)
                    .address(address)
                    .entity("session", sid),
                )
                .await?;
            Err(ApiError::unauthorized(
                "REFRESH_TOKEN_REUSED",
                "this refresh token was already used; the session has been ended for safety",
            ))
        }
        Refresh::Ended(sid) => {
            state.sessions.revoke(sid, now);
            Err(ApiError::unauthorized(
                "SESSION_EXPIRED",
                "the session has ended; sign in again",
            ))
        }
        Refresh::Unknown => Err(ApiError::unauthorized(
            "INVALID_TOKEN",
            "the refresh token is not valid",
        )),
    }
}
