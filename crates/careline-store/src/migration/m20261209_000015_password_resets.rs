//! Password resets (issue 14, the seed's forgot/reset password): one row per request, the
//! SHA-256 of the emailed token once the email job has made one (the token itself is never
//! stored), when it stops working, and when it was used or made void by another one's use.
//! A request for an address with no account is a row without a user, so both cost the same.

use super::m20261121_000001_core::{idx, ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("password_resets")
                .col(pk_uuid("id"))
                // None: nobody has this address (the request is answered the same).
                .col(uuid_null("user_id"))
                // Hex SHA-256 of the token in the email; set by the email job right before it
                // sends, so only the token that went out works.
                .col(string_null("token_hash"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(ts_null("sent_at"))
                .col(ts_null("used_at"))
                // Void because another reset of the same user was used first.
                .col(ts_null("cancelled_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_password_resets_user_id")
                        .from("password_resets", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_password_resets_token_hash")
                .table("password_resets")
                .col("token_hash")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(idx("password_resets", &["user_id"])).await?;
        m.create_index(idx("password_resets", &["created_at"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("password_resets").to_owned())
            .await
    }
}
