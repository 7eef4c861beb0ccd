//! Stored conversations (seed 002's VoiceInteraction and ConversationTurn): one interaction per
//! call in which the caller spoke, with its summary, and the turns of caller and CareLine in
//! order. Everything a caller said or was told is sealed like other PHI, each value bound to
//! its row; what stays in the clear are ids, times, intents, outcomes and scores.

use super::m20261121_000001_core::{fk, idx, ts, ts_null};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("voice_interactions")
                .col(pk_uuid("id"))
                // One conversation per call; it goes with the call.
                .col(string_uniq("call_id"))
                .col(string("transport"))
                .col(uuid_null("territory_id"))
                .col(uuid_null("patient_id"))
                .col(blob_null("caller_number_enc"))
                .col(ts("started_at"))
                .col(ts_null("ended_at"))
                // "Caller: …" / "CareLine: …" lines, appended as the turns are.
                .col(blob("transcript_enc"))
                .col(integer("turn_count"))
                // The first intent the caller's words carried (understanding's names).
                .col(string_null("intent"))
                // verified, failed or not_attempted.
                .col(string("verification"))
                .col(boolean("action_completed"))
                // What the caller got done, e.g. ["appointment_moved"].
                .col(json("completed_actions"))
                .col(boolean("escalated"))
                // agent, number or extension.
                .col(string_null("escalated_to"))
                .col(uuid_null("staff_member_id"))
                // Where the call's recording is served, when the call was recorded.
                .col(string_null("audio_ref"))
                // Recognition and understanding scores over the caller's turns: min and mean.
                .col(json("confidence"))
                // Seven years from the start (HIPAA), then the purge deletes it.
                .col(ts("retain_until"))
                .col(ts("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_voice_interactions_call_id")
                        .from("voice_interactions", "call_id")
                        .to("ivr_calls", "call_id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(&mut fk("voice_interactions", "territory_id", "territories"))
                .foreign_key(&mut fk("voice_interactions", "patient_id", "patients"))
                .foreign_key(&mut fk("voice_interactions", "staff_member_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("voice_interactions", &["started_at"]))
            .await?;
        m.create_index(idx("voice_interactions", &["patient_id", "started_at"]))
            .await?;
        m.create_index(idx("voice_interactions", &["retain_until"]))
            .await?;

        m.create_table(
            Table::create()
                .table("conversation_turns")
                .col(uuid("interaction_id"))
                .col(integer("seq"))
                // The call step (index of the caller's input) the turn belongs to: how a
                // transport names the turn whose reply time it measured.
                .col(integer("step"))
                // caller or agent.
                .col(string("speaker"))
                .col(blob("text_enc"))
                .col(string_null("intent"))
                // The slots said with the intent (dates, names: a date of birth is PHI).
                .col(blob_null("slots_enc"))
                // The recognizer's confidence, when it gave one.
                .col(double_null("confidence"))
                // Understanding's score for the intent.
                .col(double_null("understanding_score"))
                .col(ts("at"))
                // From the end of the caller's speech to the reply starting (set by the
                // transport once it knows).
                .col(big_integer_null("reply_ms"))
                .primary_key(Index::create().col("interaction_id").col("seq"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_conversation_turns_interaction_id")
                        .from("conversation_turns", "interaction_id")
                        .to("voice_interactions", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(idx("conversation_turns", &["interaction_id", "step"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("conversation_turns").to_owned())
            .await?;
        m.drop_table(Table::drop().table("voice_interactions").to_owned())
            .await
    }
}
