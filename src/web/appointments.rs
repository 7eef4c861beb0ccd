//! The appointment calendar: one provider's day or week, with their appointments and the open
//! slots for a chosen type; booking from an open slot, and each appointment's page with its
//! history and its steps (confirm, move, cancel, complete, no-show). Every read and change
//! is the API handler's own, so permissions, rules and audit are the API's; the calendar
//! refreshes itself when an APPOINTMENT_CHANGED event arrives. Times are shown in the
//! practice's own time zone.

use super::shell::Shell;
use super::{Staff, WebError, form};
use crate::api::appointments::{self as api, StepInput};
use crate::api::error::ApiError;
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::appointments::Appointment;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The practice whose calendar this is: the caller's own, or (an admin) the one chosen, or
/// the first with a configuration; `None` when there is none to show.
pub(super) async fn practice_of(
    state: &AppState,
    caller: &Caller,
    chosen: Option<Uuid>,
) -> Result<Option<(Uuid, careline_store::practice::PracticeConfig)>, WebError> {
    let own =
        careline_store::practice::organization_of_user(&state.store, caller.user_id()).await?;
    let admin = caller.role() == careline_domain::Role::Admin;
    let org = match (own, chosen) {
        (Some(o), _) => Some(o),
        (None, Some(c)) if admin => Some(c),
        (None, _) if admin => careline_store::practice::configured(&state.store)
            .await?
            .first()
            .map(|(id, _)| *id),
        _ => None,
    };
    let Some(org) = org else { return Ok(None) };
    Ok(careline_store::practice::get(&state.store, org)
        .await?
        .map(|config| (org, config)))
}

/// Patients' names for the rows shown, read in the caller's scope and audited as one query.
async fn names(
    state: &AppState,
    caller: &Caller,
    appointments: &[Appointment],
) -> Result<HashMap<Uuid, String>, WebError> {
    if !caller.actor.can(Permission::PatientRead) {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = appointments.iter().map(|a| a.patient_id).collect();
    let found = careline_store::patients::names(&state.store, &caller.actor, &ids).await?;
    if !found.is_empty() {
        let mut event = caller.event(
            AuditType::Query,
            AuditAction::R,
            "patient names shown on the appointment calendar",
        );
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

/// One line of a day: an appointment, or an open slot to book.
pub struct Entry {
    pub time: String,
    pub end: String,
    pub appointment: Option<EntryAppointment>,
    /// For an open slot: the start as RFC 3339, to book it.
    pub start: String,
}

pub struct EntryAppointment {
    pub id: Uuid,
    pub patient: String,
    pub kind: String,
    pub status: String,
}

pub struct DayColumn {
    pub label: String,
    pub iso: String,
    pub today: bool,
    /// Why nothing can be booked that day, if so (closed, a holiday).
    pub note: String,
    pub entries: Vec<Entry>,
}

#[derive(Template, WebTemplate)]
#[template(path = "appointments.html")]
struct CalendarPage {
    shell: Shell,
    practice_name: String,
    zone: String,
    providers: Vec<(Uuid, String)>,
    provider: Uuid,
    types: Vec<(String, String)>,
    kind: String,
    view: String,
    date: String,
    prev: String,
    next: String,
    days: Vec<DayColumn>,
    can_book: bool,
}

#[derive(Deserialize, Default)]
pub struct CalendarForm {
    pub provider: Option<String>,
    pub date: Option<String>,
    pub view: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub practice: Option<String>,
}

fn uuid_field(field: &str, v: Option<String>) -> Result<Option<Uuid>, WebError> {
    form::blank(v)
        .map(|s| s.parse().map_err(|_| form::invalid(field, "is not an id")))
        .transpose()
}

#[derive(Template, WebTemplate)]
#[template(path = "appointments_none.html")]
struct NoPracticePage {
    shell: Shell,
}

/// GET /appointments
pub async fn calendar(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<CalendarForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/appointments").await?;
    caller.require(&state, Permission::AppointmentRead).await?;
    let Some((org, config)) =
        practice_of(&state, &caller, uuid_field("practice", f.practice)?).await?
    else {
        // A doctor of the supply business, say: no appointment book to show.
        return Ok(NoPracticePage { shell }.into_response());
    };
    let tz = config.settings.tz();
    let providers = careline_store::appointments::practice_providers(&state.store, org).await?;
    let provider = match uuid_field("provider", f.provider)? {
        Some(p) => p,
        None => providers
            .first()
            .map(|(id, _)| *id)
            .ok_or_else(|| ApiError::not_found("provider"))?,
    };
    let today = caller.now.with_timezone(&tz).date_naive();
    let date = form::date("date", f.date.as_deref().unwrap_or(""))?.unwrap_or(today);
    if (date - today).num_days().abs() > 3660 {
        return Err(form::invalid("date", "must be within ten years of today"));
    }
    let week = f.view.as_deref() != Some("day");
    // A week is the seven days from the date shown (today by default): what is coming is
    // what the front desk works on, even on a Sunday.
    let first = date;
    let span = if week { 7 } else { 1 };
    let last = first + Duration::days(span - 1);
    let kind = form::blank(f.kind)
        .filter(|k| config.settings.appointment_type(k).is_some())
        .or_else(|| {
            config
                .settings
                .appointment_types
                .first()
                .map(|t| t.code.clone())
        })
        .unwrap_or_default();
    let s = || State(state.clone());
    let booked = api::list::list_appointments(
        s(),
        caller.clone(),
        ApiQuery(api::list::AppointmentQuery {
            provider_id: Some(provider),
            from: Some(form::local_midnight_in(tz, first)),
            to: Some(form::local_midnight_in(tz, last + Duration::days(1))),
            per_page: Some(careline_store::MAX_PER_PAGE),
            ..Default::default()
        }),
    )
    .await?
    .0
    .items;
    // Open slots only for those who book, and only where the practice could book at all.
    let can_book = caller.actor.can(Permission::AppointmentBook);
    let open = if can_book && !kind.is_empty() {
        match api::slots::open_slots(
            s(),
            caller.clone(),
            ApiQuery(api::slots::SlotQuery {
                provider_id: Some(provider),
                appointment_type: Some(kind.clone()),
                from: Some(first),
                to: Some(last),
            }),
        )
        .await
        {
            Ok(slots) => slots.0.starts,
            // A provider who does not see this type has no open slots for it.
            Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => Vec::new(),
            Err(e) => return Err(e.into()),
        }
    } else {
        Vec::new()
    };
    let names = names(&state, &caller, &booked).await?;
    let hm = |t: DateTime<Utc>| t.with_timezone(&tz).format("%H:%M").to_string();
    let mut days = Vec::new();
    for n in 0..span {
        let d = first + Duration::days(n);
        let mut entries: Vec<(DateTime<Utc>, Entry)> = booked
            .iter()
            .filter(|a| a.starts_at.with_timezone(&tz).date_naive() == d)
            .map(|a| {
                (
                    a.starts_at,
                    Entry {
                        time: hm(a.starts_at),
                        end: hm(a.ends_at),
                        start: String::new(),
                        appointment: Some(EntryAppointment {
                            id: a.id,
                            patient: names
                                .get(&a.patient_id)
                                .cloned()
                                .unwrap_or_else(|| "a patient".into()),
                            kind: config
                                .settings
                                .appointment_type(&a.appointment_type)
                                .map(|t| t.name.clone())
                                .unwrap_or_else(|| a.appointment_type.clone()),
                            status: a.status.as_str().replace('_', " "),
                        }),
                    },
                )
            })
            .collect();
        let length = config
            .settings
            .appointment_type(&kind)
            .map_or(0, |t| t.duration_minutes as i64);
        entries.extend(
            open.iter()
                .filter(|t| t.with_timezone(&tz).date_naive() == d)
                .map(|t| {
                    (
                        *t,
                        Entry {
                            time: hm(*t),
                            end: hm(*t + Duration::minutes(length)),
                            start: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            appointment: None,
                        },
                    )
                }),
        );
        entries.sort_by_key(|(t, e)| (*t, e.appointment.is_none()));
        let note = match config.settings.hours_on(d) {
            None => config
                .settings
                .holiday_schedule
                .iter()
                .find(|h| h.date == d)
                .map(|h| format!("Closed: {}", h.name))
                .unwrap_or_else(|| "Closed".into()),
            Some(_) => String::new(),
        };
        days.push(DayColumn {
            label: d.format("%a %-d %b").to_string(),
            iso: d.to_string(),
            today: d == today,
            note,
            entries: entries.into_iter().map(|(_, e)| e).collect(),
        });
    }
    let step = Duration::days(span);
    Ok(CalendarPage {
        shell,
        practice_name: config.settings.practice_name.clone(),
        zone: tz.name().to_string(),
        providers,
        provider,
        types: config
            .settings
            .appointment_types
            .iter()
            .map(|t| (t.code.clone(), t.name.clone()))
            .collect(),
        kind,
        view: if week { "week" } else { "day" }.into(),
        date: date.to_string(),
        prev: (date - step).to_string(),
        next: (date + step).to_string(),
        days,
        can_book,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "appointment_new.html")]
struct NewPage {
    shell: Shell,
    provider: Uuid,
    provider_name: String,
    kind: String,
    kind_name: String,
    start: String,
    when: String,
    patients: Vec<(Uuid, String)>,
    key: Uuid,
}

#[derive(Deserialize, Default)]
pub struct NewForm {
    pub provider: Option<String>,
    pub start: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// GET /appointments/new?provider&start&type: book the open slot chosen on the calendar.
pub async fn new_page(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<NewForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/appointments").await?;
    caller.require(&state, Permission::AppointmentBook).await?;
    let provider = uuid_field("provider", f.provider)?
        .ok_or_else(|| form::invalid("provider", "is required"))?;
    let start: DateTime<Utc> = form::blank(f.start)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| form::invalid("start", "must be a time (RFC 3339)"))?;
    let kind = form::blank(f.kind).ok_or_else(|| form::invalid("type", "is required"))?;
    let (_, config) = practice_of(&state, &caller, None)
        .await?
        .ok_or_else(|| ApiError::not_found("practice configuration"))?;
    let tz = config.settings.tz();
    let kind_name = config
        .settings
        .appointment_type(&kind)
        .map(|t| t.name.clone())
        .ok_or_else(|| form::invalid("type", "is not one of the practice's appointment types"))?;
    let provider_name = careline_store::practice::provider(&state.store, provider)
        .await?
        .map(|p| p.full_name)
        .ok_or_else(|| ApiError::not_found("provider"))?;
    let patients = super::patients::choices(&state, &caller).await?;
    Ok(NewPage {
        shell,
        provider,
        provider_name,
        kind,
        kind_name,
        start: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        when: start
            .with_timezone(&tz)
            .format("%A %-d %B %Y, %H:%M %Z")
            .to_string(),
        patients,
        key: Uuid::new_v4(),
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct BookForm {
    pub provider_id: String,
    pub patient_id: String,
    pub appointment_type: String,
    pub starts_at: String,
    #[serde(default)]
    pub special_instructions: String,
    /// Made when the form was shown: submitting it twice books once.
    pub idempotency_key: String,
}

/// POST /appointments/new
pub async fn book(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::Form(f): axum::Form<BookForm>,
) -> Result<Response, WebError> {
    let provider_id = f
        .provider_id
        .parse()
        .map_err(|_| form::invalid("provider_id", "is not an id"))?;
    let patient_id = f
        .patient_id
        .parse()
        .map_err(|_| form::invalid("patient_id", "choose a patient"))?;
    let starts_at = f
        .starts_at
        .parse()
        .map_err(|_| form::invalid("starts_at", "must be a time (RFC 3339)"))?;
    let (_, a) = api::book::book_appointment(
        State(state),
        caller,
        ApiJson(api::book::BookInput {
            provider_id,
            patient_id,
            appointment_type: f.appointment_type,
            starts_at,
            created_via: None,
            special_instructions: form::filled(&f.special_instructions),
            idempotency_key: form::filled(&f.idempotency_key),
        }),
    )
    .await?;
    Ok(Redirect::to(&format!("/appointments/{}", a.0.id)).into_response())
}

pub struct HistoryRow {
    pub at: String,
    pub action: String,
    pub change: String,
    pub channel: String,
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "appointment.html")]
struct DetailPage {
    shell: Shell,
    id: Uuid,
    patient: String,
    patient_id: Uuid,
    provider: String,
    kind: String,
    when: String,
    status: String,
    number: String,
    via: String,
    instructions: String,
    sync: String,
    history: Vec<HistoryRow>,
    /// Reminders still to go: (when, which).
    planned: Vec<(String, &'static str)>,
    /// Reminders sent: (when, how, attempt, status).
    sent: Vec<(String, String, i32, String)>,
    steps: Vec<(&'static str, &'static str)>,
    can_cancel: bool,
    /// Open times to move to, by provider (the appointment's own first): (provider's name,
    /// [(form value, label)]).
    moves: Vec<(String, Vec<(String, String)>)>,
}

/// GET /appointments/{id}
pub async fn detail(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/appointments").await?;
    let s = || State(state.clone());
    let a = api::get::get_appointment(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    let changes = api::history::appointment_history(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    let sent = api::deliveries::appointment_deliveries(s(), caller.clone(), ApiPath(id))
        .await?
        .0;
    let planned = careline_store::reminders::planned(&state.store, id).await?;
    let config = careline_store::practice::get(&state.store, a.organization_id)
        .await?
        .ok_or_else(|| ApiError::not_found("practice configuration"))?;
    let tz = config.settings.tz();
    let at = |t: DateTime<Utc>| {
        t.with_timezone(&tz)
            .format("%a %-d %b %Y %H:%M %Z")
            .to_string()
    };
    let names = names(&state, &caller, std::slice::from_ref(&a)).await?;
    let provider = careline_store::practice::provider(&state.store, a.provider_id)
        .await?
        .map(|p| p.full_name)
        .unwrap_or_default();
    let can_book = caller.actor.can(Permission::AppointmentBook);
    use careline_domain::appointment::AppointmentStatus as S;
    let begun = caller.now >= a.starts_at;
    let mut steps = Vec::new();
    if can_book {
        if a.status == S::Requested {
            steps.push(("confirm", "Confirm"));
        }
        if a.status == S::Confirmed && begun {
            steps.push(("complete", "Completed"));
            steps.push(("no-show", "Did not come"));
        }
    }
    let holds = a.status.holds_time();
    // Where it could move: each provider's next open slots for its type, two weeks ahead, the
    // appointment's own provider first (any of the practice's who offer the type).
    let mut moves = Vec::new();
    if can_book && holds {
        let today = caller.now.with_timezone(&tz).date_naive();
        let mut providers =
            careline_store::appointments::practice_providers(&state.store, a.organization_id)
                .await?;
        providers.sort_by_key(|(p, _)| *p != a.provider_id);
        for (provider_id, name) in providers {
            let slots = api::slots::open_slots(
                s(),
                caller.clone(),
                ApiQuery(api::slots::SlotQuery {
                    provider_id: Some(provider_id),
                    appointment_type: Some(a.appointment_type.clone()),
                    from: Some(today),
                    to: Some(today + Duration::days(14)),
                }),
            )
            .await;
            // A provider who does not offer the type, or is not the caller's to book with.
            let Ok(slots) = slots else { continue };
            let times: Vec<(String, String)> = slots
                .0
                .starts
                .into_iter()
                .take(if provider_id == a.provider_id { 40 } else { 20 })
                .map(|t| (format!("{provider_id}@{}", t.to_rfc3339()), at(t)))
                .collect();
            if !times.is_empty() {
                moves.push((name, times));
            }
        }
    }
    Ok(DetailPage {
        shell,
        id: a.id,
        patient: names.get(&a.patient_id).cloned().unwrap_or_default(),
        patient_id: a.patient_id,
        provider,
        kind: config
            .settings
            .appointment_type(&a.appointment_type)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| a.appointment_type.clone()),
        when: format!(
            "{} to {}",
            at(a.starts_at),
            a.ends_at.with_timezone(&tz).format("%H:%M")
        ),
        status: a.status.as_str().replace('_', " "),
        number: a.confirmation_number.clone(),
        via: a.created_via.as_str().replace('_', " "),
        instructions: a
            .special_instructions
            .as_ref()
            .map(|i| i.expose().clone())
            .unwrap_or_default(),
        sync: a.openemr_sync_status.clone(),
        history: changes
            .iter()
            .map(|c| HistoryRow {
                at: at(c.changed_at),
                action: c.action.replace('_', " "),
                change: match (&c.from_starts_at, &c.to_starts_at) {
                    (Some(f), Some(t)) => format!("{} → {}", at(*f), at(*t)),
                    _ => match &c.from_status {
                        Some(f) if *f != c.to_status => format!("{f} → {}", c.to_status),
                        _ => c.to_status.clone(),
                    },
                },
                channel: c.channel.replace('_', " "),
                reason: c
                    .reason
                    .as_ref()
                    .map(|r| r.expose().clone())
                    .unwrap_or_default(),
            })
            .collect(),
        planned: planned
            .into_iter()
            .map(|(lead, t)| {
                let which = match lead {
                    careline_domain::reminder::ReminderLead::DayBefore => "the day before",
                    careline_domain::reminder::ReminderLead::SameDay => "the same day",
                };
                (at(t), which)
            })
            .collect(),
        sent: sent
            .into_iter()
            .map(|d| {
                let how = match d.channel.as_str() {
                    "sms" => "text message".to_string(),
                    "voice" => "phone call".to_string(),
                    other => other.replace('_', " "),
                };
                let status = match &d.detail {
                    Some(why) => format!("{} ({why})", d.status.replace('_', " ")),
                    None => d.status.replace('_', " "),
                };
                (at(d.created_at), how, d.attempt, status)
            })
            .collect(),
        steps,
        can_cancel: can_book && holds,
        moves,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub starts_at: String,
}

/// POST /appointments/{id}/{action}
pub async fn act(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path((id, action)): axum::extract::Path<(Uuid, String)>,
    axum::Form(f): axum::Form<StepForm>,
) -> Result<Response, WebError> {
    let s = State(state.clone());
    let p = ApiPath(id);
    let reason = Some(ApiJson(StepInput {
        reason: form::filled(&f.reason),
    }));
    let _moved = match action.as_str() {
        "confirm" => api::confirm::confirm_appointment(s, caller, p, reason).await?,
        "cancel" => api::cancel::cancel_appointment(s, caller, p, reason).await?,
        "complete" => api::complete::complete_appointment(s, caller, p, reason).await?,
        "no-show" => api::no_show::mark_no_show(s, caller, p, reason).await?,
        "reschedule" => {
            // "provider@time", or a time alone for the same provider.
            let (provider_id, time) = match f.starts_at.split_once('@') {
                Some((p, t)) => (
                    Some(
                        p.parse()
                            .map_err(|_| form::invalid("starts_at", "choose a new time"))?,
                    ),
                    t,
                ),
                None => (None, f.starts_at.as_str()),
            };
            let starts_at = time
                .parse()
                .map_err(|_| form::invalid("starts_at", "choose a new time"))?;
            api::reschedule::reschedule_appointment(
                s,
                caller,
                p,
                ApiJson(api::reschedule::RescheduleInput {
                    starts_at,
                    provider_id,
                    reason: form::filled(&f.reason),
                }),
            )
            .await?
        }
        _ => return Err(ApiError::not_found("action").into()),
    };
    Ok(Redirect::to(&format!("/appointments/{id}")).into_response())
}

/// One of today's appointments on the work queue.
pub struct TodayRow {
    pub id: Uuid,
    pub time: String,
    pub patient: String,
    pub provider: String,
    pub kind: String,
    pub status: String,
}

/// Today's appointments in the caller's scope at their practice (its day, in its time zone),
/// and how many; `None` for someone not at a configured practice.
pub async fn today(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<(Vec<TodayRow>, u64)>, WebError> {
    let Some(org) =
        careline_store::practice::organization_of_user(&state.store, caller.user_id()).await?
    else {
        return Ok(None);
    };
    let Some(config) = careline_store::practice::get(&state.store, org).await? else {
        return Ok(None);
    };
    let tz = config.settings.tz();
    let day = caller.now.with_timezone(&tz).date_naive();
    let page = api::list::list_appointments(
        State(state.clone()),
        caller.clone(),
        ApiQuery(api::list::AppointmentQuery {
            from: Some(form::local_midnight_in(tz, day)),
            to: Some(form::local_midnight_in(tz, day + Duration::days(1))),
            per_page: Some(20),
            ..Default::default()
        }),
    )
    .await?
    .0;
    let names = names(state, caller, &page.items).await?;
    let providers: HashMap<Uuid, String> =
        careline_store::appointments::practice_providers(&state.store, org)
            .await?
            .into_iter()
            .collect();
    let rows = page
        .items
        .iter()
        .map(|a| TodayRow {
            id: a.id,
            time: a.starts_at.with_timezone(&tz).format("%H:%M").to_string(),
            patient: names.get(&a.patient_id).cloned().unwrap_or_default(),
            provider: providers.get(&a.provider_id).cloned().unwrap_or_default(),
            kind: config
                .settings
                .appointment_type(&a.appointment_type)
                .map(|t| t.name.clone())
                .unwrap_or_else(|| a.appointment_type.clone()),
            status: a.status.as_str().replace('_', " "),
        })
        .collect();
    Ok(Some((rows, page.total)))
}
