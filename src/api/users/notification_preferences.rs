//! GET and PUT /api/v1/users/{id}/notification-preferences — an admin reads or changes another
//! user's notification preferences (texts, email, language), with the same rules as the
//! user's own `/api/v1/me/notification-preferences`: texts need a phone on the account, and
//! turning them on is recorded (`sms_consent_at`; the audit names the admin who did it).

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::api::notifications::preferences::{PreferencesInput, change};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_store::users::{self, NotificationPreferences};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/users/{id}/notification-preferences", tag = "users",
    params(("id" = Uuid, Path, description = "user id")),
    responses((status = 200, body = NotificationPreferences), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "USER_NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn get_user_preferences(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<NotificationPreferences>> {
    caller.require(&state, Permission::UserManage).await?;
    Ok(Json(
        users::notification_preferences(&state.store, id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/users/{id}/notification-preferences", tag = "users",
    params(("id" = Uuid, Path, description = "user id")),
    request_body = PreferencesInput,
    responses((status = 200, body = NotificationPreferences), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "USER_NOT_FOUND"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: `notify_sms` without a phone on the account, or `language` not a language tag")),
    security(("bearer" = [])))]
pub async fn put_user_preferences(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PreferencesInput>,
) -> ApiResult<Json<NotificationPreferences>> {
    caller.require(&state, Permission::UserManage).await?;
    if users::get(&state.store, id).await?.is_none() {
        return Err(ApiError::not_found("user"));
    }
    Ok(Json(change(&state, &caller, id, body).await?))
}
