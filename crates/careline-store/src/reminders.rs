//! Appointment reminders as durable jobs: scheduled in the transaction that books or moves an
//! appointment, voided in the one that cancels or moves it, and what a reminder job reads to
//! decide whom to reach and how. The sending is the server's (`src/reminders`).
//!
//! A reminder job's key names the appointment, its start and the lead (`{id}:{unix
//! start}:{24h|4h}`), so moving an appointment schedules new keys while the old ones are
//! cancelled; the job checks again when it runs that the appointment still starts then, so a
//! race between the two can only drop a stale reminder, never send one.

use crate::entity::{appointment, patient};
use crate::jobs::{self, NewJob};
use crate::{Store, StoreError, stored_time};
use careline_domain::Phi;
use careline_domain::appointment::AppointmentStatus;
use careline_domain::practice::PracticeSettings;
use careline_domain::reminder::{ReminderChannel, ReminderLead};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The job kind of a reminder (each lead, each retried call and each fallback).
pub const REMINDER: &str = "appointment.reminder";

/// A reminder job's payload: ids and times only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderJob {
    pub appointment_id: Uuid,
    /// The start it reminds of: a job for a start the appointment no longer has does nothing.
    pub starts_at: DateTime<Utc>,
    pub lead: ReminderLead,
    /// The call attempt (1 for the first reminder; more for a call tried again).
    #[serde(default = "one")]
    pub attempt: u32,
    /// Set on a retried call (voice) or a fallback after calls met no one; else the
    /// patient's choice decides when the job runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ReminderChannel>,
}

fn one() -> u32 {
    1
}

impl ReminderJob {
    /// The key of this reminder and its follow-ups (`suffix`).
    pub fn key(&self, suffix: &str) -> String {
        format!(
            "{}:{}:{}{suffix}",
            self.appointment_id,
            self.starts_at.timestamp(),
            self.lead.as_str()
        )
    }
}

/// Enqueue the reminders of an appointment starting at `starts_at` on `txn` (the booking's or
/// the move's transaction), as the practice's settings say. Returns how many.
pub(crate) async fn schedule(
    txn: &impl ConnectionTrait,
    appointment_id: Uuid,
    starts_at: DateTime<Utc>,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let plan = settings.reminders.schedule(starts_at, now, &settings.tz());
    for (lead, at) in &plan {
        let job = ReminderJob {
            appointment_id,
            starts_at: stored_time(starts_at),
            lead: *lead,
            attempt: 1,
            channel: None,
        };
        jobs::enqueue(
            txn,
            NewJob::new(REMINDER, json(&job)?, *at).key(job.key("")),
            now,
        )
        .await?;
    }
    Ok(plan.len())
}

fn json(job: &ReminderJob) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(job).map_err(|e| StoreError::Config(format!("reminder payload: {e}")))
}

/// Why a voided reminder was cancelled, as its job's `last_error` says (after `voided: `).
pub const VOID_REASON: &str = "the appointment was moved or cancelled";

/// Void every reminder of the appointment still waiting to run (each lead, each retry and
/// fallback), on `txn`: the appointment moved (the move schedules its own) or was cancelled.
/// The jobs record why, and an operator's retry of one is refused. Returns how many.
pub(crate) async fn void(
    txn: &impl ConnectionTrait,
    appointment_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    jobs::void_waiting_by_key_prefix(
        txn,
        REMINDER,
        &format!("{appointment_id}:"),
        VOID_REASON,
        now,
    )
    .await
}

/// A follow-up of `job` (a call tried again, a fallback channel, a reminder that waited out
/// quiet hours), at `run_at`, under its own key. Idempotent: the same follow-up twice is one.
pub async fn follow_up(
    store: &Store,
    job: &ReminderJob,
    suffix: &str,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let e = jobs::enqueue_now(
        store,
        NewJob::new(REMINDER, json(job)?, run_at).key(job.key(suffix)),
        now,
    )
    .await?;
    Ok(e.created)
}

/// What a reminder job needs to know, read when it runs.
#[derive(Debug, Clone)]
pub struct ReminderFacts {
    pub appointment_id: Uuid,
    pub organization_id: Uuid,
    pub patient_id: Uuid,
    pub status: AppointmentStatus,
    pub starts_at: DateTime<Utc>,
    pub confirmation_number: String,
    pub provider_name: String,
    pub settings: PracticeSettings,
    pub first_name: Phi<String>,
    pub phone: Option<Phi<String>>,
    pub email: Option<Phi<String>>,
    pub language: String,
    /// The patient's choice; `None` follows the practice's default.
    pub channel: Option<ReminderChannel>,
    pub sms_opted_out: bool,
    /// The patient is archived or inactive: nobody is contacted.
    pub patient_active: bool,
}

impl ReminderFacts {
    /// Whether a reminder of a visit at `starts_at` still stands: the appointment is still
    /// planned at that time.
    pub fn still_due(&self, starts_at: DateTime<Utc>) -> bool {
        matches!(
            self.status,
            AppointmentStatus::Requested | AppointmentStatus::Confirmed
        ) && self.starts_at == stored_time(starts_at)
            && self.patient_active
    }

    /// The channel the patient asked for, else the practice's default.
    pub fn wanted_channel(&self) -> ReminderChannel {
        self.channel
            .unwrap_or(self.settings.reminders.default_channel)
    }
}

/// The facts of a reminder for `appointment_id`; `None` when the appointment or its practice
/// configuration is gone.
pub async fn facts(
    store: &Store,
    appointment_id: Uuid,
) -> Result<Option<ReminderFacts>, StoreError> {
    let Some(a) = appointment::Entity::find_by_id(appointment_id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let Some(p) = patient::Entity::find_by_id(a.patient_id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let Some(config) = crate::practice::get(store, a.organization_id).await? else {
        return Ok(None);
    };
    let provider = crate::practice::provider(store, a.provider_id).await?;
    let keys = store.keys();
    use crate::patients::field;
    let open = |f: &str, b: &Option<Vec<u8>>| -> Result<Option<Phi<String>>, StoreError> {
        Ok(b.as_deref()
            .map(|b| keys.decrypt_string(f, b))
            .transpose()?
            .map(Phi::new))
    };
    Ok(Some(ReminderFacts {
        appointment_id: a.id,
        organization_id: a.organization_id,
        patient_id: p.id,
        status: AppointmentStatus::parse(&a.status)
            .ok_or_else(|| StoreError::Config(format!("appointment {}: bad status", a.id)))?,
        starts_at: a.starts_at,
        confirmation_number: a.confirmation_number,
        provider_name: provider.map(|p| p.full_name).unwrap_or_default(),
        settings: config.settings,
        first_name: Phi::new(keys.decrypt_string(field::FIRST_NAME, &p.first_name_enc)?),
        phone: open(field::PHONE, &p.phone_enc)?,
        email: open(field::EMAIL, &p.email_enc)?,
        language: p.preferred_language,
        channel: p
            .reminder_channel
            .as_deref()
            .and_then(ReminderChannel::parse),
        sms_opted_out: p.sms_opted_out_at.is_some(),
        patient_active: p.status == "active" && p.archived_at.is_none(),
    }))
}

/// The patient's phone number when they are active: who a confirmation call rings.
pub async fn patient_phone(
    store: &Store,
    patient_id: Uuid,
) -> Result<Option<Phi<String>>, StoreError> {
    let Some(p) = patient::Entity::find_by_id(patient_id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .filter(|p| p.status == "active" && p.archived_at.is_none())
    else {
        return Ok(None);
    };
    Ok(p.phone_enc
        .as_deref()
        .map(|b| {
            store
                .keys()
                .decrypt_string(crate::patients::field::PHONE, b)
        })
        .transpose()?
        .map(Phi::new))
}

/// The reminders of an appointment still waiting to go: (lead, when), soonest first.
pub async fn planned(
    store: &Store,
    appointment_id: Uuid,
) -> Result<Vec<(ReminderLead, DateTime<Utc>)>, StoreError> {
    use crate::entity::job;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    Ok(job::Entity::find()
        .filter(job::Column::Kind.eq(REMINDER))
        .filter(job::Column::State.is_in(["queued", "retrying"]))
        .filter(job::Column::IdempotencyKey.starts_with(format!("{appointment_id}:")))
        .order_by_asc(job::Column::RunAt)
        .all(store.db())
        .await?
        .into_iter()
        .filter_map(|j| {
            let p: ReminderJob = serde_json::from_value(j.payload).ok()?;
            Some((p.lead, j.run_at))
        })
        .collect())
}
