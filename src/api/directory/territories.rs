//! GET/POST /api/v1/territories — each territory owns the numbers callers dial to reach it.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Permission, PhoneNumber};
use careline_store::directory::{self, Territory};
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/territories", tag = "directory",
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Territory>)), security(("bearer" = [])))]
pub async fn list_territories(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Territory>>> {
    caller.require(&state, Permission::DirectoryRead).await?;
    Ok(Json(directory::territories(&state.store).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerritoryCreate {
    /// Short code, e.g. KY-EAST
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub dialed_numbers: Vec<String>,
    #[serde(default)]
    pub states: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/territories", tag = "directory", request_body = TerritoryCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = Territory), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn create_territory(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<TerritoryCreate>,
) -> ApiResult<(StatusCode, Json<Territory>)> {
    caller.require(&state, Permission::DirectoryManage).await?;
    let mut problems: Vec<(String, String)> = Vec::new();
    let code = b.code.trim();
    if code.is_empty()
        || code.len() > 32
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        problems.push((
            "code".into(),
            "must be 1 to 32 letters, digits, - or _".into(),
        ));
    }
    if b.name.trim().is_empty() || b.name.len() > 200 {
        problems.push(("name".into(), "must be 1 to 200 characters".into()));
    }
    let numbers: Vec<PhoneNumber> = b
        .dialed_numbers
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            PhoneNumber::parse(n)
                .map_err(|e| problems.push((format!("dialed_numbers[{i}]"), e.message)))
                .ok()
        })
        .collect();
    let states: Vec<String> = b
        .states
        .iter()
        .map(|s| s.trim().to_ascii_uppercase())
        .collect();
    for (i, s) in states.iter().enumerate() {
        if s.len() != 2 || !s.chars().all(|c| c.is_ascii_alphabetic()) {
            problems.push((
                format!("states[{i}]"),
                "must be a two-letter state code".into(),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let t = directory::create_territory(&state.store, code, &b.name, &numbers, &states, caller.now)
        .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::C,
                    "territory created",
                )
                .entity("territory", t.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}
