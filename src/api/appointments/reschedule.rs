//! POST /api/v1/appointments/{id}/reschedule — move to another open slot (and provider):
//! the same rules as booking; a refused move keeps the old time.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::practice::BookingChannel;
use careline_store::appointments::{self, Appointment, ChangedBy};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleInput {
    /// RFC 3339; one of the open slots.
    pub starts_at: DateTime<Utc>,
    /// Another provider of the practice; default the same.
    pub provider_id: Option<Uuid>,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/appointments/{id}/reschedule", tag = "appointments",
    params(("id" = Uuid, Path, description = "appointment id")),
    request_body = RescheduleInput,
    responses((status = 200, body = Appointment), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "APPOINTMENT_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "SLOT_UNAVAILABLE; INVALID_STATUS_TRANSITION (cancelled, completed or no-show); CONFLICT: changed meanwhile"), (status = 422, body = crate::api::ErrorBody, description = "A broken booking rule with its code (see POST /api/v1/appointments); VALIDATION_ERROR")),
    security(("bearer" = [])))]
pub async fn reschedule_appointment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RescheduleInput>,
) -> ApiResult<Json<Appointment>> {
    caller.require(&state, Permission::AppointmentBook).await?;
    if body.reason.as_ref().is_some_and(|r| r.len() > 1000) {
        return Err(ApiError::validation(vec![(
            "reason".into(),
            "must be at most 1000 characters".into(),
        )]));
    }
    let a = appointments::reschedule(
        &state.store,
        ChangedBy {
            actor: caller.actor,
            channel: BookingChannel::Staff,
        },
        id,
        body.starts_at,
        body.provider_id,
        body.reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty()),
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::U, "appointment rescheduled")
                .entity("appointment", id)
                .entity("patient", a.patient_id),
        )
        .await?;
    Ok(Json(a))
}
