//! GET/POST /api/v1/providers

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Npi, Permission, PhoneNumber};
use careline_store::directory::{self, Provider, ProviderInput};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProviderQuery {
    pub facility_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/providers", tag = "directory", params(ProviderQuery),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Provider>)), security(("bearer" = [])))]
pub async fn list_providers(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ProviderQuery>,
) -> ApiResult<Json<Vec<Provider>>> {
    caller.require(&state, Permission::DirectoryRead).await?;
    Ok(Json(
        directory::providers(&state.store, q.facility_id).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderCreate {
    pub facility_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub full_name: String,
    pub npi: String,
    pub specialty: Option<String>,
    /// The line calls are transferred to.
    pub phone: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/providers", tag = "directory", request_body = ProviderCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = Provider), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn create_provider(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<ProviderCreate>,
) -> ApiResult<(StatusCode, Json<Provider>)> {
    caller.require(&state, Permission::DirectoryManage).await?;
    let mut problems: Vec<(String, String)> = Vec::new();
    if b.full_name.trim().is_empty() || b.full_name.len() > 200 {
        problems.push(("full_name".into(), "must be 1 to 200 characters".into()));
    }
    let npi = Npi::parse(&b.npi)
        .map_err(|e| problems.push(("npi".into(), e.message)))
        .ok();
    let phone = b.phone.as_deref().and_then(|p| {
        PhoneNumber::parse(p)
            .map_err(|e| problems.push(("phone".into(), e.message)))
            .ok()
    });
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let p = directory::create_provider(
        &state.store,
        ProviderInput {
            facility_id: b.facility_id,
            user_id: b.user_id,
            full_name: b.full_name.trim().into(),
            npi: npi.expect("checked"),
            specialty: b.specialty,
            phone,
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::C,
                    "provider created",
                )
                .entity("provider", p.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}
