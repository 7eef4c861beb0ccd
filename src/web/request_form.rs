//! The new verification request form (doctors and admins): a patient from those the caller
//! may see, priority, diagnosis codes, product sizes from the catalogue with quantities, the
//! justification and a note, saved as a draft or submitted at once. It calls the API's own
//! create and submit handlers; a refused field is shown beside itself, with everything that
//! was typed kept.

use super::form::filled;
use super::shell::Shell;
use super::{Staff, WebError};
use crate::api::error::ApiError;
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::ivrs::{self, ProductLine, SizeLine, create::VerificationCreate};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::Permission;
use careline_store::MAX_PER_PAGE;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Product lines on the form (more can be added on the request's page later, through the API).
pub const LINES: usize = 4;
/// At most this many patients are offered; beyond that the form says so.
const MAX_PATIENTS: usize = 1000;

/// The form as typed. Every field is text, so a refused form comes back exactly as sent.
#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    pub patient_id: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub diagnosis_codes: String,
    #[serde(default)]
    pub medical_justification: String,
    #[serde(default)]
    pub doctor_comment: String,
    /// One per product line, in order: a product size id or blank.
    #[serde(default)]
    pub size: Vec<String>,
    /// One per product line, in order.
    #[serde(default)]
    pub quantity: Vec<String>,
    /// The button pressed: `submit` or `draft`.
    #[serde(default)]
    pub intent: String,
}

pub struct PatientOption {
    pub id: String,
    pub label: String,
}

impl PatientOption {
    fn of(p: &careline_store::patients::Patient) -> PatientOption {
        PatientOption {
            id: p.id.to_string(),
            label: format!(
                "{}, {} · born {} · {}",
                p.last_name.expose(),
                p.first_name.expose(),
                p.date_of_birth.expose(),
                p.patient_number
            ),
        }
    }
}

pub struct ProductGroup {
    pub label: String,
    /// (size id, "label · SKU")
    pub sizes: Vec<(String, String)>,
}

pub struct LineView {
    pub n: usize,
    pub size: String,
    pub quantity: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "request_new.html")]
struct NewPage {
    shell: Shell,
    patients: Vec<PatientOption>,
    more_patients: bool,
    catalogue: Vec<ProductGroup>,
    form: NewForm,
    lines: Vec<LineView>,
    /// Field id → the problem with it.
    errors: BTreeMap<String, String>,
    /// Problems that belong to no field on the form.
    general: Vec<String>,
}

impl NewPage {
    /// The problem with a field, or "".
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }

    /// The problems in the order of the form's fields, as (field id, label, problem); the
    /// list at the top links each to its field.
    fn summary(&self) -> Vec<(String, String, String)> {
        let mut order: Vec<String> = ["patient_id", "priority", "diagnosis_codes", "products"]
            .map(String::from)
            .into();
        for l in &self.lines {
            order.push(format!("size-{}", l.n));
            order.push(format!("quantity-{}", l.n));
        }
        order.extend(["medical_justification", "doctor_comment"].map(String::from));
        order
            .into_iter()
            .filter_map(|f| {
                let problem = self.errors.get(&f)?.clone();
                // "products" has no control of its own: its message is shown at the first line.
                let target = if f == "products" {
                    "size-1".into()
                } else {
                    f.clone()
                };
                Some((target, label(&f), problem))
            })
            .collect()
    }
}

/// What a field is labelled as, for the list of problems at the top.
fn label(field: &str) -> String {
    match field {
        "patient_id" => "Patient".into(),
        "priority" => "Priority".into(),
        "diagnosis_codes" => "Diagnosis codes".into(),
        "medical_justification" => "Medical justification".into(),
        "doctor_comment" => "Note to the specialist".into(),
        "products" => "Products".into(),
        f => match f.split_once('-') {
            Some(("size", n)) => format!("Line {n}: product and size"),
            Some(("quantity", n)) => format!("Line {n}: quantity"),
            _ => f.into(),
        },
    }
}

/// The patients the caller may see (the API's audited list, a page at a time).
async fn patients(
    state: &AppState,
    caller: &Caller,
) -> Result<(Vec<PatientOption>, bool), WebError> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let q = crate::api::patients::list::ListQuery {
            page: Some(page),
            per_page: Some(MAX_PER_PAGE),
            include_archived: false,
        };
        let result = crate::api::patients::list::list_patients(
            State(state.clone()),
            caller.clone(),
            ApiQuery(q),
        )
        .await?
        .0;
        out.extend(result.items.iter().map(PatientOption::of));
        if page * result.per_page >= result.total || result.items.is_empty() {
            return Ok((out, false));
        }
        if out.len() >= MAX_PATIENTS {
            return Ok((out, true));
        }
        page += 1;
    }
}

/// The catalogue's active products and sizes, and which product each size belongs to.
async fn catalogue(
    state: &AppState,
    caller: &Caller,
) -> Result<(Vec<ProductGroup>, BTreeMap<Uuid, Uuid>), WebError> {
    let mut groups = Vec::new();
    let mut owner = BTreeMap::new();
    let mut page = 1;
    loop {
        let q = crate::api::products::list::ProductQuery {
            category: None,
            q: None,
            page: Some(page),
            per_page: Some(MAX_PER_PAGE),
        };
        let result = crate::api::products::list::list_products(
            State(state.clone()),
            caller.clone(),
            ApiQuery(q),
        )
        .await?
        .0;
        for p in result.items.iter().filter(|p| p.is_active) {
            let sizes: Vec<(String, String)> = p
                .sizes
                .iter()
                .filter(|z| z.is_active)
                .map(|z| {
                    owner.insert(z.id, p.id);
                    (z.id.to_string(), format!("{} · {}", z.size_label, z.sku))
                })
                .collect();
            if !sizes.is_empty() {
                let hcpcs = p
                    .hcpcs_code
                    .as_deref()
                    .map(|h| format!(" (HCPCS {h})"))
                    .unwrap_or_default();
                groups.push(ProductGroup {
                    label: format!("{}{hcpcs}", p.name),
                    sizes,
                });
            }
        }
        if page * result.per_page >= result.total || result.items.is_empty() {
            return Ok((groups, owner));
        }
        page += 1;
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    /// A patient to start with (an id, never PHI).
    pub patient: Option<Uuid>,
}

/// GET /requests/new
pub async fn page(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> Result<Response, WebError> {
    caller
        .require(&state, Permission::VerificationCreate)
        .await?;
    let form = NewForm {
        patient_id: q.patient.map(|p| p.to_string()).unwrap_or_default(),
        priority: "routine".into(),
        ..NewForm::default()
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

async fn render(
    state: &AppState,
    caller: &Caller,
    form: NewForm,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let shell = Shell::load(state, caller, "/requests").await?;
    let (mut patients, more_patients) = patients(state, caller).await?;
    // A patient chosen in the link but beyond the list's end: read (and audited) on its own. One
    // the caller may not see is simply not offered; the create refuses it anyway.
    if let Ok(id) = form.patient_id.parse::<Uuid>()
        && !patients.iter().any(|p| p.id == form.patient_id)
        && let Ok(p) = crate::api::patients::get::get_patient(
            State(state.clone()),
            caller.clone(),
            ApiPath(id),
        )
        .await
    {
        patients.insert(0, PatientOption::of(&p.0));
    }
    let (catalogue, _) = catalogue(state, caller).await?;
    let lines = (0..LINES.max(form.size.len()))
        .map(|i| LineView {
            n: i + 1,
            size: form.size.get(i).cloned().unwrap_or_default(),
            quantity: form.quantity.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let page = NewPage {
        shell,
        patients,
        more_patients,
        catalogue,
        form,
        lines,
        errors,
        general,
    };
    Ok((status, page).into_response())
}

/// The API's name of a refused field → the form's field id; `lines[i][j]` is the form line of
/// product `i`'s size `j`.
fn form_field(api: &str, lines: &[Vec<usize>]) -> Option<String> {
    let plain = api.split('[').next().unwrap_or(api);
    match plain {
        "patient_id" | "priority" | "diagnosis_codes" | "medical_justification" => {
            return Some(plain.into());
        }
        "doctor_comment" => return Some("doctor_comment".into()),
        _ => {}
    }
    // products[i].sizes[j].product_size_id / .quantity
    let rest = api.strip_prefix("products[")?;
    let (i, rest) = rest.split_once(']')?;
    let Some(rest) = rest.strip_prefix(".sizes[") else {
        return Some("products".into());
    };
    let (j, rest) = rest.split_once(']')?;
    let line = *lines
        .get(i.parse::<usize>().ok()?)?
        .get(j.parse::<usize>().ok()?)?;
    let kind = if rest == ".quantity" {
        "quantity"
    } else {
        "size"
    };
    Some(format!("{kind}-{}", line + 1))
}

/// POST /requests/new: the API's create, then its submit when that was the button pressed.
pub async fn create(
    State(state): State<AppState>,
    Staff(caller): Staff,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    caller
        .require(&state, Permission::VerificationCreate)
        .await?;
    let form: NewForm = serde_html_form::from_bytes(&body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            format!("invalid form: {e}"),
        )
    })?;
    let submit = form.intent != "draft";
    let (_, owner) = catalogue(&state, &caller).await?;
    let mut errors = BTreeMap::new();

    // The product lines, grouped by product as the API takes them; `lines` remembers which
    // form line each size came from, to put the API's refusal beside it.
    let mut products: Vec<ProductLine> = Vec::new();
    let mut lines: Vec<Vec<usize>> = Vec::new();
    let mut seen = Vec::new();
    for i in 0..form.size.len().max(form.quantity.len()) {
        let size = form.size.get(i).map(String::as_str).unwrap_or("").trim();
        let qty = form
            .quantity
            .get(i)
            .map(String::as_str)
            .unwrap_or("")
            .trim();
        let n = i + 1;
        if size.is_empty() {
            if !qty.is_empty() {
                errors.insert(format!("size-{n}"), "choose a product and size".into());
            }
            continue;
        }
        let Some((size_id, product_id)) = size
            .parse::<Uuid>()
            .ok()
            .and_then(|s| owner.get(&s).map(|p| (s, *p)))
        else {
            errors.insert(format!("size-{n}"), "no such product size".into());
            continue;
        };
        if seen.contains(&size_id) {
            errors.insert(
                format!("size-{n}"),
                "is already on another line; change that line's quantity".into(),
            );
            continue;
        }
        seen.push(size_id);
        // The API's own limit and words for a quantity.
        let Some(quantity) = qty.parse::<i32>().ok().filter(|q| (1..=1000).contains(q)) else {
            errors.insert(format!("quantity-{n}"), "must be 1 to 1000".into());
            continue;
        };
        let at = match products.iter().position(|p| p.product_id == product_id) {
            Some(at) => at,
            None => {
                products.push(ProductLine {
                    product_id,
                    notes: None,
                    sizes: Vec::new(),
                });
                lines.push(Vec::new());
                products.len() - 1
            }
        };
        products[at].sizes.push(SizeLine {
            product_size_id: size_id,
            quantity,
        });
        lines[at].push(i);
    }
    if products.is_empty() && errors.is_empty() {
        errors.insert(
            "products".into(),
            "choose at least one product and size".into(),
        );
    }
    let patient_id = match form.patient_id.trim().parse::<Uuid>() {
        Ok(p) => Some(p),
        Err(_) => {
            errors.insert("patient_id".into(), "choose a patient".into());
            None
        }
    };
    // The API's own checks of the codes and the priority, so every problem shows at once.
    let codes: Vec<String> = form
        .diagnosis_codes
        .split([',', ';', ' ', '\n', '\r', '\t'])
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let mut problems = Vec::new();
    ivrs::diagnosis_codes(&codes, &mut problems);
    let priority = filled(&form.priority);
    ivrs::priority(&priority, &mut problems);
    for (field, shown) in problems {
        let key = field.split('[').next().unwrap_or(&field).to_string();
        errors
            .entry(key)
            .and_modify(|m: &mut String| {
                m.push_str("; ");
                m.push_str(&shown);
            })
            .or_insert(shown);
    }
    if submit && codes.is_empty() {
        // The words of the API's submit, which would refuse it after the draft was made.
        errors.insert(
            "diagnosis_codes".into(),
            "at least one diagnosis code is needed to submit".into(),
        );
    }
    let (Some(patient_id), true) = (patient_id, errors.is_empty()) else {
        return render(
            &state,
            &caller,
            form,
            errors,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };

    let body = VerificationCreate {
        patient_id,
        service_type: None,
        priority,
        diagnosis_codes: codes,
        medical_justification: filled(&form.medical_justification),
        doctor_comment: filled(&form.doctor_comment),
        facility_id: None,
        template_id: None,
        products,
    };
    let s = || State(state.clone());
    let vr = match ivrs::create::create_request(s(), caller.clone(), ApiJson(body)).await {
        Ok((_, vr)) => vr.0,
        Err(e) if e.status.is_client_error() && !matches!(e.status.as_u16(), 401 | 403) => {
            let mut errors = BTreeMap::new();
            let mut general = Vec::new();
            let fields = e.details["fields"].as_array().cloned().unwrap_or_default();
            for f in &fields {
                let (api, message) = (
                    f["field"].as_str().unwrap_or(""),
                    f["message"].as_str().unwrap_or("").to_string(),
                );
                match form_field(api, &lines) {
                    Some(field) => {
                        errors.entry(field).or_insert(message);
                    }
                    None => general.push(format!("{api} {message}")),
                }
            }
            if fields.is_empty() {
                general.push(e.message.clone());
            }
            return render(&state, &caller, form, errors, general, e.status).await;
        }
        Err(e) => return Err(e.into()),
    };
    if submit
        && let Err(e) = ivrs::submit::submit_request(s(), caller.clone(), ApiPath(vr.id)).await
    {
        // The draft exists: say so, with its number, rather than offer a form that would make
        // a second one.
        return Err(ApiError {
            message: format!(
                "request {} was saved as a draft but not submitted: {}",
                vr.request_number, e.message
            ),
            ..e
        }
        .into());
    }
    Ok(Redirect::to(&format!("/requests/{}", vr.id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::form_field;

    #[test]
    fn the_apis_field_names_map_to_the_forms_lines() {
        let lines = vec![vec![0, 2], vec![1]];
        let f = |api| form_field(api, &lines);
        assert_eq!(f("patient_id").as_deref(), Some("patient_id"));
        assert_eq!(f("diagnosis_codes[1]").as_deref(), Some("diagnosis_codes"));
        assert_eq!(
            f("products[0].sizes[1].quantity").as_deref(),
            Some("quantity-3")
        );
        assert_eq!(
            f("products[1].sizes[0].product_size_id").as_deref(),
            Some("size-2")
        );
        assert_eq!(f("products[0].sizes").as_deref(), Some("products"));
        assert_eq!(f("products[5].sizes[0].quantity"), None);
        assert_eq!(f("service_type"), None);
    }
}
