//! Durable background jobs (issue 14): the `jobs` table of migration 2, which only ever held
//! queued confirmation calls that nothing ran, becomes the job queue every node claims from
//! (state, attempts, a lease, the last error, an idempotency key unique per kind), and
//! `job_effects` records what a job did outside CareLine so a retry never does it twice.
//!
//! The old rows are kept: each `pending` job becomes a `queued` one with the same id, kind,
//! payload, due time and key, so the confirmation calls booked before this migration run once
//! their handler exists. The table is rebuilt (SQLite cannot drop the old table-wide unique
//! constraint on the key in place): the old rows are copied aside and back.

use super::m20261121_000001_core::{ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn new_jobs_table() -> TableCreateStatement {
    Table::create()
        .table("jobs")
        .col(pk_uuid("id"))
        .col(string("kind"))
        // Ids and references only, never PHI: the handler reads the rest.
        .col(json("payload"))
        // queued, running, retrying, succeeded, dead, cancelled.
        .col(string("state"))
        // Claims so far, this one included (a lease that expired counts).
        .col(integer("attempts"))
        .col(integer("max_attempts"))
        // When it may run next: the due time, or after a failure the retry time.
        .col(ts("run_at"))
        // The worker holding it while `running`, and until when (its lease).
        .col(string_null("locked_by"))
        .col(ts_null("locked_until"))
        .col(text_null("last_error"))
        .col(string("idempotency_key"))
        .col(ts("created_at"))
        .col(ts("updated_at"))
        .col(ts_null("finished_at"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // Keep the old rows aside, rebuild the table, and put them back in the new shape.
        // (Not ALTER TABLE … RENAME: SQLite refused to rename onto the dropped table's name
        // inside the migration, and PostgreSQL keeps a renamed table's index names.)
        db.execute_unprepared(
            "CREATE TABLE jobs_v1 AS SELECT id, kind, payload, run_at, status, attempts, \
             idempotency_key, created_at, updated_at FROM jobs",
        )
        .await?;
        m.drop_table(Table::drop().table("jobs").to_owned()).await?;
        m.create_table(new_jobs_table()).await?;
        db.execute_unprepared(
            "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, \
             locked_by, locked_until, last_error, idempotency_key, created_at, updated_at, \
             finished_at) \
             SELECT id, kind, payload, \
             CASE status WHEN 'pending' THEN 'queued' ELSE status END, \
             attempts, 5, run_at, NULL, NULL, NULL, idempotency_key, created_at, updated_at, NULL \
             FROM jobs_v1",
        )
        .await?;
        m.drop_table(Table::drop().table("jobs_v1").to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("ux_jobs_kind_key")
                .table("jobs")
                .col("kind")
                .col("idempotency_key")
                .unique()
                .to_owned(),
        )
        .await?;
        // What a claim reads, in due order: only jobs waiting to run are in these indexes, so
        // finished ones (most of the table) cost a claim nothing.
        db.execute_unprepared(
            "CREATE INDEX ix_jobs_due ON jobs (run_at) WHERE state IN ('queued', 'retrying')",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_jobs_lease ON jobs (locked_until) WHERE state = 'running'",
        )
        .await?;
        // The operators' list and the per-state counts.
        m.create_index(
            Index::create()
                .name("ix_jobs_state_created_at")
                .table("jobs")
                .col("state")
                .col("created_at")
                .to_owned(),
        )
        .await?;

        // One row per effect a job has outside CareLine (a call placed, an SMS, an email),
        // keyed by the job's kind and idempotency key: `started` is written before the send,
        // `done` after it, so a retry finds what an earlier attempt did (see jobs.rs).
        m.create_table(
            Table::create()
                .table("job_effects")
                .col(string("kind"))
                .col(string("job_key"))
                .col(string("effect"))
                .col(string("state"))
                // The receiver's reference (a message id), never PHI.
                .col(string_null("detail"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .primary_key(
                    Index::create()
                        .name("pk_job_effects")
                        .col("kind")
                        .col("job_key")
                        .col("effect"),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("job_effects").to_owned())
            .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE TABLE jobs_v2 AS SELECT id, kind, payload, run_at, attempts, \
             idempotency_key, created_at, updated_at FROM jobs \
             WHERE state IN ('queued', 'retrying')",
        )
        .await?;
        m.drop_table(Table::drop().table("jobs").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("jobs")
                .col(pk_uuid("id"))
                .col(string("kind"))
                .col(json("payload"))
                .col(ts("run_at"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(string_uniq("idempotency_key"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO jobs (id, kind, payload, run_at, status, attempts, idempotency_key, \
             created_at, updated_at) \
             SELECT id, kind, payload, run_at, 'pending', attempts, idempotency_key, \
             created_at, updated_at FROM jobs_v2",
        )
        .await?;
        m.drop_table(Table::drop().table("jobs_v2").to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("ix_jobs_status_run_at")
                .table("jobs")
                .col("status")
                .col("run_at")
                .to_owned(),
        )
        .await
    }
}
