//! Appointment reminders and what became of every message sent to a person. A patient gains
//! the channel they want reminders by (`reminder_channel`: voice, sms, email or none; NULL
//! follows the practice's default) and the time they answered STOP to texts
//! (`sms_opted_out_at`). `notification_deliveries` keeps one row per message or call that
//! left CareLine: its channel, whom it was for (ids only), the provider's id for it (Twilio's
//! sid, the SIP call id, the email's Message-ID) and its latest status, which the providers'
//! callbacks update. No address, number or text is kept here.

use super::m20261121_000001_core::{ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table("patients")
                .add_column(string_null("reminder_channel"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("patients")
                .add_column(ts_null("sms_opted_out_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notification_deliveries")
                .col(pk_uuid("id"))
                .col(string("kind"))
                .col(string("channel"))
                .col(uuid_null("job_id"))
                .col(uuid_null("patient_id"))
                .col(uuid_null("user_id"))
                .col(uuid_null("appointment_id"))
                .col(integer("attempt"))
                .col(string("status"))
                .col(string_null("provider_id"))
                .col(text_null("detail"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deliveries_appointment")
                .table("notification_deliveries")
                .col("appointment_id")
                .col("created_at")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deliveries_provider_id")
                .table("notification_deliveries")
                .col("provider_id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deliveries_patient")
                .table("notification_deliveries")
                .col("patient_id")
                .col("created_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notification_deliveries").to_owned())
            .await?;
        for column in ["sms_opted_out_at", "reminder_channel"] {
            m.alter_table(
                Table::alter()
                    .table("patients")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
