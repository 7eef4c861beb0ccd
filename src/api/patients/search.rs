//! GET /api/v1/patients/search — by phone, by date of birth + last name, or by patient number.
//! Exact matches through blind indexes; the search terms are never logged or audited.

use super::Problems;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{DateOfBirth, Permission, PersonName, PhoneNumber};
use careline_store::patients::{self, Patient, PatientSearch};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    pub phone: Option<String>,
    /// YYYY-MM-DD; requires last_name.
    pub date_of_birth: Option<String>,
    pub last_name: Option<String>,
    pub patient_number: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/patients/search", tag = "patients", params(SearchQuery),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Patient>), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn search_patients(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<Vec<Patient>>> {
    caller.require(&state, Permission::PatientRead).await?;
    let mut p = Problems::default();
    let (by, kind) = if let Some(phone) = &q.phone {
        (
            p.take(PhoneNumber::parse(phone), "phone")
                .map(PatientSearch::Phone),
            "phone",
        )
    } else if let Some(n) = &q.patient_number {
        let n = n.trim();
        if n.is_empty() || n.len() > 20 || !n.bytes().all(|b| b.is_ascii_digit()) {
            p.push(
                "patient_number",
                "must be the patient's number: digits only",
            );
        }
        (
            Some(PatientSearch::PatientNumber(n.to_string())),
            "patient_number",
        )
    } else if let (Some(d), Some(l)) = (&q.date_of_birth, &q.last_name) {
        let d = p.take(
            DateOfBirth::parse_on(d, caller.now.date_naive()),
            "date_of_birth",
        );
        let l = p.take(PersonName::parse(l), "last_name");
        (
            d.zip(l).map(|(d, l)| PatientSearch::DobLastName(d, l)),
            "date_of_birth+last_name",
        )
    } else {
        return Err(ApiError::validation(vec![(
            "query".into(),
            "give phone, patient_number, or date_of_birth with last_name".into(),
        )]));
    };
    p.finish()?;
    let by = by.ok_or_else(|| ApiError::validation(vec![("query".into(), "invalid".into())]))?;
    let found = patients::search(&state.store, &caller.actor, &by).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("patient search by {kind}: {} found", found.len()),
                )
                .entity("patient", "*"),
        )
        .await?;
    Ok(Json(found))
}
