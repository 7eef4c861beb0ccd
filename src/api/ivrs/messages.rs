//! GET/POST /api/v1/ivrs/{id}/messages — the doctor ↔ specialist conversation on a request.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::verification::{self, Message};
use serde::Deserialize;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/ivrs/{id}/messages", tag = "verification requests",
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Message>), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Message>>> {
    caller.require(&state, Permission::VerificationRead).await?;
    let m = verification::messages(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    "verification request messages read",
                )
                .entity("verification_request", id),
        )
        .await?;
    Ok(Json(m))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/ivrs/{id}/messages", tag = "verification requests", request_body = MessageBody,
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = Message), (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<MessageBody>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    caller
        .require(&state, Permission::VerificationMessage)
        .await?;
    let mut problems = Vec::new();
    super::short_text("body", &b.body, 5000, &mut problems);
    super::invalid(problems)?;
    let m = verification::add_message(&state.store, &caller.actor, id, b.body.trim(), caller.now)
        .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::C,
                    "verification request message sent",
                )
                .entity("verification_request", id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}
