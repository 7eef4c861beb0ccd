//! GET /api/v1/appointments/slots — a provider's open slots for one appointment type: the
//! practice's hours and holidays, the provider's week, breaks and blocked time, bookings,
//! lead time and the booking window, all applied, in the practice's time zone.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::practice::BookingChannel;
use careline_store::appointments::{self, SlotSearch, Slots};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    pub provider_id: Option<Uuid>,
    /// One of the practice's appointment types (`routine_exam`).
    pub appointment_type: Option<String>,
    /// First day (YYYY-MM-DD, the practice's local date); default today.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive; default 14 days after `from`; at most 62 days after it.
    pub to: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/appointments/slots", tag = "appointments", params(SlotQuery),
    responses((status = 200, body = Slots), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR (provider_id and appointment_type are required; to before from or too far); UNKNOWN_PROVIDER, UNKNOWN_APPOINTMENT_TYPE, PRACTICE_NOT_CONFIGURED, PROVIDER_DOES_NOT_OFFER_TYPE")),
    security(("bearer" = [])))]
pub async fn open_slots(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SlotQuery>,
) -> ApiResult<Json<Slots>> {
    caller.require(&state, Permission::AppointmentRead).await?;
    let mut problems = Vec::new();
    if q.provider_id.is_none() {
        problems.push(("provider_id".to_string(), "is required".to_string()));
    }
    let ty = q.appointment_type.as_deref().map(str::trim).unwrap_or("");
    if ty.is_empty() {
        problems.push(("appointment_type".to_string(), "is required".to_string()));
    }
    // The practice's today is not known before its time zone is read; a day either way is
    // close enough for a default that `open_slots` clips to today anyway.
    let today = caller.now.date_naive();
    // Checked before any arithmetic, so a date at the end of the calendar is a refusal.
    let near = |d: NaiveDate| (d - today).num_days().abs() <= 400;
    let from = q.from.unwrap_or(today - chrono::Duration::days(1));
    if !near(from) {
        problems.push((
            "from".to_string(),
            "must be within a year of today".to_string(),
        ));
    }
    let to = match q.to {
        Some(t) => t,
        None if near(from) => from + chrono::Duration::days(14),
        None => from,
    };
    if !near(to) {
        problems.push((
            "to".to_string(),
            "must be within a year of today".to_string(),
        ));
    } else if to < from {
        problems.push(("to".to_string(), "must not be before from".to_string()));
    } else if to - from > chrono::Duration::days(62) {
        problems.push((
            "to".to_string(),
            "must be at most 62 days after from".to_string(),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let slots = appointments::open_slots(
        &state.store,
        &caller.actor,
        SlotSearch {
            provider_id: q.provider_id.expect("checked"),
            appointment_type: ty,
            from,
            to,
            channel: BookingChannel::Staff,
        },
        caller.now,
    )
    .await?;
    Ok(Json(slots))
}
