//! POST /api/v1/appointments — book an appointment under the practice's rules. The slot is
//! held by the database: of many clients booking one time at once, exactly one succeeds and
//! the rest get 409 SLOT_UNAVAILABLE.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::practice::BookingChannel;
use careline_store::appointments::{self, Appointment, NewAppointment};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookInput {
    pub provider_id: Uuid,
    pub patient_id: Uuid,
    /// One of the practice's appointment types (`routine_exam`).
    pub appointment_type: String,
    /// RFC 3339; one of the open slots.
    pub starts_at: DateTime<Utc>,
    /// staff (the default) or walk_in: how staff took the booking.
    pub created_via: Option<BookingChannel>,
    /// Preparation notes for the patient (PHI).
    pub special_instructions: Option<String>,
    /// Any string unique to this booking (a UUID): the same key again returns the first
    /// booking instead of making a second one, so a retried request is harmless.
    pub idempotency_key: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments", request_body = BookInput,
    responses((status = 201, body = Appointment), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 409, body = crate::api::ErrorBody, description = "SLOT_UNAVAILABLE: the provider already has something then (another booking got there first)"), (status = 422, body = crate::api::ErrorBody, description = "A broken booking rule, each with its code: UNKNOWN_PROVIDER, UNKNOWN_PATIENT, UNKNOWN_APPOINTMENT_TYPE, PRACTICE_NOT_CONFIGURED, BOOKING_CHANNEL_NOT_ALLOWED, PROVIDER_DOES_NOT_OFFER_TYPE, APPOINTMENT_IN_PAST, BOOKING_TOO_SOON, BOOKING_TOO_FAR_AHEAD, SLOT_NOT_ALIGNED, PRACTICE_CLOSED, OUTSIDE_PRACTICE_HOURS, PROVIDER_UNAVAILABLE, PATIENT_DOUBLE_BOOKED; VALIDATION_ERROR")),
    security(("bearer" = [])))]
pub async fn book_appointment(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<BookInput>,
) -> ApiResult<(StatusCode, Json<Appointment>)> {
    caller.require(&state, Permission::AppointmentBook).await?;
    let mut problems = Vec::new();
    let channel = body.created_via.unwrap_or(BookingChannel::Staff);
    if !matches!(channel, BookingChannel::Staff | BookingChannel::WalkIn) {
        problems.push((
            "created_via".to_string(),
            "staff book as staff or walk_in".to_string(),
        ));
    }
    if body
        .special_instructions
        .as_ref()
        .is_some_and(|s| s.len() > 2000)
    {
        problems.push((
            "special_instructions".to_string(),
            "must be at most 2000 characters".to_string(),
        ));
    }
    if body
        .idempotency_key
        .as_ref()
        .is_some_and(|k| k.is_empty() || k.len() > 100)
    {
        problems.push((
            "idempotency_key".to_string(),
            "must be 1 to 100 characters".to_string(),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let a = appointments::book(
        &state.store,
        &caller.actor,
        NewAppointment {
            provider_id: body.provider_id,
            patient_id: body.patient_id,
            appointment_type: body.appointment_type.trim().to_string(),
            starts_at: body.starts_at,
            channel,
            voice_booking_session: None,
            special_instructions: body.special_instructions,
            idempotency_key: body.idempotency_key,
        },
        rand::random(),
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::C, "appointment booked")
                .entity("appointment", a.id)
                .entity("patient", a.patient_id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}
