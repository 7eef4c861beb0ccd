//! Deleting call recordings whose retention ran out: on start-up and every hour on each node
//! (deleting is idempotent, so several nodes doing it at once is harmless), each deletion in
//! the audit trail.

use careline_domain::audit::{AuditAction, AuditType};
use careline_store::audit::{AuditEvent, AuditWriter};
use careline_store::{Store, StoreError, recordings};
use chrono::{DateTime, Utc};
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(3600);

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

/// Run `purge` now and every hour while the process lives.
pub fn spawn(store: Store, audit: AuditWriter) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = purge(&store, &audit, Utc::now()).await {
                tracing::error!(error = %e, "cannot delete expired call recordings");
            }
        }
    });
}
