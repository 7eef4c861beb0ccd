//! Work for a provider that a clinical request creates: call a patient back about a result
//! the phone may not read out, decide a refill, answer an urgent message. Each task is written
//! in the transaction of the change that causes it, with a live notice to the provider (ids
//! and kinds only, never PHI). Sending that notice further (SMS, a page) is a later jobs
//! issue's.

use crate::entity::provider_task;
use crate::outbox::{NewEvent, channel, event};
use crate::{Store, StoreError, stored_time};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

pub mod kind {
    pub const LAB_CALLBACK: &str = "lab_callback";
    pub const REFILL_REVIEW: &str = "refill_review";
    pub const URGENT_MESSAGE: &str = "urgent_message";
    pub const ROUTINE_MESSAGE: &str = "routine_message";
}

/// A task to create.
#[derive(Debug, Clone, Copy)]
pub struct NewTask {
    pub kind: &'static str,
    pub provider_user_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub doctor_id: Option<Uuid>,
    pub subject_type: &'static str,
    pub subject_id: Uuid,
    pub due_at: DateTime<Utc>,
}

/// Insert the task; the caller appends the returned event to the outbox in the same
/// transaction.
pub(crate) async fn add(
    txn: &impl ConnectionTrait,
    t: NewTask,
    now: DateTime<Utc>,
) -> Result<NewEvent, StoreError> {
    let id = Uuid::now_v7();
    provider_task::Entity::insert(provider_task::ActiveModel {
        id: Set(id),
        kind: Set(t.kind.into()),
        provider_user_id: Set(t.provider_user_id),
        patient_id: Set(t.patient_id),
        doctor_id: Set(t.doctor_id),
        subject_type: Set(t.subject_type.into()),
        subject_id: Set(t.subject_id),
        status: Set("open".into()),
        due_at: Set(stored_time(t.due_at)),
        created_at: Set(stored_time(now)),
        completed_at: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    let mut e =
        NewEvent::new(event::NOTIFICATION_RECEIVED, channel::NOTIFICATIONS, id).state(t.kind);
    if let Some(u) = t.provider_user_id {
        e = e.to_user(u);
    }
    if let Some(d) = t.doctor_id {
        e = e.doctor(d);
    }
    Ok(e)
}

/// Close the open tasks about `subject_id` (the request was decided, the message read).
pub(crate) async fn complete_for(
    txn: &impl ConnectionTrait,
    subject_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    provider_task::Entity::update_many()
        .col_expr(provider_task::Column::Status, "done".into())
        .col_expr(
            provider_task::Column::CompletedAt,
            Some(stored_time(now)).into(),
        )
        .filter(provider_task::Column::SubjectId.eq(subject_id))
        .filter(provider_task::Column::Status.eq("open"))
        .exec(txn)
        .await?;
    Ok(())
}

/// Work waiting for a provider: `kind` is lab_callback, refill_review, urgent_message or
/// routine_message; `subject_type`/`subject_id` name the result, request or message.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderTask {
    pub id: Uuid,
    pub kind: String,
    pub provider_user_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub subject_type: String,
    pub subject_id: Uuid,
    pub status: String,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// The tasks about one request or message, oldest first.
pub async fn for_subject(store: &Store, subject_id: Uuid) -> Result<Vec<ProviderTask>, StoreError> {
    Ok(provider_task::Entity::find()
        .filter(provider_task::Column::SubjectId.eq(subject_id))
        .order_by_asc(provider_task::Column::CreatedAt)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_task)
        .collect())
}

/// Tasks the actor may see, earliest due first: their own (as the provider they are routed
/// to) and those about their doctors' patients (scoped like every PHI table); `status` open
/// or done.
pub async fn list(
    store: &Store,
    actor: &careline_domain::Actor,
    status: &str,
    page: u64,
    per_page: u64,
) -> Result<crate::Page<ProviderTask>, StoreError> {
    use sea_orm::{Condition, QuerySelect};
    let c = Condition::all()
        .add(provider_task::Column::Status.eq(status))
        .add(
            Condition::any()
                .add(provider_task::Column::ProviderUserId.eq(actor.user_id))
                .add(crate::scope::by_doctor(
                    provider_task::Column::DoctorId,
                    actor.scope(),
                )),
        );
    let total = crate::count_where::<provider_task::Entity>(store.db(), c.clone()).await?;
    let items = provider_task::Entity::find()
        .filter(c)
        .order_by_asc(provider_task::Column::DueAt)
        .order_by_asc(provider_task::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_task)
        .collect();
    Ok(crate::Page {
        items,
        total,
        page,
        per_page,
    })
}

fn to_task(m: provider_task::Model) -> ProviderTask {
    ProviderTask {
        id: m.id,
        kind: m.kind,
        provider_user_id: m.provider_user_id,
        patient_id: m.patient_id,
        subject_type: m.subject_type,
        subject_id: m.subject_id,
        status: m.status,
        due_at: m.due_at,
        created_at: m.created_at,
    }
}
