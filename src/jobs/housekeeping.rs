//! CareLine's own recurring jobs, which used to be a loop per task on every node: deleting call
//! recordings past their retention (and stored conversations and call records past theirs),
//! trimming the event outbox, refreshing SQLite's planner statistics, and forgetting old
//! finished jobs. As recurring jobs each tick runs once across
//! all nodes, is retried when it fails, and shows in the operators' job list.
//!
//! Not here: the sweep of the in-memory session cache and login limiter (`AppState::new`).
//! That state lives in each process's memory, so every node must sweep its own; a job that
//! runs once per tick on one node cannot do it.

use super::{JobContext, JobError, Registry, Worker, WorkerHandle, WorkerOptions};
use careline_domain::{Clock, SystemClock};
use careline_store::Store;
use careline_store::audit::AuditWriter;
use std::sync::Arc;

/// Deletes call recordings whose retention ran out (`calls::retention::purge`).
pub const RECORDINGS_PURGE: &str = "recordings.purge";
/// Deletes stored conversations seven years after their call (`calls::retention::purge_conversations`).
pub const CONVERSATIONS_PURGE: &str = "conversations.purge";
/// Deletes call records seven years after they started (`calls::retention::purge_calls`).
pub const CALLS_PURGE: &str = "calls.purge";
/// Removes live events older than the outbox's retention (`events::RETENTION`).
pub const EVENTS_TRIM: &str = "events.trim";
/// Refreshes SQLite's query planner statistics (nothing on PostgreSQL).
pub const STORE_OPTIMIZE: &str = "store.optimize";
/// Forgets finished jobs: succeeded after 7 days, dead and cancelled after 30.
pub const JOBS_PRUNE: &str = "jobs.prune";

/// How long finished jobs are kept, and so how long an idempotency key is remembered.
pub const KEEP_SUCCEEDED: chrono::Duration = chrono::Duration::days(7);
pub const KEEP_FAILED: chrono::Duration = chrono::Duration::days(30);

/// The job kinds every `careline serve` runs. Schedules are UTC, seconds first, spread over
/// the hour so they do not start together.
pub fn registry(audit: AuditWriter) -> Registry {
    let mut r = Registry::new();
    let recordings_audit = audit.clone();
    r.recurring(RECORDINGS_PURGE, "0 5 * * * *", move |ctx: JobContext| {
        let audit = recordings_audit.clone();
        async move {
            crate::calls::retention::purge(&ctx.store, &audit, ctx.now).await?;
            Ok(())
        }
    })
    .expect("a valid schedule");
    let conversations_audit = audit.clone();
    r.recurring(
        CONVERSATIONS_PURGE,
        "0 50 4 * * *",
        move |ctx: JobContext| {
            let audit = conversations_audit.clone();
            async move {
                crate::calls::retention::purge_conversations(&ctx.store, &audit, ctx.now).await?;
                Ok(())
            }
        },
    )
    .expect("a valid schedule");
    let calls_audit = audit.clone();
    r.recurring(CALLS_PURGE, "0 55 4 * * *", move |ctx: JobContext| {
        let audit = calls_audit.clone();
        async move {
            crate::calls::retention::purge_calls(&ctx.store, &audit, ctx.now).await?;
            Ok(())
        }
    })
    .expect("a valid schedule");
    r.recurring(EVENTS_TRIM, "0 15 * * * *", |ctx: JobContext| async move {
        let n =
            careline_store::outbox::trim(&ctx.store, ctx.now - crate::events::RETENTION).await?;
        if n > 0 {
            tracing::info!(events = n, "old live events trimmed from the outbox");
        }
        Ok(())
    })
    .expect("a valid schedule");
    r.recurring(
        STORE_OPTIMIZE,
        "0 30 * * * *",
        |ctx: JobContext| async move { ctx.store.optimize().await.map_err(JobError::from) },
    )
    .expect("a valid schedule");
    r.recurring(JOBS_PRUNE, "0 45 3 * * *", |ctx: JobContext| async move {
        let n = careline_store::jobs::prune(
            &ctx.store,
            ctx.now - KEEP_SUCCEEDED,
            ctx.now - KEEP_FAILED,
        )
        .await?;
        if n > 0 {
            tracing::info!(jobs = n, "finished jobs pruned");
        }
        Ok(())
    })
    .expect("a valid schedule");
    r
}

/// Start this node's worker for `config` (none when `jobs_worker` is off), on the system clock,
/// running the kinds of `registry` (this module's, plus the features' the server adds).
pub fn start(
    store: &Store,
    registry: Registry,
    config: &crate::config::Config,
) -> Option<WorkerHandle> {
    if !config.jobs_worker {
        tracing::info!("job worker off on this node (jobs_worker = false)");
        return None;
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let opts = WorkerOptions {
        concurrency: config.jobs_concurrency.max(1),
        lease: std::time::Duration::from_secs(config.jobs_lease_secs.max(5)),
        ..WorkerOptions::default()
    };
    Some(Worker::new(store.clone(), registry, clock, opts).spawn())
}
