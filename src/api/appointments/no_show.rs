//! POST /api/v1/appointments/{id}/no-show — confirmed → no_show, once it has begun.

use super::StepInput;
use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::appointment::AppointmentAction;
use careline_store::appointments::Appointment;
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/appointments/{id}/no-show", tag = "appointments",
    params(("id" = Uuid, Path, description = "appointment id")),
    request_body(content = Option<StepInput>, description = "optional: why"),
    responses((status = 200, body = Appointment), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "APPOINTMENT_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "INVALID_STATUS_TRANSITION: not from its current status; CONFLICT: changed meanwhile"), (status = 422, body = crate::api::ErrorBody, description = "APPOINTMENT_NOT_STARTED (complete, no-show); VALIDATION_ERROR")),
    security(("bearer" = [])))]
pub async fn mark_no_show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    body: Option<ApiJson<StepInput>>,
) -> ApiResult<Json<Appointment>> {
    super::step(
        &state,
        &caller,
        id,
        AppointmentAction::NoShow,
        body.map(|b| b.0),
    )
    .await
}
