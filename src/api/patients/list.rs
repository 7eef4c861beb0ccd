//! GET /api/v1/patients

use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::patients;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Rows per page, 1–200 (default 50).
    pub per_page: Option<u64>,
    /// Include archived patients.
    #[serde(default)]
    pub include_archived: bool,
}

#[utoipa::path(get, path = "/api/v1/patients", tag = "patients", params(ListQuery),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = crate::api::Page<careline_store::patients::Patient>)), security(("bearer" = [])))]
pub async fn list_patients(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<careline_store::Page<patients::Patient>>> {
    caller.require(&state, Permission::PatientRead).await?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = patients::list(
        &state.store,
        &caller.actor,
        q.include_archived,
        page,
        per_page,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("patient list page {page}: {} rows", result.items.len()),
                )
                .entity("patient", "*"),
        )
        .await?;
    Ok(Json(result))
}
