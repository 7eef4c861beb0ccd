//! Verification request pages: the list with filters and bulk approve, one request with its
//! products, coverage, timeline, documents and message thread, and the specialist's and
//! doctor's actions. Every read and change is the API handler's own (same checks, same audit).

use super::form::blank;
use super::shell::{Shell, age, dollars, when};
use super::{Staff, WebError, form};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::ivrs::{
    self, approve, bulk_approve, escalate, list, messages, reject, request_info,
};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::{Coverage, Permission, VerificationStatus};
use careline_store::verification::VerificationRequest;
use serde::Deserialize;
use uuid::Uuid;

/// One row of a request list.
pub struct RequestRow {
    pub id: Uuid,
    pub number: String,
    pub status: String,
    pub urgent: bool,
    pub service_type: String,
    pub products: usize,
    pub waiting: String,
    pub reviewable: bool,
    /// The requesting doctor's name.
    pub doctor: String,
}

impl RequestRow {
    pub fn of(vr: &VerificationRequest, now: chrono::DateTime<chrono::Utc>) -> RequestRow {
        RequestRow {
            id: vr.id,
            number: vr.request_number.clone(),
            status: vr.status.as_str().replace('_', " "),
            urgent: vr.priority == "urgent",
            service_type: vr.service_type.replace('_', " "),
            products: vr.products.len(),
            waiting: age(vr.submitted_at.unwrap_or(vr.created_at), now),
            reviewable: vr.status.is_pending_review(),
            doctor: String::new(),
        }
    }

    /// The rows of a list, each with its doctor's name (one read for the whole page).
    pub async fn list(
        state: &AppState,
        vrs: &[VerificationRequest],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<RequestRow>, WebError> {
        let mut ids: Vec<Uuid> = vrs.iter().map(|vr| vr.doctor_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let names = careline_store::users::names(&state.store, &ids).await?;
        Ok(vrs
            .iter()
            .map(|vr| RequestRow {
                doctor: names.get(&vr.doctor_id).cloned().unwrap_or_default(),
                ..RequestRow::of(vr, now)
            })
            .collect())
    }
}

#[derive(Deserialize, Default)]
pub struct ListForm {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub number: Option<String>,
    pub doctor: Option<String>,
    /// Created on or after this day (a date input, in the practice's time zone).
    pub from: Option<String>,
    /// Created on or before this day.
    pub to: Option<String>,
    /// newest or oldest
    pub sort: Option<String>,
    pub page: Option<u64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "requests.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<RequestRow>,
    total: u64,
    page: u64,
    pages: u64,
    status: String,
    priority: String,
    number: String,
    doctor: String,
    from: String,
    to: String,
    sort: String,
    /// The doctors this user may filter by (none for a doctor, who sees only their own).
    doctors: Vec<(String, String)>,
    statuses: Vec<&'static str>,
    can_review: bool,
    can_create: bool,
    /// The query string of this view without the page number, for the pager's links.
    filter_query: String,
}

/// GET /requests
pub async fn list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<ListForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/requests").await?;
    let (status, priority, number) = (blank(f.status), blank(f.priority), blank(f.number));
    let (doctor, sort) = (blank(f.doctor), blank(f.sort));
    let from = form::date("from", f.from.as_deref().unwrap_or_default())?;
    let to = form::date("to", f.to.as_deref().unwrap_or_default())?;
    let doctor_id = doctor
        .as_deref()
        .map(|d| d.parse::<Uuid>())
        .transpose()
        .map_err(|_| form::invalid("doctor", "is not one of the doctors listed"))?;
    let query = list::RequestQuery {
        status: status.clone(),
        priority: priority.clone(),
        number: number.clone(),
        doctor_id,
        // Days as the practice counts them (the pages show its time zone); the whole last day.
        from: from.map(form::local_midnight),
        to: to.and_then(|d| d.succ_opt()).map(form::local_midnight),
        sort: sort.clone(),
        page: f.page,
        per_page: Some(PER_PAGE),
        ..Default::default()
    };
    let result = list::list_requests(State(state.clone()), caller.clone(), ApiQuery(query))
        .await?
        .0;
    let doctors = if caller.role() == careline_domain::Role::Doctor {
        Vec::new()
    } else {
        careline_store::users::doctors_visible_to(&state.store, &caller.actor)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect()
    };
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let filter_query = serde_urlencoded::to_string([
        ("status", status.clone().unwrap_or_default()),
        ("priority", priority.clone().unwrap_or_default()),
        ("number", number.clone().unwrap_or_default()),
        ("doctor", doctor.clone().unwrap_or_default()),
        ("from", day(from)),
        ("to", day(to)),
        ("sort", sort.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    Ok(ListPage {
        shell,
        rows: RequestRow::list(&state, &result.items, caller.now).await?,
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        status: status.unwrap_or_default(),
        priority: priority.unwrap_or_default(),
        number: number.unwrap_or_default(),
        doctor: doctor.unwrap_or_default(),
        from: day(from),
        to: day(to),
        sort: sort.unwrap_or_default(),
        doctors,
        statuses: VerificationStatus::ALL.iter().map(|s| s.as_str()).collect(),
        can_review: caller.actor.can(Permission::VerificationReview),
        can_create: caller.actor.can(Permission::VerificationCreate),
        filter_query,
    }
    .into_response())
}

pub const PER_PAGE: u64 = 25;

pub struct ProductView {
    pub name: String,
    pub hcpcs: String,
    pub sizes: Vec<(String, String, i32)>,
}

pub struct TimelineEntry {
    pub at: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

pub struct MessageView {
    pub at: String,
    pub mine: bool,
    pub kind: String,
    pub body: String,
}

pub struct DocumentView {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: String,
    /// How the page shows it: "image" (an `<img>`), "pdf" (a frame) or "" (a link only).
    pub preview: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "request.html")]
struct DetailPage {
    shell: Shell,
    id: Uuid,
    number: String,
    status: String,
    urgent: bool,
    service_type: String,
    diagnosis: String,
    patient: String,
    justification: String,
    response: String,
    coverage: Vec<(&'static str, String)>,
    products: Vec<ProductView>,
    timeline: Vec<TimelineEntry>,
    messages: Vec<MessageView>,
    documents: Vec<DocumentView>,
    actions: Vec<(&'static str, &'static str)>,
    can_review: bool,
    can_message: bool,
    can_upload: bool,
}

/// The actions the caller's role may take on a request in its state, as (path, label).
fn actions(caller: &Caller, status: VerificationStatus) -> Vec<(&'static str, &'static str)> {
    use VerificationStatus as S;
    let mut out = Vec::new();
    if caller.actor.can(Permission::VerificationCreate) {
        if matches!(status, S::Draft | S::InfoRequested) {
            out.push(("submit", "Submit for review"));
        }
        if matches!(status, S::Draft | S::InfoRequested | S::Submitted) {
            out.push(("cancel", "Cancel request"));
        }
    }
    if caller.actor.can(Permission::VerificationReview) && status == S::Submitted {
        out.push(("start-review", "Start review"));
    }
    out
}

/// GET /requests/{id}
pub async fn detail(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/requests").await?;
    let s = || State(state.clone());
    let vr = ivrs::get::get_request(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    let history = ivrs::history::request_history(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    let thread = if caller.actor.can(Permission::VerificationMessage) {
        messages::list_messages(s(), caller.clone(), ApiPath(id))
            .await?
            .0
    } else {
        Vec::new()
    };
    let documents = ivrs::documents::list_documents(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    // The patient's name is PHI: read (and audited) only for roles that may see patients.
    let patient = if caller.actor.can(Permission::PatientRead) {
        let p = crate::api::patients::get::get_patient(s(), caller.clone(), ApiPath(vr.patient_id))
            .await?
            .0;
        format!(
            "{} {} (born {}) · {}",
            p.first_name.expose(),
            p.last_name.expose(),
            p.date_of_birth.expose(),
            p.patient_number
        )
    } else {
        "—".to_string()
    };
    let coverage = vr
        .coverage
        .as_ref()
        .map(|c| {
            let cv = &c.coverage;
            vec![
                ("Deductible", dollars(cv.deductible_cents)),
                ("Copay", dollars(cv.copay_cents)),
                ("Coinsurance", format!("{} %", cv.coinsurance_percent)),
                ("Out-of-pocket maximum", dollars(cv.out_of_pocket_max_cents)),
                (
                    "Prior authorization",
                    match (&cv.prior_auth_required, &cv.prior_auth_number) {
                        (true, Some(n)) => format!("required, number {n}"),
                        (true, None) => "required".to_string(),
                        (false, _) => "not required".to_string(),
                    },
                ),
                ("Approved", when(c.approved_at)),
            ]
        })
        .unwrap_or_default();
    let page = DetailPage {
        shell,
        id,
        number: vr.request_number.clone(),
        status: vr.status.as_str().replace('_', " "),
        urgent: vr.priority == "urgent",
        service_type: vr.service_type.replace('_', " "),
        diagnosis: vr.diagnosis_codes.join(", "),
        patient,
        justification: vr
            .medical_justification
            .as_ref()
            .map(|j| j.expose().clone())
            .unwrap_or_default(),
        response: vr
            .ivr_response
            .as_ref()
            .map(|r| r.expose().clone())
            .unwrap_or_default(),
        coverage,
        products: vr
            .products
            .iter()
            .map(|p| ProductView {
                name: p.product_name.clone(),
                hcpcs: p.hcpcs_code.clone().unwrap_or_default(),
                sizes: p
                    .sizes
                    .iter()
                    .map(|z| (z.size_label.clone(), z.sku.clone(), z.quantity))
                    .collect(),
            })
            .collect(),
        timeline: history
            .iter()
            .map(|h| TimelineEntry {
                at: when(h.at),
                from: h.from_status.clone().unwrap_or_default().replace('_', " "),
                to: h.to_status.replace('_', " "),
                note: h
                    .note
                    .as_ref()
                    .map(|n| n.expose().clone())
                    .unwrap_or_default(),
            })
            .collect(),
        messages: thread
            .iter()
            .map(|m| MessageView {
                at: when(m.created_at),
                mine: m.sender_id == caller.user_id(),
                kind: m.kind.replace('_', " "),
                body: m.body.expose().clone(),
            })
            .collect(),
        documents: documents
            .iter()
            .map(|d| DocumentView {
                id: d.id,
                name: d.filename.expose().clone(),
                content_type: d.content_type.clone(),
                size: format!("{} KB", (d.size_bytes + 1023) / 1024),
                preview: match d.content_type.as_str() {
                    t if !ivrs::documents::previewable(t) => "",
                    "application/pdf" => "pdf",
                    _ => "image",
                },
            })
            .collect(),
        actions: actions(&caller, vr.status),
        can_review: caller.actor.can(Permission::VerificationReview)
            && matches!(
                vr.status,
                VerificationStatus::InReview | VerificationStatus::Escalated
            ),
        can_message: caller.actor.can(Permission::VerificationMessage),
        // The API's upload needs the same permission as the thread.
        can_upload: caller.actor.can(Permission::VerificationMessage),
    };
    Ok(page.into_response())
}

/// The fields of every action form; each action reads the ones it needs.
#[derive(Deserialize, Default)]
pub struct ActionForm {
    pub response: Option<String>,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    #[serde(flatten)]
    pub coverage: CoverageForm,
}

/// Coverage as a specialist types it: dollars, percent, a checkbox.
#[derive(Deserialize, Default)]
pub struct CoverageForm {
    pub deductible: Option<String>,
    pub copay: Option<String>,
    pub coinsurance_percent: Option<String>,
    pub out_of_pocket_max: Option<String>,
    pub prior_auth_required: Option<String>,
    pub prior_auth_number: Option<String>,
    pub coverage_notes: Option<String>,
}

/// "$1,234.50" or "1234.5" as cents; a field problem otherwise.
fn cents(field: &str, v: &Option<String>, problems: &mut Vec<(String, String)>) -> i64 {
    let text: String = v
        .as_deref()
        .unwrap_or("0")
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | ' '))
        .collect();
    let text = if text.is_empty() { "0".into() } else { text };
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let ok = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && frac.len() <= 2
        && frac.chars().all(|c| c.is_ascii_digit());
    match (ok, whole.parse::<i64>()) {
        (true, Ok(w)) if w < 100_000_000 => {
            w * 100 + format!("{frac:0<2}").parse::<i64>().unwrap_or(0)
        }
        _ => {
            problems.push((
                field.to_string(),
                "must be an amount in dollars, such as 250.00".into(),
            ));
            0
        }
    }
}

impl CoverageForm {
    fn coverage(&self) -> Result<Coverage, WebError> {
        let mut problems = Vec::new();
        let coverage = Coverage {
            deductible_cents: cents("deductible", &self.deductible, &mut problems),
            copay_cents: cents("copay", &self.copay, &mut problems),
            coinsurance_percent: match self.coinsurance_percent.as_deref().map(str::trim) {
                None | Some("") => 0,
                Some(v) => v.parse().unwrap_or_else(|_| {
                    problems.push((
                        "coinsurance_percent".into(),
                        "must be a whole number".into(),
                    ));
                    0
                }),
            },
            out_of_pocket_max_cents: cents(
                "out_of_pocket_max",
                &self.out_of_pocket_max,
                &mut problems,
            ),
            prior_auth_required: self.prior_auth_required.is_some(),
            prior_auth_number: blank(self.prior_auth_number.clone()),
            coverage_notes: blank(self.coverage_notes.clone()),
        };
        ivrs::invalid(problems)?;
        Ok(coverage)
    }
}

/// POST /requests/{id}/{action}: one action, then back to the request.
pub async fn act(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path((id, action)): axum::extract::Path<(Uuid, String)>,
    axum::Form(f): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let s = State(state.clone());
    let p = ApiPath(id);
    match action.as_str() {
        "submit" => drop(ivrs::submit::submit_request(s, caller, p).await?),
        "cancel" => drop(ivrs::cancel::cancel_request(s, caller, p).await?),
        "start-review" => drop(ivrs::start_review::start_review(s, caller, p).await?),
        "approve" => {
            let body = approve::ApproveBody {
                coverage: f.coverage.coverage()?,
                response: blank(f.response),
            };
            drop(approve::approve_request(s, caller, p, ApiJson(body)).await?)
        }
        "reject" => {
            let body = reject::RejectBody {
                reason_code: f.reason_code.unwrap_or_default(),
                reason: blank(f.reason),
            };
            drop(reject::reject_request(s, caller, p, ApiJson(body)).await?)
        }
        "request-info" => {
            let body = request_info::RequestInfoBody {
                message: f.message.unwrap_or_default(),
            };
            drop(request_info::request_info(s, caller, p, ApiJson(body)).await?)
        }
        "escalate" => {
            let body = escalate::EscalateBody {
                reason: f.reason.unwrap_or_default(),
                escalated_to: None,
            };
            drop(escalate::escalate_request(s, caller, p, ApiJson(body)).await?)
        }
        _ => {
            return Err(crate::api::error::ApiError::not_found("action").into());
        }
    }
    Ok(Redirect::to(&format!("/requests/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct MessageForm {
    pub body: String,
}

/// POST /requests/{id}/messages
pub async fn send_message(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<MessageForm>,
) -> Result<Response, WebError> {
    let body = messages::MessageBody { body: f.body };
    drop(messages::post_message(State(state), caller, ApiPath(id), ApiJson(body)).await?);
    Ok(Redirect::to(&format!("/requests/{id}#messages")).into_response())
}

/// POST /requests/{id}/documents: the page's upload (`assets/upload.js` sends the file as
/// the body with its own type, the CSRF header, and its name in `X-Filename`, percent-encoded,
/// so the name, which may be PHI, is never in a URL). The API's upload does the rest; its
/// answer (the document, or the error) is returned as it is, for the script to show.
pub async fn upload(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Response {
    let filename = headers
        .get("x-filename")
        .and_then(|v| v.to_str().ok())
        .and_then(percent_decode)
        .unwrap_or_default();
    let query = ivrs::documents::UploadQuery { filename };
    match ivrs::documents::upload_document(
        State(state),
        caller,
        ApiPath(id),
        ApiQuery(query),
        headers,
        body,
    )
    .await
    {
        Ok(created) => created.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `%XX` sequences decoded as UTF-8 (what `encodeURIComponent` makes); `None` if malformed.
fn percent_decode(v: &str) -> Option<String> {
    let mut out = Vec::with_capacity(v.len());
    let mut bytes = v.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// The ticked rows of the bulk approve form (repeated `ids` fields).
#[derive(Deserialize)]
pub struct BulkIds {
    #[serde(default)]
    pub ids: Vec<Uuid>,
}

#[derive(Deserialize)]
pub struct BulkForm {
    pub response: Option<String>,
    #[serde(flatten)]
    pub coverage: CoverageForm,
}

pub struct BulkRow {
    pub id: Uuid,
    pub approved: bool,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulk_result.html")]
struct BulkPage {
    shell: Shell,
    rows: Vec<BulkRow>,
    approved: usize,
}

/// POST /requests/bulk-approve: the API's bulk approve, with its per-row result shown.
pub async fn bulk_approve(
    State(state): State<AppState>,
    Staff(caller): Staff,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    // Read twice: the ticked ids (a repeated field) and the coverage fields.
    let bad_form = |e: &dyn std::fmt::Display| {
        crate::api::error::ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            format!("invalid form: {e}"),
        )
    };
    let ids: BulkIds = serde_html_form::from_bytes(&body).map_err(|e| bad_form(&e))?;
    let f: BulkForm = serde_urlencoded::from_bytes(&body).map_err(|e| bad_form(&e))?;
    let shell = Shell::load(&state, &caller, "/requests").await?;
    let body = bulk_approve::BulkApproveBody {
        ids: ids.ids,
        coverage: f.coverage.coverage()?,
        response: blank(f.response),
    };
    let results = bulk_approve::bulk_approve(State(state), caller, ApiJson(body))
        .await?
        .0;
    let rows: Vec<BulkRow> = results
        .into_iter()
        .map(|r| BulkRow {
            id: r.id,
            approved: r.approved,
            message: r.message.unwrap_or_else(|| "approved".into()),
        })
        .collect();
    Ok(BulkPage {
        approved: rows.iter().filter(|r| r.approved).count(),
        shell,
        rows,
    }
    .into_response())
}
