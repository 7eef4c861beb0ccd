//! GET /api/v1/refill-requests — refill requests in the caller's scope, oldest first.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::clinical::RefillStatus;
use careline_store::refills::{self, RefillFilter, RefillRequest};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RefillQuery {
    /// pending, approved or denied
    pub status: Option<String>,
    pub patient_id: Option<Uuid>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/refill-requests", tag = "clinical", params(RefillQuery),
    responses((status = 200, body = crate::api::Page<RefillRequest>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: an unknown status")),
    security(("bearer" = [])))]
pub async fn list_refill_requests(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RefillQuery>,
) -> ApiResult<Json<careline_store::Page<RefillRequest>>> {
    caller.require(&state, Permission::RefillRead).await?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(RefillStatus::parse(s).ok_or_else(|| {
            ApiError::validation(vec![(
                "status".into(),
                "must be pending, approved or denied".into(),
            )])
        })?),
    };
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = refills::list(
        &state.store,
        &caller.actor,
        &RefillFilter {
            status,
            patient_id: q.patient_id,
        },
        page,
        per_page,
    )
    .await?;
    let mut event = caller.event(
        AuditType::Query,
        AuditAction::R,
        format!("refill requests listed ({} shown)", result.items.len()),
    );
    for r in &result.items {
        event = event
            .entity("refill_request", r.id)
            .entity("patient", r.patient_id);
    }
    state.audit(event).await?;
    Ok(Json(result))
}
