//! In-app notifications for staff (issue 14): what the dashboard's bell counts and its
//! notifications page lists, one row per notice per user. The minimum necessary only: a kind,
//! a title and a body made from templates without clinical placeholders, and a dashboard path
//! to the thing itself; never a message's text or a patient's name.

use super::m20261121_000001_core::{fk, idx, ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("staff_notifications")
                .col(pk_uuid("id"))
                .col(uuid("user_id"))
                // `urgent_message_escalation`, …: the domain's NotificationKind names.
                .col(string("kind"))
                .col(string("title"))
                .col(text("body"))
                // A dashboard path (`/messages?…`), never an absolute URL.
                .col(string("link"))
                // Who made it and for what (a job's key and the user): the same notice made
                // twice (a retried job) is one row.
                .col(string_null("source_key"))
                .col(ts("created_at"))
                .col(ts_null("read_at"))
                .foreign_key(&mut fk("staff_notifications", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_staff_notifications_source_key")
                .table("staff_notifications")
                .col("source_key")
                .unique()
                .to_owned(),
        )
        .await?;
        // A user's list, newest first, and their unread count.
        m.create_index(idx("staff_notifications", &["user_id", "created_at"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("staff_notifications").to_owned())
            .await
    }
}
