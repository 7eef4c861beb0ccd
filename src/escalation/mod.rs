//! Escalation of urgent messages for providers: the job that, while an urgent message stays
//! unacknowledged, notifies the next person on its chain (the on-call provider or the
//! patient's doctor, then the practice's next doctor, then its practice managers) and
//! schedules the step after. The chain and its steps are `careline_store::escalation`;
//! docs/notifications.md describes the whole.
//!
//! Each notice is an in-app notification (always, written with its live notice and the next
//! step in one transaction) and, when the person has them, an SMS and an email, each sent
//! with the jobs' effect pattern (`crate::jobs`) under the step's key and the person, and
//! recorded as a delivery. Notices carry the minimum necessary: the practice, how long the
//! message has waited and a link; never the message's text or the patient.

use crate::jobs::send::{self, Message};
use crate::jobs::{JobContext, JobError, Registry, RetryPolicy};
use crate::notify::email::Email;
use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_store::deliveries::NewDelivery;
use careline_store::escalation::{self, ESCALATE, EscalationFacts, EscalationJob, Recipient};
use careline_store::staff_notifications::{self, NewNotification};
use careline_store::{Store, StoreError};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The deliveries' kind and the notifications' kind.
pub const KIND: &str = "urgent_message_escalation";

/// What escalation notices go out with besides the in-app notification; any may be absent
/// (calls are not used).
#[derive(Clone, Default)]
pub struct Senders {
    pub send: send::Senders,
    /// The dashboard's address for links in SMS and email (`public_url`, else this server).
    pub link_base: String,
}

/// Add the escalation job kind to `registry`.
pub fn register(registry: &mut Registry, senders: Senders) {
    let senders = Arc::new(senders);
    registry
        .register(ESCALATE, move |ctx: JobContext, job: EscalationJob| {
            let senders = senders.clone();
            async move { escalate(&ctx, &senders, job).await }
        })
        // An SMS or SMTP provider down: try again within a minute or two; the chain's next
        // step is already scheduled, so a slow notice never holds the chain up.
        .retry(RetryPolicy {
            base: Duration::from_secs(15),
            max: Duration::from_secs(300),
        })
        .timeout(Duration::from_secs(120));
}

/// The message's place on the dashboard (a path).
pub fn link(message_id: Uuid) -> String {
    format!("/messages?status=all#message-{message_id}")
}

fn stop(job: &EscalationJob, why: &str) -> Result<(), JobError> {
    tracing::info!(message = %job.message_id, step = job.step, why, "escalation stops");
    Ok(())
}

async fn escalate(ctx: &JobContext, senders: &Senders, job: EscalationJob) -> Result<(), JobError> {
    let store = &ctx.store;
    let Some(facts) = escalation::facts(store, job.message_id).await? else {
        return stop(&job, "the message is gone");
    };
    if !facts.unacknowledged {
        return stop(&job, "the message was acknowledged");
    }
    // A step with nobody to notify passes to the next at once.
    let mut step = job.step;
    let people = loop {
        if step > escalation::LAST_STEP {
            return stop(&job, "the chain has no one further");
        }
        let people = escalation::recipients(store, &facts, step).await?;
        if !people.is_empty() {
            break people;
        }
        step += 1;
    };
    let waiting = (ctx.now - facts.created_at).num_minutes().max(0);
    // The in-app notifications and the next step, in one transaction: the chain goes on even
    // when an SMS or email below must be retried.
    let mut notices = Vec::with_capacity(people.len());
    for p in &people {
        let rendered = render(
            store,
            &facts,
            p,
            Channel::InApp,
            waiting,
            &link(job.message_id),
        )
        .await?;
        notices.push(NewNotification {
            user_id: p.user_id,
            kind: KIND.into(),
            title: rendered
                .subject
                .unwrap_or_else(|| "Urgent message waiting".into()),
            body: rendered.body,
            link: link(job.message_id),
            source_key: Some(format!(
                "{ESCALATE}:{}:{}",
                ctx.job.idempotency_key, p.user_id
            )),
        });
    }
    let (txn, gate) = careline_store::begin_write(store).await?;
    // Acknowledged while this step was getting ready: nothing written, nothing sent.
    if !escalation::still_unacknowledged(&txn, job.message_id).await? {
        return stop(&job, "the message was acknowledged");
    }
    if step < escalation::LAST_STEP {
        escalation::schedule(
            &txn,
            job.message_id,
            step + 1,
            ctx.now + facts.wait(),
            ctx.now,
        )
        .await?;
    }
    let mut wrote = false;
    for n in notices {
        wrote |= staff_notifications::add(&txn, n, ctx.now).await?.is_some();
    }
    txn.commit().await.map_err(StoreError::from)?;
    drop(gate);
    if wrote {
        store.outbox_committed();
    }
    store.jobs_enqueued();
    tracing::info!(message = %job.message_id, step, people = people.len(), "urgent message escalated");
    let url = format!("{}{}", senders.link_base, link(job.message_id));
    for p in &people {
        text(ctx, senders, &facts, p, waiting, &url).await?;
        email(ctx, senders, &facts, p, waiting, &url).await?;
    }
    Ok(())
}

/// The practice's wording in the person's language (its English, else the built-in, when it
/// has none in it), filled with values that are never clinical.
async fn render(
    store: &Store,
    facts: &EscalationFacts,
    person: &Recipient,
    channel: Channel,
    waiting: i64,
    link: &str,
) -> Result<careline_domain::notification::Rendered, JobError> {
    let kind = NotificationKind::UrgentMessageEscalation;
    let lang = person.language.as_str();
    let template = match facts.organization_id {
        Some(org) => {
            careline_store::notification_templates::effective(store.db(), org, kind, channel, lang)
                .await
                .map_err(|e| match e {
                    StoreError::Invalid(_) => {
                        JobError::permanent(format!("no escalation template: {e}"))
                    }
                    other => JobError::from(other),
                })?
        }
        None => Template::built_in(kind, channel)
            .ok_or_else(|| JobError::permanent("no built-in escalation template"))?,
    };
    let values = BTreeMap::from([
        ("practice_name", facts.practice_name.clone()),
        ("staff_name", person.full_name.clone()),
        ("waiting_minutes", waiting.to_string()),
        (
            "waiting",
            careline_domain::notification::waiting_words(waiting),
        ),
        ("dashboard_link", link.to_string()),
    ]);
    template.render(&values).map_err(JobError::permanent)
}

fn delivery(ctx: &JobContext, person: &Recipient) -> NewDelivery {
    NewDelivery {
        kind: KIND.into(),
        job_id: Some(ctx.job.id),
        user_id: Some(person.user_id),
        attempt: 1,
        ..NewDelivery::default()
    }
}

async fn text(
    ctx: &JobContext,
    senders: &Senders,
    facts: &EscalationFacts,
    person: &Recipient,
    waiting: i64,
    url: &str,
) -> Result<(), JobError> {
    let (Some(sms), Some(phone)) = (&senders.send.sms, &person.phone) else {
        return Ok(());
    };
    let body = render(&ctx.store, facts, person, Channel::Sms, waiting, url)
        .await?
        .body;
    let message = Message::Sms {
        via: sms,
        to: phone.clone(),
        body,
    };
    let effect = format!("sms:{}", person.user_id);
    send::send_message(ctx, &effect, delivery(ctx, person), message).await
}

async fn email(
    ctx: &JobContext,
    senders: &Senders,
    facts: &EscalationFacts,
    person: &Recipient,
    waiting: i64,
    url: &str,
) -> Result<(), JobError> {
    let (Some(mailer), Some(address)) = (&senders.send.email, &person.email) else {
        return Ok(());
    };
    let rendered = render(&ctx.store, facts, person, Channel::Email, waiting, url).await?;
    let message = Message::Email {
        via: mailer,
        email: Email {
            to: address.clone(),
            subject: rendered.subject.unwrap_or_default(),
            body: rendered.body,
            idempotency_key: format!(
                "{}:{}:{}",
                ctx.job.kind, ctx.job.idempotency_key, person.user_id
            ),
        },
    };
    let effect = format!("email:{}", person.user_id);
    send::send_message(ctx, &effect, delivery(ctx, person), message).await
}
