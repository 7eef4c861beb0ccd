//! Stored conversations (seed 002's VoiceInteraction and ConversationTurn). A call in which
//! the caller speaks gets one interaction, created at the first spoken turn; every later step
//! adds its turns (the caller's words or keys, CareLine's reply) and appends them to the
//! sealed transcript, in the same transaction as the call step (`calls::save_step`), so a
//! repeated webhook adds nothing twice. When the call is handed over or ends, the summary —
//! verification, what the caller got done, whether and to whom it was escalated, the recording
//! — is read from the call's events.
//!
//! What was said is PHI (a date of birth said aloud, a medication): the transcript, each
//! turn's text and slots, and the caller's number are sealed, each bound to its row. Ids,
//! times, intents, outcomes and scores stay in the clear for lists and filters. Kept seven
//! years from the call's start (`RETENTION`), then `purge_expired` deletes them.

use crate::entity::{conversation_turn, ivr_call, ivr_call_event, patient, voice_interaction};
use crate::{Page, Store, StoreError, scope, stored_time};
use careline_crypto::KeyRing;
use careline_domain::{Actor, DataScope, Phi};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// How long a conversation is kept: seven years from the call's start, as HIPAA asks of the
/// records of a patient's conversations (seed 002).
pub const RETENTION: chrono::Months = chrono::Months::new(7 * 12);

/// The associated data of each sealed value: a value decrypts only as the column of the row it
/// was written to, so rows cannot be swapped between conversations or turns reordered unseen.
pub mod field {
    use uuid::Uuid;

    pub fn caller_number(id: Uuid) -> String {
        format!("voice_interactions.caller_number:{id}")
    }
    pub fn transcript(id: Uuid) -> String {
        format!("voice_interactions.transcript:{id}")
    }
    pub fn turn_text(id: Uuid, seq: i32) -> String {
        format!("conversation_turns.text:{id}:{seq}")
    }
    pub fn turn_slots(id: Uuid, seq: i32) -> String {
        format!("conversation_turns.slots:{id}:{seq}")
    }
}

/// Who spoke a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Caller,
    /// CareLine (the seed's agent).
    Agent,
}

impl Speaker {
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Caller => "caller",
            Speaker::Agent => "agent",
        }
    }

    /// How the transcript names the speaker.
    fn label(self) -> &'static str {
        match self {
            Speaker::Caller => "Caller",
            Speaker::Agent => "CareLine",
        }
    }
}

/// The verification outcomes a conversation records.
pub const VERIFICATIONS: [&str; 3] = ["verified", "failed", "not_attempted"];

/// A turn to store. Its text and slots are PHI and print redacted.
#[derive(Debug, Clone)]
pub struct NewTurn {
    /// The call step (the index of the caller's input) the turn belongs to.
    pub step: i32,
    pub speaker: Speaker,
    pub text: Phi<String>,
    /// Understanding's intent, by its name (`schedule`, `reschedule`…).
    pub intent: Option<String>,
    pub slots: Option<Phi<Value>>,
    /// The recognizer's confidence, when it gave one.
    pub confidence: Option<f32>,
    /// Understanding's score for the intent.
    pub understanding_score: Option<f32>,
    pub at: DateTime<Utc>,
}

/// What one call step adds to the call's conversation (`calls::StepUpdate::conversation`).
#[derive(Debug, Clone, Default)]
pub struct ConversationStep {
    /// The caller spoke in this step: the conversation starts now if it has not yet.
    pub spoken: bool,
    /// In order. Turns of a call with no conversation that did not speak are not stored.
    pub turns: Vec<NewTurn>,
    /// The call was handed to someone or ended in this step: fill in the summary from the
    /// call's events.
    pub summarize: bool,
}

/// What the call did, as a conversation's summary says it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// verified, failed or not_attempted.
    pub verification: &'static str,
    /// What the caller got done, in order, each once.
    pub completed_actions: Vec<&'static str>,
    /// The caller was put through to a person or another line (and the transport did not
    /// report that it failed).
    pub escalated: bool,
    /// agent, number or extension.
    pub escalated_to: Option<String>,
    /// The member of staff whose extension took the call, when the engine knew.
    pub staff_member_id: Option<Uuid>,
    /// The transport recorded the call.
    pub recorded: bool,
}

/// The action a call event stands for, when it means the caller got something done.
fn completed_action(action: &str, result: &str) -> Option<&'static str> {
    Some(match (action, result) {
        ("book_appointment", "success") => "appointment_booked",
        ("move_appointment", "success") => "appointment_moved",
        ("cancel_appointment", "success") => "appointment_cancelled",
        ("my_appointments", "success") => "appointments_read",
        ("appointment_reminder", "confirmed") => "appointment_confirmed",
        ("service_confirmation", "confirmed") => "service_confirmed",
        ("check_order_status", "success") => "order_status_read",
        ("verify_insurance", "success") => "insurance_status_read",
        ("schedule_service", "success") => "service_scheduled",
        ("lab_results", "success") => "lab_results_read",
        ("request_refill", "sent" | "controlled_substance" | "no_refills_left" | "too_early") => {
            "refill_requested"
        }
        ("contact_provider", "message_left") => "message_left",
        _ => return None,
    })
}

/// Every action `summarize` can report, for filters and documentation.
pub const COMPLETED_ACTIONS: [&str; 12] = [
    "appointment_booked",
    "appointment_moved",
    "appointment_cancelled",
    "appointments_read",
    "appointment_confirmed",
    "service_confirmed",
    "order_status_read",
    "insurance_status_read",
    "service_scheduled",
    "lab_results_read",
    "refill_requested",
    "message_left",
];

/// The summary of a call from its events in order, as (action, result, details).
pub fn summarize<'a>(
    events: impl IntoIterator<Item = (&'a str, &'a str, Option<&'a Value>)>,
) -> Summary {
    let mut s = Summary {
        verification: "not_attempted",
        ..Summary::default()
    };
    for (action, result, details) in events {
        match (action, result) {
            ("authenticate", "success") => s.verification = "verified",
            ("authenticate", "failure") if s.verification != "verified" => {
                s.verification = "failed"
            }
            ("transfer", "transferred") => {
                let text = |k: &str| details.and_then(|d| d.get(k)).and_then(Value::as_str);
                s.escalated = true;
                s.escalated_to = Some(text("to").unwrap_or("agent").to_string());
                s.staff_member_id = text("staff_member").and_then(|m| m.parse().ok());
            }
            // The transport could not put the caller through after all.
            ("transfer", "no_target" | "refused") => {
                s.escalated = false;
                s.escalated_to = None;
                s.staff_member_id = None;
            }
            ("recording", "started") => s.recorded = true,
            _ => {}
        }
        if let Some(a) = completed_action(action, result)
            && !s.completed_actions.contains(&a)
        {
            s.completed_actions.push(a);
        }
    }
    // Hearing one's appointments is how a move or a cancellation starts; it is what was done
    // only when nothing was done with them.
    if s.completed_actions.iter().any(|a| {
        matches!(
            *a,
            "appointment_moved" | "appointment_cancelled" | "appointment_confirmed"
        )
    }) {
        s.completed_actions.retain(|a| *a != "appointments_read");
    }
    s
}

/// Where a recorded call's audio is served (the calls API's recording route).
pub fn audio_ref(call_id: &str) -> String {
    format!("/api/v1/calls/{call_id}/recording")
}

/// Add a call step's turns to its conversation, creating it at the first spoken turn, and
/// fill in the summary when the step asks; the call's patient, territory and end come from
/// the step (`call`). Runs inside the step's transaction.
pub(crate) async fn record_step(
    txn: &impl ConnectionTrait,
    keys: &KeyRing,
    call_id: &str,
    step: &ConversationStep,
    call: &crate::calls::StepUpdate<'_>,
) -> Result<(), StoreError> {
    let (patient_id, territory_id, ended) = (call.patient_id, call.territory_id, call.ended);
    let t = stored_time(call.at);
    let existing = voice_interaction::Entity::find()
        .filter(voice_interaction::Column::CallId.eq(call_id))
        .one(txn)
        .await?;
    let row = match existing {
        Some(row) => row,
        None if step.spoken => create(txn, keys, call_id, t).await?,
        None => return Ok(()),
    };
    let id = row.id;
    let mut transcript = keys.decrypt_string(&field::transcript(id), &row.transcript_enc)?;
    let mut intent = row.intent.clone();
    let mut seq = row.turn_count;
    for turn in &step.turns {
        let slots = turn.slots.as_ref().map(|s| {
            keys.encrypt(
                &field::turn_slots(id, seq),
                &serde_json::to_vec(s.expose()).unwrap_or_default(),
            )
        });
        conversation_turn::Entity::insert(conversation_turn::ActiveModel {
            interaction_id: Set(id),
            seq: Set(seq),
            step: Set(turn.step),
            speaker: Set(turn.speaker.as_str().to_string()),
            text_enc: Set(keys.encrypt_str(&field::turn_text(id, seq), turn.text.expose())),
            intent: Set(turn.intent.clone()),
            slots_enc: Set(slots),
            confidence: Set(turn.confidence.map(score)),
            understanding_score: Set(turn.understanding_score.map(score)),
            at: Set(stored_time(turn.at)),
            reply_ms: Set(None),
        })
        .exec_without_returning(txn)
        .await?;
        if !transcript.is_empty() {
            transcript.push('\n');
        }
        transcript.push_str(&format!("{}: {}", turn.speaker.label(), turn.text.expose()));
        if intent.is_none() && turn.speaker == Speaker::Caller {
            intent.clone_from(&turn.intent);
        }
        seq += 1;
    }

    let mut am = row.clone().into_active_model();
    if !step.turns.is_empty() {
        am.transcript_enc = Set(keys.encrypt_str(&field::transcript(id), &transcript));
        am.turn_count = Set(seq);
        am.intent = Set(intent);
        am.confidence = Set(confidence(txn, id).await?);
    }
    if patient_id.is_some() {
        am.patient_id = Set(patient_id);
    }
    if territory_id.is_some() {
        am.territory_id = Set(territory_id);
    }
    if step.summarize {
        let events = ivr_call_event::Entity::find()
            .filter(ivr_call_event::Column::CallId.eq(call_id))
            .order_by_asc(ivr_call_event::Column::At)
            .order_by_asc(ivr_call_event::Column::Id)
            .all(txn)
            .await?;
        let s = summarize(
            events
                .iter()
                .map(|e| (e.action.as_str(), e.result.as_str(), e.details.as_ref())),
        );
        am.verification = Set(s.verification.to_string());
        am.action_completed = Set(!s.completed_actions.is_empty());
        am.completed_actions = Set(json!(s.completed_actions));
        am.escalated = Set(s.escalated);
        am.escalated_to = Set(s.escalated_to);
        am.staff_member_id = Set(s.staff_member_id);
        am.audio_ref = Set(s.recorded.then(|| audio_ref(call_id)));
    }
    if ended {
        am.ended_at = Set(Some(t));
    }
    am.updated_at = Set(t);
    am.update(txn).await?;
    Ok(())
}

/// A score as stored: three decimals (an f32's 0.8 is not 0.800000011920929 on the page).
fn score(v: f32) -> f64 {
    (f64::from(v) * 1000.0).round() / 1000.0
}

/// The conversation of a call that has none yet, at its first spoken turn: the call's
/// transport, start and caller number (sealed again, bound to the conversation).
async fn create(
    txn: &impl ConnectionTrait,
    keys: &KeyRing,
    call_id: &str,
    at: DateTime<Utc>,
) -> Result<voice_interaction::Model, StoreError> {
    let call = ivr_call::Entity::find_by_id(call_id.to_string())
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound("call"))?;
    let id = Uuid::now_v7();
    let caller_number = match &call.from_enc {
        Some(sealed) => {
            let number = keys.decrypt(crate::calls::field::FROM, sealed)?;
            Some(keys.encrypt(&field::caller_number(id), &number))
        }
        None => None,
    };
    let model = voice_interaction::Model {
        id,
        call_id: call_id.to_string(),
        transport: call.transport,
        territory_id: call.territory_id,
        patient_id: call.patient_id,
        caller_number_enc: caller_number,
        started_at: call.started_at,
        ended_at: None,
        transcript_enc: keys.encrypt_str(&field::transcript(id), ""),
        turn_count: 0,
        intent: None,
        verification: "not_attempted".into(),
        action_completed: false,
        completed_actions: json!([]),
        escalated: false,
        escalated_to: None,
        staff_member_id: None,
        audio_ref: None,
        confidence: json!({}),
        retain_until: retain_until(call.started_at),
        updated_at: at,
    };
    voice_interaction::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(txn)
        .await?;
    Ok(model)
}

/// When a conversation that started at `started_at` is deleted.
pub fn retain_until(started_at: DateTime<Utc>) -> DateTime<Utc> {
    started_at
        .checked_add_months(RETENTION)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The minimum and mean of each score over the caller's turns that have one:
/// `{"recognition": {"turns", "min", "mean"}, "understanding": {…}}` (a score with no turns is
/// left out).
async fn confidence(txn: &impl ConnectionTrait, id: Uuid) -> Result<Value, StoreError> {
    let rows: Vec<(Option<f64>, Option<f64>)> = conversation_turn::Entity::find()
        .select_only()
        .column(conversation_turn::Column::Confidence)
        .column(conversation_turn::Column::UnderstandingScore)
        .filter(conversation_turn::Column::InteractionId.eq(id))
        .filter(conversation_turn::Column::Speaker.eq(Speaker::Caller.as_str()))
        .into_tuple()
        .all(txn)
        .await?;
    let stats = |values: Vec<f64>| {
        let n = values.len();
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let mean = values.iter().sum::<f64>() / n as f64;
        json!({ "turns": n, "min": (min * 1000.0).round() / 1000.0, "mean": (mean * 1000.0).round() / 1000.0 })
    };
    let mut out = serde_json::Map::new();
    let recognition: Vec<f64> = rows.iter().filter_map(|r| r.0).collect();
    if !recognition.is_empty() {
        out.insert("recognition".into(), stats(recognition));
    }
    let understanding: Vec<f64> = rows.iter().filter_map(|r| r.1).collect();
    if !understanding.is_empty() {
        out.insert("understanding".into(), stats(understanding));
    }
    Ok(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A conversation in a list: its summary, no words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VoiceInteractionSummary {
    pub id: Uuid,
    pub call_id: String,
    /// twilio, sip or simulator.
    pub transport: String,
    pub territory_id: Option<Uuid>,
    /// The verified patient; null when the caller was not verified as one.
    pub patient_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub turn_count: i32,
    /// The first intent the caller's words carried (schedule, reschedule, cancel, inquiry,
    /// lab_results, prescription_refill, message_provider, prior_authorization, order_status,
    /// insurance_verification, hours_and_directions, agent, emergency).
    pub intent: Option<String>,
    /// verified, failed or not_attempted.
    pub verification: String,
    pub action_completed: bool,
    /// What the caller got done, e.g. `["appointment_moved"]`.
    pub completed_actions: Vec<String>,
    pub escalated: bool,
    /// agent, number or extension.
    pub escalated_to: Option<String>,
    /// The member of staff who took the call, when known.
    pub staff_member_id: Option<Uuid>,
    /// Where the call's recording is served, when the call was recorded (it may have been
    /// deleted since under the practice's shorter recording retention).
    pub audio_reference: Option<String>,
    /// Over the caller's turns: `{"recognition": {"turns","min","mean"}, "understanding": {…}}`.
    #[schema(value_type = Object)]
    pub confidence: Value,
    /// When the conversation is deleted (seven years from the call's start).
    pub retain_until: DateTime<Utc>,
}

/// A conversation with its words: the caller's number and the whole transcript.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VoiceInteraction {
    #[serde(flatten)]
    pub summary: VoiceInteractionSummary,
    /// The caller ID, E.164; null when withheld.
    #[schema(value_type = Option<String>)]
    pub caller_number: Option<Phi<String>>,
    /// "Caller: …" and "CareLine: …" lines, one per turn.
    #[schema(value_type = String)]
    pub transcript: Phi<String>,
}

/// One turn of a conversation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConversationTurn {
    pub interaction_id: Uuid,
    /// 0, 1, 2… in the order spoken.
    pub seq: i32,
    /// The call step the turn belongs to.
    pub step: i32,
    /// caller or agent.
    pub speaker: String,
    /// The caller's words (or "(keys pressed)"), or what CareLine said.
    #[schema(value_type = String)]
    pub text: Phi<String>,
    /// Understanding's intent for the caller's words.
    pub intent: Option<String>,
    /// The details understood with it (date, time, provider, medication…).
    #[schema(value_type = Option<Object>)]
    pub slots: Option<Phi<Value>>,
    /// The recognizer's confidence, 0–1, when it gave one.
    pub confidence: Option<f64>,
    /// Understanding's score for the intent, 0–1.
    pub understanding_score: Option<f64>,
    pub at: DateTime<Utc>,
    /// CareLine's turn: milliseconds from the end of the caller's speech to this reply
    /// starting, as the transport measured it; null until it has.
    pub reply_ms: Option<i64>,
}

/// Which conversations a list shows. Every field narrows.
#[derive(Debug, Clone, Default)]
pub struct InteractionFilter {
    pub patient_id: Option<Uuid>,
    /// Started at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Started before this moment.
    pub to: Option<DateTime<Utc>>,
    pub intent: Option<String>,
    pub escalated: Option<bool>,
}

/// The conversations an actor may see: every one for the roles that see every row; for the
/// others, those of verified patients in their scope (a caller nobody verified belongs to no
/// doctor, so only the first see them).
fn scoped(actor: &Actor) -> Condition {
    match actor.scope() {
        DataScope::All => Condition::all(),
        s => Condition::all().add(
            voice_interaction::Column::PatientId.in_subquery(
                Query::select()
                    .column(patient::Column::Id)
                    .from(patient::Entity)
                    .cond_where(scope::by_doctor(patient::Column::DoctorId, s))
                    .to_owned(),
            ),
        ),
    }
}

fn to_summary(m: &voice_interaction::Model) -> VoiceInteractionSummary {
    VoiceInteractionSummary {
        id: m.id,
        call_id: m.call_id.clone(),
        transport: m.transport.clone(),
        territory_id: m.territory_id,
        patient_id: m.patient_id,
        started_at: m.started_at,
        ended_at: m.ended_at,
        turn_count: m.turn_count,
        intent: m.intent.clone(),
        verification: m.verification.clone(),
        action_completed: m.action_completed,
        completed_actions: serde_json::from_value(m.completed_actions.clone()).unwrap_or_default(),
        escalated: m.escalated,
        escalated_to: m.escalated_to.clone(),
        staff_member_id: m.staff_member_id,
        audio_reference: m.audio_ref.clone(),
        confidence: m.confidence.clone(),
        retain_until: m.retain_until,
    }
}

/// A page of conversations in the actor's scope, newest first, with the number the filter
/// matches.
pub async fn list(
    store: &Store,
    actor: &Actor,
    f: &InteractionFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<VoiceInteractionSummary>, StoreError> {
    let mut c = scoped(actor);
    if let Some(p) = f.patient_id {
        c = c.add(voice_interaction::Column::PatientId.eq(p));
    }
    if let Some(from) = f.from {
        c = c.add(voice_interaction::Column::StartedAt.gte(stored_time(from)));
    }
    if let Some(to) = f.to {
        c = c.add(voice_interaction::Column::StartedAt.lt(stored_time(to)));
    }
    if let Some(i) = &f.intent {
        c = c.add(voice_interaction::Column::Intent.eq(i.as_str()));
    }
    if let Some(e) = f.escalated {
        c = c.add(voice_interaction::Column::Escalated.eq(e));
    }
    let total = crate::count_where::<voice_interaction::Entity>(store.db(), c.clone()).await?;
    let rows = voice_interaction::Entity::find()
        .filter(c)
        .order_by_desc(voice_interaction::Column::StartedAt)
        .order_by_desc(voice_interaction::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    Ok(Page {
        items: rows.iter().map(to_summary).collect(),
        total,
        page,
        per_page,
    })
}

async fn find(
    store: &Store,
    actor: &Actor,
    id: Uuid,
) -> Result<voice_interaction::Model, StoreError> {
    voice_interaction::Entity::find()
        .filter(voice_interaction::Column::Id.eq(id))
        .filter(scoped(actor))
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("voice interaction"))
}

/// One conversation with its caller number and transcript, if the actor may see it.
pub async fn get(store: &Store, actor: &Actor, id: Uuid) -> Result<VoiceInteraction, StoreError> {
    let m = find(store, actor, id).await?;
    let keys = store.keys();
    let caller_number = m
        .caller_number_enc
        .as_deref()
        .map(|c| keys.decrypt_string(&field::caller_number(id), c))
        .transpose()?
        .map(Phi::new);
    let transcript = Phi::new(keys.decrypt_string(&field::transcript(id), &m.transcript_enc)?);
    Ok(VoiceInteraction {
        summary: to_summary(&m),
        caller_number,
        transcript,
    })
}

/// A conversation's turns in order, if the actor may see it.
pub async fn turns(
    store: &Store,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<ConversationTurn>, StoreError> {
    find(store, actor, id).await?;
    let keys = store.keys();
    conversation_turn::Entity::find()
        .filter(conversation_turn::Column::InteractionId.eq(id))
        .order_by_asc(conversation_turn::Column::Seq)
        .all(store.db())
        .await?
        .into_iter()
        .map(|t| {
            let slots = t
                .slots_enc
                .as_deref()
                .map(|s| -> Result<Value, StoreError> {
                    let bytes = keys.decrypt(&field::turn_slots(id, t.seq), s)?;
                    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
                })
                .transpose()?
                .map(Phi::new);
            Ok(ConversationTurn {
                interaction_id: id,
                seq: t.seq,
                step: t.step,
                speaker: t.speaker,
                text: Phi::new(keys.decrypt_string(&field::turn_text(id, t.seq), &t.text_enc)?),
                intent: t.intent,
                slots,
                confidence: t.confidence,
                understanding_score: t.understanding_score,
                at: t.at,
                reply_ms: t.reply_ms,
            })
        })
        .collect()
}

/// The conversation of a call, if it has one (for the call's own pages and the softphone;
/// no scope: callers check theirs).
pub async fn of_call(store: &Store, call_id: &str) -> Result<Option<Uuid>, StoreError> {
    Ok(voice_interaction::Entity::find()
        .select_only()
        .column(voice_interaction::Column::Id)
        .filter(voice_interaction::Column::CallId.eq(call_id))
        .into_tuple()
        .one(store.db())
        .await?)
}

/// Set the reply time of CareLine's turn at call step `step` (the step the caller's words
/// were fed at): milliseconds from the end of the caller's speech to the reply starting.
/// Returns false when the call has no such turn.
pub async fn set_reply_ms(
    store: &Store,
    call_id: &str,
    step: i32,
    reply_ms: i64,
) -> Result<bool, StoreError> {
    let Some(id) = of_call(store, call_id).await? else {
        return Ok(false);
    };
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = conversation_turn::Entity::update_many()
        .col_expr(
            conversation_turn::Column::ReplyMs,
            Expr::value(reply_ms.max(0)),
        )
        .filter(conversation_turn::Column::InteractionId.eq(id))
        .filter(conversation_turn::Column::Step.eq(step))
        .filter(conversation_turn::Column::Speaker.eq(Speaker::Agent.as_str()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(res.rows_affected > 0)
}

/// Delete conversations whose retention ran out (their turns with them). Returns how many.
pub async fn purge_expired(store: &Store, at: DateTime<Utc>) -> Result<u64, StoreError> {
    let expired = voice_interaction::Column::RetainUntil.lte(stored_time(at));
    let ids: Vec<Uuid> = voice_interaction::Entity::find()
        .select_only()
        .column(voice_interaction::Column::Id)
        .filter(expired)
        .into_tuple()
        .all(store.db())
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let (txn, _gate) = crate::begin_write(store).await?;
    let mut deleted = 0;
    for chunk in ids.chunks(500) {
        deleted += delete_where(&txn, voice_interaction::Column::Id.is_in(chunk.to_vec())).await?;
    }
    txn.commit().await?;
    Ok(deleted)
}

/// Delete the conversations of these calls, with their turns (the call records are going).
pub(crate) async fn delete_of_calls(
    txn: &impl ConnectionTrait,
    call_ids: &[String],
) -> Result<u64, StoreError> {
    delete_where(
        txn,
        voice_interaction::Column::CallId.is_in(call_ids.to_vec()),
    )
    .await
}

/// Delete the conversations `which` selects, turns first (they reference them).
async fn delete_where(
    txn: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
) -> Result<u64, StoreError> {
    let ids = Query::select()
        .column(voice_interaction::Column::Id)
        .from(voice_interaction::Entity)
        .and_where(which.clone())
        .to_owned();
    conversation_turn::Entity::delete_many()
        .filter(conversation_turn::Column::InteractionId.in_subquery(ids))
        .exec(txn)
        .await?;
    Ok(voice_interaction::Entity::delete_many()
        .filter(which)
        .exec(txn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(
        action: &'a str,
        result: &'a str,
        details: Option<&'a Value>,
    ) -> (&'a str, &'a str, Option<&'a Value>) {
        (action, result, details)
    }

    #[test]
    fn a_call_without_events_of_note_is_not_attempted_nothing_done() {
        let s = summarize([
            ev("call_started", "success", None),
            ev("call_ended", "caller_hangup", None),
        ]);
        assert_eq!(s.verification, "not_attempted");
        assert!(s.completed_actions.is_empty());
        assert!(!s.escalated && !s.recorded);
    }

    #[test]
    fn verification_actions_and_an_extension_with_its_staff_member() {
        let member = Uuid::from_u128(7);
        let transfer = json!({"to": "extension", "extension": "101", "staff_member": member});
        let s = summarize([
            ev("recording", "started", None),
            ev("authenticate", "failure", None),
            ev("authenticate", "success", None),
            ev("my_appointments", "success", None),
            ev("move_appointment", "success", None),
            ev("request_refill", "controlled_substance", None),
            ev("request_refill", "sent", None),
            ev("transfer", "transferred", Some(&transfer)),
        ]);
        assert_eq!(s.verification, "verified");
        assert_eq!(
            s.completed_actions,
            ["appointment_moved", "refill_requested"]
        );
        assert!(s.escalated && s.recorded);
        assert_eq!(s.escalated_to.as_deref(), Some("extension"));
        assert_eq!(s.staff_member_id, Some(member));
    }

    #[test]
    fn a_failed_verification_and_a_transfer_nobody_took() {
        let transfer = json!({"to": "agent"});
        let s = summarize([
            ev("authenticate", "failure", None),
            ev("transfer", "transferred", Some(&transfer)),
            ev("transfer", "no_target", None),
        ]);
        assert_eq!(s.verification, "failed");
        assert!(!s.escalated);
        // Appointments heard and nothing done with them: that is what was done.
        let s = summarize([ev("my_appointments", "success", None)]);
        assert_eq!(s.completed_actions, ["appointments_read"]);
        assert_eq!(s.escalated_to, None);
        // Every action summarize can name is listed.
        for (a, r) in [
            ("book_appointment", "success"),
            ("contact_provider", "message_left"),
            ("lab_results", "success"),
        ] {
            assert!(COMPLETED_ACTIONS.contains(&completed_action(a, r).unwrap()));
        }
    }

    #[test]
    fn retention_is_seven_years() {
        let t: DateTime<Utc> = "2026-12-15T10:00:00Z".parse().unwrap();
        assert_eq!(
            retain_until(t),
            "2033-12-15T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
