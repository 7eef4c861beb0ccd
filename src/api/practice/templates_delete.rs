//! DELETE /api/v1/organizations/{id}/notification-templates/{kind}/{channel}/{language} —
//! back to the wording the practice had before writing its own: its English one for another
//! language, else CareLine's built-in. Answers the wording now in force; deleting one that
//! does not exist changes nothing and answers the same.

use super::templates_list::{NotificationTemplateView, entry};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::notification::{Channel, NotificationKind};
use careline_store::notification_templates as store;
use uuid::Uuid;

#[utoipa::path(delete, path = "/api/v1/organizations/{id}/notification-templates/{kind}/{channel}/{language}", tag = "practice",
    params(("id" = Uuid, Path, description = "the practice's organization id"),
        ("kind" = NotificationKind, Path, description = "the kind of notice"),
        ("channel" = Channel, Path, description = "sms, email, voice or in_app"),
        ("language" = String, Path, description = "a language tag such as en or es")),
    responses((status = 200, body = NotificationTemplateView, description = "the wording now in force"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "ORGANIZATION_NOT_FOUND (or not the caller's practice)"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: the kind is not sent by that channel")),
    security(("bearer" = [])))]
pub async fn delete_notification_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, kind, channel, language)): ApiPath<(Uuid, NotificationKind, Channel, String)>,
) -> ApiResult<Json<NotificationTemplateView>> {
    caller
        .require(&state, Permission::PracticeConfigure)
        .await?;
    super::own_practice(&state, &caller, id).await?;
    if !kind.channels().contains(&channel) {
        return Err(super::template_refused(
            kind,
            vec![(
                "channel".into(),
                format!(
                    "{} notices are not sent by {}",
                    kind.as_str(),
                    channel.as_str()
                ),
            )],
        ));
    }
    let removed = store::delete(&state.store, id, kind, channel, &language).await?;
    if removed {
        state
            .audit(
                caller
                    .event(
                        AuditType::Administration,
                        AuditAction::D,
                        format!(
                            "notification template removed ({}, {}, {})",
                            kind.as_str(),
                            channel.as_str(),
                            language.to_ascii_lowercase()
                        ),
                    )
                    .entity("organization", id),
            )
            .await?;
    }
    let own = store::list(&state.store, id).await?;
    let view = entry(&own, kind, channel, &language)
        .ok_or_else(|| ApiError::internal("template after delete", "no entry"))?;
    Ok(Json(view))
}
