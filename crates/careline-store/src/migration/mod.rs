//! The schema's history. One set of migrations serves SQLite and PostgreSQL: each is written
//! with sea-query's builder, which renders the right DDL for the engine it runs on.

use sea_orm_migration::prelude::*;

mod m20261121_000001_core;
mod m20261121_000002_calls;
mod m20261121_000003_call_recordings;
mod m20261206_000004_phone_lockouts;
mod m20261206_000005_event_outbox;
mod m20261206_000006_calls_list_index;
pub(crate) mod m20261206_000007_list_indexes;
mod m20261206_000008_ws_tickets;
mod m20261207_000009_practice_appointments;
mod m20261207_000010_clinical;
mod m20261207_000011_staff_details;
mod m20261207_000012_refill_per_call;
mod m20261207_000013_audit_entities;
mod m20261208_000013_durable_jobs;
mod m20261209_000014_reminders;
mod m20261209_000015_password_resets;
mod m20261209_000016_notification_templates;
mod m20261210_000017_staff_notifications;
mod m20261214_000018_prior_auth_validity;
mod m20261214_000019_staff_notification_prefs;
mod m20261215_000020_voice_interactions;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_core::Migration),
            Box::new(m20261121_000002_calls::Migration),
            Box::new(m20261121_000003_call_recordings::Migration),
            Box::new(m20261206_000004_phone_lockouts::Migration),
            Box::new(m20261206_000005_event_outbox::Migration),
            Box::new(m20261206_000006_calls_list_index::Migration),
            Box::new(m20261206_000007_list_indexes::Migration),
            Box::new(m20261206_000008_ws_tickets::Migration),
            Box::new(m20261207_000009_practice_appointments::Migration),
            Box::new(m20261207_000010_clinical::Migration),
            Box::new(m20261207_000011_staff_details::Migration),
            Box::new(m20261207_000012_refill_per_call::Migration),
            Box::new(m20261207_000013_audit_entities::Migration),
            Box::new(m20261208_000013_durable_jobs::Migration),
            Box::new(m20261209_000014_reminders::Migration),
            Box::new(m20261209_000015_password_resets::Migration),
            Box::new(m20261209_000016_notification_templates::Migration),
            Box::new(m20261210_000017_staff_notifications::Migration),
            Box::new(m20261214_000018_prior_auth_validity::Migration),
            Box::new(m20261214_000019_staff_notification_prefs::Migration),
            Box::new(m20261215_000020_voice_interactions::Migration),
        ]
    }
}
