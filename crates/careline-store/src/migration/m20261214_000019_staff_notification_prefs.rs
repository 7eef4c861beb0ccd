//! Staff's own say in how CareLine reaches them: whether they want texts (`notify_sms`, off
//! until they consent, with when they did in `sms_consent_at`) and emails (`notify_email`, on),
//! the language of their notices (`language`, the codes of the practice's templates, `en` by
//! default) and when their number answered STOP (`sms_opted_out_at`).

use super::m20261121_000001_core::ts_null;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 5] = [
    "notify_sms",
    "notify_email",
    "language",
    "sms_consent_at",
    "sms_opted_out_at",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE. Texting staff needs their consent, so
        // nobody has it until they give it; everyone keeps getting email as before.
        for col in [
            boolean("notify_sms").default(false).to_owned(),
            boolean("notify_email").default(true).to_owned(),
            string("language").default("en").to_owned(),
            ts_null("sms_consent_at"),
            ts_null("sms_opted_out_at"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("users")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS.iter().rev() {
            m.alter_table(Table::alter().table("users").drop_column(*col).to_owned())
                .await?;
        }
        Ok(())
    }
}
