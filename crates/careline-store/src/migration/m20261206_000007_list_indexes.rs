//! Indexes that let the dashboard's lists stay fast at 100,000 requests: each list's filter
//! and its sort order are served by one index, so a page reads its rows in order and stops,
//! instead of sorting every matching row first (docs/performance.md has the before and after).
//!
//! - `ivr_requests (created_at, id)`: every request, newest first (admin, specialist).
//! - `ivr_requests (status, created_at, id)`: one status, newest first.
//! - `ivr_requests (status, priority, created_at, id)`: one status and priority (the urgent
//!   submitted ones), newest first, and its count from the index alone.
//! - `ivr_requests (doctor_id, created_at, id)`: a doctor's own, newest first (replaces the
//!   index without `id`, which could not break ties in the index).
//! - the review queue's partial index: only requests waiting on a specialist, urgent first,
//!   then oldest submitted. It holds the (small) waiting set only, and the queue's query names
//!   the same statuses literally, so both engines' planners can prove it applies.
//! - `patients (status, created_at, id)`: active patients, newest first.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The statuses of the review queue, spelled as `VerificationStatus::is_pending_review` and the
/// queue's query spell them. Changing one means a new migration for the index.
pub(crate) const REVIEW_QUEUE_STATUSES: &str = "('submitted', 'in_review', 'escalated')";

fn creates() -> Vec<String> {
    vec![
        "CREATE INDEX ix_ivr_requests_created_at_id ON ivr_requests (created_at, id)".into(),
        "CREATE INDEX ix_ivr_requests_status_created_at_id ON ivr_requests (status, created_at, id)"
            .into(),
        "CREATE INDEX ix_ivr_requests_status_priority_created ON ivr_requests \
         (status, priority, created_at, id)"
            .into(),
        "CREATE INDEX ix_ivr_requests_doctor_created_id ON ivr_requests (doctor_id, created_at, id)"
            .into(),
        format!(
            "CREATE INDEX ix_ivr_requests_review_queue ON ivr_requests \
             (priority DESC, submitted_at, id) WHERE status IN {REVIEW_QUEUE_STATUSES}"
        ),
        "CREATE INDEX ix_patients_status_created_at_id ON patients (status, created_at, id)".into(),
        "DROP INDEX ix_ivr_requests_doctor_id_created_at".into(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in creates() {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX ix_ivr_requests_doctor_id_created_at ON ivr_requests (doctor_id, created_at)",
        )
        .await?;
        for name in [
            "ix_ivr_requests_created_at_id",
            "ix_ivr_requests_status_created_at_id",
            "ix_ivr_requests_status_priority_created",
            "ix_ivr_requests_doctor_created_id",
            "ix_ivr_requests_review_queue",
            "ix_patients_status_created_at_id",
        ] {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
