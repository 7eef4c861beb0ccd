//! GET/POST /api/v1/facilities

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Npi, Permission, PhoneNumber};
use careline_store::directory::{self, Facility, FacilityInput};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FacilityQuery {
    pub organization_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/facilities", tag = "directory", params(FacilityQuery),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Facility>)), security(("bearer" = [])))]
pub async fn list_facilities(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<FacilityQuery>,
) -> ApiResult<Json<Vec<Facility>>> {
    caller.require(&state, Permission::DirectoryRead).await?;
    Ok(Json(
        directory::facilities(&state.store, q.organization_id).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FacilityCreate {
    pub organization_id: Uuid,
    pub name: String,
    pub npi: Option<String>,
    pub phone: Option<String>,
    pub address_line1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub territory_id: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/facilities", tag = "directory", request_body = FacilityCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = Facility), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn create_facility(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<FacilityCreate>,
) -> ApiResult<(StatusCode, Json<Facility>)> {
    caller.require(&state, Permission::DirectoryManage).await?;
    let mut problems: Vec<(String, String)> = Vec::new();
    if b.name.trim().is_empty() || b.name.len() > 200 {
        problems.push(("name".into(), "must be 1 to 200 characters".into()));
    }
    let npi = b.npi.as_deref().and_then(|n| {
        Npi::parse(n)
            .map_err(|e| problems.push(("npi".into(), e.message)))
            .ok()
    });
    let phone = b.phone.as_deref().and_then(|p| {
        PhoneNumber::parse(p)
            .map_err(|e| problems.push(("phone".into(), e.message)))
            .ok()
    });
    if let Some(s) = &b.state
        && (s.len() != 2 || !s.chars().all(|c| c.is_ascii_alphabetic()))
    {
        problems.push(("state".into(), "must be a two-letter state code".into()));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let f = directory::create_facility(
        &state.store,
        FacilityInput {
            organization_id: b.organization_id,
            name: b.name.trim().into(),
            npi,
            phone,
            address_line1: b.address_line1,
            city: b.city,
            state: b.state.map(|s| s.to_ascii_uppercase()),
            postal_code: b.postal_code,
            territory_id: b.territory_id,
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
                    "facility created",
                )
                .entity("facility", f.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(f)))
}
