//! One-time WebSocket tickets, shared by every node on the database: issued by a POST on one
//! node, redeemed once by a socket's upgrade on any node. Stored by their SHA-256 only.

use crate::entity::ws_ticket;
use crate::{Store, StoreError, stored_time};
use careline_domain::Role;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Whom a ticket authenticates: the session it was issued to.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub user_id: Uuid,
    pub role: Role,
    pub session_id: Uuid,
}

fn hash(ticket: &str) -> String {
    hex::encode(Sha256::digest(ticket.as_bytes()))
}

/// Store `ticket` (the secret the client holds) for `t` until `expires_at`, and forget the
/// tickets that have expired meanwhile (so the table never holds more than a minute's worth).
pub async fn issue(
    store: &Store,
    ticket: &str,
    t: &Ticket,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ws_ticket::Entity::delete_many()
        .filter(ws_ticket::Column::ExpiresAt.lte(stored_time(now)))
        .exec(store.db())
        .await?;
    ws_ticket::Entity::insert(ws_ticket::ActiveModel {
        ticket_hash: Set(hash(ticket)),
        user_id: Set(t.user_id),
        role: Set(t.role.as_str().to_string()),
        session_id: Set(t.session_id),
        expires_at: Set(stored_time(expires_at)),
    })
    .exec(store.db())
    .await?;
    Ok(())
}

/// Use a ticket: it is gone afterwards, whether it was still valid or not. When two nodes
/// redeem the same ticket at once, only the one whose delete removed the row gets it.
pub async fn redeem(
    store: &Store,
    ticket: &str,
    now: DateTime<Utc>,
) -> Result<Option<Ticket>, StoreError> {
    let key = hash(ticket);
    let Some(row) = ws_ticket::Entity::find_by_id(key.clone())
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let removed = ws_ticket::Entity::delete_by_id(key)
        .exec(store.db())
        .await?
        .rows_affected;
    if removed != 1 || row.expires_at <= stored_time(now) {
        return Ok(None);
    }
    Ok(row.role.parse::<Role>().ok().map(|role| Ticket {
        user_id: row.user_id,
        role,
        session_id: row.session_id,
    }))
}
