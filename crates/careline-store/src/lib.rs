//! CareLine's storage layer: one schema, one set of migrations and one set of queries that run
//! on SQLite (the zero-setup default) and PostgreSQL. Callers get domain records with PHI
//! already decrypted into `Phi<T>`; ciphertext and blind indexes never leave this crate.

pub mod appointments;
pub mod audit;
pub mod caller_verification;
pub mod calls;
pub mod deliveries;
pub mod directory;
pub mod entity;
mod error;
pub mod escalation;
pub mod jobs;
pub mod lab_results;
pub mod medications;
pub mod migration;
pub mod notification_templates;
pub mod orders;
pub mod outbox;
pub mod password_resets;
pub mod patients;
pub mod practice;
pub mod prior_auth;
pub mod products;
pub mod provider_messages;
pub mod provider_tasks;
pub mod recordings;
pub mod refill_jobs;
pub mod refills;
pub mod reminders;
pub mod schedules;
mod scope;
pub mod staff_notifications;
pub use scope::{MAX_PER_PAGE, Page, clamp_page};
pub mod users;
pub mod verification;
pub mod voice_interactions;
pub mod ws_tickets;

pub use error::StoreError;

use careline_crypto::KeyRing;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;
use std::sync::Arc;
use std::time::Duration;

/// Which database engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> Result<Engine, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(StoreError::Config(format!(
                "database URL must start with sqlite: or postgres:// (got '{}')",
                url.split(':').next().unwrap_or("")
            )))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// The database and the keys that open its PHI columns.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    keys: Arc<KeyRing>,
    engine: Engine,
    /// SQLite has one writer at a time. Writers in this process queue here, in order, instead
    /// of in SQLite's busy handler, which sleeps 1–100 ms between retries and so turned a few
    /// concurrent writes into p99s of half a second. PostgreSQL locks rows, so it has none.
    write_gate: Option<Arc<tokio::sync::Mutex<()>>>,
    /// Bumped after every commit that appended to the event outbox, so this process's event
    /// hub reads the new rows at once instead of at its next poll.
    outbox_commits: Arc<tokio::sync::watch::Sender<u64>>,
    /// Bumped after every commit that enqueued a job, so this process's job worker claims it
    /// at once instead of at its next poll.
    jobs_enqueued: Arc<tokio::sync::watch::Sender<u64>>,
}

/// Held by a write transaction until it ends: the place in this process's queue of SQLite
/// writers (empty on PostgreSQL). Keep it alive until after `commit`.
#[must_use = "the write lock is released as soon as this is dropped"]
pub struct WriteGate(#[allow(dead_code)] Option<tokio::sync::OwnedMutexGuard<()>>);

impl Store {
    /// Open a database. SQLite files are created if missing and run in WAL mode with full
    /// fsync on commit, so an acknowledged write survives a crash or power loss.
    pub async fn connect(url: &str, keys: Arc<KeyRing>) -> Result<Store, StoreError> {
        let engine = Engine::of_url(url)?;
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            // The default pings every connection on every checkout: a round trip per query.
            // Only connections idle long enough to have been dropped are checked.
            .test_before_acquire_if_idle_for(Duration::from_secs(30));
        match engine {
            Engine::Sqlite => {
                opts.max_connections(8).min_connections(1);
                opts.map_sqlx_sqlite_opts(|o| {
                    o.create_if_missing(true)
                        .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                        .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(10))
                });
            }
            Engine::Postgres => {
                opts.max_connections(32).min_connections(2);
            }
        }
        let db = Database::connect(opts).await?;
        let write_gate = (engine == Engine::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        Ok(Store {
            db,
            keys,
            engine,
            write_gate,
            outbox_commits: Arc::new(tokio::sync::watch::Sender::new(0)),
            jobs_enqueued: Arc::new(tokio::sync::watch::Sender::new(0)),
        })
    }

    /// Bring the schema up to date. Safe to run on every start.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Refresh the query planner's statistics where they are missing or stale. Without them
    /// SQLite guesses, and at 100,000 requests it guessed wrong: it sorted the whole review
    /// queue rather than read its partial index in order (docs/performance.md). SQLite's
    /// `PRAGMA optimize` analyzes only tables that have never been analyzed (0x10000) or have
    /// grown tenfold since, each within a bounded number of rows (`analysis_limit`), so it is
    /// cheap to run at start and every hour. PostgreSQL's autovacuum keeps its own statistics.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        use sea_orm::ConnectionTrait;
        if self.engine == Engine::Sqlite {
            self.db
                .execute_unprepared("PRAGMA analysis_limit = 1000")
                .await?;
            self.db
                .execute_unprepared("PRAGMA optimize = 0x10002")
                .await?;
        }
        Ok(())
    }

    /// Names of migrations applied and pending, for `careline migrate --status`.
    pub async fn migration_status(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let applied = migration::Migrator::get_applied_migrations(&self.db)
            .await?
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        let pending = migration::Migrator::get_pending_migrations(&self.db)
            .await?
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        Ok((applied, pending))
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// Tell this process's event hub that a transaction which appended to the outbox has
    /// committed. Called by the writer right after its commit.
    pub fn outbox_committed(&self) {
        self.outbox_commits.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Changes whenever `outbox_committed` is called (see `outbox`).
    pub fn outbox_commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.outbox_commits.subscribe()
    }

    /// Tell this process's job worker that a transaction which enqueued a job has committed.
    pub fn jobs_enqueued(&self) {
        self.jobs_enqueued.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Changes whenever `jobs_enqueued` is called (see `jobs`).
    pub fn jobs_wake(&self) -> tokio::sync::watch::Receiver<u64> {
        self.jobs_enqueued.subscribe()
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }
}

/// `t` as both engines store it, truncated to microseconds: values that feed the audit hash
/// must read back exactly as written.
///
/// The store never reads the clock. Every write is stamped with the time of the unit of work
/// that caused it — the call input the transport stamped, the API request the extractor
/// stamped — so a call replayed or a webhook retried late decides and records by its own
/// time, and tests can run at any simulated date.
pub fn stored_time(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Begin a write transaction (see `begin_write`) that also takes the next value of a named
/// counter. Human-facing numbers (patient, order, request numbers) are short digit strings so
/// they can be keyed on a phone.
///
/// On SQLite the counter moves inside the transaction (writers are serialised anyway, and a
/// separate commit would cost a second fsync). On PostgreSQL it moves in its own short
/// statement *before* the transaction begins: inside it, the counter row stayed locked until
/// commit and every create queued behind it (25 of 26 backends waiting, p99 above 800 ms);
/// and taken from the pool while the transaction held another connection, a burst of creates
/// could take every connection and wait for one more. The price is that a create that fails
/// after taking its number leaves a gap in the numbers, as a sequence would.
pub(crate) async fn begin_numbered(
    store: &Store,
    counter: &str,
    first: i64,
) -> Result<(sea_orm::DatabaseTransaction, WriteGate, i64), StoreError> {
    match store.engine() {
        Engine::Sqlite => {
            let (txn, gate) = begin_write(store).await?;
            let n = bump_counter(&txn, counter, first).await?;
            Ok((txn, gate, n))
        }
        Engine::Postgres => {
            let n = bump_counter(store.db(), counter, first).await?;
            let (txn, gate) = begin_write(store).await?;
            Ok((txn, gate, n))
        }
    }
}

async fn bump_counter(
    txn: &impl sea_orm::ConnectionTrait,
    name: &str,
    first: i64,
) -> Result<i64, StoreError> {
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::{Expr, OnConflict, Query};
    let q = Query::insert()
        .into_table("counters")
        .columns(["name", "value"])
        .values_panic([name.into(), first.into()])
        .on_conflict(
            OnConflict::column("name")
                .value("value", Expr::col(("counters", "value")).add(1))
                .to_owned(),
        )
        .returning_col("value")
        .to_owned();
    let stmt = txn.get_database_backend().build(&q);
    let row = txn
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| StoreError::Db(sea_orm::DbErr::Custom("counter returned no row".into())))?;
    Ok(row.try_get::<i64>("", "value")?)
}

/// Begin a transaction that reads and then writes. On SQLite it starts with `BEGIN IMMEDIATE`,
/// taking the write lock up front (waiting for it under the busy timeout). A deferred
/// transaction that reads first and writes later fails at once with SQLITE_BUSY when any other
/// connection committed in between, which concurrent requests and the audit writer make
/// routine. PostgreSQL ignores the mode; callers lock the rows they read with `FOR UPDATE`.
///
/// On SQLite the caller first takes its turn among this process's writers (see
/// `Store::write_gate`); the returned gate must live until the transaction has ended. Other
/// processes (the CLI) still meet the busy timeout.
pub async fn begin_write(
    store: &Store,
) -> Result<(sea_orm::DatabaseTransaction, WriteGate), StoreError> {
    use sea_orm::TransactionTrait;
    let gate = match &store.write_gate {
        Some(m) => Some(m.clone().lock_owned().await),
        None => None,
    };
    let txn = store
        .db()
        .begin_with_options(sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..sea_orm::TransactionOptions::default()
        })
        .await?;
    Ok((txn, WriteGate(gate)))
}

/// Rows to skip for a page (from 1). Saturates instead of overflowing, and stays within the
/// signed 64-bit range both engines accept for OFFSET, so an absurd page number yields an
/// empty page rather than a panic or a database error.
/// `SELECT COUNT(*) FROM <table> WHERE <c>`: a list's total, counted straight from the table
/// (or an index) rather than around the list's own select and sort, as `PaginatorTrait::count`
/// does.
pub(crate) async fn count_where<E: sea_orm::EntityTrait>(
    db: &impl sea_orm::ConnectionTrait,
    c: sea_orm::Condition,
) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::{QueryFilter, QuerySelect};
    let n: Option<i64> = E::find()
        .filter(c)
        .select_only()
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

pub fn page_offset(page: u64, per_page: u64) -> u64 {
    page.saturating_sub(1)
        .saturating_mul(per_page)
        .min(i64::MAX as u64)
}
