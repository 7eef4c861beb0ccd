//! Seed 002's StaffMember details on a user: the practice's employee number, a phone
//! extension, and when they take handoffs from the phone (a week of hours in the practice's
//! time zone). All optional: the supply business's users have none.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for col in [
            string_null("employee_id"),
            string_null("phone_extension"),
            json_null("escalation_availability"),
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
        for col in ["employee_id", "phone_extension", "escalation_availability"] {
            m.alter_table(Table::alter().table("users").drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
