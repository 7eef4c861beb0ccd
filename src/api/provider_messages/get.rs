//! GET /api/v1/provider-messages/{id} — one message, if it is about one of the caller's
//! patients or for a provider in their scope (as the list).

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::provider_messages::{self, ProviderMessage};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/provider-messages/{id}", tag = "clinical",
    params(("id" = Uuid, Path, description = "message id")),
    responses((status = 200, body = ProviderMessage), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "MESSAGE_NOT_FOUND: no such message among the caller's")),
    security(("bearer" = [])))]
pub async fn get_provider_message(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ProviderMessage>> {
    caller
        .require(&state, Permission::ProviderMessageRead)
        .await?;
    let m = provider_messages::get(&state.store, &caller.actor, id).await?;
    let mut event = caller
        .event(
            AuditType::Rest,
            AuditAction::R,
            format!("provider message read: {id}"),
        )
        .entity("provider_message", id);
    if let Some(p) = m.patient_id {
        event = event.entity("patient", p);
    }
    state.audit(event).await?;
    Ok(Json(m))
}
