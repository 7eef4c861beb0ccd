//! Patient pages: search (by phone, date of birth with last name, or patient number, through
//! the blind indexes), the list, one patient with their requests and orders (and, at a
//! practice, their lab results and medications: `lab_results`), and editing.
//! PHI never travels in a URL (proxies log query strings): search terms are POSTed and the
//! results are the response to that POST; paths carry only ids. Every view is the API's
//! audited read.

use super::orders::OrderRow;
use super::requests::RequestRow;
use super::shell::Shell;
use super::{Staff, WebError, form};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::patients::{self as api, PatientUpdate};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::Permission;
use careline_domain::reminder::ReminderChannel;
use careline_store::patients::{Address, Patient};
use serde::Deserialize;
use uuid::Uuid;

pub struct PatientRow {
    pub id: Uuid,
    pub number: String,
    pub name: String,
    pub born: String,
    pub status: String,
}

impl PatientRow {
    fn of(p: &Patient) -> PatientRow {
        PatientRow {
            id: p.id,
            number: p.patient_number.clone(),
            name: format!("{}, {}", p.last_name.expose(), p.first_name.expose()),
            born: p.date_of_birth.expose().clone(),
            status: p.status.clone(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub patient_number: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "patients.html")]
struct ListPage {
    shell: Shell,
    form: SearchForm,
    searched: bool,
    error: String,
    rows: Vec<PatientRow>,
    total: u64,
    page: u64,
    pages: u64,
    filter_query: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub page: Option<u64>,
}

/// GET /patients: the search form and the patients the caller may see, a page at a time.
pub async fn list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/patients").await?;
    let query = api::list::ListQuery {
        page: q.page,
        per_page: Some(super::requests::PER_PAGE),
        include_archived: false,
    };
    let result = api::list::list_patients(State(state), caller, ApiQuery(query))
        .await?
        .0;
    Ok(ListPage {
        shell,
        form: SearchForm::default(),
        searched: false,
        error: String::new(),
        rows: result.items.iter().map(PatientRow::of).collect(),
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        filter_query: String::new(),
    }
    .into_response())
}

/// POST /patients/search: the API's search, answered in this response (no redirect that
/// would put the terms in a URL). A bad term is shown on the form, with what was typed.
pub async fn search(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::Form(form): axum::Form<SearchForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/patients").await?;
    let query = api::search::SearchQuery {
        phone: form::filled(&form.phone),
        date_of_birth: form::filled(&form.date_of_birth),
        last_name: form::filled(&form.last_name),
        patient_number: form::filled(&form.patient_number),
    };
    let (rows, error, status) = match api::search::search(&state, &caller, query).await {
        Ok(found) => (
            found.0.iter().map(PatientRow::of).collect(),
            String::new(),
            200,
        ),
        Err(e) if e.status.is_client_error() && e.status.as_u16() != 403 => {
            (Vec::new(), e.message, e.status.as_u16())
        }
        Err(e) => return Err(e.into()),
    };
    let total = rows.len() as u64;
    let page = ListPage {
        shell,
        form,
        searched: true,
        error,
        rows,
        total,
        page: 1,
        pages: 1,
        filter_query: String::new(),
    };
    let status = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "patient.html")]
struct DetailPage {
    shell: Shell,
    id: Uuid,
    number: String,
    name: String,
    facts: Vec<(&'static str, String)>,
    insurance: Vec<(String, String, String, bool)>,
    requests: Vec<RequestRow>,
    orders: Vec<OrderRow>,
    /// The wound-care sections, only for roles that work verification requests or orders (a
    /// practice's staff do not).
    show_requests: bool,
    show_orders: bool,
    can_write: bool,
    /// May start a verification request for this patient (the new request form, preselected).
    can_create: bool,
    archived: bool,
    /// Lab results and medications, for the roles that may read them.
    clinical: super::lab_results::Section,
}

/// GET /patients/{id}
pub async fn detail(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Result<Response, WebError> {
    render_detail(&state, &caller, id, None, axum::http::StatusCode::OK).await
}

/// The patient's page; `lab`: a refused lab result form to show again, with `status`.
pub(super) async fn render_detail(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    lab: Option<super::lab_results::LabAttempt>,
    status: axum::http::StatusCode,
) -> Result<Response, WebError> {
    let (state, caller) = (state.clone(), caller.clone());
    let shell = Shell::load(&state, &caller, "/patients").await?;
    let s = || State(state.clone());
    let p = api::get::get_patient(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    let requests = if caller.actor.can(Permission::VerificationRead) {
        let q = crate::api::ivrs::list::RequestQuery {
            patient_id: Some(id),
            page: Some(1),
            per_page: Some(50),
            ..Default::default()
        };
        crate::api::ivrs::list::list_requests(s(), caller.clone(), ApiQuery(q))
            .await?
            .0
            .items
    } else {
        Vec::new()
    };
    let orders = if caller.actor.can(Permission::OrderRead) {
        let q = crate::api::orders::list::OrderQuery {
            status: None,
            patient_id: Some(id),
            page: Some(1),
            per_page: Some(50),
        };
        crate::api::orders::list::list_orders(s(), caller.clone(), ApiQuery(q))
            .await?
            .0
            .items
    } else {
        Vec::new()
    };
    let opt = |v: &Option<careline_domain::Phi<String>>| {
        v.as_ref().map(|x| x.expose().clone()).unwrap_or_default()
    };
    let address = p
        .address
        .as_ref()
        .map(|a| {
            let a = a.expose();
            let line2 = a
                .line2
                .as_deref()
                .map(|l| format!(", {l}"))
                .unwrap_or_default();
            format!(
                "{}{line2}, {}, {} {}",
                a.line1, a.city, a.state, a.postal_code
            )
        })
        .unwrap_or_default();
    let page = DetailPage {
        shell,
        id,
        number: p.patient_number.clone(),
        name: format!("{} {}", p.first_name.expose(), p.last_name.expose()),
        facts: vec![
            ("Patient number", p.patient_number.clone()),
            ("Date of birth", p.date_of_birth.expose().clone()),
            ("Phone", opt(&p.phone)),
            ("Email", opt(&p.email)),
            ("Address", address),
            ("Preferred language", p.preferred_language.clone()),
            (
                "Appointment reminders by",
                match p.reminder_channel {
                    None => "the practice's default",
                    Some(ReminderChannel::Sms) => "text message",
                    Some(ReminderChannel::Voice) => "phone call",
                    Some(ReminderChannel::Email) => "email",
                    Some(ReminderChannel::None) => "no reminders",
                }
                .to_string()
                    + if p.sms_opted_out {
                        " (texts stopped: the patient answered STOP)"
                    } else {
                        ""
                    },
            ),
            (
                "Phone PIN set",
                if p.has_phone_pin { "yes" } else { "no" }.into(),
            ),
            ("Status", p.status.clone()),
            ("Clinical notes", opt(&p.clinical_notes)),
        ],
        insurance: p
            .insurance
            .iter()
            .map(|i| {
                (
                    i.payer_name.clone(),
                    i.plan_type.clone().unwrap_or_default(),
                    i.member_id.expose().clone(),
                    i.is_primary,
                )
            })
            .collect(),
        requests: RequestRow::list(&state, &requests, caller.now).await?,
        orders: orders.iter().map(OrderRow::of).collect(),
        show_requests: caller.actor.can(Permission::VerificationRead),
        show_orders: caller.actor.can(Permission::OrderRead),
        can_write: caller.actor.can(Permission::PatientWrite) && p.status == "active",
        can_create: caller.actor.can(Permission::VerificationCreate) && p.status == "active",
        archived: p.status != "active",
        clinical: super::lab_results::section(&state, &caller, id, p.status == "active", lab)
            .await?,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct EditForm {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub preferred_language: String,
    /// voice, sms, email, none, or empty for the practice's default.
    #[serde(default)]
    pub reminder_channel: String,
    #[serde(default)]
    pub clinical_notes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "patient_edit.html")]
struct EditPage {
    shell: Shell,
    id: Uuid,
    form: EditForm,
    error: String,
}

/// GET /patients/{id}/edit
pub async fn edit(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Result<Response, WebError> {
    caller.require(&state, Permission::PatientWrite).await?;
    let shell = Shell::load(&state, &caller, "/patients").await?;
    let p = api::get::get_patient(State(state), caller, ApiPath(id))
        .await?
        .0;
    let a = p.address.as_ref().map(|a| a.expose().clone());
    let opt = |v: &Option<careline_domain::Phi<String>>| {
        v.as_ref().map(|x| x.expose().clone()).unwrap_or_default()
    };
    let form = EditForm {
        first_name: p.first_name.expose().clone(),
        last_name: p.last_name.expose().clone(),
        date_of_birth: p.date_of_birth.expose().clone(),
        phone: opt(&p.phone),
        email: opt(&p.email),
        line1: a.as_ref().map(|a| a.line1.clone()).unwrap_or_default(),
        line2: a.as_ref().and_then(|a| a.line2.clone()).unwrap_or_default(),
        city: a.as_ref().map(|a| a.city.clone()).unwrap_or_default(),
        state: a.as_ref().map(|a| a.state.clone()).unwrap_or_default(),
        postal_code: a
            .as_ref()
            .map(|a| a.postal_code.clone())
            .unwrap_or_default(),
        preferred_language: p.preferred_language.clone(),
        reminder_channel: p
            .reminder_channel
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        clinical_notes: opt(&p.clinical_notes),
    };
    Ok(EditPage {
        shell,
        id,
        form,
        error: String::new(),
    }
    .into_response())
}

/// POST /patients/{id}: the API's update with every field of the form; a refusal shows the
/// form again with what was typed and the API's message.
pub async fn update(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::Form(form): axum::Form<EditForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/patients").await?;
    let address = if [&form.line1, &form.city, &form.state, &form.postal_code]
        .iter()
        .all(|v| v.trim().is_empty())
    {
        None
    } else {
        Some(Address {
            line1: form.line1.trim().to_string(),
            line2: form::filled(&form.line2),
            city: form.city.trim().to_string(),
            state: form.state.trim().to_string(),
            postal_code: form.postal_code.trim().to_string(),
        })
    };
    let body = PatientUpdate {
        first_name: Some(form.first_name.clone()),
        last_name: Some(form.last_name.clone()),
        date_of_birth: Some(form.date_of_birth.clone()),
        phone: Some(form::filled(&form.phone)),
        email: Some(form::filled(&form.email)),
        address: Some(address),
        clinical_notes: Some(form::filled(&form.clinical_notes)),
        preferred_language: form::filled(&form.preferred_language),
        // An unknown value (a tampered form) is the practice's default.
        reminder_channel: Some(careline_domain::reminder::ReminderChannel::parse(
            form.reminder_channel.trim(),
        )),
        insurance: None,
    };
    match api::update::update_patient(State(state), caller, ApiPath(id), ApiJson(body)).await {
        Ok(_) => Ok(Redirect::to(&format!("/patients/{id}")).into_response()),
        Err(e) if e.status.as_u16() == 422 => {
            let status = e.status;
            let page = EditPage {
                shell,
                id,
                form,
                error: e.message,
            };
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The patients the caller may choose from in a form (a booking, a prior authorization), as
/// "Last, First (number)" sorted by that label: one page of the API's own list, its scope
/// and audit.
pub(super) async fn choices(
    state: &AppState,
    caller: &crate::api::extract::Caller,
) -> Result<Vec<(Uuid, String)>, WebError> {
    let listed = api::list::list_patients(
        State(state.clone()),
        caller.clone(),
        ApiQuery(api::list::ListQuery {
            per_page: Some(careline_store::MAX_PER_PAGE),
            ..Default::default()
        }),
    )
    .await?
    .0;
    let mut out: Vec<(Uuid, String)> = listed
        .items
        .iter()
        .map(|p| {
            (
                p.id,
                format!(
                    "{}, {} ({})",
                    p.last_name.expose(),
                    p.first_name.expose(),
                    p.patient_number
                ),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
