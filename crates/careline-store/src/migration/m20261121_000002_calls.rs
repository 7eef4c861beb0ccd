//! The phone: calls with their recorded (encrypted) inputs, call events, services booked by
//! phone, messages left for providers, pending jobs, and phone verification for providers.

use super::m20261121_000001_core::{fk, idx, ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A call's engine state is its inputs: any node rebuilds it by replaying them. They
        // hold keyed dates of birth and PINs, so they are sealed like other PHI. `step` counts
        // them; a webhook only appends when the step it saw is still current.
        m.create_table(
            Table::create()
                .table("ivr_calls")
                .col(string("call_id").primary_key())
                .col(string("transport"))
                .col(string("to_number"))
                .col(blob_null("from_enc"))
                .col(uuid_null("territory_id"))
                .col(uuid_null("patient_id"))
                .col(string("status"))
                .col(integer("step"))
                .col(blob("inputs_enc"))
                .col(string("config_hash"))
                .col(ts("started_at"))
                .col(ts("updated_at"))
                .col(ts_null("ended_at"))
                .foreign_key(&mut fk("ivr_calls", "territory_id", "territories"))
                .foreign_key(&mut fk("ivr_calls", "patient_id", "patients"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("ivr_calls", &["started_at"])).await?;

        m.create_table(
            Table::create()
                .table("ivr_call_events")
                .col(pk_uuid("id"))
                .col(string("call_id"))
                .col(ts("at"))
                .col(uuid_null("territory_id"))
                .col(uuid_null("patient_id"))
                .col(string("action"))
                .col(string("result"))
                .col(big_integer("duration_ms"))
                .col(string("authentication_method"))
                .col(string_null("error_code"))
                .col(json_null("details"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ivr_call_events_call_id")
                        .from("ivr_call_events", "call_id")
                        .to("ivr_calls", "call_id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(idx("ivr_call_events", &["at"])).await?;
        m.create_index(idx("ivr_call_events", &["call_id", "at"]))
            .await?;

        // Appointments for services booked on the phone: the date, the service type and the
        // confirmation code the caller hears.
        m.create_table(
            Table::create()
                .table("service_appointments")
                .col(pk_uuid("id"))
                .col(string_uniq("confirmation_code"))
                // The call step that booked it: concurrent copies of one webhook book once.
                .col(string_null("idempotency_key").unique_key())
                .col(uuid("patient_id"))
                .col(string("service_type"))
                .col(date("requested_date"))
                .col(string("status"))
                .col(string("created_via"))
                .col(string_null("call_id"))
                .col(uuid_null("territory_id"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("service_appointments", "patient_id", "patients"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "service_appointments",
            &["patient_id", "requested_date"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("provider_messages")
                .col(pk_uuid("id"))
                .col(uuid_null("patient_id"))
                .col(uuid_null("provider_user_id"))
                .col(string("urgency"))
                .col(blob_null("callback_enc"))
                .col(string("call_id"))
                .col(string("status"))
                .col(string_null("idempotency_key").unique_key())
                .col(ts("created_at"))
                .foreign_key(&mut fk("provider_messages", "patient_id", "patients"))
                .foreign_key(&mut fk("provider_messages", "provider_user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "provider_messages",
            &["provider_user_id", "created_at"],
        ))
        .await?;

        // Work for later (the confirmation call after a booking). The jobs issue runs them; the
        // idempotency key keeps a retried webhook from queueing twice.
        m.create_table(
            Table::create()
                .table("jobs")
                .col(pk_uuid("id"))
                .col(string("kind"))
                .col(json("payload"))
                .col(ts("run_at"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(string_uniq("idempotency_key"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("jobs", &["status", "run_at"])).await?;

        // Providers verify on the phone with NPI + PIN, with the same lockout as patients.
        // SQLite adds one column per ALTER.
        for col in [
            string_null("phone_pin_hash"),
            integer("verification_attempts").default(0).to_owned(),
            ts_null("phone_locked_until"),
        ] {
            m.alter_table(Table::alter().table("providers").add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            "phone_pin_hash",
            "verification_attempts",
            "phone_locked_until",
        ] {
            m.alter_table(
                Table::alter()
                    .table("providers")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for t in [
            "jobs",
            "provider_messages",
            "service_appointments",
            "ivr_call_events",
            "ivr_calls",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
