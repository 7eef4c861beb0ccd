//! POST /api/v1/prior-authorizations — draft a prior authorization request.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{CptCode, HcpcsCode, Icd10Code, Permission};
use careline_store::prior_auth::{self, NewPriorAuth, PriorAuthorization};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorAuthInput {
    pub patient_id: Uuid,
    /// The payer's name (`Blue Cross Blue Shield of Texas`).
    pub payer: String,
    /// PHI: the patient's member id with the payer.
    pub member_id: String,
    /// CPT (`67028`, `0330T`) or HCPCS Level II (`J2778`) codes: at least one.
    pub procedure_codes: Vec<String>,
    /// ICD-10-CM codes (`H35.3211`): at least one.
    pub icd10_codes: Vec<String>,
}

/// A procedure code: CPT, else HCPCS Level II (a letter and four digits).
fn procedure_code(s: &str) -> Option<String> {
    if let Ok(c) = CptCode::parse(s) {
        return Some(c.as_str().to_string());
    }
    HcpcsCode::parse(s)
        .ok()
        .filter(|c| c.as_str().starts_with(|ch: char| ch.is_ascii_uppercase()))
        .map(|c| c.as_str().to_string())
}

#[utoipa::path(post, path = "/api/v1/prior-authorizations", tag = "clinical", request_body = PriorAuthInput,
    responses((status = 201, body = PriorAuthorization, description = "Drafted; submit it to send it to the payer"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 422, body = crate::api::ErrorBody, description = "UNKNOWN_PATIENT: no such active patient among the caller's; VALIDATION_ERROR: each bad code is named (procedure_codes[1], icd10_codes[0])")),
    security(("bearer" = [])))]
pub async fn create_prior_authorization(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PriorAuthInput>,
) -> ApiResult<(StatusCode, Json<PriorAuthorization>)> {
    caller.require(&state, Permission::PriorAuthWrite).await?;
    let mut problems: Vec<(String, String)> = Vec::new();
    let payer = body.payer.trim();
    if payer.is_empty() || payer.len() > 200 {
        problems.push(("payer".into(), "must be 1 to 200 characters".into()));
    }
    let member = body.member_id.trim();
    if member.is_empty() || member.len() > 64 {
        problems.push(("member_id".into(), "must be 1 to 64 characters".into()));
    }
    if body.procedure_codes.is_empty() || body.procedure_codes.len() > 20 {
        problems.push((
            "procedure_codes".into(),
            "must list 1 to 20 CPT or HCPCS codes".into(),
        ));
    }
    if body.icd10_codes.is_empty() || body.icd10_codes.len() > 20 {
        problems.push((
            "icd10_codes".into(),
            "must list 1 to 20 ICD-10 codes".into(),
        ));
    }
    let mut procedures = Vec::new();
    for (i, c) in body.procedure_codes.iter().enumerate() {
        match procedure_code(c) {
            Some(code) => procedures.push(code),
            None => problems.push((
                format!("procedure_codes[{i}]"),
                format!(
                    "'{}' is not a CPT code (five digits, or four and F or T) or a HCPCS code (a letter and four digits)",
                    c.trim()
                ),
            )),
        }
    }
    let mut diagnoses = Vec::new();
    for (i, c) in body.icd10_codes.iter().enumerate() {
        match Icd10Code::parse(c) {
            Ok(code) => diagnoses.push(code.as_str().to_string()),
            Err(e) => problems.push((format!("icd10_codes[{i}]"), e.message)),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let p = prior_auth::create(
        &state.store,
        &caller.actor,
        NewPriorAuth {
            patient_id: body.patient_id,
            payer: payer.to_string(),
            member_id: member.to_string(),
            procedure_codes: procedures,
            icd10_codes: diagnoses,
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
                    "prior authorization drafted",
                )
                .entity("prior_authorization", p.id)
                .entity("patient", p.patient_id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}
