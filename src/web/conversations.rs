//! Conversation pages: the voice agent's stored conversations with filters, and one
//! conversation's turns (who spoke, the words, the intent understood, the recognizer's
//! confidence, how long CareLine took to answer) beside the call's recording player when the
//! call was recorded. Every read is the API handler's own, so the permission check and the
//! PHI-read audit are the API's; the player is the call page's (the API's recording route,
//! each play audited there).
//!
//! Times are the patient's practice's when the caller was verified as a patient, else those of
//! the practice of whoever looks (as the call pages).

use super::form::blank;
use super::shell::Shell;
use super::time::{clock_in, when_in};
use super::{Staff, WebError, form};
use crate::api::error::ApiError;
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::voice_interactions::{get, list, turns};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use careline_call::understanding::Intent;
use careline_domain::Permission;
use careline_store::voice_interactions::VoiceInteractionSummary;
use serde::Deserialize;
use uuid::Uuid;

/// One row of the list.
pub struct Row {
    pub id: String,
    pub started: String,
    pub patient: String,
    pub patient_id: String,
    pub intent: String,
    pub verification: String,
    pub done: String,
    pub escalated: String,
    pub turns: i32,
}

/// "appointment moved, message left": what the caller got done, in words.
fn actions(s: &VoiceInteractionSummary) -> String {
    s.completed_actions
        .iter()
        .map(|a| a.replace('_', " "))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "extension", "agent", "number", or empty when nobody took the call.
fn escalation(s: &VoiceInteractionSummary) -> String {
    match (s.escalated, &s.escalated_to) {
        (true, Some(to)) => to.clone(),
        (true, None) => "yes".into(),
        (false, _) => String::new(),
    }
}

fn words(v: &Option<String>) -> String {
    v.as_deref()
        .map(|s| s.replace('_', " "))
        .unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct ListForm {
    pub intent: Option<String>,
    /// yes or no.
    pub escalated: Option<String>,
    pub patient_id: Option<String>,
    /// A UTC date (yyyy-mm-dd): conversations started on or after it.
    pub from: Option<String>,
    /// A UTC date: started on or before it.
    pub to: Option<String>,
    pub page: Option<u64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "conversations.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    intent: String,
    escalated: String,
    patient_id: String,
    from: String,
    to: String,
    intents: Vec<&'static str>,
    filter_query: String,
}

/// GET /conversations
pub async fn list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<ListForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/conversations").await?;
    let (intent, escalated) = (blank(f.intent), blank(f.escalated));
    let (patient_id, from, to) = (blank(f.patient_id), blank(f.from), blank(f.to));
    let mut problems = Vec::new();
    let escalated_filter = match escalated.as_deref() {
        None => None,
        Some("yes") => Some(true),
        Some("no") => Some(false),
        Some(_) => {
            problems.push(("escalated".to_string(), "must be yes or no".to_string()));
            None
        }
    };
    let patient = match patient_id.as_deref().map(str::parse::<Uuid>) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            problems.push((
                "patient_id".to_string(),
                "must be a patient's id".to_string(),
            ));
            None
        }
    };
    let query = list::InteractionQuery {
        patient_id: patient,
        from: super::calls::day("from", &from, false, &mut problems),
        to: super::calls::day("to", &to, true, &mut problems),
        intent: intent.clone(),
        escalated: escalated_filter,
        page: f.page,
        per_page: Some(super::requests::PER_PAGE),
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems).into());
    }
    let tz = super::clinical::zone_of(&state, &caller).await?;
    let result =
        list::list_voice_interactions(State(state.clone()), caller.clone(), ApiQuery(query))
            .await?
            .0;
    let names = super::clinical::patient_names(
        &state,
        &caller,
        result.items.iter().filter_map(|i| i.patient_id).collect(),
        "patient names for the conversation list",
    )
    .await?;
    let filter_query = serde_urlencoded::to_string([
        ("intent", intent.clone().unwrap_or_default()),
        ("escalated", escalated.clone().unwrap_or_default()),
        ("patient_id", patient_id.clone().unwrap_or_default()),
        ("from", from.clone().unwrap_or_default()),
        ("to", to.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    Ok(ListPage {
        shell,
        rows: result
            .items
            .iter()
            .map(|i| Row {
                id: i.id.to_string(),
                started: when_in(i.started_at, tz),
                patient: match i.patient_id {
                    Some(p) => names.get(&p).cloned().unwrap_or_else(|| "a patient".into()),
                    None => String::new(),
                },
                patient_id: i.patient_id.map(|p| p.to_string()).unwrap_or_default(),
                intent: words(&i.intent),
                verification: i.verification.replace('_', " "),
                done: actions(i),
                escalated: escalation(i),
                turns: i.turn_count,
            })
            .collect(),
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        intent: intent.unwrap_or_default(),
        escalated: escalated.unwrap_or_default(),
        patient_id: patient_id.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        intents: Intent::ALL.map(Intent::as_str).to_vec(),
        filter_query,
    }
    .into_response())
}

/// One turn as the page shows it.
pub struct TurnView {
    pub caller: bool,
    pub speaker: &'static str,
    pub at: String,
    pub text: String,
    pub intent: String,
    pub confidence: String,
    pub reply: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "conversation.html")]
struct DetailPage {
    shell: Shell,
    call_id: String,
    transport: String,
    started: String,
    ended: String,
    caller_number: String,
    patient: Option<(String, String)>,
    intent: String,
    verification: String,
    done: String,
    escalated: String,
    staff_member: String,
    scores: Vec<(String, String)>,
    retain_until: String,
    turns: Vec<TurnView>,
    /// The recording's length and when it is deleted, when there is one.
    recording: Option<(String, String)>,
    /// The role may listen to recordings.
    can_listen: bool,
}

/// "0.82" or empty.
fn score(v: Option<f64>) -> String {
    v.map(|c| format!("{c:.2}")).unwrap_or_default()
}

/// The summary's scores as ("Recognition", "min 0.61 · mean 0.80 over 4 turns").
fn scores(confidence: &serde_json::Value) -> Vec<(String, String)> {
    [
        ("recognition", "Recognition"),
        ("understanding", "Understanding"),
    ]
    .into_iter()
    .filter_map(|(key, label)| {
        let s = confidence.get(key)?;
        Some((
            label.to_string(),
            format!(
                "min {:.2} · mean {:.2} over {} turns",
                s["min"].as_f64()?,
                s["mean"].as_f64()?,
                s["turns"].as_u64()?
            ),
        ))
    })
    .collect()
}

/// GET /conversations/{id}
pub async fn detail(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/conversations").await?;
    // Permission first, so a role without it is told so whatever the id.
    caller
        .require(&state, Permission::VoiceInteractionRead)
        .await?;
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::not_found("voice interaction"))?;
    let s = || State(state.clone());
    let view = get::get_voice_interaction(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    let turns = turns::voice_interaction_turns(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    let i = &view.interaction.summary;
    let tz = match i.patient_id {
        Some(p) => super::clinical::zone_of_patient(&state, &caller, p).await?,
        None => super::clinical::zone_of(&state, &caller).await?,
    };
    let patient = match i.patient_id {
        Some(p) => {
            let names = super::clinical::patient_names(
                &state,
                &caller,
                vec![p],
                "patient name for a conversation",
            )
            .await?;
            Some((
                p.to_string(),
                names.get(&p).cloned().unwrap_or_else(|| p.to_string()),
            ))
        }
        None => None,
    };
    let staff_member = match i.staff_member_id {
        Some(u) => careline_store::users::get(&state.store, u)
            .await?
            .map(|u| u.full_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let page = DetailPage {
        shell,
        call_id: i.call_id.clone(),
        transport: i.transport.clone(),
        started: when_in(i.started_at, tz),
        ended: i.ended_at.map(|t| when_in(t, tz)).unwrap_or_default(),
        caller_number: view
            .interaction
            .caller_number
            .as_ref()
            .map(|n| n.expose().clone())
            .unwrap_or_default(),
        patient,
        intent: words(&i.intent),
        verification: i.verification.replace('_', " "),
        done: actions(i),
        escalated: escalation(i),
        staff_member,
        scores: scores(&i.confidence),
        retain_until: when_in(i.retain_until, tz),
        turns: turns
            .iter()
            .map(|t| {
                let caller_turn = t.speaker == "caller";
                TurnView {
                    caller: caller_turn,
                    speaker: if caller_turn { "Caller" } else { "CareLine" },
                    at: clock_in(t.at, tz),
                    text: t.text.expose().clone(),
                    intent: words(&t.intent),
                    confidence: score(t.confidence),
                    reply: t.reply_ms.map(|ms| format!("{ms} ms")).unwrap_or_default(),
                }
            })
            .collect(),
        recording: view.recording.as_ref().map(|r| {
            (
                format!("{} s", r.duration_ms / 1000),
                when_in(r.expires_at, tz),
            )
        }),
        can_listen: caller.actor.can(Permission::CallRecordingRead),
    };
    Ok(page.into_response())
}
