//! The job queue's speed (a benchmark, not a test; docs/performance.md, "Background jobs").
//! On a fresh database it measures:
//!
//! 1. what enqueueing adds to the transaction that causes a job: `jobs::enqueue` inside an
//!    open write transaction, S times (p50/p99/max), and a whole one-job transaction with its
//!    commit (`enqueue_now`);
//! 2. bulk enqueue: N no-op jobs, 1,000 per transaction, all due now;
//! 3. drain: the worker loop `careline serve` runs (default options: 8 at once, claims of 64,
//!    group-committed results) working those N jobs off, in jobs per second;
//! 4. steady load: 100 jobs per second, each due as it is enqueued, for 10 s, and the delay
//!    from due time to start (p50/p99/max): once enqueued in this process (which wakes the
//!    worker), once as another node would (no wake-up: the worker finds them at its poll).
//!
//!   cargo run --release --example jobs_bench -- [JOBS] [SAMPLES]
//!   (defaults 100000 2000; JOBS_BENCH_DATABASE_URL=postgres://… for PostgreSQL, an empty
//!   database; SQLite in a temporary directory otherwise; JOBS_BENCH_ANALYZE=1 runs ANALYZE
//!   on the table between the bulk enqueue and the drain)

use careline::jobs::{JobContext, Registry, Worker, WorkerOptions};
use careline_domain::SystemClock;
use careline_store::Store;
use careline_store::jobs::{self, JobState, NewJob};
use chrono::Utc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{name}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} samples)",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1],
        ms.len()
    );
}

#[tokio::main]
async fn main() {
    let jobs_n = arg(1, 100_000);
    let samples = arg(2, 2_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("JOBS_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = Store::connect(&url, Arc::new(careline_crypto::KeyRing::generate()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    println!("engine: {}", store.engine().name());

    // 1. Enqueue inside a transaction that is already open, as a request would.
    let mut inside = Vec::with_capacity(samples);
    let mut whole = Vec::with_capacity(samples);
    for i in 0..samples {
        let now = Utc::now();
        let (txn, gate) = careline_store::begin_write(&store).await.unwrap();
        let t = Instant::now();
        jobs::enqueue(
            &txn,
            NewJob::new(
                "bench.later",
                serde_json::json!({"i": i}),
                now + chrono::Duration::days(1),
            )
            .key(format!("inside-{i}")),
            now,
        )
        .await
        .unwrap();
        inside.push(t.elapsed().as_secs_f64() * 1000.0);
        txn.commit().await.unwrap();
        drop(gate);
        let t = Instant::now();
        jobs::enqueue_now(
            &store,
            NewJob::new(
                "bench.later",
                serde_json::json!({"i": i}),
                now + chrono::Duration::days(1),
            )
            .key(format!("whole-{i}")),
            now,
        )
        .await
        .unwrap();
        whole.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    summary("enqueue inside an open transaction", inside);
    summary("enqueue in its own transaction, commit included", whole);

    // 2. Bulk enqueue, all due now.
    let now = Utc::now();
    let t = Instant::now();
    for chunk in 0..jobs_n.div_ceil(1000) {
        let (txn, gate) = careline_store::begin_write(&store).await.unwrap();
        for i in chunk * 1000..((chunk + 1) * 1000).min(jobs_n) {
            jobs::enqueue(
                &txn,
                NewJob::new("bench.noop", serde_json::json!({}), now).key(format!("n{i}")),
                now,
            )
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
        drop(gate);
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "bulk enqueue: {jobs_n} jobs in {secs:.2} s = {:.0} jobs/s (1,000 per transaction)",
        jobs_n as f64 / secs
    );

    if std::env::var_os("JOBS_BENCH_ANALYZE").is_some() {
        use sea_orm::ConnectionTrait;
        store.db().execute_unprepared("ANALYZE jobs").await.unwrap();
        println!("(ANALYZE jobs before the drain)");
    }

    // 3. Drain with the server's worker loop.
    let ran = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    let counter = ran.clone();
    registry.register("bench.noop", move |_: JobContext, _: serde_json::Value| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
    });
    let t = Instant::now();
    let worker = Worker::new(
        store.clone(),
        registry,
        Arc::new(SystemClock),
        WorkerOptions::default(),
    )
    .spawn();
    store.jobs_enqueued();
    let mut last_report = Instant::now();
    loop {
        let s = jobs::stats(&store, Utc::now()).await.unwrap();
        let done = s.count(JobState::Succeeded) as usize;
        if done >= jobs_n {
            break;
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            println!(
                "  … {done} recorded, {} run, after {:.1} s",
                ran.load(Ordering::Relaxed),
                t.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let secs = t.elapsed().as_secs_f64();
    worker.stop().await;
    println!(
        "drain: {jobs_n} no-op jobs due at once, run and recorded in {secs:.2} s = {:.0} jobs/s",
        jobs_n as f64 / secs
    );
    let s = jobs::stats(&store, Utc::now()).await.unwrap();
    assert_eq!(ran.load(Ordering::Relaxed), jobs_n, "each job ran once");
    assert_eq!(s.count(JobState::Succeeded) as usize, jobs_n);

    // 4. Steady load: the delay from due time to start.
    for wake in [true, false] {
        let delays = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
        let mut registry = Registry::new();
        let d = delays.clone();
        registry.register(
            "bench.steady",
            move |ctx: JobContext, _: serde_json::Value| {
                let d = d.clone();
                async move {
                    let late = (Utc::now() - ctx.job.run_at)
                        .num_microseconds()
                        .unwrap_or(0);
                    d.lock().unwrap().push(late as f64 / 1000.0);
                    Ok(())
                }
            },
        );
        let worker = Worker::new(
            store.clone(),
            registry,
            Arc::new(SystemClock),
            WorkerOptions::default(),
        )
        .spawn();
        let total = 1000;
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        for i in 0..total {
            tick.tick().await;
            let now = Utc::now();
            let new = NewJob::new("bench.steady", serde_json::json!({}), now)
                .key(format!("steady-{wake}-{i}"));
            if wake {
                jobs::enqueue_now(&store, new, now).await.unwrap();
            } else {
                // As another node's request would: committed, but this process is not told.
                let (txn, gate) = careline_store::begin_write(&store).await.unwrap();
                jobs::enqueue(&txn, new, now).await.unwrap();
                txn.commit().await.unwrap();
                drop(gate);
            }
        }
        while delays.lock().unwrap().len() < total {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        worker.stop().await;
        let ms = delays.lock().unwrap().clone();
        summary(
            if wake {
                "100 jobs/s, due at enqueue, delay to start (enqueued in this process)"
            } else {
                "100 jobs/s, due at enqueue, delay to start (enqueued by another node; 1 s poll)"
            },
            ms,
        );
    }
}
