//! What became of each message or call that left CareLine to reach a person: one row per
//! send, written before it goes (so a provider's callback always finds it) and updated as the
//! provider reports (Twilio's status callbacks, the SIP call's outcome). Ids and statuses only:
//! never the number, the address or the text.

use crate::entity::notification_delivery as row;
use crate::{Store, StoreError, stored_time};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

/// Where a delivery stands. Texts: sending → sent/queued → delivered or undelivered/failed.
/// Calls: sending → placed (ringing) → answered, or no_answer/busy/failed/voicemail.
pub mod status {
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const PLACED: &str = "placed";
    pub const ANSWERED: &str = "answered";
    pub const COMPLETED: &str = "completed";
    pub const NO_ANSWER: &str = "no_answer";
    pub const BUSY: &str = "busy";
    pub const VOICEMAIL: &str = "voicemail";
    pub const FAILED: &str = "failed";
    pub const DELIVERED: &str = "delivered";
    pub const UNDELIVERED: &str = "undelivered";
    /// Nothing could send it: no sender configured for a channel that reaches the person.
    pub const NOT_SENT: &str = "not_sent";
}

/// A delivery as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: Uuid,
    /// The notification kind (appointment_reminder, …).
    pub kind: String,
    /// sms, email, voice or in_app.
    pub channel: String,
    pub job_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    /// The call attempt, from 1.
    pub attempt: i32,
    pub status: String,
    /// Twilio's sid, the SIP call id or the email's Message-ID.
    pub provider_id: Option<String>,
    /// Why it failed, in the provider's words (no PHI).
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<row::Model> for Delivery {
    fn from(m: row::Model) -> Delivery {
        Delivery {
            id: m.id,
            kind: m.kind,
            channel: m.channel,
            job_id: m.job_id,
            patient_id: m.patient_id,
            user_id: m.user_id,
            appointment_id: m.appointment_id,
            attempt: m.attempt,
            status: m.status,
            provider_id: m.provider_id,
            detail: m.detail,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A delivery about to be attempted.
#[derive(Debug, Clone, Default)]
pub struct NewDelivery {
    pub kind: String,
    pub channel: String,
    pub job_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    pub attempt: i32,
}

/// Record a delivery as `sending`; returns its id (which callbacks name).
pub async fn start(store: &Store, d: NewDelivery, now: DateTime<Utc>) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let t = stored_time(now);
    row::Entity::insert(row::ActiveModel {
        id: Set(id),
        kind: Set(d.kind),
        channel: Set(d.channel),
        job_id: Set(d.job_id),
        patient_id: Set(d.patient_id),
        user_id: Set(d.user_id),
        appointment_id: Set(d.appointment_id),
        attempt: Set(d.attempt.max(1)),
        status: Set(status::SENDING.into()),
        provider_id: Set(None),
        detail: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .exec_without_returning(store.db())
    .await?;
    Ok(id)
}

/// Set a delivery's status (and the provider's id for it, and why it failed, when known).
/// `detail` is cut to 500 characters, phone numbers and addresses taken out.
pub async fn update(
    store: &Store,
    id: Uuid,
    new_status: &str,
    provider_id: Option<&str>,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Delivery>, StoreError> {
    let mut q = row::Entity::update_many()
        .col_expr(row::Column::Status, new_status.into())
        .col_expr(row::Column::UpdatedAt, stored_time(now).into())
        .filter(row::Column::Id.eq(id));
    if let Some(p) = provider_id {
        q = q.col_expr(row::Column::ProviderId, p.into());
    }
    if let Some(d) = detail {
        // Providers' texts can name the number or address: never kept.
        let d: String = careline_domain::phi::redact_contacts(d)
            .chars()
            .take(500)
            .collect();
        q = q.col_expr(row::Column::Detail, d.into());
    }
    q.exec(store.db()).await?;
    get(store, id).await
}

pub async fn get(store: &Store, id: Uuid) -> Result<Option<Delivery>, StoreError> {
    Ok(row::Entity::find_by_id(id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(Delivery::from))
}

/// The delivery the provider knows by `provider_id` (a Twilio message or call sid).
pub async fn by_provider_id(
    store: &Store,
    provider_id: &str,
) -> Result<Option<Delivery>, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::ProviderId.eq(provider_id))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(Delivery::from))
}

/// An appointment's deliveries, oldest first.
pub async fn for_appointment(
    store: &Store,
    appointment_id: Uuid,
) -> Result<Vec<Delivery>, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::AppointmentId.eq(appointment_id))
        .order_by_asc(row::Column::CreatedAt)
        .order_by_asc(row::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(Delivery::from)
        .collect())
}
