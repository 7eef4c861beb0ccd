//! GET and PUT /api/v1/me/notification-preferences — how the caller wants notices to reach
//! them besides the dashboard: texts (their consent, recorded when given), email, and the
//! language of the wording. Every signed-in role has its own; admins change anyone's through
//! `/api/v1/users/{id}/notification-preferences` (`crate::api::users::notification_preferences`).

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::users::{self, NotificationPreferences, PreferencesChange};
use serde::Deserialize;
use uuid::Uuid;

/// A change of preferences; a field left out stays as it is.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    /// Texts to the account's phone; turning them on needs a phone on the account and is
    /// recorded as consent (`sms_consent_at`).
    pub notify_sms: Option<bool>,
    /// Emails to the account's address.
    pub notify_email: Option<bool>,
    /// A language tag as the practice's templates use them (`en`, `es`, `es-MX`).
    pub language: Option<String>,
}

/// Whether `tag` is a language as the practice's templates name them (their rule in
/// `careline_domain::notification::Template::validate`: 2 to 8 letters, digits and dashes),
/// starting with a letter.
fn language_tag(tag: &str) -> bool {
    (2..=8).contains(&tag.len())
        && tag.starts_with(|c: char| c.is_ascii_alphabetic())
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Check `input` and apply it to `user_id`'s preferences, auditing the change (who made it,
/// and for whom; the consent given when texts were turned on).
pub async fn change(
    state: &AppState,
    caller: &Caller,
    user_id: Uuid,
    input: PreferencesInput,
) -> Result<NotificationPreferences, ApiError> {
    let language = input.language.map(|l| l.trim().to_string());
    let before = users::notification_preferences(&state.store, user_id).await?;
    // Every problem at once (the form shows each at its field); the store checks the phone
    // again in the transaction that writes.
    let mut problems = Vec::new();
    if input.notify_sms == Some(true) && !before.has_phone {
        problems.push((
            "notify_sms".to_string(),
            users::TEXTS_NEED_A_PHONE.to_string(),
        ));
    }
    if language.as_deref().is_some_and(|l| !language_tag(l)) {
        problems.push((
            "language".to_string(),
            "must be a language tag such as en or es".to_string(),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let after = users::set_notification_preferences(
        &state.store,
        user_id,
        &PreferencesChange {
            notify_sms: input.notify_sms,
            notify_email: input.notify_email,
            language,
        },
        caller.now,
    )
    .await?;
    let what = match (before.notify_sms, after.notify_sms) {
        (false, true) => "notification preferences changed: texts consented to",
        (true, false) => "notification preferences changed: texts turned off",
        _ => "notification preferences changed",
    };
    state
        .audit(
            caller
                .event(AuditType::Administration, AuditAction::U, what)
                .entity("user", user_id),
        )
        .await?;
    Ok(after)
}

#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "notifications",
    responses((status = 200, body = NotificationPreferences)),
    security(("bearer" = [])))]
pub async fn get_my_preferences(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<NotificationPreferences>> {
    Ok(Json(
        users::notification_preferences(&state.store, caller.user_id()).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/me/notification-preferences", tag = "notifications",
    request_body = PreferencesInput,
    responses((status = 200, body = NotificationPreferences), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: `notify_sms` without a phone on the account, or `language` not a language tag")),
    security(("bearer" = [])))]
pub async fn put_my_preferences(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PreferencesInput>,
) -> ApiResult<Json<NotificationPreferences>> {
    let user = caller.user_id();
    Ok(Json(change(&state, &caller, user, body).await?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_tags_are_the_templates_own() {
        for ok in ["en", "es", "es-MX", "zh-Hant", "fil"] {
            assert!(super::language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "english-us", "es_MX", "1e", "-es", "es mx"] {
            assert!(!super::language_tag(bad), "{bad}");
        }
    }
}
