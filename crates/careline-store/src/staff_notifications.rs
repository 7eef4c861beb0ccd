//! In-app notifications for staff: each user's own list, newest first, read or unread. A
//! notification is written with a NOTIFICATION_RECEIVED live notice for its user (channel
//! `notifications`, the notification's id and kind, nothing else) in the same transaction, so
//! the dashboard's count moves as it commits. Titles and bodies carry the minimum necessary
//! (templates without clinical placeholders): never a message's text or a patient's name.

use crate::entity::staff_notification as row;
use crate::outbox::{NewEvent, channel, event};
use crate::{Page, Store, StoreError, outbox, stored_time};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StaffNotification {
    pub id: Uuid,
    /// The kind of notice, e.g. `urgent_message_escalation`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where it leads on the dashboard (a path).
    pub link: String,
    pub created_at: DateTime<Utc>,
    /// When its user marked it read; absent while unread.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<row::Model> for StaffNotification {
    fn from(m: row::Model) -> Self {
        StaffNotification {
            id: m.id,
            kind: m.kind,
            title: m.title,
            body: m.body,
            link: m.link,
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// A notification to write.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    /// Names the notice (a job's key and the user): the same key twice writes one row.
    pub source_key: Option<String>,
}

/// Write `n` and its live notice on `txn` (the caller's transaction; the caller calls
/// `Store::outbox_committed` after committing). Returns the new id, or `None` when a
/// notification with the same source key exists already (nothing written).
pub async fn add(
    txn: &impl ConnectionTrait,
    n: NewNotification,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    let id = Uuid::now_v7();
    let t = stored_time(now);
    let inserted = row::Entity::insert(row::ActiveModel {
        id: Set(id),
        user_id: Set(n.user_id),
        kind: Set(n.kind.clone()),
        title: Set(n.title),
        body: Set(n.body),
        link: Set(n.link),
        source_key: Set(n.source_key),
        created_at: Set(t),
        read_at: Set(None),
    })
    .on_conflict_do_nothing_on([row::Column::SourceKey])
    .exec_without_returning(txn)
    .await?;
    if !matches!(inserted, sea_orm::TryInsertResult::Inserted(k) if k > 0) {
        return Ok(None);
    }
    outbox::append(
        txn,
        &[
            NewEvent::new(event::NOTIFICATION_RECEIVED, channel::NOTIFICATIONS, id)
                .state(n.kind)
                .to_user(n.user_id),
        ],
        t,
    )
    .await?;
    Ok(Some(id))
}

/// `add` in a transaction of its own.
pub async fn create(
    store: &Store,
    n: NewNotification,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let id = add(&txn, n, now).await?;
    txn.commit().await?;
    if id.is_some() {
        store.outbox_committed();
    }
    Ok(id)
}

/// A user's own notifications, newest first; only unread ones when `unread_only`.
pub async fn list(
    store: &Store,
    user_id: Uuid,
    unread_only: bool,
    page: u64,
    per_page: u64,
) -> Result<Page<StaffNotification>, StoreError> {
    let mut c = Condition::all().add(row::Column::UserId.eq(user_id));
    if unread_only {
        c = c.add(row::Column::ReadAt.is_null());
    }
    let total = crate::count_where::<row::Entity>(store.db(), c.clone()).await?;
    let rows = row::Entity::find()
        .filter(c)
        .order_by_desc(row::Column::CreatedAt)
        .order_by_desc(row::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    Ok(Page {
        items: rows.into_iter().map(StaffNotification::from).collect(),
        total,
        page,
        per_page,
    })
}

/// How many of a user's notifications are unread.
pub async fn unread_count(store: &Store, user_id: Uuid) -> Result<u64, StoreError> {
    Ok(crate::count_where::<row::Entity>(
        store.db(),
        Condition::all()
            .add(row::Column::UserId.eq(user_id))
            .add(row::Column::ReadAt.is_null()),
    )
    .await?)
}

/// Mark one of the user's own notifications read (again: no change). Someone else's, or none,
/// is `NotFound`, the same answer.
pub async fn mark_read(
    store: &Store,
    user_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<StaffNotification, StoreError> {
    let find = || {
        row::Entity::find_by_id(id)
            .filter(row::Column::UserId.eq(user_id))
            .one(store.db())
    };
    let current = find().await?.ok_or(StoreError::NotFound("notification"))?;
    if current.read_at.is_some() {
        return Ok(current.into());
    }
    let (txn, _gate) = crate::begin_write(store).await?;
    row::Entity::update_many()
        .col_expr(row::Column::ReadAt, Some(stored_time(now)).into())
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::UserId.eq(user_id))
        .filter(row::Column::ReadAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(find()
        .await?
        .ok_or(StoreError::NotFound("notification"))?
        .into())
}

/// Every notification with this kind for `user_id`, oldest first (tests and the chain's own
/// checks).
pub async fn of_user_and_kind(
    store: &Store,
    user_id: Uuid,
    kind: &str,
) -> Result<Vec<StaffNotification>, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::UserId.eq(user_id))
        .filter(row::Column::Kind.eq(kind))
        .order_by_asc(row::Column::CreatedAt)
        .order_by_asc(row::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(StaffNotification::from)
        .collect())
}
