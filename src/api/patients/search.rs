//! POST /api/v1/patients/search (terms in a JSON body) and the older GET with the same terms
//! in the query string — by phone, by date of birth + last name, or by patient number. Exact
//! matches through blind indexes; the search terms are never logged or audited. The GET is
//! kept for existing clients but deprecated: a query string is PHI in every proxy and access
//! log, and in a browser's history.

use super::Problems;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Caller};
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

/// The same terms as a JSON body (for `POST /api/v1/patients/search`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    /// Any common form of a phone number; compared in E.164.
    pub phone: Option<String>,
    /// YYYY-MM-DD; requires last_name.
    pub date_of_birth: Option<String>,
    pub last_name: Option<String>,
    pub patient_number: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/patients/search", tag = "patients", request_body = SearchBody,
    description = "Find patients by phone, by date of birth with last name, or by patient number (exact matches). \
        The terms travel in the body, so they stay out of URLs and the logs that keep them. Audited as a search \
        (the terms are not recorded).",
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Patient>), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: no usable search, or a term that does not parse (the field is named)")),
    security(("bearer" = [])))]
pub async fn search_patients_by_body(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<SearchBody>,
) -> ApiResult<Json<Vec<Patient>>> {
    let q = SearchQuery {
        phone: b.phone,
        date_of_birth: b.date_of_birth,
        last_name: b.last_name,
        patient_number: b.patient_number,
    };
    search(&state, &caller, q).await
}

#[utoipa::path(get, path = "/api/v1/patients/search", tag = "patients", params(SearchQuery),
    description = "Deprecated: use `POST /api/v1/patients/search` with the same terms in a JSON body. The terms here \
        are PHI (a phone number, a date of birth, a name) in the query string, which proxies, access logs and \
        browser histories keep. Answers exactly as the POST does.",
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Patient>), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
#[deprecated = "PHI in the query string: use search_patients_by_body (POST /api/v1/patients/search)"]
pub async fn search_patients(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<Vec<Patient>>> {
    search(&state, &caller, q).await
}

/// The search both routes (and the dashboard's search form) run: the permission check, the
/// terms' validation, the scoped lookup and its audit record.
pub async fn search(
    state: &AppState,
    caller: &Caller,
    q: SearchQuery,
) -> ApiResult<Json<Vec<Patient>>> {
    caller.require(state, Permission::PatientRead).await?;
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
