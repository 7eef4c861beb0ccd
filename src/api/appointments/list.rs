//! GET /api/v1/appointments — the appointment book in the caller's scope, earliest first.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::appointment::AppointmentStatus;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::appointments::{self, Appointment, AppointmentFilter};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentQuery {
    pub provider_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    /// requested, confirmed, completed, cancelled or no_show
    pub status: Option<String>,
    /// RFC 3339: starting at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339: starting before this moment.
    pub to: Option<DateTime<Utc>>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments", params(AppointmentQuery),
    responses((status = 200, body = crate::api::Page<Appointment>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: an unknown status, or to before from")),
    security(("bearer" = [])))]
pub async fn list_appointments(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AppointmentQuery>,
) -> ApiResult<Json<careline_store::Page<Appointment>>> {
    caller.require(&state, Permission::AppointmentRead).await?;
    let mut problems = Vec::new();
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => {
            let parsed = AppointmentStatus::parse(s);
            if parsed.is_none() {
                problems.push((
                    "status".to_string(),
                    "must be requested, confirmed, completed, cancelled or no_show".to_string(),
                ));
            }
            parsed
        }
    };
    if let (Some(f), Some(t)) = (q.from, q.to)
        && t <= f
    {
        problems.push(("to".to_string(), "must be after from".to_string()));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let filter = AppointmentFilter {
        provider_id: q.provider_id,
        patient_id: q.patient_id,
        status,
        from: q.from,
        to: q.to,
    };
    let result = appointments::list(&state.store, &caller.actor, &filter, page, per_page).await?;
    let mut event = caller.event(
        AuditType::Query,
        AuditAction::R,
        format!("appointments listed ({} shown)", result.items.len()),
    );
    for a in &result.items {
        event = event
            .entity("appointment", a.id)
            .entity("patient", a.patient_id);
    }
    state.audit(event).await?;
    Ok(Json(result))
}
