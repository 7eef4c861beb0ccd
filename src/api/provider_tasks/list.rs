//! GET /api/v1/provider-tasks — open (or done) tasks routed to the caller or about their
//! doctors' patients, earliest due first. A task's kind says something clinical (a result the
//! phone may not read out), so it is for those who may read results.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::provider_tasks::{self, ProviderTask};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// open (the default) or done
    pub status: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/provider-tasks", tag = "clinical", params(TaskQuery),
    responses((status = 200, body = crate::api::Page<ProviderTask>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: an unknown status")),
    security(("bearer" = [])))]
pub async fn list_provider_tasks(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<careline_store::Page<ProviderTask>>> {
    caller.require(&state, Permission::LabResultRead).await?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => "open",
        Some(s @ ("open" | "done")) => s,
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "status".into(),
                "must be open or done".into(),
            )]));
        }
    };
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = provider_tasks::list(&state.store, &caller.actor, status, page, per_page).await?;
    let mut event = caller.event(
        AuditType::Query,
        AuditAction::R,
        format!("provider tasks listed ({} shown)", result.items.len()),
    );
    for t in &result.items {
        if let Some(p) = t.patient_id {
            event = event.entity("patient", p);
        }
    }
    state.audit(event).await?;
    Ok(Json(result))
}
