//! Call recordings: a recorded SIP call's audio in sealed chunks, each with the time it is
//! deleted under the practice's retention setting.

use super::m20261121_000001_core::{idx, ts};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per few seconds of audio, written while the call goes on, so a crash loses
        // only the chunk in progress. The audio is sealed like other PHI: a voice and what it
        // says are health information.
        m.create_table(
            Table::create()
                .table("call_recordings")
                .col(string("call_id"))
                .col(integer("seq"))
                .col(big_integer("offset_ms"))
                .col(big_integer("duration_ms"))
                .col(blob("audio_enc"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .primary_key(Index::create().col("call_id").col("seq"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_call_recordings_call_id")
                        .from("call_recordings", "call_id")
                        .to("ivr_calls", "call_id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(idx("call_recordings", &["expires_at"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("call_recordings").to_owned())
            .await
    }
}
