//! One-time WebSocket tickets in the database rather than one node's memory, so a ticket
//! issued by one `careline serve` node opens a socket on any other node of the same database
//! (behind a load balancer the POST and the upgrade may reach different nodes). Only the
//! ticket's SHA-256 is stored: a copy of the table opens nothing.

use super::m20261121_000001_core::{idx, ts};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ws_tickets")
                .col(string("ticket_hash").primary_key())
                .col(uuid("user_id"))
                .col(string("role"))
                .col(uuid("session_id"))
                .col(ts("expires_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("ws_tickets", &["expires_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("ws_tickets").to_owned())
            .await
    }
}
