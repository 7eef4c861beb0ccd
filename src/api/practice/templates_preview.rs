//! POST /api/v1/organizations/{id}/notification-templates/preview — a draft filled with the
//! kind's example values, checked as a save would check it, and nothing saved.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::notification::{Channel, NotificationKind, Template};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A draft: the notice, its channel and language, and the wording to try.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    pub kind: NotificationKind,
    pub channel: Channel,
    /// Defaults to `en`.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    pub body: String,
}

/// The draft as a person would receive it, with example values.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    pub subject: Option<String>,
    pub body: String,
    /// Characters of the filled body.
    pub characters: usize,
    /// For SMS: how many message segments the filled body takes.
    pub sms_segments: Option<usize>,
}

/// Segments of an SMS: 160 characters in one (153 each when split) in the GSM alphabet; 70
/// (67) once any other character forces UCS-2. Printable ASCII and newlines stand in for the
/// GSM alphabet here, an estimate on the safe side.
fn sms_segments(text: &str) -> usize {
    let n = text.chars().count();
    let gsm = text.chars().all(|c| c == '\n' || (' '..='~').contains(&c));
    let (single, part) = if gsm { (160, 153) } else { (70, 67) };
    if n <= single { 1 } else { n.div_ceil(part) }
}

#[utoipa::path(post, path = "/api/v1/organizations/{id}/notification-templates/preview", tag = "practice",
    params(("id" = Uuid, Path, description = "the practice's organization id")),
    request_body = PreviewInput,
    responses((status = 200, body = PreviewView), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "ORGANIZATION_NOT_FOUND (or not the caller's practice)"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR with every problem in details.fields and the kind's placeholders in details.allowed_placeholders")),
    security(("bearer" = [])))]
pub async fn preview_notification_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PreviewInput>,
) -> ApiResult<Json<PreviewView>> {
    caller.require(&state, Permission::PracticeRead).await?;
    super::own_practice(&state, &caller, id).await?;
    let template = Template {
        kind: input.kind,
        channel: input.channel,
        language: input
            .language
            .unwrap_or_else(|| "en".into())
            .to_ascii_lowercase(),
        subject: input.subject,
        body: input.body,
    };
    template
        .validate()
        .map_err(|p| super::template_refused(input.kind, p))?;
    let rendered = template
        .preview()
        .map_err(|e| ApiError::internal("preview of a valid template", e))?;
    Ok(Json(PreviewView {
        characters: rendered.body.chars().count(),
        sms_segments: (input.channel == Channel::Sms).then(|| sms_segments(&rendered.body)),
        subject: rendered.subject,
        body: rendered.body,
    }))
}

#[cfg(test)]
mod tests {
    use super::sms_segments;

    #[test]
    fn segments() {
        assert_eq!(sms_segments(&"a".repeat(160)), 1);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
        assert_eq!(sms_segments(&"a".repeat(306)), 2);
        assert_eq!(sms_segments(&"é".repeat(70)), 1);
        assert_eq!(sms_segments(&"é".repeat(71)), 2);
    }
}
