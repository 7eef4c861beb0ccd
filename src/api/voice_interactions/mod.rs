//! `/api/v1/voice-interactions`: the voice agent's stored conversations (seed 002's
//! VoiceInteraction and ConversationTurn): the list with its filters, one conversation with
//! its transcript, and its turns in order. All PHI (what callers said), so each read is
//! audited as a PHI read, and only the roles that read call records and PHI may read them.

pub mod get;
pub mod list;
pub mod turns;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_voice_interactions))
        .routes(routes!(get::get_voice_interaction))
        .routes(routes!(turns::voice_interaction_turns))
}
