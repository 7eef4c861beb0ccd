//! GET /api/v1/voice-interactions/{id} — one conversation: its summary, the caller's number
//! and the whole transcript, with the call's recording when there still is one.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::recordings::{self, RecordingInfo};
use careline_store::voice_interactions::{self, VoiceInteraction};
use serde::Serialize;
use uuid::Uuid;

/// A conversation and the call's recording.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VoiceInteractionView {
    #[serde(flatten)]
    pub interaction: VoiceInteraction,
    /// The call's recording (`GET /api/v1/calls/{call_id}/recording` plays it, for the roles
    /// that may listen); null when the call was not recorded or the recording was deleted.
    pub recording: Option<RecordingInfo>,
}

#[utoipa::path(get, path = "/api/v1/voice-interactions/{id}", tag = "voice interactions",
    params(("id" = Uuid, Path, description = "the conversation's id")),
    responses((status = 200, body = VoiceInteractionView),
        (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"),
        (status = 404, body = crate::api::ErrorBody, description = "VOICE_INTERACTION_NOT_FOUND: no such conversation among the caller's")),
    security(("bearer" = [])))]
pub async fn get_voice_interaction(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<VoiceInteractionView>> {
    caller
        .require(&state, Permission::VoiceInteractionRead)
        .await?;
    let interaction = voice_interactions::get(&state.store, &caller.actor, id).await?;
    let recording = recordings::info(&state.store, &interaction.summary.call_id).await?;
    let mut event = caller
        .event(AuditType::Rest, AuditAction::R, "voice interaction read")
        .entity("voice_interaction", id)
        .entity("call", &interaction.summary.call_id);
    if let Some(p) = interaction.summary.patient_id {
        event = event.entity("patient", p);
    }
    state.audit(event).await?;
    Ok(Json(VoiceInteractionView {
        interaction,
        recording,
    }))
}
