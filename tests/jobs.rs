//! Durable jobs on both engines (docs/jobs.md): transactional and idempotent enqueue, due
//! times on a clock the test moves, backoff and the dead letter, cancel and an operator's
//! retry, a crashed worker's lease, two workers on one table, recurring ticks, effects
//! recorded against a retry, the housekeeping kinds, and the operators' API and command line.

mod common;

use careline::jobs::{JobContext, JobError, Registry, RetryPolicy, Worker, WorkerOptions};
use careline_domain::{Clock, ManualClock, Role, SystemClock};
use careline_store::jobs::{self, Effect, Held, JobState, NewJob};
use chrono::{DateTime, Duration, Utc};
use common::{TestApp, TestDb, error_code};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-08T10:00:30Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Runs per job id, shared with the handlers.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<HashMap<String, u32>>>);

impl Runs {
    fn add(&self, key: &str) {
        *self.0.lock().unwrap().entry(key.to_string()).or_default() += 1;
    }
    fn total(&self) -> u32 {
        self.0.lock().unwrap().values().sum()
    }
    fn of(&self, key: &str) -> u32 {
        self.0.lock().unwrap().get(key).copied().unwrap_or(0)
    }
}

/// A registry with `test.ok` (counts its runs by job key), `test.fail` (always a retryable
/// error) and `test.bad` (a permanent error).
fn registry(runs: &Runs) -> Registry {
    let mut r = Registry::new();
    let ok = runs.clone();
    r.register("test.ok", move |ctx: JobContext, _: serde_json::Value| {
        let runs = ok.clone();
        async move {
            runs.add(&ctx.job.idempotency_key);
            Ok(())
        }
    });
    let fail = runs.clone();
    r.register("test.fail", move |ctx: JobContext, _: serde_json::Value| {
        let runs = fail.clone();
        async move {
            runs.add(&ctx.job.idempotency_key);
            Err(JobError::retry("the receiver is down"))
        }
    })
    .retry(RetryPolicy {
        base: std::time::Duration::from_secs(10),
        max: std::time::Duration::from_secs(3600),
    });
    r.register("test.bad", |_: JobContext, _: serde_json::Value| async {
        Err(JobError::permanent("no such appointment"))
    });
    r
}

fn worker(db: &TestDb, runs: &Runs, clock: &ManualClock, id: &str) -> Worker {
    Worker::new(
        db.store.clone(),
        registry(runs),
        Arc::new(clock.clone()),
        WorkerOptions {
            id: id.into(),
            ..WorkerOptions::default()
        },
    )
}

on_both_engines!(
    a_job_enqueued_in_a_transaction_that_rolls_back_is_not_there,
    |db: TestDb| async move {
        let (txn, gate) = careline_store::begin_write(&db.store).await.unwrap();
        let e = jobs::enqueue(&txn, NewJob::new("test.ok", json!({"n": 1}), t0()), t0())
            .await
            .unwrap();
        assert!(e.created);
        txn.rollback().await.unwrap();
        drop(gate);
        assert!(jobs::get(&db.store, e.job.id).await.unwrap().is_none());
        // And one that commits is.
        let (txn, gate) = careline_store::begin_write(&db.store).await.unwrap();
        let e = jobs::enqueue(&txn, NewJob::new("test.ok", json!({"n": 2}), t0()), t0())
            .await
            .unwrap();
        txn.commit().await.unwrap();
        drop(gate);
        let stored = jobs::get(&db.store, e.job.id).await.unwrap().unwrap();
        assert_eq!(stored, e.job, "enqueue returns the job as stored");
        assert_eq!(stored.state, "queued");
        db.cleanup().await;
    }
);

on_both_engines!(
    the_same_kind_and_key_enqueue_one_job,
    |db: TestDb| async move {
        // Twice inside one transaction: on PostgreSQL a failed insert would abort it.
        let (txn, gate) = careline_store::begin_write(&db.store).await.unwrap();
        let a = jobs::enqueue(
            &txn,
            NewJob::new("test.ok", json!({"appointment_id": "a"}), t0()).key("reminder:a:24h"),
            t0(),
        )
        .await
        .unwrap();
        let b = jobs::enqueue(
            &txn,
            NewJob::new("test.ok", json!({"appointment_id": "other"}), t0()).key("reminder:a:24h"),
            t0(),
        )
        .await
        .unwrap();
        txn.commit().await.unwrap();
        drop(gate);
        assert!(a.created && !b.created);
        assert_eq!(a.job.id, b.job.id);
        assert_eq!(
            b.job.payload,
            json!({"appointment_id": "a"}),
            "the first one stays"
        );
        // Later, in a transaction of its own: the same answer.
        let c = jobs::enqueue_now(
            &db.store,
            NewJob::new("test.ok", json!({}), t0()).key("reminder:a:24h"),
            t0(),
        )
        .await
        .unwrap();
        assert!(!c.created);
        assert_eq!(c.job.id, a.job.id);
        // The key is per kind.
        let d = jobs::enqueue_now(
            &db.store,
            NewJob::new("test.fail", json!({}), t0()).key("reminder:a:24h"),
            t0(),
        )
        .await
        .unwrap();
        assert!(d.created);
        let all = jobs::list(&db.store, &Default::default(), 1, 50)
            .await
            .unwrap();
        assert_eq!(all.total, 2);
        db.cleanup().await;
    }
);

on_both_engines!(
    a_job_due_later_waits_for_the_clock,
    |db: TestDb| async move {
        let runs = Runs::default();
        let clock = ManualClock::new(t0());
        let w = worker(&db, &runs, &clock, "w1");
        let job = jobs::enqueue_now(
            &db.store,
            NewJob::new("test.ok", json!({}), t0() + Duration::hours(24)).key("tomorrow"),
            t0(),
        )
        .await
        .unwrap()
        .job;
        assert_eq!(w.run_until_idle().await.unwrap(), 0);
        clock.advance(Duration::hours(24) - Duration::seconds(1));
        assert_eq!(w.run_until_idle().await.unwrap(), 0);
        assert_eq!(runs.total(), 0);
        let stats = jobs::stats(&db.store, clock.now()).await.unwrap();
        assert_eq!(stats.count(JobState::Queued), 1);
        assert_eq!(stats.lateness(clock.now()), Duration::zero());
        clock.advance(Duration::seconds(5));
        let stats = jobs::stats(&db.store, clock.now()).await.unwrap();
        assert_eq!(stats.lateness(clock.now()), Duration::seconds(4));
        assert_eq!(w.run_until_idle().await.unwrap(), 1);
        assert_eq!(runs.of("tomorrow"), 1);
        let done = jobs::get(&db.store, job.id).await.unwrap().unwrap();
        assert_eq!(done.state, "succeeded");
        assert_eq!(done.attempts, 1);
        assert_eq!(done.finished_at, Some(clock.now()));
        assert!(done.locked_by.is_none());
        // Nothing runs twice.
        assert_eq!(w.run_until_idle().await.unwrap(), 0);
        db.cleanup().await;
    }
);

on_both_engines!(
    a_failing_job_is_retried_with_growing_delays_and_then_dead,
    |db: TestDb| async move {
        let runs = Runs::default();
        let clock = ManualClock::new(t0());
        let w = worker(&db, &runs, &clock, "w1");
        let job = jobs::enqueue_now(
            &db.store,
            NewJob::new("test.fail", json!({}), t0())
                .key("flaky")
                .max_attempts(5),
            t0(),
        )
        .await
        .unwrap()
        .job;
        let mut delays = Vec::new();
        for attempt in 1..=4 {
            assert_eq!(w.run_until_idle().await.unwrap(), 1, "attempt {attempt}");
            let j = jobs::get(&db.store, job.id).await.unwrap().unwrap();
            assert_eq!(j.state, "retrying");
            assert_eq!(j.attempts, attempt);
            assert_eq!(j.last_error.as_deref(), Some("the receiver is down"));
            let delay = j.run_at - clock.now();
            // Equal jitter: between half the ceiling (10 s · 2^(n−1)) and the ceiling.
            let ceiling = Duration::seconds(10 * (1 << (attempt - 1)));
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "attempt {attempt}: {delay}"
            );
            delays.push(delay);
            // Not a moment before it is due.
            clock.set(j.run_at - Duration::milliseconds(1));
            assert_eq!(w.run_until_idle().await.unwrap(), 0);
            clock.set(j.run_at);
        }
        assert!(
            delays.windows(2).all(|d| d[1] >= d[0]),
            "delays grow: {delays:?}"
        );
        assert_eq!(w.run_until_idle().await.unwrap(), 1);
        let j = jobs::get(&db.store, job.id).await.unwrap().unwrap();
        assert_eq!(j.state, "dead");
        assert_eq!(j.attempts, 5);
        assert!(j.finished_at.is_some());
        assert_eq!(runs.of("flaky"), 5);
        clock.advance(Duration::days(1));
        assert_eq!(w.run_until_idle().await.unwrap(), 0);

        // A permanent failure is dead at once.
        let bad = jobs::enqueue_now(&db.store, NewJob::new("test.bad", json!({}), t0()), t0())
            .await
            .unwrap()
            .job;
        assert_eq!(w.run_until_idle().await.unwrap(), 1);
        let j = jobs::get(&db.store, bad.id).await.unwrap().unwrap();
        assert_eq!((j.state.as_str(), j.attempts), ("dead", 1));
        assert_eq!(j.last_error.as_deref(), Some("no such appointment"));
        // A payload that does not fit its kind too.
        let mut r = Registry::new();
        r.register("test.typed", |_: JobContext, _: Vec<u32>| async { Ok(()) });
        let typed = Worker::new(
            db.store.clone(),
            r,
            Arc::new(clock.clone()),
            WorkerOptions::default(),
        );
        let j = jobs::enqueue_now(
            &db.store,
            NewJob::new("test.typed", json!({"not": "a list"}), clock.now()),
            clock.now(),
        )
        .await
        .unwrap()
        .job;
        assert_eq!(typed.run_until_idle().await.unwrap(), 1);
        let j = jobs::get(&db.store, j.id).await.unwrap().unwrap();
        assert_eq!(j.state, "dead");
        assert!(j.last_error.unwrap().contains("payload does not fit"));
        let stats = jobs::stats(&db.store, clock.now()).await.unwrap();
        assert_eq!(stats.count(JobState::Dead), 3);
        db.cleanup().await;
    }
);

on_both_engines!(cancel_and_an_operators_retry, |db: TestDb| async move {
    let runs = Runs::default();
    let clock = ManualClock::new(t0());
    let w = worker(&db, &runs, &clock, "w1");
    let job = jobs::enqueue_now(
        &db.store,
        NewJob::new("test.ok", json!({}), t0() + Duration::hours(1)).key("c"),
        t0(),
    )
    .await
    .unwrap()
    .job;
    let cancelled = jobs::cancel(&db.store, job.id, t0()).await.unwrap();
    assert_eq!(cancelled.state, "cancelled");
    clock.advance(Duration::hours(2));
    assert_eq!(w.run_until_idle().await.unwrap(), 0);
    assert_eq!(runs.of("c"), 0);
    // Cancelled twice, or a retry of a queued job: refused.
    let e = jobs::cancel(&db.store, job.id, clock.now())
        .await
        .unwrap_err();
    assert!(
        matches!(e, careline_store::StoreError::IllegalTransition(_)),
        "{e}"
    );
    let retried = jobs::retry(&db.store, job.id, clock.now()).await.unwrap();
    assert_eq!((retried.state.as_str(), retried.attempts), ("queued", 0));
    assert_eq!(retried.run_at, clock.now());
    let e = jobs::retry(&db.store, job.id, clock.now())
        .await
        .unwrap_err();
    assert!(
        matches!(e, careline_store::StoreError::IllegalTransition(_)),
        "{e}"
    );
    assert_eq!(w.run_until_idle().await.unwrap(), 1);
    assert_eq!(runs.of("c"), 1);
    // Finished: no cancel.
    let e = jobs::cancel(&db.store, job.id, clock.now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("it is succeeded"), "{e}");
    // A dead job retried gets a fresh set of attempts.
    let dead = jobs::enqueue_now(
        &db.store,
        NewJob::new("test.fail", json!({}), clock.now())
            .key("d")
            .max_attempts(1),
        clock.now(),
    )
    .await
    .unwrap()
    .job;
    w.run_until_idle().await.unwrap();
    assert_eq!(
        jobs::get(&db.store, dead.id).await.unwrap().unwrap().state,
        "dead"
    );
    let again = jobs::retry(&db.store, dead.id, clock.now()).await.unwrap();
    assert_eq!(again.attempts, 0);
    assert_eq!(w.run_until_idle().await.unwrap(), 1);
    assert_eq!(runs.of("d"), 2);
    // Unknown ids.
    assert!(matches!(
        jobs::retry(&db.store, uuid::Uuid::new_v4(), clock.now()).await,
        Err(careline_store::StoreError::NotFound("job"))
    ));
    db.cleanup().await;
});

on_both_engines!(
    a_crashed_workers_jobs_go_to_another_when_the_lease_runs_out,
    |db: TestDb| async move {
        let runs = Runs::default();
        let clock = ManualClock::new(t0());
        let job = jobs::enqueue_now(
            &db.store,
            NewJob::new("test.ok", json!({}), t0()).key("l"),
            t0(),
        )
        .await
        .unwrap()
        .job;
        // A worker claims it and dies: it never reports.
        let claimed = jobs::claim(
            &db.store,
            "crashed",
            &["test.ok"],
            t0(),
            Duration::seconds(60),
            10,
        )
        .await
        .unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].locked_by.as_deref(), Some("crashed"));
        let other = worker(&db, &runs, &clock, "survivor");
        assert_eq!(other.run_until_idle().await.unwrap(), 0, "still leased");
        clock.advance(Duration::seconds(59));
        assert_eq!(other.run_until_idle().await.unwrap(), 0, "still leased");
        clock.advance(Duration::seconds(2));
        assert_eq!(other.run_until_idle().await.unwrap(), 1);
        assert_eq!(runs.of("l"), 1);
        let j = jobs::get(&db.store, job.id).await.unwrap().unwrap();
        assert_eq!((j.state.as_str(), j.attempts), ("succeeded", 2));
        // The crashed worker coming back cannot overwrite what the other recorded.
        let late = jobs::complete(&db.store, &[Held::of(&claimed[0], "crashed")], clock.now())
            .await
            .unwrap();
        assert_eq!(late, vec![false]);
        let failed = jobs::fail(&db.store, &claimed[0], "crashed", "late", None, clock.now())
            .await
            .unwrap();
        assert_eq!(failed, None);
        assert_eq!(
            jobs::get(&db.store, job.id).await.unwrap().unwrap().state,
            "succeeded"
        );
        // A job that takes its worker down on every attempt ends dead, not in a loop.
        let poison = jobs::enqueue_now(
            &db.store,
            NewJob::new("test.ok", json!({}), clock.now()).max_attempts(2),
            clock.now(),
        )
        .await
        .unwrap()
        .job;
        for _ in 0..2 {
            let c = jobs::claim(
                &db.store,
                "crashy",
                &["test.ok"],
                clock.now(),
                Duration::seconds(60),
                10,
            )
            .await
            .unwrap();
            assert_eq!(c.len(), 1);
            clock.advance(Duration::seconds(61));
        }
        assert_eq!(other.run_until_idle().await.unwrap(), 0);
        let p = jobs::get(&db.store, poison.id).await.unwrap().unwrap();
        assert_eq!(p.state, "dead");
        assert!(p.last_error.unwrap().contains("lease expired"));
        db.cleanup().await;
    }
);

on_both_engines!(
    two_workers_on_one_table_run_each_job_exactly_once,
    |db: TestDb| async move {
        const N: usize = 600;
        let runs = Runs::default();
        // Two nodes: on PostgreSQL each with its own connection pool, as two servers would be.
        let second = careline_store::Store::connect(&db.url, db.keys.clone())
            .await
            .unwrap();
        let by_worker = Runs::default();
        let slow = |runs: Runs, worker: &'static str| {
            let by_worker = by_worker.clone();
            let mut r = Registry::new();
            r.register("test.ok", move |ctx: JobContext, _: serde_json::Value| {
                let runs = runs.clone();
                let by_worker = by_worker.clone();
                async move {
                    // Long enough for the two to overlap: one worker alone needs about 1.5 s
                    // (600 × 20 ms / 8 at once), while the other polls every 20 ms. (2 ms let
                    // one worker finish everything before a loaded machine started the other.)
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    runs.add(&ctx.job.idempotency_key);
                    by_worker.add(worker);
                    Ok(())
                }
            });
            r
        };
        let opts = |id: &str| WorkerOptions {
            id: id.into(),
            batch: 16,
            concurrency: 8,
            poll: std::time::Duration::from_millis(20),
            ..WorkerOptions::default()
        };
        let a = Worker::new(
            db.store.clone(),
            slow(runs.clone(), "a"),
            Arc::new(SystemClock),
            opts("a"),
        )
        .spawn();
        let b = Worker::new(
            second.clone(),
            slow(runs.clone(), "b"),
            Arc::new(SystemClock),
            opts("b"),
        )
        .spawn();
        let now = Utc::now();
        let (txn, gate) = careline_store::begin_write(&db.store).await.unwrap();
        for i in 0..N {
            jobs::enqueue(
                &txn,
                NewJob::new("test.ok", json!({}), now).key(format!("k{i}")),
                now,
            )
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
        drop(gate);
        db.store.jobs_enqueued();
        second.jobs_enqueued();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let s = jobs::stats(&db.store, Utc::now()).await.unwrap();
            if s.count(JobState::Succeeded) == N as u64 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "not all ran: {s:?}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        a.stop().await;
        b.stop().await;
        let map = runs.0.lock().unwrap().clone();
        assert_eq!(map.len(), N);
        let twice: Vec<_> = map.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "ran more than once: {twice:?}");
        // Both took part, so they did claim from the table at the same time.
        assert!(
            by_worker.of("a") > 0 && by_worker.of("b") > 0,
            "{:?}",
            by_worker.0.lock().unwrap()
        );
        assert_eq!(by_worker.total(), N as u32);
        let by: Vec<(String, i64)> = {
            use sea_orm::{EntityTrait, QuerySelect};
            careline_store::entity::job::Entity::find()
                .select_only()
                .column(careline_store::entity::job::Column::State)
                .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
                .group_by(careline_store::entity::job::Column::State)
                .into_tuple()
                .all(db.store.db())
                .await
                .unwrap()
        };
        assert_eq!(by, vec![("succeeded".to_string(), N as i64)]);
        second.close().await.unwrap();
        db.cleanup().await;
    }
);

on_both_engines!(
    a_recurring_job_runs_once_per_tick_however_many_workers,
    |db: TestDb| async move {
        let ticks: Arc<Mutex<Vec<DateTime<Utc>>>> = Arc::default();
        let clock = ManualClock::new(t0()); // 10:00:30
        let make = |id: &str| {
            let mut r = Registry::new();
            let t = ticks.clone();
            r.recurring("test.minutely", "0 * * * * *", move |ctx: JobContext| {
                let t = t.clone();
                async move {
                    t.lock().unwrap().push(ctx.job.run_at);
                    Ok(())
                }
            })
            .unwrap();
            Worker::new(
                db.store.clone(),
                r,
                Arc::new(clock.clone()),
                WorkerOptions {
                    id: id.into(),
                    ..WorkerOptions::default()
                },
            )
        };
        let (a, b) = (make("a"), make("b"));
        // A node that starts after a tick runs that tick once (10:00), not the ones before.
        a.run_until_idle().await.unwrap();
        b.run_until_idle().await.unwrap();
        a.run_until_idle().await.unwrap();
        let minute = |m: u32| {
            DateTime::parse_from_rfc3339(&format!("2026-12-08T10:{m:02}:00Z"))
                .unwrap()
                .with_timezone(&Utc)
        };
        assert_eq!(*ticks.lock().unwrap(), vec![minute(0)]);
        // The next tick is already queued, for its time.
        let queued = jobs::queued_of_kind(&db.store, "test.minutely")
            .await
            .unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].run_at, minute(1));
        assert_eq!(queued[0].idempotency_key, minute(1).to_rfc3339());
        clock.set(minute(1));
        b.run_until_idle().await.unwrap();
        a.run_until_idle().await.unwrap();
        clock.set(minute(2) + Duration::seconds(10));
        a.run_until_idle().await.unwrap();
        b.run_until_idle().await.unwrap();
        assert_eq!(
            *ticks.lock().unwrap(),
            vec![minute(0), minute(1), minute(2)]
        );
        db.cleanup().await;
    }
);

on_both_engines!(
    an_effect_recorded_before_the_send_is_not_sent_again,
    |db: TestDb| async move {
        let job = jobs::enqueue_now(
            &db.store,
            NewJob::new("test.ok", json!({}), t0()).key("sms-1"),
            t0(),
        )
        .await
        .unwrap()
        .job;
        assert_eq!(
            jobs::begin_effect(&db.store, &job, "sms", t0())
                .await
                .unwrap(),
            Effect::New
        );
        // An attempt that stopped between the start and the outcome: in doubt, never "new".
        assert_eq!(
            jobs::begin_effect(&db.store, &job, "sms", t0())
                .await
                .unwrap(),
            Effect::InDoubt { since: t0() }
        );
        jobs::finish_effect(&db.store, &job, "sms", Some("SM123"), t0())
            .await
            .unwrap();
        assert_eq!(
            jobs::begin_effect(&db.store, &job, "sms", t0())
                .await
                .unwrap(),
            Effect::Done {
                detail: Some("SM123".into())
            }
        );
        // Another effect of the same job is its own.
        assert_eq!(
            jobs::begin_effect(&db.store, &job, "email", t0())
                .await
                .unwrap(),
            Effect::New
        );
        // A send that certainly did not happen is forgotten, so the next attempt sends.
        jobs::abandon_effect(&db.store, &job, "email")
            .await
            .unwrap();
        assert_eq!(
            jobs::begin_effect(&db.store, &job, "email", t0())
                .await
                .unwrap(),
            Effect::New
        );
        // A done effect is not abandoned.
        jobs::abandon_effect(&db.store, &job, "sms").await.unwrap();
        assert!(matches!(
            jobs::begin_effect(&db.store, &job, "sms", t0())
                .await
                .unwrap(),
            Effect::Done { .. }
        ));
        db.cleanup().await;
    }
);

on_both_engines!(
    the_worker_wakes_when_this_process_enqueues,
    |db: TestDb| async move {
        let runs = Runs::default();
        // A poll so slow that only the wake-up can explain a prompt run.
        let w = Worker::new(
            db.store.clone(),
            registry(&runs),
            Arc::new(SystemClock),
            WorkerOptions {
                poll: std::time::Duration::from_secs(600),
                ..WorkerOptions::default()
            },
        )
        .spawn();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        jobs::enqueue_now(
            &db.store,
            NewJob::new("test.ok", json!({}), Utc::now()).key("now"),
            Utc::now(),
        )
        .await
        .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while runs.of("now") == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the worker did not wake"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        // Stopping records what finished.
        w.stop().await;
        let j = jobs::by_key(&db.store, "test.ok", "now")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(j.state, "succeeded");
        db.cleanup().await;
    }
);

on_both_engines!(
    the_housekeeping_jobs_run_on_a_fresh_database,
    |db: TestDb| async move {
        use careline::jobs::housekeeping;
        let clock = ManualClock::new(t0());
        let audit = careline_store::audit::AuditWriter::spawn(db.store.clone());
        let w = Worker::new(
            db.store.clone(),
            housekeeping::registry(audit),
            Arc::new(clock.clone()),
            WorkerOptions::default(),
        );
        // The latest tick of each (within its period) runs once at start.
        assert_eq!(w.run_until_idle().await.unwrap(), 6);
        let done = jobs::list(
            &db.store,
            &jobs::JobFilter {
                state: Some(JobState::Succeeded),
                kind: None,
            },
            1,
            50,
        )
        .await
        .unwrap();
        let mut kinds: Vec<&str> = done.items.iter().map(|j| j.kind.as_str()).collect();
        kinds.sort();
        assert_eq!(
            kinds,
            vec![
                housekeeping::CALLS_PURGE,
                housekeeping::CONVERSATIONS_PURGE,
                housekeeping::EVENTS_TRIM,
                housekeeping::JOBS_PRUNE,
                housekeeping::RECORDINGS_PURGE,
                housekeeping::STORE_OPTIMIZE
            ]
        );
        // A week later the prune forgets those six (succeeded > 7 days ago); the other
        // kinds' latest ticks are queued and run.
        clock.advance(Duration::days(8));
        w.run_until_idle().await.unwrap();
        let old = jobs::get(&db.store, done.items[0].id).await.unwrap();
        assert!(old.is_none(), "pruned");
        db.cleanup().await;
    }
);

on_both_engines!(
    queued_rows_of_the_old_jobs_table_are_kept,
    |db: TestDb| async move {
        use sea_orm::ConnectionTrait;
        use sea_orm_migration::MigratorTrait;
        // Back to just before the durable jobs migration, however many came after it.
        let steps = careline_store::migration::Migrator::migrations()
            .iter()
            .rev()
            .position(|m| m.name() == "m20261208_000013_durable_jobs")
            .expect("the durable jobs migration") as u32
            + 1;
        careline_store::migration::Migrator::down(db.store.db(), Some(steps))
            .await
            .unwrap();
        let id = uuid::Uuid::new_v4();
        let backend = db.store.backend();
        db.store
            .db()
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                if backend == sea_orm::DbBackend::Postgres {
                    "INSERT INTO jobs (id, kind, payload, run_at, status, attempts, idempotency_key, created_at, updated_at) VALUES ($1, 'confirmation_call', $2, $3, 'pending', 0, $4, $3, $3)"
                } else {
                    "INSERT INTO jobs (id, kind, payload, run_at, status, attempts, idempotency_key, created_at, updated_at) VALUES (?, 'confirmation_call', ?, ?, 'pending', 0, ?, ?, ?)"
                },
                if backend == sea_orm::DbBackend::Postgres {
                    vec![
                        id.into(),
                        json!({"appointment_id": "x"}).into(),
                        t0().into(),
                        "confirmation_call:x".into(),
                    ]
                } else {
                    vec![
                        id.into(),
                        json!({"appointment_id": "x"}).into(),
                        t0().into(),
                        "confirmation_call:x".into(),
                        t0().into(),
                        t0().into(),
                    ]
                },
            ))
            .await
            .unwrap();
        db.store.migrate().await.unwrap();
        let j = jobs::get(&db.store, id).await.unwrap().unwrap();
        assert_eq!(j.state, "queued");
        assert_eq!(j.kind, "confirmation_call");
        assert_eq!(j.idempotency_key, "confirmation_call:x");
        assert_eq!(j.payload, json!({"appointment_id": "x"}));
        assert_eq!(j.run_at, t0());
        assert_eq!(j.max_attempts, 5);
        db.cleanup().await;
    }
);

/// A dead job and a queued one, for the operators' tests.
async fn dead_and_queued(store: &careline_store::Store) -> (uuid::Uuid, uuid::Uuid) {
    let now = Utc::now();
    let dead = jobs::enqueue_now(
        store,
        NewJob::new("test.fail", json!({"appointment_id": "a1"}), now).max_attempts(1),
        now,
    )
    .await
    .unwrap()
    .job;
    let c = jobs::claim(store, "w", &["test.fail"], now, Duration::seconds(60), 1)
        .await
        .unwrap();
    jobs::fail(store, &c[0], "w", "SMTP 554 refused", None, now)
        .await
        .unwrap();
    let queued = jobs::enqueue_now(
        store,
        NewJob::new("test.ok", json!({}), now + Duration::hours(1)),
        now,
    )
    .await
    .unwrap()
    .job;
    (dead.id, queued.id)
}

on_both_engines!(
    operators_list_retry_and_cancel_jobs_over_the_api,
    |db: TestDb| async move {
        let (dead, queued) = dead_and_queued(&db.store).await;
        let app = TestApp::spawn(db).await;
        app.user("admin@jobs.test", Role::Admin, None).await;
        app.user("specialist@jobs.test", Role::IvrSpecialist, None)
            .await;
        let admin = app.token("admin@jobs.test").await;
        let other = app.token("specialist@jobs.test").await;

        let (status, body) = app.get(&admin, "/api/v1/admin/jobs").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["total"], 2);
        let (status, body) = app.get(&admin, "/api/v1/admin/jobs?state=dead").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["total"], 1);
        assert_eq!(body["items"][0]["id"], dead.to_string());
        assert_eq!(body["items"][0]["last_error"], "SMTP 554 refused");
        assert_eq!(body["items"][0]["payload"], json!({"appointment_id": "a1"}));
        let (_, body) = app
            .get(&admin, "/api/v1/admin/jobs?kind=test.ok&per_page=1")
            .await;
        assert_eq!(
            (body["total"].as_u64(), body["per_page"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(body["items"][0]["id"], queued.to_string());
        let (status, body) = app.get(&admin, "/api/v1/admin/jobs?state=stuck").await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(error_code(&body), "VALIDATION_ERROR");

        // Not an admin: refused.
        let (status, body) = app.get(&other, "/api/v1/admin/jobs").await;
        assert_eq!(status, 403, "{body}");
        let (status, _) = app
            .post(
                &other,
                &format!("/api/v1/admin/jobs/{dead}/retry"),
                json!({}),
            )
            .await;
        assert_eq!(status, 403);

        let (status, body) = app
            .post(
                &admin,
                &format!("/api/v1/admin/jobs/{dead}/retry"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (body["state"].as_str(), body["attempts"].as_i64()),
            (Some("queued"), Some(0))
        );
        let (status, body) = app
            .post(
                &admin,
                &format!("/api/v1/admin/jobs/{dead}/retry"),
                json!({}),
            )
            .await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(error_code(&body), "INVALID_STATUS_TRANSITION");
        let (status, body) = app
            .post(
                &admin,
                &format!("/api/v1/admin/jobs/{queued}/cancel"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["state"], "cancelled");
        let (status, body) = app
            .post(
                &admin,
                &format!("/api/v1/admin/jobs/{queued}/cancel"),
                json!({}),
            )
            .await;
        assert_eq!(status, 409, "{body}");
        let (status, body) = app
            .post(
                &admin,
                &format!("/api/v1/admin/jobs/{}/cancel", uuid::Uuid::new_v4()),
                json!({}),
            )
            .await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(error_code(&body), "JOB_NOT_FOUND");

        // The operators' actions are in the audit trail.
        let (_, audit) = app
            .get(
                &admin,
                "/api/v1/admin/audit-logs?entity_type=job&per_page=100",
            )
            .await;
        let text = audit.to_string();
        assert!(
            text.contains("background job retried (test.fail)"),
            "{text}"
        );
        assert!(
            text.contains("background job cancelled (test.ok)"),
            "{text}"
        );

        // Prometheus sees the queue.
        let metrics = app
            .http
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for line in [
            "careline_jobs{state=\"queued\"} 1",
            "careline_jobs{state=\"cancelled\"} 1",
            "careline_jobs{state=\"dead\"} 0",
            "careline_jobs_oldest_due_lateness_seconds ",
        ] {
            assert!(metrics.contains(line), "no `{line}` in\n{metrics}");
        }
        app.stop().await;
    }
);

/// `careline jobs …` against a SQLite data directory.
#[test]
fn operators_list_retry_and_cancel_jobs_from_the_command_line() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_careline"))
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CARELINE_DATA_DIR", dir.path().join("data"))
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, _, err) = run(&["migrate"]);
    assert!(ok, "{err}");
    let url = format!("sqlite://{}", dir.path().join("data/careline.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (dead, queued) = rt.block_on(async {
        let store =
            careline_store::Store::connect(&url, Arc::new(careline_crypto::KeyRing::generate()))
                .await
                .unwrap();
        let ids = dead_and_queued(&store).await;
        store.close().await.unwrap();
        ids
    });
    let (ok, out, err) = run(&["jobs", "list", "--state", "dead"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&dead.to_string()) && out.contains("SMTP 554 refused"),
        "{out}"
    );
    assert!(!out.contains(&queued.to_string()), "{out}");
    assert!(out.contains("1 of 1 jobs"), "{out}");
    let (ok, out, err) = run(&["jobs", "retry", &dead.to_string()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("retried job") && out.contains("now queued"),
        "{out}"
    );
    let (ok, out, err) = run(&["jobs", "cancel", &queued.to_string()]);
    assert!(ok, "{err}");
    assert!(out.contains("now cancelled"), "{out}");
    // Mistakes: one line, non-zero.
    for (args, says) in [
        (
            vec!["jobs", "cancel", &queued.to_string()[..]],
            "cannot cancel this job: it is cancelled",
        ),
        (vec!["jobs", "retry", "nope"], "'nope' is not a job id"),
        (
            vec!["jobs", "list", "--state", "stuck"],
            "--state stuck: must be",
        ),
    ] {
        let (ok, _, err) = run(&args);
        assert!(!ok, "{args:?}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains(says),
            "{err}"
        );
    }
}
