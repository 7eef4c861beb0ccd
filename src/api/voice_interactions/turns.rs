//! GET /api/v1/voice-interactions/{id}/turns — a conversation's turns in order: who spoke,
//! the words, the intent and details understood, the scores and CareLine's reply time.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::voice_interactions::{self, ConversationTurn};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/voice-interactions/{id}/turns", tag = "voice interactions",
    params(("id" = Uuid, Path, description = "the conversation's id")),
    responses((status = 200, body = Vec<ConversationTurn>),
        (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"),
        (status = 404, body = crate::api::ErrorBody, description = "VOICE_INTERACTION_NOT_FOUND: no such conversation among the caller's")),
    security(("bearer" = [])))]
pub async fn voice_interaction_turns(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<ConversationTurn>>> {
    caller
        .require(&state, Permission::VoiceInteractionRead)
        .await?;
    let turns = voice_interactions::turns(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    format!("conversation turns read: {} turns", turns.len()),
                )
                .entity("voice_interaction", id),
        )
        .await?;
    Ok(Json(turns))
}
