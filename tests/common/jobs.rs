//! The job tests' harness: a worker on a clock the test moves (no sleeping), and the senders a
//! job's handlers are given, pointed at the receivers of `receivers.rs` (the stand-in of
//! Twilio, the real SMTP server); and the staff of the demo practice as actors.

use super::receivers::{SID, SmtpServer, TOKEN};
use careline::jobs::{Registry, Worker, WorkerOptions};
use careline::notify::email::Mailer;
use careline::notify::twilio::TwilioRest;
use careline_domain::{Actor, ManualClock, Role};
use careline_store::Store;
use careline_store::entity::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::sync::Arc;

/// The number texts are sent from.
pub const SMS_FROM: &str = "+15125550199";

/// Who emails come from.
pub const EMAIL_FROM: &str = "Capitol Eye Care <no-reply@capitoleye.test>";

/// A worker running `registry`'s kinds on `clock`.
pub fn worker_on(store: &Store, registry: Registry, clock: &ManualClock) -> Worker {
    Worker::new(
        store.clone(),
        registry,
        Arc::new(clock.clone()),
        WorkerOptions::default(),
    )
}

/// Texts through the Twilio stand-in at `url`.
pub fn sms_sender(url: &str) -> TwilioRest {
    TwilioRest::new(url, SID, TOKEN, SMS_FROM, None).unwrap()
}

/// Email through the SMTP server, when there is one.
pub fn mailer(smtp: Option<&SmtpServer>) -> Option<Mailer> {
    smtp.map(|s| Mailer::new(&s.url(), EMAIL_FROM).unwrap())
}

pub async fn user_by_email(store: &Store, email: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(store.db())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {email}"))
}

/// The user with this address, acting in their role.
pub async fn actor(store: &Store, email: &str) -> Actor {
    let u = user_by_email(store, email).await;
    Actor {
        user_id: u.id,
        role: u.role.parse::<Role>().unwrap(),
    }
}
