//! Appointment reminders: the job that reaches a patient 24 hours and 4 hours before a visit
//! by text, email or a phone call, and what happens when a call meets no one. The jobs are
//! scheduled with the booking (`careline_store::reminders`); the timing and channel rules are
//! `careline_domain::reminder`; docs/notifications.md describes the whole.
//!
//! Each send follows the jobs' effect pattern (`crate::jobs`): recorded as started before it
//! goes and as done after, under the job's key, so a retry never texts or calls twice. Each
//! leaves a delivery record (`careline_store::deliveries`) that the providers' callbacks
//! update. Messages carry the minimum necessary: the templates have no clinical placeholder.

use crate::calls::dialer::Dialed;
use crate::jobs::send::{self, Call, Message};
use crate::jobs::{JobContext, JobError, Registry, RetryPolicy};
use crate::notify::email::Email;
use careline_call::engine::Outbound;
use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_domain::reminder::{Means, Reach, ReminderChannel, choose_channel};
use careline_store::deliveries::{self, NewDelivery, status};
use careline_store::jobs;
use careline_store::reminders::{REMINDER, ReminderFacts, ReminderJob};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub mod confirmation;

/// What reminders are sent with (`crate::jobs::send::Senders`). A channel whose sender is
/// not configured is skipped for the next one that can reach the patient.
pub use crate::jobs::send::Senders;

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
    let reach = reach(&facts);
    let means = senders.means();
    let channel = match job.channel {
        // A later call, or the text or email after calls met no one, as pinned by the step
        // before; if that channel's sender is gone, a text, else an email.
        Some(c) => choose_channel(c, reach, means)
            .filter(|got| *got == c)
            .or_else(|| choose_channel(ReminderChannel::Sms, reach, means.without_voice())),
        None => choose_channel(facts.wanted_channel(), reach, means),
    };
    let Some(channel) = channel else {
        if choose_channel(facts.wanted_channel(), reach, Means::ALL).is_some() {
            // The patient can be reached, but not by anything configured: say so where staff
            // look (the appointment's reminders), not only in the log.
            send::not_sent(
                ctx,
                delivery(ctx, &facts, "", job.attempt),
                "no sender configured for a channel that reaches the patient (set smtp_url, \
                 Twilio, or sip_trunk_uri)",
            )
            .await?;
        }
        return skip(&job, "no channel reaches the patient");
    };
    match channel {
        ReminderChannel::Sms => text(ctx, senders, &facts, &job).await,
        ReminderChannel::Email => email(ctx, senders, &facts, &job).await,
        ReminderChannel::Voice => call(ctx, senders, &facts, &job).await,
        ReminderChannel::None => Ok(()),
    }
}

/// What is on file to reach the patient by.
fn reach(facts: &ReminderFacts) -> Reach {
    Reach {
        phone: facts.phone.is_some(),
        sms_opted_out: facts.sms_opted_out,
        email: facts.email.is_some(),
    }
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
    let message = Message::Sms {
        via: sms,
        to: phone.expose().clone(),
        body,
    };
    send::send_message(ctx, "sms", delivery(ctx, facts, "sms", 1), message).await
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
    let message = Message::Email {
        via: mailer,
        email: Email {
            to: address.expose().clone(),
            subject: rendered.subject.unwrap_or_default(),
            body: rendered.body,
            idempotency_key: format!("{}:{}", ctx.job.kind, ctx.job.idempotency_key),
        },
    };
    send::send_message(ctx, "email", delivery(ctx, facts, "email", 1), message).await
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
    let call = Call {
        to: phone.expose().clone(),
        caller_id: our_line,
        purpose: Outbound::AppointmentReminder {
            patient_id: facts.patient_id,
            appointment_id: facts.appointment_id,
        },
    };
    let record = delivery(ctx, facts, "voice", job.attempt);
    let dialed = send::place_call(ctx, dialer.as_ref(), record, call).await?;
    if matches!(dialed, Some(Dialed::Busy | Dialed::NoAnswer)) {
        after_no_one(&ctx.store, job, facts, ctx.now).await?;
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
    // A text, else an email; which of them is configured is the fallback job's to check.
    let Some(fallback) = choose_channel(
        ReminderChannel::Sms,
        reach(facts),
        Means::ALL.without_voice(),
    ) else {
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
