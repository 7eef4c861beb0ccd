//! Refill requests move through their steps as jobs (seed 003's refill pipeline), end to end
//! on the demo practice, on both engines, with a worker on a clock the test moves. A decided
//! request tells the patient it was answered — one text at a stand-in of Twilio's Messages
//! API, or one email at a real SMTP server, by the patient's choice, or nothing for `none` —
//! never naming the medication or the decision, and never twice. A request still pending is
//! followed up with its provider in-app at the practice's openings — the first at least 24
//! hours after it was taken, then each business day, three times, the third also to the
//! practice managers; deciding it cancels the waiting reminder.

mod common;

use careline::jobs::{Registry, Worker};
use careline_domain::reminder::ReminderChannel;
use careline_domain::{Actor, ManualClock, Role};
use careline_store::Store;
use careline_store::entity::{job, notification_delivery};
use careline_store::refill_jobs::{NOTIFY_PATIENT, REMIND_PROVIDER};
use careline_store::refills::{self, RequestedBy};
use careline_store::staff_notifications;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::jobs::{actor, mailer, sms_sender, worker_on};
use common::receivers::{SmtpServer, decoded, smtp_server, twilio_stand_in};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

const ELEANOR: &str = "+15125550142";
const ELEANOR_EMAIL: &str = "eleanor.brooks@example.test";
const PATEL: &str = "dr.patel@demo.careline.test";
const NURSE: &str = "nurse@demo.careline.test";
const MANAGER: &str = "manager@demo.careline.test";

/// 09:00 in Austin: outside the practice's quiet hours.
fn asked() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 8, 15, 0, 0).unwrap()
}

fn admin() -> Actor {
    Actor {
        user_id: Uuid::nil(),
        role: Role::Admin,
    }
}

fn worker(store: &Store, clock: &ManualClock, smtp: Option<&SmtpServer>, sms: &str) -> Worker {
    let mut registry = Registry::new();
    careline::refills::register(
        &mut registry,
        careline::refills::Senders {
            sms: Some(sms_sender(sms)),
            email: mailer(smtp),
            dialer: None,
        },
    );
    worker_on(store, registry, clock)
}

/// Eleanor's medication whose name starts with `name`: (id, full name).
async fn medication(store: &Store, name: &str) -> (Uuid, String) {
    let eleanor = patient_by_phone(store, ELEANOR).await.id;
    let m = careline_store::medications::for_patient(store, &admin(), eleanor)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name.expose().starts_with(name))
        .unwrap_or_else(|| panic!("no {name}"));
    (m.id, m.name.expose().clone())
}

async fn take(store: &Store, medication: Uuid, at: DateTime<Utc>) -> Uuid {
    let eleanor = patient_by_phone(store, ELEANOR).await.id;
    let nurse = actor(store, NURSE).await;
    refills::request(
        store,
        RequestedBy::Staff(&nurse),
        eleanor,
        medication,
        None,
        at,
    )
    .await
    .unwrap()
    .id
}

async fn decide(store: &Store, id: Uuid, approve: bool, at: DateTime<Utc>) {
    let patel = actor(store, PATEL).await;
    refills::decide(store, &patel, id, approve, Some("fine"), at)
        .await
        .unwrap();
}

async fn job_of(store: &Store, kind: &str, id: Uuid) -> Option<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::IdempotencyKey.eq(id.to_string()))
        .one(store.db())
        .await
        .unwrap()
}

/// The provider's reminder `n` of request `id`.
async fn reminder_of(store: &Store, id: Uuid, n: u32) -> Option<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(REMIND_PROVIDER))
        .filter(job::Column::IdempotencyKey.eq(format!("{id}:reminder{n}")))
        .one(store.db())
        .await
        .unwrap()
}

async fn set_channel(store: &Store, channel: ReminderChannel) {
    let id = patient_by_phone(store, ELEANOR).await.id;
    careline_store::patients::update(
        store,
        &admin(),
        id,
        careline_store::patients::PatientPatch {
            reminder_channel: Some(Some(channel)),
            email: Some(Some(ELEANOR_EMAIL.to_string())),
            ..Default::default()
        },
        Utc::now(),
    )
    .await
    .unwrap();
}

async fn deliveries(store: &Store) -> Vec<notification_delivery::Model> {
    notification_delivery::Entity::find()
        .filter(notification_delivery::Column::Kind.eq("refill_answered"))
        .all(store.db())
        .await
        .unwrap()
}

async fn provider_notices(store: &Store) -> Vec<staff_notifications::StaffNotification> {
    let patel = actor(store, PATEL).await;
    staff_notifications::of_user_and_kind(store, patel.user_id, "task_waiting")
        .await
        .unwrap()
}

/// Minimum necessary: neither the medication nor the decision.
fn says_nothing_clinical(text: &str, medication: &str) {
    let lower = text.to_lowercase();
    for word in [
        medication.to_lowercase(),
        medication.split(' ').next().unwrap().to_lowercase(),
        "approved".into(),
        "denied".into(),
        "fine".into(),
    ] {
        assert!(!lower.contains(&word), "{word:?} in {text}");
    }
}

on_both_engines!(
    an_approved_refill_texts_the_patient_once_and_cancels_the_providers_reminder,
    |db: TestDb| async move {
        let store = &db.store;
        careline::demo::seed(store).await.unwrap();
        let (sms_url, sms_log) = twilio_stand_in().await;
        let t0 = asked();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, None, &sms_url);
        let (med, med_name) = medication(store, "Latanoprost").await;
        let id = take(store, med, t0).await;

        // Taken on Tuesday at 09:00: the provider's reminder waits for the first opening at
        // least 24 hours later (Thursday 08:00 in Austin); nobody is told anything yet.
        let remind = reminder_of(store, id, 1).await.expect("queued");
        assert_eq!(remind.state, "queued");
        assert_eq!(
            remind.run_at,
            Utc.with_ymd_and_hms(2026, 12, 10, 14, 0, 0).unwrap()
        );
        assert_eq!(
            remind.payload,
            serde_json::json!({"refill_request_id": id, "reminder": 1})
        );
        assert!(job_of(store, NOTIFY_PATIENT, id).await.is_none());
        w.run_until_idle().await.unwrap();
        assert!(sms_log.lock().unwrap().is_empty());

        // Approved two hours later: the reminder is cancelled with the decision.
        let decided = t0 + Duration::hours(2);
        decide(store, id, true, decided).await;
        assert_eq!(reminder_of(store, id, 1).await.unwrap().state, "cancelled");
        let notify = job_of(store, NOTIFY_PATIENT, id).await.expect("queued");
        assert_eq!(notify.run_at, decided);

        clock.set(decided + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        let texts = sms_log.lock().unwrap().clone();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert_eq!(texts[0].form["To"], ELEANOR);
        let body = &texts[0].form["Body"];
        assert!(
            body.starts_with("Capitol Eye Care: your refill request has been answered."),
            "{body}"
        );
        says_nothing_clinical(body, &med_name);
        let d = deliveries(store).await;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].channel, "sms");
        assert_eq!(
            d[0].patient_id,
            Some(patient_by_phone(store, ELEANOR).await.id)
        );
        assert_eq!(
            job_of(store, NOTIFY_PATIENT, id).await.unwrap().state,
            "succeeded"
        );

        // Run again, past the 24 hours: no second text, and no reminder to the provider.
        clock.set(t0 + Duration::hours(30));
        w.run_until_idle().await.unwrap();
        assert_eq!(sms_log.lock().unwrap().len(), 1);
        assert_eq!(deliveries(store).await.len(), 1);
        assert!(provider_notices(store).await.is_empty());
        db.cleanup().await;
    }
);

on_both_engines!(
    a_patient_who_chose_email_gets_an_email_and_one_who_chose_none_nothing,
    |db: TestDb| async move {
        let store = &db.store;
        careline::demo::seed(store).await.unwrap();
        let smtp = smtp_server();
        let (sms_url, sms_log) = twilio_stand_in().await;
        let t0 = asked();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, smtp.as_ref(), &sms_url);
        let (latanoprost, latanoprost_name) = medication(store, "Latanoprost").await;
        let (alprazolam, _) = medication(store, "Alprazolam").await;

        // Email, and denied.
        set_channel(store, ReminderChannel::Email).await;
        let id = take(store, latanoprost, t0).await;
        decide(store, id, false, t0 + Duration::minutes(5)).await;
        clock.set(t0 + Duration::minutes(6));
        w.run_until_idle().await.unwrap();
        assert!(sms_log.lock().unwrap().is_empty(), "no text");
        let d = deliveries(store).await;
        if let Some(smtp) = &smtp {
            let mail = smtp.received();
            assert_eq!(mail.len(), 1, "one email");
            assert_eq!(mail[0].0, vec![ELEANOR_EMAIL.to_string()]);
            let text = decoded(&mail[0].1);
            assert!(
                text.starts_with("Your refill request at Capitol Eye Care\nHello Eleanor,"),
                "{text}"
            );
            says_nothing_clinical(&text, &latanoprost_name);
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].channel, "email");
            assert_eq!(d[0].status, "sent");
        } else {
            // No mailer: the text instead.
            assert_eq!(sms_log.lock().unwrap().len(), 1);
        }

        // `none`: the request is decided, nobody is contacted.
        set_channel(store, ReminderChannel::None).await;
        let id = take(store, alprazolam, t0 + Duration::hours(1)).await;
        decide(store, id, true, t0 + Duration::hours(2)).await;
        clock.set(t0 + Duration::hours(3));
        w.run_until_idle().await.unwrap();
        assert_eq!(
            job_of(store, NOTIFY_PATIENT, id).await.unwrap().state,
            "succeeded"
        );
        assert_eq!(deliveries(store).await.len(), d.len());
        if let Some(smtp) = &smtp {
            assert_eq!(smtp.received().len(), 1);
            assert!(sms_log.lock().unwrap().is_empty());
        }
        db.cleanup().await;
    }
);

/// Friday 11 December 2026, 16:00 in Austin.
fn friday_afternoon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 11, 22, 0, 0).unwrap()
}

/// The opening (08:00 in Austin) of December `day`, 2026.
fn opening(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, 14, 0, 0).unwrap()
}

on_both_engines!(
    a_refill_left_pending_is_followed_up_at_openings_then_with_the_managers,
    |db: TestDb| async move {
        let store = &db.store;
        careline::demo::seed(store).await.unwrap();
        let (sms_url, sms_log) = twilio_stand_in().await;
        let t0 = friday_afternoon();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, None, &sms_url);
        let (med, med_name) = medication(store, "Latanoprost").await;
        let id = take(store, med, t0).await;
        let manager = actor(store, MANAGER).await;
        let manager_notices = || async {
            staff_notifications::of_user_and_kind(store, manager.user_id, "task_waiting")
                .await
                .unwrap()
        };

        // Not on Saturday, 24 hours later (the practice is closed), nor before Monday's opening.
        assert_eq!(reminder_of(store, id, 1).await.unwrap().run_at, opening(14));
        for at in [
            t0 + Duration::hours(24) + Duration::seconds(1),
            opening(14) - Duration::minutes(1),
        ] {
            clock.set(at);
            w.run_until_idle().await.unwrap();
            assert!(provider_notices(store).await.is_empty(), "at {at}");
        }

        // Monday at opening: the first reminder, and the second planned for Tuesday's.
        clock.set(opening(14) + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        let notices = provider_notices(store).await;
        assert_eq!(notices.len(), 1, "{notices:?}");
        let n = &notices[0];
        assert_eq!(n.link, format!("/refills?status=pending#refill-{id}"));
        assert_eq!(n.title, "A task is waiting for you");
        assert!(n.body.contains("Dr. Priya Patel"), "{}", n.body);
        for word in ["Eleanor", "Brooks", "Latanoprost", &med_name] {
            assert!(!n.body.contains(word) && !n.title.contains(word), "{word}");
        }
        assert_eq!(reminder_of(store, id, 1).await.unwrap().state, "succeeded");
        let second = reminder_of(store, id, 2).await.expect("planned");
        assert_eq!(
            (second.state.as_str(), second.run_at),
            ("queued", opening(15))
        );
        // Nobody else yet, no patient notice; a rerun adds nothing.
        let nurse = actor(store, NURSE).await;
        assert!(
            staff_notifications::of_user_and_kind(store, nurse.user_id, "task_waiting")
                .await
                .unwrap()
                .is_empty()
        );
        assert!(manager_notices().await.is_empty());
        assert!(sms_log.lock().unwrap().is_empty());
        clock.set(opening(15) - Duration::minutes(1));
        w.run_until_idle().await.unwrap();
        assert_eq!(provider_notices(store).await.len(), 1);

        // Tuesday: the second; Wednesday: the third, to the managers as well; then no more.
        clock.set(opening(15) + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        assert_eq!(provider_notices(store).await.len(), 2);
        assert!(manager_notices().await.is_empty());
        assert_eq!(reminder_of(store, id, 3).await.unwrap().run_at, opening(16));
        clock.set(opening(16) + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        assert_eq!(provider_notices(store).await.len(), 3);
        let to_manager = manager_notices().await;
        assert_eq!(to_manager.len(), 1, "{to_manager:?}");
        assert_eq!(
            to_manager[0].link,
            format!("/refills?status=pending#refill-{id}")
        );
        for word in ["Eleanor", "Brooks", "Latanoprost", &med_name] {
            assert!(!to_manager[0].body.contains(word), "{word}");
        }
        assert!(reminder_of(store, id, 4).await.is_none());
        clock.set(opening(21) + Duration::hours(1));
        w.run_until_idle().await.unwrap();
        assert_eq!(provider_notices(store).await.len(), 3);
        assert_eq!(manager_notices().await.len(), 1);
        db.cleanup().await;
    }
);

on_both_engines!(
    deciding_a_refill_stops_its_follow_ups,
    |db: TestDb| async move {
        let store = &db.store;
        careline::demo::seed(store).await.unwrap();
        let (sms_url, _sms_log) = twilio_stand_in().await;
        let t0 = friday_afternoon();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, None, &sms_url);
        let (med, _) = medication(store, "Latanoprost").await;
        let id = take(store, med, t0).await;
        clock.set(opening(14) + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        assert_eq!(provider_notices(store).await.len(), 1);

        // Decided on Monday afternoon: Tuesday's reminder is cancelled with the decision.
        decide(store, id, false, opening(14) + Duration::hours(6)).await;
        assert_eq!(reminder_of(store, id, 2).await.unwrap().state, "cancelled");
        clock.set(opening(17));
        w.run_until_idle().await.unwrap();
        assert_eq!(provider_notices(store).await.len(), 1);
        assert!(reminder_of(store, id, 3).await.is_none());
        db.cleanup().await;
    }
);

on_both_engines!(
    a_refill_answered_in_quiet_hours_is_told_when_they_end,
    |db: TestDb| async move {
        let store = &db.store;
        careline::demo::seed(store).await.unwrap();
        let (sms_url, sms_log) = twilio_stand_in().await;
        // Austin is UTC-6 in December; the practice's quiet hours are 20:00-08:00.
        let evening = Utc.with_ymd_and_hms(2026, 12, 9, 1, 30, 0).unwrap(); // 19:30
        let night = Utc.with_ymd_and_hms(2026, 12, 9, 3, 0, 0).unwrap(); // 21:00
        let morning = Utc.with_ymd_and_hms(2026, 12, 9, 14, 0, 0).unwrap(); // 08:00
        let clock = ManualClock::new(evening);
        let w = worker(store, &clock, None, &sms_url);
        let (latanoprost, _) = medication(store, "Latanoprost").await;
        let (alprazolam, _) = medication(store, "Alprazolam").await;

        // Decided at night: the notice is due in the morning.
        let first = take(store, latanoprost, evening - Duration::hours(3)).await;
        decide(store, first, true, night).await;
        assert_eq!(
            job_of(store, NOTIFY_PATIENT, first).await.unwrap().run_at,
            morning
        );

        // Decided in the evening, but the worker only runs at night: it waits for the morning.
        let second = take(store, alprazolam, evening - Duration::hours(2)).await;
        decide(store, second, false, evening).await;
        clock.set(night);
        w.run_until_idle().await.unwrap();
        assert!(sms_log.lock().unwrap().is_empty());
        let later = job::Entity::find()
            .filter(job::Column::Kind.eq(NOTIFY_PATIENT))
            .filter(
                job::Column::IdempotencyKey.eq(format!("{second}:after{}", morning.timestamp())),
            )
            .one(store.db())
            .await
            .unwrap()
            .expect("the notice moved to the morning");
        assert_eq!(later.run_at, morning);

        clock.set(morning + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        assert_eq!(
            sms_log.lock().unwrap().len(),
            2,
            "one text for each request"
        );
        assert_eq!(deliveries(store).await.len(), 2);
        db.cleanup().await;
    }
);
