//! The job worker: claims due jobs of the kinds it knows, runs them with bounded concurrency,
//! records each result under its claim, keeps its leases alive while it works, and enqueues
//! the recurring kinds' ticks. One per `careline serve` (any number of nodes on PostgreSQL).
//!
//! The loop claims up to `batch` jobs at a time into a local queue and starts them as
//! `concurrency` permits allow; it claims again when the local queue runs low. Successes are
//! recorded by a completer task in group commits (one transaction for all that finished
//! meanwhile), failures one by one. It wakes at once when this process enqueues a job
//! (`Store::jobs_enqueued`), and otherwise looks every `poll`. Time comes from the worker's
//! `Clock`, so tests move it by hand; `run_until_idle` runs what is due without the loop.

use super::{JobContext, JobError, Registry};
use careline_domain::Clock;
use careline_store::jobs::{self, Held, Job, JobState, NewJob};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Names the worker in `locked_by`: unique per running worker.
    pub id: String,
    /// Jobs run at once.
    pub concurrency: usize,
    /// Most jobs claimed in one claim.
    pub batch: u64,
    /// How long a claim holds a job before another worker may take it. Renewed every third
    /// of it while the job waits or runs.
    pub lease: Duration,
    /// How often to look for due jobs when nothing wakes the worker.
    pub poll: Duration,
    /// On stop, how long running jobs get to finish.
    pub grace: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            id: default_id(),
            concurrency: 8,
            batch: 64,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            grace: Duration::from_secs(10),
        }
    }
}

/// `host-pid-random`: unique per worker even when a process starts several.
pub fn default_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    let rand = Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &rand[..8])
}

struct Shared {
    store: Store,
    registry: Registry,
    kinds: Vec<String>,
    clock: Arc<dyn Clock>,
    opts: WorkerOptions,
    /// The latest tick enqueued per recurring kind (enqueueing is idempotent; this only saves
    /// the writes).
    scheduled: Mutex<HashMap<String, DateTime<Utc>>>,
    /// Jobs this worker holds (claimed, waiting or running): their leases are renewed.
    held: Mutex<HashSet<(Uuid, i32)>>,
}

/// A worker, before or instead of its loop.
#[derive(Clone)]
pub struct Worker(Arc<Shared>);

/// A running worker loop.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    join: tokio::task::JoinHandle<()>,
    id: String,
}

impl WorkerHandle {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Stop claiming, let running jobs finish (up to the grace period), put jobs claimed but
    /// not started back in the queue, and record what finished.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.join.await;
    }
}

/// The result of one attempt.
type Outcome = Result<(), JobError>;

impl Worker {
    pub fn new(
        store: Store,
        registry: Registry,
        clock: Arc<dyn Clock>,
        opts: WorkerOptions,
    ) -> Worker {
        let kinds = registry.names();
        Worker(Arc::new(Shared {
            store,
            registry,
            kinds,
            clock,
            opts,
            scheduled: Mutex::new(HashMap::new()),
            held: Mutex::new(HashSet::new()),
        }))
    }

    pub fn id(&self) -> &str {
        &self.0.opts.id
    }

    /// Make sure each recurring kind has a job for its latest scheduled time up to `now`
    /// (so a node that starts after a tick still runs it once) and for its next one. The key
    /// is the scheduled time, so however many nodes do this, each tick is one job.
    pub async fn schedule_recurring(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let s = &self.0;
        let mut added = 0;
        for r in s.registry.recurring_kinds() {
            // The latest tick at or before `now` (cron looks strictly before a whole second,
            // and from the whole second down when there is a fraction).
            let probe = if now.timestamp_subsec_nanos() > 0 {
                now
            } else {
                now + chrono::Duration::nanoseconds(1)
            };
            let prev = r.schedule.after(&probe).next_back();
            let next = r.schedule.after(&now).next();
            for tick in [prev, next].into_iter().flatten() {
                let known = s
                    .scheduled
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&r.kind)
                    .is_some_and(|t| *t >= tick);
                if known {
                    continue;
                }
                let e = jobs::enqueue_now(
                    &s.store,
                    NewJob::new(r.kind.clone(), serde_json::json!({ "tick": tick }), tick)
                        .key(tick.to_rfc3339())
                        .max_attempts(3),
                    now,
                )
                .await?;
                added += u64::from(e.created);
                let mut map = s.scheduled.lock().unwrap_or_else(|e| e.into_inner());
                let entry = map.entry(r.kind.clone()).or_insert(tick);
                *entry = (*entry).max(tick);
            }
        }
        Ok(added)
    }

    async fn claim(&self, limit: u64) -> Result<Vec<Job>, StoreError> {
        let s = &self.0;
        let kinds: Vec<&str> = s.kinds.iter().map(String::as_str).collect();
        let lease = chrono::Duration::from_std(s.opts.lease).unwrap_or(chrono::Duration::hours(1));
        let jobs = jobs::claim(&s.store, &s.opts.id, &kinds, s.clock.now(), lease, limit).await?;
        let mut held = s.held.lock().unwrap_or_else(|e| e.into_inner());
        for j in &jobs {
            held.insert((j.id, j.attempts));
        }
        Ok(jobs)
    }

    /// Claim and run everything due by the clock, in batches, until nothing is due; returns
    /// how many attempts ran. Recurring ticks are enqueued first. For tests, benchmarks and
    /// one-off runs; `spawn` is the long-running loop.
    pub async fn run_until_idle(&self) -> Result<usize, StoreError> {
        use futures_util::StreamExt;
        let s = &self.0;
        let mut ran = 0;
        loop {
            self.schedule_recurring(s.clock.now()).await?;
            let claimed = self.claim(s.opts.batch).await?;
            if claimed.is_empty() {
                return Ok(ran);
            }
            ran += claimed.len();
            let results: Vec<(Job, Outcome)> = futures_util::stream::iter(claimed)
                .map(|job| async move {
                    let outcome = self.execute(&job).await;
                    (job, outcome)
                })
                .buffer_unordered(s.opts.concurrency.max(1))
                .collect()
                .await;
            let mut succeeded = Vec::new();
            for (job, outcome) in results {
                match outcome {
                    Ok(()) => succeeded.push(job),
                    Err(e) => self.record_failure(&job, e).await,
                }
            }
            self.record_successes(&succeeded).await;
        }
    }

    /// Run one attempt: the kind's handler on its own task (a panic fails the attempt, not
    /// the worker), within the kind's time limit.
    async fn execute(&self, job: &Job) -> Outcome {
        let s = &self.0;
        let Some(kind) = s.registry.kind(&job.kind) else {
            return Err(JobError::Permanent(format!(
                "no handler for kind {}",
                job.kind
            )));
        };
        let ctx = JobContext {
            store: s.store.clone(),
            job: job.clone(),
            now: s.clock.now(),
            clock: s.clock.clone(),
        };
        let mut task = tokio::spawn((kind.handler)(ctx));
        match tokio::time::timeout(kind.timeout, &mut task).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(e)) if e.is_panic() => Err(JobError::Retry("the handler panicked".into())),
            Ok(Err(_)) => Err(JobError::Retry("the handler was cancelled".into())),
            Err(_) => {
                task.abort();
                Err(JobError::Retry(format!(
                    "timed out after {} s",
                    kind.timeout.as_secs()
                )))
            }
        }
    }

    fn forget(&self, job: &Job) {
        self.0
            .held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(job.id, job.attempts));
    }

    async fn record_successes(&self, done: &[Job]) {
        if done.is_empty() {
            return;
        }
        let s = &self.0;
        let held: Vec<Held<'_>> = done.iter().map(|j| Held::of(j, &s.opts.id)).collect();
        match jobs::complete(&s.store, &held, s.clock.now()).await {
            Ok(kept) => {
                for (job, kept) in done.iter().zip(kept) {
                    if !kept {
                        tracing::warn!(job = %job.id, kind = %job.kind,
                            "job finished after its claim was lost (lease expired or cancelled); result not recorded");
                    }
                }
            }
            // The jobs stay running under this worker's claim until the lease runs out, and
            // then run again: at least once.
            Err(e) => tracing::error!(error = %e, jobs = done.len(), "cannot record finished jobs"),
        }
        for job in done {
            self.forget(job);
        }
    }

    async fn record_failure(&self, job: &Job, e: JobError) {
        let s = &self.0;
        let now = s.clock.now();
        let retry_at = match &e {
            JobError::Retry(_) => {
                let policy = s
                    .registry
                    .kind(&job.kind)
                    .map(|k| k.retry)
                    .unwrap_or_default();
                let delay = policy.delay(job.attempts);
                Some(now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1)))
            }
            JobError::Permanent(_) => None,
        };
        let text = e.to_string();
        match jobs::fail(&s.store, job, &s.opts.id, &text, retry_at, now).await {
            Ok(Some(JobState::Dead)) => tracing::error!(job = %job.id, kind = %job.kind,
                attempts = job.attempts, error = %text, "job is dead: no more attempts"),
            Ok(Some(_)) => tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts,
                retry_at = ?retry_at, error = %text, "job failed; it will be tried again"),
            Ok(None) => tracing::warn!(job = %job.id, kind = %job.kind,
                "job failed after its claim was lost; nothing recorded"),
            Err(err) => tracing::error!(error = %err, job = %job.id, "cannot record a failed job"),
        }
        self.forget(job);
    }

    /// Start the loop on the runtime. Stop it with `WorkerHandle::stop`.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, rx) = watch::channel(false);
        let id = self.id().to_string();
        let join = tokio::spawn(self.run(rx));
        WorkerHandle { stop, join, id }
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        let s = self.0.clone();
        tracing::info!(worker = %s.opts.id, kinds = s.kinds.len(),
            concurrency = s.opts.concurrency, "job worker started");
        let permits = Arc::new(Semaphore::new(s.opts.concurrency.max(1)));
        let (done_tx, done_rx) = mpsc::unbounded_channel::<Job>();
        let completer = tokio::spawn(self.clone().complete_loop(done_rx));
        let renewer = tokio::spawn(self.clone().renew_loop(stop.clone()));
        let mut wake = s.store.jobs_wake();
        let mut local: VecDeque<Job> = VecDeque::new();
        let mut tasks: JoinSet<()> = JoinSet::new();
        let batch = s.opts.batch.max(1);
        loop {
            if *stop.borrow() {
                break;
            }
            // Start what is claimed, as permits allow.
            while !local.is_empty() {
                let Ok(permit) = permits.clone().try_acquire_owned() else {
                    break;
                };
                let job = local.pop_front().expect("not empty");
                let me = self.clone();
                let done = done_tx.clone();
                tasks.spawn(async move {
                    let outcome = me.execute(&job).await;
                    match outcome {
                        Ok(()) => {
                            // The completer records it (and forgets it) in its next commit.
                            let _ = done.send(job);
                        }
                        Err(e) => me.record_failure(&job, e).await,
                    }
                    drop(permit);
                });
            }
            while tasks.try_join_next().is_some() {}
            // Claim more when the local queue runs low.
            let mut more_due = false;
            if (local.len() as u64) < batch.div_ceil(2) {
                let now = s.clock.now();
                if let Err(e) = self.schedule_recurring(now).await {
                    tracing::warn!(error = %e, "cannot enqueue recurring jobs");
                }
                let want = batch - local.len() as u64;
                match self.claim(want).await {
                    Ok(jobs) => {
                        more_due = jobs.len() as u64 == want;
                        let got = !jobs.is_empty();
                        local.extend(jobs);
                        if got && permits.available_permits() > 0 {
                            continue;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot claim jobs"),
                }
            }
            if more_due && permits.available_permits() > 0 {
                continue;
            }
            let waiting = !local.is_empty();
            tokio::select! {
                _ = stop.changed() => {}
                Some(_) = tasks.join_next(), if waiting && !tasks.is_empty() => {}
                r = wake.changed() => {
                    if r.is_err() {
                        // The store is gone; poll.
                        tokio::time::sleep(s.opts.poll).await;
                    }
                }
                _ = tokio::time::sleep(s.opts.poll) => {}
            }
        }
        // Stopping: let running jobs finish, hand back what never started.
        let finished = tokio::time::timeout(s.opts.grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                running = tasks.len(),
                "jobs still running at shutdown: their leases will run out and another worker retries them"
            );
            tasks.abort_all();
        }
        if !local.is_empty() {
            let held: Vec<Held<'_>> = local.iter().map(|j| Held::of(j, &s.opts.id)).collect();
            if let Err(e) = jobs::release(&s.store, &held, s.clock.now()).await {
                tracing::warn!(error = %e, "cannot hand back claimed jobs; their leases will run out");
            }
            for j in &local {
                self.forget(j);
            }
        }
        drop(done_tx);
        let _ = completer.await;
        renewer.abort();
        tracing::info!(worker = %s.opts.id, "job worker stopped");
    }

    /// Record successes in group commits: whatever finished while the last commit ran.
    async fn complete_loop(self, mut rx: mpsc::UnboundedReceiver<Job>) {
        let mut buf = Vec::with_capacity(512);
        while rx.recv_many(&mut buf, 512).await > 0 {
            self.record_successes(&buf).await;
            buf.clear();
        }
    }

    /// Keep the leases of held jobs alive while they wait or run.
    async fn renew_loop(self, mut stop: watch::Receiver<bool>) {
        let s = &self.0;
        let every = (s.opts.lease / 3).max(Duration::from_millis(50));
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                _ = tokio::time::sleep(every) => {}
            }
            let ids: Vec<Uuid> = s
                .held
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(id, _)| *id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let now = s.clock.now();
            let until = now
                + chrono::Duration::from_std(s.opts.lease).unwrap_or(chrono::Duration::hours(1));
            if let Err(e) = jobs::renew(&s.store, &s.opts.id, &ids, until, now).await {
                tracing::warn!(error = %e, "cannot renew job leases");
            }
        }
    }
}
