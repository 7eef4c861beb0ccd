//! The call log's index: the dashboard lists calls by status, newest first, and its live view
//! asks for the calls not yet ended. With only `started_at` indexed, counting the calls in
//! progress walked every call ever made; `(status, started_at)` answers both from the index.

use super::m20261121_000001_core::idx;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(idx("ivr_calls", &["status", "started_at"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_ivr_calls_status_started_at")
                .table("ivr_calls")
                .to_owned(),
        )
        .await
    }
}
