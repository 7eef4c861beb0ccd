//! POST /api/v1/auth/logout — ends the caller's session; its tokens stop working at once.

use crate::api::error::ApiResult;
use crate::api::extract::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::users;

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    users::revoke_session(&state.store, caller.session_id, "logout", caller.now).await?;
    state.sessions.revoke(caller.session_id, caller.now);
    // Its WebSockets on this node close now; other nodes' at their next session check.
    state.events.end_session(caller.session_id);
    state
        .audit(
            caller
                .event(AuditType::UserAuthentication, AuditAction::E, "logout")
                .entity("session", caller.session_id),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
