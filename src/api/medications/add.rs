//! POST /api/v1/patients/{id}/medications — add a medication to the patient's list.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::medications::{self, Medication, NewMedication};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MedicationInput {
    /// PHI (`Latanoprost 0.005% ophthalmic solution`).
    pub name: String,
    /// The RxNorm concept (RXCUI), digits.
    pub rxnorm_code: Option<String>,
    /// Dose and directions (`1 drop in each eye at bedtime`).
    pub sig: Option<String>,
    pub quantity: Option<i32>,
    pub days_supply: Option<i32>,
    pub refills_remaining: Option<i32>,
    pub last_filled_on: Option<NaiveDate>,
    pub prescriber: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/patients/{id}/medications", tag = "clinical",
    params(("id" = Uuid, Path, description = "patient id")),
    request_body = MedicationInput,
    responses((status = 201, body = Medication), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PATIENT_NOT_FOUND: no such patient among the caller's"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR")),
    security(("bearer" = [])))]
pub async fn add_medication(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MedicationInput>,
) -> ApiResult<(StatusCode, Json<Medication>)> {
    caller.require(&state, Permission::MedicationWrite).await?;
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut bad = |f: &str, m: &str| problems.push((f.to_string(), m.to_string()));
    let name = body.name.trim();
    if name.is_empty() || name.len() > 200 {
        bad("name", "must be 1 to 200 characters");
    }
    if let Some(c) = body.rxnorm_code.as_deref().map(str::trim)
        && !c.is_empty()
        && (c.len() > 12 || !c.chars().all(|ch| ch.is_ascii_digit()))
    {
        bad("rxnorm_code", "must be an RxNorm concept id (digits)");
    }
    if body.sig.as_ref().is_some_and(|s| s.len() > 500) {
        bad("sig", "must be at most 500 characters");
    }
    if body.prescriber.as_ref().is_some_and(|s| s.len() > 200) {
        bad("prescriber", "must be at most 200 characters");
    }
    if body.quantity.is_some_and(|q| !(1..=10_000).contains(&q)) {
        bad("quantity", "must be from 1 to 10000");
    }
    if body.days_supply.is_some_and(|d| !(1..=365).contains(&d)) {
        bad("days_supply", "must be from 1 to 365 days");
    }
    if body
        .refills_remaining
        .is_some_and(|r| !(0..=99).contains(&r))
    {
        bad("refills_remaining", "must be from 0 to 99");
    }
    if body
        .last_filled_on
        .is_some_and(|d| d > caller.now.date_naive() + chrono::Duration::days(1))
    {
        bad("last_filled_on", "must not be in the future");
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let m = medications::add(
        &state.store,
        &caller.actor,
        id,
        NewMedication {
            name: name.to_string(),
            rxnorm_code: body.rxnorm_code,
            sig: body.sig,
            quantity: body.quantity,
            days_supply: body.days_supply,
            refills_remaining: body.refills_remaining,
            last_filled_on: body.last_filled_on,
            prescriber: body.prescriber,
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::C, "medication added")
                .entity("medication", m.id)
                .entity("patient", id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}
