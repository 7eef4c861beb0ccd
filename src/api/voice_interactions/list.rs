//! GET /api/v1/voice-interactions — conversations newest first, narrowed by patient, when
//! they started, the caller's intent and whether a person took the call. Summaries only: the
//! words are on each conversation's own routes.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_call::understanding::Intent;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::voice_interactions::{self, InteractionFilter, VoiceInteractionSummary};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionQuery {
    /// The verified patient.
    pub patient_id: Option<Uuid>,
    /// RFC 3339: conversations started at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339: conversations started before this moment.
    pub to: Option<DateTime<Utc>>,
    /// The caller's intent: schedule, reschedule, cancel, inquiry, lab_results,
    /// prescription_refill, message_provider, prior_authorization, order_status,
    /// insurance_verification, hours_and_directions, agent or emergency.
    pub intent: Option<String>,
    /// true: only conversations a person or another line took over; false: only the others.
    pub escalated: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl InteractionQuery {
    /// The store's filter, or every problem with the query as (field, what is wrong).
    pub fn filter(&self) -> Result<InteractionFilter, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let intent = match self.intent.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(i) => match Intent::from_name(i) {
                Some(i) => Some(i.as_str().to_string()),
                None => {
                    problems.push((
                        "intent".to_string(),
                        format!(
                            "must be one of {}",
                            Intent::ALL.map(Intent::as_str).join(", ")
                        ),
                    ));
                    None
                }
            },
        };
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from >= to
        {
            problems.push(("from".to_string(), "must be before to".to_string()));
        }
        if problems.is_empty() {
            Ok(InteractionFilter {
                patient_id: self.patient_id,
                from: self.from,
                to: self.to,
                intent,
                escalated: self.escalated,
            })
        } else {
            Err(problems)
        }
    }
}

#[utoipa::path(get, path = "/api/v1/voice-interactions", tag = "voice interactions", params(InteractionQuery),
    responses((status = 200, body = crate::api::Page<VoiceInteractionSummary>),
        (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"),
        (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: an intent that is not one of the allowed ones, or from not before to")),
    security(("bearer" = [])))]
pub async fn list_voice_interactions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<InteractionQuery>,
) -> ApiResult<Json<careline_store::Page<VoiceInteractionSummary>>> {
    caller
        .require(&state, Permission::VoiceInteractionRead)
        .await?;
    let filter = q.filter().map_err(ApiError::validation)?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result =
        voice_interactions::list(&state.store, &caller.actor, &filter, page, per_page).await?;
    // A PHI read of every conversation shown, and of its patient.
    let mut event = caller.event(
        AuditType::Query,
        AuditAction::R,
        format!("voice interactions listed ({} shown)", result.items.len()),
    );
    if result.items.is_empty() {
        event = event.entity("voice_interaction", "*");
    }
    for i in &result.items {
        event = event.entity("voice_interaction", i.id);
        if let Some(p) = i.patient_id {
            event = event.entity("patient", p);
        }
    }
    state.audit(event).await?;
    Ok(Json(result))
}
