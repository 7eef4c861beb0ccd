//! POST /api/v1/ivrs — draft a verification request (optionally from a template).

use super::{ProductLine, diagnosis_codes, invalid, priority, product_lines, short_text};
use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::verification::{self, VerificationInput, VerificationRequest};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationCreate {
    pub patient_id: Uuid,
    /// e.g. "wound care authorization"
    pub service_type: Option<String>,
    /// routine (default) or urgent
    pub priority: Option<String>,
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
    pub medical_justification: Option<String>,
    pub doctor_comment: Option<String>,
    pub facility_id: Option<Uuid>,
    /// Fills service type, diagnosis codes and justification when they are not given.
    pub template_id: Option<Uuid>,
    #[serde(default)]
    pub products: Vec<ProductLine>,
}

#[utoipa::path(post, path = "/api/v1/ivrs", tag = "verification requests", request_body = VerificationCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = VerificationRequest), (status = 409, body = crate::api::ErrorBody, description = "PATIENT_ARCHIVED"), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn create_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<VerificationCreate>,
) -> ApiResult<(StatusCode, Json<VerificationRequest>)> {
    caller
        .require(&state, Permission::VerificationCreate)
        .await?;
    let template = match b.template_id {
        Some(t) => Some(verification::template(&state.store, t).await.map_err(|_| {
            crate::api::error::ApiError::validation(vec![(
                "template_id".into(),
                "no such template".into(),
            )])
        })?),
        None => None,
    };
    let mut problems = Vec::new();
    let service_type = b
        .service_type
        .clone()
        .or_else(|| template.as_ref().map(|t| t.service_type.clone()))
        .unwrap_or_else(|| "wound care authorization".into());
    short_text("service_type", &service_type, 200, &mut problems);
    let prio = priority(&b.priority, &mut problems).unwrap_or_else(|| "routine".into());
    let codes = if b.diagnosis_codes.is_empty() {
        template
            .as_ref()
            .map(|t| t.default_diagnosis_codes.clone())
            .unwrap_or_default()
    } else {
        b.diagnosis_codes.clone()
    };
    let codes = diagnosis_codes(&codes, &mut problems);
    let justification = b.medical_justification.clone().or_else(|| {
        template
            .as_ref()
            .and_then(|t| t.justification_template.clone())
    });
    if justification
        .as_deref()
        .is_some_and(|j| j.chars().count() > 20_000)
    {
        problems.push((
            "medical_justification".into(),
            "must be at most 20000 characters".into(),
        ));
    }
    invalid(problems)?;
    let vr = verification::create(
        &state.store,
        &caller.actor,
        VerificationInput {
            patient_id: b.patient_id,
            service_type,
            priority: prio,
            diagnosis_codes: codes,
            medical_justification: justification,
            doctor_comment: b.doctor_comment,
            facility_id: b.facility_id,
            template_id: b.template_id,
            products: product_lines(b.products),
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::C,
                    "verification request created",
                )
                .entity("verification_request", vr.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(vr)))
}
