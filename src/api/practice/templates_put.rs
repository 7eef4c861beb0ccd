//! PUT /api/v1/organizations/{id}/notification-templates/{kind}/{channel}/{language} — the
//! practice's own wording of one notice, checked before it is saved: a placeholder the kind
//! may not use (anything clinical) is refused with the list of those it may.

use super::templates_list::{NotificationTemplateView, entry};
use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_store::StoreError;
use careline_store::notification_templates as store;
use serde::Deserialize;
use uuid::Uuid;

/// The wording: a subject (email and in-app only) and a body with `{placeholders}`.
#[derive(Debug, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    #[serde(default)]
    pub subject: Option<String>,
    pub body: String,
}

#[utoipa::path(put, path = "/api/v1/organizations/{id}/notification-templates/{kind}/{channel}/{language}", tag = "practice",
    params(("id" = Uuid, Path, description = "the practice's organization id"),
        ("kind" = NotificationKind, Path, description = "the kind of notice"),
        ("channel" = Channel, Path, description = "sms, email, voice or in_app"),
        ("language" = String, Path, description = "a language tag such as en or es")),
    request_body = TemplateInput,
    responses((status = 200, body = NotificationTemplateView), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "ORGANIZATION_NOT_FOUND (or not the caller's practice)"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR with every problem in details.fields and the kind's placeholders in details.allowed_placeholders: an unknown placeholder, a channel the kind is not sent by, a subject where the channel has none, a body too long")),
    security(("bearer" = [])))]
pub async fn put_notification_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, kind, channel, language)): ApiPath<(Uuid, NotificationKind, Channel, String)>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<NotificationTemplateView>> {
    caller
        .require(&state, Permission::PracticeConfigure)
        .await?;
    super::own_practice(&state, &caller, id).await?;
    let template = Template {
        kind,
        channel,
        language,
        subject: input.subject,
        body: input.body,
    };
    let saved = match store::save(
        &state.store,
        id,
        &template,
        Some(caller.user_id()),
        caller.now,
    )
    .await
    {
        Ok(saved) => saved,
        Err(StoreError::Invalid(problems)) => return Err(super::template_refused(kind, problems)),
        Err(e) => return Err(e.into()),
    };
    let t = &saved.template;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    format!(
                        "notification template changed ({}, {}, {})",
                        t.kind.as_str(),
                        t.channel.as_str(),
                        t.language
                    ),
                )
                .entity("organization", id),
        )
        .await?;
    let view = entry(std::slice::from_ref(&saved), kind, channel, &t.language)
        .ok_or_else(|| crate::api::error::ApiError::internal("saved template", "no entry"))?;
    Ok(Json(view))
}
