//! Refill requests as durable jobs (seed 003's refill pipeline: request → provider review →
//! patient notified). Taking a request enqueues the provider's first reminder
//! (`refill.remind_provider`, at the practice's first opening at least 24 hours later) in the
//! request's transaction; each reminder enqueues the next (the next business day's opening)
//! in the transaction that writes it, up to `REFILL_PROVIDER_REMINDERS`. Deciding the request
//! enqueues `refill.notify_patient` and cancels the waiting reminder in the decision's
//! transaction. The sending is the server's (`src/refills`). Payloads are ids (and the
//! reminder's number) only.

use crate::entity::{patient, refill_request, user};
use crate::jobs::{self, NewJob};
use crate::{Store, StoreError};
use careline_domain::clinical::{REFILL_FIRST_REMINDER_AFTER, RefillStatus};
use careline_domain::practice::PracticeSettings;
use careline_domain::reminder::ReminderChannel;
use careline_domain::{Phi, Role};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Tells the patient their request was answered (never what the answer was).
pub const NOTIFY_PATIENT: &str = "refill.notify_patient";
/// Reminds the provider of a request still waiting for a decision.
pub const REMIND_PROVIDER: &str = "refill.remind_provider";

/// How long a request waits at least before its provider is first reminded (then at the
/// practice's next opening). A constant for every practice (not a practice setting yet).
pub const PROVIDER_REMINDER_AFTER: Duration = REFILL_FIRST_REMINDER_AFTER;

/// Both kinds' payload: the request's id (also the job's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefillJob {
    pub refill_request_id: Uuid,
}

fn job(kind: &str, id: Uuid, at: DateTime<Utc>) -> Result<NewJob, StoreError> {
    let payload = serde_json::to_value(RefillJob {
        refill_request_id: id,
    })
    .map_err(|e| StoreError::Config(format!("refill job payload: {e}")))?;
    Ok(NewJob::new(kind, payload, at).key(id.to_string()))
}

/// The provider reminder's payload: the request and which reminder this is (from 1). A job
/// queued before reminders were numbered has none: it is the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderReminderJob {
    pub refill_request_id: Uuid,
    #[serde(default = "first")]
    pub reminder: u32,
}

fn first() -> u32 {
    1
}

/// The `n`th reminder's job, due `at`, keyed `{request}:reminder{n}` (the request's id first,
/// so the decision cancels any of them by that prefix).
pub fn provider_reminder_job(id: Uuid, n: u32, at: DateTime<Utc>) -> Result<NewJob, StoreError> {
    let payload = serde_json::to_value(ProviderReminderJob {
        refill_request_id: id,
        reminder: n,
    })
    .map_err(|e| StoreError::Config(format!("refill job payload: {e}")))?;
    Ok(NewJob::new(REMIND_PROVIDER, payload, at).key(format!("{id}:reminder{n}")))
}

/// On the request's transaction: remind its provider at the practice's first opening at
/// least `PROVIDER_REMINDER_AFTER` later, if it still waits then.
pub(crate) async fn taken(
    txn: &impl ConnectionTrait,
    id: Uuid,
    settings: Option<&PracticeSettings>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = careline_domain::clinical::first_refill_reminder_at(settings, now);
    jobs::enqueue(txn, provider_reminder_job(id, 1, at)?, now).await?;
    Ok(())
}

/// On the decision's transaction: the provider's reminder is no longer wanted, and the
/// patient is told at `notify_at` (the end of the practice's quiet hours when it is decided
/// in them).
pub(crate) async fn decided(
    txn: &impl ConnectionTrait,
    id: Uuid,
    notify_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    jobs::cancel_waiting_by_key_prefix(txn, REMIND_PROVIDER, &id.to_string(), now).await?;
    jobs::enqueue(txn, job(NOTIFY_PATIENT, id, notify_at)?, now).await?;
    Ok(())
}

/// The patient's notice again at `at` (the end of quiet hours a late job ran into), under
/// its own key (`{id}:after{unix time}`). Idempotent: the same follow-up twice is one.
pub async fn notify_later(
    store: &Store,
    id: Uuid,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut new = job(NOTIFY_PATIENT, id, at)?;
    new.key = Some(format!("{id}:after{}", at.timestamp()));
    jobs::enqueue_now(store, new, now).await?;
    Ok(())
}

/// Whether the request is still pending, read on `db` (a job's own transaction).
pub async fn still_pending(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, StoreError> {
    Ok(refill_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some_and(|r| r.status == RefillStatus::Pending.as_str()))
}

/// What the patient's notice needs: how to reach them and the practice's name and number;
/// never the medication or the decision.
#[derive(Debug, Clone)]
pub struct PatientNoticeFacts {
    pub refill_request_id: Uuid,
    pub patient_id: Uuid,
    /// Approved or denied (not pending any more).
    pub decided: bool,
    pub organization_id: Uuid,
    pub settings: PracticeSettings,
    pub first_name: Phi<String>,
    pub phone: Option<Phi<String>>,
    pub email: Option<Phi<String>>,
    pub language: String,
    /// The patient's `reminder_channel`; `None` follows the practice's default.
    pub channel: Option<ReminderChannel>,
    pub sms_opted_out: bool,
    pub patient_active: bool,
}

impl PatientNoticeFacts {
    /// The patient's choice, else the practice's default.
    pub fn wanted_channel(&self) -> ReminderChannel {
        self.channel
            .unwrap_or(self.settings.reminders.default_channel)
    }
}

/// The facts of the patient's notice; `None` when the request, its patient or the practice's
/// configuration is gone.
pub async fn patient_notice(
    store: &Store,
    id: Uuid,
) -> Result<Option<PatientNoticeFacts>, StoreError> {
    let Some(r) = refill_request::Entity::find_by_id(id)
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let Some(p) = patient::Entity::find_by_id(r.patient_id)
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let Some(config) = crate::practice::of_doctor(store, r.doctor_id).await? else {
        return Ok(None);
    };
    let keys = store.keys();
    use crate::patients::field;
    let open = |f: &str, b: &Option<Vec<u8>>| -> Result<Option<Phi<String>>, StoreError> {
        Ok(b.as_deref()
            .map(|b| keys.decrypt_string(f, b))
            .transpose()?
            .map(Phi::new))
    };
    Ok(Some(PatientNoticeFacts {
        refill_request_id: r.id,
        patient_id: p.id,
        decided: matches!(
            RefillStatus::parse(&r.status),
            Some(RefillStatus::Approved | RefillStatus::Denied)
        ),
        organization_id: config.organization_id,
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

/// The provider a request waits on, for the reminder: never the patient or the medication.
#[derive(Debug, Clone)]
pub struct ProviderReminderFacts {
    pub refill_request_id: Uuid,
    pub pending: bool,
    pub created_at: DateTime<Utc>,
    pub provider_user_id: Uuid,
    pub provider_name: String,
    /// Whether the provider's account is active (an inactive one is not reminded).
    pub provider_active: bool,
    pub organization_id: Option<Uuid>,
    pub practice_name: String,
    /// The practice's hours (when the next reminder is due); `None` without a configuration.
    pub settings: Option<PracticeSettings>,
}

/// A practice manager to tell of a request left waiting: id and name only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    pub user_id: Uuid,
    pub full_name: String,
}

/// The practice's active practice managers, by name.
pub async fn practice_managers(
    store: &Store,
    organization_id: Uuid,
) -> Result<Vec<Manager>, StoreError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::Role.eq(Role::PracticeManager.as_str()))
        .filter(user::Column::IsActive.eq(true))
        .order_by_asc(user::Column::FullName)
        .order_by_asc(user::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(|u| Manager {
            user_id: u.id,
            full_name: u.full_name,
        })
        .collect())
}

/// The reminder's facts; `None` when the request or its provider is gone.
pub async fn provider_reminder(
    store: &Store,
    id: Uuid,
) -> Result<Option<ProviderReminderFacts>, StoreError> {
    let Some(r) = refill_request::Entity::find_by_id(id)
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let Some(u) = user::Entity::find_by_id(r.doctor_id)
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let config = match u.organization_id {
        Some(org) => crate::practice::get(store, org).await?,
        None => None,
    };
    let practice_name = match (&config, u.organization_id) {
        (Some(c), _) => c.settings.practice_name.clone(),
        (None, Some(org)) => crate::entity::organization::Entity::find_by_id(org)
            .one(store.db())
            .await?
            .map(|o| o.name)
            .unwrap_or_else(|| "Your practice".into()),
        (None, None) => "Your practice".into(),
    };
    Ok(Some(ProviderReminderFacts {
        refill_request_id: r.id,
        pending: r.status == RefillStatus::Pending.as_str(),
        created_at: r.created_at,
        provider_user_id: u.id,
        provider_name: u.full_name,
        provider_active: u.is_active,
        organization_id: u.organization_id,
        practice_name,
        settings: config.map(|c| c.settings),
    }))
}
