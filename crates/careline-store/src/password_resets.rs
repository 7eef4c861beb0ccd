//! Password resets: a request (with the job that emails its link, in the same transaction),
//! the token the email job sets right before it sends, and the one use of that token, which
//! sets the new password, clears a failed-login lockout, ends every session of the user and
//! makes the user's other outstanding resets void, all in one transaction.
//!
//! Only the SHA-256 of a token is stored: a copy of the table resets nothing. A request for an
//! address that has no account is stored too, without a user, so the request costs the same
//! either way and the answer cannot tell them apart.

use crate::jobs::{self, NewJob};
use crate::{Store, StoreError, stored_time};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// How long an emailed link works, from the moment the email is sent.
pub const TOKEN_TTL: Duration = Duration::minutes(60);

/// The job kind that emails the link (payload `{"reset_id": …}`, ids only).
pub const EMAIL_JOB: &str = "auth.password_reset_email";

/// Rows older than this are forgotten (at the next request).
pub const KEEP: Duration = Duration::days(7);

/// The table's entity (kept here rather than in `entity.rs`: nothing else reads it).
pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "password_resets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Option<Uuid>,
        pub token_hash: Option<String>,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
        pub used_at: Option<DateTimeUtc>,
        pub cancelled_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity as reset;

/// A reset as stored (never the token).
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordReset {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub has_token: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub used_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl From<reset::Model> for PasswordReset {
    fn from(m: reset::Model) -> Self {
        PasswordReset {
            id: m.id,
            user_id: m.user_id,
            has_token: m.token_hash.is_some(),
            created_at: m.created_at,
            expires_at: m.expires_at,
            sent_at: m.sent_at,
            used_at: m.used_at,
            cancelled_at: m.cancelled_at,
        }
    }
}

impl PasswordReset {
    /// Whether it is finished: used, or void.
    pub fn is_closed(&self) -> bool {
        self.used_at.is_some() || self.cancelled_at.is_some()
    }
}

/// The hex SHA-256 under which a token is stored.
pub fn token_hash(token: &str) -> String {
    careline_crypto::sha256_hex(token.trim().as_bytes())
}

/// Record a reset request for `user` (`None`: the address has no account) and enqueue the job
/// that emails it, in one transaction; rows older than `KEEP` go in the same transaction.
/// Wakes this process's worker after the commit. Returns the request's id.
pub async fn request(
    store: &Store,
    user: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let t = stored_time(now);
    let id = Uuid::now_v7();
    let (txn, _gate) = crate::begin_write(store).await?;
    reset::Entity::delete_many()
        .filter(reset::Column::CreatedAt.lt(t - KEEP))
        .exec(&txn)
        .await?;
    reset::Entity::insert(reset::ActiveModel {
        id: Set(id),
        user_id: Set(user),
        token_hash: Set(None),
        created_at: Set(t),
        expires_at: Set(t + TOKEN_TTL),
        sent_at: Set(None),
        used_at: Set(None),
        cancelled_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    jobs::enqueue(
        &txn,
        NewJob::new(EMAIL_JOB, serde_json::json!({ "reset_id": id }), t)
            .key(format!("password_reset:{id}")),
        t,
    )
    .await?;
    txn.commit().await?;
    store.jobs_enqueued();
    Ok(id)
}

pub async fn get(store: &Store, id: Uuid) -> Result<Option<PasswordReset>, StoreError> {
    Ok(reset::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(PasswordReset::from))
}

/// The email job, right before it sends: from now on only `hash`'s token works for this
/// request, until `now + TOKEN_TTL`. False when the request is closed meanwhile (used or void):
/// then nothing is to be sent.
pub async fn set_token(
    store: &Store,
    id: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let t = stored_time(now);
    let n = reset::Entity::update_many()
        .col_expr(reset::Column::TokenHash, Some(hash.to_string()).into())
        .col_expr(reset::Column::SentAt, Some(t).into())
        .col_expr(reset::Column::ExpiresAt, (t + TOKEN_TTL).into())
        .filter(reset::Column::Id.eq(id))
        .filter(reset::Column::UsedAt.is_null())
        .filter(reset::Column::CancelledAt.is_null())
        .exec(store.db())
        .await?
        .rows_affected;
    Ok(n == 1)
}

/// The user whose open, unexpired reset has this token (for checking the new password against
/// the user's own address before using the token). `None` for an unknown, expired, used or
/// void token, alike.
pub async fn holder(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    let m = reset::Entity::find()
        .filter(reset::Column::TokenHash.eq(token_hash(token)))
        .one(store.db())
        .await?;
    Ok(m.filter(|m| open_at(m, stored_time(now)))
        .and_then(|m| m.user_id))
}

fn open_at(m: &reset::Model, t: DateTime<Utc>) -> bool {
    m.used_at.is_none() && m.cancelled_at.is_none() && m.expires_at > t && m.user_id.is_some()
}

/// Make every open reset of `user` void (its password was changed another way). Returns how
/// many.
pub async fn void_open(store: &Store, user: Uuid, now: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(reset::Entity::update_many()
        .col_expr(reset::Column::CancelledAt, Some(stored_time(now)).into())
        .filter(reset::Column::UserId.eq(user))
        .filter(reset::Column::UsedAt.is_null())
        .filter(reset::Column::CancelledAt.is_null())
        .exec(store.db())
        .await?
        .rows_affected)
}

/// What using a token did.
#[derive(Debug, Clone, PartialEq)]
pub enum Redeemed {
    /// The password is set; `sessions_ended` sessions of the user were revoked.
    Done {
        user_id: Uuid,
        reset_id: Uuid,
        sessions_ended: u64,
    },
    /// Unknown, expired, used or void (or it belongs to another user than expected).
    Invalid,
}

/// Use `token` to set `user`'s password hash, at most once: the reset row is marked used by a
/// conditional update, and only the transaction whose update took it goes on (on PostgreSQL
/// the row is locked first, so a second use waits and then finds it used). In the same
/// transaction: the new hash, the failed-login count and lockout cleared, every session of the
/// user revoked, the user's other open resets made void.
pub async fn redeem(
    store: &Store,
    token: &str,
    user: Uuid,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Redeemed, StoreError> {
    use crate::entity::{user as users, user_session};
    use sea_orm::QuerySelect;
    let t = stored_time(now);
    let hash = token_hash(token);
    let (txn, _gate) = crate::begin_write(store).await?;
    let Some(row) = reset::Entity::find()
        .filter(reset::Column::TokenHash.eq(hash.clone()))
        .lock_exclusive()
        .one(&txn)
        .await?
    else {
        return Ok(Redeemed::Invalid);
    };
    if !open_at(&row, t) || row.user_id != Some(user) {
        return Ok(Redeemed::Invalid);
    }
    let taken = reset::Entity::update_many()
        .col_expr(reset::Column::UsedAt, Some(t).into())
        .filter(reset::Column::Id.eq(row.id))
        .filter(reset::Column::UsedAt.is_null())
        .filter(reset::Column::CancelledAt.is_null())
        .filter(reset::Column::ExpiresAt.gt(t))
        .exec(&txn)
        .await?
        .rows_affected;
    if taken != 1 {
        return Ok(Redeemed::Invalid);
    }
    reset::Entity::update_many()
        .col_expr(reset::Column::CancelledAt, Some(t).into())
        .filter(reset::Column::UserId.eq(user))
        .filter(reset::Column::Id.ne(row.id))
        .filter(reset::Column::UsedAt.is_null())
        .filter(reset::Column::CancelledAt.is_null())
        .exec(&txn)
        .await?;
    let n = users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, password_hash.into())
        .col_expr(users::Column::PasswordChangedAt, t.into())
        .col_expr(users::Column::UpdatedAt, t.into())
        .col_expr(users::Column::FailedLoginCount, 0.into())
        .col_expr(
            users::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .filter(users::Column::Id.eq(user))
        .exec(&txn)
        .await?
        .rows_affected;
    if n != 1 {
        return Ok(Redeemed::Invalid);
    }
    let sessions_ended = user_session::Entity::update_many()
        .col_expr(user_session::Column::RevokedAt, Some(t).into())
        .col_expr(
            user_session::Column::RevokedReason,
            Some("password reset".to_string()).into(),
        )
        .filter(user_session::Column::UserId.eq(user))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(Redeemed::Done {
        user_id: user,
        reset_id: row.id,
        sessions_ended,
    })
}
