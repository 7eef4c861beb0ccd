//! GET and PUT /api/v1/auth/me — the caller's own profile.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::users::{self, User};
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn get_me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<User>> {
    let u = users::get(&state.store, caller.user_id())
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(Json(u))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeUpdate {
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::api::patients::present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
}

#[utoipa::path(put, path = "/api/v1/auth/me", tag = "auth", request_body = MeUpdate,
    responses((status = 200, body = User), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<MeUpdate>,
) -> ApiResult<Json<User>> {
    let mut problems = Vec::new();
    if let Some(n) = &body.full_name
        && (n.trim().is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control))
    {
        problems.push((
            "full_name".to_string(),
            "must be 1 to 200 characters with no control characters".to_string(),
        ));
    }
    let phone = match body.phone {
        Some(Some(p)) if !p.trim().is_empty() => match careline_domain::PhoneNumber::parse(&p) {
            Ok(p) => Some(Some(p.as_str().to_string())),
            Err(e) => {
                problems.push(("phone".into(), e.message));
                None
            }
        },
        Some(_) => Some(None),
        None => None,
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let u = users::update_profile(
        &state.store,
        caller.user_id(),
        body.full_name.map(|n| n.trim().to_string()),
        phone,
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    "own profile updated",
                )
                .entity("user", caller.user_id()),
        )
        .await?;
    Ok(Json(u))
}
