//! Providers' weekly schedules and the time they block off (a conference, a surgery day).
//! The slot search and the booking rules read both.

use crate::entity::{provider_block, provider_schedule};
use crate::{Store, StoreError, stored_time};
use careline_domain::appointment::{Busy, ProviderSchedule};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

/// A provider's schedule; a provider without one works no hours.
pub async fn get(
    db: &impl ConnectionTrait,
    provider_id: Uuid,
) -> Result<Option<ProviderSchedule>, StoreError> {
    provider_schedule::Entity::find_by_id(provider_id)
        .all(db)
        .await?
        .into_iter()
        .next()
        .map(|m| {
            serde_json::from_value(m.schedule).map_err(|e| {
                StoreError::Config(format!(
                    "schedule of provider {provider_id} does not read: {e}"
                ))
            })
        })
        .transpose()
}

/// Replace a provider's schedule (already validated against the practice's types).
pub async fn put(
    store: &Store,
    provider_id: Uuid,
    schedule: &ProviderSchedule,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let json = serde_json::to_value(schedule).map_err(|e| StoreError::Config(e.to_string()))?;
    let model = provider_schedule::ActiveModel {
        provider_id: Set(provider_id),
        schedule: Set(json),
        updated_by: Set(by),
        updated_at: Set(stored_time(at)),
    };
    if provider_schedule::Entity::find_by_id(provider_id)
        .all(&txn)
        .await?
        .into_iter()
        .next()
        .is_some()
    {
        provider_schedule::Entity::update(model).exec(&txn).await?;
    } else {
        provider_schedule::Entity::insert(model)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Time a provider blocked off.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Block {
    pub id: Uuid,
    pub provider_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

pub async fn add_block(
    store: &Store,
    provider_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<Block, StoreError> {
    if starts_at >= ends_at {
        return Err(StoreError::invalid("ends_at", "must be after starts_at"));
    }
    let id = Uuid::now_v7();
    let (txn, _gate) = crate::begin_write(store).await?;
    provider_block::Entity::insert(provider_block::ActiveModel {
        id: Set(id),
        provider_id: Set(provider_id),
        starts_at: Set(stored_time(starts_at)),
        ends_at: Set(stored_time(ends_at)),
        reason: Set(reason.clone()),
        created_by: Set(by),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(Block {
        id,
        provider_id,
        starts_at: stored_time(starts_at),
        ends_at: stored_time(ends_at),
        reason,
    })
}

/// Blocks of a provider that overlap `[from, to)`, earliest first.
pub async fn blocks(
    db: &impl ConnectionTrait,
    provider_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Block>, StoreError> {
    Ok(provider_block::Entity::find()
        .filter(provider_block::Column::ProviderId.eq(provider_id))
        .filter(provider_block::Column::StartsAt.lt(stored_time(to)))
        .filter(provider_block::Column::EndsAt.gt(stored_time(from)))
        .order_by_asc(provider_block::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .map(|m| Block {
            id: m.id,
            provider_id: m.provider_id,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            reason: m.reason,
        })
        .collect())
}

pub async fn remove_block(store: &Store, provider_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    let res = provider_block::Entity::delete_many()
        .filter(provider_block::Column::Id.eq(id))
        .filter(provider_block::Column::ProviderId.eq(provider_id))
        .exec(store.db())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("blocked time"));
    }
    Ok(())
}

/// Blocks as busy spans, for the rule check.
pub fn busy(blocks: &[Block]) -> Vec<Busy> {
    blocks.iter().map(|b| (b.starts_at, b.ends_at)).collect()
}
