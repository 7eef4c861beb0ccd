//! Refill requests' jobs (seed 003's refill pipeline: request → provider review → patient
//! notified). The jobs are enqueued by `careline_store::refills` through
//! `careline_store::refill_jobs`; docs/notifications.md ("Refill requests") describes the
//! whole.
//!
//! - `refill.notify_patient`: once a provider approved or denied a request, the patient is
//!   told by text or email (their `reminder_channel`, else the practice's default; never a
//!   call) that it has been answered and to call the practice. Minimum necessary: never the
//!   medication, never the decision. The send follows the jobs' effect pattern
//!   (`crate::jobs`) and leaves a delivery (kind `refill_answered`).
//! - `refill.remind_provider`: a request still pending puts an in-app notification (task
//!   waiting) in its provider's list at the practice's first opening at least 24 hours after
//!   it was taken, and again at each next business day's opening, three times in all; the
//!   third also goes to the practice managers. Each reminder is its own job (key
//!   `{request}:reminder{n}`), enqueued by the one before in the transaction that writes its
//!   notices; the decision cancels the waiting one.

use crate::jobs::send::{self, Message};
use crate::jobs::{JobContext, JobError, Registry, RetryPolicy};
use crate::notify::email::Email;
use careline_domain::clinical::{REFILL_PROVIDER_REMINDERS, next_refill_reminder_at};
use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_domain::reminder::{Means, Reach, ReminderChannel, choose_channel};
use careline_store::deliveries::NewDelivery;
use careline_store::refill_jobs::{
    self, NOTIFY_PATIENT, PatientNoticeFacts, ProviderReminderFacts, ProviderReminderJob,
    REMIND_PROVIDER, RefillJob,
};
use careline_store::staff_notifications::{self, NewNotification};
use careline_store::{Store, StoreError};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The deliveries' kind of the patient's notice.
pub const ANSWERED: &str = "refill_answered";

/// What the patient's notice goes out with (`crate::jobs::send::Senders`; calls are not used).
pub use crate::jobs::send::Senders;

/// Add both refill kinds to `registry`.
pub fn register(registry: &mut Registry, senders: Senders) {
    let senders = Arc::new(senders);
    registry
        .register(NOTIFY_PATIENT, move |ctx: JobContext, job: RefillJob| {
            let senders = senders.clone();
            async move { notify_patient(&ctx, &senders, job).await }
        })
        // A provider down: try again within minutes, and give up in about an hour.
        .retry(RetryPolicy {
            base: Duration::from_secs(30),
            max: Duration::from_secs(1200),
        })
        .timeout(Duration::from_secs(120));
    registry
        .register(
            REMIND_PROVIDER,
            |ctx: JobContext, job: ProviderReminderJob| async move {
                remind_provider(&ctx, job).await
            },
        )
        .timeout(Duration::from_secs(60));
}

/// The request's place on the dashboard (a path).
pub fn link(refill_request_id: Uuid) -> String {
    format!("/refills?status=pending#refill-{refill_request_id}")
}

fn skip(job: &RefillJob, kind: &str, why: &str) -> Result<(), JobError> {
    tracing::info!(refill_request = %job.refill_request_id, kind, why, "refill notice not sent");
    Ok(())
}

/// The channel of the patient's notice: the one rule (`choose_channel`) without calls, so
/// "voice" means a text, then an email. `None`: nothing reaches them, or they want nothing.
pub fn notice_channel(
    wanted: ReminderChannel,
    reach: Reach,
    means: Means,
) -> Option<ReminderChannel> {
    choose_channel(wanted, reach, means.without_voice())
}

async fn notify_patient(
    ctx: &JobContext,
    senders: &Senders,
    job: RefillJob,
) -> Result<(), JobError> {
    let Some(facts) = refill_jobs::patient_notice(&ctx.store, job.refill_request_id).await? else {
        return skip(
            &job,
            NOTIFY_PATIENT,
            "the request, patient or practice is gone",
        );
    };
    if !facts.decided {
        return skip(&job, NOTIFY_PATIENT, "the request is not decided");
    }
    if !facts.patient_active {
        return skip(&job, NOTIFY_PATIENT, "the patient is archived or inactive");
    }
    // Ran late into the practice's quiet hours (the worker was down): wait for their end.
    let allowed = facts
        .settings
        .reminders
        .allowed_at(ctx.now, &facts.settings.tz());
    if allowed > ctx.now {
        refill_jobs::notify_later(&ctx.store, job.refill_request_id, allowed, ctx.now).await?;
        return skip(&job, NOTIFY_PATIENT, "quiet hours: moved to their end");
    }
    let reach = Reach {
        phone: facts.phone.is_some(),
        sms_opted_out: facts.sms_opted_out,
        email: facts.email.is_some(),
    };
    let Some(channel) = notice_channel(facts.wanted_channel(), reach, senders.means()) else {
        return skip(&job, NOTIFY_PATIENT, "no channel reaches the patient");
    };
    match channel {
        ReminderChannel::Sms => text(ctx, senders, &facts).await,
        ReminderChannel::Email => email(ctx, senders, &facts).await,
        _ => Ok(()),
    }
}

/// The template's values: never clinical, never the decision.
fn values(facts: &PatientNoticeFacts) -> BTreeMap<&'static str, String> {
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
    ])
}

async fn template(
    store: &Store,
    facts: &PatientNoticeFacts,
    channel: Channel,
) -> Result<Template, JobError> {
    careline_store::notification_templates::effective(
        store.db(),
        facts.organization_id,
        NotificationKind::RefillAnswered,
        channel,
        &facts.language,
    )
    .await
    .map_err(|e| match e {
        StoreError::Invalid(_) => JobError::permanent(format!("no refill notice template: {e}")),
        other => JobError::from(other),
    })
}

fn delivery(ctx: &JobContext, facts: &PatientNoticeFacts) -> NewDelivery {
    NewDelivery {
        kind: ANSWERED.into(),
        job_id: Some(ctx.job.id),
        patient_id: Some(facts.patient_id),
        attempt: 1,
        ..NewDelivery::default()
    }
}

async fn text(
    ctx: &JobContext,
    senders: &Senders,
    facts: &PatientNoticeFacts,
) -> Result<(), JobError> {
    let (Some(sms), Some(phone)) = (&senders.sms, &facts.phone) else {
        return Ok(());
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
    send::send_message(ctx, "sms", delivery(ctx, facts), message).await
}

async fn email(
    ctx: &JobContext,
    senders: &Senders,
    facts: &PatientNoticeFacts,
) -> Result<(), JobError> {
    let (Some(mailer), Some(address)) = (&senders.email, &facts.email) else {
        return Ok(());
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
    send::send_message(ctx, "email", delivery(ctx, facts), message).await
}

/// The in-app reminder's wording for `staff_name` (the provider, or a practice manager): the
/// practice's English task-waiting template, else the built-in, with values that are never
/// clinical (no patient, no medication).
async fn reminder_text(
    store: &Store,
    facts: &ProviderReminderFacts,
    staff_name: &str,
    waiting: i64,
) -> Result<careline_domain::notification::Rendered, JobError> {
    let kind = NotificationKind::TaskWaiting;
    let template = match facts.organization_id {
        Some(org) => careline_store::notification_templates::effective(
            store.db(),
            org,
            kind,
            Channel::InApp,
            "en",
        )
        .await
        .map_err(|e| match e {
            StoreError::Invalid(_) => JobError::permanent(format!("no task template: {e}")),
            other => JobError::from(other),
        })?,
        None => Template::built_in(kind, Channel::InApp)
            .ok_or_else(|| JobError::permanent("no built-in task template"))?,
    };
    let values = BTreeMap::from([
        ("practice_name", facts.practice_name.clone()),
        ("staff_name", staff_name.to_string()),
        ("waiting_minutes", waiting.to_string()),
        (
            "waiting",
            careline_domain::notification::waiting_words(waiting),
        ),
        ("dashboard_link", link(facts.refill_request_id)),
    ]);
    template.render(&values).map_err(JobError::permanent)
}

/// Whom reminder `n` of a request goes to: the provider (while their account is active),
/// and with the last reminder the practice managers too. (id, name), without repeats.
async fn reminded(
    store: &Store,
    facts: &ProviderReminderFacts,
    n: u32,
) -> Result<Vec<(Uuid, String)>, JobError> {
    let mut who = Vec::new();
    if facts.provider_active {
        who.push((facts.provider_user_id, facts.provider_name.clone()));
    }
    if n >= REFILL_PROVIDER_REMINDERS
        && let Some(org) = facts.organization_id
    {
        for m in refill_jobs::practice_managers(store, org).await? {
            if !who.iter().any(|(id, _)| *id == m.user_id) {
                who.push((m.user_id, m.full_name));
            }
        }
    }
    Ok(who)
}

async fn remind_provider(ctx: &JobContext, job: ProviderReminderJob) -> Result<(), JobError> {
    let store = &ctx.store;
    let id = job.refill_request_id;
    let n = job.reminder.max(1);
    let plain = RefillJob {
        refill_request_id: id,
    };
    let Some(facts) = refill_jobs::provider_reminder(store, id).await? else {
        return skip(
            &plain,
            REMIND_PROVIDER,
            "the request or its provider is gone",
        );
    };
    if !facts.pending {
        return skip(&plain, REMIND_PROVIDER, "the request was decided");
    }
    let waiting = (ctx.now - facts.created_at).num_minutes().max(0);
    let mut notices = Vec::new();
    for (user_id, name) in reminded(store, &facts, n).await? {
        let rendered = reminder_text(store, &facts, &name, waiting).await?;
        notices.push(NewNotification {
            user_id,
            kind: NotificationKind::TaskWaiting.as_str().into(),
            title: rendered
                .subject
                .unwrap_or_else(|| "A task is waiting for you".into()),
            body: rendered.body,
            link: link(id),
            // One per request, reminder and person: a retried job writes nothing new.
            source_key: Some(format!("{REMIND_PROVIDER}:{id}:{n}:{user_id}")),
        });
    }
    // The next reminder, at the next business day's opening, until the last one.
    let next = if n < REFILL_PROVIDER_REMINDERS {
        let at = next_refill_reminder_at(facts.settings.as_ref(), ctx.now);
        Some(refill_jobs::provider_reminder_job(id, n + 1, at)?)
    } else {
        None
    };
    let (txn, gate) = careline_store::begin_write(store).await?;
    // Decided while this got ready: nothing written, nothing scheduled.
    if !refill_jobs::still_pending(&txn, id).await? {
        return skip(&plain, REMIND_PROVIDER, "the request was decided");
    }
    let mut wrote = false;
    for notice in notices {
        wrote |= staff_notifications::add(&txn, notice, ctx.now)
            .await?
            .is_some();
    }
    let queued = next.is_some();
    if let Some(next) = next {
        careline_store::jobs::enqueue(&txn, next, ctx.now).await?;
    }
    txn.commit().await.map_err(StoreError::from)?;
    drop(gate);
    if wrote {
        store.outbox_committed();
    }
    if queued {
        store.jobs_enqueued();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReminderChannel::{Email, Sms, Voice};

    #[test]
    fn a_refill_notice_is_a_text_or_an_email_never_a_call() {
        let reach = |phone, sms_opted_out, email| Reach {
            phone,
            sms_opted_out,
            email,
        };
        let all = Means::ALL;
        // Voice means a text, then an email.
        assert_eq!(
            notice_channel(Voice, reach(true, false, true), all),
            Some(Sms)
        );
        assert_eq!(
            notice_channel(Voice, reach(true, true, true), all),
            Some(Email)
        );
        assert_eq!(notice_channel(Voice, reach(true, true, false), all), None);
        assert_eq!(
            notice_channel(Email, reach(true, false, true), all),
            Some(Email)
        );
        // No mailer: the text instead.
        let no_mail = Means {
            email: false,
            ..all
        };
        assert_eq!(
            notice_channel(Email, reach(true, false, true), no_mail),
            Some(Sms)
        );
        assert_eq!(
            notice_channel(ReminderChannel::None, reach(true, false, true), all),
            None
        );
        assert_eq!(notice_channel(Sms, reach(false, false, false), all), None);
    }
}
