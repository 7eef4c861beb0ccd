//! How long an approved prior authorization lasts (issue 14's prior auth tracking): the
//! payer's first and last valid day, local dates of the practice. The recurring job
//! `prior_auth.expire` moves an approval past its last day to `expired` (a status the column
//! already allows: statuses are strings checked by the domain's state machine). Absent for
//! requests not approved, and for approvals whose payer gave no end date (they never lapse).

use super::m20261121_000001_core::idx;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for col in [date_null("valid_from"), date_null("valid_until")] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("prior_authorizations")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        // The expiry sweep reads approvals by their last day.
        m.create_index(idx("prior_authorizations", &["status", "valid_until"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_prior_authorizations_status_valid_until")
                .table("prior_authorizations")
                .to_owned(),
        )
        .await?;
        for col in ["valid_from", "valid_until"] {
            m.alter_table(
                Table::alter()
                    .table("prior_authorizations")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
