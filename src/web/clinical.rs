//! A practice's clinical work queues: the providers' tasks (lab callbacks, refills to review,
//! messages to answer), refill requests with their flags and the provider's decision, and
//! messages for providers with their urgency and acknowledgement. Every read and change is
//! the API handler's own, so permissions, scoping and audit are the API's. Each list is paged
//! like the other dashboard lists and refreshes itself (the page it is on) when an event says
//! a task was made or a request or message changed. Times are in the practice's own time
//! zone.

use super::shell::Shell;
use super::{Staff, WebError, form};
use crate::api::error::ApiError;
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The zone a practice's staff read times in: their practice's own, else the dashboard's.
pub(super) async fn zone_of(state: &AppState, caller: &Caller) -> Result<chrono_tz::Tz, WebError> {
    Ok(
        match careline_store::practice::organization_of_user(&state.store, caller.user_id()).await?
        {
            Some(org) => careline_store::practice::get(&state.store, org)
                .await?
                .map(|c| c.settings.tz())
                .unwrap_or_else(super::time::zone),
            None => super::time::zone(),
        },
    )
}

/// The zone a patient's page reads times in: the patient's practice's (whoever looks, an
/// admin too), else the caller's as [`zone_of`].
pub(super) async fn zone_of_patient(
    state: &AppState,
    caller: &Caller,
    patient: Uuid,
) -> Result<chrono_tz::Tz, WebError> {
    match careline_store::practice::of_patient(&state.store, patient).await? {
        Some(config) => Ok(config.settings.tz()),
        None => zone_of(state, caller).await,
    }
}

/// Patients' names ("Brooks, Eleanor") for the rows shown, read in the caller's scope and
/// audited as one query; empty for a role that may not read patients.
pub(super) async fn patient_names(
    state: &AppState,
    caller: &Caller,
    mut ids: Vec<Uuid>,
    why: &str,
) -> Result<HashMap<Uuid, String>, WebError> {
    if !caller.actor.can(Permission::PatientRead) {
        return Ok(HashMap::new());
    }
    ids.sort();
    ids.dedup();
    let found = careline_store::patients::names(&state.store, &caller.actor, &ids).await?;
    if !found.is_empty() {
        let mut event = caller.event(AuditType::Query, AuditAction::R, why);
        for id in found.keys() {
            event = event.entity("patient", *id);
        }
        state.audit(event).await?;
    }
    Ok(found
        .into_iter()
        .map(|(id, n)| (id, n.expose().clone()))
        .collect())
}

/// Staff members' names (who a message or task is for), read once each.
async fn user_names(state: &AppState, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>, WebError> {
    let mut out = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id)
            && let Some(u) = careline_store::users::get(&state.store, id).await?
        {
            e.insert(u.full_name);
        }
    }
    Ok(out)
}

/// A status filter from a query: one of `allowed`, `all`, or the default.
fn status_filter(v: Option<String>, allowed: &[&str], default: &str) -> String {
    match form::blank(v) {
        Some(s) if s == "all" || allowed.contains(&s.as_str()) => s,
        _ => default.to_string(),
    }
}

#[derive(Deserialize, Default)]
pub struct StatusQuery {
    pub status: Option<String>,
    pub page: Option<u64>,
}

/// The query string of a list's filter, for its pager's links.
fn status_query(status: &str) -> String {
    serde_urlencoded::to_string([("status", status)]).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Tasks

pub struct TaskRow {
    pub kind: &'static str,
    pub urgent: bool,
    pub due: String,
    pub overdue: bool,
    pub patient: String,
    pub patient_id: Option<Uuid>,
    pub assignee: String,
    /// Where the work is: the result, request or message the task is about.
    pub subject_href: String,
    pub subject_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
struct TasksPage {
    shell: Shell,
    status: String,
    page: u64,
    pages: u64,
    filter_query: String,
    rows: Vec<TaskRow>,
    total: u64,
}

/// GET /tasks?status=open|done
pub async fn tasks(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<StatusQuery>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/tasks").await?;
    let status = status_filter(q.status, &["open", "done"], "open");
    let page = crate::api::provider_tasks::list::list_provider_tasks(
        State(state.clone()),
        caller.clone(),
        ApiQuery(crate::api::provider_tasks::list::TaskQuery {
            status: Some(status.clone()),
            page: q.page,
            per_page: Some(super::requests::PER_PAGE),
        }),
    )
    .await?
    .0;
    let tz = zone_of(&state, &caller).await?;
    let names = patient_names(
        &state,
        &caller,
        page.items.iter().filter_map(|t| t.patient_id).collect(),
        "patient names shown on the provider tasks",
    )
    .await?;
    let assignees = page
        .items
        .iter()
        .filter_map(|t| t.provider_user_id)
        .collect();
    let users = user_names(&state, assignees).await?;
    let rows = page
        .items
        .iter()
        .map(|t| {
            let (kind, urgent) = match t.kind.as_str() {
                "lab_callback" => ("Call back about a lab result", true),
                "refill_review" => ("Review a refill request", false),
                "urgent_message" => ("Urgent message", true),
                "routine_message" => ("Message", false),
                _ => ("Task", false),
            };
            let (subject_href, subject_label) = match (t.subject_type.as_str(), t.patient_id) {
                ("lab_result", Some(p)) => (
                    format!("/patients/{p}#lab-result-{}", t.subject_id),
                    "the result",
                ),
                ("refill_request", _) => (
                    format!("/refills?status=all#refill-{}", t.subject_id),
                    "the refill request",
                ),
                ("provider_message", _) => (
                    format!("/messages?status=all#message-{}", t.subject_id),
                    "the message",
                ),
                _ => (String::new(), ""),
            };
            TaskRow {
                kind,
                urgent,
                due: super::time::when_in(t.due_at, tz),
                overdue: t.status == "open" && t.due_at < caller.now,
                patient: t
                    .patient_id
                    .and_then(|p| names.get(&p).cloned())
                    .unwrap_or_default(),
                patient_id: t.patient_id,
                assignee: t
                    .provider_user_id
                    .and_then(|u| users.get(&u).cloned())
                    .unwrap_or_default(),
                subject_href,
                subject_label,
            }
        })
        .collect();
    let filter_query = status_query(&status);
    Ok(TasksPage {
        shell,
        status,
        page: page.page,
        pages: form::page_count(&page),
        filter_query,
        rows,
        total: page.total,
    }
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Refill requests

pub struct RefillRow {
    pub id: Uuid,
    pub requested: String,
    pub patient: String,
    pub patient_id: Uuid,
    pub medication: String,
    /// The flags the provider must see before deciding, each as shown.
    pub flags: Vec<(&'static str, String)>,
    pub channel: String,
    pub note: String,
    pub status: String,
    pub decision: String,
    pub pending: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "refills.html")]
struct RefillsPage {
    shell: Shell,
    status: String,
    page: u64,
    pages: u64,
    filter_query: String,
    rows: Vec<RefillRow>,
    total: u64,
    can_decide: bool,
}

/// GET /refills?status=pending|approved|denied|all
pub async fn refills(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<StatusQuery>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/refills").await?;
    let status = status_filter(q.status, &["pending", "approved", "denied"], "pending");
    let page = crate::api::refills::list::list_refill_requests(
        State(state.clone()),
        caller.clone(),
        ApiQuery(crate::api::refills::list::RefillQuery {
            status: (status != "all").then(|| status.clone()),
            patient_id: None,
            page: q.page,
            per_page: Some(super::requests::PER_PAGE),
        }),
    )
    .await?
    .0;
    let tz = zone_of(&state, &caller).await?;
    let names = patient_names(
        &state,
        &caller,
        page.items.iter().map(|r| r.patient_id).collect(),
        "patient names shown on the refill requests",
    )
    .await?;
    let deciders = page.items.iter().filter_map(|r| r.decided_by).collect();
    let deciders = user_names(&state, deciders).await?;
    let phi = |v: &Option<careline_domain::Phi<String>>| {
        v.as_ref().map(|x| x.expose().clone()).unwrap_or_default()
    };
    let rows = page
        .items
        .iter()
        .map(|r| {
            let mut flags = Vec::new();
            if r.controlled_substance {
                flags.push((
                    "bad",
                    match r.dea_schedule {
                        Some(s) => format!("Controlled substance, schedule {}", s.as_str()),
                        None => "Controlled substance".into(),
                    },
                ));
            }
            if r.no_refills_remaining {
                flags.push(("bad", "No refills left".into()));
            }
            if r.too_early {
                flags.push((
                    "bad",
                    match r.earliest_refill_on {
                        Some(d) => format!("Too early: not before {d}"),
                        None => "Too early".into(),
                    },
                ));
            }
            let decision = match (r.decided_by, r.decided_at) {
                (Some(by), Some(at)) => {
                    let note = phi(&r.decision_note);
                    format!(
                        "{} by {}, {}{}",
                        r.status.as_str(),
                        deciders.get(&by).cloned().unwrap_or_default(),
                        super::time::when_in(at, tz),
                        if note.is_empty() {
                            String::new()
                        } else {
                            format!(": {note}")
                        }
                    )
                }
                _ => String::new(),
            };
            RefillRow {
                id: r.id,
                requested: super::time::when_in(r.created_at, tz),
                patient: names.get(&r.patient_id).cloned().unwrap_or_default(),
                patient_id: r.patient_id,
                medication: r.medication_name.expose().clone(),
                flags,
                channel: if r.channel == "phone" {
                    "by phone".into()
                } else {
                    "by staff".into()
                },
                note: phi(&r.note),
                status: r.status.as_str().into(),
                decision,
                pending: r.status == careline_domain::clinical::RefillStatus::Pending,
            }
        })
        .collect();
    let filter_query = status_query(&status);
    Ok(RefillsPage {
        shell,
        status,
        page: page.page,
        pages: form::page_count(&page),
        filter_query,
        rows,
        total: page.total,
        can_decide: caller.actor.can(Permission::RefillDecide),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    pub note: String,
    /// The list's filter and page, to come back to them.
    #[serde(default)]
    pub back: String,
    #[serde(default)]
    pub page: String,
}

/// The page a form came from (1 when absent or not a page number).
fn back_page(v: &str) -> u64 {
    v.trim().parse().ok().filter(|p| *p >= 1).unwrap_or(1)
}

/// POST /refills/{id}/approve|deny
pub async fn decide(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path((id, action)): axum::extract::Path<(Uuid, String)>,
    axum::Form(f): axum::Form<DecisionForm>,
) -> Result<Response, WebError> {
    let body = Some(ApiJson(crate::api::refills::DecisionInput {
        note: form::filled(&f.note),
    }));
    let s = State(state);
    let _decided = match action.as_str() {
        "approve" => {
            crate::api::refills::approve::approve_refill_request(s, caller, ApiPath(id), body)
                .await?
        }
        "deny" => {
            crate::api::refills::deny::deny_refill_request(s, caller, ApiPath(id), body).await?
        }
        _ => return Err(ApiError::not_found("action").into()),
    };
    let back = status_filter(Some(f.back), &["pending", "approved", "denied"], "pending");
    let page = back_page(&f.page);
    Ok(Redirect::to(&format!("/refills?status={back}&page={page}#refill-{id}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Messages for providers

pub struct MessageRow {
    pub id: Uuid,
    pub received: String,
    pub patient: String,
    pub patient_id: Option<Uuid>,
    pub urgent: bool,
    pub emergency: bool,
    pub due: String,
    pub overdue: bool,
    pub routed_to: String,
    pub body: String,
    pub callback: String,
    pub taken: &'static str,
    pub status: String,
    pub acknowledged: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "messages.html")]
struct MessagesPage {
    shell: Shell,
    status: String,
    page: u64,
    pages: u64,
    filter_query: String,
    rows: Vec<MessageRow>,
    total: u64,
    can_acknowledge: bool,
}

/// GET /messages?status=new|acknowledged|all
pub async fn messages(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<StatusQuery>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/messages").await?;
    let status = status_filter(q.status, &["new", "acknowledged"], "new");
    let page = crate::api::provider_messages::list::list_provider_messages(
        State(state.clone()),
        caller.clone(),
        ApiQuery(crate::api::provider_messages::list::MessageQuery {
            status: (status != "all").then(|| status.clone()),
            patient_id: None,
            page: q.page,
            per_page: Some(super::requests::PER_PAGE),
        }),
    )
    .await?
    .0;
    let tz = zone_of(&state, &caller).await?;
    let names = patient_names(
        &state,
        &caller,
        page.items.iter().filter_map(|m| m.patient_id).collect(),
        "patient names shown on the provider messages",
    )
    .await?;
    let people = page
        .items
        .iter()
        .flat_map(|m| [m.routed_to, m.acknowledged_by])
        .flatten()
        .collect();
    let users = user_names(&state, people).await?;
    let phi = |v: &Option<careline_domain::Phi<String>>| {
        v.as_ref().map(|x| x.expose().clone()).unwrap_or_default()
    };
    let name_of = |u: Option<Uuid>| u.and_then(|u| users.get(&u).cloned()).unwrap_or_default();
    let at = |t: Option<DateTime<Utc>>| t.map(|t| super::time::when_in(t, tz)).unwrap_or_default();
    let rows = page
        .items
        .iter()
        .map(|m| MessageRow {
            id: m.id,
            received: super::time::when_in(m.created_at, tz),
            patient: m
                .patient_id
                .and_then(|p| names.get(&p).cloned())
                .unwrap_or_default(),
            patient_id: m.patient_id,
            urgent: m.urgency == "urgent",
            emergency: m.emergency,
            due: at(m.due_at),
            overdue: m.status == "new" && m.due_at.is_some_and(|d| d < caller.now),
            routed_to: name_of(m.routed_to),
            body: phi(&m.body),
            callback: phi(&m.callback),
            taken: if m.call_id.is_some() {
                "by phone"
            } else {
                "by staff"
            },
            status: m.status.clone(),
            acknowledged: match m.acknowledged_at {
                Some(t) => format!(
                    "{}, {}",
                    name_of(m.acknowledged_by),
                    super::time::when_in(t, tz)
                ),
                None => String::new(),
            },
        })
        .collect();
    let filter_query = status_query(&status);
    Ok(MessagesPage {
        shell,
        status,
        page: page.page,
        pages: form::page_count(&page),
        filter_query,
        rows,
        total: page.total,
        can_acknowledge: caller.actor.can(Permission::ProviderMessageWrite),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct BackForm {
    #[serde(default)]
    pub back: String,
    #[serde(default)]
    pub page: String,
}

/// POST /messages/{id}/acknowledge
pub async fn acknowledge(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<BackForm>,
) -> Result<Response, WebError> {
    let _acknowledged = crate::api::provider_messages::acknowledge::acknowledge_provider_message(
        State(state),
        caller,
        ApiPath(id),
    )
    .await?;
    let back = status_filter(Some(f.back), &["new", "acknowledged"], "new");
    let page = back_page(&f.page);
    Ok(Redirect::to(&format!("/messages?status={back}&page={page}")).into_response())
}
