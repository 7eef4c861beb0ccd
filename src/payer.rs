//! Prior authorizations with the payer, as durable jobs behind an adapter, so a real payer
//! connection (an X12 278 clearinghouse, a payer's FHIR PAS API) can replace the one that
//! ships. Submitting a request enqueues `prior_auth.submit` in the submission's transaction;
//! that job hands the request to the payer and records it as pended with the payer's
//! reference, enqueuing the first `prior_auth.poll` in the same transaction; each poll asks the
//! payer where it stands and records the decision, or polls again later (every
//! `poll_every`, doubling after ten polls, at most hourly). A crash anywhere loses nothing: the
//! jobs run again, and the submission is the job's recorded effect, so it is not sent twice.
//!
//! THE ADAPTER THAT SHIPS IS A LOCAL PAYER SIMULATOR. No payer API can be reached from here
//! (it needs a contract, credentials and a network), so `LocalPayerSimulator` plays the payer
//! inside this process: it acknowledges a request with a reference of its own (`SIM-…`) and,
//! asked for its status, decides. The decision is deterministic from the request, so tests and
//! demos can rely on it: a member id ending in `0` is denied, every other request approved,
//! valid for 90 days from the day it is approved (`SIMULATED_VALIDITY_DAYS`; a real payer
//! states its own dates). Nothing leaves the machine; nothing it says is a real payer's answer.
//!
//! An approval's validity is kept with it; the recurring `prior_auth.expire` job
//! (`crate::prior_auth_expiry`) moves it to `expired` when its last day has ended.

use crate::jobs::{JobContext, JobError, Registry, RetryPolicy};
use careline_domain::clinical::{PriorAuthAction, PriorAuthStatus, Validity};
use careline_store::jobs::{self, Effect, NewJob};
use careline_store::prior_auth::{self, PAYER_POLL, PAYER_SUBMIT, PriorAuthorization};
use chrono::{Duration as ChronoDuration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Where the payer says a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayerStatus {
    /// Not decided yet: ask again later.
    Pending,
    /// Approved, valid for the payer's dates (the practice's local days, both inclusive);
    /// `None` when the payer gives no end.
    Approved(Option<Validity>),
    Denied,
    /// The payer let it lapse.
    Expired,
}

/// A payer that could not be reached or refused the exchange.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PayerError {
    /// Worth trying again (the payer was down or busy).
    pub retryable: bool,
    pub message: String,
}

/// A payer connection.
#[async_trait::async_trait]
pub trait PayerAdapter: Send + Sync {
    /// Send a request that is now `submitted`; the payer acknowledges it with its reference.
    async fn submit(&self, request: &PriorAuthorization) -> Result<String, PayerError>;
    /// Ask where a request the payer acknowledged stands; `today` is the practice's local date
    /// (an approval's validity is counted from it when the payer counts from "now").
    async fn status(
        &self,
        request: &PriorAuthorization,
        today: NaiveDate,
    ) -> Result<PayerStatus, PayerError>;
    /// What this adapter is, for logs and the API's answer (`local-simulator`).
    fn name(&self) -> &'static str;
    /// How long to wait before the first status question, and between the next ones.
    fn poll_every(&self) -> Duration;
}

/// How long the simulator's approvals last, from the day approved. A stand-in value: a real
/// payer states each approval's dates.
pub const SIMULATED_VALIDITY_DAYS: i64 = 90;

/// The local payer simulator (see the module comment): NOT a payer.
pub struct LocalPayerSimulator;

impl LocalPayerSimulator {
    pub fn new() -> LocalPayerSimulator {
        LocalPayerSimulator
    }

    /// The simulator's decision for a request: denied when the member id ends in `0`.
    pub fn decides(member_id: &str) -> PriorAuthAction {
        if member_id.trim().ends_with('0') {
            PriorAuthAction::Deny
        } else {
            PriorAuthAction::Approve
        }
    }
}

impl Default for LocalPayerSimulator {
    fn default() -> Self {
        LocalPayerSimulator::new()
    }
}

#[async_trait::async_trait]
impl PayerAdapter for LocalPayerSimulator {
    async fn submit(&self, request: &PriorAuthorization) -> Result<String, PayerError> {
        Ok(format!("SIM-{}", &request.id.simple().to_string()[20..]))
    }

    async fn status(
        &self,
        request: &PriorAuthorization,
        today: NaiveDate,
    ) -> Result<PayerStatus, PayerError> {
        Ok(match Self::decides(request.member_id.expose()) {
            PriorAuthAction::Deny => PayerStatus::Denied,
            _ => PayerStatus::Approved(Some(Validity {
                from: today,
                until: today + ChronoDuration::days(SIMULATED_VALIDITY_DAYS),
            })),
        })
    }

    fn name(&self) -> &'static str {
        "local-simulator"
    }

    fn poll_every(&self) -> Duration {
        Duration::from_millis(200)
    }
}

/// The adapter a server starts with.
pub fn default_adapter() -> Arc<dyn PayerAdapter> {
    Arc::new(LocalPayerSimulator::new())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PayerJob {
    prior_authorization_id: Uuid,
    #[serde(default)]
    poll: u32,
}

/// Add the payer job kinds, talking to `adapter`.
pub fn register(registry: &mut Registry, adapter: Arc<dyn PayerAdapter>) {
    let policy = RetryPolicy {
        base: Duration::from_secs(30),
        max: Duration::from_secs(3600),
    };
    let a = adapter.clone();
    registry
        .register(PAYER_SUBMIT, move |ctx: JobContext, job: PayerJob| {
            let a = a.clone();
            async move { submit(&ctx, a.as_ref(), job).await }
        })
        .retry(policy)
        .timeout(Duration::from_secs(120));
    registry
        .register(PAYER_POLL, move |ctx: JobContext, job: PayerJob| {
            let a = adapter.clone();
            async move { poll(&ctx, a.as_ref(), job).await }
        })
        .retry(policy)
        .timeout(Duration::from_secs(120));
}

fn payer_error(e: PayerError) -> JobError {
    if e.retryable {
        JobError::Retry(format!("payer: {e}"))
    } else {
        JobError::Permanent(format!("payer refused: {e}"))
    }
}

/// The next poll, `n` (from 1), `poll_every` after now, doubling after ten, at most hourly.
fn next_poll(ctx: &JobContext, adapter: &dyn PayerAdapter, id: Uuid, n: u32) -> NewJob {
    let doublings = n.saturating_sub(10).min(20);
    let wait = adapter
        .poll_every()
        .saturating_mul(1u32 << doublings)
        .min(Duration::from_secs(3600));
    NewJob::new(
        PAYER_POLL,
        serde_json::json!({ "prior_authorization_id": id, "poll": n }),
        ctx.now + ChronoDuration::from_std(wait).unwrap_or(ChronoDuration::hours(1)),
    )
    .key(format!("{id}:poll{n}"))
    .max_attempts(20)
}

async fn submit(
    ctx: &JobContext,
    adapter: &dyn PayerAdapter,
    job: PayerJob,
) -> Result<(), JobError> {
    let store = &ctx.store;
    let id = job.prior_authorization_id;
    let request = prior_auth::for_payer(store, id).await?;
    if request.status != PriorAuthStatus::Submitted {
        return Ok(()); // Already with the payer (pended or decided).
    }
    // Sending to the payer is the job's effect: a retry reuses the reference it got.
    let reference = match jobs::begin_effect(store, &ctx.job, "payer_submit", ctx.now).await? {
        Effect::Done { detail } => detail.unwrap_or_default(),
        Effect::InDoubt { since } => {
            return Err(JobError::permanent(format!(
                "the request may have reached the payer at {since} without an answer recorded; \
                 not sending it again: check with the payer, then retry or cancel"
            )));
        }
        Effect::New => match adapter.submit(&request).await {
            Ok(reference) => {
                jobs::finish_effect(store, &ctx.job, "payer_submit", Some(&reference), ctx.now)
                    .await?;
                reference
            }
            Err(e) => {
                if e.retryable {
                    jobs::abandon_effect(store, &ctx.job, "payer_submit").await?;
                }
                return Err(payer_error(e));
            }
        },
    };
    prior_auth::payer_update_then(
        store,
        id,
        PriorAuthAction::Pend,
        Some(&reference),
        Some(next_poll(ctx, adapter, id, 1)),
        ctx.now,
    )
    .await?;
    Ok(())
}

async fn poll(ctx: &JobContext, adapter: &dyn PayerAdapter, job: PayerJob) -> Result<(), JobError> {
    let store = &ctx.store;
    let id = job.prior_authorization_id;
    let request = prior_auth::for_payer(store, id).await?;
    if request.status != PriorAuthStatus::Pended {
        return Ok(()); // Decided (or withdrawn) meanwhile.
    }
    let today = prior_auth::practice_today(store, id, ctx.now).await?;
    let action = match adapter.status(&request, today).await.map_err(payer_error)? {
        PayerStatus::Pending => {
            let next = next_poll(ctx, adapter, id, job.poll + 1);
            jobs::enqueue_now(store, next, ctx.now).await?;
            return Ok(());
        }
        PayerStatus::Approved(validity) => {
            prior_auth::payer_approve(store, id, validity, ctx.now).await?;
            return Ok(());
        }
        PayerStatus::Denied => PriorAuthAction::Deny,
        PayerStatus::Expired => PriorAuthAction::Expire,
    };
    prior_auth::payer_update(store, id, action, None, ctx.now).await?;
    Ok(())
}
