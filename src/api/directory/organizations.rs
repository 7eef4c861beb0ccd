//! GET/POST /api/v1/organizations

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::directory::{self, Organization};
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/organizations", tag = "directory",
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Organization>)), security(("bearer" = [])))]
pub async fn list_organizations(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Organization>>> {
    caller.require(&state, Permission::DirectoryRead).await?;
    Ok(Json(directory::organizations(&state.store).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationCreate {
    pub name: String,
    /// practice, distributor or supplier
    pub kind: String,
}

#[utoipa::path(post, path = "/api/v1/organizations", tag = "directory", request_body = OrganizationCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = Organization), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn create_organization(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<OrganizationCreate>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    caller.require(&state, Permission::DirectoryManage).await?;
    if b.name.trim().is_empty() || b.name.len() > 200 {
        return Err(ApiError::validation(vec![(
            "name".into(),
            "must be 1 to 200 characters".into(),
        )]));
    }
    let o =
        directory::create_organization(&state.store, &b.name, b.kind.trim(), caller.now).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::C,
                    "organization created",
                )
                .entity("organization", o.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(o)))
}
