//! PUT /api/v1/ivrs/{id} — edit a draft, or a request sent back for more information.

use super::{ProductLine, diagnosis_codes, invalid, priority, product_lines, short_text};
use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::verification::{self, VerificationPatch, VerificationRequest};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationUpdate {
    pub service_type: Option<String>,
    pub priority: Option<String>,
    pub diagnosis_codes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::api::patients::present")]
    #[schema(value_type = Option<String>)]
    pub medical_justification: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::patients::present")]
    #[schema(value_type = Option<String>)]
    pub doctor_comment: Option<Option<String>>,
    /// Replaces the product list.
    pub products: Option<Vec<ProductLine>>,
}

#[utoipa::path(put, path = "/api/v1/ivrs/{id}", tag = "verification requests", request_body = VerificationUpdate,
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "not found, or outside the caller's scope"), (status = 200, body = VerificationRequest), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<VerificationUpdate>,
) -> ApiResult<Json<VerificationRequest>> {
    caller
        .require(&state, Permission::VerificationCreate)
        .await?;
    let mut problems = Vec::new();
    if let Some(s) = &b.service_type {
        short_text("service_type", s, 200, &mut problems);
    }
    let prio = priority(&b.priority, &mut problems);
    let codes = b
        .diagnosis_codes
        .as_ref()
        .map(|c| diagnosis_codes(c, &mut problems));
    invalid(problems)?;
    let vr = verification::update(
        &state.store,
        &caller.actor,
        id,
        VerificationPatch {
            service_type: b.service_type,
            priority: prio,
            diagnosis_codes: codes,
            medical_justification: b.medical_justification,
            doctor_comment: b.doctor_comment,
            products: b.products.map(product_lines),
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::U,
                    "verification request edited",
                )
                .entity("verification_request", id),
        )
        .await?;
    Ok(Json(vr))
}
