//! `/api/v1/appointments`: open slots, booking, the appointment book, and each step of an
//! appointment's life (confirm, reschedule, cancel, complete, no-show) with its history.
//! Every read is an audited PHI access (who sees whom, when); scoping happens in the query.

pub mod book;
pub mod cancel;
pub mod complete;
pub mod confirm;
pub mod deliveries;
pub mod get;
pub mod history;
pub mod list;
pub mod no_show;
pub mod reschedule;
pub mod slots;

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Caller;
use crate::state::AppState;
use axum::Json;
use careline_domain::Permission;
use careline_domain::appointment::AppointmentAction;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::practice::BookingChannel;
use careline_store::appointments::{self, Appointment, ChangedBy};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(slots::open_slots))
        .routes(routes!(book::book_appointment, list::list_appointments))
        .routes(routes!(get::get_appointment))
        .routes(routes!(history::appointment_history))
        .routes(routes!(deliveries::appointment_deliveries))
        .routes(routes!(confirm::confirm_appointment))
        .routes(routes!(cancel::cancel_appointment))
        .routes(routes!(complete::complete_appointment))
        .routes(routes!(no_show::mark_no_show))
        .routes(routes!(reschedule::reschedule_appointment))
}

/// A step's optional note (why it was cancelled, moved…). PHI: sealed at rest.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub reason: Option<String>,
}

impl StepInput {
    fn reason(&self) -> Result<Option<&str>, ApiError> {
        match self.reason.as_deref().map(str::trim) {
            Some(r) if r.len() > 1000 => Err(ApiError::validation(vec![(
                "reason".into(),
                "must be at most 1000 characters".into(),
            )])),
            Some("") | None => Ok(None),
            Some(r) => Ok(Some(r)),
        }
    }
}

/// One lifecycle step by staff, audited.
pub(crate) async fn step(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    action: AppointmentAction,
    input: Option<StepInput>,
) -> ApiResult<Json<Appointment>> {
    caller.require(state, Permission::AppointmentBook).await?;
    let input = input.unwrap_or_default();
    let a = appointments::transition(
        &state.store,
        ChangedBy {
            actor: caller.actor,
            channel: BookingChannel::Staff,
        },
        id,
        action,
        input.reason()?,
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::U,
                    format!("appointment {}", action.as_str()),
                )
                .entity("appointment", id)
                .entity("patient", a.patient_id),
        )
        .await?;
    Ok(Json(a))
}
