//! Messages for providers, as staff read and leave them (the phone leaves them too, see
//! `calls::leave_provider_message`). Routing: a routine message goes to the patient's doctor's
//! queue, due at the opening of the practice's next business day; an urgent one, or one that
//! names an emergency, goes to the practice's on-call provider (or the patient's doctor) now,
//! with a task and a live notice. Bodies and callback numbers are PHI, sealed at rest. Leaving
//! and acknowledging one announce it (PROVIDER_MESSAGE_CHANGED, its id and status only) in the
//! same transaction.

use crate::entity::{patient, provider_message};
use crate::outbox::{NewEvent, channel, event};
use crate::provider_tasks::{self, NewTask, kind};
use crate::{Page, Store, StoreError, outbox, patients, practice, scope, stored_time};
use careline_domain::clinical::{MessageUrgency, detect_emergency, routine_due_at};
use careline_domain::{Actor, DataScope, IllegalTransition, Phi};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

const BODY_FIELD: &str = "provider_messages.body";
/// The phone's field name for the callback number (see `calls`).
const CALLBACK_FIELD: &str = crate::calls::field::CALLBACK;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderMessage {
    pub id: Uuid,
    pub patient_id: Option<Uuid>,
    /// The provider the message is for.
    pub provider_user_id: Option<Uuid>,
    /// routine or urgent
    pub urgency: String,
    /// PHI: sealed at rest. Messages the phone took have none (the caller left a number).
    #[schema(value_type = Option<String>)]
    pub body: Option<Phi<String>>,
    /// The number to call back (PHI).
    #[schema(value_type = Option<String>)]
    pub callback: Option<Phi<String>>,
    /// The call it was left on; none for a message staff wrote.
    pub call_id: Option<String>,
    /// new or acknowledged
    pub status: String,
    /// Whose queue it is in: the patient's doctor, or the on-call provider for urgent ones.
    pub routed_to: Option<Uuid>,
    /// When it must be seen: now for urgent, the next business day's opening for routine.
    pub due_at: Option<DateTime<Utc>>,
    /// It names an emergency (chest pain, can't breathe…): the caller is told to hang up and
    /// dial 911 first.
    pub emergency: bool,
    pub created_by: Option<Uuid>,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn to_message(store: &Store, m: provider_message::Model) -> Result<ProviderMessage, StoreError> {
    let keys = store.keys();
    Ok(ProviderMessage {
        body: m
            .body_enc
            .as_deref()
            .map(|b| keys.decrypt_string(BODY_FIELD, b))
            .transpose()?
            .map(Phi::new),
        callback: m
            .callback_enc
            .as_deref()
            .map(|b| keys.decrypt_string(CALLBACK_FIELD, b))
            .transpose()?
            .map(Phi::new),
        id: m.id,
        patient_id: m.patient_id,
        provider_user_id: m.provider_user_id,
        urgency: m.urgency,
        call_id: Some(m.call_id).filter(|c| !c.is_empty()),
        status: m.status,
        routed_to: m.routed_to,
        due_at: m.due_at,
        emergency: m.emergency.unwrap_or(false),
        created_by: m.created_by,
        acknowledged_by: m.acknowledged_by,
        acknowledged_at: m.acknowledged_at,
        created_at: m.created_at,
    })
}

/// The messages an actor may see: about patients in their scope, or for providers in it.
fn scoped(actor: &Actor) -> Condition {
    let s = actor.scope();
    if s == DataScope::All {
        return Condition::all();
    }
    Condition::any()
        .add(
            provider_message::Column::PatientId.in_subquery(
                Query::select()
                    .column(patient::Column::Id)
                    .from(patient::Entity)
                    .cond_where(scope::by_doctor(patient::Column::DoctorId, s))
                    .to_owned(),
            ),
        )
        .add(scope::by_doctor(provider_message::Column::RoutedTo, s))
        .add(scope::by_doctor(
            provider_message::Column::ProviderUserId,
            s,
        ))
}

/// The live notices of a message's new status (`new` or `acknowledged`): for those who see the
/// patient's doctor's messages, and, when it was routed to someone else (the on-call
/// provider), for them too, as the list shows it to them.
pub(crate) fn changed_events(
    id: Uuid,
    status: &str,
    doctor: Option<Uuid>,
    routed_to: Option<Uuid>,
) -> Vec<NewEvent> {
    let mut e = NewEvent::new(
        event::PROVIDER_MESSAGE_CHANGED,
        channel::PROVIDER_MESSAGES,
        id,
    )
    .state(status);
    if let Some(d) = doctor {
        e = e.doctor(d);
    }
    let mut out = vec![e.clone()];
    if let Some(r) = routed_to.filter(|r| Some(*r) != doctor) {
        out.push(e.to_user(r));
    }
    out
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub patient_id: Uuid,
    pub urgency: MessageUrgency,
    pub body: String,
    pub callback: Option<String>,
}

/// Where a message goes and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routing {
    pub urgency: MessageUrgency,
    pub routed_to: Uuid,
    pub due_at: DateTime<Utc>,
    pub emergency: bool,
    /// Minutes an urgent message may wait unacknowledged before the escalation chain's next
    /// step (the practice's `urgent_escalation_minutes`).
    pub escalation_minutes: u32,
}

impl Routing {
    /// Enqueue the first escalation step of an urgent message on the message's transaction,
    /// due `escalation_minutes` after `left_at`; nothing for a routine one.
    pub(crate) async fn schedule_escalation(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        message_id: Uuid,
        left_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if self.urgency != MessageUrgency::Urgent {
            return Ok(false);
        }
        let at = left_at + Duration::minutes(i64::from(self.escalation_minutes));
        crate::escalation::schedule(txn, message_id, 1, at, left_at).await?;
        Ok(true)
    }
}

/// Route a message about a patient of `doctor_id`: pure but for reading the practice's
/// configuration. The phone calls this too before it leaves a message.
pub async fn route(
    store: &Store,
    doctor_id: Uuid,
    urgency: MessageUrgency,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Routing, StoreError> {
    let config = practice::of_doctor(store, doctor_id).await?;
    let triggers = config
        .as_ref()
        .map(|c| c.settings.escalation_triggers.clone())
        .unwrap_or_default();
    let escalation_minutes = config
        .as_ref()
        .map(|c| c.settings.urgent_escalation_minutes)
        .unwrap_or(crate::escalation::DEFAULT_MINUTES);
    let emergency = detect_emergency(body, &triggers).is_some();
    let urgency = if emergency {
        MessageUrgency::Urgent
    } else {
        urgency
    };
    Ok(match urgency {
        MessageUrgency::Urgent => Routing {
            urgency,
            routed_to: config
                .as_ref()
                .and_then(|c| c.settings.on_call_provider_user_id)
                .unwrap_or(doctor_id),
            due_at: stored_time(now),
            emergency,
            escalation_minutes,
        },
        MessageUrgency::Routine => Routing {
            urgency,
            routed_to: doctor_id,
            due_at: stored_time(match &config {
                Some(c) => routine_due_at(&c.settings, now),
                None => now + Duration::days(1),
            }),
            emergency,
            escalation_minutes,
        },
    })
}

/// Leave a message for the patient's provider, routed; an urgent one also makes a task for
/// whoever it was routed to.
pub async fn create(
    store: &Store,
    actor: &Actor,
    new: NewMessage,
    now: DateTime<Utc>,
) -> Result<ProviderMessage, StoreError> {
    let patient = patients::visible(store, actor, new.patient_id)
        .await?
        .ok_or_else(|| StoreError::Refused {
            code: "UNKNOWN_PATIENT",
            message: "There is no such patient among yours.".into(),
        })?;
    let r = route(store, patient.doctor_id, new.urgency, &new.body, now).await?;
    let id = Uuid::now_v7();
    let t = stored_time(now);
    let keys = store.keys();
    let (txn, _gate) = crate::begin_write(store).await?;
    provider_message::Entity::insert(provider_message::ActiveModel {
        id: Set(id),
        patient_id: Set(Some(patient.id)),
        provider_user_id: Set(Some(patient.doctor_id)),
        urgency: Set(r.urgency.as_str().into()),
        callback_enc: Set(new
            .callback
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| keys.encrypt_str(CALLBACK_FIELD, c))),
        // Not null since the phone's migration: a message staff wrote has no call.
        call_id: Set(String::new()),
        status: Set("new".into()),
        created_at: Set(t),
        idempotency_key: Set(None),
        body_enc: Set(Some(keys.encrypt_str(BODY_FIELD, new.body.trim()))),
        routed_to: Set(Some(r.routed_to)),
        due_at: Set(Some(r.due_at)),
        emergency: Set(Some(r.emergency)),
        created_by: Set(Some(actor.user_id)),
        acknowledged_by: Set(None),
        acknowledged_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    let task_kind = match r.urgency {
        MessageUrgency::Urgent => kind::URGENT_MESSAGE,
        MessageUrgency::Routine => kind::ROUTINE_MESSAGE,
    };
    let event = provider_tasks::add(
        &txn,
        NewTask {
            kind: task_kind,
            provider_user_id: Some(r.routed_to),
            patient_id: Some(patient.id),
            doctor_id: Some(patient.doctor_id),
            subject_type: "provider_message",
            subject_id: id,
            due_at: r.due_at,
        },
        now,
    )
    .await?;
    // Only urgent messages interrupt: a notification to the on-call provider now. Every
    // message is announced on its channel.
    let mut events = if r.urgency == MessageUrgency::Urgent {
        vec![event]
    } else {
        Vec::new()
    };
    events.extend(changed_events(
        id,
        "new",
        Some(patient.doctor_id),
        Some(r.routed_to),
    ));
    // Not acknowledged in time, an urgent message escalates (`crate::escalation`).
    let escalates = r.schedule_escalation(&txn, id, t).await?;
    outbox::append(&txn, &events, t).await?;
    txn.commit().await?;
    store.outbox_committed();
    if escalates {
        store.jobs_enqueued();
    }
    get(store, actor, id).await
}

pub async fn get(store: &Store, actor: &Actor, id: Uuid) -> Result<ProviderMessage, StoreError> {
    let m = provider_message::Entity::find_by_id(id)
        .filter(scoped(actor))
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("message"))?;
    to_message(store, m)
}

#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    /// new or acknowledged
    pub status: Option<String>,
    pub patient_id: Option<Uuid>,
}

/// Messages in the actor's scope, oldest first.
pub async fn list(
    store: &Store,
    actor: &Actor,
    f: &MessageFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<ProviderMessage>, StoreError> {
    let mut c = Condition::all().add(scoped(actor));
    if let Some(s) = &f.status {
        c = c.add(provider_message::Column::Status.eq(s.as_str()));
    }
    if let Some(p) = f.patient_id {
        c = c.add(provider_message::Column::PatientId.eq(p));
    }
    let total = crate::count_where::<provider_message::Entity>(store.db(), c.clone()).await?;
    let rows = provider_message::Entity::find()
        .filter(c)
        .order_by_asc(provider_message::Column::CreatedAt)
        .order_by_asc(provider_message::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|m| to_message(store, m))
            .collect::<Result<_, _>>()?,
        total,
        page,
        per_page,
    })
}

/// Someone has read the message and taken it on: new → acknowledged, its task closed.
pub async fn acknowledge(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<ProviderMessage, StoreError> {
    let current = get(store, actor, id).await?;
    if current.status != "new" {
        return Err(IllegalTransition {
            entity: "provider message",
            from: "acknowledged",
            action: "acknowledge",
        }
        .into());
    }
    let t = stored_time(now);
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = provider_message::Entity::update_many()
        .col_expr(provider_message::Column::Status, "acknowledged".into())
        .col_expr(
            provider_message::Column::AcknowledgedBy,
            Some(actor.user_id).into(),
        )
        .col_expr(provider_message::Column::AcknowledgedAt, Some(t).into())
        .filter(provider_message::Column::Id.eq(id))
        .filter(provider_message::Column::Status.eq("new"))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "the message changed meanwhile; reload it".into(),
        ));
    }
    provider_tasks::complete_for(&txn, id, t).await?;
    // Acknowledged: the escalation chain stops (its running step checks again).
    crate::escalation::cancel(&txn, id, t).await?;
    outbox::append(
        &txn,
        &changed_events(
            id,
            "acknowledged",
            current.provider_user_id,
            current.routed_to,
        ),
        t,
    )
    .await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, actor, id).await
}
