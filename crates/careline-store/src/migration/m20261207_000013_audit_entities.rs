//! An audit record names every entity it disclosed (FHIR AuditEvent.entity is 0..*): a list
//! of refill requests across patients is one record that names each request and patient, not
//! only the last one. The first entity stays in `entity_type`/`entity_id`; the rest go to
//! `other_entities`, a JSON array of `{"type","id"}`, NULL when there are none, so records
//! written before this hash exactly as they did.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("audit_logs")
                .add_column(text_null("other_entities"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("audit_logs")
                .drop_column("other_entities")
                .to_owned(),
        )
        .await
    }
}
