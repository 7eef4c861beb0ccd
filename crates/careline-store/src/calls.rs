//! Phone calls in the database: each call's recorded inputs (sealed: they hold keyed dates of
//! birth and PINs), its events, and the lookups and writes the call services make: caller by
//! phone, verification bookkeeping and lockout, services booked, messages left, jobs queued.

use crate::entity::{
    ivr_call, ivr_call_event, job, patient, provider, provider_message, service_appointment,
};
use crate::{Store, StoreError, stored_time};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use uuid::Uuid;

pub mod field {
    //! Associated-data labels for the sealed call columns.
    pub const INPUTS: &str = "ivr_calls.inputs";
    pub const FROM: &str = "ivr_calls.from";
    pub const CALLBACK: &str = "provider_messages.callback";
}

/// A call as stored: enough to rebuild its engine by replaying `inputs`.
#[derive(Debug, Clone)]
pub struct StoredCall {
    pub call_id: String,
    pub transport: String,
    pub to_number: String,
    pub status: String,
    /// How many inputs are recorded.
    pub step: i32,
    /// The inputs as JSON (an array), decrypted.
    pub inputs_json: Vec<u8>,
    pub config_hash: String,
    pub territory_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// A call's summary for the API (no PHI: the caller's number stays sealed).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallSummary {
    pub call_id: String,
    pub transport: String,
    pub to_number: String,
    pub status: String,
    pub steps: i32,
    pub territory_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// A call event (IVRCallEvent) as stored: what one step of a call did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallEventRow {
    pub id: Uuid,
    pub timestamp: DateTime<Utc>,
    pub call_id: String,
    pub territory_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub action: String,
    pub result: String,
    /// Milliseconds since the call started.
    pub duration: i64,
    pub authentication_method: String,
    pub error_code: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// An event to store with a call step.
#[derive(Debug, Clone)]
pub struct NewCallEvent {
    pub at: DateTime<Utc>,
    pub territory_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub action: String,
    pub result: String,
    pub duration_ms: i64,
    pub authentication_method: String,
    pub error_code: Option<String>,
    pub details: Option<serde_json::Value>,
}

pub struct NewCall<'a> {
    pub call_id: &'a str,
    pub transport: &'a str,
    pub to_number: &'a str,
    pub from: Option<&'a str>,
    pub config_hash: &'a str,
    pub started_at: DateTime<Utc>,
}

/// A call's state after a step, for `save_step`.
pub struct StepUpdate<'a> {
    pub expected_step: i32,
    pub new_step: i32,
    pub inputs_json: &'a [u8],
    pub status: &'a str,
    pub territory_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub ended: bool,
    pub events: &'a [NewCallEvent],
    /// When the input that made this step arrived.
    pub at: DateTime<Utc>,
}

/// Register a new call with no inputs yet. Returns false when a call with this id exists
/// (a repeated webhook), leaving it untouched.
pub async fn create_call(store: &Store, c: NewCall<'_>) -> Result<bool, StoreError> {
    let t = stored_time(c.started_at);
    let keys = store.keys();
    // Through the write gate like every other write: on SQLite a bare insert racing the
    // queued writers slept in the busy handler (p99 of 300 ms for answering a call).
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = ivr_call::Entity::insert(ivr_call::ActiveModel {
        call_id: Set(c.call_id.to_string()),
        transport: Set(c.transport.to_string()),
        to_number: Set(c.to_number.to_string()),
        from_enc: Set(c.from.map(|f| keys.encrypt_str(field::FROM, f))),
        territory_id: Set(None),
        patient_id: Set(None),
        status: Set("active".into()),
        step: Set(0),
        inputs_enc: Set(keys.encrypt_str(field::INPUTS, "[]")),
        config_hash: Set(c.config_hash.to_string()),
        started_at: Set(t),
        updated_at: Set(t),
        ended_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await;
    match res {
        Ok(_) => {
            crate::outbox::append(&txn, &[call_event(c.call_id, "active")], c.started_at).await?;
            txn.commit().await?;
            store.outbox_committed();
            Ok(true)
        }
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// How a phone PIN is stored. PINs are 4 to 8 digits: a slow hash cannot protect so small
/// a space from someone holding the database (all 10,000 four-digit PINs take minutes even
/// under Argon2), while it cost 13 ms of CPU on every verified call. A keyed hash does
/// protect it, because the key is not in the database: HMAC-SHA256 under the blind-index
/// key, bound to the owner's id so equal PINs do not look equal. Guessing on the phone is
/// bounded by the lockout.
pub fn pin_digest(keys: &careline_crypto::KeyRing, owner: Uuid, pin: &str) -> String {
    format!(
        "{PIN_DIGEST_PREFIX}{}",
        keys.blind_index("phone_pin", &format!("{owner}:{pin}"))
    )
}

/// The prefix of `pin_digest` values; other stored values are Argon2 hashes from before.
pub const PIN_DIGEST_PREFIX: &str = "hmac-sha256:";

pub async fn load_call(store: &Store, call_id: &str) -> Result<Option<StoredCall>, StoreError> {
    let Some(m) = ivr_call::Entity::find_by_id(call_id.to_string())
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let inputs_json = store.keys().decrypt(field::INPUTS, &m.inputs_enc)?;
    Ok(Some(StoredCall {
        call_id: m.call_id,
        transport: m.transport,
        to_number: m.to_number,
        status: m.status,
        step: m.step,
        inputs_json,
        config_hash: m.config_hash,
        territory_id: m.territory_id,
        patient_id: m.patient_id,
        started_at: m.started_at,
        ended_at: m.ended_at,
    }))
}

/// Record a step: the new inputs and the events they produced, in one transaction, only if
/// nobody recorded a step since `expected_step` was read. Returns false when someone did (a
/// repeated or concurrent webhook); nothing is written then.
pub async fn save_step(
    store: &Store,
    call_id: &str,
    u: StepUpdate<'_>,
) -> Result<bool, StoreError> {
    save_step_with(store, call_id, u, None).await
}

/// `save_step`, adding the step's part of the call's conversation (`voice_interactions`) in
/// the same transaction: the turns are stored exactly when the step is. The conversation is
/// written under a savepoint: when it cannot be (a transcript that no longer unseals, say),
/// it is rolled back, logged without PHI, and the step is saved all the same, since a call
/// must never fail for its record.
pub async fn save_step_with(
    store: &Store,
    call_id: &str,
    u: StepUpdate<'_>,
    conversation: Option<&crate::voice_interactions::ConversationStep>,
) -> Result<bool, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let t = stored_time(u.at);
    let mut update = ivr_call::Entity::update_many()
        .col_expr(ivr_call::Column::Step, Expr::value(u.new_step))
        .col_expr(
            ivr_call::Column::InputsEnc,
            Expr::value(store.keys().encrypt(field::INPUTS, u.inputs_json)),
        )
        .col_expr(ivr_call::Column::Status, Expr::value(u.status))
        .col_expr(ivr_call::Column::TerritoryId, Expr::value(u.territory_id))
        .col_expr(ivr_call::Column::PatientId, Expr::value(u.patient_id))
        .col_expr(ivr_call::Column::UpdatedAt, Expr::value(t));
    if u.ended {
        update = update.col_expr(ivr_call::Column::EndedAt, Expr::value(Some(t)));
    }
    let res = update
        .filter(ivr_call::Column::CallId.eq(call_id))
        .filter(ivr_call::Column::Step.eq(u.expected_step))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Ok(false);
    }
    insert_events(&txn, call_id, u.events).await?;
    if let Some(conversation) = conversation {
        use sea_orm::TransactionTrait;
        let savepoint = txn.begin().await?;
        let recorded = crate::voice_interactions::record_step(
            &savepoint,
            store.keys(),
            call_id,
            conversation,
            &u,
        )
        .await;
        match recorded {
            Ok(()) => savepoint.commit().await?,
            Err(e) => {
                savepoint.rollback().await?;
                // The error names no PHI: a database or decryption failure, the call's id.
                tracing::error!(call = %call_id, error = %e, "cannot record the call's conversation");
            }
        }
    }
    if u.ended {
        crate::outbox::append(
            &txn,
            &[call_event(call_id, u.status), figures_moved(u.at)],
            u.at,
        )
        .await?;
    }
    txn.commit().await?;
    if u.ended {
        store.outbox_committed();
    }
    Ok(true)
}

/// A call started or ended, for the live call view. Calls belong to no doctor: only the
/// roles that see every call (specialists, admins) hear of them.
fn call_event(call_id: &str, state: &str) -> crate::outbox::NewEvent {
    use crate::outbox::{NewEvent, channel, event};
    NewEvent::new(event::CALL_EVENT, channel::CALLS, call_id).state(state)
}

/// A call ended, so the day's call figures (analytics) changed: DASHBOARD_UPDATE with the UTC
/// day as its id and `calls` as its kind, for the roles that read analytics.
fn figures_moved(at: DateTime<Utc>) -> crate::outbox::NewEvent {
    use crate::outbox::{NewEvent, channel, event};
    NewEvent::new(event::DASHBOARD_UPDATE, channel::DASHBOARD, at.date_naive()).state("calls")
}

/// Record events a transport observed outside the engine's steps (a transfer the far end
/// refused, media that stopped), without changing the call's step.
pub async fn add_events(
    store: &Store,
    call_id: &str,
    events: &[NewCallEvent],
) -> Result<(), StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    insert_events(&txn, call_id, events).await?;
    txn.commit().await?;
    Ok(())
}

async fn insert_events(
    txn: &sea_orm::DatabaseTransaction,
    call_id: &str,
    events: &[NewCallEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = events.iter().map(|e| ivr_call_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        call_id: Set(call_id.to_string()),
        at: Set(e.at),
        territory_id: Set(e.territory_id),
        patient_id: Set(e.patient_id),
        action: Set(e.action.clone()),
        result: Set(e.result.clone()),
        duration_ms: Set(e.duration_ms),
        authentication_method: Set(e.authentication_method.clone()),
        error_code: Set(e.error_code.clone()),
        details: Set(e.details.clone()),
    });
    ivr_call_event::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

pub async fn call_events(store: &Store, call_id: &str) -> Result<Vec<CallEventRow>, StoreError> {
    Ok(ivr_call_event::Entity::find()
        .filter(ivr_call_event::Column::CallId.eq(call_id))
        .order_by_asc(ivr_call_event::Column::At)
        .order_by_asc(ivr_call_event::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_event)
        .collect())
}

fn to_event(m: ivr_call_event::Model) -> CallEventRow {
    CallEventRow {
        id: m.id,
        timestamp: m.at,
        call_id: m.call_id,
        territory_id: m.territory_id,
        patient_id: m.patient_id,
        action: m.action,
        result: m.result,
        duration: m.duration_ms,
        authentication_method: m.authentication_method,
        error_code: m.error_code,
        details: m.details,
    }
}

pub async fn call_summary(store: &Store, call_id: &str) -> Result<CallSummary, StoreError> {
    let m = ivr_call::Entity::find_by_id(call_id.to_string())
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("call"))?;
    Ok(to_summary(m))
}

fn to_summary(m: ivr_call::Model) -> CallSummary {
    CallSummary {
        call_id: m.call_id,
        transport: m.transport,
        to_number: m.to_number,
        status: m.status,
        steps: m.step,
        territory_id: m.territory_id,
        patient_id: m.patient_id,
        started_at: m.started_at,
        ended_at: m.ended_at,
    }
}

/// The statuses a call goes through, as the call engine records them.
pub const CALL_STATUSES: [&str; 3] = ["active", "transferred", "ended"];
/// How long a call record (its events and its sealed inputs, which hold what the caller keyed
/// and said) is kept from the call's start: seven years, like the conversation stored with it
/// (`voice_interactions::RETENTION`).
pub const RETENTION: chrono::Months = crate::voice_interactions::RETENTION;

/// Delete the call records that started at least `RETENTION` before `now`, with their events
/// and their stored conversations. A call whose recording the practice keeps longer (up to ten
/// years) stays until its recording has gone. Returns how many calls went. Each batch of 500 is
/// its own transaction, so a purge of years of calls never holds the writers for long.
pub async fn purge_expired(store: &Store, now: DateTime<Utc>) -> Result<u64, StoreError> {
    use crate::entity::call_recording;
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::Query;
    let Some(cutoff) = now.checked_sub_months(RETENTION) else {
        return Ok(0);
    };
    let recording_kept = Query::select()
        .column(call_recording::Column::CallId)
        .from(call_recording::Entity)
        .and_where(call_recording::Column::ExpiresAt.gt(now))
        .to_owned();
    let ids: Vec<String> = ivr_call::Entity::find()
        .select_only()
        .column(ivr_call::Column::CallId)
        .filter(ivr_call::Column::StartedAt.lte(stored_time(cutoff)))
        .filter(ivr_call::Column::CallId.not_in_subquery(recording_kept))
        .into_tuple()
        .all(store.db())
        .await?;
    let mut deleted = 0;
    for chunk in ids.chunks(500) {
        let (txn, _gate) = crate::begin_write(store).await?;
        crate::voice_interactions::delete_of_calls(&txn, chunk).await?;
        let chunk = chunk.to_vec();
        call_recording::Entity::delete_many()
            .filter(call_recording::Column::CallId.is_in(chunk.clone()))
            .exec(&txn)
            .await?;
        ivr_call_event::Entity::delete_many()
            .filter(ivr_call_event::Column::CallId.is_in(chunk.clone()))
            .exec(&txn)
            .await?;
        deleted += ivr_call::Entity::delete_many()
            .filter(ivr_call::Column::CallId.is_in(chunk))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
    }
    Ok(deleted)
}

/// The statuses of a call still in progress.
pub const IN_PROGRESS: [&str; 2] = ["active", "transferred"];
/// The transports that carry calls.
pub const TRANSPORTS: [&str; 3] = ["twilio", "sip", "simulator"];

/// Which calls a call log shows. Every field narrows; the default is every call.
#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    /// Any of these statuses; empty for any status.
    pub status: Vec<String>,
    pub transport: Option<String>,
    /// Calls started at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Calls started before this moment.
    pub to: Option<DateTime<Utc>>,
}

/// A page of the call log, newest first, with the number of calls the filter matches.
pub async fn list_calls(
    store: &Store,
    f: &CallFilter,
    page: u64,
    per_page: u64,
) -> Result<crate::Page<CallSummary>, StoreError> {
    use sea_orm::{PaginatorTrait, QuerySelect};
    let mut q = ivr_call::Entity::find();
    // `status IN (…)`, not `status <> 'ended'`, so the live view is read from the
    // (status, started_at) index.
    if !f.status.is_empty() {
        q = q.filter(ivr_call::Column::Status.is_in(f.status.iter().map(String::as_str)));
    }
    if let Some(t) = &f.transport {
        q = q.filter(ivr_call::Column::Transport.eq(t.as_str()));
    }
    if let Some(from) = f.from {
        q = q.filter(ivr_call::Column::StartedAt.gte(stored_time(from)));
    }
    if let Some(to) = f.to {
        q = q.filter(ivr_call::Column::StartedAt.lt(stored_time(to)));
    }
    let q = q
        .order_by_desc(ivr_call::Column::StartedAt)
        .order_by_desc(ivr_call::Column::CallId);
    let total = q.clone().count(store.db()).await?;
    let rows = q
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    Ok(crate::Page {
        items: rows.into_iter().map(to_summary).collect(),
        total,
        page,
        per_page,
    })
}

/// The six IVR metrics over a time window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IvrMetrics {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub calls: u64,
    pub calls_per_minute: f64,
    /// Seconds, over calls that ended in the window.
    pub average_call_duration: f64,
    /// Successful verifications over verification outcomes (0 when there were none).
    pub authentication_success_rate: f64,
    /// Calls in which the caller completed at least one action, over calls.
    pub menu_completion_rate: f64,
    /// Calls handed to a person or another line, over calls.
    pub transfer_rate: f64,
    /// Calls with at least one error code, over calls.
    pub error_rate: f64,
}

/// Actions that count as the caller getting something done.
pub const COMPLETING_ACTIONS: &[(&str, &str)] = &[
    ("check_order_status", "success"),
    ("schedule_service", "success"),
    ("verify_insurance", "success"),
    ("contact_provider", "transferred"),
    ("contact_provider", "message_left"),
];

pub async fn metrics(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<IvrMetrics, StoreError> {
    // Events in the window, narrowed to the columns the metrics need. A window of a day on a
    // busy line is some hundred thousand rows; they are counted in one pass.
    let rows: Vec<(String, String, String, i64, Option<String>)> = ivr_call_event::Entity::find()
        .select_only()
        .column(ivr_call_event::Column::CallId)
        .column(ivr_call_event::Column::Action)
        .column(ivr_call_event::Column::Result)
        .column(ivr_call_event::Column::DurationMs)
        .column(ivr_call_event::Column::ErrorCode)
        .filter(ivr_call_event::Column::At.gte(from))
        .filter(ivr_call_event::Column::At.lt(to))
        .into_tuple()
        .all(store.db())
        .await?;
    use std::collections::BTreeSet;
    let mut calls = BTreeSet::new();
    let mut completed = BTreeSet::new();
    let mut transferred = BTreeSet::new();
    let mut errored = BTreeSet::new();
    let (mut ended, mut total_ms) = (0u64, 0i64);
    let (mut auth_ok, mut auth_all) = (0u64, 0u64);
    for (call_id, action, result, duration, error) in &rows {
        match action.as_str() {
            "call_started" => {
                calls.insert(call_id.as_str());
            }
            "call_ended" => {
                ended += 1;
                total_ms += duration;
            }
            "authenticate" => {
                // The final outcome of each attempt: a success, or a failure event. The
                // AUTHENTICATION_FAILED summary repeats the last failure, so it is skipped.
                if result == "success" {
                    auth_ok += 1;
                    auth_all += 1;
                } else if error.is_none() {
                    auth_all += 1;
                }
            }
            "transfer" => {
                transferred.insert(call_id.as_str());
            }
            _ => {}
        }
        if COMPLETING_ACTIONS
            .iter()
            .any(|(a, r)| a == action && r == result)
        {
            completed.insert(call_id.as_str());
        }
        if error.is_some() {
            errored.insert(call_id.as_str());
        }
    }
    let n = calls.len() as u64;
    let share = |set: &BTreeSet<&str>| {
        if n == 0 {
            0.0
        } else {
            set.iter().filter(|c| calls.contains(*c)).count() as f64 / n as f64
        }
    };
    let minutes = ((to - from).num_milliseconds().max(1) as f64) / 60_000.0;
    Ok(IvrMetrics {
        from,
        to,
        calls: n,
        calls_per_minute: n as f64 / minutes,
        average_call_duration: if ended == 0 {
            0.0
        } else {
            total_ms as f64 / ended as f64 / 1000.0
        },
        authentication_success_rate: if auth_all == 0 {
            0.0
        } else {
            auth_ok as f64 / auth_all as f64
        },
        menu_completion_rate: share(&completed),
        transfer_rate: share(&transferred),
        error_rate: share(&errored),
    })
}

use sea_orm::QuerySelect;

// ---------------------------------------------------------------------------------------------
// Services booked and messages left on the phone

pub struct NewAppointment<'a> {
    pub patient_id: Uuid,
    pub service_type: &'a str,
    pub date: NaiveDate,
    pub call_id: Option<&'a str>,
    pub territory_id: Option<Uuid>,
    /// A random code the caller can quote; retried on the rare collision.
    pub confirmation_code: &'a str,
    /// Identifies the request (the call step that asked): a second booking with the same key
    /// returns the first one instead of booking twice.
    pub idempotency_key: Option<&'a str>,
    /// When the confirmation call should be made.
    pub confirm_at: DateTime<Utc>,
    /// When the caller asked for it.
    pub booked_at: DateTime<Utc>,
}

/// A booked service: its id and the code the caller was given.
#[derive(Debug, Clone)]
pub struct Booking {
    pub id: Uuid,
    pub confirmation_code: String,
}

/// The job kind of the confirmation call a booking queues (run by a later step of issue 14).
pub const CONFIRMATION_CALL: &str = "confirmation_call";

/// Book a service and queue its confirmation call in one transaction. The job's idempotency
/// key is the appointment's, so a retried booking never queues two calls; a booking with an
/// idempotency key that was already used returns that booking.
pub async fn book_appointment(store: &Store, a: NewAppointment<'_>) -> Result<Booking, StoreError> {
    if let Some(existing) = booking_by_key(store, a.idempotency_key).await? {
        return Ok(existing);
    }
    let (txn, _gate) = crate::begin_write(store).await?;
    let id = Uuid::now_v7();
    let t = stored_time(a.booked_at);
    let inserted = service_appointment::Entity::insert(service_appointment::ActiveModel {
        id: Set(id),
        confirmation_code: Set(a.confirmation_code.to_string()),
        patient_id: Set(a.patient_id),
        service_type: Set(a.service_type.to_string()),
        requested_date: Set(a.date),
        status: Set("requested".into()),
        created_via: Set("voice_agent".into()),
        call_id: Set(a.call_id.map(str::to_string)),
        territory_id: Set(a.territory_id),
        created_at: Set(t),
        updated_at: Set(t),
        idempotency_key: Set(a.idempotency_key.map(str::to_string)),
    })
    .exec_without_returning(&txn)
    .await;
    if let Err(e) = inserted {
        drop(txn);
        // A concurrent copy of the same request won: its booking is this one.
        if let Some(existing) = booking_by_key(store, a.idempotency_key).await? {
            return Ok(existing);
        }
        return Err(StoreError::from_unique(
            e,
            "an appointment with this confirmation code",
        ));
    }
    crate::jobs::enqueue(
        &txn,
        crate::jobs::NewJob::new(
            CONFIRMATION_CALL,
            serde_json::json!({ "appointment_id": id }),
            a.confirm_at,
        )
        .key(format!("confirmation_call:{id}")),
        t,
    )
    .await?;
    txn.commit().await?;
    store.jobs_enqueued();
    Ok(Booking {
        id,
        confirmation_code: a.confirmation_code.to_string(),
    })
}

async fn booking_by_key(store: &Store, key: Option<&str>) -> Result<Option<Booking>, StoreError> {
    let Some(key) = key else {
        return Ok(None);
    };
    Ok(service_appointment::Entity::find()
        .filter(service_appointment::Column::IdempotencyKey.eq(key))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(|m| Booking {
            id: m.id,
            confirmation_code: m.confirmation_code,
        }))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Appointment {
    pub id: Uuid,
    pub confirmation_code: String,
    pub patient_id: Uuid,
    pub service_type: String,
    pub requested_date: NaiveDate,
    pub status: String,
    pub created_via: String,
    pub call_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn appointments_for_patient(
    store: &Store,
    patient_id: Uuid,
) -> Result<Vec<Appointment>, StoreError> {
    Ok(service_appointment::Entity::find()
        .filter(service_appointment::Column::PatientId.eq(patient_id))
        .order_by_asc(service_appointment::Column::CreatedAt)
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| Appointment {
            id: m.id,
            confirmation_code: m.confirmation_code,
            patient_id: m.patient_id,
            service_type: m.service_type,
            requested_date: m.requested_date,
            status: m.status,
            created_via: m.created_via,
            call_id: m.call_id,
            created_at: m.created_at,
        })
        .collect())
}

/// A job waiting to run, as the phone tests look at it.
#[derive(Debug, Clone, Serialize)]
pub struct PendingJob {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub status: String,
    pub idempotency_key: String,
}

/// Jobs queued and not yet run (any kind), earliest due first.
pub async fn pending_jobs(store: &Store) -> Result<Vec<PendingJob>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::State.eq(crate::jobs::JobState::Queued.as_str()))
        .order_by_asc(job::Column::RunAt)
        .all(store.db())
        .await?
        .into_iter()
        .map(|j| PendingJob {
            id: j.id,
            kind: j.kind,
            payload: j.payload,
            run_at: j.run_at,
            status: j.state,
            idempotency_key: j.idempotency_key,
        })
        .collect())
}

pub struct NewProviderMessage<'a> {
    pub patient_id: Option<Uuid>,
    pub provider_user_id: Option<Uuid>,
    pub urgency: &'a str,
    pub callback: Option<&'a str>,
    pub call_id: &'a str,
    /// As for bookings: the same key leaves one message.
    pub idempotency_key: Option<&'a str>,
    pub left_at: DateTime<Utc>,
}

pub async fn leave_provider_message(
    store: &Store,
    m: NewProviderMessage<'_>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    // Routed as staff's messages are (`provider_messages::route`): the doctor's queue for the
    // next business day, or the on-call provider now.
    let urgency = careline_domain::clinical::MessageUrgency::parse(m.urgency)
        .unwrap_or(careline_domain::clinical::MessageUrgency::Routine);
    let routing = match m.provider_user_id {
        Some(doctor) => {
            Some(crate::provider_messages::route(store, doctor, urgency, "", m.left_at).await?)
        }
        None => None,
    };
    // The message, the on-call provider's task and the live notices in one transaction.
    let (txn, gate) = crate::begin_write(store).await?;
    let res = provider_message::Entity::insert(provider_message::ActiveModel {
        id: Set(id),
        patient_id: Set(m.patient_id),
        provider_user_id: Set(m.provider_user_id),
        urgency: Set(m.urgency.to_string()),
        callback_enc: Set(m
            .callback
            .map(|c| store.keys().encrypt_str(field::CALLBACK, c))),
        call_id: Set(m.call_id.to_string()),
        status: Set("new".into()),
        created_at: Set(stored_time(m.left_at)),
        idempotency_key: Set(m.idempotency_key.map(str::to_string)),
        routed_to: Set(routing.map(|r| r.routed_to)),
        due_at: Set(routing.map(|r| r.due_at)),
        emergency: Set(routing.map(|r| r.emergency)),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await;
    match res {
        Ok(_) => {
            let mut events = Vec::new();
            if let Some(r) =
                routing.filter(|r| r.urgency == careline_domain::clinical::MessageUrgency::Urgent)
            {
                // The on-call provider's task and notification, as for a message staff leave.
                events.push(
                    crate::provider_tasks::add(
                        &txn,
                        crate::provider_tasks::NewTask {
                            kind: crate::provider_tasks::kind::URGENT_MESSAGE,
                            provider_user_id: Some(r.routed_to),
                            patient_id: m.patient_id,
                            doctor_id: m.provider_user_id,
                            subject_type: "provider_message",
                            subject_id: id,
                            due_at: r.due_at,
                        },
                        m.left_at,
                    )
                    .await?,
                );
            }
            events.extend(crate::provider_messages::changed_events(
                id,
                "new",
                m.provider_user_id,
                routing.map(|r| r.routed_to),
            ));
            // An urgent message's escalation chain starts with it.
            let escalates = match routing {
                Some(r) => {
                    r.schedule_escalation(&txn, id, stored_time(m.left_at))
                        .await?
                }
                None => false,
            };
            crate::outbox::append(&txn, &events, stored_time(m.left_at)).await?;
            txn.commit().await?;
            store.outbox_committed();
            if escalates {
                store.jobs_enqueued();
            }
            Ok(id)
        }
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            // Left already by a copy of the same request.
            drop(txn);
            drop(gate);
            let key = m.idempotency_key.unwrap_or_default();
            provider_message::Entity::find()
                .filter(provider_message::Column::IdempotencyKey.eq(key))
                .all(store.db())
                .await?
                .into_iter()
                .next()
                .map(|p| p.id)
                .ok_or_else(|| e.into())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderMessage {
    pub id: Uuid,
    pub patient_id: Option<Uuid>,
    pub provider_user_id: Option<Uuid>,
    pub urgency: String,
    /// The number to call back: the caller ID, or the number a caller keyed.
    pub callback: Option<careline_domain::Phi<String>>,
    pub call_id: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

pub async fn provider_messages(
    store: &Store,
    provider_user_id: Option<Uuid>,
) -> Result<Vec<ProviderMessage>, StoreError> {
    let mut q = provider_message::Entity::find().order_by_asc(provider_message::Column::CreatedAt);
    if let Some(u) = provider_user_id {
        q = q.filter(provider_message::Column::ProviderUserId.eq(u));
    }
    q.all(store.db())
        .await?
        .into_iter()
        .map(|m| {
            let callback = m
                .callback_enc
                .as_deref()
                .map(|c| store.keys().decrypt_string(field::CALLBACK, c))
                .transpose()?
                .map(careline_domain::Phi::new);
            Ok(ProviderMessage {
                id: m.id,
                patient_id: m.patient_id,
                provider_user_id: m.provider_user_id,
                urgency: m.urgency,
                callback,
                call_id: m.call_id,
                status: m.status,
                created_at: m.created_at,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What a verified caller may hear about

/// An order as the phone reads it out.
#[derive(Debug, Clone)]
pub struct OrderForCaller {
    pub number: String,
    pub status: String,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
}

/// Whose orders a caller may ask about: a patient their own, a provider their patients'.
#[derive(Debug, Clone, Copy)]
pub enum OrderOwner {
    Patient(Uuid),
    Doctor(Uuid),
}

/// The order with this number if it belongs to the caller; `None` both when it does not
/// exist and when it is someone else's, so the answer reveals nothing.
pub async fn order_for_caller(
    store: &Store,
    owner: OrderOwner,
    order_number: &str,
) -> Result<Option<OrderForCaller>, StoreError> {
    use crate::entity::order;
    let mut q = order::Entity::find().filter(order::Column::OrderNumber.eq(order_number));
    q = match owner {
        OrderOwner::Patient(p) => q.filter(order::Column::PatientId.eq(p)),
        OrderOwner::Doctor(d) => q.filter(order::Column::DoctorId.eq(d)),
    };
    Ok(q.all(store.db())
        .await?
        .into_iter()
        .next()
        .map(|o| OrderForCaller {
            number: o.order_number,
            status: o.status,
            shipped_at: o.shipped_at,
            delivered_at: o.delivered_at,
            carrier: o.carrier,
            tracking: o.tracking_number,
        }))
}

/// The latest verification request of a patient, with its coverage when approved.
#[derive(Debug, Clone)]
pub struct CoverageForCaller {
    pub status: String,
    pub deductible_cents: Option<i64>,
    pub copay_cents: Option<i64>,
    pub coinsurance_percent: Option<i32>,
    pub prior_auth_required: bool,
}

pub async fn latest_coverage(
    store: &Store,
    patient_id: Uuid,
) -> Result<Option<CoverageForCaller>, StoreError> {
    use crate::entity::{ivr_approval, ivr_request};
    let Some(r) = ivr_request::Entity::find()
        .filter(ivr_request::Column::PatientId.eq(patient_id))
        .filter(ivr_request::Column::Status.ne("cancelled"))
        .filter(ivr_request::Column::Status.ne("draft"))
        .order_by_desc(ivr_request::Column::CreatedAt)
        .all(store.db())
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let approval = if r.status == "approved" {
        ivr_approval::Entity::find()
            .filter(ivr_approval::Column::IvrRequestId.eq(r.id))
            .order_by_desc(ivr_approval::Column::ApprovedAt)
            .all(store.db())
            .await?
            .into_iter()
            .next()
    } else {
        None
    };
    Ok(Some(CoverageForCaller {
        status: r.status,
        deductible_cents: approval.as_ref().map(|a| a.deductible_cents),
        copay_cents: approval.as_ref().map(|a| a.copay_cents),
        coinsurance_percent: approval.as_ref().map(|a| a.coinsurance_percent),
        prior_auth_required: approval.is_some_and(|a| a.prior_auth_required),
    }))
}

/// The doctor (user) a patient belongs to and the patient's territory.
pub async fn patient_doctor(
    store: &Store,
    patient_id: Uuid,
) -> Result<Option<(Uuid, Option<Uuid>)>, StoreError> {
    Ok(patient::Entity::find_by_id(patient_id)
        .one(store.db())
        .await?
        .map(|p| (p.doctor_id, p.territory_id)))
}

/// The territory of a provider, through their facility.
pub async fn provider_territory(
    store: &Store,
    facility_id: Option<Uuid>,
) -> Result<Option<Uuid>, StoreError> {
    let Some(f) = facility_id else {
        return Ok(None);
    };
    Ok(crate::entity::facility::Entity::find_by_id(f)
        .one(store.db())
        .await?
        .and_then(|f| f.territory_id))
}

/// The user (doctor) a provider record belongs to.
pub async fn provider_user(store: &Store, provider_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    Ok(provider::Entity::find_by_id(provider_id)
        .one(store.db())
        .await?
        .and_then(|p| p.user_id))
}

/// A service appointment by id, as stored (any patient's: for the confirmation call's job and
/// for the call once the patient is verified, which checks it is theirs).
pub async fn service_appointment(
    store: &Store,
    id: Uuid,
) -> Result<Option<Appointment>, StoreError> {
    Ok(service_appointment::Entity::find_by_id(id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(|m| Appointment {
            id: m.id,
            confirmation_code: m.confirmation_code,
            patient_id: m.patient_id,
            service_type: m.service_type,
            requested_date: m.requested_date,
            status: m.status,
            created_via: m.created_via,
            call_id: m.call_id,
            created_at: m.created_at,
        }))
}

/// The patient confirmed their service appointment by phone: requested → confirmed. Only the
/// patient's own, and only from requested or confirmed (saying yes twice is one yes). Returns
/// whether it is now confirmed.
pub async fn confirm_service_appointment(
    store: &Store,
    patient_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    service_appointment::Entity::update_many()
        .col_expr(service_appointment::Column::Status, "confirmed".into())
        .col_expr(
            service_appointment::Column::UpdatedAt,
            stored_time(now).into(),
        )
        .filter(service_appointment::Column::Id.eq(id))
        .filter(service_appointment::Column::PatientId.eq(patient_id))
        .filter(service_appointment::Column::Status.eq("requested"))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(service_appointment(store, id)
        .await?
        .is_some_and(|a| a.patient_id == patient_id && a.status == "confirmed"))
}
