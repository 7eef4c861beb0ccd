//! GET /api/v1/prior-authorizations — requests in the caller's scope, newest first.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::clinical::PriorAuthStatus;
use careline_store::prior_auth::{self, PriorAuthFilter, PriorAuthorization};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PriorAuthQuery {
    /// draft, submitted, pended, approved, denied or expired
    pub status: Option<String>,
    pub patient_id: Option<Uuid>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/prior-authorizations", tag = "clinical", params(PriorAuthQuery),
    responses((status = 200, body = crate::api::Page<PriorAuthorization>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: an unknown status")),
    security(("bearer" = [])))]
pub async fn list_prior_authorizations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PriorAuthQuery>,
) -> ApiResult<Json<careline_store::Page<PriorAuthorization>>> {
    caller.require(&state, Permission::PriorAuthRead).await?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(PriorAuthStatus::parse(s).ok_or_else(|| {
            ApiError::validation(vec![(
                "status".into(),
                "must be draft, submitted, pended, approved, denied or expired".into(),
            )])
        })?),
    };
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = prior_auth::list(
        &state.store,
        &caller.actor,
        &PriorAuthFilter {
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
        format!("prior authorizations listed ({} shown)", result.items.len()),
    );
    for p in &result.items {
        event = event
            .entity("prior_authorization", p.id)
            .entity("patient", p.patient_id);
    }
    state.audit(event).await?;
    Ok(Json(result))
}
