//! The event outbox: one row per live event (a verification request's status changed, an
//! order shipped, a call started), written in the same transaction as the change, so an event
//! exists if and only if its change committed. The event hub tails it by `seq` and fans it
//! out to WebSockets; a client that reconnects asks for what came after the last `seq` it saw.

use super::m20261121_000001_core::{idx, ts};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Ids and states only, never PHI: a socket's page fetches what it shows through the
        // permission-checked routes. `seq` autoincrements (AUTOINCREMENT on SQLite), so a
        // value is never reused even after the retention trim empties the table.
        m.create_table(
            Table::create()
                .table("event_outbox")
                .col(big_pk_auto("seq"))
                .col(string("event"))
                .col(string("channel"))
                .col(string("object_id"))
                .col(string_null("state"))
                // The doctor who owns the object: who may hear of it follows from the
                // user_hierarchy closure, as it does for the rows themselves.
                .col(uuid_null("scope_doctor_id"))
                // For events addressed to one user (an assignment, a notification).
                .col(uuid_null("recipient_user_id"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("event_outbox", &["created_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("event_outbox").to_owned())
            .await
    }
}
