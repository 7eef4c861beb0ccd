//! Clinical requests (seed 003): lab results, medications, refill requests, prior
//! authorizations, the provider tasks they create, and what staff need on the phone's
//! `provider_messages` (a body, where it was routed, when it is due, who acknowledged it).
//!
//! Every PHI value is a sealed `_enc` column; what queries filter on (status, flag, urgency,
//! the patient's doctor for row scoping) stays in the clear. Each clinical row carries the
//! patient's doctor (`doctor_id`), written with the row, so it is scoped like every other
//! PHI table.

use super::m20261121_000001_core::{fk, idx, ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("lab_results")
                .col(pk_uuid("id"))
                .col(uuid("patient_id"))
                .col(uuid("doctor_id"))
                .col(blob("test_name_enc"))
                .col(blob("value_enc"))
                .col(string_null("unit"))
                .col(blob_null("reference_range_enc"))
                .col(string("flag"))
                .col(string("status"))
                .col(ts("collected_at"))
                .col(ts("resulted_at"))
                .col(uuid_null("released_by"))
                .col(ts_null("released_at"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("lab_results", "patient_id", "patients"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("lab_results", &["patient_id", "resulted_at"]))
            .await?;
        m.create_index(idx("lab_results", &["doctor_id", "status"]))
            .await?;

        m.create_table(
            Table::create()
                .table("medications")
                .col(pk_uuid("id"))
                .col(uuid("patient_id"))
                .col(uuid("doctor_id"))
                .col(blob("name_enc"))
                .col(blob_null("rxnorm_code_enc"))
                .col(blob_null("sig_enc"))
                .col(integer_null("quantity"))
                .col(integer_null("days_supply"))
                .col(integer_null("refills_remaining"))
                .col(date_null("last_filled_on"))
                .col(string_null("prescriber"))
                // From the shipped list when the medication was added: II, III, IV or V.
                .col(string_null("dea_schedule"))
                .col(string("status"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("medications", "patient_id", "patients"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("medications", &["patient_id", "status"]))
            .await?;

        m.create_table(
            Table::create()
                .table("refill_requests")
                .col(pk_uuid("id"))
                .col(uuid("patient_id"))
                .col(uuid("doctor_id"))
                .col(uuid("medication_id"))
                .col(string("status"))
                // phone or staff
                .col(string("channel"))
                .col(string_null("call_id"))
                .col(boolean("controlled_substance"))
                .col(string_null("dea_schedule"))
                .col(boolean("no_refills_remaining"))
                .col(boolean("too_early"))
                .col(date_null("earliest_refill_on"))
                .col(blob_null("note_enc"))
                .col(uuid_null("requested_by"))
                .col(uuid_null("decided_by"))
                .col(ts_null("decided_at"))
                .col(blob_null("decision_note_enc"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("refill_requests", "patient_id", "patients"))
                .foreign_key(&mut fk("refill_requests", "medication_id", "medications"))
                .to_owned(),
        )
        .await?;
        for cols in [
            &["doctor_id", "status", "created_at"][..],
            &["patient_id", "created_at"],
        ] {
            m.create_index(idx("refill_requests", cols)).await?;
        }

        m.create_table(
            Table::create()
                .table("prior_authorizations")
                .col(pk_uuid("id"))
                .col(uuid("patient_id"))
                .col(uuid("doctor_id"))
                .col(string("payer"))
                .col(blob("member_id_enc"))
                // JSON arrays of codes, sealed: with the patient they are PHI.
                .col(blob("cpt_codes_enc"))
                .col(blob("icd10_codes_enc"))
                .col(string("status"))
                .col(string_null("payer_reference"))
                .col(ts_null("submitted_at"))
                .col(ts_null("decided_at"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("prior_authorizations", "patient_id", "patients"))
                .to_owned(),
        )
        .await?;
        for cols in [&["doctor_id", "created_at"][..], &["status", "updated_at"]] {
            m.create_index(idx("prior_authorizations", cols)).await?;
        }

        // Work for a provider: call a patient back about a result, decide a refill, answer an
        // urgent message. The notification itself is a later jobs issue's.
        m.create_table(
            Table::create()
                .table("provider_tasks")
                .col(pk_uuid("id"))
                // lab_callback, refill_review, urgent_message
                .col(string("kind"))
                .col(uuid_null("provider_user_id"))
                .col(uuid_null("patient_id"))
                .col(uuid_null("doctor_id"))
                .col(string("subject_type"))
                .col(uuid("subject_id"))
                .col(string("status"))
                .col(ts("due_at"))
                .col(ts("created_at"))
                .col(ts_null("completed_at"))
                .to_owned(),
        )
        .await?;
        for cols in [
            &["provider_user_id", "status", "due_at"][..],
            &["subject_id"],
        ] {
            m.create_index(idx("provider_tasks", cols)).await?;
        }

        // The phone's messages, readable and writable by staff. SQLite adds one column per ALTER.
        for col in [
            blob_null("body_enc"),
            uuid_null("routed_to"),
            ts_null("due_at"),
            boolean_null("emergency"),
            uuid_null("created_by"),
            uuid_null("acknowledged_by"),
            ts_null("acknowledged_at"),
        ] {
            m.alter_table(
                Table::alter()
                    .table("provider_messages")
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(idx("provider_messages", &["routed_to", "status"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_provider_messages_routed_to_status")
                .table("provider_messages")
                .to_owned(),
        )
        .await?;
        for col in [
            "body_enc",
            "routed_to",
            "due_at",
            "emergency",
            "created_by",
            "acknowledged_by",
            "acknowledged_at",
        ] {
            m.alter_table(
                Table::alter()
                    .table("provider_messages")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for t in [
            "provider_tasks",
            "prior_authorizations",
            "refill_requests",
            "medications",
            "lab_results",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
