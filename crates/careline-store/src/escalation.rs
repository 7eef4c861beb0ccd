//! The escalation chain of an urgent message for a provider, as durable jobs: step 1 is
//! enqueued with the message (same transaction) due `urgent_escalation_minutes` after it was
//! left; each step that finds the message still unacknowledged notifies its people and
//! enqueues the next step as far again ahead. Acknowledging the message cancels the waiting
//! step in its own transaction, and every step checks the message again when it runs. The
//! sending is the server's (`src/escalation`).
//!
//! The chain, per message (docs/notifications.md, "Escalation of urgent messages"):
//! 1. whoever the message was routed to: the practice's on-call provider, else the patient's
//!    doctor;
//! 2. the next doctor of the practice after that person, in the practice's list ordered by
//!    full name (then id), wrapping around; skipped when the practice has no other doctor;
//! 3. every active practice manager of the practice.
//!
//! After step 3 the chain stops. A step with nobody to notify passes to the next at once.

use crate::entity::{provider_message, user};
use crate::jobs::{self, NewJob};
use crate::{Store, StoreError, practice};
use careline_domain::Role;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The job kind of every step.
pub const ESCALATE: &str = "provider_message.escalate";

/// The last step: practice managers.
pub const LAST_STEP: u32 = 3;

/// The default wait when a practice has no configuration.
pub const DEFAULT_MINUTES: u32 = 15;

/// A step's payload: ids only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationJob {
    pub message_id: Uuid,
    pub step: u32,
}

impl EscalationJob {
    /// The step's key, `{message}:{step}`; every step of a message starts with `{message}:`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.message_id, self.step)
    }
}

/// The prefix of every step's key of a message.
pub fn key_prefix(message_id: Uuid) -> String {
    format!("{message_id}:")
}

/// Enqueue `step` of the chain of `message_id` on `db` (the message's transaction, or the
/// previous step's), due at `at`. Idempotent per (message, step).
pub async fn schedule(
    db: &impl ConnectionTrait,
    message_id: Uuid,
    step: u32,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let job = EscalationJob { message_id, step };
    let payload = serde_json::to_value(job)
        .map_err(|e| StoreError::Config(format!("escalation payload: {e}")))?;
    jobs::enqueue(db, NewJob::new(ESCALATE, payload, at).key(job.key()), now).await?;
    Ok(())
}

/// Cancel the waiting steps of a message's chain on `db` (the acknowledging transaction).
pub(crate) async fn cancel(
    db: &impl ConnectionTrait,
    message_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    jobs::cancel_waiting_by_key_prefix(db, ESCALATE, &key_prefix(message_id), now).await
}

/// Whether the message is still unacknowledged, read on `db` (a step's own transaction, right
/// before it writes its notices, so an acknowledgement that committed meanwhile is seen).
pub async fn still_unacknowledged(
    db: &impl ConnectionTrait,
    message_id: Uuid,
) -> Result<bool, StoreError> {
    Ok(provider_message::Entity::find_by_id(message_id)
        .one(db)
        .await?
        .is_some_and(|m| m.status == "new"))
}

/// A member of staff a step notifies: how to reach them (their own account's details, not
/// PHI), as they asked to be reached. A channel they did not ask for is `None`, so the
/// senders need not know the preferences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Uuid,
    pub full_name: String,
    /// Their address, when they want email.
    pub email: Option<String>,
    /// Their number, when they consented to texts and it has not answered STOP.
    pub phone: Option<String>,
    /// The language of their notices (`users::DEFAULT_LANGUAGE` unless they chose one).
    pub language: String,
}

/// What a step reads about its message: never its text or its patient.
#[derive(Debug, Clone)]
pub struct EscalationFacts {
    pub message_id: Uuid,
    /// Still `new` (not acknowledged).
    pub unacknowledged: bool,
    pub created_at: DateTime<Utc>,
    pub routed_to: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub practice_name: String,
    pub minutes: u32,
}

impl EscalationFacts {
    pub fn wait(&self) -> Duration {
        Duration::minutes(i64::from(self.minutes))
    }
}

fn one_user(u: user::Model) -> Recipient {
    let texts = u.notify_sms && u.sms_opted_out_at.is_none();
    Recipient {
        user_id: u.id,
        full_name: u.full_name,
        email: Some(u.email).filter(|e| u.notify_email && !e.trim().is_empty()),
        phone: u.phone.filter(|p| texts && !p.trim().is_empty()),
        language: u.language,
    }
}

/// The message's chain facts, or `None` when the message is gone.
pub async fn facts(store: &Store, message_id: Uuid) -> Result<Option<EscalationFacts>, StoreError> {
    let Some(m) = provider_message::Entity::find_by_id(message_id)
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    // The practice: the patient's doctor's, else the person it was routed to.
    let mut organization_id = None;
    for u in [m.provider_user_id, m.routed_to].into_iter().flatten() {
        organization_id = practice::organization_of_user(store, u).await?;
        if organization_id.is_some() {
            break;
        }
    }
    let config = match organization_id {
        Some(org) => practice::get(store, org).await?,
        None => None,
    };
    let practice_name = match (&config, organization_id) {
        (Some(c), _) => c.settings.practice_name.clone(),
        (None, Some(org)) => crate::entity::organization::Entity::find_by_id(org)
            .one(store.db())
            .await?
            .map(|o| o.name)
            .unwrap_or_else(|| "Your practice".into()),
        (None, None) => "Your practice".into(),
    };
    Ok(Some(EscalationFacts {
        message_id,
        unacknowledged: m.status == "new",
        created_at: m.created_at,
        routed_to: m.routed_to,
        organization_id,
        practice_name,
        minutes: config
            .map(|c| c.settings.urgent_escalation_minutes)
            .unwrap_or(DEFAULT_MINUTES),
    }))
}

async fn active_users(
    store: &Store,
    organization_id: Uuid,
    role: Role,
) -> Result<Vec<user::Model>, StoreError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::Role.eq(role.as_str()))
        .filter(user::Column::IsActive.eq(true))
        .order_by_asc(user::Column::FullName)
        .order_by_asc(user::Column::Id)
        .all(store.db())
        .await?)
}

/// Whom `step` notifies (see the module's comment); empty when nobody.
pub async fn recipients(
    store: &Store,
    f: &EscalationFacts,
    step: u32,
) -> Result<Vec<Recipient>, StoreError> {
    match step {
        1 => {
            let Some(u) = f.routed_to else {
                return Ok(Vec::new());
            };
            Ok(user::Entity::find_by_id(u)
                .filter(user::Column::IsActive.eq(true))
                .one(store.db())
                .await?
                .map(one_user)
                .into_iter()
                .collect())
        }
        2 => {
            let Some(org) = f.organization_id else {
                return Ok(Vec::new());
            };
            let doctors = active_users(store, org, Role::Doctor).await?;
            let first = f.routed_to;
            let next = match doctors.iter().position(|d| Some(d.id) == first) {
                Some(i) => (1..doctors.len())
                    .map(|k| &doctors[(i + k) % doctors.len()])
                    .next()
                    .cloned(),
                None => doctors.first().cloned(),
            };
            Ok(next.map(one_user).into_iter().collect())
        }
        3 => {
            let Some(org) = f.organization_id else {
                return Ok(Vec::new());
            };
            Ok(active_users(store, org, Role::PracticeManager)
                .await?
                .into_iter()
                .filter(|u| Some(u.id) != f.routed_to)
                .map(one_user)
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}
