//! Appointment reminders: the job that reaches a patient 24 hours and 4 hours before a visit
//! by text, email or a phone call, and what happens when a call meets no one. The jobs are
//! scheduled with the booking (`careline_store::reminders`); the timing and channel rules are
//! `careline_domain::reminder`; docs/notifications.md describes the whole.
//!
//! Each send follows the jobs' effect pattern (`crate::jobs`): recorded as started before it
//! goes and as done after, under the job's key, so a retry never texts or calls twice. Each
//! leaves a delivery record (`careline_store::deliveries`) that the providers' callbacks
//! update. Messages carry the minimum necessary: the templates have no clinical placeholder.

use crate::calls::dialer::{Dialed, Dialer, OutboundCall};
use crate::jobs::{JobContext, JobError, Registry, RetryPolicy};
use crate::notify::SendError;
use crate::notify::email::{Email, Mailer};
use crate::notify::twilio::TwilioRest;
use careline_call::engine::Outbound;
use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_domain::reminder::{ReminderChannel, after_calls, reminder_channel};
use careline_store::deliveries::{self, NewDelivery, status};
use careline_store::jobs::{self, Effect};
use careline_store::reminders::{REMINDER, ReminderFacts, ReminderJob};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub mod confirmation;

/// What reminders are sent with. A channel whose sender is not configured is skipped for the
/// next one that can reach the patient.
#[derive(Clone, Default)]
pub struct Senders {
    pub sms: Option<TwilioRest>,
    pub email: Option<Mailer>,
    pub dialer: Option<Arc<dyn Dialer>>,
}

impl Senders {
    fn has(&self, c: ReminderChannel) -> bool {
        match c {
            ReminderChannel::Sms => self.sms.is_some(),
            ReminderChannel::Email => self.email.is_some(),
            ReminderChannel::Voice => self.dialer.is_some(),
            ReminderChannel::None => false,
        }
    }
}

/// Add the reminder and service confirmation call kinds to `registry`. `zone`: the menu
/// file's time zone (quiet hours of service confirmations, which have no practice).
pub fn register(registry: &mut Registry, senders: Senders, zone: chrono_tz::Tz) {
    let senders = Arc::new(senders);
    confirmation::register(registry, senders.clone(), zone);
    registry
        .register(REMINDER, move |ctx: JobContext, job: ReminderJob| {
            let senders = senders.clone();
            async move { remind(&ctx, &senders, job).await }
        })
        // A provider down: try again within minutes, and give up in about an hour.
        .retry(RetryPolicy {
            base: Duration::from_secs(30),
            max: Duration::from_secs(1200),
        })
        .timeout(Duration::from_secs(120));
}

/// Why a reminder was not sent, for the log (no PHI).
fn skip(job: &ReminderJob, why: &str) -> Result<(), JobError> {
    tracing::info!(appointment = %job.appointment_id, lead = job.lead.as_str(), why,
        "reminder not sent");
    Ok(())
}

async fn remind(ctx: &JobContext, senders: &Senders, job: ReminderJob) -> Result<(), JobError> {
    let store = &ctx.store;
    let now = ctx.now;
    let Some(facts) = careline_store::reminders::facts(store, job.appointment_id).await? else {
        return skip(&job, "the appointment or its practice is gone");
    };
    if !facts.still_due(job.starts_at) {
        return skip(
            &job,
            "the appointment was moved, cancelled or the patient archived",
        );
    }
    if now > facts.starts_at - careline_domain::reminder::TOO_LATE {
        return skip(&job, "too close to the visit");
    }
    let settings = &facts.settings.reminders;
    if !settings.enabled {
        return skip(&job, "reminders are off at the practice");
    }
    // Due in quiet hours (the worker was down, or a retry landed there): wait for the end.
    let tz = facts.settings.tz();
    let allowed = settings.allowed_at(now, &tz);
    if allowed > now {
        let suffix = format!(":after{}", allowed.timestamp());
        careline_store::reminders::follow_up(store, &job, &suffix, allowed, now).await?;
        return skip(&job, "quiet hours: moved to their end");
    }
    let channel = match job.channel {
        Some(c) => Some(c),
        None => pick_channel(&facts, senders),
    };
    let Some(channel) = channel.filter(|c| senders.has(*c)) else {
        return skip(&job, "no channel reaches the patient");
    };
    match channel {
        ReminderChannel::Sms => text(ctx, senders, &facts, &job).await,
        ReminderChannel::Email => email(ctx, senders, &facts, &job).await,
        ReminderChannel::Voice => call(ctx, senders, &facts, &job).await,
        ReminderChannel::None => Ok(()),
    }
}

/// The patient's channel, moved on to one that reaches them and that CareLine can send by.
fn pick_channel(facts: &ReminderFacts, senders: &Senders) -> Option<ReminderChannel> {
    let wanted = facts.wanted_channel();
    let has_phone = facts.phone.is_some();
    let has_email = facts.email.is_some();
    // Try the wanted one first, then the rule's order, each only if its sender is set up.
    let first = reminder_channel(wanted, has_phone, facts.sms_opted_out, has_email)?;
    if senders.has(first) {
        return Some(first);
    }
    let can = |c: ReminderChannel| {
        senders.has(c)
            && match c {
                ReminderChannel::Voice => has_phone,
                ReminderChannel::Sms => has_phone && !facts.sms_opted_out,
                ReminderChannel::Email => has_email,
                ReminderChannel::None => false,
            }
    };
    [
        ReminderChannel::Sms,
        ReminderChannel::Email,
        ReminderChannel::Voice,
    ]
    .into_iter()
    .find(|c| can(*c))
}

/// The template's values: never clinical (not even the visit type).
fn values(facts: &ReminderFacts) -> BTreeMap<&'static str, String> {
    let local = facts.starts_at.with_timezone(&facts.settings.tz());
    BTreeMap::from([
        ("practice_name", facts.settings.practice_name.clone()),
        (
            "practice_phone",
            facts
                .settings
                .phone_number
                .clone()
                .unwrap_or_else(|| "the office".into()),
        ),
        ("patient_first_name", facts.first_name.expose().clone()),
        ("appointment_date", local.format("%A, %B %-d").to_string()),
        ("appointment_time", local.format("%-I:%M %p").to_string()),
        ("provider_name", facts.provider_name.clone()),
        ("confirmation_number", facts.confirmation_number.clone()),
    ])
}

/// The practice's wording for this kind and channel in the patient's language, else its
/// English, else the built-in (`notification_templates::effective`).
async fn template(
    store: &Store,
    facts: &ReminderFacts,
    channel: Channel,
) -> Result<Template, JobError> {
    careline_store::notification_templates::effective(
        store.db(),
        facts.organization_id,
        NotificationKind::AppointmentReminder,
        channel,
        &facts.language,
    )
    .await
    .map_err(|e| match e {
        StoreError::Invalid(_) => JobError::permanent(format!("no reminder template: {e}")),
        other => JobError::from(other),
    })
}

fn delivery(ctx: &JobContext, facts: &ReminderFacts, channel: &str, attempt: u32) -> NewDelivery {
    let mut d = delivery_record(ctx, "appointment_reminder", channel, attempt);
    d.patient_id = Some(facts.patient_id);
    d.appointment_id = Some(facts.appointment_id);
    d
}

/// A delivery of `kind` by `channel` made by this job.
fn delivery_record(ctx: &JobContext, kind: &str, channel: &str, attempt: u32) -> NewDelivery {
    NewDelivery {
        kind: kind.into(),
        channel: channel.into(),
        job_id: Some(ctx.job.id),
        attempt: attempt as i32,
        ..NewDelivery::default()
    }
}

/// What an effect's earlier attempt left: go on (`None`), or the job's answer now.
fn settled(effect: Effect) -> Option<Result<(), JobError>> {
    match effect {
        Effect::New => None,
        Effect::Done { .. } => Some(Ok(())),
        Effect::InDoubt { since } => Some(Err(JobError::permanent(format!(
            "an earlier attempt (at {since}) may have sent this reminder and did not record \
             the outcome; not sending again: check the provider's log and retry or cancel"
        )))),
    }
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

async fn text(
    ctx: &JobContext,
    senders: &Senders,
    facts: &ReminderFacts,
    job: &ReminderJob,
) -> Result<(), JobError> {
    let (Some(sms), Some(phone)) = (&senders.sms, &facts.phone) else {
        return skip(job, "no SMS sender or number");
    };
    let body = template(&ctx.store, facts, Channel::Sms)
        .await?
        .render(&values(facts))
        .map_err(JobError::permanent)?
        .body;
    if let Some(r) = settled(jobs::begin_effect(&ctx.store, &ctx.job, "sms", ctx.now).await?) {
        return r;
    }
    let d = deliveries::start(&ctx.store, delivery(ctx, facts, "sms", 1), ctx.now).await?;
    match sms.send(phone.expose(), &body).await {
        Ok(sent) => {
            deliveries::update(
                &ctx.store,
                d,
                &sent.status,
                Some(&sent.provider_id),
                None,
                ctx.now,
            )
            .await?;
            jobs::finish_effect(
                &ctx.store,
                &ctx.job,
                "sms",
                Some(&sent.provider_id),
                ctx.now,
            )
            .await?;
            Ok(())
        }
        Err(e) => failed(ctx, "sms", d, e).await,
    }
}

async fn email(
    ctx: &JobContext,
    senders: &Senders,
    facts: &ReminderFacts,
    job: &ReminderJob,
) -> Result<(), JobError> {
    let (Some(mailer), Some(address)) = (&senders.email, &facts.email) else {
        return skip(job, "no mailer or address");
    };
    let rendered = template(&ctx.store, facts, Channel::Email)
        .await?
        .render(&values(facts))
        .map_err(JobError::permanent)?;
    if let Some(r) = settled(jobs::begin_effect(&ctx.store, &ctx.job, "email", ctx.now).await?) {
        return r;
    }
    let d = deliveries::start(&ctx.store, delivery(ctx, facts, "email", 1), ctx.now).await?;
    let message = Email {
        to: address.expose().clone(),
        subject: rendered.subject.unwrap_or_default(),
        body: rendered.body,
        idempotency_key: format!("{}:{}", ctx.job.kind, ctx.job.idempotency_key),
    };
    match mailer.send(&message).await {
        Ok(sent) => {
            deliveries::update(
                &ctx.store,
                d,
                status::SENT,
                Some(&sent.provider_id),
                None,
                ctx.now,
            )
            .await?;
            jobs::finish_effect(
                &ctx.store,
                &ctx.job,
                "email",
                Some(&sent.provider_id),
                ctx.now,
            )
            .await?;
            Ok(())
        }
        Err(e) => failed(ctx, "email", d, e).await,
    }
}

async fn call(
    ctx: &JobContext,
    senders: &Senders,
    facts: &ReminderFacts,
    job: &ReminderJob,
) -> Result<(), JobError> {
    let (Some(dialer), Some(phone)) = (&senders.dialer, &facts.phone) else {
        return skip(job, "no dialer or number");
    };
    let Some(our_line) = facts.settings.phone_number.clone() else {
        return Err(JobError::permanent(
            "the practice has no phone_number to call from",
        ));
    };
    if let Some(r) = settled(jobs::begin_effect(&ctx.store, &ctx.job, "call", ctx.now).await?) {
        return r;
    }
    let d = deliveries::start(
        &ctx.store,
        delivery(ctx, facts, "voice", job.attempt),
        ctx.now,
    )
    .await?;
    let dialed = dialer
        .dial(OutboundCall {
            delivery_id: d,
            to: phone.expose().clone(),
            caller_id: our_line,
            purpose: Outbound::AppointmentReminder {
                patient_id: facts.patient_id,
                appointment_id: facts.appointment_id,
            },
        })
        .await;
    let store = &ctx.store;
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
    if matches!(dialed, Dialed::Busy | Dialed::NoAnswer) {
        after_no_one(store, job, facts, ctx.now).await?;
    }
    Ok(())
}

/// How a placed call ended, as a transport reports it later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEnd {
    /// A person answered (the engine runs the call).
    Answered,
    /// The call finished after being answered.
    Completed,
    NoAnswer,
    Busy,
    /// An answering machine took it: a message with only the practice's name and number
    /// was left, and the reminder goes on as if no one answered.
    Voicemail,
    Failed,
}

/// A transport reports how the call placed for `delivery_id` went. Meeting no one (no answer,
/// busy, voicemail, failed) schedules the next call or falls back to a text or email; saying
/// it twice does no more than once. `zone` is the menu file's time zone, for the quiet hours
/// of calls that have no practice (service confirmations).
pub async fn call_ended(
    store: &Store,
    delivery_id: Uuid,
    end: CallEnd,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(d) = deliveries::get(store, delivery_id).await? else {
        return Ok(());
    };
    // "completed" after "answered" is the normal end; after no answer it changes nothing.
    let new_status = match end {
        CallEnd::Answered => status::ANSWERED,
        CallEnd::Completed if d.status == status::ANSWERED => status::COMPLETED,
        CallEnd::Completed => return Ok(()),
        CallEnd::NoAnswer => status::NO_ANSWER,
        CallEnd::Busy => status::BUSY,
        CallEnd::Voicemail => status::VOICEMAIL,
        CallEnd::Failed => status::FAILED,
    };
    deliveries::update(store, delivery_id, new_status, None, None, now).await?;
    if matches!(end, CallEnd::Answered | CallEnd::Completed) {
        return Ok(());
    }
    let Some(job_id) = d.job_id else {
        return Ok(());
    };
    let Some(j) = jobs::get(store, job_id).await? else {
        return Ok(());
    };
    if d.kind == confirmation::KIND {
        let Ok(job) = serde_json::from_value::<confirmation::ConfirmationJob>(j.payload) else {
            return Ok(());
        };
        return confirmation::no_one(store, &job, zone, now).await;
    }
    let Ok(job) = serde_json::from_value::<ReminderJob>(j.payload) else {
        return Ok(());
    };
    let Some(facts) = careline_store::reminders::facts(store, job.appointment_id).await? else {
        return Ok(());
    };
    if !facts.still_due(job.starts_at) {
        return Ok(());
    }
    after_no_one(store, &job, &facts, now).await
}

/// A reminder call met no one: call again later, or text or email instead.
async fn after_no_one(
    store: &Store,
    job: &ReminderJob,
    facts: &ReminderFacts,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let settings = &facts.settings.reminders;
    let tz = facts.settings.tz();
    if let Some(at) = settings.next_call(job.attempt, facts.starts_at, now, &tz) {
        let next = ReminderJob {
            attempt: job.attempt + 1,
            channel: Some(ReminderChannel::Voice),
            ..job.clone()
        };
        let suffix = format!(":call{}", next.attempt);
        careline_store::reminders::follow_up(store, &next, &suffix, at, now).await?;
        return Ok(());
    }
    let sms_ok = facts.phone.is_some() && !facts.sms_opted_out;
    let Some(fallback) = after_calls(sms_ok, facts.email.is_some()) else {
        tracing::info!(appointment = %job.appointment_id, "reminder calls met no one; no other channel");
        return Ok(());
    };
    let next = ReminderJob {
        channel: Some(fallback),
        ..job.clone()
    };
    let at = settings.allowed_at(now, &tz);
    careline_store::reminders::follow_up(store, &next, ":fallback", at, now).await?;
    Ok(())
}
