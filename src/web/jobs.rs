//! The operators' jobs page (`/admin/jobs`): the queue at a glance (jobs per state and how
//! late the oldest due one is), the jobs newest first with state and kind filters, and Retry
//! and Cancel where the job's state allows. A voided job (a reminder of an appointment since
//! moved or cancelled: `jobs::Job::voided`) offers no Retry, which would do nothing, and says
//! so instead. The list, retry and cancel are the API's handlers
//! (permission JobManage, audited); the counts, the lateness and the kinds to filter by have
//! no API route of their own and are read from the store after the list's permission check.
//! A change refused because the job moved on meanwhile is said on the page, not as an error
//! page.
//!
//! Payloads are shown, compactly: by contract they hold ids and references only, never PHI
//! (docs/jobs.md), the admin API already returns them, and an operator deciding whether to
//! retry a dead job needs to see which appointment or call it was for.

use super::form::{blank, filled};
use super::shell::{Shell, when};
use super::{Staff, WebError, form};
use crate::api::admin::{cancel_job, list_jobs, retry_job};
use crate::api::extract::{ApiPath, ApiQuery, Caller};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use careline_store::jobs::{self, Job, JobState};
use serde::Deserialize;
use uuid::Uuid;

/// The longest payload shown in a row; the rest is cut with an ellipsis.
const PAYLOAD_CHARS: usize = 160;

/// How each state is named on the page, in the order of the counts.
const STATES: [(JobState, &str); 6] = [
    (JobState::Queued, "Queued"),
    (JobState::Running, "Running"),
    (JobState::Retrying, "Failed, retrying"),
    (JobState::Dead, "Dead"),
    (JobState::Cancelled, "Cancelled"),
    (JobState::Succeeded, "Succeeded"),
];

fn state_label(s: &str) -> &'static str {
    STATES
        .iter()
        .find(|(st, _)| st.as_str() == s)
        .map_or("Unknown", |(_, l)| l)
}

pub struct JobRow {
    pub id: Uuid,
    pub kind: String,
    pub state: String,
    pub state_label: &'static str,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: String,
    pub last_error: String,
    pub key: String,
    pub payload: String,
    pub can_retry: bool,
    pub can_cancel: bool,
    /// Voided (what it was for no longer applies): no Retry, and the row says so.
    pub voided: bool,
}

/// What became of an operator's action, said above the list.
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs.html")]
struct JobsPage {
    shell: Shell,
    counts: Vec<(&'static str, &'static str, u64)>,
    lateness: String,
    rows: Vec<JobRow>,
    total: u64,
    page: u64,
    pages: u64,
    state: String,
    kind: String,
    states: Vec<(&'static str, &'static str)>,
    kinds: Vec<String>,
    filter_query: String,
    notice: Option<Notice>,
}

#[derive(Deserialize, Default)]
pub struct JobsQuery {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub page: Option<u64>,
    /// After an action: `retried` or `cancelled`, and the job's kind.
    pub done: Option<String>,
    pub done_kind: Option<String>,
}

/// "3 min 12 s" for a lateness.
fn span(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        3600..86400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} days {} h", s / 86400, s % 86400 / 3600),
    }
}

fn compact(payload: &serde_json::Value) -> String {
    let text = payload.to_string();
    if text.chars().count() <= PAYLOAD_CHARS {
        text
    } else {
        let cut: String = text.chars().take(PAYLOAD_CHARS).collect();
        format!("{cut}…")
    }
}

fn row(j: &Job) -> JobRow {
    let st = j.state();
    JobRow {
        id: j.id,
        kind: j.kind.clone(),
        state_label: state_label(&j.state),
        state: j.state.clone(),
        attempts: j.attempts,
        max_attempts: j.max_attempts,
        run_at: when(j.run_at),
        last_error: j.last_error.clone().unwrap_or_default(),
        key: j.idempotency_key.clone(),
        payload: compact(&j.payload),
        can_retry: matches!(st, Some(JobState::Dead | JobState::Cancelled)) && !j.voided(),
        can_cancel: matches!(
            st,
            Some(JobState::Queued | JobState::Retrying | JobState::Running)
        ),
        voided: j.voided(),
    }
}

async fn jobs_page(
    state: &AppState,
    caller: &Caller,
    q: JobsQuery,
    notice: Option<Notice>,
) -> Result<JobsPage, WebError> {
    let shell = Shell::load(state, caller, "/admin/jobs").await?;
    let job_state = blank(q.state);
    let kind = blank(q.kind);
    // The API's list first: its permission check stands before anything is read.
    let result = list_jobs::list_jobs(
        State(state.clone()),
        caller.clone(),
        ApiQuery(list_jobs::JobQuery {
            state: job_state.clone(),
            kind: kind.clone(),
            page: q.page,
            per_page: Some(super::requests::PER_PAGE),
        }),
    )
    .await?
    .0;
    let stats = jobs::stats(&state.store, caller.now).await?;
    let late = stats.lateness(caller.now);
    let lateness = match stats.oldest_due {
        None => "No job is waiting past its time.".to_string(),
        Some(_) if late.num_seconds() < 1 => "The oldest due job is on time.".to_string(),
        Some(due) => format!(
            "The oldest due job has waited {} past its time ({}).",
            span(late),
            when(due)
        ),
    };
    let filter_query = serde_urlencoded::to_string([
        ("state", job_state.clone().unwrap_or_default()),
        ("kind", kind.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    // A kind asked for that no job has (any more) stays chosen in the filter.
    let mut kinds = jobs::kinds(&state.store).await?;
    if let Some(k) = &kind
        && !kinds.contains(k)
    {
        kinds.push(k.clone());
    }
    Ok(JobsPage {
        shell,
        counts: STATES
            .iter()
            .map(|(s, l)| (s.as_str(), *l, stats.count(*s)))
            .collect(),
        lateness,
        rows: result.items.iter().map(row).collect(),
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        state: job_state.unwrap_or_default(),
        kind: kind.unwrap_or_default(),
        states: STATES.iter().map(|(s, l)| (s.as_str(), *l)).collect(),
        kinds,
        filter_query,
        notice,
    })
}

/// GET /admin/jobs[?state=&kind=&page=]
pub async fn list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<JobsQuery>,
) -> Result<Response, WebError> {
    let notice = match (q.done.as_deref(), q.done_kind.as_deref()) {
        (Some("retried"), kind) => Some(Notice {
            ok: true,
            text: format!(
                "The {} job is queued again and runs at once.",
                kind.unwrap_or("")
            ),
        }),
        (Some("cancelled"), kind) => Some(Notice {
            ok: true,
            text: format!(
                "The {} job is cancelled; it will not run again unless retried.",
                kind.unwrap_or("")
            ),
        }),
        _ => None,
    };
    Ok(jobs_page(&state, &caller, q, notice).await?.into_response())
}

/// The list the action was sent from, to return to it.
#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub kind: String,
    pub page: Option<u64>,
}

/// POST /admin/jobs/{id}/{retry|cancel}: the API's action; back to the same list with a
/// notice, or the list with why it was not possible (409, the job's state now).
pub async fn act(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path((id, action)): axum::extract::Path<(Uuid, String)>,
    axum::Form(f): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let result = match action.as_str() {
        "retry" => retry_job::retry_job(State(state.clone()), caller.clone(), ApiPath(id)).await,
        "cancel" => cancel_job::cancel_job(State(state.clone()), caller.clone(), ApiPath(id)).await,
        _ => return Err(form::invalid("action", "must be retry or cancel")),
    };
    let list = JobsQuery {
        state: filled(&f.state),
        kind: filled(&f.kind),
        page: f.page,
        done: None,
        done_kind: None,
    };
    match result {
        Ok(job) => {
            let done = if action == "retry" {
                "retried"
            } else {
                "cancelled"
            };
            let query = serde_urlencoded::to_string([
                ("state", f.state.as_str()),
                ("kind", f.kind.as_str()),
                ("page", &f.page.unwrap_or(1).to_string()),
                ("done", done),
                ("done_kind", &job.0.kind),
            ])
            .unwrap_or_default();
            Ok(Redirect::to(&format!("/admin/jobs?{query}")).into_response())
        }
        Err(e) if e.status == StatusCode::CONFLICT => {
            let now = e.details["current_status"].as_str().unwrap_or("");
            let text = if e.code == jobs::VOIDED_CODE {
                format!("Not retried. {}", e.message)
            } else if action == "retry" {
                format!(
                    "Not retried: the job is {} now. Only a dead or cancelled job can be \
                     retried; a queued, running or retrying one will run anyway.",
                    state_label(now).to_lowercase()
                )
            } else {
                format!(
                    "Not cancelled: the job is {} now. Only a queued, running or retrying job \
                     can be cancelled; a finished one has nothing left to stop.",
                    state_label(now).to_lowercase()
                )
            };
            let page = jobs_page(&state, &caller, list, Some(Notice { ok: false, text })).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_reads_as_a_person_says_it() {
        assert_eq!(span(chrono::Duration::seconds(42)), "42 s");
        assert_eq!(span(chrono::Duration::seconds(192)), "3 min 12 s");
        assert_eq!(span(chrono::Duration::seconds(7300)), "2 h 1 min");
        assert_eq!(span(chrono::Duration::days(3)), "3 days 0 h");
    }

    #[test]
    fn a_long_payload_is_cut() {
        let p = serde_json::json!({"ids": vec!["0123456789"; 40]});
        let c = compact(&p);
        assert_eq!(c.chars().count(), PAYLOAD_CHARS + 1);
        assert!(c.ends_with('…'));
        assert_eq!(
            compact(&serde_json::json!({"appointment_id": "a"})),
            r#"{"appointment_id":"a"}"#
        );
    }
}
