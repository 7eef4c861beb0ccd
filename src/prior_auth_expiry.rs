//! Prior authorizations' validity over time (seed 003's prior auth tracking): the recurring
//! `prior_auth.expire` job moves an approval whose last valid day has ended, in its practice's
//! time zone, to `expired`, and tells the staff who asked for it (the request's author and the
//! patient's doctor) in-app; `prior_auth_renewal_notice_days` (a practice setting, default 14)
//! before that day it tells them once that it needs renewal. A renewal (a new approval with a
//! later last day) moves the day on, so the sweep leaves it alone.
//!
//! The notices say only that an authorization for a patient's request needs renewal, until
//! when, and where on the dashboard: never the patient, the procedure, the diagnosis or the
//! payer. Each is written once (its source key names the authorization, its last valid day and
//! the person), so a tick that runs twice, or the next hour's tick, adds nothing.

use crate::jobs::{JobContext, Registry};
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::clinical::{authorization_lapsed, renewal_notice_due};
use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_store::audit::{AuditEvent, AuditWriter};
use careline_store::entity::user;
use careline_store::prior_auth::{self, LapseCandidate};
use careline_store::staff_notifications::{self, NewNotification};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::EntityTrait;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The recurring sweep.
pub const PRIOR_AUTH_EXPIRE: &str = "prior_auth.expire";

/// Hourly at :20 (UTC), not once a day: the schedule is in UTC and practices are not, so an
/// hourly tick lapses each practice's approvals within the hour after its own midnight.
pub const SCHEDULE: &str = "0 20 * * * *";

/// The longest notice a practice may ask for (`prior_auth_renewal_notice_days`).
const MAX_NOTICE_DAYS: i64 = 90;

/// Add the sweep to `registry`; expiries are written to the audit trail through `audit`.
pub fn register(registry: &mut Registry, audit: AuditWriter) {
    registry
        .recurring(PRIOR_AUTH_EXPIRE, SCHEDULE, move |ctx: JobContext| {
            let audit = audit.clone();
            async move {
                let done = sweep(&ctx.store, &audit, ctx.now).await?;
                if done.expired + done.noticed > 0 {
                    tracing::info!(
                        expired = done.expired,
                        noticed = done.noticed,
                        "prior authorizations expired or noticed"
                    );
                }
                Ok(())
            }
        })
        .expect("a valid schedule");
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Approvals moved to expired.
    pub expired: u64,
    /// "Expiring soon" notices written (one per person).
    pub noticed: u64,
}

/// What the sweep knows of a doctor's practice.
#[derive(Clone)]
struct Practice {
    today: NaiveDate,
    notice_days: u32,
    organization_id: Option<Uuid>,
    name: String,
}

async fn practice_of(
    store: &Store,
    doctor_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Practice, StoreError> {
    Ok(
        match careline_store::practice::of_doctor(store, doctor_id).await? {
            Some(c) => Practice {
                today: now.with_timezone(&c.settings.tz()).date_naive(),
                notice_days: c.settings.prior_auth_renewal_notice_days,
                organization_id: Some(c.organization_id),
                name: c.settings.practice_name,
            },
            None => Practice {
                today: now.date_naive(),
                notice_days: 14,
                organization_id: None,
                name: "Your practice".into(),
            },
        },
    )
}

/// Expire what lapsed by `now` and give the notices that are due. Safe to run any number of
/// times: an expiry is conditional on the approval (and its last day) being as read, and each
/// notice is written once.
pub async fn sweep(
    store: &Store,
    audit: &AuditWriter,
    now: DateTime<Utc>,
) -> Result<Swept, StoreError> {
    // Every practice's local date is within a day of UTC's: read every approval that could be
    // lapsed or within the longest notice anywhere, then decide per practice.
    let through = now.date_naive() + Duration::days(1 + MAX_NOTICE_DAYS);
    let mut practices: HashMap<Uuid, Practice> = HashMap::new();
    let mut done = Swept::default();
    for c in prior_auth::lapse_candidates(store, through).await? {
        let practice = match practices.get(&c.doctor_id) {
            Some(p) => p.clone(),
            None => {
                let p = practice_of(store, c.doctor_id, now).await?;
                practices.insert(c.doctor_id, p.clone());
                p
            }
        };
        if authorization_lapsed(c.valid_until, practice.today) {
            let notices = notices(store, &c, &practice, NotificationKind::PriorAuthExpired).await?;
            if prior_auth::expire(store, c.id, c.valid_until, notices, now).await? {
                done.expired += 1;
                audit
                    .record(
                        AuditEvent::new(
                            AuditType::Rest,
                            AuditAction::U,
                            format!("prior authorization expired: valid until {}", c.valid_until),
                        )
                        .entity("prior_authorization", c.id)
                        .entity("patient", c.patient_id),
                    )
                    .await?;
            }
        } else if renewal_notice_due(c.valid_until, practice.today, practice.notice_days) {
            let notices =
                notices(store, &c, &practice, NotificationKind::PriorAuthExpiring).await?;
            for n in notices {
                if staff_notifications::create(store, n, now).await?.is_some() {
                    done.noticed += 1;
                }
            }
        }
    }
    Ok(done)
}

/// The request's place on the dashboard (a path).
pub fn link(id: Uuid, kind: NotificationKind) -> String {
    let status = match kind {
        NotificationKind::PriorAuthExpired => "expired",
        _ => "approved",
    };
    format!("/prior-authorizations?status={status}#auth-{id}")
}

/// The people an authorization's notices go to: whoever drafted it and the patient's doctor,
/// each once, while their account is active. (id, name).
async fn recipients(store: &Store, c: &LapseCandidate) -> Result<Vec<(Uuid, String)>, StoreError> {
    let mut who: Vec<(Uuid, String)> = Vec::new();
    for id in c.created_by.into_iter().chain([c.doctor_id]) {
        if who.iter().any(|(w, _)| *w == id) {
            continue;
        }
        if let Some(u) = user::Entity::find_by_id(id).one(store.db()).await?
            && u.is_active
        {
            who.push((u.id, u.full_name));
        }
    }
    Ok(who)
}

/// One notice of `kind` per recipient, in the practice's English template, else the built-in.
async fn notices(
    store: &Store,
    c: &LapseCandidate,
    practice: &Practice,
    kind: NotificationKind,
) -> Result<Vec<NewNotification>, StoreError> {
    let template = match practice.organization_id {
        Some(org) => {
            careline_store::notification_templates::effective(
                store.db(),
                org,
                kind,
                Channel::InApp,
                "en",
            )
            .await?
        }
        None => Template::built_in(kind, Channel::InApp)
            .ok_or_else(|| StoreError::Config(format!("no built-in {} notice", kind.as_str())))?,
    };
    let link = link(c.id, kind);
    let until = c.valid_until.format("%A, %B %-d, %Y").to_string();
    let mut out = Vec::new();
    for (user_id, name) in recipients(store, c).await? {
        let values = BTreeMap::from([
            ("practice_name", practice.name.clone()),
            ("staff_name", name),
            ("valid_until", until.clone()),
            ("dashboard_link", link.clone()),
        ]);
        let rendered = template
            .render(&values)
            .map_err(|e| StoreError::Config(format!("prior authorization notice: {e}")))?;
        out.push(NewNotification {
            user_id,
            kind: kind.as_str().into(),
            title: rendered
                .subject
                .unwrap_or_else(|| "A prior authorization needs renewal".into()),
            body: rendered.body,
            link: link.clone(),
            // Per authorization, last day and person: a renewal's new last day gets its own.
            source_key: Some(format!(
                "{}:{}:{}:{user_id}",
                kind.as_str(),
                c.id,
                c.valid_until
            )),
        });
    }
    Ok(out)
}
