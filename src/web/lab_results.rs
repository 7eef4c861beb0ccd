//! The clinical part of a patient's page: their lab results (flag, status, and the release a
//! provider gives before the phone may mention one), recording a new result, and their
//! medications with a refill request taken for one. Every read and change is the API
//! handler's own, so permissions, scoping and audit are the API's. A refused result comes
//! back as the patient's page with the form open, each problem at its field in the API's words
//! and what was typed kept. Times are in the practice's own time zone.

use super::{Staff, WebError, form};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::Permission;
use careline_domain::clinical::{LabFlag, LabResultStatus};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

pub struct LabRow {
    pub id: Uuid,
    pub test: String,
    pub value: String,
    pub range: String,
    pub flag: &'static str,
    /// The tag's class: ok, bad or urgent.
    pub flag_class: &'static str,
    pub status: &'static str,
    pub collected: String,
    pub resulted: String,
    pub can_release: bool,
}

pub struct MedicationRow {
    pub id: Uuid,
    pub name: String,
    pub sig: String,
    pub supply: String,
    pub refills: String,
    pub last_filled: String,
    pub prescriber: String,
    pub controlled: String,
}

/// What the patient page shows of the patient's clinical record, per the caller's permissions.
pub struct Section {
    pub labs: Option<Vec<LabRow>>,
    pub medications: Option<Vec<MedicationRow>>,
    pub can_record: bool,
    pub can_request_refill: bool,
    pub flags: Vec<&'static str>,
    /// The "record a lab result" form: blank (collected now, in the practice's zone), or as
    /// typed when it was refused, with the problems.
    pub lab: LabAttempt,
}

/// The "record a lab result" form as typed, and what the API said about it: field → its words,
/// and problems that belong to no field (the patient no longer active…).
#[derive(Default)]
pub struct LabAttempt {
    pub form: LabForm,
    pub errors: BTreeMap<String, String>,
    pub general: Vec<String>,
}

impl LabAttempt {
    pub fn refused(&self) -> bool {
        !self.errors.is_empty() || !self.general.is_empty()
    }
}

impl Section {
    pub fn is_empty(&self) -> bool {
        self.labs.is_none() && self.medications.is_none()
    }

    /// The problem with one field of the lab result form ("" when none).
    pub fn lab_err(&self, field: &str) -> &str {
        self.lab.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

/// The patient's results and medications, each only for roles whose permission the API's
/// list checks (a receptionist sees neither).
/// `attempt`: a refused lab result form to show again (else a blank one).
pub async fn section(
    state: &AppState,
    caller: &Caller,
    patient: Uuid,
    active: bool,
    attempt: Option<LabAttempt>,
) -> Result<Section, WebError> {
    let can = |p| caller.actor.can(p);
    let tz = super::clinical::zone_of_patient(state, caller, patient).await?;
    let at = |t: DateTime<Utc>| super::time::when_in(t, tz);
    let s = || State(state.clone());
    let labs = if can(Permission::LabResultRead) {
        let results =
            crate::api::lab_results::list::list_lab_results(s(), caller.clone(), ApiPath(patient))
                .await?
                .0;
        let release = can(Permission::LabResultRelease);
        Some(
            results
                .iter()
                .map(|r| LabRow {
                    id: r.id,
                    test: r.test_name.expose().clone(),
                    value: match &r.unit {
                        Some(u) => format!("{} {u}", r.value.expose()),
                        None => r.value.expose().clone(),
                    },
                    range: r
                        .reference_range
                        .as_ref()
                        .map(|x| x.expose().clone())
                        .unwrap_or_default(),
                    flag: r.flag.as_str(),
                    flag_class: match r.flag {
                        LabFlag::Normal => "ok",
                        LabFlag::Abnormal => "bad",
                        LabFlag::Critical => "urgent",
                    },
                    status: match r.status {
                        LabResultStatus::PendingReview => "pending review",
                        LabResultStatus::Released => "released",
                    },
                    collected: at(r.collected_at),
                    resulted: at(r.resulted_at),
                    can_release: release && r.status == LabResultStatus::PendingReview,
                })
                .collect(),
        )
    } else {
        None
    };
    let medications = if can(Permission::MedicationRead) {
        let meds =
            crate::api::medications::list::list_medications(s(), caller.clone(), ApiPath(patient))
                .await?
                .0;
        Some(
            meds.iter()
                .map(|m| MedicationRow {
                    id: m.id,
                    name: m.name.expose().clone(),
                    sig: m
                        .sig
                        .as_ref()
                        .map(|x| x.expose().clone())
                        .unwrap_or_default(),
                    supply: match (m.quantity, m.days_supply) {
                        (Some(q), Some(d)) => format!("{q} for {d} days"),
                        (None, Some(d)) => format!("{d} days"),
                        (Some(q), None) => q.to_string(),
                        (None, None) => String::new(),
                    },
                    refills: m
                        .refills_remaining
                        .map(|r| r.to_string())
                        .unwrap_or_default(),
                    last_filled: m.last_filled_on.map(|d| d.to_string()).unwrap_or_default(),
                    prescriber: m.prescriber.clone().unwrap_or_default(),
                    controlled: match (m.controlled_substance, m.dea_schedule) {
                        (true, Some(s)) => format!("Controlled substance, schedule {}", s.as_str()),
                        (true, None) => "Controlled substance".into(),
                        _ => String::new(),
                    },
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(Section {
        labs,
        medications,
        can_record: active && can(Permission::LabResultWrite),
        can_request_refill: active && can(Permission::RefillRequest),
        flags: LabFlag::ALL.iter().map(|f| f.as_str()).collect(),
        lab: attempt.unwrap_or_else(|| LabAttempt {
            form: LabForm {
                flag: LabFlag::Normal.as_str().into(),
                collected_at: caller
                    .now
                    .with_timezone(&tz)
                    .format("%Y-%m-%dT%H:%M")
                    .to_string(),
                ..Default::default()
            },
            ..Default::default()
        }),
    })
}

#[derive(Deserialize, Default, Clone)]
pub struct LabForm {
    #[serde(default)]
    pub test_name: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub reference_range: String,
    #[serde(default)]
    pub flag: String,
    /// A `datetime-local` input: the practice's wall clock.
    #[serde(default)]
    pub collected_at: String,
}

/// The form's field for one of the API's (`resulted_at` is not on the form).
fn form_field(api: &str) -> Option<&'static str> {
    [
        "test_name",
        "value",
        "unit",
        "reference_range",
        "flag",
        "collected_at",
    ]
    .into_iter()
    .find(|f| *f == api)
}

/// POST /patients/{id}/lab-results: record a result (POST /api/v1/lab-results). A refusal
/// shows the patient's page again with the form as typed and each problem at its field.
pub async fn record(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(patient): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<LabForm>,
) -> Result<Response, WebError> {
    let mut attempt = LabAttempt {
        form: f,
        ..Default::default()
    };
    let flag = LabFlag::parse(attempt.form.flag.trim());
    if flag.is_none() {
        attempt
            .errors
            .insert("flag".into(), "must be normal, abnormal or critical".into());
    }
    let tz = super::clinical::zone_of_patient(&state, &caller, patient).await?;
    let collected_at =
        NaiveDateTime::parse_from_str(attempt.form.collected_at.trim(), "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc));
    if collected_at.is_none() {
        attempt
            .errors
            .insert("collected_at".into(), "must be a date and time".into());
    }
    let (Some(flag), Some(collected_at)) = (flag, collected_at) else {
        return super::patients::render_detail(
            &state,
            &caller,
            patient,
            Some(attempt),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let f = &attempt.form;
    let input = crate::api::lab_results::create::LabResultInput {
        patient_id: patient,
        test_name: f.test_name.clone(),
        value: f.value.clone(),
        unit: form::filled(&f.unit),
        reference_range: form::filled(&f.reference_range),
        flag,
        collected_at,
        resulted_at: None,
    };
    match crate::api::lab_results::create::create_lab_result(
        State(state.clone()),
        caller.clone(),
        ApiJson(input),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/patients/{patient}#lab-results")).into_response()),
        Err(e) if e.status.is_client_error() && !matches!(e.status.as_u16(), 401 | 403 | 404) => {
            let fields = e.details["fields"].as_array().cloned().unwrap_or_default();
            for x in &fields {
                let api = x["field"].as_str().unwrap_or("");
                let message = x["message"].as_str().unwrap_or("").to_string();
                match form_field(api) {
                    Some(field) => {
                        attempt
                            .errors
                            .entry(field.to_string())
                            .and_modify(|m: &mut String| {
                                m.push_str("; ");
                                m.push_str(&message)
                            })
                            .or_insert(message);
                    }
                    None => attempt.general.push(format!("{api} {message}")),
                }
            }
            if fields.is_empty() {
                // UNKNOWN_PATIENT (archived meanwhile) and the like.
                attempt.general.push(e.message.clone());
            }
            super::patients::render_detail(&state, &caller, patient, Some(attempt), e.status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /lab-results/{id}/release: a provider releases a result; back to the patient's page.
pub async fn release(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Result<Response, WebError> {
    let r = crate::api::lab_results::release::release_lab_result(State(state), caller, ApiPath(id))
        .await?
        .0;
    Ok(Redirect::to(&format!("/patients/{}#lab-result-{id}", r.patient_id)).into_response())
}

#[derive(Deserialize, Default)]
pub struct RefillForm {
    #[serde(default)]
    pub medication_id: String,
    #[serde(default)]
    pub note: String,
}

/// POST /patients/{id}/refill-requests: take a refill request for one of the patient's
/// medications; it goes to their provider. Those who see the queue land on it.
pub async fn request_refill(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(patient): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<RefillForm>,
) -> Result<Response, WebError> {
    let medication_id = f
        .medication_id
        .trim()
        .parse()
        .map_err(|_| form::invalid("medication_id", "choose a medication"))?;
    let sees_queue = caller.actor.can(Permission::RefillRead);
    let (_, r) = crate::api::refills::create::create_refill_request(
        State(state),
        caller,
        ApiJson(crate::api::refills::create::RefillInput {
            patient_id: patient,
            medication_id,
            note: form::filled(&f.note),
        }),
    )
    .await?;
    Ok(if sees_queue {
        Redirect::to(&format!("/refills?status=pending#refill-{}", r.0.id))
    } else {
        Redirect::to(&format!("/patients/{patient}#medications"))
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_apis_fields_map_to_the_forms() {
        assert_eq!(super::form_field("collected_at"), Some("collected_at"));
        assert_eq!(super::form_field("test_name"), Some("test_name"));
        assert_eq!(super::form_field("resulted_at"), None);
    }
}
