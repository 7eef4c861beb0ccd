//! The confirmation call of a service scheduled by phone ("We will call you to confirm"): the
//! `confirmation_call` job the booking enqueued rings the patient from the line they called;
//! verified, they hear the service and its date and press 1 to confirm (2 or 0: a person). A
//! call that meets no one is tried again (three calls in all, 30 minutes apart, outside quiet
//! hours); after that the office follows up, as the jobs page shows.

use super::{Senders, delivery_record};
use crate::calls::dialer::Dialed;
use crate::jobs::send::{self, Call};
use crate::jobs::{JobContext, JobError, Registry, RetryPolicy};
use careline_call::engine::Outbound;
use careline_domain::reminder::ReminderSettings;
use careline_store::calls::{self as store_calls, CONFIRMATION_CALL};
use careline_store::jobs::{self, NewJob};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// The delivery kind of these calls.
pub const KIND: &str = "service_confirmation";
/// Calls made before the office takes over.
pub const ATTEMPTS: u32 = 3;
const RETRY_MINUTES: i64 = 30;

/// The job's payload (as the booking writes it, plus the attempt on retries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmationJob {
    /// The service appointment.
    pub appointment_id: Uuid,
    #[serde(default = "one")]
    pub attempt: u32,
}

fn one() -> u32 {
    1
}

/// Add the confirmation call kind; quiet hours are the defaults in `zone` (the menu file's
/// time zone: wound-care services have no practice configuration).
pub fn register(registry: &mut Registry, senders: Arc<Senders>, zone: chrono_tz::Tz) {
    registry
        .register(
            CONFIRMATION_CALL,
            move |ctx: JobContext, job: ConfirmationJob| {
                let senders = senders.clone();
                async move { confirm(&ctx, &senders, job, zone).await }
            },
        )
        .retry(RetryPolicy {
            base: std::time::Duration::from_secs(60),
            max: std::time::Duration::from_secs(1800),
        })
        .timeout(std::time::Duration::from_secs(120));
}

async fn confirm(
    ctx: &JobContext,
    senders: &Senders,
    job: ConfirmationJob,
    zone: chrono_tz::Tz,
) -> Result<(), JobError> {
    let store = &ctx.store;
    let Some(a) = store_calls::service_appointment(store, job.appointment_id).await? else {
        return Ok(());
    };
    if a.status != "requested" {
        // Confirmed or cancelled meanwhile: nothing to ask.
        return Ok(());
    }
    let Some(dialer) = &senders.dialer else {
        return Err(JobError::permanent(
            "no way to place calls: set sip_trunk_uri, or Twilio (twilio_account_sid, \
             sms_from) and public_url; the office must confirm this service by hand",
        ));
    };
    let Some(phone) = careline_store::reminders::patient_phone(store, a.patient_id).await? else {
        return Err(JobError::permanent(
            "the patient has no phone number on file (or is archived)",
        ));
    };
    let quiet = ReminderSettings::default();
    let allowed = quiet.allowed_at(ctx.now, &zone);
    if allowed > ctx.now {
        follow_up(
            store,
            &job,
            &format!(":after{}", allowed.timestamp()),
            allowed,
            ctx.now,
        )
        .await?;
        return Ok(());
    }
    // From the line they called; it is the number they know us by.
    let our_line = match &a.call_id {
        Some(c) => store_calls::call_summary(store, c)
            .await
            .ok()
            .map(|s| s.to_number),
        None => None,
    };
    let Some(our_line) = our_line.filter(|n| n.starts_with('+')) else {
        return Err(JobError::permanent(
            "the booking's call and line are unknown",
        ));
    };
    let mut record = delivery_record(ctx, KIND, "voice", job.attempt);
    record.patient_id = Some(a.patient_id);
    record.appointment_id = Some(a.id);
    let call = Call {
        to: phone.expose().clone(),
        caller_id: our_line,
        purpose: Outbound::ServiceConfirmation {
            patient_id: a.patient_id,
            service_appointment_id: a.id,
        },
    };
    let dialed = send::place_call(ctx, dialer.as_ref(), record, call).await?;
    if matches!(dialed, Some(Dialed::Busy | Dialed::NoAnswer)) {
        no_one(store, &job, zone, ctx.now).await?;
    }
    Ok(())
}

async fn follow_up(
    store: &Store,
    job: &ConfirmationJob,
    suffix: &str,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let payload = serde_json::to_value(job)
        .map_err(|e| StoreError::Config(format!("confirmation payload: {e}")))?;
    jobs::enqueue_now(
        store,
        NewJob::new(CONFIRMATION_CALL, payload, run_at)
            .key(format!("confirmation_call:{}{suffix}", job.appointment_id)),
        now,
    )
    .await?;
    Ok(())
}

/// The call met no one: call again later, until the attempts are used up.
pub(super) async fn no_one(
    store: &Store,
    job: &ConfirmationJob,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if job.attempt >= ATTEMPTS {
        tracing::info!(service_appointment = %job.appointment_id,
            "confirmation calls met no one; the office follows up");
        return Ok(());
    }
    let next = ConfirmationJob {
        attempt: job.attempt + 1,
        ..job.clone()
    };
    let at = ReminderSettings::default().allowed_at(now + Duration::minutes(RETRY_MINUTES), &zone);
    follow_up(store, &next, &format!(":call{}", next.attempt), at, now).await
}
