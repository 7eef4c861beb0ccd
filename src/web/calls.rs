//! Call pages: the call log with filters, one call's summary and event timeline with its
//! recording played in the page, and the calls in progress (refreshed by live call events).
//! Every read is the API handler's own, so the permission check and audit are the API's; the
//! audio player loads the API's recording route with the session cookie and seeks with Range
//! requests, each audited there as a play.
//!
//! Times are the practice's: a call to a practice's main number (or about one of its
//! patients) in that practice's zone, the lists in the zone of the caller's practice; for
//! someone of no practice, the configured default.

use super::form::blank;
use super::shell::Shell;
use super::time::{clock_in, when_in};
use super::{Staff, WebError, form};
use crate::api::calls::{events, get, list};
use crate::api::error::ApiError;
use crate::api::extract::{ApiPath, ApiQuery, Caller};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use careline_domain::Permission;
use careline_store::calls::{CALL_STATUSES, CallSummary, TRANSPORTS};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

/// One row of a call list.
pub struct CallRow {
    pub id: String,
    pub transport: String,
    pub to_number: String,
    pub status: String,
    pub steps: i32,
    pub started: String,
    /// How long it lasted, or has lasted so far.
    pub length: String,
}

impl CallRow {
    fn of(c: &CallSummary, now: DateTime<Utc>, tz: Tz) -> CallRow {
        CallRow {
            id: c.call_id.clone(),
            transport: c.transport.clone(),
            to_number: c.to_number.clone(),
            status: c.status.clone(),
            steps: c.steps,
            started: when_in(c.started_at, tz),
            length: length(c, now),
        }
    }
}

/// The zone of one call: the practice whose main number it dialled, else its patient's
/// practice, else the caller's ([`super::clinical::zone_of`]).
async fn zone_of_call(state: &AppState, caller: &Caller, c: &CallSummary) -> Result<Tz, WebError> {
    if let Ok(number) = careline_domain::PhoneNumber::parse(&c.to_number)
        && let Some(config) =
            careline_store::practice::by_main_number(&state.store, &number).await?
    {
        return Ok(config.settings.tz());
    }
    match c.patient_id {
        Some(p) => super::clinical::zone_of_patient(state, caller, p).await,
        None => super::clinical::zone_of(state, caller).await,
    }
}

/// "2 min 05 s": a call's length, to its end or to now.
fn length(c: &CallSummary, now: DateTime<Utc>) -> String {
    let secs = (c.ended_at.unwrap_or(now) - c.started_at)
        .num_seconds()
        .max(0);
    if secs < 60 {
        format!("{secs} s")
    } else {
        format!("{} min {:02} s", secs / 60, secs % 60)
    }
}

#[derive(Deserialize, Default)]
pub struct ListForm {
    pub status: Option<String>,
    pub transport: Option<String>,
    /// A UTC date (yyyy-mm-dd): calls started on or after it.
    pub from: Option<String>,
    /// A UTC date: calls started on or before it.
    pub to: Option<String>,
    pub page: Option<u64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "calls.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<CallRow>,
    total: u64,
    page: u64,
    pages: u64,
    status: String,
    transport: String,
    from: String,
    to: String,
    statuses: Vec<&'static str>,
    transports: Vec<&'static str>,
    filter_query: String,
}

/// A date field as the first moment of that UTC day (`next_day`: of the day after, so "to"
/// includes the day it names).
pub(super) fn day(
    field: &str,
    v: &Option<String>,
    next_day: bool,
    problems: &mut Vec<(String, String)>,
) -> Option<DateTime<Utc>> {
    let d = v.as_deref()?;
    match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
        Ok(d) => {
            let d = if next_day { d.succ_opt()? } else { d };
            Some(d.and_time(chrono::NaiveTime::MIN).and_utc())
        }
        Err(_) => {
            problems.push((field.to_string(), "must be a date (yyyy-mm-dd)".into()));
            None
        }
    }
}

/// GET /calls
pub async fn list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<ListForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/calls").await?;
    let (status, transport) = (blank(f.status), blank(f.transport));
    let (from, to) = (blank(f.from), blank(f.to));
    let mut problems = Vec::new();
    let query = list::CallQuery {
        status: status.clone(),
        transport: transport.clone(),
        from: day("from", &from, false, &mut problems),
        to: day("to", &to, true, &mut problems),
        page: f.page,
        per_page: Some(super::requests::PER_PAGE),
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems).into());
    }
    let now = caller.now;
    let tz = super::clinical::zone_of(&state, &caller).await?;
    let result = list::list_calls(State(state), caller, ApiQuery(query))
        .await?
        .0;
    let filter_query = serde_urlencoded::to_string([
        ("status", status.clone().unwrap_or_default()),
        ("transport", transport.clone().unwrap_or_default()),
        ("from", from.clone().unwrap_or_default()),
        ("to", to.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    Ok(ListPage {
        shell,
        rows: result
            .items
            .iter()
            .map(|c| CallRow::of(c, now, tz))
            .collect(),
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        status: status.unwrap_or_default(),
        transport: transport.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        statuses: CALL_STATUSES.to_vec(),
        transports: TRANSPORTS.to_vec(),
        filter_query,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct LiveForm {
    pub page: Option<u64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "calls_live.html")]
struct LivePage {
    shell: Shell,
    rows: Vec<CallRow>,
    total: u64,
    page: u64,
    pages: u64,
    filter_query: String,
}

/// GET /calls/live: the calls not yet ended, newest first.
pub async fn live(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<LiveForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/calls").await?;
    let query = list::CallQuery {
        status: Some("in_progress".into()),
        page: f.page,
        per_page: Some(super::requests::PER_PAGE),
        ..Default::default()
    };
    let now = caller.now;
    let tz = super::clinical::zone_of(&state, &caller).await?;
    let result = list::list_calls(State(state), caller, ApiQuery(query))
        .await?
        .0;
    Ok(LivePage {
        shell,
        rows: result
            .items
            .iter()
            .map(|c| CallRow::of(c, now, tz))
            .collect(),
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        filter_query: String::new(),
    }
    .into_response())
}

/// One event of a call's timeline.
pub struct EventView {
    pub at: String,
    /// Seconds since the call started, as "+12.3 s".
    pub offset: String,
    pub action: String,
    pub result: String,
    pub method: String,
    pub error_code: String,
    pub details: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "call.html")]
struct DetailPage {
    shell: Shell,
    id: String,
    transport: String,
    to_number: String,
    status: String,
    steps: i32,
    started: String,
    ended: String,
    length: String,
    error: Option<(String, String)>,
    events: Vec<EventView>,
    /// The recording's length and when it is deleted, when there is one.
    recording: Option<(String, String)>,
    /// The role may listen to recordings.
    can_listen: bool,
}

/// GET /calls/{id}
pub async fn detail(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/calls").await?;
    let s = || State(state.clone());
    let view = get::get_call(s(), caller.clone(), ApiPath(id.clone()))
        .await?
        .0;
    let events = events::call_events(s(), caller.clone(), ApiPath(id.clone()))
        .await?
        .0;
    let c = &view.call;
    let tz = zone_of_call(&state, &caller, c).await?;
    let when = |t: DateTime<Utc>| when_in(t, tz);
    let page = DetailPage {
        shell,
        id: c.call_id.clone(),
        transport: c.transport.clone(),
        to_number: c.to_number.clone(),
        status: c.status.clone(),
        steps: c.steps,
        started: when(c.started_at),
        ended: c.ended_at.map(when).unwrap_or_default(),
        length: length(c, caller.now),
        error: view
            .error
            .as_ref()
            .map(|e| (e.error.code.clone(), e.error.message.clone())),
        events: events
            .iter()
            .map(|e| EventView {
                at: clock_in(e.timestamp, tz),
                offset: format!("+{:.1} s", e.duration as f64 / 1000.0),
                action: e.action.replace('_', " "),
                result: e.result.replace('_', " "),
                method: e.authentication_method.clone(),
                error_code: e.error_code.clone().unwrap_or_default(),
                details: match &e.details {
                    Some(serde_json::Value::Object(m)) if m.is_empty() => String::new(),
                    Some(d) => d.to_string(),
                    None => String::new(),
                },
            })
            .collect(),
        recording: view
            .recording
            .as_ref()
            .map(|r| (format!("{} s", r.duration_ms / 1000), when(r.expires_at))),
        can_listen: caller.actor.can(Permission::CallRecordingRead),
    };
    Ok(page.into_response())
}
