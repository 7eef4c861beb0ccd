//! A practice's own wording of its notices (issue 14): one row per practice, kind of notice,
//! channel and language. A notice with no row here is said in CareLine's built-in English
//! (`careline_domain::notification::Template::built_in`), so the table holds only what a
//! practice changed, and deleting a row goes back to the built-in wording.

use super::m20261121_000001_core::{fk, ts};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notification_templates")
                .col(pk_uuid("id"))
                // The practice, keyed as its configuration is: its organization.
                .col(uuid("organization_id"))
                // `appointment_reminder`, `sms`, `en`: the domain's serde names.
                .col(string("kind"))
                .col(string("channel"))
                .col(string("language"))
                // Email and in-app only.
                .col(text_null("subject"))
                .col(text("body"))
                .col(uuid_null("updated_by"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(
                    "notification_templates",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        // One wording per notice, channel and language; also the index a practice's list and
        // `effective`'s lookup read.
        m.create_index(
            Index::create()
                .name("ux_notification_templates_practice_kind_channel_language")
                .table("notification_templates")
                .col("organization_id")
                .col("kind")
                .col("channel")
                .col("language")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notification_templates").to_owned())
            .await
    }
}
