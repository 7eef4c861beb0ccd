//! The medical practice's appointment book: each practice's configuration (its settings as
//! JSON, the EHR connection sealed apart), providers' weekly schedules and blocked time,
//! appointments with every change kept, and the holds that make double booking impossible.
//!
//! `appointment_holds` has one row per 5-minute cell an appointment covers, once for its
//! provider and once for its patient, keyed (resource, cell). Two overlapping appointments
//! share a cell, so the second insert violates the primary key on both engines: the
//! database, not a read-then-write check, is what refuses a double booking under
//! concurrency. A cancelled appointment's holds are deleted with the change that cancels it.

use super::m20261121_000001_core::{fk, idx, ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("practice_configurations")
                .col(uuid("organization_id").primary_key())
                .col(json("settings"))
                .col(blob_null("ehr_enc"))
                .col(integer("version"))
                .col(uuid_null("updated_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(
                    "practice_configurations",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("provider_schedules")
                .col(uuid("provider_id").primary_key())
                .col(json("schedule"))
                .col(uuid_null("updated_by"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("provider_schedules", "provider_id", "providers"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("provider_blocks")
                .col(pk_uuid("id"))
                .col(uuid("provider_id"))
                .col(ts("starts_at"))
                .col(ts("ends_at"))
                .col(string_null("reason"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("provider_blocks", "provider_id", "providers"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("provider_blocks", &["provider_id", "starts_at"]))
            .await?;

        m.create_table(
            Table::create()
                .table("appointments")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("provider_id"))
                .col(uuid_null("provider_user_id"))
                .col(uuid("patient_id"))
                // The patient's doctor, for the same row scoping as every other PHI table.
                .col(uuid("doctor_id"))
                .col(string("appointment_type"))
                .col(integer("duration_minutes"))
                .col(ts("starts_at"))
                .col(ts("ends_at"))
                .col(string("status"))
                .col(string_uniq("confirmation_number"))
                .col(string("created_via"))
                .col(string_null("voice_booking_session"))
                .col(blob_null("special_instructions_enc"))
                .col(string_null("openemr_appointment_id"))
                .col(string("openemr_sync_status"))
                // A client's key for one booking: a double submit returns the first booking.
                .col(string_null("idempotency_key").unique_key())
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("appointments", "organization_id", "organizations"))
                .foreign_key(&mut fk("appointments", "provider_id", "providers"))
                .foreign_key(&mut fk("appointments", "patient_id", "patients"))
                .to_owned(),
        )
        .await?;
        for cols in [
            &["provider_id", "starts_at"][..],
            &["patient_id", "starts_at"],
            &["organization_id", "starts_at"],
            &["doctor_id", "starts_at"],
            &["status", "starts_at"],
        ] {
            m.create_index(idx("appointments", cols)).await?;
        }

        m.create_table(
            Table::create()
                .table("appointment_holds")
                .col(uuid("resource_id"))
                .col(ts("cell_start"))
                .col(uuid("appointment_id"))
                .primary_key(Index::create().col("resource_id").col("cell_start"))
                .foreign_key(&mut fk(
                    "appointment_holds",
                    "appointment_id",
                    "appointments",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("appointment_holds", &["appointment_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("appointment_changes")
                .col(pk_uuid("id"))
                .col(uuid("appointment_id"))
                .col(ts("changed_at"))
                .col(uuid_null("changed_by"))
                .col(string("channel"))
                .col(string("action"))
                .col(string_null("from_status"))
                .col(string("to_status"))
                .col(ts_null("from_starts_at"))
                .col(ts_null("to_starts_at"))
                .col(blob_null("reason_enc"))
                .foreign_key(&mut fk(
                    "appointment_changes",
                    "appointment_id",
                    "appointments",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "appointment_changes",
            &["appointment_id", "changed_at"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "appointment_changes",
            "appointment_holds",
            "appointments",
            "provider_blocks",
            "provider_schedules",
            "practice_configurations",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
