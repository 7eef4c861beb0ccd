//! GET /api/v1/organizations/{id}/notification-templates — the wording of every notice the
//! practice sends, per kind, channel and language in use (English, and every language the
//! practice has written a template in), each marked as the practice's own or not.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_store::notification_templates::{self as store, PracticeTemplate};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Where the wording of a notice comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateSource {
    /// The practice wrote it for this language.
    Custom,
    /// The practice has none in this language: its own in another (its English one) is sent.
    PracticeFallback,
    /// CareLine's built-in English wording.
    BuiltIn,
}

/// One notice's wording for one channel and language, as it would be sent.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationTemplateView {
    pub kind: NotificationKind,
    pub channel: Channel,
    /// The language this entry is for.
    pub language: String,
    pub source: TemplateSource,
    /// Whether the practice wrote this one (`source` is `custom`).
    pub customised: bool,
    /// The language of the wording sent (differs from `language` on a fallback).
    pub sent_in: String,
    pub subject: Option<String>,
    pub body: String,
    /// The placeholders this kind of notice may use.
    pub placeholders: Vec<String>,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<Uuid>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationTemplateList {
    /// The languages in use: `en` first, then every language the practice has a template in.
    pub languages: Vec<String>,
    pub items: Vec<NotificationTemplateView>,
}

/// The entry for (kind, channel, language), from the practice's own templates, with the same
/// fallbacks as `notification_templates::effective`.
pub(crate) fn entry(
    own: &[PracticeTemplate],
    kind: NotificationKind,
    channel: Channel,
    language: &str,
) -> Option<NotificationTemplateView> {
    let built_in = Template::built_in(kind, channel)?;
    let find = |lang: &str| {
        own.iter().find(|t| {
            t.template.kind == kind && t.template.channel == channel && t.template.language == lang
        })
    };
    let language = language.to_ascii_lowercase();
    let (source, template, stored) = match store::fallbacks(&language)
        .iter()
        .enumerate()
        .find_map(|(i, l)| find(l).map(|t| (i, t)))
    {
        Some((0, t)) => (TemplateSource::Custom, t.template.clone(), Some(t)),
        Some((_, t)) => (
            TemplateSource::PracticeFallback,
            t.template.clone(),
            Some(t),
        ),
        None => (TemplateSource::BuiltIn, built_in, None),
    };
    Some(NotificationTemplateView {
        kind,
        channel,
        sent_in: template.language,
        language,
        customised: source == TemplateSource::Custom,
        source,
        subject: template.subject,
        body: template.body,
        placeholders: kind.placeholders().iter().map(|p| p.to_string()).collect(),
        updated_at: stored.map(|t| t.updated_at),
        updated_by: stored.and_then(|t| t.updated_by),
    })
}

/// Every kind × channel × language in use.
pub(crate) fn everything(own: &[PracticeTemplate]) -> NotificationTemplateList {
    let mut languages = vec![store::DEFAULT_LANGUAGE.to_string()];
    for t in own {
        if !languages.contains(&t.template.language) {
            languages.push(t.template.language.clone());
        }
    }
    languages[1..].sort();
    let mut items = Vec::new();
    for language in &languages {
        for kind in NotificationKind::ALL {
            for &channel in kind.channels() {
                items.extend(entry(own, kind, channel, language));
            }
        }
    }
    NotificationTemplateList { languages, items }
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/notification-templates", tag = "practice",
    params(("id" = Uuid, Path, description = "the practice's organization id")),
    responses((status = 200, body = NotificationTemplateList), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "ORGANIZATION_NOT_FOUND (or not the caller's practice)")),
    security(("bearer" = [])))]
pub async fn list_notification_templates(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<NotificationTemplateList>> {
    caller.require(&state, Permission::PracticeRead).await?;
    super::own_practice(&state, &caller, id).await?;
    let own = store::list(&state.store, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    "notification templates read",
                )
                .entity("organization", id),
        )
        .await?;
    Ok(Json(everything(&own)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(language: &str, body: &str) -> PracticeTemplate {
        PracticeTemplate {
            organization_id: Uuid::nil(),
            template: Template {
                kind: NotificationKind::AppointmentReminder,
                channel: Channel::Sms,
                language: language.into(),
                subject: None,
                body: body.into(),
            },
            updated_by: None,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn every_language_in_use_lists_every_kind_and_channel() {
        let list = everything(&[own("es", "Hola {patient_first_name}"), own("en", "Hi")]);
        assert_eq!(list.languages, ["en", "es"]);
        let per_language: usize = NotificationKind::ALL
            .iter()
            .map(|k| k.channels().len())
            .sum();
        assert_eq!(list.items.len(), 2 * per_language);
        let sms = |lang: &str| {
            list.items
                .iter()
                .find(|i| {
                    i.language == lang
                        && i.kind == NotificationKind::AppointmentReminder
                        && i.channel == Channel::Sms
                })
                .unwrap()
        };
        assert_eq!(sms("es").source, TemplateSource::Custom);
        assert_eq!(sms("en").body, "Hi");
        let email_es = list
            .items
            .iter()
            .find(|i| i.language == "es" && i.channel == Channel::Email)
            .unwrap();
        assert_eq!(email_es.source, TemplateSource::BuiltIn);
        assert_eq!(email_es.sent_in, "en");
        // Spanish missing, the practice's English is sent.
        let only_en = everything(&[own("en", "Hi")]);
        assert_eq!(only_en.languages, ["en"]);
        let e = entry(
            &[own("en", "Hi")],
            NotificationKind::AppointmentReminder,
            Channel::Sms,
            "es",
        )
        .unwrap();
        assert_eq!(e.source, TemplateSource::PracticeFallback);
        assert!(!e.customised);
    }
}
