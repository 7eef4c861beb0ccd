//! Deleting call recordings whose retention ran out, each deletion in the audit trail. Run
//! hourly as the recurring job `recordings.purge` (`jobs::housekeeping`). Stored conversations
//! go the same way seven years after their call (`voice_interactions::RETENTION`), daily as
//! `conversations.purge`, and so do the call records themselves (`calls::RETENTION`), daily as
//! `calls.purge`.

use careline_domain::audit::{AuditAction, AuditType};
use careline_store::audit::{AuditEvent, AuditWriter};
use careline_store::{Store, StoreError, calls, recordings, voice_interactions};
use chrono::{DateTime, Utc};

/// Delete what expired by `now`; returns how many calls' recordings went.
pub async fn purge(
    store: &Store,
    audit: &AuditWriter,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let (chunks, calls) = recordings::purge_expired(store, now).await?;
    if calls > 0 {
        tracing::info!(
            calls,
            chunks,
            "call recordings past their retention deleted"
        );
        let event = AuditEvent::new(
            AuditType::Administration,
            AuditAction::D,
            format!("call recordings past retention deleted: {calls} calls, {chunks} pieces"),
        );
        audit.record(event).await?;
    }
    Ok(calls)
}

/// Delete the stored conversations whose seven years ran out by `now`; returns how many went.
pub async fn purge_conversations(
    store: &Store,
    audit: &AuditWriter,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let n = voice_interactions::purge_expired(store, now).await?;
    purged(audit, n, "stored conversations", "voice_interaction").await?;
    Ok(n)
}

/// Delete the call records (events, sealed inputs, any conversation left) whose seven years ran
/// out by `now`; returns how many calls went.
pub async fn purge_calls(
    store: &Store,
    audit: &AuditWriter,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let n = calls::purge_expired(store, now).await?;
    purged(audit, n, "call records", "ivr_call").await?;
    Ok(n)
}

/// Log and audit that `n` rows of `what` (`entity` in the audit trail) past their retention
/// were deleted; nothing when none were.
async fn purged(audit: &AuditWriter, n: u64, what: &str, entity: &str) -> Result<(), StoreError> {
    if n == 0 {
        return Ok(());
    }
    tracing::info!(deleted = n, what, "past their retention: deleted");
    let event = AuditEvent::new(
        AuditType::Administration,
        AuditAction::D,
        format!("{what} past retention deleted: {n}"),
    )
    .entity(entity, "*");
    audit.record(event).await?;
    Ok(())
}
