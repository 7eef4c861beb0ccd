//! The event outbox: live events (ids and states, never PHI) appended inside the transaction
//! of the change they announce, read back in `seq` order by the event hub, and trimmed after
//! a retention period. Event and channel names are listed in `docs/events.md`.
//!
//! Ordering. A reader tails the table with `seq > last`, so rows must become visible in `seq`
//! order. On PostgreSQL a sequence value is taken at insert time, not at commit: a transaction
//! that took seq 7 and commits after one that took seq 8 would be skipped by a reader that
//! already moved past 8. `append` therefore takes a transaction-scoped advisory lock right
//! before it inserts: outbox writers queue there and each holds the lock until its commit, so
//! they commit in the order they took their numbers. Callers append as the last write before
//! committing, which keeps the time the lock is held short. SQLite has one writer at a time
//! anyway. (A rolled-back writer still leaves a gap in `seq` on PostgreSQL; readers never rely
//! on `seq` being dense.)
//!
//! Wake-ups. On PostgreSQL `append` also sends `NOTIFY careline_events`, which the server
//! delivers to other nodes' listeners only when the transaction commits. In this process the
//! writer calls `Store::outbox_committed` after its commit, which wakes the local hub at once.

use crate::entity::{counter, event_outbox};
use crate::{Store, StoreError, stored_time};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

/// Event names (the seed's, plus the ones CareLine adds: see docs/events.md).
pub mod event {
    pub const IVR_STATUS_CHANGED: &str = "IVR_STATUS_CHANGED";
    pub const NEW_ASSIGNMENT: &str = "NEW_ASSIGNMENT";
    pub const ORDER_APPROVED: &str = "ORDER_APPROVED";
    /// Every other order status change (created, processing, cancelled).
    pub const ORDER_STATUS_CHANGED: &str = "ORDER_STATUS_CHANGED";
    pub const SHIPMENT_DISPATCHED: &str = "SHIPMENT_DISPATCHED";
    pub const DELIVERY_CONFIRMED: &str = "DELIVERY_CONFIRMED";
    /// A message was added to a verification request's conversation.
    pub const CHAT_MESSAGE: &str = "CHAT_MESSAGE";
    pub const NOTIFICATION_RECEIVED: &str = "NOTIFICATION_RECEIVED";
    /// The figures on the dashboard changed (`state` says which: `calls` when a call ended;
    /// `id` is the UTC day whose figures moved).
    pub const DASHBOARD_UPDATE: &str = "DASHBOARD_UPDATE";
    /// Something an operator must act on (`state` is its kind, see [`super::alert`]); admins
    /// only, on channel `alerts`.
    pub const SYSTEM_ALERT: &str = "SYSTEM_ALERT";
    /// A phone call started or ended; `state` is `active` or the call's final status.
    pub const CALL_EVENT: &str = "CALL_EVENT";
    /// An appointment was booked or changed; `state` is its new status, or `rescheduled`.
    pub const APPOINTMENT_CHANGED: &str = "APPOINTMENT_CHANGED";
    /// A lab result was entered or released; `state` is its status.
    pub const LAB_RESULT_CHANGED: &str = "LAB_RESULT_CHANGED";
    /// A refill request was taken, approved or denied; `state` is its status.
    pub const REFILL_REQUEST_CHANGED: &str = "REFILL_REQUEST_CHANGED";
    /// A message for a provider was left or acknowledged; `state` is its status.
    pub const PROVIDER_MESSAGE_CHANGED: &str = "PROVIDER_MESSAGE_CHANGED";
    /// A prior authorization was drafted or moved; `state` is its status.
    pub const PRIOR_AUTHORIZATION_CHANGED: &str = "PRIOR_AUTHORIZATION_CHANGED";
}

/// Channel names, as in the `/ws/{channel}` paths.
pub mod channel {
    pub const IVRS: &str = "ivrs";
    pub const ORDERS: &str = "orders";
    pub const SHIPPING: &str = "shipping";
    pub const CHAT: &str = "chat";
    pub const NOTIFICATIONS: &str = "notifications";
    pub const DASHBOARD: &str = "dashboard";
    pub const CALLS: &str = "calls";
    pub const APPOINTMENTS: &str = "appointments";
    /// The clinical requests, one channel each (each read by its own permission).
    pub const LAB_RESULTS: &str = "lab_results";
    pub const REFILLS: &str = "refills";
    pub const PROVIDER_MESSAGES: &str = "provider_messages";
    pub const PRIOR_AUTHORIZATIONS: &str = "prior_authorizations";
    /// SYSTEM_ALERT: heard by admins only (on `/ws/dashboard` and `/ws/notifications`).
    pub const ALERTS: &str = "alerts";
}

/// The kinds of SYSTEM_ALERT (its `state`) and what its `id` names.
pub mod alert {
    /// An account locked itself after repeated failed sign-ins; `id` is the user.
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    /// A refresh token was presented a second time (stolen, or a client bug), so its session
    /// was revoked; `id` is the user.
    pub const REFRESH_TOKEN_REUSED: &str = "refresh_token_reused";
    /// Recomputing the audit chain found a broken link; `id` is the first broken record's
    /// sequence number.
    pub const AUDIT_CHAIN_BROKEN: &str = "audit_chain_broken";

    /// A SYSTEM_ALERT of `kind` about `id`.
    pub fn new(kind: &'static str, id: impl ToString) -> super::NewEvent {
        super::NewEvent::new(super::event::SYSTEM_ALERT, super::channel::ALERTS, id).state(kind)
    }
}

/// Serialises outbox writers on PostgreSQL until they commit (see the module comment).
const PG_OUTBOX_LOCK: i64 = 0x4341_5245_4556_4e54; // "CAREEVNT"

/// The PostgreSQL notification channel that tells other nodes the outbox grew.
pub const PG_CHANNEL: &str = "careline_events";

/// The `counters` row that remembers the highest `seq` the retention trim removed: a client
/// that last saw an older one has missed events for good and must reload.
const TRIMMED_THROUGH: &str = "event_outbox_trimmed_through";

/// An event to append. `object_id` is the id of what changed; `state` its new state.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event: &'static str,
    pub channel: &'static str,
    pub object_id: String,
    pub state: Option<String>,
    /// The doctor who owns the object; `None` for objects outside the hierarchy (calls),
    /// which only roles that see every row hear of.
    pub scope_doctor_id: Option<Uuid>,
    /// Set for events addressed to one user: only they hear of it.
    pub recipient_user_id: Option<Uuid>,
}

impl NewEvent {
    pub fn new(event: &'static str, channel: &'static str, object_id: impl ToString) -> NewEvent {
        NewEvent {
            event,
            channel,
            object_id: object_id.to_string(),
            state: None,
            scope_doctor_id: None,
            recipient_user_id: None,
        }
    }

    pub fn state(mut self, s: impl ToString) -> NewEvent {
        self.state = Some(s.to_string());
        self
    }

    pub fn doctor(mut self, d: Uuid) -> NewEvent {
        self.scope_doctor_id = Some(d);
        self
    }

    pub fn to_user(mut self, u: Uuid) -> NewEvent {
        self.recipient_user_id = Some(u);
        self
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub seq: i64,
    pub event: String,
    pub channel: String,
    pub object_id: String,
    pub state: Option<String>,
    pub scope_doctor_id: Option<Uuid>,
    pub recipient_user_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

impl From<event_outbox::Model> for Event {
    fn from(m: event_outbox::Model) -> Event {
        Event {
            seq: m.seq,
            event: m.event,
            channel: m.channel,
            object_id: m.object_id,
            state: m.state,
            scope_doctor_id: m.scope_doctor_id,
            recipient_user_id: m.recipient_user_id,
            at: m.created_at,
        }
    }
}

/// Append events inside the caller's write transaction, as its last write. After the commit
/// the caller calls `Store::outbox_committed`.
pub async fn append(
    txn: &impl ConnectionTrait,
    events: &[NewEvent],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PG_OUTBOX_LOCK})"))
            .await?;
    }
    let t = stored_time(at);
    let rows: Vec<event_outbox::ActiveModel> = events
        .iter()
        .map(|e| event_outbox::ActiveModel {
            seq: sea_orm::ActiveValue::NotSet,
            event: Set(e.event.to_string()),
            channel: Set(e.channel.to_string()),
            object_id: Set(e.object_id.clone()),
            state: Set(e.state.clone()),
            scope_doctor_id: Set(e.scope_doctor_id),
            recipient_user_id: Set(e.recipient_user_id),
            created_at: Set(t),
        })
        .collect();
    event_outbox::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("NOTIFY {PG_CHANNEL}"))
            .await?;
    }
    Ok(())
}

/// Append in a transaction of its own (for changes made outside a store transaction, and
/// for tests and operators' alerts).
pub async fn publish(
    store: &Store,
    events: &[NewEvent],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    append(&txn, events, at).await?;
    txn.commit().await?;
    store.outbox_committed();
    Ok(())
}

/// Up to `limit` events after `after`, oldest first.
pub async fn since(store: &Store, after: i64, limit: u64) -> Result<Vec<Event>, StoreError> {
    Ok(event_outbox::Entity::find()
        .filter(event_outbox::Column::Seq.gt(after))
        .order_by_asc(event_outbox::Column::Seq)
        .limit(limit)
        .all(store.db())
        .await?
        .into_iter()
        .map(Event::from)
        .collect())
}

/// The highest `seq` ever written (0 on a new database), also when the trim emptied the table.
pub async fn latest_seq(store: &Store) -> Result<i64, StoreError> {
    let max: Option<i64> = event_outbox::Entity::find()
        .select_only()
        .column_as(event_outbox::Column::Seq.max(), "m")
        .into_tuple::<Option<i64>>()
        .one(store.db())
        .await?
        .flatten();
    match max {
        Some(m) => Ok(m),
        None => trimmed_through(store).await,
    }
}

/// The highest `seq` removed by the retention trim (0 if none was): events up to it can no
/// longer be replayed.
pub async fn trimmed_through(store: &Store) -> Result<i64, StoreError> {
    Ok(counter::Entity::find_by_id(TRIMMED_THROUGH.to_string())
        .one(store.db())
        .await?
        .map_or(0, |c| c.value))
}

/// Remove events recorded before `before`. Returns how many went.
pub async fn trim(store: &Store, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let through: Option<i64> = event_outbox::Entity::find()
        .select_only()
        .column_as(event_outbox::Column::Seq.max(), "m")
        .filter(event_outbox::Column::CreatedAt.lt(stored_time(before)))
        .into_tuple::<Option<i64>>()
        .one(&txn)
        .await?
        .flatten();
    let Some(through) = through else {
        return Ok(0);
    };
    let gone = event_outbox::Entity::delete_many()
        .filter(event_outbox::Column::Seq.lte(through))
        .exec(&txn)
        .await?
        .rows_affected;
    match counter::Entity::find_by_id(TRIMMED_THROUGH.to_string())
        .one(&txn)
        .await?
    {
        Some(c) if c.value >= through => {}
        Some(_) => {
            counter::Entity::update_many()
                .col_expr(counter::Column::Value, through.into())
                .filter(counter::Column::Name.eq(TRIMMED_THROUGH))
                .exec(&txn)
                .await?;
        }
        None => {
            counter::Entity::insert(counter::ActiveModel {
                name: Set(TRIMMED_THROUGH.to_string()),
                value: Set(through),
            })
            .exec_without_returning(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(gone)
}
