//! Prior authorizations on the dashboard: the list (with the payer's answer as it arrives),
//! drafting one (payer, member id, CPT/HCPCS and ICD-10 codes, each refusal shown at its
//! field in the API's words), submitting a draft to the payer, and recording the payer's
//! approval (or its renewal) with its last valid day. Every read and change is the API
//! handler's own; the list is paged and refreshes itself when a request is drafted or moves
//! (the payer's answer and an expiry included).

use super::shell::Shell;
use super::{Staff, WebError, form};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::prior_auth as api;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::Permission;
use careline_domain::clinical::PriorAuthStatus;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

pub struct AuthRow {
    pub id: Uuid,
    pub created: String,
    pub patient: String,
    pub patient_id: Uuid,
    pub payer: String,
    pub procedures: String,
    pub diagnoses: String,
    pub status: &'static str,
    pub reference: String,
    pub draft: bool,
    /// The last valid day, as shown (empty when none).
    pub valid_until: String,
    /// An approval may be recorded (submitted, pended) or renewed (approved, expired).
    pub approvable: bool,
    /// A refused approval of this row: the date as typed and the API's words.
    pub approval_typed: String,
    pub approval_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "prior_auths.html")]
struct ListPage {
    shell: Shell,
    status: String,
    page: u64,
    pages: u64,
    filter_query: String,
    statuses: Vec<&'static str>,
    rows: Vec<AuthRow>,
    total: u64,
    can_write: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub status: Option<String>,
    pub page: Option<u64>,
}

/// GET /prior-authorizations?status=
pub async fn list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> Result<Response, WebError> {
    render_list(&state, &caller, q, None).await
}

/// A refused approval: the row, the date as typed, what is wrong.
struct Refusal {
    id: Uuid,
    typed: String,
    message: String,
}

async fn render_list(
    state: &AppState,
    caller: &Caller,
    q: ListQuery,
    refusal: Option<Refusal>,
) -> Result<Response, WebError> {
    let state = state.clone();
    let caller = caller.clone();
    let shell = Shell::load(&state, &caller, "/prior-authorizations").await?;
    let status = form::blank(q.status)
        .filter(|s| PriorAuthStatus::parse(s).is_some())
        .unwrap_or_default();
    let page = api::list::list_prior_authorizations(
        State(state.clone()),
        caller.clone(),
        ApiQuery(api::list::PriorAuthQuery {
            status: form::filled(&status),
            patient_id: None,
            page: q.page,
            per_page: Some(super::requests::PER_PAGE),
        }),
    )
    .await?
    .0;
    let tz = super::clinical::zone_of(&state, &caller).await?;
    let names = super::clinical::patient_names(
        &state,
        &caller,
        page.items.iter().map(|p| p.patient_id).collect(),
        "patient names shown on the prior authorizations",
    )
    .await?;
    let rows = page
        .items
        .iter()
        .map(|p| AuthRow {
            id: p.id,
            created: super::time::when_in(p.created_at, tz),
            patient: names.get(&p.patient_id).cloned().unwrap_or_default(),
            patient_id: p.patient_id,
            payer: p.payer.clone(),
            procedures: p.procedure_codes.expose().join(", "),
            diagnoses: p.icd10_codes.expose().join(", "),
            status: p.status.as_str(),
            reference: p.payer_reference.clone().unwrap_or_default(),
            draft: p.status == PriorAuthStatus::Draft,
            valid_until: p
                .valid_until
                .map(|d| d.format("%b %-d, %Y").to_string())
                .unwrap_or_default(),
            approvable: !matches!(p.status, PriorAuthStatus::Draft | PriorAuthStatus::Denied),
            approval_typed: refusal
                .as_ref()
                .filter(|r| r.id == p.id)
                .map(|r| r.typed.clone())
                .unwrap_or_default(),
            approval_error: refusal
                .as_ref()
                .filter(|r| r.id == p.id)
                .map(|r| r.message.clone())
                .unwrap_or_default(),
        })
        .collect();
    let filter_query =
        serde_urlencoded::to_string([("status", status.as_str())]).unwrap_or_default();
    let page = ListPage {
        shell,
        status,
        page: page.page,
        pages: form::page_count(&page),
        filter_query,
        statuses: [
            PriorAuthStatus::Draft,
            PriorAuthStatus::Submitted,
            PriorAuthStatus::Pended,
            PriorAuthStatus::Approved,
            PriorAuthStatus::Denied,
            PriorAuthStatus::Expired,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect(),
        rows,
        total: page.total,
        can_write: caller.actor.can(Permission::PriorAuthWrite),
    };
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

/// The form as typed: codes are one text field each, split on commas and spaces.
#[derive(Deserialize, Default)]
pub struct DraftForm {
    #[serde(default)]
    pub patient_id: String,
    #[serde(default)]
    pub payer: String,
    #[serde(default)]
    pub member_id: String,
    #[serde(default)]
    pub procedure_codes: String,
    #[serde(default)]
    pub icd10_codes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "prior_auth_new.html")]
struct NewPage {
    shell: Shell,
    form: DraftForm,
    patients: Vec<(Uuid, String)>,
    /// Field → the API's words about it.
    errors: BTreeMap<String, String>,
    general: Vec<String>,
}

impl NewPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

async fn render(
    state: &AppState,
    caller: &Caller,
    form: DraftForm,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let shell = Shell::load(state, caller, "/prior-authorizations").await?;
    let page = NewPage {
        shell,
        patients: super::patients::choices(state, caller).await?,
        form,
        errors,
        general,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub patient: Option<String>,
}

/// GET /prior-authorizations/new[?patient=]
pub async fn new_page(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> Result<Response, WebError> {
    caller.require(&state, Permission::PriorAuthWrite).await?;
    let form = DraftForm {
        patient_id: form::blank(q.patient).unwrap_or_default(),
        ..Default::default()
    };
    render(
        &state,
        &caller,
        form,
        BTreeMap::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// The form's field for one of the API's (`procedure_codes[1]` is the procedure codes field).
fn form_field(api: &str) -> Option<&'static str> {
    let base = api.split('[').next().unwrap_or(api);
    [
        "patient_id",
        "payer",
        "member_id",
        "procedure_codes",
        "icd10_codes",
    ]
    .into_iter()
    .find(|f| *f == base)
}

fn codes(v: &str) -> Vec<String> {
    v.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// POST /prior-authorizations/new: draft it; on a refusal the form again, each problem at its
/// field.
pub async fn create(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::Form(f): axum::Form<DraftForm>,
) -> Result<Response, WebError> {
    let Ok(patient_id) = f.patient_id.trim().parse::<Uuid>() else {
        let errors = BTreeMap::from([("patient_id".to_string(), "choose a patient".to_string())]);
        return render(
            &state,
            &caller,
            f,
            errors,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let body = api::create::PriorAuthInput {
        patient_id,
        payer: f.payer.clone(),
        member_id: f.member_id.clone(),
        procedure_codes: codes(&f.procedure_codes),
        icd10_codes: codes(&f.icd10_codes),
    };
    match api::create::create_prior_authorization(
        State(state.clone()),
        caller.clone(),
        ApiJson(body),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/prior-authorizations?status=draft").into_response()),
        Err(e) if e.status.is_client_error() && !matches!(e.status.as_u16(), 401 | 403) => {
            let mut errors = BTreeMap::new();
            let mut general = Vec::new();
            let fields = e.details["fields"].as_array().cloned().unwrap_or_default();
            for x in &fields {
                let (api, message) = (
                    x["field"].as_str().unwrap_or(""),
                    x["message"].as_str().unwrap_or("").to_string(),
                );
                match form_field(api) {
                    // Several bad codes in one field: each is named in its message.
                    Some(field) => {
                        errors
                            .entry(field.to_string())
                            .and_modify(|m: &mut String| {
                                m.push_str("; ");
                                m.push_str(&message)
                            })
                            .or_insert(message);
                    }
                    None => general.push(format!("{api} {message}")),
                }
            }
            if fields.is_empty() {
                // UNKNOWN_PATIENT and the like: about the patient chosen.
                if e.code == "UNKNOWN_PATIENT" {
                    errors.insert("patient_id".into(), e.message.clone());
                } else {
                    general.push(e.message.clone());
                }
            }
            render(&state, &caller, f, errors, general, e.status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct ApprovalForm {
    #[serde(default)]
    pub valid_until: String,
}

/// POST /prior-authorizations/{id}/approval: record the payer's approval (or its renewal)
/// with its last valid day; a refused date is shown at its row's field, as typed.
pub async fn approve(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<ApprovalForm>,
) -> Result<Response, WebError> {
    let body = api::approve::ApprovalInput {
        valid_until: form::blank(Some(f.valid_until.clone())),
    };
    match api::approve::approve_prior_authorization(
        State(state.clone()),
        caller.clone(),
        ApiPath(id),
        ApiJson(body),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/prior-authorizations#auth-{id}")).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let message = e.details["fields"]
                .as_array()
                .and_then(|f| f.first())
                .and_then(|x| x["message"].as_str())
                .map(|m| format!("valid until {m}"))
                .unwrap_or_else(|| e.message.clone());
            let refusal = Refusal {
                id,
                typed: f.valid_until,
                message,
            };
            render_list(&state, &caller, ListQuery::default(), Some(refusal)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /prior-authorizations/{id}/submit: hand a draft to the payer.
pub async fn submit(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Result<Response, WebError> {
    let _submitted =
        api::submit::submit_prior_authorization(State(state), caller, ApiPath(id)).await?;
    Ok(Redirect::to(&format!("/prior-authorizations#auth-{id}")).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_apis_fields_map_to_the_forms() {
        assert_eq!(
            super::form_field("procedure_codes[1]"),
            Some("procedure_codes")
        );
        assert_eq!(super::form_field("icd10_codes"), Some("icd10_codes"));
        assert_eq!(super::form_field("payer"), Some("payer"));
        assert_eq!(super::form_field("body"), None);
        assert_eq!(
            super::codes(" 67028, J2778  0330T"),
            ["67028", "J2778", "0330T"]
        );
    }
}
