//! One refill request per medication per call: a webhook repeated while the first copy is
//! still writing must not put the same request in front of the provider twice. Staff's
//! requests have no call (NULL), which a unique index leaves free on both engines.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ux_refill_requests_call_medication";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(INDEX)
                .table("refill_requests")
                .col("call_id")
                .col("medication_id")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(INDEX)
                .table("refill_requests")
                .to_owned(),
        )
        .await
    }
}
