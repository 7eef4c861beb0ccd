//! PUT /api/v1/users/{id}/staff-details — a practice staff member's employee number, phone
//! extension and the hours they take handoffs from the phone (seed 002 StaffMember). Admins
//! set anyone's; a practice manager sets those of their own practice's people.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::practice::WeekHours;
use careline_domain::{Permission, Role};
use careline_store::users::{self, StaffDetails, User};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffDetailsInput {
    /// The practice's employee number (letters, digits, dashes); null clears it.
    pub employee_id: Option<String>,
    /// Internal extension, digits only; null clears it.
    pub phone_extension: Option<String>,
    /// When they take handoffs from the phone, in the practice's time zone; null: never.
    pub escalation_availability: Option<WeekHours>,
}

#[utoipa::path(put, path = "/api/v1/users/{id}/staff-details", tag = "users",
    params(("id" = Uuid, Path, description = "user id")),
    request_body = StaffDetailsInput,
    responses((status = 200, body = User), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "USER_NOT_FOUND (or not at the caller's practice)"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR naming each wrong field")),
    security(("bearer" = [])))]
pub async fn set_staff_details(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<StaffDetailsInput>,
) -> ApiResult<Json<User>> {
    caller
        .require(&state, Permission::PracticeConfigure)
        .await?;
    let target = users::get(&state.store, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    if caller.role() != Role::Admin {
        let mine =
            careline_store::practice::organization_of_user(&state.store, caller.user_id()).await?;
        if mine.is_none() || mine != target.organization_id {
            return Err(ApiError::not_found("user"));
        }
    }
    let mut problems = Vec::new();
    let trim = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let employee_id = trim(body.employee_id);
    if employee_id
        .as_ref()
        .is_some_and(|e| e.len() > 40 || !e.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        problems.push((
            "employee_id".to_string(),
            "must be letters, digits and dashes, at most 40".to_string(),
        ));
    }
    let phone_extension = trim(body.phone_extension);
    if phone_extension
        .as_ref()
        .is_some_and(|e| e.len() > 8 || !e.chars().all(|c| c.is_ascii_digit()))
    {
        problems.push((
            "phone_extension".to_string(),
            "must be 1 to 8 digits".to_string(),
        ));
    }
    if let Some(week) = &body.escalation_availability {
        for (day, hours) in [
            ("monday", week.monday),
            ("tuesday", week.tuesday),
            ("wednesday", week.wednesday),
            ("thursday", week.thursday),
            ("friday", week.friday),
            ("saturday", week.saturday),
            ("sunday", week.sunday),
        ] {
            if hours.is_some_and(|h| h.open >= h.close) {
                problems.push((
                    format!("escalation_availability.{day}"),
                    "must start before it ends".to_string(),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let user = users::set_staff_details(
        &state.store,
        id,
        &StaffDetails {
            employee_id,
            phone_extension,
            escalation_availability: body.escalation_availability,
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    "staff details changed",
                )
                .entity("user", id),
        )
        .await?;
    Ok(Json(user))
}
