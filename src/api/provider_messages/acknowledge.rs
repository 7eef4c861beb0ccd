//! POST /api/v1/provider-messages/{id}/acknowledge — the message has been read and taken on:
//! new → acknowledged, and its task closed.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::provider_messages::{self, ProviderMessage};
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/provider-messages/{id}/acknowledge", tag = "clinical",
    params(("id" = Uuid, Path, description = "message id")),
    responses((status = 200, body = ProviderMessage), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "MESSAGE_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "INVALID_STATUS_TRANSITION: acknowledged already; CONFLICT: changed meanwhile")),
    security(("bearer" = [])))]
pub async fn acknowledge_provider_message(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ProviderMessage>> {
    caller
        .require(&state, Permission::ProviderMessageWrite)
        .await?;
    let m = provider_messages::acknowledge(&state.store, &caller.actor, id, caller.now).await?;
    let mut event = caller
        .event(
            AuditType::Rest,
            AuditAction::U,
            "provider message acknowledged",
        )
        .entity("provider_message", id);
    if let Some(p) = m.patient_id {
        event = event.entity("patient", p);
    }
    state.audit(event).await?;
    Ok(Json(m))
}
