//! POST /api/v1/lab-results — enter a result; it waits for the provider's review.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::clinical::LabFlag;
use careline_store::lab_results::{self, LabResult, NewLabResult};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabResultInput {
    pub patient_id: Uuid,
    /// PHI (`Hemoglobin A1c`).
    pub test_name: String,
    /// PHI (`5.4`).
    pub value: String,
    pub unit: Option<String>,
    /// PHI (`4.0-5.6`).
    pub reference_range: Option<String>,
    pub flag: LabFlag,
    pub collected_at: DateTime<Utc>,
    /// When the lab reported it; now when left out.
    pub resulted_at: Option<DateTime<Utc>>,
}

#[utoipa::path(post, path = "/api/v1/lab-results", tag = "clinical", request_body = LabResultInput,
    responses((status = 201, body = LabResult), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "UNKNOWN_PATIENT: no such active patient among the caller's; VALIDATION_ERROR")),
    security(("bearer" = [])))]
pub async fn create_lab_result(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<LabResultInput>,
) -> ApiResult<(StatusCode, Json<LabResult>)> {
    caller.require(&state, Permission::LabResultWrite).await?;
    let mut problems = Vec::new();
    let mut text = |field: &str, v: Option<&str>, required: bool, max: usize| match v.map(str::trim)
    {
        None | Some("") if required => {
            problems.push((field.to_string(), "is required".to_string()))
        }
        Some(s) if s.len() > max => problems.push((
            field.to_string(),
            format!("must be at most {max} characters"),
        )),
        _ => {}
    };
    text("test_name", Some(&body.test_name), true, 200);
    text("value", Some(&body.value), true, 200);
    text("unit", body.unit.as_deref(), false, 40);
    text(
        "reference_range",
        body.reference_range.as_deref(),
        false,
        100,
    );
    let resulted_at = body.resulted_at.unwrap_or(caller.now);
    if body.collected_at > caller.now + chrono::Duration::minutes(5) {
        problems.push(("collected_at".into(), "must not be in the future".into()));
    }
    if resulted_at < body.collected_at {
        problems.push((
            "resulted_at".into(),
            "must not be before collected_at".into(),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let r = lab_results::create(
        &state.store,
        &caller.actor,
        NewLabResult {
            patient_id: body.patient_id,
            test_name: body.test_name.trim().to_string(),
            value: body.value.trim().to_string(),
            unit: body.unit.map(|u| u.trim().to_string()),
            reference_range: body.reference_range.map(|r| r.trim().to_string()),
            flag: body.flag,
            collected_at: body.collected_at,
            resulted_at,
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::C, "lab result entered")
                .entity("lab_result", r.id)
                .entity("patient", r.patient_id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(r)))
}
