//! GET /api/v1/provider-messages — messages in the caller's scope, oldest first.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::provider_messages::{self, MessageFilter, ProviderMessage};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// new or acknowledged
    pub status: Option<String>,
    pub patient_id: Option<Uuid>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/provider-messages", tag = "clinical", params(MessageQuery),
    responses((status = 200, body = crate::api::Page<ProviderMessage>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: an unknown status")),
    security(("bearer" = [])))]
pub async fn list_provider_messages(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MessageQuery>,
) -> ApiResult<Json<careline_store::Page<ProviderMessage>>> {
    caller
        .require(&state, Permission::ProviderMessageRead)
        .await?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s @ ("new" | "acknowledged")) => Some(s.to_string()),
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "status".into(),
                "must be new or acknowledged".into(),
            )]));
        }
    };
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = provider_messages::list(
        &state.store,
        &caller.actor,
        &MessageFilter {
            status,
            patient_id: q.patient_id,
        },
        page,
        per_page,
    )
    .await?;
    let mut event = caller.event(
        AuditType::Query,
        AuditAction::R,
        format!("provider messages listed ({} shown)", result.items.len()),
    );
    for m in &result.items {
        event = event.entity("provider_message", m.id);
        if let Some(p) = m.patient_id {
            event = event.entity("patient", p);
        }
    }
    state.audit(event).await?;
    Ok(Json(result))
}
