//! One text, email or call made by a job, the same way for every kind of notice (reminders,
//! refill notices, escalations, confirmation calls): the effect recorded as started before it
//! goes and as done after, under the job's key (`careline_store::jobs::begin_effect`), a
//! delivery record the providers' callbacks update, and the sender's answer turned into the
//! job's (retry, dead, done).
//!
//! An earlier attempt that stopped between sending and recording (a crash, a cut connection)
//! leaves the effect "in doubt". A text is settled by asking Twilio whether it has the message
//! (its Messages list, by number and body, since the attempt began): found, it is recorded as
//! sent; absent, it is sent now. An email or a call cannot be asked about, so the job dies
//! with "may have sent" and a person decides (the jobs page) — sending again could send twice.

use crate::calls::dialer::{Dialed, Dialer, OutboundCall};
use crate::jobs::{JobContext, JobError};
use crate::notify::SendError;
use crate::notify::email::{Email, Mailer};
use crate::notify::twilio::TwilioRest;
use careline_call::engine::Outbound;
use careline_domain::reminder::Means;
use careline_store::deliveries::{self, NewDelivery, status};
use careline_store::jobs::{self, Effect};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use uuid::Uuid;

/// What notices go out with; any may be absent (not configured).
#[derive(Clone, Default)]
pub struct Senders {
    pub sms: Option<TwilioRest>,
    pub email: Option<Mailer>,
    pub dialer: Option<Arc<dyn Dialer>>,
}

impl Senders {
    /// The channels these senders can send by, for `careline_domain::reminder::choose_channel`.
    pub fn means(&self) -> Means {
        Means {
            voice: self.dialer.is_some(),
            sms: self.sms.is_some(),
            email: self.email.is_some(),
        }
    }
}

/// A message to send, with the sender that sends it.
pub enum Message<'a> {
    Sms {
        via: &'a TwilioRest,
        /// E.164.
        to: String,
        body: String,
    },
    Email {
        via: &'a Mailer,
        email: Email,
    },
}

impl Message<'_> {
    fn channel(&self) -> &'static str {
        match self {
            Message::Sms { .. } => "sms",
            Message::Email { .. } => "email",
        }
    }
}

/// Send `message` once as the job's `effect` (e.g. `"sms"`, `"email:{user}"`), recorded as a
/// delivery described by `record` (its channel is set here). A retry of the job after this
/// succeeded sends nothing; after an attempt in doubt, see the module's note.
pub async fn send_message(
    ctx: &JobContext,
    effect: &str,
    mut record: NewDelivery,
    message: Message<'_>,
) -> Result<(), JobError> {
    let store = &ctx.store;
    record.channel = message.channel().into();
    match jobs::begin_effect(store, &ctx.job, effect, ctx.now).await? {
        Effect::New => {}
        Effect::Done { .. } => return Ok(()),
        Effect::InDoubt { since } => match &message {
            Message::Sms { via, to, body } => match via.find_sent(to, body, since).await {
                // Twilio has it: the earlier attempt sent it. Record that, send nothing.
                Ok(Some(sent)) => {
                    let d = deliveries::start(store, record, ctx.now).await?;
                    deliveries::update(
                        store,
                        d,
                        &sent.status,
                        Some(&sent.provider_id),
                        Some("sent by an earlier attempt (found at Twilio)"),
                        ctx.now,
                    )
                    .await?;
                    jobs::finish_effect(store, &ctx.job, effect, Some(&sent.provider_id), ctx.now)
                        .await?;
                    return Ok(());
                }
                // Twilio never got it: safe to send (the effect stays started).
                Ok(None) => {}
                Err(e) => {
                    return Err(JobError::retry(format!(
                        "an earlier attempt (at {since}) may have sent this {kind}; asking \
                         Twilio failed, asking again later: {e}",
                        kind = record.kind
                    )));
                }
            },
            Message::Email { .. } => {
                return Err(in_doubt(&record.kind, "email", since));
            }
        },
    }
    let d = deliveries::start(store, record, ctx.now).await?;
    let result = match &message {
        Message::Sms { via, to, body } => via.send(to, body).await,
        Message::Email { via, email } => via.send(email).await,
    };
    match result {
        Ok(sent) => {
            deliveries::update(
                store,
                d,
                &sent.status,
                Some(&sent.provider_id),
                None,
                ctx.now,
            )
            .await?;
            jobs::finish_effect(store, &ctx.job, effect, Some(&sent.provider_id), ctx.now).await?;
            Ok(())
        }
        Err(e) => failed(ctx, effect, d, e).await,
    }
}

/// The job's answer to an effect an earlier attempt may have done and nobody can ask about.
fn in_doubt(kind: &str, what: &str, since: DateTime<Utc>) -> JobError {
    JobError::permanent(format!(
        "an earlier attempt (at {since}) may have sent this {kind} {what} and did not record \
         the outcome; not sending again: check the provider's log and retry or cancel"
    ))
}

/// A send that failed: recorded on the delivery; the effect forgotten when nothing left.
async fn failed(
    ctx: &JobContext,
    effect: &str,
    delivery_id: Uuid,
    e: SendError,
) -> Result<(), JobError> {
    let store = &ctx.store;
    deliveries::update(
        store,
        delivery_id,
        status::FAILED,
        None,
        Some(&e.to_string()),
        ctx.now,
    )
    .await?;
    if e.nothing_sent() {
        jobs::abandon_effect(store, &ctx.job, effect).await?;
    }
    Err(match e {
        SendError::Permanent(_) => JobError::permanent(e),
        _ => JobError::retry(e),
    })
}

/// A call to place: to whom, from which of our lines, and what the engine does when answered.
pub struct Call {
    /// E.164.
    pub to: String,
    /// The practice's line: the number the callee knows us by.
    pub caller_id: String,
    pub purpose: Outbound,
}

/// Place `call` once as the job's `"call"` effect, recorded as a delivery described by
/// `record`. `Ok(None)`: an earlier attempt placed it (nothing to do); `Ok(Some(dialed))`:
/// placed now — the caller acts on busy and no answer. A call not placed is a retry.
pub async fn place_call(
    ctx: &JobContext,
    dialer: &dyn Dialer,
    mut record: NewDelivery,
    call: Call,
) -> Result<Option<Dialed>, JobError> {
    let store = &ctx.store;
    record.channel = "voice".into();
    match jobs::begin_effect(store, &ctx.job, "call", ctx.now).await? {
        Effect::New => {}
        Effect::Done { .. } => return Ok(None),
        Effect::InDoubt { since } => return Err(in_doubt(&record.kind, "call", since)),
    }
    let d = deliveries::start(store, record, ctx.now).await?;
    let dialed = dialer
        .dial(OutboundCall {
            delivery_id: d,
            to: call.to,
            caller_id: call.caller_id,
            purpose: call.purpose,
        })
        .await;
    let (state, call_id) = match &dialed {
        Dialed::Answered { call_id } => (status::ANSWERED, Some(call_id.as_str())),
        Dialed::Placed { call_id } => (status::PLACED, Some(call_id.as_str())),
        Dialed::Busy => (status::BUSY, None),
        Dialed::NoAnswer => (status::NO_ANSWER, None),
        Dialed::Failed {
            reason,
            nothing_sent,
        } => {
            deliveries::update(store, d, status::FAILED, None, Some(reason), ctx.now).await?;
            if *nothing_sent {
                jobs::abandon_effect(store, &ctx.job, "call").await?;
            }
            return Err(JobError::retry(format!(
                "{} call not placed: {reason}",
                dialer.transport()
            )));
        }
    };
    deliveries::update(store, d, state, call_id, None, ctx.now).await?;
    jobs::finish_effect(store, &ctx.job, "call", call_id, ctx.now).await?;
    Ok(Some(dialed))
}

/// A notice that could not go because no sender is configured for any channel that reaches
/// the person: recorded as a delivery `not_sent` with the reason, so the appointment's page
/// and the deliveries list show it instead of silence. Idempotent per job and attempt.
pub async fn not_sent(
    ctx: &JobContext,
    mut record: NewDelivery,
    why: &str,
) -> Result<(), JobError> {
    let store = &ctx.store;
    if record.channel.is_empty() {
        record.channel = "none".into();
    }
    if let Effect::New = jobs::begin_effect(store, &ctx.job, "not_sent", ctx.now).await? {
        let d = deliveries::start(store, record, ctx.now).await?;
        deliveries::update(store, d, status::NOT_SENT, None, Some(why), ctx.now).await?;
        jobs::finish_effect(store, &ctx.job, "not_sent", None, ctx.now).await?;
    }
    Ok(())
}
