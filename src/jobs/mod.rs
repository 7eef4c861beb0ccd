//! Durable background jobs: the worker that runs them, the registry of job kinds, the
//! recurring (cron) kinds and CareLine's own housekeeping kinds. The queue itself — its
//! table, states, claiming and leases — is `careline_store::jobs`; docs/jobs.md describes
//! the whole for operators and for whoever adds a kind.
//!
//! Adding a kind: a handler is a plain async function of a `JobContext` and its payload
//! (ids only), returning `Ok(())`, `Err(JobError::Retry(..))` (tried again after a backoff,
//! dead after the last attempt) or `Err(JobError::Permanent(..))` (dead at once). Register it
//! in `housekeeping::registry` (or the registry of the feature it belongs to) and enqueue
//! jobs with `careline_store::jobs::enqueue` inside the transaction of the change that
//! causes them.
//!
//! Handlers run at least once: a worker that dies mid-job loses it to another when the lease
//! runs out, and the job runs again. So a handler must be safe to repeat. Work inside the
//! database is made so by its own transaction and conditions. Work that leaves CareLine (a
//! call, an SMS, an email) follows the effect pattern:
//!
//! ```text
//! match jobs::begin_effect(store, &ctx.job, "sms", now).await? {
//!     Effect::New => match send(...).await {
//!         Ok(receipt) => jobs::finish_effect(store, &ctx.job, "sms", Some(&receipt.id), now).await?,
//!         // Refused before anything left: forget the start, the next attempt sends.
//!         Err(e) if e.nothing_sent() => { jobs::abandon_effect(store, &ctx.job, "sms").await?; return Err(JobError::retry(e)) }
//!         // No answer: it may have gone. Leave it started; the next attempt sees InDoubt.
//!         Err(e) => return Err(JobError::retry(e)),
//!     },
//!     Effect::Done { .. } => {}                       // an earlier attempt sent it
//!     Effect::InDoubt { .. } => /* ask the receiver by our key, or */ return Err(JobError::permanent("in doubt: an operator decides")),
//! }
//! ```
//!
//! The start is committed before the send and the outcome after it, under the job's kind,
//! idempotency key and the effect's name, so no retry — after a crash, a lost lease or an
//! operator's retry — sends twice; the price is that an attempt that died between the two
//! leaves the effect in doubt for a person (or the receiver's own records) to settle.

pub mod housekeeping;
pub mod password_reset;
pub mod registry;
pub mod send;
pub mod worker;

pub use registry::{Recurring, Registry, RetryPolicy};
pub use worker::{Worker, WorkerHandle, WorkerOptions};

use careline_domain::Clock;
use careline_store::Store;
use careline_store::jobs::Job;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What a handler gets besides its payload.
#[derive(Clone)]
pub struct JobContext {
    pub store: Store,
    /// The job as claimed: `attempts` counts this attempt.
    pub job: Job,
    /// When this attempt started, by the worker's clock.
    pub now: DateTime<Utc>,
    pub clock: Arc<dyn Clock>,
}

/// Why an attempt failed. The text is kept in the job's `last_error` and shown to operators:
/// no PHI in it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JobError {
    /// Worth trying again later (a receiver down, a timeout, a database hiccup).
    #[error("{0}")]
    Retry(String),
    /// Will never work (a payload that names nothing, a refusal): dead at once.
    #[error("{0}")]
    Permanent(String),
}

impl JobError {
    pub fn retry(e: impl std::fmt::Display) -> JobError {
        JobError::Retry(e.to_string())
    }

    pub fn permanent(e: impl std::fmt::Display) -> JobError {
        JobError::Permanent(e.to_string())
    }
}

impl From<careline_store::StoreError> for JobError {
    fn from(e: careline_store::StoreError) -> JobError {
        JobError::Retry(e.to_string())
    }
}
