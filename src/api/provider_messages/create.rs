//! POST /api/v1/provider-messages — leave a message for the patient's provider. A message
//! that names an emergency (chest pain, can't breathe, the practice's own emergency phrases)
//! is routed as urgent and answered with `emergency: true`: whoever took it tells the caller
//! to hang up and dial 911.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::clinical::MessageUrgency;
use careline_store::provider_messages::{self, NewMessage, ProviderMessage};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    pub patient_id: Uuid,
    pub urgency: MessageUrgency,
    /// PHI: the message.
    pub body: String,
    /// The number to call back (PHI).
    pub callback: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/provider-messages", tag = "clinical", request_body = MessageInput,
    responses((status = 201, body = ProviderMessage, description = "Routed: see routed_to, due_at and emergency"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "UNKNOWN_PATIENT: no such patient among the caller's; VALIDATION_ERROR")),
    security(("bearer" = [])))]
pub async fn create_provider_message(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<MessageInput>,
) -> ApiResult<(StatusCode, Json<ProviderMessage>)> {
    caller
        .require(&state, Permission::ProviderMessageWrite)
        .await?;
    let mut problems = Vec::new();
    let text = body.body.trim();
    if text.is_empty() || text.len() > 4000 {
        problems.push((
            "body".to_string(),
            "must be 1 to 4000 characters".to_string(),
        ));
    }
    let callback = match body.callback.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => match careline_domain::PhoneNumber::parse(c) {
            Ok(p) => Some(p.as_str().to_string()),
            Err(_) => {
                problems.push((
                    "callback".to_string(),
                    "must be a phone number, such as +15125550100".to_string(),
                ));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let m = provider_messages::create(
        &state.store,
        &caller.actor,
        NewMessage {
            patient_id: body.patient_id,
            urgency: body.urgency,
            body: text.to_string(),
            callback,
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::C, "provider message left")
                .entity("provider_message", m.id)
                .entity("patient", body.patient_id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}
