//! Phone verification lockouts kept per calling number: when a caller ID is shared by a
//! household, a date of birth that matches nobody on it is counted against the number, not
//! against one of the patients who happen to share it.

use super::m20261121_000001_core::{ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Keyed by the phone's blind index (an HMAC), so the table holds no phone number.
        m.create_table(
            Table::create()
                .table("phone_verification_locks")
                .col(string("phone_index").primary_key())
                .col(integer("attempts").default(0))
                .col(ts_null("locked_until"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("phone_verification_locks").to_owned())
            .await
    }
}
