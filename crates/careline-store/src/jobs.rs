//! Durable background jobs: rows of the `jobs` table, enqueued inside the transaction of the
//! change that causes them, claimed by workers under a lease, retried, dead-lettered,
//! cancelled and retried by operators. The worker that runs them is `careline::jobs`; this
//! module is the queue's storage and its state machine, and never reads the clock (every
//! function takes the time of the unit of work that calls it).
//!
//! States: `queued` (waiting for `run_at`) → `running` (claimed: `locked_by` holds it until
//! `locked_until`) → `succeeded`; or → `retrying` (failed, waits for its next `run_at`) →
//! `running` …; or → `dead` (a permanent failure, or the last attempt failed). `cancelled`
//! by an operator from queued, retrying or running. An operator's retry puts a dead or
//! cancelled job back to `queued`, due at once, with a fresh set of attempts.
//!
//! Claiming. On PostgreSQL the due rows are selected `FOR UPDATE SKIP LOCKED` inside the
//! claiming UPDATE, so workers on several nodes each get different jobs and never wait on
//! one another. On SQLite the claim is one `UPDATE … RETURNING` in a write transaction, and
//! SQLite has one writer at a time. A worker that dies holding jobs loses them when their
//! lease runs out: the next claim (by any worker) returns them to `retrying`, due at once
//! (or `dead` if that was their last attempt), so a job that crashes its worker every time
//! does not crash workers forever. Results are recorded only by the claim that holds the
//! job (same worker, same attempt), so a worker that lost its lease cannot overwrite what
//! another did.
//!
//! Idempotency. Each job has a key unique per kind (its id when the caller gives none): a
//! second enqueue with the same kind and key returns the first job, also from inside a
//! PostgreSQL transaction (`ON CONFLICT DO NOTHING`, never a failed statement). Keys are
//! remembered as long as the job row is kept (see `prune`).
//!
//! Effects. A job that does something outside CareLine (a call, an SMS, an email) records it
//! in `job_effects` under its kind, key and an effect name: `begin_effect` before the send,
//! `finish_effect` after it. A later attempt of the same job — after a crash, a lost lease
//! or an operator's retry — finds `Done` and does not send again, or `InDoubt` when an
//! attempt stopped between the two and the handler must find out (or let a person decide)
//! rather than send twice. See docs/jobs.md.
//!
//! Payloads carry ids and references only, never PHI: they are shown to operators and kept
//! in the clear. Error texts recorded in `last_error` follow the same rule.

use crate::entity::{job, job_effect};
use crate::{Store, StoreError, stored_time};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};
use serde::Serialize;
use uuid::Uuid;

/// Attempts a job gets unless its enqueuer says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// The longest error text kept in `last_error`.
const MAX_ERROR_CHARS: usize = 2000;

/// Where a job is in its life (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobState {
    Queued,
    Running,
    Retrying,
    Succeeded,
    Dead,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Retrying,
        JobState::Succeeded,
        JobState::Dead,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Retrying => "retrying",
            JobState::Succeeded => "succeeded",
            JobState::Dead => "dead",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether it will not run again unless an operator retries it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Dead | JobState::Cancelled
        )
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    /// Ids and references only, never PHI.
    pub payload: serde_json::Value,
    /// Not before this time.
    pub run_at: DateTime<Utc>,
    /// Unique per kind; `None` uses the job's id (no deduplication).
    pub key: Option<String>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: serde_json::Value, run_at: DateTime<Utc>) -> Self {
        NewJob {
            kind: kind.into(),
            payload,
            run_at,
            key: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// The idempotency key: a second job of the same kind with the same key is not added.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n;
        self
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    /// Ids and references only.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// queued, running, retrying, succeeded, dead or cancelled.
    pub state: String,
    /// Claims so far, the current one included.
    pub attempts: i32,
    pub max_attempts: i32,
    /// When it runs (next).
    pub run_at: DateTime<Utc>,
    /// The worker running it.
    pub locked_by: Option<String>,
    /// Until when that worker holds it.
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub idempotency_key: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Job {
    pub fn state(&self) -> Option<JobState> {
        JobState::parse(&self.state)
    }

    /// Whether it was voided: cancelled because what it was for no longer applies (see
    /// [`void_waiting_by_key_prefix`]: an appointment's reminder after the appointment was
    /// moved or cancelled). Running it again would do nothing useful, so it is not retried.
    pub fn voided(&self) -> bool {
        self.state() == Some(JobState::Cancelled)
            && self.last_error.as_deref().is_some_and(|e| {
                e.starts_with(VOIDED)
                    // Reminders voided before the reason was recorded.
                    || (self.kind == crate::reminders::REMINDER && e == NO_LONGER_WANTED)
            })
    }
}

/// How `last_error` begins on a voided job ([`void_waiting_by_key_prefix`]): the one sign,
/// kept in the row, that it was voided rather than cancelled by an operator (whose cancel
/// leaves `last_error` as it was).
pub const VOIDED: &str = "voided: ";

/// What [`cancel_waiting_by_key_prefix`] records in `last_error`.
pub const NO_LONGER_WANTED: &str = "cancelled: no longer wanted";

impl From<job::Model> for Job {
    fn from(m: job::Model) -> Job {
        Job {
            id: m.id,
            kind: m.kind,
            payload: m.payload,
            state: m.state,
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            run_at: m.run_at,
            locked_by: m.locked_by,
            locked_until: m.locked_until,
            last_error: m.last_error,
            idempotency_key: m.idempotency_key,
            created_at: m.created_at,
            updated_at: m.updated_at,
            finished_at: m.finished_at,
        }
    }
}

/// What `enqueue` did: the job, and whether this call added it (false: one of the same kind
/// and key was there already, and that one is returned).
#[derive(Debug, Clone)]
pub struct Enqueued {
    pub job: Job,
    pub created: bool,
}

fn check_new(j: &NewJob) -> Result<(), StoreError> {
    let mut problems = Vec::new();
    if j.kind.is_empty() || j.kind.len() > 100 || j.kind.chars().any(char::is_control) {
        problems.push(("kind".into(), "must be 1 to 100 characters".into()));
    }
    if let Some(k) = &j.key
        && (k.is_empty() || k.len() > 200 || k.chars().any(char::is_control))
    {
        problems.push(("key".into(), "must be 1 to 200 characters".into()));
    }
    if !(1..=1000).contains(&j.max_attempts) {
        problems.push(("max_attempts".into(), "must be 1 to 1000".into()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(problems))
    }
}

/// Add a job on `db`: the caller's transaction (so the job commits with the change that
/// caused it, or not at all) or the store's connection. Idempotent on (kind, key). After the
/// transaction commits, call `Store::jobs_enqueued` so this process's worker looks at once.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    new: NewJob,
    now: DateTime<Utc>,
) -> Result<Enqueued, StoreError> {
    check_new(&new)?;
    let id = Uuid::now_v7();
    let t = stored_time(now);
    let key = new.key.clone().unwrap_or_else(|| id.to_string());
    let run_at = stored_time(new.run_at);
    let am = job::ActiveModel {
        id: Set(id),
        kind: Set(new.kind.clone()),
        payload: Set(new.payload.clone()),
        state: Set(JobState::Queued.as_str().into()),
        attempts: Set(0),
        max_attempts: Set(new.max_attempts),
        run_at: Set(run_at),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        idempotency_key: Set(key.clone()),
        created_at: Set(t),
        updated_at: Set(t),
        finished_at: Set(None),
    };
    let inserted = job::Entity::insert(am)
        .on_conflict_do_nothing_on([job::Column::Kind, job::Column::IdempotencyKey])
        .exec_without_returning(db)
        .await?;
    if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        return Ok(Enqueued {
            job: Job {
                id,
                kind: new.kind,
                payload: new.payload,
                state: JobState::Queued.as_str().into(),
                attempts: 0,
                max_attempts: new.max_attempts,
                run_at,
                locked_by: None,
                locked_until: None,
                last_error: None,
                idempotency_key: key,
                created_at: t,
                updated_at: t,
                finished_at: None,
            },
            created: true,
        });
    }
    let existing = job::Entity::find()
        .filter(job::Column::Kind.eq(&new.kind))
        .filter(job::Column::IdempotencyKey.eq(&key))
        .all(db)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("job"))?;
    Ok(Enqueued {
        job: existing.into(),
        created: false,
    })
}

/// Enqueue in a transaction of its own and wake this process's worker.
pub async fn enqueue_now(
    store: &Store,
    new: NewJob,
    now: DateTime<Utc>,
) -> Result<Enqueued, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let e = enqueue(&txn, new, now).await?;
    txn.commit().await?;
    store.jobs_enqueued();
    Ok(e)
}

/// `sql` with its `?` placeholders numbered for PostgreSQL (`$1`, `$2`, …). The SQL written in
/// this module has no `?` inside string literals.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite (one writer at a time).
fn skip_locked(backend: DbBackend) -> &'static str {
    if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    }
}

/// On SQLite, `INDEXED BY` one of the partial indexes of the migration: without statistics
/// its planner preferred the (kind, key) index for `kind IN (…)` and sorted every due job of
/// the kind for each claim (a drain of 100,000 jobs slowed to 1,200/s); PostgreSQL plans from
/// its own statistics.
fn indexed_by(backend: DbBackend, index: &str) -> String {
    if backend == DbBackend::Sqlite {
        format!(" INDEXED BY {index}")
    } else {
        String::new()
    }
}

const COLUMNS: &str = "id, kind, payload, state, attempts, max_attempts, run_at, locked_by, \
                       locked_until, last_error, idempotency_key, created_at, updated_at, \
                       finished_at";

/// Return the jobs whose lease ran out by `now` (their worker stopped or hung) to
/// `retrying`, due at once, or to `dead` when that was their last attempt. Returns how many.
async fn reap_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let backend = db.get_database_backend();
    let t = stored_time(now);
    let sql = format!(
        "UPDATE jobs SET \
         state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'retrying' END, \
         finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END, \
         run_at = ?, \
         last_error = 'lease expired: worker ' || COALESCE(locked_by, 'unknown') || \
         ' did not finish', \
         locked_by = NULL, locked_until = NULL, updated_at = ? \
         WHERE id IN (SELECT id FROM jobs{} WHERE state = 'running' AND locked_until <= ? \
         LIMIT 1000{})",
        indexed_by(backend, "ix_jobs_lease"),
        skip_locked(backend)
    );
    let stmt = statement(backend, &sql, vec![t.into(), t.into(), t.into(), t.into()]);
    Ok(db.execute_raw(stmt).await?.rows_affected())
}

/// Claim up to `limit` jobs of `kinds` that are due at `now` for `worker`, holding them until
/// `now + lease`. Jobs whose lease has expired go back to the queue first (see
/// `reap_expired`). Only the kinds this worker can run are claimed, so a node that does not
/// know a kind (an older version during a rolling upgrade) leaves it to one that does.
/// Returned jobs are `running`, with `attempts` counting this claim, earliest due first.
pub async fn claim(
    store: &Store,
    worker: &str,
    kinds: &[&str],
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: u64,
) -> Result<Vec<Job>, StoreError> {
    if kinds.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let backend = store.backend();
    let t = stored_time(now);
    let until = stored_time(now + lease);
    let (txn, _gate) = crate::begin_write(store).await?;
    reap_expired(&txn, now).await?;
    let marks = vec!["?"; kinds.len()].join(", ");
    // The due-state test is written as the partial index's own predicate, so both engines use
    // it; the limit is a literal (SQLite re-prepares statements with a bound LIMIT).
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, \
         locked_until = ?, updated_at = ? \
         WHERE id IN (SELECT id FROM jobs{} WHERE state IN ('queued', 'retrying') \
         AND run_at <= ? AND kind IN ({marks}) ORDER BY run_at LIMIT {limit}{}) \
         RETURNING {COLUMNS}",
        indexed_by(backend, "ix_jobs_due"),
        skip_locked(backend)
    );
    let mut values: Vec<Value> = vec![worker.into(), until.into(), t.into(), t.into()];
    values.extend(kinds.iter().map(|k| Value::from(*k)));
    let mut jobs: Vec<Job> = job::Entity::find()
        .from_raw_sql(statement(backend, &sql, values))
        .all(&txn)
        .await?
        .into_iter()
        .map(Job::from)
        .collect();
    txn.commit().await?;
    jobs.sort_by(|a, b| a.run_at.cmp(&b.run_at).then(a.id.cmp(&b.id)));
    Ok(jobs)
}

/// The claim a result is recorded under: only the worker holding the job, on the same
/// attempt, may record it.
#[derive(Debug, Clone, Copy)]
pub struct Held<'a> {
    pub id: Uuid,
    pub attempts: i32,
    pub worker: &'a str,
}

impl<'a> Held<'a> {
    pub fn of(job: &Job, worker: &'a str) -> Held<'a> {
        Held {
            id: job.id,
            attempts: job.attempts,
            worker,
        }
    }
}

/// Record that these jobs succeeded, in one transaction (a statement per 500 jobs). Returns,
/// for each, whether it was still held (false: its lease ran out and another worker took it,
/// or an operator cancelled it; nothing is changed for it).
pub async fn complete(
    store: &Store,
    held: &[Held<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<bool>, StoreError> {
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let backend = store.backend();
    let t = stored_time(now);
    let (txn, _gate) = crate::begin_write(store).await?;
    let mut kept: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    // One statement per chunk and per worker (a batch normally has one).
    let mut workers: Vec<&str> = held.iter().map(|h| h.worker).collect();
    workers.sort_unstable();
    workers.dedup();
    for worker in workers {
        let mine: Vec<&Held<'_>> = held.iter().filter(|h| h.worker == worker).collect();
        for chunk in mine.chunks(500) {
            // `id IN (…)` lets both planners go by the primary key; the pairs check the attempt.
            let ids = vec!["?"; chunk.len()].join(", ");
            let pairs = vec!["(?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "UPDATE jobs SET state = 'succeeded', finished_at = ?, updated_at = ?, \
                 locked_by = NULL, locked_until = NULL \
                 WHERE id IN ({ids}) AND state = 'running' AND locked_by = ? \
                 AND (id, attempts) IN (VALUES {pairs}) RETURNING id"
            );
            let mut values: Vec<Value> = vec![t.into(), t.into()];
            values.extend(chunk.iter().map(|h| Value::from(h.id)));
            values.push(worker.into());
            for h in chunk {
                values.push(h.id.into());
                values.push(h.attempts.into());
            }
            for row in txn.query_all_raw(statement(backend, &sql, values)).await? {
                kept.insert(row.try_get::<Uuid>("", "id")?);
            }
        }
    }
    txn.commit().await?;
    Ok(held.iter().map(|h| kept.contains(&h.id)).collect())
}

/// Hand back jobs claimed but never started (a worker stopping): due again as they were,
/// with the claim's attempt not counted.
pub async fn release(
    store: &Store,
    held: &[Held<'_>],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    if held.is_empty() {
        return Ok(0);
    }
    let backend = store.backend();
    let t = stored_time(now);
    let (txn, _gate) = crate::begin_write(store).await?;
    let mut n = 0;
    for h in held {
        let stmt = statement(
            backend,
            "UPDATE jobs SET \
             state = CASE WHEN attempts > 1 THEN 'retrying' ELSE 'queued' END, \
             attempts = attempts - 1, locked_by = NULL, locked_until = NULL, updated_at = ? \
             WHERE id = ? AND state = 'running' AND locked_by = ? AND attempts = ?",
            vec![t.into(), h.id.into(), h.worker.into(), h.attempts.into()],
        );
        n += txn.execute_raw(stmt).await?.rows_affected();
    }
    txn.commit().await?;
    Ok(n)
}

/// Record a failed attempt. `retry_at` is when to try again; `None` (a permanent failure), or
/// a job on its last attempt, becomes `dead`. Returns the state it went to, or `None` if the
/// job was no longer held by this claim.
pub async fn fail(
    store: &Store,
    job: &Job,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<JobState>, StoreError> {
    let t = stored_time(now);
    let (state, run_at, finished_at) = match retry_at {
        Some(at) if job.attempts < job.max_attempts => (JobState::Retrying, stored_time(at), None),
        _ => (JobState::Dead, job.run_at, Some(t)),
    };
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let stmt = statement(
        store.backend(),
        "UPDATE jobs SET state = ?, run_at = ?, finished_at = ?, last_error = ?, \
         updated_at = ?, locked_by = NULL, locked_until = NULL \
         WHERE id = ? AND state = 'running' AND locked_by = ? AND attempts = ?",
        vec![
            state.as_str().into(),
            run_at.into(),
            finished_at.into(),
            error.into(),
            t.into(),
            job.id.into(),
            worker.into(),
            job.attempts.into(),
        ],
    );
    let (txn, _gate) = crate::begin_write(store).await?;
    let n = txn.execute_raw(stmt).await?.rows_affected();
    txn.commit().await?;
    Ok((n == 1).then_some(state))
}

/// Extend the lease of jobs `worker` is still running to `until`. Returns how many it holds.
pub async fn renew(
    store: &Store,
    worker: &str,
    ids: &[Uuid],
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let (txn, _gate) = crate::begin_write(store).await?;
    let n = job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Some(stored_time(until)).into())
        .col_expr(job::Column::UpdatedAt, stored_time(now).into())
        .filter(job::Column::State.eq(JobState::Running.as_str()))
        .filter(job::Column::LockedBy.eq(worker))
        .filter(job::Column::Id.is_in(ids.iter().copied()))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(n)
}

/// One job.
pub async fn get(store: &Store, id: Uuid) -> Result<Option<Job>, StoreError> {
    Ok(job::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(Job::from))
}

/// A job by its kind and idempotency key.
pub async fn by_key(store: &Store, kind: &str, key: &str) -> Result<Option<Job>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::IdempotencyKey.eq(key))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(Job::from))
}

/// Read `id` locked for change (PostgreSQL; SQLite's write transaction is the lock).
async fn locked(txn: &impl ConnectionTrait, id: Uuid) -> Result<job::Model, StoreError> {
    job::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound("job"))
}

/// An operator stops a job that has not finished: queued, retrying or running. A running
/// job's current attempt is not interrupted, but what it reports is no longer recorded and
/// it is not tried again.
pub async fn cancel(store: &Store, id: Uuid, now: DateTime<Utc>) -> Result<Job, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let m = locked(&txn, id).await?;
    let from = JobState::parse(&m.state).unwrap_or(JobState::Dead);
    if from.is_final() {
        // Roll back now: a dropped transaction's rollback waits for its connection's next use,
        // and until then its row lock makes claims (SKIP LOCKED) pass the job by.
        txn.rollback().await?;
        return Err(careline_domain::IllegalTransition {
            entity: "job",
            from: from.as_str(),
            action: "cancel",
        }
        .into());
    }
    let t = stored_time(now);
    let mut am: job::ActiveModel = m.into();
    am.state = Set(JobState::Cancelled.as_str().into());
    am.locked_by = Set(None);
    am.locked_until = Set(None);
    am.finished_at = Set(Some(t));
    am.updated_at = Set(t);
    let m = sea_orm::ActiveModelTrait::update(am, &txn).await?;
    txn.commit().await?;
    Ok(m.into())
}

/// Cancel, on `db` (the transaction of the change that makes them moot), every job of `kind`
/// whose key starts with `prefix` and that has not started: an acknowledged message takes its
/// escalation steps with it. A running attempt is left to finish; its handler checks for itself
/// whether it is still wanted. Returns how many were cancelled.
pub async fn cancel_waiting_by_key_prefix(
    db: &impl ConnectionTrait,
    kind: &str,
    prefix: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    cancel_waiting(db, kind, prefix, NO_LONGER_WANTED, now).await
}

/// [`cancel_waiting_by_key_prefix`] for jobs that what happened makes pointless for good, not
/// only for now: they are voided, `last_error` says `voided: {why}`, and an operator's retry
/// is refused ([`Job::voided`]). An appointment moved or cancelled voids its reminders: the
/// move scheduled reminders of its own, and a cancelled visit needs none.
pub async fn void_waiting_by_key_prefix(
    db: &impl ConnectionTrait,
    kind: &str,
    prefix: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    cancel_waiting(db, kind, prefix, &format!("{VOIDED}{why}"), now).await
}

async fn cancel_waiting(
    db: &impl ConnectionTrait,
    kind: &str,
    prefix: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let t = stored_time(now);
    let stmt = statement(
        db.get_database_backend(),
        "UPDATE jobs SET state = 'cancelled', finished_at = ?, updated_at = ?, last_error = ? \
         WHERE kind = ? AND state IN ('queued', 'retrying') \
         AND substr(idempotency_key, 1, ?) = ?",
        vec![
            t.into(),
            t.into(),
            reason.into(),
            kind.into(),
            (prefix.chars().count() as i32).into(),
            prefix.into(),
        ],
    );
    Ok(db.execute_raw(stmt).await?.rows_affected())
}

/// Why a voided job is not retried (409 `JOB_VOIDED`).
pub const VOIDED_CODE: &str = "JOB_VOIDED";

/// An operator runs a dead or cancelled job again: queued, due `now`, with a fresh set of
/// attempts. Its key and effects stay, so what it already did is not done twice. A job
/// cancelled because it was no longer wanted ([`Job::voided`]) is refused: there is nothing
/// left for it to do.
pub async fn retry(store: &Store, id: Uuid, now: DateTime<Utc>) -> Result<Job, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let m = locked(&txn, id).await?;
    let from = JobState::parse(&m.state).unwrap_or(JobState::Dead);
    if !matches!(from, JobState::Dead | JobState::Cancelled) {
        txn.rollback().await?;
        return Err(careline_domain::IllegalTransition {
            entity: "job",
            from: from.as_str(),
            action: "retry",
        }
        .into());
    }
    if Job::from(m.clone()).voided() {
        txn.rollback().await?;
        return Err(StoreError::Rule {
            code: VOIDED_CODE,
            message: format!(
                "This job was voided ({}); running it again would do nothing useful.",
                m.last_error
                    .as_deref()
                    .and_then(|e| e.strip_prefix(VOIDED))
                    .unwrap_or("what it was for no longer applies")
            ),
        });
    }
    let t = stored_time(now);
    let mut am: job::ActiveModel = m.into();
    am.state = Set(JobState::Queued.as_str().into());
    am.attempts = Set(0);
    am.run_at = Set(t);
    am.finished_at = Set(None);
    am.updated_at = Set(t);
    let m = sea_orm::ActiveModelTrait::update(am, &txn).await?;
    txn.commit().await?;
    store.jobs_enqueued();
    Ok(m.into())
}

/// Which jobs a list shows.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub state: Option<JobState>,
    pub kind: Option<String>,
}

/// Jobs, newest first.
pub async fn list(
    store: &Store,
    filter: &JobFilter,
    page: u64,
    per_page: u64,
) -> Result<crate::Page<Job>, StoreError> {
    let mut c = Condition::all();
    if let Some(s) = filter.state {
        c = c.add(job::Column::State.eq(s.as_str()));
    }
    if let Some(k) = &filter.kind {
        c = c.add(job::Column::Kind.eq(k.as_str()));
    }
    let total = crate::count_where::<job::Entity>(store.db(), c.clone()).await?;
    let items = job::Entity::find()
        .filter(c)
        .order_by_desc(job::Column::CreatedAt)
        .order_by_desc(job::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?
        .into_iter()
        .map(Job::from)
        .collect();
    Ok(crate::Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The queue at a glance, for metrics and operators.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobStats {
    /// Jobs in each state (every state listed, zeros included).
    pub counts: Vec<(JobState, u64)>,
    /// The due time of the job that has waited longest past it (queued or retrying).
    pub oldest_due: Option<DateTime<Utc>>,
}

impl JobStats {
    pub fn count(&self, s: JobState) -> u64 {
        self.counts
            .iter()
            .find(|(st, _)| *st == s)
            .map_or(0, |(_, n)| *n)
    }

    /// How late the oldest due job is at `now` (zero when none is due).
    pub fn lateness(&self, now: DateTime<Utc>) -> chrono::Duration {
        self.oldest_due.map_or(chrono::Duration::zero(), |d| {
            (now - d).max(chrono::Duration::zero())
        })
    }
}

pub async fn stats(store: &Store, now: DateTime<Utc>) -> Result<JobStats, StoreError> {
    let rows: Vec<(String, i64)> = job::Entity::find()
        .select_only()
        .column(job::Column::State)
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
        .group_by(job::Column::State)
        .into_tuple()
        .all(store.db())
        .await?;
    let counts = JobState::ALL
        .into_iter()
        .map(|s| {
            let n = rows
                .iter()
                .find(|(st, _)| st == s.as_str())
                .map_or(0, |(_, n)| (*n).max(0) as u64);
            (s, n)
        })
        .collect();
    let stmt = statement(
        store.backend(),
        &format!(
            "SELECT MIN(run_at) AS oldest FROM jobs{} \
             WHERE state IN ('queued', 'retrying') AND run_at <= ?",
            indexed_by(store.backend(), "ix_jobs_due")
        ),
        vec![stored_time(now).into()],
    );
    let oldest_due = match store.db().query_one_raw(stmt).await? {
        Some(row) => row.try_get::<Option<DateTime<Utc>>>("", "oldest")?,
        None => None,
    };
    Ok(JobStats { counts, oldest_due })
}

/// The kinds of job in the table, in order: the choices of the operators' kind filter.
pub async fn kinds(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(job::Entity::find()
        .select_only()
        .column(job::Column::Kind)
        .distinct()
        .order_by_asc(job::Column::Kind)
        .into_tuple()
        .all(store.db())
        .await?)
}

/// Forget finished jobs: succeeded ones finished before `succeeded_before`, dead and
/// cancelled ones before `others_before` (operators look at those longer), and the effects
/// recorded as done before `others_before`. An idempotency key can be used again once its
/// job is gone. Returns how many jobs went.
pub async fn prune(
    store: &Store,
    succeeded_before: DateTime<Utc>,
    others_before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let a = job::Entity::delete_many()
        .filter(job::Column::State.eq(JobState::Succeeded.as_str()))
        .filter(job::Column::FinishedAt.lt(stored_time(succeeded_before)))
        .exec(&txn)
        .await?
        .rows_affected;
    let b = job::Entity::delete_many()
        .filter(job::Column::State.is_in([JobState::Dead.as_str(), JobState::Cancelled.as_str()]))
        .filter(job::Column::FinishedAt.lt(stored_time(others_before)))
        .exec(&txn)
        .await?;
    job_effect::Entity::delete_many()
        .filter(job_effect::Column::State.eq(EFFECT_DONE))
        .filter(job_effect::Column::UpdatedAt.lt(stored_time(others_before)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(a + b.rows_affected)
}

// ---------------------------------------------------------------------------------------------
// Effects outside CareLine

const EFFECT_STARTED: &str = "started";
const EFFECT_DONE: &str = "done";

/// What is known of an effect of a job before it is attempted.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Never attempted: it is now recorded as started, go ahead and send.
    New,
    /// An earlier attempt did it: do not send again. `detail` is what it recorded (the
    /// receiver's reference).
    Done { detail: Option<String> },
    /// An earlier attempt started it and stopped before recording the outcome (a crash, a
    /// timeout with no answer): it may or may not have happened. Ask the receiver if it can
    /// tell; otherwise fail the job permanently so a person decides. Never just send again.
    InDoubt { since: DateTime<Utc> },
}

/// Before sending `effect` (e.g. `"sms"`, `"call"`) for `job`: record it as started, or learn
/// what an earlier attempt did. Commits on its own, so the record exists before the send.
pub async fn begin_effect(
    store: &Store,
    job: &Job,
    effect: &str,
    now: DateTime<Utc>,
) -> Result<Effect, StoreError> {
    let t = stored_time(now);
    let inserted = job_effect::Entity::insert(job_effect::ActiveModel {
        kind: Set(job.kind.clone()),
        job_key: Set(job.idempotency_key.clone()),
        effect: Set(effect.to_string()),
        state: Set(EFFECT_STARTED.into()),
        detail: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .on_conflict_do_nothing_on([
        job_effect::Column::Kind,
        job_effect::Column::JobKey,
        job_effect::Column::Effect,
    ])
    .exec_without_returning(store.db())
    .await?;
    if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        return Ok(Effect::New);
    }
    let row = job_effect::Entity::find_by_id((
        job.kind.clone(),
        job.idempotency_key.clone(),
        effect.to_string(),
    ))
    .one(store.db())
    .await?
    .ok_or(StoreError::NotFound("job effect"))?;
    Ok(if row.state == EFFECT_DONE {
        Effect::Done { detail: row.detail }
    } else {
        Effect::InDoubt {
            since: row.created_at,
        }
    })
}

/// After the send succeeded: record it as done, with the receiver's reference (no PHI).
pub async fn finish_effect(
    store: &Store,
    job: &Job,
    effect: &str,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    job_effect::Entity::update_many()
        .col_expr(job_effect::Column::State, EFFECT_DONE.into())
        .col_expr(
            job_effect::Column::Detail,
            detail
                .map(|d| d.chars().take(200).collect::<String>())
                .into(),
        )
        .col_expr(job_effect::Column::UpdatedAt, stored_time(now).into())
        .filter(job_effect::Column::Kind.eq(&job.kind))
        .filter(job_effect::Column::JobKey.eq(&job.idempotency_key))
        .filter(job_effect::Column::Effect.eq(effect))
        .exec(store.db())
        .await?;
    Ok(())
}

/// After a send that certainly did not happen (refused before anything left: a connection
/// refused, a 4xx/5xx answer that says nothing was sent): forget the start, so the next
/// attempt sends.
pub async fn abandon_effect(store: &Store, job: &Job, effect: &str) -> Result<(), StoreError> {
    job_effect::Entity::delete_many()
        .filter(job_effect::Column::Kind.eq(&job.kind))
        .filter(job_effect::Column::JobKey.eq(&job.idempotency_key))
        .filter(job_effect::Column::Effect.eq(effect))
        .filter(job_effect::Column::State.eq(EFFECT_STARTED))
        .exec(store.db())
        .await?;
    Ok(())
}

/// Queued jobs of `kind`, earliest due first (tests and the phone's confirmation calls).
pub async fn queued_of_kind(store: &Store, kind: &str) -> Result<Vec<Job>, StoreError> {
    Ok(job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::State.eq(JobState::Queued.as_str()))
        .order_by_asc(job::Column::RunAt)
        .all(store.db())
        .await?
        .into_iter()
        .map(Job::from)
        .collect())
}
